"""Reads: the day calendar (bays used/free per slot from one grouped query), list filters, vehicle lookup."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from appointments import selectors
from appointments.choices import AppointmentStatus as S
from appointments.filtersets import AppointmentFilterSet
from appointments.tests.factories import TODAY, AppointmentFactory, at
from core.lists import apply_filterset
from core.tenancy import dealer_ids_for
from core.tests.factories import CustomerFactory, UserFactory, VehicleFactory

pytestmark = pytest.mark.django_db


def test_the_day_calendar_counts_bays_per_slot_in_one_query(advisor_a, dealer_a, dealer_b, django_assert_num_queries):
    dealer_a.service_bays = 3
    dealer_a.save()
    for _ in range(2):
        AppointmentFactory(vehicle__owner__dealer=dealer_a, slot_start=at(1, 10))
    AppointmentFactory(vehicle__owner__dealer=dealer_a, slot_start=at(1, 10, 30), slot_minutes=90)
    AppointmentFactory(vehicle__owner__dealer=dealer_a, slot_start=at(1, 14), status=S.ARRIVED)
    AppointmentFactory(vehicle__owner__dealer=dealer_a, slot_start=at(1, 14), status=S.CONFIRMED)
    AppointmentFactory(vehicle__owner__dealer=dealer_a, slot_start=at(1, 15), status=S.CANCELLED, cancel_reason="x")
    AppointmentFactory(vehicle__owner__dealer=dealer_a, slot_start=at(1, 15), status=S.NO_SHOW)
    AppointmentFactory(vehicle__owner__dealer=dealer_a, slot_start=at(2, 10))  # another day
    AppointmentFactory(vehicle__owner__dealer=dealer_b, slot_start=at(1, 10))  # another dealer
    dealer_ids_for(advisor_a)  # the user's dealers are read once per request, before the page's queries
    with django_assert_num_queries(1):
        calendar = selectors.day_calendar(user=advisor_a, dealer=dealer_a, day=TODAY + timedelta(days=1))
    assert calendar.open
    assert [f"{row.start:%H:%M}" for row in calendar.slots][:2] == ["08:30", "09:00"]
    assert f"{calendar.slots[-1].start:%H:%M}" == "17:30"
    assert len(calendar.slots) == 19
    used = {f"{row.start:%H:%M}": (row.used, row.free, row.full) for row in calendar.slots if row.used}
    assert used == {
        "10:00": (2, 1, False),
        "10:30": (3, 0, True),
        "11:00": (1, 2, False),
        "11:30": (1, 2, False),
        "14:00": (2, 1, False),
        "14:30": (2, 1, False),
    }
    assert calendar.free == 19 * 3 - 11
    # The bar on the day page: the share of bays taken in whole percent, a slot without bays shown full.
    assert {f"{row.start:%H:%M}": row.percent_used for row in calendar.slots if row.used} == {
        "10:00": 67, "10:30": 100, "11:00": 33, "11:30": 33, "14:00": 67, "14:30": 67,
    }  # fmt: skip
    first = calendar.slots[0]
    assert selectors.SlotRow(start=first.start, end=first.end, capacity=0, used=0).percent_used == 100


def test_a_closed_day_has_no_slots_and_needs_no_query(advisor_a, dealer_a, django_assert_num_queries):
    dealer_a.working_days = "12345"
    dealer_a.save()
    with django_assert_num_queries(0):
        calendar = selectors.day_calendar(user=advisor_a, dealer=dealer_a, day=TODAY + timedelta(days=3))
    assert (calendar.open, calendar.slots) == (False, [])


def test_a_dealer_opening_off_the_grid_starts_at_the_next_half_hour(advisor_a, dealer_a):
    dealer_a.opens_at, dealer_a.closes_at = time(8, 45), time(12, 0)
    calendar = selectors.day_calendar(user=advisor_a, dealer=dealer_a, day=TODAY)
    assert [f"{row.start:%H:%M}" for row in calendar.slots] == ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"]


def test_the_list_filters_by_date_status_advisor_and_dealer_within_the_users_dealers(
    advisor_a, dealer_a, dealer_b, region_manager_ab
):
    other_advisor = UserFactory(dealers=[dealer_a])
    early = AppointmentFactory(vehicle__owner__dealer=dealer_a, slot_start=at(1, 8, 30), advisor=advisor_a)
    late = AppointmentFactory(vehicle__owner__dealer=dealer_a, slot_start=at(1, 17), advisor=other_advisor)
    confirmed = AppointmentFactory(vehicle__owner__dealer=dealer_a, slot_start=at(2, 9), status=S.CONFIRMED)
    elsewhere = AppointmentFactory(vehicle__owner__dealer=dealer_b, slot_start=at(1, 10))

    def ids(user, date=None, **filters):
        listed = selectors.appointment_list(user=user, day=date)
        return [a.pk for a in apply_filterset(AppointmentFilterSet, filters, listed, user=user)]

    assert ids(advisor_a) == [early.pk, late.pk, confirmed.pk]
    assert ids(advisor_a, date=TODAY + timedelta(days=1)) == [early.pk, late.pk]
    assert ids(advisor_a, date_from=TODAY + timedelta(days=2)) == [confirmed.pk]
    assert ids(advisor_a, date_to=TODAY + timedelta(days=1)) == [early.pk, late.pk]
    assert ids(advisor_a, status="confirmed") == [confirmed.pk]
    assert ids(advisor_a, status=["booked", "confirmed"]) == [early.pk, late.pk, confirmed.pk]
    assert ids(advisor_a, advisor=other_advisor.pk) == [late.pk]
    assert ids(advisor_a, dealer=dealer_b.pk) == []
    assert ids(region_manager_ab, date=TODAY + timedelta(days=1)) == [early.pk, elsewhere.pk, late.pk]


def test_lookup_by_mobile_plate_or_vin_finds_the_customers_vehicles_at_the_users_dealers(
    advisor_a, customer_a, vehicle_a, vehicle_b
):
    second = VehicleFactory(owner=customer_a, plate="粤A10002")
    CustomerFactory(dealer=customer_a.dealer, mobile="13800000099")  # another customer, no vehicle

    def found(text):
        return [v.pk for v in selectors.vehicles_for_lookup(user=advisor_a, lookup=text)]

    assert found("+86 138-0000-0001") == [vehicle_a.pk, second.pk]
    assert found("粤a·10002") == [second.pk, vehicle_a.pk]  # the plate's vehicle first, then its owner's others
    assert found(vehicle_a.vin.lower()) == [vehicle_a.pk, second.pk]
    assert found("粤B20002") == []  # dealer B's vehicle does not exist for dealer A's advisor
    assert found(vehicle_b.owner.mobile) == []
    assert found("13800000099") == []
    assert found("张") == []
