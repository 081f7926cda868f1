"""API of customer care: follow-ups, calls, letters, reminders, campaigns, lapsed customers."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from care import selectors, services
from care.api import serializers as s
from care.filtersets import (
    CallRecordFilterSet,
    CampaignFilterSet,
    FollowUpFilterSet,
    LapsedCustomerFilterSet,
    LetterFilterSet,
    ReminderFilterSet,
)
from care.models import CallRecord, Campaign, Letter, Reminder
from core.api import DealerScopedViewSetMixin
from customers.models import Customer
from todo.models import Task


class HasPerm(permissions.BasePermission):
    """A fixed model permission (for viewsets over another app's model)."""

    def __init__(self, perm: str):
        self.perm = perm

    def has_permission(self, request, view):
        return request.user.has_perm(self.perm)


class FollowUpViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The follow-up calls of the user's dealers (``?bucket=today|overdue|upcoming|done``, default today)."""

    serializer_class = s.FollowUpSerializer
    queryset = Task.objects.none()
    filterset_class = FollowUpFilterSet

    def get_permissions(self):
        return [permissions.IsAuthenticated(), HasPerm("care.view_callrecord")]

    def get_queryset(self):
        tasks = Task.objects.for_user(self.request.user)
        return tasks if self.action == "list" else selectors.follow_up_tasks(tasks)

    def filter_queryset(self, queryset):
        # the bucket is the list's: a call is found by its id whatever its bucket
        return super().filter_queryset(queryset) if self.action == "list" else queryset


class CallRecordViewSet(DealerScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        mixins.CreateModelMixin, viewsets.GenericViewSet):  # fmt: skip
    """The call register. POST records a call; a follow-up task moves on as on the page."""

    queryset = CallRecord.objects.select_related("customer", "called_by").order_by("-called_at", "-id")
    serializer_class = s.CallRecordSerializer
    filterset_class = CallRecordFilterSet

    @extend_schema(request=s.CallCreateSerializer, responses={201: s.CallRecordSerializer})
    def create(self, request):
        data_in = s.CallCreateSerializer(data=request.data, context=self.get_serializer_context())
        data_in.is_valid(raise_exception=True)
        data = dict(data_in.validated_data)
        customer = data.pop("customer", None)
        if customer is not None and not any(data.get(k) for k in ("task", "reminder", "target")):
            data.update(dealer=customer.dealer, customer=customer)
        call = services.call_record(by=request.user, **data)
        return Response(self.get_serializer(call).data, status=status.HTTP_201_CREATED)


class LetterViewSet(DealerScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                    mixins.CreateModelMixin, viewsets.GenericViewSet):  # fmt: skip
    """The letter register (notices, invitations, reply letters). POST registers a sent letter."""

    queryset = Letter.objects.select_related("customer").order_by("-sent_on", "-id")
    serializer_class = s.LetterSerializer
    filterset_class = LetterFilterSet

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        customer = data.pop("customer")
        serializer.instance = services.letter_register(
            dealer=customer.dealer, customer=customer, by=self.request.user, **data
        )


class ReminderViewSet(DealerScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      viewsets.GenericViewSet):  # fmt: skip
    """Care reminders. ``close`` marks one booked (with the appointment) or dismissed."""

    queryset = Reminder.objects.order_by("remind_on", "id")
    serializer_class = s.ReminderSerializer
    filterset_class = ReminderFilterSet

    @extend_schema(request=s.ReminderCloseSerializer, responses=s.ReminderSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        if not request.user.has_perm("care.change_reminder"):
            raise PermissionDenied
        reminder = self.get_object()
        data_in = s.ReminderCloseSerializer(data=request.data)
        data_in.is_valid(raise_exception=True)
        data = dict(data_in.validated_data)
        appointment_id, appointment = data.pop("appointment", None), None
        if appointment_id:
            from appointments.models import Appointment

            appointment = Appointment.objects.for_user(request.user).filter(pk=appointment_id).first()
            if appointment is None:
                raise ValidationError({"appointment": [_("Choose an appointment of this customer at this dealer.")]})
        reminder = services.reminder_close(reminder=reminder, by=request.user, appointment=appointment, **data)
        return Response(self.get_serializer(reminder).data)


class CampaignViewSet(DealerScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      mixins.CreateModelMixin, viewsets.GenericViewSet):  # fmt: skip
    """Care campaigns; ``targets`` lists the target list with contact, booked and came."""

    queryset = Campaign.objects.order_by("-starts_on", "-id")
    serializer_class = s.CampaignSerializer
    filterset_class = CampaignFilterSet

    def perform_create(self, serializer):
        serializer.save(created_by=self.request.user)

    @extend_schema(responses=s.CampaignTargetSerializer(many=True))
    @action(detail=True, methods=["get"])
    def targets(self, request, pk=None):
        campaign = get_object_or_404(Campaign.objects.for_user(request.user), pk=pk)
        page = self.paginate_queryset(selectors.campaign_targets(campaign).order_by("id"))
        return self.get_paginated_response(s.CampaignTargetSerializer(page, many=True).data)


class LapsedCustomerViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Customers with no visit for ``?months=`` (default 12) months, most valuable first."""

    serializer_class = s.LapsedCustomerSerializer
    queryset = Customer.objects.none()

    def get_permissions(self):
        return [permissions.IsAuthenticated(), HasPerm("care.view_lapsenote")]

    filterset_class = LapsedCustomerFilterSet

    def get_queryset(self):
        return Customer.objects.for_user(self.request.user)
