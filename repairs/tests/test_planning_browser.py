"""Browser lane: the workshop board on a tablet keeps its stages side by side, and the wall screen (TV mode)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from core.tests.factories import CustomerFactory, DealerFactory, VehicleFactory
from repairs import planning
from repairs.choices import BayKind
from repairs.choices import RepairOrderStatus as S
from repairs.models import RepairOrder, WorkshopBay
from repairs.tests.factories import make_order, staff_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("test-results/screenshots")


@pytest.fixture
def workshop(db):
    dealer = DealerFactory(code="GZ01", name="广州天河汽车服务中心")
    staff = staff_for(dealer)
    advisor = staff.service_manager
    orders = [make_order(VehicleFactory(owner=CustomerFactory(dealer=dealer)), advisor, status, staff=staff)
              for status in (S.APPROVED, S.DISPATCHED, S.IN_REPAIR, S.QC, S.READY, S.APPROVED)]  # fmt: skip
    RepairOrder.objects.filter(pk=orders[0].pk).update(promised_at=timezone.now() + timedelta(minutes=40))
    for code, kind in (("L01", BayKind.LIFT), ("L02", BayKind.LIFT), ("AL", BayKind.ALIGNMENT)):
        WorkshopBay.objects.create(dealer=dealer, code=code, name=f"工位 {code}", kind=kind)
    planning.bay_place(bay=WorkshopBay.objects.get(code="L01"), order=orders[1], by=staff.foreman)
    staff.foreman.set_password("pw-12345-test")
    staff.foreman.save()
    return staff.foreman


def log_in(page: Page, live_server, user) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pw-12345-test")
    page.click("main button[type=submit]")


@pytest.mark.parametrize("width", [768, 900, 1024])
def test_the_tablet_board_keeps_its_columns_on_one_row(page: Page, live_server, workshop, width):
    page.set_viewport_size({"width": width, "height": 1000})
    log_in(page, live_server, workshop)
    expect(page.locator("h1")).to_contain_text("车间看板")  # the foreman's home page is the board (Chinese UI)
    columns = page.locator(".board-column")
    expect(columns).to_have_count(5)
    boxes = [columns.nth(i).bounding_box() for i in range(5)]
    assert len({round(box["y"]) for box in boxes}) == 1, boxes  # one row: no stage wrapped under another
    assert boxes[-1]["x"] + boxes[-1]["width"] <= width  # and none runs off the screen
    expect(page.locator(".board-card.at-risk")).to_have_count(1)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"workshop-board-{width}.png"), full_page=True)


def test_the_wall_screen(page: Page, live_server, workshop):
    page.set_viewport_size({"width": 1920, "height": 1080})
    log_in(page, live_server, workshop)
    page.goto(f"{live_server.url}/workshop/?tv=1")
    expect(page).to_have_url(f"{live_server.url}/workshop/tv/")
    expect(page.locator("header nav")).to_have_count(0)
    expect(page.locator("form")).to_have_count(0)
    expect(page.locator(".bay.taken")).to_have_count(1)
    expect(page.locator("#board-live")).to_have_attribute(
        "hx-trigger", "every 30s [document.visibilityState === 'visible']"
    )
    # The body is swapped in place by htmx (what the 30 s poll does), the page stays.
    page.evaluate("htmx.ajax('GET', '/workshop/tv/', '#board-live')")
    expect(page.locator("#board-live .board-column")).to_have_count(5)
    expect(page.locator("body.tv")).to_have_count(1)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "workshop-tv-1920.png"), full_page=True)
