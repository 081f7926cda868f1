"""API: indicator systems (read) and audits (create, score, submit), tenant-scoped, with query counts."""

import pytest
from django.utils import timezone

from evaluation.models import Audit
from evaluation.services import audits
from evaluation.services import systems as system_services

pytestmark = pytest.mark.django_db


def test_indicator_systems_read(
    api_en, manager_a, default_version, other_oem_dealer, superuser, django_assert_max_num_queries
):
    other = system_services.indicator_system_adopt(oem=other_oem_dealer.region.oem, by=superuser)
    client = api_en(manager_a)
    with django_assert_max_num_queries(10):
        listed = client.get("/api/v1/indicator-systems/")
    assert listed.status_code == 200
    ids = (
        [row["id"] for row in listed.json()["results"]]
        if "results" in listed.json()
        else [row["id"] for row in listed.json()]
    )
    assert ids == [default_version.system_id]
    with django_assert_max_num_queries(12):
        detail = client.get(f"/api/v1/indicator-systems/{default_version.system_id}/")
    version = detail.json()["versions"][0]
    assert [d["code"] for d in version["dimensions"]] == list("ABCDEFG")
    top = next(m for m in version["matrices"] if m["dimension"] is None)
    assert top["elements"] == list("ABCDEFG") and top["cr"] < 0.1 and sum(top["weights"]) == pytest.approx(1)
    assert client.get(f"/api/v1/indicator-systems/{other.pk}/").status_code == 404
    assert client.post("/api/v1/indicator-systems/", {}).status_code in (403, 405)


def test_audit_api_flow_and_isolation(
    api_en, manager_a, manager_b, dealer_a, dealer_b, template, png, django_assert_max_num_queries
):
    client = api_en(manager_a)
    today = timezone.localdate().isoformat()
    created = client.post(
        "/api/v1/audits/",
        {"dealer": dealer_a.pk, "template": template.pk, "kind": "self", "audit_date": today},
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert len(body["items"]) == 35 and body["status"] == "draft"
    refused = client.post(
        "/api/v1/audits/",
        {"dealer": dealer_b.pk, "template": template.pk, "kind": "self", "audit_date": today},
        format="json",
    )
    assert refused.status_code == 400 and "dealer" in refused.json()
    audit = Audit.objects.get(pk=body["id"])
    for item_score in audit.item_scores.select_related("item").filter(item__evidence_required=True):
        audits.audit_add_evidence(audit=audit, item_score=item_score, file=png(), by=manager_a)
    rows = [{"item": row["item"], "score": row["points"]} for row in body["items"]]
    rows[0] = {"item": rows[0]["item"], "excluded": True, "exclusion_reason": "不适用"}
    bad = client.post(
        f"/api/v1/audits/{audit.pk}/scores/",
        {"version": 1, "items": [{"item": rows[1]["item"], "score": "99"}]},
        format="json",
    )
    assert bad.status_code == 400
    scored = client.post(f"/api/v1/audits/{audit.pk}/scores/", {"version": 1, "items": rows}, format="json")
    assert scored.status_code == 200 and scored.json()["live_score"] == "100.00"
    conflict = client.post(f"/api/v1/audits/{audit.pk}/submit/", {"version": 1}, format="json")
    assert conflict.status_code == 409
    adj = client.post(f"/api/v1/audits/{audit.pk}/adjustments/", {"kind": "deduction", "reason": "x"}, format="json")
    assert adj.status_code == 201
    submitted = client.post(f"/api/v1/audits/{audit.pk}/submit/", {"version": 2}, format="json")
    assert submitted.status_code == 200 and submitted.json()["score"] == "99.00"
    # another dealer: not there
    other = api_en(manager_b)
    assert other.get(f"/api/v1/audits/{audit.pk}/").status_code == 404
    assert other.post(f"/api/v1/audits/{audit.pk}/confirm/", {"version": 3}, format="json").status_code == 404
    assert other.get("/api/v1/audits/").json()["count"] == 0 if "count" in other.get("/api/v1/audits/").json() else True
    with django_assert_max_num_queries(10):
        assert client.get("/api/v1/audits/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(f"/api/v1/audits/{audit.pk}/").status_code == 200


def test_region_manager_conducts_official_audit_via_api(api_en, region_manager, dealer_a, dealer_b, template):
    client = api_en(region_manager)
    today = timezone.localdate().isoformat()
    ok = client.post(
        "/api/v1/audits/",
        {"dealer": dealer_a.pk, "template": template.pk, "kind": "official", "audit_date": today},
        format="json",
    )
    assert ok.status_code == 201
    denied = client.post(
        "/api/v1/audits/",
        {"dealer": dealer_a.pk, "template": template.pk, "kind": "self", "audit_date": today},
        format="json",
    )
    assert denied.status_code == 403
    assert Audit.objects.count() == 1
