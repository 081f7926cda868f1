"""Survey API: tenant-scoped reads, re-issue, guessed ids, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.choices import Role
from core.tests.factories import UserFactory
from surveys import services
from surveys.models import SurveyInvitation
from surveys.tests.factories import GOOD_CSI, csi, delivered_order, followup, invite, manager

pytestmark = pytest.mark.django_db


def answered(dealer, advisor, **overrides):
    issued = invite(delivered_order(dealer, advisor))
    return services.survey_record_response(
        invitation_or_order=issued.invitation, answers={**GOOD_CSI, **overrides}, channel="link"
    )


def test_questionnaires_shared_and_own_versions_only(api_en, dealer_a, dealer_b):
    copy = services.questionnaire_new_version(
        source=csi(), dealer=dealer_a, by=manager(dealer_a), name_zh="甲", name_en="A", questions={},
        factor_weights=csi().factor_weights,
    )  # fmt: skip
    a_codes = {
        (q["code"], q["version"])
        for q in api_en(followup(dealer_a)).get("/api/v1/surveys/questionnaires/").json()["results"]
    }
    b_codes = {
        (q["code"], q["version"])
        for q in api_en(followup(dealer_b)).get("/api/v1/surveys/questionnaires/").json()["results"]
    }
    assert a_codes == {("CSI", 1), ("CSI", 2), ("SERVQUAL", 1)}
    assert b_codes == {("CSI", 1), ("SERVQUAL", 1)}
    assert api_en(followup(dealer_b)).get(f"/api/v1/surveys/questionnaires/{copy.pk}/").status_code == 404
    detail = api_en(followup(dealer_a)).get(f"/api/v1/surveys/questionnaires/{csi().pk}/").json()
    assert len(detail["questions"]) == 21 and detail["questions"][0]["code"] == "SI1"
    assert detail["factor_weights"]["service_quality"] == 22
    assert api_en(followup(dealer_a)).post("/api/v1/surveys/questionnaires/", {}).status_code in (403, 405)


def test_responses_are_tenant_scoped(api_en, dealer_a, dealer_b, advisor_a, advisor_b):
    a = answered(dealer_a, advisor_a)
    b = answered(dealer_b, advisor_b)
    api = api_en(followup(dealer_a))
    listed = api.get("/api/v1/survey-responses/").json()
    assert [r["id"] for r in listed["results"]] == [a.pk]
    assert listed["results"][0]["csi_score"] == "76.83" and listed["results"][0]["advisor"] == advisor_a.pk
    assert api.get(f"/api/v1/survey-responses/{b.pk}/").status_code == 404
    detail = api.get(f"/api/v1/survey-responses/{a.pk}/").json()
    assert len(detail["answers"]) == 19 and detail["dimension_scores"]["attitude"] == 75.0
    assert api.get(f"/api/v1/survey-responses/?dealer={dealer_b.pk}").status_code == 400
    assert api.get("/api/v1/survey-responses/?low_score=true").json()["count"] == 0
    region = UserFactory(roles=[Role.REGION_MANAGER], regions=[dealer_a.region])
    assert [r["id"] for r in api_en(region).get("/api/v1/survey-responses/").json()["results"]] == [a.pk]
    technician = UserFactory(roles=[Role.TECHNICIAN], dealers=[dealer_a])
    assert api_en(technician).get("/api/v1/survey-responses/").status_code == 403


def test_invitations_and_reissue(api_en, dealer_a, dealer_b, advisor_a, advisor_b):
    issued = invite(delivered_order(dealer_a, advisor_a))
    other = invite(delivered_order(dealer_b, advisor_b))
    api = api_en(advisor_a)
    listed = api.get("/api/v1/survey-invitations/").json()["results"]
    assert [i["id"] for i in listed] == [issued.invitation.pk] and listed[0]["status"] == "sent"
    assert "token" not in str(listed) and issued.token not in str(listed)
    assert api.get(f"/api/v1/survey-invitations/{other.invitation.pk}/").status_code == 404
    assert api.post(f"/api/v1/survey-invitations/{other.invitation.pk}/reissue/").status_code == 404
    reply = api.post(f"/api/v1/survey-invitations/{issued.invitation.pk}/reissue/")
    assert reply.status_code == 201
    token = reply.json()["link"].rstrip("/").rsplit("/", 1)[1]
    assert services.invitation_for_token(token).pk == reply.json()["invitation"]["id"]
    assert services.invitation_for_token(issued.token) is None
    region = UserFactory(roles=[Role.REGION_MANAGER], regions=[dealer_a.region])
    new_id = reply.json()["invitation"]["id"]
    assert api_en(region).post(f"/api/v1/survey-invitations/{new_id}/reissue/").status_code == 404
    assert SurveyInvitation.objects.filter(dealer=dealer_a).count() == 2


@pytest.mark.parametrize("url", ["/api/v1/survey-responses/", "/api/v1/survey-invitations/",
                                 "/api/v1/surveys/questionnaires/"])  # fmt: skip
def test_list_api_queries_do_not_grow(url, api_en, dealer_a, advisor_a):
    api = api_en(followup(dealer_a))
    answered(dealer_a, advisor_a)
    with CaptureQueriesContext(connection) as few:
        assert api.get(url).status_code == 200
    for _ in range(5):
        answered(dealer_a, advisor_a, SA1=1)
    with CaptureQueriesContext(connection) as many:
        assert api.get(url).status_code == 200
    assert len(many) == len(few) <= 8
