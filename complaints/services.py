"""Writes of complaints (投诉): intake, contacts, changes, reassignment, resolution, reopening, escalation, alerts.

The SLA clock counts working time in the dealer's opening hours (organization.calendar, core.business_hours):

* first contact (KPI A2): ``first_contact_hours`` working hours after the complaint was received;
* feedback (KPI D6): ``feedback_days`` working days after it was received;
* resolution: ``resolution_days_<severity>`` working days after the resolution clock started
  (``sla_started_at``: when it was received, or when it was last reopened).

Deadlines are stored when a complaint is opened and recomputed when its severity changes. A reopen
keeps the first-contact and feedback deadlines and times (A2 and D6 are about the original complaint),
clears the resolution (B5 counts it again only once it is resolved again) and restarts the resolution
clock at the reopen. Every write is keyword-only, runs in one transaction, checks the user's dealers
and role, refuses a save based on an old version (409) and leaves nothing changed when it refuses.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import Role
from accounts.models import DealerMembership, User
from complaints import notices
from complaints.choices import (
    UNRESOLVED,
    AgreementMethod,
    Category,
    Channel,
    ContactChannel,
    CrisisLevel,
    CrisisReason,
    EscalationLevel,
    EventAction,
    Severity,
)
from complaints.models import Complaint, ComplaintContact, ComplaintPolicy, CrisisAlert
from complaints.state import COMPLAINT_STATES, LOG_CONTACT, RESOLVE, complaint_event
from core.business_hours import BusinessCalendar, deadline
from core.numbering import next_number
from core.permissions import require
from core.services import lock_version, save_next_version
from core.uploads import IMAGE_KINDS, UploadRule
from customers.models import Customer, Vehicle
from organization.calendar import business_calendar
from organization.models import Dealer
from repairs.choices import FaultCategory
from repairs.models import RepairOrder
from todo.choices import TaskKind, TaskStatus
from todo.models import Task

ADD = "complaints.add_complaint"
CHANGE = "complaints.change_complaint"
ACKNOWLEDGE = "complaints.acknowledge_crisisalert"

UPDATE_FIELDS = ("category", "severity", "description", "fault_category", "contact_name", "contact_phone", "staff")
# How far ahead the holidays are loaded for one clock: the longest target (60 working days) and then some.
CALENDAR_SPAN = timedelta(days=200)
# Clocks run a little fast on some phones: a contact "in the future" by less than this is accepted as now.
CLOCK_SKEW = timedelta(minutes=5)
# Roles that may own a complaint and receive its tasks, in the order a task's role is chosen.
OWNER_ROLES = (Role.SERVICE_MANAGER, Role.FOLLOWUP_SPECIALIST, Role.SERVICE_ADVISOR)
# Reply letters (答复函): a scan or photo of the letter, or the PDF; checked from the content, never the name.
LETTER_UPLOAD = UploadRule(
    kinds=("pdf", *IMAGE_KINDS),
    max_bytes=10 * 1024 * 1024,
    too_large=gettext_lazy("A letter may be at most %(mb)s MB."),
    wrong_kind=gettext_lazy("Use a PDF or a photo of the letter (JPEG, PNG or WebP)."),
)


# --- SLA ---------------------------------------------------------------------------------------------------


def policy_for(dealer: Dealer) -> ComplaintPolicy:
    """The dealer's complaint policy, else the default one, else the built-in defaults (unsaved)."""
    policies = {p.dealer_id: p for p in ComplaintPolicy.objects.filter(Q(dealer=dealer) | Q(dealer__isnull=True))}
    return policies.get(dealer.pk) or policies.get(None) or ComplaintPolicy()


def calendar_for(dealer: Dealer, start: datetime) -> BusinessCalendar:
    """The dealer's business calendar with its holidays from a few days before ``start`` on."""
    day = timezone.localtime(start).date()
    return business_calendar(dealer, day - timedelta(days=3), day + CALENDAR_SPAN)


