"""Writes of the service desk: open a repair order, check in, estimate lines, and every status change."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from core.dates import add_months
from core.numbering import next_number
from core.permissions import allowed, require
from core.services import lock_version, save_next_version, save_versioned
from core.state import TransitionError
from core.uploads import IMAGE_KINDS, UploadRule
from customers.models import Vehicle
from repairs import hooks, notices
from repairs.choices import (
    DISCOUNT_LIMITS,
    NEXT_SERVICE_INTERVAL,
    QC_CHECKLISTS,
    AdditionStatus,
    ApprovalMethod,
    DecisionMethod,
    LineKind,
    PartSource,
    PauseReason,
    Payer,
    PaymentMethod,
    RepairOrderStatus,
    WorkStatus,
)
from repairs.comebacks import revisits_of
from repairs.models import (
    AdditionalItem,
    ComebackDismissal,
    LabourClock,
    LabourOperation,
    QcFinding,
    QcInspection,
    RepairOrder,
    RepairOrderLine,
    RepairOrderPhoto,
    Settlement,
)
from repairs.money import PayerTotal, order_totals
from repairs.state import (
    ADVISE,
    DISPATCH,
    INSPECT,
    NOTE_MAX_LENGTH,
    REPAIR_STATES,
    WORK,
    checkin_gaps,
    rework_reopen,
    workshop_lines,
)

EDITABLE_ESTIMATE = {RepairOrderStatus.OPEN, RepairOrderStatus.CHECKED_IN}
EDITABLE_CHECKIN = {RepairOrderStatus.OPEN, RepairOrderStatus.CHECKED_IN}
# Jobs are clocked while the car is in the workshop; photos are added until the order is closed or cancelled.
CLOCK_STATUSES = {RepairOrderStatus.DISPATCHED, RepairOrderStatus.IN_REPAIR}
NO_PHOTO_STATUSES = {RepairOrderStatus.CLOSED, RepairOrderStatus.CANCELLED}
CHECKIN_FIELDS = (
    "odometer_km", "odometer_override_reason", "fuel_level", "walkaround_done", "damage_notes", "belongings",
    "belongings_signed_by", "documents_received", "key_tag", "promised_at",
)  # fmt: skip
ESTIMATE_FIELDS = (
    "job_type", "fault_category", "customer_complaint", "diagnosis", "pricing_mode", "risk_margin_pct",
    "discount_pct",
)  # fmt: skip
APPROVAL_FIELDS = ("approval_method", "approved_by_customer")


SERVICE_DESK_ONLY = gettext_lazy("Only the service desk changes the check-in and the estimate.")


@transaction.atomic
def repair_order_open(
    *, vehicle: Vehicle, by: User, customer_complaint: str, job_type: str, arrived_at: datetime | None = None
) -> RepairOrder:
    """Open a repair order for a vehicle at reception (接待): the customer's words and arrival time."""
    require(by, ADVISE, dealer=vehicle.dealer, message=_("Only the service desk opens repair orders."))
    now = timezone.now()
    arrived_at = arrived_at or now
    if arrived_at > now:
        raise ValidationError({"arrived_at": _("The arrival time cannot be in the future.")})
    if (
        RepairOrder.objects.filter(vehicle=vehicle)
        .exclude(status__in=[RepairOrderStatus.DELIVERED, RepairOrderStatus.CLOSED, RepairOrderStatus.CANCELLED])
        .exists()
    ):
        raise ValidationError(_("This vehicle already has an open repair order."))
    order = RepairOrder(
        dealer=vehicle.dealer,
        vehicle=vehicle,
        customer=vehicle.owner,
        advisor=by,
        job_type=job_type,
        customer_complaint=customer_complaint,
        arrived_at=arrived_at,
        number=next_number(RepairOrder, dealer=vehicle.dealer, when=now, prefix="{dealer}-{when:%Y%m}-"),
        labour_rate=vehicle.dealer.labour_rate,
        tax_rate=vehicle.dealer.vat_rate,
    )
    order._history_user = by
    order.full_clean(exclude=["number"])
    order.save()
    return order


def _validate_odometer(order: RepairOrder) -> None:
    last = order.vehicle.mileage_km
    lower = order.odometer_km is not None and last is not None and order.odometer_km < last
    if lower and not order.odometer_override_reason.strip():
        raise ValidationError(
            {
                "odometer_km": _(
                    "The odometer (%(now)s km) is below the last recorded mileage (%(last)s km): "
                    "check it, or give the reason."
                )
                % {"now": order.odometer_km, "last": last}
            }
        )


