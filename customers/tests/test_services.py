"""Tests of the customer archive services: create/update customers and vehicles, change owner, completeness."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.test import RequestFactory
from django.utils import timezone, translation
from simple_history.models import HistoricalRecords

from core.services import ConflictError
from core.tests.factories import CustomerFactory, UserFactory, VehicleFactory, make_vin
from core.tests.helpers import sh
from customers.archive import ArchiveStatus, archive_status
from customers.choices import Consent, CustomerKind, FuelType
from customers.models import Customer, Vehicle, VehicleOwnership
from customers.services import (
    customer_create,
    customer_refresh_archive_status,
    customer_update,
    vehicle_change_owner,
    vehicle_create,
    vehicle_update,
)

pytestmark = pytest.mark.django_db

FIRST_STAMP = sh(2024, 3, 1, 9, 30)


def person_fields(**overrides):
    """Everything a person's archive needs, consent included."""
    return {
        "name": "张伟",
        "mobile": "13800138000",
        "address": "广州市天河区体育西路1号",
        "consent": Consent.GIVEN,
        **overrides,
    }


def vehicle_fields(seed: int = 1, **overrides):
    """Everything a vehicle needs for a complete archive."""
    return {
        "vin": make_vin(seed),
        "plate": f"粤A{seed:05d}",
        "brand": "大众",
        "model_name": "朗逸 1.5L",
        "purchase_date": date(2023, 5, 20),
        "mileage_km": 12000,
        **overrides,
    }


def stored(instance) -> dict:
    """The instance's row as it is in the database now."""
    return type(instance).objects.filter(pk=instance.pk).values().get()


def counts() -> dict[str, int]:
    return {
        "customers": Customer.objects.count(),
        "vehicles": Vehicle.objects.count(),
        "ownerships": VehicleOwnership.objects.count(),
        "customer_history": Customer.history.count(),
        "vehicle_history": Vehicle.history.count(),
        "ownership_history": VehicleOwnership.history.count(),
    }


@pytest.fixture(autouse=True)
def english():
    """Compare messages with the English source text (the UI language, zh-hans, is translated)."""
    with translation.override("en"):
        yield


def refusal(call) -> ValidationError:
    """Run a service call that must be refused and return its error."""
    with pytest.raises(ValidationError) as excinfo:
        call()
    return excinfo.value


@pytest.fixture
def customer_a(dealer_a, advisor_a):
    return customer_create(dealer=dealer_a, by=advisor_a, **person_fields())


@pytest.fixture
def vehicle_a(customer_a, advisor_a):
    return vehicle_create(owner=customer_a, by=advisor_a, owner_since=date(2023, 5, 20), **vehicle_fields(1))


# --- customer_create ------------------------------------------------------------------------------


def test_customer_create_normalises_mobile_and_tags(dealer_a, advisor_a):
    customer = customer_create(
        dealer=dealer_a,
        by=advisor_a,
        **person_fields(mobile="+86 138-0013-8000", tags=" VIP，车队, VIP ,, 老客户 "),
    )

    row = stored(customer)
    assert row["mobile"] == "13800138000"
    assert row["tags"] == "VIP, 车队, 老客户"
    assert customer.tag_list == ["VIP", "车队", "老客户"]
    assert row["dealer_id"] == dealer_a.pk
    assert row["created_by_id"] == advisor_a.pk
    assert row["version"] == 1
    assert Customer.objects.count() == 1
    assert customer.history.count() == 1
    assert customer.history.get().history_user == advisor_a


def test_customer_create_records_consent_time_when_consent_is_given(dealer_a, advisor_a):
    before = timezone.now()
    customer = customer_create(dealer=dealer_a, by=advisor_a, **person_fields(consent=Consent.GIVEN))
    after = timezone.now()

    consent_at = stored(customer)["consent_at"]
    assert consent_at is not None
    assert before <= consent_at <= after


def test_customer_create_records_consent_time_when_consent_is_refused(dealer_a, advisor_a):
    customer = customer_create(dealer=dealer_a, by=advisor_a, **person_fields(consent=Consent.REFUSED))

    assert stored(customer)["consent_at"] is not None


def test_customer_create_without_consent_answer_has_no_consent_time(dealer_a, advisor_a):
    customer = customer_create(dealer=dealer_a, by=advisor_a, **person_fields(consent=Consent.UNKNOWN))

    assert stored(customer)["consent_at"] is None


