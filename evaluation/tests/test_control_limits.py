"""Trends that don't cry wolf: the p-chart (maths.p_chart) and an indicator's stored trend with its limits."""

import math

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from core.dates import Month
from evaluation import maths
from evaluation.models import DealerEvaluation
from evaluation.selectors import results as selectors

# --- the maths -------------------------------------------------------------------------------------------------


def test_hand_computed_limits():
    chart = maths.p_chart([5, 10, 0], [100, 100, 0])
    assert chart.centre == pytest.approx(0.075)  # 15 / 200, the empty month left out
    # 3 · sqrt(0.075 · 0.925 / 100) = 0.0790174…
    assert chart.upper[0] == pytest.approx(0.1540174, abs=1e-7) and chart.upper[1] == chart.upper[0]
    assert chart.lower[0] == 0.0  # 0.075 − 0.079 clamped at 0
    assert chart.upper[2] is None and chart.lower[2] is None and chart.shares[2] is None
    assert chart.outside == (False, False, False)


def test_months_outside_are_flagged_on_both_sides():
    chart = maths.p_chart([1, 20], [50, 50])
    assert chart.centre == pytest.approx(0.21)
    # 3 · sqrt(0.21 · 0.79 / 50) = 0.1728063…
    assert chart.upper[0] == pytest.approx(0.3828063, abs=1e-7)
    assert chart.lower[0] == pytest.approx(0.0371937, abs=1e-7)
    assert chart.shares == (0.02, 0.4)
    assert chart.outside == (True, True)


def test_each_month_uses_its_own_n():
    chart = maths.p_chart([9, 90], [10, 100])
    assert chart.centre == pytest.approx(0.9)
    wide, narrow = chart.upper[0] - chart.lower[0], chart.upper[1] - chart.lower[1]
    assert chart.upper[0] == 1.0  # 0.9 + 3 · sqrt(0.09 / 10) = 1.185 clamped at 1
    assert narrow == pytest.approx(6 * math.sqrt(0.09 / 100)) and wide > narrow


def test_all_hits_or_no_data():
    chart = maths.p_chart([10, 20], [10, 20])
    assert chart.centre == 1.0 and chart.upper == (1.0, 1.0) and chart.lower == (1.0, 1.0)
    assert chart.outside == (False, False)  # on the line is not outside
    empty = maths.p_chart([0, 0], [0, 0])
    assert empty.centre is None and empty.upper == (None, None) and empty.outside == (False, False)
    assert maths.p_chart([], []).centre is None


@pytest.mark.parametrize(
    ("numerators", "denominators", "message"),
    [
        ([1, 2], [3], "2 numerators but 1 denominators"),
        ([4], [3], "period 0: the numerator must be between 0 and the denominator"),
        ([-1], [3], "between 0 and the denominator"),
        ([1], [-3], "between 0 and the denominator"),
        ([float("nan")], [3], "between 0 and the denominator"),
        (["a"], [3], "sequences of numbers"),
        ("12", "34", "sequences of numbers"),
    ],
)
def test_bad_input_is_refused(numerators, denominators, message):
    with pytest.raises(maths.EvaluationInputError, match=message):
        maths.p_chart(numerators, denominators)


@st.composite
def months(draw):
    size = draw(st.integers(min_value=1, max_value=14))
    denominators = draw(st.lists(st.integers(min_value=0, max_value=5000), min_size=size, max_size=size))
    numerators = [draw(st.integers(min_value=0, max_value=n)) for n in denominators]
    return numerators, denominators


