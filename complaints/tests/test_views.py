"""Complaint pages: intake, detail forms, list filters and export, dashboard, alerts; tenancy and query counts."""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from complaints import services
from complaints.choices import Severity, Status
from complaints.models import Complaint, CrisisAlert
from complaints.tests.factories import open_complaint
from core.tests.helpers import login, sh

pytestmark = pytest.mark.django_db


def test_advisor_registers_a_complaint_for_the_manager(dealer_a, advisor_a, manager_a, vehicle_a):
    response = login(advisor_a).post(
        reverse("complaints:complaint_create"),
        {
            "dealer": dealer_a.pk, "channel": "walk_in", "category": "waiting_time", "severity": "high",
            "description": "等了三个小时还没交车", "plate": vehicle_a.plate, "owner": manager_a.pk,
        },
    )  # fmt: skip
    complaint = Complaint.objects.get()
    assert response.status_code == 302 and response.url == complaint.get_absolute_url()
    assert (complaint.vehicle, complaint.customer, complaint.owner, complaint.received_by) == (
        vehicle_a, vehicle_a.owner, manager_a, advisor_a
    )  # fmt: skip


def test_intake_with_unknown_plate_is_refused(dealer_a, advisor_a):
    response = login(advisor_a).post(
        reverse("complaints:complaint_create"),
        {"dealer": dealer_a.pk, "channel": "phone", "category": "parts", "severity": "low", "description": "x",
         "plate": "粤Z99999"},
    )  # fmt: skip
    assert response.status_code == 400 and not Complaint.objects.exists()


