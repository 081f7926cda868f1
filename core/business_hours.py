"""Business-hours clock: working time in opening hours, for SLAs and the workshop (pure Python, no Django).

The issue asks for an "SLA clock that counts working time, configurable per dealer": first contact
within 2 working hours (A2), feedback within 3 working days (D6) and a resolution target by
severity.  This module provides the arithmetic; callers pick the durations.

Definitions
-----------
* **Working date** – a local calendar date that is in ``extra_working_dates`` (调休 make-up day),
  or whose ISO weekday is in ``weekdays`` and which is not in ``closed_dates`` (public holidays).
* **Opening interval** – on a working date ``d`` the closed interval
  ``[d opens, d closes]`` in local wall time.  Each boundary is converted to an absolute instant
  with ``zoneinfo`` on that very day, so days that contain a DST change are measured in *real*
  elapsed time (a 01:00–05:00 day on the spring-forward Sunday in Berlin lasts 3 hours).
  A wall time that does not exist (DST gap) or is ambiguous (DST fold) is resolved with
  ``fold=0`` (the offset in force before the transition); should that make the interval empty,
  the day simply has no working time.  Opening hours never span midnight.
* **Working time** – the total real time, within opening intervals, between two instants.
* **Working hours** (``deadline(hours=...)``) – that much working time, via
  :func:`add_business_time`.
* **Working day** (``deadline(business_days=N)``) – one whole opening interval of a working day
  (so its length is that day's opening hours).  N working days after an instant inside opening
  hours is the same position (elapsed working time since opening) in the N-th following working
  day, clamped to that day's close: with Mon–Sat 08:30–18:00, Tuesday 10:00 + 3 → Friday 10:00.
  An instant outside opening hours counts from the next opening, so N whole working days are
  granted: Tuesday 20:00 + 3 → Friday 18:00 (Wednesday, Thursday, Friday).

All public functions accept aware datetimes in any zone and return datetimes in the calendar's
zone; naive datetimes are refused with :class:`ValueError`.  Arithmetic is exact to the
microsecond (it is done on absolute instants) and walks the calendar one *day* at a time, each
day handled in O(1), so long durations cost O(number of days spanned).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["BusinessCalendar", "add_business_time", "business_time_between", "deadline"]

_ONE_DAY = timedelta(days=1)
_ZERO = timedelta(0)


@dataclass(frozen=True)
class BusinessCalendar:
    """A dealer's opening hours.

    :param opens: local opening wall time (naive ``time``), e.g. ``time(8, 30)``.
    :param closes: local closing wall time, strictly after ``opens`` (hours never span midnight).
    :param weekdays: ISO weekdays that are normally worked, ``"1"`` = Monday … ``"7"`` = Sunday,
        e.g. ``"12345"`` or ``"123456"``.  Digits must be unique; order does not matter.
    :param tz: IANA time-zone name of the dealer (default ``"Asia/Shanghai"``).
    :param closed_dates: local dates that are not worked although their weekday is (holidays,
        e.g. Spring Festival).
    :param extra_working_dates: local dates that are worked although their weekday is not
        (调休 make-up working days).  Must not overlap ``closed_dates``.

    Raises :class:`ValueError` on an invalid configuration, including a calendar with no working
    days at all (empty ``weekdays`` and no ``extra_working_dates``).
    """

    opens: time
    closes: time
    weekdays: str = "1234567"
    tz: str = "Asia/Shanghai"
    closed_dates: frozenset[date] = field(default_factory=frozenset)
    extra_working_dates: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if not isinstance(self.opens, time) or not isinstance(self.closes, time):
            raise ValueError("opens and closes must be datetime.time values")
        if self.opens.tzinfo is not None or self.closes.tzinfo is not None:
            raise ValueError("opens and closes must be naive local wall times (the zone is given by tz)")
        if self.opens >= self.closes:
            raise ValueError(f"opens ({self.opens}) must be earlier than closes ({self.closes})")
        if not isinstance(self.weekdays, str) or any(c not in "1234567" for c in self.weekdays):
            raise ValueError(f"weekdays must be a string of ISO weekday digits 1-7, got {self.weekdays!r}")
        if len(set(self.weekdays)) != len(self.weekdays):
            raise ValueError(f"weekdays must not repeat a digit, got {self.weekdays!r}")
        try:
            ZoneInfo(self.tz)
        except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
            raise ValueError(f"unknown time zone {self.tz!r}") from exc
        object.__setattr__(self, "closed_dates", frozenset(self.closed_dates))
        object.__setattr__(self, "extra_working_dates", frozenset(self.extra_working_dates))
        overlap = self.closed_dates & self.extra_working_dates
        if overlap:
            days = ", ".join(sorted(d.isoformat() for d in overlap))
            raise ValueError(f"dates both closed and extra working: {days}")
        if not self.weekdays and not self.extra_working_dates:
            raise ValueError("calendar has no working days (empty weekdays and no extra working dates)")

    @property
    def zone(self) -> ZoneInfo:
        """The calendar's time zone."""
        return ZoneInfo(self.tz)

    def is_working_date(self, day: date) -> bool:
        """Whether the local date ``day`` is a working date (see the module docstring)."""
        if day in self.extra_working_dates:
            return True
        if day in self.closed_dates:
            return False
        return str(day.isoweekday()) in self.weekdays

    def opening_interval(self, day: date) -> tuple[datetime, datetime] | None:
        """The opening interval of local date ``day`` as UTC instants, or ``None`` if not worked."""
        if not self.is_working_date(day):
            return None
        zone = self.zone
        start = datetime.combine(day, self.opens, tzinfo=zone).astimezone(UTC)
        end = datetime.combine(day, self.closes, tzinfo=zone).astimezone(UTC)
        if end <= start:  # only possible when a DST gap swallows the whole interval
            return None
        return start, end