@dataclass(frozen=True)
class Deadlines:
    first_contact_due_at: datetime
    feedback_due_at: datetime
    resolution_due_at: datetime


def sla_deadlines(
    *, calendar: BusinessCalendar, policy: ComplaintPolicy, received_at: datetime, sla_started_at: datetime, severity
) -> Deadlines:
    """The three SLA deadlines of a complaint (pure: no database)."""
    return Deadlines(
        first_contact_due_at=deadline(calendar, received_at, hours=float(policy.first_contact_hours)),
        feedback_due_at=deadline(calendar, received_at, business_days=policy.feedback_days),
        resolution_due_at=deadline(calendar, sla_started_at, business_days=policy.resolution_days(severity)),
    )


def _set_deadlines(complaint: Complaint, *, policy: ComplaintPolicy | None = None) -> None:
    policy = policy or policy_for(complaint.dealer)
    calendar = calendar_for(complaint.dealer, complaint.received_at)
    found = sla_deadlines(
        calendar=calendar,
        policy=policy,
        received_at=complaint.received_at,
        sla_started_at=complaint.sla_started_at,
        severity=complaint.severity,
    )
    if complaint.sla_started_at != complaint.received_at:  # reopened: its own calendar window
        restart = calendar_for(complaint.dealer, complaint.sla_started_at)
        found = Deadlines(
            found.first_contact_due_at,
            found.feedback_due_at,
            deadline(restart, complaint.sla_started_at, business_days=policy.resolution_days(complaint.severity)),
        )
    complaint.first_contact_due_at = found.first_contact_due_at
    complaint.feedback_due_at = found.feedback_due_at
    complaint.resolution_due_at = found.resolution_due_at


# --- helpers -----------------------------------------------------------------------------------------------


def _is_member(user: User | None, dealer: Dealer) -> bool:
    return user is not None and user.is_active and DealerMembership.objects.filter(user=user, dealer=dealer).exists()


def task_role_for(user: User) -> str:
    """The role under which a complaint task of ``user`` is filed (their complaint role, else service manager)."""
    for role in OWNER_ROLES:
        if role in user.role_codes:
            return role
    return Role.SERVICE_MANAGER


def _check_owner(owner: User, dealer: Dealer) -> None:
    if not _is_member(owner, dealer) or not (owner.is_superuser or owner.role_codes.intersection(OWNER_ROLES)):
        raise ValidationError(
            {"owner": _("The owner must be a service manager, follow-up specialist or advisor of this dealer.")}
        )


def cluster_key(*, category: str, fault_category: str = "", vehicle: Vehicle | None = None) -> str:
    """What "the same issue" means for crisis alerts: the category and the fault, else the vehicle model."""
    if fault_category:
        return f"{category}|fault:{fault_category}"
    if vehicle is not None and (vehicle.brand or vehicle.series):
        return f"{category}|model:{vehicle.brand} {vehicle.series}".strip()[:120]
    return f"{category}|*"


def _locked(complaint: Complaint, *, by: User, version: int | None) -> Complaint:
    """Check scope, lock the row at ``version`` (any version when None) and return the complaint as stored now."""
    require(by, dealer=complaint.dealer_id)
    if version is None:
        Complaint.objects.select_for_update().filter(pk=complaint.pk).first()
    else:
        lock_version(complaint, expected_version=version)
    return Complaint.objects.select_related("dealer", "vehicle").get(pk=complaint.pk)


def _close_task(task_id: int | None, *, by: User | None, outcome: str, status: str = TaskStatus.DONE) -> None:
    if task_id is None:
        return
    task = Task.objects.select_for_update().filter(pk=task_id, status=TaskStatus.OPEN).first()
    if task is None:
        return
    task.status, task.outcome, task.done_at, task.done_by = status, outcome, timezone.now(), by
    task._history_user = by
    task.save()


