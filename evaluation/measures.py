"""Measurement (测量): every indicator of the default system for many dealers and one period, in grouped SQL.

Each indicator is a ``MeasureSpec`` in ``MEASURES`` (keyed by its code, the code of kpi-catalog.md):

* ``measure(dealer_ids, start, end, as_of=None) -> {dealer_id: Measure}``: one (or a fixed small number of)
  grouped SQL queries whatever the number of dealers — never a Python loop over dealers or rows;
* ``records(dealer_id, start, end, as_of=None) -> QuerySet``: the rows behind the figure (the drill-down), each
  annotated with ``in_numerator`` (does it count in the numerator; None for means and medians) and
  ``kpi_value`` (its own figure: minutes, hours, a score… where the indicator has one).

The period is ``[start, end)`` with aware datetimes (``month_bounds`` gives Asia/Shanghai calendar months).
``n`` is what the figure stands on (its denominator); a dealer with ``n == 0`` has no data: ``value`` is None,
never 0 or 100. Rates are in percent (95.0 = 95 %), as the indicator system stores targets.

Choices made where the catalogue leaves room (the drill-down shows exactly these rows):

* A1 — repair orders that arrived in the period (cancelled ones too: the customer was received).
* A2 / D6 / B5 — complaints received in the period, against the deadlines stored on the complaint (2 working
  hours / 3 working days by default, complaints.ComplaintPolicy); B5 counts resolutions with the customer's
  agreement up to ``as_of`` (the evaluation date, default now).
* A3 — additional items raised in the period that the customer decided on.
* A4 — appointments with a slot in the period that were kept (the customer came, a repair order was opened);
  on time = the order was opened at most 15 minutes after the slot start (exactly 15 counts).
* B1 — repair orders (fault category other than "no fault") delivered in the period; a comeback is a later
  order linked to it as a comeback (same vehicle; the desk links it, proposed by same fault category) that
  arrived at most 30 days after the delivery (day 30 counts as a comeback).
* B2 — delivered in the period; an order without a promised time is not on time.
* B3 — maintenance orders delivered in the period: mean hours from check-in to ready (the catalogue's target
  is for maintenance; other job types have other cycle times and would not be comparable between dealers).
* B4 — settlements in the period: settled total within ±10 % of ``RepairOrder.approved_total`` plus the
  ``approved_amount`` of the approved additional items (both stored when the customer approved; exactly ±10 %
  counts). Compared in whole fen so that the boundary is exact on SQLite too.
* C3 — staff.selectors.training_compliance on the last day of the period (or today if earlier).
* C4 — technicians who clocked on jobs in the period; certified = every clock covered by a valid technician
  certificate that day (and the high-voltage licence on an EV-system job), as staff.selectors defines it.
* D1 — orders that arrived in the period and were checked in: complete = walk-around, fuel level, odometer and
  the signed belongings list (repairs.state.checkin_gaps).
* D2 — additional items whose labour was finished (done) in the period; counted when the customer's approval
  was recorded before the first clock-on of the item's work.
* D3 — orders whose first QC inspection was in the period; passed at that first inspection.
* D4, D5, E4 — care.selectors (follow-ups due, new customers, rolling retention at the period end).
* E1 — mean CSI (0–100) of the responses answered in the period × 10; E2 — promoters − detractors over the
  responses with a recommendation answer; C1 / C2 — mean of the answered items tagged attitude / competence.
* E3 — complaints received in the period / repair orders delivered in the period (no deliveries: no data).
* F1 — repair-order part lines requested from the parts counter in the period (reservation not released,
  or a special order); filled = issued from stock on the (local) day requested, never special-ordered.
* F2 — the stock at the period end (or now, if earlier), rebuilt from the stock ledger: the quantity after
  each item's last movement before that moment, valued at the item's moving-average cost (the ledger does not
  keep the historical average); dead = no movement in the 180 days before that moment.
* G — the score of the audit evaluation.audits.audit_scores picks (submitted audits dated in the period,
  official before self-audits); n is 1 with an audit, 0 without.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import (
    Aggregate,
    BooleanField,
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, Coalesce, Round, RowNumber, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

SHANGHAI = ZoneInfo("Asia/Shanghai")

PERCENT, MINUTES, HOURS, SCORE, CSI_POINTS, NPS = "%", "min", "h", "score", "points (0–1000)", "NPS"

RATIO, MEAN, MEDIAN, BALANCE, SINGLE = "ratio", "mean", "median", "balance", "single"


# --------------------------------------------------------------------------------------------------------------------
# Results and periods
# --------------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """One indicator of one dealer for one period, with what it stands on.

    ratio: ``numerator`` of ``denominator`` records, ``value`` in percent; mean: ``numerator`` is the sum and
    ``denominator`` the count; median: no numerator; balance (NPS): promoters − detractors of ``denominator``.
    ``n`` is the number of records the figure stands on; ``value`` is None when ``n`` is 0 (no data).
    """

    dealer_id: int
    value: float | None
    numerator: float | None
    denominator: float | None
    n: int

    @classmethod
    def no_data(cls, dealer_id: int, kind: str = RATIO) -> Measure:
        zero = None if kind in (MEDIAN, SINGLE) else 0
        return cls(dealer_id, None, zero, 0, 0)


def ratio(dealer_id: int, numerator: int, denominator: int) -> Measure:
    """numerator / denominator in percent (None when the denominator is 0)."""
    value = 100.0 * numerator / denominator if denominator else None
    return Measure(dealer_id, value, numerator, denominator, denominator)


def mean(dealer_id: int, total, count: int, scale: float = 1.0) -> Measure:
    """total / count × scale (None when count is 0); ``numerator`` is the scaled total."""
    if not count:
        return Measure(dealer_id, None, 0, 0, 0)
    total = float(total) * scale
    return Measure(dealer_id, total / count, total, count, count)


def month_bounds(year: int, month: int, tz=SHANGHAI) -> tuple[datetime, datetime]:
    """[first day 00:00, first day of the next month 00:00) of a calendar month, in Asia/Shanghai by default."""
    start = datetime(year, month, 1, tzinfo=tz)
    following = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=tz)
    return start, following


def _last_day(end: datetime, as_of: datetime | None = None) -> date:
    """The last local day of ``[start, end)``, or the day of ``as_of`` (default now) if that is earlier."""
    moment = min(end - timedelta(microseconds=1), as_of or timezone.now())
    return timezone.localtime(moment, SHANGHAI).date()


# --------------------------------------------------------------------------------------------------------------------
# Portable SQL pieces: durations and a grouped median
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


def _flag(condition: Q) -> Case:
    """True when the condition holds, else False (never NULL, also when a compared column is NULL)."""
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


def _ids(dealer_ids: Iterable[int]) -> list[int]:
    return sorted(set(dealer_ids))


def _ratios(base: QuerySet, dealer_path: str, dealer_ids: Iterable[int]) -> dict[int, Measure]:
    """Count rows and rows with ``in_numerator`` per dealer: one grouped query."""
    rows = (
        base.order_by()
        .values(dealer_key=F(dealer_path))
        .annotate(n=Count("pk"), hits=Count("pk", filter=Q(in_numerator=True)))
    )
    found = {row["dealer_key"]: ratio(row["dealer_key"], row["hits"], row["n"]) for row in rows}
    return {d: found.get(d) or Measure.no_data(d) for d in _ids(dealer_ids)}


def _means(base: QuerySet, dealer_path: str, dealer_ids: Iterable[int], scale: float = 1.0) -> dict[int, Measure]:
    """Sum and count of ``kpi_value`` per dealer (rows without a value left out): one grouped query."""
    rows = (
        base.filter(kpi_value__isnull=False)
        .order_by()
        .values(dealer_key=F(dealer_path))
        .annotate(total=Sum("kpi_value"), n=Count("pk"))
    )
    found = {row["dealer_key"]: mean(row["dealer_key"], row["total"], row["n"], scale) for row in rows}
    return {d: found.get(d) or Measure.no_data(d, MEAN) for d in _ids(dealer_ids)}


def _medians(base: QuerySet, dealer_path: str, dealer_ids: Iterable[int]) -> dict[int, Measure]:
    found = grouped_median(base, dealer_path, "kpi_value")
    return {
        d: Measure(d, found[d][0], None, found[d][1], found[d][1]) if d in found else Measure.no_data(d, MEDIAN)
        for d in _ids(dealer_ids)
    }


# --------------------------------------------------------------------------------------------------------------------
# A — responsiveness
# --------------------------------------------------------------------------------------------------------------------


def _a1(dealer_ids, start, end, as_of=None) -> QuerySet:
    from repairs.models import RepairOrder

    return RepairOrder.objects.filter(
        dealer_id__in=_ids(dealer_ids), arrived_at__gte=start, arrived_at__lt=end
    ).annotate(kpi_value=Minutes("opened_at", "arrived_at"), in_numerator=Value(None, output_field=BooleanField()))


def _complaints(dealer_ids, start, end, as_of=None) -> QuerySet:
    from complaints.models import Complaint

    return Complaint.objects.filter(dealer_id__in=_ids(dealer_ids), received_at__gte=start, received_at__lt=end)


def _a2(dealer_ids, start, end, as_of=None) -> QuerySet:
    on_time = Q(first_contact_at__isnull=False, first_contact_at__lte=F("first_contact_due_at"))
    return _complaints(dealer_ids, start, end).annotate(
        in_numerator=_flag(on_time), kpi_value=Minutes("first_contact_at", "received_at")
    )


def _a3(dealer_ids, start, end, as_of=None) -> QuerySet:
    from repairs.models import AdditionalItem

    return AdditionalItem.objects.filter(
        order__dealer_id__in=_ids(dealer_ids), raised_at__gte=start, raised_at__lt=end, decision_at__isnull=False
    ).annotate(kpi_value=Minutes("decision_at", "raised_at"), in_numerator=Value(None, output_field=BooleanField()))


ON_TIME_RECEPTION = timedelta(minutes=15)


def _a4(dealer_ids, start, end, as_of=None) -> QuerySet:
    from appointments.models import Appointment

    return Appointment.objects.filter(
        dealer_id__in=_ids(dealer_ids), slot_start__gte=start, slot_start__lt=end, repair_order__isnull=False
    ).annotate(
        in_numerator=_flag(Q(repair_order__opened_at__lte=F("slot_start") + ON_TIME_RECEPTION)),
        kpi_value=Minutes("repair_order__opened_at", "slot_start"),
    )


# --------------------------------------------------------------------------------------------------------------------
# B — problem solving
# --------------------------------------------------------------------------------------------------------------------

COMEBACK_DAYS = 30


def _delivered(dealer_ids, start, end):
    from repairs.models import RepairOrder

    return RepairOrder.objects.filter(dealer_id__in=_ids(dealer_ids), delivered_at__gte=start, delivered_at__lt=end)


def _b1(dealer_ids, start, end, as_of=None) -> QuerySet:
    """B1 is repairs.comebacks' rule (linked or same-fault revisits within 30 local days, minus "not a comeback")."""
    from repairs.comebacks import first_time_fix_records

    return first_time_fix_records(dealer_ids, start, end, as_of)