@transaction.atomic
def repair_order_update_checkin(
    *, order: RepairOrder, by: User, version: int | None, belongings_signature=None, **fields: Any
) -> RepairOrder:
    """Record the check-in (walk-around, fuel, odometer, belongings and signature, documents, key, promised time)."""
    require(by, ADVISE, dealer=order.dealer, message=SERVICE_DESK_ONLY)
    unknown = set(fields).difference(CHECKIN_FIELDS)
    if unknown:
        raise TypeError(f"unknown check-in fields: {sorted(unknown)}")
    if order.status not in EDITABLE_CHECKIN:
        raise ValidationError(_("The check-in can no longer be changed once the estimate is given."))
    signed_before = order.belongings_signed_by
    for name, value in fields.items():
        setattr(order, name, value)
    if belongings_signature is not None:
        if not order.belongings_signed_by:
            raise ValidationError({"belongings_signed_by": _("Write the name of who signed the belongings list.")})
        order.belongings_signature.save(f"{uuid.uuid4().hex}.png", belongings_signature, save=False)
        order.belongings_signed_at = timezone.now()
    elif order.belongings_signed_by and order.belongings_signed_by != signed_before:
        order.belongings_signed_at = timezone.now()
    elif not order.belongings_signed_by:
        order.belongings_signed_at = None
    if order.promised_at and order.promised_at <= order.arrived_at:
        raise ValidationError({"promised_at": _("The promised time must be after the arrival.")})
    _validate_odometer(order)
    if order.status == RepairOrderStatus.CHECKED_IN:
        # An edit after check-in must not undo what the check-in required (promised time: KPI B2, D1).
        problems = REPAIR_STATES.problems(order, "check_in", order.checkin_exception)
        if problems:
            raise ValidationError([str(p) for p in problems])
    order._history_user = by
    save_versioned(order, expected_version=version)
    if order.status == RepairOrderStatus.CHECKED_IN:
        _record_vehicle_mileage(order, by)
    return order


def _record_vehicle_mileage(order: RepairOrder, by: User) -> None:
    """At check-in the odometer becomes the vehicle's mileage (never lowered: an override keeps the old one)."""
    vehicle = Vehicle.objects.select_for_update().get(pk=order.vehicle_id)
    if order.odometer_km is not None and (vehicle.mileage_km or 0) < order.odometer_km:
        vehicle.mileage_km = order.odometer_km
        vehicle.mileage_recorded_at = timezone.now()
        # A new version, so that a vehicle form opened before cannot write the old mileage back.
        save_next_version(
            vehicle, by=by, update_fields=["mileage_km", "mileage_recorded_at", "updated_at"], clean=False
        )
        order.vehicle = vehicle


def _discount_limit(user: User) -> Decimal:
    if user.is_superuser:
        return Decimal("100")
    return max((DISCOUNT_LIMITS.get(role, Decimal("0")) for role in user.role_codes), default=Decimal("0"))


@transaction.atomic
def repair_order_update_estimate(*, order: RepairOrder, by: User, version: int | None, **fields: Any) -> RepairOrder:
    """Change the diagnosis and the terms of the estimate while it is still being prepared."""
    require(by, ADVISE, dealer=order.dealer, message=SERVICE_DESK_ONLY)
    unknown = set(fields).difference(ESTIMATE_FIELDS)
    if unknown:
        raise TypeError(f"unknown estimate fields: {sorted(unknown)}")
    if order.status not in EDITABLE_ESTIMATE:
        raise ValidationError(_("The estimate can only be changed before it is given to the customer."))
    old_diagnosis, old_discount = order.diagnosis, order.discount_pct
    for name, value in fields.items():
        setattr(order, name, value)
    if order.diagnosis != old_diagnosis:
        order.diagnosed_by = by
    if order.discount_pct != old_discount:
        limit = _discount_limit(by)
        if order.discount_pct > limit:
            raise ValidationError(
                {"discount_pct": _("Your role may give at most %(limit)s%% discount.") % {"limit": limit}}
            )
        order.discount_approved_by = by if order.discount_pct > 0 else None
    order._history_user = by
    save_versioned(order, expected_version=version)
    return order


def catalogue_parts():
    """The active parts of the catalogue (parts.Part, reached through the line's foreign key: parts sit above
    repairs and are never imported here)."""
    return RepairOrderLine._meta.get_field("part").related_model.objects.filter(is_active=True)


def catalogue_part_for(*, order: RepairOrder, number: str):
    """The catalogue part a part number typed on the order stands for, or None: the parts catalogue's one rule
    (``Part.objects.resolve_number``: normalised number or an old, superseded one; the vehicle's brand first).
    A number several brands share is refused on ``code``."""
    parts = RepairOrderLine._meta.get_field("part").related_model.objects
    try:
        return parts.resolve_number(number, brand=order.vehicle.brand)
    except ValidationError as exc:
        raise ValidationError({"code": exc.messages}) from exc


