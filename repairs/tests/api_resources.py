"""The service desk's API endpoints for the generic API tests (core/tests/test_api_resources.py)."""

from accounts.choices import Role
from core.tests.api_kit import ApiResource, role
from core.tests.factories import CustomerFactory, VehicleFactory, staff_user
from repairs import services
from repairs.models import RepairOrderEvent

advisor = role(Role.SERVICE_ADVISOR)


def new_vehicle(dealer):
    return VehicleFactory(owner=CustomerFactory(dealer=dealer))


def opened(dealer):
    """An order opened at reception for a new vehicle of the dealer (one open order per vehicle)."""
    return services.repair_order_open(
        vehicle=new_vehicle(dealer), by=staff_user(dealer, Role.SERVICE_ADVISOR), customer_complaint="刹车异响",
        job_type="repair",
    )  # fmt: skip


RESOURCES = [
    # Every step after opening is an action with its own input (repairs/tests/test_api.py, test_state.py).
    ApiResource(
        basename="repair-order",
        make=opened,
        writer=advisor,
        create=lambda dealer: {
            "vehicle": new_vehicle(dealer).pk,
            "customer_complaint": "保养",
            "job_type": "maintenance",
        },
        dealer_field="vehicle",
        refused_writes_change=(RepairOrderEvent,),
    ),
]