def _b2(dealer_ids, start, end, as_of=None) -> QuerySet:
    return _delivered(dealer_ids, start, end).annotate(
        in_numerator=_flag(Q(promised_at__isnull=False, delivered_at__lte=F("promised_at"))),
        kpi_value=Minutes("delivered_at", "promised_at"),
    )


CYCLE_JOB_TYPE = "maintenance"


def _b3(dealer_ids, start, end, as_of=None) -> QuerySet:
    return (
        _delivered(dealer_ids, start, end)
        .filter(job_type=CYCLE_JOB_TYPE, checked_in_at__isnull=False, ready_at__isnull=False)
        .annotate(
            kpi_value=ExpressionWrapper(Minutes("ready_at", "checked_in_at") / 60.0, output_field=FloatField()),
            in_numerator=Value(None, output_field=BooleanField()),
        )
    )


ESTIMATE_TOLERANCE_PCT = 10
MONEY = DecimalField(max_digits=14, decimal_places=2)


def _b4(dealer_ids, start, end, as_of=None) -> QuerySet:
    from repairs.choices import AdditionStatus
    from repairs.models import AdditionalItem, Settlement

    additions = (
        AdditionalItem.objects.filter(order_id=OuterRef("order_id"), status=AdditionStatus.APPROVED)
        .order_by()
        .values("order_id")
        .annotate(total=Sum("approved_amount"))
        .values("total")
    )
    approved = F("order__approved_total") + Coalesce(Subquery(additions, output_field=MONEY), Value(Decimal("0")))
    # Whole fen as integers: SQLite keeps decimals as floats, and the ±10 % boundary must be exact.
    fen = IntegerField()
    settled_fen = Cast(Round(F("grand_total") * 100), fen)
    approved_fen = Cast(Round(F("approved_estimate") * 100), fen)
    low, high = 100 - ESTIMATE_TOLERANCE_PCT, 100 + ESTIMATE_TOLERANCE_PCT
    return (
        Settlement.objects.filter(order__dealer_id__in=_ids(dealer_ids), settled_at__gte=start, settled_at__lt=end)
        .annotate(approved_estimate=ExpressionWrapper(approved, output_field=MONEY))
        .annotate(settled_fen=settled_fen, approved_fen=approved_fen)
        .annotate(
            in_numerator=_flag(
                Q(approved_estimate__isnull=False)
                & Q(settled_fen__gte=F("approved_fen") * low / 100.0)
                & Q(settled_fen__lte=F("approved_fen") * high / 100.0)
            ),
            kpi_value=Case(
                When(
                    approved_fen__gt=0,
                    then=ExpressionWrapper(
                        (F("settled_fen") - F("approved_fen")) * 100.0 / F("approved_fen"), output_field=FloatField()
                    ),
                ),
                default=None,
                output_field=FloatField(),
            ),
        )
    )


