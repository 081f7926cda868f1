"""The slot calendar of a dealer: the grid of slots of a day, business hours and bay capacity.

Plain functions over a dealer's hours (local time, core.dates) and lists of (start, end)
pairs; the services and selectors feed them what they read from the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext

from appointments.choices import SLOT_STEP_MINUTES
from core.dates import local_moment, localtime

STEP = timedelta(minutes=SLOT_STEP_MINUTES)


def as_time(value: time | str) -> time:
    """A dealer's opening/closing time (a fresh, unsaved instance may still hold its "08:30" default)."""
    return time.fromisoformat(value) if isinstance(value, str) else value


def at(day: date, clock: time | str) -> datetime:
    """An aware datetime: ``clock`` o'clock local time on ``day``."""
    return local_moment(day, as_time(clock))


def floor_to_step(moment: datetime) -> datetime:
    """The start of the grid step ``moment`` is in (e.g. 09:20 -> 09:00), local time."""
    moment = localtime(moment)
    minutes = (moment.hour * 60 + moment.minute) // SLOT_STEP_MINUTES * SLOT_STEP_MINUTES
    return moment.replace(hour=minutes // 60, minute=minutes % 60, second=0, microsecond=0)


def is_working_day(dealer, day: date) -> bool:
    return day.isoweekday() in dealer.working_weekdays


def grid(dealer, day: date) -> list[datetime]:
    """The slot starts of ``day`` at ``dealer``: every step from opening until one step before closing."""
    if not is_working_day(dealer, day):
        return []
    first = at(day, dealer.opens_at)
    if localtime(first) != floor_to_step(first):
        first = floor_to_step(first) + STEP
    closes = at(day, dealer.closes_at)
    starts = []
    while first + STEP <= closes:
        starts.append(first)
        first += STEP
    return starts


def slot_problem(dealer, start: datetime, minutes: int, *, now: datetime | None = None) -> str | None:
    """Why a slot cannot be booked at ``dealer`` apart from capacity (None: it can).

    The current grid step still counts as bookable, so a walk-in at 09:20 takes the 09:00 slot.
    """
    if timezone.is_naive(start):
        raise ValueError("slot_start must be an aware datetime")
    now = now or timezone.now()
    local = localtime(start)
    if local < floor_to_step(now):
        return gettext("This slot is in the past.")
    if not is_working_day(dealer, local.date()):
        return gettext("The dealer is closed on %(weekday)s.") % {"weekday": WEEKDAYS[local.weekday()]}
    opens, closes = at(local.date(), dealer.opens_at), at(local.date(), dealer.closes_at)
    if local < opens or local + timedelta(minutes=minutes) > closes:
        return gettext(
            "Outside business hours (%(opens)s–%(closes)s): the slot must start after opening and end by closing."
        ) % {"opens": f"{as_time(dealer.opens_at):%H:%M}", "closes": f"{as_time(dealer.closes_at):%H:%M}"}
    if local != floor_to_step(local):
        return gettext("Slots start on the hour or the half hour.")
    return None


def peak_overlap(bookings: Iterable[tuple[datetime, datetime]], start: datetime, end: datetime) -> int:
    """The most of ``bookings`` (start, end) that overlap one another at any moment within [start, end)."""
    inside = [(max(b_start, start), min(b_end, end)) for b_start, b_end in bookings if b_start < end and b_end > start]
    moments = {start, *(b_start for b_start, _b_end in inside)}
    return max((sum(1 for b_start, b_end in inside if b_start <= m < b_end) for m in moments), default=0)
