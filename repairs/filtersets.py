"""The repair orders' filters (page and API) and their search box rule."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.filters import readable
from core.search import prefix_q
from customers.selectors import classify_search, matching_vehicle_q
from organization.models import Dealer
from repairs.choices import RepairOrderStatus
from repairs.models import RepairOrder
from repairs.selectors import OPEN_STATUSES, promise_at_risk_q, promise_overdue_q


def repair_order_search(orders: QuerySet[RepairOrder], text: str, *, user: User) -> QuerySet[RepairOrder]:
    """The orders a search box entry finds (the readings of ``customers.selectors.classify_search``): an RO number
    from its start or its month-and-sequence end, the customer's name or mobile, the vehicle's plate (or a piece of
    it), VIN or VIN tail."""
    term = classify_search(text)
    if term.kind == "empty":
        return orders
    match = Q()
    for reading in term.readings:
        if reading.kind == "ro_number":
            value = reading.value
            match |= prefix_q("number", value) if value[0].isalpha() else Q(number__endswith=f"-{value}")
        elif reading.kind == "name":
            match |= prefix_q("number", reading.value.upper()) | prefix_q("customer__name", reading.value)
        elif reading.kind == "mobile":
            match |= prefix_q("customer__mobile", reading.value)
    vehicles = matching_vehicle_q(term, user=user)
    if vehicles is not None and term.kind != "name":  # a name finds the owner's orders through customer__name
        match |= vehicles
    return orders.filter(match) if match else orders.none()


class RepairOrderFilterSet(django_filters.FilterSet):
    """The filters of the repair orders API list and of the repair order list page."""

    dealer = django_filters.ModelChoiceFilter(queryset=readable(Dealer), label=_("dealer"))
    status = django_filters.ChoiceFilter(
        choices=[("open", _("All open orders")), *RepairOrderStatus.choices], method="filter_status", label=_("status")
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", widget=django_filters.widgets.BooleanWidget, label=_("past promised time")
    )
    at_risk = django_filters.BooleanFilter(
        method="filter_at_risk", widget=django_filters.widgets.BooleanWidget, label=_("promised time at risk")
    )
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    # Plain ids for the big tables (the queryset is already scoped, so another dealer's id finds nothing).
    vehicle = django_filters.NumberFilter(field_name="vehicle_id")
    customer = django_filters.NumberFilter(field_name="customer_id")
    advisor = django_filters.NumberFilter(field_name="advisor_id")
    opened_after = django_filters.IsoDateTimeFilter(field_name="opened_at", lookup_expr="gte")
    opened_before = django_filters.IsoDateTimeFilter(field_name="opened_at", lookup_expr="lt")
    delivered_after = django_filters.IsoDateTimeFilter(field_name="delivered_at", lookup_expr="gte")
    delivered_before = django_filters.IsoDateTimeFilter(field_name="delivered_at", lookup_expr="lt")

    class Meta:
        model = RepairOrder
        fields = ["dealer", "status", "job_type", "vehicle", "customer", "advisor"]

    def filter_status(self, queryset, name, value):
        """A status, or *open*: any status before delivery."""
        return queryset.filter(status__in=OPEN_STATUSES) if value == "open" else queryset.filter(status=value)

    def filter_overdue(self, queryset, name, value):
        """Orders not ready for delivery past their promised time (``repairs.selectors.promise_overdue_q``)."""
        return queryset.filter(promise_overdue_q(timezone.now())) if value else queryset

    def filter_at_risk(self, queryset, name, value):
        """Orders not ready with less than an hour to their promised time (``repairs.selectors.promise_at_risk_q``)."""
        return queryset.filter(promise_at_risk_q(timezone.now())) if value else queryset

    def filter_q(self, queryset, name, value):
        """RO number, customer name or mobile, plate (or a piece of it), VIN or its tail (repair_order_search)."""
        return repair_order_search(queryset, value, user=self.request.user)
