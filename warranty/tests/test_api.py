"""The warranty-claim API: one claim through every step, input errors, stale versions and other dealers."""

from decimal import Decimal

import pytest

from customers.models import Vehicle
from warranty.choices import ClaimStatus
from warranty.models import WarrantyClaim
from warranty.tests.factories import (
    CLAIM_FIELDS,
    claim_at,
    claims_snapshot,
    draft_claim,
    manager,
    vehicle_in_warranty,
    warranty_line_ids,
    warranty_order,
)

pytestmark = pytest.mark.django_db
URL = "/api/v1/warranty-claims/"


def ok(response, code=200):
    assert response.status_code == code, response.content
    return response.json() if response.content else None


def test_one_claim_through_the_api(api_en, order_a, advisor_a, manager_a):
    desk, boss = api_en(advisor_a), api_en(manager_a)
    claim = ok(desk.post(URL, {"repair_order": order_a.pk, "lines": warranty_line_ids(order_a), **CLAIM_FIELDS},
                         format="json"), 201)  # fmt: skip
    assert (claim["status"], claim["total_amount"], claim["in_warranty"]) == ("draft", "1210.00", True)
    assert [line["description"] for line in claim["lines"]] == ["更换点火线圈", "点火线圈"]
    url = f"{URL}{claim['id']}/"
    claim = ok(desk.patch(url, {"version": claim["version"], "failure_code": "P0301"}, format="json"))
    assert (claim["failure_code"], claim["version"], claim["failure_description"]) == (
        "P0301",
        2,
        "发动机抖动，多缸失火",
    )
    claim = ok(desk.post(f"{url}submit/", {"version": claim["version"]}, format="json"))
    assert claim["status"] == "submitted" and claim["submitted_by"] == advisor_a.username
    claim = ok(boss.post(f"{url}decide/", {"version": claim["version"], "approved": True, "approved_amount": "1200"},
                         format="json"))  # fmt: skip
    assert (claim["status"], claim["approved_amount"]) == ("approved", "1200.00")
    claim = ok(boss.post(f"{url}mark-paid/", {"version": claim["version"], "paid_amount": "1150.00"}, format="json"))
    assert (claim["status"], claim["paid_amount"]) == ("paid", "1150.00")
    listed = ok(desk.get(URL, {"status": "paid"}))
    assert listed["count"] == 1 and listed["results"][0]["number"] == claim["number"]
    assert "lines" not in listed["results"][0]
    assert ok(desk.get(URL, {"status": "draft"}))["count"] == 0
    assert ok(desk.get(url))["version"] == claim["version"]


def test_input_errors_are_400_with_field_messages_and_change_nothing(api_en, order_a, advisor_a, manager_a):
    desk = api_en(advisor_a)
    before = claims_snapshot()
    response = desk.post(URL, {"repair_order": order_a.pk, "lines": [], **CLAIM_FIELDS}, format="json")
    assert response.status_code == 400 and "lines" in response.json()
    response = desk.post(URL, {"repair_order": order_a.pk, "lines": [999999], **CLAIM_FIELDS}, format="json")
    assert response.status_code == 400
    assert response.json() == {"lines": [f"Choose only lines of repair order {order_a.number}."]}
    response = desk.post(URL, {"repair_order": order_a.pk, "lines": warranty_line_ids(order_a)}, format="json")
    assert response.status_code == 400 and "failure_code" in response.json()
    assert claims_snapshot() == before

    claim = draft_claim(order_a, advisor_a)
    Vehicle.objects.filter(pk=order_a.vehicle_id).update(mileage_km=1)  # irrelevant: the RO's odometer counts
    WarrantyClaim.objects.filter(pk=claim.pk).update(mileage_at_repair=150_000)
    before = claims_snapshot()
    response = desk.post(f"{URL}{claim.pk}/submit/", {"version": claim.version}, format="json")
    assert response.status_code == 400
    assert "cover ends at 100,000 km; the car had 150,000 km" in response.json()["coverage"][0]
    response = api_en(manager_a).post(f"{URL}{claim.pk}/decide/", {"version": 1, "approved": True}, format="json")
    assert response.status_code == 400
    assert response.json()["action"] == ["“Record approval” is not possible while the claim is “Draft”."]
    assert claims_snapshot() == before


