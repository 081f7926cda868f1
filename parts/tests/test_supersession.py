"""Supersession chains (A → B → C): searching and ordering an old number follow the whole chain; loops are
refused on save and in the catalogue import."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from core.lists import apply_filterset
from core.tests.helpers import raises_because
from parts.filtersets import PartFilterSet, StockItemFilterSet
from parts.models import Part, PurchaseOrder, Supplier
from parts.selectors.stock import part_list, stock_list
from parts.services import purchasing
from parts.services.catalogue_io import catalogue_import
from parts.tests.catalogue_helpers import HEADER_ZH, clerk, csv_upload, make_part, stock

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def chain(db):
    """04465-A was replaced by 04465-B, which was replaced by 04465-C (current)."""
    c = make_part("04465-C", name="前刹车片 C", brand="丰田")
    b = make_part("04465-B", name="前刹车片 B", brand="丰田", superseded_by=c)
    a = make_part("04465-A", name="前刹车片 A", brand="丰田", superseded_by=b)
    return a, b, c


def test_current_is_the_end_of_the_chain(chain):
    a, b, c = chain
    assert (a.current(), b.current(), c.current()) == (c, c, c)


def test_search_of_the_oldest_number_finds_the_whole_chain(dealer_a, chain):
    a, b, c = chain
    make_part("04465-X", name="无关", brand="丰田")
    user = clerk(dealer_a)

    def found(q):
        return apply_filterset(PartFilterSet, {"q": q}, part_list(user=user), user=user)

    rows = list(found("04465A"))
    assert {p.pk for p in rows} == {a.pk, b.pk, c.pk}
    assert {p.current_key for p in rows} == {"04465C"}  # all sorted under the current number
    assert rows[0] == c  # the current part first, its old numbers under it
    assert {p.pk for p in found("04465-B")} == {b.pk, c.pk}
    assert {p.pk for p in found("04465-C")} == {c.pk}
    page = Client()
    page.force_login(user)
    assert "04465-C" in page.get("/parts/", {"q": "04465-A"}).content.decode()


def test_stock_search_of_an_old_number_finds_the_current_parts_stock(dealer_a, chain):
    _a, _b, c = chain
    item = stock(dealer_a, c, "3")
    user = clerk(dealer_a)
    assert list(apply_filterset(StockItemFilterSet, {"q": "04465-A"}, stock_list(user=user), user=user)) == [item]


def test_ordering_an_old_number_orders_the_current_part(dealer_a, chain):
    a, b, c = chain
    user = clerk(dealer_a)
    warehouse = stock(dealer_a, c, "1").warehouse
    supplier = Supplier.objects.create(dealer=dealer_a, code="S1", name="丰田配件")
    po = purchasing.purchase_order_create(warehouse=warehouse, supplier=supplier, by=user)
    line = purchasing.purchase_order_add_line(po=po, part=a, quantity=D("2"), unit_cost=D("100"), by=user)
    assert line.part == c
    with raises_because(ValidationError, "is already on this order: change that line."):  # B is C too
        purchasing.purchase_order_add_line(po=po, part=b, quantity=D("1"), unit_cost=D("100"), by=user)
    page = Client()
    page.force_login(user)
    po2 = purchasing.purchase_order_create(warehouse=warehouse, supplier=supplier, by=user)
    response = page.post(f"/parts/purchase-orders/{po2.pk}/lines/", {"part_number": "04465a", "quantity": "1",
                                                                    "unit_cost": "9"})  # fmt: skip
    assert response.status_code == 302
    assert list(PurchaseOrder.objects.get(pk=po2.pk).lines.values_list("part_id", flat=True)) == [c.pk]


def test_a_request_for_an_old_number_reserves_the_current_part(dealer_a, chain, vehicle_a, advisor_a):
    from parts.models import StockReservation
    from parts.services.stock import repair_order_request_parts
    from repairs import services as repair_services
    from repairs.tests.factories import make_order

    a, _b, c = chain
    item = stock(dealer_a, c, "4")
    order = make_order(vehicle_a, advisor_a, status="checked_in")
    line = repair_services.repair_order_add_line(
        order=order, by=advisor_a, part=a, quantity=D("1"), unit_price=D("300")
    )
    assert line.part == c
    line.part = a  # even a line that still carries the oldest number
    line.save(update_fields=["part"])
    repair_order_request_parts(order=order, by=clerk(dealer_a))
    assert StockReservation.objects.get(repair_order_line=line).item == item


def test_a_loop_is_refused_on_save(chain):
    a, _b, c = chain
    c.superseded_by = a
    with translation.override("en"), pytest.raises(ValidationError) as error:
        c.save()
    assert list(error.value.message_dict) == ["superseded_by"]
    assert "04465-C → 04465-A → 04465-B → 04465-C" in error.value.message_dict["superseded_by"][0]
    c.refresh_from_db()
    assert c.superseded_by_id is None
    c.superseded_by = c
    with raises_because(ValidationError, "A part cannot be superseded by itself."):
        c.save(update_fields=["superseded_by"])
    with raises_because(ValidationError, "A part cannot be superseded by itself."):
        c.full_clean()
    assert Part.objects.get(pk=c.pk).superseded_by_id is None
    c.superseded_by = None
    c.name = "前刹车片（当前）"
    c.save(update_fields=["name"])  # other changes are not checked
    d = make_part("04465-D", brand="丰田")
    c.superseded_by = d
    c.save()  # the chain goes on: A → B → C → D
    assert Part.objects.get(pk=a.pk).current() == d


def test_import_refuses_loops_whole(dealer_a, chain):
    a, _b, _c = chain
    before = list(Part.objects.order_by("pk").values_list("pk", "superseded_by_id"))
    rows = [HEADER_ZH, ["04465-C", "前刹车片 C", "丰田", "", "", "04465-A", "", "", ""]]
    with translation.override("en"):
        report = catalogue_import(file=csv_upload(rows), dealer=None, by=clerk(dealer_a))
    assert [(e.line, "loop" in e.message) for e in report.errors] == [(2, True)]
    rows = [
        HEADER_ZH,
        ["9001-X", "新件 X", "丰田", "", "", "9001-Y", "", "", ""],
        ["9001-Y", "新件 Y", "丰田", "", "", "9001-X", "", "", ""],
        ["9001-Z", "新件 Z", "丰田", "", "", "", "", "", ""],
    ]
    report = catalogue_import(file=csv_upload(rows), dealer=None, by=clerk(dealer_a))
    assert [e.line for e in report.errors] == [2, 3]
    assert list(Part.objects.order_by("pk").values_list("pk", "superseded_by_id")) == before
    # a chain that ends is fine: C → new part E in the same file
    rows = [HEADER_ZH, ["04465-C", "前刹车片 C", "丰田", "", "", "04465-E", "", "", ""],
            ["04465-E", "前刹车片 E", "丰田", "", "", "", "", "", ""]]  # fmt: skip
    assert catalogue_import(file=csv_upload(rows), dealer=None, by=clerk(dealer_a)).ok
    assert Part.objects.get(pk=a.pk).current().number == "04465-E"
