"""The measuring kit of the indicators (kpi-catalog.md), shared by every domain that owns an indicator rule.

An indicator's rule lives once, in its domain's ``kpis`` module (complaints own A2/D6/B5/E3, surveys C1/C2/E1/E2,
parts F1/F2, staff C3/C4, care D4/D5/E4, appointments A4, repairs the rest); ``evaluation.selectors.measures``
only registers them, and every page, export and API that shows an indicator calls the same functions. Each rule is
two functions of ``(dealer_ids, start, end, as_of=None)`` over the period ``[start, end)`` (aware datetimes):

* the records: a queryset of the rows behind the figure (the drill-down), each annotated with ``in_numerator``
  (does it count in the numerator; None for means and medians) and ``kpi_value`` (its own figure, where it has one);
* the measure: ``{dealer_id: Measure}`` from one (or a fixed small number of) grouped SQL queries over those
  records, whatever the number of dealers — never a Python loop over dealers or rows (``ratios``, ``means`` and
  ``medians`` below do the grouping).

``as_of`` is the evaluation moment (default now; a run uses the period end plus its grace period): a figure is
what the records said at that moment, so re-running a period on any later day with the same ``as_of`` gives the
same figure. Every rule therefore

* counts only events stamped by ``as_of`` (``stamped_in``: in ``[start, end)`` and at or before ``as_of``; a
  contact, decision, issue or audit stamped after ``as_of`` is not done by then);
* judges an indicator of a moment (stock, staff, retention) at the period end, or at ``as_of`` if that is earlier;
* leaves *pending* what is not settled at ``as_of``: an item whose deadline (or window) has not passed by
  ``as_of`` and that is not done yet is neither a hit nor a miss. Its ``in_numerator`` is None (``judged``,
  ``by_deadline``); ``ratios`` leaves it out of the denominator and the drill-down lists it as pending. An item
  done in time counts as a hit at once, one that can no longer be a hit as a miss at once.

``n`` is what a figure stands on (its denominator); a dealer with ``n == 0`` has no data: ``value`` is None, never
0 or 100. Rates are in percent (95.0 = 95 %); ``Rate`` is the one place a share becomes a fraction or a percent.

This module imports no domain app: it is the bottom of the import order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

from django.db import connection
from django.db.models import (
    Aggregate,
    BooleanField,
    Case,
    Count,
    DateField,
    F,
    FloatField,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber
from django.db.models.lookups import LessThan, LessThanOrEqual
from django.utils import timezone

from core.dates import last_local_day, local_date

# Units (as the indicator system stores them) and kinds of figure.
PERCENT, MINUTES, HOURS, SCORE, CSI_POINTS, NPS = "%", "min", "h", "score", "points (0–1000)", "NPS"
RATIO, MEAN, MEDIAN, BALANCE, SINGLE = "ratio", "mean", "median", "balance", "single"

# What a record annotates when it has no flag or no own figure.
NO_FLAG = Value(None, output_field=BooleanField())
NO_VALUE = Value(None, output_field=FloatField())


@dataclass(frozen=True)
class Indicator:
    """An indicator as every page names it: its code, its name (the default system's, translated), unit, kind."""

    code: str
    label: str
    unit: str
    kind: str

    def __str__(self) -> str:
        return f"{self.code} {self.label}"


# --------------------------------------------------------------------------------------------------------------------
# The figure
# --------------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """A share: ``numerator`` of ``denominator`` (hits of cases, lines of lines, points of points).

    The one place a share turns into a fraction (0–1) or a percent (0–100), for every page, export, API and stored
    figure. The value is exact until the unit is asked for (one rounding); no denominator means no data: None,
    never 0 or 100.
    """

    numerator: int | float | Decimal
    denominator: int | float | Decimal

    @classmethod
    def of_fraction(cls, fraction: float | Decimal) -> Rate:
        """A share already given as a fraction (a weight 0.2042)."""
        return cls(fraction, 1)

    @classmethod
    def of_percent(cls, percent: float | Decimal) -> Rate:
        """A share already given in percent (a setting stored as 95 = 95 %)."""
        return cls(percent, 100)

    def _exact(self, scale: int) -> Fraction | None:
        if not self.denominator:
            return None
        return Fraction(self.numerator) * scale / Fraction(self.denominator)

    @property
    def fraction(self) -> float | None:
        """0–1 (None for no data)."""
        exact = self._exact(1)
        return None if exact is None else float(exact)

    @property
    def percent(self) -> float | None:
        """0–100 (None for no data)."""
        exact = self._exact(100)
        return None if exact is None else float(exact)

    def rounded_percent(self, digits: int = 1) -> float | None:
        """The percent rounded to ``digits`` (Python's round), e.g. 66.7."""
        percent = self.percent
        return None if percent is None else round(percent, digits)

    def percent_decimal(self, places: str | None = "0.1", rounding: str = ROUND_HALF_EVEN) -> Decimal | None:
        """The percent as a Decimal to ``places`` (None: unrounded, 28 digits), e.g. 66.7."""
        if not self.denominator:
            return None
        value = Decimal(100) * Decimal(self.numerator) / Decimal(self.denominator)
        return value if places is None else value.quantize(Decimal(places), rounding=rounding)

    def fraction_decimal(self, places: str = "0.0001", rounding: str = ROUND_HALF_EVEN) -> Decimal | None:
        """The fraction as a Decimal to ``places``, e.g. 0.6667."""
        if not self.denominator:
            return None
        return (Decimal(self.numerator) / Decimal(self.denominator)).quantize(Decimal(places), rounding=rounding)

    def percent_text(self, digits: int = 1, *, suffix: str = " %", none: str = "—") -> str:
        """The percent for reading: "66.7 %", or ``none`` for no data."""
        percent = self.percent
        return none if percent is None else f"{percent:.{digits}f}{suffix}"


@dataclass(frozen=True)
class Measure:
    """One indicator of one dealer (``dealer_id`` None: several dealers together) for one period.

    ratio: ``numerator`` of ``denominator`` records, ``value`` in percent; mean: ``numerator`` is the sum and
    ``denominator`` the count; median: no numerator; balance (NPS): promoters − detractors of ``denominator``.
    ``n`` is the number of records the figure stands on; ``value`` is None when ``n`` is 0 (no data).
    """

    dealer_id: int | None
    value: float | None
    numerator: float | None
    denominator: float | None
    n: int

    @classmethod
    def no_data(cls, dealer_id: int | None, kind: str = RATIO) -> Measure:
        zero = None if kind in (MEDIAN, SINGLE) else 0
        return cls(dealer_id, None, zero, 0, 0)


def ratio(dealer_id: int | None, numerator: int, denominator: int) -> Measure:
    """numerator / denominator in percent (None when the denominator is 0)."""
    return Measure(dealer_id, Rate(numerator, denominator).percent, numerator, denominator, denominator)


def mean(dealer_id: int | None, total, count: int, scale: float = 1.0) -> Measure:
    """total / count × scale (None when count is 0); ``numerator`` is the scaled total."""
    if not count:
        return Measure(dealer_id, None, 0, 0, 0)
    total = float(total) * scale
    return Measure(dealer_id, total / count, total, count, count)


def balance(dealer_id: int | None, net: int, count: int) -> Measure:
    """A balance such as NPS: ``net`` (promoters − detractors) / count × 100 (None when count is 0)."""
    if not count:
        return Measure(dealer_id, None, 0, 0, 0)
    return Measure(dealer_id, Rate(net, count).percent, net, count, count)


def combined(measures: Iterable[Measure], kind: str) -> Measure:
    """Several dealers' figures together, from the same counts (Σ numerators over Σ denominators, n = Σ n), never
    an average of their values; a median cannot be combined from medians and is refused."""
    if kind not in (RATIO, MEAN, BALANCE):
        raise ValueError(f"a {kind} figure cannot be combined from per-dealer figures")
    rows = [m for m in measures if m.n]
    numerator, denominator = sum(m.numerator or 0 for m in rows), sum(m.denominator or 0 for m in rows)
    n = sum(m.n for m in rows)
    if not denominator:
        return Measure(None, None, numerator, denominator, n)
    value = numerator / denominator if kind == MEAN else Rate(numerator, denominator).percent
    return Measure(None, value, numerator, denominator, n)


# --------------------------------------------------------------------------------------------------------------------
# Moments of a period
# --------------------------------------------------------------------------------------------------------------------


def evaluated_at(as_of: datetime | None = None) -> datetime:
    """The evaluation moment: ``as_of``, or now."""
    return as_of or timezone.now()


def judged_at(end: datetime, as_of: datetime | None = None) -> datetime:
    """The moment a period is judged at: its end, or ``as_of`` (default now) if that is earlier."""
    return min(end, evaluated_at(as_of))


def stamped_in(field: str, start: datetime, end: datetime, as_of: datetime | None = None) -> Q:
    """``field`` (a moment) in the period ``[start, end)`` and at or before ``as_of`` (default now): the events of a
    period known at the evaluation moment."""
    return Q(**{f"{field}__gte": start, f"{field}__lt": end, f"{field}__lte": evaluated_at(as_of)})


def last_day(end: datetime, as_of: datetime | None = None) -> date:
    """The last local day of ``[start, end)``, or the day of ``as_of`` (default now) if that is earlier."""
    return min(last_local_day(end), local_date(evaluated_at(as_of)))


def ids(dealer_ids: Iterable[int]) -> list[int]:
    """The dealer ids, once each, in order."""
    return sorted(set(dealer_ids))


# --------------------------------------------------------------------------------------------------------------------
# Portable SQL pieces: durations, local days, flags and a grouped median
# --------------------------------------------------------------------------------------------------------------------


class Minutes(Func):
    """Minutes from ``start`` to ``end`` (two datetime columns) as a float, exact to the microsecond."""

    output_field = FloatField()
    arity = 2

    def __init__(self, end, start, **extra):
        super().__init__(end, start, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        # Django's own SQLite function behind DateTimeField subtraction: microseconds as an integer.
        return self.as_sql(compiler, connection, template="(django_timestamp_diff(%(expressions)s) / 60000000.0)")

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="(EXTRACT(EPOCH FROM (%(expressions)s))::double precision / 60.0)",
            arg_joiner=" - ",
        )


class LocalDate(Func):
    """The calendar day of a datetime column in the time zone named by another column (the dealer's ``time_zone``):
    ``LocalDate("issued_at", "order__dealer__time_zone")``. Unlike ``TruncDate(tzinfo=…)``, one zone per row."""

    output_field = DateField()
    arity = 2

    def as_sqlite(self, compiler, connection, **extra):
        # Django's SQLite function behind TruncDate, with the zone name taken from the row; stored values are UTC.
        return self.as_sql(compiler, connection, template="django_datetime_cast_date(%(expressions)s, 'UTC')")

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="(%(expressions)s)::date", arg_joiner=" AT TIME ZONE ")


class DaysBetween(Func):
    """Whole calendar days from one date to another (two date expressions, e.g. ``LocalDate``s): later − earlier."""

    output_field = IntegerField()
    arity = 2

    def __init__(self, earlier, later, **extra):
        super().__init__(earlier, later, **extra)

    def _compiled(self, compiler):
        return [compiler.compile(expression) for expression in self.get_source_expressions()]

    def as_sqlite(self, compiler, connection, **extra):
        (earlier, earlier_params), (later, later_params) = self._compiled(compiler)
        return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)", (*later_params, *earlier_params)

    def as_postgresql(self, compiler, connection, **extra):
        (earlier, earlier_params), (later, later_params) = self._compiled(compiler)
        return f"(({later}) - ({earlier}))", (*later_params, *earlier_params)