@transaction.atomic
def _new_line(
    *,
    order: RepairOrder,
    by: User,
    kind: str = LineKind.PART,
    description: str = "",
    quantity: Decimal | None = None,
    unit_price: Decimal | None = None,
    operation: LabourOperation | None = None,
    code: str = "",
    payer: str = Payer.CUSTOMER,
    part_source: str = PartSource.OEM,
    addition: AdditionalItem | None = None,
    part=None,  # a parts.Part (the catalogue sits above repairs: no import)
) -> RepairOrderLine:
    """Build, validate and save one line; labour from the catalogue takes its code, name and standard hours.

    A catalogue part (its current number, if superseded) takes its number, name and the dealer's retail price; a
    part line with a catalogue number typed as its code and no part is that part (``catalogue_part_for``).
    """
    if part is None and operation is None and kind == LineKind.PART and code.strip():
        part = catalogue_part_for(order=order, number=code)
        code = "" if part is not None else code  # the line takes the catalogue's current number
    if kind == LineKind.PART and part is None and operation is None and not description.strip():
        raise ValidationError(
            {
                "description": _(
                    "%(code)s is not a catalogue part number: describe the part and give its unit price, or pick a "
                    "part from the catalogue."
                )
                % {"code": code.strip()}
                if code.strip()
                else _("Describe the part, or pick a part from the catalogue.")
            }
        )
    if part is not None:
        part = part.current()
        kind, code, description = LineKind.PART, code or part.number, description or part.name
        if unit_price is None:
            price = part.prices.filter(dealer_id=order.dealer_id).first()  # the dealer's PartPrice
            if price is None:
                raise ValidationError(
                    {"unit_price": _("This dealer has no price for %(part)s: give the unit price.") % {"part": part}}
                )
            unit_price = price.retail_price
    if operation is not None:
        if operation.dealer_id != order.dealer_id or not operation.is_active:
            raise ValidationError({"operation": _("Choose an active labour operation of this dealer.")})
        kind = LineKind.LABOUR
        code = code or operation.code
        description = description or operation.name
        quantity = quantity if quantity is not None else operation.standard_hours
    if kind == LineKind.LABOUR and unit_price is None:
        unit_price = order.labour_rate
    if unit_price is None:
        raise ValidationError({"unit_price": _("Give the unit price.")})
    line = RepairOrderLine(
        order=order,
        addition=addition,
        kind=kind,
        operation=operation,
        code=code,
        description=description,
        quantity=quantity,
        unit_price=unit_price,
        payer=payer,
        part_source=part_source if kind == LineKind.PART else "",
        position=order.lines.count() + 1,
        created_by=by,
        part=part,
    )
    line._history_user = by
    line.full_clean()
    line.save()
    return line


@transaction.atomic
def repair_order_add_line(*, order: RepairOrder, by: User, **fields: Any) -> RepairOrderLine:
    """Add a labour, part or sundry line to the estimate (labour priced from the catalogue and the rate)."""
    require(by, ADVISE, dealer=order.dealer, message=SERVICE_DESK_ONLY)
    order = RepairOrder.objects.select_for_update().get(pk=order.pk)
    if order.status not in EDITABLE_ESTIMATE:
        raise ValidationError(_("Lines can only be added before the estimate is given; later work is an addition."))
    return _new_line(order=order, by=by, **fields)


@transaction.atomic
def repair_order_remove_line(*, line: RepairOrderLine, by: User) -> None:
    """Remove a line from an estimate that is still being prepared (kept in the line history)."""
    require(by, ADVISE, dealer=line.order.dealer, message=SERVICE_DESK_ONLY)
    order = RepairOrder.objects.select_for_update().get(pk=line.order_id)
    if order.status not in EDITABLE_ESTIMATE:
        raise ValidationError(_("Lines can only be removed before the estimate is given."))
    line._history_user = by
    line.delete()


@transaction.atomic
def repair_order_record_approval(
    *, order: RepairOrder, by: User, version: int | None, approval_signature=None, **fields: Any
) -> RepairOrder:
    """Record how and by whom the customer approved the estimate (signed on the tablet, or by phone…)."""
    unknown = set(fields).difference(APPROVAL_FIELDS)
    if unknown:
        raise TypeError(f"unknown approval fields: {sorted(unknown)}")
    require(by, ADVISE, dealer=order.dealer, message=SERVICE_DESK_ONLY)
    if order.status != RepairOrderStatus.ESTIMATED:
        raise TransitionError({"action": _("Only a given estimate can be approved.")})
    for name, value in fields.items():
        setattr(order, name, value)
    if order.approval_method == ApprovalMethod.SIGNATURE:
        if approval_signature is None:
            raise ValidationError({"approval_signature": _("The customer signs on the tablet for this approval.")})
        order.approval_signature.save(f"{uuid.uuid4().hex}.png", approval_signature, save=False)
    order.approval_recorded_by = by
    order.approved_total = repair_order_totals(order=order).total
    order._history_user = by
    save_versioned(order, expected_version=version)
    order = repair_order_transition(order=order, action="approve", by=by, version=order.version)
    # Approved: the parts counter reserves the catalogue parts, or special-orders what is not in stock.
    hooks.run("approved", order=order, by=by, lines=order.lines.filter(kind=LineKind.PART, part__isnull=False))
    notices.order_approved(order, by=by)
    return order


