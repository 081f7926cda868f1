"""The appointment pages and the list endpoint use a constant number of queries, however many rows they show."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from appointments.choices import AppointmentStatus as S
from appointments.tests.factories import TODAY, AppointmentFactory, at
from core.tests.factories import CustomerFactory, VehicleFactory

pytestmark = pytest.mark.django_db

DAY = f"{TODAY + timedelta(days=1):%Y-%m-%d}"
STATUSES = [S.BOOKED, S.CONFIRMED, S.ARRIVED, S.NO_SHOW]


def add_appointments(dealer, advisor, count: int) -> None:
    """``count`` appointments tomorrow, spread over the day's slots and statuses, each with its own vehicle."""
    for index in range(count):
        vehicle = VehicleFactory(owner=CustomerFactory(dealer=dealer))
        start = at(1, 8, 30) + timedelta(minutes=30 * (index % 18))
        AppointmentFactory(vehicle=vehicle, slot_start=start, status=STATUSES[index % 4], advisor=advisor)


def page_rows(response) -> int:
    return len(response.context["object_list"])


def day_rows(response) -> int:
    return sum(len(row.appointments) for row in response.context["calendar"].slots)


def api_rows(response) -> int:
    return len(response.json()["results"])


# (url, query string, rows shown with 3 records, rows shown with 30 records, how to count the rows)
CASES = {
    "day view": ("/appointments/", {"date": DAY}, 3, 30, day_rows),
    "list page": ("/appointments/list/", {}, 3, 25, page_rows),
    "list API": ("/api/v1/appointments/", {}, 3, 30, api_rows),
}


@pytest.mark.parametrize("case", list(CASES))
def test_appointment_lists_use_a_constant_number_of_queries(
    web, api_as, advisor_a, dealer_a, django_assert_num_queries, case
):
    url, params, few, many, rows_of = CASES[case]
    client = api_as(advisor_a) if url.startswith("/api/") else web
    add_appointments(dealer_a, advisor_a, 3)
    client.get(url, params)  # warm per-process caches (content types) before counting
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert rows_of(response) == few
    add_appointments(dealer_a, advisor_a, 27)
    with django_assert_num_queries(len(captured)):
        response = client.get(url, params)
    assert rows_of(response) == many


@pytest.mark.parametrize("url", ["/appointments/", "/appointments/list/"])
def test_pages_stay_within_a_small_query_budget(web, advisor_a, dealer_a, django_assert_max_num_queries, url):
    """An absolute ceiling, so a constant-but-wasteful page is noticed too."""
    add_appointments(dealer_a, advisor_a, 30)
    web.get(url, {"date": DAY})
    with django_assert_max_num_queries(12):
        assert web.get(url, {"date": DAY}).status_code == 200
