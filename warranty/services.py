"""Writes of warranty claims (三包索赔), and the in-warranty check they rely on.

Every write is keyword-only, runs in one transaction, checks the user's dealers and role,
refuses a save based on an old version (409) and leaves nothing changed when it refuses.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.numbering import next_number
from core.permissions import require
from core.services import lock_version, save_next_version
from customers.choices import FuelType
from customers.models import Vehicle
from repairs.choices import AdditionStatus, LineKind, Payer, RepairOrderStatus
from repairs.models import RepairOrder, RepairOrderLine
from repairs.money import line_amount, money
from warranty import rules
from warranty.choices import LIVE_STATUSES, ClaimStatus, Coverage
from warranty.models import WarrantyClaim, WarrantyPolicy
from warranty.state import CHANGE, CLAIM_STATES, DECIDE

ADD = "warranty.add_warrantyclaim"
DELETE = "warranty.delete_warrantyclaim"

# "In the workshop or later": the customer approved the work; a cancelled order has nothing to claim.
CLAIMABLE_ORDER_STATUSES = frozenset(
    {
        RepairOrderStatus.APPROVED,
        RepairOrderStatus.DISPATCHED,
        RepairOrderStatus.IN_REPAIR,
        RepairOrderStatus.QC,
        RepairOrderStatus.READY,
        RepairOrderStatus.DELIVERED,
        RepairOrderStatus.CLOSED,
    }
)
# The maker pays for work done: a claim is submitted once the repair has passed QC.
FINISHED_ORDER_STATUSES = frozenset({RepairOrderStatus.READY, RepairOrderStatus.DELIVERED, RepairOrderStatus.CLOSED})
CLAIM_FIELDS = (
    "failure_code", "failure_description", "causal_part_number", "causal_part_name", "coverage", "goodwill_note",
)  # fmt: skip
BATTERY_FUEL_TYPES = frozenset({FuelType.EV, FuelType.PHEV, FuelType.HYBRID})


# --- the in-warranty rule -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class WarrantyStatus:
    """Whether a repair is inside the vehicle's warranty, and the sentence that says why."""

    covered: bool
    reason: str
    code: str
    last_day: date | None = None
    km_limit: int | None = None


def warranty_terms(brand: str) -> rules.WarrantyTerms:
    """The brand's warranty terms, or the defaults when the brand has no policy."""
    policy = WarrantyPolicy.objects.filter(brand__iexact=(brand or "").strip()).first()
    return policy.terms if policy is not None else rules.DEFAULT_TERMS


def _km(value: int | None) -> str:
    return f"{value:,}" if value is not None else "—"


def warranty_status(vehicle: Vehicle, on_date: date, mileage: int | None, coverage: str = Coverage.BASIC):
    """Is a repair of ``vehicle`` on ``on_date`` at ``mileage`` km covered by ``coverage``? With the reason.

    Cover runs from the purchase date for the brand's months, or, for the basic warranty, to the
    warranty expiry on the vehicle's card when the archive has one; and up to the brand's km limit.
    Whichever comes first ends it. Goodwill is never covered: the maker decides it case by case.
    """
    if coverage == Coverage.GOODWILL:
        basic = warranty_status(vehicle, on_date, mileage, Coverage.BASIC)
        reason = _("Goodwill is outside the warranty terms (basic warranty: %(basic)s)") % {"basic": basic.reason}
        return WarrantyStatus(False, reason, "goodwill", basic.last_day, basic.km_limit)
    label = Coverage(coverage).label
    if coverage == Coverage.EV_BATTERY and vehicle.fuel_type not in BATTERY_FUEL_TYPES:
        reason = _("%(coverage)s does not apply: the vehicle has no traction battery (%(fuel)s).") % {
            "coverage": label,
            "fuel": vehicle.get_fuel_type_display(),
        }
        return WarrantyStatus(False, reason, "not_applicable")
    terms = warranty_terms(vehicle.brand).for_coverage(coverage)
    last_day = vehicle.warranty_expiry if coverage == Coverage.BASIC else None
    result = rules.cover(start=vehicle.purchase_date, terms=terms, on_date=on_date, mileage=mileage, last_day=last_day)
    params = {
        "coverage": label,
        "last_day": result.last_day.isoformat() if result.last_day else "—",
        "km": _km(result.km_limit),
        "on": on_date.isoformat(),
        "mileage": _km(mileage),
        "start": vehicle.purchase_date.isoformat() if vehicle.purchase_date else "—",
    }
    messages = {
        rules.COVERED: _(
            "In warranty (%(coverage)s): covered to %(last_day)s or %(km)s km; repaired on %(on)s at %(mileage)s km."
        ),
        rules.NO_START_DATE: _(
            "Cannot prove the warranty: the vehicle has no purchase date (or warranty expiry) in the archive."
        ),
        rules.NO_MILEAGE: _("Cannot prove the warranty: the repair order has no odometer reading."),
        rules.BEFORE_START: _("The repair date %(on)s is before the purchase date %(start)s: check the purchase date."),
        rules.EXPIRED_BY_DATE: _(
            "Out of warranty (%(coverage)s): cover ended on %(last_day)s; the repair was on %(on)s."
        ),
        rules.EXPIRED_BY_MILEAGE: _(
            "Out of warranty (%(coverage)s): cover ends at %(km)s km; the car had %(mileage)s km."
        ),
    }
    return WarrantyStatus(result.covered, messages[result.code] % params, result.code, result.last_day, result.km_limit)


