"""warranty_status: the brand's terms (or the defaults) applied to a vehicle, with the reason in words."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from core.tests.factories import CustomerFactory, VehicleFactory
from warranty.choices import Coverage
from warranty.models import WarrantyPolicy
from warranty.rules import DEFAULT_TERMS
from warranty.services import warranty_status, warranty_terms
from warranty.tests.factories import policy

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def car(dealer, **fields):
    return VehicleFactory(owner=CustomerFactory(dealer=dealer), **fields)


def test_a_brand_without_a_policy_gets_the_default_terms(dealer_a):
    assert warranty_terms("没有政策的品牌") == DEFAULT_TERMS
    vehicle = car(dealer_a, purchase_date=date(2022, 3, 15))
    inside = warranty_status(vehicle, date(2025, 3, 15), 99_999)
    assert inside.covered is True and inside.last_day == date(2025, 3, 15) and inside.km_limit == 100_000
    assert inside.reason == (
        "In warranty (Basic warranty (整车)): covered to 2025-03-15 or 100,000 km; repaired on 2025-03-15 at 99,999 km."
    )
    outside = warranty_status(vehicle, date(2025, 3, 16), 10_000)
    assert outside.covered is False
    assert outside.reason == (
        "Out of warranty (Basic warranty (整车)): cover ended on 2025-03-15; the repair was on 2025-03-16."
    )


def test_the_brands_policy_decides_and_the_brand_matches_whatever_its_case_or_spaces(dealer_a):
    policy("Tesla", basic_months=48, basic_km=80_000, powertrain_months=96, powertrain_km=160_000)
    vehicle = car(dealer_a, brand="tesla ", purchase_date=date(2020, 1, 10))
    assert warranty_status(vehicle, date(2024, 1, 10), 79_000).covered is True
    by_km = warranty_status(vehicle, date(2023, 1, 1), 80_001)
    assert (by_km.covered, by_km.code) == (False, "expired_by_mileage")
    assert "cover ends at 80,000 km; the car had 80,001 km" in by_km.reason
    assert warranty_status(vehicle, date(2027, 1, 10), 150_000, Coverage.POWERTRAIN).covered is True
    assert warranty_status(vehicle, date(2028, 1, 11), 150_000, Coverage.POWERTRAIN).covered is False


def test_the_warranty_card_expiry_decides_the_basic_warranty_only(dealer_a):
    vehicle = car(dealer_a, purchase_date=date(2020, 1, 1), warranty_expiry=date(2025, 12, 31))
    assert warranty_status(vehicle, date(2025, 12, 31), 90_000).covered is True
    assert warranty_status(vehicle, date(2026, 1, 1), 90_000).covered is False
    # The powertrain counts from the purchase date with the brand's (here default) months.
    assert warranty_status(vehicle, date(2024, 1, 1), 90_000, Coverage.POWERTRAIN).covered is False


def test_a_missing_purchase_date_or_odometer_cannot_prove_the_warranty(dealer_a):
    no_date = warranty_status(car(dealer_a), date(2024, 1, 1), 1000)
    assert (no_date.covered, no_date.code) == (False, "no_start_date")
    assert "no purchase date" in no_date.reason
    no_km = warranty_status(car(dealer_a, purchase_date=date(2023, 1, 1)), date(2024, 1, 1), None)
    assert (no_km.covered, no_km.code) == (False, "no_mileage")


def test_the_ev_battery_needs_a_traction_battery(dealer_a):
    petrol = car(dealer_a, purchase_date=date(2020, 1, 1), fuel_type="petrol")
    answer = warranty_status(petrol, date(2024, 1, 1), 10_000, Coverage.EV_BATTERY)
    assert (answer.covered, answer.code) == (False, "not_applicable")
    ev = car(dealer_a, purchase_date=date(2020, 1, 1), fuel_type="ev")
    assert warranty_status(ev, date(2027, 12, 31), 119_000, Coverage.EV_BATTERY).covered is True
    assert warranty_status(ev, date(2028, 1, 2), 119_000, Coverage.EV_BATTERY).covered is False


def test_goodwill_is_never_covered_but_says_where_the_basic_warranty_stands(dealer_a):
    vehicle = car(dealer_a, purchase_date=date(2020, 1, 1))
    answer = warranty_status(vehicle, date(2024, 1, 1), 50_000, Coverage.GOODWILL)
    assert (answer.covered, answer.code) == (False, "goodwill")
    assert answer.reason.startswith("Goodwill is outside the warranty terms (basic warranty: Out of warranty")


def test_a_policy_below_the_legal_minimum_is_refused(dealer_a):
    too_short = WarrantyPolicy(brand="X", basic_months=24, basic_km=100_000)
    with pytest.raises(ValidationError) as error:
        too_short.full_clean()
    assert "basic_months" in error.value.error_dict
    battery = WarrantyPolicy(brand="Y", ev_battery_months=60, ev_battery_km=200_000)
    with pytest.raises(ValidationError) as error:
        battery.full_clean()
    assert set(error.value.error_dict) == {"ev_battery_months"}
    shorter_powertrain = WarrantyPolicy(brand="Z", basic_months=60, powertrain_months=36)
    with pytest.raises(ValidationError) as error:
        shorter_powertrain.full_clean()
    assert set(error.value.error_dict) == {"powertrain_months"}
    WarrantyPolicy(brand="OK", basic_months=36, basic_km=60_000).full_clean()
