"""The service desk's indicator rules: A1, A3, B2, B3, B4, D1, D2, D3 (B1 is repairs.comebacks').

Each rule is a records function ``(dealer_ids, start, end, as_of=None) -> QuerySet`` (the rows behind the figure,
annotated with ``in_numerator`` and ``kpi_value``) and a measure ``-> {dealer_id: Measure}`` in grouped SQL over
exactly those records (core.indicators). ``evaluation.selectors.measures`` registers them; nothing else restates them.

Every rule is judged at ``as_of`` (default now): the events of the period count up to ``as_of`` when that is
earlier than the period end, and a stamp made after ``as_of`` (a decision, a signature, a finished job) is not
there yet.

Choices made where the catalogue leaves room (the drill-down shows exactly these rows):

* A1 — repair orders that arrived in the period (cancelled ones too: the customer was received).
* A3 — additional items raised in the period that the customer decided on by ``as_of``.
* B2 — delivered in the period; an order without a promised time is not on time.
* B3 — maintenance orders delivered in the period: mean hours from check-in to ready (the catalogue's target is
  for maintenance; other job types have other cycle times and would not be comparable between dealers).
* B4 — settlements in the period: settled total within ±10 % of ``RepairOrder.approved_total`` plus the
  ``approved_amount`` of the approved additional items (both stored when the customer approved; exactly ±10 %
  counts). Compared in whole fen so that the boundary is exact on SQLite too.
* D1 — orders that arrived in the period and were checked in by ``as_of``: complete = every item of
  ``repairs.state.CHECKIN_ITEMS`` (walk-around, fuel level, odometer, the belongings list signed by ``as_of``),
  the declaration the check-in guard uses too. Walk-around, fuel and odometer carry no time of their own; they can
  be changed only until the estimate is given.
* D2 — additional items whose labour was finished (done) in the period; counted when the customer's approval was
  recorded before the first clock-on of the item's work.
* D3 — orders whose first QC inspection was in the period; passed at that first inspection.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import (
    Case,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
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
)
from django.db.models.functions import Cast, Coalesce, Round
from django.utils.translation import gettext_lazy as _

from core.indicators import (
    HOURS,
    MEAN,
    MEDIAN,
    MINUTES,
    NO_FLAG,
    NO_VALUE,
    PERCENT,
    RATIO,
    Indicator,
    Measure,
    Minutes,
    evaluated_at,
    flag,
    ids,
    means,
    medians,
    ratios,
    stamped_in,
)
from repairs.choices import AdditionStatus, LineKind, RepairOrderStatus, WorkStatus
from repairs.models import AdditionalItem, QcInspection, RepairOrder, RepairOrderLine, Settlement
from repairs.state import checkin_complete_q

A1 = Indicator("A1", _("Reception wait"), MINUTES, MEDIAN)
A3 = Indicator("A3", _("Additional-work decision time"), MINUTES, MEDIAN)
B2 = Indicator("B2", _("On-time delivery"), PERCENT, RATIO)
B3 = Indicator("B3", _("Repair cycle time (maintenance)"), HOURS, MEAN)
B4 = Indicator("B4", _("Estimate accuracy"), PERCENT, RATIO)
D1 = Indicator("D1", _("Complete check-in"), PERCENT, RATIO)
D2 = Indicator("D2", _("Approved additional work"), PERCENT, RATIO)
D3 = Indicator("D3", _("QC first-pass"), PERCENT, RATIO)

CYCLE_JOB_TYPE = "maintenance"
ESTIMATE_TOLERANCE_PCT = 10
MONEY = DecimalField(max_digits=14, decimal_places=2)


def delivered(dealer_ids, start, end, as_of=None) -> QuerySet[RepairOrder]:
    """Repair orders delivered in ``[start, end)`` and by ``as_of`` (the "delivered ROs" of the catalogue: B2, B3,
    E3; B1 is repairs.comebacks')."""
    return RepairOrder.objects.filter(stamped_in("delivered_at", start, end, as_of), dealer_id__in=ids(dealer_ids))


def arrived(dealer_ids, start, end, as_of=None) -> QuerySet[RepairOrder]:
    """Repair orders whose customer arrived in ``[start, end)`` and by ``as_of``."""
    return RepairOrder.objects.filter(stamped_in("arrived_at", start, end, as_of), dealer_id__in=ids(dealer_ids))


def not_cancelled_by(as_of) -> Q:
    """Repair orders not cancelled by ``as_of``: one cancelled later was still a visit then (a cancelled order
    without its cancellation time counts as cancelled). B1's revisits and E4's visits."""
    return ~Q(status=RepairOrderStatus.CANCELLED) | Q(cancelled_at__gt=as_of)


# --- A1 reception wait ------------------------------------------------------------------------------------------


def reception_wait_records(dealer_ids, start, end, as_of=None) -> QuerySet[RepairOrder]:
    """A1: the orders that arrived in the period, each with its minutes from arrival to the order being opened."""
    return arrived(dealer_ids, start, end, as_of).annotate(
        kpi_value=Minutes("opened_at", "arrived_at"), in_numerator=NO_FLAG
    )


def reception_wait(dealer_ids, start, end, as_of=None) -> dict[int, Measure]:
    """A1: median minutes from arrival to the order being opened."""
    return medians(reception_wait_records(dealer_ids, start, end, as_of), "dealer_id", dealer_ids)


# --- A3 additional-work decision time ---------------------------------------------------------------------------


def decision_time_records(dealer_ids, start, end, as_of=None) -> QuerySet[AdditionalItem]:
    """A3: the additional items raised in the period that the customer decided on by ``as_of``, with the minutes
    it took (an item decided later has no decision time yet)."""
    return AdditionalItem.objects.filter(
        stamped_in("raised_at", start, end, as_of),
        order__dealer_id__in=ids(dealer_ids),
        decision_at__isnull=False,
        decision_at__lte=evaluated_at(as_of),
    ).annotate(kpi_value=Minutes("decision_at", "raised_at"), in_numerator=NO_FLAG)


def decision_time(dealer_ids, start, end, as_of=None) -> dict[int, Measure]:
    """A3: median minutes from an additional item being raised to the customer's decision."""
    return medians(decision_time_records(dealer_ids, start, end, as_of), "order__dealer_id", dealer_ids)


# --- B2 on-time delivery ----------------------------------------------------------------------------------------


def on_time_delivery_records(dealer_ids, start, end, as_of=None) -> QuerySet[RepairOrder]:
    """B2: the orders delivered in the period; on time = by the promised time (no promise: not on time)."""
    return delivered(dealer_ids, start, end, as_of).annotate(
        in_numerator=flag(Q(promised_at__isnull=False, delivered_at__lte=F("promised_at"))),
        kpi_value=Minutes("delivered_at", "promised_at"),
    )


def on_time_delivery(dealer_ids, start, end, as_of=None) -> dict[int, Measure]:
    """B2: delivered by the promised time / delivered."""
    return ratios(on_time_delivery_records(dealer_ids, start, end, as_of), "dealer_id", dealer_ids)


# --- B3 repair cycle time ---------------------------------------------------------------------------------------


def cycle_time_records(dealer_ids, start, end, as_of=None) -> QuerySet[RepairOrder]:
    """B3: the maintenance orders delivered in the period, with their hours from check-in to ready."""
    return (
        delivered(dealer_ids, start, end, as_of)
        .filter(job_type=CYCLE_JOB_TYPE, checked_in_at__isnull=False, ready_at__isnull=False)
        .annotate(
            kpi_value=ExpressionWrapper(Minutes("ready_at", "checked_in_at") / 60.0, output_field=FloatField()),
            in_numerator=NO_FLAG,
        )
    )


def cycle_time(dealer_ids, start, end, as_of=None) -> dict[int, Measure]:
    """B3: mean hours from check-in to ready of the maintenance orders delivered."""
    return means(cycle_time_records(dealer_ids, start, end, as_of), "dealer_id", dealer_ids)


# --- B4 estimate accuracy ---------------------------------------------------------------------------------------


def estimate_accuracy_records(dealer_ids, start, end, as_of=None) -> QuerySet[Settlement]:
    """B4: the settlements of the period, each with ``approved_estimate`` and its deviation from it in percent."""
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
        Settlement.objects.filter(stamped_in("settled_at", start, end, as_of), order__dealer_id__in=ids(dealer_ids))
        .annotate(approved_estimate=ExpressionWrapper(approved, output_field=MONEY))
        .annotate(settled_fen=settled_fen, approved_fen=approved_fen)
        .annotate(
            in_numerator=flag(
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


def estimate_accuracy(dealer_ids, start, end, as_of=None) -> dict[int, Measure]:
    """B4: settled within ±10 % of the approved estimate (approved additions included) / settled."""
    return ratios(estimate_accuracy_records(dealer_ids, start, end, as_of), "order__dealer_id", dealer_ids)


# --- D1 complete check-in ---------------------------------------------------------------------------------------


def checkin_records(dealer_ids, start, end, as_of=None) -> QuerySet[RepairOrder]:
    """D1: the orders that arrived in the period and were checked in by ``as_of``; complete = every check-in item
    recorded (repairs.state.CHECKIN_ITEMS; the belongings list signed by ``as_of``)."""
    as_of = evaluated_at(as_of)
    return (
        arrived(dealer_ids, start, end, as_of)
        .filter(checked_in_at__isnull=False, checked_in_at__lte=as_of)
        .annotate(in_numerator=flag(checkin_complete_q(as_of)), kpi_value=NO_VALUE)
    )


def complete_checkin(dealer_ids, start, end, as_of=None) -> dict[int, Measure]:
    """D1: complete check-ins / orders checked in."""
    return ratios(checkin_records(dealer_ids, start, end, as_of), "dealer_id", dealer_ids)


# --- D2 approved additional work --------------------------------------------------------------------------------


def approved_work_records(dealer_ids, start, end, as_of=None) -> QuerySet[AdditionalItem]:
    """D2: the additional items whose labour was finished in the period (and by ``as_of``), with
    ``work_started_at`` (the first clock-on) and the minutes from the approval to it."""
    as_of = evaluated_at(as_of)
    labour = RepairOrderLine.objects.filter(addition_id=OuterRef("pk"), kind=LineKind.LABOUR).order_by()
    first_start = labour.filter(started_at__isnull=False).values("addition_id").annotate(at=Min("started_at"))
    finished = (
        labour.filter(work_status=WorkStatus.DONE, finished_at__lte=as_of)
        .values("addition_id")
        .annotate(at=Max("finished_at"))
    )
    approved_first = Q(status=AdditionStatus.APPROVED, decision_at__isnull=False, decision_at__lte=as_of) & (
        Q(work_started_at__isnull=True) | Q(decision_at__lte=F("work_started_at"))
    )
    return (
        AdditionalItem.objects.filter(order__dealer_id__in=ids(dealer_ids))
        .annotate(
            work_started_at=Subquery(first_start.values("at")[:1]),
            work_finished_at=Subquery(finished.values("at")[:1]),
        )
        .filter(stamped_in("work_finished_at", start, end, as_of))
        .annotate(in_numerator=flag(approved_first), kpi_value=Minutes("work_started_at", "decision_at"))
    )


def approved_work(dealer_ids, start, end, as_of=None) -> dict[int, Measure]:
    """D2: additional items done only after the customer's recorded approval / additional items done."""
    return ratios(approved_work_records(dealer_ids, start, end, as_of), "order__dealer_id", dealer_ids)


# --- D3 QC first-pass -------------------------------------------------------------------------------------------


def qc_first_pass_records(dealer_ids, start, end, as_of=None) -> QuerySet[QcInspection]:
    """D3: the first QC inspections of the period (one per order)."""
    return QcInspection.objects.filter(
        stamped_in("inspected_at", start, end, as_of), order__dealer_id__in=ids(dealer_ids), sequence=1
    ).annotate(in_numerator=F("passed"), kpi_value=NO_VALUE)


def qc_first_pass(dealer_ids, start, end, as_of=None) -> dict[int, Measure]:
    """D3: orders passing QC at the first inspection / orders inspected."""
    return ratios(qc_first_pass_records(dealer_ids, start, end, as_of), "order__dealer_id", dealer_ids)


# --- who answers for a record: the staff scorecard's grouping and the drill-down's person filters -------------------


def _on_order(order_path: str, name: str) -> str:
    return f"{order_path}__{name}" if order_path else name


def worked_lines() -> QuerySet[RepairOrderLine]:
    """The lines a technician answers for: labour lines with a technician, except those of a declined additional
    item (no work done, as for B1's same-fault lines)."""
    return RepairOrderLine.objects.filter(kind=LineKind.LABOUR, technician__isnull=False).exclude(
        addition__status=AdditionStatus.DECLINED
    )


def per_technician(records: QuerySet, order_path: str = "") -> QuerySet:
    """``records`` (orders, or rows of an order at ``order_path``: ``"order"`` for QC inspections) once per
    technician of the order's ``worked_lines``, with ``technician_key``. A record shows up once per line: group
    it with distinct counts (core.indicators.ratios_by(..., distinct=True))."""
    lines = _on_order(order_path, "lines")
    return records.filter(**{f"{lines}__in": worked_lines()}).annotate(technician_key=F(f"{lines}__technician_id"))


def advised_by(records: QuerySet, user_id: int, order_path: str = "") -> QuerySet:
    """The ``records`` of orders (at ``order_path``) whose service advisor is ``user_id``."""
    return records.filter(**{_on_order(order_path, "advisor_id"): user_id})


def worked_by(records: QuerySet, user_id: int, order_path: str = "") -> QuerySet:
    """The ``records`` of orders (at ``order_path``) with a line of ``worked_lines`` done by ``user_id``, once each."""
    order_id = f"{order_path}_id" if order_path else "pk"
    return records.filter(Exists(worked_lines().filter(technician_id=user_id, order_id=OuterRef(order_id))))
