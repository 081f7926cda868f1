"""Assertion helpers shared by the tests of every app: what "refused" means, a logged-in browser, snapshots."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import models
from django.test import Client
from django.utils import translation

from customers.models import Customer, Vehicle, VehicleOwnership
from organization.models import Dealer

# The test dealers' and the project's time zone (settings.TIME_ZONE; no daylight saving): the one zone constant of
# the tests, for moments written on the local wall clock. Code takes its zone from core.dates.local_zone().
SHANGHAI = ZoneInfo("Asia/Shanghai")


def sh(*args: int) -> datetime:
    """A moment on the Asia/Shanghai wall clock: ``sh(2025, 3, 1, 9)`` is 1 March 2025 09:00 local."""
    return datetime(*args, tzinfo=SHANGHAI)


# The project's two refusals of a request: 403 (the role may not) and 404 (the record is not among the dealers the
# user may read, or change for a write: it does not exist for them).
REFUSED = (403, 404)


def refused(response) -> bool:
    """The request was refused the way the project refuses: 403 or 404 (never a 200, a 400 or a 500)."""
    return response.status_code in REFUSED


def login(user, *, language: str | None = "en") -> Client:
    """A browser session of ``user``; ``language`` is the language switch's cookie (English, so messages can be
    compared exactly; None: the default language, Chinese)."""
    client = Client()
    client.force_login(user)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def snapshot(*tables: type[models.Model]) -> dict:
    """Every row of each model (by pk) and, for a model with history, its number of history records: equal before
    and after = nothing changed."""
    state: dict = {}
    for model in tables:
        label = model._meta.label
        state[label] = list(model.objects.order_by("pk").values())
        history = getattr(model, "history", None)
        if history is not None:
            state[f"{label} history"] = history.count()
    return state


def archive_snapshot() -> dict:
    """The dealers and the customer archive (customers, vehicles, ownerships) with their history."""
    return snapshot(Dealer, Customer, Vehicle, VehicleOwnership)


def assert_refused(exception: type[Exception], call: Callable[[], object], *, state: Callable[[], object],
                   match: str | None = None) -> Exception:  # fmt: skip
    """Run ``call``, which must raise ``exception`` (whose English text matches the regular expression ``match``, if
    given), and check that ``state()`` (a snapshot) reads the same afterwards; return the error for further checks."""
    before = state()
    with translation.override("en"), pytest.raises(exception, match=match) as excinfo:
        call()
    assert state() == before
    return excinfo.value


@contextmanager
def raises_because(exception: type[Exception], reason: str) -> Iterator[pytest.ExceptionInfo]:
    """``pytest.raises(exception)`` for this one reason: the error's English text must contain ``reason`` (so an
    error raised for another reason, e.g. the dealer instead of the role, does not pass)."""
    with translation.override("en"), pytest.raises(exception, match=re.escape(reason)) as excinfo:
        yield excinfo