def flag(condition: Q) -> Case:
    """True when the condition holds, else False (never NULL, also when a compared column is NULL)."""
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


PENDING = None  # the in_numerator of a record not settled at as_of (neither a hit nor a miss yet)


def judged(*, hit: Q, missed: Q) -> Case:
    """The ``in_numerator`` of a record whose outcome settles over time, at ``as_of``: True once ``hit`` holds,
    else False once ``missed`` holds, else None (pending: left out of the denominator by ``ratios``)."""
    return Case(
        When(hit, then=Value(True)),
        When(missed, then=Value(False)),
        default=Value(PENDING),
        output_field=BooleanField(),
    )


def by_deadline(done_at: str, due, as_of: datetime, *, also: Q | None = None, closed: Q | None = None) -> Case:
    """``judged`` for "done by a deadline", at ``as_of``: a hit when ``done_at`` is stamped by ``as_of`` and at or
    before the deadline ``due`` (a field name or an expression; exactly on it counts) and ``also`` holds (further
    conditions of a hit); a miss once the deadline has passed before ``as_of`` without that, or at once when
    ``closed`` holds (the item ended otherwise by ``as_of`` and can no longer be a hit); pending until then."""
    due = F(due) if isinstance(due, str) else due
    hit = Q(**{f"{done_at}__isnull": False, f"{done_at}__lte": as_of}) & Q(LessThanOrEqual(F(done_at), due))
    missed = Q(LessThan(due, Value(as_of)))
    return judged(hit=hit & also if also is not None else hit, missed=missed | closed if closed is not None else missed)


