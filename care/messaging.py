"""Sending messages to customers through a pluggable channel.

``send_message`` is the only entry point: it checks the customer's consent, records an ``OutboundMessage``
whatever happens (so the contact log is complete) and asks the channel's sender to deliver the text.

The sender runs only once the caller's transaction commits (``transaction.on_commit``): a message written
inside a change that rolls back (a delivery, a reissued survey link) never reaches the customer. Until then
the row says ``recorded``; the sender's answer (``sent`` / ``failed`` …) is saved on it afterwards. Outside a
transaction the sender runs at once. ``defer=False`` asks for the old, immediate behaviour.

Senders are classes with ``send(message) -> (status, detail)``, configured per channel in the setting
``CARE_MESSAGE_SENDERS`` (channel value -> dotted path).  The shipped senders never pretend to deliver:

* ``RecordSender`` (channel ``record``, the default) keeps the message for a person to deliver — it shows
  on the call list and in its Excel export;
* ``LoggingSender`` (``sms`` / ``wechat`` until a real gateway is plugged in) writes the message to the
  ``care.messaging`` logger and marks it sent to the channel.  A gateway is a subclass that calls the
  provider's API and returns ``FAILED`` with the provider's error on failure.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from care.choices import MessageChannel, MessagePurpose, MessageStatus
from care.models import OutboundMessage
from customers.choices import Consent

logger = logging.getLogger("care.messaging")

DEFAULT_SENDERS = {
    MessageChannel.RECORD: "care.messaging.RecordSender",
    MessageChannel.SMS: "care.messaging.LoggingSender",
    MessageChannel.WECHAT: "care.messaging.LoggingSender",
}


class RecordSender:
    """Keeps the message for staff to deliver by phone or letter."""

    def send(self, message: OutboundMessage) -> tuple[str, str]:
        return MessageStatus.RECORDED, ""


class LoggingSender:
    """Writes the message to the log: the interface a real SMS/WeChat gateway implements."""

    def send(self, message: OutboundMessage) -> tuple[str, str]:
        logger.info("%s to %s (%s): %s", message.channel, message.recipient, message.purpose, message.body)
        return MessageStatus.SENT, "logged"


def sender_for(channel: str):
    senders = {**DEFAULT_SENDERS, **getattr(settings, "CARE_MESSAGE_SENDERS", {})}
    return import_string(senders[channel])()


def _deliver(message: OutboundMessage) -> None:
    """Hand the message to its channel's sender and keep the answer on the message (a gateway error is ``failed``)."""
    try:
        message.status, message.detail = sender_for(message.channel).send(message)
    except Exception as exc:  # a gateway error must not lose the log entry
        logger.exception("sending a %s message failed", message.channel)
        message.status, message.detail = MessageStatus.FAILED, str(exc)[:200]


def _deliver_after_commit(message: OutboundMessage) -> None:
    _deliver(message)
    if message.status != MessageStatus.RECORDED or message.detail:
        message._history_user = message.created_by
        message.save(update_fields=["status", "detail"])


def send_message(
    *, dealer, customer, purpose: str, body: str, channel: str | None = None, by=None, defer: bool = True
) -> OutboundMessage:
    """Send ``body`` to the customer (default channel: ``record``) and return the logged message.

    A customer who refused contact gets nothing: the message is logged as ``blocked``. With ``defer`` (the
    default) the row is saved now as ``recorded`` and the sender runs when the transaction commits.
    """
    channel = channel or MessageChannel.RECORD
    if channel not in MessageChannel.values:
        raise ValueError(f"unknown channel {channel!r}")
    if purpose not in MessagePurpose.values:
        raise ValueError(f"unknown purpose {purpose!r}")
    message = OutboundMessage(
        dealer=dealer, customer=customer, channel=channel, purpose=purpose, recipient=customer.mobile,
        body=body, created_by=by,
    )  # fmt: skip
    message._history_user = by
    if customer.consent == Consent.REFUSED:
        message.status = MessageStatus.BLOCKED
    elif defer:
        message.status = MessageStatus.RECORDED
        message.save()
        transaction.on_commit(lambda: _deliver_after_commit(message), robust=True)
        return message
    else:
        _deliver(message)
    message.save()
    return message
