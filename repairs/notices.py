"""Who the repair order's events are told to (notifications): the advisor of additions and passed QC, the foremen
of an approved order. Called by repairs.services at the one place each event happens."""

from __future__ import annotations

from accounts.choices import Role
from accounts.models import User
from notifications.choices import Event
from notifications.services import Target, notify
from repairs.models import AdditionalItem, QcInspection, RepairOrder


def _target(order: RepairOrder) -> Target:
    return Target("repairs:repair_order_detail", (order.pk,))


def _plate(order: RepairOrder) -> str:
    return order.vehicle.plate or order.vehicle.vin


def addition_raised(addition: AdditionalItem, *, by: User) -> None:
    """The order's advisor must reach the customer about work found after the approval."""
    order = addition.order
    notify(Event.ADDITION_RAISED, recipients=[order.advisor], dealer=order.dealer, target=_target(order),
           params={"number": order.number, "plate": _plate(order), "description": addition.description,
                   "by": str(by)},
           key=f"addition:{addition.pk}:raised", actor=by)  # fmt: skip


def qc_passed(inspection: QcInspection, *, by: User) -> None:
    """The car passed the final inspection: the advisor tells the customer it is ready."""
    order = inspection.order
    notify(Event.QC_PASSED, recipients=[order.advisor], dealer=order.dealer, target=_target(order),
           params={"number": order.number, "plate": _plate(order)},
           key=f"qc:{inspection.pk}:passed", actor=by)  # fmt: skip


def foremen_of(dealer_id: int):
    """The active workshop foremen of the dealer."""
    return User.objects.filter(is_active=True, groups__name=Role.FOREMAN, dealer_memberships__dealer_id=dealer_id)


def order_approved(order: RepairOrder, *, by: User) -> None:
    """The customer approved the estimate: the dealer's foremen dispatch the work."""
    promised = order.promised_at
    notify(Event.ORDER_APPROVED, recipients=foremen_of(order.dealer_id).distinct(), dealer=order.dealer,
           target=_target(order), params={"number": order.number, "plate": _plate(order), "promised_at": promised},
           key=f"order:{order.pk}:approved:{order.approved_at:%Y%m%d%H%M%S}" if order.approved_at else None,
           actor=by)  # fmt: skip
