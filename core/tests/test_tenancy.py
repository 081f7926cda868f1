"""Tenant isolation: a user of dealer A gets 404 for dealer B's records by page, API, export and search.

Every refused request also proves that nothing changed (a snapshot of the archive before
and after). Region managers read every dealer of their region and change nothing; users
without a dealer see nothing; anonymous visitors are sent to the login page (API: 403).
"""

from __future__ import annotations

from io import BytesIO

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from accounts.choices import Role
from core.tenancy import dealer_ids_for, forget_dealer_ids
from core.tests.factories import CustomerFactory, DealerFactory, UserFactory, VehicleFactory, make_vin
from core.tests.helpers import archive_snapshot, login
from customers.models import Vehicle

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer_b(dealer_b):
    return CustomerFactory(dealer=dealer_b, name="李四", mobile="13900000002")


@pytest.fixture
def second_customer_b(dealer_b):
    return CustomerFactory(dealer=dealer_b, name="王五", mobile="13900000003")


@pytest.fixture
def vehicle_b(customer_b):
    return VehicleFactory(owner=customer_b, vin=make_vin(202), plate="粤B20002")


@pytest.fixture
def archive(customer_a, vehicle_a, customer_b, second_customer_b, vehicle_b):
    """One customer with a vehicle at dealer A; two customers and a vehicle at dealer B."""
    return {"customer_a": customer_a, "vehicle_a": vehicle_a, "customer_b": customer_b, "vehicle_b": vehicle_b}


def customer_form_data(**overrides) -> dict:
    return {
        "kind": "person",
        "name": "改名",
        "mobile": "13700000009",
        "preferred_channel": "phone",
        "consent": "given",
        "source": "walk_in",
        "address": "",
        "version": 1,
        **overrides,
    }


def vehicle_form_data(**overrides) -> dict:
    return {
        "vin": make_vin(999),
        "plate": "粤A99999",
        "brand": "丰田",
        "fuel_type": "petrol",
        "version": 1,
        **overrides,
    }


# --- pages ---------------------------------------------------------------------------------------------------


def b_pages(customer_b, vehicle_b, second_customer_b) -> list[tuple[str, str, dict | None]]:
    """(method, url, POST data) of every page that touches dealer B's records; data is valid for B."""
    return [
        ("get", reverse("customers:customer_detail", args=[customer_b.pk]), None),
        ("get", reverse("customers:customer_update", args=[customer_b.pk]), None),
        ("post", reverse("customers:customer_update", args=[customer_b.pk]), customer_form_data()),
        ("get", reverse("customers:vehicle_create", args=[customer_b.pk]), None),
        ("post", reverse("customers:vehicle_create", args=[customer_b.pk]), vehicle_form_data(plate="粤B99999")),
        ("get", reverse("customers:vehicle_detail", args=[vehicle_b.pk]), None),
        ("get", reverse("customers:vehicle_update", args=[vehicle_b.pk]), None),
        (
            "post",
            reverse("customers:vehicle_update", args=[vehicle_b.pk]),
            vehicle_form_data(vin=make_vin(998), plate="粤B99998"),
        ),
        ("get", reverse("customers:vehicle_change_owner", args=[vehicle_b.pk]), None),
        (
            "post",
            reverse("customers:vehicle_change_owner", args=[vehicle_b.pk]),
            {"new_owner_mobile": second_customer_b.mobile, "started_on": "2024-06-01", "version": 1},
        ),
        ("get", reverse("organization:dealer_detail", args=[customer_b.dealer_id]), None),
    ]


def test_every_page_of_dealer_b_is_404_for_a_user_of_dealer_a(advisor_a, archive, second_customer_b):
    client = login(advisor_a)
    before = archive_snapshot()
    for method, url, data in b_pages(archive["customer_b"], archive["vehicle_b"], second_customer_b):
        response = getattr(client, method)(url, data) if data is not None else client.get(url)
        assert response.status_code == 404, (method, url)
        assert "李四" not in response.content.decode()
    assert archive_snapshot() == before