def claim_warranty_status(claim: WarrantyClaim) -> WarrantyStatus:
    """The in-warranty check of a claim: its vehicle, repair date, odometer and coverage."""
    return warranty_status(claim.vehicle, claim.repair_date, claim.mileage_at_repair, claim.coverage)


# --- helpers ------------------------------------------------------------------------------------------------


def claimable_lines(*, order: RepairOrder) -> QuerySet[RepairOrderLine]:
    """The order's warranty-paid lines (additions only once approved) that no live claim holds."""
    return (
        order.lines.filter(payer=Payer.WARRANTY)
        .filter(Q(addition__isnull=True) | Q(addition__status=AdditionStatus.APPROVED))
        .exclude(warranty_claims__status__in=LIVE_STATUSES)
        .order_by("position", "id")
    )


@dataclass(frozen=True)
class ClaimAmounts:
    labour: Decimal
    parts: Decimal
    sundry: Decimal

    @property
    def total(self) -> Decimal:
        return money(self.labour + self.parts + self.sundry)


def claim_amounts(lines) -> ClaimAmounts:
    """Labour, parts and sundry of the claimed lines, net of VAT (the maker settles VAT on its own invoice)."""
    sums = {LineKind.LABOUR: Decimal("0"), LineKind.PART: Decimal("0"), LineKind.SUNDRY: Decimal("0")}
    for line in lines:
        sums[line.kind if line.kind in sums else LineKind.SUNDRY] += line_amount(line.quantity, line.unit_price)
    return ClaimAmounts(
        labour=money(sums[LineKind.LABOUR]), parts=money(sums[LineKind.PART]), sundry=money(sums[LineKind.SUNDRY])
    )


def _set_amounts(claim: WarrantyClaim, lines) -> None:
    amounts = claim_amounts(lines)
    claim.labour_amount, claim.parts_amount = amounts.labour, amounts.parts
    claim.sundry_amount, claim.total_amount = amounts.sundry, amounts.total


def _set_check(claim: WarrantyClaim) -> WarrantyStatus:
    status = claim_warranty_status(claim)
    claim.in_warranty = status.covered
    claim.warranty_check = status.reason[: WarrantyClaim._meta.get_field("warranty_check").max_length]
    return status


def _clean_fields(fields: dict) -> dict:
    unknown = set(fields).difference(CLAIM_FIELDS)
    if unknown:
        raise TypeError(f"unknown claim fields: {sorted(unknown)}")
    return {name: value.strip() if isinstance(value, str) else value for name, value in fields.items()}


def _locked(claim: WarrantyClaim, *, by: User, version: int | None) -> WarrantyClaim:
    """Check scope, lock the row at ``version`` and return the claim as stored now."""
    require(by, dealer=claim.dealer_id)
    lock_version(claim, expected_version=version)
    return WarrantyClaim.objects.select_related("vehicle", "dealer").get(pk=claim.pk)


