"""A small workshop for the economics tests: two technicians, a few delivered orders, clocks, attendance, cost rates.

Rows are written directly (with their own timestamps), as a month of real work would have left them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal as D
from zoneinfo import ZoneInfo

from accounts.choices import Role
from accounts.models import User
from core.tests.factories import UserFactory, VehicleFactory, staff_user
from economics.models import Attendance, CostRate
from organization.models import Dealer
from repairs.choices import AdditionStatus, LineKind, Payer, RepairOrderStatus
from repairs.models import AdditionalItem, LabourClock, RepairOrder, RepairOrderLine

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: str, clock: str) -> datetime:
    """A moment of Shanghai time: at("2026-10-10", "09:30")."""
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=SHANGHAI)


def delivered_order(dealer: Dealer, advisor: User, delivered_at: datetime, **fields) -> RepairOrder:
    vehicle = VehicleFactory(owner__dealer=dealer)
    order = RepairOrder.objects.create(
        dealer=dealer, number=f"{dealer.code}-{RepairOrder.objects.count() + 1:05d}", vehicle=vehicle,
        customer=vehicle.owner, advisor=advisor, customer_complaint="保养", arrived_at=delivered_at,
        status=RepairOrderStatus.DELIVERED, **fields,
    )  # fmt: skip
    RepairOrder.objects.filter(pk=order.pk).update(delivered_at=delivered_at)
    order.refresh_from_db()
    return order


def line(order, kind=LineKind.LABOUR, quantity="1", price="180", technician=None, payer=Payer.CUSTOMER, addition=None):
    return RepairOrderLine.objects.create(
        order=order, kind=kind, description=str(kind), quantity=D(quantity), unit_price=D(price), payer=payer,
        technician=technician, addition=addition, part_source="oem" if kind == LineKind.PART else "",
    )  # fmt: skip


def addition(order, by, status) -> AdditionalItem:
    return AdditionalItem.objects.create(order=order, description="更换刹车油", reason="含水量超标", raised_by=by,
                                         raised_at=order.arrived_at, status=status)  # fmt: skip


def clock(job, technician, start: datetime, end: datetime | None) -> LabourClock:
    return LabourClock.objects.create(line=job, technician=technician, started_at=start, ended_at=end)


def attend(dealer, technician, day: str, by, hours: str, absence: str = "", **times) -> Attendance:
    return Attendance.objects.create(dealer=dealer, technician=technician, day=day, hours=D(hours), absence=absence,
                                     recorded_by=by, **times)  # fmt: skip


@dataclass
class Workshop:
    dealer: Dealer
    advisor: User
    manager: User
    foreman: User
    tech1: User
    tech2: User
    orders: list[RepairOrder]


def workshop(dealer: Dealer) -> Workshop:
    """October 2026 at ``dealer``:

    * order 1 (delivered 10-10): tech1 2.0 h × 200 customer, 10 % discount; a part 1 × 300; a declined addition's
      1.0 h labour (tech1) and part 1 × 88 (not sold); an approved addition's 0.5 h × 200 (tech2); warranty 1.5 h ×
      150 (tech2);
    * order 2 (delivered 10-20, symptom pricing with a 10 % risk margin): tech1 1.0 h × 180, an addition's 0.5 h ×
      180 (approved, no risk margin);
    * order 3 delivered 09-30 (outside): tech1 4.0 h;
    * clocks: tech1 2.5 h (10-10), 1.0 h across midnight into 10-01 (half inside), 1.2 h on order 2 and an open one
      (no length); tech2 1.0 h and 0.75 h;
    * attendance: tech1 8.5 h on 10-10 (08:00–17:30, 60 min break), 8.0 h on 10-20, sick on 10-11; tech2 8.0 h on
      10-10;
    * cost rates: tech1 60.00 from 2026-01-01 and 70.00 from 2026-10-15 (their own); technicians 50.00.
    """
    advisor = staff_user(dealer, Role.SERVICE_ADVISOR)
    manager = staff_user(dealer, Role.SERVICE_MANAGER)
    foreman = staff_user(dealer, Role.FOREMAN)
    tech1 = UserFactory(username=f"t1_{dealer.code}", display_name="王师傅", roles=[Role.TECHNICIAN], dealers=[dealer])
    tech2 = UserFactory(username=f"t2_{dealer.code}", display_name="李师傅", roles=[Role.TECHNICIAN], dealers=[dealer])

    first = delivered_order(dealer, advisor, at("2026-10-10", "16:00"), discount_pct=D("10"))
    job = line(first, quantity="2.0", price="200", technician=tech1)
    line(first, LineKind.PART, quantity="1", price="300")
    declined = addition(first, tech1, AdditionStatus.DECLINED)
    line(first, quantity="1.0", price="200", technician=tech1, addition=declined)
    line(first, LineKind.PART, quantity="1", price="88", addition=declined)
    approved = addition(first, tech2, AdditionStatus.APPROVED)
    extra = line(first, quantity="0.5", price="200", technician=tech2, addition=approved)
    line(first, quantity="1.5", price="150", technician=tech2, payer=Payer.WARRANTY)

    second = delivered_order(dealer, advisor, at("2026-10-20", "11:00"), pricing_mode="symptom",
                             risk_margin_pct=D("10"))  # fmt: skip
    job2 = line(second, quantity="1.0", price="180", technician=tech1)
    line(
        second, quantity="0.5", price="180", technician=tech1, addition=addition(second, tech1, AdditionStatus.APPROVED)
    )

    outside = delivered_order(dealer, advisor, at("2026-09-30", "15:00"))
    line(outside, quantity="4.0", price="180", technician=tech1)

    clock(job, tech1, at("2026-10-10", "08:00"), at("2026-10-10", "10:30"))
    clock(job, tech1, at("2026-09-30", "23:30"), at("2026-10-01", "00:30"))
    clock(job2, tech1, at("2026-10-20", "08:30"), at("2026-10-20", "09:42"))
    clock(job2, tech1, at("2026-10-21", "08:30"), None)
    clock(extra, tech2, at("2026-10-10", "11:00"), at("2026-10-10", "12:00"))
    clock(extra, tech2, at("2026-10-10", "13:00"), at("2026-10-10", "13:45"))

    attend(dealer, tech1, "2026-10-10", foreman, "8.50", clock_in=time(8), clock_out=time(17, 30), break_minutes=60)
    attend(dealer, tech1, "2026-10-20", foreman, "8.00")
    attend(dealer, tech1, "2026-10-11", foreman, "0", absence="sick_leave")
    attend(dealer, tech2, "2026-10-10", foreman, "8.00")

    CostRate.objects.create(dealer=dealer, technician=tech1, hourly_cost=D("60.00"), valid_from="2026-01-01")
    CostRate.objects.create(dealer=dealer, technician=tech1, hourly_cost=D("70.00"), valid_from="2026-10-15")
    CostRate.objects.create(dealer=dealer, position="technician", hourly_cost=D("50.00"), valid_from="2026-01-01")
    return Workshop(dealer, advisor, manager, foreman, tech1, tech2, [first, second, outside])
