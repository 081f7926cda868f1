"""The in-warranty rule alone (no database): by date and by mileage, whichever comes first."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.dates import add_months
from warranty import rules
from warranty.rules import DEFAULT_TERMS, Terms, cover

THREE_YEARS = Terms(months=36, km=100_000)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2022, 3, 15), 36, date(2025, 3, 15)),
        (date(2022, 1, 31), 1, date(2022, 2, 28)),  # no 31 February: the month's last day
        (date(2020, 2, 29), 12, date(2021, 2, 28)),
        (date(2020, 2, 29), 48, date(2024, 2, 29)),
        (date(2022, 12, 31), 2, date(2023, 2, 28)),
        (date(2022, 3, 15), -36, date(2019, 3, 15)),
    ],
)
def test_add_months_ends_on_the_corresponding_day_or_the_month_end(start, months, expected):
    assert add_months(start, months) == expected


def test_the_defaults_are_3_years_100000_km_and_meet_the_legal_minimums():
    assert DEFAULT_TERMS.basic == Terms(36, 100_000)
    assert DEFAULT_TERMS.ev_battery == Terms(96, 120_000)
    minimum = rules.LEGAL_MINIMUM_REPAIR_WARRANTY
    assert (minimum.months, minimum.km) == (36, 60_000)
    assert (rules.LEGAL_MINIMUM_THREE_GUARANTEES.months, rules.LEGAL_MINIMUM_THREE_GUARANTEES.km) == (24, 50_000)
    assert DEFAULT_TERMS.basic.months >= minimum.months and DEFAULT_TERMS.basic.km >= minimum.km
    assert DEFAULT_TERMS.for_coverage("goodwill") == DEFAULT_TERMS.basic


def test_the_last_day_is_covered_and_the_next_is_not():
    start = date(2022, 3, 15)
    last = cover(start=start, terms=THREE_YEARS, on_date=date(2025, 3, 15), mileage=50_000)
    after = cover(start=start, terms=THREE_YEARS, on_date=date(2025, 3, 16), mileage=50_000)
    assert (last.covered, last.code, last.last_day) == (True, rules.COVERED, date(2025, 3, 15))
    assert (after.covered, after.code) == (False, rules.EXPIRED_BY_DATE)


def test_the_km_limit_is_covered_and_one_km_more_is_not():
    start, on = date(2024, 1, 1), date(2024, 6, 1)
    assert cover(start=start, terms=THREE_YEARS, on_date=on, mileage=100_000).covered is True
    beyond = cover(start=start, terms=THREE_YEARS, on_date=on, mileage=100_001)
    assert (beyond.covered, beyond.code, beyond.km_limit) == (False, rules.EXPIRED_BY_MILEAGE, 100_000)


def test_the_purchase_day_itself_is_covered_and_the_day_before_is_not():
    start = date(2024, 5, 20)
    assert cover(start=start, terms=THREE_YEARS, on_date=start, mileage=10).covered is True
    before = cover(start=start, terms=THREE_YEARS, on_date=start - timedelta(days=1), mileage=10)
    assert (before.covered, before.code) == (False, rules.BEFORE_START)


def test_without_a_start_date_or_a_mileage_cover_cannot_be_proven():
    no_start = cover(start=None, terms=THREE_YEARS, on_date=date(2024, 1, 1), mileage=10)
    no_km = cover(start=date(2023, 1, 1), terms=THREE_YEARS, on_date=date(2024, 1, 1), mileage=None)
    assert (no_start.covered, no_start.code) == (False, rules.NO_START_DATE)
    assert (no_km.covered, no_km.code) == (False, rules.NO_MILEAGE)


def test_a_warranty_card_expiry_replaces_the_purchase_date_plus_months():
    extended = cover(
        start=date(2020, 1, 1), terms=THREE_YEARS, on_date=date(2024, 6, 1), mileage=10, last_day=date(2025, 1, 1)
    )
    assert (extended.covered, extended.last_day) == (True, date(2025, 1, 1))
    card_only = cover(start=None, terms=THREE_YEARS, on_date=date(2025, 1, 2), mileage=10, last_day=date(2025, 1, 1))
    assert (card_only.covered, card_only.code) == (False, rules.EXPIRED_BY_DATE)


def test_when_both_ended_the_date_is_named():
    result = cover(start=date(2018, 1, 1), terms=THREE_YEARS, on_date=date(2024, 1, 1), mileage=300_000)
    assert result.code == rules.EXPIRED_BY_DATE


days = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))


@settings(max_examples=300, deadline=None)
@given(
    start=days,
    months=st.integers(min_value=1, max_value=120),
    km=st.integers(min_value=1, max_value=300_000),
    offset=st.integers(min_value=-30, max_value=4000),
    mileage=st.integers(min_value=0, max_value=400_000),
)
def test_covered_exactly_from_purchase_to_the_last_day_and_up_to_the_km_limit(start, months, km, offset, mileage):
    on_date = start + timedelta(days=offset)
    result = cover(start=start, terms=Terms(months, km), on_date=on_date, mileage=mileage)
    last_day = add_months(start, months)
    assert result.covered == (start <= on_date <= last_day and mileage <= km)
    assert result.last_day == last_day and result.km_limit == km
    if result.covered:
        # Cover never comes back: an earlier repair at a lower mileage is covered too.
        earlier = cover(start=start, terms=Terms(months, km), on_date=start, mileage=mileage // 2)
        assert earlier.covered


@settings(max_examples=300, deadline=None)
@given(start=days, months=st.integers(min_value=-240, max_value=240))
def test_add_months_moves_exactly_that_many_calendar_months_and_never_past_the_day(start, months):
    result = add_months(start, months)
    assert (result.year - start.year) * 12 + result.month - start.month == months
    assert result.day <= start.day
    assert result.day == start.day or (result + timedelta(days=1)).month != result.month
