"""Parts reports on hand-built data, with exact expected figures (KPIs F1 and F2)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from core.tests.factories import UserFactory
from parts.models import Part, PartPrice, SpecialOrder, StockItem, StockMovement, StockReservation, Warehouse
from parts.selectors import reports
from parts.services import stock as stock_services
from repairs import services as repair_services
from repairs.models import RepairOrder

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def clerk(dealer_a):
    return UserFactory(username="parts_a", roles=[Role.PARTS_CLERK], dealers=[dealer_a])


@pytest.fixture
def warehouse(dealer_a):
    return Warehouse.objects.create(dealer=dealer_a, code="WH01", name="主仓库")


def stock(warehouse, clerk, number, quantity, cost, days_ago=0):
    item = StockItem.objects.create(warehouse=warehouse, part=Part.objects.create(number=number, name=number))
    stock_services.stock_receive(item=item, quantity=D(quantity), unit_cost=D(cost), by=clerk)
    moved = timezone.now() - timedelta(days=days_ago)
    StockItem.objects.filter(pk=item.pk).update(last_movement_at=moved)
    StockMovement.objects.filter(item=item).update(at=moved)  # the ledger is what the stock figures read
    return item


def today():
    now = timezone.now()
    return {"start": now - timedelta(days=1), "end": now + timedelta(days=1)}


def test_stock_value_with_dead_and_slow_shares(warehouse, clerk, advisor_a, dealer_b):
    stock(warehouse, clerk, "A", "10", "5")  # 50, moving
    stock(warehouse, clerk, "B", "4", "25", days_ago=200)  # 100, dead
    stock(warehouse, clerk, "C", "2", "10", days_ago=100)  # 20, slow (no issue in 90 days, not dead)
    other = Warehouse.objects.create(dealer=dealer_b, code="WH01", name="乙店仓库")
    stock(other, UserFactory(roles=[Role.PARTS_CLERK], dealers=[dealer_b]), "Z", "100", "100", days_ago=400)
    value = reports.stock_value(user=clerk, **today())
    assert (value.items, value.value, value.dead_items, value.dead_value) == (3, D("170.00"), 1, D("100.00"))
    assert (value.slow_items, value.slow_value) == (2, D("70.00"))
    assert round(value.dead_share.value, 2) == 58.82 and value.dead_share.n == 3
    # "A" counts as slow too: it was received, never issued. The dead list is B only, and only dealer A's.
    assert [item.part.number for item in reports.dead_stock(user=clerk, **today())] == ["B"]


def test_fill_rate_counts_same_day_issues_from_stock(warehouse, clerk, vehicle_a, advisor_a):
    from repairs.tests.factories import make_order

    order = make_order(vehicle_a, advisor_a, status="checked_in")
    item = stock(warehouse, clerk, "P", "10", "30")
    lines = [
        repair_services.repair_order_add_line(
            order=order, by=advisor_a, part=item.part, quantity=D("1"), unit_price=D("50")
        )
        for _ in range(3)
    ]
    first = stock_services.stock_reserve(item=item, line=lines[0], quantity=D("1"), by=clerk)
    stock_services.stock_issue(reservation=first, by=clerk)  # same day: filled
    second = stock_services.stock_reserve(item=item, line=lines[1], quantity=D("1"), by=clerk)
    stock_services.stock_issue(reservation=second, by=clerk)
    asked = timezone.now() - timedelta(days=2)  # issued the next day (both in the past: known now)
    StockReservation.objects.filter(pk=second.pk).update(requested_at=asked, issued_at=asked + timedelta(days=1))
    SpecialOrder.objects.create(
        repair_order_line=lines[2],
        warehouse=warehouse,
        part=item.part,
        quantity=D("1"),
        requested_at=timezone.now(),
        by=clerk,
    )
    now = timezone.now()
    fill = reports.fill_rate(user=clerk, start=now - timedelta(days=3), end=now + timedelta(days=2))
    assert (fill.n, fill.numerator, round(fill.value, 2)) == (3, 1, 33.33)


def test_parts_margin_per_delivered_order(warehouse, clerk, vehicle_a, advisor_a, dealer_a):
    from repairs.tests.factories import make_order

    order = make_order(vehicle_a, advisor_a, status="checked_in")
    item = stock(warehouse, clerk, "PAD", "5", "260")
    PartPrice.objects.create(dealer=dealer_a, part=item.part, cost_price=D("260"), retail_price=D("420"))
    line = repair_services.repair_order_add_line(order=order, by=advisor_a, part=item.part, quantity=D("2"))
    stock_services.stock_issue(
        reservation=stock_services.stock_reserve(item=item, line=line, quantity=D("2"), by=clerk), by=clerk
    )
    RepairOrder.objects.filter(pk=order.pk).update(delivered_at=timezone.now())
    now = timezone.now()
    row = reports.parts_margin_by_order(user=clerk, start=now - timedelta(days=1), end=now + timedelta(days=1)).get()
    assert (row.parts_revenue, row.parts_cost, row.parts_margin) == (D("840"), D("520"), D("320"))


def test_the_reports_page_and_export(warehouse, clerk):
    stock(warehouse, clerk, "B", "4", "25", days_ago=200)
    client = Client()
    client.force_login(clerk)
    page = client.get(reverse("parts:reports")).content.decode()
    assert "100.00" in page and 'id="dead-share"' in page
    export = client.get(reverse("parts:dead_stock_export"))
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