def test_customer_create_by_region_manager_is_refused_and_creates_nothing(dealer_a, region_manager):
    before = counts()

    error = refusal(lambda: customer_create(dealer=dealer_a, by=region_manager, **person_fields()))

    assert error.message_dict == {"dealer": ["You cannot change the data of this dealer."]}
    assert counts() == before
    assert Customer.objects.count() == 0


def test_customer_create_for_another_dealer_is_refused_and_creates_nothing(dealer_a, dealer_b, advisor_b):
    error = refusal(lambda: customer_create(dealer=dealer_a, by=advisor_b, **person_fields()))

    assert error.message_dict == {"dealer": ["You cannot change the data of this dealer."]}
    assert Customer.objects.count() == 0
    assert Customer.history.count() == 0


def test_customer_create_with_invalid_mobile_is_refused_and_creates_nothing(dealer_a, advisor_a):
    error = refusal(lambda: customer_create(dealer=dealer_a, by=advisor_a, **person_fields(mobile="12345678901")))

    assert list(error.message_dict) == ["mobile"]
    assert Customer.objects.count() == 0


def test_customer_create_rejects_unknown_fields(dealer_a, advisor_a):
    with pytest.raises(TypeError, match=r"unknown customer fields: \['archive_complete'\]"):
        customer_create(dealer=dealer_a, by=advisor_a, archive_complete=True, **person_fields())
    assert Customer.objects.count() == 0


def test_superuser_may_create_at_any_dealer(dealer_b):
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)

    customer = customer_create(dealer=dealer_b, by=admin, **person_fields())

    assert stored(customer)["dealer_id"] == dealer_b.pk


# --- customer_update ------------------------------------------------------------------------------


def test_customer_update_bumps_version_and_writes_history(customer_a, advisor_a):
    updated = customer_update(customer=customer_a, by=advisor_a, version=1, name="张伟强", address="深圳市南山区")

    row = stored(updated)
    assert row["version"] == 2
    assert row["name"] == "张伟强"
    assert row["address"] == "深圳市南山区"
    assert customer_a.history.count() == 2
    latest = customer_a.history.order_by("-history_id").first()
    assert latest.history_type == "~"
    assert latest.name == "张伟强"
    assert latest.version == 2
    assert latest.history_user == advisor_a
    assert customer_a.history.order_by("history_id").first().name == "张伟"


def test_customer_update_records_the_user_of_the_request(customer_a, advisor_a):
    request = RequestFactory().post("/customers/")
    request.user = advisor_a
    HistoricalRecords.context.request = request
    try:
        customer_update(customer=customer_a, by=advisor_a, version=1, notes="到店保养")
    finally:
        del HistoricalRecords.context.request

    latest = customer_a.history.order_by("-history_id").first()
    assert latest.history_user == advisor_a
    assert latest.notes == "到店保养"


def test_customer_update_twice_with_fresh_versions(customer_a, advisor_a):
    customer_update(customer=customer_a, by=advisor_a, version=1, notes="一")
    customer_update(customer=customer_a, by=advisor_a, version=2, notes="二")

    assert stored(customer_a)["version"] == 3
    assert stored(customer_a)["notes"] == "二"
    assert customer_a.history.count() == 3


def test_customer_update_normalises_mobile_and_tags(customer_a, advisor_a):
    customer_update(customer=customer_a, by=advisor_a, version=1, mobile="0086 139 0000 1111", tags="车队,车队，VIP")

    row = stored(customer_a)
    assert row["mobile"] == "13900001111"
    assert row["tags"] == "车队, VIP"


def test_customer_update_consent_change_moves_consent_time(customer_a, advisor_a):
    given_at = stored(customer_a)["consent_at"]

    customer_update(customer=customer_a, by=advisor_a, version=1, consent=Consent.REFUSED)
    refused_at = stored(customer_a)["consent_at"]
    assert refused_at > given_at

    customer_update(customer=customer_a, by=advisor_a, version=2, notes="无关修改")
    assert stored(customer_a)["consent_at"] == refused_at

    customer_update(customer=customer_a, by=advisor_a, version=3, consent=Consent.UNKNOWN)
    assert stored(customer_a)["consent_at"] is None


