"""The complaints' API endpoints for the generic API tests (core/tests/test_api_resources.py)."""

from accounts.choices import Role
from complaints.choices import Severity
from complaints.models import ComplaintEvent, CrisisAlert
from complaints.tests.factories import open_complaint
from core.tests.api_kit import ApiResource, role
from core.tests.factories import staff_user
from todo.models import Task


def registered(dealer, **fields):
    return open_complaint(dealer, staff_user(dealer, Role.SERVICE_ADVISOR), **fields)


def crisis(dealer) -> CrisisAlert:
    """The crisis alert a critical complaint raises (a second one of the same dealer joins the open alert)."""
    registered(dealer, severity=Severity.CRITICAL)
    return CrisisAlert.objects.filter(dealer=dealer).latest("id")


RESOURCES = [
    # Contact, resolve, reopen and reassign are actions: complaints/tests/test_api.py.
    ApiResource(
        basename="complaint",
        make=registered,
        writer=role(Role.SERVICE_ADVISOR),
        create=lambda dealer: {
            "dealer": dealer.pk,
            "channel": "online",
            "category": "price",
            "severity": "medium",
            "description": "报价不透明",
        },
        dealer_field="dealer",
        refused_writes_change=(ComplaintEvent, Task, CrisisAlert),
    ),
    # Acknowledging is an action: complaints/tests/test_api.py.
    ApiResource(basename="crisis-alert", make=crisis),
]
