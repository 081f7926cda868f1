"""Browser lane: at the parts counter a clerk hands a reserved part to the workshop and takes one unit back,
watching on-hand, reserved and available change."""

from decimal import Decimal

import pytest
from playwright.sync_api import Browser, expect

from accounts.choices import Role
from core.tests.factories import CustomerFactory, DealerFactory, UserFactory, VehicleFactory
from parts.models import Part, StockItem, StockMovement, Warehouse
from parts.services import stock as stock_services
from repairs import services as repair_services
from repairs.tests.factories import make_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-12345-test"


def test_issue_a_reserved_part_and_return_one(browser: Browser, live_server):
    dealer = DealerFactory(code="GZ01", name="广州天河汽车服务中心")
    advisor = UserFactory(username="advisor", roles=[Role.SERVICE_ADVISOR], dealers=[dealer])
    clerk = UserFactory(username="parts", roles=[Role.PARTS_CLERK], dealers=[dealer])
    vehicle = VehicleFactory(owner=CustomerFactory(dealer=dealer), plate="粤A12345")
    warehouse = Warehouse.objects.create(dealer=dealer, code="WH01", name="配件总库")
    plugs = Part.objects.create(brand="大众", number="101 905 601 F", name="火花塞")
    item = StockItem.objects.create(warehouse=warehouse, part=plugs, bin="B-03-2")
    stock_services.stock_receive(item=item, quantity=Decimal("6"), unit_cost=Decimal("35"), by=clerk)
    order = make_order(vehicle, advisor, status="checked_in")
    line = repair_services.repair_order_add_line(
        order=order, by=advisor, part=plugs, quantity=Decimal("4"), unit_price=Decimal("65")
    )
    reservation = stock_services.repair_order_line_reserve(line=line, by=advisor)

    page = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "parts")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.goto(f"{live_server.url}/parts/counter/")

    waiting = page.locator(f"#reservation-{reservation.pk}")
    expect(waiting).to_contain_text(order.number)
    expect(waiting.locator("[data-stock=on_hand]")).to_have_text("6")
    expect(waiting.locator("[data-stock=reserved]")).to_have_text("4")
    expect(waiting.locator("[data-stock=available]")).to_have_text("2")
    waiting.locator(f"form[action$='/issue/{reservation.pk}/'] button").click()

    issued = page.locator(f"#issued-{reservation.pk}")
    expect(issued.locator("[data-stock=held]")).to_have_text("4")
    expect(issued.locator("[data-stock=on_hand]")).to_have_text("2")
    expect(issued.locator("[data-stock=available]")).to_have_text("2")
    expect(page.locator(f"#reservation-{reservation.pk}")).to_have_count(0)

    issued.locator("input[name=quantity]").fill("1")
    issued.locator("button[type=submit]").click()
    issued = page.locator(f"#issued-{reservation.pk}")
    expect(issued.locator("[data-stock=held]")).to_have_text("3")
    expect(issued.locator("[data-stock=on_hand]")).to_have_text("3")
    expect(issued.locator("[data-stock=available]")).to_have_text("3")

    item.refresh_from_db()
    assert (item.on_hand, item.reserved) == (Decimal("3"), Decimal("0"))
    assert sorted(StockMovement.objects.filter(repair_order_line=line).values_list("kind", "quantity")) == [
        ("issue", Decimal("-4")),
        ("return", Decimal("1")),
    ]