# The lines an order's totals count: the estimate's, and those of additional items the customer approved.
INVOICED_LINES = Q(addition__isnull=True) | Q(addition__status=AdditionStatus.APPROVED)


def repair_order_totals(*, order: RepairOrder, lines=None):
    """The estimate/invoice totals of an order (see repairs/money.py); ``lines``: its INVOICED_LINES, when a list
    of orders has them loaded already (the cash desk's queue)."""
    return order_totals(
        order.lines.filter(INVOICED_LINES) if lines is None else lines,
        tax_rate=order.tax_rate,
        discount_pct=order.discount_pct,
        risk_margin_pct=order.risk_margin_pct if order.pricing_mode == "symptom" else Decimal("0"),
    )


@transaction.atomic
def repair_order_transition(*, order: RepairOrder, action: str, by: User, version: int, note: str = "") -> RepairOrder:
    """Move a repair order through the state machine: validated, time-stamped, kept as an event.

    Raises TransitionError (nothing changed) when the action is unknown, not allowed from the
    current status, not permitted to the user, or a guard finds something missing.
    """
    REPAIR_STATES.transition(action)
    require(by, dealer=order.dealer)
    lock_version(order, expected_version=version)
    order = RepairOrder.objects.get(pk=order.pk)
    REPAIR_STATES.check(order, action, user=by, note=note)
    note = (note or "").strip()
    REPAIR_STATES.apply(order, action, by=by, note=note)
    if action == "cancel":
        order.cancel_reason = note
    if action == "check_in":
        order.checkin_exception = note if checkin_gaps(order) else ""
        _record_vehicle_mileage(order, by)
    return save_next_version(order, by=by, reason=f"{action}: {note}" if note else action, clean=False)


# --- workshop: dispatch and labour clock (派工/维修) -------------------------------------------------------


WORKSHOP_STATUSES = {RepairOrderStatus.APPROVED, RepairOrderStatus.DISPATCHED, RepairOrderStatus.IN_REPAIR}


@transaction.atomic
def repair_order_assign(*, line: RepairOrderLine, technician: User, by: User) -> RepairOrderLine:
    """Dispatch a labour line to a technician of the order's dealer (the foreman's job)."""
    order = RepairOrder.objects.select_for_update().get(pk=line.order_id)
    line = RepairOrderLine.objects.select_for_update(of=("self",)).select_related("addition").get(pk=line.pk)
    require(by, DISPATCH, dealer=order.dealer, message=_("Only the foreman dispatches jobs."))
    if order.status not in WORKSHOP_STATUSES:
        raise ValidationError(_("Jobs are dispatched once the customer has approved the estimate."))
    if line.kind != LineKind.LABOUR:
        raise ValidationError(_("Only labour lines are dispatched."))
    if line.addition_id and line.addition.status == AdditionStatus.DECLINED:
        raise ValidationError(_("The customer declined this additional item."))
    if not allowed(technician, WORK, dealer=order.dealer_id):
        raise ValidationError({"technician": _("Choose a technician of this dealer.")})
    if line.work_status == WorkStatus.DONE:
        raise ValidationError(_("This job is already done."))
    if line.clocks.filter(ended_at__isnull=True).exists():
        # Otherwise the technician on the job could never clock off (nor clock on anywhere else).
        raise ValidationError(_("A technician is clocked on this job: they clock off first."))
    line.technician, line.assigned_at = technician, timezone.now()
    line._history_user = by
    line.save(update_fields=["technician", "assigned_at"])
    return line


def _work_allowed(line: RepairOrderLine, order: RepairOrder, by: User) -> None:
    require(by, WORK, dealer=order.dealer, message=_("Only technicians clock on jobs."))
    if order.status not in CLOCK_STATUSES:
        raise ValidationError(
            _("The order is not in the workshop (it is “%(status)s”).") % {"status": order.get_status_display()}
        )
    if line.addition_id and line.addition.status != AdditionStatus.APPROVED:
        raise ValidationError(_("Work on an additional item is refused until the customer has approved it."))
    if line.technician_id != by.pk:
        raise ValidationError(_("This job is dispatched to someone else."))


@transaction.atomic
def labour_clock_on(*, line: RepairOrderLine, by: User) -> LabourClock:
    """A technician starts (or resumes) a job; the first job started puts the order in repair."""
    order = RepairOrder.objects.select_for_update().get(pk=line.order_id)
    line = RepairOrderLine.objects.select_for_update(of=("self",)).select_related("addition").get(pk=line.pk)
    _work_allowed(line, order, by)
    if line.work_status == WorkStatus.DONE:
        raise ValidationError(_("This job is already done."))
    if LabourClock.objects.filter(technician=by, ended_at__isnull=True).exists():
        raise ValidationError(_("You are clocked on another job: clock off there first."))
    now = timezone.now()
    clock = LabourClock.objects.create(line=line, technician=by, started_at=now)
    line.work_status, line.pause_reason = WorkStatus.IN_PROGRESS, ""
    line.started_at = line.started_at or now
    line._history_user = by
    line.save(update_fields=["work_status", "pause_reason", "started_at"])
    if order.status == RepairOrderStatus.DISPATCHED:
        repair_order_transition(order=order, action="start_repair", by=by, version=order.version)
    return clock


