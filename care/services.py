"""Writes of customer care: follow-up scheduling, call records, letters, reminders, campaigns, lapse reasons.

The follow-up rules are the dealership's after-sales management rules (售后服务管理制度):

* the first follow-up call is made on day 3 to day 7 after the car was handed over (D4);
* the second follow-up call is made within the 7 days after the first one (D4);
* three failed attempts (not reached / wrong number) close a follow-up as *unreachable*;
* every call — ours or the customer's — is recorded (跟踪服务电话记录), every letter registered (信函登记表).

A follow-up task carries its on-time window: ``due_at`` (the first day it may be done, 00:00 local) and
``due_by`` (the last moment it is on time: the end of the last local day, a microsecond before the next midnight,
so a call at 23:59:59.5 is on time).  D4 counts the tasks whose window
ends in the period and that were done inside their window.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from care.choices import (
    CONTACT_MADE,
    FAILED_ATTEMPT,
    CallDirection,
    CallOutcome,
    CallPurpose,
    CampaignStatus,
    LapseReason,
    LetterKind,
    LetterMedium,
    ReminderStatus,
    TargetStatus,
)
from care.models import CallRecord, Campaign, CampaignTarget, LapseNote, Letter, Reminder
from core.dates import days_bounds, local_date
from core.numbering import next_number
from core.permissions import require
from core.services import lock_version, save_next_version
from customers.models import Customer, Vehicle
from todo.choices import TaskKind, TaskStatus
from todo.models import Task
from todo.services import task_create

FIRST_FOLLOW_UP_DAYS = (3, 7)  # first call from day 3 to day 7 after delivery
SECOND_FOLLOW_UP_DAYS = (1, 7)  # second call on the 7 days after the first
MAX_FAILED_ATTEMPTS = 3
FOLLOW_UP_KINDS = (TaskKind.FOLLOWUP_FIRST, TaskKind.FOLLOWUP_SECOND)
COMPLAINT_FIELDS = {"category": "complaint_category", "severity": "complaint_severity", "description": "complaint_text"}


def follow_up_window(kind: str, after: datetime) -> tuple[datetime, datetime]:
    """The on-time window of a follow-up: counted in local calendar days after ``after``."""
    first, last = FIRST_FOLLOW_UP_DAYS if kind == TaskKind.FOLLOWUP_FIRST else SECOND_FOLLOW_UP_DAYS
    day = local_date(after)
    start, end = days_bounds(day + timedelta(days=first), day + timedelta(days=last))
    # due_by is a deadline compared "at or before" (core.indicators.by_deadline): the last moment before ``end``.
    return start, end - timedelta(microseconds=1)


def schedule_first_follow_up(*, order, by) -> Task:
    """Put the first follow-up call of a delivered order on the follow-up specialists' list (day 3–7)."""
    due_at, due_by = follow_up_window(TaskKind.FOLLOWUP_FIRST, order.delivered_at)
    return task_create(
        dealer=order.dealer, kind=TaskKind.FOLLOWUP_FIRST, due_at=due_at, due_by=due_by,
        title=f"{TaskKind.FOLLOWUP_FIRST.label}: {order.number} {order.customer}",
        role=Role.FOLLOWUP_SPECIALIST, by=by, customer=order.customer, vehicle=order.vehicle, repair_order=order,
    )  # fmt: skip


def _schedule_second_follow_up(*, first: Task, called_at: datetime, by) -> Task:
    due_at, due_by = follow_up_window(TaskKind.FOLLOWUP_SECOND, called_at)
    return task_create(
        dealer=first.dealer, kind=TaskKind.FOLLOWUP_SECOND, due_at=due_at, due_by=due_by,
        title=f"{TaskKind.FOLLOWUP_SECOND.label}: {first.repair_order.number if first.repair_order else ''} "
        f"{first.customer}",
        role=Role.FOLLOWUP_SPECIALIST, by=by, customer=first.customer, vehicle=first.vehicle,
        repair_order=first.repair_order,
    )  # fmt: skip


def _check_links(dealer, **records) -> None:
    for name, record in records.items():
        if record is not None and record.dealer_id != dealer.pk:
            raise ValidationError({name: _("This record belongs to another dealer.")})