def test_customer_update_with_stale_version_raises_conflict_and_changes_nothing(customer_a, advisor_a):
    customer_update(customer=Customer.objects.get(pk=customer_a.pk), by=advisor_a, version=1, notes="别人先存了")
    before_row = stored(customer_a)
    before = counts()

    with pytest.raises(ConflictError) as excinfo:
        customer_update(customer=customer_a, by=advisor_a, version=1, name="李四", mobile="13911112222")

    assert excinfo.value.code == "conflict"
    assert excinfo.value.params == {"mine": 1, "theirs": 2}
    assert stored(customer_a) == before_row
    assert before_row["name"] == "张伟"
    assert before_row["notes"] == "别人先存了"
    assert counts() == before


def test_customer_update_without_version_is_refused(customer_a, advisor_a):
    before_row = stored(customer_a)

    error = refusal(lambda: customer_update(customer=customer_a, by=advisor_a, version=None, name="李四"))

    assert error.message_dict == {"version": ["The record version is required to save changes."]}
    assert stored(customer_a) == before_row
    assert customer_a.history.count() == 1


def test_customer_update_by_other_dealer_is_refused_and_changes_nothing(customer_a, advisor_b):
    before_row = stored(customer_a)

    error = refusal(lambda: customer_update(customer=customer_a, by=advisor_b, version=1, name="李四"))

    assert error.message_dict == {"dealer": ["You cannot change the data of this dealer."]}
    assert stored(customer_a) == before_row
    assert customer_a.history.count() == 1


def test_customer_update_by_region_manager_is_refused(customer_a, region_manager):
    before_row = stored(customer_a)

    error = refusal(lambda: customer_update(customer=customer_a, by=region_manager, version=1, name="李四"))

    assert error.message_dict == {"dealer": ["You cannot change the data of this dealer."]}
    assert stored(customer_a) == before_row


def test_customer_update_with_invalid_mobile_is_refused_and_changes_nothing(customer_a, advisor_a):
    before_row = stored(customer_a)

    error = refusal(lambda: customer_update(customer=customer_a, by=advisor_a, version=1, mobile="1380013800"))

    assert list(error.message_dict) == ["mobile"]
    assert stored(customer_a) == before_row
    assert customer_a.history.count() == 1


# --- vehicle_create -------------------------------------------------------------------------------


def test_vehicle_create_normalises_vin_and_plate_and_opens_ownership(customer_a, advisor_a):
    vehicle = vehicle_create(
        owner=customer_a,
        by=advisor_a,
        owner_since=date(2024, 2, 1),
        **vehicle_fields(vin=" lsvau218xn2183294 ", plate="粤b·d12345"),
    )

    row = stored(vehicle)
    assert row["vin"] == "LSVAU218XN2183294"
    assert row["plate"] == "粤BD12345"
    assert row["dealer_id"] == customer_a.dealer_id
    assert row["owner_id"] == customer_a.pk
    assert row["created_by_id"] == advisor_a.pk
    assert row["version"] == 1
    assert row["mileage_recorded_at"] is not None
    ownerships = list(VehicleOwnership.objects.filter(vehicle=vehicle).values("customer_id", "started_on", "ended_on"))
    assert ownerships == [{"customer_id": customer_a.pk, "started_on": date(2024, 2, 1), "ended_on": None}]
    assert VehicleOwnership.objects.get(vehicle=vehicle).recorded_by == advisor_a


def test_vehicle_create_ownership_starts_on_purchase_date_without_owner_since(customer_a, advisor_a):
    vehicle = vehicle_create(owner=customer_a, by=advisor_a, **vehicle_fields(purchase_date=date(2022, 8, 8)))

    assert VehicleOwnership.objects.get(vehicle=vehicle).started_on == date(2022, 8, 8)


def test_vehicle_create_ownership_starts_today_without_any_date(customer_a, advisor_a):
    vehicle = vehicle_create(owner=customer_a, by=advisor_a, **vehicle_fields(purchase_date=None))

    assert VehicleOwnership.objects.get(vehicle=vehicle).started_on == timezone.localdate()


def test_vehicle_create_owner_since_wins_over_purchase_date(customer_a, advisor_a):
    vehicle = vehicle_create(
        owner=customer_a, by=advisor_a, owner_since=date(2024, 1, 15), **vehicle_fields(purchase_date=date(2020, 1, 1))
    )

    assert VehicleOwnership.objects.get(vehicle=vehicle).started_on == date(2024, 1, 15)


def test_vehicle_create_without_mileage_has_no_mileage_time(customer_a, advisor_a):
    vehicle = vehicle_create(owner=customer_a, by=advisor_a, **vehicle_fields(mileage_km=None))

    assert stored(vehicle)["mileage_recorded_at"] is None


