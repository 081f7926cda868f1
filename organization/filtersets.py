import django_filters

from organization.models import Dealer


class DealerFilterSet(django_filters.FilterSet):
    region = django_filters.CharFilter(field_name="region__code")
    brand = django_filters.CharFilter(field_name="brands__code")

    class Meta:
        model = Dealer
        fields = ["code", "is_active", "province", "city"]
