import django_filters

from core.filters import readable
from core.search import prefix_q
from customers.models import Customer, Vehicle
from customers.validators import normalize_mobile, normalize_plate, normalize_vin
from organization.models import Dealer


class CustomerFilterSet(django_filters.FilterSet):
    dealer = django_filters.ModelChoiceFilter(queryset=readable(Dealer))
    name = django_filters.CharFilter(method="filter_name", label="name starts with")
    mobile = django_filters.CharFilter(method="filter_mobile", label="mobile starts with")

    class Meta:
        model = Customer
        fields = ["dealer", "kind", "source", "consent", "archive_complete"]

    def filter_name(self, queryset, name, value):
        return queryset.filter(prefix_q("name", value.strip()))

    def filter_mobile(self, queryset, name, value):
        return queryset.filter(prefix_q("mobile", normalize_mobile(value)))


class VehicleFilterSet(django_filters.FilterSet):
    dealer = django_filters.ModelChoiceFilter(queryset=readable(Dealer))
    # A plain id, not a choice list: the browsable API would render every customer as an <option>.
    owner = django_filters.NumberFilter(field_name="owner_id")
    vin = django_filters.CharFilter(method="filter_vin", label="VIN starts with")
    plate = django_filters.CharFilter(method="filter_plate", label="plate starts with")

    class Meta:
        model = Vehicle
        fields = ["dealer", "owner", "brand", "fuel_type"]

    def filter_vin(self, queryset, name, value):
        return queryset.filter(prefix_q("vin", normalize_vin(value)))

    def filter_plate(self, queryset, name, value):
        return queryset.filter(prefix_q("plate", normalize_plate(value)))
