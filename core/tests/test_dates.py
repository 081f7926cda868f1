"""The period kit (core.dates): half-open local days, months and years, in the project's or a dealer's zone."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings

from core import dates
from core.dates import Month
from core.tests.helpers import SHANGHAI, sh

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def test_the_default_zone_is_the_projects_and_a_dealer_brings_its_own():
    assert dates.local_zone() == SHANGHAI
    assert dates.local_zone(type("Dealer", (), {"time_zone": "Europe/Berlin"})()) == BERLIN
    assert dates.local_zone(type("Dealer", (), {"time_zone": ""})()) == SHANGHAI
    with override_settings(TIME_ZONE="America/New_York"):
        assert dates.local_zone() == NEW_YORK
        assert dates.month_bounds(2025, 1)[0] == datetime(2025, 1, 1, tzinfo=NEW_YORK)


def test_day_bounds_are_half_open_local_midnights():
    start, end = dates.day_bounds(date(2025, 3, 31))
    assert (start, end) == (sh(2025, 3, 31), sh(2025, 4, 1))
    assert start.astimezone(UTC) == datetime(2025, 3, 30, 16, tzinfo=UTC)
    last_split_second = sh(2025, 3, 31, 23, 59, 59, 500_000)
    assert start <= last_split_second < end
    assert not end < end  # the next day's midnight belongs to the next day


def test_day_bounds_of_a_dealer_in_a_daylight_saving_zone_follow_its_clock():
    start, end = dates.day_bounds(date(2025, 3, 30), BERLIN)  # clocks jump 02:00 -> 03:00
    assert (start, end) == (datetime(2025, 3, 30, tzinfo=BERLIN), datetime(2025, 3, 31, tzinfo=BERLIN))
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=23)
    autumn = dates.day_bounds(date(2025, 10, 26), BERLIN)
    assert autumn[1].astimezone(UTC) - autumn[0].astimezone(UTC) == timedelta(hours=25)


def test_asia_shanghai_has_no_daylight_saving_every_day_is_24_hours():
    day = date(2025, 1, 1)
    while day.year == 2025:
        start, end = dates.day_bounds(day)
        assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=24)
        day += timedelta(days=1)


def test_days_bounds_include_both_days_and_span_takes_days_or_moments():
    assert dates.days_bounds(date(2025, 2, 1), date(2025, 2, 28)) == (sh(2025, 2, 1), sh(2025, 3, 1))
    assert dates.span(date(2025, 2, 1), date(2025, 2, 28)) == (sh(2025, 2, 1), sh(2025, 3, 1))
    assert dates.span(sh(2025, 2, 1, 9), sh(2025, 2, 3, 17)) == (sh(2025, 2, 1, 9), sh(2025, 2, 3, 17))
    assert dates.span(sh(2025, 2, 1, 9), date(2025, 2, 3)) == (sh(2025, 2, 1, 9), sh(2025, 2, 4))


@pytest.mark.parametrize(
    ("year", "month", "start", "end"),
    [
        (2025, 12, sh(2025, 12, 1), sh(2026, 1, 1)),  # December -> January of the next year
        (2024, 2, sh(2024, 2, 1), sh(2024, 3, 1)),  # leap February: 29 days
        (2025, 2, sh(2025, 2, 1), sh(2025, 3, 1)),
        (2025, 1, sh(2025, 1, 1), sh(2025, 2, 1)),
    ],
)
def test_month_bounds(year, month, start, end):
    assert dates.month_bounds(year, month) == (start, end)
    assert Month(year, month).bounds() == (start, end)
    assert (Month(year, month).start, Month(year, month).end) == (start, end)


def test_month_bounds_in_a_dealers_zone():
    start, end = dates.month_bounds(2025, 3, NEW_YORK)  # New York changes to daylight time on 9 March
    assert start == datetime(2025, 3, 1, tzinfo=NEW_YORK)
    assert start.astimezone(UTC) == datetime(2025, 3, 1, 5, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime(2025, 4, 1, 4, tzinfo=UTC)
    shanghai = dates.month_bounds(2025, 3)
    assert shanghai[0].astimezone(UTC) == datetime(2025, 2, 28, 16, tzinfo=UTC)


def test_year_bounds():
    assert dates.year_bounds(2024) == (sh(2024, 1, 1), sh(2025, 1, 1))
    assert dates.year_bounds(2024, BERLIN) == (datetime(2024, 1, 1, tzinfo=BERLIN), datetime(2025, 1, 1, tzinfo=BERLIN))


def test_month_value():
    december = Month(2025, 12)
    assert (december.first_day, december.last_day) == (date(2025, 12, 1), date(2025, 12, 31))
    assert december.next() == Month(2026, 1)
    assert Month(2026, 1).previous() == december
    assert Month(2024, 2).last_day == date(2024, 2, 29)
    assert Month(2100, 2).last_day == date(2100, 2, 28)  # not a leap year (divisible by 100)
    assert Month(2025, 3).plus(-15) == Month(2023, 12)
    assert Month.of(date(2025, 7, 31)) == Month(2025, 7)
    assert Month.of(datetime(2025, 6, 30, 16, 30, tzinfo=UTC)) == Month(2025, 7)  # 00:30 on 1 July in Shanghai
    assert str(Month(2025, 3)) == "2025-03"
    assert Month(2025, 1) < Month(2025, 2) < Month(2026, 1)
    with pytest.raises(ValueError, match=r"month must be in 1\.\.12, not 13"):
        Month(2025, 13)


def test_first_and_last_of_month():
    assert dates.first_of_month(date(2024, 2, 29)) == date(2024, 2, 1)
    assert dates.last_of_month(date(2024, 2, 3)) == date(2024, 2, 29)
    assert dates.last_of_month(date(2025, 12, 3)) == date(2025, 12, 31)


def test_the_current_month_is_the_local_one(monkeypatch):
    # 2026-01-01 00:30 in Shanghai is still 31 December in UTC: the local day decides.
    monkeypatch.setattr(dates.timezone, "now", lambda: datetime(2025, 12, 31, 16, 30, tzinfo=UTC))
    assert Month.current() == Month(2026, 1)
    assert Month.current().previous() == Month(2025, 12)  # the last complete month


def test_local_date_and_moment():
    moment = datetime(2025, 3, 31, 16, 0, tzinfo=UTC)
    assert dates.local_date(moment) == date(2025, 4, 1)
    assert dates.local_date(moment, NEW_YORK) == date(2025, 3, 31)
    assert dates.localtime(moment) == sh(2025, 4, 1, 0, 0)
    assert dates.localtime(moment).tzinfo == SHANGHAI
    assert dates.local_moment(date(2025, 4, 1), time(10)) == sh(2025, 4, 1, 10)
    assert dates.local_moment(date(2025, 4, 1), time(10), BERLIN) == datetime(2025, 4, 1, 10, tzinfo=BERLIN)


def test_last_local_day_of_a_period():
    assert dates.last_local_day(sh(2025, 4, 1)) == date(2025, 3, 31)  # midnight: the day before
    assert dates.last_local_day(sh(2025, 4, 1, 0, 0, 1)) == date(2025, 4, 1)
    assert dates.last_local_day(datetime(2025, 4, 1, tzinfo=BERLIN), BERLIN) == date(2025, 3, 31)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 12, 15), 1, date(2026, 1, 15)),
        (date(2026, 1, 15), -1, date(2025, 12, 15)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2025, 3, 31), -13, date(2024, 2, 29)),
    ],
)
def test_add_months(day, months, expected):
    assert dates.add_months(day, months) == expected


def test_months_before_keeps_the_local_wall_time_and_clamps_the_day():
    assert dates.months_before(sh(2025, 3, 31, 23, 30), 1) == sh(2025, 2, 28, 23, 30)
    assert dates.months_before(sh(2026, 1, 1), 1) == sh(2025, 12, 1)
    berlin = dates.months_before(datetime(2025, 4, 1, tzinfo=BERLIN), 1, BERLIN)
    assert berlin == datetime(2025, 3, 1, tzinfo=BERLIN)
