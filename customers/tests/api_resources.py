"""The customer archive's API endpoints for the generic API tests (core/tests/test_api_resources.py)."""

from accounts.choices import Role
from core.tests.api_kit import ApiResource, role
from core.tests.factories import CustomerFactory, VehicleFactory, make_vin
from customers.models import Customer, Vehicle, VehicleOwnership
from organization.models import Dealer

advisor = role(Role.SERVICE_ADVISOR)


def customer_payload(dealer) -> dict:
    return {
        "dealer": dealer.pk,
        "kind": "company",
        "name": "广州顺达物流",
        "contact_person": "陈经理",
        "mobile": "13712345678",
        "address": "广州市黄埔区1号",
        "consent": "given",
        "source": "fleet",
        "tags": "fleet， VIP,fleet",
    }


def customer_created(row, payload, user) -> None:
    assert (row.kind, row.name, row.contact_person, row.mobile, row.source) == (
        "company",
        "广州顺达物流",
        "陈经理",
        "13712345678",
        "fleet",
    )
    assert row.tags == "fleet, VIP"
    assert row.consent_at is not None
    assert row.created_by == user


def vehicle_payload(dealer) -> dict:
    return {
        "owner": CustomerFactory(dealer=dealer).pk,
        "vin": make_vin(4242).lower(),
        "plate": "粤a·4242d",
        "brand": "比亚迪",
        "model_name": "汉 EV",
        "fuel_type": "ev",
        "purchase_date": "2024-03-01",
        "mileage_km": 1200,
    }


def vehicle_created(row, payload, user) -> None:
    assert row.owner_id == payload["owner"]
    assert (row.vin, row.plate, row.brand, row.mileage_km) == (make_vin(4242), "粤A4242D", "比亚迪", 1200)
    assert row.mileage_recorded_at is not None
    assert row.created_by == user
    assert list(row.ownerships.values_list("customer_id", "started_on", "ended_on")) == [
        (payload["owner"], row.purchase_date, None)
    ]


RESOURCES = [
    ApiResource(
        basename="customer",
        make=lambda dealer: CustomerFactory(dealer=dealer),
        writer=advisor,
        create=customer_payload,
        dealer_field="dealer",
        check_created=customer_created,
        patch=lambda row: {"name": "新名字"},
        put=lambda row: {"kind": "person", "name": "新名字", "mobile": "13811112222", "address": "深圳市南山区2号"},
        refused_writes_change=(Dealer, Vehicle, VehicleOwnership),
    ),
    ApiResource(
        basename="vehicle",
        make=lambda dealer: VehicleFactory(owner=CustomerFactory(dealer=dealer)),
        writer=advisor,
        create=vehicle_payload,
        dealer_field="owner",
        check_created=vehicle_created,
        patch=lambda row: {"colour": "珍珠白", "mileage_km": 35000},
        put=lambda row: {"vin": row.vin, "plate": "粤A88888", "brand": "丰田", "model_name": "凯美瑞"},
        refused_writes_change=(Dealer, Customer, VehicleOwnership),
    ),
]