def test_vehicle_create_refuses_duplicate_vin_at_the_same_dealer(vehicle_a, customer_a, advisor_a):
    other = customer_create(dealer=customer_a.dealer, by=advisor_a, **person_fields(name="李娜", mobile="13900000001"))
    before = counts()

    # Same VIN typed in lower case with spaces: it is normalised before the check.
    duplicate_vin = " ".join(vehicle_a.vin.lower())
    error = refusal(lambda: vehicle_create(owner=other, by=advisor_a, **vehicle_fields(2, vin=duplicate_vin)))

    assert list(error.message_dict) == [NON_FIELD_ERRORS]
    assert counts() == before
    assert list(Vehicle.objects.filter(vin=vehicle_a.vin).values_list("pk", flat=True)) == [vehicle_a.pk]
    assert VehicleOwnership.objects.filter(customer=other).count() == 0


def test_vehicle_create_refuses_duplicate_plate_at_the_same_dealer(vehicle_a, customer_a, advisor_a):
    before = counts()

    error = refusal(
        lambda: vehicle_create(owner=customer_a, by=advisor_a, **vehicle_fields(2, plate=vehicle_a.plate.lower()))
    )

    assert list(error.message_dict) == [NON_FIELD_ERRORS]
    assert counts() == before
    assert Vehicle.objects.filter(plate=vehicle_a.plate).count() == 1


def test_vehicle_create_allows_the_same_vin_and_plate_at_another_dealer(vehicle_a, dealer_b, advisor_b):
    owner_b = customer_create(dealer=dealer_b, by=advisor_b, **person_fields())

    vehicle_b = vehicle_create(owner=owner_b, by=advisor_b, **vehicle_fields(1))

    assert vehicle_b.pk != vehicle_a.pk
    assert vehicle_b.vin == vehicle_a.vin
    assert vehicle_b.plate == vehicle_a.plate
    assert Vehicle.objects.filter(vin=vehicle_a.vin).count() == 2
    assert stored(vehicle_b)["dealer_id"] == dealer_b.pk


def test_vehicle_create_allows_repeated_blank_plates(customer_a, advisor_a):
    first = vehicle_create(owner=customer_a, by=advisor_a, **vehicle_fields(1, plate=""))
    second = vehicle_create(owner=customer_a, by=advisor_a, **vehicle_fields(2, plate=" "))

    assert stored(first)["plate"] == ""
    assert stored(second)["plate"] == ""
    assert Vehicle.objects.filter(dealer=customer_a.dealer, plate="").count() == 2


@pytest.mark.parametrize(
    ("field", "value"),
    [("vin", "1M8GDM9A1KP042788"), ("vin", "1M8GDM9AXKP04278"), ("plate", "粤I12345"), ("plate", "港A12345")],
)
def test_vehicle_create_refuses_invalid_vin_or_plate(customer_a, advisor_a, field, value):
    before = counts()

    error = refusal(lambda: vehicle_create(owner=customer_a, by=advisor_a, **vehicle_fields(**{field: value})))

    assert list(error.message_dict) == [field]
    assert counts() == before


def test_vehicle_create_for_another_dealer_is_refused(customer_a, advisor_b, region_manager):
    before = counts()

    for user in (advisor_b, region_manager):
        error = refusal(lambda user=user: vehicle_create(owner=customer_a, by=user, **vehicle_fields()))
        assert error.message_dict == {"dealer": ["You cannot change the data of this dealer."]}

    assert counts() == before


# --- vehicle_update -------------------------------------------------------------------------------


def test_vehicle_update_bumps_version_and_stamps_new_mileage(vehicle_a, advisor_a):
    old_stamp = stored(vehicle_a)["mileage_recorded_at"]

    vehicle_update(vehicle=vehicle_a, by=advisor_a, version=1, mileage_km=15000, plate="粤a 54321")

    row = stored(vehicle_a)
    assert row["version"] == 2
    assert row["mileage_km"] == 15000
    assert row["plate"] == "粤A54321"
    assert row["mileage_recorded_at"] > old_stamp
    assert vehicle_a.history.count() == 2
    assert vehicle_a.history.order_by("-history_id").first().history_user == advisor_a


def test_vehicle_update_with_stale_version_changes_nothing(vehicle_a, advisor_a):
    vehicle_update(vehicle=Vehicle.objects.get(pk=vehicle_a.pk), by=advisor_a, version=1, colour="白")
    before_row = stored(vehicle_a)
    before = counts()

    with pytest.raises(ConflictError):
        vehicle_update(vehicle=vehicle_a, by=advisor_a, version=1, mileage_km=99999)

    assert stored(vehicle_a) == before_row
    assert counts() == before


