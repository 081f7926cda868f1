"""API representations of repair orders; every write goes through repairs.services."""

from decimal import Decimal

from rest_framework import serializers

from core.api import ScopedPrimaryKeyField, SignatureSerializerField
from customers.models import Vehicle
from repairs.choices import (
    QC_CHECKLISTS,
    DecisionMethod,
    DocumentReceived,
    LineKind,
    PartSource,
    PauseReason,
    Payer,
    PaymentMethod,
)
from repairs.models import (
    AdditionalItem,
    ComebackDismissal,
    LabourOperation,
    QcFinding,
    QcInspection,
    RepairOrder,
    RepairOrderEvent,
    RepairOrderLine,
    Settlement,
)
from repairs.services import APPROVAL_FIELDS, CHECKIN_FIELDS, ESTIMATE_FIELDS, catalogue_parts, qc_checklist
from repairs.state import REPAIR_STATES, workshop_lines

VERSION_HELP = "The version you read (optimistic lock; 409 if someone saved since)."


class RepairOrderLineSerializer(serializers.ModelSerializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)

    class Meta:
        model = RepairOrderLine
        fields = [
            "id", "kind", "operation", "part", "code", "description", "quantity", "unit_price", "amount", "payer",
            "part_source", "position", "addition", "technician", "assigned_at", "work_status", "pause_reason",
            "started_at", "finished_at", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class RepairOrderEventSerializer(serializers.ModelSerializer):
    by = serializers.StringRelatedField()

    class Meta:
        model = RepairOrderEvent
        fields = ["action", "from_status", "to_status", "at", "by", "note"]
        read_only_fields = fields


class AdditionalItemSerializer(serializers.ModelSerializer):
    raised_by = serializers.StringRelatedField()

    class Meta:
        model = AdditionalItem
        fields = [
            "id", "description", "reason", "raised_by", "raised_at", "status", "contacted_at", "decision_at",
            "decision_method", "decided_by_customer", "new_promised_at", "approved_amount", "version",
        ]  # fmt: skip
        read_only_fields = fields


class QcFindingSerializer(serializers.ModelSerializer):
    class Meta:
        model = QcFinding
        fields = ["line", "check_code", "reason"]
        read_only_fields = fields


class QcInspectionSerializer(serializers.ModelSerializer):
    inspector = serializers.StringRelatedField()
    findings = QcFindingSerializer(many=True, read_only=True)

    class Meta:
        model = QcInspection
        fields = ["sequence", "inspector", "inspected_at", "passed", "checklist", "failure_reasons", "findings"]
        read_only_fields = fields


class SettlementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Settlement
        exclude = ["id", "order", "settled_by"]
        read_only_fields = [f.name for f in Settlement._meta.fields]


class RepairOrderSerializer(serializers.ModelSerializer):
    advisor = serializers.StringRelatedField()
    plate = serializers.CharField(source="vehicle.plate", read_only=True)
    lines = RepairOrderLineSerializer(many=True, read_only=True)
    additions = AdditionalItemSerializer(many=True, read_only=True)
    inspections = QcInspectionSerializer(many=True, read_only=True)
    settlement = SettlementSerializer(read_only=True, allow_null=True)
    events = RepairOrderEventSerializer(many=True, read_only=True)

    class Meta:
        model = RepairOrder
        exclude = ["diagnosed_by", "discount_approved_by", "approval_recorded_by"]
        read_only_fields = [f.name for f in RepairOrder._meta.fields]


class RepairOrderListSerializer(serializers.ModelSerializer):
    advisor = serializers.StringRelatedField()
    plate = serializers.CharField(source="vehicle.plate", read_only=True)

    class Meta:
        model = RepairOrder
        exclude = [*RepairOrderSerializer.Meta.exclude, "damage_notes", "belongings", "diagnosis"]
        read_only_fields = RepairOrderSerializer.Meta.read_only_fields


class RepairOrderOpenSerializer(serializers.Serializer):
    """Input of opening a repair order at reception."""

    vehicle = ScopedPrimaryKeyField(Vehicle)
    customer_complaint = serializers.CharField()
    job_type = serializers.ChoiceField(choices=RepairOrder._meta.get_field("job_type").choices)
    arrived_at = serializers.DateTimeField(required=False)


class CheckInSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(help_text=VERSION_HELP)
    belongings_signature = SignatureSerializerField(
        required=False, help_text="The customer's signature of the belongings list, a PNG data URL."
    )
    documents_received = serializers.ListField(
        child=serializers.ChoiceField(choices=DocumentReceived.choices), required=False
    )

    class Meta:
        model = RepairOrder
        fields = [*CHECKIN_FIELDS, "belongings_signature", "version"]
        extra_kwargs = {name: {"required": False} for name in CHECKIN_FIELDS}


class EstimateSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(help_text=VERSION_HELP)

    class Meta:
        model = RepairOrder
        fields = [*ESTIMATE_FIELDS, "version"]
        extra_kwargs = {name: {"required": False} for name in ESTIMATE_FIELDS}


class ApprovalSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(help_text=VERSION_HELP)
    approval_signature = SignatureSerializerField(
        required=False, help_text="Required with approval_method=signature: a PNG data URL."
    )

    class Meta:
        model = RepairOrder
        fields = [*APPROVAL_FIELDS, "approval_signature", "version"]
        extra_kwargs = {name: {"required": True, "allow_blank": False} for name in APPROVAL_FIELDS}


def _catalogue_part_field() -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(
        queryset=catalogue_parts(),
        required=False,
        allow_null=True,
        help_text="Id of an active catalogue part (parts API). Without it, a part line whose code is a catalogue "
        "number (any spelling, or an old superseded number) is that part: its current number, name and the dealer's "
        "price are filled in.",
    )


class LineInputSerializer(serializers.ModelSerializer):
    """Input of a new estimate line; labour and parts from the catalogues are priced by the service."""

    operation = serializers.PrimaryKeyRelatedField(queryset=LabourOperation.objects.none(), required=False)
    part = _catalogue_part_field()
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, min_value=0)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)

    class Meta:
        model = RepairOrderLine
        fields = ["kind", "operation", "part", "code", "description", "quantity", "unit_price", "payer", "part_source"]

    def __init__(self, *args, order=None, **kwargs):
        super().__init__(*args, **kwargs)
        if order is not None:
            self.fields["operation"].queryset = LabourOperation.objects.filter(dealer_id=order.dealer_id)


