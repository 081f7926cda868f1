"""Pages that put several domains together: the home page per role, the global search, the service advisor's
desk and the dealer list with its customer counts (the domains below never import each other for them)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import ListView

from accounts.choices import Role
from appointments.models import Appointment
from care.views import FollowUpListView
from cashiering.views import CashierQueueView
from core.dates import day_bounds
from core.mixins import DealerScopedObjectMixin
from customers import selectors as customer_selectors
from customers.models import Customer, Vehicle
from dashboards.cockpit import cockpit_view
from dashboards.network import NetworkView
from organization.models import Dealer
from parts.views.counter import PartsCounterView
from repairs import selectors as repair_selectors
from repairs.filtersets import repair_order_search
from repairs.models import RepairOrder
from repairs.views import MyJobsView, QcQueueView, WorkshopBoardView
from todo.selectors import task_list_for

SEARCH_LIMIT = 20

# What each role does first, as (label, url name[?query], permission) shortcuts on the home page.
ROLE_SHORTCUTS = {
    Role.SERVICE_ADVISOR: [
        (_("Service desk"), "dashboards:desk", "repairs.advise_repairorder"),
        (_("Book an appointment"), "appointments:appointment_create", "appointments.add_appointment"),
        (_("Find a customer or vehicle"), "dashboards:search", None),
        (_("New customer"), "customers:customer_create", "customers.add_customer"),
    ],
    Role.FOREMAN: [(_("Workshop board"), "repairs:workshop_board", "repairs.dispatch_repairorder")],
    Role.TECHNICIAN: [(_("My jobs"), "repairs:my_jobs", "repairs.work_repairorder")],
    Role.QC_INSPECTOR: [(_("QC queue"), "repairs:qc_queue", "repairs.inspect_repairorder")],
    Role.PARTS_CLERK: [
        (_("Parts counter"), "parts:counter", "parts.add_stockmovement"),
        (_("Parts catalogue"), "parts:catalogue", "parts.view_part"),
    ],
    Role.FOLLOWUP_SPECIALIST: [
        (_("Follow-up calls due"), "care:followups", "care.view_callrecord"),
        (_("Care reminders"), "care:reminders", "care.view_reminder"),
        (_("My to-do list"), "todo:task_list", "todo.view_task"),
        (_("Customers with incomplete archives"), "customers:customer_list", "customers.view_customer"),
    ],
    Role.SERVICE_MANAGER: [
        (_("Service desk"), "dashboards:desk", "repairs.advise_repairorder"),
        (_("Workshop board"), "repairs:workshop_board", "repairs.dispatch_repairorder"),
        (_("Parts reports"), "parts:reports", "parts.view_stockitem"),
        (_("Warranty claims"), "warranty:claim_list", "warranty.view_warrantyclaim"),
        (_("Follow-up calls due"), "care:followups", "care.view_callrecord"),
    ],
    Role.REGION_MANAGER: [
        (_("The dealers I am responsible for"), "dashboards:dealer_list", "organization.view_dealer"),
        (_("Repair orders"), "repairs:repair_order_list", "repairs.view_repairorder"),
    ],
    Role.ADMINISTRATOR: [(_("Users, dealers and roles"), "admin:index", None)],
}


# A role's own home page, as (role, view). A user with several roles gets the first they hold (and may open: the
# view's own permission) in this order: who runs the dealer or the region first, then who directs the workshop
# (the foreman's board), who checks its work (the QC queue: a car waiting there holds up a delivery), who does it
# (a technician's jobs), then the desks of the parts counter, the cashier and customer care. The advisor and the
# administrator keep the general home page (its shortcuts).
ROLE_HOMES = [
    (Role.SERVICE_MANAGER, cockpit_view),
    (Role.REGION_MANAGER, NetworkView.as_view()),
    (Role.FOREMAN, WorkshopBoardView.as_view()),
    (Role.QC_INSPECTOR, QcQueueView.as_view()),
    (Role.TECHNICIAN, MyJobsView.as_view()),
    (Role.PARTS_CLERK, PartsCounterView.as_view()),
    (Role.CASHIER, CashierQueueView.as_view()),
    (Role.FOLLOWUP_SPECIALIST, FollowUpListView.as_view()),
]


def _may_open(user, view) -> bool:
    """Whether the user holds the permission the view itself requires (a function view checks its own)."""
    needed = getattr(getattr(view, "view_class", None), "permission_required", None)
    if not needed:
        return True
    return user.has_perms((needed,) if isinstance(needed, str) else needed)


def role_home(user):
    """The page view that is this user's home by role (``ROLE_HOMES``, the first they hold and may open; a
    superuser only by the roles given to them), else None: the general home page."""
    for role, view in ROLE_HOMES:
        if role in user.role_codes and _may_open(user, view):
            return view
    return None


@login_required
def home(request):
    """Landing page: a role's own home (``role_home``: the service manager's cockpit, the region managers' network
    view), else the user's roles, dealers, shortcuts and archive figures for their dealers."""
    user = request.user
    view = role_home(user)
    if view is not None:
        return view(request)
    dealers = Dealer.objects.for_user(user).select_related("region")
    shortcuts, seen = [], set()
    for role in Role.values:
        if user.has_role(role):
            for label, url_name, perm in ROLE_SHORTCUTS.get(role, []):
                if url_name not in seen and (perm is None or user.has_perm(perm)):
                    seen.add(url_name)
                    name, _sep, query = url_name.partition("?")
                    shortcuts.append((label, reverse(name) + (f"?{query}" if query else "")))
    stats = None
    if user.has_perm("customers.view_customer"):
        stats = Customer.objects.for_user(user).aggregate(
            customers=Count("id"), incomplete=Count("id", filter=Q(archive_complete=False))
        )
        stats["vehicles"] = Vehicle.objects.for_user(user).count()
    return render(
        request,
        "dashboards/home.html",
        {"dealers": dealers[:50], "dealer_count": dealers.count(), "shortcuts": shortcuts, "stats": stats},
    )


