"""When a package is due: the mileage and time milestones of 4S service menus (no database).

A package is due at ``first`` and then every ``every`` (kilometres, and months from the purchase date), whichever
comes first; without ``every`` it is due once (the first service). A/B menus alternate by their milestones: A at
10,000 km then every 20,000 (10k, 30k, 50k…), B at 20,000 then every 20,000 (20k, 40k…). The next milestone of a
package is the first one after its last service on the vehicle (done up to ``TOLERANCE_KM`` / ``TOLERANCE_DAYS``
early counts as done); never done here, the first one the car has not passed by more than the tolerance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from core.dates import add_months

TOLERANCE_KM = 1000  # a service up to 1,000 km early or late belongs to that milestone
TOLERANCE_DAYS = 30
MAX_STEPS = 500


@dataclass(frozen=True)
class Interval:
    """A package's interval: first milestone and repeat, in kilometres and in months."""

    first_km: int | None = None
    every_km: int | None = None
    first_months: int | None = None
    every_months: int | None = None

    @property
    def scheduled(self) -> bool:
        return self.first_km is not None or self.first_months is not None


def next_km(interval: Interval, *, odometer: int | None, last_km: int | None) -> int | None:
    """The next mileage milestone (None: no mileage interval, or a once-only one already passed)."""
    first, every = interval.first_km, interval.every_km
    if first is None:
        return None
    if last_km is not None:
        floor = last_km + TOLERANCE_KM  # the milestone must lie beyond this
    elif odometer is not None:
        floor = odometer - TOLERANCE_KM - 1
    else:
        return first
    if first > floor:
        return first
    if not every:
        return None
    steps = (floor - first) // every + 1
    return first + steps * every


def next_date(interval: Interval, *, purchased_on: date | None, last_on: date | None, today: date) -> date | None:
    """The next time milestone (months from the purchase date; without one, ``every_months`` after the last)."""
    first, every = interval.first_months, interval.every_months
    if purchased_on is None:
        if last_on is not None and every:
            return add_months(last_on, every)
        return None
    if first is None:
        return None
    floor = (
        last_on + timedelta(days=TOLERANCE_DAYS) if last_on is not None else today - timedelta(days=TOLERANCE_DAYS + 1)
    )
    months = first
    for _step in range(MAX_STEPS):
        due = add_months(purchased_on, months)
        if due > floor:
            return due
        if not every:
            return None
        months += every
    return None


def is_due(*, km: int | None, on: date | None, odometer: int | None, today: date) -> bool:
    """Due now: the mileage milestone is within the tolerance (or passed), or the date within the days."""
    by_km = km is not None and odometer is not None and km - odometer <= TOLERANCE_KM
    by_date = on is not None and (on - today).days <= TOLERANCE_DAYS
    return by_km or by_date
