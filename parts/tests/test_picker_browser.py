"""Browser lane: the advisor finds a part by its old number in the estimate's part picker, picks it and adds it."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from parts.tests import picker_fixtures
from repairs.tests.factories import make_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "test-results" / "screenshots"
catalogue = picker_fixtures.catalogue  # the shared fixture


def test_the_advisor_picks_a_part_found_by_its_old_number(page: Page, live_server, catalogue, vehicle_a, advisor_a):
    order = make_order(vehicle_a, advisor_a, status="checked_in")
    page.set_viewport_size({"width": 1024, "height": 1300})
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", advisor_a.username)
    page.fill("#id_password", "pw-12345-test")
    page.click("main button[type=submit]")
    page.goto(f"{live_server.url}{order.get_absolute_url()}")

    page.fill("#line-picker-q", "03C 164 831")  # the old number, printed with spaces
    row = page.locator("#line-picker-results tr.exact")
    expect(row).to_contain_text("03C 164 831 A")
    expect(row).to_contain_text("replaces 03C164831 (superseded)")
    expect(row).to_contain_text("fits this vehicle")
    page.keyboard.press("Enter")  # Enter in the search box does not post the line form
    expect(page.locator("#line-picker-results tr.exact")).to_have_count(1)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#line-form").screenshot(path=str(SHOTS / "part-picker-results.png"))

    row.get_by_role("button", name="Pick").click()
    chosen = page.locator("#line-picker-chosen")
    expect(chosen).to_contain_text("Picked")
    expect(chosen.locator("input[type=hidden][name=part]")).to_have_value(str(catalogue["filter"].pk))
    expect(page.locator("#line-picker-results tr")).to_have_count(0)  # the list closed
    page.locator("#line-form").screenshot(path=str(SHOTS / "part-picker-picked.png"))

    page.locator("#line-form button[type=submit]").click()
    lines = page.locator("#estimate table").first
    expect(lines).to_contain_text("机油滤清器")
    expect(lines).to_contain_text("85.00")
    expect(lines).not_to_contain_text("not from the catalogue")
    line = order.lines.get()
    assert (line.part, line.code, line.quantity) == (catalogue["filter"], "03C 164 831 A", 1)
