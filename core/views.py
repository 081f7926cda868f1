"""Home page per role and the global search."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from customers import selectors as customer_selectors
from customers.models import Customer, Vehicle
from organization.models import Dealer

SEARCH_LIMIT = 20
SEARCH_KIND_LABELS = {"vin": _("VIN"), "plate": _("licence plate"), "mobile": _("mobile"), "name": _("name")}

# What each role does first, as (label, url name[?query], permission) shortcuts on the home page.
ROLE_SHORTCUTS = {
    Role.SERVICE_ADVISOR: [
        (_("Service desk"), "repairs:desk", "repairs.advise_repairorder"),
        (_("Book an appointment"), "appointments:appointment_create", "appointments.add_appointment"),
        (_("Find a customer or vehicle"), "core:search", None),
        (_("New customer"), "customers:customer_create", "customers.add_customer"),
    ],
    Role.FOREMAN: [(_("Workshop board"), "repairs:workshop_board", "repairs.dispatch_repairorder")],
    Role.TECHNICIAN: [(_("My jobs"), "repairs:my_jobs", "repairs.work_repairorder")],
    Role.QC_INSPECTOR: [
        (_("Repair orders waiting for QC"), "repairs:repair_order_list?status=qc", "repairs.inspect_repairorder")
    ],
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
        (_("Service desk"), "repairs:desk", "repairs.advise_repairorder"),
        (_("Workshop board"), "repairs:workshop_board", "repairs.dispatch_repairorder"),
        (_("Parts reports"), "parts:reports", "parts.view_stockitem"),
        (_("Warranty claims"), "warranty:claim_list", "warranty.view_warrantyclaim"),
        (_("Follow-up calls due"), "care:followups", "care.view_callrecord"),
    ],
    Role.REGION_MANAGER: [
        (_("Dealers of my region"), "organization:dealer_list", "organization.view_dealer"),
        (_("Repair orders"), "repairs:repair_order_list", "repairs.view_repairorder"),
    ],
    Role.ADMINISTRATOR: [(_("Users, dealers and roles"), "admin:index", None)],
}


@login_required
def home(request):
    """Landing page: the user's roles, dealers, shortcuts and archive figures for their dealers."""
    user = request.user
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
        "core/home.html",
        {"dealers": dealers[:50], "dealer_count": dealers.count(), "shortcuts": shortcuts, "stats": stats},
    )


@login_required
def search(request):
    """One box for name, mobile, plate or VIN, over customers and vehicles of the user's dealers."""
    q = request.GET.get("q", "").strip()
    term = customer_selectors.classify_search(q)
    customers = vehicles = []
    if term.kind != "empty":
        if request.user.has_perm("customers.view_customer"):
            customers = list(customer_selectors.customer_list(user=request.user, filters={"q": q})[:SEARCH_LIMIT])
        if request.user.has_perm("customers.view_vehicle"):
            vehicles = list(customer_selectors.vehicle_list(user=request.user, filters={"q": q})[:SEARCH_LIMIT])
    template = "core/_search_results.html" if request.htmx else "core/search.html"
    return render(
        request,
        template,
        {
            "q": q,
            "term": term,
            "term_label": SEARCH_KIND_LABELS.get(term.kind, ""),
            "customers": customers,
            "vehicles": vehicles,
            "limit": SEARCH_LIMIT,
        },
    )
