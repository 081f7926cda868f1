"""Browser lane: a service advisor's first day, end to end in headless Chromium."""

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.choices import Role
from core.tests.factories import DealerFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIN = "LSVAU218XN2183294"  # valid check digit (X)
PLATE = "粤BD12345"


@pytest.fixture
def advisor(db):
    dealer = DealerFactory(code="GZ01", name="广州天河汽车服务中心")
    return UserFactory(username="advisor", roles=[Role.SERVICE_ADVISOR], dealers=[dealer])


def test_advisor_creates_customer_and_vehicle_finds_it_by_plate_and_sees_history(page: Page, live_server, advisor):
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.fill("#id_username", "advisor")
    page.fill("#id_password", "pw-12345-test")
    page.click("main button[type=submit]")
    expect(page.locator("header nav")).to_contain_text("客户")  # Chinese by default

    page.goto(f"{live_server.url}/customers/new/")
    page.fill("#id_name", "林晓")
    page.fill("#id_mobile", "138 0013 8000")
    page.fill("#id_address", "广州市天河区体育西路1号")
    page.select_option("#id_consent", "given")
    page.click("main button[type=submit]")

    # Straight on to the vehicle form; a wrong check digit is refused with a clear message first.
    expect(page).to_have_url(re.compile(r"/vehicles/new/"))
    page.fill("#id_vin", VIN[:8] + "0" + VIN[9:])
    page.fill("#id_plate", PLATE)
    page.fill("#id_brand", "大众")
    page.fill("#id_model_name", "ID.4 X 纯电长续航版")
    page.fill("#id_purchase_date", "2024-05-01")
    page.fill("#id_mileage_km", "21000")
    page.click("main button[type=submit]")
    expect(page.locator(".errorlist")).to_contain_text("X")
    page.fill("#id_vin", VIN)
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_contain_text(PLATE)

    # Find it again by plate from the search box (typed in lower case with a space).
    page.goto(f"{live_server.url}/search/")
    page.fill("input[name=q]", "粤bd 12345")
    page.keyboard.press("Enter")
    page.get_by_role("link", name=VIN).click()
    expect(page.locator("h1")).to_contain_text(PLATE)

    # Edit the mileage and see the change in the history with who did it.
    page.get_by_role("link", name="编辑").click()
    page.fill("#id_mileage_km", "23500")
    page.click("main button[type=submit]")
    history = page.locator("#history")
    expect(history).to_contain_text("21000")
    expect(history).to_contain_text("23500")
    expect(history).to_contain_text("advisor")

    # The owner's archive is complete and says so.
    page.get_by_role("link", name="林晓").first.click()
    expect(page.locator("#archive-status")).to_contain_text("完整")
