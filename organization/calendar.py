"""A dealer's business calendar for SLA clocks: opening hours, working weekdays, holidays and make-up days."""

from __future__ import annotations

from datetime import date, time

from django.conf import settings

from core.business_hours import BusinessCalendar
from organization.models import CalendarDayKind, Dealer, DealerCalendarDay


def business_calendar(dealer: Dealer, start_date: date, end_date: date) -> BusinessCalendar:
    """The dealer's BusinessCalendar with the special dates between ``start_date`` and ``end_date`` (inclusive).

    National dates (no dealer) apply unless the dealer has its own entry for the same date. Dates
    outside the range are ignored, so callers pass the span their clock may walk over.
    """
    special: dict[date, str] = {}
    rows = (
        DealerCalendarDay.objects.filter(date__gte=start_date, date__lte=end_date)
        .filter(dealer__isnull=True)
        .values_list("date", "kind")
    )
    special.update(rows)
    own = DealerCalendarDay.objects.filter(dealer=dealer, date__gte=start_date, date__lte=end_date)
    special.update(own.values_list("date", "kind"))
    closed = frozenset(d for d, kind in special.items() if kind == CalendarDayKind.CLOSED)
    working = frozenset(d for d, kind in special.items() if kind == CalendarDayKind.WORKING)
    return BusinessCalendar(
        opens=_as_time(dealer.opens_at),
        closes=_as_time(dealer.closes_at),
        weekdays=dealer.working_days or "1234567",
        tz=dealer.time_zone or settings.TIME_ZONE,
        closed_dates=closed,
        extra_working_dates=working,
    )


def _as_time(value) -> time:
    """A TimeField value (a freshly created instance may still hold its default as "08:30")."""
    return value if isinstance(value, time) else time.fromisoformat(str(value))
