"""Complaints (投诉): intake, SLA clock, escalation, contacts, resolution and crisis alerts."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from complaints.choices import (
    CRISIS_COLOURS,
    ESCALATION_COLOURS,
    SEVERITY_COLOURS,
    STATUS_COLOURS,
    AgreementMethod,
    Category,
    Channel,
    ContactChannel,
    CrisisLevel,
    CrisisReason,
    EscalationLevel,
    EventAction,
    Severity,
    Status,
)
from core.models import VersionedModel
from core.tenancy import DealerScopedQuerySet

USER = settings.AUTH_USER_MODEL


def _days(default: int, label: str):
    return models.PositiveSmallIntegerField(
        label, default=default, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )


class ComplaintPolicy(models.Model):
    """The SLA targets and crisis thresholds of complaints: one default (no dealer) and optional per-dealer ones.

    Times count working time in the dealer's opening hours (organization.calendar): first contact
    in working hours, feedback and resolution in working days.
    """

    dealer = models.OneToOneField(
        "organization.Dealer",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="complaint_policy",
        verbose_name=_("dealer"),
        help_text=_("Leave empty for the default policy of every dealer without its own."),
    )
    first_contact_hours = models.DecimalField(
        _("first contact within (working hours)"),
        max_digits=4,
        decimal_places=1,
        default=Decimal("2.0"),
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("48"))],
    )
    feedback_days = _days(3, _("feedback within (working days)"))
    resolution_days_low = _days(15, _("resolve a low complaint within (working days)"))
    resolution_days_medium = _days(10, _("resolve a medium complaint within (working days)"))
    resolution_days_high = _days(5, _("resolve a high complaint within (working days)"))
    resolution_days_critical = _days(2, _("resolve a critical complaint within (working days)"))
    region_escalation_days = _days(2, _("escalate to the region after (working days at the service manager)"))
    crisis_count = models.PositiveSmallIntegerField(
        _("crisis alert at (complaints)"), default=3, validators=[MinValueValidator(2), MaxValueValidator(50)]
    )
    crisis_window_days = _days(7, _("crisis alert window (days)"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("complaint SLA policy")
        verbose_name_plural = _("complaint SLA policies")
        constraints = [
            models.UniqueConstraint(
                fields=["dealer"], condition=models.Q(dealer__isnull=True), name="uniq_default_complaint_policy"
            )
        ]

    def __str__(self) -> str:
        return str(self.dealer) if self.dealer_id else str(_("Default policy"))

    def resolution_days(self, severity: str) -> int:
        return getattr(self, f"resolution_days_{severity}")


class Complaint(VersionedModel):
    """A customer complaint (投诉) from any channel, with its SLA deadlines, actual times and outcome."""

    dealer = models.ForeignKey(
        "organization.Dealer", on_delete=models.PROTECT, related_name="complaints", verbose_name=_("dealer")
    )
    number = models.CharField(_("complaint number"), max_length=30, editable=False)
    channel = models.CharField(pgettext_lazy("complaint", "channel"), max_length=20, choices=Channel.choices)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    description = models.TextField(_("what the customer says"))
    contact_name = models.CharField(_("complainant"), max_length=100, blank=True)
    contact_phone = models.CharField(_("complainant's phone"), max_length=30, blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("customer"),
    )
    vehicle = models.ForeignKey(
        "customers.Vehicle",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("vehicle"),
    )
    repair_order = models.ForeignKey(
        "repairs.RepairOrder",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("repair order"),
    )
    staff = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints_about",
        verbose_name=_("staff member complained about"),
    )
    fault_category = models.CharField(_("fault"), max_length=20, blank=True)
    # Complaints with the same key at a dealer within the crisis window raise a crisis alert.
    cluster_key = models.CharField(_("issue key"), max_length=120, blank=True, editable=False)
    received_at = models.DateTimeField(pgettext_lazy("complaint", "received at"))
    received_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="complaints_received", verbose_name=_("received by (受理人)")
    )
    owner = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        related_name="complaints_owned",
        verbose_name=pgettext_lazy("person responsible", "owner"),
    )
    # The SLA: deadlines are stored when the complaint is opened (recomputed on a severity change or reopen).
    sla_started_at = models.DateTimeField(_("resolution clock started at"))
    first_contact_due_at = models.DateTimeField(_("first contact due"))
    feedback_due_at = models.DateTimeField(_("feedback due"))
    resolution_due_at = models.DateTimeField(_("resolution due"))
    first_contact_at = models.DateTimeField(_("first contact at"), null=True, blank=True)
    feedback_at = models.DateTimeField(_("feedback given at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("resolved by")
    )
    root_cause = models.TextField(_("root cause"), blank=True)
    corrective_action = models.TextField(_("corrective action"), blank=True)
    customer_agreed = models.BooleanField(_("customer agrees"), null=True, blank=True)
    agreement_method = models.CharField(
        _("agreement given how"), max_length=10, choices=AgreementMethod.choices, blank=True
    )
    agreement_note = models.CharField(_("customer's words"), max_length=500, blank=True)
    escalation_level = models.PositiveSmallIntegerField(
        _("escalation level"), choices=EscalationLevel.choices, default=EscalationLevel.NONE
    )
    escalated_at = models.DateTimeField(_("escalated to the service manager at"), null=True, blank=True)
    region_escalation_due_at = models.DateTimeField(_("escalates to the region at"), null=True, blank=True)
    region_escalated_at = models.DateTimeField(_("escalated to the region at"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    contact_task = models.ForeignKey(
        "todo.Task",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("first-contact task"),
        editable=False,
    )
    escalation_task = models.ForeignKey(
        "todo.Task",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("escalation task"),
        editable=False,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["version"])

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-received_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["dealer", "number"], name="uniq_complaint_number")]
        indexes = [
            models.Index(fields=["dealer", "-received_at"], name="complaint_dealer_received"),
            models.Index(fields=["dealer", "status", "resolution_due_at"], name="complaint_dealer_status_due"),
            models.Index(fields=["status", "escalation_level"], name="complaint_status_escalation"),
            models.Index(fields=["dealer", "cluster_key", "received_at"], name="complaint_dealer_cluster"),
            models.Index(fields=["owner", "status"], name="complaint_owner_status"),
            models.Index(fields=["staff", "received_at"], name="complaint_staff_received"),
        ]
        permissions = [
            ("resolve_complaint", _("Can resolve, reopen and reassign complaints")),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("complaints:complaint_detail", args=[self.pk])

    @property
    def status_colour(self) -> str:
        return STATUS_COLOURS.get(self.status, "grey")

    @property
    def severity_colour(self) -> str:
        return SEVERITY_COLOURS.get(self.severity, "grey")

    @property
    def escalation_colour(self) -> str:
        return ESCALATION_COLOURS.get(self.escalation_level, "grey")

    @property
    def is_resolved(self) -> bool:
        return self.status == Status.RESOLVED

    @property
    def first_contact_on_time(self) -> bool | None:
        """A2 evidence: contacted by the first-contact deadline (None while not contacted)."""
        return None if self.first_contact_at is None else self.first_contact_at <= self.first_contact_due_at

    @property
    def feedback_on_time(self) -> bool | None:
        """D6 evidence: feedback given by the feedback deadline (None while not given)."""
        return None if self.feedback_at is None else self.feedback_at <= self.feedback_due_at


class ComplaintContact(models.Model):
    """One contact with the complainant (call, visit, message or reply letter 答复函): the contact register."""

    tenant_lookup = "complaint__dealer"

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("complaint")
    )
    contacted_at = models.DateTimeField(_("contacted at"))
    channel = models.CharField(_("how"), max_length=10, choices=ContactChannel.choices)
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    summary = models.TextField(_("what was said"))
    is_first_contact = models.BooleanField(_("first contact"), default=False, editable=False)
    is_feedback = models.BooleanField(
        _("feedback on progress or result"),
        default=False,
        help_text=_("The customer was told how the complaint is being handled or what the result is."),
    )
    letter = models.FileField(_("letter / reply (答复函)"), upload_to="complaints/letters/%Y/%m/", blank=True)
    created_at = models.DateTimeField(_("logged at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("complaint contact")
        verbose_name_plural = _("complaint contacts")
        ordering = ["contacted_at", "id"]
        indexes = [models.Index(fields=["complaint", "contacted_at"], name="complaint_contact_when")]

    def __str__(self) -> str:
        return f"{self.complaint} {self.get_channel_display()} {self.contacted_at:%Y-%m-%d %H:%M}"


class ComplaintEvent(models.Model):
    """One change of a complaint (who, when, from, to): the timeline the detail page shows."""

    tenant_lookup = "complaint__dealer"

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="events", verbose_name=_("complaint")
    )
    action = models.CharField(_("action"), max_length=10, choices=EventAction.choices)
    from_status = models.CharField(_("from"), max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=Status.choices, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), choices=EscalationLevel.choices)
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["complaint", "at"], name="complaint_event_when")]

    def __str__(self) -> str:
        return f"{self.complaint} {self.get_action_display()}"


class CrisisAlert(models.Model):
    """A crisis warning (危机预警): a critical complaint, or several on the same issue in a short time."""

    dealer = models.ForeignKey(
        "organization.Dealer", on_delete=models.PROTECT, related_name="crisis_alerts", verbose_name=_("dealer")
    )
    level = models.CharField(_("level"), max_length=10, choices=CrisisLevel.choices)
    reason = models.CharField(_("reason"), max_length=10, choices=CrisisReason.choices)
    summary = models.CharField(_("summary"), max_length=300)
    cluster_key = models.CharField(_("issue key"), max_length=120, blank=True)
    complaints = models.ManyToManyField(Complaint, related_name="crisis_alerts", verbose_name=_("complaints"))
    raised_at = models.DateTimeField(_("raised at"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("acknowledged by")
    )
    acknowledgement_note = models.CharField(_("response plan"), max_length=500, blank=True)
    history = HistoricalRecords(m2m_fields=[complaints])

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("crisis alert")
        verbose_name_plural = _("crisis alerts")
        ordering = ["-raised_at", "-id"]
        indexes = [
            models.Index(fields=["dealer", "acknowledged_at", "-raised_at"], name="crisis_dealer_ack_raised"),
            models.Index(fields=["dealer", "cluster_key", "-raised_at"], name="crisis_dealer_cluster"),
        ]
        permissions = [("acknowledge_crisisalert", _("Can acknowledge crisis alerts"))]

    def __str__(self) -> str:
        return self.summary

    @property
    def colour(self) -> str:
        return CRISIS_COLOURS.get(self.level, "grey")

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None

    def clean(self) -> None:
        if self.acknowledged_at and not self.acknowledged_by_id:
            raise ValidationError({"acknowledged_by": _("Say who acknowledged the alert.")})
