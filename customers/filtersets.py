import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import readable
from core.search import prefix_q
from customers import selectors
from customers.models import Customer, Vehicle
from customers.validators import normalize_mobile, normalize_plate, normalize_vin
from organization.models import Dealer


class CustomerFilterSet(django_filters.FilterSet):
    """The filters of the customers API list and of the customer list page and its export."""

    dealer = django_filters.ModelChoiceFilter(queryset=readable(Dealer), label=_("dealer"))
    name = django_filters.CharFilter(method="filter_name", label="name starts with")
    mobile = django_filters.CharFilter(method="filter_mobile", label="mobile starts with")
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    archive = django_filters.ChoiceFilter(
        choices=[("complete", _("Complete")), ("incomplete", _("Incomplete"))], method="filter_archive",
        label=_("Archive"),
    )  # fmt: skip

    class Meta:
        model = Customer
        fields = ["dealer", "kind", "source", "consent", "archive_complete"]

    def filter_name(self, queryset, name, value):
        return queryset.filter(prefix_q("name", value.strip()))

    def filter_mobile(self, queryset, name, value):
        return queryset.filter(prefix_q("mobile", normalize_mobile(value)))

    def filter_q(self, queryset, name, value):
        """Name, mobile, plate, VIN or its last six (customers.selectors.classify_search tells them apart)."""
        return selectors.customer_search(queryset, value, user=self.request.user)

    def filter_archive(self, queryset, name, value):
        return queryset.filter(archive_complete=value == "complete")


class VehicleFilterSet(django_filters.FilterSet):
    """The filters of the vehicles API list and of the vehicle list page."""

    dealer = django_filters.ModelChoiceFilter(queryset=readable(Dealer), label=_("dealer"))
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
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

    def filter_q(self, queryset, name, value):
        """Plate, VIN or VIN tail, or the owner's mobile or name."""
        return selectors.vehicle_search(queryset, value, user=self.request.user)