def test_a_stale_version_is_409_and_changes_nothing(api_en, order_a, advisor_a):
    claim = draft_claim(order_a, advisor_a)
    desk = api_en(advisor_a)
    ok(desk.patch(f"{URL}{claim.pk}/", {"version": 1, "causal_part_name": "点火线圈总成"}, format="json"))
    before = claims_snapshot()
    response = desk.post(f"{URL}{claim.pk}/submit/", {"version": 1}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "conflict"
    assert desk.patch(f"{URL}{claim.pk}/", {"version": 1, "failure_code": "X"}, format="json").status_code == 409
    assert claims_snapshot() == before


def test_roles_decide_who_may_do_what(api_en, order_a, advisor_a, technician_a, region_manager):
    body = {"repair_order": order_a.pk, "lines": warranty_line_ids(order_a), **CLAIM_FIELDS}
    assert api_en(technician_a).post(URL, body, format="json").status_code == 403
    assert api_en(region_manager).post(URL, body, format="json").status_code == 403
    claim = claim_at(ClaimStatus.SUBMITTED, order_a, advisor_a)
    before = claims_snapshot()
    decision = {"version": claim.version, "approved": False, "rejection_reason": "x"}
    assert api_en(advisor_a).post(f"{URL}{claim.pk}/decide/", decision, format="json").status_code == 403
    assert api_en(technician_a).post(f"{URL}{claim.pk}/decide/", decision, format="json").status_code == 403
    # The region manager reads the claim but may change nothing there: for writes it does not exist.
    assert api_en(region_manager).get(f"{URL}{claim.pk}/").status_code == 200
    assert api_en(region_manager).post(f"{URL}{claim.pk}/decide/", decision, format="json").status_code == 404
    assert api_en(advisor_a).delete(f"{URL}{claim.pk}/", {"version": claim.version}, format="json").status_code == 403
    assert claims_snapshot() == before


def test_a_manager_discards_a_draft(api_en, order_a, advisor_a, manager_a):
    claim = draft_claim(order_a, advisor_a)
    boss = api_en(manager_a)
    assert boss.delete(f"{URL}{claim.pk}/").status_code == 400  # the version is required
    assert boss.delete(f"{URL}{claim.pk}/?version={claim.version}").status_code == 204
    assert not WarrantyClaim.objects.exists()


def test_every_endpoint_is_404_for_another_dealer(api_en, order_a, advisor_a, advisor_b, dealer_a, dealer_b):
    claim = draft_claim(order_a, advisor_a)
    other = api_en(advisor_b)
    before = claims_snapshot()
    assert other.get(f"{URL}{claim.pk}/").status_code == 404
    assert ok(other.get(URL))["count"] == 0
    assert other.patch(f"{URL}{claim.pk}/", {"version": 1, "failure_code": "X"}, format="json").status_code == 404
    assert api_en(manager(dealer_b)).delete(f"{URL}{claim.pk}/", {"version": 1}, format="json").status_code == 404
    for action in ("submit", "decide", "mark-paid"):
        assert other.post(f"{URL}{claim.pk}/{action}/", {"version": 1}, format="json").status_code == 404, action
    # Another dealer's order or filter answers like one that does not exist.
    order_b_own = warranty_order(vehicle_in_warranty(dealer_b), advisor_b)
    response = other.post(URL, {"repair_order": order_a.pk, "lines": warranty_line_ids(order_a), **CLAIM_FIELDS},
                          format="json")  # fmt: skip
    assert response.status_code == 400 and "repair_order" in response.json()
    assert other.get(URL, {"dealer": dealer_a.pk}).status_code == 400
    assert ok(other.get(URL, {"repair_order": order_a.pk}))["count"] == 0
    # Lines of A's order sent with B's own order are not lines of that order.
    response = other.post(URL, {"repair_order": order_b_own.pk, "lines": warranty_line_ids(order_a), **CLAIM_FIELDS},
                          format="json")  # fmt: skip
    assert response.status_code == 400 and "lines" in response.json()
    assert claims_snapshot() == before


def test_filters(api_en, dealer_a, order_a, advisor_a):
    claim_at(ClaimStatus.SUBMITTED, order_a, advisor_a)
    other = draft_claim(warranty_order(vehicle_in_warranty(dealer_a), advisor_a), advisor_a, failure_code="B1000")
    desk = api_en(advisor_a)
    assert [c["number"] for c in ok(desk.get(URL, {"failure_code": "B1000"}))["results"]] == [other.number]
    assert ok(desk.get(URL, {"repair_order": order_a.pk}))["count"] == 1
    assert ok(desk.get(URL, {"submitted_after": "2000-01-01T00:00:00Z"}))["count"] == 1
    assert ok(desk.get(URL, {"dealer": dealer_a.pk}))["count"] == 2
    assert ok(desk.get(URL, {"ordering": "total_amount"}))["count"] == 2
    assert Decimal(ok(desk.get(URL))["results"][0]["total_amount"]) == Decimal("1210.00")
