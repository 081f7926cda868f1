"""Comebacks (返修) and the first-time fix rate (一次修复率, KPI B1): the one rule, in grouped SQL.

A *revisit* of a delivered repair order (the original) is a later order of the same vehicle that

* arrived after the original's delivery and at most ``COMEBACK_DAYS`` days after it, counted in the dealer's local
  calendar days (``Dealer.time_zone``): delivered on 1 October (any hour), back on 31 October (any hour) is day 30
  and counts, 1 November is day 31 and does not; back later the same day is day 0 and counts;
* is not cancelled, and had arrived by ``as_of`` (default now): a run evaluated later sees later comebacks.

A revisit *counts as a comeback* when the service desk linked it (``RepairOrder.comeback_of``: the desk's
confirmation), or when it is about the same fault (its own fault category is the original's, or it has a labour
line whose catalogue operation repairs that system, ``LabourOperation.fault_category``: repair-order lines carry no
fault category of their own, the labour catalogue says which system an operation works on) and no advisor marked it
"not a comeback" (``ComebackDismissal``, standing at ``as_of``). Lines of a declined additional item are no work
done and do not count.

B1 = orders delivered in the period with a fault category other than "no fault" and no comeback / those orders,
judged at ``as_of`` (what was known then; a revisit cancelled by ``as_of`` is no comeback, one cancelled later was
one then). B1 is only known once the comeback window is over, so an order is

* a miss as soon as a comeback has arrived (by ``as_of``),
* a hit once its window has closed without one: ``as_of`` is on a local day more than ``COMEBACK_DAYS`` after the
  delivery day (delivered 1 October: closed from 1 November 00:00 local),
* pending before that — neither, left out of the denominator and listed as pending in the drill-down. Counting
  an order whose window is still open as a first-time fix would bias B1 upwards: the comebacks of late-month
  deliveries mostly arrive after a run's moment (the month's end plus the grace period).

Maturity: so that every published B1 is complete, the evaluation judges B1 one month late — the B1 of October is
the orders delivered in September, whose windows have all closed by the end of October. The lag is declared once,
in the registry (``evaluation.selectors.measures``: ``MeasureSpec.lag_months``), and applied there for the measurements
page, the drill-down, the API and the runs alike; the rule here is the rule of the deliveries of ``[start, end)``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import BooleanField, Exists, F, OuterRef, Q, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Coalesce, Concat, NullIf
from django.utils.translation import gettext_lazy as _

from core.indicators import (
    NO_VALUE,
    PERCENT,
    RATIO,
    DaysBetween,
    Indicator,
    LocalDate,
    Measure,
    evaluated_at,
    flag,
    ids,
    judged,
    ratios,
    stamped_in,
)
from repairs.choices import AdditionStatus, FaultCategory, RepairOrderStatus
from repairs.kpis import not_cancelled_by
from repairs.models import ComebackDismissal, RepairOrder, RepairOrderLine

B1 = Indicator("B1", _("First-time fix rate"), PERCENT, RATIO)

COMEBACK_DAYS = 30
# A prefilter on exact times that holds for every revisit inside the local-day window (31 local days, plus an
# hour of daylight saving), so the vehicle's index narrows the rows before the per-row time-zone arithmetic.
_WINDOW_SUPERSET = timedelta(days=COMEBACK_DAYS + 2)


def _local_days(earlier, later, zone):
    """Calendar days from the local day of ``earlier`` to the local day of ``later`` (datetimes) in ``zone``."""
    return DaysBetween(LocalDate(earlier, zone), LocalDate(later, zone))


def _zone(expression):
    """The dealer's time zone, or the site's when a row has none."""
    return Coalesce(NullIf(expression, Value("")), Value(settings.TIME_ZONE))


class _Original:
    """The original order as the rule sees it: a known order (its values) or the row of an outer query (OuterRef)."""

    def __init__(self, order: RepairOrder | None = None):
        self.order = order

    def col(self, name: str, depth: int = 1):
        """The original's column ``name`` (``dealer__time_zone`` follows the relation), ``depth`` queries out."""
        if self.order is not None:
            value = self.order
            for part in name.split("__"):
                value = getattr(value, part)
            return Value(value)
        ref = name
        for _level in range(depth):
            ref = OuterRef(ref)
        return ref

    def window_end(self):
        if self.order is not None:
            return self.order.delivered_at + _WINDOW_SUPERSET
        return OuterRef("delivered_at") + _WINDOW_SUPERSET


