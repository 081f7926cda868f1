"""API of quality alerts and improvement actions (PDCA), tenant-scoped: a dealer's users see their own, region
managers their region's (read only); writes go through evaluation.services.alerts with the record version (409 on
conflict)."""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import User
from core.api import DealerScopedViewSetMixin
from core.filters import readable
from evaluation.choices import ActionStatus, AlertActionFilter, AlertKind, AlertReasonKind, AlertStatus
from evaluation.models import AlertReason, ImprovementAction, QualityAlert
from evaluation.selectors import alerts as alert_selectors
from evaluation.services import alerts
from organization.models import Dealer

ACTION_RELATED = ("dealer", "owner", "alert__indicator", "alert__crisis_alert")
ACTION_REASONS = Prefetch("alert__reasons", queryset=AlertReason.objects.select_related("run"))


class AlertReasonSerializer(serializers.ModelSerializer):
    month = serializers.DateField(source="run.period_start", read_only=True)
    message = serializers.CharField(read_only=True)

    class Meta:
        model = AlertReason
        fields = ["kind", "run", "month", "value", "previous_value", "threshold", "found_at", "message"]
        read_only_fields = fields


class AlertActionSummarySerializer(serializers.ModelSerializer):
    owner_name = serializers.CharField(source="owner.get_full_name", read_only=True)

    class Meta:
        model = ImprovementAction
        fields = ["id", "status", "owner", "owner_name", "due_date"]
        read_only_fields = fields


class QualityAlertSerializer(serializers.ModelSerializer):
    dealer_code = serializers.CharField(source="dealer.code", read_only=True)
    period = serializers.DateField(source="run.period_start", read_only=True)
    reasons = AlertReasonSerializer(source="reason_list", many=True, read_only=True)
    messages = serializers.ListField(child=serializers.CharField(), read_only=True)
    message = serializers.CharField(read_only=True)
    action = AlertActionSummarySerializer(
        source="current_action",
        read_only=True,
        allow_null=True,
        help_text="The latest improvement action (the one in progress if any).",
    )
    escalates_to_manager_at = serializers.SerializerMethodField()
    escalates_to_region_at = serializers.SerializerMethodField()

    class Meta:
        model = QualityAlert
        fields = ["id", "dealer", "dealer_code", "run", "period", "kind", "indicator_code", "crisis_alert", "reasons",
                  "messages", "message", "raised_at", "status", "action", "open_since", "escalation_level",
                  "escalated_at", "region_escalated_at", "escalation_task", "escalates_to_manager_at",
                  "escalates_to_region_at", "acknowledged_at", "acknowledged_by", "dismissal_reason", "closed_at",
                  "version"]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_escalates_to_manager_at(self, alert):
        """When an open alert without an action goes to the service managers (null: it does not, or it did)."""
        return alerts.escalation_times(alert)[0]

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_escalates_to_region_at(self, alert):
        """When an open alert without an action goes to the region (null: it does not, or it did)."""
        return alerts.escalation_times(alert)[1]


class ImprovementActionSerializer(serializers.ModelSerializer):
    dealer_code = serializers.CharField(source="dealer.code", read_only=True)
    alert_message = serializers.CharField(source="alert.message", read_only=True)

    class Meta:
        model = ImprovementAction
        fields = ["id", "alert", "alert_message", "dealer", "dealer_code", "owner", "cause_analysis", "plan",
                  "due_date", "status", "check_result", "checked_at", "checked_run", "checked_value", "task",
                  "created_by", "created_at", "version"]  # fmt: skip
        read_only_fields = fields


class DismissSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)
    version = serializers.IntegerField()


class ActionCreateSerializer(serializers.Serializer):
    alert = serializers.IntegerField()
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    cause_analysis = serializers.CharField()
    plan = serializers.CharField()
    due_date = serializers.DateField()


