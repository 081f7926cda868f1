import pytest

from accounts.choices import Role
from core.tests.factories import UserFactory


@pytest.fixture
def manager_a(dealer_a):
    return UserFactory(username="c_manager_a", display_name="周经理", roles=[Role.SERVICE_MANAGER], dealers=[dealer_a])


@pytest.fixture
def manager_b(dealer_b):
    return UserFactory(username="c_manager_b", roles=[Role.SERVICE_MANAGER], dealers=[dealer_b])


@pytest.fixture
def care_a(dealer_a):
    return UserFactory(username="c_care_a", roles=[Role.FOLLOWUP_SPECIALIST], dealers=[dealer_a])


@pytest.fixture
def technician_a(dealer_a):
    return UserFactory(username="c_tech_a", roles=[Role.TECHNICIAN], dealers=[dealer_a])
