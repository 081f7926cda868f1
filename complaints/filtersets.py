import django_filters

from complaints.models import Complaint, CrisisAlert
from core.filters import readable
from organization.models import Dealer


class ComplaintFilterSet(django_filters.FilterSet):
    dealer = django_filters.ModelChoiceFilter(queryset=readable(Dealer))
    owner = django_filters.NumberFilter(field_name="owner_id")
    staff = django_filters.NumberFilter(field_name="staff_id")
    repair_order = django_filters.NumberFilter(field_name="repair_order_id")
    customer = django_filters.NumberFilter(field_name="customer_id")
    received_after = django_filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="gte")
    received_before = django_filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="lt")

    class Meta:
        model = Complaint
        fields = ["dealer", "status", "category", "severity", "channel", "escalation_level", "owner", "staff"]


class CrisisAlertFilterSet(django_filters.FilterSet):
    dealer = django_filters.ModelChoiceFilter(queryset=readable(Dealer))
    open = django_filters.BooleanFilter(field_name="acknowledged_at", lookup_expr="isnull")

    class Meta:
        model = CrisisAlert
        fields = ["dealer", "level", "reason"]
