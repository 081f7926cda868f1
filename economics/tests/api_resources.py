"""The economics API endpoints for the generic API tests (core/tests/api_kit.py)."""

from decimal import Decimal

from accounts.choices import Role
from accounts.models import User
from core.tests.api_kit import ApiResource, serial, service_manager
from core.tests.factories import UserFactory
from economics.models import Attendance


def technician_at_work(dealer) -> User:
    """A technician of the dealer with a day attended in October 2026 (a row of the month's list)."""
    technician = UserFactory(username=f"econ_tech_{next(serial)}", roles=[Role.TECHNICIAN], dealers=[dealer])
    Attendance.objects.create(dealer=dealer, technician=technician, day="2026-10-12", hours=Decimal("8"),
                              recorded_by=service_manager(dealer))  # fmt: skip
    return technician


RESOURCES = [
    # A row is a technician of a dealer in the month.
    ApiResource(
        basename="technician-efficiency",
        make=technician_at_work,
        model=User,
        read_permission="economics.view_economics_attendance",
        list_params={"month": "2026-10"},
        id_field="technician",
        detail=False,
        in_dealer=lambda user, dealer: user.dealer_memberships.filter(dealer=dealer).exists(),
    ),
]
