"""Service appointments (预约): a slot at a dealer for one customer's vehicle, from booking to arrival."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from appointments.choices import STATUS_COLOURS, AppointmentChannel, AppointmentStatus, SlotLength
from core.models import TimeStampedModel, VersionedModel
from core.tenancy import DealerScopedQuerySet
from repairs.choices import JobType


class Appointment(TimeStampedModel, VersionedModel):
    """A booked slot for one vehicle at one dealer; arrival opens the repair order (KPIs A1, A4)."""

    dealer = models.ForeignKey(
        "organization.Dealer", on_delete=models.PROTECT, related_name="appointments", verbose_name=_("dealer")
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="appointments", verbose_name=_("customer")
    )
    vehicle = models.ForeignKey(
        "customers.Vehicle", on_delete=models.PROTECT, related_name="appointments", verbose_name=_("vehicle")
    )
    channel = models.CharField(
        pgettext_lazy("appointment", "channel"),
        max_length=10,
        choices=AppointmentChannel.choices,
        default=AppointmentChannel.PHONE,
    )
    slot_start = models.DateTimeField(_("slot"))
    slot_minutes = models.PositiveSmallIntegerField(
        _("slot length"), choices=SlotLength.choices, default=SlotLength.ONE_HOUR
    )
    # Stored (not computed) so that overlap and capacity are plain indexed range queries on every database.
    slot_end = models.DateTimeField(_("slot end"), editable=False)
    job_type = models.CharField(_("job type"), max_length=20, choices=JobType.choices, default=JobType.MAINTENANCE)
    customer_request = models.TextField(
        _("customer's request"), help_text=_("What the customer wants done, in their own words.")
    )
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments_advised",
        verbose_name=_("service advisor"),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.BOOKED,
        editable=False,
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True, editable=False)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    arrived_at = models.DateTimeField(_("customer arrived at"), null=True, blank=True, editable=False)
    arrival_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("arrival recorded by"),
    )
    no_show_at = models.DateTimeField(_("marked no-show at"), null=True, blank=True, editable=False)
    no_show_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("marked no-show by"),
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True, editable=False)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancelled by"),
    )
    cancel_reason = models.CharField(_("cancel reason"), max_length=200, blank=True, editable=False)
    reschedule_count = models.PositiveSmallIntegerField(_("times rescheduled"), default=0, editable=False)
    reminder_task = models.OneToOneField(
        "todo.Task",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointment",
        verbose_name=_("reminder task"),
        editable=False,
    )
    repair_order = models.OneToOneField(
        "repairs.RepairOrder",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointment",
        verbose_name=_("repair order"),
        editable=False,
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["slot_start", "id"]
        indexes = [
            models.Index(fields=["dealer", "slot_start"], name="appt_dealer_slot"),
            models.Index(fields=["dealer", "status", "slot_start"], name="appt_dealer_status_slot"),
            models.Index(fields=["vehicle", "slot_start"], name="appt_vehicle_slot"),
            models.Index(fields=["advisor", "slot_start"], name="appt_advisor_slot"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(slot_end__gt=models.F("slot_start")), name="appt_slot_end_after"),
            models.CheckConstraint(
                condition=~models.Q(status=AppointmentStatus.CANCELLED) | ~models.Q(cancel_reason=""),
                name="appt_cancel_has_reason",
            ),
        ]

    def __str__(self) -> str:
        when = timezone.localtime(self.slot_start).strftime("%Y-%m-%d %H:%M") if self.slot_start else "?"
        return f"{when} {self.vehicle}" if self.vehicle_id else when

    def get_absolute_url(self) -> str:
        return reverse("appointments:appointment_detail", args=[self.pk])

    @property
    def status_colour(self) -> str:
        return STATUS_COLOURS.get(self.status, "grey")

    @property
    def arrival_offset_minutes(self) -> int | None:
        """Whole minutes from the slot to the arrival (negative: early); None until the customer arrived."""
        if self.arrived_at is None:
            return None
        return round((self.arrived_at - self.slot_start).total_seconds() / 60)

    def compute_slot_end(self):
        """The end of the slot from its start and length."""
        return self.slot_start + timedelta(minutes=int(self.slot_minutes))
