import pytest

from accounts.choices import Role
from core.dates import Month
from core.tests.factories import DealerFactory, UserFactory, staff_user
from reports.tests.factories import published_run

SEPTEMBER, OCTOBER = Month(2025, 9), Month(2025, 10)


@pytest.fixture
def neighbour(dealer_a):
    """A second dealer in dealer A's region (dealer B is in another region of the same OEM)."""
    return DealerFactory(code="A002", name="甲二店", region=dealer_a.region)


@pytest.fixture
def manager_a(dealer_a):
    return staff_user(dealer_a, Role.SERVICE_MANAGER)


@pytest.fixture
def manager_b(dealer_b):
    return staff_user(dealer_b, Role.SERVICE_MANAGER)


@pytest.fixture
def admin(db):
    return UserFactory(username="report_admin", is_superuser=True, is_staff=True)


@pytest.fixture
def runs(dealer_a, dealer_b, neighbour):
    """The OEM's published runs of September and October 2025 (A 70 → 80, A002 60 → 55, B 65 → 75) and a later
    draft re-run of October that must not count (A 99)."""
    oem = dealer_a.region.oem
    september = published_run(oem, SEPTEMBER, {dealer_a: 70.0, neighbour: 60.0, dealer_b: 65.0})
    october = published_run(oem, OCTOBER, {dealer_a: 80.0, neighbour: 55.0, dealer_b: 75.0})
    draft = published_run(oem, OCTOBER, {dealer_a: 99.0, neighbour: 99.0, dealer_b: 99.0}, publish=False)
    return {"september": september, "october": october, "draft": draft}
