"""Technician efficiency and service economics (车间效率与经营): attendance and labour cost rates.

Hours sold and clocked come from the repair orders (repairs); what this app adds is the time a technician was at work
(出勤工时, ``Attendance``) and what an hour of their time costs the dealer (人工成本费率, ``CostRate``).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.tenancy import DealerScopedQuerySet
from economics.choices import AbsenceKind
from staff.choices import Position

HOURS = {"max_digits": 5, "decimal_places": 2}


class Attendance(models.Model):
    """One technician's working day at a dealer (出勤记录): clocked in/out at the time clock, or hours given, or the
    reason they were away. ``hours`` is what the day counts as attended (0 for an absence)."""

    dealer = models.ForeignKey(
        "organization.Dealer", on_delete=models.PROTECT, related_name="attendances", verbose_name=_("dealer")
    )
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="attendances", verbose_name=_("technician")
    )
    day = models.DateField(_("day"))
    clock_in = models.TimeField(_("clocked in at"), null=True, blank=True)
    clock_out = models.TimeField(_("clocked out at"), null=True, blank=True)
    break_minutes = models.PositiveSmallIntegerField(
        _("break (minutes)"), default=0, validators=[MaxValueValidator(600)]
    )
    absence = models.CharField(_("absence"), max_length=20, choices=AbsenceKind.choices, blank=True)
    hours = models.DecimalField(
        _("hours attended"),
        **HOURS,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("24"))],
        help_text=_("From the clock-in and clock-out times less the break; give it directly when there are no times."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)
    history = HistoricalRecords()

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["dealer", "day", "technician"]
        constraints = [
            models.UniqueConstraint(fields=["dealer", "technician", "day"], name="uniq_attendance_day"),
            models.CheckConstraint(
                condition=models.Q(absence="") | models.Q(hours=0), name="attendance_absence_no_hours"
            ),
        ]
        indexes = [models.Index(fields=["dealer", "day"], name="attendance_dealer_day")]
        permissions = [("view_economics_attendance", _("Can read the workshop efficiency and economics"))]

    def __str__(self) -> str:
        return f"{self.technician} {self.day}"


class CostRate(models.Model):
    """What an hour of a technician's time costs the dealer (wage, social insurance, bonus: 人工成本), from a date on.

    A rate for one technician wins over the rate for their position (staff.Position); the rate in force on a day is
    the latest one valid from that day or before.
    """

    dealer = models.ForeignKey(
        "organization.Dealer", on_delete=models.PROTECT, related_name="cost_rates", verbose_name=_("dealer")
    )
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cost_rates",
        verbose_name=_("technician"),
        help_text=_("Empty: the rate of everyone in the position without a rate of their own."),
    )
    position = models.CharField(pgettext_lazy("job", "position"), max_length=30, choices=Position.choices, blank=True)
    hourly_cost = models.DecimalField(
        _("cost per hour"), max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    valid_from = models.DateField(_("valid from"))
    history = HistoricalRecords()

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("labour cost rate")
        verbose_name_plural = _("labour cost rates")
        ordering = ["dealer", "technician", "position", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["dealer", "technician", "valid_from"],
                condition=models.Q(technician__isnull=False),
                name="uniq_cost_rate_technician",
            ),
            models.UniqueConstraint(
                fields=["dealer", "position", "valid_from"],
                condition=models.Q(technician__isnull=True),
                name="uniq_cost_rate_position",
            ),
            models.CheckConstraint(
                condition=models.Q(technician__isnull=False) | ~models.Q(position=""), name="cost_rate_whom"
            ),
        ]
        indexes = [models.Index(fields=["dealer", "valid_from"], name="cost_rate_dealer_from")]

    def __str__(self) -> str:
        return f"{self.technician or self.position} {self.hourly_cost} ({self.valid_from})"
