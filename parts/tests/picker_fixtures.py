"""The catalogue the part picker and the repair-order part-line tests share (parts and repairs tests)."""

from decimal import Decimal

import pytest

from accounts.choices import Role
from core.tests.factories import staff_user
from parts.models import Part, PartPrice, StockItem, Warehouse
from parts.services import stock as stock_services

D = Decimal


@pytest.fixture
def catalogue(dealer_a, dealer_b):
    """An oil filter 03C 164 831 A (old number 03C164831) for 大众 朗逸/帕萨特 2018-2024, a 帕萨特-only filter,
    a universal oil, and a 丰田 part with the same number as the 大众 filter. Dealer A's main warehouse (WH01; WH02
    is another) holds 5 filters, 2 of them reserved."""
    filter_ = Part.objects.create(
        brand="大众", number="03C 164 831 A", name="机油滤清器", fitment="大众 朗逸/帕萨特 2018-2024"
    )
    old = Part.objects.create(
        brand="大众", number="03C164831", name="机油滤清器（旧号）", superseded_by=filter_, is_active=False
    )
    passat = Part.objects.create(
        brand="大众", number="06J 115 403 Q", name="机油滤清器", fitment="大众 帕萨特 2016-2020"
    )
    oil = Part.objects.create(brand="", number="MOB-5W30-4L", name="美孚1号 5W-30 全合成机油 4L")
    toyota = Part.objects.create(brand="丰田", number="03C164831A", name="机油滤清器（丰田）", fitment="丰田 凯美瑞")
    for part, price in ((filter_, "85.00"), (passat, "96.00"), (oil, "398.00"), (toyota, "70.00")):
        PartPrice.objects.create(dealer=dealer_a, part=part, cost_price=D("1"), retail_price=D(price))
    PartPrice.objects.create(dealer=dealer_b, part=filter_, cost_price=D("1"), retail_price=D("99.00"))
    main = Warehouse.objects.create(dealer=dealer_a, code="WH01", name="主仓库")
    other = Warehouse.objects.create(dealer=dealer_a, code="WH02", name="二库")
    clerk = staff_user(dealer_a, Role.PARTS_CLERK)
    item = StockItem.objects.create(warehouse=main, part=filter_, bin="A-01-1")
    stock_services.stock_receive(item=item, quantity=D("5"), unit_cost=D("40"), by=clerk)
    stock_services.stock_receive(
        item=StockItem.objects.create(warehouse=other, part=passat), quantity=D("9"), unit_cost=D("40"), by=clerk
    )
    return {"filter": filter_, "old": old, "passat": passat, "oil": oil, "toyota": toyota, "item": item}
