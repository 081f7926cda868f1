import django_filters

from core.filters import readable
from organization.models import Dealer
from warranty.models import WarrantyClaim


class WarrantyClaimFilterSet(django_filters.FilterSet):
    dealer = django_filters.ModelChoiceFilter(queryset=readable(Dealer))
    # Plain ids for the big tables (the queryset is already scoped, so another dealer's id finds nothing).
    repair_order = django_filters.NumberFilter(field_name="repair_order_id")
    vehicle = django_filters.NumberFilter(field_name="vehicle_id")
    failure_code = django_filters.CharFilter(field_name="failure_code")
    submitted_after = django_filters.IsoDateTimeFilter(field_name="submitted_at", lookup_expr="gte")
    submitted_before = django_filters.IsoDateTimeFilter(field_name="submitted_at", lookup_expr="lt")

    class Meta:
        model = WarrantyClaim
        fields = ["dealer", "status", "coverage", "repair_order", "vehicle", "failure_code"]
