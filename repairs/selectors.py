"""Reads of the service desk, scoped to the user's dealers."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import BooleanField, Count, ExpressionWrapper, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from accounts.models import User
from repairs.choices import AdditionStatus, LineKind, RepairOrderStatus, WorkStatus
from repairs.models import (
    AdditionalItem,
    QcFinding,
    QcInspection,
    RepairOrder,
    RepairOrderEvent,
    RepairOrderLine,
    agreed_part_lines,
)

OPEN_STATUSES = [
    RepairOrderStatus.OPEN,
    RepairOrderStatus.CHECKED_IN,
    RepairOrderStatus.ESTIMATED,
    RepairOrderStatus.APPROVED,
    RepairOrderStatus.DISPATCHED,
    RepairOrderStatus.IN_REPAIR,
    RepairOrderStatus.QC,
    RepairOrderStatus.READY,
]

# --- the promised delivery time ---------------------------------------------------------------------------------
# One rule for every page that flags promises (the desk, the cockpit, the RO list filters, the workshop board):
# an order keeps its promise once it is ready for delivery; before that it is *overdue* when the promised time has
# passed and *at risk* when less than PROMISE_AT_RISK is left.
PROMISE_AT_RISK = timedelta(hours=1)
NOT_READY_STATUSES = [s for s in OPEN_STATUSES if s != RepairOrderStatus.READY]


def promise_overdue_q(now: datetime) -> Q:
    """Orders not ready for delivery whose promised time has passed."""
    return Q(status__in=NOT_READY_STATUSES, promised_at__lt=now)


def promise_at_risk_q(now: datetime) -> Q:
    """Orders not ready for delivery with less than ``PROMISE_AT_RISK`` left to their promised time (not passed)."""
    return Q(status__in=NOT_READY_STATUSES, promised_at__gte=now, promised_at__lt=now + PROMISE_AT_RISK)


def with_promise_flags(orders: QuerySet[RepairOrder], now: datetime) -> QuerySet[RepairOrder]:
    """Adds ``promise_overdue`` and ``promise_at_risk`` to each order (``promise_overdue_q`` / ``promise_at_risk_q``)
    for the pages that highlight them (the workshop board, the advisor's desk, the QC queue)."""
    return orders.annotate(
        promise_overdue=ExpressionWrapper(promise_overdue_q(now), output_field=BooleanField()),
        promise_at_risk=ExpressionWrapper(promise_at_risk_q(now), output_field=BooleanField()),
    )


def open_order_counts(*, user: User, dealer_id: int | None = None, write: bool = False) -> list[tuple[str, str, int]]:
    """[(status, label, count)] of the open orders (reception to ready for delivery) of the user's dealers (those
    they may change, with ``write``), in the order of the visit (one grouped query)."""
    orders = RepairOrder.objects.for_user(user, write=write).filter(status__in=OPEN_STATUSES)
    if dealer_id:
        orders = orders.filter(dealer_id=dealer_id)
    by_status = dict(orders.order_by().values_list("status").annotate(n=Count("id")))
    return [(value, label, by_status.get(value, 0)) for value, label in RepairOrderStatus.choices
            if value in OPEN_STATUSES]  # fmt: skip


def promises(*, user: User, dealer_id: int | None = None, now: datetime | None = None, limit: int = 50) -> dict:
    """``at_risk`` and ``overdue``: the orders whose promised time is at risk and those past it (``promise_at_risk_q``
    / ``promise_overdue_q``), soonest promise first, at most ``limit`` of each, each with ``minutes_left`` (negative:
    minutes late); ``at_risk_count`` and ``overdue_count``: how many there are in all (three queries)."""
    now = now or timezone.now()
    orders = RepairOrder.objects.for_user(user).filter(
        status__in=NOT_READY_STATUSES, promised_at__lt=now + PROMISE_AT_RISK
    )
    if dealer_id:
        orders = orders.filter(dealer_id=dealer_id)
    counts = orders.order_by().aggregate(
        at_risk_count=Count("id", filter=promise_at_risk_q(now)),
        overdue_count=Count("id", filter=promise_overdue_q(now)),
    )
    listed = orders.select_related("vehicle", "customer", "advisor").order_by("promised_at", "id")
    overdue = list(listed.filter(promise_overdue_q(now))[:limit])
    at_risk = list(listed.filter(promise_at_risk_q(now))[:limit])
    for order in overdue + at_risk:
        order.minutes_left = int((order.promised_at - now).total_seconds() // 60)
    return {"at_risk": at_risk, "overdue": overdue, **counts}


def repair_order_list(*, user: User) -> QuerySet[RepairOrder]:
    """Repair orders of the user's dealers, newest first (repairs.filtersets.RepairOrderFilterSet filters them)."""
    return (
        RepairOrder.objects.for_user(user)
        .select_related("dealer", "vehicle", "customer", "advisor")
        .order_by("-opened_at", "-id")
    )


# --- rework after QC (返工) -------------------------------------------------------------------------------------


def rework_findings() -> QuerySet[QcFinding]:
    """The findings being reworked now: those of each order's latest inspection, when it failed (a later pass, or
    a later failure, ends them)."""
    latest = (
        QcInspection.objects.filter(order_id=OuterRef("inspection__order_id")).order_by("-sequence").values("sequence")
    )
    return QcFinding.objects.filter(inspection__passed=False, inspection__sequence=Subquery(latest[:1]))


def with_rework(lines: QuerySet[RepairOrderLine]) -> QuerySet[RepairOrderLine]:
    """``lines`` with ``rework_reason`` and ``rework_check`` (None unless the line is sent back for rework now);
    subqueries, no extra query. ``line.rework_check_label`` reads the checklist item's label."""
    current = rework_findings().filter(line_id=OuterRef("pk"))
    return lines.annotate(
        rework_reason=Subquery(current.values("reason")[:1]), rework_check=Subquery(current.values("check_code")[:1])
    )


def qc_inspections(*, order: RepairOrder) -> QuerySet[QcInspection]:
    """Every inspection of the order, first first, with the inspector and each finding's job (two queries)."""
    findings = QcFinding.objects.select_related("line").order_by("line__position", "line_id")
    return (
        order.inspections.select_related("inspector")
        .prefetch_related(Prefetch("findings", queryset=findings))
        .order_by("sequence")
    )


def repair_order_lines(*, order: RepairOrder) -> QuerySet[RepairOrderLine]:
    """The order's lines with what the parts counter did for them (reservations, special orders) and their rework."""
    return with_rework(
        order.lines.select_related("operation", "addition", "technician")
        .prefetch_related("reservations", "special_orders")
        .order_by("position", "id")
    )


def repair_order_timeline(*, order: RepairOrder) -> QuerySet[RepairOrderEvent]:
    """The state-machine steps of an order, oldest first, with who did them."""
    return order.events.select_related("by").order_by("at", "id")


WORKSHOP_BOARD_STATUSES = [
    RepairOrderStatus.APPROVED,
    RepairOrderStatus.DISPATCHED,
    RepairOrderStatus.IN_REPAIR,
    RepairOrderStatus.QC,
    RepairOrderStatus.READY,
]


def workshop_board(*, user: User, dealer_id: int | None = None, now: datetime | None = None) -> list[RepairOrder]:
    """Orders in the workshop (approved to ready) with their jobs and technicians and their promise flags
    (``with_promise_flags``): two queries in all."""
    jobs = with_rework(
        RepairOrderLine.objects.filter(kind=LineKind.LABOUR)
        .filter(Q(addition__isnull=True) | Q(addition__status=AdditionStatus.APPROVED))
        .select_related("technician")
        .order_by("position", "id")
    )
    qs = (
        RepairOrder.objects.for_user(user)
        .filter(status__in=WORKSHOP_BOARD_STATUSES)
        .select_related("vehicle", "advisor", "dealer")
        .prefetch_related(Prefetch("lines", queryset=jobs, to_attr="jobs"), part_lines_prefetch())
        .annotate(
            waiting_additions=Count(
                "additions", filter=Q(additions__status__in=[AdditionStatus.RAISED, AdditionStatus.CONTACTED])
            )
        )
        .order_by("promised_at", "id")
    )
    if dealer_id:
        qs = qs.filter(dealer_id=dealer_id)
    return list(with_promise_flags(qs, now or timezone.now()))


def part_lines_prefetch(lookup: str = "lines") -> Prefetch:
    """The orders' agreed catalogue part lines with their reservations and special orders, as ``part_lines`` (three
    queries however many orders): what ``RepairOrder.parts_readiness`` reads ("parts ready / waiting")."""
    return Prefetch(lookup, queryset=agreed_part_lines(), to_attr="part_lines")


def technician_jobs(*, user: User) -> QuerySet[RepairOrderLine]:
    """The jobs dispatched to this technician that are not done, on orders in the workshop (rework marked)."""
    return with_rework(
        RepairOrderLine.objects.for_user(user, write=True)
        .filter(
            technician=user,
            order__status__in=[RepairOrderStatus.DISPATCHED, RepairOrderStatus.IN_REPAIR],
        )
        .exclude(work_status=WorkStatus.DONE)
        .select_related("order__vehicle", "addition")
        .prefetch_related(part_lines_prefetch("order__lines"))
        .order_by("order__promised_at", "order_id", "position")
    )


def desk_day(*, user: User, dealer_id: int | None = None) -> dict:
    """The service advisor's day: open orders by status, late ones, ready ones, additions awaiting the customer."""
    orders = RepairOrder.objects.for_user(user, write=True).filter(status__in=OPEN_STATUSES)
    if dealer_id:
        orders = orders.filter(dealer_id=dealer_id)
    now = timezone.now()
    listed = with_promise_flags(orders, now).select_related("vehicle", "customer", "advisor")
    listed = listed.order_by("promised_at", "id")
    # The late and the at-risk orders in one query (the flags tell them apart).
    flagged = list(listed.filter(promise_overdue_q(now) | promise_at_risk_q(now))[:100])
    additions = (
        AdditionalItem.objects.for_user(user, write=True)
        .filter(status__in=[AdditionStatus.RAISED, AdditionStatus.CONTACTED])
        .select_related("order__vehicle", "order__customer", "raised_by")
        .order_by("raised_at")
    )
    if dealer_id:
        additions = additions.filter(order__dealer_id=dealer_id)
    return {
        "counts": open_order_counts(user=user, dealer_id=dealer_id, write=True),
        "late": [order for order in flagged if order.promise_overdue][:50],
        "at_risk": [order for order in flagged if order.promise_at_risk][:50],
        "ready": list(listed.filter(status=RepairOrderStatus.READY)[:50]),
        "in_progress": list(listed.exclude(status=RepairOrderStatus.READY)[:100]),
        "additions": list(additions[:50]),
    }
