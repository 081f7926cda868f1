"""Writes of notifications: tell people of an event (``notify``), mark one or all read."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.dates import local_zone
from notifications import channels
from notifications.choices import Event
from notifications.models import Notification
from notifications.texts import portable


@dataclass(frozen=True)
class Target:
    """The page a notification opens: a URL name of this site and its arguments."""

    url_name: str
    args: tuple = ()

    def url(self) -> str:
        return reverse(self.url_name, args=list(self.args))


def notify(
    event: str,
    *,
    recipients: Iterable[User | None],
    dealer,
    target: Target,
    params: dict[str, Any] | None = None,
    key: str | None = None,
    actor: User | None = None,
    at: datetime | None = None,
) -> list[Notification]:
    """Tell each recipient (active, not the ``actor`` who caused the event) of an event at a dealer.

    With a ``key``, a recipient who already has a notification with that key gets none (a reminder or a repeated
    event is sent once). After the commit the new notifications go to the channels (notifications.channels).
    ``at``: when it happened (default now; a job passes its own moment). Returns the notifications created.
    """
    if event not in Event.values:
        raise ValueError(f"unknown notification event {event!r}")
    target.url()  # a page that does not exist is a programming error: fail here, not when it is read
    stored_params = portable(params or {}, tz=local_zone(dealer))
    people = {user.pk: user for user in recipients if user is not None and user.is_active}
    if actor is not None:
        people.pop(actor.pk, None)
    key = (key or "")[:150]
    if key and people:
        already = Notification.objects.filter(key=key, recipient_id__in=list(people)).values_list(
            "recipient_id", flat=True
        )
        for pk in already:
            people.pop(pk, None)
    created = []
    now = at or timezone.now()
    for user in sorted(people.values(), key=lambda u: u.pk):
        row = Notification(recipient=user, dealer=dealer, event=event, target_url_name=target.url_name,
                           target_args=list(target.args), params=stored_params, key=key, created_at=now)  # fmt: skip
        if key:
            try:
                with transaction.atomic():  # a concurrent run sent it meanwhile: the unique key refuses, skip it
                    row.save()
            except IntegrityError:
                continue
        else:
            row.save()
        created.append(row)
    if created:
        transaction.on_commit(partial(channels.deliver, [row.pk for row in created]), robust=True)
    return created


def notification_mark_read(*, notification: Notification, by: User) -> Notification:
    """Mark one of the user's own notifications read (once: the first reading time stays)."""
    if notification.recipient_id != by.pk:
        raise Notification.DoesNotExist  # another person's notification does not exist for this user
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


def notifications_mark_all_read(*, by: User) -> int:
    """Mark every unread notification of the user read; returns how many."""
    return Notification.objects.for_user(by).unread().update(read_at=timezone.now())
