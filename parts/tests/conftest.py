"""Fixtures of the purchasing and stock-take tests: a parts clerk, a warehouse, a supplier and two parts."""

from decimal import Decimal

import pytest

from accounts.choices import Role
from core.tests.factories import UserFactory
from parts.models import Part, StockItem, Supplier, Warehouse


@pytest.fixture
def buyer(dealer_a):
    return UserFactory(username="buyer_a", roles=[Role.PARTS_CLERK], dealers=[dealer_a])


@pytest.fixture
def buyer_b(dealer_b):
    return UserFactory(username="buyer_b", roles=[Role.PARTS_CLERK], dealers=[dealer_b])


@pytest.fixture
def warehouse_a(dealer_a):
    return Warehouse.objects.create(dealer=dealer_a, code="WH01", name="主仓库")


@pytest.fixture
def supplier_a(dealer_a):
    return Supplier.objects.create(dealer=dealer_a, code="S01", name="华南配件", lead_time_days=10)


@pytest.fixture
def oil_filter():
    return Part.objects.create(brand="大众", number="06A 115 561-B", name="机油滤清器")


@pytest.fixture
def brake_pads():
    return Part.objects.create(brand="大众", number="5QD 698 151", name="前刹车片", unit="set")


@pytest.fixture
def item_of(warehouse_a):
    def make(part) -> StockItem:
        return StockItem.objects.get_or_create(warehouse=warehouse_a, part=part)[0]

    return make


D = Decimal
