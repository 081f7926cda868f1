"""Purchasing (采购) and stock-take (盘点): purchase orders, goods receipts, reorder suggestions, count sheets.

Every on-hand change goes through the stock ledger (``parts.services.stock.stock_receive`` / ``stock_adjust``);
``on_order`` of a stock item goes up when a PO is sent and down as its parts arrive or it is cancelled.

Over-receipt is refused: a delivery may bring at most the outstanding quantity of a line in good parts
(ordered − good parts received so far); the extra parts are sent back or ordered on a new PO. Damaged parts
are recorded on the receipt (for the supplier claim) and never enter stock, so they stay outstanding.

    draft --send--> sent --receive--> partly_received --receive--> received
      \\--cancel--> cancelled <--cancel-- (sent, partly_received: the rest is no longer expected)

    open --count (every line counted)--> counted --approve--> approved

A stock-take does not freeze the warehouse (the workshop keeps getting parts): every line is counted against
the book quantity at the moment its count is entered, and approval posts counted − that book quantity as a
STOCKTAKE movement on top of whatever moved since, so no movement is lost or counted twice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.models import User
from core.indicators import Rate
from core.numbering import next_number
from core.permissions import require
from core.services import lock_version, save_next_version
from core.state import StateMachine, Transition
from organization.models import Dealer
from parts.choices import MovementKind, PurchaseOrderStatus, StockTakeStatus
from parts.models import (
    GoodsReceipt,
    GoodsReceiptLine,
    Part,
    PurchaseOrder,
    PurchaseOrderLine,
    StockItem,
    StockTake,
    StockTakeLine,
    Supplier,
    Warehouse,
)
from parts.services.stock import _locked, stock_adjust, stock_item_get_or_create, stock_receive

ZERO = Decimal("0")
ADD_PO = "parts.add_purchaseorder"
CHANGE_PO = "parts.change_purchaseorder"
ADD_STOCKTAKE = "parts.add_stocktake"
CHANGE_STOCKTAKE = "parts.change_stocktake"
SAFETY_DAYS = 7
DEFAULT_LEAD_DAYS = 7


# --- status tables ------------------------------------------------------------------------------------------


P, T = PurchaseOrderStatus, StockTakeStatus
DOCUMENT_REFUSED = gettext_lazy("“%(action)s” is not possible while the document is “%(status)s”.")
PO_STATES = StateMachine(
    [
        Transition("send", gettext_lazy("Send to supplier"), {P.DRAFT}, P.SENT, CHANGE_PO, stamp="sent_at"),
        # receive ends in partly_received or received, depending on what is still outstanding
        Transition("receive", gettext_lazy("Receive goods"), {P.SENT, P.PARTLY_RECEIVED}, P.RECEIVED, CHANGE_PO),
        Transition("cancel", gettext_lazy("Cancel"), {P.DRAFT, P.SENT, P.PARTLY_RECEIVED}, P.CANCELLED, CHANGE_PO),
    ],
    statuses=PurchaseOrderStatus,
    refused=DOCUMENT_REFUSED,
)
STOCKTAKE_STATES = StateMachine(
    [
        # count ends in counted once every line has a count; until then the sheet stays open
        Transition("count", gettext_lazy("Record counts"), {T.OPEN, T.COUNTED}, T.COUNTED, CHANGE_STOCKTAKE),
        Transition(
            "approve",
            gettext_lazy("Approve and post differences"),
            {T.COUNTED},
            T.APPROVED,
            CHANGE_STOCKTAKE,
            stamp="approved_at",
            stamp_by="approved_by",
        ),
    ],
    statuses=StockTakeStatus,
    refused=DOCUMENT_REFUSED,
    dealer_of=lambda stocktake: stocktake.warehouse.dealer_id,
)


def _qty(value: Decimal) -> str:
    """A quantity for a message: 10, 2.5 (no trailing zeros, no exponent)."""
    return format(value.normalize(), "f")


ROLE_MAY_NOT = gettext_lazy("Your role may not do this.")


# --- purchase orders ----------------------------------------------------------------------------------------


def _locked_po(po: PurchaseOrder, *, by: User, action: str, version: int | None) -> PurchaseOrder:
    po = PurchaseOrder.objects.select_for_update().select_related("dealer", "warehouse").get(pk=po.pk)
    require(by, PO_STATES[action].permission, dealer=po.dealer_id, message=ROLE_MAY_NOT)
    lock_version(po, expected_version=version)
    PO_STATES.check(po, action)
    return po


@transaction.atomic
def purchase_order_create(
    *, warehouse: Warehouse, supplier: Supplier, by: User, expected_at: date | None = None, note: str = ""
) -> PurchaseOrder:
    """Draft a purchase order from a supplier into a warehouse of the same dealer."""
    require(by, ADD_PO, dealer=warehouse.dealer_id, message=ROLE_MAY_NOT)
    if supplier.dealer_id != warehouse.dealer_id:
        raise ValidationError({"supplier": _("The supplier and the warehouse belong to different dealers.")})
    dealer = Dealer.objects.get(pk=warehouse.dealer_id)
    if expected_at is None:
        expected_at = timezone.localdate() + timedelta(days=supplier.lead_time_days)
    now = timezone.now()
    po = PurchaseOrder(
        dealer=dealer, warehouse=warehouse, supplier=supplier, note=note.strip(), created_at=now,
        number=next_number(PurchaseOrder, dealer=dealer, when=now, prefix="PO-{dealer}-{when:%Y%m}-"),
        created_by=by, expected_at=expected_at,
    )  # fmt: skip
    po._history_user = by
    po.save()
    return po


@transaction.atomic
def purchase_order_add_line(
    *, po: PurchaseOrder, part: Part, quantity: Decimal, unit_cost: Decimal, by: User
) -> PurchaseOrderLine:
    """Add a part to a draft purchase order (one line per part); an old number orders the end of its chain."""
    po = PurchaseOrder.objects.select_for_update().get(pk=po.pk)
    part = part.current()
    require(by, CHANGE_PO, dealer=po.dealer_id, message=ROLE_MAY_NOT)
    if po.status != PurchaseOrderStatus.DRAFT:
        raise ValidationError(_("Lines can only be added to a draft purchase order."))
    quantity, unit_cost = Decimal(quantity), Decimal(unit_cost)
    if quantity <= 0:
        raise ValidationError({"quantity": _("Order a positive quantity.")})
    if unit_cost < 0:
        raise ValidationError({"unit_cost": _("The unit cost cannot be negative.")})
    if po.lines.filter(part=part).exists():
        raise ValidationError({"part": _("%(part)s is already on this order: change that line.") % {"part": part}})
    line = PurchaseOrderLine(po=po, part=part, quantity=quantity, unit_cost=unit_cost)
    line._history_user = by
    line.save()
    save_next_version(po, by=by, reason=_("line added"), update_fields=[], clean=False)
    return line


def _change_on_order(*, po: PurchaseOrder, part: Part, delta: Decimal, by: User) -> None:
    item = _locked(stock_item_get_or_create(warehouse=po.warehouse, part=part))
    item.on_order = max(item.on_order + delta, ZERO)
    item._history_user = by
    item.save(update_fields=["on_order"])


@transaction.atomic
def purchase_order_send(*, po: PurchaseOrder, by: User, version: int | None) -> PurchaseOrder:
    """Send a draft to the supplier: its parts are now on order in the warehouse."""
    po = _locked_po(po, by=by, action="send", version=version)
    lines = list(po.lines.select_related("part"))
    if not lines:
        raise ValidationError(_("Add at least one line before sending the order."))
    for line in lines:
        _change_on_order(po=po, part=line.part, delta=line.quantity, by=by)
    PO_STATES.apply(po, "send", by=by)
    return save_next_version(po, by=by, reason=_("sent"), update_fields=["status", "sent_at"], clean=False)


@transaction.atomic
def purchase_order_receive(*, po: PurchaseOrder, lines: list[dict], by: User, version: int | None) -> GoodsReceipt:
    """Record a delivery: ``lines`` = [{po_line, received, damaged, note}] (received counts damaged parts too).

    Good parts (received − damaged) go into stock at the line's unit cost; over-receipt is refused.
    """
    po = _locked_po(po, by=by, action="receive", version=version)
    po_lines = {line.pk: line for line in po.lines.select_for_update().select_related("part")}
    wanted = []
    for entry in lines:
        po_line = entry["po_line"]
        po_line = po_lines.get(getattr(po_line, "pk", po_line))
        if po_line is None:
            raise ValidationError({"lines": _("Choose only lines of purchase order %(number)s.") % {"number": po}})
        received, damaged = Decimal(entry.get("received") or 0), Decimal(entry.get("damaged") or 0)
        if received < 0 or damaged < 0 or damaged > received:
            raise ValidationError(
                {"lines": _("%(part)s: damaged parts are part of the parts received.") % {"part": po_line.part}}
            )
        if received == 0:
            continue
        if received - damaged > po_line.outstanding:
            raise ValidationError(
                {
                    "lines": _(
                        "%(part)s: only %(outstanding)s still outstanding; send the extra parts back or order "
                        "them on a new purchase order."
                    )
                    % {"part": po_line.part, "outstanding": _qty(po_line.outstanding)}
                }
            )
        wanted.append((po_line, received, damaged, (entry.get("note") or "").strip()))
    if not wanted:
        raise ValidationError({"lines": _("Enter the quantity received of at least one line.")})
    receipt = GoodsReceipt(po=po, received_at=timezone.now(), by=by)
    receipt._history_user = by
    receipt.save()
    receipt_lines = []
    for po_line, received, damaged, note in wanted:
        good = received - damaged
        if good > 0:
            item = stock_item_get_or_create(warehouse=po.warehouse, part=po_line.part)
            stock_receive(item=item, quantity=good, unit_cost=po_line.unit_cost, by=by, reason=po.number)
            _change_on_order(po=po, part=po_line.part, delta=-good, by=by)
        po_line.received_quantity += good
        po_line.damaged_quantity += damaged
        po_line._history_user = by
        po_line.save(update_fields=["received_quantity", "damaged_quantity"])
        receipt_lines.append(
            GoodsReceiptLine(
                receipt=receipt,
                po_line=po_line,
                quantity_received=received,
                quantity_damaged=damaged,
                short=po_line.outstanding,
                note=note,
            )
        )
    GoodsReceiptLine.objects.bulk_create(receipt_lines)
    done = all(line.outstanding == 0 for line in po_lines.values())
    PO_STATES.apply(po, "receive", by=by, target=None if done else PurchaseOrderStatus.PARTLY_RECEIVED)
    save_next_version(po, by=by, reason=_("goods received"), update_fields=["status"], clean=False)
    return receipt


@transaction.atomic
def purchase_order_cancel(*, po: PurchaseOrder, by: User, version: int | None) -> PurchaseOrder:
    """Cancel an order (or what is still outstanding of it): those parts are no longer on order."""
    po = _locked_po(po, by=by, action="cancel", version=version)
    if po.status != PurchaseOrderStatus.DRAFT:
        for line in po.lines.select_related("part"):
            if line.outstanding > 0:
                _change_on_order(po=po, part=line.part, delta=-line.outstanding, by=by)
    PO_STATES.apply(po, "cancel", by=by)
    return save_next_version(po, by=by, reason=_("cancelled"), update_fields=["status"], clean=False)


def inspection_pass_rate(receipt_lines: QuerySet[GoodsReceiptLine]) -> Decimal | None:
    """开箱合格率: the share (0–1, 4 places) of receipt lines with nothing damaged and nothing short; None if none."""
    totals = receipt_lines.aggregate(
        total=Coalesce(Sum(Value(1)), 0),
        passed=Coalesce(Sum(Value(1), filter=Q(quantity_damaged=0, short=0)), 0),
    )
    return Rate(totals["passed"], totals["total"]).fraction_decimal("0.0001")


# --- reorder suggestions ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReorderSuggestion:
    """A stock item that should be ordered: its demand, target and the quantity to order."""

    item: StockItem
    issued_90: Decimal
    issued_180: Decimal
    daily_demand: Decimal
    target: Decimal
    quantity: Decimal


def reorder_suggestions(
    *, warehouse: Warehouse, lead_time_days: int = DEFAULT_LEAD_DAYS, safety_days: int = SAFETY_DAYS, today=None
) -> list[ReorderSuggestion]:
    """What to order for a warehouse: demand × (lead time + safety days) against available + on order.

    Daily demand is the higher of the last 90 and the last 180 days' average issues (a rising demand counts at
    once, a falling one only slowly); the target is rounded up to whole units. One grouped query.
    """
    now = today or timezone.now()
    qty = DecimalField(max_digits=12, decimal_places=3)
    issued = Q(movements__kind=MovementKind.ISSUE)

    def demand(days: int):
        window = issued & Q(movements__at__gt=now - timedelta(days=days), movements__at__lte=now)
        return Coalesce(Sum(-F("movements__quantity"), filter=window, output_field=qty), Value(ZERO), output_field=qty)

    items = (
        StockItem.objects.filter(warehouse=warehouse)
        .annotate(
            issued_90=demand(90),
            issued_180=demand(180),
            cover=ExpressionWrapper(F("on_hand") - F("reserved") + F("on_order"), output_field=qty),
        )
        .filter(issued_180__gt=0)
        .select_related("part")
        .order_by("part__number_key")
    )
    days = Decimal(lead_time_days + safety_days)
    suggestions = []
    for item in items:
        daily = max(item.issued_90 / 90, item.issued_180 / 180)
        target = Decimal(math.ceil(daily * days))
        if target > item.cover:
            suggestions.append(
                ReorderSuggestion(
                    item=item,
                    issued_90=item.issued_90,
                    issued_180=item.issued_180,
                    daily_demand=daily.quantize(Decimal("0.001")),
                    target=target,
                    quantity=target - item.cover,
                )
            )
    return suggestions


@transaction.atomic
def purchase_order_from_suggestions(
    *, warehouse: Warehouse, supplier: Supplier, items: list[StockItem], by: User
) -> PurchaseOrder:
    """Draft a PO of the suggested quantities of ``items`` (at their average cost) from ``supplier``."""
    chosen = {item.pk for item in items}
    suggestions = [
        s
        for s in reorder_suggestions(warehouse=warehouse, lead_time_days=supplier.lead_time_days)
        if s.item.pk in chosen
    ]
    if not suggestions:
        raise ValidationError({"items": _("Choose at least one suggested part.")})
    po = purchase_order_create(warehouse=warehouse, supplier=supplier, by=by)
    for suggestion in suggestions:
        purchase_order_add_line(
            po=po, part=suggestion.item.part, quantity=suggestion.quantity, unit_cost=suggestion.item.average_cost,
            by=by,
        )  # fmt: skip
    return PurchaseOrder.objects.get(pk=po.pk)


# --- stock-take ---------------------------------------------------------------------------------------------


def _locked_stocktake(stocktake: StockTake, *, by: User, action: str) -> StockTake:
    stocktake = StockTake.objects.select_for_update().select_related("warehouse").get(pk=stocktake.pk)
    require(by, STOCKTAKE_STATES[action].permission, dealer=stocktake.warehouse.dealer_id, message=ROLE_MAY_NOT)
    STOCKTAKE_STATES.check(stocktake, action)
    return stocktake


@transaction.atomic
def stocktake_open(*, warehouse: Warehouse, by: User) -> StockTake:
    """Start a stock-take: a count sheet of every item of the warehouse, expected = on hand now."""
    require(by, ADD_STOCKTAKE, dealer=warehouse.dealer_id, message=ROLE_MAY_NOT)
    Warehouse.objects.select_for_update().filter(pk=warehouse.pk).first()
    if StockTake.objects.filter(warehouse=warehouse).exclude(status=StockTakeStatus.APPROVED).exists():
        raise ValidationError(_("A stock-take of this warehouse is already under way: finish it first."))
    stocktake = StockTake(warehouse=warehouse, started_at=timezone.now(), started_by=by)
    stocktake._history_user = by
    stocktake.save()
    items = StockItem.objects.filter(warehouse=warehouse).values_list("pk", "on_hand")
    bulk_create_with_history(
        [StockTakeLine(stocktake=stocktake, item_id=pk, expected=on_hand) for pk, on_hand in items],
        StockTakeLine,
        default_user=by,
    )
    return stocktake


@transaction.atomic
def stocktake_record_counts(*, stocktake: StockTake, counts: dict[int, Decimal], by: User) -> StockTake:
    """Record counted quantities {line id: counted}; the stock-take is counted once every line has a count.

    The shelf is not frozen while it is counted: each count is compared with the item's on-hand at this moment
    (the book quantity: on hand at the start plus the movements since), read under the item's row lock, so a
    part issued or received between opening the sheet and counting it is not a variance. A line counted again
    is compared with the book quantity of its new count.
    """
    stocktake = _locked_stocktake(stocktake, by=by, action="count")
    lines = {line.pk: line for line in stocktake.lines.select_for_update()}
    wanted = []
    for line_id, counted in counts.items():
        line = lines.get(int(line_id))
        if line is None:
            raise ValidationError({"counts": _("Count only lines of this stock-take.")})
        if counted is None:
            continue
        counted = Decimal(counted)
        if counted < 0:
            raise ValidationError({"counts": _("A count cannot be negative.")})
        wanted.append((line, counted))
    # lock the counted items in id order (the order every stock service locks in), then read their book quantity
    item_ids = sorted({line.item_id for line, _counted in wanted})
    book = dict(
        StockItem.objects.select_for_update().filter(pk__in=item_ids).order_by("pk").values_list("pk", "on_hand")
    )
    now = timezone.now()
    changed = []
    for line, counted in wanted:
        line.counted, line.book_quantity, line.counted_at = counted, book[line.item_id], now
        line.difference = counted - line.book_quantity
        changed.append(line)
    bulk_update_with_history(
        changed, StockTakeLine, ["counted", "book_quantity", "counted_at", "difference"], default_user=by
    )
    every_line = all(line.counted is not None for line in lines.values())
    STOCKTAKE_STATES.apply(stocktake, "count", by=by, target=None if every_line else stocktake.status)
    stocktake._history_user = by
    stocktake.save(update_fields=["status"])
    return stocktake


@transaction.atomic
def stocktake_approve(*, stocktake: StockTake, by: User) -> StockTake:
    """Approve the counts: one STOCKTAKE movement per difference (reason “盘点 <id>”), at the average cost."""
    stocktake = _locked_stocktake(stocktake, by=by, action="approve")
    reason = f"盘点 {stocktake.pk}"
    for line in stocktake.lines.select_related("item").exclude(difference=0).order_by("pk"):
        stock_adjust(item=line.item, quantity=line.difference, by=by, reason=reason, kind=MovementKind.STOCKTAKE)
    STOCKTAKE_STATES.apply(stocktake, "approve", by=by)
    stocktake._history_user = by
    stocktake.save(update_fields=["status", "approved_at", "approved_by"])
    return stocktake


def stocktake_variance(stocktake: StockTake) -> dict:
    """The variance report: lines with a difference, valued at the average cost, and the totals (gain, loss, net)."""
    money = DecimalField(max_digits=20, decimal_places=2)
    lines = list(
        stocktake.lines.exclude(difference=0)
        .exclude(difference__isnull=True)
        .select_related("item__part")
        .annotate(value=ExpressionWrapper(F("difference") * F("item__average_cost"), output_field=money))
        .order_by("item__part__number_key")
    )
    cent = Decimal("0.01")
    for line in lines:
        line.value = Decimal(line.value).quantize(cent)
    gain = sum((line.value for line in lines if line.value > 0), ZERO)
    loss = sum((line.value for line in lines if line.value < 0), ZERO)
    return {"lines": lines, "gain": gain, "loss": loss, "net": gain + loss}
