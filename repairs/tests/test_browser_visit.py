"""Browser lane: one car from the appointment to the settlement, through the pages, by four people."""

import re
from datetime import time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from accounts.choices import Role
from appointments import services as appointment_services
from core.tests.factories import CustomerFactory, DealerFactory, UserFactory, VehicleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-12345-test"


@pytest.fixture
def team(db):
    dealer = DealerFactory(code="GZ01", name="广州天河汽车服务中心", opens_at=time(0, 0), closes_at=time(23, 59))
    people = {
        role: UserFactory(username=role, roles=[role], dealers=[dealer])
        for role in (Role.SERVICE_ADVISOR, Role.FOREMAN, Role.TECHNICIAN, Role.QC_INSPECTOR)
    }
    owner = CustomerFactory(dealer=dealer, name="林晓", mobile="13800138000")
    vehicle = VehicleFactory(owner=owner, plate="粤A12345", mileage_km=20000)
    return dealer, people, vehicle


def session(browser: Browser, live_server, username: str) -> Page:
    page = browser.new_context(viewport={"width": 1024, "height": 1300}).new_page()  # a tablet
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    expect(page.locator("header nav")).to_be_visible()
    return page


def sign(page: Page, canvas: str) -> None:
    """The customer signs on the pad with a finger (a few strokes of the mouse here)."""
    page.locator(canvas).scroll_into_view_if_needed()
    box = page.locator(canvas).bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 60)
    page.mouse.down()
    for x, y in ((80, 20), (140, 90), (220, 30), (300, 80)):
        page.mouse.move(box["x"] + x, box["y"] + y, steps=4)
    page.mouse.up()


def act(page: Page, action: str) -> None:
    """Press a state-machine button of the order page."""
    page.click(f"button[name=do][value={action}]")


def test_one_car_from_appointment_to_settlement(browser: Browser, live_server, team):
    dealer, people, vehicle = team
    desk = session(browser, live_server, Role.SERVICE_ADVISOR)

    if timezone.localtime().time() < time(23, 25):
        # A walk-in booked on the appointment page, arriving now: the repair order opens at once.
        desk.goto(f"{live_server.url}/appointments/new/")
        desk.fill("input[name=lookup]", "粤A12345")
        desk.click("button[formmethod=get]")
        desk.check(f"input[name=vehicle][value='{vehicle.pk}']")
        desk.select_option("#id_channel", "walk_in")
        desk.select_option("#id_job_type", "repair")
        desk.fill("#id_customer_request", "刹车有异响")
        desk.check("#id_arrive_now")
        desk.click("#book-form button[type=submit]:not([formmethod])")
    else:  # the last half hour of the day has no bookable slot left: book and arrive through the services
        appointment = appointment_services.appointment_book(
            dealer=dealer, customer=vehicle.owner, vehicle=vehicle, by=people[Role.SERVICE_ADVISOR],
            slot_start=timezone.now() - timedelta(minutes=20), job_type="repair", customer_request="刹车有异响",
            channel="walk_in",
        )  # fmt: skip
        appointment = appointment_services.appointment_arrive(
            appointment=appointment, by=people[Role.SERVICE_ADVISOR], version=appointment.version
        )
        desk.goto(f"{live_server.url}{appointment.repair_order.get_absolute_url()}")
    expect(desk).to_have_url(re.compile(r"/repair-orders/\d+/$"))
    order_url = desk.url

    # Check-in: odometer, fuel, walk-around, belongings signed, promised time.
    desk.fill("#id_odometer_km", "23500")
    desk.select_option("#id_fuel_level", "4")
    desk.check("#id_walkaround_done")
    desk.fill("#id_belongings", "雨伞")
    desk.fill("#id_belongings_signed_by", "林晓")
    sign(desk, "#checkin canvas")
    desk.fill("#id_promised_at", timezone.localtime(timezone.now() + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"))
    desk.click("#checkin button[type=submit]")
    act(desk, "check_in")
    expect(desk.locator("h1 .badge")).to_have_text(re.compile("已接车|Checked in"))

    # Estimate: a labour line from the rate, a part, the diagnosis; give it; the customer signs.
    desk.select_option("#line-form select[name=kind]", "labour")
    desk.fill("#line-form input[name=description]", "更换前刹车片")
    desk.fill("#line-form input[name=quantity]", "1.5")
    desk.click("#line-form button[type=submit]")
    desk.select_option("#line-form select[name=kind]", "part")
    desk.fill("#line-form input[name=description]", "前刹车片")
    desk.fill("#line-form input[name=quantity]", "1")
    desk.fill("#line-form input[name=unit_price]", "420")
    desk.click("#line-form button[type=submit]")
    desk.select_option("#id_fault_category", "brakes")
    desk.fill("#id_diagnosis", "前刹车片磨损到极限")
    desk.click("#estimate form.form-grid button[type=submit]")
    act(desk, "give_estimate")
    desk.select_option("#id_approval_method", "signature")
    desk.fill("#id_approved_by_customer", "林晓")
    sign(desk, "#approval canvas")
    desk.click("#approval button[type=submit]")
    expect(desk.locator("#grand-total")).to_have_text("779.70")  # (1.5 h × 180 + 420) × 1.13
    expect(desk.locator("#estimate img.signature")).to_be_visible()

    # Workshop: the foreman dispatches, the technician works from "my jobs".
    foreman = session(browser, live_server, Role.FOREMAN)
    foreman.goto(order_url)
    foreman.select_option("form.inline select[name=technician]", value=str(people[Role.TECHNICIAN].pk))
    foreman.click("form.inline button[type=submit]")
    act(foreman, "dispatch")
    tech = session(browser, live_server, Role.TECHNICIAN)
    tech.goto(f"{live_server.url}/workshop/my-jobs/")
    tech.click("button[name=step][value=on]")
    tech.click("button[name=step][value=done]")
    tech.goto(order_url)
    act(tech, "request_qc")

    # QC: every checklist item OK (the checklist, not the marks of jobs to redo).
    qc = session(browser, live_server, Role.QC_INSPECTOR)
    qc.goto(order_url)
    for box in qc.locator("#qc-form fieldset").first.locator("input[type=checkbox]").all():
        box.check()
    qc.click("#qc button[type=submit]")
    expect(qc.locator("h1 .badge")).to_have_text(re.compile("待交车|Ready for delivery"))

    # Delivery and settlement at the desk; the follow-up calls are scheduled.
    desk.goto(order_url)
    desk.select_option("#id_payment_method", "wechat_pay")
    desk.check("#id_work_explained")
    desk.click("#delivery button[type=submit]")
    expect(desk.locator("#delivery")).to_contain_text("ST-GZ01-")
    expect(desk.locator("#delivery")).to_contain_text("779.70")
    # The timeline names who did each step (the QC inspector passed it).
    expect(desk.locator("#timeline")).to_contain_text(people[Role.QC_INSPECTOR].username)
