"""Serializers of the customer-care API."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers

from care.choices import CallDirection, CallOutcome, CallPurpose, ReminderStatus, Satisfaction
from care.models import CallRecord, Campaign, CampaignTarget, Letter, Reminder
from complaints.choices import Category, Severity
from core.api import ScopedPrimaryKeyField
from customers.models import Customer
from organization.models import Dealer
from todo.models import Task


class CallRecordSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    called_by_name = serializers.CharField(source="called_by.get_full_name", read_only=True)

    class Meta:
        model = CallRecord
        fields = [
            "id", "dealer", "customer", "customer_name", "vehicle", "repair_order", "task", "reminder",
            "campaign_target", "direction", "purpose", "called_at", "called_by", "called_by_name", "outcome",
            "satisfaction", "problem_solved", "summary", "customer_request", "complaint_text", "next_action",
            "next_contact_on", "complaint", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class ComplaintRequestSerializer(serializers.Serializer):
    """Register the complaint raised on the call (text in ``complaint_text``)."""

    category = serializers.ChoiceField(Category.choices)
    severity = serializers.ChoiceField(Severity.choices)


class CallCreateSerializer(serializers.Serializer):
    """A call about a follow-up task, a reminder or a campaign target — or a free-standing one with a customer."""

    task = ScopedPrimaryKeyField(Task, required=False, allow_null=True)
    reminder = ScopedPrimaryKeyField(Reminder, required=False, allow_null=True)
    target = ScopedPrimaryKeyField(CampaignTarget, required=False, allow_null=True)
    customer = ScopedPrimaryKeyField(Customer, required=False, allow_null=True)
    direction = serializers.ChoiceField(CallDirection.choices, default=CallDirection.OUTBOUND)
    purpose = serializers.ChoiceField(CallPurpose.choices, required=False)
    outcome = serializers.ChoiceField(CallOutcome.choices)
    called_at = serializers.DateTimeField(required=False, allow_null=True)
    satisfaction = serializers.ChoiceField(Satisfaction.choices, required=False, allow_null=True)
    problem_solved = serializers.BooleanField(required=False, allow_null=True, default=None)
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    customer_request = serializers.CharField(required=False, allow_blank=True, default="")
    complaint_text = serializers.CharField(required=False, allow_blank=True, default="")
    next_action = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    next_contact_on = serializers.DateField(required=False, allow_null=True)
    complaint = ComplaintRequestSerializer(required=False, allow_null=True)

    def validate(self, data):
        if not any(data.get(k) for k in ("task", "reminder", "target", "customer")):
            raise serializers.ValidationError({"customer": [_("Give the task, reminder, target or customer.")]})
        return data


class FollowUpSerializer(serializers.ModelSerializer):
    attempts = serializers.IntegerField(read_only=True)
    last_call_at = serializers.DateTimeField(read_only=True)
    repair_order_number = serializers.CharField(source="repair_order.number", read_only=True, default=None)

    class Meta:
        model = Task
        fields = [
            "id", "dealer", "kind", "title", "due_at", "due_by", "status", "customer", "vehicle", "repair_order",
            "repair_order_number", "attempts", "last_call_at", "done_at", "outcome",
        ]  # fmt: skip
        read_only_fields = fields


class LetterSerializer(serializers.ModelSerializer):
    customer = ScopedPrimaryKeyField(Customer)

    class Meta:
        model = Letter
        fields = ["id", "dealer", "number", "customer", "kind", "medium", "subject", "body", "sent_on", "sent_by",
                  "repair_order", "campaign", "created_at"]  # fmt: skip
        read_only_fields = ["id", "dealer", "number", "sent_by", "repair_order", "campaign", "created_at"]


class ReminderSerializer(serializers.ModelSerializer):
    class Meta:
        model = Reminder
        fields = ["id", "dealer", "customer", "vehicle", "kind", "due_on", "remind_on", "basis", "status",
                  "contacted_at", "outcome", "appointment", "version"]  # fmt: skip
        read_only_fields = fields


class ReminderCloseSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    status = serializers.ChoiceField([ReminderStatus.BOOKED, ReminderStatus.DISMISSED])
    outcome = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    appointment = serializers.IntegerField(required=False, allow_null=True)


class CampaignTargetSerializer(serializers.ModelSerializer):
    booked = serializers.BooleanField(read_only=True)
    came = serializers.BooleanField(read_only=True)

    class Meta:
        model = CampaignTarget
        fields = ["id", "customer", "vehicle", "status", "contacted_at", "booked", "came"]
        read_only_fields = fields


class CampaignSerializer(serializers.ModelSerializer):
    dealer = ScopedPrimaryKeyField(
        Dealer, error_messages={"does_not_exist": _("You cannot create campaigns for this dealer.")}
    )

    class Meta:
        model = Campaign
        fields = ["id", "dealer", "name", "kind", "description", "starts_on", "ends_on", "status", "criteria",
                  "created_by", "created_at", "version"]  # fmt: skip
        read_only_fields = ["id", "status", "criteria", "created_by", "created_at", "version"]

    def validate(self, data):
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            raise serializers.ValidationError({"ends_on": [_("The campaign ends after it starts.")]})
        return data


class LapsedCustomerSerializer(serializers.ModelSerializer):
    last_visit = serializers.DateTimeField(read_only=True)
    visits = serializers.IntegerField(read_only=True)
    spend = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    lapse_reason = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = Customer
        fields = ["id", "dealer", "name", "mobile", "last_visit", "visits", "spend", "lapse_reason"]
        read_only_fields = fields
