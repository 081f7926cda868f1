"""API of evaluation runs and results: a dealer's users see their own result; region managers their region's."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from core.api import DealerScopedViewSetMixin, ScopedModelPermissions
from core.dates import Month
from evaluation.models import DealerEvaluation, EvaluationRun
from evaluation.selectors import results
from evaluation.selectors import systems as system_selectors
from evaluation.services import runs
from organization.models import Oem, Region


class RunNoteSerializer(serializers.Serializer):
    """A structured note of the run (its code and figures, as stored) and the sentence in the request language."""

    code = serializers.CharField(help_text="e.g. entropy_constant, entropy_too_few_dealers, survey_family_mismatch")
    text = serializers.CharField(help_text="The note in the language of the request, naming the indicators.")


class EvaluationRunSerializer(serializers.ModelSerializer):
    notes = serializers.SerializerMethodField(
        help_text="The engine's and the run's notes: each the stored note (code and figures, e.g. "
        '{"code": "entropy_constant", "indicators": ["A2"]}) with its text in the language of the request.'
    )

    class Meta:
        model = EvaluationRun
        fields = ["id", "oem", "region", "period_start", "period_end", "system_version", "status", "progress",
                  "message", "as_of", "provisional", "options", "weights", "notes", "inputs_hash", "dealer_count",
                  "published", "published_at", "published_by", "created_at", "finished_at"]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(RunNoteSerializer(many=True))
    def get_notes(self, run: EvaluationRun) -> list[dict]:
        names = self.context.setdefault("indicator_names", {}).get(run.system_version_id)
        if names is None:
            names = self.context["indicator_names"][run.system_version_id] = system_selectors.coded_indicator_names(
                run.system_version_id
            )
        return system_selectors.run_notes(run, self.context["request"].user, names)


class RunCreateSerializer(serializers.Serializer):
    oem = serializers.PrimaryKeyRelatedField(queryset=Oem.objects.all())
    region = serializers.PrimaryKeyRelatedField(queryset=Region.objects.all(), required=False, allow_null=True)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    month = serializers.IntegerField(min_value=1, max_value=12)


class DealerEvaluationSerializer(serializers.ModelSerializer):
    dealer_code = serializers.CharField(source="dealer.code", read_only=True)
    rank_reason = serializers.CharField(
        read_only=True, help_text="Why a dealer with a score has no rank, in the language of the request."
    )

    class Meta:
        model = DealerEvaluation
        fields = ["id", "run", "dealer", "dealer_code", "score", "grade", "stars", "rank", "rank_note", "rank_reason",
                  "topsis_closeness", "topsis_rank", "fuzzy_vector", "fuzzy_grade", "fuzzy_score",
                  "dimension_scores", "indicators"]  # fmt: skip
        read_only_fields = fields


class EvaluationRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Evaluation runs that include the user's dealers. POST queues one; ``publish`` makes it the month's result."""

    serializer_class = EvaluationRunSerializer
    queryset = EvaluationRun.objects.none()
    permission_classes = [permissions.IsAuthenticated, ScopedModelPermissions]
    filterset_fields = ["oem", "region", "period_start", "status", "published"]

    def get_queryset(self):
        return EvaluationRun.objects.for_user(self.request.user).order_by("-period_start", "-created_at", "-id")

    @extend_schema(request=RunCreateSerializer, responses={201: EvaluationRunSerializer})
    def create(self, request):
        data_in = RunCreateSerializer(data=request.data)
        data_in.is_valid(raise_exception=True)
        run = runs.run_start(by=request.user, **data_in.validated_data)
        return Response(self.get_serializer(run).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=EvaluationRunSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        if not request.user.has_perm(runs.PUBLISH):
            raise PermissionDenied
        return Response(self.get_serializer(runs.run_publish(run=self.get_object(), by=request.user)).data)


class ContributionSerializer(serializers.Serializer):
    """One indicator's share of the score's change (``evaluation.selectors.results.explain``)."""

    indicator = serializers.CharField(help_text="The indicator's code (B1).")
    points = serializers.FloatField(help_text="w'·s' − w·s: what the indicator changed the overall score by.")
    performance_points = serializers.FloatField(help_text="w̄·Δs: the part from the dealer's own performance.")
    weight_points = serializers.FloatField(
        help_text="s̄·Δw: the part from changed weights (entropy, weights spread from indicators without data)."
    )
    previous_score = serializers.FloatField(allow_null=True, help_text="The indicator's score (0–100) last month.")
    score = serializers.FloatField(allow_null=True, help_text="The indicator's score (0–100) this month.")
    previous_weight = serializers.FloatField(help_text="Its effective share of the overall score last month (0–1).")
    weight = serializers.FloatField(help_text="Its effective share of the overall score this month (0–1).")


class ExplanationSerializer(serializers.Serializer):
    """Why the score changed from the month before: one contribution per indicator, adding up to the change."""

    month = serializers.CharField(help_text="The result's month (YYYY-MM).")
    previous_month = serializers.CharField(help_text="The month compared with (YYYY-MM).")
    previous_result = serializers.IntegerField(
        allow_null=True, help_text="The id of the previous month's result the user may read (null: none)."
    )
    previous_score = serializers.FloatField(allow_null=True)
    score = serializers.FloatField(allow_null=True)
    change = serializers.FloatField(allow_null=True, help_text="score − previous_score (null: nothing to compare).")
    contributions = ContributionSerializer(
        many=True, help_text="Largest |points| first; their points add up to the change (within rounding)."
    )
    detail = serializers.CharField(
        allow_null=True, help_text="Why there is no split (no previous month, no score), in the request language."
    )


def explanation_data(explanation: results.Explanation) -> dict:
    """The ``ExplanationSerializer`` body of an explanation."""
    month = Month.of(explanation.result.run.period_start)
    return {
        "month": str(month), "previous_month": str(month.previous()),
        "previous_result": explanation.previous.pk if explanation.previous is not None else None,
        "previous_score": explanation.previous_score, "score": explanation.score, "change": explanation.change,
        "contributions": [
            {"indicator": c.indicator, "points": c.points, "performance_points": c.performance_points,
             "weight_points": c.weight_points, "previous_score": c.previous_score, "score": c.score,
             "previous_weight": c.previous_weight, "weight": c.weight}
            for c in explanation.contributions
        ],
        "detail": results.unexplained_reason(explanation) or None,
    }  # fmt: skip


class DealerEvaluationViewSet(DealerScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                              viewsets.GenericViewSet):  # fmt: skip
    """Dealers' results of evaluation runs (``?run=`` for one run's ranking); ``explain``: why the score changed."""

    queryset = DealerEvaluation.objects.select_related("dealer").order_by("-run_id", "rank", "dealer__code")
    serializer_class = DealerEvaluationSerializer
    filterset_fields = ["run", "dealer"]

    def get_queryset(self):
        queryset = super().get_queryset()
        return queryset.select_related("run") if self.action == "explain" else queryset

    @extend_schema(
        responses=ExplanationSerializer,
        description="The change of the result's score from the dealer's result of the month before (the one that "
        "counts, among those the user may read), split into one contribution per indicator that adds up to the "
        "change, each split into performance (w̄·Δs) and weights (s̄·Δw). Without a previous month: change null, "
        "no contributions and a detail saying why.",
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def explain(self, request, pk=None):
        result = self.get_object()
        explanation = results.explain(result, results.previous_result(result, request.user))
        return Response(ExplanationSerializer(explanation_data(explanation)).data)
