"""Factories and helpers for repair-order tests: the labour catalogue, staff per role, orders at any status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from core.tests.factories import DealerFactory, signature_file, staff_user
from core.tests.helpers import assert_refused, snapshot
from customers.models import Vehicle
from organization.models import Dealer
from repairs import services
from repairs.choices import ApprovalMethod, FuelLevel, JobType, LineKind, PartSource, PaymentMethod, WorkStatus
from repairs.choices import RepairOrderStatus as S
from repairs.models import (
    AdditionalItem,
    LabourClock,
    LabourOperation,
    QcFinding,
    QcInspection,
    RepairOrder,
    RepairOrderEvent,
    RepairOrderLine,
    Settlement,
)
from repairs.state import workshop_lines
from todo.models import Task


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
    False) and a part line (1 × 420.00); the steps after the estimate are those of ``advance_order``.
    """
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
    if status == S.OPEN:
        return order
    order = services.repair_order_update_checkin(
        order=order, by=advisor, version=order.version, **checkin_fields(order)
    )
    order = services.repair_order_transition(order=order, action="check_in", by=advisor, version=order.version)
    if status == S.CHECKED_IN:
        return order
    return advance_order(fill_estimate(order, advisor, labour=labour), advisor, status, staff=staff)


def advance_order(order: RepairOrder, advisor: User, status: str, *, staff: Staff | None = None) -> RepairOrder:
    """Drive an order with its estimate lines from where it is along PATH to ``status``, through the real services.

    Every step is done by a user of the role that may do it. Estimated → the estimate is given;
    approved → the customer signed; dispatched → the foreman assigned every unassigned job to the
    technician and dispatched (nobody clocked on yet); in repair → every job clocked on and off as
    done by its technician (QC not yet requested); QC → requested; ready → one inspection, all OK;
    delivered → settled (by card, or "nothing to pay" when the customer owes nothing), with its first
    follow-up task; closed.
    """
    staff = staff or staff_for(order.dealer)
    target = PATH.index(status)
    while PATH.index(order.status) < target:
        current = order.status
        if current == S.CHECKED_IN:
            services.repair_order_transition(order=order, action="give_estimate", by=advisor, version=order.version)
        elif current == S.ESTIMATED:
            services.repair_order_record_approval(
                order=order, by=advisor, version=order.version, approval_method=ApprovalMethod.SIGNATURE,
                approved_by_customer="张三", approval_signature=signature_file(),
            )  # fmt: skip
        elif current == S.APPROVED:
            for job in workshop_lines(order).filter(technician__isnull=True):
                services.repair_order_assign(line=job, technician=staff.technician, by=staff.foreman)
            services.repair_order_transition(order=order, action="dispatch", by=staff.foreman, version=order.version)
        elif current in (S.DISPATCHED, S.IN_REPAIR):
            # The first clock-on starts the repair; every job is clocked off as done (no clock left open).
            for job in workshop_lines(order).exclude(work_status=WorkStatus.DONE):
                services.labour_clock_on(line=job, by=job.technician)
                services.labour_clock_off(line=job, by=job.technician, finished=True)
            if current == S.IN_REPAIR:
                services.repair_order_transition(
                    order=order, action="request_qc", by=staff.technician, version=order.version
                )
        elif current == S.QC:
            services.repair_order_qc_record(
                order=order, by=staff.qc_inspector, version=order.version, results=all_ok(order)
            )
        elif current == S.READY:
            owed = services.repair_order_totals(order=order).customer.total
            services.repair_order_deliver(
                order=order, by=advisor, version=order.version, work_explained=True,
                payment_method=PaymentMethod.CARD if owed > 0 else PaymentMethod.NONE,
            )  # fmt: skip
        elif current == S.DELIVERED:
            services.repair_order_transition(order=order, action="close", by=advisor, version=order.version)
        else:  # pragma: no cover
            raise AssertionError(f"cannot advance an order that is {current}")
        order = RepairOrder.objects.get(pk=order.pk)
        assert PATH.index(order.status) == PATH.index(current) + 1, (current, order.status)
    assert order.status == status
    return order


def all_ok(order: RepairOrder, **overrides: bool) -> dict[str, bool]:
    """QC results with every checklist item of the order's job type OK (``overrides`` set some to False)."""
    return {code: overrides.get(code, True) for code, _label in services.qc_checklist(order)}


def redo_first_job(order: RepairOrder, reason: str = "复检不合格", check_code: str = "") -> list[dict]:
    """A failed inspection's ``failed_lines``: the order's first job sent back for rework with ``reason``."""
    job = workshop_lines(order).order_by("position", "id").first()
    return [{"line": job, "reason": reason, "check_code": check_code}]


def order_snapshot(order: RepairOrder) -> dict:
    """The stored order with everything hanging off it, its vehicle, and the history counts: equal = nothing changed.

    Covers the events, lines, labour clocks, additional items, QC inspections, the settlement and
    the follow-up tasks of the order, so that a refused workshop step is seen to have written nothing.
    """

    def rows(model, **lookup) -> list[dict]:
        return list(model.objects.filter(**lookup).order_by("pk").values())

    return {
        "order": RepairOrder.objects.filter(pk=order.pk).values().get(),
        "events": rows(RepairOrderEvent, order_id=order.pk),
        "lines": rows(RepairOrderLine, order_id=order.pk),
        "clocks": rows(LabourClock, line__order_id=order.pk),
        "additions": rows(AdditionalItem, order_id=order.pk),
        "inspections": rows(QcInspection, order_id=order.pk),
        "findings": rows(QcFinding, inspection__order_id=order.pk),
        "settlement": rows(Settlement, order_id=order.pk),
        "tasks": rows(Task, repair_order_id=order.pk),
        "vehicle": Vehicle.objects.filter(pk=order.vehicle_id).values().get(),
        "orders": RepairOrder.objects.count(),
        "history": [
            model.history.count()
            for model in (RepairOrder, RepairOrderLine, Vehicle, LabourClock, AdditionalItem, Settlement, Task)
        ],
    }


def refused(exception: type[Exception], call, order: RepairOrder | None = None) -> Exception:
    """Run a call that must be refused with ``exception`` and check it changed nothing (``order`` and everything
    hanging off it; without an order, every order and vehicle); return the error."""
    state = (lambda: order_snapshot(order)) if order is not None else (lambda: snapshot(RepairOrder, Vehicle))
    return assert_refused(exception, call, state=state)
