"""Browser lane (issue 13): one car from walk-in to print through the pages, by the five people who handle it.

walk-in → check-in → estimate with a catalogue part and a service package → approval → dispatch → clock →
additional item → QC fail → rework → QC pass → payment with 发票 → delivery → print. Each person starts on their
own home page and every click, tick and choice is counted per role (``Person.clicks``); the note reports them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from accounts.choices import Role
from cashiering.models import Invoice, Payment
from core.tests.factories import CustomerFactory, DealerFactory, UserFactory, VehicleFactory
from notifications.models import Notification
from packages.tests.factories import oil_service, part
from parts.models import StockItem, StockReservation, Warehouse
from parts.services import stock as stock_services
from repairs.models import QcInspection, RepairOrder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-12345-test"
CLICKS: dict[str, int] = {}  # role -> clicks of the last walk (read by the note)


@dataclass
class Person:
    """One member of the team in their own browser (a tablet), counting what they click, tick and choose."""

    role: str
    page: Page
    clicks: int = 0
    typed: int = 0
    seen: list[str] = field(default_factory=list)

    def click(self, selector: str) -> None:
        self.clicks += 1
        self.page.locator(selector).first.click()

    def check(self, selector: str) -> None:
        self.clicks += 1
        self.page.locator(selector).first.check()

    def choose(self, selector: str, **value) -> None:
        self.clicks += 1
        self.page.locator(selector).first.select_option(**value)

    def fill(self, selector: str, text: str) -> None:
        self.typed += 1
        self.page.locator(selector).first.fill(text)

    def goto(self, url: str) -> None:
        """Open a page from a link elsewhere (the inbox, the home page, a bookmark): one click."""
        self.clicks += 1
        self.page.goto(url)

    def act(self, action: str) -> None:
        """Press a state-machine button of the order page."""
        self.click(f"button[name=do][value={action}]")

    def sign(self, canvas: str) -> None:
        """The customer signs on the pad with a finger (a few strokes of the mouse here); one gesture."""
        self.clicks += 1
        self.page.locator(canvas).scroll_into_view_if_needed()
        box = self.page.locator(canvas).bounding_box()
        self.page.mouse.move(box["x"] + 20, box["y"] + 60)
        self.page.mouse.down()
        for x, y in ((80, 20), (140, 90), (220, 30), (300, 80)):
            self.page.mouse.move(box["x"] + x, box["y"] + y, steps=4)
        self.page.mouse.up()


@pytest.fixture
def shop(db):
    dealer = DealerFactory(code="GZ01", name="广州天河汽车服务中心", opens_at=time(0, 0), closes_at=time(23, 59))
    people = {
        role: UserFactory(username=role, roles=[role], dealers=[dealer])
        for role in (Role.SERVICE_ADVISOR, Role.FOREMAN, Role.TECHNICIAN, Role.QC_INSPECTOR, Role.CASHIER)
    }
    owner = CustomerFactory(dealer=dealer, name="林晓", mobile="13800138000")
    vehicle = VehicleFactory(owner=owner, plate="粤A3448L", brand="大众", series="朗逸", mileage_km=9_200)
    package = oil_service(dealer)  # A类保养: 1.00 h, oil ×4, filter ×1, sundry — 599.90 with VAT
    pads = part("5Q0698151", "前刹车片", "420.00", dealer)
    main = Warehouse.objects.create(dealer=dealer, code="WH01", name="主仓库")
    clerk = UserFactory(username="clerk", roles=[Role.PARTS_CLERK], dealers=[dealer])
    for stocked in (pads, *(item.part for item in package.items.filter(part__isnull=False))):
        stock_services.stock_receive(
            item=StockItem.objects.create(warehouse=main, part=stocked), quantity=Decimal("10"),
            unit_cost=Decimal("30"), by=clerk,
        )  # fmt: skip
    return dealer, people, vehicle, package, pads


def session(browser: Browser, live_server, role: str) -> Person:
    page = browser.new_context(viewport={"width": 1024, "height": 1300}).new_page()  # a tablet
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "zh-hans", "url": live_server.url}])
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", role)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    expect(page.locator("header nav")).to_be_attached()
    return Person(role, page)


def test_one_car_from_walk_in_to_print_by_five_people(browser: Browser, live_server, shop):
    _dealer, people, vehicle, package, pads = shop
    desk = session(browser, live_server, Role.SERVICE_ADVISOR)

    # Walk-in: the header search finds the car by a piece of its plate; the advisor opens a repair order.
    desk.fill("header input[name=q]", "3448")
    desk.click("header form.header-search button[type=submit]")
    desk.click(f"main a[href='{vehicle.get_absolute_url()}']")
    desk.click("main a[href$='/repair-orders/new/']")
    desk.choose("#id_job_type", value="maintenance")
    desk.fill("#id_customer_request, #id_customer_complaint", "一万公里保养，刹车有异响")
    desk.click("main form button[type=submit]")
    expect(desk.page).to_have_url(re.compile(r"/repair-orders/\d+/$"))
    order = RepairOrder.objects.get(vehicle=vehicle)
    order_url = desk.page.url

    # Check-in: odometer, fuel, walk-around, belongings signed, promised time.
    desk.fill("#id_odometer_km", "10150")
    desk.choose("#id_fuel_level", value="4")
    desk.check("#id_walkaround_done")
    desk.fill("#id_belongings", "雨伞")
    desk.fill("#id_belongings_signed_by", "林晓")
    desk.sign("#checkin canvas")
    promised = timezone.localtime(timezone.now() + timedelta(hours=4))
    desk.fill("#id_promised_at", promised.strftime("%Y-%m-%dT%H:%M"))
    desk.click("#checkin button[type=submit]")
    desk.act("check_in")
    expect(desk.page.locator("h1 .badge")).to_have_text("已接车")

    # Estimate: the service package in one click, front pads from the catalogue by their number.
    desk.click(f"#ro-packages tr[data-package='{package.code}'] button[type=submit]")
    expect(desk.page.locator(f"#ro-packages tr[data-package='{package.code}'] .badge.ok")).to_be_visible()
    desk.fill("#line-picker-q", "5Q0 698 151")
    desk.click("#line-picker-results tr.exact button")
    expect(desk.page.locator("#line-picker-chosen input[name=part]")).to_have_value(str(pads.pk))
    desk.click("#line-form button[type=submit]")
    lines = desk.page.locator("#estimate table").first
    expect(lines).to_contain_text("前刹车片")
    expect(lines.locator("tr", has_text="前刹车片").locator(".badge.warn")).to_have_count(0)  # from the catalogue
    desk.choose("#id_fault_category", value="brakes")
    desk.fill("#id_diagnosis", "前刹车片磨损到极限；到一万公里保养")
    desk.click("#estimate form.form-grid button[type=submit]")
    desk.act("give_estimate")
    # (1.00 h × 180 + 4 × 68 + 58 + 20) + 420 = 950.00 net, 1,073.50 with 13 % VAT
    expect(desk.page.locator("#grand-total")).to_have_text("1073.50")

    # Approval on the tablet: the catalogue parts are reserved for the order.
    desk.choose("#id_approval_method", value="signature")
    desk.fill("#id_approved_by_customer", "林晓")
    desk.sign("#approval canvas")
    desk.click("#approval button[type=submit]")
    expect(desk.page.locator("#estimate img.signature")).to_be_visible()
    assert StockReservation.objects.filter(repair_order_line__order=order, status="active").count() == 3

    # The foreman is told, opens the car from his board and dispatches the job.
    foreman = session(browser, live_server, Role.FOREMAN)
    expect(foreman.page.locator("header a.notification-bell.has-unread .count")).to_have_text("1")
    foreman.click(f"main a[href='{order.get_absolute_url()}']")
    foreman.choose("#estimate select[name=technician]", value=str(people[Role.TECHNICIAN].pk))
    foreman.click("#estimate form.inline button[type=submit]")
    foreman.act("dispatch")

    # The technician works from "my jobs" (his home page) and finds worn discs: an additional item.
    tech = session(browser, live_server, Role.TECHNICIAN)
    tech.click("button[name=step][value=on]")
    tech.click(f"main a[href='{order.get_absolute_url()}']")
    tech.fill("#id_description", "更换前刹车盘")
    tech.fill("#id_reason", "前刹车盘磨损超限（厚度 20.1 mm）")
    tech.fill("#id_labour_hours", "0.8")
    tech.click("#additions form.form-grid button[type=submit]")
    tech.click("#estimate button[name=step][value=done]")
    assert Notification.objects.filter(recipient=people[Role.SERVICE_ADVISOR], event="addition_raised").exists()

    # The advisor phones the customer and records the yes; the foreman dispatches it, the technician does it.
    desk.goto(order_url)
    desk.click("#additions button.secondary")  # customer contacted
    desk.choose("#additions select[name=approved]", value="1")
    desk.choose("#additions select[name=decision_method]", value="phone")
    desk.click("#additions form.inline-grid button[type=submit]")
    expect(desk.page.locator("#additions .badge.ok").first).to_have_text("客户已确认")
    foreman.goto(order_url)
    foreman.choose("#estimate select[name=technician]", value=str(people[Role.TECHNICIAN].pk))
    foreman.click("#estimate form.inline button[type=submit]")
    tech.goto(f"{live_server.url}/workshop/my-jobs/")
    tech.click("button[name=step][value=on]")
    tech.click("button[name=step][value=done]")
    tech.goto(order_url)
    tech.act("request_qc")

    # QC fails the brake job: only that job goes back, with the reason, to the technician.
    qc = session(browser, live_server, Role.QC_INSPECTOR)
    qc.click(f"main a[href='{order.get_absolute_url()}#qc']")
    boxes = qc.page.locator("#qc-form fieldset").first.locator("input[type=checkbox]")
    for index in range(boxes.count() - 1):
        qc.check(f"#qc-form fieldset >> nth=0 >> input[type=checkbox] >> nth={index}")
    disc_job = order.lines.get(addition__isnull=False, kind="labour")
    qc.check(f"#id_rework_{disc_job.pk}")
    qc.fill(f"#id_reason_{disc_job.pk}", "刹车盘螺栓未按扭矩拧紧")
    qc.click("#qc-form button[type=submit]")
    expect(qc.page.locator("h1 .badge")).to_have_text(re.compile("维修中|返工"))
    tech.goto(f"{live_server.url}/workshop/my-jobs/")
    expect(tech.page.locator("main")).to_contain_text("刹车盘螺栓未按扭矩拧紧")
    tech.click("button[name=step][value=on]")
    tech.click("button[name=step][value=done]")
    tech.goto(order_url)
    tech.act("request_qc")
    qc.goto(f"{live_server.url}/")
    qc.click(f"main a[href='{order.get_absolute_url()}#qc']")
    for index in range(qc.page.locator("#qc-form fieldset").first.locator("input[type=checkbox]").count()):
        qc.check(f"#qc-form fieldset >> nth=0 >> input[type=checkbox] >> nth={index}")
    qc.click("#qc-form button[type=submit]")
    expect(qc.page.locator("h1 .badge")).to_have_text("待交车")
    assert list(QcInspection.objects.filter(order=order).values_list("passed", flat=True)) == [False, True]

    # The cashier takes WeChat Pay for the customer's part and records the 发票.
    cashier = session(browser, live_server, Role.CASHIER)
    cashier.click(f"main a[href$='/cashier/orders/{order.pk}/']")
    outstanding = cashier.page.locator("#payer-customer td[data-outstanding]").inner_text().strip()
    cashier.choose("#id_pay-method", value="wechat_pay")
    cashier.fill("#id_pay-amount", outstanding)
    cashier.fill("#id_pay-reference", "4200001234202612030000001")
    cashier.click("#take-payment button[type=submit]")
    cashier.choose("#id_invoice-invoice_type", value="e_ordinary")
    cashier.fill("#id_invoice-number", "24442000000012345678")
    cashier.fill("#id_invoice-amount", outstanding)
    cashier.fill("#id_invoice-buyer_name", "林晓")
    cashier.click("#invoices button[type=submit]")
    payment = Payment.objects.get(order=order)
    assert (payment.method, payment.amount) == ("wechat_pay", Decimal(outstanding))
    assert Invoice.objects.filter(order=order, number="24442000000012345678").exists()

    # Delivery at the desk (paid in full: nothing to take), then the printed RO.
    desk.goto(order_url)
    desk.choose("#id_payment_method", value="none")
    desk.check("#id_work_explained")
    desk.click("#delivery button[type=submit]")
    expect(desk.page.locator("#delivery")).to_contain_text("ST-GZ01-")
    order.refresh_from_db()
    assert order.status == "delivered"
    desk.clicks += 1  # the print button
    printed = desk.page.request.get(f"{live_server.url}/repair-orders/{order.pk}/print/")
    assert printed.status == 200 and printed.body()[:4] == b"%PDF"

    CLICKS.clear()
    CLICKS.update({p.role: p.clicks for p in (desk, foreman, tech, qc, cashier)})
    print("\nclicks per role:", CLICKS, "typed:", {p.role: p.typed for p in (desk, foreman, tech, qc, cashier)})