def _b5(dealer_ids, start, end, as_of=None) -> QuerySet:
    from complaints.choices import Status

    as_of = as_of or timezone.now()
    resolved = Q(status=Status.RESOLVED, customer_agreed=True, resolved_at__isnull=False, resolved_at__lte=as_of)
    return _complaints(dealer_ids, start, end).annotate(
        in_numerator=_flag(resolved), kpi_value=Value(None, output_field=FloatField())
    )


# --------------------------------------------------------------------------------------------------------------------
# C — staff
# --------------------------------------------------------------------------------------------------------------------


def _survey_answers(dealer_ids, start, end, dimension: str) -> QuerySet:
    from surveys.models import SurveyAnswer

    return SurveyAnswer.objects.filter(
        response__dealer_id__in=_ids(dealer_ids),
        response__submitted_at__gte=start,
        response__submitted_at__lt=end,
        dimension=dimension,
        score__isnull=False,
    ).annotate(kpi_value=F("score"), in_numerator=Value(None, output_field=BooleanField()))


def _c1(dealer_ids, start, end, as_of=None) -> QuerySet:
    return _survey_answers(dealer_ids, start, end, "attitude")


def _c2(dealer_ids, start, end, as_of=None) -> QuerySet:
    return _survey_answers(dealer_ids, start, end, "competence")


def _c3(dealer_ids, start, end, as_of=None) -> QuerySet:
    from staff.models import StaffProfile
    from staff.selectors import active_on_q, annotate_training

    day = _last_day(end, as_of)
    profiles = StaffProfile.objects.filter(dealer_id__in=_ids(dealer_ids)).filter(active_on_q(day))
    return annotate_training(profiles, as_of=day).annotate(in_numerator=F("training_ok"), kpi_value=F("training_hours"))


def c3_measure(dealer_ids, start, end, as_of=None) -> dict[int, Measure]:
    """C3 through staff.selectors.training_compliance (one grouped query)."""
    from staff.selectors import training_compliance

    found = training_compliance(dealer_ids=_ids(dealer_ids), as_of=_last_day(end, as_of))
    return {
        d: ratio(d, found[d].numerator, found[d].denominator) if d in found else Measure.no_data(d)
        for d in _ids(dealer_ids)
    }


def _c4(dealer_ids, start, end, as_of=None) -> QuerySet:
    """Labour clocks of the period, each with ``is_uncovered`` (the C4 rule lives in staff.selectors)."""
    from staff.selectors import certification_clocks

    return certification_clocks(dealer_ids=_ids(dealer_ids), start=start, end=end)


def c4_records(dealer_id, start, end, as_of=None) -> QuerySet:
    """One row per technician: username, name, clocks, uncovered clocks and ``in_numerator`` (certified)."""
    return (
        _c4([dealer_id], start, end)
        .order_by()
        .values("technician_id", "technician__username", "technician__display_name")
        .annotate(
            clocks=Count("pk"),
            uncovered=Count("pk", filter=Q(is_uncovered=True)),
        )
        .annotate(in_numerator=_flag(Q(uncovered=0)), kpi_value=F("uncovered"))
        .order_by("technician__username")
    )


def c4_measure(dealer_ids, start, end, as_of=None) -> dict[int, Measure]:
    """C4: technicians who clocked in the period, minus those with any uncovered clock (one grouped query)."""
    rows = (
        _c4(dealer_ids, start, end)
        .order_by()
        .values(dealer_key=F("line__order__dealer_id"))
        .annotate(
            n=Count("technician_id", distinct=True),
            uncovered=Count("technician_id", distinct=True, filter=Q(is_uncovered=True)),
        )
    )
    found = {row["dealer_key"]: ratio(row["dealer_key"], row["n"] - row["uncovered"], row["n"]) for row in rows}
    return {d: found.get(d) or Measure.no_data(d) for d in _ids(dealer_ids)}


