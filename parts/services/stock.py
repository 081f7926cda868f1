"""Writes of the stock ledger: every change of on-hand stock is a movement row, under a row lock.

On-hand is always the sum of the item's movements (``manage.py stock_check`` proves it) and
never negative: the item row is locked (``select_for_update``) while a movement is checked and
posted, and the database refuses negative stock by a check constraint as a last line.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from core.permissions import require
from core.services import lock_version, save_next_version
from parts.choices import MovementKind, ReservationStatus
from parts.models import Part, SpecialOrder, StockItem, StockMovement, StockReservation, Warehouse
from parts.selectors.stock import main_warehouse

COST = Decimal("0.0001")
ROLE_MAY_NOT = gettext_lazy("Your role may not change the stock.")


def _locked(item: StockItem) -> StockItem:
    return StockItem.objects.select_for_update(of=("self",)).select_related("warehouse", "part").get(pk=item.pk)


def _post(*, item: StockItem, kind: str, quantity: Decimal, unit_cost: Decimal, by: User, reason: str = "", line=None):
    """Post one movement to a locked item; refuse what would make it negative. Returns the movement."""
    quantity = Decimal(quantity)
    if quantity == 0:
        raise ValidationError({"quantity": _("The quantity cannot be zero.")})
    new_on_hand = item.on_hand + quantity
    if new_on_hand < 0:
        raise ValidationError(
            {
                "quantity": _("Only %(on_hand)s %(unit)s of %(part)s on hand.")
                % {"on_hand": item.on_hand.normalize(), "unit": item.part.get_unit_display(), "part": item.part}
            }
        )
    if new_on_hand < item.reserved:
        raise ValidationError(
            {
                "quantity": _("%(reserved)s are reserved for repair orders: release them first.")
                % {"reserved": item.reserved.normalize()}
            }
        )
    if quantity > 0 and kind == MovementKind.RECEIPT:
        value = item.on_hand * item.average_cost + quantity * Decimal(unit_cost)
        item.average_cost = (value / new_on_hand).quantize(COST, rounding=ROUND_HALF_UP)
    now = timezone.now()
    item.on_hand, item.last_movement_at = new_on_hand, now
    item._history_user = by
    item.save(update_fields=["on_hand", "average_cost", "last_movement_at", "reserved"])
    return StockMovement.objects.create(
        item=item,
        kind=kind,
        quantity=quantity,
        unit_cost=Decimal(unit_cost).quantize(COST),
        on_hand_after=new_on_hand,
        repair_order_line=line,
        reason=reason,
        at=now,
        by=by,
    )


def stock_item_get_or_create(*, warehouse: Warehouse, part: Part) -> StockItem:
    """The stock item of a part in a warehouse (created empty the first time)."""
    item, _created = StockItem.objects.get_or_create(warehouse=warehouse, part=part)
    return item


@transaction.atomic
def stock_receive(
    *, item: StockItem, quantity: Decimal, unit_cost: Decimal, by: User, reason: str = ""
) -> StockMovement:
    """Goods in (purchase receipt): on-hand up, moving-average cost updated."""
    item = _locked(item)
    require(by, "parts.add_stockmovement", dealer=item.warehouse.dealer_id, message=ROLE_MAY_NOT)
    if Decimal(quantity) <= 0 or Decimal(unit_cost) < 0:
        raise ValidationError({"quantity": _("A receipt has a positive quantity and a cost of zero or more.")})
    return _post(item=item, kind=MovementKind.RECEIPT, quantity=quantity, unit_cost=unit_cost, by=by, reason=reason)


@transaction.atomic
def stock_adjust(*, item: StockItem, quantity: Decimal, by: User, reason: str, kind: str = MovementKind.ADJUSTMENT):
    """A correction (+ or −) with its reason, at the average cost; stock-take differences use kind STOCKTAKE."""
    item = _locked(item)
    require(by, "parts.add_stockmovement", dealer=item.warehouse.dealer_id, message=ROLE_MAY_NOT)
    if kind not in (MovementKind.ADJUSTMENT, MovementKind.STOCKTAKE):
        raise ValidationError({"kind": _("Only adjustments and stock-take differences are posted here.")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the stock is adjusted.")})
    return _post(item=item, kind=kind, quantity=quantity, unit_cost=item.average_cost, by=by, reason=reason.strip())


@transaction.atomic
def stock_reserve(*, item: StockItem, line, quantity: Decimal, by: User) -> StockReservation:
    """Set stock aside for a repair-order part line; refused (nothing changed) when not enough is available."""
    item = _locked(item)
    require(by, "parts.add_stockreservation", dealer=item.warehouse.dealer_id, message=ROLE_MAY_NOT)
    if line.order.dealer_id != item.warehouse.dealer_id:
        raise ValidationError(_("The repair order and the warehouse belong to different dealers."))
    quantity = Decimal(quantity)
    if quantity <= 0:
        raise ValidationError({"quantity": _("Reserve a positive quantity.")})
    if quantity > item.available:
        raise ValidationError(
            {
                "quantity": _(
                    "Only %(available)s available (%(on_hand)s on hand, %(reserved)s reserved): "
                    "someone may just have taken the last one."
                )
                % {
                    "available": item.available.normalize(),
                    "on_hand": item.on_hand.normalize(),
                    "reserved": item.reserved.normalize(),
                }
            }
        )
    item.reserved += quantity
    item._history_user = by
    item.save(update_fields=["reserved"])
    reservation = StockReservation(
        item=item, repair_order_line=line, quantity=quantity, requested_at=timezone.now(), by=by
    )
    reservation._history_user = by
    reservation.save()
    return reservation


def _locked_reservation(reservation: StockReservation, version: int | None = None) -> StockReservation:
    if version is not None:
        lock_version(reservation, expected_version=version)
    reservation = StockReservation.objects.select_for_update().get(pk=reservation.pk)
    if reservation.status != ReservationStatus.ACTIVE:
        raise ValidationError(
            _("This reservation is already %(status)s.") % {"status": reservation.get_status_display()}
        )
    return reservation


@transaction.atomic
def stock_release(*, reservation: StockReservation, by: User, version: int | None = None) -> StockReservation:
    """Give reserved stock back to the shelf (the line was removed or the order cancelled).

    ``version``: the reservation version the user saw (ConflictError if it changed since); None skips the check.
    """
    item = _locked(reservation.item)
    require(by, "parts.change_stockreservation", dealer=item.warehouse.dealer_id, message=ROLE_MAY_NOT)
    reservation = _locked_reservation(reservation, version)
    item.reserved -= reservation.quantity
    item._history_user = by
    item.save(update_fields=["reserved"])
    reservation.status = ReservationStatus.RELEASED
    return save_next_version(reservation, by=by, update_fields=["status"], clean=False)


@transaction.atomic
def stock_issue(*, reservation: StockReservation, by: User, version: int | None = None) -> StockMovement:
    """Hand reserved parts to the workshop: an issue movement at the average cost (KPI F1: requested → issued).

    ``version``: the reservation version the user saw (ConflictError if it changed since); None skips the check.
    """
    item = _locked(reservation.item)
    require(by, "parts.add_stockmovement", dealer=item.warehouse.dealer_id, message=ROLE_MAY_NOT)
    reservation = _locked_reservation(reservation, version)
    item.reserved -= reservation.quantity
    movement = _post(
        item=item,
        kind=MovementKind.ISSUE,
        quantity=-reservation.quantity,
        unit_cost=item.average_cost,
        by=by,
        reason=str(reservation.repair_order_line.order),
        line=reservation.repair_order_line,
    )
    reservation.status, reservation.issued_at = ReservationStatus.ISSUED, movement.at
    save_next_version(reservation, by=by, update_fields=["status", "issued_at"], clean=False)
    return movement


@transaction.atomic
def stock_return(*, item: StockItem, line, quantity: Decimal, by: User) -> StockMovement:
    """Unused parts back from the workshop to the shelf, at the average cost."""
    item = _locked(item)
    require(by, "parts.add_stockmovement", dealer=item.warehouse.dealer_id, message=ROLE_MAY_NOT)
    issued = -sum((m.quantity for m in StockMovement.objects.filter(item=item, repair_order_line=line)), Decimal("0"))
    if Decimal(quantity) <= 0 or Decimal(quantity) > issued:
        raise ValidationError(
            {"quantity": _("At most %(issued)s were issued to this line.") % {"issued": issued.normalize()}}
        )
    return _post(
        item=item,
        kind=MovementKind.RETURN,
        quantity=quantity,
        unit_cost=item.average_cost,
        by=by,
        reason=str(line.order),
        line=line,
    )


# --- the parts counter: repair orders ask for parts ------------------------------------------------------------


@transaction.atomic
def repair_order_request_parts(*, order, by: User, lines=None) -> list:
    """Reserve stock for the order's catalogue part lines, or special-order what is not in stock (KPI F1 starts here).

    Lines already reserved, issued or special-ordered are left alone; superseded numbers take the current part.
    """
    warehouse = main_warehouse(order.dealer_id)
    if warehouse is None:
        return []
    lines = lines if lines is not None else order.lines.filter(kind="part", part__isnull=False)
    done = []
    for line in lines.select_related("part"):
        if _line_is_served(line):
            continue
        part = line.part.current()
        item = stock_item_get_or_create(warehouse=warehouse, part=part)
        if StockItem.objects.get(pk=item.pk).available >= line.quantity:
            done.append(stock_reserve(item=item, line=line, quantity=line.quantity, by=by))
        else:
            done.append(special_order_create(line=line, by=by, warehouse=warehouse))
    return done


def _part_line_check(line, dealer_id: int) -> None:
    if line.kind != "part" or line.part_id is None:
        raise ValidationError({"repair_order_line": _("Choose a part line with a catalogue part.")})
    if line.order.dealer_id != dealer_id:
        raise ValidationError(_("The repair order and the warehouse belong to different dealers."))


def _locked_line(line):
    """The line, locked until the transaction ends: two desks serving one line at once are taken one by one."""
    from repairs.models import RepairOrderLine

    return RepairOrderLine.objects.select_for_update(of=("self",)).select_related("order", "part").get(pk=line.pk)


def _line_is_served(line) -> bool:
    return (
        line.reservations.exclude(status=ReservationStatus.RELEASED).exists()
        or line.special_orders.filter(status=SpecialOrder.Status.ORDERED).exists()
    )


@transaction.atomic
def repair_order_line_reserve(*, line, by: User, item: StockItem | None = None, quantity=None) -> StockReservation:
    """Reserve stock for one repair-order part line (its current part; by default from the main warehouse)."""
    line = _locked_line(line)
    _part_line_check(line, line.order.dealer_id)
    if item is None:
        warehouse = main_warehouse(line.order.dealer_id)
        if warehouse is None:
            raise ValidationError({"item": _("The dealer has no warehouse.")})
        item = stock_item_get_or_create(warehouse=warehouse, part=line.part.current())
    require(by, "parts.add_stockreservation", dealer=item.warehouse.dealer_id, message=ROLE_MAY_NOT)
    _part_line_check(line, item.warehouse.dealer_id)
    if item.part_id != line.part.current().pk:
        raise ValidationError({"item": _("This stock item holds another part than the line.")})
    if _line_is_served(line):
        raise ValidationError({"repair_order_line": _("This line is already reserved, issued or special-ordered.")})
    return stock_reserve(item=item, line=line, quantity=line.quantity if quantity is None else quantity, by=by)


@transaction.atomic
def special_order_create(
    *, line, by: User, warehouse: Warehouse | None = None, quantity=None, deposit=Decimal("0")
) -> SpecialOrder:
    """Order a part that is not in stock for a repair-order line (the order then waits for parts)."""
    line = _locked_line(line)
    warehouse = warehouse or main_warehouse(line.order.dealer_id)
    if warehouse is None:
        raise ValidationError({"warehouse": _("The dealer has no warehouse.")})
    require(by, "parts.add_specialorder", dealer=warehouse.dealer_id, message=ROLE_MAY_NOT)
    _part_line_check(line, warehouse.dealer_id)
    quantity = line.quantity if quantity is None else Decimal(quantity)
    errors = {}
    if quantity <= 0:
        errors["quantity"] = [_("Order a positive quantity.")]
    if Decimal(deposit) < 0:
        errors["deposit"] = [_("The deposit cannot be negative.")]
    if errors:
        raise ValidationError(errors)
    if _line_is_served(line):
        raise ValidationError({"repair_order_line": _("This line is already reserved, issued or special-ordered.")})
    special = SpecialOrder(
        repair_order_line=line,
        warehouse=warehouse,
        part=line.part.current(),
        quantity=quantity,
        deposit=Decimal(deposit),
        requested_at=timezone.now(),
        by=by,
    )
    special._history_user = by
    special.save()
    return special


@transaction.atomic
def special_order_receive(
    *, special_order: SpecialOrder, unit_cost: Decimal, by: User, version: int | None = None
) -> StockReservation:
    """The special-ordered part has arrived: receive it into stock and reserve it for its repair-order line.

    ``version``: the special order version the user saw (ConflictError if it changed since); None skips the check.
    """
    if version is not None:
        lock_version(special_order, expected_version=version)
    special_order = SpecialOrder.objects.select_for_update().select_related("warehouse").get(pk=special_order.pk)
    require(by, "parts.add_stockmovement", dealer=special_order.warehouse.dealer_id, message=ROLE_MAY_NOT)
    if special_order.status != SpecialOrder.Status.ORDERED:
        raise ValidationError(
            _("This special order is already %(status)s.") % {"status": special_order.get_status_display()}
        )
    item = stock_item_get_or_create(warehouse=special_order.warehouse, part=special_order.part)
    stock_receive(
        item=item,
        quantity=special_order.quantity,
        unit_cost=unit_cost,
        by=by,
        reason=_("special order for %(order)s") % {"order": special_order.repair_order_line.order},
    )
    special_order.status, special_order.received_at = SpecialOrder.Status.RECEIVED, timezone.now()
    save_next_version(special_order, by=by, update_fields=["status", "received_at"], clean=False)
    reservation = stock_reserve(item=item, line=special_order.repair_order_line, quantity=special_order.quantity, by=by)
    # F1 counts from when the line was requested, not from when the special order arrived.
    StockReservation.objects.filter(pk=reservation.pk).update(requested_at=special_order.requested_at)
    return reservation


@transaction.atomic
def stock_transfer(*, item: StockItem, to_warehouse: Warehouse, quantity: Decimal, by: User) -> tuple:
    """Move stock to another warehouse of the same dealer: a transfer-out and a transfer-in at the average cost."""
    quantity = Decimal(quantity)
    if quantity <= 0:
        raise ValidationError({"quantity": _("Transfer a positive quantity.")})
    source = _locked(item)
    require(by, "parts.add_stockmovement", dealer=source.warehouse.dealer_id, message=ROLE_MAY_NOT)
    if to_warehouse.dealer_id != source.warehouse.dealer_id or to_warehouse.pk == source.warehouse_id:
        raise ValidationError({"to_warehouse": _("Choose another warehouse of the same dealer.")})
    target = _locked(stock_item_get_or_create(warehouse=to_warehouse, part=source.part))
    cost = source.average_cost
    reason = _("transfer %(from)s → %(to)s") % {"from": source.warehouse.code, "to": to_warehouse.code}
    out = _post(item=source, kind=MovementKind.TRANSFER_OUT, quantity=-quantity, unit_cost=cost, by=by, reason=reason)
    # The goods keep their cost: the receiving item's average moves as if it were a receipt at that cost.
    value = target.on_hand * target.average_cost + quantity * cost
    target.average_cost = (value / (target.on_hand + quantity)).quantize(COST, rounding=ROUND_HALF_UP)
    into = _post(item=target, kind=MovementKind.TRANSFER_IN, quantity=quantity, unit_cost=cost, by=by, reason=reason)
    return out, into
