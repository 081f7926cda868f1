"""Helpers for complaint tests: a complaint opened through the service at a given time."""

from __future__ import annotations

from complaints import services
from complaints.choices import Category, Channel, Severity
from core.tests.helpers import sh


def open_complaint(dealer, by, **overrides):
    fields = {
        "channel": Channel.PHONE,
        "category": Category.REPAIR_QUALITY,
        "severity": Severity.MEDIUM,
        "description": "刹车修完还有异响",
        "received_at": sh(2025, 6, 16, 10, 0),  # a Monday
        **overrides,
    }
    return services.complaint_open(dealer=dealer, by=by, **fields)
