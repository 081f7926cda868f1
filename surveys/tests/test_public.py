"""The customer's survey page and API: no login, one answer, nothing but its own questions, no oracle."""

import html
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from surveys import services
from surveys.models import SurveyInvitation, SurveyResponse
from surveys.tests.factories import GOOD_CSI, delivered_order, invite

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_throttle_history():
    cache.clear()
    yield
    cache.clear()


def form_data(answers: dict) -> dict:
    return {k: v for k, v in answers.items()}


@pytest.fixture
def link(dealer_a, advisor_a):
    order = delivered_order(dealer_a, advisor_a, plate="粤A12345")
    return invite(order)


def test_the_page_shows_the_questions_and_only_masked_visit_details(link):
    client = Client()
    page = client.get(f"/s/{link.token}/")
    assert page.status_code == 200
    html = page.content.decode()
    order = link.invitation.repair_order
    assert "甲店" in html and "粤A·***45" in html
    for secret in (order.vehicle.plate, order.customer.name, order.customer.mobile, order.number, order.vehicle.vin):
        assert secret not in html
    assert 'name="SA1"' in html and 'name="NPS"' in html and 'name="viewport"' in html
    assert "csrfmiddlewaretoken" in html
    assert page["Cache-Control"].startswith("no-store") and page["Referrer-Policy"] == "strict-origin"


def test_a_customer_answers_once_with_csrf_and_without_login(link):
    client = Client(enforce_csrf_checks=True)
    page = client.get(f"/s/{link.token}/")
    token = page.context["csrf_token"]
    without_csrf = client.post(f"/s/{link.token}/", form_data(GOOD_CSI))
    assert without_csrf.status_code == 403 and not SurveyResponse.objects.exists()
    done = client.post(f"/s/{link.token}/", {**form_data(GOOD_CSI), "csrfmiddlewaretoken": str(token)})
    assert done.status_code == 200 and b"survey-thanks" in done.content
    response = SurveyResponse.objects.get()
    assert response.channel == "link" and response.csi_score is not None
    again = client.post(f"/s/{link.token}/", {**form_data(GOOD_CSI), "csrfmiddlewaretoken": str(token)})
    assert again.status_code == 404 and b"survey-closed" in again.content
    assert client.get(f"/s/{link.token}/").status_code == 404
    assert SurveyResponse.objects.count() == 1


def test_missing_answers_show_errors_and_keep_the_link_open(link):
    client = Client()
    page = client.post(f"/s/{link.token}/", {**form_data(GOOD_CSI), "SA1": "", "NPS": "11"})
    assert page.status_code == 400
    assert set(page.context["form"].errors) == {"SA1", "NPS"}
    assert not SurveyResponse.objects.exists()
    assert client.get(f"/s/{link.token}/").status_code == 200


def test_unknown_expired_replaced_and_used_links_look_the_same(dealer_a, advisor_a, link):
    expired = invite(delivered_order(dealer_a, advisor_a))
    SurveyInvitation.objects.filter(pk=expired.invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    used = invite(delivered_order(dealer_a, advisor_a))
    services.survey_record_response(invitation_or_order=used.invitation, answers=GOOD_CSI, channel="link")
    replaced = invite(delivered_order(dealer_a, advisor_a))
    services.invitation_reissue(invitation=replaced.invitation, by=advisor_a)
    unknown = link.token[:-4] + ("AAAA" if not link.token.endswith("AAAA") else "BBBB")
    client = Client()
    pages = [client.get(f"/s/{t}/") for t in (unknown, expired.token, used.token, replaced.token, "x")]
    assert {p.status_code for p in pages} == {404}
    bodies = {re.sub(rb'value="[^"]*"', b"", p.content) for p in pages}  # the CSRF token is masked differently
    assert len(bodies) == 1  # the same page whatever the reason
    api = APIClient()
    replies = [api.get(f"/api/v1/public/surveys/{t}/") for t in (unknown, expired.token, used.token, replaced.token)]
    assert {r.status_code for r in replies} == {404}
    assert len({r.content for r in replies}) == 1


def test_the_language_switch_works_for_an_anonymous_customer(link):
    client = Client(enforce_csrf_checks=True)
    page = client.get(f"/s/{link.token}/")
    assert "服务顾问的服务态度" in page.content.decode()
    switched = client.post(
        "/i18n/setlang/",
        {"language": "en", "next": f"/s/{link.token}/", "csrfmiddlewaretoken": str(page.context["csrf_token"])},
    )
    assert switched.status_code == 302 and switched["Location"] == f"/s/{link.token}/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    english = html.unescape(client.get(f"/s/{link.token}/").content.decode())
    assert "The service advisor's courtesy" in english and "服务顾问的服务态度" not in english


def test_public_api_shows_only_the_questions_and_takes_one_answer(link):
    api = APIClient()
    reply = api.get(f"/api/v1/public/surveys/{link.token}/", HTTP_ACCEPT_LANGUAGE="en")
    assert reply.status_code == 200
    body = reply.json()
    assert set(body) == {"dealer_name", "visit_date", "plate", "expires_at", "title", "intro", "questions"}
    assert body["plate"] == "粤A·***45"
    assert [q["code"] for q in body["questions"]][:3] == ["SI1", "SI2", "SI3"]
    assert set(body["questions"][0]) == {"code", "section", "text", "kind", "required", "options"}
    assert body["questions"][3]["text"] == "The service advisor's courtesy"
    bad = api.post(f"/api/v1/public/surveys/{link.token}/", {"answers": {**GOOD_CSI, "SA1": 9}}, format="json")
    assert bad.status_code == 400 and set(bad.json()) == {"SA1"}
    ok = api.post(f"/api/v1/public/surveys/{link.token}/", {"answers": GOOD_CSI}, format="json")
    assert ok.status_code == 201
    again = api.post(f"/api/v1/public/surveys/{link.token}/", {"answers": GOOD_CSI}, format="json")
    assert again.status_code == 404
    assert SurveyResponse.objects.count() == 1


def test_public_api_ignores_credentials_and_is_throttled(link, advisor_a, api_as):
    api = api_as(advisor_a)  # a staff token is not used here: the link is the only key
    assert api.get(f"/api/v1/public/surveys/{link.token}/").status_code == 200
    anonymous = APIClient()
    statuses = [anonymous.get(f"/api/v1/public/surveys/guess-number-{i}/").status_code for i in range(40)]
    assert statuses[0] == 404 and 429 in statuses


def test_dealer_a_link_reveals_nothing_of_dealer_b(link, dealer_b, advisor_b):
    b_order = delivered_order(dealer_b, advisor_b, plate="京B99999")
    invite(b_order)
    page = Client().get(f"/s/{link.token}/").content.decode()
    assert "乙店" not in page and "99" not in page.split("粤A·***45")[0][-40:]
    # A link cannot be turned to another visit by changing anything but the token.
    assert Client().get(f"/s/{link.token}/?order={b_order.pk}").context["visit"]["dealer_name"] == "甲店"
