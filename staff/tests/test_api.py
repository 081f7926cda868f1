"""The staff API: profiles with certificates, training records and assessments; tenancy, input errors, query counts."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from staff.choices import AssessmentKind, Position
from staff.models import Assessment, TrainingRecord
from staff.tests.factories import certificate, course, person, trained

pytestmark = pytest.mark.django_db
SCORES = {"score_competence": 4, "score_attitude": 5, "score_process": 3, "score_teamwork": 4,
          "score_responsibility": 4}  # fmt: skip


def test_profiles_with_certificates_only_of_own_dealers(api_en, manager_a, region_manager, tech_a, tech_b):
    certificate(tech_a, number="OEM-A")
    body = api_en(manager_a).get("/api/v1/staff/").json()
    assert [p["id"] for p in body["results"]] == [tech_a.pk]
    assert body["results"][0]["certificates"][0]["number"] == "OEM-A"
    assert api_en(manager_a).get(f"/api/v1/staff/{tech_b.pk}/").status_code == 404
    assert [p["id"] for p in api_en(region_manager).get("/api/v1/staff/").json()["results"]] == [tech_a.pk]
    assert api_en(tech_a.user).get("/api/v1/staff/").status_code == 403  # staff use their profile page


def test_training_records_create_and_isolation(api_en, manager_a, dealer_a, dealer_b, tech_a, tech_b):
    api = api_en(manager_a)
    lesson = course(dealer_a, "A1", hours="6")
    response = api.post("/api/v1/training-records/", {"profile": tech_a.pk, "course": lesson.pk,
                        "attended_on": "2025-03-01", "result": "passed", "score": 88}, format="json")  # fmt: skip
    assert response.status_code == 201, response.content
    assert (response.json()["hours"], response.json()["course_code"]) == ("6.0", "A1")
    before = TrainingRecord.objects.count()
    response = api.post("/api/v1/training-records/", {"profile": tech_b.pk, "course": lesson.pk,
                        "attended_on": "2025-03-01", "result": "passed"}, format="json")  # fmt: skip
    assert response.status_code == 400 and "profile" in response.json()
    response = api.post("/api/v1/training-records/", {"profile": tech_a.pk, "course": lesson.pk,
                        "attended_on": "2025-03-01", "result": "passed"}, format="json")  # fmt: skip
    assert response.status_code == 400 and "attended_on" in response.json()
    assert TrainingRecord.objects.count() == before
    other = trained(tech_b, 4, date(2025, 1, 1))
    assert api.get(f"/api/v1/training-records/{other.pk}/").status_code == 404
    assert [r["profile"] for r in api.get("/api/v1/training-records/").json()["results"]] == [tech_a.pk]


def test_assessments_api(api_en, dealer_a, tech_a, tech_b):
    peer = person(dealer_a, Position.SERVICE_ADVISOR)
    api = api_en(peer.user)
    response = api.post("/api/v1/assessments/", {"subject": tech_a.pk, "kind": AssessmentKind.PEER, "year": 2026,
                        "quarter": 1, **SCORES}, format="json")  # fmt: skip
    assert response.status_code == 201, response.content
    assert response.json()["average"] == "4.00"
    response = api.post("/api/v1/assessments/", {"subject": peer.pk, "kind": AssessmentKind.PEER, "year": 2026,
                        "quarter": 1, **SCORES}, format="json")  # fmt: skip
    assert response.status_code == 400 and response.json() == {"subject": ["Nobody assesses themselves."]}
    response = api.post("/api/v1/assessments/", {"subject": tech_b.pk, "kind": AssessmentKind.PEER, "year": 2026,
                        "quarter": 1, **SCORES}, format="json")  # fmt: skip
    assert response.status_code == 400 and "subject" in response.json()
    response = api.post("/api/v1/assessments/", {"subject": tech_a.pk, "kind": AssessmentKind.PEER, "year": 2026,
                        "quarter": 2, **{**SCORES, "score_process": 0}}, format="json")  # fmt: skip
    assert response.status_code == 400 and "score_process" in response.json()
    assert Assessment.objects.count() == 1
    assert api.get("/api/v1/assessments/").status_code == 403  # staff add, managers read


def count(api, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert api.get(url).status_code == 200
    return len(queries)


def test_list_queries_do_not_grow(api_en, manager_a, dealer_a, tech_a):
    api = api_en(manager_a)
    urls = ["/api/v1/staff/", "/api/v1/training-records/", "/api/v1/assessments/"]
    boss = person(dealer_a, Position.SERVICE_MANAGER)

    def add():
        p = person(dealer_a)
        certificate(p)
        trained(p, 2, date(2025, 1, 1))
        Assessment.objects.create(dealer=dealer_a, subject=p, assessor=boss.user, kind="supervisor", year=2025,
                                  quarter=1, **SCORES)  # fmt: skip

    add()
    few = [count(api, url) for url in urls]
    for _ in range(5):
        add()
    assert [count(api, url) for url in urls] == few
    assert max(few) <= 10
