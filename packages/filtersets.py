"""The filters of the service packages page and API list (one FilterSet for both)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.filters import readable
from organization.models import Brand, Dealer
from packages.models import ServicePackage
from repairs.choices import JobType


class ServicePackageFilterSet(django_filters.FilterSet):
    """Dealer, brand, job type, active and a search over code, name and series."""

    dealer = django_filters.ModelChoiceFilter(queryset=readable(Dealer), label=_("dealer"))
    brand = django_filters.ModelChoiceFilter(queryset=Brand.objects.all(), label=_("brand"))
    job_type = django_filters.ChoiceFilter(choices=JobType.choices, label=_("job type"))
    is_active = django_filters.BooleanFilter(widget=django_filters.widgets.BooleanWidget, label=_("active"))
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))

    class Meta:
        model = ServicePackage
        fields = ["dealer", "brand", "job_type", "is_active"]

    def filter_q(self, queryset, name, value):
        """Any part of the package's code, name or vehicle series."""
        query = value.strip()
        if not query:
            return queryset
        return queryset.filter(Q(code__icontains=query) | Q(name__icontains=query) | Q(series__icontains=query))
