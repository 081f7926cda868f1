"""REST API of the customer archive and dealers: validation, locking, owner change, filters, auth, docs.

The checks every resource gets (list, get, other dealer, permissions, create, update, versions) are
core/tests/test_api_resources.py's (customers/tests/api_resources.py declares the archive's resources).
"""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from accounts.choices import Role
from core.tests.api_kit import NO_PERMISSION, conflict
from core.tests.factories import CustomerFactory, DealerFactory, RegionFactory, UserFactory, VehicleFactory, make_vin
from core.tests.helpers import archive_snapshot
from customers.models import Customer, Vehicle, VehicleOwnership

pytestmark = pytest.mark.django_db

REQUIRED = ["This field is required."]
VERSION_REQUIRED = {"version": ["The record version is required to save changes."]}


# --- dealers (the generic checks of every resource: core/tests/test_api_resources.py) -------------------------


def test_the_dealer_list_and_a_dealer_show_code_name_and_region(api_en, advisor_a, dealer_a):
    other = DealerFactory(code="A009", region=dealer_a.region)
    advisor_a.dealer_memberships.create(dealer=other)
    api = api_en(advisor_a)
    response = api.get("/api/v1/dealers/")
    assert response.status_code == 200
    assert [(d["code"], d["region"]) for d in response.json()["results"]] == [
        ("A001", dealer_a.region.code),
        ("A009", dealer_a.region.code),
    ]
    body = api.get(f"/api/v1/dealers/{dealer_a.pk}/").json()
    assert (body["id"], body["code"], body["name"]) == (dealer_a.pk, "A001", "甲店")


def test_archive_writes_the_role_may_not_do_are_403_before_405(api_en, advisor_a, dealer_a, customer_a):
    """Permissions are checked before the method: an advisor (no delete, no dealer changes) gets 403."""
    api = api_en(advisor_a)
    before = archive_snapshot()
    refused = api.delete(f"/api/v1/customers/{customer_a.pk}/")
    assert (refused.status_code, refused.json()) == (403, NO_PERMISSION)
    refused = api.post(
        "/api/v1/dealers/", {"code": "N001", "name": "新店", "region": dealer_a.region.code}, format="json"
    )
    assert (refused.status_code, refused.json()) == (403, NO_PERMISSION)
    assert archive_snapshot() == before


# --- field-level validation ----------------------------------------------------------------------------------


