"""Demo notifications: the domains' demo steps (``<app>.notices.demo_notices``) tell of what is still open at the end
of the demo through the real notices, then date each notification at its event; one older than a day was read."""

from __future__ import annotations

from datetime import datetime, timedelta

from notifications.models import Notification

READ_AFTER = timedelta(days=1)  # what happened more than a day before the end of the demo has been read


def stamp(notifications: list[Notification], at: datetime | None, *, now: datetime) -> int:
    """Date the notifications at their event (``at``), read 10 minutes later when that is over a day before ``now``."""
    if not notifications or at is None:
        return len(notifications or [])
    read_at = at + timedelta(minutes=10) if now - at > READ_AFTER else None
    Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(created_at=at, read_at=read_at)
    return len(notifications)
