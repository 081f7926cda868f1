"""The claim pages, as each role uses them: list, create from an order, detail with actions, export, report."""

from datetime import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from core.navigation import nav_for
from core.tests.helpers import login
from customers.models import Vehicle
from repairs import services as ro
from repairs.choices import RepairOrderStatus as S
from warranty.choices import ClaimStatus, Coverage
from warranty.models import WarrantyClaim
from warranty.tests.factories import (
    CLAIM_FIELDS,
    claim_at,
    claims_snapshot,
    draft_claim,
    vehicle_in_warranty,
    warranty_line_ids,
    warranty_order,
)

pytestmark = pytest.mark.django_db
LIST = reverse("warranty:claim_list")
NEW = reverse("warranty:claim_create")
EXPORT = reverse("warranty:claim_export")
REPORT = reverse("warranty:claim_report")


def url(name, claim):
    return reverse(f"warranty:{name}", args=[claim.pk])


def test_the_menu_shows_warranty_to_whoever_may_view_claims(advisor_a, technician_a, region_manager):
    for user in (advisor_a, technician_a, region_manager):
        assert "warranty:claim_list" in [item["url_name"] for item in nav_for(user)]


def test_an_advisor_creates_a_claim_from_the_ro_number_and_submits_it(order_a, advisor_a):
    desk = login(advisor_a)
    page = desk.get(NEW).content.decode()
    assert "Find repair order" in page
    page = desk.get(NEW, {"ro": order_a.number.lower()}).content.decode()
    assert order_a.number in page and "In warranty" in page and "更换点火线圈" in page
    response = desk.post(NEW, {"order": order_a.pk, "lines": warranty_line_ids(order_a), **CLAIM_FIELDS,
                               "coverage": Coverage.BASIC})  # fmt: skip
    claim = WarrantyClaim.objects.get()
    assert response.status_code == 302 and response["Location"] == claim.get_absolute_url()
    page = desk.get(claim.get_absolute_url()).content.decode()
    assert claim.number in page and "1210.00" in page and "Submit to the maker" in page
    assert 'id="history"' in page and "Edit the draft" in page
    assert "Record decision" not in page  # the advisor does not record the maker's answer
    response = desk.post(url("claim_submit", claim), {"version": claim.version})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED and claim.submitted_by == advisor_a


def test_the_create_page_is_also_reached_with_the_order_id(order_a, advisor_a):
    page = login(advisor_a).get(NEW, {"order": order_a.pk}).content.decode()
    assert f'name="order" value="{order_a.pk}"' in page


def test_create_page_errors(order_a, advisor_a, advisor_b, dealer_a):
    desk = login(advisor_a)
    assert "No repair order with this number at your dealers." in desk.get(NEW, {"ro": "NOPE-1"}).content.decode()
    assert login(advisor_b).get(NEW, {"order": order_a.pk}).status_code == 404
    assert login(advisor_b).get(NEW, {"ro": order_a.number}).content.decode().count("No repair order") == 1
    response = desk.post(NEW, {"order": order_a.pk, "lines": [], **CLAIM_FIELDS, "coverage": "basic"})
    assert (
        response.status_code == 400 and "Choose at least one warranty line of the order." in response.content.decode()
    )
    early = warranty_order(vehicle_in_warranty(dealer_a), advisor_a, S.ESTIMATED)
    assert "once the customer has approved the work" in desk.get(NEW, {"order": early.pk}).content.decode()
    draft_claim(order_a, advisor_a)
    assert "no warranty-paid line left to claim" in desk.get(NEW, {"order": order_a.pk}).content.decode()


def test_a_line_claimed_meanwhile_is_a_form_error_and_nothing_is_saved(order_a, advisor_a):
    desk = login(advisor_a)
    lines = warranty_line_ids(order_a)
    draft_claim(order_a, advisor_a)
    before = claims_snapshot()
    response = desk.post(NEW, {"order": order_a.pk, "lines": lines, **CLAIM_FIELDS, "coverage": "basic"})
    assert response.status_code == 400
    assert claims_snapshot() == before


