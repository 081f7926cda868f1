"""API of the service desk: repair orders, their check-in, estimate lines, approval and transitions."""

from django.db.models import Q
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import User
from core.api import DealerScopedViewSetMixin, ScopedModelPermissions
from repairs import comebacks, services
from repairs.api import serializers as s
from repairs.filtersets import RepairOrderFilterSet
from repairs.models import ComebackDismissal, RepairOrder

DETAIL_PREFETCH = (
    "lines", "events__by", "additions__raised_by", "inspections__inspector", "inspections__findings",
)  # fmt: skip


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
            qs = qs.select_related("settlement").prefetch_related(*DETAIL_PREFETCH)
        return qs

    def get_serializer_class(self):
        return s.RepairOrderListSerializer if self.action == "list" else s.RepairOrderSerializer

    def _reply(self, order, code=status.HTTP_200_OK):
        order = (
            RepairOrder.objects.select_related("vehicle", "advisor", "settlement")
            .prefetch_related(*DETAIL_PREFETCH)
            .get(pk=order.pk)
        )
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

    def _input(self, request, serializer_class):
        data_in = serializer_class(data=request.data)
        data_in.is_valid(raise_exception=True)
        return dict(data_in.validated_data)

    @extend_schema(request=s.AssignSerializer, responses=s.RepairOrderSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """Dispatch a labour line to a technician of the dealer (foreman)."""
        order = self.get_object()
        data = self._input(request, s.AssignSerializer)
        line = get_object_or_404(order.lines, pk=data["line"])
        technician = get_object_or_404(
            User.objects.filter(dealer_memberships__dealer_id=order.dealer_id), pk=data["technician"]
        )
        services.repair_order_assign(line=line, technician=technician, by=request.user)
        return self._reply(order)

    @extend_schema(request=s.ClockSerializer, responses=s.RepairOrderSerializer)
    @action(detail=True, methods=["post"])
    def clock(self, request, pk=None):
        """A technician clocks on, pauses (with a reason) or finishes a job."""
        order = self.get_object()
        data = self._input(request, s.ClockSerializer)
        line = get_object_or_404(order.lines, pk=data["line"])
        if data["step"] == "on":
            services.labour_clock_on(line=line, by=request.user)
        else:
            services.labour_clock_off(
                line=line, by=request.user, finished=data["step"] == "done", pause_reason=data["pause_reason"]
            )
        return self._reply(order)

    @extend_schema(request=s.AdditionRaiseSerializer, responses={201: s.AdditionalItemSerializer})
    @action(detail=True, methods=["post"])
    def additions(self, request, pk=None):
        """Raise additional work found in the workshop (增项), priced by its lines."""
        order = self.get_object()
        data = self._input(request, s.AdditionRaiseSerializer)
        addition = services.addition_raise(order=order, by=request.user, **data)
        return Response(s.AdditionalItemSerializer(addition).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.AdditionalItemSerializer)
    @action(detail=True, methods=["post"], url_path=r"additions/(?P<addition_id>\d+)/contact")
    def addition_contact(self, request, pk=None, addition_id=None):
        """The advisor has reached the customer about an additional item."""
        addition = get_object_or_404(self.get_object().additions, pk=addition_id)
        return Response(s.AdditionalItemSerializer(services.addition_contact(addition=addition, by=request.user)).data)

    @extend_schema(request=s.AdditionDecisionSerializer, responses=s.AdditionalItemSerializer)
    @action(detail=True, methods=["post"], url_path=r"additions/(?P<addition_id>\d+)/decision")
    def addition_decision(self, request, pk=None, addition_id=None):
        """Record the customer's decision on an additional item (who, how, when; new promised time)."""
        addition = get_object_or_404(self.get_object().additions, pk=addition_id)
        data = self._input(request, s.AdditionDecisionSerializer)
        return Response(
            s.AdditionalItemSerializer(services.addition_decide(addition=addition, by=request.user, **data)).data
        )

    @extend_schema(request=s.QcRecordSerializer, responses=s.RepairOrderSerializer)
    @action(detail=True, methods=["post"])
    def qc(self, request, pk=None):
        """Record a QC inspection with the checklist of the job type; all OK passes. A failure names the jobs to
        redo (``failed_lines``: line, reason, optional checklist item): only those are reopened."""
        order = self.get_object()
        data_in = s.QcRecordSerializer(data=request.data, order=order)
        data_in.is_valid(raise_exception=True)
        services.repair_order_qc_record(order=order, by=request.user, **data_in.validated_data)
        return self._reply(order)

    @extend_schema(request=s.DeliverySerializer, responses=s.RepairOrderSerializer)
    @action(detail=True, methods=["post"])
    def deliver(self, request, pk=None):
        """Settle the invoice and deliver the car; follow-up calls are scheduled."""
        order = self.get_object()
        services.repair_order_deliver(order=order, by=request.user, **self._input(request, s.DeliverySerializer))
        return self._reply(order)

    @extend_schema(request=s.ComebackSerializer, responses=s.RepairOrderSerializer)
    @action(detail=True, methods=["post"])
    def comeback(self, request, pk=None):
        """Link the order as a comeback of an earlier visit of the same vehicle (or clear it)."""
        order = self.get_object()
        data = self._input(request, s.ComebackSerializer)
        earlier = None
        if data["earlier"] is not None:
            earlier = get_object_or_404(RepairOrder.objects.for_user(request.user), pk=data["earlier"])
        return self._reply(
            services.repair_order_link_comeback(order=order, earlier=earlier, by=request.user, version=data["version"])
        )

    @extend_schema(request=None, responses=s.ComebackCandidateSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="comeback-candidates")
    def comeback_candidates(self, request, pk=None):
        """Reception: the vehicle's recent deliveries this order is a revisit of (≤ 30 days), same fault first."""
        order = self.get_object()
        return Response(s.ComebackCandidateSerializer(comebacks.comeback_candidates(order=order), many=True).data)

    @extend_schema(request=None, responses=s.RevisitSerializer(many=True))
    @action(detail=True, methods=["get"])
    def revisits(self, request, pk=None):
        """The later visits that came back about this order within 30 days (linked, same fault, or dismissed)."""
        order = self.get_object()
        return Response(s.RevisitSerializer(comebacks.revisits_of(order=order), many=True).data)

    @extend_schema(request=s.ComebackDismissSerializer, responses={201: s.ComebackDismissalSerializer})
    @action(detail=True, methods=["post"], url_path="not-a-comeback")
    def not_a_comeback(self, request, pk=None):
        """Mark this order "not a comeback" of an earlier one it was detected as a comeback of, with the reason."""
        order = self.get_object()
        data = self._input(request, s.ComebackDismissSerializer)
        earlier = get_object_or_404(RepairOrder.objects.for_user(request.user), pk=data["earlier"])
        dismissal = services.comeback_dismiss(original=earlier, revisit=order, reason=data["reason"], by=request.user)
        return Response(s.ComebackDismissalSerializer(dismissal).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.ComebackDismissalSerializer)
    @action(detail=True, methods=["post"], url_path=r"not-a-comeback/(?P<dismissal_id>\d+)/undo")
    def not_a_comeback_undo(self, request, pk=None, dismissal_id=None):
        """Undo a "not a comeback" of this order (either side of the pair): the revisit counts again."""
        order = self.get_object()
        dismissal = get_object_or_404(
            ComebackDismissal.objects.filter(Q(original=order) | Q(revisit=order)).select_related("original"),
            pk=dismissal_id,
        )
        dismissal = services.comeback_dismissal_revoke(dismissal=dismissal, by=request.user)
        return Response(s.ComebackDismissalSerializer(dismissal).data)
