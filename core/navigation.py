"""The navigation menu: each entry is shown only to users holding its permission."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


@dataclass(frozen=True)
class NavItem:
    """A menu link, visible to users with ``permission`` (None: every logged-in user)."""

    label: str
    url_name: str
    permission: str | None = None
    staff_only: bool = False


# Later domains append their pages here, in the order a service desk uses them.
NAV_ITEMS: list[NavItem] = [
    NavItem(_("Home"), "dashboards:home"),
    NavItem(_("Region view"), "dashboards:network", "organization.view_region"),
    NavItem(_("Service desk"), "dashboards:desk", "repairs.advise_repairorder"),
    NavItem(_("Appointments"), "appointments:appointment_day", "appointments.view_appointment"),
    NavItem(_("Repair orders"), "repairs:repair_order_list", "repairs.view_repairorder"),
    NavItem(pgettext_lazy("navigation", "Cashier"), "cashiering:queue", "cashiering.add_payment"),
    NavItem(_("Warranty"), "warranty:claim_list", "warranty.view_warrantyclaim"),
    NavItem(_("Parts"), "parts:catalogue", "parts.view_part"),
    NavItem(_("Parts counter"), "parts:counter", "parts.add_stockmovement"),
    NavItem(_("Purchasing"), "parts:po_list", "parts.view_purchaseorder"),
    NavItem(_("Parts reports"), "parts:reports", "parts.view_stockitem"),
    NavItem(_("Service packages"), "packages:package_list", "packages.view_servicepackage"),
    NavItem(_("Workshop"), "repairs:workshop_board", "repairs.dispatch_repairorder"),
    NavItem(_("Workshop economics"), "economics:economics", "economics.view_economics_attendance"),
    NavItem(_("Attendance"), "economics:attendance", "economics.add_attendance"),
    NavItem(_("My jobs"), "repairs:my_jobs", "repairs.work_repairorder"),
    NavItem(_("QC queue"), "repairs:qc_queue", "repairs.inspect_repairorder"),
    NavItem(_("To-do"), "todo:task_list", "todo.view_task"),
    NavItem(_("Customer care"), "care:followups", "care.view_callrecord"),
    NavItem(_("Complaints"), "complaints:complaint_list", "complaints.view_complaint"),
    NavItem(_("Surveys"), "surveys:home", "surveys.view_surveyinvitation"),
    NavItem(_("Customers"), "customers:customer_list", "customers.view_customer"),
    NavItem(_("Vehicles"), "customers:vehicle_list", "customers.view_vehicle"),
    NavItem(_("Search"), "dashboards:search"),
    NavItem(_("Staff"), "staff:staff_list", "staff.view_staffprofile"),
    NavItem(_("My profile"), "staff:my_profile", "staff.view_own_staffprofile"),
    NavItem(_("Evaluation"), "evaluation:index", "evaluation.view_indicatorsystem"),
    NavItem(_("Quality reports"), "reports:report_list", "reports.view_qualityreport"),
    NavItem(_("Dealers"), "dashboards:dealer_list", "organization.view_dealer"),
    NavItem(_("API"), "api-docs"),
    NavItem(_("Administration"), "admin:index", staff_only=True),
]


def nav_for(user) -> list[dict]:
    """The menu entries this user may open."""
    if not user.is_authenticated:
        return []
    perms = user.get_all_permissions()
    items = []
    for item in NAV_ITEMS:
        if item.staff_only and not user.is_staff:
            continue
        if item.permission and not (user.is_superuser or item.permission in perms):
            continue
        items.append({"label": item.label, "url": reverse(item.url_name), "url_name": item.url_name})
    return items