# --------------------------------------------------------------------------------------------------------------------
# D — process compliance
# --------------------------------------------------------------------------------------------------------------------


def _d1(dealer_ids, start, end, as_of=None) -> QuerySet:
    from repairs.choices import FuelLevel
    from repairs.models import RepairOrder

    complete = Q(
        walkaround_done=True,
        fuel_level__in=FuelLevel.values,
        odometer_km__isnull=False,
        belongings_signed_at__isnull=False,
    )
    return RepairOrder.objects.filter(
        dealer_id__in=_ids(dealer_ids), arrived_at__gte=start, arrived_at__lt=end, checked_in_at__isnull=False
    ).annotate(in_numerator=_flag(complete), kpi_value=Value(None, output_field=FloatField()))


def _d2(dealer_ids, start, end, as_of=None) -> QuerySet:
    from repairs.choices import AdditionStatus, LineKind, WorkStatus
    from repairs.models import AdditionalItem, RepairOrderLine

    labour = RepairOrderLine.objects.filter(addition_id=OuterRef("pk"), kind=LineKind.LABOUR).order_by()
    first_start = labour.filter(started_at__isnull=False).values("addition_id").annotate(at=Min("started_at"))
    finished = labour.filter(work_status=WorkStatus.DONE).values("addition_id").annotate(at=Max("finished_at"))
    approved_first = Q(status=AdditionStatus.APPROVED, decision_at__isnull=False) & (
        Q(work_started_at__isnull=True) | Q(decision_at__lte=F("work_started_at"))
    )
    return (
        AdditionalItem.objects.filter(order__dealer_id__in=_ids(dealer_ids))
        .annotate(
            work_started_at=Subquery(first_start.values("at")[:1]),
            work_finished_at=Subquery(finished.values("at")[:1]),
        )
        .filter(work_finished_at__gte=start, work_finished_at__lt=end)
        .annotate(in_numerator=_flag(approved_first), kpi_value=Minutes("work_started_at", "decision_at"))
    )


def _d3(dealer_ids, start, end, as_of=None) -> QuerySet:
    from repairs.models import QcInspection

    return QcInspection.objects.filter(
        order__dealer_id__in=_ids(dealer_ids), sequence=1, inspected_at__gte=start, inspected_at__lt=end
    ).annotate(in_numerator=F("passed"), kpi_value=Value(None, output_field=FloatField()))


def _d4(dealer_ids, start, end, as_of=None) -> QuerySet:
    from care.selectors import FOLLOW_UP_KINDS
    from todo.choices import TaskStatus
    from todo.models import Task

    return Task.objects.filter(
        dealer_id__in=_ids(dealer_ids), kind__in=FOLLOW_UP_KINDS, due_by__gte=start, due_by__lt=end
    ).annotate(
        in_numerator=_flag(Q(status=TaskStatus.DONE, done_at__gte=F("due_at"), done_at__lte=F("due_by"))),
        kpi_value=Value(None, output_field=FloatField()),
    )


def _d5(dealer_ids, start, end, as_of=None) -> QuerySet:
    from care.selectors import ARCHIVE_DAYS
    from customers.models import Customer

    return Customer.objects.filter(dealer_id__in=_ids(dealer_ids), created_at__gte=start, created_at__lt=end).annotate(
        in_numerator=_flag(Q(archive_completed_at__lte=F("created_at") + timedelta(days=ARCHIVE_DAYS))),
        kpi_value=ExpressionWrapper(
            Minutes("archive_completed_at", "created_at") / (60.0 * 24), output_field=FloatField()
        ),
    )


def _d6(dealer_ids, start, end, as_of=None) -> QuerySet:
    on_time = Q(feedback_at__isnull=False, feedback_at__lte=F("feedback_due_at"))
    return _complaints(dealer_ids, start, end).annotate(
        in_numerator=_flag(on_time), kpi_value=Minutes("feedback_at", "received_at")
    )


def _care_measure(name: str) -> Callable:
    def measure(dealer_ids, start, end, as_of=None) -> dict[int, Measure]:
        from care import selectors

        found = getattr(selectors, name)(_ids(dealer_ids), start, end)
        return {d: ratio(d, found[d].numerator, found[d].n) for d in _ids(dealer_ids)}

    measure.__doc__ = f"Through care.selectors.{name} (one grouped query)."
    return measure


# --------------------------------------------------------------------------------------------------------------------
# E — satisfaction and loyalty
# --------------------------------------------------------------------------------------------------------------------


def _responses(dealer_ids, start, end) -> QuerySet:
    from surveys.models import SurveyResponse

    return SurveyResponse.objects.filter(dealer_id__in=_ids(dealer_ids), submitted_at__gte=start, submitted_at__lt=end)


def _e1(dealer_ids, start, end, as_of=None) -> QuerySet:
    return (
        _responses(dealer_ids, start, end)
        .filter(csi_score__isnull=False)
        .annotate(kpi_value=F("csi_score"), in_numerator=Value(None, output_field=BooleanField()))
    )