@login_required
def search(request):
    """One box (the page's and the header's) for name, mobile, plate or a piece of it, VIN or its tail and RO
    number, over the customers, vehicles and repair orders of the user's dealers; the page says what it searched."""
    q = request.GET.get("q", "").strip()[:60]
    term = customer_selectors.classify_search(q)
    customers = vehicles = orders = []
    user = request.user
    if term.kind != "empty":
        if user.has_perm("customers.view_customer"):
            found = customer_selectors.customer_search(customer_selectors.customer_list(user=user), q, user=user)
            customers = list(found[:SEARCH_LIMIT])
        if user.has_perm("customers.view_vehicle"):
            found = customer_selectors.vehicle_search(customer_selectors.vehicle_list(user=user), q, user=user)
            vehicles = list(found[:SEARCH_LIMIT])
        if user.has_perm("repairs.view_repairorder"):
            found = repair_order_search(repair_selectors.repair_order_list(user=user), q, user=user)
            orders = list(found[:SEARCH_LIMIT])
    template = "dashboards/_search_results.html" if request.htmx else "dashboards/search.html"
    return render(
        request,
        template,
        {
            "q": q,
            "term": term,
            "readings": [reading.label for reading in term.readings],
            "customers": customers,
            "vehicles": vehicles,
            "orders": orders,
            "show_orders": user.has_perm("repairs.view_repairorder"),
            "limit": SEARCH_LIMIT,
        },
    )


class DeskView(DealerScopedObjectMixin, View):
    """The service advisor's day: today's appointments, open orders, late ones, additions to ask, tasks due."""

    model = RepairOrder
    permission_required = "repairs.advise_repairorder"
    template_name = "dashboards/desk.html"

    def get(self, request):
        dealer = request.GET.get("dealer", "")
        dealer_id = int(dealer) if dealer.isdigit() else None
        today = timezone.localdate()
        start, end_of_today = day_bounds(today)
        appointments = (
            Appointment.objects.for_user(request.user, write=True)
            .filter(slot_start__gte=start, slot_start__lt=end_of_today)
            .select_related("customer", "vehicle", "advisor", "repair_order")
            .order_by("slot_start")
        )
        if dealer_id:
            appointments = appointments.filter(dealer_id=dealer_id)
        context = {
            **repair_selectors.desk_day(user=request.user, dealer_id=dealer_id),
            "appointments": appointments,
            "tasks": list(task_list_for(user=request.user).filter(due_at__lt=end_of_today)[:50]),
            "now": timezone.now(),
            "dealers": Dealer.objects.for_user(request.user, write=True).only("id", "code", "name"),
            "dealer": dealer,
        }
        return render(request, self.template_name, context)


class DealerListView(DealerScopedObjectMixin, ListView):
    model = Dealer
    permission_required = "organization.view_dealer"
    paginate_by = 50
    template_name = "dashboards/dealer_list.html"

    def get_queryset(self):
        customer_counts = (
            Customer.objects.filter(dealer=OuterRef("pk"))
            .order_by()
            .values("dealer")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            super()
            .get_queryset()
            .select_related("region")
            .prefetch_related("brands")
            # A correlated count for the rows on the page only: a JOIN + GROUP BY would count every
            # customer of every dealer in scope (twice, with the paginator's count) on each page view.
            .annotate(customer_count=Coalesce(Subquery(customer_counts, output_field=IntegerField()), 0))
            .order_by("code")
        )