def _standing(dismissals: QuerySet, as_of: datetime) -> QuerySet:
    """Dismissals made by ``as_of`` and not undone by then."""
    return dismissals.filter(dismissed_at__lte=as_of).filter(Q(revoked_at__isnull=True) | Q(revoked_at__gt=as_of))


def _revisits(original: _Original, as_of: datetime) -> QuerySet[RepairOrder]:
    """Every revisit of the original (see the module docstring), annotated:

    ``days_after_delivery`` (local days), ``linked`` (the desk's link points at the original), ``same_fault``
    (detected), ``dismissed`` (a standing "not a comeback"), ``counts`` (linked, or same fault and not dismissed).
    """
    same_system_line = (
        RepairOrderLine.objects.filter(
            order_id=OuterRef("pk"),
            operation__fault_category=original.col("fault_category", depth=2),
            created_at__lte=as_of,
        )
        .exclude(operation__fault_category=FaultCategory.NONE)
        .filter(Q(addition__isnull=True) | ~Q(addition__status=AdditionStatus.DECLINED))
        .order_by()
    )
    dismissed = _standing(
        ComebackDismissal.objects.filter(original_id=original.col("pk", depth=2), revisit_id=OuterRef("pk")), as_of
    ).order_by()
    linked = Q(comeback_of_id=original.col("pk"))
    # "No fault" is never a fault that comes back (two service visits are not a comeback).
    same_fault = (Q(fault_category=original.col("fault_category")) & ~Q(fault_category=FaultCategory.NONE)) | Q(
        Exists(same_system_line)
    )
    return (
        RepairOrder.objects.filter(
            vehicle_id=original.col("vehicle_id"),
            arrived_at__gt=original.col("delivered_at"),
            arrived_at__lt=original.window_end(),
            arrived_at__lte=as_of,
        )
        .filter(not_cancelled_by(as_of))
        .exclude(pk=original.col("pk"))
        .annotate(
            days_after_delivery=_local_days(
                original.col("delivered_at"), F("arrived_at"), _zone(original.col("dealer__time_zone"))
            )
        )
        .filter(days_after_delivery__lte=COMEBACK_DAYS)
        .annotate(linked=flag(linked), same_fault=flag(same_fault), dismissed=Exists(dismissed))
        .annotate(counts=flag(linked | (same_fault & ~Q(Exists(dismissed)))))
    )


# --- what the pages show ------------------------------------------------------------------------------------------


def revisits_of(*, order: RepairOrder, as_of: datetime | None = None) -> QuerySet[RepairOrder]:
    """The later visits that are (or were detected as, then dismissed) comebacks of ``order``: linked by the desk or
    about the same fault, first arrival first; each annotated as ``_revisits`` says, plus ``dismissal_id`` and
    ``dismissal_reason`` of a standing "not a comeback". Empty for an order not delivered."""
    if order.delivered_at is None:
        return RepairOrder.objects.none()
    as_of = evaluated_at(as_of)
    dismissal = _standing(
        ComebackDismissal.objects.filter(original_id=order.pk, revisit_id=OuterRef("pk")), as_of
    ).order_by("-dismissed_at", "-pk")
    return (
        _revisits(_Original(order), as_of)
        .filter(Q(linked=True) | Q(same_fault=True))
        .annotate(
            dismissal_id=Subquery(dismissal.values("pk")[:1]),
            dismissal_reason=Subquery(dismissal.values("reason")[:1]),
        )
        .order_by("arrived_at", "pk")
    )


