"""Writes of the service desk: open a repair order, check in, estimate lines, and every status change."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.services import lock_version, save_versioned
from core.tenancy import dealer_ids_for
from customers.models import Vehicle
from organization.models import Dealer
from repairs.choices import DISCOUNT_LIMITS, LineKind, PartSource, RepairOrderStatus
from repairs.models import LabourOperation, RepairOrder, RepairOrderEvent, RepairOrderLine
from repairs.money import order_totals
from repairs.state import ADVISE, TRANSITIONS, checkin_gaps

EDITABLE_ESTIMATE = {RepairOrderStatus.OPEN, RepairOrderStatus.CHECKED_IN}
CHECKIN_FIELDS = (
    "odometer_km", "odometer_override_reason", "fuel_level", "walkaround_done", "damage_notes", "belongings",
    "belongings_signed_by", "documents_received", "key_tag", "promised_at",
)  # fmt: skip
ESTIMATE_FIELDS = (
    "job_type", "fault_category", "customer_complaint", "diagnosis", "pricing_mode", "risk_margin_pct",
    "discount_pct",
)  # fmt: skip
APPROVAL_FIELDS = ("approval_method", "approved_by_customer")
# A transition note is also kept in cancel_reason / checkin_exception: no longer than those.
NOTE_MAX_LENGTH = RepairOrder._meta.get_field("cancel_reason").max_length


class TransitionError(ValidationError):
    """A status change that is not allowed now, with the reasons."""


def _check_write_scope(*, user: User, dealer: Dealer) -> None:
    ids = dealer_ids_for(user, write=True)
    if ids is not None and dealer.pk not in ids:
        raise PermissionDenied(_("You cannot change the data of this dealer."))


def _check_service_desk(user: User) -> None:
    if not user.has_perm(ADVISE):
        raise PermissionDenied(_("Only the service desk changes the check-in and the estimate."))


def _next_number(dealer: Dealer, when: datetime) -> str:
    """Dealer-month sequence, e.g. GZ01-202611-0042; the dealer row is locked while counting."""
    Dealer.objects.select_for_update().filter(pk=dealer.pk).first()
    prefix = f"{dealer.code}-{timezone.localtime(when):%Y%m}-"
    last = (
        RepairOrder.objects.filter(dealer=dealer, number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    sequence = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{sequence:04d}"


@transaction.atomic
def repair_order_open(
    *, vehicle: Vehicle, by: User, customer_complaint: str, job_type: str, arrived_at: datetime | None = None
) -> RepairOrder:
    """Open a repair order for a vehicle at reception (接待): the customer's words and arrival time."""
    _check_write_scope(user=by, dealer=vehicle.dealer)
    if not by.has_perm("repairs.advise_repairorder"):
        raise PermissionDenied(_("Only the service desk opens repair orders."))
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
        number=_next_number(vehicle.dealer, now),
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
def repair_order_update_checkin(*, order: RepairOrder, by: User, version: int | None, **fields: Any) -> RepairOrder:
    """Record the check-in (walk-around, fuel, odometer, belongings, documents, key, promised time)."""
    _check_write_scope(user=by, dealer=order.dealer)
    _check_service_desk(by)
    unknown = set(fields).difference(CHECKIN_FIELDS)
    if unknown:
        raise TypeError(f"unknown check-in fields: {sorted(unknown)}")
    if order.status not in (RepairOrderStatus.OPEN, RepairOrderStatus.CHECKED_IN):
        raise ValidationError(_("The check-in can no longer be changed once the estimate is given."))
    signed_before = order.belongings_signed_by
    for name, value in fields.items():
        setattr(order, name, value)
    if order.belongings_signed_by and order.belongings_signed_by != signed_before:
        order.belongings_signed_at = timezone.now()
    elif not order.belongings_signed_by:
        order.belongings_signed_at = None
    if order.promised_at and order.promised_at <= order.arrived_at:
        raise ValidationError({"promised_at": _("The promised time must be after the arrival.")})
    _validate_odometer(order)
    if order.status == RepairOrderStatus.CHECKED_IN:
        # An edit after check-in must not undo what the check-in required (promised time: KPI B2, D1).
        problems = TRANSITIONS["check_in"].guard(order, order.checkin_exception)
        if problems:
            raise ValidationError([str(p) for p in problems])
    order._history_user = by
    save_versioned(order, expected_version=version)
    vehicle = Vehicle.objects.select_for_update().get(pk=order.vehicle_id)
    if order.odometer_km is not None and (vehicle.mileage_km or 0) < order.odometer_km:
        vehicle.mileage_km = order.odometer_km
        vehicle.mileage_recorded_at = timezone.now()
        # A new version, so that a vehicle form opened before cannot write the old mileage back.
        vehicle.version += 1
        vehicle._history_user = by
        vehicle.save(update_fields=["mileage_km", "mileage_recorded_at", "version", "updated_at"])
        order.vehicle = vehicle
    return order


