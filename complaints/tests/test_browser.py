"""Browser lane: an advisor takes a complaint, the manager logs the first contact and resolves it with agreement."""

from datetime import time

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from accounts.choices import Role
from complaints.models import Complaint
from core.tests.factories import CustomerFactory, DealerFactory, UserFactory, VehicleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-12345-test"


def session(browser: Browser, live_server, username: str) -> Page:
    page = browser.new_context(viewport={"width": 1200, "height": 1400}).new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    expect(page.locator("header nav")).to_be_visible()
    return page


def test_complaint_from_intake_to_resolution(browser: Browser, live_server):
    dealer = DealerFactory(code="GZ01", opens_at=time(0, 0), closes_at=time(23, 59))
    advisor = UserFactory(username="advisor", roles=[Role.SERVICE_ADVISOR], dealers=[dealer])
    manager = UserFactory(username="manager", display_name="周经理", roles=[Role.SERVICE_MANAGER], dealers=[dealer])
    owner = CustomerFactory(dealer=dealer, name="林晓", mobile="13800138000")
    VehicleFactory(owner=owner, plate="粤A12345")

    desk = session(browser, live_server, "advisor")
    desk.goto(f"{live_server.url}/complaints/")
    desk.click("#new-complaint")
    desk.select_option("#id_channel", "walk_in")
    desk.select_option("#id_category", "waiting_time")
    desk.select_option("#id_severity", "high")
    desk.fill("#id_description", "说好两小时交车，等了四个小时")
    desk.fill("#id_plate", "粤A12345")
    desk.select_option("#id_owner", str(manager.pk))
    desk.click("#intake-form button[type=submit]")
    expect(desk.locator("#owner")).to_contain_text("周经理")
    complaint = Complaint.objects.get()
    assert complaint.received_by == advisor and complaint.customer == owner

    boss = session(browser, live_server, "manager")
    boss.goto(f"{live_server.url}{reverse('todo:task_list')}")
    expect(boss.locator("main")).to_contain_text(complaint.number)
    boss.goto(f"{live_server.url}{complaint.get_absolute_url()}")
    boss.select_option("#contact-form select[name=channel]", "phone")
    boss.fill("#contact-form textarea[name=summary]", "已致歉，说明延误原因")
    boss.click("#contact-form button[type=submit]")
    expect(boss.locator("#sla-a2 .badge.ok")).to_be_visible()  # first contact on time
    boss.fill("#resolve-form textarea[name=root_cause]", "派工排程未考虑配件到货")
    boss.fill("#resolve-form textarea[name=corrective_action]", "赠送保养券，优化排程")
    boss.check("#resolve-form input[name=customer_agreed][value=yes]")
    boss.select_option("#resolve-form select[name=agreement_method]", "phone")
    boss.click("#resolve-form button[type=submit]")
    expect(boss.locator("#resolution")).to_be_visible()
    complaint.refresh_from_db()
    assert complaint.status == "resolved" and complaint.customer_agreed and complaint.first_contact_on_time
    assert complaint.feedback_at is not None