def test_vehicle_update_by_other_dealer_is_refused_and_changes_nothing(vehicle_a, advisor_b, region_manager):
    before_row = stored(vehicle_a)
    before = counts()

    for user in (advisor_b, region_manager):
        error = refusal(lambda user=user: vehicle_update(vehicle=vehicle_a, by=user, version=1, mileage_km=1))
        assert error.message_dict == {"dealer": ["You cannot change the data of this dealer."]}

    assert stored(vehicle_a) == before_row
    assert counts() == before


# --- vehicle_change_owner -------------------------------------------------------------------------


@pytest.fixture
def buyer_a(customer_a, advisor_a):
    return customer_create(dealer=customer_a.dealer, by=advisor_a, **person_fields(name="李娜", mobile="13900000001"))


def test_vehicle_change_owner_moves_the_vehicle_and_keeps_its_history(vehicle_a, customer_a, buyer_a, advisor_a):
    vehicle_pk = vehicle_a.pk
    transfer = date(2024, 6, 1)

    moved = vehicle_change_owner(
        vehicle=vehicle_a, new_owner=buyer_a, by=advisor_a, version=1, started_on=transfer, note="二手转让"
    )

    assert moved.pk == vehicle_pk
    row = stored(moved)
    assert row["owner_id"] == buyer_a.pk
    assert row["version"] == 2
    assert row["vin"] == vehicle_fields(1)["vin"]
    ownerships = list(
        VehicleOwnership.objects.filter(vehicle_id=vehicle_pk)
        .order_by("started_on")
        .values("customer_id", "started_on", "ended_on", "note", "recorded_by_id")
    )
    assert ownerships == [
        {
            "customer_id": customer_a.pk,
            "started_on": date(2023, 5, 20),
            "ended_on": transfer,
            "note": "",
            "recorded_by_id": advisor_a.pk,
        },
        {
            "customer_id": buyer_a.pk,
            "started_on": transfer,
            "ended_on": None,
            "note": "二手转让",
            "recorded_by_id": advisor_a.pk,
        },
    ]
    assert Vehicle.objects.count() == 1
    assert list(customer_a.vehicles.all()) == []
    assert list(buyer_a.vehicles.values_list("pk", flat=True)) == [vehicle_pk]
    assert vehicle_a.history.count() == 2
    latest = vehicle_a.history.order_by("-history_id").first()
    assert latest.owner_id == buyer_a.pk
    assert latest.history_user == advisor_a


def test_vehicle_change_owner_on_the_current_owners_start_date(vehicle_a, buyer_a, advisor_a):
    vehicle_change_owner(vehicle=vehicle_a, new_owner=buyer_a, by=advisor_a, version=1, started_on=date(2023, 5, 20))

    assert stored(vehicle_a)["owner_id"] == buyer_a.pk
    assert VehicleOwnership.objects.filter(vehicle=vehicle_a, ended_on=date(2023, 5, 20)).count() == 1


def test_vehicle_change_owner_today_is_allowed(vehicle_a, buyer_a, advisor_a):
    vehicle_change_owner(vehicle=vehicle_a, new_owner=buyer_a, by=advisor_a, version=1, started_on=timezone.localdate())

    assert VehicleOwnership.objects.get(vehicle=vehicle_a, ended_on__isnull=True).customer == buyer_a


def test_vehicle_change_owner_twice_keeps_the_whole_chain(vehicle_a, customer_a, buyer_a, advisor_a):
    third = customer_create(dealer=customer_a.dealer, by=advisor_a, **person_fields(name="王芳", mobile="13700000002"))
    vehicle_change_owner(vehicle=vehicle_a, new_owner=buyer_a, by=advisor_a, version=1, started_on=date(2024, 1, 1))
    vehicle_change_owner(vehicle=vehicle_a, new_owner=third, by=advisor_a, version=2, started_on=date(2024, 9, 1))

    chain = list(
        VehicleOwnership.objects.filter(vehicle=vehicle_a)
        .order_by("started_on")
        .values_list("customer_id", "started_on", "ended_on")
    )
    assert chain == [
        (customer_a.pk, date(2023, 5, 20), date(2024, 1, 1)),
        (buyer_a.pk, date(2024, 1, 1), date(2024, 9, 1)),
        (third.pk, date(2024, 9, 1), None),
    ]
    assert stored(vehicle_a)["version"] == 3


