"""API of the service desk: repair orders, their check-in, estimate lines, approval and transitions."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import DealerScopedViewSetMixin, ScopedModelPermissions
from repairs import services
from repairs.api import serializers as s
from repairs.filtersets import RepairOrderFilterSet
from repairs.models import RepairOrder


class CanViewRepairOrders(permissions.BasePermission):
    """Actions check their own permission in the service (a technician may start repair but not approve)."""

    def has_permission(self, request, view):
        return request.user.has_perm("repairs.view_repairorder")


class RepairOrderViewSet(
    DealerScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Repair orders of the user's dealers. POST opens one at reception; steps are actions below."""

    queryset = RepairOrder.objects.select_related("vehicle", "advisor").order_by("-opened_at", "-id")
    filterset_class = RepairOrderFilterSet
    ordering_fields = ["opened_at", "promised_at", "delivered_at"]

    def get_permissions(self):
        if self.action in ("list", "retrieve", "create"):
            return [permissions.IsAuthenticated(), ScopedModelPermissions()]
        return [permissions.IsAuthenticated(), CanViewRepairOrders()]

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action == "retrieve":
            qs = qs.prefetch_related("lines", "events__by")
        return qs

    def get_serializer_class(self):
        return s.RepairOrderListSerializer if self.action == "list" else s.RepairOrderSerializer

    def _reply(self, order, code=status.HTTP_200_OK):
        order = self.get_queryset().model.objects.prefetch_related("lines", "events__by").get(pk=order.pk)
        return Response(s.RepairOrderSerializer(order, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=s.RepairOrderOpenSerializer, responses={201: s.RepairOrderSerializer})
    def create(self, request):
        """Open a repair order for a vehicle (reception): the customer's words and the arrival time."""
        data_in = s.RepairOrderOpenSerializer(data=request.data, context=self.get_serializer_context())
        data_in.is_valid(raise_exception=True)
        order = services.repair_order_open(by=request.user, **data_in.validated_data)
        return self._reply(order, status.HTTP_201_CREATED)

    def _update(self, request, serializer_class, service):
        order = self.get_object()
        data_in = serializer_class(data=request.data, context=self.get_serializer_context())
        data_in.is_valid(raise_exception=True)
        data = dict(data_in.validated_data)
        return self._reply(service(order=order, by=request.user, version=data.pop("version"), **data))

    @extend_schema(request=s.CheckInSerializer, responses=s.RepairOrderSerializer)
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request, pk=None):
        """Record the check-in: odometer, fuel, walk-around, belongings, documents, key, promised time."""
        return self._update(request, s.CheckInSerializer, services.repair_order_update_checkin)

    @extend_schema(request=s.EstimateSerializer, responses=s.RepairOrderSerializer)
    @action(detail=True, methods=["post"])
    def estimate(self, request, pk=None):
        """Change the diagnosis and estimate terms (pricing mode, risk margin, discount)."""
        return self._update(request, s.EstimateSerializer, services.repair_order_update_estimate)

    @extend_schema(request=s.ApprovalSerializer, responses=s.RepairOrderSerializer)
    @action(detail=True, methods=["post"])
    def approval(self, request, pk=None):
        """Record the customer's approval of the estimate (how, who) and move the order to approved."""
        return self._update(request, s.ApprovalSerializer, services.repair_order_record_approval)

    @extend_schema(request=s.LineInputSerializer, responses={201: s.RepairOrderLineSerializer})
    @action(detail=True, methods=["post"])
    def lines(self, request, pk=None):
        """Add a labour, part or sundry line to the estimate."""
        order = self.get_object()
        data_in = s.LineInputSerializer(data=request.data, order=order)
        data_in.is_valid(raise_exception=True)
        line = services.repair_order_add_line(order=order, by=request.user, **data_in.validated_data)
        return Response(s.RepairOrderLineSerializer(line).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"lines/(?P<line_id>\d+)")
    def remove_line(self, request, pk=None, line_id=None):
        """Remove a line from an estimate that is still being prepared."""
        order = self.get_object()
        line = get_object_or_404(order.lines, pk=line_id)
        services.repair_order_remove_line(line=line, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=s.TransitionSerializer, responses=s.RepairOrderSerializer)
    @action(detail=True, methods=["post"])
    def transitions(self, request, pk=None):
        """Move the order through the state machine: {"action": "check_in", "version": 3, "note": ""}."""
        order = self.get_object()
        data_in = s.TransitionSerializer(data=request.data)
        data_in.is_valid(raise_exception=True)
        order = services.repair_order_transition(order=order, by=request.user, **data_in.validated_data)
        return self._reply(order)