def _task(complaint: Complaint, *, kind: str, title: str, due_at: datetime, role: str, assignee=None, by=None):
    task = Task(
        dealer=complaint.dealer,
        kind=kind,
        title=title[:200],
        due_at=due_at,
        role=role,
        assignee=assignee,
        customer=complaint.customer,
        vehicle=complaint.vehicle,
        repair_order=complaint.repair_order,
    )
    task._history_user = by
    task.full_clean()
    task.save()
    return task


def _contact_task(complaint: Complaint, *, due_at: datetime, by: User | None) -> Task:
    title = _("Complaint %(number)s: contact the customer") % {"number": complaint.number}
    owner = complaint.owner
    return _task(
        complaint,
        kind=TaskKind.COMPLAINT_CONTACT,
        title=title,
        due_at=due_at,
        role=task_role_for(owner),
        assignee=owner,
        by=by,
    )


def _not_future(value: datetime | None, name: str, now: datetime) -> datetime:
    if value is None:
        return now
    if timezone.is_naive(value):
        raise ValidationError({name: _("Give the time with its time zone.")})
    if value > now + CLOCK_SKEW:
        raise ValidationError({name: _("This time is in the future.")})
    return min(value, now)


# --- intake ------------------------------------------------------------------------------------------------


@transaction.atomic
def complaint_open(
    *,
    dealer: Dealer,
    by: User,
    channel: str,
    category: str,
    severity: str,
    description: str,
    customer: Customer | None = None,
    vehicle: Vehicle | None = None,
    repair_order: RepairOrder | None = None,
    staff: User | None = None,
    received_at: datetime | None = None,
    owner: User | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    fault_category: str = "",
) -> Complaint:
    """Register a complaint from any channel: its SLA deadlines, a contact task for the owner, a crisis check.

    Whoever takes it (``by``, 受理人) is recorded; the owner (default: ``by``) gets the first-contact task.
    A follow-up call that raises a complaint calls this with ``channel=Channel.FOLLOW_UP_CALL``.
    """
    require(by, ADD, dealer=dealer, message=_("Your role may not register complaints."))
    now = timezone.now()
    errors: dict[str, str] = {}
    description = (description or "").strip()
    if channel not in Channel.values:
        errors["channel"] = _("Choose a channel.")
    if category not in Category.values:
        errors["category"] = _("Choose a category.")
    if severity not in Severity.values:
        errors["severity"] = _("Choose a severity.")
    if not description:
        errors["description"] = _("Write down what the customer says.")
    if fault_category and fault_category not in FaultCategory.values:
        errors["fault_category"] = _("Unknown fault.")
    try:
        received_at = _not_future(received_at, "received_at", now)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if repair_order is not None:
        if repair_order.dealer_id != dealer.pk:
            errors["repair_order"] = _("This repair order is not one of this dealer's.")
        else:
            if vehicle is not None and vehicle.pk != repair_order.vehicle_id:
                errors["vehicle"] = _("The vehicle is not the one of the repair order.")
            vehicle = vehicle or repair_order.vehicle
            customer = customer or repair_order.customer
            if not fault_category and repair_order.fault_category != FaultCategory.NONE:
                fault_category = repair_order.fault_category
    if vehicle is not None:
        if vehicle.dealer_id != dealer.pk:
            errors["vehicle"] = _("This vehicle is not in this dealer's archive.")
        else:
            customer = customer or vehicle.owner
    if customer is not None and customer.dealer_id != dealer.pk:
        errors["customer"] = _("This customer is not in this dealer's archive.")
    if staff is not None and not _is_member(staff, dealer):
        errors["staff"] = _("The staff member must work for this dealer.")
    owner = owner or by
    try:
        _check_owner(owner, dealer)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    if customer is not None:
        contact_name = contact_name.strip() or customer.name
        contact_phone = contact_phone.strip() or customer.mobile
    complaint = Complaint(
        dealer=dealer,
        number=next_number(Complaint, dealer=dealer, when=received_at, prefix="CP-{dealer}-{when:%Y%m}-"),
        channel=channel,
        category=category,
        severity=severity,
        description=description,
        contact_name=contact_name.strip(),
        contact_phone=contact_phone.strip(),
        customer=customer,
        vehicle=vehicle,
        repair_order=repair_order,
        staff=staff,
        fault_category=fault_category,
        cluster_key=cluster_key(category=category, fault_category=fault_category, vehicle=vehicle),
        received_at=received_at,
        received_by=by,
        owner=owner,
        sla_started_at=received_at,
    )
    _set_deadlines(complaint)
    complaint._history_user = by
    complaint.full_clean()
    complaint.save()
    complaint.contact_task = _contact_task(complaint, due_at=complaint.first_contact_due_at, by=by)
    complaint.save(update_fields=["contact_task"])
    complaint_event(complaint, EventAction.OPEN, by=by, at=received_at, note=Channel(channel).label)
    check_crisis(complaint=complaint, now=now)
    notices.complaint_assigned(complaint, by=by)
    return complaint


