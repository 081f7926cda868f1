"""Staff pages of surveys: results, responses, export, invitations, templates, settings, phone survey; tenancy."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from accounts.choices import Role
from core.tests.factories import UserFactory
from core.tests.helpers import login
from surveys import services
from surveys.models import DealerSurveySettings, Questionnaire, SurveyInvitation, SurveyResponse
from surveys.tests.factories import GOOD_CSI, csi, delivered_order, followup, invite, manager

pytestmark = pytest.mark.django_db


def answered(dealer, advisor, **overrides):
    issued = invite(delivered_order(dealer, advisor))
    return services.survey_record_response(
        invitation_or_order=issued.invitation, answers={**GOOD_CSI, **overrides}, channel="link"
    )


@pytest.fixture
def two_dealers(dealer_a, dealer_b, advisor_a, advisor_b):
    a = answered(dealer_a, advisor_a, SA1=1)
    b = answered(dealer_b, advisor_b)
    return a, b


def test_results_page_shows_own_dealers_only(two_dealers, dealer_a, dealer_b):
    a, _b = two_dealers
    page = login(followup(dealer_a)).get("/surveys/results/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-dealer="A001"' in html and 'data-dealer="B001"' not in html
    assert a.repair_order.number in html  # the low-score list
    assert login(followup(dealer_a)).get(f"/surveys/results/?dealer={dealer_b.pk}").status_code == 404


def test_region_manager_reads_results_but_cannot_send_links(two_dealers, dealer_a):
    region = UserFactory(roles=[Role.REGION_MANAGER], regions=[dealer_a.region])
    client = login(region)
    assert client.get("/surveys/results/").status_code == 200
    assert client.get("/surveys/invitations/").status_code == 200
    invitation = SurveyInvitation.objects.filter(dealer=dealer_a).first()
    SurveyInvitation.objects.filter(pk=invitation.pk).update(status="sent")
    assert client.post(f"/surveys/invitations/{invitation.pk}/reissue/").status_code == 404
    assert SurveyInvitation.objects.count() == 2


def test_a_technician_sees_no_survey_page(dealer_a, two_dealers):
    client = login(UserFactory(roles=[Role.TECHNICIAN], dealers=[dealer_a]))
    for url in ("/surveys/", "/surveys/results/", "/surveys/invitations/", "/surveys/responses/export.xlsx"):
        assert client.get(url).status_code == 404


def test_response_pages_and_guessed_ids(two_dealers, dealer_a):
    a, b = two_dealers
    client = login(followup(dealer_a))
    assert client.get(f"/surveys/responses/{a.pk}/").status_code == 200
    assert client.get(f"/surveys/responses/{b.pk}/").status_code == 404
    listing = client.get("/surveys/responses/").content.decode()
    assert a.repair_order.number in listing and b.repair_order.number not in listing


def test_export_has_only_own_responses(two_dealers, dealer_a):
    a, b = two_dealers
    reply = login(followup(dealer_a)).get("/surveys/responses/export.xlsx")
    assert reply.status_code == 200
    rows = list(load_workbook(BytesIO(reply.content)).active.iter_rows(values_only=True))
    assert len(rows) == 2
    assert rows[1][1] == a.repair_order.number and float(rows[1][8]) == float(a.csi_score)
    assert b.repair_order.number not in str(rows)


def test_reissue_shows_the_new_link_once(dealer_a, advisor_a, advisor_b):
    issued = invite(delivered_order(dealer_a, advisor_a))
    assert login(advisor_b).post(f"/surveys/invitations/{issued.invitation.pk}/reissue/").status_code == 404
    client = login(advisor_a)
    posted = client.post(f"/surveys/invitations/{issued.invitation.pk}/reissue/")
    new = SurveyInvitation.objects.exclude(pk=issued.invitation.pk).get()
    assert posted.status_code == 302 and posted.url == f"/surveys/invitations/{new.pk}/link/"  # POST-redirect-GET
    page = client.get(posted.url)
    assert page.status_code == 200
    link = page.context["link"]
    assert link.startswith("http://testserver/s/") and services.invitation_for_token(link.rsplit("/", 2)[1]) == new
    html = page.content.decode()
    # one state: what happened to the message, never "sent" next to "pending"
    assert ("was sent to the customer" in html) != (
        "give the link to the customer yourself" in html or "give it to the customer yourself" in html
    )
    again = client.get(posted.url)  # a refresh: no new link sent, the link not shown again
    assert again.context["link"] is None and link not in again.content.decode()
    assert SurveyInvitation.objects.count() == 2
    assert login(advisor_b).get(posted.url).status_code == 404
    listing = login(advisor_a).get("/surveys/invitations/?status=replaced").content.decode()
    assert issued.invitation.repair_order.number in listing


def test_phone_survey_page(dealer_a, dealer_b, advisor_a):
    order = delivered_order(dealer_a, advisor_a)
    caller = followup(dealer_a)
    client = login(caller)
    assert client.get(f"/surveys/phone/?ro={order.number}").url == f"/surveys/phone/{order.pk}/"
    page = client.get(f"/surveys/phone/{order.pk}/")
    assert page.status_code == 200 and 'name="SQ3"' in page.content.decode()
    refused = client.post(f"/surveys/phone/{order.pk}/", {**GOOD_CSI, "SA1": ""})
    assert refused.status_code == 400 and "SA1" in refused.context["form"].errors
    done = client.post(f"/surveys/phone/{order.pk}/", {**GOOD_CSI, "NPS": "3"})
    response = SurveyResponse.objects.get()
    assert done.url == response.get_absolute_url()
    assert (response.channel, response.taken_by, response.low_score) == ("phone", caller, True)
    assert login(followup(dealer_b)).get(f"/surveys/phone/{order.pk}/").status_code == 404
    assert login(advisor_a).get(f"/surveys/phone/{order.pk}/").status_code == 404


def test_questionnaire_pages_and_new_version(dealer_a, dealer_b):
    boss = manager(dealer_a)
    client = login(boss)
    assert client.get("/surveys/questionnaires/").status_code == 200
    assert client.get(f"/surveys/questionnaires/{csi().pk}/").status_code == 200
    form = client.get(f"/surveys/questionnaires/{csi().pk}/new-version/").context["form"]
    data = {name: field.initial for name, field in form.fields.items() if field.initial is not None}
    data.update(
        {"name_zh": "甲店CSI", "name_en": "A CSI", "q_SA1_text_zh": "顾问态度", "use_now": "on", "dealer": dealer_a.pk}
    )
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False}
    reply = client.post(f"/surveys/questionnaires/{csi().pk}/new-version/", data)
    copy = Questionnaire.objects.get(dealer=dealer_a)
    assert reply.url == copy.get_absolute_url()
    assert copy.questions.get(code="SA1").text_zh == "顾问态度"
    assert DealerSurveySettings.objects.get(dealer=dealer_a).questionnaire == copy
    # Dealer B does not see dealer A's version; a follow-up specialist cannot make one.
    assert login(manager(dealer_b)).get(f"/surveys/questionnaires/{copy.pk}/").status_code == 404
    assert login(followup(dealer_a)).get(f"/surveys/questionnaires/{csi().pk}/new-version/").status_code == 404


def test_settings_page(dealer_a, dealer_b):
    client = login(manager(dealer_a))
    page = client.get(f"/surveys/settings/{dealer_a.pk}/")
    assert page.status_code == 200
    reply = client.post(
        f"/surveys/settings/{dealer_a.pk}/",
        {"questionnaire": "", "invite_after_delivery": "", "validity_days": "7", "channel": "record", "version": ""},
    )
    assert reply.status_code == 302
    saved = DealerSurveySettings.objects.get(dealer=dealer_a)
    assert (saved.validity_days, saved.invite_after_delivery) == (7, False)
    bad = client.post(
        f"/surveys/settings/{dealer_a.pk}/", {"validity_days": "0", "channel": "record", "version": saved.version}
    )
    assert bad.status_code == 400 and DealerSurveySettings.objects.get(dealer=dealer_a).validity_days == 7
    assert client.get(f"/surveys/settings/{dealer_b.pk}/").status_code == 404
    assert login(followup(dealer_a)).get(f"/surveys/settings/{dealer_a.pk}/").status_code == 404


def count_queries(client, url, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", ["/surveys/results/", "/surveys/responses/", "/surveys/invitations/",
                                 "/surveys/questionnaires/", "/surveys/responses/export.xlsx"])  # fmt: skip
def test_list_pages_do_not_grow_with_rows(url, dealer_a, advisor_a, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(followup(dealer_a))
    answered(dealer_a, advisor_a, SA1=1)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(6):
        answered(dealer_a, UserFactory(roles=[Role.SERVICE_ADVISOR], dealers=[dealer_a]), SA1=2)
    invite(delivered_order(dealer_a, advisor_a))
    with django_assert_max_num_queries(len(few)):
        assert client.get(url).status_code == 200


def test_menu_entry_leads_each_role_to_its_page(dealer_a, advisor_a):
    from core.navigation import nav_for

    caller, region = followup(dealer_a), UserFactory(roles=[Role.REGION_MANAGER], regions=[dealer_a.region])
    for user in (caller, advisor_a, manager(dealer_a), region):
        assert "surveys:home" in [item["url_name"] for item in nav_for(user)]
    assert "surveys:home" not in [
        i["url_name"] for i in nav_for(UserFactory(roles=[Role.TECHNICIAN], dealers=[dealer_a]))
    ]
    assert login(caller).get("/surveys/").url == "/surveys/results/"
    assert login(advisor_a).get("/surveys/").url == "/surveys/invitations/"
    assert login(advisor_a).get("/surveys/results/").status_code == 404
