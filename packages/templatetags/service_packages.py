"""``{% ro_packages %}``: the packages panel of a repair order's estimate (templates/packages/_ro_packages.html).

A template tag of the packages app rather than an htmx request: the panel is in the page as it is served (no
second round trip, no empty box before it loads, works without JavaScript), and repairs' Python still never
imports packages — the order page only includes the packages template.
"""

from __future__ import annotations

from django import template
from django.utils import timezone

from core.permissions import allowed
from packages import selectors
from packages.services import APPLY_PACKAGE

register = template.Library()


@register.inclusion_tag("packages/_ro_packages_panel.html", takes_context=True)
def ro_packages(context):
    """The packages that fit the order's car (the one due first on top), while its estimate is editable."""
    order, user = context.get("object"), context.get("user")
    editable = bool(context.get("can_edit_estimate"))
    if order is None or user is None or not editable or not allowed(user, APPLY_PACKAGE, dealer=order.dealer_id):
        return {"show": False}
    return {
        "show": True,
        "order": order,
        "offers": selectors.offers_for_order(order=order, today=timezone.localdate()),
        "csrf_token": context.get("csrf_token"),
        "can_manage": user.has_perm("packages.view_servicepackage"),
    }
