"""The catalogue page and the stock API run the same number of queries however many rows there are."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from parts.models import Part, PartPrice
from parts.tests.catalogue_helpers import clerk, make_part, stock

pytestmark = pytest.mark.django_db


def add_parts(dealer, count: int) -> None:
    start = Part.objects.count()
    for i in range(count):
        new = make_part(f"NEW{start + i:04d}")
        old = make_part(f"OLD{start + i:04d}", superseded_by=new)
        PartPrice.objects.create(dealer=dealer, part=new, cost_price=Decimal("1"), retail_price=Decimal("2"))
        stock(dealer, new, "1")
        stock(dealer, old, "1")


def count_queries(request) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = request()
    assert response.status_code == 200
    return len(queries)


def test_catalogue_page_queries_do_not_grow(dealer_a):
    client = Client()
    client.force_login(clerk(dealer_a))
    add_parts(dealer_a, 1)
    few = count_queries(lambda: client.get("/parts/"))
    add_parts(dealer_a, 9)
    assert count_queries(lambda: client.get("/parts/")) == few
    assert count_queries(lambda: client.get("/parts/", {"q": "OLD"})) == few


def test_stock_api_and_page_queries_do_not_grow(api_en, dealer_a):
    api = api_en(clerk(dealer_a))
    client = Client()
    client.force_login(clerk(dealer_a))
    add_parts(dealer_a, 1)
    warehouse = dealer_a.warehouses.get()
    few = count_queries(lambda: api.get("/api/v1/stock/"))
    few_page = count_queries(lambda: client.get(f"/parts/warehouses/{warehouse.pk}/"))
    few_moves = count_queries(lambda: api.get("/api/v1/stock-movements/"))
    add_parts(dealer_a, 9)
    assert count_queries(lambda: api.get("/api/v1/stock/")) == few
    assert count_queries(lambda: client.get(f"/parts/warehouses/{warehouse.pk}/")) == few_page
    assert count_queries(lambda: api.get("/api/v1/stock-movements/")) == few_moves
    assert few <= 8
