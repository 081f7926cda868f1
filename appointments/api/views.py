"""API of appointments: list, get and book; every status change is an action that calls a service."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from appointments import services
from appointments.api import serializers as s
from appointments.filtersets import AppointmentFilterSet
from appointments.models import Appointment
from core.api import DealerScopedViewSetMixin, ScopedModelPermissions


class CanChangeAppointments(permissions.BasePermission):
    """The actions change an appointment (POST alone would only ask for 'add')."""

    def has_permission(self, request, view):
        return request.user.has_perm("appointments.change_appointment")


class AppointmentViewSet(
    DealerScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Appointments of the user's dealers. Filter by dealer, status, advisor, vehicle, date_from/date_to."""

    queryset = Appointment.objects.select_related("customer", "vehicle").order_by("slot_start", "id")
    serializer_class = s.AppointmentSerializer
    filterset_class = AppointmentFilterSet
    ordering_fields = ["slot_start", "created_at"]

    def get_permissions(self):
        if self.action in ("list", "retrieve", "create"):
            return [permissions.IsAuthenticated(), ScopedModelPermissions()]
        return [permissions.IsAuthenticated(), CanChangeAppointments()]

    def _reply(self, appointment, code=status.HTTP_200_OK):
        appointment = Appointment.objects.select_related("customer", "vehicle").get(pk=appointment.pk)
        return Response(s.AppointmentSerializer(appointment, context=self.get_serializer_context()).data, status=code)

    def _input(self, serializer_class) -> dict:
        data_in = serializer_class(data=self.request.data, context=self.get_serializer_context())
        data_in.is_valid(raise_exception=True)
        return dict(data_in.validated_data)

    @extend_schema(request=s.AppointmentBookSerializer, responses={201: s.AppointmentSerializer})
    def create(self, request):
        """Book a slot for a vehicle; the day-before reminder goes on the advisor's to-do list."""
        data = self._input(s.AppointmentBookSerializer)
        return self._reply(services.appointment_book(by=request.user, **data), status.HTTP_201_CREATED)

    @extend_schema(request=s.VersionSerializer, responses=s.AppointmentSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """The customer confirmed the slot."""
        appointment = self.get_object()
        data = self._input(s.VersionSerializer)
        return self._reply(services.appointment_confirm(appointment=appointment, by=request.user, **data))

    @extend_schema(request=s.RescheduleSerializer, responses=s.AppointmentSerializer)
    @action(detail=True, methods=["post"])
    def reschedule(self, request, pk=None):
        """Move to another slot (capacity checked); the reminder moves with it."""
        appointment = self.get_object()
        data = self._input(s.RescheduleSerializer)
        return self._reply(services.appointment_reschedule(appointment=appointment, by=request.user, **data))

    @extend_schema(request=s.CancelSerializer, responses=s.AppointmentSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel with the customer's reason."""
        appointment = self.get_object()
        data = self._input(s.CancelSerializer)
        return self._reply(services.appointment_cancel(appointment=appointment, by=request.user, **data))

    @extend_schema(request=s.VersionSerializer, responses=s.AppointmentSerializer)
    @action(detail=True, methods=["post"], url_path="no-show")
    def no_show(self, request, pk=None):
        """The customer did not come (only once the slot has started)."""
        appointment = self.get_object()
        data = self._input(s.VersionSerializer)
        return self._reply(services.appointment_mark_no_show(appointment=appointment, by=request.user, **data))

    @extend_schema(request=s.ArriveSerializer, responses=s.AppointmentSerializer)
    @action(detail=True, methods=["post"])
    def arrive(self, request, pk=None):
        """Record the arrival (default now) and open the repair order; its id is in ``repair_order``."""
        appointment = self.get_object()
        data = self._input(s.ArriveSerializer)
        return self._reply(services.appointment_arrive(appointment=appointment, by=request.user, **data))