def _to_utc(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (got naive {value.isoformat()})")
    return value.astimezone(UTC)


def _local_date(calendar: BusinessCalendar, instant: datetime) -> date:
    return instant.astimezone(calendar.zone).date()


class _DayWalker:
    """Iterates local dates forward, refusing to walk forever when no working day is left."""

    def __init__(self, calendar: BusinessCalendar, first: date) -> None:
        self.calendar = calendar
        self.day = first
        self.idle = 0  # consecutive days without working time
        special = calendar.closed_dates | calendar.extra_working_dates
        self.last_special = max(special) if special else date.min

    def interval(self) -> tuple[datetime, datetime] | None:
        found = self.calendar.opening_interval(self.day)
        if found is not None:
            self.idle = 0
        elif self.day > self.last_special:
            # Past every special date only the weekly pattern remains (a DST gap can empty at
            # most one of its days in a row), so 15 idle days in a row mean "never".
            self.idle += 1
            if self.idle > 14:
                raise ValueError("calendar has no working days left to count business time on")
        return found

    def advance(self) -> None:
        try:
            self.day += _ONE_DAY
        except OverflowError as exc:
            raise ValueError("business time runs past the end of the supported date range") from exc


def add_business_time(calendar: BusinessCalendar, start: datetime, duration: timedelta) -> datetime:
    """Return the instant at which ``duration`` of working time has elapsed after ``start``.

    ``start`` may be any aware datetime; outside opening hours counting begins at the next
    opening.  A zero duration returns ``start`` itself if it is inside opening hours, otherwise
    the next opening.  A duration that ends exactly at a closing time returns that closing time
    (not the next opening).  The result is in the calendar's zone.

    Raises :class:`ValueError` for a naive ``start``, a negative ``duration``, or when the
    calendar runs out of working days.
    """
    cursor = _to_utc(start, "start")
    if not isinstance(duration, timedelta):
        raise TypeError("duration must be a timedelta")
    if duration < _ZERO:
        raise ValueError(f"duration must not be negative, got {duration}")
    remaining = duration
    # Start one day early: cheap, and robust to intervals that a DST shift moves across midnight.
    walker = _DayWalker(calendar, _local_date(calendar, cursor) - _ONE_DAY)
    while True:
        found = walker.interval()
        if found is not None:
            opens, closes = found
            if closes > cursor:
                begin = max(opens, cursor)
                available = closes - begin
                if remaining <= available:
                    return (begin + remaining).astimezone(calendar.zone)
                remaining -= available
                cursor = closes
        walker.advance()


def business_time_between(calendar: BusinessCalendar, start: datetime, end: datetime) -> timedelta:
    """Working time elapsed between two aware datetimes (``timedelta(0)`` if ``end <= start``)."""
    begin = _to_utc(start, "start")
    finish = _to_utc(end, "end")
    if finish <= begin:
        return _ZERO
    total = _ZERO
    day = _local_date(calendar, begin) - _ONE_DAY
    last = _local_date(calendar, finish) + _ONE_DAY
    while day <= last:
        found = calendar.opening_interval(day)
        if found is not None:
            lo = max(found[0], begin)
            hi = min(found[1], finish)
            if hi > lo:
                total += hi - lo
        if day == date.max:
            break
        day += _ONE_DAY
    return total


def _add_business_days(calendar: BusinessCalendar, start: datetime, days: int) -> datetime:
    cursor = _to_utc(start, "start")
    walker = _DayWalker(calendar, _local_date(calendar, cursor) - _ONE_DAY)
    # Locate the anchor: the working day whose interval contains start (position = elapsed
    # working time since opening), or the next opening when start is outside hours.
    while True:
        found = walker.interval()
        if found is not None and found[1] >= cursor:
            opens, closes = found
            break
        walker.advance()
    if cursor < opens:  # outside hours: N whole working days starting with this one
        if days == 0:
            return opens.astimezone(calendar.zone)
        remaining = days - 1
        position = None  # end of the target day
    else:
        remaining = days
        position = cursor - opens
    target = found
    while remaining > 0:
        walker.advance()
        candidate = walker.interval()
        if candidate is not None:
            target = candidate
            remaining -= 1
    opens, closes = target
    result = closes if position is None else min(opens + position, closes)
    return result.astimezone(calendar.zone)


def deadline(
    calendar: BusinessCalendar,
    start: datetime,
    *,
    hours: float | None = None,
    business_days: int | None = None,
) -> datetime:
    """SLA due time: ``hours`` working hours or ``business_days`` working days after ``start``.

    Give exactly one of the two.  ``hours`` (e.g. 2 for A2 first contact) is working time as in
    :func:`add_business_time`.  ``business_days`` (e.g. 3 for D6 feedback) follows the working-day
    definition of the module docstring: same position in the N-th following working day
    (Tuesday 10:00 + 3 → Friday 10:00 with Mon–Sat opening), or N whole working days when
    ``start`` is outside opening hours.  The result is in the calendar's zone.
    """
    if (hours is None) == (business_days is None):
        raise ValueError("give exactly one of hours= or business_days=")
    if hours is not None:
        if isinstance(hours, bool) or not isinstance(hours, int | float) or not math.isfinite(hours) or hours < 0:
            raise ValueError(f"hours must be a finite non-negative number, got {hours!r}")
        return add_business_time(calendar, start, timedelta(hours=hours))
    if isinstance(business_days, bool) or not isinstance(business_days, int) or business_days < 0:
        raise ValueError(f"business_days must be a non-negative integer, got {business_days!r}")
    return _add_business_days(calendar, start, business_days)