@transaction.atomic
def call_record(
    *,
    by,
    outcome: str,
    task: Task | None = None,
    reminder: Reminder | None = None,
    target: CampaignTarget | None = None,
    dealer=None,
    customer=None,
    vehicle=None,
    repair_order=None,
    purpose: str | None = None,
    direction: str = CallDirection.OUTBOUND,
    called_at: datetime | None = None,
    satisfaction: int | None = None,
    problem_solved: bool | None = None,
    summary: str = "",
    customer_request: str = "",
    complaint_text: str = "",
    next_action: str = "",
    next_contact_on: date | None = None,
    complaint: dict | None = None,
) -> CallRecord:
    """Record a call and move on what it was about.

    A follow-up task is done when the customer was reached (or refused to talk); after three failed attempts it
    closes as unreachable; a done first follow-up schedules the second.  A reminder or campaign target is marked
    contacted.  A call is either about one of these (task, reminder, campaign target) or free-standing (an
    inbound call, a win-back call) with its dealer and customer given.

    ``complaint`` (``{"category": …, "severity": …}``) registers the complaint the customer raised on the call
    (``complaint_text``) as a complaint record from the follow-up-call channel, linked to the call, in the same
    transaction: the complaint's SLA clock starts at the call.
    """
    if sum(x is not None for x in (task, reminder, target)) > 1:
        raise ValidationError(_("A call is about one task, reminder or campaign target."))
    if outcome not in CallOutcome.values:
        raise ValidationError({"outcome": _("Choose the outcome of the call.")})
    now = timezone.now()
    called_at = called_at or now
    if called_at > now + timedelta(minutes=5):
        raise ValidationError({"called_at": _("A call cannot be recorded in the future.")})

    if task is not None:
        task = Task.objects.select_for_update(of=("self",)).select_related("dealer", "repair_order").get(pk=task.pk)
        if task.status != TaskStatus.OPEN:
            raise ValidationError(_("This task is already closed."))
        dealer, customer, vehicle, repair_order = task.dealer, task.customer, task.vehicle, task.repair_order
        purpose = purpose or (CallPurpose.FOLLOW_UP if task.kind in FOLLOW_UP_KINDS else CallPurpose.OTHER)
    elif reminder is not None:
        reminder = Reminder.objects.select_for_update().select_related("dealer").get(pk=reminder.pk)
        if reminder.status in (ReminderStatus.BOOKED, ReminderStatus.DISMISSED):
            raise ValidationError(_("This reminder is closed: record the call on the customer's page."))
        dealer, customer, vehicle = reminder.dealer, reminder.customer, reminder.vehicle
        purpose = CallPurpose.REMINDER
    elif target is not None:
        target = CampaignTarget.objects.select_for_update().select_related("campaign__dealer").get(pk=target.pk)
        dealer, customer, vehicle = target.campaign.dealer, target.customer, target.vehicle
        purpose = CallPurpose.WIN_BACK if target.campaign.kind == "win_back" else CallPurpose.CAMPAIGN
    if dealer is None or customer is None:
        raise ValidationError({"customer": _("Choose the customer the call was with.")})
    require(by, dealer=dealer)
    _check_links(dealer, customer=customer, vehicle=vehicle, repair_order=repair_order)
    if vehicle is not None and vehicle.owner_id != customer.pk and task is None:
        raise ValidationError({"vehicle": _("This vehicle belongs to another customer.")})
    if purpose not in CallPurpose.values:
        raise ValidationError({"purpose": _("Choose what the call was about.")})
    if direction not in CallDirection.values:
        raise ValidationError({"direction": _("Choose who called.")})
    if outcome == CallOutcome.REACHED and purpose == CallPurpose.FOLLOW_UP and satisfaction is None:
        raise ValidationError({"satisfaction": _("Ask the customer how satisfied they are with the visit.")})
    if outcome not in (CallOutcome.REACHED,) and (satisfaction is not None or problem_solved is not None):
        raise ValidationError({"satisfaction": _("Only a reached customer gives answers.")})

    call = CallRecord(
        dealer=dealer, customer=customer, vehicle=vehicle, repair_order=repair_order, task=task, reminder=reminder,
        campaign_target=target, direction=direction, purpose=purpose, called_at=called_at, called_by=by,
        outcome=outcome, satisfaction=satisfaction, problem_solved=problem_solved, summary=summary.strip(),
        customer_request=customer_request.strip(), complaint_text=complaint_text.strip(),
        next_action=next_action.strip(), next_contact_on=next_contact_on,
    )  # fmt: skip
    if complaint is not None:
        if not call.complaint_text:
            raise ValidationError({"complaint_text": _("Write down what the customer complains about.")})
        from complaints.choices import Channel
        from complaints.services import complaint_open

        try:
            call.complaint = complaint_open(
                dealer=dealer, by=by, channel=Channel.FOLLOW_UP_CALL, category=complaint.get("category", ""),
                severity=complaint.get("severity", ""), description=call.complaint_text, customer=customer,
                vehicle=vehicle, repair_order=repair_order, received_at=called_at,
            )  # fmt: skip
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                raise
            raise ValidationError(
                {COMPLAINT_FIELDS.get(field, field): errors for field, errors in exc.error_dict.items()}
            ) from exc
    call._history_user = by
    call.full_clean()
    call.save()

    if task is not None:
        _advance_task(task, call, by)
    elif reminder is not None and outcome in CONTACT_MADE:
        reminder.status = ReminderStatus.CONTACTED
        reminder.contacted_at = called_at
        reminder.outcome = (summary or customer_request)[:200]
        save_next_version(reminder, by=by, update_fields=["status", "contacted_at", "outcome"], clean=False)
    elif target is not None:
        _advance_target(target, call)
    return call