def _assert_transfer_refused(call, vehicle, expected_messages: dict) -> None:
    before_vehicle = stored(vehicle)
    before_ownerships = list(VehicleOwnership.objects.filter(vehicle=vehicle).order_by("pk").values())
    before = counts()

    error = refusal(call)

    assert error.message_dict == expected_messages
    assert stored(vehicle) == before_vehicle
    assert list(VehicleOwnership.objects.filter(vehicle=vehicle).order_by("pk").values()) == before_ownerships
    assert counts() == before


def test_vehicle_change_owner_refuses_an_owner_of_another_dealer(vehicle_a, dealer_b, advisor_a, advisor_b):
    stranger = customer_create(dealer=dealer_b, by=advisor_b, **person_fields())

    _assert_transfer_refused(
        lambda: vehicle_change_owner(
            vehicle=vehicle_a, new_owner=stranger, by=advisor_a, version=1, started_on=date(2024, 6, 1)
        ),
        vehicle_a,
        {"new_owner": ["The new owner must be a customer of the same dealer."]},
    )


def test_vehicle_change_owner_refuses_the_same_owner(vehicle_a, customer_a, advisor_a):
    _assert_transfer_refused(
        lambda: vehicle_change_owner(
            vehicle=vehicle_a, new_owner=customer_a, by=advisor_a, version=1, started_on=date(2024, 6, 1)
        ),
        vehicle_a,
        {"new_owner": ["This customer already owns the vehicle."]},
    )


def test_vehicle_change_owner_refuses_a_date_before_the_current_owner(vehicle_a, buyer_a, advisor_a):
    _assert_transfer_refused(
        lambda: vehicle_change_owner(
            vehicle=vehicle_a, new_owner=buyer_a, by=advisor_a, version=1, started_on=date(2023, 5, 19)
        ),
        vehicle_a,
        {"started_on": ["The new owner cannot start before the current owner (2023-05-20)."]},
    )


def test_vehicle_change_owner_refuses_a_future_date(vehicle_a, buyer_a, advisor_a):
    tomorrow = timezone.localdate() + timedelta(days=1)
    _assert_transfer_refused(
        lambda: vehicle_change_owner(
            vehicle=vehicle_a, new_owner=buyer_a, by=advisor_a, version=1, started_on=tomorrow
        ),
        vehicle_a,
        {"started_on": ["The transfer date cannot be in the future."]},
    )


def test_vehicle_change_owner_refuses_a_stale_version(vehicle_a, buyer_a, advisor_a):
    vehicle_update(vehicle=Vehicle.objects.get(pk=vehicle_a.pk), by=advisor_a, version=1, colour="黑")
    before_vehicle = stored(vehicle_a)
    before_ownerships = list(VehicleOwnership.objects.filter(vehicle=vehicle_a).values())
    before = counts()

    with pytest.raises(ConflictError):
        vehicle_change_owner(vehicle=vehicle_a, new_owner=buyer_a, by=advisor_a, version=1, started_on=date(2024, 6, 1))

    assert stored(vehicle_a) == before_vehicle
    assert before_vehicle["owner_id"] != buyer_a.pk
    assert list(VehicleOwnership.objects.filter(vehicle=vehicle_a).values()) == before_ownerships
    assert counts() == before


def test_vehicle_change_owner_refuses_a_user_of_another_dealer(vehicle_a, buyer_a, advisor_b):
    _assert_transfer_refused(
        lambda: vehicle_change_owner(
            vehicle=vehicle_a, new_owner=buyer_a, by=advisor_b, version=1, started_on=date(2024, 6, 1)
        ),
        vehicle_a,
        {"dealer": ["You cannot change the data of this dealer."]},
    )


def test_vehicle_change_owner_updates_both_archives(vehicle_a, customer_a, buyer_a, advisor_a):
    assert stored(customer_a)["archive_complete"] is True
    assert stored(buyer_a)["archive_complete"] is False
    seller_stamp = stored(customer_a)["archive_completed_at"]

    vehicle_change_owner(vehicle=vehicle_a, new_owner=buyer_a, by=advisor_a, version=1, started_on=date(2024, 6, 1))

    seller = stored(customer_a)
    buyer = stored(buyer_a)
    assert seller["archive_complete"] is False
    assert seller["archive_completed_at"] == seller_stamp
    assert buyer["archive_complete"] is True
    assert buyer["archive_completed_at"] is not None


# --- Archive completeness -------------------------------------------------------------------------


