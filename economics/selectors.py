"""The workshop's efficiency and economics (车间效率与经营), from grouped SQL over the repair orders, the labour clocks
and the attendance; one rule per figure, used by the page, its Excel export and the API.

* Hours sold (售出工时): the hours of the invoiced labour lines (the estimate's and those of additions the customer
  approved; a declined addition sold nothing) of the orders delivered in the period, at the technician of the line.
  A line's hours are the labour guide's standard hours (工时定额) unless the advisor changed them on the estimate.
* Hours clocked (实际工时): the technicians' labour clocks, the part of each clock inside the period (an open clock
  has no length yet).
* Hours attended (出勤工时): ``economics.Attendance`` (0 for a day away).
* Efficiency (工时效率) = sold / clocked; productivity (生产率) = clocked / attended; overall = sold / attended.
* Labour revenue: the sold lines' amount net of the customer's discount (and with the symptom-pricing risk margin,
  as the invoice adds it), without VAT; effective labour rate (有效工时单价) = labour revenue / hours sold.
* Labour cost: hours × the technician's cost rate in force that day (``CostRate``; hours of a day without a rate are
  counted apart as ``uncosted_hours``). The workshop and a technician are charged their attended hours (what the
  dealer pays for); a repair order its clocked hours.
* Parts revenue, cost and margin per order: the parts reports' rule (parts.selectors.reports.parts_margin_annotations).
* Revenue: every invoiced line of the delivered orders net of the discount, without VAT.

Every share is a ``core.indicators.Rate`` (numerator and denominator kept; no denominator: no data).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Least

from core.dates import Month, days_bounds, local_date
from core.indicators import LocalDate, Minutes, Rate
from economics.models import Attendance, CostRate
from parts.selectors.reports import parts_margin_annotations
from repairs.choices import AdditionStatus, LineKind, Payer, PricingMode
from repairs.models import LabourClock, RepairOrder, RepairOrderLine
from staff.models import StaffProfile

MONEY = DecimalField(max_digits=18, decimal_places=4)
ZERO = Decimal("0")
CENT = Decimal("0.01")
HUNDREDTH = Decimal("0.01")
MAX_DAYS = 366
# Percent columns are multiplied by 0.01, never divided by 100: SQLite divides whole numbers as integers.
PER_CENT = Decimal("0.01")


def _invoiced(prefix: str = "") -> Q:
    """The lines an invoice counts (the estimate's and those of approved additions), seen from ``prefix``."""
    return Q(**{f"{prefix}addition__isnull": True}) | Q(**{f"{prefix}addition__status": AdditionStatus.APPROVED})


def _net_amount(prefix: str = "") -> ExpressionWrapper:
    """A line's amount as the invoice charges it without VAT: the customer's lines less the order's discount, the
    estimate's customer labour with the symptom-pricing risk margin (repairs.money.order_totals, before rounding)."""
    order = f"{prefix}order__"
    risk = Case(
        When(
            Q(**{f"{prefix}kind": LineKind.LABOUR, f"{prefix}addition__isnull": True,
                 f"{order}pricing_mode": PricingMode.SYMPTOM}),
            then=F(f"{order}risk_margin_pct") * Value(PER_CENT),
        ),
        default=Value(ZERO),
        output_field=MONEY,
    )  # fmt: skip
    factor = Case(
        When(
            Q(**{f"{prefix}payer": Payer.CUSTOMER}),
            then=(Value(Decimal("1")) + risk) * (Value(Decimal("1")) - F(f"{order}discount_pct") * Value(PER_CENT)),
        ),
        default=Value(Decimal("1")),
        output_field=MONEY,
    )
    return ExpressionWrapper(F(f"{prefix}quantity") * F(f"{prefix}unit_price") * factor, output_field=MONEY)


def _hours(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(HUNDREDTH)


def _money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)


# --- the figures ------------------------------------------------------------------------------------------------


@dataclass
class Figures:
    """The economics of a workshop, a technician, a day or a month: the hours, money and the ratios between them."""

    sold_hours: Decimal = ZERO
    clocked_hours: Decimal = ZERO
    attended_hours: Decimal = ZERO
    labour_revenue: Decimal = ZERO
    labour_cost: Decimal = ZERO
    uncosted_hours: Decimal = ZERO
    orders: int = 0
    revenue: Decimal = ZERO
    parts_revenue: Decimal = ZERO
    parts_cost: Decimal = ZERO
    absence_days: int = 0
    sold_by_payer: dict[str, Decimal] = field(default_factory=dict)

    def add(self, other: Figures) -> None:
        for name in ("sold_hours", "clocked_hours", "attended_hours", "labour_revenue", "labour_cost",
                     "uncosted_hours", "orders", "revenue", "parts_revenue", "parts_cost", "absence_days"):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for payer, hours in other.sold_by_payer.items():
            self.sold_by_payer[payer] = self.sold_by_payer.get(payer, ZERO) + hours

    def rounded(self) -> Figures:
        """The figures rounded for reading: hours and money to two decimals."""
        return Figures(
            sold_hours=_hours(self.sold_hours), clocked_hours=_hours(self.clocked_hours),
            attended_hours=_hours(self.attended_hours), labour_revenue=_money(self.labour_revenue),
            labour_cost=_money(self.labour_cost), uncosted_hours=_hours(self.uncosted_hours), orders=self.orders,
            revenue=_money(self.revenue), parts_revenue=_money(self.parts_revenue), parts_cost=_money(self.parts_cost),
            absence_days=self.absence_days,
            sold_by_payer={p: _hours(h) for p, h in self.sold_by_payer.items()},
        )  # fmt: skip

    @property
    def efficiency(self) -> Rate:
        """工时效率: hours sold / hours clocked."""
        return Rate(self.sold_hours, self.clocked_hours)

    @property
    def productivity(self) -> Rate:
        """生产率: hours clocked / hours attended."""
        return Rate(self.clocked_hours, self.attended_hours)

    @property
    def overall(self) -> Rate:
        """综合效率: hours sold / hours attended."""
        return Rate(self.sold_hours, self.attended_hours)

    @property
    def effective_labour_rate(self) -> Decimal | None:
        """有效工时单价: labour revenue / hours sold (None without hours sold)."""
        return _money(self.labour_revenue / self.sold_hours) if self.sold_hours else None

    @property
    def labour_margin(self) -> Decimal:
        return self.labour_revenue - self.labour_cost

    @property
    def labour_margin_share(self) -> Rate:
        return Rate(self.labour_margin, self.labour_revenue)

    @property
    def parts_margin(self) -> Decimal:
        return self.parts_revenue - self.parts_cost

    @property
    def parts_margin_share(self) -> Rate:
        return Rate(self.parts_margin, self.parts_revenue)

    @property
    def revenue_per_order(self) -> Decimal | None:
        return _money(self.revenue / self.orders) if self.orders else None

    @property
    def is_empty(self) -> bool:
        return not (self.sold_hours or self.clocked_hours or self.attended_hours or self.orders or self.absence_days)


# --- cost rates -------------------------------------------------------------------------------------------------


class CostRates:
    """The cost rates of some dealers (one query) and the technicians' positions there (one query): the rate of a
    technician on a day is their own latest rate valid by then, else their position's."""

    def __init__(self, dealer_ids: Iterable[int], last: date):
        self.own: dict[tuple[int, int], list[tuple[date, Decimal]]] = defaultdict(list)
        self.by_position: dict[tuple[int, str], list[tuple[date, Decimal]]] = defaultdict(list)
        dealer_ids = list(dealer_ids)
        rows = CostRate.objects.filter(dealer_id__in=dealer_ids, valid_from__lte=last).order_by("-valid_from")
        for rate in rows.values("dealer_id", "technician_id", "position", "valid_from", "hourly_cost"):
            entry = (rate["valid_from"], rate["hourly_cost"])
            if rate["technician_id"]:
                self.own[(rate["dealer_id"], rate["technician_id"])].append(entry)
            else:
                self.by_position[(rate["dealer_id"], rate["position"])].append(entry)
        self.positions = {
            (p["dealer_id"], p["user_id"]): p["position"]
            for p in StaffProfile.objects.filter(dealer_id__in=dealer_ids).values("dealer_id", "user_id", "position")
        }

    @staticmethod
    def _on(entries: list[tuple[date, Decimal]], day: date) -> Decimal | None:
        return next((cost for valid_from, cost in entries if valid_from <= day), None)

    def rate(self, dealer_id: int, technician_id: int, day: date) -> Decimal | None:
        own = self._on(self.own.get((dealer_id, technician_id), []), day)
        if own is not None:
            return own
        position = self.positions.get((dealer_id, technician_id), "technician")
        return self._on(self.by_position.get((dealer_id, position), []), day)


# --- the grouped rows -------------------------------------------------------------------------------------------


def sold_rows(dealer_ids: list[int], start: datetime, end: datetime) -> QuerySet:
    """The invoiced lines of the orders delivered in ``[start, end)``, grouped by dealer, technician, payer, kind and
    the local day of delivery: ``hours`` (quantity), ``net`` (the invoice's amount without VAT)."""
    return (
        RepairOrderLine.objects.filter(
            _invoiced(), order__dealer_id__in=dealer_ids, order__delivered_at__gte=start, order__delivered_at__lt=end
        )
        .order_by()
        .values("order__dealer_id", "technician_id", "payer", "kind")
        .annotate(
            day=LocalDate("order__delivered_at", "order__dealer__time_zone"),
            hours=Sum("quantity"),
            net=Sum(_net_amount()),
        )
        .values("order__dealer_id", "technician_id", "payer", "kind", "day", "hours", "net")
    )


def delivered_orders(dealer_ids: list[int], start: datetime, end: datetime) -> QuerySet[RepairOrder]:
    """The orders delivered in ``[start, end)`` at these dealers."""
    return RepairOrder.objects.filter(dealer_id__in=dealer_ids, delivered_at__gte=start, delivered_at__lt=end)


def order_day_rows(dealer_ids: list[int], start: datetime, end: datetime) -> QuerySet:
    """Delivered orders per dealer and local day of delivery, with their parts revenue and cost (the parts rule)."""
    return (
        delivered_orders(dealer_ids, start, end)
        .annotate(**parts_margin_annotations(), day=LocalDate("delivered_at", "dealer__time_zone"))
        .order_by()
        .values("dealer_id", "day")
        .annotate(n=Count("pk"), parts_revenue_sum=Sum("parts_revenue"), parts_cost_sum=Sum("parts_cost"))
        .values("dealer_id", "day", "n", "parts_revenue_sum", "parts_cost_sum")
    )


def clipped_minutes(start: datetime, end: datetime) -> Minutes:
    """The minutes of a labour clock inside ``[start, end)``."""
    return Minutes(Least(F("ended_at"), Value(end)), Greatest(F("started_at"), Value(start)))


def clocked_rows(dealer_ids: list[int], start: datetime, end: datetime) -> QuerySet:
    """The labour clocks overlapping ``[start, end)`` (clocked off), clipped to it, grouped by dealer, technician and
    the local day the clipped clock starts: ``minutes``."""
    return (
        LabourClock.objects.filter(
            line__order__dealer_id__in=dealer_ids, ended_at__isnull=False, started_at__lt=end, ended_at__gt=start
        )
        .order_by()
        .values("line__order__dealer_id", "technician_id")
        .annotate(
            day=LocalDate(Greatest(F("started_at"), Value(start)), "line__order__dealer__time_zone"),
            minutes=Sum(clipped_minutes(start, end)),
        )
        .values("line__order__dealer_id", "technician_id", "day", "minutes")
    )


def attended_rows(dealer_ids: list[int], first: date, last: date) -> QuerySet:
    """Attendance per dealer, technician and day from ``first`` to ``last``: ``hours``, ``away`` (days of absence)."""
    return (
        Attendance.objects.filter(dealer_id__in=dealer_ids, day__gte=first, day__lte=last)
        .order_by()
        .values("dealer_id", "technician_id", "day")
        .annotate(attended=Sum("hours"), away=Count("pk", filter=~Q(absence="")))
    )


# --- the report -------------------------------------------------------------------------------------------------


@dataclass
class Economics:
    """The period's figures: the dealers together, each workshop, each technician, and per day or per month."""

    first: date
    last: date
    total: Figures
    workshops: dict[int, Figures]
    technicians: dict[tuple[int, int], Figures]
    days: dict[date, Figures]

    def months(self) -> dict[Month, Figures]:
        by_month: dict[Month, Figures] = {}
        for day, figures in sorted(self.days.items()):
            by_month.setdefault(Month.of(day), Figures()).add(figures)
        return by_month


def economics(dealer_ids: Iterable[int], first: date, last: date) -> Economics:
    """The economics of the dealers from ``first`` to ``last`` (local days, both included): five grouped queries and
    the two of the cost rates, whatever the number of dealers, technicians, days or orders."""
    dealer_ids = sorted(dealer_ids)
    start, end = days_bounds(first, last)
    rates = CostRates(dealer_ids, last)
    workshops: dict[int, Figures] = defaultdict(Figures)
    technicians: dict[tuple[int, int], Figures] = defaultdict(Figures)
    days: dict[date, Figures] = defaultdict(Figures)

    def book(dealer_id: int, technician_id: int | None, day: date, **values) -> None:
        piece = Figures(**values)
        workshops[dealer_id].add(piece)
        days[day].add(piece)
        if technician_id is not None:
            technicians[(dealer_id, technician_id)].add(piece)

    for row in sold_rows(dealer_ids, start, end):
        net = Decimal(str(row["net"] or 0))
        if row["kind"] == LineKind.LABOUR:
            hours = Decimal(str(row["hours"] or 0))
            book(row["order__dealer_id"], row["technician_id"], row["day"], sold_hours=hours, labour_revenue=net,
                 revenue=net, sold_by_payer={row["payer"]: hours})  # fmt: skip
        else:
            book(row["order__dealer_id"], None, row["day"], revenue=net)
    for row in order_day_rows(dealer_ids, start, end):
        book(row["dealer_id"], None, row["day"], orders=row["n"],
             parts_revenue=Decimal(str(row["parts_revenue_sum"] or 0)),
             parts_cost=Decimal(str(row["parts_cost_sum"] or 0)))  # fmt: skip
    for row in clocked_rows(dealer_ids, start, end):
        hours = Decimal(str(row["minutes"] or 0)) / 60
        book(row["line__order__dealer_id"], row["technician_id"], row["day"], clocked_hours=hours)
    for row in attended_rows(dealer_ids, first, last):
        hours = Decimal(str(row["attended"] or 0))
        rate = rates.rate(row["dealer_id"], row["technician_id"], row["day"])
        book(row["dealer_id"], row["technician_id"], row["day"], attended_hours=hours, absence_days=row["away"],
             labour_cost=hours * rate if rate is not None else ZERO,
             uncosted_hours=ZERO if rate is not None else hours)  # fmt: skip
    total = Figures()
    for figures in workshops.values():
        total.add(figures)
    return Economics(first, last, total, dict(workshops), dict(technicians), dict(days))


# --- per repair order -------------------------------------------------------------------------------------------


def order_economics(dealer_ids: Iterable[int], first: date, last: date) -> QuerySet[RepairOrder]:
    """The orders delivered from ``first`` to ``last``, newest first, each with ``sold_hours``, ``clocked_hours``
    (all its clocks), ``labour_revenue``, ``revenue`` (net, without VAT) and the parts rule's ``parts_revenue``,
    ``parts_cost``, ``parts_margin``: one query (subqueries). ``with_labour_cost`` adds the clocked cost to a page."""
    start, end = days_bounds(first, last)

    def lines_sum(expression, **filters) -> Coalesce:
        rows = (
            RepairOrderLine.objects.filter(_invoiced(), order=OuterRef("pk"), **filters)
            .order_by()
            .values("order")
            .annotate(total=Sum(expression))
            .values("total")
        )
        return Coalesce(Subquery(rows, output_field=MONEY), Value(ZERO), output_field=MONEY)

    clocks = (
        LabourClock.objects.filter(line__order=OuterRef("pk"), ended_at__isnull=False)
        .order_by()
        .values("line__order")
        .annotate(total=Sum(Minutes("ended_at", "started_at")))
        .values("total")
    )
    return (
        delivered_orders(sorted(dealer_ids), start, end)
        .annotate(
            sold_hours=lines_sum(F("quantity"), kind=LineKind.LABOUR),
            labour_revenue=lines_sum(_net_amount(), kind=LineKind.LABOUR),
            revenue=lines_sum(_net_amount()),
            clocked_minutes=Subquery(clocks),
            **parts_margin_annotations(),
        )
        .select_related("dealer", "vehicle", "advisor")
        .order_by("-delivered_at", "-id")
    )


def with_labour_cost(orders: list[RepairOrder]) -> list[RepairOrder]:
    """Each order with ``clocked_hours``, ``labour_cost`` (its clocks × the technician's rate that day),
    ``labour_margin``, ``uncosted_hours`` and rounded money: two queries for the rates, one for the clocks."""
    if not orders:
        return orders
    dealer_ids = {o.dealer_id for o in orders}
    rates = CostRates(dealer_ids, max(local_date(o.delivered_at) for o in orders))
    cost: dict[int, Decimal] = defaultdict(Decimal)
    uncosted: dict[int, Decimal] = defaultdict(Decimal)
    rows = (
        LabourClock.objects.filter(line__order__in=[o.pk for o in orders], ended_at__isnull=False)
        .order_by()
        .values("line__order_id", "line__order__dealer_id", "technician_id")
        .annotate(
            day=LocalDate("started_at", "line__order__dealer__time_zone"),
            minutes=Sum(Minutes("ended_at", "started_at")),
        )
    )
    for row in rows:
        hours = Decimal(str(row["minutes"] or 0)) / 60
        rate = rates.rate(row["line__order__dealer_id"], row["technician_id"], row["day"])
        if rate is None:
            uncosted[row["line__order_id"]] += hours
        else:
            cost[row["line__order_id"]] += hours * rate
    for order in orders:
        order.clocked_hours = _hours(Decimal(str(order.clocked_minutes or 0)) / 60)
        order.sold_hours = _hours(order.sold_hours)
        order.labour_revenue, order.revenue = _money(order.labour_revenue), _money(order.revenue)
        order.parts_revenue, order.parts_cost = _money(order.parts_revenue), _money(order.parts_cost)
        order.parts_margin = order.parts_revenue - order.parts_cost
        order.labour_cost = _money(cost[order.pk])
        order.uncosted_hours = _hours(uncosted[order.pk])
        order.labour_margin = order.labour_revenue - order.labour_cost
        order.efficiency = Rate(order.sold_hours, order.clocked_hours)
    return orders