@transaction.atomic
def labour_clock_off(*, line: RepairOrderLine, by: User, finished: bool, pause_reason: str = "") -> LabourClock:
    """A technician stops a job: finished, or paused with the reason (waiting for parts, approval…)."""
    order = RepairOrder.objects.select_for_update().get(pk=line.order_id)
    line = RepairOrderLine.objects.select_for_update(of=("self",)).select_related("addition").get(pk=line.pk)
    _work_allowed(line, order, by)
    clock = LabourClock.objects.filter(line=line, technician=by, ended_at__isnull=True).first()
    if clock is None:
        raise ValidationError(_("You are not clocked on this job."))
    if not finished and pause_reason not in PauseReason.values:
        raise ValidationError({"pause_reason": _("Say why the job is paused.")})
    now = timezone.now()
    clock.ended_at = now
    clock.save(update_fields=["ended_at"])
    if finished:
        line.work_status, line.finished_at, line.pause_reason = WorkStatus.DONE, now, ""
    else:
        line.work_status, line.pause_reason = WorkStatus.PAUSED, pause_reason
    line._history_user = by
    line.save(update_fields=["work_status", "finished_at", "pause_reason"])
    return clock


# --- additional work (增项) ---------------------------------------------------------------------------------


@transaction.atomic
def addition_raise(
    *, order: RepairOrder, by: User, description: str, reason: str, lines: list[dict[str, Any]]
) -> AdditionalItem:
    """A technician (or advisor) raises work found after approval, with its labour and parts priced."""
    order = RepairOrder.objects.select_for_update().get(pk=order.pk)
    require(
        by,
        any_of=(WORK, ADVISE),
        dealer=order.dealer,
        message=_("Only the workshop or the service desk raises additional items."),
    )
    if order.status not in WORKSHOP_STATUSES:
        raise ValidationError(_("Additional items are raised while the car is in the workshop."))
    if not lines:
        raise ValidationError({"lines": _("Price the additional item with at least one line.")})
    addition = AdditionalItem(
        order=order, description=description, reason=reason, raised_by=by, raised_at=timezone.now()
    )
    addition._history_user = by
    addition.full_clean(exclude=["order"])
    addition.save()
    for fields in lines:
        _new_line(order=order, by=by, addition=addition, **fields)
    notices.addition_raised(addition, by=by)
    return addition


def addition_totals(*, addition: AdditionalItem, order: RepairOrder, lines=None):
    """What the customer is asked to approve for an additional item: its lines (``lines``, or read) with the
    order's discount and VAT, no risk margin (see money.py); its ``total`` is the approved amount (B4)."""
    lines = addition.lines.all() if lines is None else lines
    return order_totals(lines, tax_rate=order.tax_rate, discount_pct=order.discount_pct)


@transaction.atomic
def addition_contact(*, addition: AdditionalItem, by: User) -> AdditionalItem:
    """The advisor has reached the customer and explained the item; the decision is awaited."""
    addition = (
        AdditionalItem.objects.select_for_update(of=("self",)).select_related("order__dealer").get(pk=addition.pk)
    )
    require(by, ADVISE, dealer=addition.order.dealer, message=SERVICE_DESK_ONLY)
    if addition.status != AdditionStatus.RAISED:
        raise ValidationError(_("The customer was already contacted about this item."))
    addition.status, addition.contacted_at, addition.contacted_by = AdditionStatus.CONTACTED, timezone.now(), by
    return save_next_version(addition, by=by, clean=False)


@transaction.atomic
def addition_decide(
    *,
    addition: AdditionalItem,
    by: User,
    version: int,
    approved: bool,
    decision_method: str,
    decided_by_customer: str,
    decision_at: datetime | None = None,
    new_promised_at: datetime | None = None,
) -> AdditionalItem:
    """Record the customer's decision (who, how, when); an approval may move the promised time."""
    addition = AdditionalItem.objects.select_related("order__dealer").get(pk=addition.pk)
    require(by, ADVISE, dealer=addition.order.dealer, message=SERVICE_DESK_ONLY)
    lock_version(addition, expected_version=version)
    order = RepairOrder.objects.select_for_update().get(pk=addition.order_id)
    if addition.decided:
        raise ValidationError(_("The customer has already decided on this item."))
    now = timezone.now()
    decision_at = decision_at or now
    errors = {}
    if decision_at > now or decision_at < addition.raised_at:
        errors["decision_at"] = _("The decision must be after the item was raised and not in the future.")
    if not decided_by_customer.strip():
        errors["decided_by_customer"] = _("Record who decided on the customer's side.")
    if decision_method not in DecisionMethod.values:
        errors["decision_method"] = _("Record how the customer decided.")
    if new_promised_at is not None and (not approved or new_promised_at <= now):
        errors["new_promised_at"] = _("A new promised time goes with an approval and lies in the future.")
    if errors:
        raise ValidationError(errors)
    addition.status = AdditionStatus.APPROVED if approved else AdditionStatus.DECLINED
    addition.decision_at, addition.decision_method = decision_at, decision_method
    addition.decided_by_customer, addition.decision_recorded_by = decided_by_customer.strip(), by
    addition.new_promised_at = new_promised_at
    if approved:
        addition.approved_amount = addition_totals(addition=addition, order=order).total
    save_next_version(addition, by=by, clean=False)
    if approved:
        hooks.run("approved", order=order, by=by, lines=addition.lines.filter(kind=LineKind.PART, part__isnull=False))
    if new_promised_at is not None:
        order.promised_at = new_promised_at
        reason = f"addition approved: {addition.description}"
        save_next_version(order, by=by, reason=reason, update_fields=["promised_at"], clean=False)
    return addition


