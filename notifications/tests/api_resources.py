"""The notifications endpoint for the generic API tests (core/tests/test_api_resources.py).

A notification belongs to its recipient: the reader is the dealer's advisor and each row is one of theirs (another
dealer's row is its advisor's). Marking read (``read``, ``read-all``) is tested in notifications/tests/test_api.py.
"""

from accounts.choices import Role
from core.tests.api_kit import ApiResource, role, serial
from core.tests.factories import staff_user
from notifications.choices import Event
from notifications.services import Target, notify


def told(dealer):
    """A notification for the dealer's advisor (the foremen's approval event, made by hand)."""
    [notification] = notify(
        Event.ORDER_APPROVED, recipients=[staff_user(dealer, Role.SERVICE_ADVISOR)], dealer=dealer,
        target=Target("notifications:inbox"), params={"number": f"RO-{next(serial)}", "plate": "粤A10001"},
    )  # fmt: skip
    return notification


RESOURCES = [ApiResource(basename="notification", make=told, reader=role(Role.SERVICE_ADVISOR))]
