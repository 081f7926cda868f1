"""Parts reports, as grouped SQL: stock value, slow and dead stock (KPI F2), first-pick fill rate (KPI F1),
turnover and the parts margin per repair order. Every figure carries the count behind it.
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
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from accounts.models import User
from parts.choices import MovementKind, ReservationStatus
from parts.models import SpecialOrder, StockItem, StockMovement, StockReservation

DEAD_DAYS = 180
SLOW_DAYS = 90
MONEY = DecimalField(max_digits=18, decimal_places=4)
ZERO = Value(Decimal("0"), output_field=MONEY)


@dataclass(frozen=True)
class StockValue:
    """The value of the stock and the part of it that is dead (no movement in 180 days): KPI F2."""

    items: int
    value: Decimal
    dead_items: int
    dead_value: Decimal
    slow_items: int
    slow_value: Decimal

    @property
    def dead_share(self) -> Decimal | None:
        return (self.dead_value / self.value * 100).quantize(Decimal("0.01")) if self.value else None


def _stock(user: User, dealer_id: int | None) -> QuerySet[StockItem]:
    qs = StockItem.objects.for_user(user).filter(on_hand__gt=0)
    return qs.filter(warehouse__dealer_id=dealer_id) if dealer_id else qs


def _value():
    return ExpressionWrapper(F("on_hand") * F("average_cost"), output_field=MONEY)


def stock_value(*, user: User, dealer_id: int | None = None, now: datetime | None = None) -> StockValue:
    """Stock on hand at average cost, with dead (no movement 180 days) and slow (no issue 90 days) parts of it."""
    now = now or timezone.now()
    dead = Q(last_movement_at__lt=now - timedelta(days=DEAD_DAYS)) | Q(last_movement_at__isnull=True)
    recent_issue = StockMovement.objects.filter(
        item=OuterRef("pk"), kind=MovementKind.ISSUE, at__gte=now - timedelta(days=SLOW_DAYS)
    )
    slow = ~dead & ~Q(Exists(recent_issue))
    totals = _stock(user, dealer_id).aggregate(
        items=Count("id"),
        value=Coalesce(Sum(_value()), ZERO),
        dead_items=Count("id", filter=dead),
        dead_value=Coalesce(Sum(_value(), filter=dead), ZERO),
        slow_items=Count("id", filter=slow),
        slow_value=Coalesce(Sum(_value(), filter=slow), ZERO),
    )
    return StockValue(**{k: (v.quantize(Decimal("0.01")) if isinstance(v, Decimal) else v) for k, v in totals.items()})


def dead_stock(*, user: User, dealer_id: int | None = None, now: datetime | None = None) -> QuerySet[StockItem]:
    """The dead stock items, most valuable first (for the clearance list and its Excel export)."""
    now = now or timezone.now()
    dead = Q(last_movement_at__lt=now - timedelta(days=DEAD_DAYS)) | Q(last_movement_at__isnull=True)
    return (
        _stock(user, dealer_id)
        .filter(dead)
        .annotate(value=_value())
        .select_related("part", "warehouse")
        .order_by("-value", "id")
    )


@dataclass(frozen=True)
class FillRate:
    """KPI F1: repair-order part lines issued from stock on the day they were requested / part lines requested."""

    lines: int
    filled: int

    @property
    def rate(self) -> Decimal | None:
        return (Decimal(self.filled) / self.lines * 100).quantize(Decimal("0.01")) if self.lines else None


def fill_rate(*, user: User, start: datetime, end: datetime, dealer_id: int | None = None) -> FillRate:
    """Requests in [start, end): a line counts once; it is filled when issued the same (local) day, from stock."""
    reservations = StockReservation.objects.for_user(user).filter(requested_at__gte=start, requested_at__lt=end)
    special = SpecialOrder.objects.for_user(user).filter(requested_at__gte=start, requested_at__lt=end)
    if dealer_id:
        reservations = reservations.filter(item__warehouse__dealer_id=dealer_id)
        special = special.filter(warehouse__dealer_id=dealer_id)
    special_lines = SpecialOrder.objects.filter(repair_order_line=OuterRef("repair_order_line"))
    same_day = (
        reservations.filter(status=ReservationStatus.ISSUED)
        .annotate(asked=TruncDate("requested_at"), got=TruncDate("issued_at"), special=Exists(special_lines))
        .filter(asked=F("got"), special=False)
    )
    requested = reservations.exclude(status=ReservationStatus.RELEASED).values("repair_order_line").distinct().count()
    only_special = special.exclude(repair_order_line__in=reservations.values("repair_order_line")).count()
    return FillRate(lines=requested + only_special, filled=same_day.values("repair_order_line").distinct().count())


def parts_margin_by_order(*, user: User, start: datetime, end: datetime, dealer_id: int | None = None):
    """Delivered orders in [start, end) with their parts revenue (lines) and parts cost (issues − returns)."""
    from repairs.models import RepairOrder, RepairOrderLine

    revenue = (
        RepairOrderLine.objects.filter(order=OuterRef("pk"), kind="part")
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
    orders = RepairOrder.objects.for_user(user).filter(delivered_at__gte=start, delivered_at__lt=end)
    if dealer_id:
        orders = orders.filter(dealer_id=dealer_id)
    return (
        orders.annotate(
            parts_revenue=Coalesce(Subquery(revenue, output_field=MONEY), ZERO),
            parts_cost=Coalesce(Subquery(cost, output_field=MONEY), ZERO),
        )
        .annotate(parts_margin=F("parts_revenue") - F("parts_cost"))
        .filter(Q(parts_revenue__gt=0) | Q(parts_cost__gt=0))
        .select_related("vehicle")
        .order_by("-delivered_at")
    )