# --- QC (质检) -----------------------------------------------------------------------------------------------


def qc_checklist(order: RepairOrder) -> list[tuple[str, str]]:
    """The checklist items (code, label) that apply to the order's job type."""
    return QC_CHECKLISTS.get(order.job_type, QC_CHECKLISTS["repair"])


QC_REASON_MAX_LENGTH = QcFinding._meta.get_field("reason").max_length


def _qc_findings(order: RepairOrder, results: dict[str, bool], failed_lines) -> list[QcFinding]:
    """The jobs marked for rework, checked: workshop jobs of this order, each once, with a reason and (optionally)
    a checklist item that is marked not OK. Unsaved findings, in the order given."""
    jobs = {line.pk: line for line in workshop_lines(order)}
    findings, errors = [], []
    for item in failed_lines:
        line = item.get("line")
        line_id = getattr(line, "pk", line)
        job = jobs.get(line_id)
        if job is None:
            errors.append(_("Only the jobs (labour lines) of this order can be sent back for rework."))
            continue
        if any(f.line_id == job.pk for f in findings):
            errors.append(_("“%(job)s” is marked twice.") % {"job": job.description})
            continue
        reason = (item.get("reason") or "").strip()
        check_code = item.get("check_code") or ""
        if not reason:
            errors.append(_("Say why “%(job)s” must be redone.") % {"job": job.description})
        elif len(reason) > QC_REASON_MAX_LENGTH:
            errors.append(_("At most %(limit)s characters.") % {"limit": QC_REASON_MAX_LENGTH})
        if check_code and results.get(check_code, True):
            errors.append(
                _("“%(job)s” names a checklist item that is marked OK: mark it not OK, or name another.")
                % {"job": job.description}
            )
        findings.append(QcFinding(line=job, check_code=check_code, reason=reason))
    if errors:
        raise ValidationError({"failed_lines": errors})
    return findings


@transaction.atomic
def repair_order_qc_record(
    *,
    order: RepairOrder,
    by: User,
    version: int,
    results: dict[str, bool],
    failed_lines: list[dict[str, Any]] = (),
    failure_reasons: str = "",
) -> QcInspection:
    """Record one final inspection: its checklist and the jobs sent back for rework (返工), each with its reason.

    Every item OK and no job marked passes. Otherwise only the marked jobs are reopened (the same technician,
    clocked again) and the order goes back to repair; a failure with no job marked is refused. ``failed_lines``:
    ``[{"line": line or id, "reason": "…", "check_code": "fault_fixed" or ""}]``; ``failure_reasons``: an optional
    general remark. Every inspection is kept (D3 reads the first of each order).
    """
    lock_version(order, expected_version=version)
    order = RepairOrder.objects.get(pk=order.pk)
    require(by, dealer=order.dealer)
    if order.status != RepairOrderStatus.QC:
        raise TransitionError({"action": _("The order is not waiting for QC.")})
    codes = [code for code, _label in qc_checklist(order)]
    missing = [code for code in codes if code not in results]
    if missing or set(results) - set(codes):
        raise ValidationError(
            {"results": _("Answer every checklist item (and only those): %(items)s.") % {"items": ", ".join(codes)}}
        )
    results = {code: bool(results[code]) for code in codes}
    findings = _qc_findings(order, results, failed_lines)
    passed = all(results.values()) and not findings
    if not passed and not findings:
        raise ValidationError({"failed_lines": _("Mark the jobs that must be redone, each with the reason.")})
    remark = failure_reasons.strip()
    # The text of what failed (the D3 drill-down's column, the event note): each job's reason, then the remark.
    what_failed = "；".join([*(f"{f.line.description}: {f.reason}" for f in findings), *([remark] if remark else [])])
    inspection = QcInspection.objects.create(
        order=order, sequence=order.inspections.count() + 1, inspector=by, inspected_at=timezone.now(),
        passed=passed, checklist=results, failure_reasons=what_failed,
    )  # fmt: skip
    for finding in findings:
        finding.inspection = inspection
    QcFinding.objects.bulk_create(findings)
    if not passed:
        rework_reopen(findings, by=by)
    repair_order_transition(
        order=order, action="qc_pass" if passed else "qc_fail", by=by, version=order.version,
        note=what_failed[:NOTE_MAX_LENGTH],
    )  # fmt: skip
    if passed:
        notices.qc_passed(inspection, by=by)
    return inspection


