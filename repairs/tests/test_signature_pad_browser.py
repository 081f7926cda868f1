"""Browser lane: a check-in refused for another field keeps the customer's signature on the pad (issue 13)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from accounts.choices import Role
from core.tests.factories import CustomerFactory, DealerFactory, UserFactory, VehicleFactory
from repairs import services
from repairs.tests.test_browser_visit import session, sign

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# How much of the canvas is drawn on (non-transparent pixels), read in the page.
INKED = """canvas => {
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let inked = 0;
  for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) { inked++; } }
  return inked;
}"""


def test_a_checkin_error_keeps_the_drawn_signature(browser: Browser, live_server):
    dealer = DealerFactory(code="GZ01")
    advisor = UserFactory(username=Role.SERVICE_ADVISOR, roles=[Role.SERVICE_ADVISOR], dealers=[dealer])
    vehicle = VehicleFactory(owner=CustomerFactory(dealer=dealer), mileage_km=20000)
    order = services.repair_order_open(vehicle=vehicle, by=advisor, customer_complaint="保养", job_type="maintenance")
    desk = session(browser, live_server, Role.SERVICE_ADVISOR)
    desk.goto(f"{live_server.url}{order.get_absolute_url()}")

    desk.fill("#id_odometer_km", "-1")  # refused: the form comes back with the error
    desk.fill("#id_belongings_signed_by", "林晓")
    sign(desk, "#checkin canvas")
    drawn = desk.locator("#checkin canvas").evaluate(INKED)
    assert drawn > 0
    desk.click("#checkin button[type=submit]")

    expect(desk.locator("#checkin .errorlist").first).to_be_visible()
    canvas = desk.locator("#checkin canvas")
    desk.wait_for_function(f"() => ({INKED})(document.querySelector('#checkin canvas')) > 0")
    assert canvas.evaluate(INKED) > 0
    assert desk.locator("#checkin input[name=belongings_signature]").input_value().startswith("data:image/png;base64,")

    # Corrected and saved without signing again: the signature is the one drawn before the error.
    desk.fill("#id_odometer_km", "23500")
    desk.click("#checkin button[type=submit]")
    expect(desk).to_have_url(re.compile(r"/repair-orders/\d+/$"))
    order.refresh_from_db()
    assert order.belongings_signature and order.odometer_km == 23500
