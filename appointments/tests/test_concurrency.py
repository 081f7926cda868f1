"""Real concurrent transactions on PostgreSQL: two desks booking the last bay of a slot at the same moment."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from appointments.choices import AppointmentStatus
from appointments.models import Appointment
from appointments.tests.factories import at, book
from core.tests.factories import VehicleFactory

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def test_two_desks_booking_the_last_bay_at_once_exactly_one_wins(advisor_a, dealer_a, customer_a):
    dealer_a.service_bays = 2
    dealer_a.save()
    book(VehicleFactory(owner=customer_a), advisor_a, slot_start=at(1, 10))
    vehicles = [VehicleFactory(owner=customer_a) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def desk(vehicle) -> None:
        try:
            barrier.wait(timeout=10)
            with translation.override("en"):  # the active language is per thread
                book(vehicle, advisor_a, slot_start=at(1, 10))
            result = "booked"
        except ValidationError as exc:
            with translation.override("en"):
                result = "full" if "is full" in exc.message_dict["slot_start"][0] else str(exc)
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=desk, args=(vehicle,)) for vehicle in vehicles]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["booked", "full"]
    assert Appointment.objects.filter(slot_start=at(1, 10), status=AppointmentStatus.BOOKED).count() == 2
