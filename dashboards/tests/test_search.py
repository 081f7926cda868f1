"""The global search (the search page and the header box on every page): pieces of plates, VIN tails and RO
numbers are found, the page says what it searched for, and only the user's dealers are searched."""

from __future__ import annotations

import re

import pytest

from core.tests.factories import CustomerFactory, VehicleFactory, make_vin
from core.tests.helpers import login
from customers.selectors import Reading, classify_search
from customers.validators import normalize_mobile, normalize_plate, normalize_vin
from repairs.tests.factories import make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def cars(dealer_a, dealer_b):
    """粤A3448L of dealer A (the car the advisor looks for), another car of A, and B's car with the same plate
    end."""
    mine = VehicleFactory(owner=CustomerFactory(dealer=dealer_a, name="林海", mobile="13912340000"),
                          vin=make_vin(654321), plate="粤A3448L")  # fmt: skip
    other = VehicleFactory(owner=CustomerFactory(dealer=dealer_a, name="周敏", mobile="13700000000"),
                           vin=make_vin(111111), plate="粤B77777")  # fmt: skip
    foreign = VehicleFactory(owner=CustomerFactory(dealer=dealer_b, name="外店", mobile="13912349999"),
                             vin=make_vin(654321), plate="粤A3448L")  # fmt: skip
    return {"mine": mine, "other": other, "foreign": foreign}


def found(client, q: str) -> tuple[list[str], list[str], list[str], str]:
    """(plates of the vehicles, names of the customers, numbers of the orders, the "searched for" line)."""
    response = client.get("/search/", {"q": q})
    assert response.status_code == 200
    html = response.content.decode()
    said = re.search(r'<p class="muted" id="search-readings">(.*?)</p>', html, re.S)
    return (
        [v.plate for v in response.context["vehicles"]],
        [c.name for c in response.context["customers"]],
        [o.number for o in response.context["orders"]],
        re.sub(r"\s+", " ", said.group(1)).strip() if said else "",
    )


@pytest.mark.parametrize(
    ("q", "said"),
    [
        ("A3448L", "plate containing “A3448L”"),
        ("a3448l", "plate containing “A3448L”"),
        ("3448L", "plate containing “3448L”"),
        ("3448", "plate containing “3448”"),
        ("粤A3448L", "plate starting with “粤A3448L”"),
        ("粤a 3448", "plate starting with “粤A3448”"),
        ("Ａ３４４８Ｌ", "plate containing “A3448L”"),  # typed full-width with a Chinese input method
    ],
)
def test_a_plate_is_found_from_any_piece_of_it(web, cars, q, said):
    plates, names, _orders, searched = found(web, q)
    assert plates == ["粤A3448L"]
    assert names == ["林海"]  # the owner; never dealer B's 外店 with the same plate
    assert said in searched


def test_a_vin_tail_is_labelled_as_a_vin_tail_not_as_a_mobile(web, cars):
    plates, names, _orders, searched = found(web, "654321")
    assert plates == ["粤A3448L"]
    assert names == ["林海"]
    assert searched == "Searched for: VIN ending “654321”"
    assert "mobile" not in searched


def test_a_mobile_prefix_says_mobile_and_finds_the_owner(web, cars):
    plates, names, _orders, searched = found(web, "139 1234")
    assert names == ["林海"] and plates == ["粤A3448L"]
    assert searched.startswith("Searched for: mobile starting with “1391234”")


def test_plates_are_normalised_in_one_place():
    assert normalize_plate(" 粤ａ·３４４８ｌ ") == "粤A3448L"
    assert normalize_vin("lsv ａu2") == "LSVAU2"
    assert normalize_mobile("１３９ １２３４") == "1391234"


def test_readings_of_ambiguous_entries():
    assert classify_search("A3448L").readings == [
        Reading("vin", "A3448L"),
        Reading("vin_tail", "A3448L"),
        Reading("plate_part", "A3448L"),
    ]
    assert classify_search("3448").readings == [Reading("plate_part", "3448")]
    assert classify_search("138").readings == [Reading("mobile", "138"), Reading("plate_part", "138")]
    assert classify_search("GZ01-202610-0007").readings == [Reading("ro_number", "GZ01-202610-0007")]
    assert classify_search("202610-0007").readings == [Reading("ro_number", "202610-0007")]
    assert classify_search("138-0013-8000").readings == [Reading("mobile", "13800138000")]


def test_repair_orders_are_found_by_number_and_by_plate(web, cars, advisor_a, advisor_b):
    order = make_order(cars["mine"], advisor_a)
    make_order(cars["other"], advisor_a)
    foreign = make_order(cars["foreign"], advisor_b)
    assert foreign.number.split("-", 1)[1] == order.number.split("-", 1)[1]  # same month and sequence at B

    assert found(web, order.number)[2] == [order.number]
    _plates, _names, orders, searched = found(web, order.number.split("-", 1)[1])
    assert orders == [order.number]  # B's order with the same month and sequence is not among A's
    assert searched == f"Searched for: RO number “{order.number.split('-', 1)[1]}”"
    assert found(web, "3448L")[2] == [order.number]
    assert found(web, foreign.number)[2] == []


def test_the_header_search_box_is_on_every_page_and_goes_to_the_search(web, cars):
    for url in ("/", "/customers/", "/repair-orders/"):
        html = web.get(url).content.decode()
        box = re.search(r'<form class="header-search" method="get" action="(/search/)"[^>]*>(.*?)</form>', html, re.S)
        assert box, url
        assert 'name="q"' in box.group(2) and 'type="search"' in box.group(2)
    assert 'value="3448"' in web.get("/search/", {"q": "3448"}).content.decode().split("</header>")[0]


def test_the_header_box_is_chinese_by_default(advisor_a):
    html = login(advisor_a, language=None).get("/").content.decode()
    box = re.search(r'<form class="header-search".*?</form>', html, re.S).group(0)
    assert ">搜索</button>" in box


def test_search_uses_the_same_queries_however_many_rows(web, dealer_a, advisor_a, django_assert_max_num_queries):
    for n in range(3):
        VehicleFactory(owner=CustomerFactory(dealer=dealer_a), vin=make_vin(500 + n), plate=f"粤A3448{n}")
    web.get("/search/", {"q": "3448"})
    with django_assert_max_num_queries(12) as few:
        web.get("/search/", {"q": "3448"})
    for n in range(3, 9):
        VehicleFactory(owner=CustomerFactory(dealer=dealer_a), vin=make_vin(500 + n), plate=f"粤A3448{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = web.get("/search/", {"q": "3448"})
    assert len(response.context["vehicles"]) == 9
