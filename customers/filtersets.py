import django_filters

from core.search import prefix_q
from customers.models import Customer, Vehicle
from customers.validators import normalize_mobile, normalize_plate, normalize_vin
from organization.models import Dealer


# The choices of a related filter are the user's own rows: an id of another dealer is then
# "not a valid choice" exactly like an id that does not exist, so a filter never confirms it.
def _readable_dealers(request):
    return Dealer.objects.for_user(request.user) if request is not None else Dealer.objects.none()


def _readable_customers(request):
    return Customer.objects.for_user(request.user) if request is not None else Customer.objects.none()


class CustomerFilterSet(django_filters.FilterSet):
    dealer = django_filters.ModelChoiceFilter(queryset=_readable_dealers)
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
    dealer = django_filters.ModelChoiceFilter(queryset=_readable_dealers)
    owner = django_filters.ModelChoiceFilter(queryset=_readable_customers)
    vin = django_filters.CharFilter(method="filter_vin", label="VIN starts with")
    plate = django_filters.CharFilter(method="filter_plate", label="plate starts with")

    class Meta:
        model = Vehicle
        fields = ["dealer", "owner", "brand", "fuel_type"]

    def filter_vin(self, queryset, name, value):
        return queryset.filter(prefix_q("vin", normalize_vin(value)))

    def filter_plate(self, queryset, name, value):
        return queryset.filter(prefix_q("plate", normalize_plate(value)))
