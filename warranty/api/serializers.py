"""API representations of warranty claims; every write goes through warranty.services."""

from decimal import Decimal

from rest_framework import serializers

from core.api import ScopedPrimaryKeyField
from repairs.models import RepairOrder, RepairOrderLine
from warranty.choices import Coverage
from warranty.models import WarrantyClaim

VERSION_HELP = "The version you read (optimistic lock; 409 if someone saved since)."
AMOUNT = {"max_digits": 12, "decimal_places": 2, "min_value": Decimal("0.01")}


class ClaimLineSerializer(serializers.ModelSerializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)

    class Meta:
        model = RepairOrderLine
        fields = ["id", "kind", "code", "description", "quantity", "unit_price", "amount", "payer"]
        read_only_fields = fields


class WarrantyClaimSerializer(serializers.ModelSerializer):
    repair_order_number = serializers.CharField(source="repair_order.number", read_only=True)
    vin = serializers.CharField(source="vehicle.vin", read_only=True)
    lines = ClaimLineSerializer(many=True, read_only=True)
    created_by = serializers.StringRelatedField()
    submitted_by = serializers.StringRelatedField()
    decided_by = serializers.StringRelatedField()
    paid_by = serializers.StringRelatedField()

    class Meta:
        model = WarrantyClaim
        fields = [
            "id", "number", "dealer", "repair_order", "repair_order_number", "vehicle", "vin", "lines",
            "failure_code", "failure_description", "causal_part_number", "causal_part_name", "coverage",
            "goodwill_note", "labour_amount", "parts_amount", "sundry_amount", "total_amount", "repair_date",
            "mileage_at_repair", "in_warranty", "warranty_check", "status", "created_at", "created_by",
            "submitted_at", "submitted_by", "decided_at", "decided_by", "rejection_reason", "approved_amount",
            "paid_at", "paid_by", "paid_amount", "version",
        ]  # fmt: skip
        read_only_fields = fields


class WarrantyClaimListSerializer(WarrantyClaimSerializer):
    class Meta(WarrantyClaimSerializer.Meta):
        fields = [f for f in WarrantyClaimSerializer.Meta.fields if f not in ("lines", "failure_description")]
        read_only_fields = fields


class _ClaimFieldsSerializer(serializers.Serializer):
    failure_code = serializers.CharField(max_length=30)
    failure_description = serializers.CharField()
    causal_part_number = serializers.CharField(max_length=40)
    causal_part_name = serializers.CharField(max_length=100)
    coverage = serializers.ChoiceField(choices=Coverage.choices, default=Coverage.BASIC)
    goodwill_note = serializers.CharField(required=False, allow_blank=True, default="")


class ClaimCreateSerializer(_ClaimFieldsSerializer):
    """Input of a new draft claim: the order, which of its warranty lines, the failure and causal part."""

    repair_order = ScopedPrimaryKeyField(RepairOrder)
    lines = serializers.ListField(child=serializers.IntegerField(min_value=1), allow_empty=False)


class ClaimUpdateSerializer(_ClaimFieldsSerializer):
    """Input of a change to a draft claim (PATCH: only the fields sent)."""

    version = serializers.IntegerField(help_text=VERSION_HELP)


class ClaimVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text=VERSION_HELP)


class ClaimDecisionSerializer(ClaimVersionSerializer):
    approved = serializers.BooleanField()
    approved_amount = serializers.DecimalField(**AMOUNT, required=False)
    rejection_reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ClaimPaymentSerializer(ClaimVersionSerializer):
    paid_amount = serializers.DecimalField(**AMOUNT, required=False)
    paid_at = serializers.DateTimeField(required=False)
