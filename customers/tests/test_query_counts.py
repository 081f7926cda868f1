"""List pages and list endpoints use a fixed number of queries, however many rows they show (no N+1)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.choices import Role
from core.tests.factories import BrandFactory, CustomerFactory, DealerFactory, UserFactory, VehicleFactory

pytestmark = pytest.mark.django_db


def add_customers_with_vehicles(dealer, count: int) -> None:
    """``count`` customers (named 客户…), each with one vehicle, so every column of the lists has data."""
    for _ in range(count):
        VehicleFactory(owner=CustomerFactory(dealer=dealer))


def add_dealers(region, manager, count: int) -> None:
    """``count`` dealers of the region with a brand and a customer each."""
    brand = BrandFactory()
    for _ in range(count):
        dealer = DealerFactory(region=region)
        dealer.brands.add(brand)
        CustomerFactory(dealer=dealer)


def queries_of(client, url: str, params: dict, expected_rows, rows_of) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    assert rows_of(response) == expected_rows
    return len(captured)


def page_rows(response) -> int:
    return len(response.context["object_list"])


def search_rows(response) -> tuple[int, int]:
    return len(response.context["customers"]), len(response.context["vehicles"])


def api_rows(response) -> int:
    return len(response.json()["results"])


@pytest.fixture
def api(api_as, advisor_a):
    return api_as(advisor_a)


# (url, query string, rows shown with 3 records, rows shown with 30 records, how to count the rows)
CASES = {
    "customer list page": ("/customers/", {}, 3, 25, page_rows),
    "vehicle list page": ("/vehicles/", {}, 3, 25, page_rows),
    "search page": ("/search/", {"q": "客户"}, (3, 3), (20, 20), search_rows),
    "customer list API": ("/api/v1/customers/", {}, 3, 30, api_rows),
    "vehicle list API": ("/api/v1/vehicles/", {}, 3, 30, api_rows),
}


@pytest.mark.parametrize("case", list(CASES))
def test_archive_lists_use_a_constant_number_of_queries(web, api, dealer_a, django_assert_num_queries, case):
    url, params, few, many, rows_of = CASES[case]
    client = api if url.startswith("/api/") else web
    add_customers_with_vehicles(dealer_a, 3)
    client.get(url, params)  # warm per-process caches (content types) before counting
    with_three = queries_of(client, url, params, few, rows_of)
    add_customers_with_vehicles(dealer_a, 27)
    with django_assert_num_queries(with_three):
        response = client.get(url, params)
    assert rows_of(response) == many


@pytest.mark.parametrize("url", ["/dealers/", "/api/v1/dealers/"])
def test_dealer_lists_use_a_constant_number_of_queries(api_as, dealer_a, django_assert_num_queries, url):
    manager = UserFactory(roles=[Role.REGION_MANAGER], regions=[dealer_a.region])
    if url.startswith("/api/"):
        client = api_as(manager)
        rows_of = api_rows
    else:
        client = Client()
        client.force_login(manager)
        rows_of = page_rows
    add_dealers(dealer_a.region, manager, 2)
    client.get(url)
    with_three = queries_of(client, url, {}, 3, rows_of)
    add_dealers(dealer_a.region, manager, 27)
    with django_assert_num_queries(with_three):
        response = client.get(url)
    assert rows_of(response) == 29 + 1


@pytest.mark.parametrize("url", ["/customers/", "/vehicles/", "/search/?q=客户", "/dealers/"])
def test_pages_stay_within_a_small_query_budget(web, dealer_a, django_assert_max_num_queries, url):
    """An absolute ceiling, so a constant-but-wasteful page is noticed too."""
    add_customers_with_vehicles(dealer_a, 30)
    web.get(url)
    with django_assert_max_num_queries(12):
        assert web.get(url).status_code == 200