def test_the_same_pages_work_for_a_user_of_dealer_b(advisor_b, archive, second_customer_b):
    """Control for the test above: the B requests are valid, so A's 404s come from tenancy alone."""
    client = login(advisor_b)
    expected = [200, 200, 302, 200, 302, 200, 200, 302, 200, 302, 200]
    pages = b_pages(archive["customer_b"], archive["vehicle_b"], second_customer_b)
    statuses = []
    for method, url, data in pages:
        if method == "post" and "/vehicles/" in url and url.endswith("/edit/"):
            data = {**data, "version": Vehicle.objects.get(pk=archive["vehicle_b"].pk).version}
        if method == "post" and url.endswith("/change-owner/"):
            data = {**data, "version": Vehicle.objects.get(pk=archive["vehicle_b"].pk).version}
        response = getattr(client, method)(url, data) if data is not None else client.get(url)
        statuses.append(response.status_code)
    assert statuses == expected
    assert Vehicle.objects.get(pk=archive["vehicle_b"].pk).owner == second_customer_b


def test_creating_a_customer_at_dealer_b_on_the_page_is_a_field_error(advisor_a, archive, dealer_b):
    client = login(advisor_a)
    before = archive_snapshot()
    response = client.post(reverse("customers:customer_create"), {**customer_form_data(), "dealer": dealer_b.pk})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "dealer": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert archive_snapshot() == before


def test_list_pages_show_only_the_users_dealer(advisor_a, archive, dealer_b):
    client = login(advisor_a)
    customers = client.get(reverse("customers:customer_list"))
    vehicles = client.get(reverse("customers:vehicle_list"))
    dealers = client.get(reverse("dashboards:dealer_list"))
    assert list(customers.context["object_list"]) == [archive["customer_a"]]
    assert list(vehicles.context["object_list"]) == [archive["vehicle_a"]]
    assert [d.code for d in dealers.context["object_list"]] == ["A001"]
    assert [d.code for d in customers.context["dealers"]] == ["A001"]
    for response in (customers, vehicles, dealers):
        html = response.content.decode()
        assert "李四" not in html
        assert "粤B20002" not in html
        assert "B001" not in html
    filtered = client.get(reverse("customers:customer_list"), {"dealer": dealer_b.pk})
    assert list(filtered.context["object_list"]) == []


@pytest.mark.parametrize("field", ["mobile", "name", "plate", "vin"])
def test_list_page_search_never_returns_dealer_b_rows(advisor_a, archive, field):
    client = login(advisor_a)
    query = {
        "mobile": archive["customer_b"].mobile,
        "name": archive["customer_b"].name,
        "plate": archive["vehicle_b"].plate,
        "vin": archive["vehicle_b"].vin,
    }[field]
    assert list(client.get(reverse("customers:customer_list"), {"q": query}).context["object_list"]) == []
    assert list(client.get(reverse("customers:vehicle_list"), {"q": query}).context["object_list"]) == []


# --- search --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["mobile", "name", "plate", "vin"])
def test_search_page_never_returns_dealer_b_rows_even_on_an_exact_match(advisor_a, archive, field):
    client = login(advisor_a)
    query = {
        "mobile": archive["customer_b"].mobile,
        "name": archive["customer_b"].name,
        "plate": archive["vehicle_b"].plate,
        "vin": archive["vehicle_b"].vin,
    }[field]
    response = client.get(reverse("dashboards:search"), {"q": query})
    assert response.status_code == 200
    assert response.context["term"].kind == field
    assert response.context["customers"] == []
    assert response.context["vehicles"] == []
    html = response.content.decode()
    assert reverse("customers:customer_detail", args=[archive["customer_b"].pk]) not in html
    assert reverse("customers:vehicle_detail", args=[archive["vehicle_b"].pk]) not in html


