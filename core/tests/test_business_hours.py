"""Tests for the business-hours SLA clock (pure Python: runs with ``-p no:django``)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.business_hours import BusinessCalendar, add_business_time, business_time_between, deadline

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
H = timedelta(hours=1)

# 08:30–18:00, Monday to Friday / Monday to Saturday.
WEEKDAYS = BusinessCalendar(opens=time(8, 30), closes=time(18, 0), weekdays="12345")
MON_SAT = BusinessCalendar(opens=time(8, 30), closes=time(18, 0), weekdays="123456")


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


# --- exact examples ---------------------------------------------------------------------------


def test_friday_evening_rolls_over_weekend():
    # Fri 2025-06-13 17:30 + 2 h: 30 min on Friday, 1 h 30 on Monday from 08:30.
    result = add_business_time(WEEKDAYS, sh(2025, 6, 13, 17, 30), 2 * H)
    assert result == sh(2025, 6, 16, 10, 0)
    assert result.tzinfo == SHANGHAI


def test_start_before_opening_counts_from_opening():
    assert add_business_time(WEEKDAYS, sh(2025, 6, 17, 7, 0), 2 * H) == sh(2025, 6, 17, 10, 30)


def test_start_after_closing_counts_from_next_opening():
    assert add_business_time(WEEKDAYS, sh(2025, 6, 17, 19, 0), 2 * H) == sh(2025, 6, 18, 10, 30)


def test_start_on_sunday():
    assert add_business_time(WEEKDAYS, sh(2025, 6, 15, 11, 0), 2 * H) == sh(2025, 6, 16, 10, 30)


def test_zero_duration():
    inside = sh(2025, 6, 17, 11, 22, 33, 444)
    assert add_business_time(WEEKDAYS, inside, timedelta(0)) == inside
    assert add_business_time(WEEKDAYS, sh(2025, 6, 14, 9, 0), timedelta(0)) == sh(2025, 6, 16, 8, 30)
    # at closing time exactly the next opening is the next moment inside hours
    assert add_business_time(WEEKDAYS, sh(2025, 6, 17, 18, 0), timedelta(0)) == sh(2025, 6, 18, 8, 30)


def test_duration_ending_at_close_returns_close():
    assert add_business_time(WEEKDAYS, sh(2025, 6, 17, 17, 0), H) == sh(2025, 6, 17, 18, 0)


def test_microsecond_exact():
    d = timedelta(hours=9, minutes=29, seconds=59, microseconds=999_999)
    assert add_business_time(WEEKDAYS, sh(2025, 6, 17, 8, 30), d) == sh(2025, 6, 17, 17, 59, 59, 999_999)
    assert add_business_time(WEEKDAYS, sh(2025, 6, 17, 8, 30), d + timedelta(microseconds=2)) == sh(
        2025, 6, 18, 8, 30, 0, 1
    )


def test_closed_holiday_is_skipped():
    # Spring Festival 2025: Tue 28 Jan – Tue 4 Feb closed.
    holidays = frozenset(date(2025, 1, 28) + timedelta(days=i) for i in range(8))
    cal = BusinessCalendar(opens=time(8, 30), closes=time(18, 0), weekdays="12345", closed_dates=holidays)
    assert add_business_time(cal, sh(2025, 1, 27, 17, 0), 2 * H) == sh(2025, 2, 5, 9, 30)
    assert business_time_between(cal, sh(2025, 1, 27, 17, 0), sh(2025, 2, 5, 9, 30)) == 2 * H


def test_extra_working_saturday():
    # 调休: Saturday 2025-02-08 is a make-up working day.
    cal = BusinessCalendar(
        opens=time(8, 30), closes=time(18, 0), weekdays="12345", extra_working_dates=frozenset({date(2025, 2, 8)})
    )
    assert add_business_time(cal, sh(2025, 2, 7, 17, 0), 2 * H) == sh(2025, 2, 8, 9, 30)
    assert add_business_time(WEEKDAYS, sh(2025, 2, 7, 17, 0), 2 * H) == sh(2025, 2, 10, 9, 30)


def test_three_working_days():
    # Tue 2025-06-17 10:00 + 3 working days, open Mon–Sat → Fri 10:00.
    assert deadline(MON_SAT, sh(2025, 6, 17, 10, 0), business_days=3) == sh(2025, 6, 20, 10, 0)
    # Thu + 3 working days skips Sunday when open Mon–Sat, and Sat+Sun when open Mon–Fri.
    assert deadline(MON_SAT, sh(2025, 6, 19, 10, 0), business_days=3) == sh(2025, 6, 23, 10, 0)
    assert deadline(WEEKDAYS, sh(2025, 6, 19, 10, 0), business_days=3) == sh(2025, 6, 24, 10, 0)
    # equals three working days' worth of working time
    assert deadline(MON_SAT, sh(2025, 6, 17, 10, 0), business_days=3) == add_business_time(
        MON_SAT, sh(2025, 6, 17, 10, 0), 3 * timedelta(hours=9.5)
    )


def test_working_days_from_outside_hours_grant_whole_days():
    # After closing Tuesday: Wed, Thu, Fri in full → Friday 18:00.
    assert deadline(MON_SAT, sh(2025, 6, 17, 20, 0), business_days=3) == sh(2025, 6, 20, 18, 0)
    # Before opening Tuesday: Tue, Wed, Thu in full → Thursday 18:00.
    assert deadline(MON_SAT, sh(2025, 6, 17, 7, 0), business_days=3) == sh(2025, 6, 19, 18, 0)
    assert deadline(MON_SAT, sh(2025, 6, 15, 12, 0), business_days=0) == sh(2025, 6, 16, 8, 30)
    assert deadline(MON_SAT, sh(2025, 6, 17, 12, 0), business_days=0) == sh(2025, 6, 17, 12, 0)


def test_deadline_hours():
    assert deadline(WEEKDAYS, sh(2025, 6, 13, 17, 30), hours=2) == sh(2025, 6, 16, 10, 0)
    assert deadline(WEEKDAYS, sh(2025, 6, 13, 9, 0), hours=1.25) == sh(2025, 6, 13, 10, 15)


def test_business_time_between_examples():
    assert business_time_between(WEEKDAYS, sh(2025, 6, 13, 17, 30), sh(2025, 6, 16, 10, 0)) == 2 * H
    assert business_time_between(WEEKDAYS, sh(2025, 6, 16, 10, 0), sh(2025, 6, 13, 17, 30)) == timedelta(0)
    assert business_time_between(WEEKDAYS, sh(2025, 6, 14, 0, 0), sh(2025, 6, 15, 23, 0)) == timedelta(0)
    week = business_time_between(WEEKDAYS, sh(2025, 6, 16, 0, 0), sh(2025, 6, 23, 0, 0))
    assert week == 5 * timedelta(hours=9.5)


def test_long_duration_is_fast_and_exact():
    # ~10 years of working time: walks days, not minutes.
    start = sh(2025, 6, 16, 8, 30)
    duration = 2600 * timedelta(hours=9.5) + timedelta(microseconds=1)
    result = add_business_time(WEEKDAYS, start, duration)
    assert business_time_between(WEEKDAYS, start, result) == duration


# --- time zones and DST -----------------------------------------------------------------------


def test_start_in_utc_equals_same_instant_in_shanghai():
    local = sh(2025, 6, 13, 17, 30)
    utc = local.astimezone(UTC)
    assert utc.hour == 9
    assert add_business_time(WEEKDAYS, utc, 2 * H) == add_business_time(WEEKDAYS, local, 2 * H)
    assert add_business_time(WEEKDAYS, utc, 2 * H).tzinfo == SHANGHAI
    assert deadline(MON_SAT, utc, business_days=3) == deadline(MON_SAT, local, business_days=3)


def test_dst_spring_forward_weekend_berlin():
    cal = BusinessCalendar(opens=time(8, 30), closes=time(18, 0), weekdays="12345", tz="Europe/Berlin")
    fri = datetime(2025, 3, 28, 17, 0, tzinfo=BERLIN)  # CET, UTC+1
    mon = datetime(2025, 3, 31, 9, 30, tzinfo=BERLIN)  # CEST, UTC+2
    assert add_business_time(cal, fri, 2 * H) == mon
    assert business_time_between(cal, fri, mon) == 2 * H


def test_dst_day_is_measured_in_real_time():
    # Sunday 2025-03-30: 02:00 → 03:00 in Berlin, so 01:00–05:00 lasts 3 hours.
    cal = BusinessCalendar(opens=time(1, 0), closes=time(5, 0), tz="Europe/Berlin")
    day_start = datetime(2025, 3, 30, 1, 0, tzinfo=BERLIN)
    assert business_time_between(cal, day_start, datetime(2025, 3, 30, 6, 0, tzinfo=BERLIN)) == 3 * H
    assert add_business_time(cal, day_start, 3 * H) == datetime(2025, 3, 30, 5, 0, tzinfo=BERLIN)
    assert add_business_time(cal, day_start, 3.5 * H) == datetime(2025, 3, 31, 1, 30, tzinfo=BERLIN)
    # the autumn change (2025-10-26, 03:00 → 02:00) makes the same day last 5 hours
    autumn = datetime(2025, 10, 26, 1, 0, tzinfo=BERLIN)
    assert business_time_between(cal, autumn, datetime(2025, 10, 26, 6, 0, tzinfo=BERLIN)) == 5 * H


def test_dst_gap_swallowing_the_interval_makes_the_day_empty():
    cal = BusinessCalendar(opens=time(2, 15), closes=time(2, 45), tz="Europe/Berlin")
    assert cal.opening_interval(date(2025, 3, 30)) is not None  # both map forward by one hour
    cal = BusinessCalendar(opens=time(2, 30), closes=time(3, 0), tz="Europe/Berlin")
    assert cal.opening_interval(date(2025, 3, 30)) is None
    start = datetime(2025, 3, 30, 0, 0, tzinfo=BERLIN)
    assert add_business_time(cal, start, timedelta(0)) == datetime(2025, 3, 31, 2, 30, tzinfo=BERLIN)


# --- errors -------------------------------------------------------------------------------------


def test_naive_datetime_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        add_business_time(WEEKDAYS, datetime(2025, 6, 13, 17, 30), H)
    with pytest.raises(ValueError, match="timezone-aware"):
        business_time_between(WEEKDAYS, sh(2025, 6, 13, 17, 30), datetime(2025, 6, 14))
    with pytest.raises(ValueError, match="timezone-aware"):
        deadline(WEEKDAYS, datetime(2025, 6, 13, 17, 30), hours=2)


def test_no_working_days_refused():
    with pytest.raises(ValueError, match="no working days"):
        BusinessCalendar(opens=time(8, 30), closes=time(18, 0), weekdays="")
    # only a single make-up day: counting past it runs out of working days
    cal = BusinessCalendar(
        opens=time(8, 30), closes=time(18, 0), weekdays="", extra_working_dates=frozenset({date(2025, 2, 8)})
    )
    assert add_business_time(cal, sh(2025, 2, 1, 0, 0), H) == sh(2025, 2, 8, 9, 30)
    with pytest.raises(ValueError, match="no working days"):
        add_business_time(cal, sh(2025, 2, 1, 0, 0), 10 * H)
    with pytest.raises(ValueError, match="no working days"):
        deadline(cal, sh(2025, 2, 1, 0, 0), business_days=2)


@pytest.mark.parametrize(("opens", "closes"), [(time(18, 0), time(8, 30)), (time(9, 0), time(9, 0))])
def test_opens_not_before_closes_refused(opens, closes):
    with pytest.raises(ValueError, match="must be earlier than closes"):
        BusinessCalendar(opens=opens, closes=closes)


@pytest.mark.parametrize("weekdays", ["0123", "128", "1123", "1,2", "mon"])
def test_bad_weekdays_refused(weekdays):
    with pytest.raises(ValueError, match="weekdays"):
        BusinessCalendar(opens=time(8, 30), closes=time(18, 0), weekdays=weekdays)


def test_other_configuration_errors():
    with pytest.raises(ValueError, match="unknown time zone"):
        BusinessCalendar(opens=time(8, 30), closes=time(18, 0), tz="Mars/Olympus")
    with pytest.raises(ValueError, match="both closed and extra"):
        d = frozenset({date(2025, 2, 8)})
        BusinessCalendar(opens=time(8, 30), closes=time(18, 0), closed_dates=d, extra_working_dates=d)
    with pytest.raises(ValueError, match="naive local wall times"):
        BusinessCalendar(opens=time(8, 30, tzinfo=UTC), closes=time(18, 0))


def test_bad_arguments_refused():
    with pytest.raises(ValueError, match="negative"):
        add_business_time(WEEKDAYS, sh(2025, 6, 13), -H)
    with pytest.raises(ValueError, match="exactly one"):
        deadline(WEEKDAYS, sh(2025, 6, 13))
    with pytest.raises(ValueError, match="exactly one"):
        deadline(WEEKDAYS, sh(2025, 6, 13), hours=1, business_days=1)
    with pytest.raises(ValueError, match="hours"):
        deadline(WEEKDAYS, sh(2025, 6, 13), hours=float("nan"))
    with pytest.raises(ValueError, match="business_days"):
        deadline(WEEKDAYS, sh(2025, 6, 13), business_days=-1)


def test_calendar_is_frozen():
    with pytest.raises(AttributeError):
        WEEKDAYS.opens = time(9, 0)  # type: ignore[misc]


# --- properties -------------------------------------------------------------------------------

ZONES = ["Asia/Shanghai", "Europe/Berlin", "America/New_York", "UTC"]
BASE = date(2025, 1, 1)


@st.composite
def calendars(draw):
    opens_min = draw(st.integers(0, 24 * 60 - 2))
    closes_min = draw(st.integers(opens_min + 1, 24 * 60 - 1))
    weekdays = "".join(sorted(draw(st.sets(st.sampled_from("1234567"), min_size=1))))
    days = st.builds(lambda n: BASE + timedelta(days=n), st.integers(0, 400))
    closed = draw(st.frozensets(days, max_size=15))
    extra = draw(st.frozensets(days, max_size=5)) - closed
    return BusinessCalendar(
        opens=time(*divmod(opens_min, 60)),
        closes=time(*divmod(closes_min, 60)),
        weekdays=weekdays,
        tz=draw(st.sampled_from(ZONES)),
        closed_dates=closed,
        extra_working_dates=extra,
    )


starts = st.builds(
    lambda micros: datetime(2024, 12, 25, tzinfo=UTC) + timedelta(microseconds=micros),
    st.integers(0, 420 * 86_400 * 10**6),
)
durations = st.builds(lambda micros: timedelta(microseconds=micros), st.integers(0, 400 * 3600 * 10**6))
PROPS = settings(max_examples=200, deadline=None)


def _inside_or_at_close(cal: BusinessCalendar, instant: datetime) -> bool:
    local_day = instant.astimezone(cal.zone).date()
    for day in (local_day - timedelta(days=1), local_day, local_day + timedelta(days=1)):
        interval = cal.opening_interval(day)
        if interval is not None and interval[0] <= instant <= interval[1]:
            return True
    return False


@PROPS
@given(calendars(), starts, durations)
def test_round_trip(cal, start, duration):
    end = add_business_time(cal, start, duration)
    assert end >= start
    assert business_time_between(cal, start, end) == duration


@PROPS
@given(calendars(), starts, durations, durations)
def test_monotonic(cal, start, d1, d2):
    d1, d2 = sorted((d1, d2))
    assert add_business_time(cal, start, d1) <= add_business_time(cal, start, d2)


@PROPS
@given(calendars(), starts, durations)
def test_result_inside_or_at_end_of_hours(cal, start, duration):
    end = add_business_time(cal, start, duration)
    assert end.tzinfo == cal.zone
    assert _inside_or_at_close(cal, end)
    if cal.tz in ("Asia/Shanghai", "UTC"):  # no DST: the wall clock is within opening hours
        local = end.astimezone(cal.zone)
        assert cal.is_working_date(local.date())
        assert cal.opens <= local.time() <= cal.closes


@PROPS
@given(calendars(), starts, durations, st.sampled_from(ZONES))
def test_any_input_zone_gives_same_instant(cal, start, duration, zone):
    moved = start.astimezone(ZoneInfo(zone))
    assert add_business_time(cal, moved, duration) == add_business_time(cal, start, duration)


@PROPS
@given(calendars(), starts, st.integers(0, 30))
def test_business_days_worth_whole_days(cal, start, n):
    cal = BusinessCalendar(
        opens=cal.opens,
        closes=cal.closes,
        weekdays=cal.weekdays,
        tz="Asia/Shanghai",  # no DST: every working day has the same length
        closed_dates=cal.closed_dates,
        extra_working_dates=cal.extra_working_dates,
    )
    day_length = datetime.combine(BASE, cal.closes) - datetime.combine(BASE, cal.opens)
    due = deadline(cal, start, business_days=n)
    assert _inside_or_at_close(cal, due)
    assert business_time_between(cal, start, due) == n * day_length
