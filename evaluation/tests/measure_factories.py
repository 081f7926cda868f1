"""Hand-built records for the measurement tests: every timestamp set exactly, in a past month (March 2025)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from itertools import count

from accounts.choices import Role
from complaints.tests.factories import open_complaint
from core.dates import month_bounds
from core.tests.factories import CustomerFactory, UserFactory, VehicleFactory
from repairs.choices import AdditionStatus, FuelLevel, JobType, LineKind, RepairOrderStatus, WorkStatus
from repairs.models import AdditionalItem, RepairOrder, RepairOrderLine

START, END = month_bounds(2025, 3)  # [2025-03-01 00:00, 2025-04-01 00:00) Asia/Shanghai
_numbers = count(1)


def vehicle(dealer):
    return VehicleFactory(owner=CustomerFactory(dealer=dealer))


def advisor(dealer):
    return UserFactory(roles=[Role.SERVICE_ADVISOR], dealers=[dealer])


COMPLETE_CHECKIN = {
    "walkaround_done": True,
    "fuel_level": FuelLevel.HALF,
    "odometer_km": 23_500,
    "belongings_signed_by": "张三",
}


def ro(dealer, by, *, arrived: datetime, opened: datetime | None = None, car=None, **fields) -> RepairOrder:
    """A repair order with the given fields and times (opened_at is stamped by the database, so it is moved)."""
    car = car or vehicle(dealer)
    fields.setdefault("status", RepairOrderStatus.DELIVERED if fields.get("delivered_at") else RepairOrderStatus.OPEN)
    order = RepairOrder.objects.create(
        dealer=dealer, number=f"MT-{next(_numbers):05d}", vehicle=car, customer=car.owner, advisor=by,
        customer_complaint="刹车异响", arrived_at=arrived, **fields,
    )  # fmt: skip
    RepairOrder.objects.filter(pk=order.pk).update(opened_at=opened or arrived + timedelta(minutes=5))
    order.refresh_from_db()
    return order


def addition(order, by, *, raised: datetime, decided: datetime | None = None, approved=True, amount=None, **fields):
    """An additional item (增项) with its decision; ``amount`` is the approved amount stored at approval."""
    status = (
        AdditionStatus.RAISED if decided is None else (AdditionStatus.APPROVED if approved else AdditionStatus.DECLINED)
    )
    return AdditionalItem.objects.create(
        order=order, description="更换刹车盘", reason="刹车盘磨损", raised_by=by, raised_at=raised, status=status,
        decision_at=decided, decision_method="phone" if decided else "", decided_by_customer="张三" if decided else "",
        approved_amount=Decimal(amount) if amount is not None else None, **fields,
    )  # fmt: skip


def addition_job(item, technician=None, *, started: datetime | None, finished: datetime | None) -> RepairOrderLine:
    """The labour line of an additional item, worked from ``started`` to ``finished`` (done when finished)."""
    return RepairOrderLine.objects.create(
        order=item.order, addition=item, kind=LineKind.LABOUR, description=item.description, quantity=Decimal("1.0"),
        unit_price=Decimal("180"), technician=technician, started_at=started, finished_at=finished,
        work_status=WorkStatus.DONE if finished else (WorkStatus.IN_PROGRESS if started else WorkStatus.WAITING),
    )  # fmt: skip


def complaint(dealer, by, *, received: datetime, **fields):
    """A complaint opened through the service at ``received``, then given the hand-built times in ``fields``."""
    from complaints.models import Complaint

    item = open_complaint(dealer, by, received_at=received)
    if fields:
        Complaint.objects.filter(pk=item.pk).update(**fields)
        item.refresh_from_db()
    return item


MAINTENANCE = JobType.MAINTENANCE