def test_search_with_the_same_mobile_at_both_dealers_returns_only_the_own_customer(advisor_a, dealer_a, dealer_b):
    own = CustomerFactory(dealer=dealer_a, name="同号客户", mobile="13611112222")
    CustomerFactory(dealer=dealer_b, name="同号客户", mobile="13611112222")
    response = login(advisor_a).get(reverse("dashboards:search"), {"q": "13611112222"})
    assert response.context["customers"] == [own]


def test_search_still_finds_own_rows(advisor_a, archive):
    """Control: the same search as above finds dealer A's exact matches."""
    client = login(advisor_a)
    search = reverse("dashboards:search")
    assert client.get(search, {"q": "13800000001"}).context["customers"] == [archive["customer_a"]]
    assert client.get(search, {"q": "粤A10001"}).context["vehicles"] == [archive["vehicle_a"]]


# --- export --------------------------------------------------------------------------------------------------


def exported_names(response) -> list[str]:
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("Dealer", "Name")
    return [row[1] for row in rows[1:]]


def test_export_filtered_to_dealer_b_is_404(advisor_a, archive, dealer_b):
    response = login(advisor_a).get(reverse("customers:customer_export"), {"dealer": dealer_b.pk})
    assert response.status_code == 404


def test_export_filtered_to_an_unknown_dealer_is_404_too(advisor_a, archive):
    response = login(advisor_a).get(reverse("customers:customer_export"), {"dealer": 987654})
    assert response.status_code == 404


def test_unfiltered_export_contains_only_the_users_dealer(advisor_a, archive, dealer_a):
    later = CustomerFactory(dealer=dealer_a, name="赵六")
    names = exported_names(login(advisor_a).get(reverse("customers:customer_export")))
    assert names == [later.name, "张三"]


def test_export_searched_by_dealer_b_mobile_is_empty(advisor_a, archive):
    names = exported_names(login(advisor_a).get(reverse("customers:customer_export"), {"q": "13900000002"}))
    assert names == []


# --- API -----------------------------------------------------------------------------------------------------


def test_api_reads_and_writes_of_dealer_b_records_are_404(api_en, advisor_a, archive, second_customer_b):
    api = api_en(advisor_a)
    customer_url = f"/api/v1/customers/{archive['customer_b'].pk}/"
    vehicle_url = f"/api/v1/vehicles/{archive['vehicle_b'].pk}/"
    before = archive_snapshot()
    requests = [
        ("get", customer_url, None),
        ("put", customer_url, {"name": "改名", "mobile": "13700000009", "version": 1}),
        ("patch", customer_url, {"name": "改名", "version": 1}),
        ("get", vehicle_url, None),
        ("put", vehicle_url, {"vin": make_vin(999), "brand": "丰田", "version": 1}),
        ("patch", vehicle_url, {"plate": "粤B99999", "version": 1}),
        (
            "post",
            f"{vehicle_url}change-owner/",
            {"new_owner": second_customer_b.pk, "started_on": "2024-06-01", "version": 1},
        ),
    ]
    for method, url, data in requests:
        response = getattr(api, method)(url, data, format="json")
        assert response.status_code == 404, (method, url, response.content)
        assert set(response.json()) == {"detail"}
    assert archive_snapshot() == before


def test_api_create_at_dealer_b_is_a_field_error(api_en, advisor_a, archive, dealer_b):
    api = api_en(advisor_a)
    before = archive_snapshot()
    customer = api.post(
        "/api/v1/customers/", {"dealer": dealer_b.pk, "name": "新客户", "mobile": "13700000009"}, format="json"
    )
    vehicle = api.post(
        "/api/v1/vehicles/",
        {"owner": archive["customer_b"].pk, "vin": make_vin(999), "brand": "丰田"},
        format="json",
    )
    assert customer.status_code == 400
    assert customer.json() == {"dealer": [f'Invalid pk "{dealer_b.pk}" - object does not exist.']}
    assert vehicle.status_code == 400
    assert vehicle.json() == {"owner": [f'Invalid pk "{archive["customer_b"].pk}" - object does not exist.']}
    assert archive_snapshot() == before


