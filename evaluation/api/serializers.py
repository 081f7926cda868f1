"""API representations of indicator systems (read-only) and audits; writes go through evaluation services."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import ScopedPrimaryKeyField
from evaluation.choices import AdjustmentKind, AuditKind
from evaluation.models import (
    Audit,
    AuditAdjustment,
    AuditEvidence,
    AuditItemScore,
    AuditTemplate,
    Dimension,
    Indicator,
    IndicatorSystem,
    PairwiseMatrix,
    SystemVersion,
)
from organization.models import Dealer

VERSION_HELP = "The version you read (optimistic lock; 409 if someone saved since)."


class IndicatorSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text="The name in the language of the request.")
    unit_label = serializers.CharField(read_only=True, help_text="The unit in the language of the request.")
    formula = serializers.CharField(read_only=True, help_text="How it is computed, in the language of the request.")

    class Meta:
        model = Indicator
        fields = ["id", "code", "name", "name_zh", "name_en", "direction", "target", "floor", "unit", "unit_label",
                  "formula", "formula_zh", "formula_en", "position"]  # fmt: skip
        read_only_fields = fields


class DimensionSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text="The name in the language of the request.")
    indicators = IndicatorSerializer(many=True, read_only=True)

    class Meta:
        model = Dimension
        fields = ["id", "code", "name", "name_zh", "name_en", "source", "position", "indicators"]
        read_only_fields = fields


class PairwiseMatrixSerializer(serializers.ModelSerializer):
    dimension = serializers.SlugRelatedField(
        slug_field="code",
        read_only=True,
        allow_null=True,
        help_text="Dimension code; null for the matrix of the dimensions.",
    )
    elements = serializers.ListField(child=serializers.CharField(), read_only=True)
    matrix = serializers.ListField(child=serializers.ListField(child=serializers.FloatField()), read_only=True)
    weights = serializers.ListField(child=serializers.FloatField(), read_only=True)

    class Meta:
        model = PairwiseMatrix
        fields = ["id", "dimension", "elements", "matrix", "method", "weights", "lambda_max", "ci", "cr"]
        read_only_fields = fields


class SystemVersionSerializer(serializers.ModelSerializer):
    dimensions = DimensionSerializer(many=True, read_only=True)
    matrices = PairwiseMatrixSerializer(many=True, read_only=True)

    class Meta:
        model = SystemVersion
        fields = [
            "id", "number", "status", "note", "ahp_method", "weighting_mode", "alpha", "grade_excellent_min",
            "grade_good_min", "grade_fair_min", "star_compliant_min", "star3_min", "star4_min", "star5_min",
            "fuzzy_excellent_score", "fuzzy_good_score", "fuzzy_fair_score", "fuzzy_poor_score", "grace_days",
            "entropy_window_months", "entropy_min_dealers", "min_sample", "rank_min_weight", "created_at",
            "published_at", "dimensions", "matrices", "alert_escalation_days",
        ]  # fmt: skip
        read_only_fields = fields


class SystemVersionSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = SystemVersion
        fields = ["id", "number", "status", "note", "created_at", "published_at"]
        read_only_fields = fields


class IndicatorSystemListSerializer(serializers.ModelSerializer):
    oem_code = serializers.CharField(source="oem.code", read_only=True, allow_null=True, default=None)
    versions = SystemVersionSummarySerializer(many=True, read_only=True)

    class Meta:
        model = IndicatorSystem
        fields = ["id", "name", "oem", "oem_code", "description", "versions"]
        read_only_fields = fields


class IndicatorSystemSerializer(IndicatorSystemListSerializer):
    versions = SystemVersionSerializer(many=True, read_only=True)


# --- audits ----------------------------------------------------------------------------------------------------------


class AuditItemScoreSerializer(serializers.ModelSerializer):
    item = serializers.IntegerField(source="item_id", read_only=True)
    code = serializers.CharField(source="item.code", read_only=True)
    text = serializers.CharField(source="item.text", read_only=True)
    points = serializers.DecimalField(source="item.points", max_digits=5, decimal_places=1, read_only=True)
    evidence_required = serializers.BooleanField(source="item.evidence_required", read_only=True)
    evidence = serializers.SerializerMethodField()

    class Meta:
        model = AuditItemScore
        fields = ["item", "code", "text", "points", "evidence_required", "score", "excluded", "exclusion_reason",
                  "note", "evidence"]  # fmt: skip
        read_only_fields = fields

    def get_evidence(self, obj) -> list[int]:
        return [e.pk for e in obj.evidence.all()]


class AuditAdjustmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditAdjustment
        fields = ["id", "kind", "reason", "created_at"]
        read_only_fields = fields


class AuditListSerializer(serializers.ModelSerializer):
    dealer_code = serializers.CharField(source="dealer.code", read_only=True)
    auditor = serializers.StringRelatedField()
    template_code = serializers.CharField(source="template.code", read_only=True)

    class Meta:
        model = Audit
        fields = ["id", "dealer", "dealer_code", "template", "template_code", "kind", "auditor", "audit_date",
                  "status", "earned", "possible", "score", "submitted_at", "confirmed_at", "version"]  # fmt: skip
        read_only_fields = fields


class AuditSerializer(AuditListSerializer):
    items = AuditItemScoreSerializer(source="item_scores", many=True, read_only=True)
    adjustments = AuditAdjustmentSerializer(many=True, read_only=True)
    live_score = serializers.SerializerMethodField(help_text="The score as scored so far (fixed at submit).")

    class Meta(AuditListSerializer.Meta):
        fields = [*AuditListSerializer.Meta.fields, "summary", "live_score", "items", "adjustments"]
        read_only_fields = fields

    @extend_schema_field(serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True))
    def get_live_score(self, obj):
        from evaluation.services.audits import score_of

        score = score_of(obj).score
        return None if score is None else f"{score:.2f}"


class AuditCreateSerializer(serializers.Serializer):
    # Audits are made of the dealers one reads (a region audits its dealers).
    dealer = ScopedPrimaryKeyField(Dealer, write=False, error_messages={"does_not_exist": "Unknown dealer."})
    template = serializers.PrimaryKeyRelatedField(queryset=AuditTemplate.objects.filter(is_active=True))
    kind = serializers.ChoiceField(choices=AuditKind.choices)
    audit_date = serializers.DateField()
    summary = serializers.CharField(required=False, allow_blank=True, default="")


class ItemScoreInputSerializer(serializers.Serializer):
    item = serializers.IntegerField(help_text="Checklist item id.")
    score = serializers.DecimalField(max_digits=5, decimal_places=1, min_value=Decimal("0"), required=False,
                                     allow_null=True, default=None)  # fmt: skip
    excluded = serializers.BooleanField(required=False, default=False)
    exclusion_reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class AuditScoreInputSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text=VERSION_HELP)
    items = ItemScoreInputSerializer(many=True, allow_empty=False)


class AuditVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text=VERSION_HELP)


class AdjustmentInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AdjustmentKind.choices)
    reason = serializers.CharField(max_length=300)


class EvidenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvidence
        fields = ["id", "item_score", "original_name", "extension", "size", "caption", "uploaded_at"]
        read_only_fields = fields
