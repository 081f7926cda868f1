"""Fixtures of the appointment tests: English messages, a frozen clock, staff of dealer A."""

from __future__ import annotations

import pytest
from django.utils import translation

from accounts.choices import Role
from appointments.tests.factories import NOW
from core.tests.factories import UserFactory, VehicleFactory, make_vin


@pytest.fixture(autouse=True)
def english():
    """Compare messages with the English source text (the UI language, zh-hans, is translated)."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def frozen(clock):
    """Every appointment test starts at NOW (a Wednesday, 09:20 in Shanghai)."""
    return clock(NOW)


@pytest.fixture
def care_a(dealer_a):
    """A follow-up specialist: books and changes appointments by phone, but does not receive customers."""
    return UserFactory(username="care_a", roles=[Role.FOLLOWUP_SPECIALIST], dealers=[dealer_a])


@pytest.fixture
def technician_a(dealer_a):
    """Reads appointments only."""
    return UserFactory(username="technician_a", roles=[Role.TECHNICIAN], dealers=[dealer_a])


@pytest.fixture
def vehicle_b(dealer_b):
    return VehicleFactory(owner__dealer=dealer_b, owner__mobile="13900000002", vin=make_vin(202), plate="粤B20002")
