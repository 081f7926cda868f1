"""The quality reports page: who sees it, the form and its errors, progress, the download and scope refusals."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from core.tests.factories import staff_user
from core.tests.helpers import login
from core.workers import record_heartbeat
from reports.choices import ReportStatus
from reports.models import QualityReport

pytestmark = pytest.mark.django_db
PAGE = "/reports/"


def ask(client, capture, **fields):
    body = {"period": "month", "month": "2025-10", "format": "pdf", **fields}
    with capture(execute=True):
        return client.post(PAGE, body)


def test_the_page_is_in_the_menu_of_those_who_make_reports(runs, dealer_a, manager_a, region_manager):
    for user in (manager_a, region_manager):
        page = login(user).get(PAGE)
        assert page.status_code == 200
        assert f'href="{PAGE}"' in page.content.decode()
    advisor = staff_user(dealer_a, Role.SERVICE_ADVISOR)
    assert f'href="{PAGE}"' not in login(advisor).get("/").content.decode()
    assert login(advisor).get(PAGE).status_code == 404


def test_the_form_offers_the_users_own_dealers_and_regions(
    runs, dealer_a, dealer_b, neighbour, manager_a, region_manager
):
    manager_form = login(manager_a).get(PAGE).context["form"]
    assert [value for _group, options in manager_form.fields["scope"].choices for value, _label in options] == [
        f"dealer:{dealer_a.pk}"
    ]
    region_form = login(region_manager).get(PAGE).context["form"]
    assert [value for _group, options in region_form.fields["scope"].choices for value, _label in options] == [
        f"dealer:{dealer_a.pk}",
        f"dealer:{neighbour.pk}",
        f"region:{dealer_a.region_id}",
    ]


def test_asking_for_a_report_queues_it_follows_it_and_downloads_it(
    runs, dealer_a, manager_a, django_capture_on_commit_callbacks
):
    client = login(manager_a)
    response = ask(client, django_capture_on_commit_callbacks, scope=f"dealer:{dealer_a.pk}")
    report = QualityReport.objects.get()
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    page = client.get(report.get_absolute_url()).content.decode()
    assert f'href="{report.get_download_url()}"' in page and f"#{runs['october'].pk} 2025-10" in page
    download = client.get(report.get_download_url())
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="quality-report-A001-2025-10.pdf"'
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    listed = client.get(PAGE).content.decode()
    assert f'data-report="{report.pk}"' in listed


def test_the_progress_is_polled_while_the_report_is_made(runs, dealer_a, manager_a):
    record_heartbeat(worker_id="test-worker", started_at=timezone.now(), queues=["default"])
    client = login(manager_a)
    client.post(PAGE, {"scope": f"dealer:{dealer_a.pk}", "period": "month", "month": "2025-10", "format": "pdf"})
    report = QualityReport.objects.get()
    QualityReport.objects.filter(pk=report.pk).update(status=ReportStatus.RUNNING, progress=35)
    partial = client.get(report.get_absolute_url(), headers={"HX-Request": "true"})
    html = partial.content.decode()
    assert next(t.name for t in partial.templates) == "reports/_report_progress.html"
    assert 'hx-trigger="every 2s"' in html and 'value="35"' in html and "download" not in html


def test_a_month_without_a_published_run_is_a_form_error_and_queues_nothing(
    runs, dealer_a, manager_a, django_capture_on_commit_callbacks
):
    response = ask(login(manager_a), django_capture_on_commit_callbacks, scope=f"dealer:{dealer_a.pk}", month="2025-11")
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "month": ["No published evaluation of A001 for 2025-11: a quality report is made from a published run only."]
    }
    assert not QualityReport.objects.exists()


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"month": "2025-13"}, {"month": ["Give the month as YYYY-MM."]}),
        ({"period": "year", "year": ""}, {"year": ["Give the year of the report."]}),
    ],
)
def test_bad_input_is_a_form_error(runs, dealer_a, manager_a, fields, errors, django_capture_on_commit_callbacks):
    response = ask(login(manager_a), django_capture_on_commit_callbacks, scope=f"dealer:{dealer_a.pk}", **fields)
    assert response.status_code == 400 and response.context["form"].errors == errors
    assert not QualityReport.objects.exists()


def test_another_dealers_or_a_regions_scope_cannot_be_forged(
    runs, dealer_a, dealer_b, manager_a, django_capture_on_commit_callbacks
):
    client = login(manager_a)
    for scope in (f"dealer:{dealer_b.pk}", f"region:{dealer_a.region_id}", "dealer:999999"):
        response = ask(client, django_capture_on_commit_callbacks, scope=scope)
        assert response.status_code == 400 and list(response.context["form"].errors) == ["scope"]
    assert not QualityReport.objects.exists()


def test_reports_of_other_dealers_and_of_regions_do_not_exist_for_a_service_manager(
    runs, dealer_a, dealer_b, manager_a, manager_b, region_manager, django_capture_on_commit_callbacks
):
    ask(login(manager_b), django_capture_on_commit_callbacks, scope=f"dealer:{dealer_b.pk}")
    ask(login(region_manager), django_capture_on_commit_callbacks, scope=f"region:{dealer_a.region_id}")
    theirs = QualityReport.objects.get(dealer=dealer_b)
    region = QualityReport.objects.get(region=dealer_a.region)
    assert {theirs.status, region.status} == {ReportStatus.DONE}
    client = login(manager_a)
    for report in (theirs, region):
        assert client.get(report.get_absolute_url()).status_code == 404
        assert client.get(report.get_download_url()).status_code == 404
        assert f'data-report="{report.pk}"' not in client.get(PAGE).content.decode()
    assert client.get(reverse("reports:report_detail", args=[999999])).status_code == 404  # a guessed id
    assert client.get(reverse("reports:report_download", args=[999999])).status_code == 404
    region_client = login(region_manager)
    assert region_client.get(region.get_download_url()).status_code == 200
    assert region_client.get(theirs.get_download_url()).status_code == 404  # dealer B is in another region


def test_a_report_waiting_without_a_worker_says_so(runs, dealer_a, manager_a):
    client = login(manager_a)
    client.post(PAGE, {"scope": f"dealer:{dealer_a.pk}", "period": "month", "month": "2025-10", "format": "pdf"})
    html = client.get(QualityReport.objects.get().get_absolute_url()).content.decode()
    assert 'id="no-worker"' in html and "<progress" not in html


def test_the_page_is_chinese_by_default(runs, dealer_a, manager_a):
    page = login(manager_a, language=None).get(PAGE).content.decode()
    assert '<html lang="zh-hans">' in page and "月份" in page and "服务店" in page
