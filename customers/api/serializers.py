"""API representations of customers and vehicles; writes go through the services."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api import ScopedPrimaryKeyField
from customers import validators
from customers.models import Customer, Vehicle
from customers.selectors import find_duplicate_vehicle
from customers.services import CUSTOMER_FIELDS, VEHICLE_FIELDS
from customers.validators import normalize_mobile, normalize_plate, normalize_vin
from organization.models import Dealer


class CustomerSerializer(serializers.ModelSerializer):
    dealer = ScopedPrimaryKeyField(Dealer)
    version = serializers.IntegerField(
        required=False, help_text="Required on update: the version you read (optimistic lock; 409 if stale)."
    )
    tags = serializers.CharField(required=False, allow_blank=True, max_length=200)
    # Room for "+86 138-0013-8000": validate_mobile normalises, the validator checks the 11 digits.
    mobile = serializers.CharField(max_length=20, validators=[validators.validate_mobile])

    class Meta:
        model = Customer
        read_only_fields = ["consent_at", "archive_complete", "archive_completed_at", "created_at", "updated_at"]
        fields = ["id", "dealer", *CUSTOMER_FIELDS, "version", *read_only_fields]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            self.fields["dealer"].read_only = True

    def validate_mobile(self, value: str) -> str:
        return normalize_mobile(value)

    def validate(self, attrs):
        if self.instance is not None and "version" not in attrs and not isinstance(self.instance, list | tuple):
            raise serializers.ValidationError({"version": [_("The record version is required to save changes.")]})
        return attrs


class VehicleSerializer(serializers.ModelSerializer):
    owner = ScopedPrimaryKeyField(Customer)
    dealer = serializers.PrimaryKeyRelatedField(read_only=True)
    version = serializers.IntegerField(
        required=False, help_text="Required on update: the version you read (optimistic lock; 409 if stale)."
    )
    owner_since = serializers.DateField(write_only=True, required=False)
    # Room for pasted values with spaces/dots: validate_vin/validate_plate normalise before the stored length applies.
    vin = serializers.CharField(max_length=30, validators=[validators.validate_vin])
    plate = serializers.CharField(
        max_length=20, required=False, allow_blank=True, validators=[validators.validate_plate]
    )

    class Meta:
        model = Vehicle
        read_only_fields = ["vin_tail", "mileage_recorded_at", "created_at", "updated_at"]
        fields = ["id", "dealer", "owner", "owner_since", *VEHICLE_FIELDS, "version", *read_only_fields]
        validators = []  # uniqueness is checked in validate() with a message naming the existing vehicle

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            # The owner changes only through the change-owner action, which keeps the ownership history.
            self.fields["owner"].read_only = True

    def validate_vin(self, value: str) -> str:
        return normalize_vin(value)

    def validate_plate(self, value: str) -> str:
        return normalize_plate(value)

    def validate(self, attrs):
        editing = self.instance is not None and not isinstance(self.instance, list | tuple)
        if editing and "version" not in attrs:
            raise serializers.ValidationError({"version": [_("The record version is required to save changes.")]})
        dealer_id = self.instance.dealer_id if editing else attrs["owner"].dealer_id
        duplicates = find_duplicate_vehicle(
            dealer_id=dealer_id,
            vin=attrs.get("vin", ""),
            plate=attrs.get("plate", ""),
            exclude_pk=self.instance.pk if editing else None,
        )
        if duplicates:
            raise serializers.ValidationError(
                {
                    field: [
                        _("Already on file at this dealer: vehicle %(id)s (%(url)s).")
                        % {"id": existing.pk, "url": existing.get_absolute_url()}
                    ]
                    for field, existing in duplicates.items()
                }
            )
        return attrs


class ChangeOwnerSerializer(serializers.Serializer):
    """Input of the change-owner action."""

    new_owner = ScopedPrimaryKeyField(Customer)
    started_on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    version = serializers.IntegerField()
