import pytest

from accounts.choices import Role
from warranty.tests.factories import manager, staff, vehicle_in_warranty, warranty_order


@pytest.fixture
def manager_a(dealer_a):
    return manager(dealer_a)


@pytest.fixture
def technician_a(dealer_a):
    return staff(dealer_a, Role.TECHNICIAN)


@pytest.fixture
def car_a(dealer_a):
    """A vehicle of dealer A bought about 13 months ago."""
    return vehicle_in_warranty(dealer_a)


@pytest.fixture
def order_a(car_a, advisor_a):
    """A warranty repair of car A that has passed QC (ready for delivery)."""
    return warranty_order(car_a, advisor_a)
