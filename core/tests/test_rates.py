"""The one ratio type (core.indicators.Rate) and the template filter that shows a fraction in percent."""

from __future__ import annotations

from decimal import Decimal

from django.template import Context, Template

from core.indicators import BALANCE, MEAN, RATIO, Measure, Rate, balance, combined, ratio
from core.templatetags.rates import percent


def test_a_rate_is_a_fraction_and_a_percent_of_the_same_counts():
    rate = Rate(2, 3)
    assert rate.fraction == 2 / 3
    assert rate.percent == 200 / 3 == 66.66666666666667
    assert rate.rounded_percent(1) == 66.7
    assert rate.percent_decimal() == Decimal("66.7")
    assert rate.fraction_decimal() == Decimal("0.6667")
    assert rate.percent_text() == "66.7 %"
    assert rate.percent_text(0, suffix="%") == "67%"


def test_no_denominator_is_no_data_never_0_or_100():
    for rate in (Rate(0, 0), Rate(5, 0), Rate(Decimal("0"), Decimal("0"))):
        assert rate.fraction is None
        assert rate.percent is None
        assert rate.rounded_percent(1) is None
        assert rate.percent_decimal() is None
        assert rate.fraction_decimal() is None
        assert rate.percent_text() == "—"
    assert Rate(0, 4).percent == 0.0
    assert Rate(4, 4).percent == 100.0


def test_the_percent_is_rounded_once_from_the_exact_share():
    # 1/3 × 100 in two float steps is 33.33333333333333; the exact share rounds once to the nearest float.
    assert Rate(1, 3).percent == 100 / 3 == 33.333333333333336
    assert Rate(Decimal("1.10"), Decimal("3.30")).percent == 100 / 3
    assert Rate(0.57, 1).percent == 0.57 * 100 == 56.99999999999999  # a float share: one multiplication
    # A Decimal percent keeps the context's 28 digits until it is quantized (HALF_EVEN by default).
    assert Rate(Decimal("47.5"), Decimal("50")).percent_decimal(places=None) == Decimal("95")
    assert Rate(1, 8).percent_decimal() == Decimal("12.5")
    assert Rate(1, 16).percent_decimal() == Decimal("6.2")
    assert Rate(1, 16).percent_decimal(places="0.1", rounding="ROUND_HALF_UP") == Decimal("6.3")


def test_shares_given_as_a_fraction_or_in_percent():
    assert Rate.of_fraction(Decimal("0.1300")).percent_decimal(places=None).normalize() == Decimal("13")
    assert Rate.of_fraction(0.2042).percent_text(1, suffix="") == "20.4"
    assert Rate.of_percent(Decimal("60")).fraction == 0.6
    assert Rate.of_percent(Decimal("66.67")).fraction == 0.6667


def test_measures_take_their_percent_from_the_rate():
    assert ratio(1, 1, 3) == Measure(1, 100 / 3, 1, 3, 3)
    assert ratio(1, 0, 0) == Measure(1, None, 0, 0, 0)
    assert balance(1, -1, 3) == Measure(1, -100 / 3, -1, 3, 3)
    # Several dealers together: the same counts summed, the same rounding as one dealer's figure.
    assert combined([ratio(1, 1, 3)], RATIO).value == ratio(1, 1, 3).value
    assert combined([ratio(1, 1, 3), ratio(2, 1, 4)], RATIO) == Measure(None, 200 / 7, 2, 7, 7)
    assert combined([balance(1, 1, 3), balance(2, -2, 4)], BALANCE).value == -100 / 7
    assert combined([Measure(1, 2.5, 5.0, 2, 2)], MEAN).value == 2.5


def test_the_percent_filter_shows_a_fraction_as_widthratio_did():
    # The parts pages used {% widthratio share 1 100 %}: Python's round (half to even) of share × 100.
    for share in ("0.125", "0.375", "0.6667", "0.0050", "1.0000", "0.0000"):
        widthratio = Template("{% widthratio share 1 100 %}").render(Context({"share": Decimal(share)}))
        assert percent(Decimal(share), 0) == widthratio
    assert percent(Decimal("0.125"), 0) == "12"
    # The evaluation pages' weights (their former pct filter): 0.2042 -> "20.4", two places on request.
    assert percent(0.2042) == "20.4"
    assert percent(0.99995, 2) == f"{0.99995 * 100:.2f}"
    assert percent(None) == percent("") == "—"
    assert Template("{% load rates %}{{ w|percent:2 }}").render(Context({"w": 0.123456})) == "12.35"
