"""Complaint API: list/retrieve/create, contact/resolve/reopen actions, 409 on stale versions, alerts; tenancy."""

import pytest

from complaints.choices import Severity
from complaints.models import Complaint, CrisisAlert
from complaints.tests.factories import open_complaint
from core.tests.helpers import refused

pytestmark = pytest.mark.django_db
URL = "/api/v1/complaints/"


def test_create_contact_resolve_reopen(api_en, dealer_a, advisor_a, manager_a, vehicle_a):
    response = api_en(advisor_a).post(
        URL,
        {"dealer": dealer_a.pk, "channel": "online", "category": "price", "severity": "medium",
         "description": "报价不透明", "vehicle": vehicle_a.pk, "owner": manager_a.pk},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.data
    pk = response.data["id"]
    assert response.data["first_contact_due_at"] and response.data["owner"] == manager_a.pk
    manager = api_en(manager_a)
    response = manager.post(f"{URL}{pk}/contact/", {"channel": "phone", "summary": "已致歉"}, format="json")
    assert response.status_code == 201 and response.data["first_contact_at"]
    version = response.data["version"]
    bad = manager.post(f"{URL}{pk}/resolve/", {"version": version, "root_cause": "", "corrective_action": "",
                                             "customer_agreed": True}, format="json")  # fmt: skip
    assert bad.status_code == 400 and {"root_cause", "corrective_action", "agreement_method"} <= set(bad.data)
    good = {"root_cause": "a", "corrective_action": "b", "customer_agreed": True, "agreement_method": "phone"}
    stale = manager.post(f"{URL}{pk}/resolve/", {**good, "version": version - 1}, format="json")
    assert stale.status_code == 409
    done = manager.post(f"{URL}{pk}/resolve/", {**good, "version": version}, format="json")
    assert done.status_code == 200 and done.data["status"] == "resolved"
    again = manager.post(f"{URL}{pk}/reopen/", {"version": done.data["version"], "reason": "复发"}, format="json")
    assert again.status_code == 200 and again.data["reopen_count"] == 1
    assert [e["action"] for e in again.data["events"]] == ["open", "contact", "resolve", "reopen"]


def test_advisor_may_not_resolve_and_nothing_changes(api_en, dealer_a, advisor_a):
    complaint = open_complaint(dealer_a, advisor_a)
    response = api_en(advisor_a).post(f"{URL}{complaint.pk}/resolve/", {"version": 1}, format="json")
    assert response.status_code == 403
    complaint.refresh_from_db()
    assert complaint.version == 1


def test_tenant_isolation(api_en, dealer_a, dealer_b, advisor_a, advisor_b, manager_b, region_manager, customer_a):
    mine = open_complaint(dealer_a, advisor_a, severity=Severity.CRITICAL)
    theirs = open_complaint(dealer_b, advisor_b, severity=Severity.CRITICAL)
    client = api_en(advisor_b)
    assert [c["id"] for c in client.get(URL).data["results"]] == [theirs.pk]
    assert client.get(f"{URL}{mine.pk}/").status_code == 404
    assert (
        client.post(f"{URL}{mine.pk}/contact/", {"channel": "phone", "summary": "x"}, format="json").status_code == 404
    )
    created = client.post(URL, {"dealer": dealer_b.pk, "channel": "phone", "category": "parts",
                                "description": "x", "customer": customer_a.pk}, format="json")  # fmt: skip
    assert created.status_code == 400 and "customer" in created.data
    assert client.post(URL, {"dealer": dealer_a.pk, "channel": "phone", "category": "parts", "description": "x"},
                       format="json").status_code == 400  # fmt: skip
    alert_a = CrisisAlert.objects.get(dealer=dealer_a)
    manager = api_en(manager_b)
    assert manager.get(f"/api/v1/crisis-alerts/{alert_a.pk}/").status_code == 404
    assert manager.post(f"/api/v1/crisis-alerts/{alert_a.pk}/acknowledge/", {"note": "x"}).status_code == 404
    region = api_en(region_manager)
    assert [c["id"] for c in region.get(URL).data["results"]] == [mine.pk]
    assert refused(region.post(f"{URL}{mine.pk}/contact/", {"channel": "phone", "summary": "x"}, format="json"))
    assert Complaint.objects.get(pk=mine.pk).contacts.count() == 0


def test_crisis_alert_acknowledge(api_en, dealer_a, advisor_a, manager_a):
    open_complaint(dealer_a, advisor_a, severity=Severity.CRITICAL)
    alert = CrisisAlert.objects.get()
    assert api_en(advisor_a).post(f"/api/v1/crisis-alerts/{alert.pk}/acknowledge/", {"note": "x"}).status_code == 403
    listing = api_en(manager_a).get("/api/v1/crisis-alerts/?open=true")
    assert [a["id"] for a in listing.data["results"]] == [alert.pk]
    response = api_en(manager_a).post(f"/api/v1/crisis-alerts/{alert.pk}/acknowledge/", {"note": "店总介入"})
    assert response.status_code == 200 and response.data["acknowledged_at"]
    assert api_en(manager_a).post(f"/api/v1/crisis-alerts/{alert.pk}/acknowledge/", {"note": "x"}).status_code == 400


def test_list_query_counts(api_en, dealer_a, advisor_a, vehicle_a, django_assert_max_num_queries):
    client = api_en(advisor_a)
    for _ in range(2):
        open_complaint(dealer_a, advisor_a, vehicle=vehicle_a, severity=Severity.CRITICAL)
    client.get(URL)
    with django_assert_max_num_queries(8):
        assert client.get(URL).status_code == 200
    for _ in range(5):
        open_complaint(dealer_a, advisor_a, vehicle=vehicle_a, severity=Severity.CRITICAL)
    with django_assert_max_num_queries(8):
        assert len(client.get(URL).data["results"]) == 7
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/crisis-alerts/").status_code == 200
    complaint = Complaint.objects.first()
    with django_assert_max_num_queries(10):
        assert client.get(f"{URL}{complaint.pk}/").status_code == 200
