import django_filters

from core.filters import readable
from organization.models import Dealer
from repairs.models import RepairOrder


class RepairOrderFilterSet(django_filters.FilterSet):
    dealer = django_filters.ModelChoiceFilter(queryset=readable(Dealer))
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