@settings(max_examples=300, deadline=None)
@given(months())
def test_limits_hold_their_properties(data):
    numerators, denominators = data
    chart = maths.p_chart(numerators, denominators)
    counted = [(x, n) for x, n in zip(numerators, denominators, strict=True) if n > 0]
    if not counted:
        assert chart.centre is None and not any(chart.outside)
        return
    centre = sum(x for x, _n in counted) / sum(n for _x, n in counted)
    assert chart.centre == pytest.approx(centre)
    for x, n, high, low, share, out in zip(numerators, denominators, chart.upper, chart.lower, chart.shares,
                                           chart.outside, strict=True):  # fmt: skip
        if n == 0:
            assert high is None and low is None and share is None and not out
            continue
        assert 0.0 <= low <= chart.centre <= high <= 1.0
        sigma = math.sqrt(centre * (1 - centre) / n)
        assert high == pytest.approx(min(1.0, centre + 3 * sigma), abs=1e-12)
        assert low == pytest.approx(max(0.0, centre - 3 * sigma), abs=1e-12)
        assert share == pytest.approx(x / n)
        if out:
            assert share > high or share < low
        else:
            assert low - 1e-9 <= share <= high + 1e-9


@settings(max_examples=200, deadline=None)
@given(months(), st.integers(min_value=2, max_value=50))
def test_more_records_narrow_the_limits(data, factor):
    numerators, denominators = data
    base = maths.p_chart(numerators, denominators)
    scaled = maths.p_chart([x * factor for x in numerators], [n * factor for n in denominators])
    assert scaled.centre == (None if base.centre is None else pytest.approx(base.centre))
    for n, high, low, big_high, big_low in zip(denominators, base.upper, base.lower, scaled.upper, scaled.lower,
                                               strict=True):  # fmt: skip
        if n:
            assert big_high <= high + 1e-12 and big_low >= low - 1e-12


# --- the stored trend ------------------------------------------------------------------------------------------


@pytest.fixture
def admin(demo_dataset, django_user_model):
    return django_user_model.objects.get(username="admin")


def dealer_id(code="SZ01"):
    return DealerEvaluation.objects.filter(dealer__code=code).values_list("dealer_id", flat=True).first()


@pytest.mark.django_db
def test_trend_is_one_query_and_follows_the_stored_results(admin, django_assert_num_queries):
    dealer = dealer_id()
    with django_assert_num_queries(1):
        trend = selectors.indicator_trend(dealer, "B2", Month(2026, 10), admin)
    assert trend.months[0] == Month(2025, 11) and trend.months[-1] == Month(2026, 10) and len(trend.values) == 12
    history = dict(selectors.dealer_history(dealer, Month(2026, 10), admin))
    for month, value, n, numerator in zip(trend.months, trend.values, trend.counts, trend.numerators, strict=True):
        result = history[month]
        if result is None:
            assert value is None and n == 0 and numerator is None
        else:
            row = result.indicators["B2"]
            assert (value, n, numerator) == (row["value"] if row["n"] else None, row["n"], row["numerator"])
    assert trend.limits and trend.note == ""
    chart = maths.p_chart([x or 0 for x in trend.numerators], [d or 0 for d in trend.denominators])
    assert trend.centre == pytest.approx(chart.centre * 100)  # in percent, as the value
    assert trend.upper == [None if v is None else pytest.approx(v * 100) for v in chart.upper]
    assert trend.lower == [None if v is None else pytest.approx(v * 100) for v in chart.lower]
    assert trend.outside == list(chart.outside)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("A1", "an average"),
        ("C1", "an average"),
        ("E1", "an average"),
        ("E2", "a balance of promoters and detractors"),
        ("G", "one figure a month"),
        ("F2", "a share of values"),
    ],
)
def test_what_is_not_a_share_of_records_gets_no_limits(admin, code, why):
    with translation.override("en"):
        trend = selectors.indicator_trend(dealer_id(), code, Month(2026, 10), admin)
    assert not trend.limits and trend.note.startswith(why)
    assert trend.upper == [None] * 12 and trend.outside == [False] * 12 and trend.centre is None
    assert not trend.is_empty  # the values are still drawn


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["A2", "A4", "B1", "B4", "B5", "C3", "C4", "D1", "D2", "D3", "D4", "D5", "D6", "E3",
                                  "E4", "F1"])  # fmt: skip
def test_every_share_of_records_gets_limits(admin, code):
    trend = selectors.indicator_trend(dealer_id(), code, Month(2026, 10), admin)
    assert trend.note == ""
    assert trend.limits or trend.is_empty
