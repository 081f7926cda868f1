"""The appointments' API endpoint for the generic API tests (core/tests/test_api_resources.py)."""

from accounts.choices import Role
from appointments.tests.factories import NOW, AppointmentFactory, at
from core.tests.api_kit import ApiResource, role
from core.tests.factories import CustomerFactory, VehicleFactory
from todo.models import Task


def new_vehicle(dealer):
    return VehicleFactory(owner=CustomerFactory(dealer=dealer))


RESOURCES = [
    # Confirm, reschedule, cancel, no-show and arrive are actions: appointments/tests/test_api.py.
    ApiResource(
        basename="appointment",
        make=lambda dealer: AppointmentFactory(vehicle=new_vehicle(dealer)),
        clock=NOW,  # slots are booked ahead of the appointments' frozen "now", in business hours
        writer=role(Role.SERVICE_ADVISOR),
        create=lambda dealer: {
            "vehicle": new_vehicle(dealer).pk,
            "slot_start": at(1, 10).isoformat(),
            "customer_request": "常规保养",
        },
        dealer_field="vehicle",
        refused_writes_change=(Task,),  # booking puts the day-before reminder on the to-do list
    ),
]