# --- writes -------------------------------------------------------------------------------------------------


@transaction.atomic
def claim_create_from_order(*, order: RepairOrder, line_ids: Collection[int], by: User, **fields: str) -> WarrantyClaim:
    """Draft a claim for warranty-paid lines of one order (in the workshop or later); lines claimed once."""
    fields = _clean_fields(fields)
    require(by, ADD, dealer=order.dealer_id, message=_("Your role may not create warranty claims."))
    # Only the order row is locked (not its dealer and vehicle): two claims of one order queue here.
    order = RepairOrder.objects.select_for_update(of=("self",)).select_related("dealer", "vehicle").get(pk=order.pk)
    if order.status not in CLAIMABLE_ORDER_STATUSES:
        raise ValidationError(
            _("A claim is made once the customer has approved the work (the order is “%(status)s”).")
            % {"status": order.get_status_display()}
        )
    wanted = {int(pk) for pk in line_ids}
    if not wanted:
        raise ValidationError({"lines": _("Choose at least one warranty line of the order.")})
    lines = list(RepairOrderLine.objects.filter(pk__in=wanted, order=order).select_related("addition"))
    problems = []
    if len(lines) != len(wanted):
        problems.append(_("Choose only lines of repair order %(number)s.") % {"number": order.number})
    free = set(claimable_lines(order=order).filter(pk__in=wanted).values_list("pk", flat=True))
    for line in lines:
        if line.payer != Payer.WARRANTY:
            problems.append(_("“%(line)s” is not paid by warranty.") % {"line": line.description})
        elif line.addition_id and line.addition.status != AdditionStatus.APPROVED:
            problems.append(
                _("“%(line)s” belongs to an addition the customer has not approved.") % {"line": line.description}
            )
        elif line.pk not in free:
            problems.append(_("“%(line)s” is already in another claim.") % {"line": line.description})
    if problems:
        raise ValidationError({"lines": problems})
    now = timezone.now()
    claim = WarrantyClaim(
        dealer=order.dealer,
        repair_order=order,
        vehicle=order.vehicle,
        number=next_number(WarrantyClaim, dealer=order.dealer, when=now, prefix="WC-{dealer}-{when:%Y%m}-"),
        repair_date=timezone.localdate(order.arrived_at),
        mileage_at_repair=order.odometer_km,
        created_by=by,
        **fields,
    )
    _set_amounts(claim, lines)
    _set_check(claim)
    claim._history_user = by
    claim.full_clean()
    claim.save()
    claim.lines.set(lines)
    return claim


@transaction.atomic
def claim_update(*, claim: WarrantyClaim, by: User, version: int | None, **fields: str) -> WarrantyClaim:
    """Change the failure, causal part, coverage or goodwill note of a draft claim."""
    fields = _clean_fields(fields)
    require(by, CHANGE, message=_("Your role may not change warranty claims."))
    claim = _locked(claim, by=by, version=version)
    if claim.status != ClaimStatus.DRAFT:
        raise ValidationError(
            _("Only a draft claim can be changed; this one is “%(status)s”.") % {"status": claim.get_status_display()}
        )
    for name, value in fields.items():
        setattr(claim, name, value)
    _set_check(claim)
    return save_next_version(claim, by=by, reason="edit")


@transaction.atomic
def claim_delete(*, claim: WarrantyClaim, by: User, version: int | None) -> None:
    """Discard a draft claim (its lines are free again); a submitted claim is never deleted."""
    require(by, DELETE, message=_("Your role may not discard warranty claims."))
    claim = _locked(claim, by=by, version=version)
    if claim.status != ClaimStatus.DRAFT:
        raise ValidationError(_("Only a draft claim can be discarded."))
    claim._history_user = by
    claim.lines.clear()
    claim.delete()


