"""Browser lane, phone (390 × 844): the navigation folds behind the menu button, the header search box finds a car
by a piece of its plate, and a wide table scrolls inside its box while the page itself stays phone-wide."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from accounts.choices import Role
from core.tests.factories import CustomerFactory, DealerFactory, UserFactory, VehicleFactory, make_vin
from repairs.tests.factories import make_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("test-results/screenshots")


@pytest.fixture
def advisor(migrated_rows):
    dealer = DealerFactory(code="GZ01", name="广州天河汽车服务中心")
    user = UserFactory(username="advisor", roles=[Role.SERVICE_ADVISOR], dealers=[dealer])
    vehicle = VehicleFactory(owner=CustomerFactory(dealer=dealer, name="林海"), vin=make_vin(654321), plate="粤A3448L")
    make_order(vehicle, user)
    return user


def page_width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_phone_menu_header_search_and_scrolling_tables(page: Page, live_server, advisor):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "advisor")
    page.fill("#id_password", "pw-12345-test")
    page.click("main button[type=submit]")

    menu = page.locator("header .menu-toggle")
    nav = page.locator("header nav#main-nav")
    expect(menu).to_be_visible()
    expect(nav).to_be_hidden()
    page.screenshot(path=str(SHOTS / "phone-menu-closed.png"), full_page=False)
    menu.click()
    expect(nav).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link", name="维修单")).to_be_visible()
    page.screenshot(path=str(SHOTS / "phone-menu-open.png"), full_page=False)
    menu.click()
    expect(nav).to_be_hidden()

    box = page.locator("header form.header-search input[name=q]")
    expect(box).to_be_visible()
    box.fill("3448")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=3448"))
    expect(page.locator("#search-readings")).to_contain_text("3448")
    expect(page.locator("main")).to_contain_text("粤A3448L")
    page.screenshot(path=str(SHOTS / "phone-search.png"), full_page=True)

    page.goto(f"{live_server.url}/repair-orders/")
    table = page.locator("main table").first
    expect(table).to_be_visible()
    assert page_width(page) <= 390  # the page is as wide as the phone
    assert table.evaluate("t => t.scrollWidth > t.clientWidth")  # the table scrolls in its own box
    table.evaluate("t => { t.scrollLeft = 200; }")
    assert table.evaluate("t => t.scrollLeft") > 0
    page.screenshot(path=str(SHOTS / "phone-repair-orders.png"), full_page=True)

    page.set_viewport_size({"width": 1440, "height": 900})  # the desktop keeps the open menu, no button
    page.reload()
    expect(page.locator("header .menu-toggle")).to_be_hidden()
    expect(page.locator("header nav#main-nav")).to_be_visible()