# --- delivery and settlement (交车结算) -----------------------------------------------------------------------


def suggested_next_service(order: RepairOrder, on: date) -> tuple[date, int | None]:
    """Next maintenance by date and mileage from the vehicle type (EVs go further between services)."""
    km, months = NEXT_SERVICE_INTERVAL["ev" if order.vehicle.fuel_type == "ev" else "default"]
    due_on = add_months(on, months)
    due_km = order.odometer_km + km if order.odometer_km is not None else None
    return due_on, due_km


def next_service_proposal(order: RepairOrder, on: date) -> dict:
    """What the delivery proposes for the next service: the first ``"next_service"`` hook's answer (packages: the
    next package, its due km and date) over the interval rule of ``suggested_next_service``.

    {"package": the proposed package or None, "also": packages due with it, "due_on": date, "due_km": km or None}
    """
    due_on, due_km = suggested_next_service(order, on)
    for proposal in hooks.run("next_service", order=order, on=on):
        if proposal:
            return {
                "package": proposal.get("package"), "also": proposal.get("also") or [],
                "due_on": proposal.get("due_on") or due_on,
                "due_km": proposal["due_km"] if proposal.get("due_km") is not None else due_km,
            }  # fmt: skip
    return {"package": None, "also": [], "due_on": due_on, "due_km": due_km}


@transaction.atomic
def repair_order_deliver(
    *,
    order: RepairOrder,
    by: User,
    version: int,
    payment_method: str,
    work_explained: bool,
    next_service_due_date: date | None = None,
    next_service_due_km: int | None = None,
) -> Settlement:
    """Settle the invoice (amounts frozen, payment), hand the car over, and schedule the follow-up calls.

    After the handover the order runs the ``"delivered"`` hooks of ``settings.REPAIRS_HOOKS`` in their listed
    order, in this transaction (repairs.hooks): care's first follow-up call, then the survey invitation.
    """
    lock_version(order, expected_version=version)
    order = RepairOrder.objects.select_related("dealer", "vehicle", "customer").get(pk=order.pk)
    require(by, ADVISE, dealer=order.dealer, message=SERVICE_DESK_ONLY)
    if order.status != RepairOrderStatus.READY:
        raise TransitionError({"action": _("Only a car that passed QC is delivered.")})
    totals = repair_order_totals(order=order)
    customer_total = totals.customer.total
    if payment_method not in PaymentMethod.values:
        raise ValidationError({"payment_method": _("Choose how the customer paid.")})
    now = timezone.now()
    proposal = next_service_proposal(order, timezone.localdate(now))
    suggested_date, suggested_km = proposal["due_on"], proposal["due_km"]
    settlement = Settlement.objects.create(
        order=order, settled_at=now, settled_by=by,
        # Invoice numbers are five digits wide (ST-GZ01-202611-00042), the other documents four.
        invoice_number=next_number(Settlement, field="invoice_number", dealer_field=None, dealer=order.dealer,
                                   when=now, prefix="ST-{dealer}-{when:%Y%m}-", digits=5),
        payment_method=payment_method, customer_total=customer_total,
        warranty_total=totals.by_payer.get(Payer.WARRANTY, PayerTotal()).total,
        insurance_total=totals.by_payer.get(Payer.INSURANCE, PayerTotal()).total,
        internal_total=totals.by_payer.get(Payer.INTERNAL, PayerTotal()).total,
        grand_total=totals.total,
        totals={payer: {k: str(v) for k, v in vars(t).items()} for payer, t in totals.by_payer.items()},
        work_explained=work_explained,
        next_service_due_date=next_service_due_date or suggested_date,
        next_service_due_km=next_service_due_km if next_service_due_km is not None else suggested_km,
    )  # fmt: skip
    # The cash desk's guard: the customer's part paid (the rest now, by ``payment_method``) or an authorised exception.
    hooks.run("delivering", order=order, by=by, settlement=settlement, payment_method=payment_method)
    order = repair_order_transition(order=order, action="deliver", by=by, version=order.version)
    hooks.run("delivered", order=order, by=by)
    return settlement


# --- comebacks (返修, KPI B1): the rule is repairs.comebacks ----------------------------------------------------

DISMISSAL_REASON_MAX_LENGTH = 500


