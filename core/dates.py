"""Periods shared by the domains: local days, months and years as half-open ``[start, end)`` aware datetimes, and
calendar arithmetic on dates.

Every period starts at local midnight of its first day and ends at local midnight of the day after its last one,
so a moment is in it when ``start <= moment < end`` (querysets: ``__gte=start, __lt=end``); a moment a split second
before midnight is still in its day. "Local" is a dealer's time zone (``Dealer.time_zone``) or, without a dealer,
the project's (``settings.TIME_ZONE``): every function takes ``tz`` (a ``tzinfo``, default the project's), and
``local_zone(dealer)`` gives the dealer's.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from django.utils import timezone

_ONE_DAY = timedelta(days=1)
_INSTANT = timedelta(microseconds=1)


# --- time zones and local days --------------------------------------------------------------------------------------


def local_zone(dealer=None) -> tzinfo:
    """The time zone of ``dealer`` (its ``time_zone``), or the project's (``settings.TIME_ZONE``) without one."""
    name = getattr(dealer, "time_zone", "") if dealer is not None else ""
    return ZoneInfo(name) if name else timezone.get_default_timezone()


def localtime(moment: datetime, tz: tzinfo | None = None) -> datetime:
    """``moment`` on the local wall clock."""
    return timezone.localtime(moment, tz or local_zone())


def local_date(moment: datetime, tz: tzinfo | None = None) -> date:
    """The local calendar day ``moment`` falls on."""
    return localtime(moment, tz).date()


def local_moment(day: date, clock: time = time.min, tz: tzinfo | None = None) -> datetime:
    """The aware moment at local wall time ``clock`` on ``day`` (midnight by default)."""
    return datetime.combine(day, clock, tzinfo=tz or local_zone())


def last_local_day(end: datetime, tz: tzinfo | None = None) -> date:
    """The last local day of a period that ends (exclusive) at ``end``: the day before when ``end`` is midnight."""
    return local_date(end - _INSTANT, tz)


# --- periods [start, end) -------------------------------------------------------------------------------------------


def day_bounds(day: date, tz: tzinfo | None = None) -> tuple[datetime, datetime]:
    """``[day 00:00, next day 00:00)`` in local time."""
    return local_moment(day, tz=tz), local_moment(day + _ONE_DAY, tz=tz)


def days_bounds(first: date, last: date, tz: tzinfo | None = None) -> tuple[datetime, datetime]:
    """``[first 00:00, the day after last 00:00)``: the local days ``first`` to ``last``, both included."""
    return local_moment(first, tz=tz), local_moment(last + _ONE_DAY, tz=tz)


def span(start: date | datetime, end: date | datetime, tz: tzinfo | None = None) -> tuple[datetime, datetime]:
    """A period given by moments (``[start, end)`` as they are) or by local days (``end`` day included), or mixed."""
    low = start if isinstance(start, datetime) else local_moment(start, tz=tz)
    high = end if isinstance(end, datetime) else local_moment(end + _ONE_DAY, tz=tz)
    return low, high


def month_bounds(year: int, month: int, tz: tzinfo | None = None) -> tuple[datetime, datetime]:
    """``[the 1st 00:00, the 1st of the next month 00:00)`` of a calendar month in local time."""
    return Month(year, month).bounds(tz)


def year_bounds(year: int, tz: tzinfo | None = None) -> tuple[datetime, datetime]:
    """``[1 January 00:00, 1 January of the next year 00:00)`` in local time."""
    return local_moment(date(year, 1, 1), tz=tz), local_moment(date(year + 1, 1, 1), tz=tz)


# --- calendar arithmetic --------------------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """The corresponding day ``months`` later (earlier when negative); the month's last day when there is none
    (31 January + 1 month = 28/29 February; 民法典 第202条)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def first_of_month(day: date) -> date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def last_of_month(day: date) -> date:
    """The last day of ``day``'s month."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def months_before(moment: datetime, months: int, tz: tzinfo | None = None) -> datetime:
    """The same local wall time ``months`` calendar months earlier (the day clamped to the month's length)."""
    local = localtime(moment, tz)
    day = add_months(local.date(), -months)
    return local.replace(year=day.year, month=day.month, day=day.day)


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month: its first and last day, and its period ``[start, end)`` (local time)."""

    year: int
    month: int

    def __post_init__(self):
        if not 1 <= self.month <= 12:
            raise ValueError(f"month must be in 1..12, not {self.month}")

    @classmethod
    def of(cls, day: date) -> Month:
        """The month ``day`` (a date or an aware moment, taken on the local calendar) falls in."""
        day = local_date(day) if isinstance(day, datetime) else day
        return cls(day.year, day.month)

    @classmethod
    def current(cls) -> Month:
        """This month (local); ``Month.current().previous()`` is the last complete month."""
        return cls.of(timezone.now())

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return last_of_month(self.first_day)

    def plus(self, months: int) -> Month:
        """The month ``months`` later (earlier when negative)."""
        return Month.of(add_months(self.first_day, months))

    def previous(self) -> Month:
        return self.plus(-1)

    def next(self) -> Month:
        return self.plus(1)

    def bounds(self, tz: tzinfo | None = None) -> tuple[datetime, datetime]:
        """``[the 1st 00:00, the 1st of the next month 00:00)`` in ``tz`` (default the project's time zone)."""
        return local_moment(self.first_day, tz=tz), local_moment(self.next().first_day, tz=tz)

    @property
    def start(self) -> datetime:
        return self.bounds()[0]

    @property
    def end(self) -> datetime:
        return self.bounds()[1]