def test_create_customer_with_a_bad_mobile_is_a_field_error(api_en, advisor_a, dealer_a):
    before = archive_snapshot()
    response = api_en(advisor_a).post(
        "/api/v1/customers/", {"dealer": dealer_a.pk, "name": "王五", "mobile": "12345678901"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"mobile": ["Not a valid mainland mobile number: 11 digits starting with 13–19."]}
    assert archive_snapshot() == before


def test_create_customer_accepts_a_mobile_with_country_code_and_stores_11_digits(api_en, advisor_a, dealer_a):
    response = api_en(advisor_a).post(
        "/api/v1/customers/", {"dealer": dealer_a.pk, "name": "王五", "mobile": "+86 138-0013-8000"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["mobile"] == "13800138000"
    assert Customer.objects.get(pk=response.json()["id"]).mobile == "13800138000"


def test_create_customer_without_required_fields_names_each_field(api_en, advisor_a):
    before = archive_snapshot()
    response = api_en(advisor_a).post("/api/v1/customers/", {}, format="json")
    assert response.status_code == 400
    assert response.json() == {"dealer": REQUIRED, "name": REQUIRED, "mobile": REQUIRED}
    assert archive_snapshot() == before


def test_create_vehicle_without_required_fields_names_each_field(api_en, advisor_a):
    before = archive_snapshot()
    response = api_en(advisor_a).post("/api/v1/vehicles/", {}, format="json")
    assert response.status_code == 400
    assert response.json() == {"owner": REQUIRED, "vin": REQUIRED, "brand": REQUIRED}
    assert archive_snapshot() == before


def test_create_vehicle_with_a_wrong_vin_check_digit_says_which_digit(api_en, advisor_a, customer_a):
    good = make_vin(77)
    wrong_digit = "0" if good[8] != "0" else "1"
    vin = good[:8] + wrong_digit + good[9:]
    before = archive_snapshot()
    response = api_en(advisor_a).post(
        "/api/v1/vehicles/", {"owner": customer_a.pk, "vin": vin, "brand": "大众"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "vin": [f"VIN check digit (9th character) is {wrong_digit} but should be {good[8]}: please check for a typo."]
    }
    assert archive_snapshot() == before


def test_create_vehicle_with_a_bad_plate_is_a_field_error(api_en, advisor_a, customer_a):
    before = archive_snapshot()
    response = api_en(advisor_a).post(
        "/api/v1/vehicles/",
        {"owner": customer_a.pk, "vin": make_vin(77), "plate": "XX12345", "brand": "大众"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "plate": [
            "Not a valid mainland licence plate: expected e.g. 粤B12345, "
            "粤BD12345 (new-energy small) or 粤B12345D (new-energy large)."
        ]
    }
    assert archive_snapshot() == before


def test_duplicate_vin_and_plate_at_the_same_dealer_name_the_existing_vehicle(api_en, advisor_a, vehicle_a, dealer_a):
    other_owner = CustomerFactory(dealer=dealer_a)
    before = archive_snapshot()
    response = api_en(advisor_a).post(
        "/api/v1/vehicles/",
        {"owner": other_owner.pk, "vin": vehicle_a.vin.lower(), "plate": "粤A 10001", "brand": "大众"},
        format="json",
    )
    assert response.status_code == 400
    message = f"Already on file at this dealer: vehicle {vehicle_a.pk} (/vehicles/{vehicle_a.pk}/)."
    assert response.json() == {"vin": [message], "plate": [message]}
    assert archive_snapshot() == before


def test_the_same_vin_at_another_dealer_is_allowed(api_en, advisor_b, vehicle_a, dealer_b):
    owner_b = CustomerFactory(dealer=dealer_b)
    response = api_en(advisor_b).post(
        "/api/v1/vehicles/", {"owner": owner_b.pk, "vin": vehicle_a.vin, "brand": "大众"}, format="json"
    )
    assert response.status_code == 201, response.content


def test_updating_a_vehicle_to_another_vehicles_vin_names_it(api_en, advisor_a, vehicle_a, dealer_a):
    other = VehicleFactory(owner=CustomerFactory(dealer=dealer_a))
    before = archive_snapshot()
    response = api_en(advisor_a).patch(
        f"/api/v1/vehicles/{other.pk}/", {"vin": vehicle_a.vin, "version": other.version}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "vin": [f"Already on file at this dealer: vehicle {vehicle_a.pk} (/vehicles/{vehicle_a.pk}/)."]
    }
    assert archive_snapshot() == before


# --- optimistic locking --------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["put", "patch"])
def test_customer_update_requires_the_version(api_en, advisor_a, customer_a, method):
    before = archive_snapshot()
    data = {"name": "改名", "mobile": "13800000001"}
    response = getattr(api_en(advisor_a), method)(f"/api/v1/customers/{customer_a.pk}/", data, format="json")
    assert (response.status_code, response.json()) == (400, VERSION_REQUIRED)
    assert archive_snapshot() == before


@pytest.mark.parametrize("method", ["put", "patch"])
def test_vehicle_update_requires_the_version(api_en, advisor_a, vehicle_a, method):
    before = archive_snapshot()
    data = {"vin": vehicle_a.vin, "brand": "丰田"}
    response = getattr(api_en(advisor_a), method)(f"/api/v1/vehicles/{vehicle_a.pk}/", data, format="json")
    assert (response.status_code, response.json()) == (400, VERSION_REQUIRED)
    assert archive_snapshot() == before


# --- change owner --------------------------------------------------------------------------------------------


def change_owner_url(vehicle) -> str:
    return f"/api/v1/vehicles/{vehicle.pk}/change-owner/"


def test_change_owner_moves_the_vehicle_and_keeps_the_ownership_history(api_en, advisor_a, vehicle_a, dealer_a):
    old_owner = vehicle_a.owner
    new_owner = CustomerFactory(dealer=dealer_a, name="新车主")
    response = api_en(advisor_a).post(
        change_owner_url(vehicle_a),
        {"new_owner": new_owner.pk, "started_on": "2024-06-01", "note": "二手转让", "version": 1},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert (response.json()["owner"], response.json()["version"]) == (new_owner.pk, 2)
    vehicle_a.refresh_from_db()
    assert vehicle_a.owner == new_owner
    rows = VehicleOwnership.objects.filter(vehicle=vehicle_a).order_by("started_on")
    assert [(str(o.started_on), str(o.ended_on), o.customer_id, o.note, o.recorded_by_id) for o in rows] == [
        ("2024-01-01", "2024-06-01", old_owner.pk, "", None),
        ("2024-06-01", "None", new_owner.pk, "二手转让", advisor_a.pk),
    ]


def test_change_owner_to_a_customer_of_another_of_my_dealers_is_400(api_en, dealer_a, dealer_b, vehicle_a):
    both = UserFactory(roles=[Role.SERVICE_ADVISOR], dealers=[dealer_a, dealer_b])
    customer_b = CustomerFactory(dealer=dealer_b)
    before = archive_snapshot()
    response = api_en(both).post(
        change_owner_url(vehicle_a),
        {"new_owner": customer_b.pk, "started_on": "2024-06-01", "version": 1},
        format="json",
    )
    assert (response.status_code, response.json()) == (
        400,
        {"new_owner": ["The new owner must be a customer of the same dealer."]},
    )
    assert archive_snapshot() == before


def test_change_owner_to_a_customer_of_a_dealer_i_do_not_work_for_is_400(api_en, advisor_a, dealer_b, vehicle_a):
    customer_b = CustomerFactory(dealer=dealer_b)
    before = archive_snapshot()
    response = api_en(advisor_a).post(
        change_owner_url(vehicle_a),
        {"new_owner": customer_b.pk, "started_on": "2024-06-01", "version": 1},
        format="json",
    )
    assert (response.status_code, response.json()) == (
        400,
        {"new_owner": [f'Invalid pk "{customer_b.pk}" - object does not exist.']},
    )
    assert archive_snapshot() == before


def test_change_owner_requires_the_version_and_refuses_a_stale_one(api_en, advisor_a, vehicle_a, dealer_a):
    new_owner = CustomerFactory(dealer=dealer_a)
    api = api_en(advisor_a)
    Vehicle.objects.filter(pk=vehicle_a.pk).update(version=2)
    before = archive_snapshot()
    missing = api.post(
        change_owner_url(vehicle_a), {"new_owner": new_owner.pk, "started_on": "2024-06-01"}, format="json"
    )
    assert (missing.status_code, missing.json()) == (400, {"version": REQUIRED})
    stale = api.post(
        change_owner_url(vehicle_a),
        {"new_owner": new_owner.pk, "started_on": "2024-06-01", "version": 1},
        format="json",
    )
    assert (stale.status_code, stale.json()) == (409, conflict(1, 2))
    assert archive_snapshot() == before


def test_change_owner_needs_the_change_vehicle_permission_like_the_page(api_en, dealer_a, vehicle_a):
    """add_vehicle + add_vehicleownership without change_vehicle: refused (the page asks for change_vehicle too)."""
    user = UserFactory(dealers=[dealer_a])
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="customers", codename__in=["view_vehicle", "add_vehicle", "add_vehicleownership"]
        )
    )
    new_owner = CustomerFactory(dealer=dealer_a)
    before = archive_snapshot()
    response = api_en(user).post(
        change_owner_url(vehicle_a),
        {"new_owner": new_owner.pk, "started_on": "2024-06-01", "version": 1},
        format="json",
    )
    assert (response.status_code, response.json()) == (403, NO_PERMISSION)
    assert archive_snapshot() == before


# --- filtering, ordering, pagination -------------------------------------------------------------------------


def test_customer_list_is_paginated_by_50(api_en, advisor_a, dealer_a, dealer_b):
    customers = CustomerFactory.create_batch(51, dealer=dealer_a)
    CustomerFactory.create_batch(3, dealer=dealer_b)
    api = api_en(advisor_a)
    first = api.get("/api/v1/customers/").json()
    assert (first["count"], first["next"], first["previous"]) == (
        51,
        "http://testserver/api/v1/customers/?page=2",
        None,
    )
    assert [c["id"] for c in first["results"]] == [c.pk for c in reversed(customers)][:50]
    second = api.get(first["next"]).json()
    assert (second["count"], second["next"], second["previous"]) == (51, None, "http://testserver/api/v1/customers/")
    assert [c["id"] for c in second["results"]] == [customers[0].pk]


def test_customer_filters(api_en, advisor_a, dealer_a):
    zhang = CustomerFactory(dealer=dealer_a, name="张三", mobile="13800000001", kind="person")
    zhang_fleet = CustomerFactory(
        dealer=dealer_a, name="张氏车队", mobile="13800000002", kind="company", contact_person="张总"
    )
    li = CustomerFactory(dealer=dealer_a, name="李四", mobile="13900000001")
    api = api_en(advisor_a)

    def ids(**params) -> list[int]:
        body = api.get("/api/v1/customers/", params).json()
        assert body["count"] == len(body["results"])
        return [c["id"] for c in body["results"]]

    assert ids(name="张") == [zhang_fleet.pk, zhang.pk]
    assert ids(mobile="138") == [zhang_fleet.pk, zhang.pk]
    assert ids(mobile="+86 139") == [li.pk]
    assert ids(kind="company") == [zhang_fleet.pk]
    assert ids(dealer=dealer_a.pk) == [li.pk, zhang_fleet.pk, zhang.pk]
    assert ids(ordering="name") == sorted(
        [zhang.pk, zhang_fleet.pk, li.pk], key=lambda pk: Customer.objects.get(pk=pk).name
    )
    assert ids(name="王") == []


def test_vehicle_filters(api_en, advisor_a, dealer_a):
    owner = CustomerFactory(dealer=dealer_a)
    first = VehicleFactory(owner=owner, vin=make_vin(11), plate="粤A11111", fuel_type="ev")
    second = VehicleFactory(owner=owner, vin=make_vin(12, wmi="LFV"), plate="粤B22222")
    third = VehicleFactory(owner=CustomerFactory(dealer=dealer_a), vin=make_vin(13), plate="")
    api = api_en(advisor_a)

    def ids(**params) -> list[int]:
        body = api.get("/api/v1/vehicles/", params).json()
        assert body["count"] == len(body["results"])
        return [v["id"] for v in body["results"]]

    assert ids(owner=owner.pk) == [second.pk, first.pk]
    assert ids(plate="粤a") == [first.pk]
    assert ids(plate="粤B22222") == [second.pk]
    assert ids(vin="lfv") == [second.pk]
    assert ids(vin=third.vin) == [third.pk]
    assert ids(fuel_type="ev") == [first.pk]
    assert ids(ordering="plate") == [third.pk, first.pk, second.pk]


def test_dealer_filters(api_en, dealer_a):
    other_region = RegionFactory(code="SOUTH")
    south = DealerFactory(code="S001", region=other_region, city="深圳")
    user = UserFactory(roles=[Role.SERVICE_MANAGER], dealers=[dealer_a, south])
    api = api_en(user)
    assert [d["code"] for d in api.get("/api/v1/dealers/", {"region": "SOUTH"}).json()["results"]] == ["S001"]
    assert [d["code"] for d in api.get("/api/v1/dealers/", {"city": "广州"}).json()["results"]] == ["A001"]
    assert [d["code"] for d in api.get("/api/v1/dealers/", {"ordering": "-code"}).json()["results"]] == ["S001", "A001"]


# --- authentication ------------------------------------------------------------------------------------------


def test_token_auth_returns_a_token_that_works(advisor_a, customer_a):
    client = APIClient()
    response = client.post("/api/v1/auth/token/", {"username": "advisor_a", "password": "pw-12345-test"}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    assert token == advisor_a.auth_token.key
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    listed = client.get("/api/v1/customers/")
    assert listed.status_code == 200
    assert [c["id"] for c in listed.json()["results"]] == [customer_a.pk]


def test_token_auth_with_a_wrong_password_gives_no_token(advisor_a):
    client = APIClient()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post("/api/v1/auth/token/", {"username": "advisor_a", "password": "wrong"}, format="json")
    assert (response.status_code, response.json()) == (
        400,
        {"non_field_errors": ["Unable to log in with provided credentials."]},
    )


def test_session_auth_reads_and_writes_with_the_csrf_token(advisor_a, customer_a, dealer_a):
    client = APIClient(enforce_csrf_checks=True)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(advisor_a)
    listed = client.get("/api/v1/customers/")
    assert listed.status_code == 200
    assert [c["id"] for c in listed.json()["results"]] == [customer_a.pk]
    payload = {"dealer": dealer_a.pk, "name": "王五", "mobile": "13700000009"}
    before = archive_snapshot()
    refused = client.post("/api/v1/customers/", payload, format="json")
    assert (refused.status_code, refused.json()) == (403, {"detail": "CSRF Failed: CSRF cookie not set."})
    assert archive_snapshot() == before
    client.get("/customers/")  # a page sets the CSRF cookie, as in the browser
    accepted = client.post(
        "/api/v1/customers/", payload, format="json", HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value
    )
    assert accepted.status_code == 201, accepted.content


# --- schema and docs -----------------------------------------------------------------------------------------


def test_schema_lists_the_endpoints(client, advisor_a):
    client.force_login(advisor_a)
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = json.loads(response.content)["paths"]
    for path in [
        "/api/v1/customers/",
        "/api/v1/customers/{id}/",
        "/api/v1/vehicles/",
        "/api/v1/vehicles/{id}/",
        "/api/v1/vehicles/{id}/change-owner/",
        "/api/v1/dealers/",
        "/api/v1/dealers/{id}/",
        "/api/v1/auth/token/",
    ]:
        assert path in paths, path
    assert set(paths["/api/v1/customers/{id}/"]) == {"get", "put", "patch"}
    assert set(paths["/api/v1/dealers/"]) == {"get"}


@pytest.mark.parametrize(
    ("url", "local_script"),
    [
        ("/api/docs/", "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"),
        ("/api/redoc/", "/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"),
    ],
)
def test_api_docs_load_only_local_static_files(client, advisor_a, url, local_script):
    client.force_login(advisor_a)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<script src="{local_script}"></script>' in html
    for external in ("cdn.jsdelivr", "unpkg", "fonts.googleapis", "fonts.gstatic", "https://", "http://"):
        assert external not in html, external


def test_create_vehicle_accepts_a_pasted_vin_and_plate_with_spaces(api_en, advisor_a, customer_a):
    vin = make_vin(424242)
    spaced = " ".join(vin[i : i + 4] for i in range(0, 17, 4)).lower()
    response = api_en(advisor_a).post(
        "/api/v1/vehicles/",
        {"owner": customer_a.pk, "vin": spaced, "plate": "粤 b · 8 8 8 8 8", "brand": "大众"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["vin"], response.json()["plate"]) == (vin, "粤B88888")
