"""Tests of the customer archive reads: search classification and the dealer-scoped lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from accounts.choices import Role
from core.lists import apply_filterset
from core.tests.factories import CustomerFactory, UserFactory, VehicleFactory, make_vin
from customers.filtersets import CustomerFilterSet, VehicleFilterSet
from customers.models import Customer, Vehicle
from customers.selectors import SearchTerm, classify_search, customer_list, vehicle_list
from customers.services import vehicle_change_owner
from customers.validators import vin_check_digit


def listed_customers(user, filters: dict):
    """The customer list as its page filters it (the FilterSet of the page and the API)."""
    return apply_filterset(CustomerFilterSet, filters, customer_list(user=user), user=user)


def listed_vehicles(user, filters: dict):
    return apply_filterset(VehicleFilterSet, filters, vehicle_list(user=user), user=user)


# --- classify_search ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # nothing to search
        ("", SearchTerm("empty", "")),
        ("   ", SearchTerm("empty", "")),
        (None, SearchTerm("empty", "")),
        # mobile numbers and their prefixes (3–11 digits after removing +86 and separators)
        ("13800138000", SearchTerm("mobile", "13800138000")),
        ("138", SearchTerm("mobile", "138")),
        (" 1380013 ", SearchTerm("mobile", "1380013")),
        ("138-0013-8000", SearchTerm("mobile", "13800138000")),
        ("+86 138 0013 8000", SearchTerm("mobile", "13800138000")),
        ("0086 138", SearchTerm("mobile", "138")),
        ("8613800138000", SearchTerm("mobile", "13800138000")),
        # plates and plate prefixes, normalised
        ("粤B12345", SearchTerm("plate", "粤B12345")),
        ("粤b123", SearchTerm("plate", "粤B123")),
        ("粤B", SearchTerm("plate", "粤B")),
        ("粤 b·12", SearchTerm("plate", "粤B12")),
        ("京a·8888z", SearchTerm("plate", "京A8888Z")),
        ("粤BD12345", SearchTerm("plate", "粤BD12345")),
        ("粤B12345F", SearchTerm("plate", "粤B12345F")),
        ("粤Z1234港", SearchTerm("plate", "粤Z1234港")),
        ("苏a", SearchTerm("plate", "苏A")),
        # VINs and VIN fragments: 6–17 VIN characters including a digit
        ("LSVAU218XN2183294", SearchTerm("vin", "LSVAU218XN2183294")),
        ("lsvau2", SearchTerm("vin", "LSVAU2")),
        ("LSV AU2", SearchTerm("vin", "LSVAU2")),
        ("1M8GDM", SearchTerm("vin", "1M8GDM")),
        ("123456789012", SearchTerm("vin", "123456789012")),
        # names, including a surname that is also a province abbreviation
        ("张伟", SearchTerm("name", "张伟")),
        (" 张伟 ", SearchTerm("name", "张伟")),
        ("苏明", SearchTerm("name", "苏明")),
        ("苏", SearchTerm("name", "苏")),
        ("京", SearchTerm("name", "京")),
        ("苏明华", SearchTerm("name", "苏明华")),
        ("Wang", SearchTerm("name", "Wang")),
        ("ABCDEF", SearchTerm("name", "ABCDEF")),  # no digit: a name, not a VIN
        ("LSV12", SearchTerm("plate_part", "LSV12")),  # too short for a VIN fragment: a piece of a plate
        ("LSVAU218XN21832945", SearchTerm("name", "LSVAU218XN21832945")),  # 18 characters
        ("广州顺达物流", SearchTerm("name", "广州顺达物流")),
        # separators only: nothing left to read as a plate, searched as typed (used to crash)
        ("-", SearchTerm("name", "-")),
        ("·", SearchTerm("name", "·")),
    ],
)
def test_classify_search(raw, expected):
    assert classify_search(raw) == expected


# --- Lists ----------------------------------------------------------------------------------------


@dataclass
class Archive:
    """The customers and vehicles created for the list tests, by short name."""

    customers: dict[str, Customer]
    vehicles: dict[str, Vehicle]


@pytest.fixture
def archive(dealer_a, dealer_b) -> Archive:
    """Four customers and three vehicles at dealer A, two customers and one vehicle at dealer B.

    Dealer B deliberately repeats dealer A's name, mobile, plate and VIN so a leak would show.
    Created oldest first; the lists show newest first.
    """
    c1 = CustomerFactory(dealer=dealer_a, name="张伟", mobile="13800138000", archive_complete=True)
    v1 = VehicleFactory(owner=c1, plate="粤B12345", vin="LSVAU218XN2183294")
    c2 = CustomerFactory(dealer=dealer_a, name="张伟强", mobile="13811112222")
    v2 = VehicleFactory(owner=c2, plate="粤B12399", vin="LFV2A21KXG3029931")
    c3 = CustomerFactory(dealer=dealer_a, name="苏明", mobile="13912345678")
    v3 = VehicleFactory(owner=c3, plate="苏E88888", vin="LSGPC52U5AF102030")
    c4 = CustomerFactory(dealer=dealer_a, name="李娜", mobile="13600003333", archive_complete=True)
    b1 = CustomerFactory(dealer=dealer_b, name="张伟", mobile="13800138000", archive_complete=True)
    vb = VehicleFactory(owner=b1, plate="粤B12345", vin="LSVAU218XN2183294")
    b2 = CustomerFactory(dealer=dealer_b, name="苏明华", mobile="13912340000")
    return Archive(
        customers={"c1": c1, "c2": c2, "c3": c3, "c4": c4, "b1": b1, "b2": b2},
        vehicles={"v1": v1, "v2": v2, "v3": v3, "vb": vb},
    )


def customer_keys(archive: Archive, queryset) -> list[str]:
    by_pk = {customer.pk: key for key, customer in archive.customers.items()}
    return [by_pk[pk] for pk in queryset.values_list("pk", flat=True)]


def vehicle_keys(archive: Archive, queryset) -> list[str]:
    by_pk = {vehicle.pk: key for key, vehicle in archive.vehicles.items()}
    return [by_pk[pk] for pk in queryset.values_list("pk", flat=True)]


def test_customer_list_shows_only_the_users_dealers_newest_first(archive, advisor_a, advisor_b):
    assert customer_keys(archive, customer_list(user=advisor_a)) == ["c4", "c3", "c2", "c1"]
    assert customer_keys(archive, customer_list(user=advisor_b)) == ["b2", "b1"]


def test_customer_list_counts_vehicles(archive, advisor_a):
    counts = {customer.name: customer.vehicle_count for customer in customer_list(user=advisor_a)}

    assert counts == {"张伟": 1, "张伟强": 1, "苏明": 1, "李娜": 0}


def test_customer_list_of_a_user_without_dealers_is_empty(archive):
    loner = UserFactory(username="loner", roles=[Role.SERVICE_ADVISOR])

    assert list(customer_list(user=loner)) == []
    assert list(vehicle_list(user=loner)) == []


@pytest.mark.parametrize(
    ("q", "for_a", "for_b"),
    [
        ("", ["c4", "c3", "c2", "c1"], ["b2", "b1"]),
        # name prefix
        ("张伟", ["c2", "c1"], ["b1"]),
        ("张伟强", ["c2"], []),
        ("张", ["c2", "c1"], ["b1"]),
        ("苏明", ["c3"], ["b2"]),
        ("苏", ["c3"], ["b2"]),
        ("伟", [], []),  # a prefix search, not "contains"
        ("王", [], []),
        # mobile prefix
        ("138", ["c2", "c1"], ["b1"]),
        ("1380013", ["c1"], ["b1"]),
        ("+86 138 0013 8000", ["c1"], ["b1"]),
        ("139123", ["c3"], ["b2"]),
        ("1391234", ["c3"], ["b2"]),
        ("13912345", ["c3"], []),
        ("136", ["c4"], []),
        # plate prefix of one of the customer's vehicles
        ("粤B123", ["c2", "c1"], ["b1"]),
        ("粤b1234", ["c1"], ["b1"]),
        ("粤B12345", ["c1"], ["b1"]),
        ("苏E", ["c3"], []),
        ("京A", [], []),
        # VIN prefix of one of the customer's vehicles
        ("LSVAU2", ["c1"], ["b1"]),
        ("lsvau218xn2183294", ["c1"], ["b1"]),
        ("LFV2A2", ["c2"], []),
        ("2183294", [], []),  # the end of a VIN: all digits, so read as a mobile number
    ],
)
def test_customer_list_search(archive, advisor_a, advisor_b, q, for_a, for_b):
    assert customer_keys(archive, listed_customers(advisor_a, {"q": q})) == for_a
    assert customer_keys(archive, listed_customers(advisor_b, {"q": q})) == for_b


def test_customer_list_search_with_only_separators_finds_nothing(archive, advisor_a):
    assert list(listed_customers(advisor_a, {"q": "-"})) == []
    assert list(listed_vehicles(advisor_a, {"q": "·"})) == []


def test_customer_list_dealer_filter(archive, region_manager_ab, advisor_a, dealer_a, dealer_b):
    assert customer_keys(archive, customer_list(user=region_manager_ab)) == ["b2", "b1", "c4", "c3", "c2", "c1"]
    assert customer_keys(archive, listed_customers(region_manager_ab, {"dealer": dealer_a.pk})) == [
        "c4",
        "c3",
        "c2",
        "c1",
    ]
    assert customer_keys(archive, listed_customers(region_manager_ab, {"dealer": dealer_b.pk})) == [
        "b2",
        "b1",
    ]
    # Filtering on a dealer the user cannot see shows nothing rather than that dealer's rows.
    assert customer_keys(archive, listed_customers(advisor_a, {"dealer": dealer_b.pk})) == []
    assert customer_keys(archive, listed_customers(advisor_a, {"dealer": ""})) == ["c4", "c3", "c2", "c1"]


def test_customer_list_search_across_dealers_of_a_region_manager(archive, region_manager_ab, dealer_b):
    assert customer_keys(archive, listed_customers(region_manager_ab, {"q": "张伟"})) == ["b1", "c2", "c1"]
    assert customer_keys(archive, listed_customers(region_manager_ab, {"q": "粤B12345"})) == ["b1", "c1"]
    assert customer_keys(archive, listed_customers(region_manager_ab, {"q": "粤B12345", "dealer": dealer_b.pk})) == [
        "b1"
    ]


def test_region_manager_sees_only_the_regions_dealers(archive, dealer_a):
    manager = UserFactory(username="region_a", roles=[Role.REGION_MANAGER], regions=[dealer_a.region])

    assert customer_keys(archive, customer_list(user=manager)) == ["c4", "c3", "c2", "c1"]
    assert vehicle_keys(archive, vehicle_list(user=manager)) == ["v3", "v2", "v1"]


@pytest.mark.parametrize(
    ("archive_filter", "expected"),
    [
        ("complete", ["c4", "c1"]),
        ("incomplete", ["c3", "c2"]),
        ("", ["c4", "c3", "c2", "c1"]),
        (None, ["c4", "c3", "c2", "c1"]),
        ("nonsense", []),  # refused: the page says so above an empty list
    ],
)
def test_customer_list_archive_filter(archive, advisor_a, archive_filter, expected):
    assert customer_keys(archive, listed_customers(advisor_a, {"archive": archive_filter})) == expected


def test_customer_list_filters_combine(archive, advisor_a, region_manager_ab, dealer_a):
    assert customer_keys(archive, listed_customers(advisor_a, {"q": "张", "archive": "complete"})) == ["c1"]
    assert customer_keys(archive, listed_customers(advisor_a, {"q": "138", "archive": "incomplete"})) == ["c2"]
    assert customer_keys(
        archive,
        listed_customers(region_manager_ab, {"q": "张伟", "dealer": dealer_a.pk, "archive": "complete"}),
    ) == ["c1"]


def test_vehicle_list_shows_only_the_users_dealers_newest_first(archive, advisor_a, advisor_b):
    assert vehicle_keys(archive, vehicle_list(user=advisor_a)) == ["v3", "v2", "v1"]
    assert vehicle_keys(archive, vehicle_list(user=advisor_b)) == ["vb"]


@pytest.mark.parametrize(
    ("q", "for_a", "for_b"),
    [
        ("", ["v3", "v2", "v1"], ["vb"]),
        # plate prefix
        ("粤B123", ["v2", "v1"], ["vb"]),
        ("粤b1234", ["v1"], ["vb"]),
        ("粤B·12399", ["v2"], []),
        ("粤B", ["v2", "v1"], ["vb"]),
        ("苏E", ["v3"], []),
        ("粤A", [], []),
        # VIN prefix
        ("LSVAU2", ["v1"], ["vb"]),
        ("lsvau218xn2183294", ["v1"], ["vb"]),
        ("LFV2A21KXG3029931", ["v2"], []),
        ("LSGPC5", ["v3"], []),
        # the owner's name or mobile prefix
        ("张伟", ["v2", "v1"], ["vb"]),
        ("苏明", ["v3"], []),
        ("苏", ["v3"], []),
        ("李娜", [], []),
        ("138", ["v2", "v1"], ["vb"]),
        ("1380013", ["v1"], ["vb"]),
        ("139", ["v3"], []),
    ],
)
def test_vehicle_list_search(archive, advisor_a, advisor_b, q, for_a, for_b):
    assert vehicle_keys(archive, listed_vehicles(advisor_a, {"q": q})) == for_a
    assert vehicle_keys(archive, listed_vehicles(advisor_b, {"q": q})) == for_b


def test_vehicle_list_dealer_filter(archive, region_manager_ab, advisor_a, dealer_a, dealer_b):
    assert vehicle_keys(archive, vehicle_list(user=region_manager_ab)) == ["vb", "v3", "v2", "v1"]
    assert vehicle_keys(archive, listed_vehicles(region_manager_ab, {"dealer": dealer_a.pk})) == [
        "v3",
        "v2",
        "v1",
    ]
    assert vehicle_keys(archive, listed_vehicles(region_manager_ab, {"dealer": dealer_b.pk})) == ["vb"]
    assert vehicle_keys(archive, listed_vehicles(advisor_a, {"dealer": dealer_b.pk})) == []
    assert vehicle_keys(archive, listed_vehicles(region_manager_ab, {"q": "粤B12345"})) == ["vb", "v1"]


def test_lists_follow_a_change_of_owner(archive, advisor_a):
    vehicle = archive.vehicles["v1"]
    vehicle_change_owner(
        vehicle=vehicle, new_owner=archive.customers["c4"], by=advisor_a, version=1, started_on=date(2024, 6, 1)
    )

    assert customer_keys(archive, listed_customers(advisor_a, {"q": "粤B12345"})) == ["c4"]
    assert vehicle_keys(archive, listed_vehicles(advisor_a, {"q": "李娜"})) == ["v1"]
    assert vehicle_keys(archive, listed_vehicles(advisor_a, {"q": "张伟"})) == ["v2"]
    counts = {customer.name: customer.vehicle_count for customer in customer_list(user=advisor_a)}
    assert counts == {"张伟": 0, "张伟强": 1, "苏明": 1, "李娜": 1}


# --- the last six characters of the VIN (车架号后六位) ----------------------------------------------


def test_search_by_last_six_of_the_vin(dealer_a, dealer_b, advisor_a):
    owner = CustomerFactory(dealer=dealer_a, name="尾号车主", mobile="13900000001")
    vehicle = VehicleFactory(owner=owner, vin=make_vin(654321), plate="粤A11111")
    VehicleFactory(owner=CustomerFactory(dealer=dealer_b), vin=make_vin(654321), plate="粤A22222")

    assert SearchTerm("mobile", "654321").vin_tail == "654321"
    assert SearchTerm("plate", "粤A1234").vin_tail == ""
    assert SearchTerm("mobile", "6543210").vin_tail == ""
    assert list(listed_vehicles(advisor_a, {"q": "654321"})) == [vehicle]
    assert list(listed_customers(advisor_a, {"q": "654321"})) == [owner]


def test_six_digits_match_both_a_mobile_prefix_and_a_vin_tail(dealer_a, advisor_a):
    tail_owner = CustomerFactory(dealer=dealer_a, name="尾号车主", mobile="13900000001")
    tail_vehicle = VehicleFactory(owner=tail_owner, vin=make_vin(138001), plate="粤A11111")
    phone_owner = CustomerFactory(dealer=dealer_a, name="号码车主", mobile="13800100000")
    phone_vehicle = VehicleFactory(owner=phone_owner, vin=make_vin(5), plate="粤A22222")

    assert set(listed_customers(advisor_a, {"q": "138001"})) == {tail_owner, phone_owner}
    assert set(listed_vehicles(advisor_a, {"q": "138001"})) == {tail_vehicle, phone_vehicle}


def test_an_alphanumeric_vin_ending_is_matched_as_a_tail(dealer_a, advisor_a):
    vin = make_vin(7)[:11] + "A12345"
    vin = vin[:8] + vin_check_digit(vin) + vin[9:]
    vehicle = VehicleFactory(owner=CustomerFactory(dealer=dealer_a), vin=vin, plate="粤A33333")
    VehicleFactory(owner=CustomerFactory(dealer=dealer_a), vin=make_vin(8), plate="粤A44444")

    assert list(listed_vehicles(advisor_a, {"q": "a12345"})) == [vehicle]
