"""Parts API: catalogue filters and replacement, tenant-scoped stock and ledger, read-only."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from parts.tests.catalogue_helpers import clerk, make_part, stock

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(db):
    new = make_part("06A115561C", category="filters")
    old = make_part("06A115561B", superseded_by=new, category="filters")
    pads = make_part("04465-02220", name="前刹车片", brand="丰田", category="brakes")
    return new, old, pads


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_parts_filters_and_current(api_en, dealer_a, catalogue):
    new, old, pads = catalogue
    api = api_en(clerk(dealer_a))
    assert ids(api.get("/api/v1/parts/", {"number": "06a 115"})) == [old.pk, new.pk]
    assert ids(api.get("/api/v1/parts/", {"number": "0446502"})) == [pads.pk]
    assert ids(api.get("/api/v1/parts/", {"name": "刹车"})) == [pads.pk]
    assert ids(api.get("/api/v1/parts/", {"category": "brakes"})) == [pads.pk]
    assert ids(api.get("/api/v1/parts/", {"brand": "丰田"})) == [pads.pk]
    body = api.get(f"/api/v1/parts/{old.pk}/").json()
    assert (body["current"], body["superseded_by"], body["superseded_by_number"]) == (new.pk, new.pk, "06A115561C")


def test_stock_is_scoped_and_filtered(api_en, dealer_a, dealer_b, catalogue):
    new, _old, pads = catalogue
    a_new, a_pads = stock(dealer_a, new, "2"), stock(dealer_a, pads, "8")
    b_item = stock(dealer_b, new, "3")
    a_new.reorder_point = Decimal("5")
    a_new.save()
    api = api_en(clerk(dealer_a))
    assert ids(api.get("/api/v1/stock/")) == [a_pads.pk, a_new.pk]
    assert ids(api.get("/api/v1/stock/", {"below_reorder_point": "true"})) == [a_new.pk]
    assert ids(api.get("/api/v1/stock/", {"warehouse": a_new.warehouse_id})) == [a_pads.pk, a_new.pk]
    assert api.get("/api/v1/stock/", {"warehouse": b_item.warehouse_id}).status_code == 400
    assert api.get(f"/api/v1/stock/{b_item.pk}/").status_code == 404
    row = api.get(f"/api/v1/stock/{a_new.pk}/").json()
    assert (row["on_hand"], row["available"], row["value"]) == ("2.000", "2.000", "60.00")


def test_movements_are_scoped_and_filtered(api_en, dealer_a, dealer_b, catalogue):
    new, _old, pads = catalogue
    a_new, a_pads = stock(dealer_a, new, "2"), stock(dealer_a, pads, "8")
    b_item = stock(dealer_b, new, "3")
    api = api_en(clerk(dealer_a))
    first, second = a_new.movements.get(), a_pads.movements.get()
    assert ids(api.get("/api/v1/stock-movements/")) == [second.pk, first.pk]
    assert ids(api.get("/api/v1/stock-movements/", {"item": a_new.pk})) == [first.pk]
    assert ids(api.get("/api/v1/stock-movements/", {"item": b_item.pk})) == []
    assert ids(api.get("/api/v1/stock-movements/", {"kind": "adjustment"})) == []
    later = (timezone.now() + timedelta(hours=1)).isoformat()
    assert ids(api.get("/api/v1/stock-movements/", {"at_after": later})) == []
    assert len(ids(api.get("/api/v1/stock-movements/", {"at_before": later, "kind": "receipt"}))) == 2
    assert api.get(f"/api/v1/stock-movements/{b_item.movements.get().pk}/").status_code == 404


@pytest.mark.parametrize("url", ["/api/v1/parts/", "/api/v1/stock/", "/api/v1/stock-movements/"])
def test_read_only(api_en, dealer_a, catalogue, url):
    item = stock(dealer_a, catalogue[0], "2")
    api = api_en(clerk(dealer_a))
    assert api.post(url, {"item": item.pk, "quantity": "5"}, format="json").status_code == 405
    count = item.movements.count()
    assert api.delete(f"{url}{item.pk}/").status_code == 405
    assert item.movements.count() == count


def test_without_view_permission_nothing_is_listed(api_en, dealer_a, catalogue):
    from core.tests.factories import UserFactory

    nobody = UserFactory(username="nobody", dealers=[dealer_a])
    assert api_en(nobody).get("/api/v1/parts/").status_code == 403