def _e2(dealer_ids, start, end, as_of=None) -> QuerySet:
    from surveys.choices import NpsCategory

    contribution = Case(
        When(nps_category=NpsCategory.PROMOTER, then=Value(1)),
        When(nps_category=NpsCategory.DETRACTOR, then=Value(-1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    return (
        _responses(dealer_ids, start, end)
        .filter(nps_score__isnull=False)
        .annotate(kpi_value=contribution, in_numerator=_flag(Q(nps_category=NpsCategory.PROMOTER)))
    )


def e2_measure(dealer_ids, start, end, as_of=None) -> dict[int, Measure]:
    """NPS: Σ contribution (+1 promoter, −1 detractor) / responses × 100 (one grouped query)."""
    rows = (
        _e2(dealer_ids, start, end)
        .order_by()
        .values(dealer_key=F("dealer_id"))
        .annotate(balance=Sum("kpi_value"), n=Count("pk"))
    )
    found = {
        row["dealer_key"]: Measure(
            row["dealer_key"], 100.0 * row["balance"] / row["n"], row["balance"], row["n"], row["n"]
        )
        for row in rows
    }
    return {d: found.get(d) or Measure.no_data(d, BALANCE) for d in _ids(dealer_ids)}


def e3_measure(dealer_ids, start, end, as_of=None) -> dict[int, Measure]:
    """Complaints received / ROs delivered, in percent (two grouped queries; no deliveries = no data)."""
    complaints = dict(_complaints(dealer_ids, start, end).order_by().values_list("dealer_id").annotate(n=Count("pk")))
    delivered = dict(_delivered(dealer_ids, start, end).order_by().values_list("dealer_id").annotate(n=Count("pk")))
    return {d: ratio(d, complaints.get(d, 0), delivered.get(d, 0)) for d in _ids(dealer_ids)}


def _e3(dealer_ids, start, end, as_of=None) -> QuerySet:
    return _complaints(dealer_ids, start, end).annotate(
        in_numerator=Value(True, output_field=BooleanField()), kpi_value=Value(None, output_field=FloatField())
    )


def _e4(dealer_ids, start, end, as_of=None) -> QuerySet:
    from care.selectors import months_before
    from customers.models import Customer
    from repairs.choices import RepairOrderStatus
    from repairs.models import RepairOrder

    year_ago, two_years_ago = months_before(end, 12), months_before(end, 24)
    visits = RepairOrder.objects.filter(customer=OuterRef("pk")).exclude(status=RepairOrderStatus.CANCELLED)
    return (
        Customer.objects.filter(dealer_id__in=_ids(dealer_ids))
        .filter(Exists(visits.filter(arrived_at__gte=two_years_ago, arrived_at__lt=year_ago)))
        .annotate(in_numerator=Exists(visits.filter(arrived_at__gte=year_ago, arrived_at__lt=end)))
        .annotate(kpi_value=Value(None, output_field=FloatField()))
    )


def e4_measure(dealer_ids, start, end, as_of=None) -> dict[int, Measure]:
    """Through care.selectors.retention at the period end (one grouped query)."""
    from care.selectors import retention

    found = retention(_ids(dealer_ids), end)
    return {d: ratio(d, found[d].numerator, found[d].n) for d in _ids(dealer_ids)}


# --------------------------------------------------------------------------------------------------------------------
# F — parts
# --------------------------------------------------------------------------------------------------------------------


def _f1(dealer_ids, start, end, as_of=None) -> QuerySet:
    from parts.choices import ReservationStatus
    from parts.models import SpecialOrder, StockReservation
    from repairs.choices import LineKind
    from repairs.models import RepairOrderLine

    in_period = {"requested_at__gte": start, "requested_at__lt": end}
    reservations = StockReservation.objects.filter(repair_order_line=OuterRef("pk"))
    specials = SpecialOrder.objects.filter(repair_order_line=OuterRef("pk"))
    same_day = (
        reservations.filter(status=ReservationStatus.ISSUED, issued_at__isnull=False, **in_period)
        .annotate(asked=TruncDate("requested_at", tzinfo=SHANGHAI), got=TruncDate("issued_at", tzinfo=SHANGHAI))
        .filter(asked=F("got"))
    )
    requested = Q(Exists(reservations.filter(**in_period).exclude(status=ReservationStatus.RELEASED))) | Q(
        Exists(specials.filter(**in_period))
    )
    return (
        RepairOrderLine.objects.filter(order__dealer_id__in=_ids(dealer_ids), kind=LineKind.PART)
        .filter(requested)
        .annotate(in_numerator=_flag(Q(Exists(same_day)) & ~Q(Exists(specials))))
        .annotate(kpi_value=Value(None, output_field=FloatField()))
    )


DEAD_DAYS = 180
STOCK_VALUE = DecimalField(max_digits=18, decimal_places=4)


def _f2(dealer_ids, start, end, as_of=None) -> QuerySet:
    from parts.models import StockItem, StockMovement

    cutoff = min(end, as_of or timezone.now())
    last = StockMovement.objects.filter(item=OuterRef("pk"), at__lt=cutoff).order_by("-at", "-id")
    quantity = Subquery(last.values("on_hand_after")[:1], output_field=DecimalField(max_digits=12, decimal_places=3))
    return (
        StockItem.objects.filter(warehouse__dealer_id__in=_ids(dealer_ids))
        .annotate(on_hand_then=quantity, last_movement_then=Subquery(last.values("at")[:1]))
        .filter(on_hand_then__gt=0)
        .annotate(kpi_value=ExpressionWrapper(F("on_hand_then") * F("average_cost"), output_field=STOCK_VALUE))
        .annotate(in_numerator=_flag(Q(last_movement_then__lt=cutoff - timedelta(days=DEAD_DAYS))))
    )


def f2_measure(dealer_ids, start, end, as_of=None) -> dict[int, Measure]:
    """Dead stock value / stock value at the period end, in percent (one grouped query); n = items in stock."""
    rows = (
        _f2(dealer_ids, start, end, as_of)
        .order_by()
        .values(dealer_key=F("warehouse__dealer_id"))
        .annotate(
            value=Sum("kpi_value"),
            dead=Coalesce(Sum("kpi_value", filter=Q(in_numerator=True)), Value(Decimal("0")), output_field=STOCK_VALUE),
            n=Count("pk"),
        )
    )
    found = {}
    for row in rows:
        value, dead = Decimal(row["value"] or 0), Decimal(row["dead"] or 0)
        share = float(dead / value * 100) if value else None
        found[row["dealer_key"]] = Measure(row["dealer_key"], share, float(dead), float(value), row["n"])
    return {d: found.get(d) or Measure.no_data(d) for d in _ids(dealer_ids)}


# --------------------------------------------------------------------------------------------------------------------
# G — the service-system audit (evaluation.audits, kept by the audit pages)
# --------------------------------------------------------------------------------------------------------------------


def g_measure(dealer_ids, start, end, as_of=None) -> dict[int, Measure]:
    """G: the score of the audit evaluation.audits.audit_scores picks for the period (n = 1 audit, or no data)."""
    from evaluation.audits import audit_scores

    found = audit_scores(_ids(dealer_ids), start, end)
    return {
        d: Measure(d, found[d]["score"], None, 1, 1) if found[d]["score"] is not None else Measure.no_data(d, SINGLE)
        for d in _ids(dealer_ids)
    }


def g_records(dealer_id, start, end, as_of=None) -> QuerySet:
    """The submitted audits dated in the period; ``in_numerator`` marks the one whose score is G."""
    from evaluation.audits import SUBMITTED, audit_scores
    from evaluation.models import Audit

    chosen = audit_scores([dealer_id], start, end)[dealer_id]["audit_id"]
    first = timezone.localtime(start, SHANGHAI).date()
    return (
        Audit.objects.filter(
            dealer_id=dealer_id, status__in=SUBMITTED, audit_date__gte=first, audit_date__lte=_last_day(end, end)
        )
        .annotate(in_numerator=_flag(Q(pk=chosen or 0)), kpi_value=F("score"))
        .select_related("auditor")
        .order_by("-audit_date", "-id")
    )


# --------------------------------------------------------------------------------------------------------------------
# The registry
# --------------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column of the drill-down list: a label and a dotted path into the record (attribute or dict key)."""

    label: str
    path: str
    kind: str = "text"  # text, datetime, number, flag


@dataclass(frozen=True)
class MeasureSpec:
    """How one indicator is measured, and how its records are listed."""

    code: str
    label: str
    unit: str
    kind: str
    measure: Callable[..., dict[int, Measure]]
    records: Callable[..., QuerySet]
    permission: str  # the model permission needed to see the records (the drill-down)
    columns: tuple[Column, ...] = field(default_factory=tuple)
    numerator_label: str = ""
    value_label: str = ""
    link: str | None = None  # dotted path to an object with get_absolute_url, or None


def _records_of(base: Callable, *related: str, ordering: tuple[str, ...] = ("pk",)) -> Callable:
    def records(dealer_id, start, end, as_of=None) -> QuerySet:
        qs = base([dealer_id], start, end, as_of)
        return qs.select_related(*related).order_by(*ordering) if related else qs.order_by(*ordering)

    records.__doc__ = base.__doc__
    return records


def _ratio_measure(base: Callable, dealer_path: str) -> Callable:
    def measure(dealer_ids, start, end, as_of=None) -> dict[int, Measure]:
        return _ratios(base(dealer_ids, start, end, as_of), dealer_path, dealer_ids)

    return measure


def _mean_measure(base: Callable, dealer_path: str, scale: float = 1.0) -> Callable:
    def measure(dealer_ids, start, end, as_of=None) -> dict[int, Measure]:
        return _means(base(dealer_ids, start, end, as_of), dealer_path, dealer_ids, scale)

    return measure


def _median_measure(base: Callable, dealer_path: str) -> Callable:
    def measure(dealer_ids, start, end, as_of=None) -> dict[int, Measure]:
        return _medians(base(dealer_ids, start, end, as_of), dealer_path, dealer_ids)

    return measure


RO = "repairs.view_repairorder"
COMPLAINT = "complaints.view_complaint"
SURVEY = "surveys.view_surveyresponse"
STAFF = "staff.view_staffprofile"
RO_COLUMNS = (Column(_("RO number"), "number"), Column(_("Vehicle"), "vehicle.plate"))
COMPLAINT_COLUMNS = (Column(_("Complaint"), "number"), Column(_("Received at"), "received_at", "datetime"))
ANSWER_COLUMNS = (
    Column(_("Answered at"), "response.submitted_at", "datetime"),
    Column(_("RO number"), "response.repair_order.number"),
    Column(_("Question"), "question.code"),
)
RESPONSE_COLUMNS = (
    Column(_("Answered at"), "submitted_at", "datetime"),
    Column(_("RO number"), "repair_order.number"),
    Column(_("Channel"), "get_channel_display"),
)

# fmt: off
MEASURES: dict[str, MeasureSpec] = {spec.code: spec for spec in [
    MeasureSpec(
        "A1", _("Reception wait"), MINUTES, MEDIAN, _median_measure(_a1, "dealer_id"),
        _records_of(_a1, "vehicle", ordering=("arrived_at", "pk")), RO,
        (*RO_COLUMNS, Column(_("Arrived at"), "arrived_at", "datetime"),
         Column(_("Opened at"), "opened_at", "datetime")),
        value_label=_("Minutes waited"), link="self",
    ),
    MeasureSpec(
        "A2", _("Complaint first contact ≤ 2 h"), PERCENT, RATIO, _ratio_measure(_a2, "dealer_id"),
        _records_of(_a2, ordering=("received_at", "pk")), COMPLAINT,
        (*COMPLAINT_COLUMNS, Column(_("First contact due"), "first_contact_due_at", "datetime"),
         Column(_("First contact at"), "first_contact_at", "datetime")),
        numerator_label=_("Contacted in time"), value_label=_("Minutes to first contact"), link="self",
    ),
    MeasureSpec(
        "A3", _("Additional-work decision time"), MINUTES, MEDIAN, _median_measure(_a3, "order__dealer_id"),
        _records_of(_a3, "order", ordering=("raised_at", "pk")), RO,
        (Column(_("RO number"), "order.number"), Column(_("Additional item"), "description"),
         Column(_("Raised at"), "raised_at", "datetime"), Column(_("Decided at"), "decision_at", "datetime"),
         Column(_("Status"), "get_status_display")),
        value_label=_("Minutes to decision"), link="order",
    ),
    MeasureSpec(
        "A4", _("Appointment on-time reception"), PERCENT, RATIO, _ratio_measure(_a4, "dealer_id"),
        _records_of(_a4, "repair_order", "vehicle", ordering=("slot_start", "pk")), "appointments.view_appointment",
        (Column(_("Slot"), "slot_start", "datetime"), Column(_("Vehicle"), "vehicle.plate"),
         Column(_("RO number"), "repair_order.number"),
         Column(_("RO opened at"), "repair_order.opened_at", "datetime")),
        numerator_label=_("Received within 15 min"), value_label=_("Minutes after the slot"), link="self",
    ),
    MeasureSpec(
        "B1", _("First-time fix rate"), PERCENT, RATIO, _ratio_measure(_b1, "dealer_id"),
        _records_of(_b1, "vehicle", ordering=("delivered_at", "pk")), RO,
        (*RO_COLUMNS, Column(_("Fault category"), "get_fault_category_display"),
         Column(_("Delivered at"), "delivered_at", "datetime"), Column(_("Comeback RO"), "comeback_number"),
         Column(_("Days after delivery"), "comeback_days", "number"),
         Column(_("Linked by the desk (else detected)"), "comeback_linked", "flag"),
         Column(_("Not a comeback (RO: reason)"), "not_a_comeback")),
        numerator_label=_("No comeback within 30 days"), link="self",
    ),
    MeasureSpec(
        "B2", _("On-time delivery"), PERCENT, RATIO, _ratio_measure(_b2, "dealer_id"),
        _records_of(_b2, "vehicle", ordering=("delivered_at", "pk")), RO,
        (*RO_COLUMNS, Column(_("Promised delivery time"), "promised_at", "datetime"),
         Column(_("Delivered at"), "delivered_at", "datetime")),
        numerator_label=_("Delivered by the promised time"), value_label=_("Minutes after the promised time"),
        link="self",
    ),
    MeasureSpec(
        "B3", _("Repair cycle time (maintenance)"), HOURS, MEAN, _mean_measure(_b3, "dealer_id"),
        _records_of(_b3, "vehicle", ordering=("delivered_at", "pk")), RO,
        (*RO_COLUMNS, Column(_("Checked in at"), "checked_in_at", "datetime"),
         Column(_("Ready at"), "ready_at", "datetime")),
        value_label=_("Hours from check-in to ready"), link="self",
    ),
    MeasureSpec(
        "B4", _("Estimate accuracy"), PERCENT, RATIO, _ratio_measure(_b4, "order__dealer_id"),
        _records_of(_b4, "order", ordering=("settled_at", "pk")), RO,
        (Column(_("RO number"), "order.number"), Column(_("Invoice"), "invoice_number"),
         Column(_("Approved estimate"), "approved_estimate", "number"),
         Column(_("Settled total"), "grand_total", "number")),
        numerator_label=_("Within ±10 %"), value_label=_("Deviation (%)"), link="order",
    ),
    MeasureSpec(
        "B5", _("Complaint resolution"), PERCENT, RATIO, _ratio_measure(_b5, "dealer_id"),
        _records_of(_b5, ordering=("received_at", "pk")), COMPLAINT,
        (*COMPLAINT_COLUMNS, Column(_("Status"), "get_status_display"),
         Column(_("Resolved at"), "resolved_at", "datetime"),
         Column(_("Customer agrees"), "customer_agreed", "flag")),
        numerator_label=_("Resolved with the customer's agreement"), link="self",
    ),
    MeasureSpec(
        "C1", _("Attitude satisfaction"), SCORE, MEAN, _mean_measure(_c1, "response__dealer_id"),
        _records_of(_c1, "response__repair_order", "question", ordering=("response__submitted_at", "pk")), SURVEY,
        ANSWER_COLUMNS, value_label=_("Score (0–100)"), link="response",
    ),
    MeasureSpec(
        "C2", _("Competence satisfaction"), SCORE, MEAN, _mean_measure(_c2, "response__dealer_id"),
        _records_of(_c2, "response__repair_order", "question", ordering=("response__submitted_at", "pk")), SURVEY,
        ANSWER_COLUMNS, value_label=_("Score (0–100)"), link="response",
    ),
    MeasureSpec(
        "C3", _("Training compliance"), PERCENT, RATIO, c3_measure,
        _records_of(_c3, "user", ordering=("employee_number", "pk")), STAFF,
        (Column(_("Employee number"), "employee_number"), Column(_("Name"), "user"),
         Column(_("Required hours"), "required_hours", "number")),
        numerator_label=_("Required training hours reached"), value_label=_("Training hours this year"),
        link="self",
    ),
    MeasureSpec(
        "C4", _("Certified technicians"), PERCENT, RATIO, c4_measure, c4_records, STAFF,
        (Column(_("Technician"), "technician__username"), Column(_("Name"), "technician__display_name"),
         Column(_("Clocked jobs"), "clocks", "number")),
        numerator_label=_("Certified on every job"), value_label=_("Clocks without a valid certificate"),
    ),
    MeasureSpec(
        "D1", _("Complete check-in"), PERCENT, RATIO, _ratio_measure(_d1, "dealer_id"),
        _records_of(_d1, "vehicle", ordering=("arrived_at", "pk")), RO,
        (*RO_COLUMNS, Column(_("Checked in at"), "checked_in_at", "datetime"),
         Column(_("Why the check-in is incomplete"), "checkin_exception")),
        numerator_label=_("Check-in complete"), link="self",
    ),
    MeasureSpec(
        "D2", _("Approved additional work"), PERCENT, RATIO, _ratio_measure(_d2, "order__dealer_id"),
        _records_of(_d2, "order", ordering=("raised_at", "pk")), RO,
        (Column(_("RO number"), "order.number"), Column(_("Additional item"), "description"),
         Column(_("Decided at"), "decision_at", "datetime"),
         Column(_("Work started at"), "work_started_at", "datetime")),
        numerator_label=_("Approved before the work"), value_label=_("Minutes from approval to work"), link="order",
    ),
    MeasureSpec(
        "D3", _("QC first-pass"), PERCENT, RATIO, _ratio_measure(_d3, "order__dealer_id"),
        _records_of(_d3, "order", ordering=("inspected_at", "pk")), RO,
        (Column(_("RO number"), "order.number"), Column(_("Inspected at"), "inspected_at", "datetime"),
         Column(_("What failed"), "failure_reasons")),
        numerator_label=_("Passed the first inspection"), link="order",
    ),
    MeasureSpec(
        "D4", _("Timely follow-up"), PERCENT, RATIO, _care_measure("follow_up_timeliness"),
        _records_of(_d4, "customer", ordering=("due_by", "pk")), "todo.view_task",
        (Column(_("Task"), "title"), Column(_("Customer"), "customer.name"),
         Column(_("Window opens"), "due_at", "datetime"), Column(_("Window ends"), "due_by", "datetime"),
         Column(_("Done at"), "done_at", "datetime")),
        numerator_label=_("Done inside the window"),
    ),
    MeasureSpec(
        "D5", _("Timely archive"), PERCENT, RATIO, _care_measure("archive_timeliness"),
        _records_of(_d5, ordering=("created_at", "pk")), "customers.view_customer",
        (Column(_("Customer"), "name"), Column(_("Created at"), "created_at", "datetime"),
         Column(_("Archive complete at"), "archive_completed_at", "datetime")),
        numerator_label=_("Archive complete within 2 days"), value_label=_("Days to a complete archive"),
        link="self",
    ),
    MeasureSpec(
        "D6", _("Complaint feedback ≤ 3 days"), PERCENT, RATIO, _ratio_measure(_d6, "dealer_id"),
        _records_of(_d6, ordering=("received_at", "pk")), COMPLAINT,
        (*COMPLAINT_COLUMNS, Column(_("Feedback due"), "feedback_due_at", "datetime"),
         Column(_("Feedback given at"), "feedback_at", "datetime")),
        numerator_label=_("Feedback in time"), value_label=_("Minutes to feedback"), link="self",
    ),
    MeasureSpec(
        "E1", _("CSI"), CSI_POINTS, MEAN, _mean_measure(_e1, "dealer_id", scale=10.0),
        _records_of(_e1, "repair_order", ordering=("submitted_at", "pk")), SURVEY,
        RESPONSE_COLUMNS, value_label=_("CSI (0–100)"), link="self",
    ),
    MeasureSpec(
        "E2", _("NPS"), NPS, BALANCE, e2_measure,
        _records_of(_e2, "repair_order", ordering=("submitted_at", "pk")), SURVEY,
        (*RESPONSE_COLUMNS, Column(_("Recommendation (0–10)"), "nps_score", "number")),
        numerator_label=_("Promoter"), value_label=_("+1 promoter, −1 detractor"), link="self",
    ),
    MeasureSpec(
        "E3", _("Complaint rate"), PERCENT, RATIO, e3_measure,
        _records_of(_e3, ordering=("received_at", "pk")), COMPLAINT,
        (*COMPLAINT_COLUMNS, Column(_("Category"), "get_category_display")),
        numerator_label=_("Complaint received"), link="self",
    ),
    MeasureSpec(
        "E4", _("Retention (rolling)"), PERCENT, RATIO, e4_measure,
        _records_of(_e4, ordering=("name", "pk")), "customers.view_customer",
        (Column(_("Customer"), "name"), Column(_("Mobile"), "mobile")),
        numerator_label=_("Came back in the last 12 months"), link="self",
    ),
    MeasureSpec(
        "F1", _("First-pick fill rate"), PERCENT, RATIO, _ratio_measure(_f1, "order__dealer_id"),
        _records_of(_f1, "order", ordering=("order__opened_at", "pk")), "parts.view_stockreservation",
        (Column(_("RO number"), "order.number"), Column(_("Part"), "description"),
         Column(_("Quantity"), "quantity", "number")),
        numerator_label=_("Issued from stock the day requested"), link="order",
    ),
    MeasureSpec(
        "F2", _("Dead stock share"), PERCENT, RATIO, f2_measure,
        _records_of(_f2, "part", "warehouse", ordering=("-kpi_value", "pk")), "parts.view_stockitem",
        (Column(_("Warehouse"), "warehouse.code"), Column(_("Part number"), "part.number"),
         Column(_("Part"), "part.name"), Column(_("On hand"), "on_hand_then", "number"),
         Column(_("Last movement"), "last_movement_then", "datetime")),
        numerator_label=_("Dead (no movement in 180 days)"), value_label=_("Stock value"),
    ),
    MeasureSpec(
        "G", _("Service-system audit score"), SCORE, SINGLE, g_measure, g_records, "evaluation.view_audit",
        (Column(_("Audit date"), "audit_date", "date"), Column(_("Kind"), "get_kind_display"),
         Column(_("Auditor"), "auditor"), Column(_("Status"), "get_status_display")),
        numerator_label=_("The audit that counts"), value_label=_("Audit score"), link="self",
    ),
]}
# fmt: on


def measure_all(
    dealer_ids: Iterable[int], start: datetime, end: datetime, *, as_of: datetime | None = None, codes=None
) -> dict[str, dict[int, Measure]]:
    """Every indicator (or those of ``codes``) for these dealers and ``[start, end)``: {code: {dealer id: Measure}}.

    A fixed number of queries whatever the number of dealers (about one per indicator).
    """
    ids = _ids(dealer_ids)
    return {
        code: spec.measure(ids, start, end, as_of) for code, spec in MEASURES.items() if codes is None or code in codes
    }