def complete_vehicle(**overrides) -> Vehicle:
    return Vehicle(**vehicle_fields(**overrides))


def test_archive_status_complete_person_with_complete_vehicle():
    customer = Customer(**person_fields())

    status = archive_status(customer, [complete_vehicle()])
    assert status.complete is True
    assert status.missing == ()


def test_archive_status_lists_every_missing_customer_field():
    customer = Customer(name="", mobile="", address="", consent=Consent.UNKNOWN)

    status = archive_status(customer, [])

    assert status.complete is False
    assert status.missing == ("name", "mobile", "address", "consent to be contacted", "at least one vehicle")


def test_archive_status_consent_unknown_is_incomplete():
    customer = Customer(**person_fields(consent=Consent.UNKNOWN))

    status = archive_status(customer, [complete_vehicle()])

    assert status == ArchiveStatus(complete=False, missing=("consent to be contacted",))


@pytest.mark.parametrize("consent", [Consent.GIVEN, Consent.REFUSED])
def test_archive_status_any_consent_answer_counts(consent):
    status = archive_status(Customer(**person_fields(consent=consent)), [complete_vehicle()])

    assert status.complete is True


def test_archive_status_company_needs_a_contact_person():
    company = Customer(**person_fields(kind=CustomerKind.COMPANY, name="广州顺达物流有限公司"))

    without = archive_status(company, [complete_vehicle()])
    company.contact_person = "陈经理"
    with_contact = archive_status(company, [complete_vehicle()])

    assert without.complete is False
    assert without.missing == ("contact person",)
    assert with_contact.complete is True
    assert with_contact.missing == ()


def test_archive_status_person_needs_no_contact_person():
    status = archive_status(Customer(**person_fields(contact_person="")), [complete_vehicle()])

    assert status.complete is True


def test_archive_status_names_every_missing_vehicle_field():
    empty_vehicle = Vehicle(vin="", plate="", brand="", model_name="", purchase_date=None, mileage_km=None)

    status = archive_status(Customer(**person_fields()), [empty_vehicle])

    assert status.complete is False
    assert status.missing == (
        "vehicle VIN",
        "vehicle licence plate",
        "vehicle brand",
        "vehicle model",
        "vehicle purchase date",
        "vehicle current mileage",
    )


def test_archive_status_uses_the_most_complete_vehicle():
    vehicles = [
        complete_vehicle(plate="", mileage_km=None),
        complete_vehicle(mileage_km=None),
        complete_vehicle(plate="", purchase_date=None, model_name=""),
    ]

    status = archive_status(Customer(**person_fields()), vehicles)

    assert status.missing == ("vehicle current mileage",)


def test_archive_status_zero_mileage_counts_as_recorded():
    status = archive_status(Customer(**person_fields()), [complete_vehicle(mileage_km=0)])

    assert status.complete is True


def test_archive_status_one_complete_vehicle_is_enough():
    vehicles = [complete_vehicle(plate="", brand=""), complete_vehicle()]

    assert archive_status(Customer(**person_fields()), vehicles).complete is True


def test_new_customer_without_vehicle_is_incomplete(customer_a):
    row = stored(customer_a)

    assert row["archive_complete"] is False
    assert row["archive_completed_at"] is None
    assert archive_status(customer_a, customer_a.vehicles.all()).missing == ("at least one vehicle",)


def test_archive_becomes_complete_with_a_complete_vehicle(customer_a, advisor_a):
    before = timezone.now()
    vehicle_create(owner=customer_a, by=advisor_a, **vehicle_fields())
    after = timezone.now()

    row = stored(customer_a)
    assert row["archive_complete"] is True
    assert before <= row["archive_completed_at"] <= after
    assert customer_a.archive_complete is True
    assert customer_a.archive_completed_at == row["archive_completed_at"]


def test_archive_stays_incomplete_with_an_incomplete_vehicle(customer_a, advisor_a):
    vehicle_create(owner=customer_a, by=advisor_a, **vehicle_fields(plate="", mileage_km=None))

    row = stored(customer_a)
    assert row["archive_complete"] is False
    assert row["archive_completed_at"] is None


def test_company_archive_completes_only_with_contact_person(dealer_a, advisor_a):
    company = customer_create(
        dealer=dealer_a, by=advisor_a, **person_fields(kind=CustomerKind.COMPANY, name="广州顺达物流有限公司")
    )
    vehicle_create(owner=company, by=advisor_a, **vehicle_fields(fuel_type=FuelType.DIESEL))
    assert stored(company)["archive_complete"] is False

    customer_update(customer=company, by=advisor_a, version=1, contact_person="陈经理")

    row = stored(company)
    assert row["archive_complete"] is True
    assert row["archive_completed_at"] is not None


