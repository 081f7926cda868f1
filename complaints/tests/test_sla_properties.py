"""SLA deadlines of complaints in business hours, across nights, weekends, holidays and time zones (hypothesis)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from complaints.choices import Severity
from complaints.models import ComplaintPolicy
from complaints.services import sla_deadlines
from core.business_hours import BusinessCalendar, business_time_between
from core.tests.factories import DealerFactory
from organization.calendar import business_calendar
from organization.models import CalendarDayKind, DealerCalendarDay

ZONES = ["Asia/Shanghai", "Europe/Berlin", "America/New_York", "Asia/Kolkata"]
POLICY = ComplaintPolicy()  # the defaults: 2 working hours, 3 working days, severity targets


def inside_opening(calendar: BusinessCalendar, instant: datetime) -> bool:
    """Whether the instant is within (or at the edges of) an opening interval of its local day."""
    local = instant.astimezone(calendar.zone).date()
    for day in (local - timedelta(days=1), local, local + timedelta(days=1)):
        found = calendar.opening_interval(day)
        if found and found[0] <= instant.astimezone(UTC) <= found[1]:
            return True
    return False


calendars = st.builds(
    lambda opens, length, weekdays, tz, closed, extra: BusinessCalendar(
        opens=time(opens),
        closes=time(min(23, opens + length)),
        weekdays=weekdays,
        tz=tz,
        closed_dates=frozenset(closed) - frozenset(extra),
        extra_working_dates=frozenset(extra),
    ),
    opens=st.integers(6, 10),
    length=st.integers(4, 12),
    weekdays=st.sampled_from(["12345", "123456", "1234567", "23456"]),
    tz=st.sampled_from(ZONES),
    closed=st.sets(st.dates(date(2025, 1, 1), date(2025, 3, 31)), max_size=10),
    extra=st.sets(st.dates(date(2025, 1, 1), date(2025, 3, 31)), max_size=3),
)
instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2025, 2, 28), timezones=st.just(ZoneInfo("Asia/Shanghai"))
)


@settings(max_examples=80, deadline=None)
@given(calendar=calendars, received=instants, severity=st.sampled_from(Severity.values))
def test_deadlines_fall_in_opening_hours_and_count_the_target(calendar, received, severity):
    found = sla_deadlines(
        calendar=calendar, policy=POLICY, received_at=received, sla_started_at=received, severity=severity
    )
    for due in (found.first_contact_due_at, found.feedback_due_at, found.resolution_due_at):
        assert due > received
        assert inside_opening(calendar, due)  # never inside closed time (nights, weekends, holidays)
    # Exactly the target of working time between receipt and the first-contact deadline (A2).
    assert business_time_between(calendar, received, found.first_contact_due_at) == timedelta(hours=2)
    # Feedback (3 working days) comes after first contact; resolution (≥ 2 working days) after first contact too.
    assert found.first_contact_due_at <= found.feedback_due_at
    assert found.first_contact_due_at <= found.resolution_due_at
    # The feedback deadline lies on the 3rd working day after the day of receipt when received in opening
    # hours, else on the 3rd working day counting the next opening's day as the first.
    day = received.astimezone(calendar.zone).date()
    opening = calendar.opening_interval(day)
    moment = received.astimezone(UTC)
    if opening is not None and opening[0] <= moment <= opening[1]:
        remaining = 3
    elif opening is not None and moment < opening[0]:
        remaining = 2  # today is the first of the three
    else:
        remaining = 3
        day += timedelta(days=1)
        while calendar.opening_interval(day) is None:
            day += timedelta(days=1)
        remaining -= 1  # the next working day is the first
    while remaining:
        day += timedelta(days=1)
        if calendar.opening_interval(day) is not None:
            remaining -= 1
    assert found.feedback_due_at.astimezone(calendar.zone).date() == day


@pytest.mark.django_db
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tz=st.sampled_from(ZONES), received=instants, holiday_offsets=st.sets(st.integers(0, 6), max_size=4))
def test_dealer_calendar_from_the_database(tz, received, holiday_offsets):
    dealer = DealerFactory(opens_at=time(9), closes_at=time(17), working_days="12345", time_zone=tz)
    start = received.astimezone(ZoneInfo(tz)).date()
    for offset in holiday_offsets:
        DealerCalendarDay.objects.create(
            dealer=dealer, date=start + timedelta(days=offset), kind=CalendarDayKind.CLOSED
        )
    calendar = business_calendar(dealer, start - timedelta(days=3), start + timedelta(days=60))
    assert calendar.tz == tz
    assert calendar.closed_dates == {start + timedelta(days=o) for o in holiday_offsets}
    found = sla_deadlines(
        calendar=calendar, policy=POLICY, received_at=received, sla_started_at=received, severity="low"
    )
    assert business_time_between(calendar, received, found.first_contact_due_at) == timedelta(hours=2)
    assert found.first_contact_due_at.astimezone(ZoneInfo(tz)).date() not in calendar.closed_dates
    assert inside_opening(calendar, found.resolution_due_at)


@pytest.mark.django_db
def test_dealer_entry_overrides_the_national_one():
    dealer = DealerFactory()
    day = date(2025, 10, 1)
    DealerCalendarDay.objects.create(date=day, kind=CalendarDayKind.CLOSED, note="国庆节")
    DealerCalendarDay.objects.create(date=date(2025, 10, 2), kind=CalendarDayKind.CLOSED, note="国庆节")
    DealerCalendarDay.objects.create(dealer=dealer, date=day, kind=CalendarDayKind.WORKING, note="店内值班")
    calendar = business_calendar(dealer, date(2025, 9, 28), date(2025, 10, 10))
    assert calendar.closed_dates == {date(2025, 10, 2)}
    assert calendar.extra_working_dates == {day}
    other = business_calendar(DealerFactory(), date(2025, 9, 28), date(2025, 10, 10))
    assert other.closed_dates == {day, date(2025, 10, 2)}
