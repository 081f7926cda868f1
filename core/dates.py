"""Calendar arithmetic shared by the domains."""

from __future__ import annotations

import calendar
from datetime import date


def add_months(day: date, months: int) -> date:
    """The corresponding day ``months`` later (earlier when negative); the month's last day when there is none
    (31 January + 1 month = 28/29 February; 民法典 第202条)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))
