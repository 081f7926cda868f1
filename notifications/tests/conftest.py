"""Fixtures of the notification tests: the logging channel switched on and its log captured."""

import logging

import pytest


@pytest.fixture
def channel_log(settings, caplog):
    """The logging channel is the configured channel; returns the records it wrote."""
    settings.NOTIFICATION_CHANNELS = ["notifications.channels.LoggingChannel"]
    caplog.set_level(logging.INFO, logger="notifications.channels")

    def records() -> list[str]:
        return [r.getMessage() for r in caplog.records if r.name == "notifications.channels"]

    return records