# --- contacts ----------------------------------------------------------------------------------------------


@transaction.atomic
def complaint_log_contact(
    *,
    complaint: Complaint,
    by: User,
    channel: str,
    summary: str,
    contacted_at: datetime | None = None,
    is_feedback: bool = False,
    letter=None,
    version: int | None = None,
) -> ComplaintContact:
    """Log a contact with the complainant; the first one stops the A2 clock, a feedback one the D6 clock."""
    require(by, LOG_CONTACT, message=_("Your role may not log complaint contacts."))
    complaint = _locked(complaint, by=by, version=version)
    now = timezone.now()
    errors = {}
    summary = (summary or "").strip()
    if channel not in ContactChannel.values:
        errors["channel"] = _("Choose how the customer was contacted.")
    if not summary:
        errors["summary"] = _("Write down what was said.")
    try:
        contacted_at = _not_future(contacted_at, "contacted_at", now)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    else:
        if contacted_at < complaint.received_at:
            errors["contacted_at"] = _("The contact cannot be before the complaint was received.")
    extension = None
    if letter:
        try:
            extension = LETTER_UPLOAD.check(letter, field="letter")
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    contact = ComplaintContact(
        complaint=complaint, contacted_at=contacted_at, channel=channel, by=by, summary=summary, is_feedback=is_feedback
    )
    if letter:
        # Never keep the uploaded name: a random one with the extension of the checked type.
        contact.letter = File(letter, name=f"{uuid.uuid4().hex}.{extension}")
    first = complaint.first_contact_at is None or contacted_at < complaint.first_contact_at
    if first:
        complaint.contacts.filter(is_first_contact=True).update(is_first_contact=False)
        complaint.first_contact_at = contacted_at
        contact.is_first_contact = True
    move = "take_up" if first and COMPLAINT_STATES.can(complaint, "take_up") else "contact"
    COMPLAINT_STATES.apply(complaint, move, by=by, at=contacted_at, note=f"{ContactChannel(channel).label}: {summary}")
    if is_feedback and (complaint.feedback_at is None or contacted_at < complaint.feedback_at):
        complaint.feedback_at = contacted_at
    contact._history_user = by
    contact.full_clean()
    contact.save()
    save_next_version(complaint, by=by, reason="contact")
    if first:
        _close_task(complaint.contact_task_id, by=by, outcome=summary[:200])
    return contact


# --- changes -----------------------------------------------------------------------------------------------