def test_out_of_warranty_submission_shows_the_reason_and_changes_nothing(order_a, advisor_a):
    claim = draft_claim(order_a, advisor_a)
    Vehicle.objects.filter(pk=order_a.vehicle_id).update(purchase_date=None)
    before = claims_snapshot()
    response = login(advisor_a).post(url("claim_submit", claim), {"version": claim.version})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Cannot prove the warranty: the vehicle has no purchase date" in page
    assert claims_snapshot() == before


def test_the_draft_is_edited_to_goodwill_then_submitted(order_a, advisor_a):
    claim = draft_claim(order_a, advisor_a)
    Vehicle.objects.filter(pk=order_a.vehicle_id).update(purchase_date=None)
    desk = login(advisor_a)
    data = {**CLAIM_FIELDS, "coverage": Coverage.GOODWILL, "goodwill_note": "厂家区域经理同意", "version": 1}
    assert desk.post(url("claim_edit", claim), data).status_code == 302
    assert desk.post(url("claim_submit", claim), {"version": 2}).status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.coverage) == (ClaimStatus.SUBMITTED, Coverage.GOODWILL)
    stale = desk.post(url("claim_edit", claim), data)
    assert stale.status_code == 400


def test_the_manager_records_the_decision_and_the_payment(order_a, advisor_a, manager_a):
    claim = claim_at(ClaimStatus.SUBMITTED, order_a, advisor_a)
    boss = login(manager_a)
    page = boss.get(claim.get_absolute_url()).content.decode()
    assert "Record decision" in page
    too_much = boss.post(url("claim_decide", claim), {"version": claim.version, "decision": "approve",
                                                      "approved_amount": "5000"})  # fmt: skip
    assert too_much.status_code == 400 and "at most the claimed 1210.00" in too_much.content.decode()
    response = boss.post(url("claim_decide", claim), {"version": claim.version, "decision": "approve",
                                                      "approved_amount": "1100.50"})  # fmt: skip
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.approved_amount) == (ClaimStatus.APPROVED, Decimal("1100.50"))
    response = boss.post(url("claim_mark_paid", claim), {"version": claim.version, "paid_amount": "",
                                                         "paid_on": timezone.localdate().isoformat()})  # fmt: skip
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.paid_amount, claim.paid_by) == (ClaimStatus.PAID, Decimal("1100.50"), manager_a)
    page = boss.get(claim.get_absolute_url()).content.decode()
    assert "Next steps" not in page and "1100.50" in page


def test_a_rejection_through_the_page(order_a, advisor_a, manager_a):
    claim = claim_at(ClaimStatus.SUBMITTED, order_a, advisor_a)
    boss = login(manager_a)
    missing = boss.post(url("claim_decide", claim), {"version": claim.version, "decision": "reject"})
    assert missing.status_code == 400 and "Give the maker&#x27;s reason" in missing.content.decode()
    boss.post(
        url("claim_decide", claim), {"version": claim.version, "decision": "reject", "rejection_reason": "非质量问题"}
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REJECTED and claim.rejection_reason == "非质量问题"


def test_a_manager_discards_a_draft(order_a, advisor_a, manager_a):
    claim = draft_claim(order_a, advisor_a)
    response = login(manager_a).post(url("claim_delete", claim), {"version": claim.version})
    assert response.status_code == 302 and response["Location"] == LIST
    assert not WarrantyClaim.objects.exists()


def test_read_only_users_see_no_forms_and_their_posts_change_nothing(order_a, advisor_a, region_manager, technician_a):
    claim = claim_at(ClaimStatus.SUBMITTED, order_a, advisor_a)
    before = claims_snapshot()
    region = login(region_manager)
    page = region.get(claim.get_absolute_url()).content.decode()
    assert claim.number in page and '<form method="post" action="/warranty' not in page
    data = {"version": claim.version, "decision": "approve", "approved_amount": "1"}
    assert region.post(url("claim_decide", claim), data).status_code == 404
    assert region.get(NEW).status_code == 404
    assert login(technician_a).post(url("claim_decide", claim), data).status_code == 400
    assert claims_snapshot() == before


def test_another_dealers_claim_is_404_on_every_page(order_a, advisor_a, advisor_b, dealer_a):
    claim = draft_claim(order_a, advisor_a)
    other = login(advisor_b)
    assert other.get(claim.get_absolute_url()).status_code == 404
    for name in ("claim_edit", "claim_submit", "claim_decide", "claim_mark_paid", "claim_delete"):
        assert other.post(url(name, claim), {"version": 1}).status_code == 404, name
    assert claim.number not in other.get(LIST).content.decode()
    assert other.get(LIST, {"dealer": dealer_a.pk}).status_code == 404
    assert other.get(EXPORT, {"dealer": dealer_a.pk}).status_code == 404


def test_anonymous_visitors_are_sent_to_login(order_a, advisor_a):
    claim = draft_claim(order_a, advisor_a)
    for path in (LIST, NEW, EXPORT, REPORT, claim.get_absolute_url()):
        response = Client().get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], path


