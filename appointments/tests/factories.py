"""Factories and helpers for appointment tests: a fixed clock, slots relative to it, appointments at any status."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import factory

from appointments import services
from appointments.choices import AppointmentChannel
from appointments.models import Appointment
from appointments.slots import at as local_at
from core.tests.factories import VehicleFactory
from core.tests.helpers import sh
from repairs.choices import JobType

# The tests' "now": a Wednesday morning during business hours (the clock fixture freezes it).
NOW = sh(2030, 6, 12, 9, 20)
TODAY = NOW.date()


def at(days: int, hour: int, minute: int = 0) -> datetime:
    """``hour:minute`` local time, ``days`` after the frozen today."""
    return local_at(TODAY + timedelta(days=days), time(hour, minute))


class AppointmentFactory(factory.django.DjangoModelFactory):
    """An appointment row written directly (any status, any slot, no capacity check, no reminder)."""

    class Meta:
        model = Appointment

    vehicle = factory.SubFactory(VehicleFactory)
    customer = factory.SelfAttribute("vehicle.owner")
    dealer = factory.SelfAttribute("vehicle.dealer")
    channel = AppointmentChannel.PHONE
    slot_start = factory.LazyFunction(lambda: at(1, 10))
    slot_minutes = 60
    slot_end = factory.LazyAttribute(lambda o: o.slot_start + timedelta(minutes=o.slot_minutes))
    job_type = JobType.MAINTENANCE
    customer_request = "常规保养"


def book(vehicle, by, **overrides) -> Appointment:
    """Book through the service with sensible defaults: tomorrow 10:00, one hour, maintenance."""
    fields = {
        "slot_start": at(1, 10),
        "customer_request": "常规保养，更换机油机滤",
        "job_type": JobType.MAINTENANCE,
        **overrides,
    }
    return services.appointment_book(vehicle=vehicle, by=by, **fields)
