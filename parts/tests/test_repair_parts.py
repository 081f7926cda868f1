"""Repair orders use parts: approval reserves stock or special-orders it; the counter issues and receives."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from accounts.choices import Role
from core.tests.factories import UserFactory
from parts.choices import MovementKind, ReservationStatus
from parts.models import Part, PartPrice, SpecialOrder, StockItem, StockMovement, StockReservation, Warehouse
from parts.services import stock as stock_services
from repairs import services as repair_services

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def clerk(dealer_a):
    return UserFactory(username="parts_a", roles=[Role.PARTS_CLERK], dealers=[dealer_a])


@pytest.fixture
def pads(dealer_a, clerk):
    """Brake pads: 5 on the shelf; the old number 1K0698151 is superseded by 1K0698151A."""
    warehouse = Warehouse.objects.create(dealer=dealer_a, code="WH01", name="主仓库")
    new = Part.objects.create(brand="大众", number="1K0 698 151 A", name="前刹车片")
    Part.objects.create(brand="大众", number="1K0 698 151", name="前刹车片（旧号）", superseded_by=new)
    PartPrice.objects.create(dealer=dealer_a, part=new, cost_price=D("260"), retail_price=D("420"))
    stock_services.stock_receive(
        item=StockItem.objects.create(warehouse=warehouse, part=new), quantity=D("5"), unit_cost=D("260"), by=clerk
    )
    return new


def estimate(order, advisor, part, quantity):
    repair_services.repair_order_add_line(
        order=order, by=advisor, kind="labour", description="更换刹车片", quantity=D("1")
    )
    line = repair_services.repair_order_add_line(order=order, by=advisor, part=part, quantity=D(quantity))
    order.refresh_from_db()
    order = repair_services.repair_order_update_estimate(
        order=order, by=advisor, version=order.version, diagnosis="磨损"
    )
    order = repair_services.repair_order_transition(
        order=order, action="give_estimate", by=advisor, version=order.version
    )
    return line, order


def approve(order, advisor):
    return repair_services.repair_order_record_approval(
        order=order, by=advisor, version=order.version, approval_method="phone", approved_by_customer="张三"
    )


def checked_in(vehicle, advisor):
    from repairs.tests.factories import make_order

    return make_order(vehicle, advisor, status="checked_in")


def test_approval_reserves_stock_and_the_counter_issues_it(vehicle_a, advisor_a, clerk, pads):
    old_number = Part.objects.get(number="1K0 698 151")
    line, order = estimate(checked_in(vehicle_a, advisor_a), advisor_a, old_number, "2")
    assert (line.part, line.code, line.unit_price) == (
        pads,
        "1K0 698 151 A",
        D("420.00"),
    )  # superseded → current, dealer price
    approve(order, advisor_a)
    reservation = StockReservation.objects.get(repair_order_line=line)
    item = StockItem.objects.get(part=pads)
    assert (reservation.status, item.reserved, item.available) == (ReservationStatus.ACTIVE, D("2"), D("3"))

    counter = Client()
    counter.force_login(clerk)
    assert order.number in counter.get(reverse("parts:counter")).content.decode()
    counter.post(reverse("parts:counter_issue", args=[reservation.pk]))
    item.refresh_from_db()
    reservation.refresh_from_db()
    assert (item.on_hand, item.reserved, reservation.status) == (D("3"), D("0"), ReservationStatus.ISSUED)
    issue = StockMovement.objects.get(kind=MovementKind.ISSUE)
    assert issue.repair_order_line == line and issue.quantity == D("-2")


def test_a_part_not_in_stock_is_special_ordered_and_the_order_waits_for_it(vehicle_a, advisor_a, clerk, pads):
    line, order = estimate(checked_in(vehicle_a, advisor_a), advisor_a, pads, "8")
    approve(order, advisor_a)
    special = SpecialOrder.objects.get(repair_order_line=line)
    assert special.status == SpecialOrder.Status.ORDERED and not StockReservation.objects.exists()
    page = Client()
    page.force_login(advisor_a)
    page.cookies["django_language"] = "en"
    assert "waiting for parts" in page.get(order.get_absolute_url()).content.decode()

    counter = Client()
    counter.force_login(clerk)
    counter.post(reverse("parts:counter_receive", args=[special.pk]), {"unit_cost": "255"})
    special.refresh_from_db()
    reservation = StockReservation.objects.get(repair_order_line=line)
    assert special.status == SpecialOrder.Status.RECEIVED
    assert reservation.requested_at == special.requested_at  # F1 counts from the request, not the delivery
    assert StockItem.objects.get(part=pads).on_hand == D("13")
    assert "waiting for parts" not in page.get(order.get_absolute_url()).content.decode()


def test_the_counter_of_another_dealer_is_closed(vehicle_a, advisor_a, pads, dealer_b):
    line, order = estimate(checked_in(vehicle_a, advisor_a), advisor_a, pads, "1")
    approve(order, advisor_a)
    reservation = StockReservation.objects.get(repair_order_line=line)
    other = Client()
    other.force_login(UserFactory(roles=[Role.PARTS_CLERK], dealers=[dealer_b]))
    assert order.number not in other.get(reverse("parts:counter")).content.decode()
    assert other.post(reverse("parts:counter_issue", args=[reservation.pk])).status_code == 404
    reservation.refresh_from_db()
    assert reservation.status == ReservationStatus.ACTIVE