def test_the_list_filters_by_status_dealer_and_submission_date_and_pages(dealer_a, advisor_a, order_a):
    submitted = claim_at(ClaimStatus.SUBMITTED, order_a, advisor_a)
    draft = draft_claim(warranty_order(vehicle_in_warranty(dealer_a), advisor_a), advisor_a)
    desk = login(advisor_a)
    page = desk.get(LIST).content.decode()
    assert submitted.number in page and draft.number in page and 'id="status-totals"' in page
    page = desk.get(LIST, {"status": "draft"}).content.decode()
    assert draft.number in page and submitted.number not in page
    today = timezone.localdate().isoformat()
    page = desk.get(LIST, {"submitted_from": today, "submitted_to": today}).content.decode()
    assert submitted.number in page and draft.number not in page
    page = desk.get(LIST, {"submitted_to": "2000-01-01"}).content.decode()
    assert "No warranty claim matches." in page
    page = desk.get(LIST, {"q": submitted.repair_order.number}).content.decode()
    assert submitted.number in page and draft.number not in page
    assert desk.get(LIST, {"status": "bogus", "submitted_from": "not-a-date"}).status_code == 200
    WarrantyClaim.objects.bulk_create(
        [WarrantyClaim(dealer=dealer_a, number=f"WC-X-{i:03d}", repair_order=order_a, vehicle=order_a.vehicle,
                       repair_date=draft.repair_date, created_by=advisor_a, **CLAIM_FIELDS) for i in range(30)]
    )  # fmt: skip
    page = desk.get(LIST, {"status": "draft", "page": 2}).content.decode()
    assert "page 2 of 2, 31 records" in page


def test_the_export_has_a_row_per_claim_and_the_totals_per_status(dealer_a, advisor_a, order_a, advisor_b, dealer_b):
    paid = claim_at(ClaimStatus.PAID, order_a, advisor_a)
    draft = draft_claim(warranty_order(vehicle_in_warranty(dealer_a), advisor_a), advisor_a)
    draft_claim(warranty_order(vehicle_in_warranty(dealer_b), advisor_b), advisor_b)  # not exported to A
    response = login(advisor_a).get(EXPORT)
    assert response["Content-Disposition"] == 'attachment; filename="warranty-claims.xlsx"'
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    header = rows[0]
    assert header[:3] == ("Dealer", "Claim number", "RO number")
    claims = {row[1]: dict(zip(header, row, strict=True)) for row in rows[1:3]}
    assert set(claims) == {paid.number, draft.number}
    assert claims[paid.number]["Status"] == "Paid" and claims[paid.number]["Claimed total"] == 1210
    assert claims[paid.number]["Paid amount"] == 1000 and claims[paid.number]["In warranty"] == "yes"
    assert rows[3] == (None,) * len(header)
    totals = [row[:5] for row in rows[4:]]
    assert totals == [
        ("Totals per status", "Claims", "Claimed total", "Approved amount", "Paid amount"),
        ("Draft", 1, 1210, 0, 0),
        ("Paid", 1, 1210, 1000, 1000),
    ]
    filtered = load_workbook(BytesIO(login(advisor_a).get(EXPORT, {"status": "paid"}).content)).active
    assert [row[1] for row in filtered.iter_rows(min_row=2, max_row=2, values_only=True)] == [paid.number]


