"""Helpers for warranty tests: repair orders with warranty-paid lines, driven through the real services."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from core.tests.factories import CustomerFactory, UserFactory, VehicleFactory
from core.tests.helpers import snapshot
from customers.models import Vehicle
from organization.models import Dealer
from repairs import services as ro
from repairs.choices import ApprovalMethod, FuelLevel, JobType, LineKind, Payer, PaymentMethod
from repairs.choices import RepairOrderStatus as S
from repairs.models import RepairOrder
from repairs.state import workshop_lines
from warranty import services
from warranty.choices import ClaimStatus
from warranty.models import WarrantyClaim, WarrantyPolicy

CLAIM_FIELDS = {
    "failure_code": "P0300",
    "failure_description": "发动机抖动，多缸失火",
    "causal_part_number": "06H905115B",
    "causal_part_name": "点火线圈",
}
ODOMETER = 23_500


def staff(dealer: Dealer, role: str) -> User:
    """The one user of ``role`` at ``dealer`` (created on first use)."""
    username = f"w_{role}_{dealer.code}"
    return User.objects.filter(username=username).first() or UserFactory(
        username=username, roles=[role], dealers=[dealer]
    )


def manager(dealer: Dealer) -> User:
    return staff(dealer, Role.SERVICE_MANAGER)


def vehicle_in_warranty(dealer: Dealer, *, bought_days_ago: int = 400, **fields) -> Vehicle:
    """A vehicle of ``dealer`` bought ``bought_days_ago`` days ago (default: well inside 3 years)."""
    fields.setdefault("purchase_date", timezone.localdate() - timedelta(days=bought_days_ago))
    return VehicleFactory(owner=CustomerFactory(dealer=dealer), **fields)


def warranty_order(
    vehicle: Vehicle,
    advisor: User,
    status: str = S.READY,
    *,
    odometer_km: int | None = ODOMETER,
    customer_line: bool = False,
    arrived_at=None,
) -> RepairOrder:
    """A warranty repair order driven through the services up to ``status`` (approved … delivered).

    Lines: 2.00 h labour at 180.00 (360.00) and a part 1 × 850.00, both paid by warranty; with
    ``customer_line`` also a 1 × 100.00 part the customer pays.
    """
    dealer = vehicle.dealer
    tech, foreman = staff(dealer, Role.TECHNICIAN), staff(dealer, Role.FOREMAN)
    order = ro.repair_order_open(
        vehicle=vehicle, by=advisor, customer_complaint="发动机抖动", job_type=JobType.WARRANTY,
        arrived_at=arrived_at or timezone.now() - timedelta(minutes=30),
    )  # fmt: skip
    checkin = {
        "fuel_level": FuelLevel.HALF, "walkaround_done": True, "belongings_signed_by": "张三",
        "promised_at": order.arrived_at + timedelta(hours=4),
    }  # fmt: skip
    if odometer_km is not None:
        checkin["odometer_km"] = odometer_km
    order = ro.repair_order_update_checkin(order=order, by=advisor, version=order.version, **checkin)
    note = "" if odometer_km is not None else "里程表故障"
    order = ro.repair_order_transition(order=order, action="check_in", by=advisor, version=order.version, note=note)
    ro.repair_order_add_line(
        order=order, by=advisor, kind=LineKind.LABOUR, description="更换点火线圈", quantity=Decimal("2.00"),
        unit_price=Decimal("180.00"), payer=Payer.WARRANTY,
    )  # fmt: skip
    ro.repair_order_add_line(
        order=order, by=advisor, kind=LineKind.PART, code="06H905115B", description="点火线圈",
        quantity=Decimal("1"), unit_price=Decimal("850.00"), payer=Payer.WARRANTY,
    )  # fmt: skip
    if customer_line:
        ro.repair_order_add_line(
            order=order, by=advisor, kind=LineKind.PART, code="N0001", description="雨刮片",
            quantity=Decimal("1"), unit_price=Decimal("100.00"), payer=Payer.CUSTOMER,
        )  # fmt: skip
    order = RepairOrder.objects.get(pk=order.pk)
    order = ro.repair_order_update_estimate(order=order, by=advisor, version=order.version, diagnosis="点火线圈击穿")
    if status == S.CHECKED_IN:
        return order
    order = ro.repair_order_transition(order=order, action="give_estimate", by=advisor, version=order.version)
    if status == S.ESTIMATED:
        return order
    order = ro.repair_order_record_approval(
        order=order, by=advisor, version=order.version, approval_method=ApprovalMethod.PHONE,
        approved_by_customer="张三",
    )  # fmt: skip
    if status == S.APPROVED:
        return order
    if status == S.CANCELLED:
        return ro.repair_order_transition(order=order, action="cancel", by=advisor, version=order.version, note="改期")
    for job in workshop_lines(order):
        ro.repair_order_assign(line=job, technician=tech, by=foreman)
    order = ro.repair_order_transition(order=order, action="dispatch", by=foreman, version=order.version)
    if status == S.DISPATCHED:
        return order
    for job in workshop_lines(order):
        ro.labour_clock_on(line=job, by=tech)
        ro.labour_clock_off(line=job, by=tech, finished=True)
    order = RepairOrder.objects.get(pk=order.pk)
    if status == S.IN_REPAIR:
        return order
    order = ro.repair_order_transition(order=order, action="request_qc", by=tech, version=order.version)
    qc = staff(dealer, Role.QC_INSPECTOR)
    results = {code: True for code, _label in ro.qc_checklist(order)}
    ro.repair_order_qc_record(order=order, by=qc, version=order.version, results=results)
    order = RepairOrder.objects.get(pk=order.pk)
    if status == S.READY:
        return order
    payment = PaymentMethod.CARD if customer_line else PaymentMethod.NONE
    ro.repair_order_deliver(order=order, by=advisor, version=order.version, payment_method=payment, work_explained=True)
    order = RepairOrder.objects.get(pk=order.pk)
    assert order.status == S.DELIVERED
    return order


def warranty_line_ids(order: RepairOrder) -> list[int]:
    return list(order.lines.filter(payer=Payer.WARRANTY).order_by("position").values_list("pk", flat=True))


def draft_claim(order: RepairOrder, by: User, **fields) -> WarrantyClaim:
    """A draft claim of every warranty line of ``order``."""
    return services.claim_create_from_order(
        order=order, line_ids=warranty_line_ids(order), by=by, **{**CLAIM_FIELDS, **fields}
    )


def claim_at(status: str, order: RepairOrder, advisor: User, **fields) -> WarrantyClaim:
    """A claim of ``order`` taken through the services up to ``status``."""
    claim = draft_claim(order, advisor, **fields)
    if status == ClaimStatus.DRAFT:
        return claim
    claim = services.claim_submit(claim=claim, by=advisor, version=claim.version)
    if status == ClaimStatus.SUBMITTED:
        return claim
    boss = manager(order.dealer)
    if status == ClaimStatus.REJECTED:
        return services.claim_decide(
            claim=claim, by=boss, version=claim.version, approved=False, rejection_reason="非质量问题"
        )
    claim = services.claim_decide(
        claim=claim, by=boss, version=claim.version, approved=True, approved_amount=Decimal("1000.00")
    )
    if status == ClaimStatus.APPROVED:
        return claim
    return services.claim_mark_paid(claim=claim, by=boss, version=claim.version)


def policy(brand: str = "大众", **terms) -> WarrantyPolicy:
    return WarrantyPolicy.objects.create(brand=brand, **terms)


def claims_snapshot() -> dict:
    """Every claim, its lines and its history: equal before and after = nothing changed."""
    return snapshot(WarrantyClaim, WarrantyClaim.lines.through)
