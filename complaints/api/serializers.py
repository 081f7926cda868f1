"""API representations of complaints and crisis alerts; every write goes through complaints.services."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import User
from complaints.choices import AgreementMethod, Category, Channel, ContactChannel, Severity
from complaints.models import Complaint, ComplaintContact, ComplaintEvent, CrisisAlert
from complaints.services import LETTER_UPLOAD
from core.api import ScopedPrimaryKeyField
from customers.models import Customer, Vehicle
from organization.models import Dealer
from repairs.choices import FaultCategory
from repairs.models import RepairOrder

VERSION_HELP = "The version you read (optimistic lock; 409 if someone saved since)."
FAULTS = [c for c in FaultCategory.values if c != FaultCategory.NONE]


class ComplaintContactSerializer(serializers.ModelSerializer):
    by = serializers.StringRelatedField()
    letter = serializers.SerializerMethodField(help_text="Download URL of the reply letter (dealer-scoped), or null.")

    class Meta:
        model = ComplaintContact
        fields = ["id", "contacted_at", "channel", "by", "summary", "is_first_contact", "is_feedback", "letter"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_letter(self, contact: ComplaintContact) -> str | None:
        if not contact.letter:
            return None
        url = reverse("complaints:contact_letter", args=[contact.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class ComplaintEventSerializer(serializers.ModelSerializer):
    by = serializers.StringRelatedField()

    class Meta:
        model = ComplaintEvent
        fields = ["id", "action", "from_status", "to_status", "escalation_level", "at", "by", "note"]
        read_only_fields = fields


class ComplaintSerializer(serializers.ModelSerializer):
    dealer_code = serializers.CharField(source="dealer.code", read_only=True)
    plate = serializers.CharField(source="vehicle.plate", read_only=True, default=None)
    received_by = serializers.StringRelatedField()
    owner_name = serializers.StringRelatedField(source="owner")
    contacts = ComplaintContactSerializer(many=True, read_only=True)
    events = ComplaintEventSerializer(many=True, read_only=True)

    class Meta:
        model = Complaint
        fields = [
            "id", "number", "dealer", "dealer_code", "channel", "category", "severity", "status", "description",
            "contact_name", "contact_phone", "customer", "vehicle", "plate", "repair_order", "staff",
            "fault_category", "received_at", "received_by", "owner", "owner_name", "sla_started_at",
            "first_contact_due_at", "feedback_due_at", "resolution_due_at", "first_contact_at", "feedback_at",
            "resolved_at", "root_cause", "corrective_action", "customer_agreed", "agreement_method",
            "agreement_note", "escalation_level", "escalated_at", "region_escalation_due_at", "region_escalated_at",
            "reopen_count", "contacts", "events", "version",
        ]  # fmt: skip
        read_only_fields = fields


class ComplaintListSerializer(ComplaintSerializer):
    class Meta(ComplaintSerializer.Meta):
        fields = [f for f in ComplaintSerializer.Meta.fields if f not in ("contacts", "events")]
        read_only_fields = fields


def _colleagues(user: User):
    """The people working for one of the user's writable dealers (others are "does not exist", like a bad id)."""
    from core.tenancy import dealer_ids_for

    users = User.objects.filter(is_active=True)
    ids = dealer_ids_for(user, write=True)
    if ids is not None:
        users = users.filter(dealer_memberships__dealer_id__in=sorted(ids)).distinct()
    return users


class ComplaintCreateSerializer(serializers.Serializer):
    """Input of a new complaint; links must be of the same dealer (checked by the service)."""

    dealer = ScopedPrimaryKeyField(Dealer)
    channel = serializers.ChoiceField(choices=Channel.choices)
    category = serializers.ChoiceField(choices=Category.choices)
    severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.MEDIUM)
    description = serializers.CharField()
    contact_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    contact_phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    customer = ScopedPrimaryKeyField(Customer, required=False, allow_null=True, default=None)
    vehicle = ScopedPrimaryKeyField(Vehicle, required=False, allow_null=True, default=None)
    repair_order = ScopedPrimaryKeyField(RepairOrder, required=False, allow_null=True, default=None)
    staff = ScopedPrimaryKeyField(User, scope=_colleagues, required=False, allow_null=True, default=None)
    owner = ScopedPrimaryKeyField(User, scope=_colleagues, required=False, allow_null=True, default=None)
    fault_category = serializers.ChoiceField(choices=FAULTS, required=False, allow_blank=True, default="")
    received_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text=VERSION_HELP)


class ContactInputSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=ContactChannel.choices)
    summary = serializers.CharField()
    contacted_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    is_feedback = serializers.BooleanField(required=False, default=False)
    letter = serializers.FileField(
        required=False, allow_null=True, default=None, validators=[LETTER_UPLOAD],
        help_text="A PDF or a JPEG/PNG/WebP photo of the reply letter, at most 10 MB (type read from the content).",
    )  # fmt: skip
    version = serializers.IntegerField(required=False, allow_null=True, default=None, help_text=VERSION_HELP)


class ResolveSerializer(VersionSerializer):
    root_cause = serializers.CharField(allow_blank=True)
    corrective_action = serializers.CharField(allow_blank=True)
    customer_agreed = serializers.BooleanField()
    agreement_method = serializers.ChoiceField(
        choices=AgreementMethod.choices, required=False, allow_blank=True, default=""
    )
    agreement_note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    resolved_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class ReopenSerializer(VersionSerializer):
    reason = serializers.CharField(max_length=400, allow_blank=True)


class ReassignSerializer(VersionSerializer):
    owner = ScopedPrimaryKeyField(User, scope=_colleagues)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class CrisisAlertSerializer(serializers.ModelSerializer):
    dealer_code = serializers.CharField(source="dealer.code", read_only=True)
    acknowledged_by = serializers.StringRelatedField()
    complaints = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = CrisisAlert
        fields = [
            "id", "dealer", "dealer_code", "level", "reason", "summary", "cluster_key", "complaints", "raised_at",
            "acknowledged_at", "acknowledged_by", "acknowledgement_note",
        ]  # fmt: skip
        read_only_fields = fields


class AcknowledgeSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, allow_blank=True)