@transaction.atomic
def repair_order_link_comeback(
    *, order: RepairOrder, earlier: RepairOrder | None, by: User, version: int
) -> RepairOrder:
    """Mark the order as a comeback of an earlier visit of the same vehicle (or clear the link with None).

    The link is the desk's confirmation: a standing "not a comeback" of the same pair is undone by it.
    """
    require(by, ADVISE, dealer=order.dealer, message=SERVICE_DESK_ONLY)
    if earlier is not None and (
        earlier.vehicle_id != order.vehicle_id
        or earlier.delivered_at is None
        or earlier.delivered_at > order.arrived_at
    ):
        raise ValidationError(
            {"comeback_of": _("A comeback is linked to an earlier, delivered visit of the same vehicle.")}
        )
    order.comeback_of = earlier
    order._history_user = by
    save_versioned(order, expected_version=version)
    if earlier is not None:
        for dismissal in ComebackDismissal.objects.select_for_update().filter(
            original=earlier, revisit=order, revoked_at__isnull=True
        ):
            _revoke_dismissal(dismissal, by=by)
    return order


def _lock_order(order: RepairOrder) -> None:
    """Lock the order's row (no ordering: a default ordering over a relation would join it under FOR UPDATE)."""
    list(RepairOrder.objects.select_for_update().filter(pk=order.pk).order_by().values_list("pk", flat=True))


@transaction.atomic
def comeback_dismiss(*, original: RepairOrder, revisit: RepairOrder, reason: str, by: User) -> ComebackDismissal:
    """Mark a revisit the system detected as "not a comeback" of the original, with the reason (B1 stops counting it).

    Only the detected ones (same fault, not linked by the desk): a desk-linked comeback is confirmed, so the link is
    removed first (on the later order) if it was wrong.
    """
    require(by, ADVISE, dealers=(original.dealer_id, revisit.dealer_id), message=SERVICE_DESK_ONLY)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why this visit is not a comeback.")})
    if len(reason) > DISMISSAL_REASON_MAX_LENGTH:
        raise ValidationError({"reason": _("At most %(limit)s characters.") % {"limit": DISMISSAL_REASON_MAX_LENGTH}})
    _lock_order(revisit)  # the desk link and other dismissals of this visit wait for us
    pair = revisits_of(order=original).filter(pk=revisit.pk).first()
    names = {"original": original.number, "revisit": revisit.number}
    if pair is None:
        raise ValidationError(
            _("%(revisit)s is not a comeback of %(original)s the system detected: nothing to mark.") % names
        )
    if pair.linked:
        raise ValidationError(
            _(
                "The desk linked %(revisit)s as a comeback of %(original)s. If that is wrong, remove the link on "
                "%(revisit)s first."
            )
            % names
        )
    if pair.dismissed:
        raise ValidationError(_("%(revisit)s is already marked as not a comeback of %(original)s.") % names)
    dismissal = ComebackDismissal(
        original=original, revisit=revisit, reason=reason, dismissed_by=by, dismissed_at=timezone.now()
    )
    dismissal._history_user = by
    dismissal.save()
    return dismissal


def _revoke_dismissal(dismissal: ComebackDismissal, *, by: User) -> None:
    dismissal.revoked_at, dismissal.revoked_by = timezone.now(), by
    dismissal._history_user = by
    dismissal.save(update_fields=["revoked_at", "revoked_by"])


@transaction.atomic
def comeback_dismissal_revoke(*, dismissal: ComebackDismissal, by: User) -> ComebackDismissal:
    """Undo a "not a comeback": the revisit counts again (the dismissal stays, stamped, in history)."""
    require(by, ADVISE, dealer=dismissal.original.dealer_id, message=SERVICE_DESK_ONLY)
    _lock_order(dismissal.revisit)
    locked = ComebackDismissal.objects.select_for_update().order_by().get(pk=dismissal.pk)
    if locked.revoked_at is not None:
        raise ValidationError(_("This “not a comeback” was already undone."))
    _revoke_dismissal(locked, by=by)
    return locked


# --- photos (walk-around damage, findings) --------------------------------------------------------------------

PHOTO_UPLOAD = UploadRule(
    kinds=IMAGE_KINDS,
    max_bytes=8 * 1024 * 1024,
    too_large=gettext_lazy("A photo may be at most %(mb)s MB."),
    wrong_kind=gettext_lazy("Use a JPEG, PNG or WebP photo."),
    unreadable=gettext_lazy("This file is not a photo (JPEG, PNG or WebP)."),
)


@transaction.atomic
def repair_order_add_photo(*, order: RepairOrder, by: User, image, caption: str = "") -> RepairOrderPhoto:
    """Attach a photo to an open order (checked for size and real image type)."""
    require(
        by,
        any_of=(ADVISE, WORK, INSPECT),
        dealer=order.dealer,
        message=_("Your role may not add photos to repair orders."),
    )
    if order.status in NO_PHOTO_STATUSES:
        raise ValidationError(_("Photos are added while the order is open."))
    extension = PHOTO_UPLOAD.check(image, field="image")
    photo = RepairOrderPhoto(order=order, extension=extension, caption=caption.strip(), uploaded_by=by)
    photo.image = image
    photo._history_user = by
    photo.save()
    return photo
