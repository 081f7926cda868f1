"""Writes of the organisation domain."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from organization import holidays
from organization.models import CalendarDaySource, DealerCalendarDay


@dataclass
class NationalCalendarLoad:
    """What ``national_calendar_load`` did."""

    years: list[int]
    created: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    # National dates entered by hand that say something else than the library: left as they are.
    kept_manual: list[date] = field(default_factory=list)


def national_calendar_load(*, years: Iterable[int] | None = None) -> NationalCalendarLoad:
    """Fill the national calendar (rows without a dealer) from the holiday library: ``years``, or all it covers.

    Idempotent: a second run changes nothing. Only rows the library wrote (``source`` library) are updated or
    removed; dealers' own dates and national dates entered by hand are never touched. Raises ``ValueError``
    (with the year) for a year the library does not cover, before writing anything.
    """
    wanted_years = sorted(set(years)) if years is not None else list(holidays.covered_years())
    wanted = {d.day: d for year in wanted_years for d in holidays.national_days(year)}
    report = NationalCalendarLoad(years=wanted_years)
    if not wanted_years:
        return report
    with transaction.atomic():
        existing = {
            row.date: row
            for row in DealerCalendarDay.objects.select_for_update().filter(
                dealer__isnull=True, date__year__in=wanted_years
            )
        }
        to_create, to_update, to_remove = [], [], []
        for day, entry in wanted.items():
            row = existing.get(day)
            if row is None:
                to_create.append(
                    DealerCalendarDay(date=day, kind=entry.kind, note=entry.note, source=CalendarDaySource.LIBRARY)
                )
            elif row.source != CalendarDaySource.LIBRARY:
                if row.kind != entry.kind:
                    report.kept_manual.append(day)
            elif (row.kind, row.note) != (entry.kind, entry.note):
                row.kind, row.note = entry.kind, entry.note
                to_update.append(row)
            else:
                report.unchanged += 1
        to_remove = [
            row.pk for day, row in existing.items() if day not in wanted and row.source == CalendarDaySource.LIBRARY
        ]
        if to_create:
            bulk_create_with_history(to_create, DealerCalendarDay)
        if to_update:
            bulk_update_with_history(to_update, DealerCalendarDay, ["kind", "note"])
        if to_remove:
            # One by one through delete() so each removal is kept in the history.
            for row in DealerCalendarDay.objects.filter(pk__in=to_remove):
                row.delete()
        report.created, report.updated, report.removed = len(to_create), len(to_update), len(to_remove)
    return report