def _advance_task(task: Task, call: CallRecord, by) -> None:
    if call.outcome in CONTACT_MADE:
        task.status, task.done_at, task.done_by = TaskStatus.DONE, call.called_at, by
        task.outcome = call.get_outcome_display() if not call.summary else call.summary[:500]
    elif call.outcome in FAILED_ATTEMPT:
        failed = CallRecord.objects.filter(task=task, outcome__in=FAILED_ATTEMPT).count()
        if failed < MAX_FAILED_ATTEMPTS:
            return
        task.status, task.done_at, task.done_by = TaskStatus.UNREACHABLE, call.called_at, by
        task.outcome = _("Unreachable after %(n)d attempts.") % {"n": failed}
    task._history_user = by
    task.save(update_fields=["status", "done_at", "done_by", "outcome"])
    if task.status == TaskStatus.DONE and task.kind == TaskKind.FOLLOWUP_FIRST:
        _schedule_second_follow_up(first=task, called_at=call.called_at, by=by)


def _advance_target(target: CampaignTarget, call: CallRecord) -> None:
    if call.outcome == CallOutcome.REACHED:
        target.status = TargetStatus.CONTACTED
    elif call.outcome == CallOutcome.REFUSED:
        target.status = TargetStatus.DECLINED
    elif CallRecord.objects.filter(campaign_target=target, outcome__in=FAILED_ATTEMPT).count() >= MAX_FAILED_ATTEMPTS:
        target.status = TargetStatus.UNREACHABLE
    else:
        return
    if target.contacted_at is None and call.outcome in CONTACT_MADE:
        target.contacted_at = call.called_at
    target.save(update_fields=["status", "contacted_at"])


def failed_attempts(task: Task) -> int:
    return CallRecord.objects.filter(task=task, outcome__in=FAILED_ATTEMPT).count()


# --- letters (跟踪服务信函登记表) -----------------------------------------------------------------------------


@transaction.atomic
def letter_register(
    *, dealer, customer, kind: str, medium: str, subject: str, body: str, sent_on: date, by,
    repair_order=None, campaign: Campaign | None = None,
) -> Letter:  # fmt: skip
    """Register a letter sent to a customer, numbered per dealer and year (e.g. GZ01-L2026-0007)."""
    require(by, dealer=dealer)
    _check_links(dealer, customer=customer, repair_order=repair_order, campaign=campaign)
    if kind not in LetterKind.values:
        raise ValidationError({"kind": _("Choose the kind of letter.")})
    if medium not in LetterMedium.values:
        raise ValidationError({"medium": _("Choose how the letter was sent.")})
    if sent_on > timezone.localdate():
        raise ValidationError({"sent_on": _("A letter is registered once it is sent.")})
    letter = Letter(
        dealer=dealer, number=next_number(Letter, dealer=dealer, when=sent_on, prefix="{dealer}-L{when:%Y}-"),
        customer=customer, kind=kind, medium=medium,
        subject=subject.strip(), body=body.strip(), sent_on=sent_on, sent_by=by, repair_order=repair_order,
        campaign=campaign,
    )  # fmt: skip
    letter._history_user = by
    letter.full_clean()
    letter.save()
    return letter


# --- reminders --------------------------------------------------------------------------------------------------


