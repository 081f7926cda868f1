"""API of the parts counter: stock reservations and special orders (read with view permission; create and the
steps through the same services as the pages; 400 field errors, 409 on an old version), tenancy, query counts."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.choices import Role
from core.tests import helpers
from core.tests.factories import UserFactory, VehicleFactory
from parts.models import SpecialOrder, StockItem, StockMovement, StockReservation
from parts.services.stock import repair_order_line_reserve, special_order_create
from parts.tests.catalogue_helpers import clerk, make_part, stock
from repairs import services as repair_services
from repairs.tests.factories import make_order

pytestmark = pytest.mark.django_db
D = Decimal
RES = "/api/v1/stock-reservations/"
SPECIAL = "/api/v1/special-orders/"


def part_line(order, advisor, part, quantity):
    return repair_services.repair_order_add_line(
        order=order, by=advisor, part=part, quantity=D(quantity), unit_price=D("100")
    )


@pytest.fixture
def shop(dealer_a, advisor_a, vehicle_a):
    """Dealer A: 5 pads in stock; a checked-in order with a line of 2 pads and a line of 1 filter (none in stock)."""
    pads, filters = make_part("PAD-1", name="刹车片"), make_part("FIL-1", name="机油滤清器")
    item = stock(dealer_a, pads, "5", "200")
    order = make_order(vehicle_a, advisor_a, status="checked_in")
    return item, part_line(order, advisor_a, pads, "2"), part_line(order, advisor_a, filters, "1")


def snapshot():
    """Every reservation, special order, stock item and movement: equal before/after = nothing changed."""
    return helpers.snapshot(StockReservation, SpecialOrder, StockItem, StockMovement)


def test_reserve_issue_and_release_through_the_api(api_en, dealer_a, advisor_a, shop):
    item, pads_line, filter_line = shop
    advisor, counter = api_en(advisor_a), api_en(clerk(dealer_a))
    created = advisor.post(RES, {"repair_order_line": pads_line.pk}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["item"], body["quantity"], body["status"], body["version"]) == (item.pk, "2.000", "active", 1)
    item.refresh_from_db()
    assert (item.on_hand, item.reserved) == (D("5"), D("2"))

    before = snapshot()
    again = advisor.post(RES, {"repair_order_line": pads_line.pk}, format="json")
    assert again.status_code == 400 and "repair_order_line" in again.json()
    too_many = advisor.post(RES, {"repair_order_line": filter_line.pk}, format="json")
    assert too_many.status_code == 400 and "quantity" in too_many.json()  # no filters on the shelf
    wrong_item = advisor.post(RES, {"repair_order_line": filter_line.pk, "item": item.pk}, format="json")
    assert wrong_item.status_code == 400 and "item" in wrong_item.json()
    assert advisor.post(RES, {"repair_order_line": 999999}, format="json").status_code == 400
    labour = repair_services.repair_order_add_line(
        order=pads_line.order, by=advisor_a, kind="labour", description="更换刹车片", quantity=D("1"),
        unit_price=D("180"),
    )  # fmt: skip
    refused = advisor.post(RES, {"repair_order_line": labour.pk}, format="json")  # a field error, not a 500
    assert refused.status_code == 400 and "repair_order_line" in refused.json()
    url = f"{RES}{body['id']}/"
    assert advisor.post(f"{url}issue/", {"version": 1}, format="json").status_code == 403  # advisors don't issue
    assert counter.post(f"{url}issue/", {}, format="json").status_code == 400  # the version is required
    assert snapshot() == before

    issued = counter.post(f"{url}issue/", {"version": 1}, format="json")
    assert issued.status_code == 200 and (issued.json()["status"], issued.json()["version"]) == ("issued", 2)
    assert counter.post(f"{url}release/", {"version": 1}, format="json").status_code == 409
    assert counter.post(f"{url}release/", {"version": 2}, format="json").status_code == 400  # issued already
    item.refresh_from_db()
    assert (item.on_hand, item.reserved) == (D("3"), D("0"))
    assert counter.get(RES, {"status": "issued"}).json()["count"] == 1
    assert counter.get(RES, {"repair_order": pads_line.order_id}).json()["count"] == 1


def test_release_frees_the_stock(api_en, dealer_a, advisor_a, shop):
    item, pads_line, _filter_line = shop
    api = api_en(advisor_a)
    reservation = api.post(RES, {"repair_order_line": pads_line.pk, "quantity": "1"}, format="json").json()
    released = api.post(f"{RES}{reservation['id']}/release/", {"version": 1}, format="json")
    assert released.status_code == 200 and released.json()["status"] == "released"
    item.refresh_from_db()
    assert item.reserved == D("0")


def test_special_order_through_the_api(api_en, dealer_a, advisor_a, shop):
    _item, _pads_line, filter_line = shop
    advisor, counter = api_en(advisor_a), api_en(clerk(dealer_a))
    before = snapshot()
    negative = advisor.post(SPECIAL, {"repair_order_line": filter_line.pk, "deposit": "-5"}, format="json")
    assert negative.status_code == 400 and "deposit" in negative.json()
    assert snapshot() == before
    created = advisor.post(SPECIAL, {"repair_order_line": filter_line.pk, "deposit": "50"}, format="json")
    assert created.status_code == 201, created.content
    special = created.json()
    assert (special["status"], special["deposit"], special["quantity"], special["version"]) == (
        "ordered", "50.00", "1.000", 1,
    )  # fmt: skip
    duplicate = advisor.post(SPECIAL, {"repair_order_line": filter_line.pk}, format="json")
    assert duplicate.status_code == 400 and "repair_order_line" in duplicate.json()
    url = f"{SPECIAL}{special['id']}/receive/"
    assert advisor.post(url, {"version": 1, "unit_cost": "30"}, format="json").status_code == 403
    assert counter.post(url, {"version": 1, "unit_cost": "-1"}, format="json").status_code == 400
    received = counter.post(url, {"version": 1, "unit_cost": "30"}, format="json")
    assert received.status_code == 200 and received.json()["status"] == "received"
    assert counter.post(url, {"version": 1, "unit_cost": "30"}, format="json").status_code == 409
    reservation = StockReservation.objects.get(repair_order_line=filter_line)
    assert (reservation.item.on_hand, reservation.item.reserved) == (D("1"), D("1"))


def test_other_dealers_see_and_change_nothing(api_en, dealer_a, dealer_b, advisor_a, advisor_b, shop):
    _item, pads_line, filter_line = shop
    api_en(advisor_a).post(RES, {"repair_order_line": pads_line.pk}, format="json")
    api_en(advisor_a).post(SPECIAL, {"repair_order_line": filter_line.pk}, format="json")
    reservation, special = StockReservation.objects.get(), SpecialOrder.objects.get()
    before = snapshot()
    for user in (advisor_b, clerk(dealer_b)):
        other = api_en(user)
        assert other.get(RES).json()["count"] == 0 and other.get(SPECIAL).json()["count"] == 0
        assert other.get(f"{RES}{reservation.pk}/").status_code == 404
        assert other.get(f"{SPECIAL}{special.pk}/").status_code == 404
        assert other.post(f"{RES}{reservation.pk}/issue/", {"version": 1}, format="json").status_code == 404
        assert other.post(f"{RES}{reservation.pk}/release/", {"version": 1}, format="json").status_code == 404
        assert other.post(f"{SPECIAL}{special.pk}/receive/", {"version": 1, "unit_cost": "1"},
                          format="json").status_code == 404  # fmt: skip
        response = other.post(RES, {"repair_order_line": pads_line.pk}, format="json")
        assert response.status_code == 400 and "repair_order_line" in response.json()
    nobody = UserFactory(username="nobody", dealers=[dealer_a])
    assert api_en(nobody).get(RES).status_code == 403 and api_en(nobody).get(SPECIAL).status_code == 403
    technician = UserFactory(username="tech", roles=[Role.TECHNICIAN], dealers=[dealer_a])
    assert api_en(technician).post(RES, {"repair_order_line": pads_line.pk}, format="json").status_code == 403
    assert snapshot() == before


def add_requests(dealer, advisor, customer, count):
    for i in range(count):
        pads = make_part(f"Q-PAD-{StockItem.objects.count()}-{i}", name="刹车片")
        none = make_part(f"Q-NONE-{StockItem.objects.count()}-{i}", name="稀有件")
        stock(dealer, pads, "3")
        order = make_order(VehicleFactory(owner=customer), advisor, status="checked_in")
        repair_order_line_reserve(line=part_line(order, advisor, pads, "1"), by=advisor)
        special_order_create(line=part_line(order, advisor, none, "1"), by=advisor)


def count_queries(api, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url)
    assert response.status_code == 200
    return len(queries)


def test_list_queries_do_not_grow(api_as, dealer_a, advisor_a, customer_a):
    api = api_as(advisor_a)
    add_requests(dealer_a, advisor_a, customer_a, 1)
    few = {url: count_queries(api, url) for url in (RES, SPECIAL)}
    add_requests(dealer_a, advisor_a, customer_a, 4)
    assert {url: count_queries(api, url) for url in (RES, SPECIAL)} == few
    assert api.get(RES).json()["count"] >= 5 and api.get(SPECIAL).json()["count"] == 5