@transaction.atomic
def complaint_update(*, complaint: Complaint, by: User, version: int | None, **fields) -> Complaint:
    """Change category, severity, description, fault, complainant or staff; a severity change moves the deadlines."""
    unknown = set(fields).difference(UPDATE_FIELDS)
    if unknown:
        raise TypeError(f"unknown complaint fields: {sorted(unknown)}")
    require(by, CHANGE, message=_("Your role may not change complaints."))
    complaint = _locked(complaint, by=by, version=version)
    errors = {}
    if "category" in fields and fields["category"] not in Category.values:
        errors["category"] = _("Choose a category.")
    if "severity" in fields and fields["severity"] not in Severity.values:
        errors["severity"] = _("Choose a severity.")
    if "description" in fields and not (fields["description"] or "").strip():
        errors["description"] = _("Write down what the customer says.")
    if fields.get("fault_category") and fields["fault_category"] not in FaultCategory.values:
        errors["fault_category"] = _("Unknown fault.")
    if fields.get("staff") is not None and not _is_member(fields["staff"], complaint.dealer):
        errors["staff"] = _("The staff member must work for this dealer.")
    if errors:
        raise ValidationError(errors)
    before = (complaint.severity, complaint.cluster_key)
    for name, value in fields.items():
        setattr(complaint, name, value.strip() if isinstance(value, str) else value)
    complaint.cluster_key = cluster_key(
        category=complaint.category, fault_category=complaint.fault_category, vehicle=complaint.vehicle
    )
    changed_severity = complaint.severity != before[0]
    if changed_severity:
        _set_deadlines(complaint)
    save_next_version(complaint, by=by, reason="update")
    note = ""
    if changed_severity:
        note = _("Severity %(old)s → %(new)s; resolution due %(due)s") % {
            "old": Severity(before[0]).label,
            "new": complaint.get_severity_display(),
            "due": f"{timezone.localtime(complaint.resolution_due_at):%Y-%m-%d %H:%M}",
        }
    complaint_event(complaint, EventAction.UPDATE, by=by, at=timezone.now(), from_status=complaint.status, note=note)
    if changed_severity or complaint.cluster_key != before[1]:
        check_crisis(complaint=complaint, now=timezone.now())
    return complaint


@transaction.atomic
def complaint_reassign(
    *, complaint: Complaint, by: User, version: int | None, owner: User, note: str = ""
) -> Complaint:
    """Give the complaint (and its open contact task) to another owner of the dealer."""
    require(by, RESOLVE, message=_("Only a service manager reassigns complaints."))
    complaint = _locked(complaint, by=by, version=version)
    COMPLAINT_STATES.check(complaint, "reassign")
    _check_owner(owner, complaint.dealer)
    if owner.pk == complaint.owner_id:
        raise ValidationError({"owner": _("This person already owns the complaint.")})
    previous = complaint.owner
    complaint.owner = owner
    save_next_version(complaint, by=by, reason="reassign")
    if complaint.contact_task_id:
        Task.objects.filter(pk=complaint.contact_task_id, status=TaskStatus.OPEN).update(
            assignee=owner, role=task_role_for(owner)
        )
    text = f"{previous} → {owner}" + (f": {note.strip()}" if note and note.strip() else "")
    COMPLAINT_STATES.apply(complaint, "reassign", by=by, note=text)
    notices.complaint_assigned(complaint, by=by)
    return complaint


# --- resolution --------------------------------------------------------------------------------------------


