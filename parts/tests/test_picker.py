"""The part picker of the repair-order line forms: search by number, old number and name; price, stock, fitment."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from accounts.choices import Role
from core.tests.factories import CustomerFactory, UserFactory, VehicleFactory, staff_user
from core.tests.helpers import login
from parts.models import Part
from parts.selectors.picker import FITS, NO_FITMENT, NOT_LISTED, fitment_for, part_picker_rows, picker_row
from parts.services import stock as stock_services
from parts.tests import picker_fixtures
from repairs.tests.factories import make_order

pytestmark = pytest.mark.django_db
D = Decimal
catalogue = picker_fixtures.catalogue  # the shared fixture


@pytest.fixture
def order(vehicle_a, advisor_a, catalogue):
    """A checked-in order of a 2020 大众 朗逸; another order holds a reservation of 2 of the filters."""
    vehicle_a.model_year = 2020
    vehicle_a.save()
    other = make_order(VehicleFactory(owner=CustomerFactory(dealer=vehicle_a.dealer)), advisor_a, status="checked_in")
    from repairs import services

    line = services.repair_order_add_line(order=other, by=advisor_a, part=catalogue["filter"], quantity=D("2"))
    stock_services.repair_order_line_reserve(line=line, by=advisor_a)
    return make_order(vehicle_a, advisor_a, status="checked_in")


def picker(client: Client, order, **params):
    return client.get(reverse("parts:picker"), {"order": order.pk, "slot": "line", **params})


def test_a_number_in_any_spelling_finds_the_part_with_price_stock_and_fitment(order, catalogue):
    rows = part_picker_rows(order=order, query="03c-164 831a")
    first = rows[0]
    assert first.part == catalogue["filter"] and first.exact
    assert (first.price, first.on_hand, first.available, first.bin) == (D("85.00"), D("5"), D("3"), "A-01-1")
    assert (first.fitment, first.non_oem, first.replaces) == (FITS, False, [])
    # The 丰田 part with the same number comes after the vehicle's brand, not listed for this 大众.
    assert [r.part for r in rows] == [catalogue["filter"], catalogue["toyota"]]
    assert rows[1].fitment == NOT_LISTED


def test_an_old_number_shows_the_part_that_replaces_it_saying_so(web, order, catalogue):
    rows = part_picker_rows(order=order, query="03C164831")
    assert rows[0].part == catalogue["filter"] and rows[0].replaces == ["03C164831"]
    assert catalogue["old"] not in [r.part for r in rows]  # the old number is not offered itself
    page = picker(web, order, q="03C164831").content.decode()
    assert "03C 164 831 A" in page and "replaces 03C164831 (superseded)" in page


def test_a_name_finds_parts_the_vehicles_first_and_says_what_does_not_fit(web, order, catalogue):
    rows = part_picker_rows(order=order, query="机油")
    assert [r.part for r in rows] == [catalogue["filter"], catalogue["passat"], catalogue["oil"], catalogue["toyota"]]
    passat, oil = rows[1], rows[2]
    assert (passat.fitment, passat.on_hand, passat.available) == (NOT_LISTED, None, None)  # WH02 is not the main one
    assert (oil.fitment, oil.non_oem, oil.price) == (NO_FITMENT, True, D("398.00"))
    page = picker(web, order, q="机油").content.decode()
    for text in ("fits this vehicle", "not listed for this model", "no fitment data", "Non-OEM",
                 "not stocked in the main warehouse", "¥85.00", "¥398.00"):  # fmt: skip
        assert text in page, text


def test_too_short_or_unknown_queries_say_so(web, order):
    assert part_picker_rows(order=order, query="0") == []
    assert "Type at least 2 characters." in picker(web, order, q="0").content.decode()
    assert "No catalogue part matches “ZZZ999”" in picker(web, order, q="ZZZ999").content.decode()


def test_the_search_is_four_queries_however_many_parts(order, catalogue, django_assert_num_queries):
    for n in range(30):
        Part.objects.create(brand="大众", number=f"03C 999 {n:03d}", name="机油滤清器", fitment="大众 朗逸")
    order.vehicle  # noqa: B018 (the view loads it with the order)
    with django_assert_num_queries(4):  # search with the chains, prices, the main warehouse, its stock
        rows = part_picker_rows(order=order, query="机油滤清器")
    assert len(rows) == 20


def test_picking_sets_the_hidden_part_field_and_clearing_empties_it(
    web, order, catalogue, django_assert_max_num_queries
):
    with django_assert_max_num_queries(11):  # 6 of the request (session, user, permissions, scope), the order, 4
        page = picker(web, order, pick=catalogue["filter"].pk).content.decode()
    assert f'<input type="hidden" name="part" value="{catalogue["filter"].pk}">' in page
    assert "Picked" in page and "03C 164 831 A" in page and "¥85.00" in page
    assert 'id="line-picker-results" hx-swap-oob="true"' in page  # the result list closes
    assert 'name="part"' not in picker(web, order, clear=1).content.decode()
    assert picker(web, order, pick=catalogue["old"].pk).status_code == 404  # superseded: pick its replacement


def test_refused_outside_the_orders_dealer_and_for_roles_that_add_no_lines(order, catalogue, dealer_a, advisor_b):
    assert picker(login(advisor_b), order, q="03C").status_code == 404  # another dealer's order
    clerk = UserFactory(roles=[Role.PARTS_CLERK], dealers=[dealer_a])  # sees parts, adds no lines
    assert picker(login(clerk), order, q="03C").status_code == 404
    technician = staff_user(dealer_a, Role.TECHNICIAN)  # raises additional items
    assert picker(login(technician), order, q="03C").status_code == 200
    web = login(staff_user(dealer_a, Role.SERVICE_ADVISOR))
    assert picker(web, order, slot="nonsense").status_code == 404
    assert web.get(reverse("parts:picker"), {"order": "x"}).status_code == 404
    assert picker(web, order, pick="x").status_code == 404
    anonymous = Client().get(reverse("parts:picker"), {"order": order.pk, "q": "03C"})
    assert anonymous.status_code == 302


def test_a_picked_part_row_has_the_dealers_own_price(order, catalogue, advisor_b):
    row = picker_row(order=order, part=catalogue["filter"])
    assert row.price == D("85.00")  # dealer B's 99.00 is not shown


@pytest.mark.parametrize(
    ("fitment", "series", "year", "expected"),
    [
        ("大众 朗逸/帕萨特 2018-2024", "朗逸", 2020, FITS),
        ("大众 朗逸/帕萨特 2018-2024", "朗逸", None, FITS),  # no model year: the series decides
        ("大众 朗逸/帕萨特 2018-2024", "朗逸", 2016, NOT_LISTED),
        ("大众 帕萨特 2018-2024", "朗逸", 2020, NOT_LISTED),
        ("大众 朗逸", "朗逸", 2012, FITS),
        ("", "朗逸", 2020, NO_FITMENT),
    ],
)
def test_fitment_against_the_vehicle(fitment, series, year, expected):
    part = Part(brand="大众", number="X", name="x", fitment=fitment)
    vehicle = VehicleFactory.build(brand="大众", series=series, model_year=year)
    assert fitment_for(part, vehicle) == expected
    assert fitment_for(Part(brand="丰田", number="Y", name="y", fitment=fitment), vehicle) in (NOT_LISTED, NO_FITMENT)