def comeback_candidates(*, order: RepairOrder, as_of: datetime | None = None) -> QuerySet[RepairOrder]:
    """Reception: the recent deliveries of the order's vehicle that ``order`` is a revisit of (same rule, same
    window), same fault first, then the latest. Each is annotated with the pair's ``days_after_delivery`` (days
    ago), ``same_fault``, ``linked``, ``dismissed``, ``counts`` and the ``dismissal_reason``."""
    if order.status == RepairOrderStatus.CANCELLED:
        return RepairOrder.objects.none()
    as_of = evaluated_at(as_of)
    pair = _revisits(_Original(), as_of).filter(pk=order.pk).order_by()
    dismissal = _standing(
        ComebackDismissal.objects.filter(original_id=OuterRef("pk"), revisit_id=order.pk), as_of
    ).order_by("-dismissed_at", "-pk")
    return (
        RepairOrder.objects.filter(
            vehicle_id=order.vehicle_id,
            delivered_at__lt=order.arrived_at,
            delivered_at__gt=order.arrived_at - _WINDOW_SUPERSET,
        )
        .exclude(pk=order.pk)
        .filter(Exists(pair))
        .annotate(
            days_after_delivery=Subquery(pair.values("days_after_delivery")[:1]),
            same_fault=Subquery(pair.values("same_fault")[:1], output_field=BooleanField()),
            linked=Subquery(pair.values("linked")[:1], output_field=BooleanField()),
            dismissed=Subquery(pair.values("dismissed")[:1], output_field=BooleanField()),
            counts=Subquery(pair.values("counts")[:1], output_field=BooleanField()),
            dismissal_reason=Subquery(dismissal.values("reason")[:1]),
        )
        .order_by("-same_fault", "-delivered_at", "-pk")
    )


# --- KPI B1 -------------------------------------------------------------------------------------------------------


# The delivered order's comeback window has closed by as_of (its annotation ``days_since_delivery``, local days).
WINDOW_CLOSED = Q(days_since_delivery__gt=COMEBACK_DAYS)


def comeback_exists(as_of: datetime | None = None) -> Exists:
    """For a queryset of delivered orders: a revisit that counts as a comeback has arrived by ``as_of`` (default
    now). The same revisits B1 counts."""
    return Exists(_revisits(_Original(), evaluated_at(as_of)).filter(counts=True))


def first_time_fix_records(
    dealer_ids: Iterable[int], start: datetime, end: datetime, as_of: datetime | None = None
) -> QuerySet[RepairOrder]:
    """B1: the repair orders delivered in ``[start, end)`` (and by ``as_of``) with a fault category other than
    "no fault", each with ``in_numerator`` (True: no comeback and the window closed; False: came back; None:
    pending, the window still open at ``as_of``), ``kpi_value`` (None), ``window_closed`` and, for the drill-down,
    the first comeback's ``comeback_number``, ``comeback_days`` (after the delivery) and ``comeback_linked`` (by the
    desk, or else detected), and ``not_a_comeback`` ("RO: reason" of the latest standing dismissal)."""
    as_of = evaluated_at(as_of)
    comebacks = _revisits(_Original(), as_of).filter(counts=True).order_by("arrived_at", "pk")
    dismissals = (
        _standing(ComebackDismissal.objects.filter(original_id=OuterRef("pk")), as_of)
        .order_by("-dismissed_at", "-pk")
        .annotate(note=Concat("revisit__number", Value(": "), "reason", output_field=TextField()))
    )
    return (
        RepairOrder.objects.filter(stamped_in("delivered_at", start, end, as_of), dealer_id__in=ids(dealer_ids))
        .exclude(fault_category=FaultCategory.NONE)
        .annotate(
            days_since_delivery=_local_days(F("delivered_at"), Value(as_of), _zone(F("dealer__time_zone"))),
            came_back=Exists(comebacks),
            comeback_number=Subquery(comebacks.values("number")[:1]),
            comeback_days=Subquery(comebacks.values("days_after_delivery")[:1]),
            comeback_linked=Subquery(comebacks.values("linked")[:1], output_field=BooleanField()),
            not_a_comeback=Subquery(dismissals.values("note")[:1]),
        )
        .annotate(window_closed=flag(WINDOW_CLOSED))
        .annotate(
            in_numerator=judged(hit=Q(came_back=False) & WINDOW_CLOSED, missed=Q(came_back=True)),
            kpi_value=NO_VALUE,
        )
    )


def first_time_fix(
    dealer_ids: Iterable[int], start: datetime, end: datetime, as_of: datetime | None = None
) -> dict[int, Measure]:
    """B1: orders judged without a comeback / orders judged (pending ones left out), per dealer, one query."""
    return ratios(first_time_fix_records(dealer_ids, start, end, as_of), "dealer_id", dealer_ids)
