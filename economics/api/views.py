"""REST API of the workshop economics: each technician's hours and efficiency of a month (read only)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from accounts.models import User
from core.dates import Month
from economics import selectors
from organization.models import Dealer

VIEW = "economics.view_economics_attendance"


class QuerySerializer(serializers.Serializer):
    dealer = serializers.IntegerField(required=False, min_value=1)
    month = serializers.DateField(
        required=False, input_formats=["%Y-%m"], help_text=_("YYYY-MM (default: this month).")
    )


class RatioSerializer(serializers.Serializer):
    value = serializers.FloatField(allow_null=True, help_text=_("Percent; null when the denominator is 0."))
    numerator = serializers.DecimalField(max_digits=14, decimal_places=2)
    denominator = serializers.DecimalField(max_digits=14, decimal_places=2)


class TechnicianEfficiencySerializer(serializers.Serializer):
    dealer = serializers.IntegerField()
    dealer_code = serializers.CharField()
    technician = serializers.IntegerField()
    technician_name = serializers.CharField()
    month = serializers.CharField()
    hours_sold = serializers.DecimalField(max_digits=10, decimal_places=2)
    hours_clocked = serializers.DecimalField(max_digits=10, decimal_places=2)
    hours_attended = serializers.DecimalField(max_digits=10, decimal_places=2)
    efficiency = RatioSerializer()
    productivity = RatioSerializer()
    overall_efficiency = RatioSerializer()
    labour_revenue = serializers.DecimalField(max_digits=14, decimal_places=2)
    effective_labour_rate = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    labour_cost = serializers.DecimalField(max_digits=14, decimal_places=2)
    labour_gross_margin = serializers.DecimalField(max_digits=14, decimal_places=2)
    hours_without_cost_rate = serializers.DecimalField(max_digits=10, decimal_places=2)
    days_away = serializers.IntegerField()


class CanReadEconomics(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return request.user.has_perm(VIEW)


def _ratio(rate) -> dict:
    return {"value": rate.rounded_percent(1), "numerator": rate.numerator, "denominator": rate.denominator}


class TechnicianEfficiencyView(GenericAPIView):
    """Each technician of the user's dealers (or ``?dealer=``) in a month: hours sold, clocked and attended,
    efficiency, productivity, effective labour rate, labour cost and margin (economics.selectors' rules)."""

    permission_classes = [permissions.IsAuthenticated, CanReadEconomics]
    serializer_class = TechnicianEfficiencySerializer
    filter_backends: list = []
    pagination_class = None

    def get_queryset(self):
        return Dealer.objects.for_user(self.request.user).order_by("code").only("id", "code", "name")

    @extend_schema(
        parameters=[
            OpenApiParameter("dealer", OpenApiTypes.INT, description="Only this dealer (404 if not one of yours)."),
            OpenApiParameter("month", OpenApiTypes.STR, description="YYYY-MM (default: this month)."),
        ],
        responses=TechnicianEfficiencySerializer(many=True),
    )
    def get(self, request):
        query = QuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        dealers = self.get_queryset()
        if query.validated_data.get("dealer"):
            dealers = dealers.filter(pk=get_object_or_404(dealers, pk=query.validated_data["dealer"]).pk)
        names = {d.pk: d for d in dealers}
        month = Month.of(query.validated_data.get("month") or timezone.localdate())
        report = selectors.economics(list(names), month.first_day, month.last_day)
        people = User.objects.in_bulk({t for _d, t in report.technicians})
        rows = []
        for (dealer_id, tech_id), figures in sorted(report.technicians.items()):
            f = figures.rounded()
            rows.append({
                "dealer": dealer_id, "dealer_code": names[dealer_id].code, "technician": tech_id,
                "technician_name": str(people[tech_id]), "month": str(month), "hours_sold": f.sold_hours,
                "hours_clocked": f.clocked_hours, "hours_attended": f.attended_hours,
                "efficiency": _ratio(f.efficiency), "productivity": _ratio(f.productivity),
                "overall_efficiency": _ratio(f.overall), "labour_revenue": f.labour_revenue,
                "effective_labour_rate": f.effective_labour_rate, "labour_cost": f.labour_cost,
                "labour_gross_margin": f.labour_margin, "hours_without_cost_rate": f.uncosted_hours,
                "days_away": f.absence_days,
            })  # fmt: skip
        return Response(TechnicianEfficiencySerializer(rows, many=True).data)
