"""Fixtures of the customer-care tests: a follow-up specialist per dealer and delivered repair orders."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.choices import Role
from core.tests.factories import CustomerFactory, UserFactory, VehicleFactory, make_vin
from repairs.choices import RepairOrderStatus as S
from repairs.models import RepairOrder
from repairs.tests.factories import make_order


@pytest.fixture
def specialist_a(dealer_a):
    return UserFactory(username="care_a", roles=[Role.FOLLOWUP_SPECIALIST], dealers=[dealer_a])


@pytest.fixture
def specialist_b(dealer_b):
    return UserFactory(username="care_b", roles=[Role.FOLLOWUP_SPECIALIST], dealers=[dealer_b])


@pytest.fixture
def manager_a(dealer_a):
    return UserFactory(username="manager_a", roles=[Role.SERVICE_MANAGER], dealers=[dealer_a])


@pytest.fixture
def delivered(vehicle_a, advisor_a):
    """A repair order of dealer A delivered now (its first follow-up task is open)."""
    return make_order(vehicle_a, advisor_a, S.DELIVERED)


_serial = iter(range(500, 10_000))


def visit(dealer, advisor, *, arrived_days_ago: float, customer=None, vehicle=None, status=S.OPEN) -> RepairOrder:
    """A repair order whose arrival is moved into the past (the services stamp "now")."""
    customer = customer or CustomerFactory(dealer=dealer)
    vehicle = vehicle or VehicleFactory(owner=customer, vin=make_vin(next(_serial)))  # one open order each
    order = make_order(vehicle, advisor, status)
    RepairOrder.objects.filter(pk=order.pk).update(arrived_at=timezone.now() - timedelta(days=arrived_days_ago))
    order.refresh_from_db()
    return order
