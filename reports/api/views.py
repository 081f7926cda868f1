"""API of quality reports: the reports in the user's scope; POST queues one; ``download`` gives its file."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import ScopedModelPermissions
from reports import selectors, services
from reports.api.serializers import QualityReportRequestSerializer, QualityReportSerializer
from reports.models import QualityReport


class QualityReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Quality reports of the user's dealers and of the regions they may see whole (others do not exist: 404)."""

    serializer_class = QualityReportSerializer
    queryset = QualityReport.objects.none()
    permission_classes = [permissions.IsAuthenticated, ScopedModelPermissions]
    filterset_fields = ["dealer", "region", "period", "format", "status"]

    def get_queryset(self):
        return selectors.report_list(user=self.request.user)

    @extend_schema(request=QualityReportRequestSerializer, responses={201: QualityReportSerializer})
    def create(self, request):
        """Queue a report (made in the background; ``status`` and ``progress`` tell how far it is)."""
        data_in = QualityReportRequestSerializer(data=request.data, context=self.get_serializer_context())
        data_in.is_valid(raise_exception=True)
        data = data_in.validated_data
        report = services.report_request(
            by=request.user,
            period=data["period"],
            first=data["first"],
            fmt=data["format"],
            dealer=data.get("dealer"),
            region=data.get("region"),
        )
        return Response(self.get_serializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        """The report's file (PDF or Excel) once it is done; 404 before."""
        return services.file_response(self.get_object())
