"""API representations of the parts catalogue and the stock ledger (read-only)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from parts.models import Part, StockItem, StockMovement


class PartSerializer(serializers.ModelSerializer):
    current = serializers.SerializerMethodField(
        help_text="Id of the part that replaces this one today (itself if none)."
    )
    superseded_by_number = serializers.CharField(source="superseded_by.number", read_only=True, default=None)

    class Meta:
        model = Part
        fields = [
            "id", "brand", "number", "number_key", "name", "category", "unit", "tax_rate", "superseded_by",
            "superseded_by_number", "current", "fitment", "is_active",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField())
    def get_current(self, part: Part) -> int:
        return part.current().pk


class StockItemSerializer(serializers.ModelSerializer):
    dealer = serializers.IntegerField(source="warehouse.dealer_id", read_only=True)
    warehouse_code = serializers.CharField(source="warehouse.code", read_only=True)
    part_number = serializers.CharField(source="part.number", read_only=True)
    part_name = serializers.CharField(source="part.name", read_only=True)
    available = serializers.DecimalField(max_digits=12, decimal_places=3, read_only=True)
    value = serializers.DecimalField(max_digits=20, decimal_places=2, read_only=True)

    class Meta:
        model = StockItem
        fields = [
            "id", "dealer", "warehouse", "warehouse_code", "part", "part_number", "part_name", "bin", "on_hand",
            "reserved", "available", "on_order", "average_cost", "value", "reorder_point", "max_quantity",
            "last_movement_at",
        ]  # fmt: skip
        read_only_fields = fields


class StockMovementSerializer(serializers.ModelSerializer):
    by = serializers.StringRelatedField()

    class Meta:
        model = StockMovement
        fields = [
            "id", "item", "kind", "quantity", "unit_cost", "on_hand_after", "repair_order_line", "reason", "at", "by",
        ]  # fmt: skip
        read_only_fields = fields