@transaction.atomic
def reminder_close(*, reminder: Reminder, by, status: str, outcome: str = "", appointment=None, version: int):
    """Mark a reminder booked (with the appointment) or dismissed (with a reason)."""
    require(by, dealer=reminder.dealer_id)
    lock_version(reminder, expected_version=version)
    reminder = Reminder.objects.select_for_update().get(pk=reminder.pk)
    if status not in (ReminderStatus.BOOKED, ReminderStatus.DISMISSED):
        raise ValidationError({"status": _("A reminder ends booked or dismissed.")})
    if status == ReminderStatus.DISMISSED and not outcome.strip():
        raise ValidationError({"outcome": _("Say why the reminder is dismissed.")})
    if status == ReminderStatus.BOOKED:
        if appointment is None:
            raise ValidationError({"appointment": _("Choose the appointment the customer booked.")})
        if appointment.dealer_id != reminder.dealer_id or appointment.customer_id != reminder.customer_id:
            raise ValidationError({"appointment": _("Choose an appointment of this customer at this dealer.")})
    reminder.status, reminder.outcome, reminder.appointment = status, outcome.strip(), appointment
    return save_next_version(reminder, by=by, clean=False)


# --- campaigns ------------------------------------------------------------------------------------------------


@transaction.atomic
def campaign_set_status(*, campaign: Campaign, status: str, by, version: int) -> Campaign:
    """Launch (draft → running) or close (running → closed) a campaign."""
    require(by, dealer=campaign.dealer_id)
    lock_version(campaign, expected_version=version)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    allowed = {CampaignStatus.DRAFT: CampaignStatus.ACTIVE, CampaignStatus.ACTIVE: CampaignStatus.CLOSED}
    if allowed.get(campaign.status) != status:
        raise ValidationError({"status": _("A campaign goes from draft to running to closed.")})
    if status == CampaignStatus.ACTIVE and not campaign.targets.exists():
        raise ValidationError({"status": _("Add customers to the target list before launching.")})
    campaign.status = status
    return save_next_version(campaign, by=by, clean=False)


@transaction.atomic
def campaign_add_targets(*, campaign: Campaign, customers, by) -> int:
    """Add customers (with their most recent vehicle) to a draft or running campaign; returns how many were new."""
    require(by, dealer=campaign.dealer_id)
    if campaign.status == CampaignStatus.CLOSED:
        raise ValidationError(_("A closed campaign's list cannot change."))
    customer_ids = {c.pk for c in customers}
    if Customer.objects.filter(pk__in=customer_ids).exclude(dealer_id=campaign.dealer_id).exists():
        raise ValidationError(_("Only customers of the campaign's dealer can be targeted."))
    latest_vehicle = {}
    for vehicle_id, owner_id in (
        Vehicle.objects.filter(owner_id__in=customer_ids)
        .order_by("owner_id", "-updated_at")
        .values_list("id", "owner_id")
    ):
        latest_vehicle.setdefault(owner_id, vehicle_id)
    existing = set(campaign.targets.values_list("customer_id", flat=True))
    new = [
        CampaignTarget(campaign=campaign, customer_id=cid, vehicle_id=latest_vehicle.get(cid))
        for cid in sorted(customer_ids - existing)
    ]
    CampaignTarget.objects.bulk_create(new)
    return len(new)


@transaction.atomic
def campaign_invite(*, campaign: Campaign, by, channel: str, body: str) -> int:
    """Invite every target not contacted and not invited yet (consent is respected); returns how many."""
    from care.messaging import send_message

    require(by, dealer=campaign.dealer_id)
    campaign = Campaign.objects.select_for_update().select_related("dealer").get(pk=campaign.pk)
    if campaign.status != CampaignStatus.ACTIVE:
        raise ValidationError(_("Invitations go out once the campaign is running."))
    if not body.strip():
        raise ValidationError({"body": _("Write the invitation.")})
    targets = list(
        campaign.targets.filter(status=TargetStatus.PENDING, invited_at__isnull=True).select_related("customer")
    )
    for target in targets:
        send_message(dealer=campaign.dealer, customer=target.customer, purpose="campaign", body=body, channel=channel,
                     by=by)  # fmt: skip
    CampaignTarget.objects.filter(pk__in=[t.pk for t in targets]).update(invited_at=timezone.now())
    return len(targets)


# --- lapsed customers (流失客户) ------------------------------------------------------------------------------


@transaction.atomic
def lapse_note_record(*, customer, reason: str, note: str = "", by, call: CallRecord | None = None) -> LapseNote:
    """Record why a lapsed customer stopped coming."""
    require(by, dealer=customer.dealer_id)
    if reason not in LapseReason.values:
        raise ValidationError({"reason": _("Choose the reason.")})
    if call is not None and call.customer_id != customer.pk:
        raise ValidationError({"call": _("The call was with another customer.")})
    record = LapseNote(
        dealer_id=customer.dealer_id, customer=customer, reason=reason, note=note.strip(), call=call,
        recorded_at=timezone.now(), recorded_by=by,
    )  # fmt: skip
    record._history_user = by
    record.save()
    return record
