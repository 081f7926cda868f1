"""The demo appointments: valid rows, a realistic mix of outcomes, reminders for the coming ones, deterministic."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count

from appointments.choices import AppointmentChannel, AppointmentStatus
from appointments.models import Appointment
from core.tests.helpers import sh
from todo.choices import TaskKind, TaskStatus

pytestmark = pytest.mark.django_db

AFTER = sh(2026, 11, 1, 12, 0)
LAST_MOMENT = sh(2026, 10, 31, 23, 59)
ARGS = ["--force", "--dealers", "2", "--months", "6", "--seed", "5", "--until", "2026-10-31"]


def load() -> None:
    call_command("demo_data", *ARGS, stdout=StringIO())


@pytest.fixture
def demo(clock):
    """The demo loaded the day after its last day (so nothing it records is in the future)."""
    clock(AFTER)
    load()


def fingerprint() -> list[tuple]:
    return list(
        Appointment.objects.order_by("dealer__code", "slot_start", "vehicle__vin").values_list(
            "dealer__code", "vehicle__vin", "slot_start", "status", "channel", "arrived_at"
        )
    )


def test_demo_appointments_are_valid_and_realistic(demo):
    appointments = list(Appointment.objects.select_related("reminder_task"))
    assert len(appointments) > 50
    for appointment in appointments:
        appointment.full_clean()
        assert appointment.slot_end == appointment.compute_slot_end()
        assert appointment.customer_id == appointment.vehicle.owner_id
    counts = dict(Appointment.objects.values_list("status").annotate(n=Count("id")))
    assert set(counts) == set(AppointmentStatus.values)
    past = [a for a in appointments if a.status not in (AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED)]
    assert 0.03 <= counts[AppointmentStatus.NO_SHOW] / len(past) <= 0.12
    assert 0.02 <= counts[AppointmentStatus.CANCELLED] / len(past) <= 0.10
    assert all(a.cancel_reason for a in appointments if a.status == AppointmentStatus.CANCELLED)
    booked = [a for a in appointments if a.status == AppointmentStatus.ARRIVED and a.channel != "walk_in"]
    on_time = sum(1 for a in booked if abs(a.arrival_offset_minutes) <= 15)
    assert 0.7 <= on_time / len(booked) < 1  # most on time, some late
    assert {a.channel for a in appointments} == set(AppointmentChannel.values)
    for appointment in appointments:
        task = appointment.reminder_task
        if appointment.status in (AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED):
            assert (task.kind, task.status, task.vehicle_id) == (
                TaskKind.APPOINTMENT_REMINDER,
                TaskStatus.OPEN,
                appointment.vehicle_id,
            )
        else:
            assert task is None
        assert appointment.created_at <= appointment.slot_start or appointment.channel == "walk_in"
        stamps = [appointment.created_at, appointment.confirmed_at, appointment.arrived_at]
        stamps += [appointment.no_show_at, appointment.cancelled_at]
        assert all(stamp <= LAST_MOMENT for stamp in stamps if stamp), appointment  # nothing recorded ahead of time


def test_the_same_seed_gives_the_same_appointments(clock):
    clock(AFTER)
    with transaction.atomic():
        load()
        first = fingerprint()
        transaction.set_rollback(True)
    load()
    assert first and fingerprint() == first
