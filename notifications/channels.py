"""Channels: where a staff notification goes besides the inbox (``settings.NOTIFICATION_CHANNELS``).

Each new notification is handed, after its transaction commits, to every channel listed in
``settings.NOTIFICATION_CHANNELS`` (dotted paths of ``Channel`` subclasses; the environment variable of the same
name, comma-separated; default: none). ``LoggingChannel`` writes one log line per notification (the tests use it).

These channels are for the dealer's *staff*. Messages to customers go through the care app's messaging
(``care``), never through here.

An SMS or WeChat Work (企业微信) adapter for staff plugs in as a subclass in the project that owns the provider's
account, e.g. ``myproject/sms.py``::

    class StaffSmsChannel(Channel):
        def send(self, message: Message) -> None:
            mobile = message.notification.recipient.mobile  # accounts.User.mobile
            if mobile:
                provider.send(mobile, f"{message.title} {settings.SITE_BASE_URL}{message.url}")

and ``NOTIFICATION_CHANNELS=myproject.sms.StaffSmsChannel``. ``send`` runs after the commit in the request or job
that caused the event: a slow provider should enqueue its own django-tasks task there. A channel that raises is
logged and skipped; the other channels and the inbox are not affected.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.module_loading import import_string

from notifications.models import Notification

logger = logging.getLogger("notifications.channels")


@dataclass(frozen=True)
class Message:
    """A notification as a channel sends it: its text in the product's language and the page's local address."""

    notification: Notification
    title: str
    body: str
    url: str


class Channel:
    """A way to pass staff notifications on (SMS, WeChat Work, e-mail…); subclasses implement ``send``."""

    def send(self, message: Message) -> None:
        raise NotImplementedError


class LoggingChannel(Channel):
    """Writes each notification to the ``notifications.channels`` log (INFO)."""

    def send(self, message: Message) -> None:
        n = message.notification
        logger.info("notification %s [%s] to %s at %s: %s — %s (%s)", n.pk, n.event, n.recipient.username,
                    n.dealer_id, message.title, message.body, message.url)  # fmt: skip


def configured_channels() -> list[Channel]:
    """One instance of every channel in ``settings.NOTIFICATION_CHANNELS``."""
    return [import_string(path)() for path in getattr(settings, "NOTIFICATION_CHANNELS", [])]


def deliver(notification_ids: list[int]) -> int:
    """Hand the notifications to every configured channel; returns the number of messages sent."""
    channels = configured_channels()
    if not channels or not notification_ids:
        return 0
    sent = 0
    notifications = Notification.objects.filter(pk__in=notification_ids).select_related("recipient").order_by("pk")
    # Staff have no language setting of their own: channels speak the product's language (Chinese).
    with translation.override(settings.LANGUAGE_CODE):
        messages = [Message(n, n.title, n.body, n.target_url) for n in notifications]
    for channel in channels:
        for message in messages:
            try:
                channel.send(message)
            except Exception:  # one failing provider must not stop the others (we are after the commit)
                logger.exception("channel %s failed on notification %s", type(channel).__name__,
                                 message.notification.pk)  # fmt: skip
            else:
                sent += 1
    return sent
