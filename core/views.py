"""Home page per role and the global search."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from customers import selectors as customer_selectors
from customers.models import Customer, Vehicle
from organization.models import Dealer

SEARCH_LIMIT = 20
SEARCH_KIND_LABELS = {"vin": _("VIN"), "plate": _("licence plate"), "mobile": _("mobile"), "name": _("name")}

# What each role does first, as (label, url name, permission) shortcuts on the home page.
ROLE_SHORTCUTS = {
    Role.SERVICE_ADVISOR: [
        (_("Find a customer or vehicle"), "core:search", None),
        (_("New customer"), "customers:customer_create", "customers.add_customer"),
    ],
    Role.FOLLOWUP_SPECIALIST: [
        (_("Customers with incomplete archives"), "customers:customer_list", "customers.view_customer"),
    ],
    Role.SERVICE_MANAGER: [
        (_("Customer archive"), "customers:customer_list", "customers.view_customer"),
        (_("Dealers"), "organization:dealer_list", "organization.view_dealer"),
    ],
    Role.REGION_MANAGER: [(_("Dealers of my region"), "organization:dealer_list", "organization.view_dealer")],
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
                    shortcuts.append((label, url_name))
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
