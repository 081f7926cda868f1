import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.filters import readable
from core.search import prefix_q
from customers.selectors import classify_search
from organization.models import Dealer
from repairs.choices import RepairOrderStatus
from repairs.models import RepairOrder
from repairs.selectors import OPEN_STATUSES, promise_at_risk_q, promise_overdue_q


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
        """RO number or customer name by its start, or the plate, VIN or mobile (customers.classify_search)."""
        q = value.strip()
        term = classify_search(q)
        if term.kind == "empty":
            return queryset
        if term.kind == "plate":
            return queryset.filter(prefix_q("vehicle__plate", term.value))
        if term.kind == "vin":
            return queryset.filter(prefix_q("vehicle__vin", term.value))
        if term.kind == "mobile":
            return queryset.filter(prefix_q("customer__mobile", term.value))
        return queryset.filter(prefix_q("number", q.upper()) | prefix_q("customer__name", q))