def test_manager_logs_contact_resolves_and_reopens_through_the_pages(dealer_a, advisor_a, manager_a):
    complaint = open_complaint(dealer_a, advisor_a, owner=manager_a)
    client = login(manager_a)
    assert client.get(complaint.get_absolute_url()).status_code == 200
    response = client.post(
        reverse("complaints:complaint_contact", args=[complaint.pk]),
        {"channel": "phone", "summary": "已致歉", "contacted_at": "2025-06-16T11:00", "version": complaint.version},
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    bad = client.post(
        reverse("complaints:complaint_resolve", args=[complaint.pk]),
        {"root_cause": "", "corrective_action": "", "customer_agreed": "yes", "version": complaint.version},
    )
    assert bad.status_code == 400
    complaint.refresh_from_db()
    assert complaint.status == Status.IN_PROGRESS
    response = client.post(
        reverse("complaints:complaint_resolve", args=[complaint.pk]),
        {"root_cause": "未磨合", "corrective_action": "复检", "customer_agreed": "yes", "agreement_method": "phone",
         "version": complaint.version},
    )  # fmt: skip
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == Status.RESOLVED and complaint.customer_agreed
    stale = client.post(reverse("complaints:complaint_reopen", args=[complaint.pk]), {"reason": "复发", "version": 1})
    assert stale.status_code == 400
    client.post(
        reverse("complaints:complaint_reopen", args=[complaint.pk]), {"reason": "复发", "version": complaint.version}
    )
    complaint.refresh_from_db()
    assert complaint.status == Status.IN_PROGRESS and complaint.reopen_count == 1


def test_advisor_cannot_resolve_and_region_manager_only_reads(dealer_a, advisor_a, manager_a, region_manager):
    complaint = open_complaint(dealer_a, advisor_a)
    services.complaint_log_contact(complaint=complaint, by=advisor_a, channel="phone", summary="x",
                                   contacted_at=sh(2025, 6, 16, 11, 0))  # fmt: skip
    data = {"root_cause": "a", "corrective_action": "b", "customer_agreed": "yes", "agreement_method": "phone",
            "version": 2}  # fmt: skip
    assert login(advisor_a).post(reverse("complaints:complaint_resolve", args=[complaint.pk]), data).status_code == 404
    region = login(region_manager)
    assert region.get(complaint.get_absolute_url()).status_code == 200
    assert region.get(reverse("complaints:dashboard")).status_code == 200
    assert (
        region.post(
            reverse("complaints:complaint_contact", args=[complaint.pk]), {"channel": "phone", "summary": "x"}
        ).status_code
        == 404
    )
    complaint.refresh_from_db()
    assert complaint.status == Status.IN_PROGRESS and complaint.contacts.count() == 1


def test_other_dealers_complaints_are_404_and_absent_from_list_and_export(dealer_a, dealer_b, advisor_a, advisor_b):
    mine = open_complaint(dealer_a, advisor_a)
    theirs = open_complaint(dealer_b, advisor_b, severity=Severity.CRITICAL)
    client = login(advisor_a)
    assert client.get(theirs.get_absolute_url()).status_code == 404
    assert (
        client.post(
            reverse("complaints:complaint_contact", args=[theirs.pk]), {"channel": "phone", "summary": "x"}
        ).status_code
        == 404
    )
    alert = CrisisAlert.objects.get()
    assert client.get(reverse("complaints:alert_detail", args=[alert.pk])).status_code == 404
    listing = client.get(reverse("complaints:complaint_list"))
    assert [c.pk for c in listing.context["object_list"]] == [mine.pk]
    assert client.get(reverse("complaints:complaint_list"), {"dealer": dealer_b.pk}).status_code == 404
    export = client.get(reverse("complaints:complaint_export"))
    rows = list(load_workbook(BytesIO(export.content)).active.iter_rows(values_only=True))
    assert [r[1] for r in rows[1:]] == [mine.number]
    dashboard = client.get(reverse("complaints:dashboard"))
    assert dashboard.context["counts"]["open"] == 1 and dashboard.context["open_alerts"] == []


def test_list_filters(dealer_a, advisor_a, manager_a):
    late = open_complaint(dealer_a, advisor_a, received_at=sh(2025, 6, 16, 9, 0))
    critical = open_complaint(dealer_a, advisor_a, severity=Severity.CRITICAL, owner=manager_a)
    services.escalate_overdue(now=sh(2025, 6, 16, 12, 1))
    client = login(manager_a)

    def numbers(**params):
        return {c.number for c in client.get(reverse("complaints:complaint_list"), params).context["object_list"]}

    assert numbers(severity="critical") == {critical.number}
    assert numbers(owner=manager_a.pk) == {critical.number}
    assert numbers(overdue="first_contact") == {late.number, critical.number}
    assert numbers(escalated="1") == {late.number, critical.number}
    assert numbers(q=late.number) == {late.number}
    assert numbers(status="resolved") == set()


def test_list_and_dashboard_query_counts(dealer_a, advisor_a, manager_a, vehicle_a, django_assert_max_num_queries):
    for i in range(3):
        open_complaint(dealer_a, advisor_a, vehicle=vehicle_a, severity=Severity.CRITICAL if i == 0 else "medium")
    client = login(manager_a)
    client.get(reverse("complaints:complaint_list"))
    with django_assert_max_num_queries(14):
        assert client.get(reverse("complaints:complaint_list")).status_code == 200
    for _ in range(6):
        open_complaint(dealer_a, advisor_a, vehicle=vehicle_a)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("complaints:complaint_list")).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(reverse("complaints:dashboard")).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("complaints:alert_list")).status_code == 200


def test_manager_acknowledges_a_crisis_alert(dealer_a, advisor_a, manager_a):
    open_complaint(dealer_a, advisor_a, severity=Severity.CRITICAL)
    alert = CrisisAlert.objects.get()
    url = reverse("complaints:alert_acknowledge", args=[alert.pk])
    assert login(advisor_a).post(url, {"note": "x"}).status_code == 404
    assert login(manager_a).post(url, {"note": ""}).status_code == 400
    assert login(manager_a).post(url, {"note": "店总介入"}).status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_by == manager_a


def test_nav_entry_for_complaint_roles(advisor_a, technician_a):
    from core.navigation import nav_for

    assert "complaints:complaint_list" in [i["url_name"] for i in nav_for(advisor_a)]
    assert "complaints:complaint_list" not in [i["url_name"] for i in nav_for(technician_a)]


def test_home_page_shows_open_crisis_alerts_to_managers_only_of_their_dealers(
    dealer_a, dealer_b, advisor_a, advisor_b, manager_a, manager_b
):
    open_complaint(dealer_a, advisor_a, severity=Severity.CRITICAL)
    alert = CrisisAlert.objects.get()
    detail = reverse("complaints:alert_detail", args=[alert.pk])
    assert detail in login(manager_a).get(reverse("dashboards:home")).content.decode()
    assert detail not in login(manager_b).get(reverse("dashboards:home")).content.decode()
