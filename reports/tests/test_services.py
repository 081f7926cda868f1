"""Queueing a report and making it in the background: who may, which periods, the kept file, failures."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import override

from accounts.choices import Role
from core.tests.factories import UserFactory, staff_user
from core.tests.helpers import assert_refused, snapshot
from reports import services
from reports.choices import PeriodKind, ReportStatus
from reports.models import QualityReport
from reports.tests.conftest import OCTOBER

pytestmark = pytest.mark.django_db


def nothing():
    return snapshot(QualityReport)


def test_a_queued_report_is_made_in_the_background_and_kept(
    runs, dealer_a, manager_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_request(
            by=manager_a, period=PeriodKind.MONTH, first=date(2025, 10, 17), fmt="pdf", dealer=dealer_a, language="en"
        )
    assert report.period_start == date(2025, 10, 1)
    report.refresh_from_db()
    assert (report.status, report.progress, report.message) == (ReportStatus.DONE, 100, "")
    assert report.file.name.startswith("reports/2025/quality-report-A001-2025-10-") and report.file.name.endswith(
        ".pdf"
    )
    with report.file.open("rb") as stored:
        data = stored.read()
    assert data.startswith(b"%PDF-") and report.size == len(data)
    assert report.generation_seconds > 0
    assert list(report.runs.values_list("pk", flat=True)) == [runs["october"].pk]
    assert report.created_by == manager_a and report.finished_at is not None


def test_a_yearly_report_keeps_the_missing_months(runs, dealer_a, manager_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_request(
            by=manager_a, period=PeriodKind.YEAR, first=date(2025, 5, 1), fmt="xlsx", dealer=dealer_a
        )
    report.refresh_from_db()
    assert report.period_start == date(2025, 1, 1) and report.status == ReportStatus.DONE
    assert report.missing_months == [
        "2025-01",
        "2025-02",
        "2025-03",
        "2025-04",
        "2025-05",
        "2025-06",
        "2025-07",
        "2025-08",
        "2025-11",
        "2025-12",
    ]
    assert sorted(report.runs.values_list("pk", flat=True)) == sorted([runs["september"].pk, runs["october"].pk])


def test_no_published_run_is_refused_on_the_month_and_queues_nothing(runs, dealer_a, manager_a):
    error = assert_refused(
        ValidationError,
        lambda: services.report_request(
            by=manager_a, period=PeriodKind.MONTH, first=date(2025, 11, 1), fmt="pdf", dealer=dealer_a
        ),
        state=nothing,
    )
    assert list(error.message_dict) == ["month"]


def test_a_year_without_a_published_run_is_refused_on_the_year(runs, dealer_a, manager_a):
    error = assert_refused(
        ValidationError,
        lambda: services.report_request(
            by=manager_a, period=PeriodKind.YEAR, first=date(2024, 1, 1), fmt="pdf", dealer=dealer_a
        ),
        state=nothing,
    )
    assert list(error.message_dict) == ["year"]


def test_a_service_manager_may_not_report_on_another_dealer_or_a_region(runs, dealer_a, dealer_b, manager_a):
    error = assert_refused(
        ValidationError,
        lambda: services.report_request(
            by=manager_a, period=PeriodKind.MONTH, first=OCTOBER.first_day, fmt="pdf", dealer=dealer_b
        ),
        state=nothing,
    )
    assert list(error.message_dict) == ["dealer"]
    error = assert_refused(
        ValidationError,
        lambda: services.report_request(
            by=manager_a, period=PeriodKind.MONTH, first=OCTOBER.first_day, fmt="pdf", region=dealer_a.region
        ),
        state=nothing,
    )
    assert list(error.message_dict) == ["region"]


def test_a_region_manager_reports_on_their_region_and_its_dealers_only(
    runs, dealer_a, dealer_b, region_manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        region = services.report_request(
            by=region_manager, period=PeriodKind.MONTH, first=OCTOBER.first_day, fmt="xlsx", region=dealer_a.region
        )
        dealer = services.report_request(
            by=region_manager, period=PeriodKind.MONTH, first=OCTOBER.first_day, fmt="pdf", dealer=dealer_a
        )
    assert {r.status for r in QualityReport.objects.filter(pk__in=[region.pk, dealer.pk])} == {ReportStatus.DONE}
    error = assert_refused(
        ValidationError,
        lambda: services.report_request(
            by=region_manager, period=PeriodKind.MONTH, first=OCTOBER.first_day, fmt="pdf", region=dealer_b.region
        ),
        state=nothing,
    )
    assert list(error.message_dict) == ["region"]


def test_an_advisor_may_not_make_reports(runs, dealer_a):
    advisor = staff_user(dealer_a, Role.SERVICE_ADVISOR)
    with override("en"):  # the refusal read in English
        assert_refused(
            PermissionDenied,
            lambda: services.report_request(
                by=advisor, period=PeriodKind.MONTH, first=OCTOBER.first_day, fmt="pdf", dealer=dealer_a
            ),
            state=nothing,
            match="You may not make quality reports.",
        )


def test_an_administrator_of_a_dealer_reads_the_region_only_when_they_read_all_its_dealers(runs, dealer_a, neighbour):
    admin = UserFactory(roles=[Role.ADMINISTRATOR], dealers=[dealer_a])
    error = assert_refused(
        ValidationError,
        lambda: services.report_request(
            by=admin, period=PeriodKind.MONTH, first=OCTOBER.first_day, fmt="pdf", region=dealer_a.region
        ),
        state=nothing,
    )
    assert list(error.message_dict) == ["region"]
    both = UserFactory(roles=[Role.ADMINISTRATOR], dealers=[dealer_a, neighbour])
    report = services.report_request(
        by=both, period=PeriodKind.MONTH, first=OCTOBER.first_day, fmt="pdf", region=dealer_a.region
    )
    assert report.status == ReportStatus.QUEUED


def test_a_failure_marks_the_report_failed_with_the_reason(
    runs, dealer_a, manager_a, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(content, fmt):
        raise RuntimeError("the renderer broke")

    monkeypatch.setattr(services.render, "render", broken)
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_request(
            by=manager_a, period=PeriodKind.MONTH, first=OCTOBER.first_day, fmt="pdf", dealer=dealer_a
        )
    report.refresh_from_db()
    assert (report.status, report.message, report.file.name) == (ReportStatus.FAILED, "the renderer broke", "")


def test_a_report_is_made_once(runs, dealer_a, manager_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_request(
            by=manager_a, period=PeriodKind.MONTH, first=OCTOBER.first_day, fmt="xlsx", dealer=dealer_a
        )
    report.refresh_from_db()
    before = (report.file.name, report.finished_at)
    again = services.report_generate(report)
    assert (again.file.name, again.finished_at) == before