class TransitionSerializer(serializers.Serializer):
    """Input of a state-machine move."""

    action = serializers.ChoiceField(choices=sorted(REPAIR_STATES.transitions))
    version = serializers.IntegerField(help_text=VERSION_HELP)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class AssignSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    technician = serializers.IntegerField()


class ClockSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    step = serializers.ChoiceField(choices=["on", "pause", "done"])
    pause_reason = serializers.ChoiceField(choices=PauseReason.choices, required=False, allow_blank=True, default="")


class AdditionLineSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=LineKind.choices)
    part = _catalogue_part_field()
    code = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    description = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", help_text="Filled in for a catalogue part."
    )
    quantity = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=Decimal("0.01"))
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0"), required=False)
    payer = serializers.ChoiceField(choices=Payer.choices, default=Payer.CUSTOMER)
    part_source = serializers.ChoiceField(choices=PartSource.choices, default=PartSource.OEM)


class AdditionRaiseSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=200)
    reason = serializers.CharField()
    lines = AdditionLineSerializer(many=True, allow_empty=False)


class AdditionDecisionSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text=VERSION_HELP)
    approved = serializers.BooleanField()
    decision_method = serializers.ChoiceField(choices=DecisionMethod.choices)
    decided_by_customer = serializers.CharField(max_length=50)
    decision_at = serializers.DateTimeField(required=False)
    new_promised_at = serializers.DateTimeField(required=False)