@transaction.atomic
def complaint_resolve(
    *,
    complaint: Complaint,
    by: User,
    version: int | None,
    root_cause: str,
    corrective_action: str,
    customer_agreed: bool,
    agreement_method: str = "",
    agreement_note: str = "",
    resolved_at: datetime | None = None,
) -> Complaint:
    """Close the complaint with its root cause, corrective action and the customer's answer (B5 needs "agreed")."""
    require(by, RESOLVE, message=_("Only a service manager resolves complaints."))
    complaint = _locked(complaint, by=by, version=version)
    COMPLAINT_STATES.check(complaint, "resolve")
    now = timezone.now()
    errors = {}
    root_cause, corrective_action = (root_cause or "").strip(), (corrective_action or "").strip()
    agreement_note = (agreement_note or "").strip()
    if complaint.first_contact_at is None:
        errors["__all__"] = _("Log the contact with the customer before resolving the complaint.")
    if not root_cause:
        errors["root_cause"] = _("Give the root cause.")
    if not corrective_action:
        errors["corrective_action"] = _("Give the corrective action.")
    if customer_agreed is None:
        errors["customer_agreed"] = _("Say whether the customer agrees.")
    elif customer_agreed and agreement_method not in AgreementMethod.values:
        errors["agreement_method"] = _("Say how the customer gave their agreement.")
    elif not customer_agreed and not agreement_note:
        errors["agreement_note"] = _("The customer does not agree: write down what they said and why it is closed.")
    try:
        resolved_at = _not_future(resolved_at, "resolved_at", now)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    else:
        if complaint.first_contact_at and resolved_at < complaint.first_contact_at:
            errors["resolved_at"] = _("The resolution cannot be before the first contact.")
    if errors:
        raise ValidationError(errors)
    note = _("customer agrees") if customer_agreed else _("customer does not agree")
    COMPLAINT_STATES.apply(complaint, "resolve", by=by, at=resolved_at, note=f"{note}. {root_cause}")
    complaint.root_cause, complaint.corrective_action = root_cause, corrective_action
    complaint.customer_agreed = bool(customer_agreed)
    complaint.agreement_method = agreement_method if customer_agreed else ""
    complaint.agreement_note = agreement_note
    if complaint.feedback_at is None:  # telling the customer the result is feedback too (D6)
        complaint.feedback_at = resolved_at
    save_next_version(complaint, by=by, reason="resolve")
    _close_task(complaint.contact_task_id, by=by, outcome=_("Complaint resolved."))
    _close_task(complaint.escalation_task_id, by=by, outcome=_("Complaint resolved."))
    return complaint


@transaction.atomic
def complaint_reopen(*, complaint: Complaint, by: User, version: int | None, reason: str) -> Complaint:
    """Reopen a resolved complaint: the resolution is cleared and its clock restarts now (A2/D6 stay as they were)."""
    require(by, RESOLVE, message=_("Only a service manager reopens complaints."))
    complaint = _locked(complaint, by=by, version=version)
    COMPLAINT_STATES.check(complaint, "reopen")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the complaint is reopened.")})
    now = timezone.now()
    previous = _("previous resolution %(when)s: %(cause)s") % {
        "when": f"{timezone.localtime(complaint.resolved_at):%Y-%m-%d %H:%M}",
        "cause": complaint.root_cause,
    }
    COMPLAINT_STATES.apply(complaint, "reopen", by=by, at=now, note=f"{reason} ({previous})")
    complaint.reopen_count += 1
    complaint.sla_started_at = now
    complaint.resolved_at = complaint.resolved_by = complaint.customer_agreed = None
    complaint.agreement_method = complaint.agreement_note = ""
    policy = policy_for(complaint.dealer)
    _set_deadlines(complaint, policy=policy)
    if complaint.escalation_level == EscalationLevel.SERVICE_MANAGER:
        complaint.region_escalation_due_at = deadline(
            calendar_for(complaint.dealer, now), now, business_days=policy.region_escalation_days
        )
    save_next_version(complaint, by=by, reason="reopen")
    contact_due = deadline(calendar_for(complaint.dealer, now), now, hours=float(policy.first_contact_hours))
    complaint.contact_task = _contact_task(complaint, due_at=contact_due, by=by)
    complaint.save(update_fields=["contact_task"])
    return complaint


# --- escalation --------------------------------------------------------------------------------------------


def overdue_q(now: datetime) -> Q:
    """Unresolved complaints past any of their deadlines (first contact, feedback, resolution)."""
    return Q(status__in=UNRESOLVED) & (
        Q(first_contact_at__isnull=True, first_contact_due_at__lt=now)
        | Q(feedback_at__isnull=True, feedback_due_at__lt=now)
        | Q(resolution_due_at__lt=now)
    )


