"""Browser lane: a customer answers the survey link on a phone, in English or Chinese, once."""

import pytest
from playwright.sync_api import Browser, expect

from core.tests.factories import DealerFactory, UserFactory
from surveys.models import SurveyResponse
from surveys.tests.factories import delivered_order, invite

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
RATED = ("SI1", "SI2", "SI3", "SA1", "SA2", "SA3", "SA4", "SF1", "SF2", "SF3", "VP1", "VP2", "VP3", "VP4", "SQ1", "SQ2")


@pytest.mark.parametrize("switch_to_english", [True, False])
def test_a_customer_answers_on_a_phone(browser: Browser, live_server, switch_to_english):
    dealer = DealerFactory(code="GZ09", name="广州天河汽车服务中心")
    order = delivered_order(dealer, UserFactory(), plate="粤A12345")
    link = invite(order)
    page = browser.new_context(**PHONE).new_page()
    page.goto(f"{live_server.url}/s/{link.token}/")
    expect(page.locator("body")).to_contain_text("粤A·***45")
    expect(page.locator("body")).to_contain_text("广州天河汽车服务中心")
    if switch_to_english:
        page.tap("#lang-en")
        expect(page.locator("#q-SA1")).to_contain_text("The service advisor's courtesy")
    else:
        expect(page.locator("#q-SA1")).to_contain_text("服务顾问的服务态度")
    # No horizontal scrolling on the phone, and the rating buttons are big enough for a thumb.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    box = page.locator("#q-SA1 .scale-option").first.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 40
    # Send with a question left out: the page says which one, the link stays open.
    for code in RATED:
        if code != "SA1":
            page.locator(f"#q-{code} .scale-option", has_text="5").first.tap()
    page.locator("#q-SQ3 .tile").first.tap()
    page.locator("#q-OV1 .scale-option", has_text="9").first.tap()
    page.locator("#q-NPS .scale-option", has_text="10").first.tap()
    page.tap("#survey-form button[type=submit]")
    expect(page.locator("#q-SA1.has-error")).to_be_visible()
    assert not SurveyResponse.objects.exists()
    page.locator("#q-SA1 .scale-option", has_text="4").first.tap()
    page.locator("#q-TXT textarea").fill("服务很好" if not switch_to_english else "Great service")
    page.tap("#survey-form button[type=submit]")
    expect(page.locator("#survey-thanks")).to_be_visible()
    response = SurveyResponse.objects.get()
    assert response.answers.get(question__code="SA1").value_number == 4
    assert response.nps_category == "promoter"
    assert response.language == ("en" if switch_to_english else "zh-hans")
    # A second visit: the survey is closed, no form.
    page.goto(f"{live_server.url}/s/{link.token}/")
    expect(page.locator("#survey-closed")).to_be_visible()
    expect(page.locator("#survey-form")).to_have_count(0)
