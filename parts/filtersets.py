import django_filters

from core.filters import readable
from core.search import prefix_q
from parts.models import Part, StockItem, StockMovement, Warehouse, normalize_part_number
from parts.selectors import below_reorder_point_q


class PartFilterSet(django_filters.FilterSet):
    number = django_filters.CharFilter(method="filter_number", label="part number starts with (any spelling)")
    name = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="name contains")

    class Meta:
        model = Part
        fields = ["number", "name", "category", "brand", "is_active"]

    def filter_number(self, queryset, name, value):
        return queryset.filter(prefix_q("number_key", normalize_part_number(value)))


class StockItemFilterSet(django_filters.FilterSet):
    warehouse = django_filters.ModelChoiceFilter(queryset=readable(Warehouse))
    part = django_filters.NumberFilter(field_name="part_id")
    below_reorder_point = django_filters.BooleanFilter(method="filter_below_reorder_point")

    class Meta:
        model = StockItem
        fields = ["warehouse", "part", "below_reorder_point"]

    def filter_below_reorder_point(self, queryset, name, value):
        return queryset.filter(below_reorder_point_q()) if value else queryset.exclude(below_reorder_point_q())


class StockMovementFilterSet(django_filters.FilterSet):
    # A plain id (the queryset is already scoped, so another dealer's item finds nothing).
    item = django_filters.NumberFilter(field_name="item_id")
    at_after = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="gte")
    at_before = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="lt")

    class Meta:
        model = StockMovement
        fields = ["item", "kind"]
