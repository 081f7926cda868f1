"""API representations of surveys; the public survey's serializers show nothing but the questions."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from surveys.choices import CsiFactor, Dimension, InvitationStatus, NpsCategory, QuestionKind, ResponseChannel
from surveys.models import Question, Questionnaire, SurveyAnswer, SurveyInvitation, SurveyResponse


def _enum(choices, name: str):
    """A read-only choice shown as a string whose values are listed in the description.

    Not an OpenAPI enum: enums are named after the field (``kind``, ``channel``, ``status``), and
    other domains use the same names for other choice sets.
    """
    values = ", ".join(value for value, _label in choices)

    @extend_schema_field({"type": "string", "description": f"{name}: one of {values} (or empty)."})
    class EnumString(serializers.CharField):
        pass

    return EnumString


KindField = _enum(QuestionKind.choices, "Answer kind")
DimensionField = _enum(Dimension.choices, "Dimension")
FactorField = _enum(CsiFactor.choices, "CSI factor")
InvitationStatusField = _enum([*InvitationStatus.choices, ("expired", "")], "Invitation status")
NpsCategoryField = _enum(NpsCategory.choices, "NPS category")
ChannelField = _enum(ResponseChannel.choices, "Response channel")


class QuestionSerializer(serializers.ModelSerializer):
    kind = KindField(read_only=True)
    dimension = DimensionField(read_only=True)
    csi_factor = FactorField(read_only=True)
    options = serializers.JSONField(read_only=True)

    class Meta:
        model = Question
        fields = [
            "id", "position", "code", "section_zh", "section_en", "text_zh", "text_en", "kind", "options",
            "dimension", "csi_factor", "weight", "required",
        ]  # fmt: skip
        read_only_fields = fields


class QuestionnaireSerializer(serializers.ModelSerializer):
    questions = QuestionSerializer(many=True, read_only=True)
    factor_weights = serializers.DictField(child=serializers.FloatField(), read_only=True)

    class Meta:
        model = Questionnaire
        fields = [
            "id", "dealer", "code", "version", "name_zh", "name_en", "intro_zh", "intro_en", "factor_weights",
            "is_active", "previous", "published_at", "questions",
        ]  # fmt: skip
        read_only_fields = fields


class QuestionnaireListSerializer(QuestionnaireSerializer):
    class Meta(QuestionnaireSerializer.Meta):
        fields = [f for f in QuestionnaireSerializer.Meta.fields if f != "questions"]
        read_only_fields = fields


class SurveyAnswerSerializer(serializers.ModelSerializer):
    question_code = serializers.CharField(source="question.code", read_only=True)
    dimension = DimensionField(read_only=True)
    csi_factor = FactorField(read_only=True)
    value_choices = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = SurveyAnswer
        fields = [
            "question", "question_code", "value_number", "value_text", "value_choices", "score", "low", "dimension",
            "csi_factor",
        ]  # fmt: skip
        read_only_fields = fields


class SurveyResponseSerializer(serializers.ModelSerializer):
    repair_order_number = serializers.CharField(source="repair_order.number", read_only=True)
    advisor = serializers.IntegerField(source="repair_order.advisor_id", read_only=True)
    channel = ChannelField(read_only=True)
    nps_category = NpsCategoryField(read_only=True)
    factor_scores = serializers.DictField(child=serializers.FloatField(), read_only=True)
    dimension_scores = serializers.DictField(child=serializers.FloatField(), read_only=True)
    low_score_items = serializers.ListField(child=serializers.CharField(), read_only=True)
    answers = SurveyAnswerSerializer(many=True, read_only=True)

    class Meta:
        model = SurveyResponse
        fields = [
            "id", "dealer", "questionnaire", "invitation", "repair_order", "repair_order_number", "advisor",
            "customer", "vehicle", "channel", "taken_by", "language", "submitted_at", "csi_score", "nps_score",
            "nps_category", "factor_scores", "dimension_scores", "low_score", "low_score_items", "follow_up_task",
            "answers",
        ]  # fmt: skip
        read_only_fields = fields


class SurveyResponseListSerializer(SurveyResponseSerializer):
    class Meta(SurveyResponseSerializer.Meta):
        fields = [f for f in SurveyResponseSerializer.Meta.fields if f != "answers"]
        read_only_fields = fields


class SurveyInvitationSerializer(serializers.ModelSerializer):
    repair_order_number = serializers.CharField(source="repair_order.number", read_only=True)
    status = InvitationStatusField(source="display_status", read_only=True)

    class Meta:
        model = SurveyInvitation
        fields = [
            "id", "dealer", "repair_order", "repair_order_number", "customer", "questionnaire", "status",
            "created_at", "created_by", "expires_at", "answered_at", "replaces", "message",
        ]  # fmt: skip
        read_only_fields = fields


class IssuedInvitationSerializer(serializers.Serializer):
    """A new link: returned once, never stored in clear."""

    invitation = SurveyInvitationSerializer()
    link = serializers.CharField()


# --- the public survey ----------------------------------------------------------------------------------------


class PublicQuestionSerializer(serializers.Serializer):
    code = serializers.CharField()
    section = serializers.CharField()
    text = serializers.CharField()
    kind = KindField()
    required = serializers.BooleanField()
    options = serializers.ListField(child=serializers.DictField(child=serializers.CharField()))


class PublicSurveySerializer(serializers.Serializer):
    """What an anonymous holder of the link sees: the dealer's name, the visit date, the masked plate, the questions."""

    dealer_name = serializers.CharField()
    visit_date = serializers.DateField()
    plate = serializers.CharField(help_text="Masked, e.g. 粤A·***45.")
    expires_at = serializers.DateTimeField()
    title = serializers.CharField()
    intro = serializers.CharField()
    questions = PublicQuestionSerializer(many=True)


class PublicAnswersSerializer(serializers.Serializer):
    answers = serializers.DictField(
        help_text="Question code -> answer: an integer for ratings, an option value for single choice, a list of "
        "option values for multiple choice, text for free text."
    )


class PublicThanksSerializer(serializers.Serializer):
    detail = serializers.CharField()