def _discount_limit(user: User) -> Decimal:
    if user.is_superuser:
        return Decimal("100")
    return max((DISCOUNT_LIMITS.get(role, Decimal("0")) for role in user.role_codes), default=Decimal("0"))


@transaction.atomic
def repair_order_update_estimate(*, order: RepairOrder, by: User, version: int | None, **fields: Any) -> RepairOrder:
    """Change the diagnosis and the terms of the estimate while it is still being prepared."""
    _check_write_scope(user=by, dealer=order.dealer)
    _check_service_desk(by)
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


@transaction.atomic
def repair_order_add_line(
    *,
    order: RepairOrder,
    by: User,
    kind: str,
    description: str = "",
    quantity: Decimal | None = None,
    unit_price: Decimal | None = None,
    operation: LabourOperation | None = None,
    code: str = "",
    payer: str = "customer",
    part_source: str = PartSource.OEM,
) -> RepairOrderLine:
    """Add a labour, part or sundry line to the estimate (labour priced from the catalogue and the rate)."""
    _check_write_scope(user=by, dealer=order.dealer)
    _check_service_desk(by)
    order = RepairOrder.objects.select_for_update().get(pk=order.pk)
    if order.status not in EDITABLE_ESTIMATE:
        raise ValidationError(_("Lines can only be added before the estimate is given; later work is an addition."))
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
    )
    line._history_user = by
    line.full_clean()
    line.save()
    return line


@transaction.atomic
def repair_order_remove_line(*, line: RepairOrderLine, by: User) -> None:
    """Remove a line from an estimate that is still being prepared (kept in the line history)."""
    _check_write_scope(user=by, dealer=line.order.dealer)
    _check_service_desk(by)
    order = RepairOrder.objects.select_for_update().get(pk=line.order_id)
    if order.status not in EDITABLE_ESTIMATE:
        raise ValidationError(_("Lines can only be removed before the estimate is given."))
    line._history_user = by
    line.delete()


@transaction.atomic
def repair_order_record_approval(*, order: RepairOrder, by: User, version: int | None, **fields: Any) -> RepairOrder:
    """Record how and by whom the customer approved the estimate, then move it to approved."""
    unknown = set(fields).difference(APPROVAL_FIELDS)
    if unknown:
        raise TypeError(f"unknown approval fields: {sorted(unknown)}")
    _check_write_scope(user=by, dealer=order.dealer)
    _check_service_desk(by)
    if order.status != RepairOrderStatus.ESTIMATED:
        raise TransitionError({"action": _("Only a given estimate can be approved.")})
    for name, value in fields.items():
        setattr(order, name, value)
    order.approval_recorded_by = by
    order.approved_total = repair_order_totals(order=order).total
    order._history_user = by
    save_versioned(order, expected_version=version)
    return repair_order_transition(order=order, action="approve", by=by, version=order.version)


def repair_order_totals(*, order: RepairOrder):
    """The estimate/invoice totals of an order (see repairs/money.py)."""
    return order_totals(
        order.lines.all(),
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
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise TransitionError({"action": _("Unknown action “%(action)s”.") % {"action": action}})
    _check_write_scope(user=by, dealer=order.dealer)
    lock_version(order, expected_version=version)
    order = RepairOrder.objects.get(pk=order.pk)
    if order.status not in transition.sources:
        raise TransitionError(
            {
                "action": _("“%(action)s” is not possible while the order is “%(status)s”.")
                % {"action": transition.label, "status": order.get_status_display()}
            }
        )
    if not by.has_perm(transition.permission):
        raise PermissionDenied(_("Your role may not do “%(action)s”.") % {"action": transition.label})
    note = (note or "").strip()
    if transition.note_required and not note:
        raise TransitionError({"note": _("%(what)s is required.") % {"what": transition.note_label}})
    if len(note) > NOTE_MAX_LENGTH:
        raise TransitionError({"note": _("Keep the note within %(max)s characters.") % {"max": NOTE_MAX_LENGTH}})
    problems = transition.guard(order, note) if transition.guard else []
    if problems:
        raise TransitionError({"action": [str(p) for p in problems]})
    now = timezone.now()
    from_status = order.status
    order.status = transition.target
    if transition.stamp:
        setattr(order, transition.stamp, now)
    if action == "cancel":
        order.cancel_reason = note
    if action == "check_in":
        order.checkin_exception = note if checkin_gaps(order) else ""
    order.version += 1
    order._history_user = by
    order._change_reason = f"{action}: {note}" if note else action
    order.save()
    RepairOrderEvent.objects.create(
        order=order, action=action, from_status=from_status, to_status=order.status, at=now, by=by, note=note
    )
    return order
