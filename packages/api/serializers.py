"""Serializers of the service packages API."""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import ScopedPrimaryKeyField
from organization.models import Brand, Dealer
from packages import selectors
from packages.choices import PackagePricing
from packages.models import PackageApplication, ServicePackage, ServicePackageItem
from parts.models import Part
from repairs.choices import JobType, LineKind
from repairs.models import LabourOperation, RepairOrder

MONEY = {"max_digits": 12, "decimal_places": 2, "read_only": True}


class PricedLineSerializer(serializers.Serializer):
    item = serializers.IntegerField(source="item_id", read_only=True)
    kind = serializers.CharField(read_only=True)
    code = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    quantity = serializers.DecimalField(max_digits=8, decimal_places=2, read_only=True)
    list_price = serializers.DecimalField(**MONEY, help_text="Unit price at the dealer's current rates.")
    unit_price = serializers.DecimalField(**MONEY, help_text="What the package charges (scaled for a fixed price).")
    amount = serializers.DecimalField(**MONEY)


class PackagePriceSerializer(serializers.Serializer):
    list_net = serializers.DecimalField(**MONEY, help_text="The items at the dealer's rates, net of VAT.")
    discount = serializers.DecimalField(**MONEY, help_text="List price − package price (negative: a surcharge).")
    net = serializers.DecimalField(**MONEY)
    tax = serializers.DecimalField(**MONEY)
    total = serializers.DecimalField(**MONEY)
    missing = serializers.ListField(child=serializers.CharField(), read_only=True, help_text="Parts without a price.")
    lines = PricedLineSerializer(many=True, read_only=True)


class PackageItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServicePackageItem
        fields = ["id", "kind", "operation", "hours", "part", "quantity", "description", "amount", "position"]
        read_only_fields = fields


class ServicePackageSerializer(serializers.ModelSerializer):
    items = PackageItemSerializer(many=True, read_only=True)
    price = serializers.SerializerMethodField()

    class Meta:
        model = ServicePackage
        fields = [
            "id", "dealer", "code", "name", "brand", "series", "job_type", "first_due_km", "every_km",
            "first_due_months", "every_months", "pricing", "fixed_price", "description", "is_active", "version",
            "items", "price",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(PackagePriceSerializer)
    def get_price(self, package: ServicePackage) -> dict:
        prices = self.context.get("prices") or selectors.prices_of([package])
        return PackagePriceSerializer(prices[package.pk]).data


class ItemInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=LineKind.choices)
    operation = ScopedPrimaryKeyField(LabourOperation, required=False)  # another dealer's: "does not exist"
    hours = serializers.DecimalField(max_digits=6, decimal_places=2, min_value=Decimal("0.01"), required=False)
    part = serializers.PrimaryKeyRelatedField(queryset=Part.objects.all(), required=False)
    quantity = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=Decimal("0.01"), required=False)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0"), required=False)


class PackageInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=20)
    name = serializers.CharField(max_length=100)
    brand = serializers.PrimaryKeyRelatedField(queryset=Brand.objects.all())
    series = serializers.CharField(max_length=300, required=False, allow_blank=True)
    job_type = serializers.ChoiceField(choices=JobType.choices, required=False)
    first_due_km = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    every_km = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    first_due_months = serializers.IntegerField(min_value=1, max_value=240, required=False, allow_null=True)
    every_months = serializers.IntegerField(min_value=1, max_value=240, required=False, allow_null=True)
    pricing = serializers.ChoiceField(choices=PackagePricing.choices, required=False)
    fixed_price = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0.01"), required=False, allow_null=True
    )
    description = serializers.CharField(required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)
    items = ItemInputSerializer(many=True, required=False, help_text="Given: the package's items are replaced.")


class PackageCreateSerializer(PackageInputSerializer):
    dealer = ScopedPrimaryKeyField(Dealer)


class PackageUpdateSerializer(PackageInputSerializer):
    version = serializers.IntegerField(help_text="The version you read (optimistic lock; 409 if someone saved since).")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "version":
                field.required = False


class ApplySerializer(serializers.Serializer):
    repair_order = ScopedPrimaryKeyField(RepairOrder, select_related=("dealer", "vehicle"))


class PackageApplicationSerializer(serializers.ModelSerializer):
    lines = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = PackageApplication
        fields = ["id", "order", "package", "applied_at", "by", "odometer_km", "net_amount", "lines"]
        read_only_fields = fields
