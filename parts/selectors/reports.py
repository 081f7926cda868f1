"""Parts reports, as grouped SQL: stock value, slow and dead stock (KPI F2), first-pick fill rate (KPI F1) and the
parts margin per repair order. Every figure carries the count behind it; F1 and F2 are parts.kpis' rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncMonth

from accounts.models import User
from core.indicators import RATIO, Measure, combined, judged_at
from organization.models import Dealer
from parts import kpis
from parts.choices import MovementKind
from parts.models import StockItem, StockMovement

SLOW_DAYS = 90
MONEY = DecimalField(max_digits=18, decimal_places=4)
ZERO = Value(Decimal("0"), output_field=MONEY)


def _dealer_ids(user: User, dealer_id: int | None) -> list[int]:
    """The user's dealers, or the one asked for if the user may see it (else none)."""
    dealers = Dealer.objects.for_user(user)
    return list((dealers.filter(pk=dealer_id) if dealer_id else dealers).values_list("pk", flat=True))


@dataclass(frozen=True)
class StockValue:
    """The stock at a moment: its value, the dead part of it (KPI F2, parts.kpis) and the slow part."""

    items: int
    value: Decimal
    dead_items: int
    dead_value: Decimal
    slow_items: int
    slow_value: Decimal
    dead_share: Measure  # F2 of the dealers together


def stock_value(*, user: User, start: datetime, end: datetime, dealer_id: int | None = None) -> StockValue:
    """The stock at the end of the period (now if earlier), rebuilt from the ledger as F2 counts it: value at
    average cost, dead (F2: no movement in 180 days) and slow (not dead, no issue in the 90 days before)."""
    moment = judged_at(end)
    recent_issue = StockMovement.objects.filter(
        item=OuterRef("pk"), kind=MovementKind.ISSUE, at__gte=moment - timedelta(days=SLOW_DAYS), at__lt=moment
    )
    slow = Q(in_numerator=False) & ~Q(Exists(recent_issue))
    figures = list(
        kpis.stock_figures(
            _dealer_ids(user, dealer_id), start, end,
            dead_items=Count("pk", filter=Q(in_numerator=True)),
            slow_items=Count("pk", filter=slow), slow_value=Coalesce(Sum("kpi_value", filter=slow), ZERO),
        ).values()
    )  # fmt: skip
    share = combined((f["F2"] for f in figures), RATIO)

    def money(value) -> Decimal:
        return Decimal(str(value or 0)).quantize(Decimal("0.01"))

    return StockValue(
        items=share.n,
        value=money(share.denominator),
        dead_items=sum(f["dead_items"] for f in figures),
        dead_value=money(share.numerator),
        slow_items=sum(f["slow_items"] for f in figures),
        slow_value=money(sum(Decimal(str(f["slow_value"])) for f in figures)),
        dead_share=share,
    )


def dead_stock(*, user: User, start: datetime, end: datetime, dealer_id: int | None = None) -> QuerySet[StockItem]:
    """F2's dead items at the end of the period (now if earlier), most valuable first (the clearance list and its
    Excel export): ``on_hand_then``, ``last_movement_then`` and ``kpi_value`` (their value)."""
    return (
        kpis.stock_records(_dealer_ids(user, dealer_id), start, end)
        .filter(in_numerator=True)
        .select_related("part", "warehouse")
        .order_by("-kpi_value", "id")
    )


def fill_rate(*, user: User, start: datetime, end: datetime, dealer_id: int | None = None) -> Measure:
    """F1 of the period for the user's dealers (or the one asked for) together (parts.kpis.fill_rate)."""
    return combined(kpis.fill_rate(_dealer_ids(user, dealer_id), start, end).values(), RATIO)


def parts_margin_annotations() -> dict:
    """The parts revenue, cost and margin of each repair order, as annotations of a RepairOrder queryset (one rule
    for this report and the workshop economics): revenue = the invoiced part lines (the estimate's and those of
    additions the customer approved; list price × quantity, before the customer's discount and VAT), cost = what the
    parts counter issued to the order less what came back, at the cost of each movement."""
    from repairs.models import RepairOrderLine

    revenue = (
        RepairOrderLine.objects.filter(order=OuterRef("pk"), kind="part")
        .filter(Q(addition__isnull=True) | Q(addition__status="approved"))
        .order_by()
        .values("order")
        .annotate(total=Sum(ExpressionWrapper(F("quantity") * F("unit_price"), output_field=MONEY)))
        .values("total")
    )
    cost = (
        StockMovement.objects.filter(
            repair_order_line__order=OuterRef("pk"), kind__in=[MovementKind.ISSUE, MovementKind.RETURN]
        )
        .order_by()
        .values("repair_order_line__order")
        .annotate(total=Sum(ExpressionWrapper(-F("quantity") * F("unit_cost"), output_field=MONEY)))
        .values("total")
    )
    parts_revenue = Coalesce(Subquery(revenue, output_field=MONEY), ZERO)
    parts_cost = Coalesce(Subquery(cost, output_field=MONEY), ZERO)
    return {
        "parts_revenue": parts_revenue,
        "parts_cost": parts_cost,
        "parts_margin": ExpressionWrapper(parts_revenue - parts_cost, output_field=MONEY),
    }


def parts_margin_by_order(*, user: User, start: datetime, end: datetime, dealer_id: int | None = None):
    """Delivered orders in [start, end) with their parts revenue, cost and margin (``parts_margin_annotations``)."""
    from repairs.models import RepairOrder

    orders = RepairOrder.objects.for_user(user).filter(delivered_at__gte=start, delivered_at__lt=end)
    if dealer_id:
        orders = orders.filter(dealer_id=dealer_id)
    return (
        orders.annotate(**parts_margin_annotations())
        .filter(Q(parts_revenue__gt=0) | Q(parts_cost__gt=0))
        .select_related("vehicle")
        .order_by("-delivered_at")
    )


FREE_TEXT_LISTED = 50


@dataclass(frozen=True)
class FreeTextPartLines:
    """Part lines typed without a catalogue part (not from the catalogue): per month and the latest of them."""

    months: list[dict]  # {"month": first day (local), "lines": n, "orders": n, "amount": Decimal}, oldest first
    lines: list  # the latest FREE_TEXT_LISTED lines, each with its order (and the order's vehicle)
    total: int


def free_text_part_lines(
    *, user: User, start: datetime, end: datetime, dealer_id: int | None = None
) -> FreeTextPartLines:
    """The part lines of the user's dealers' repair orders entered in [start, end) without a catalogue part: the
    parts counter never reserves, special-orders or issues them, so F1 does not count them and no parts cost is
    booked for them. Grouped by local month (one query) and the latest listed (one query)."""
    from repairs.models import RepairOrderLine

    lines = RepairOrderLine.objects.filter(
        order__dealer_id__in=_dealer_ids(user, dealer_id),
        kind="part",
        part__isnull=True,
        created_at__gte=start,
        created_at__lt=end,
    )
    months = list(
        lines.annotate(month=TruncMonth("created_at"))
        .order_by("month")
        .values("month")
        .annotate(
            lines=Count("pk"),
            orders=Count("order", distinct=True),
            amount=Coalesce(Sum(ExpressionWrapper(F("quantity") * F("unit_price"), output_field=MONEY)), ZERO),
        )
    )
    latest = list(lines.select_related("order__vehicle").order_by("-created_at", "-id")[:FREE_TEXT_LISTED])
    return FreeTextPartLines(months=months, lines=latest, total=sum(m["lines"] for m in months))