class PercentileCont(Aggregate):
    """PostgreSQL's median: percentile_cont(0.5) WITHIN GROUP (ORDER BY …)."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def grouped_median(queryset: QuerySet, dealer_path: str, value: str, *, portable: bool = False) -> dict:
    """{dealer id: (median of ``value``, n)} over ``queryset`` in one query, rows with a NULL value left out.

    PostgreSQL uses percentile_cont; elsewhere (SQLite ≥ 3.25, or ``portable``) the rows are numbered per dealer
    by a window function and the middle one (odd n) or the mean of the middle two (even n) is averaged. Both
    give the same result (percentile_cont interpolates halfway for an even n).
    """
    base = queryset.filter(**{f"{value}__isnull": False}).order_by()
    if connection.vendor == "postgresql" and not portable:
        rows = base.values(dealer_key=F(dealer_path)).annotate(median=PercentileCont(value), n=Count("pk"))
        return {row["dealer_key"]: (row["median"], row["n"]) for row in rows}
    ranked = base.annotate(
        dealer_key=F(dealer_path),
        m_value=F(value),
        m_rank=Window(RowNumber(), partition_by=[F(dealer_path)], order_by=[F(value).asc(), F("pk").asc()]),
        m_count=Window(Count("pk"), partition_by=[F(dealer_path)]),
    ).values("dealer_key", "m_value", "m_rank", "m_count")
    inner, params = ranked.query.sql_with_params()
    q = connection.ops.quote_name
    dealer, val, rank, count = q("dealer_key"), q("m_value"), q("m_rank"), q("m_count")
    sql = (
        f"SELECT {dealer}, AVG({val}), MAX({count}) FROM ({inner}) ranked "  # noqa: S608 (no user input)
        f"WHERE {rank} >= ({count} + 1) / 2 AND {rank} <= ({count} + 2) / 2 GROUP BY {dealer}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {dealer_id: (float(median), n) for dealer_id, median, n in cursor.fetchall()}


# --------------------------------------------------------------------------------------------------------------------
# Grouped figures over a rule's records (one query each)
# --------------------------------------------------------------------------------------------------------------------


def ratios_by(records: QuerySet, *key_paths: str, distinct: bool = False) -> dict:
    """{key: Measure}: rows with ``in_numerator`` True (the numerator) of the rows judged (not pending: the
    denominator) per value of ``key_paths`` — a dealer, or a dealer and a person (the staff scorecard); the key is a
    tuple when there are several paths, and ``Measure.dealer_id`` its first value. Keys without rows are absent.

    ``distinct``: count each record once per key, for a path through a many-valued relation (an order's lines and
    their technicians). One grouped query.
    """
    keys = {f"group_key_{i}": F(path) for i, path in enumerate(key_paths)}
    rows = (
        records.order_by()
        .values(**keys)
        .annotate(
            n=Count("pk", filter=Q(in_numerator__isnull=False), distinct=distinct),
            hits=Count("pk", filter=Q(in_numerator=True), distinct=distinct),
        )
    )
    found = {}
    for row in rows:
        key = tuple(row[name] for name in keys)
        found[key if len(key) > 1 else key[0]] = ratio(key[0], row["hits"], row["n"])
    return found


def ratios(records: QuerySet, dealer_path: str, dealer_ids: Iterable[int]) -> dict[int, Measure]:
    """Rows with ``in_numerator`` True (the numerator) of the rows judged (not pending: the denominator) per dealer."""
    found = ratios_by(records, dealer_path)
    return {d: found.get(d) or Measure.no_data(d) for d in ids(dealer_ids)}


def means_by(records: QuerySet, key_path: str, scale: float = 1.0) -> dict:
    """{key: Measure}: sum and count of ``kpi_value`` per value of ``key_path`` (a dealer, an advisor…; rows
    without a value left out), the mean × ``scale``; keys without rows are absent. One grouped query."""
    rows = (
        records.filter(kpi_value__isnull=False)
        .order_by()
        .values(group_key=F(key_path))
        .annotate(total=Sum("kpi_value"), n=Count("pk"))
    )
    return {row["group_key"]: mean(row["group_key"], row["total"], row["n"], scale) for row in rows}


def means(records: QuerySet, dealer_path: str, dealer_ids: Iterable[int], scale: float = 1.0) -> dict[int, Measure]:
    """Sum and count of ``kpi_value`` per dealer (rows without a value left out), the mean × ``scale``."""
    found = means_by(records, dealer_path, scale)
    return {d: found.get(d) or Measure.no_data(d, MEAN) for d in ids(dealer_ids)}


def medians(records: QuerySet, dealer_path: str, dealer_ids: Iterable[int]) -> dict[int, Measure]:
    """The median of ``kpi_value`` per dealer (rows without a value left out)."""
    found = grouped_median(records, dealer_path, "kpi_value")
    return {
        d: Measure(d, found[d][0], None, found[d][1], found[d][1]) if d in found else Measure.no_data(d, MEDIAN)
        for d in ids(dealer_ids)
    }
