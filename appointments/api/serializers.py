"""API representations of appointments; every write goes through appointments.services."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import User
from appointments.choices import AppointmentChannel, SlotLength
from appointments.models import Appointment
from appointments.selectors import advisors_of
from core.api import ScopedPrimaryKeyField
from customers.models import Customer, Vehicle
from repairs.choices import JobType


class AppointmentSerializer(serializers.ModelSerializer):
    """An appointment as read; change it through the actions (confirm, reschedule, cancel, no-show, arrive)."""

    vehicle_plate = serializers.CharField(source="vehicle.plate", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)

    class Meta:
        model = Appointment
        fields = [
            "id", "dealer", "customer", "customer_name", "vehicle", "vehicle_plate", "channel", "slot_start",
            "slot_minutes", "slot_end", "job_type", "customer_request", "advisor", "status", "confirmed_at",
            "confirmed_by", "arrived_at", "arrival_recorded_by", "no_show_at", "no_show_by", "cancelled_at",
            "cancelled_by", "cancel_reason", "reschedule_count", "reminder_task", "repair_order", "version",
            "created_at", "created_by",
        ]  # fmt: skip
        read_only_fields = fields


class AppointmentBookSerializer(serializers.Serializer):
    """Input of booking: the vehicle (its owner is the customer unless given), the slot and the request."""

    vehicle = ScopedPrimaryKeyField(Vehicle, select_related=("dealer", "owner"))
    customer = ScopedPrimaryKeyField(Customer, required=False, help_text="Defaults to the vehicle's owner.")
    channel = serializers.ChoiceField(choices=AppointmentChannel.choices, default=AppointmentChannel.PHONE)
    slot_start = serializers.DateTimeField(help_text="On the hour or half hour, within the dealer's business hours.")
    slot_minutes = serializers.ChoiceField(choices=SlotLength.choices, default=SlotLength.ONE_HOUR)
    job_type = serializers.ChoiceField(choices=JobType.choices, default=JobType.MAINTENANCE)
    customer_request = serializers.CharField(max_length=2000)
    advisor = ScopedPrimaryKeyField(
        User, scope=lambda user: advisors_of(user=user, write=True), required=False, allow_null=True
    )


class VersionSerializer(serializers.Serializer):
    """Input of confirm and no-show: the version you read (409 if someone changed it since)."""

    version = serializers.IntegerField()


class RescheduleSerializer(VersionSerializer):
    slot_start = serializers.DateTimeField()
    slot_minutes = serializers.ChoiceField(choices=SlotLength.choices, required=False)
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class CancelSerializer(VersionSerializer):
    reason = serializers.CharField(
        max_length=200,
        error_messages={
            "required": _("Give the reason for the cancellation."),
            "blank": _("Give the reason for the cancellation."),
        },
    )


class ArriveSerializer(VersionSerializer):
    arrived_at = serializers.DateTimeField(required=False, allow_null=True, help_text="Defaults to now.")
