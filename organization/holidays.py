"""China's statutory holidays and make-up working days (调休) as the ``chinese-calendar`` package publishes them.

The State Council announces each year's arrangement in November or December; the package ships it in a new
release soon after. Nothing here is typed by hand: upgrade the package and run ``manage.py load_holidays``
(the daily ``load_holidays`` job does the latter). Reads only, no database: the writes are in
``organization.services.national_calendar_load``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from importlib.metadata import PackageNotFoundError, version

from chinese_calendar import constants
from django.utils.translation import gettext as _

from organization.models import CalendarDayKind

LIBRARY = "chinese-calendar"
MAKE_UP_SUFFIX = "调休"


@dataclass(frozen=True)
class LibraryDay:
    """One date of the national calendar: closed (holiday) or a make-up working day, with the holiday's name."""

    day: date
    kind: str  # CalendarDayKind
    note: str


def library_version() -> str:
    try:
        return version(LIBRARY)
    except PackageNotFoundError:  # pragma: no cover - installed from requirements/base.txt
        return "?"


def covered_years() -> range:
    """The years the installed package has an arrangement for (every year from its first to its last)."""
    years = {day.year for day in constants.holidays}
    return range(min(years), max(years) + 1)


def _chinese_name(english: str) -> str:
    """The holiday's Chinese name (the package keys its dates by the English name of its ``Holiday`` enum)."""
    try:
        return constants.Holiday(english).chinese
    except ValueError:  # a name a future release adds without an enum member: keep what it says
        return english


def national_days(year: int) -> list[LibraryDay]:
    """Every closed date and make-up working day of ``year``, in date order.

    Raises ``ValueError`` for a year the package does not cover (its weekends would silently count as the only
    days off).
    """
    years = covered_years()
    if year not in years:
        raise ValueError(year)
    days = [
        LibraryDay(day, CalendarDayKind.CLOSED, _chinese_name(name))
        for day, name in constants.holidays.items()
        if day.year == year
    ]
    days += [
        LibraryDay(day, CalendarDayKind.WORKING, _chinese_name(name) + MAKE_UP_SUFFIX)
        for day, name in constants.workdays.items()
        if day.year == year
    ]
    return sorted(days, key=lambda d: d.day)


def missing_years(today: date) -> list[int]:
    """The years an SLA clock running today may need but the package does not cover yet.

    This year, and from November on (when the State Council publishes the next arrangement and a complaint's
    resolution clock starts to reach into January) the next one too.
    """
    needed = [today.year] + ([today.year + 1] if today.month >= 11 else [])
    return [year for year in needed if year not in covered_years()]


def missing_year_warning(year: int) -> str:
    """What an operator reads when ``year`` is not covered (command output and the job's log)."""
    return _(
        "%(library)s has no arrangement for %(year)s yet: until it does, the SLA clocks count that year's holidays "
        "as working days. Upgrade the package once the State Council has published the year (pip install -U "
        "chinese-calendar, then update requirements/base.txt) and run load_holidays."
    ) % {"library": f"{LIBRARY} {library_version()}", "year": year}
