"""Factories and helpers for repair-order tests: the labour catalogue, staff per role, orders at any status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from core.tests.factories import DealerFactory, UserFactory
from customers.models import Vehicle
from organization.models import Dealer
from repairs import services
from repairs.choices import ApprovalMethod, FuelLevel, JobType, LineKind, PartSource
from repairs.choices import RepairOrderStatus as S
from repairs.models import LabourOperation, RepairOrder, RepairOrderEvent, RepairOrderLine


class LabourOperationFactory(factory.django.DjangoModelFactory):
    """A labour catalogue entry (工时项目) of a dealer."""

    class Meta:
        model = LabourOperation

    dealer = factory.SubFactory(DealerFactory)
    code = factory.Sequence(lambda n: f"OP{n:04d}")
    name = "更换前刹车片"
    job_type = JobType.REPAIR
    standard_hours = Decimal("1.50")
    is_active = True


def staff_user(dealer: Dealer, role: str) -> User:
    """The one user of ``role`` working for ``dealer`` (created on first use, e.g. ``technician_A001``)."""
    username = f"{role}_{dealer.code}"
    user = User.objects.filter(username=username).first()
    if user is None:
        user = UserFactory(username=username, roles=[role], dealers=[dealer])
    return user


@dataclass(frozen=True)
class Staff:
    """The people of one dealer who move a repair order through the workshop."""

    technician: User
    foreman: User
    qc_inspector: User
    service_manager: User


def staff_for(dealer: Dealer) -> Staff:
    return Staff(
        technician=staff_user(dealer, Role.TECHNICIAN),
        foreman=staff_user(dealer, Role.FOREMAN),
        qc_inspector=staff_user(dealer, Role.QC_INSPECTOR),
        service_manager=staff_user(dealer, Role.SERVICE_MANAGER),
    )


# The path of a normal visit; make_order stops at the wanted status (cancelled branches off at open).
PATH = [S.OPEN, S.CHECKED_IN, S.ESTIMATED, S.APPROVED, S.DISPATCHED, S.IN_REPAIR, S.QC, S.READY, S.DELIVERED, S.CLOSED]

COMPLETE_CHECKIN = {
    "odometer_km": 23_500,
    "fuel_level": FuelLevel.HALF,
    "walkaround_done": True,
    "damage_notes": "左前门 划痕 5cm",
    "belongings": "行车记录仪, 雨伞",
    "belongings_signed_by": "张三",
    "key_tag": "K-17",
}


def checkin_fields(order: RepairOrder, **overrides) -> dict:
    """A complete check-in (walk-around, fuel, odometer, signed belongings), promised 4 h after arrival."""
    return {**COMPLETE_CHECKIN, "promised_at": order.arrived_at + timedelta(hours=4), **overrides}


def fill_estimate(order: RepairOrder, advisor: User, *, labour: bool = True) -> RepairOrder:
    """Add the estimate's lines (catalogue labour 1.50 h unless ``labour`` is False, a 420.00 part) and a diagnosis."""
    if labour:
        operation = LabourOperationFactory(dealer=order.dealer, standard_hours=Decimal("1.50"))
        services.repair_order_add_line(
            order=order, by=advisor, kind=LineKind.LABOUR, operation=operation, quantity=Decimal("1.50")
        )
    services.repair_order_add_line(
        order=order,
        by=advisor,
        kind=LineKind.PART,
        code="1K0698151A",
        description="前刹车片",
        quantity=Decimal("1"),
        unit_price=Decimal("420.00"),
        part_source=PartSource.OEM,
    )
    return services.repair_order_update_estimate(
        order=order, by=advisor, version=order.version, diagnosis="前刹车片磨损到极限"
    )


def make_order(
    vehicle: Vehicle,
    advisor: User,
    status: str = S.OPEN,
    *,
    labour: bool = True,
    staff: Staff | None = None,
    arrived_at=None,
) -> RepairOrder:
    """A repair order of ``vehicle`` driven through the real services up to ``status``.

    Its estimate has a catalogue labour line (1.50 h at the 180.00 rate, unless ``labour`` is
    False) and a part line (1 × 420.00); every step is done by a user of the role that may do it.
    """
    staff = staff or staff_for(vehicle.dealer)
    order = services.repair_order_open(
        vehicle=vehicle,
        by=advisor,
        customer_complaint="刹车异响",
        job_type=JobType.REPAIR,
        arrived_at=arrived_at or timezone.now() - timedelta(minutes=30),
    )
    if status == S.CANCELLED:
        return services.repair_order_transition(
            order=order, action="cancel", by=advisor, version=order.version, note="客户改期"
        )
    target = PATH.index(status)

    def step(action: str, by: User, reached: str, note: str = "") -> bool:
        nonlocal order
        order = services.repair_order_transition(order=order, action=action, by=by, version=order.version, note=note)
        assert order.status == reached
        return PATH.index(reached) >= target

    if target == 0:
        return order
    order = services.repair_order_update_checkin(
        order=order, by=advisor, version=order.version, **checkin_fields(order)
    )
    if step("check_in", advisor, S.CHECKED_IN):
        return order
    order = fill_estimate(order, advisor, labour=labour)
    if step("give_estimate", advisor, S.ESTIMATED):
        return order
    order = services.repair_order_record_approval(
        order=order, by=advisor, version=order.version, approval_method=ApprovalMethod.SIGNATURE,
        approved_by_customer="张三",
    )  # fmt: skip
    if target <= PATH.index(S.APPROVED):
        return order
    if (
        step("dispatch", staff.foreman, S.DISPATCHED)
        or step("start_repair", staff.technician, S.IN_REPAIR)
        or step("request_qc", staff.technician, S.QC)
        or step("qc_pass", staff.qc_inspector, S.READY)
        or step("deliver", advisor, S.DELIVERED)
        or step("close", advisor, S.CLOSED)
    ):
        return order
    raise AssertionError(f"unknown status {status}")  # pragma: no cover


def order_snapshot(order: RepairOrder) -> dict:
    """The stored order, its events and lines, its vehicle, and the history counts: equal = nothing changed."""
    return {
        "order": RepairOrder.objects.filter(pk=order.pk).values().get(),
        "events": list(RepairOrderEvent.objects.filter(order_id=order.pk).order_by("pk").values()),
        "lines": list(RepairOrderLine.objects.filter(order_id=order.pk).order_by("pk").values()),
        "vehicle": Vehicle.objects.filter(pk=order.vehicle_id).values().get(),
        "orders": RepairOrder.objects.count(),
        "history": [RepairOrder.history.count(), RepairOrderLine.history.count(), Vehicle.history.count()],
    }