class ActionUpdateSerializer(serializers.Serializer):
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), required=False)
    cause_analysis = serializers.CharField(required=False)
    plan = serializers.CharField(required=False)
    due_date = serializers.DateField(required=False)
    version = serializers.IntegerField()


class ActionMoveSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=list(dict.fromkeys(t.target for t in alerts.ACTION_STATES if t.offered)))
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)
    version = serializers.IntegerField()


class QualityAlertFilterSet(django_filters.FilterSet):
    """The filters of the alerts API list and page (``evaluation.services.alerts`` holds their rules): reason, action,
    escalation, and the fields."""

    dealer = django_filters.ModelChoiceFilter(queryset=readable(Dealer), label=_("dealer"))
    run = django_filters.NumberFilter(field_name="run_id")
    raised_after = django_filters.IsoDateTimeFilter(field_name="raised_at", lookup_expr="gte")
    status = django_filters.ChoiceFilter(choices=AlertStatus.choices, label=_("status"), empty_label=_("Any status"))
    kind = django_filters.ChoiceFilter(choices=AlertKind.choices, label=_("kind"), empty_label=_("Any kind"))
    reason = django_filters.ChoiceFilter(choices=AlertReasonKind.choices, method="by_reason", label=_("reason"),
                                         empty_label=_("Any reason"))  # fmt: skip
    action = django_filters.ChoiceFilter(choices=AlertActionFilter.choices, method="by_action",
                                         label=_("improvement action"), empty_label=_("With or without an action"),
                                         help_text="none: open without an action; late: so for longer than the "
                                                   "escalation period (the version's alert_escalation_days); "
                                                   "active: an action in progress; overdue: in progress past its "
                                                   "due date.")  # fmt: skip
    escalated = django_filters.ChoiceFilter(
        choices=list(zip(alert_selectors.ESCALATION_FILTERS,
                         [_("Escalated"), _("To the service manager"), _("To the region")], strict=True)),
        method="by_escalation", label=_("escalated"), empty_label=_("Escalated or not"),
        help_text="any: escalated; 1: to the service managers; 2: to the region.",
    )  # fmt: skip
    indicator_code = django_filters.CharFilter(max_length=10, label=_("indicator code"))

    class Meta:
        model = QualityAlert
        fields = ["dealer", "run", "kind", "status", "indicator_code", "escalation_level"]

    def by_reason(self, queryset, name, value):
        return alert_selectors.filter_by_reason(queryset, value)

    def by_action(self, queryset, name, value):
        return alert_selectors.filter_by_action(queryset, value)

    def by_escalation(self, queryset, name, value):
        return alert_selectors.filter_by_escalation(queryset, value)


class ImprovementActionFilterSet(django_filters.FilterSet):
    """The filters of the improvement actions API list and page."""

    dealer = django_filters.ModelChoiceFilter(queryset=readable(Dealer), label=_("dealer"))
    alert = django_filters.NumberFilter(field_name="alert_id")
    owner = django_filters.NumberFilter(field_name="owner_id", label=pgettext_lazy("person responsible", "owner"))
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte")
    status = django_filters.ChoiceFilter(choices=ActionStatus.choices, label=_("status"), empty_label=_("Any status"))
    indicator_code = django_filters.CharFilter(
        field_name="alert__indicator_code", max_length=10, label=_("indicator code")
    )

    class Meta:
        model = ImprovementAction
        fields = ["dealer", "alert", "owner", "status"]


class _Can(permissions.BasePermission):
    """Reads need the view permission; each write its own (the services check the dealer too)."""

    def has_permission(self, request, view):
        perm = view.write_perms.get(view.action, view.read_perm)
        return request.user.has_perm(perm)


