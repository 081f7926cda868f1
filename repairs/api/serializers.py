"""API representations of repair orders; every write goes through repairs.services."""

from rest_framework import serializers

from customers.models import Vehicle
from repairs.choices import DocumentReceived
from repairs.models import LabourOperation, RepairOrder, RepairOrderEvent, RepairOrderLine
from repairs.services import APPROVAL_FIELDS, CHECKIN_FIELDS, ESTIMATE_FIELDS
from repairs.state import TRANSITIONS

VERSION_HELP = "The version you read (optimistic lock; 409 if someone saved since)."


class RepairOrderLineSerializer(serializers.ModelSerializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)

    class Meta:
        model = RepairOrderLine
        fields = [
            "id", "kind", "operation", "code", "description", "quantity", "unit_price", "amount", "payer",
            "part_source", "position", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class RepairOrderEventSerializer(serializers.ModelSerializer):
    by = serializers.StringRelatedField()

    class Meta:
        model = RepairOrderEvent
        fields = ["action", "from_status", "to_status", "at", "by", "note"]
        read_only_fields = fields


class RepairOrderSerializer(serializers.ModelSerializer):
    advisor = serializers.StringRelatedField()
    plate = serializers.CharField(source="vehicle.plate", read_only=True)
    lines = RepairOrderLineSerializer(many=True, read_only=True)
    events = RepairOrderEventSerializer(many=True, read_only=True)

    class Meta:
        model = RepairOrder
        exclude = ["diagnosed_by", "discount_approved_by", "approval_recorded_by"]
        read_only_fields = [f.name for f in RepairOrder._meta.fields]


class RepairOrderListSerializer(RepairOrderSerializer):
    class Meta(RepairOrderSerializer.Meta):
        exclude = [*RepairOrderSerializer.Meta.exclude, "damage_notes", "belongings", "diagnosis"]


class RepairOrderOpenSerializer(serializers.Serializer):
    """Input of opening a repair order at reception."""

    vehicle = serializers.PrimaryKeyRelatedField(queryset=Vehicle.objects.none())
    customer_complaint = serializers.CharField()
    job_type = serializers.ChoiceField(choices=RepairOrder._meta.get_field("job_type").choices)
    arrived_at = serializers.DateTimeField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["vehicle"].queryset = Vehicle.objects.for_user(request.user, write=True)


class CheckInSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(help_text=VERSION_HELP)
    documents_received = serializers.ListField(
        child=serializers.ChoiceField(choices=DocumentReceived.choices), required=False
    )

    class Meta:
        model = RepairOrder
        fields = [*CHECKIN_FIELDS, "version"]
        extra_kwargs = {name: {"required": False} for name in CHECKIN_FIELDS}


class EstimateSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(help_text=VERSION_HELP)

    class Meta:
        model = RepairOrder
        fields = [*ESTIMATE_FIELDS, "version"]
        extra_kwargs = {name: {"required": False} for name in ESTIMATE_FIELDS}


class ApprovalSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(help_text=VERSION_HELP)

    class Meta:
        model = RepairOrder
        fields = [*APPROVAL_FIELDS, "version"]
        extra_kwargs = {name: {"required": True, "allow_blank": False} for name in APPROVAL_FIELDS}


class LineInputSerializer(serializers.ModelSerializer):
    """Input of a new estimate line; labour from the catalogue is priced by the service."""

    operation = serializers.PrimaryKeyRelatedField(queryset=LabourOperation.objects.none(), required=False)
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, min_value=0)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)

    class Meta:
        model = RepairOrderLine
        fields = ["kind", "operation", "code", "description", "quantity", "unit_price", "payer", "part_source"]

    def __init__(self, *args, order=None, **kwargs):
        super().__init__(*args, **kwargs)
        if order is not None:
            self.fields["operation"].queryset = LabourOperation.objects.filter(dealer_id=order.dealer_id)


class TransitionSerializer(serializers.Serializer):
    """Input of a state-machine move."""

    action = serializers.ChoiceField(choices=sorted(TRANSITIONS))
    version = serializers.IntegerField(help_text=VERSION_HELP)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