def test_api_change_owner_to_a_dealer_b_customer_is_a_field_error(api_en, advisor_a, archive):
    vehicle = archive["vehicle_a"]
    before = archive_snapshot()
    response = api_en(advisor_a).post(
        f"/api/v1/vehicles/{vehicle.pk}/change-owner/",
        {"new_owner": archive["customer_b"].pk, "started_on": "2024-06-01", "version": vehicle.version},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"new_owner": [f'Invalid pk "{archive["customer_b"].pk}" - object does not exist.']}
    assert archive_snapshot() == before


def test_api_lists_show_only_the_users_dealer(api_en, advisor_a, archive):
    api = api_en(advisor_a)
    assert [c["id"] for c in api.get("/api/v1/customers/").json()["results"]] == [archive["customer_a"].pk]
    assert [v["id"] for v in api.get("/api/v1/vehicles/").json()["results"]] == [archive["vehicle_a"].pk]
    assert [d["code"] for d in api.get("/api/v1/dealers/").json()["results"]] == ["A001"]
    assert api.get(f"/api/v1/dealers/{archive['customer_b'].dealer_id}/").status_code == 404


@pytest.mark.parametrize(
    ("resource", "param", "value"),
    [
        ("customers", "mobile", "13900000002"),
        ("customers", "name", "李四"),
        ("vehicles", "plate", "粤B20002"),
        ("vehicles", "vin", make_vin(202)),
    ],
)
def test_api_filters_never_return_dealer_b_rows_even_on_an_exact_match(
    api_en, advisor_a, archive, resource, param, value
):
    response = api_en(advisor_a).get(f"/api/v1/{resource}/", {param: value})
    assert response.status_code == 200
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_api_filters_by_dealer_b_ids_answer_like_ids_that_do_not_exist(api_en, advisor_a, archive, dealer_b):
    """An id of another dealer is 'not a valid choice', exactly like a missing id: no existence oracle."""
    api = api_en(advisor_a)
    invalid = "Select a valid choice. That choice is not one of the available choices."
    for url, param, b_id in [
        ("/api/v1/customers/", "dealer", dealer_b.pk),
        ("/api/v1/vehicles/", "dealer", dealer_b.pk),
    ]:
        of_b = api.get(url, {param: b_id})
        missing = api.get(url, {param: 987654})
        assert (of_b.status_code, of_b.json()) == (400, {param: [invalid]})
        assert (missing.status_code, missing.json()) == (400, {param: [invalid]})
    # Filters on big tables take a plain id (no choice list of every customer): another dealer's id
    # then finds nothing, exactly like an id that does not exist.
    empty = {"count": 0, "next": None, "previous": None, "results": []}
    for b_id in (archive["customer_b"].pk, 987654):
        response = api.get("/api/v1/vehicles/", {"owner": b_id})
        assert (response.status_code, response.json()) == (200, empty)


# --- region manager ------------------------------------------------------------------------------------------


@pytest.fixture
def dealer_a2(dealer_a):
    """Another dealer in dealer A's region."""
    return DealerFactory(code="A002", name="甲二店", region=dealer_a.region)


@pytest.fixture
def customer_a2(dealer_a2):
    return CustomerFactory(dealer=dealer_a2, name="孙七", mobile="13800000007")


