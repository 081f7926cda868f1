"""Serializers of the quality-report API: a report as listed, and the request that queues one."""

from __future__ import annotations

from datetime import date

from django.urls import reverse
from django.utils.translation import gettext as _
from rest_framework import serializers

from core.api import ScopedPrimaryKeyField
from organization.models import Dealer, Region
from reports import selectors
from reports.choices import PeriodKind, ReportFormat
from reports.forms import parse_month
from reports.models import QualityReport


class QualityReportSerializer(serializers.ModelSerializer):
    dealer_code = serializers.CharField(source="dealer.code", read_only=True, default=None)
    region_code = serializers.CharField(source="region.code", read_only=True, default=None)
    runs = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="The published runs the report is made from."
    )
    download_url = serializers.SerializerMethodField(help_text="The file, once the report is done (else null).")

    class Meta:
        model = QualityReport
        fields = [
            "id",
            "dealer",
            "dealer_code",
            "region",
            "region_code",
            "period",
            "period_start",
            "format",
            "language",
            "status",
            "progress",
            "message",
            "size",
            "generation_seconds",
            "runs",
            "missing_months",
            "created_by",
            "created_at",
            "finished_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, report: QualityReport) -> str | None:
        if report.status != "done" or not report.file:
            return None
        request = self.context.get("request")
        url = reverse("quality-report-download", args=[report.pk])
        return request.build_absolute_uri(url) if request else url


class QualityReportRequestSerializer(serializers.Serializer):
    """Queue a report of one dealer (``dealer``) or one region (``region``) for a month (``month`` "YYYY-MM") or a
    year (``year``)."""

    dealer = ScopedPrimaryKeyField(Dealer, write=False, required=False, allow_null=True)
    region = ScopedPrimaryKeyField(
        Region, scope=lambda user: selectors.report_regions(user=user), required=False, allow_null=True
    )
    period = serializers.ChoiceField(choices=PeriodKind.choices, default=PeriodKind.MONTH)
    month = serializers.CharField(required=False, help_text='"YYYY-MM", for a monthly report.')
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100, help_text="For a yearly report.")
    format = serializers.ChoiceField(choices=ReportFormat.choices, default=ReportFormat.PDF)

    def validate(self, attrs):
        if (attrs.get("dealer") is None) == (attrs.get("region") is None):
            raise serializers.ValidationError({"dealer": [_("Choose one dealer or one region.")]})
        if attrs["period"] == PeriodKind.YEAR:
            if attrs.get("year") is None:
                raise serializers.ValidationError({"year": [_("Give the year of the report.")]})
            attrs["first"] = date(attrs["year"], 1, 1)
        else:
            try:
                attrs["first"] = parse_month(attrs.get("month") or "").first_day
            except ValueError:
                raise serializers.ValidationError({"month": [_("Give the month as YYYY-MM.")]}) from None
        return attrs
