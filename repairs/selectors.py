"""Reads of the service desk, scoped to the user's dealers."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from repairs.choices import AdditionStatus, LineKind, RepairOrderStatus, WorkStatus
from repairs.models import AdditionalItem, RepairOrder, RepairOrderEvent, RepairOrderLine

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


def repair_order_list(*, user: User) -> QuerySet[RepairOrder]:
    """Repair orders of the user's dealers, newest first (repairs.filtersets.RepairOrderFilterSet filters them)."""
    return (
        RepairOrder.objects.for_user(user)
        .select_related("dealer", "vehicle", "customer", "advisor")
        .order_by("-opened_at", "-id")
    )


def repair_order_lines(*, order: RepairOrder) -> QuerySet[RepairOrderLine]:
    """The order's lines with what the parts counter did for them (reservations, special orders)."""
    return (
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


def workshop_board(*, user: User, dealer_id: int | None = None) -> list[RepairOrder]:
    """Orders in the workshop (approved to ready) with their jobs and technicians: three queries in all."""
    jobs = (
        RepairOrderLine.objects.filter(kind=LineKind.LABOUR)
        .filter(Q(addition__isnull=True) | Q(addition__status=AdditionStatus.APPROVED))
        .select_related("technician")
        .order_by("position", "id")
    )
    qs = (
        RepairOrder.objects.for_user(user)
        .filter(status__in=WORKSHOP_BOARD_STATUSES)
        .select_related("vehicle", "advisor", "dealer")
        .prefetch_related(Prefetch("lines", queryset=jobs, to_attr="jobs"))
        .annotate(
            waiting_additions=Count(
                "additions", filter=Q(additions__status__in=[AdditionStatus.RAISED, AdditionStatus.CONTACTED])
            )
        )
        .order_by("promised_at", "id")
    )
    if dealer_id:
        qs = qs.filter(dealer_id=dealer_id)
    return list(qs)


def technician_jobs(*, user: User) -> QuerySet[RepairOrderLine]:
    """The jobs dispatched to this technician that are not done, on orders in the workshop."""
    return (
        RepairOrderLine.objects.for_user(user, write=True)
        .filter(
            technician=user,
            order__status__in=[RepairOrderStatus.DISPATCHED, RepairOrderStatus.IN_REPAIR],
        )
        .exclude(work_status=WorkStatus.DONE)
        .select_related("order__vehicle", "addition")
        .order_by("order__promised_at", "order_id", "position")
    )


def desk_day(*, user: User, dealer_id: int | None = None) -> dict:
    """The service advisor's day: open orders by status, late ones, ready ones, additions awaiting the customer."""
    orders = RepairOrder.objects.for_user(user, write=True).filter(status__in=OPEN_STATUSES)
    if dealer_id:
        orders = orders.filter(dealer_id=dealer_id)
    by_status = dict(orders.order_by().values_list("status").annotate(n=Count("id")))
    listed = orders.select_related("vehicle", "customer", "advisor").order_by("promised_at", "id")
    now = timezone.now()
    additions = (
        AdditionalItem.objects.for_user(user, write=True)
        .filter(status__in=[AdditionStatus.RAISED, AdditionStatus.CONTACTED])
        .select_related("order__vehicle", "order__customer", "raised_by")
        .order_by("raised_at")
    )
    if dealer_id:
        additions = additions.filter(order__dealer_id=dealer_id)
    return {
        "counts": [
            (value, label, by_status.get(value, 0))
            for value, label in RepairOrderStatus.choices
            if value in OPEN_STATUSES
        ],
        "late": list(listed.filter(promised_at__lt=now).exclude(status=RepairOrderStatus.READY)[:50]),
        "ready": list(listed.filter(status=RepairOrderStatus.READY)[:50]),
        "in_progress": list(listed.exclude(status=RepairOrderStatus.READY)[:100]),
        "additions": list(additions[:50]),
    }