class QcFailedLineSerializer(serializers.Serializer):
    """A job sent back for rework: one of the order's labour lines, the checklist item it fails, and why."""

    line = serializers.PrimaryKeyRelatedField(queryset=RepairOrderLine.objects.none(), help_text="A job of this order.")
    # Every job type's checklist codes (the schema's enum); an order takes only its own job type's (__init__).
    check_code = serializers.ChoiceField(
        choices=sorted({code for items in QC_CHECKLISTS.values() for code, _label in items}),
        required=False,
        allow_blank=True,
        default="",
    )
    reason = serializers.CharField(max_length=QcFinding._meta.get_field("reason").max_length)

    def __init__(self, *args, order=None, **kwargs):
        super().__init__(*args, **kwargs)
        if order is not None:
            self.fields["line"].queryset = workshop_lines(order)
            self.fields["check_code"].choices = [code for code, _label in qc_checklist(order)]


class QcRecordSerializer(serializers.Serializer):
    """Input of a QC inspection: the checklist, and on a failure the jobs to redo (only those are reopened)."""

    version = serializers.IntegerField(help_text=VERSION_HELP)
    results = serializers.DictField(child=serializers.BooleanField(), help_text="Checklist item code → OK?")
    failed_lines = QcFailedLineSerializer(
        many=True, required=False, default=list, help_text="Required when an item fails: the jobs to redo."
    )
    failure_reasons = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=500, help_text="A general remark (optional)."
    )

    def __init__(self, *args, order=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["failed_lines"] = QcFailedLineSerializer(
            many=True, required=False, default=list, order=order, help_text=self.fields["failed_lines"].help_text
        )


class DeliverySerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text=VERSION_HELP)
    payment_method = serializers.ChoiceField(choices=PaymentMethod.choices)
    work_explained = serializers.BooleanField()
    next_service_due_date = serializers.DateField(required=False)
    next_service_due_km = serializers.IntegerField(required=False, min_value=0)


class ComebackSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text=VERSION_HELP)
    earlier = serializers.IntegerField(allow_null=True, help_text="Id of the earlier order, or null to clear.")


class ComebackCandidateSerializer(serializers.ModelSerializer):
    """A recent delivery of the vehicle that this order is a revisit of (repairs.comebacks)."""

    days_ago = serializers.IntegerField(source="days_after_delivery", help_text="Local days from its delivery.")
    same_fault = serializers.BooleanField(help_text="Same fault category, or a line of it (detected).")
    linked = serializers.BooleanField(help_text="The desk linked this order as its comeback.")
    dismissed = serializers.BooleanField(help_text="Marked not a comeback.")
    counts = serializers.BooleanField(help_text="Counts as a comeback of it (KPI B1).")
    dismissal_reason = serializers.CharField(allow_null=True)

    class Meta:
        model = RepairOrder
        fields = [
            "id", "number", "delivered_at", "fault_category", "days_ago", "same_fault", "linked", "dismissed",
            "counts", "dismissal_reason",
        ]  # fmt: skip
        read_only_fields = fields


class RevisitSerializer(serializers.ModelSerializer):
    """A later visit that came back about this order (linked, or same fault; dismissed ones too)."""

    days_after_delivery = serializers.IntegerField()
    same_fault = serializers.BooleanField()
    linked = serializers.BooleanField()
    dismissed = serializers.BooleanField()
    counts = serializers.BooleanField()
    dismissal_id = serializers.IntegerField(allow_null=True)
    dismissal_reason = serializers.CharField(allow_null=True)

    class Meta:
        model = RepairOrder
        fields = [
            "id", "number", "arrived_at", "fault_category", "days_after_delivery", "same_fault", "linked",
            "dismissed", "counts", "dismissal_id", "dismissal_reason",
        ]  # fmt: skip
        read_only_fields = fields


class ComebackDismissSerializer(serializers.Serializer):
    earlier = serializers.IntegerField(help_text="Id of the earlier order this one is not a comeback of.")
    reason = serializers.CharField(max_length=500, help_text="Why it is not a comeback.")


class ComebackDismissalSerializer(serializers.ModelSerializer):
    dismissed_by = serializers.StringRelatedField()
    revoked_by = serializers.StringRelatedField()

    class Meta:
        model = ComebackDismissal
        fields = ["id", "original", "revisit", "reason", "dismissed_by", "dismissed_at", "revoked_by", "revoked_at"]
        read_only_fields = fields