@transaction.atomic
def claim_submit(*, claim: WarrantyClaim, by: User, version: int | None) -> WarrantyClaim:
    """Submit a draft to the maker: amounts from the lines, in-warranty check (goodwill needs a note)."""
    require(by, CHANGE, message=_("Your role may not submit warranty claims."))
    claim = _locked(claim, by=by, version=version)
    CLAIM_STATES.check(claim, "submit")
    order = RepairOrder.objects.select_for_update().get(pk=claim.repair_order_id)
    if order.status not in FINISHED_ORDER_STATUSES:
        raise ValidationError(
            _("Submit the claim once the repair has passed QC (the order is “%(status)s”).")
            % {"status": order.get_status_display()}
        )
    lines = list(claim.lines.all())
    if not lines or any(line.payer != Payer.WARRANTY for line in lines):
        raise ValidationError({"lines": _("Every claimed line must still be paid by warranty.")})
    status = _set_check(claim)
    if claim.coverage == Coverage.GOODWILL:
        if not claim.goodwill_note.strip():
            raise ValidationError(
                {"goodwill_note": _("A goodwill claim needs a note for the maker: why they should pay.")}
            )
    elif not status.covered:
        raise ValidationError(
            {
                "coverage": _("%(reason)s Submit it as goodwill with a note, or correct the vehicle's data.")
                % {"reason": status.reason}
            }
        )
    _set_amounts(claim, lines)
    if claim.total_amount <= 0:
        raise ValidationError({"lines": _("The claimed lines add up to nothing.")})
    CLAIM_STATES.apply(claim, "submit", by=by)
    return save_next_version(claim, by=by, reason="submit")


@transaction.atomic
def claim_decide(
    *,
    claim: WarrantyClaim,
    by: User,
    version: int | None,
    approved: bool,
    approved_amount: Decimal | None = None,
    rejection_reason: str = "",
) -> WarrantyClaim:
    """Record the maker's answer to a submitted claim: approved (an amount up to the claim) or rejected (why)."""
    require(by, DECIDE, message=_("Only a service manager or administrator records the maker's decision."))
    claim = _locked(claim, by=by, version=version)
    action = "approve" if approved else "reject"
    CLAIM_STATES.check(claim, action)
    rejection_reason = (rejection_reason or "").strip()
    if approved:
        if approved_amount is None:
            raise ValidationError({"approved_amount": _("Give the amount the maker approved.")})
        approved_amount = money(approved_amount)
        if approved_amount <= 0 or approved_amount > claim.total_amount:
            raise ValidationError(
                {
                    "approved_amount": _("The approved amount must be above 0 and at most the claimed %(total)s.")
                    % {"total": claim.total_amount}
                }
            )
        claim.approved_amount, claim.rejection_reason = approved_amount, ""
    else:
        if not rejection_reason:
            raise ValidationError({"rejection_reason": _("Give the maker's reason for the rejection.")})
        claim.rejection_reason, claim.approved_amount = rejection_reason, None
    CLAIM_STATES.apply(claim, action, by=by, note=rejection_reason)
    return save_next_version(claim, by=by, reason=action)


@transaction.atomic
def claim_mark_paid(
    *,
    claim: WarrantyClaim,
    by: User,
    version: int | None,
    paid_amount: Decimal | None = None,
    paid_at: datetime | None = None,
) -> WarrantyClaim:
    """Record the maker's payment of an approved claim (the approved amount unless told otherwise)."""
    require(by, DECIDE, message=_("Only a service manager or administrator records the maker's payment."))
    claim = _locked(claim, by=by, version=version)
    CLAIM_STATES.check(claim, "mark_paid")
    now = timezone.now()
    paid_at = paid_at or now
    paid_amount = money(paid_amount) if paid_amount is not None else claim.approved_amount
    errors = {}
    if paid_amount is None or paid_amount <= 0 or paid_amount > claim.approved_amount:
        errors["paid_amount"] = _("The paid amount must be above 0 and at most the approved %(amount)s.") % {
            "amount": claim.approved_amount
        }
    if paid_at > now or timezone.localdate(paid_at) < timezone.localdate(claim.decided_at):
        errors["paid_at"] = _("The payment date must be after the decision and not in the future.")
    if errors:
        raise ValidationError(errors)
    CLAIM_STATES.apply(claim, "mark_paid", by=by, at=paid_at)
    claim.paid_amount = paid_amount
    return save_next_version(claim, by=by, reason="mark_paid")