def region_due_q(now: datetime) -> Q:
    """Complaints at the service manager that go to the region now."""
    return Q(status__in=UNRESOLVED, escalation_level=EscalationLevel.SERVICE_MANAGER) & (
        Q(resolution_due_at__lt=now) | Q(region_escalation_due_at__lt=now)
    )


def _overdue_reasons(complaint: Complaint, now: datetime) -> list[str]:
    reasons = []
    if complaint.first_contact_at is None and complaint.first_contact_due_at < now:
        reasons.append(_("first contact overdue"))
    if complaint.feedback_at is None and complaint.feedback_due_at < now:
        reasons.append(_("feedback overdue"))
    if complaint.resolution_due_at < now:
        reasons.append(_("resolution overdue"))
    return reasons


@dataclass
class EscalationResult:
    to_manager: list[str] = field(default_factory=list)
    to_region: list[str] = field(default_factory=list)


def escalate_overdue(*, now: datetime | None = None) -> EscalationResult:
    """Escalate every overdue complaint one level: to the service manager (a task), then to the region.

    Idempotent: a complaint is escalated to a level once; running again at the same time changes nothing.
    Each complaint is escalated in its own transaction with its row locked, so a concurrent contact
    or resolution is never overwritten (a complaint resolved meanwhile is skipped).
    """
    now = now or timezone.now()
    result = EscalationResult()
    policies: dict[int, ComplaintPolicy] = {}
    for pk in Complaint.objects.filter(overdue_q(now), escalation_level=EscalationLevel.NONE).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            complaint = (
                Complaint.objects.select_for_update(of=("self",))
                .select_related("dealer", "owner")
                .filter(overdue_q(now), pk=pk, escalation_level=EscalationLevel.NONE)
                .first()
            )
            if complaint is None:
                continue
            policy = policies.setdefault(complaint.dealer_id, policy_for(complaint.dealer))
            reasons = ", ".join(_overdue_reasons(complaint, now))
            complaint.escalation_level = EscalationLevel.SERVICE_MANAGER
            complaint.escalated_at = now
            complaint.region_escalation_due_at = deadline(
                calendar_for(complaint.dealer, now), now, business_days=policy.region_escalation_days
            )
            title = _("Complaint %(number)s escalated (%(reasons)s): take over") % {
                "number": complaint.number,
                "reasons": reasons,
            }
            task = _task(
                complaint,
                kind=TaskKind.COMPLAINT_ESCALATION,
                title=title,
                due_at=complaint.region_escalation_due_at,
                role=Role.SERVICE_MANAGER,
            )
            complaint.escalation_task = task
            save_next_version(complaint, by=None, reason="escalate")
            complaint_event(
                complaint, EventAction.ESCALATE, by=None, at=now, from_status=complaint.status, note=reasons
            )
            result.to_manager.append(complaint.number)
    for pk in Complaint.objects.filter(region_due_q(now)).values_list("pk", flat=True):
        with transaction.atomic():
            complaint = (
                Complaint.objects.select_for_update(of=("self",))
                .select_related("dealer")
                .filter(region_due_q(now), pk=pk)
                .first()
            )
            if complaint is None:
                continue
            reasons = ", ".join(_overdue_reasons(complaint, now)) or _("not solved at the service manager in time")
            complaint.escalation_level = EscalationLevel.REGION
            complaint.region_escalated_at = now
            save_next_version(complaint, by=None, reason="escalate")
            complaint_event(
                complaint, EventAction.ESCALATE, by=None, at=now, from_status=complaint.status, note=reasons
            )
            result.to_region.append(complaint.number)
    return result


# --- crisis alerts -----------------------------------------------------------------------------------------