def test_consent_unknown_keeps_the_archive_incomplete(dealer_a, advisor_a):
    customer = customer_create(dealer=dealer_a, by=advisor_a, **person_fields(consent=Consent.UNKNOWN))
    vehicle_create(owner=customer, by=advisor_a, **vehicle_fields())
    assert stored(customer)["archive_complete"] is False

    customer_update(customer=customer, by=advisor_a, version=1, consent=Consent.GIVEN)

    assert stored(customer)["archive_complete"] is True


def test_first_completion_stamp_is_never_moved(customer_a, advisor_a):
    vehicle = vehicle_create(owner=customer_a, by=advisor_a, **vehicle_fields())
    first_stamp = stored(customer_a)["archive_completed_at"]
    assert first_stamp is not None

    # Incomplete again: the flag drops, the first-complete stamp stays.
    customer_update(customer=customer_a, by=advisor_a, version=1, address="")
    row = stored(customer_a)
    assert row["archive_complete"] is False
    assert row["archive_completed_at"] == first_stamp

    # Complete again: still the first stamp.
    customer_update(customer=customer_a, by=advisor_a, version=2, address="广州市越秀区")
    row = stored(customer_a)
    assert row["archive_complete"] is True
    assert row["archive_completed_at"] == first_stamp

    # Through the vehicle as well.
    vehicle_update(vehicle=vehicle, by=advisor_a, version=1, plate="")
    assert stored(customer_a)["archive_complete"] is False
    vehicle_update(vehicle=vehicle, by=advisor_a, version=2, plate="粤A99999")
    row = stored(customer_a)
    assert row["archive_complete"] is True
    assert row["archive_completed_at"] == first_stamp


def test_refresh_keeps_an_old_stamp(customer_a, advisor_a):
    vehicle_create(owner=customer_a, by=advisor_a, **vehicle_fields())
    Customer.objects.filter(pk=customer_a.pk).update(archive_complete=False, archive_completed_at=FIRST_STAMP)
    customer = Customer.objects.get(pk=customer_a.pk)

    customer_refresh_archive_status(customer=customer)

    row = stored(customer)
    assert row["archive_complete"] is True
    assert row["archive_completed_at"] == FIRST_STAMP


def test_refresh_without_change_writes_nothing(customer_a, advisor_a, django_assert_num_queries):
    customer = Customer.objects.get(pk=customer_a.pk)

    # One query for the vehicles, no UPDATE: nothing changed.
    with django_assert_num_queries(1):
        customer_refresh_archive_status(customer=customer)

    assert stored(customer)["archive_complete"] is False


def test_refresh_of_an_instance_loaded_before_completion_keeps_the_first_stamp(customer_a, advisor_a):
    loaded_earlier = Customer.objects.get(pk=customer_a.pk)  # e.g. an edit form opened before the vehicle
    vehicle_create(owner=customer_a, by=advisor_a, **vehicle_fields())
    first_stamp = stored(customer_a)["archive_completed_at"]

    customer_refresh_archive_status(customer=loaded_earlier)

    assert stored(customer_a)["archive_completed_at"] == first_stamp
    assert loaded_earlier.archive_completed_at == first_stamp


def test_update_of_an_instance_loaded_before_completion_keeps_the_first_stamp(customer_a, advisor_a):
    # Archive status changes do not bump the version, so this instance's version is still current.
    loaded_earlier = Customer.objects.get(pk=customer_a.pk)
    vehicle_create(owner=customer_a, by=advisor_a, **vehicle_fields())
    first_stamp = stored(customer_a)["archive_completed_at"]

    customer_update(customer=loaded_earlier, by=advisor_a, version=1, notes="老客户")

    row = stored(customer_a)
    assert row["notes"] == "老客户"
    assert row["archive_complete"] is True
    assert row["archive_completed_at"] == first_stamp


def test_factory_customer_is_not_complete_until_refreshed(dealer_a):
    customer = CustomerFactory(dealer=dealer_a)
    VehicleFactory(owner=customer, purchase_date=date(2023, 1, 1), mileage_km=100)

    assert stored(customer)["archive_complete"] is False
    customer_refresh_archive_status(customer=customer)
    assert stored(customer)["archive_complete"] is True
