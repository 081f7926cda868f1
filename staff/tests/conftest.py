import pytest

from accounts.choices import Role
from core.tests.factories import UserFactory
from staff.choices import Position
from staff.tests.factories import person


@pytest.fixture
def manager_a(dealer_a):
    return UserFactory(username="s_manager_a", roles=[Role.SERVICE_MANAGER], dealers=[dealer_a])


@pytest.fixture
def manager_b(dealer_b):
    return UserFactory(username="s_manager_b", roles=[Role.SERVICE_MANAGER], dealers=[dealer_b])


@pytest.fixture
def tech_a(dealer_a):
    return person(dealer_a, Position.TECHNICIAN, employee_number="A-T1")


@pytest.fixture
def tech_b(dealer_b):
    return person(dealer_b, Position.TECHNICIAN, employee_number="B-T1")
