"""The parts indicator rules: F1 first-pick fill rate and F2 dead stock share.

* F1 — repair-order part lines requested from the parts counter in the period (a reservation that was not
  released, or a special order); filled = issued from stock on the day requested — the dealer's local day
  (``Dealer.time_zone``) — and never special-ordered.
* F2 — the stock at the period end (or ``as_of``, default now, if earlier), rebuilt from the stock ledger: the
  quantity after each item's last movement before that moment, valued at the item's moving-average cost (the ledger
  does not keep the historical average); dead = no movement in the 180 days before that moment.

Each rule is a records function ``(dealer_ids, start, end, as_of=None) -> QuerySet`` (annotated with
``in_numerator`` and ``kpi_value``) and a grouped measure ``-> {dealer_id: Measure}`` over exactly those records
(core.indicators). The parts reports, the measurements and the evaluation runs call these.
"""

from __future__ import annotations

from datetime import timedelta
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
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from core.indicators import (
    NO_VALUE,
    PERCENT,
    RATIO,
    Indicator,
    LocalDate,
    Measure,
    Rate,
    evaluated_at,
    flag,
    ids,
    judged,
    judged_at,
    ratios,
    stamped_in,
)
from parts.choices import ReservationStatus
from parts.models import SpecialOrder, StockItem, StockMovement, StockReservation
from repairs.choices import LineKind
from repairs.models import RepairOrderLine

F1 = Indicator("F1", _("First-pick fill rate"), PERCENT, RATIO)
F2 = Indicator("F2", _("Dead stock share"), PERCENT, RATIO)

DEAD_DAYS = 180
STOCK_VALUE = DecimalField(max_digits=18, decimal_places=4)
QUANTITY = DecimalField(max_digits=12, decimal_places=3)
COST = DecimalField(max_digits=14, decimal_places=4)


# --- F1 first-pick fill rate ------------------------------------------------------------------------------------


def _released_by(as_of) -> Q:
    """Reservations (the rows) released by ``as_of``: dated by their history, see the module docstring."""
    return Q(status=ReservationStatus.RELEASED) & (Q(released_at__isnull=True) | Q(released_at__lte=as_of))


def fill_records(dealer_ids, start, end, as_of=None) -> QuerySet[RepairOrderLine]:
    """F1: the part lines requested in the period; ``in_numerator`` = issued from stock the (local) day asked
    (True), not (False), or pending (None: asked on the local day of ``as_of``, not issued yet)."""
    as_of = evaluated_at(as_of)
    in_period = stamped_in("requested_at", start, end, as_of)
    released_at = (
        StockReservation.history.filter(id=OuterRef("pk"), status=ReservationStatus.RELEASED)
        .order_by("history_date", "history_id")
        .values("history_date")[:1]
    )
    zone = OuterRef("order__dealer__time_zone")
    reservations = (
        StockReservation.objects.filter(in_period, repair_order_line=OuterRef("pk"))
        .annotate(released_at=Subquery(released_at))
        .exclude(_released_by(as_of))
        .annotate(asked=LocalDate(F("requested_at"), zone))
    )
    specials = SpecialOrder.objects.filter(repair_order_line=OuterRef("pk"), requested_at__lte=as_of)
    same_day = (
        reservations.filter(status=ReservationStatus.ISSUED, issued_at__isnull=False, issued_at__lte=as_of)
        .annotate(got=LocalDate(F("issued_at"), zone))
        .filter(asked=F("got"))
    )
    asked_today = reservations.filter(asked=LocalDate(Value(as_of), zone))
    requested = Q(Exists(reservations)) | Q(Exists(specials.filter(in_period)))
    return (
        RepairOrderLine.objects.filter(order__dealer_id__in=ids(dealer_ids), kind=LineKind.PART)
        .filter(requested)
        .annotate(
            in_numerator=judged(
                hit=Q(Exists(same_day)) & ~Q(Exists(specials)),
                missed=Q(Exists(specials)) | ~Q(Exists(asked_today)),
            ),
            kpi_value=NO_VALUE,
        )
    )


def fill_rate(dealer_ids, start, end, as_of=None) -> dict[int, Measure]:
    """F1: part lines issued from stock on the day requested / part lines requested."""
    return ratios(fill_records(dealer_ids, start, end, as_of), "order__dealer_id", dealer_ids)


# --- F2 dead stock share ----------------------------------------------------------------------------------------


def stock_records(dealer_ids, start, end, as_of=None) -> QuerySet[StockItem]:
    """F2: the stock items on hand at the period end (or ``as_of``), each with ``on_hand_then``,
    ``last_movement_then``, ``cost_then`` (the moving-average cost then), ``kpi_value`` = their value then and
    ``in_numerator`` = dead."""
    moment = judged_at(end, as_of)
    last = StockMovement.objects.filter(item=OuterRef("pk"), at__lt=moment).order_by("-at", "-id")
    history = StockItem.history.filter(id=OuterRef("pk"))
    cost_then = Coalesce(
        Subquery(
            history.filter(history_date__lt=moment).order_by("-history_date", "-history_id").values("average_cost")[:1]
        ),
        Subquery(history.order_by("history_date", "history_id").values("average_cost")[:1]),
        F("average_cost"),
        output_field=COST,
    )
    return (
        StockItem.objects.filter(warehouse__dealer_id__in=ids(dealer_ids))
        .annotate(
            on_hand_then=Subquery(last.values("on_hand_after")[:1], output_field=QUANTITY),
            last_movement_then=Subquery(last.values("at")[:1]),
        )
        .filter(on_hand_then__gt=0)
        .annotate(cost_then=cost_then)
        .annotate(kpi_value=ExpressionWrapper(F("on_hand_then") * F("cost_then"), output_field=STOCK_VALUE))
        .annotate(in_numerator=flag(Q(last_movement_then__lt=moment - timedelta(days=DEAD_DAYS))))
    )


def stock_figures(dealer_ids, start, end, as_of=None, **aggregates) -> dict[int, dict]:
    """F2 per dealer in one grouped query over ``stock_records``: {dealer_id: {"F2": Measure, **aggregates}};
    F2's numerator is the dead stock value, its denominator the stock value, n the items in stock.

    ``aggregates`` are further figures a page wants from the same stock rows (0 for a dealer without stock).
    """
    rows = (
        stock_records(dealer_ids, start, end, as_of)
        .order_by()
        .values(dealer_key=F("warehouse__dealer_id"))
        .annotate(
            value=Sum("kpi_value"),
            dead=Coalesce(Sum("kpi_value", filter=Q(in_numerator=True)), Value(Decimal("0")), output_field=STOCK_VALUE),
            n=Count("pk"),
            **aggregates,
        )
    )
    found = {row["dealer_key"]: row for row in rows}
    out = {}
    for d in ids(dealer_ids):
        row = found.get(d)
        if row is None:
            out[d] = {"F2": Measure.no_data(d), **dict.fromkeys(aggregates, 0)}
            continue
        value, dead = Decimal(row["value"] or 0), Decimal(row["dead"] or 0)
        share = Rate(dead, value).percent
        out[d] = {"F2": Measure(d, share, float(dead), float(value), row["n"]), **{k: row[k] for k in aggregates}}
    return out


def dead_stock_share(dealer_ids, start, end, as_of=None) -> dict[int, Measure]:
    """F2: dead stock value / stock value at the period end, in percent (one grouped query)."""
    return {d: figures["F2"] for d, figures in stock_figures(dealer_ids, start, end, as_of).items()}
