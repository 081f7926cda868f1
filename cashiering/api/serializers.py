"""API representations of the cash desk; every write goes through cashiering.services."""

from decimal import Decimal

from rest_framework import serializers

from cashiering.choices import InvoiceType, Payer, PaymentKind, PaymentMethod
from cashiering.models import Invoice, Payment
from core.api import ScopedPrimaryKeyField
from repairs.models import RepairOrder

AMOUNT = {"max_digits": 12, "decimal_places": 2, "min_value": Decimal("0.01")}


class PaymentSerializer(serializers.ModelSerializer):
    order_number = serializers.CharField(source="order.number", read_only=True)
    received_by = serializers.StringRelatedField()
    voided_by = serializers.StringRelatedField()

    class Meta:
        model = Payment
        fields = [
            "id", "dealer", "order", "order_number", "receipt_number", "payer", "kind", "method", "amount", "tendered",
            "change_given", "reference", "note", "received_at", "received_by", "voided_at", "voided_by",
            "void_reason",
        ]  # fmt: skip
        read_only_fields = fields


class PaymentCreateSerializer(serializers.Serializer):
    """Take a payment or deposit, or pay a refund; cash may give the amount tendered (the change is computed)."""

    order = ScopedPrimaryKeyField(RepairOrder, select_related=("dealer",))
    payer = serializers.ChoiceField(choices=Payer.choices, default=Payer.CUSTOMER)
    kind = serializers.ChoiceField(choices=PaymentKind.choices, default=PaymentKind.PAYMENT)
    method = serializers.ChoiceField(choices=PaymentMethod.choices)
    amount = serializers.DecimalField(**AMOUNT)
    tendered = serializers.DecimalField(**AMOUNT, required=False, allow_null=True)
    reference = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class InvoiceSerializer(serializers.ModelSerializer):
    order_number = serializers.CharField(source="order.number", read_only=True)
    issued_by = serializers.StringRelatedField()
    voided_by = serializers.StringRelatedField()

    class Meta:
        model = Invoice
        fields = [
            "id", "dealer", "order", "order_number", "payer", "invoice_type", "code", "number", "amount",
            "buyer_name", "buyer_tax_id", "issued_at", "issued_by", "voided_at", "voided_by", "void_reason",
        ]  # fmt: skip
        read_only_fields = fields


class InvoiceCreateSerializer(serializers.Serializer):
    """Record a 发票 issued from the tax system for a payer's part of an order."""

    order = ScopedPrimaryKeyField(RepairOrder, select_related=("dealer",))
    payer = serializers.ChoiceField(choices=Payer.choices, default=Payer.CUSTOMER)
    invoice_type = serializers.ChoiceField(choices=InvoiceType.choices)
    code = serializers.CharField(max_length=12, required=False, allow_blank=True, default="")
    number = serializers.CharField(max_length=20)
    amount = serializers.DecimalField(**AMOUNT)
    buyer_name = serializers.CharField(max_length=100)
    buyer_tax_id = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
