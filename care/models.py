"""Customer care: outgoing messages, follow-up calls, letters, reminders, campaigns and the churn watch."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from care.choices import (
    CallDirection,
    CallOutcome,
    CallPurpose,
    CampaignKind,
    CampaignStatus,
    LapseReason,
    LetterKind,
    LetterMedium,
    MessageChannel,
    MessagePurpose,
    MessageStatus,
    ReminderKind,
    ReminderStatus,
    Satisfaction,
    TargetStatus,
)
from core.models import VersionedModel
from core.tenancy import DealerScopedQuerySet


class OutboundMessage(models.Model):
    """One message to a customer, whatever the channel: the log of what the dealer told whom, when and how."""

    dealer = models.ForeignKey(
        "organization.Dealer", on_delete=models.PROTECT, related_name="messages", verbose_name=_("dealer")
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="messages", verbose_name=_("customer")
    )
    channel = models.CharField(_("channel"), max_length=10, choices=MessageChannel.choices)
    purpose = models.CharField(_("purpose"), max_length=20, choices=MessagePurpose.choices)
    recipient = models.CharField(_("recipient"), max_length=100, help_text=_("Mobile number or account."))
    body = models.TextField(_("text"))
    status = models.CharField(_("status"), max_length=10, choices=MessageStatus.choices)
    detail = models.CharField(_("channel detail"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    history = HistoricalRecords()

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["dealer", "purpose", "-created_at"], name="message_dealer_purpose_created"),
            models.Index(fields=["customer", "-created_at"], name="message_customer_created"),
        ]

    def __str__(self):
        return f"{self.get_purpose_display()} → {self.recipient}"


def _fk(model: str, verbose: str, related: str = "+", **kwargs):
    """An optional link to a record of another domain."""
    return models.ForeignKey(
        model, on_delete=models.PROTECT, null=True, blank=True, related_name=related, verbose_name=verbose, **kwargs
    )


class CallRecord(models.Model):
    """One phone call with a customer (跟踪服务电话记录): follow-ups, reminders, campaigns and inbound calls.

    Calls are records of what happened: they are never edited (a correction is a new call note).
    """

    dealer = models.ForeignKey(
        "organization.Dealer", on_delete=models.PROTECT, related_name="calls", verbose_name=_("dealer")
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="calls", verbose_name=_("customer")
    )
    vehicle = _fk("customers.Vehicle", _("vehicle"))
    repair_order = _fk("repairs.RepairOrder", _("repair order"), "calls")
    task = _fk("todo.Task", _("task"), "calls")
    reminder = _fk("care.Reminder", _("reminder"), "calls")
    campaign_target = _fk("care.CampaignTarget", _("campaign target"), "calls")
    direction = models.CharField(
        _("direction"), max_length=10, choices=CallDirection.choices, default=CallDirection.OUTBOUND
    )
    purpose = models.CharField(_("purpose"), max_length=15, choices=CallPurpose.choices)
    called_at = models.DateTimeField(_("called at"))
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("called by")
    )
    outcome = models.CharField(_("outcome"), max_length=15, choices=CallOutcome.choices)
    satisfaction = models.PositiveSmallIntegerField(
        _("overall satisfaction"), choices=Satisfaction.choices, null=True, blank=True
    )
    problem_solved = models.BooleanField(_("problem solved"), null=True, blank=True)
    summary = models.TextField(_("what was said"), blank=True)
    customer_request = models.TextField(_("customer's request or wish"), blank=True)
    complaint_text = models.TextField(_("complaint raised"), blank=True)
    next_action = models.CharField(_("next action"), max_length=200, blank=True)
    next_contact_on = models.DateField(_("next contact on"), null=True, blank=True)
    complaint = _fk("complaints.Complaint", _("complaint opened"), "calls")
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("call record")
        verbose_name_plural = _("call records")
        ordering = ["-called_at", "-id"]
        indexes = [
            models.Index(fields=["dealer", "-called_at"], name="call_dealer_called"),
            models.Index(fields=["customer", "-called_at"], name="call_customer_called"),
            models.Index(fields=["task", "outcome"], name="call_task_outcome"),
        ]

    def __str__(self):
        return f"{self.customer} {self.called_at:%Y-%m-%d %H:%M} {self.get_outcome_display()}"


class Letter(models.Model):
    """A letter sent to a customer (跟踪服务信函登记表): notices, invitations and complaint replies."""

    dealer = models.ForeignKey(
        "organization.Dealer", on_delete=models.PROTECT, related_name="letters", verbose_name=_("dealer")
    )
    number = models.CharField(_("register number"), max_length=30, unique=True, editable=False)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="letters", verbose_name=_("customer")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=LetterKind.choices)
    medium = models.CharField(_("sent by"), max_length=10, choices=LetterMedium.choices)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    sent_on = models.DateField(_("sent on"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("registered by")
    )
    repair_order = _fk("repairs.RepairOrder", _("repair order"))
    campaign = _fk("care.Campaign", _("campaign"), "letters")
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("letter")
        verbose_name_plural = _("letters")
        ordering = ["-sent_on", "-id"]
        indexes = [models.Index(fields=["dealer", "-sent_on"], name="letter_dealer_sent")]

    def __str__(self):
        return f"{self.number} {self.subject}"


class Reminder(VersionedModel):
    """Something due for a customer worth a call (客户关怀): service, insurance, warranty, inspection, birthday."""

    dealer = models.ForeignKey(
        "organization.Dealer", on_delete=models.PROTECT, related_name="reminders", verbose_name=_("dealer")
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="reminders", verbose_name=_("customer")
    )
    vehicle = _fk("customers.Vehicle", _("vehicle"), "reminders")
    kind = models.CharField(_("kind"), max_length=12, choices=ReminderKind.choices)
    due_on = models.DateField(_("due on"), help_text=_("The date of the event: service due, expiry, birthday."))
    remind_on = models.DateField(_("contact from"))
    basis = models.CharField(_("why"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ReminderStatus.choices, default=ReminderStatus.OPEN)
    contacted_at = models.DateTimeField(_("contacted at"), null=True, blank=True, editable=False)
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)
    appointment = _fk("appointments.Appointment", _("appointment"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("care reminder")
        verbose_name_plural = _("care reminders")
        ordering = ["remind_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "vehicle", "kind", "due_on"],
                condition=models.Q(vehicle__isnull=False),
                name="uniq_reminder_vehicle_kind_due",
            ),
            models.UniqueConstraint(
                fields=["customer", "kind", "due_on"],
                condition=models.Q(vehicle__isnull=True),
                name="uniq_reminder_customer_kind_due",
            ),
        ]
        indexes = [models.Index(fields=["dealer", "status", "remind_on"], name="reminder_dealer_status_on")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.customer} {self.due_on}"


class Campaign(VersionedModel):
    """A care campaign (e.g. free-check week) with its target list and what came of it."""

    dealer = models.ForeignKey(
        "organization.Dealer", on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("dealer")
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=15, choices=CampaignKind.choices)
    description = models.TextField(_("offer and message"), blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    status = models.CharField(_("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    criteria = models.JSONField(_("target criteria"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["dealer", "-starts_on"], name="campaign_dealer_starts")]

    def __str__(self):
        return self.name


class CampaignTarget(models.Model):
    """One customer (and vehicle) on a campaign's list and how the contact went.

    Whether the customer booked or came is not stored: it is read from the appointments and repair orders in the
    campaign's dates (``care.selectors.campaign_targets``), so it is always true to the records.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets", verbose_name=_("campaign"))
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="campaign_targets", verbose_name=_("customer")
    )
    vehicle = _fk("customers.Vehicle", _("vehicle"))
    status = models.CharField(_("contact"), max_length=12, choices=TargetStatus.choices, default=TargetStatus.PENDING)
    contacted_at = models.DateTimeField(_("contacted at"), null=True, blank=True)
    invited_at = models.DateTimeField(_("invitation sent at"), null=True, blank=True)
    history = HistoricalRecords()

    objects = DealerScopedQuerySet.as_manager()
    tenant_lookup = "campaign__dealer"

    class Meta:
        verbose_name = _("campaign target")
        verbose_name_plural = _("campaign targets")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "customer"], name="uniq_campaign_target_customer"),
        ]

    def __str__(self):
        return f"{self.campaign}: {self.customer}"


class LapseNote(models.Model):
    """Why a lapsed customer stopped coming, as learnt on a call (流失原因)."""

    dealer = models.ForeignKey(
        "organization.Dealer", on_delete=models.PROTECT, related_name="lapse_notes", verbose_name=_("dealer")
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="lapse_notes", verbose_name=_("customer")
    )
    reason = models.CharField(_("reason"), max_length=20, choices=LapseReason.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    call = _fk("care.CallRecord", _("call"))
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    history = HistoricalRecords()

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("lapse reason")
        verbose_name_plural = _("lapse reasons")
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["customer", "-recorded_at"], name="lapse_customer_recorded")]

    def __str__(self):
        return f"{self.customer}: {self.get_reason_display()}"
