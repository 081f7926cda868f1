"""REST API of the measurements: every indicator per dealer of the user for a period (read only)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.generics import GenericAPIView

from core.dates import Month, days_bounds
from evaluation.selectors.measures import MAX_DAYS, MEASUREMENT_PERMISSION, MEASURES, measure_all
from organization.models import Dealer


class MeasurementQuerySerializer(serializers.Serializer):
    """The query: a period of whole local days (both ends included; the last month by default), a dealer, codes."""

    # "from" is a Python keyword: the field is declared below under its query-string name.
    to = serializers.DateField(required=False, help_text=_("Last day of the period (included)."))
    dealer = serializers.IntegerField(required=False, min_value=1)
    code = serializers.CharField(required=False, help_text=_("Indicator codes, comma-separated (default: all)."))

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField(required=False, help_text=_("First day of the period."))
        return fields

    def validate_code(self, value: str) -> list[str]:
        codes = [c.strip().upper() for c in value.split(",") if c.strip()]
        unknown = [c for c in codes if c not in MEASURES]
        if unknown or not codes:
            raise serializers.ValidationError(_("Unknown indicator code: %(codes)s.") % {"codes": ", ".join(unknown)})
        return codes

    def validate(self, attrs):
        first, last = attrs.get("from"), attrs.get("to")
        if first is None and last is None:
            last_month = Month.current().previous()
            first, last = last_month.first_day, last_month.last_day
        if first is None or last is None:
            raise serializers.ValidationError({"from": [_("Give both ends of the period.")]})
        if first > last:
            raise serializers.ValidationError({"to": [_("The end of the period is before its start.")]})
        if (last - first).days >= MAX_DAYS:
            raise serializers.ValidationError({"to": [_("A period is at most a year.")]})
        attrs["from"], attrs["to"] = first, last
        return attrs


class FigureSerializer(serializers.Serializer):
    code = serializers.CharField()
    unit = serializers.CharField()
    lag_months = serializers.IntegerField(
        help_text=_(
            "The figure judges the records of the period this many months earlier (B1: 1, once every "
            "comeback window is over)."
        )
    )
    value = serializers.FloatField(allow_null=True, help_text=_("Null when n is 0: no data."))
    numerator = serializers.FloatField(allow_null=True)
    denominator = serializers.FloatField(allow_null=True)
    n = serializers.IntegerField()


class DealerMeasurementsSerializer(serializers.Serializer):
    dealer = serializers.IntegerField()
    dealer_code = serializers.CharField()
    dealer_name = serializers.CharField()
    period_from = serializers.DateField()
    period_to = serializers.DateField()
    indicators = FigureSerializer(many=True)


class CanReadMeasurements(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return request.user.has_perm(MEASUREMENT_PERMISSION)


class MeasurementListView(GenericAPIView):
    """Every indicator (value, numerator, denominator, n) per dealer of the user, for a period; a page of dealers."""

    permission_classes = [permissions.IsAuthenticated, CanReadMeasurements]
    serializer_class = DealerMeasurementsSerializer
    filter_backends: list = []

    def get_queryset(self):
        return Dealer.objects.for_user(self.request.user).order_by("code").only("id", "code", "name")

    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, description="First day of the period (default: last month)."),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Last day of the period (included)."),
            OpenApiParameter("dealer", OpenApiTypes.INT, description="Only this dealer (404 if not one of yours)."),
            OpenApiParameter("code", OpenApiTypes.STR, description="Indicator codes, comma-separated."),
        ],
        responses=DealerMeasurementsSerializer(many=True),
    )
    def get(self, request):
        query = MeasurementQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        dealers = self.get_queryset()
        if params.get("dealer"):
            dealers = dealers.filter(pk=get_object_or_404(dealers, pk=params["dealer"]).pk)
        first, last = params["from"], params["to"]
        start, end = days_bounds(first, last)
        page = self.paginate_queryset(dealers)
        codes = params.get("code")
        figures = measure_all([d.id for d in page], start, end, codes=codes)
        data = [
            {
                "dealer": dealer.id, "dealer_code": dealer.code, "dealer_name": dealer.name,
                "period_from": first, "period_to": last,
                "indicators": [
                    {"code": code, "unit": MEASURES[code].unit, "lag_months": MEASURES[code].lag_months,
                     **_figure(per_dealer[dealer.id])}
                    for code, per_dealer in figures.items()
                ],
            }
            for dealer in page
        ]  # fmt: skip
        return self.get_paginated_response(DealerMeasurementsSerializer(data, many=True).data)


def _figure(measure) -> dict:
    return {"value": measure.value, "numerator": measure.numerator, "denominator": measure.denominator, "n": measure.n}
