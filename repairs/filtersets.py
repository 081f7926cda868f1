import django_filters

from core.filters import readable
from customers.models import Customer, Vehicle
from organization.models import Dealer
from repairs.models import RepairOrder


class RepairOrderFilterSet(django_filters.FilterSet):
    dealer = django_filters.ModelChoiceFilter(queryset=readable(Dealer))
    vehicle = django_filters.ModelChoiceFilter(queryset=readable(Vehicle))
    customer = django_filters.ModelChoiceFilter(queryset=readable(Customer))
    opened_after = django_filters.IsoDateTimeFilter(field_name="opened_at", lookup_expr="gte")
    opened_before = django_filters.IsoDateTimeFilter(field_name="opened_at", lookup_expr="lt")
    delivered_after = django_filters.IsoDateTimeFilter(field_name="delivered_at", lookup_expr="gte")
    delivered_before = django_filters.IsoDateTimeFilter(field_name="delivered_at", lookup_expr="lt")

    class Meta:
        model = RepairOrder
        fields = ["dealer", "status", "job_type", "vehicle", "customer", "advisor"]