def make(dealer, order, advisor, number, status, submitted, code, total, approved=None, paid=None):
    """A hand-built claim with the given numbers (no services: the report only adds them up)."""
    at = timezone.make_aware(datetime.fromisoformat(submitted)) if submitted else None
    return WarrantyClaim.objects.create(
        dealer=dealer, repair_order=order, vehicle=order.vehicle, number=number, status=status, submitted_at=at,
        repair_date=order.arrived_at.date(), created_by=advisor, failure_code=code, failure_description="-",
        causal_part_number="-", causal_part_name="-", total_amount=Decimal(total),
        approved_amount=Decimal(approved) if approved else None, paid_amount=Decimal(paid) if paid else None,
    )  # fmt: skip


def test_the_report_adds_up_by_status_month_and_failure_code(dealer_a, dealer_b, advisor_a, advisor_b, order_a):
    order_b = ro.repair_order_open(
        vehicle=vehicle_in_warranty(dealer_b), by=advisor_b, customer_complaint="x", job_type="warranty"
    )
    make(dealer_a, order_a, advisor_a, "C1", ClaimStatus.DRAFT, None, "P0300", "100")
    make(dealer_a, order_a, advisor_a, "C2", ClaimStatus.SUBMITTED, "2026-01-10 10:00", "P0300", "200")
    make(dealer_a, order_a, advisor_a, "C3", ClaimStatus.APPROVED, "2026-01-20 10:00", "P0300", "300", "250")
    make(dealer_a, order_a, advisor_a, "C4", ClaimStatus.REJECTED, "2026-02-03 10:00", "B1000", "400")
    make(dealer_a, order_a, advisor_a, "C5", ClaimStatus.PAID, "2026-02-28 23:30", "P0300", "500", "500", "480")
    make(dealer_b, order_b, advisor_b, "C6", ClaimStatus.PAID, "2026-02-10 10:00", "P0300", "9000", "9000", "9000")
    response = login(advisor_a).get(REPORT)
    context = response.context
    by_status = {
        row["status"]: (row["count"], row["claimed"], row["approved"], row["paid"]) for row in context["by_status"]
    }
    assert by_status == {
        "draft": (1, Decimal("100"), 0, 0),
        "submitted": (1, Decimal("200"), 0, 0),
        "approved": (1, Decimal("300"), Decimal("250"), 0),
        "rejected": (1, Decimal("400"), 0, 0),
        "paid": (1, Decimal("500"), Decimal("500"), Decimal("480")),
    }
    assert (context["total"]["count"], context["total"]["claimed"], context["total"]["paid"]) == (
        5, Decimal("1500"), Decimal("480"),
    )  # fmt: skip
    months = {
        row["month"].strftime("%Y-%m"): (row["count"], row["pending_count"], row["approved_count"],
                                         row["rejected_count"], row["paid_count"], row["approval_rate"],
                                         row["claimed"], row["paid"])
        for row in context["by_month"]
    }  # fmt: skip
    assert months == {
        "2026-01": (2, 1, 1, 0, 0, 100.0, Decimal("500"), 0),
        "2026-02": (2, 0, 1, 1, 1, 50.0, Decimal("900"), Decimal("480")),
    }
    codes = {row["failure_code"]: (row["count"], row["approved_count"], row["rejected_count"], row["claimed"],
                                   row["approved"]) for row in context["by_failure_code"]}  # fmt: skip
    assert codes == {
        "P0300": (3, 2, 0, Decimal("1000"), Decimal("750")),
        "B1000": (1, 0, 1, Decimal("400"), 0),
    }
    page = response.content.decode()
    assert 'data-month="2026-02"' in page and 'data-code="B1000"' in page and "50.0%" in page
    february = login(advisor_a).get(REPORT, {"submitted_from": "2026-02-01", "submitted_to": "2026-02-28"}).context
    assert [row["count"] for row in february["by_month"]] == [2]
    assert {row["status"] for row in february["by_status"]} == {"rejected", "paid"}