def test_region_manager_reads_every_dealer_of_the_region_and_no_other(
    api_en, region_manager, archive, customer_a2, dealer_a, dealer_a2, dealer_b
):
    assert dealer_b.region_id != dealer_a.region_id
    client = login(region_manager)
    for url in [
        reverse("customers:customer_detail", args=[archive["customer_a"].pk]),
        reverse("customers:customer_detail", args=[customer_a2.pk]),
        reverse("customers:vehicle_detail", args=[archive["vehicle_a"].pk]),
        reverse("organization:dealer_detail", args=[dealer_a2.pk]),
    ]:
        assert client.get(url).status_code == 200, url
    for url in [
        reverse("customers:customer_detail", args=[archive["customer_b"].pk]),
        reverse("customers:vehicle_detail", args=[archive["vehicle_b"].pk]),
        reverse("organization:dealer_detail", args=[dealer_b.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    assert list(client.get(reverse("customers:customer_list")).context["object_list"]) == [
        customer_a2,
        archive["customer_a"],
    ]
    dealers = client.get(reverse("dashboards:dealer_list")).context["object_list"]
    assert [(d.code, d.customer_count) for d in dealers] == [("A001", 1), ("A002", 1)]
    assert client.get(reverse("dashboards:search"), {"q": "13900000002"}).context["customers"] == []

    api = api_en(region_manager)
    assert [c["id"] for c in api.get("/api/v1/customers/").json()["results"]] == [
        customer_a2.pk,
        archive["customer_a"].pk,
    ]
    assert [v["id"] for v in api.get("/api/v1/vehicles/").json()["results"]] == [archive["vehicle_a"].pk]
    assert [d["code"] for d in api.get("/api/v1/dealers/").json()["results"]] == ["A001", "A002"]
    assert api.get(f"/api/v1/customers/{customer_a2.pk}/").json()["name"] == "孙七"
    assert api.get(f"/api/v1/customers/{archive['customer_b'].pk}/").status_code == 404
    assert api.get(f"/api/v1/vehicles/{archive['vehicle_b'].pk}/").status_code == 404


def test_region_manager_cannot_change_anything_by_page(region_manager, archive, dealer_a):
    """Edit pages look the record up among the dealers the user may change: none, so 404."""
    client = login(region_manager)
    customer, vehicle = archive["customer_a"], archive["vehicle_a"]
    second = CustomerFactory(dealer=dealer_a, mobile="13800000008")
    requests = [
        ("get", reverse("customers:customer_update", args=[customer.pk]), None, 404),
        ("post", reverse("customers:customer_update", args=[customer.pk]), customer_form_data(), 404),
        ("get", reverse("customers:vehicle_create", args=[customer.pk]), None, 404),
        ("post", reverse("customers:vehicle_create", args=[customer.pk]), vehicle_form_data(), 404),
        ("get", reverse("customers:vehicle_update", args=[vehicle.pk]), None, 404),
        ("post", reverse("customers:vehicle_update", args=[vehicle.pk]), vehicle_form_data(), 404),
        (
            "post",
            reverse("customers:vehicle_change_owner", args=[vehicle.pk]),
            {"new_owner_mobile": second.mobile, "started_on": "2024-06-01", "version": 1},
            404,
        ),
        # No add_customer permission: the create page is a 404 as well (handle_no_permission).
        ("get", reverse("customers:customer_create"), None, 404),
        ("post", reverse("customers:customer_create"), {**customer_form_data(), "dealer": dealer_a.pk}, 404),
    ]
    before = archive_snapshot()
    for method, url, data, status in requests:
        response = getattr(client, method)(url, data) if data is not None else client.get(url)
        assert response.status_code == status, (method, url)
    assert archive_snapshot() == before


def test_region_manager_cannot_change_anything_by_api(api_en, region_manager, archive, dealer_a):
    """The role has view permissions only, so every write is a 403 before any lookup."""
    api = api_en(region_manager)
    customer, vehicle = archive["customer_a"], archive["vehicle_a"]
    second = CustomerFactory(dealer=dealer_a, mobile="13800000008")
    before = archive_snapshot()
    requests = [
        ("post", "/api/v1/customers/", {"dealer": dealer_a.pk, "name": "新客户", "mobile": "13700000009"}),
        ("put", f"/api/v1/customers/{customer.pk}/", {"name": "改名", "mobile": "13700000009", "version": 1}),
        ("patch", f"/api/v1/customers/{customer.pk}/", {"name": "改名", "version": 1}),
        ("post", "/api/v1/vehicles/", {"owner": customer.pk, "vin": make_vin(999), "brand": "丰田"}),
        ("patch", f"/api/v1/vehicles/{vehicle.pk}/", {"brand": "丰田", "version": 1}),
        (
            "post",
            f"/api/v1/vehicles/{vehicle.pk}/change-owner/",
            {"new_owner": second.pk, "started_on": "2024-06-01", "version": 1},
        ),
    ]
    for method, url, data in requests:
        response = getattr(api, method)(url, data, format="json")
        assert response.status_code == 403, (method, url, response.content)
        assert response.json() == {"detail": "You do not have permission to perform this action."}
    assert archive_snapshot() == before


def test_region_membership_never_grants_writes_even_with_a_writing_role(api_en, archive, dealer_a):
    """A manager with change permissions but only a region membership still changes nothing there (404/400)."""
    manager = UserFactory(roles=[Role.SERVICE_MANAGER], regions=[dealer_a.region])
    customer, vehicle = archive["customer_a"], archive["vehicle_a"]
    second = CustomerFactory(dealer=dealer_a, mobile="13800000008")
    api = api_en(manager)
    client = login(manager)
    before = archive_snapshot()
    assert api.get(f"/api/v1/customers/{customer.pk}/").status_code == 200
    assert client.get(reverse("customers:customer_detail", args=[customer.pk])).status_code == 200
    for method, url, data in [
        ("put", f"/api/v1/customers/{customer.pk}/", {"name": "改名", "mobile": "13700000009", "version": 1}),
        ("patch", f"/api/v1/customers/{customer.pk}/", {"name": "改名", "version": 1}),
        ("patch", f"/api/v1/vehicles/{vehicle.pk}/", {"brand": "丰田", "version": 1}),
        (
            "post",
            f"/api/v1/vehicles/{vehicle.pk}/change-owner/",
            {"new_owner": second.pk, "started_on": "2024-06-01", "version": 1},
        ),
    ]:
        assert getattr(api, method)(url, data, format="json").status_code == 404, (method, url)
    created = api.post(
        "/api/v1/customers/", {"dealer": dealer_a.pk, "name": "新客户", "mobile": "13700000009"}, format="json"
    )
    assert created.status_code == 400
    assert created.json() == {"dealer": [f'Invalid pk "{dealer_a.pk}" - object does not exist.']}
    vehicle_created = api.post(
        "/api/v1/vehicles/", {"owner": customer.pk, "vin": make_vin(999), "brand": "丰田"}, format="json"
    )
    assert vehicle_created.status_code == 400
    assert vehicle_created.json() == {"owner": [f'Invalid pk "{customer.pk}" - object does not exist.']}
    for url, data in [
        (reverse("customers:customer_update", args=[customer.pk]), customer_form_data()),
        (reverse("customers:vehicle_create", args=[customer.pk]), vehicle_form_data()),
        (reverse("customers:vehicle_update", args=[vehicle.pk]), vehicle_form_data()),
    ]:
        assert client.get(url).status_code == 404, url
        assert client.post(url, data).status_code == 404, url
    response = client.post(reverse("customers:customer_create"), {**customer_form_data(), "dealer": dealer_a.pk})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["dealer"]
    assert archive_snapshot() == before


# --- users without a dealer, anonymous visitors, missing role permissions ------------------------------------


def test_a_user_without_a_dealer_sees_empty_lists(api_en, archive):
    user = UserFactory(roles=[Role.SERVICE_ADVISOR])
    client = login(user)
    assert list(client.get(reverse("customers:customer_list")).context["object_list"]) == []
    assert list(client.get(reverse("customers:vehicle_list")).context["object_list"]) == []
    assert list(client.get(reverse("dashboards:dealer_list")).context["object_list"]) == []
    assert client.get(reverse("dashboards:search"), {"q": "13800000001"}).context["customers"] == []
    assert exported_names(client.get(reverse("customers:customer_export"))) == []
    assert client.get(reverse("customers:customer_detail", args=[archive["customer_a"].pk])).status_code == 404
    assert list(client.get(reverse("customers:customer_create")).context["form"].fields["dealer"].queryset) == []
    api = api_en(user)
    for url in ["/api/v1/customers/", "/api/v1/vehicles/", "/api/v1/dealers/"]:
        assert api.get(url).json() == {"count": 0, "next": None, "previous": None, "results": []}


ANONYMOUS_PAGES = [
    ("dashboards:home", []),
    ("dashboards:search", []),
    ("customers:customer_list", []),
    ("customers:customer_export", []),
    ("customers:customer_create", []),
    ("customers:vehicle_list", []),
    ("dashboards:dealer_list", []),
]


@pytest.mark.parametrize(("name", "args"), ANONYMOUS_PAGES)
def test_anonymous_visitors_are_sent_to_login(client, name, args):
    url = reverse(name, args=args)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"


def test_anonymous_visitors_are_sent_to_login_from_record_pages(client, archive):
    customer, vehicle = archive["customer_a"], archive["vehicle_a"]
    before = archive_snapshot()
    for method, url, data in [
        ("get", reverse("customers:customer_detail", args=[customer.pk]), None),
        ("get", reverse("customers:customer_update", args=[customer.pk]), None),
        ("post", reverse("customers:customer_update", args=[customer.pk]), customer_form_data()),
        ("post", reverse("customers:vehicle_create", args=[customer.pk]), vehicle_form_data()),
        ("get", reverse("customers:vehicle_detail", args=[vehicle.pk]), None),
        ("post", reverse("customers:vehicle_update", args=[vehicle.pk]), vehicle_form_data()),
        ("get", reverse("customers:vehicle_change_owner", args=[vehicle.pk]), None),
        ("get", reverse("organization:dealer_detail", args=[customer.dealer_id]), None),
    ]:
        response = getattr(client, method)(url, data) if data is not None else client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"{reverse('accounts:login')}?next={url}"
    assert archive_snapshot() == before


def test_anonymous_api_requests_are_refused(archive, dealer_a):
    from rest_framework.test import APIClient

    api = APIClient()
    api.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    customer = archive["customer_a"]
    before = archive_snapshot()
    for method, url, data in [
        ("get", "/api/v1/customers/", None),
        ("get", f"/api/v1/customers/{customer.pk}/", None),
        ("get", "/api/v1/vehicles/", None),
        ("get", "/api/v1/dealers/", None),
        ("post", "/api/v1/customers/", {"dealer": dealer_a.pk, "name": "新客户", "mobile": "13700000009"}),
        ("patch", f"/api/v1/customers/{customer.pk}/", {"name": "改名", "version": 1}),
    ]:
        response = getattr(api, method)(url, data, format="json")
        assert response.status_code == 401, url
        assert response["WWW-Authenticate"] == "Token"
        assert response.json() == {"detail": "Authentication credentials were not provided."}
    bad_token = APIClient(HTTP_AUTHORIZATION="Token not-a-real-token")
    bad_token.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = bad_token.get("/api/v1/customers/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}
    assert archive_snapshot() == before


@pytest.fixture
def technician_a(dealer_a):
    """View permissions only (the technician role)."""
    return UserFactory(username="tech_a", roles=[Role.TECHNICIAN], dealers=[dealer_a])


def test_a_user_without_the_role_permission_gets_404_on_create_and_edit_pages(technician_a, archive, dealer_a):
    client = login(technician_a)
    customer, vehicle = archive["customer_a"], archive["vehicle_a"]
    second = CustomerFactory(dealer=dealer_a, mobile="13800000008")
    assert client.get(reverse("customers:customer_detail", args=[customer.pk])).status_code == 200
    assert client.get(reverse("customers:vehicle_detail", args=[vehicle.pk])).status_code == 200
    before = archive_snapshot()
    for method, url, data in [
        ("get", reverse("customers:customer_create"), None),
        ("post", reverse("customers:customer_create"), {**customer_form_data(), "dealer": dealer_a.pk}),
        ("get", reverse("customers:customer_update", args=[customer.pk]), None),
        ("post", reverse("customers:customer_update", args=[customer.pk]), customer_form_data()),
        ("get", reverse("customers:vehicle_create", args=[customer.pk]), None),
        ("post", reverse("customers:vehicle_create", args=[customer.pk]), vehicle_form_data()),
        ("get", reverse("customers:vehicle_update", args=[vehicle.pk]), None),
        ("post", reverse("customers:vehicle_update", args=[vehicle.pk]), vehicle_form_data()),
        ("get", reverse("customers:vehicle_change_owner", args=[vehicle.pk]), None),
        (
            "post",
            reverse("customers:vehicle_change_owner", args=[vehicle.pk]),
            {"new_owner_mobile": second.mobile, "started_on": "2024-06-01", "version": 1},
        ),
    ]:
        response = getattr(client, method)(url, data) if data is not None else client.get(url)
        assert response.status_code == 404, (method, url)
    assert archive_snapshot() == before


def test_a_user_without_the_role_permission_gets_403_on_api_writes(api_en, technician_a, archive, dealer_a):
    api = api_en(technician_a)
    customer, vehicle = archive["customer_a"], archive["vehicle_a"]
    second = CustomerFactory(dealer=dealer_a, mobile="13800000008")
    assert api.get(f"/api/v1/customers/{customer.pk}/").status_code == 200
    before = archive_snapshot()
    for method, url, data in [
        ("post", "/api/v1/customers/", {"dealer": dealer_a.pk, "name": "新客户", "mobile": "13700000009"}),
        ("post", "/api/v1/vehicles/", {"owner": customer.pk, "vin": make_vin(999), "brand": "丰田"}),
        ("patch", f"/api/v1/customers/{customer.pk}/", {"name": "改名", "version": 1}),
        ("put", f"/api/v1/vehicles/{vehicle.pk}/", {"vin": vehicle.vin, "brand": "丰田", "version": 1}),
        (
            "post",
            f"/api/v1/vehicles/{vehicle.pk}/change-owner/",
            {"new_owner": second.pk, "started_on": "2024-06-01", "version": 1},
        ),
    ]:
        response = getattr(api, method)(url, data, format="json")
        assert response.status_code == 403, (method, url)
        assert response.json() == {"detail": "You do not have permission to perform this action."}
    assert archive_snapshot() == before


def test_api_speaks_the_language_of_accept_language_pages_do_not(advisor_a):
    from rest_framework.test import APIClient

    api = APIClient()
    assert api.get("/api/v1/customers/", HTTP_ACCEPT_LANGUAGE="en").json() == {
        "detail": "Authentication credentials were not provided."
    }
    assert api.get("/api/v1/customers/").json() == {"detail": "身份认证信息未提供。"}
    # Pages stay Chinese whatever the browser says, until the user picks English.
    page = Client().get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert "<title>登录" in page.content.decode()


def test_an_inactive_dealer_is_readable_but_not_writable(advisor_a, dealer_a):
    customer = CustomerFactory(dealer=dealer_a)
    dealer_a.is_active = False
    dealer_a.save()
    forget_dealer_ids(advisor_a)
    assert dealer_ids_for(advisor_a) == frozenset({dealer_a.pk})
    assert dealer_ids_for(advisor_a, write=True) == frozenset()
    client = Client()
    client.force_login(advisor_a)
    assert client.get(customer.get_absolute_url()).status_code == 200
    assert client.get(reverse("customers:customer_update", args=[customer.pk])).status_code == 404


def test_advisor_filters_answer_the_same_for_another_dealers_user_and_an_unknown_id(api_en, advisor_a, advisor_b):
    empty = {"count": 0, "next": None, "previous": None, "results": []}
    api = api_en(advisor_a)
    for url in ("/api/v1/appointments/", "/api/v1/repair-orders/"):
        for user_id in (advisor_b.pk, 987654):
            response = api.get(url, {"advisor": user_id})
            assert (response.status_code, response.json()) == (200, empty), url
