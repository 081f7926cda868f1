"""API of complaints (list, read, register, contact, resolve, reopen, reassign) and crisis alerts."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from complaints import services
from complaints.api import serializers as s
from complaints.filtersets import ComplaintFilterSet, CrisisAlertFilterSet
from complaints.models import Complaint, ComplaintContact, ComplaintEvent, CrisisAlert
from core.api import DealerScopedViewSetMixin, ScopedModelPermissions

LIST_RELATED = ("dealer", "vehicle", "received_by", "owner")


class HasPermission(permissions.BasePermission):
    """The action's own permission (the service checks it again, with the dealer)."""

    def has_permission(self, request, view):
        needed = getattr(view, "action_permissions", {}).get(view.action)
        return needed is None or request.user.has_perm(needed)


class ComplaintViewSet(
    DealerScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Complaints (投诉) of the user's dealers, with their SLA deadlines, actual times, contacts and timeline."""

    queryset = Complaint.objects.select_related(*LIST_RELATED).order_by("-received_at", "-id")
    filterset_class = ComplaintFilterSet
    ordering_fields = ["received_at", "resolution_due_at", "first_contact_due_at"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    action_permissions = {
        "contact": services.LOG_CONTACT,
        "resolve": services.RESOLVE,
        "reopen": services.RESOLVE,
        "reassign": services.RESOLVE,
    }

    def get_permissions(self):
        if self.action in ("list", "retrieve", "create"):
            return [permissions.IsAuthenticated(), ScopedModelPermissions()]
        return [permissions.IsAuthenticated(), HasPermission()]

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action == "retrieve":
            qs = qs.prefetch_related(
                Prefetch("contacts", queryset=ComplaintContact.objects.select_related("by").order_by("contacted_at")),
                Prefetch("events", queryset=ComplaintEvent.objects.select_related("by").order_by("at", "id")),
            )
        return qs

    def get_serializer_class(self):
        return s.ComplaintListSerializer if self.action == "list" else s.ComplaintSerializer

    def _reply(self, complaint, code=status.HTTP_200_OK):
        complaint = (
            Complaint.objects.select_related(*LIST_RELATED)
            .prefetch_related("contacts__by", "events__by")
            .get(pk=complaint.pk)
        )
        return Response(s.ComplaintSerializer(complaint, context=self.get_serializer_context()).data, status=code)

    def _input(self, request, serializer_class):
        data_in = serializer_class(data=request.data, context=self.get_serializer_context())
        data_in.is_valid(raise_exception=True)
        return dict(data_in.validated_data)

    @extend_schema(request=s.ComplaintCreateSerializer, responses={201: s.ComplaintSerializer})
    def create(self, request):
        """Register a complaint; its deadlines are computed in the dealer's business hours."""
        data = self._input(request, s.ComplaintCreateSerializer)
        complaint = services.complaint_open(by=request.user, **data)
        return self._reply(complaint, status.HTTP_201_CREATED)

    @extend_schema(request=s.ContactInputSerializer, responses={201: s.ComplaintSerializer})
    @action(detail=True, methods=["post"])
    def contact(self, request, pk=None):
        """Log a contact with the customer (the first one stops the A2 clock; "is_feedback" the D6 clock)."""
        complaint = self.get_object()
        data = self._input(request, s.ContactInputSerializer)
        services.complaint_log_contact(complaint=complaint, by=request.user, **data)
        return self._reply(complaint, status.HTTP_201_CREATED)

    @extend_schema(request=s.ResolveSerializer, responses=s.ComplaintSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """Resolve with root cause, corrective action and the customer's answer (send the version)."""
        complaint = self.get_object()
        data = self._input(request, s.ResolveSerializer)
        return self._reply(services.complaint_resolve(complaint=complaint, by=request.user, **data))

    @extend_schema(request=s.ReopenSerializer, responses=s.ComplaintSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """Reopen a resolved complaint with the reason; the resolution clock restarts."""
        complaint = self.get_object()
        data = self._input(request, s.ReopenSerializer)
        return self._reply(services.complaint_reopen(complaint=complaint, by=request.user, **data))

    @extend_schema(request=s.ReassignSerializer, responses=s.ComplaintSerializer)
    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        """Give the complaint to another owner of the dealer."""
        complaint = self.get_object()
        data = self._input(request, s.ReassignSerializer)
        return self._reply(services.complaint_reassign(complaint=complaint, by=request.user, **data))


class CrisisAlertViewSet(
    DealerScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Crisis alerts (危机预警) of the user's dealers; a service manager acknowledges them."""

    queryset = CrisisAlert.objects.select_related("dealer", "acknowledged_by").prefetch_related(
        Prefetch("complaints", queryset=Complaint.objects.only("id"))
    )
    serializer_class = s.CrisisAlertSerializer
    filterset_class = CrisisAlertFilterSet
    action_permissions = {"acknowledge": services.ACKNOWLEDGE}

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [permissions.IsAuthenticated(), ScopedModelPermissions()]
        return [permissions.IsAuthenticated(), HasPermission()]

    @extend_schema(request=s.AcknowledgeSerializer, responses=s.CrisisAlertSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """Acknowledge the alert with the response plan."""
        alert = self.get_object()
        data_in = s.AcknowledgeSerializer(data=request.data)
        data_in.is_valid(raise_exception=True)
        alert = services.crisis_alert_acknowledge(alert=alert, by=request.user, note=data_in.validated_data["note"])
        alert = self.get_queryset().get(pk=alert.pk)
        return Response(self.get_serializer(alert).data)
