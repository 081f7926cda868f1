"""API of indicator systems (read) and audits (list, read, create, score items, adjust, submit, confirm)."""

import django_filters
from django.db.models import Prefetch, Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import ScopedModelPermissions
from core.filters import readable
from evaluation.api import serializers as s
from evaluation.choices import AuditKind, AuditStatus
from evaluation.models import (
    Audit,
    AuditEvidence,
    AuditItemScore,
    Dimension,
    Indicator,
    IndicatorSystem,
    PairwiseMatrix,
    SystemVersion,
)
from evaluation.services import audits
from organization.models import Dealer


class IndicatorSystemViewSet(viewsets.ReadOnlyModelViewSet):
    """Indicator systems the user may read (the default and their OEMs'); retrieve shows every version in full."""

    permission_classes = [permissions.IsAuthenticated, ScopedModelPermissions]
    queryset = IndicatorSystem.objects.all()

    def get_queryset(self):
        qs = IndicatorSystem.objects.for_user(self.request.user).select_related("oem").order_by("oem__code", "id")
        if self.action == "retrieve":
            return qs.prefetch_related(
                Prefetch("versions", queryset=SystemVersion.objects.order_by("-number").prefetch_related(
                    Prefetch("dimensions", queryset=Dimension.objects.order_by("position").prefetch_related(
                        Prefetch("indicators", queryset=Indicator.objects.order_by("position")))),
                    Prefetch("matrices", queryset=PairwiseMatrix.objects.select_related("dimension")),
                ))
            )  # fmt: skip
        return qs.prefetch_related(Prefetch("versions", queryset=SystemVersion.objects.order_by("-number")))

    def get_serializer_class(self):
        return s.IndicatorSystemSerializer if self.action == "retrieve" else s.IndicatorSystemListSerializer


class CanViewAudits(permissions.BasePermission):
    """Every audit endpoint needs view_audit; who may change an audit is decided by evaluation.services.audits."""

    def has_permission(self, request, view):
        return request.user.has_perm("evaluation.view_audit")


LIST_RELATED = ("dealer", "template", "auditor")


class AuditFilterSet(django_filters.FilterSet):
    """The filters of the audits API list and page."""

    dealer = django_filters.ModelChoiceFilter(queryset=readable(Dealer), label=_("dealer"))
    status = django_filters.ChoiceFilter(choices=AuditStatus.choices, label=_("status"), empty_label=_("Any status"))
    kind = django_filters.ChoiceFilter(choices=AuditKind.choices, label=_("kind"), empty_label=_("Any kind"))
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))

    class Meta:
        model = Audit
        fields = ["dealer", "status", "kind"]

    def filter_q(self, queryset, name, value):
        """Any part of the dealer's name or code."""
        return queryset.filter(Q(dealer__name__icontains=value) | Q(dealer__code__icontains=value))


class AuditViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Service-system audits (体系审核) of the user's dealers.

    Read scope for every request (region managers conduct official audits of dealers they only read); audits of
    other dealers do not exist (404). The services check who may change which audit (403 otherwise).
    """

    permission_classes = [permissions.IsAuthenticated, CanViewAudits]
    queryset = Audit.objects.all()
    filterset_class = AuditFilterSet

    def get_queryset(self):
        qs = Audit.objects.for_user(self.request.user).select_related(*LIST_RELATED).order_by("-audit_date", "-id")
        if self.action != "list":
            qs = qs.prefetch_related(
                Prefetch("item_scores", queryset=AuditItemScore.objects.select_related("item").prefetch_related(
                    Prefetch("evidence", queryset=AuditEvidence.objects.only("id", "item_score_id"))
                ).order_by("item__section__position", "item__position")),
                "adjustments",
            )  # fmt: skip
        return qs

    def get_serializer_class(self):
        return s.AuditListSerializer if self.action == "list" else s.AuditSerializer

    def _input(self, request, serializer_class):
        data_in = serializer_class(data=request.data, context=self.get_serializer_context())
        data_in.is_valid(raise_exception=True)
        return dict(data_in.validated_data)

    def _reply(self, audit, code=status.HTTP_200_OK):
        audit = self.get_queryset().get(pk=audit.pk)
        return Response(s.AuditSerializer(audit, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=s.AuditCreateSerializer, responses={201: s.AuditSerializer})
    def create(self, request):
        """Start a draft audit (self-audit: the dealer's service manager; official: a region manager)."""
        data = self._input(request, s.AuditCreateSerializer)
        return self._reply(audits.audit_create(by=request.user, **data), status.HTTP_201_CREATED)

    @extend_schema(request=s.AuditScoreInputSerializer, responses=s.AuditSerializer)
    @action(detail=True, methods=["post"])
    def scores(self, request, pk=None):
        """Score items (0..points) or exclude them with a reason; send the audit version."""
        audit = self.get_object()
        data = self._input(request, s.AuditScoreInputSerializer)
        rows = [audits.ItemScoreInput(item_id=row["item"], score=row["score"], excluded=row["excluded"],
                                      exclusion_reason=row["exclusion_reason"], note=row["note"])
                for row in data["items"]]  # fmt: skip
        audits.audit_score_items(audit=audit, rows=rows, by=request.user, version=data["version"])
        return self._reply(audit)

    @extend_schema(request=s.AdjustmentInputSerializer, responses={201: s.AuditSerializer})
    @action(detail=True, methods=["post"])
    def adjustments(self, request, pk=None):
        """Record a special deduction (−1) or the special bonus (+1, at most one) with its reason."""
        audit = self.get_object()
        data = self._input(request, s.AdjustmentInputSerializer)
        audits.audit_add_adjustment(audit=audit, by=request.user, **data)
        return self._reply(audit, status.HTTP_201_CREATED)

    @extend_schema(request=s.AuditVersionSerializer, responses=s.AuditSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Fix the score: every item scored or excluded, evidence where required."""
        audit = self.get_object()
        data = self._input(request, s.AuditVersionSerializer)
        audits.audit_submit(audit=audit, by=request.user, version=data["version"])
        return self._reply(audit)

    @extend_schema(request=s.AuditVersionSerializer, responses=s.AuditSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """The other side confirms a submitted audit."""
        audit = self.get_object()
        data = self._input(request, s.AuditVersionSerializer)
        audits.audit_confirm(audit=audit, by=request.user, version=data["version"])
        return self._reply(audit)