class QualityAlertViewSet(DealerScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          viewsets.GenericViewSet):  # fmt: skip
    """Quality alerts raised by the evaluation runs; ``dismiss`` (with a reason) and ``acknowledge``."""

    queryset = alert_selectors.with_list_relations(QualityAlert.objects.all()).order_by("-raised_at", "-id")
    serializer_class = QualityAlertSerializer
    filterset_class = QualityAlertFilterSet
    permission_classes = [permissions.IsAuthenticated, _Can]
    read_perm = "evaluation.view_qualityalert"
    write_perms = {"dismiss": alerts.CHANGE_ALERT, "acknowledge": alerts.CHANGE_ALERT}

    def _reply(self, alert):
        alert = alert_selectors.with_list_relations(QualityAlert.objects.all()).get(pk=alert.pk)
        return Response(self.get_serializer(alert).data)

    @extend_schema(request=DismissSerializer, responses=QualityAlertSerializer)
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        """Dismiss an open alert with a reason (send the version; 409 if it changed)."""
        alert = self.get_object()
        data_in = DismissSerializer(data=request.data)
        data_in.is_valid(raise_exception=True)
        return self._reply(alerts.alert_dismiss(alert=alert, by=request.user, **data_in.validated_data))

    @extend_schema(request=None, responses=QualityAlertSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """Note that the dealer has seen the alert."""
        return self._reply(alerts.alert_acknowledge(alert=self.get_object(), by=request.user))


class ImprovementActionViewSet(DealerScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                               viewsets.GenericViewSet):  # fmt: skip
    """Improvement actions on quality alerts. POST plans one on an open alert; PATCH changes it (with the version);
    ``move`` starts it or hands it to the check; the next evaluation run after the due date gives the verdict."""

    queryset = (
        ImprovementAction.objects.select_related(*ACTION_RELATED)
        .prefetch_related(ACTION_REASONS)
        .order_by("due_date", "id")
    )
    serializer_class = ImprovementActionSerializer
    filterset_class = ImprovementActionFilterSet
    permission_classes = [permissions.IsAuthenticated, _Can]
    read_perm = "evaluation.view_improvementaction"
    write_perms = {"create": alerts.PLAN, "partial_update": alerts.CHANGE_ACTION, "move": alerts.CHANGE_ACTION}
    http_method_names = ["get", "post", "patch", "head", "options"]

    def _reply(self, action_, code=status.HTTP_200_OK):
        action_ = (
            ImprovementAction.objects.select_related(*ACTION_RELATED)
            .prefetch_related(ACTION_REASONS)
            .get(pk=action_.pk)
        )
        return Response(self.get_serializer(action_).data, status=code)

    @extend_schema(request=ActionCreateSerializer, responses={201: ImprovementActionSerializer})
    def create(self, request):
        """Plan an action on an open alert of a dealer you work for (others: 404)."""
        data_in = ActionCreateSerializer(data=request.data)
        data_in.is_valid(raise_exception=True)
        data = dict(data_in.validated_data)
        scope = QualityAlert.objects.for_user(request.user, write=True)
        alert = scope.filter(pk=data.pop("alert")).first()
        if alert is None:
            from django.http import Http404

            raise Http404
        return self._reply(alerts.action_create(alert=alert, by=request.user, **data), status.HTTP_201_CREATED)

    @extend_schema(request=ActionUpdateSerializer, responses=ImprovementActionSerializer)
    def partial_update(self, request, pk=None):
        """Change the owner, cause analysis, measures or due date (send the version; 409 if it changed)."""
        record = self.get_object()
        data_in = ActionUpdateSerializer(data=request.data, partial=True)
        data_in.is_valid(raise_exception=True)
        data = dict(data_in.validated_data)
        version = data.pop("version", None)
        return self._reply(alerts.action_update(action=record, by=request.user, version=version, **data))

    @extend_schema(request=ActionMoveSerializer, responses=ImprovementActionSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """Start the action (in_progress) or hand it to the check (checking)."""
        record = self.get_object()
        data_in = ActionMoveSerializer(data=request.data)
        data_in.is_valid(raise_exception=True)
        return self._reply(alerts.action_move(action=record, by=request.user, **data_in.validated_data))