def check_crisis(*, complaint: Complaint, now: datetime | None = None) -> list[CrisisAlert]:
    """Raise the crisis alerts this complaint causes (a critical one; or N on the same issue within D days).

    A complaint joins an alert of its issue that nobody has acknowledged yet; after an acknowledgement,
    N new complaints on the same issue within the window raise a new alert.
    """
    now = now or timezone.now()
    raised = []
    dealer = complaint.dealer
    if (
        complaint.severity == Severity.CRITICAL
        and not complaint.crisis_alerts.filter(reason=CrisisReason.CRITICAL).exists()
    ):
        alert = CrisisAlert.objects.create(
            dealer=dealer,
            level=CrisisLevel.SEVERE,
            reason=CrisisReason.CRITICAL,
            summary=(
                _("Critical complaint %(number)s: %(category)s")
                % {"number": complaint.number, "category": complaint.get_category_display()}
            )[:300],
            cluster_key=complaint.cluster_key,
            raised_at=now,
        )
        alert.complaints.add(complaint)
        raised.append(alert)
    policy = policy_for(dealer)
    key = complaint.cluster_key
    window_start = complaint.received_at - timedelta(days=policy.crisis_window_days)
    same_issue = Complaint.objects.filter(
        dealer=dealer, cluster_key=key, received_at__gt=window_start, received_at__lte=complaint.received_at
    )
    open_alert = (
        CrisisAlert.objects.select_for_update()
        .filter(dealer=dealer, reason=CrisisReason.CLUSTER, cluster_key=key, acknowledged_at__isnull=True)
        .order_by("-raised_at")
        .first()
    )
    if open_alert is not None:
        if not open_alert.complaints.filter(pk=complaint.pk).exists():
            open_alert.complaints.add(complaint)
            if open_alert.complaints.count() >= 2 * policy.crisis_count and open_alert.level != CrisisLevel.SEVERE:
                open_alert.level = CrisisLevel.SEVERE
                open_alert.save(update_fields=["level"])
        return raised
    fresh = list(
        same_issue.exclude(crisis_alerts__reason=CrisisReason.CLUSTER, crisis_alerts__cluster_key=key)
        .order_by("received_at")
        .values_list("pk", flat=True)
    )
    if len(fresh) >= policy.crisis_count:
        label = key.split("|", 1)[1]
        if label.startswith("fault:"):
            label = str(FaultCategory(label[6:]).label)
        elif label.startswith("model:"):
            label = label[6:]
        else:
            label = ""
        alert = CrisisAlert.objects.create(
            dealer=dealer,
            level=CrisisLevel.SEVERE if len(fresh) >= 2 * policy.crisis_count else CrisisLevel.WARNING,
            reason=CrisisReason.CLUSTER,
            summary=(
                _("%(count)s complaints in %(days)s days: %(category)s %(issue)s")
                % {
                    "count": len(fresh),
                    "days": policy.crisis_window_days,
                    "category": complaint.get_category_display(),
                    "issue": label,
                }
            ).strip()[:300],
            cluster_key=key,
            raised_at=now,
        )
        alert.complaints.add(*fresh)
        raised.append(alert)
    return raised


@transaction.atomic
def crisis_alert_acknowledge(*, alert: CrisisAlert, by: User, note: str = "") -> CrisisAlert:
    """The manager has seen the alert and says what is being done (the response plan)."""
    require(by, ACKNOWLEDGE, message=_("Only a service manager acknowledges crisis alerts."))
    require(by, dealer=alert.dealer_id)  # after the permission: its message wins when both fail
    alert = CrisisAlert.objects.select_for_update().get(pk=alert.pk)
    if alert.acknowledged_at is not None:
        raise ValidationError(_("This alert is already acknowledged."))
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say what is being done about it.")})
    alert.acknowledged_at, alert.acknowledged_by, alert.acknowledgement_note = timezone.now(), by, note[:500]
    alert._history_user = by
    alert.full_clean()
    alert.save()
    return alert
