import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.filters import LocalDayFilter, readable
from organization.models import Dealer
from warranty.models import WarrantyClaim


class WarrantyClaimFilterSet(django_filters.FilterSet):
    """The filters of the claims API list and of the claims page, export and report."""

    dealer = django_filters.ModelChoiceFilter(queryset=readable(Dealer), label=_("dealer"))
    # Plain ids for the big tables (the queryset is already scoped, so another dealer's id finds nothing).
    repair_order = django_filters.NumberFilter(field_name="repair_order_id")
    vehicle = django_filters.NumberFilter(field_name="vehicle_id")
    failure_code = django_filters.CharFilter(field_name="failure_code")
    submitted_after = django_filters.IsoDateTimeFilter(field_name="submitted_at", lookup_expr="gte")
    submitted_before = django_filters.IsoDateTimeFilter(field_name="submitted_at", lookup_expr="lt")
    # The dates are those of submission (a draft has none, so a date filter leaves drafts out).
    submitted_from = LocalDayFilter(field_name="submitted_at", label=_("submitted from"))
    submitted_to = LocalDayFilter(field_name="submitted_at", end=True, label=_("submitted to"))
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))

    class Meta:
        model = WarrantyClaim
        fields = ["dealer", "status", "coverage", "repair_order", "vehicle", "failure_code"]

    def filter_q(self, queryset, name, value):
        """Claim or RO number, failure code or causal part number, by its start."""
        q = value.strip()
        if not q:
            return queryset
        return queryset.filter(
            Q(number__startswith=q.upper())
            | Q(repair_order__number__startswith=q.upper())
            | Q(failure_code__istartswith=q)
            | Q(causal_part_number__istartswith=q)
        )
