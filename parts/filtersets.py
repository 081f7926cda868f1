import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.filters import readable
from core.search import prefix_q
from organization.models import Dealer
from parts.choices import PurchaseOrderStatus
from parts.models import (
    Part,
    PurchaseOrder,
    StockItem,
    StockMovement,
    Supplier,
    Warehouse,
    normalize_part_number,
)
from parts.selectors.stock import below_reorder_point_q, part_search_q, with_replacements


def _parts_found(query: str):
    """The parts a search finds, with every part their supersession chains lead to."""
    return Part.objects.filter(with_replacements(Part.objects.filter(part_search_q(query))))


class PartFilterSet(django_filters.FilterSet):
    """The filters of the parts API list and of the catalogue page."""

    number = django_filters.CharFilter(method="filter_number", label="part number starts with (any spelling)")
    name = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="name contains")
    q = django_filters.CharFilter(method="filter_q", max_length=100, label=_("Search"))

    class Meta:
        model = Part
        fields = ["number", "name", "category", "brand", "is_active"]

    def filter_number(self, queryset, name, value):
        return queryset.filter(prefix_q("number_key", normalize_part_number(value)))

    def filter_q(self, queryset, name, value):
        """Part number (any spelling) or name, with the whole replacement chain of what it finds."""
        query = value.strip()
        return queryset.filter(with_replacements(Part.objects.filter(part_search_q(query)))) if query else queryset


class StockItemFilterSet(django_filters.FilterSet):
    """The filters of the stock API list and of a warehouse's stock page."""

    warehouse = django_filters.ModelChoiceFilter(queryset=readable(Warehouse))
    part = django_filters.NumberFilter(field_name="part_id")
    below_reorder_point = django_filters.BooleanFilter(
        method="filter_below_reorder_point",
        widget=django_filters.widgets.BooleanWidget,
        label=_("below reorder point"),
    )
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))

    class Meta:
        model = StockItem
        fields = ["warehouse", "part", "below_reorder_point"]

    def filter_below_reorder_point(self, queryset, name, value):
        return queryset.filter(below_reorder_point_q()) if value else queryset.exclude(below_reorder_point_q())

    def filter_q(self, queryset, name, value):
        """Part number or name; an old number finds the stock of its replacements too."""
        query = value.strip()
        return queryset.filter(part__in=_parts_found(query)) if query else queryset


class StockMovementFilterSet(django_filters.FilterSet):
    # A plain id (the queryset is already scoped, so another dealer's item finds nothing).
    item = django_filters.NumberFilter(field_name="item_id")
    at_after = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="gte")
    at_before = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="lt")

    class Meta:
        model = StockMovement
        fields = ["item", "kind"]


class PurchaseOrderFilterSet(django_filters.FilterSet):
    """The filters of the purchase orders API list and page.

    Plain ids: the queryset is already scoped, so another dealer's warehouse or supplier finds nothing.
    """

    status = django_filters.ChoiceFilter(
        choices=PurchaseOrderStatus.choices, label=_("status"), empty_label=_("Any status")
    )
    warehouse = django_filters.NumberFilter(field_name="warehouse_id")
    supplier = django_filters.NumberFilter(field_name="supplier_id")

    class Meta:
        model = PurchaseOrder
        fields = ["status"]


class SupplierFilterSet(django_filters.FilterSet):
    """The filters of the suppliers API list and page."""

    dealer = django_filters.ModelChoiceFilter(queryset=readable(Dealer), label=_("dealer"))
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))

    class Meta:
        model = Supplier
        fields = ["dealer", "code"]

    def filter_q(self, queryset, name, value):
        """Any part of the supplier's code or name."""
        query = value.strip()
        return queryset.filter(Q(code__icontains=query) | Q(name__icontains=query)) if query else queryset
