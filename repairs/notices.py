"""Who the repair order's events are told to (notifications): the advisor of additions and passed QC, the foremen
of an approved order. Called by repairs.services at the one place each event happens."""

from __future__ import annotations

from datetime import timedelta

from accounts.choices import Role
from accounts.models import User
from notifications.choices import Event
from notifications.services import Target, notify
from repairs.models import AdditionalItem, QcInspection, RepairOrder

# The demo tells of the workshop's events of its last two days (everything is delivered by the end of the demo).
DEMO_WINDOW = timedelta(days=2)


def _target(order: RepairOrder) -> Target:
    return Target("repairs:repair_order_detail", (order.pk,))


def _plate(order: RepairOrder) -> str:
    return order.vehicle.plate or order.vehicle.vin


def addition_raised(addition: AdditionalItem, *, by: User | None) -> list:
    """The order's advisor must reach the customer about work found after the approval."""
    order = addition.order
    return notify(
        Event.ADDITION_RAISED,
        recipients=[order.advisor],
        dealer=order.dealer,
        target=_target(order),
        params={
            "number": order.number,
            "plate": _plate(order),
            "description": addition.description,
            "by": str(by or ""),
        },
        key=f"addition:{addition.pk}:raised",
        actor=by,
    )


def qc_passed(inspection: QcInspection, *, by: User | None) -> list:
    """The car passed the final inspection: the advisor tells the customer it is ready."""
    order = inspection.order
    return notify(
        Event.QC_PASSED,
        recipients=[order.advisor],
        dealer=order.dealer,
        target=_target(order),
        params={"number": order.number, "plate": _plate(order)},
        key=f"qc:{inspection.pk}:passed",
        actor=by,
    )


def foremen_of(dealer_id: int):
    """The active workshop foremen of the dealer."""
    return User.objects.filter(is_active=True, groups__name=Role.FOREMAN, dealer_memberships__dealer_id=dealer_id)


def order_approved(order: RepairOrder, *, by: User | None) -> list:
    """The customer approved the estimate: the dealer's foremen dispatch the work."""
    promised = order.promised_at
    return notify(
        Event.ORDER_APPROVED,
        recipients=foremen_of(order.dealer_id).distinct(),
        dealer=order.dealer,
        target=_target(order),
        params={"number": order.number, "plate": _plate(order), "promised_at": promised},
        key=f"order:{order.pk}:approved:{order.approved_at:%Y%m%d%H%M%S}" if order.approved_at else None,
        actor=by,
    )


def demo_notices(ctx) -> None:
    """Demo: the workshop's events of the demo's last two days told as they happened (the advisor of each QC pass
    and additional item, the foremen of each approval); the last day's are still unread."""
    from notifications.demo import stamp

    now, told = ctx.latest, 0
    since = now - DEMO_WINDOW
    orders = RepairOrder.objects.filter(dealer__in=ctx.dealers)
    for inspection in (
        QcInspection.objects.filter(order__in=orders, passed=True, inspected_at__gte=since, inspected_at__lte=now)
        .select_related("order__dealer", "order__vehicle", "order__advisor", "inspector")
        .order_by("pk")
    ):
        told += stamp(qc_passed(inspection, by=inspection.inspector), inspection.inspected_at, now=now)
    for order in (
        orders.filter(approved_at__gte=since, approved_at__lte=now)
        .select_related("dealer", "vehicle", "approval_recorded_by")
        .order_by("pk")
    ):
        told += stamp(order_approved(order, by=order.approval_recorded_by), order.approved_at, now=now)
    for addition in (
        AdditionalItem.objects.filter(order__in=orders, raised_at__gte=since, raised_at__lte=now)
        .select_related("order__dealer", "order__vehicle", "order__advisor", "raised_by")
        .order_by("pk")
    ):
        told += stamp(addition_raised(addition, by=addition.raised_by), addition.raised_at, now=now)
    ctx.say(f"  notifications of the workshop: {told}")
