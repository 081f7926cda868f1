"""Calendar arithmetic shared by the domains."""

from __future__ import annotations

import calendar
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone


def add_months(day: date, months: int) -> date:
    """The corresponding day ``months`` later (earlier when negative); the month's last day when there is none
    (31 January + 1 month = 28/29 February; 民法典 第202条)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def month_bounds(year: int, month: int, tz=None) -> tuple[datetime, datetime]:
    """[first day 00:00, first day of the next month 00:00) of a calendar month, in ``tz`` (default Asia/Shanghai)."""
    tz = tz or ZoneInfo("Asia/Shanghai")
    start = datetime(year, month, 1, tzinfo=tz)
    following = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=tz)
    return start, following


def months_before(moment: datetime, months: int) -> datetime:
    """The same local wall time ``months`` calendar months earlier (the day clamped to the month's length)."""
    local = timezone.localtime(moment)
    day = add_months(local.date(), -months)
    return local.replace(year=day.year, month=day.month, day=day.day)
