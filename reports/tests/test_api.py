"""The quality-report API beyond the generic checks: region reports, the download, refusals with field errors."""

import pytest
from django.urls import reverse

from reports.choices import ReportStatus
from reports.models import QualityReport
from reports.tests.conftest import OCTOBER

pytestmark = pytest.mark.django_db
LIST = "/api/v1/quality-reports/"


def queue(api, body, capture):
    with capture(execute=True):
        return api.post(LIST, body, format="json")


def test_a_report_queued_through_the_api_is_made_and_downloaded(
    runs, dealer_a, manager_a, api_en, django_capture_on_commit_callbacks
):
    api = api_en(manager_a)
    response = queue(
        api, {"dealer": dealer_a.pk, "month": "2025-10", "format": "xlsx"}, django_capture_on_commit_callbacks
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["dealer_code"], body["period"], body["period_start"], body["status"]) == (
        "A001",
        "month",
        "2025-10-01",
        "queued",
    )
    detail = api.get(f"{LIST}{body['id']}/").json()
    assert detail["status"] == ReportStatus.DONE and detail["runs"] == [runs["october"].pk]
    assert detail["download_url"].endswith(reverse("quality-report-download", args=[body["id"]]))
    download = api.get(reverse("quality-report-download", args=[body["id"]]))
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="quality-report-A001-2025-10.xlsx"'
    assert b"".join(download.streaming_content)[:2] == b"PK"


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"month": "2025-11"},
            {
                "month": [
                    "No published evaluation of A001 for 2025-11: a quality report is made from a published run only."
                ]
            },
        ),
        ({"month": "2025-13"}, {"month": ["Give the month as YYYY-MM."]}),
        ({"period": "year"}, {"year": ["Give the year of the report."]}),
        (
            {"period": "year", "year": 2024},
            {"year": ["No published evaluation of A001 in 2024: a quality report is made from published runs only."]},
        ),
        ({"format": "docx"}, {"format": ['"docx" is not a valid choice.']}),
    ],
)
def test_bad_requests_are_400_with_the_field_and_queue_nothing(runs, dealer_a, manager_a, api_en, body, errors):
    response = api_en(manager_a).post(LIST, {"dealer": dealer_a.pk, "month": "2025-10", **body}, format="json")
    assert (response.status_code, response.json()) == (400, errors)
    assert not QualityReport.objects.exists()


def test_a_service_manager_may_not_ask_for_a_region_report(runs, dealer_a, manager_a, region_manager, api_en):
    response = api_en(manager_a).post(LIST, {"region": dealer_a.region_id, "month": "2025-10"}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["region"]
    both = api_en(region_manager).post(
        LIST, {"dealer": dealer_a.pk, "region": dealer_a.region_id, "month": "2025-10"}, format="json"
    )
    assert (both.status_code, both.json()) == (400, {"dealer": ["Choose one dealer or one region."]})
    assert not QualityReport.objects.exists()


def test_a_region_report_is_listed_for_its_region_manager_only(
    runs, dealer_a, manager_a, region_manager, api_en, django_capture_on_commit_callbacks
):
    response = queue(
        api_en(region_manager), {"region": dealer_a.region_id, "month": "2025-10"}, django_capture_on_commit_callbacks
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    listed = api_en(region_manager).get(LIST).json()
    assert [row["id"] for row in listed["results"]] == [pk] and listed["results"][0][
        "region_code"
    ] == dealer_a.region.code
    manager = api_en(manager_a)  # the service manager of a dealer of that region
    assert manager.get(LIST).json()["count"] == 0
    assert manager.get(f"{LIST}{pk}/").status_code == 404
    assert manager.get(reverse("quality-report-download", args=[pk])).status_code == 404
    assert api_en(region_manager).get(reverse("quality-report-download", args=[pk])).status_code == 200


def test_a_report_not_done_has_no_download(runs, dealer_a, manager_a, api_en):
    response = api_en(manager_a).post(LIST, {"dealer": dealer_a.pk, "month": str(OCTOBER)}, format="json")
    assert response.json()["download_url"] is None
    download = api_en(manager_a).get(reverse("quality-report-download", args=[response.json()["id"]]))
    assert download.status_code == 404


def test_the_list_reads_a_fixed_number_of_queries(runs, dealer_a, manager_a, api_en, django_assert_max_num_queries):
    api = api_en(manager_a)
    for _k in range(3):
        api.post(LIST, {"dealer": dealer_a.pk, "month": str(OCTOBER)}, format="json")
    with django_assert_max_num_queries(8):
        assert api.get(LIST).json()["count"] == 3
