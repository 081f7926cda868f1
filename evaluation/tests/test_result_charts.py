"""The evaluation's chart builders (evaluation.charts): the figures of the results selectors in the kit's options,
names in the reader's language, links to the records, empty states."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import translation

from core.dates import Month
from evaluation import charts
from evaluation.models import DealerEvaluation
from evaluation.selectors import results as selectors

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(demo_dataset, django_user_model):
    return django_user_model.objects.get(username="admin")


def last_two(admin, code="SH01"):
    dealer = DealerEvaluation.objects.filter(dealer__code=code).values_list("dealer_id", flat=True).first()
    history = selectors.dealer_history(dealer, Month(2026, 10), admin, months=2)
    previous, result = (r for _m, r in history)
    assert previous is not None and result is not None
    return previous, result


def test_waterfall_starts_at_last_month_and_adds_every_contribution(admin):
    previous, result = last_two(admin)
    explanation = selectors.explain(result, previous)
    with translation.override("zh-hans"):
        chart = charts.waterfall_chart(explanation, fold_below=0)
    option = chart.echarts()
    labels = option["xAxis"]["data"]
    assert labels[0] == "2026-09" and labels[-1] == "2026-10"
    assert len(labels) == len(explanation.contributions) + 2
    assert labels[1].startswith(explanation.contributions[0].indicator + " ")
    bars = option["series"][1]["data"]
    assert bars[0]["value"] == round(previous.score, 2) and bars[-1]["value"] == round(result.score, 2)
    assert [b["value"] for b in bars[1:-1]] == [round(abs(c.points), 2) for c in explanation.contributions]
    # the running total ends on this month's score
    steps = chart.waterfall_steps()
    assert steps[-1][1] == pytest.approx(result.score, abs=1e-9)
    # each bar opens that indicator's records of the month
    first = explanation.contributions[0]
    url = urlsplit(bars[1]["url"])
    assert url.path == reverse("evaluation:drilldown", args=[first.indicator])
    assert parse_qs(url.query) == {"dealer": [str(result.dealer_id)], "from": ["2026-10-01"], "to": ["2026-10-31"]}


def test_waterfall_names_indicators_in_the_readers_language(admin):
    previous, result = last_two(admin)
    explanation = selectors.explain(result, previous)
    codes = [c.indicator for c in explanation.contributions]
    with translation.override("zh-hans"):
        zh = charts.waterfall_chart(explanation, fold_below=0).categories
    with translation.override("en"):
        en = charts.waterfall_chart(explanation, fold_below=0).categories
    if "B1" in codes:
        assert zh[codes.index("B1")] == "B1 一次修复率"
        assert en[codes.index("B1")] == "B1 First-time fix rate"
    assert all(label.startswith(code + " ") for label, code in zip(zh, codes, strict=True))
    assert zh != en


def test_waterfall_links_can_be_given_or_checked_for_the_user(admin, django_user_model):
    previous, result = last_two(admin)
    explanation = selectors.explain(result, previous)
    given = [f"/x/{c.indicator}/" for c in explanation.contributions]
    bars = charts.waterfall_chart(explanation, links=given, fold_below=0).echarts()["series"][1]["data"]
    assert [b["url"] for b in bars[1:-1]] == given
    nobody = django_user_model.objects.create_user("nobody-charts", password="x")
    bars = charts.waterfall_chart(explanation, user=nobody).echarts()["series"][1]["data"]
    assert all("url" not in b for b in bars)


def test_waterfall_folds_the_contributions_of_almost_nothing_into_one_bar(admin):
    previous, result = last_two(admin)
    explanation = selectors.explain(result, previous)
    small = [c for c in explanation.contributions if abs(c.points) < 0.01]
    assert small, "the demo month has indicators that did not move the score"
    with translation.override("en"):
        chart = charts.waterfall_chart(explanation)
    big = [c for c in explanation.contributions if abs(c.points) >= 0.01]
    assert [label.split(" ")[0] for label in chart.categories[: len(big)]] == [c.indicator for c in big]
    assert chart.categories[-1] == f"{len(small)} others (each under 0.01)"
    assert chart.series[0].values[-1] == pytest.approx(sum(c.points for c in small))
    assert chart.series[0].links[-1] is None
    assert chart.waterfall_steps()[-1][1] == pytest.approx(result.score, abs=1e-9)  # still ends on the score


def test_waterfall_without_previous_month_says_why(admin):
    _previous, result = last_two(admin)
    with translation.override("en"):
        chart = charts.waterfall_chart(selectors.explain(result, None))
    assert chart.is_empty and "2026-09" in chart.empty_message


def test_score_trend_has_twelve_months_with_gaps(admin):
    previous, result = last_two(admin)
    history = selectors.dealer_history(result.dealer_id, Month(2026, 10), admin)
    chart = charts.score_trend_chart(history, key="trend")
    option = chart.echarts()
    assert len(option["xAxis"]["data"]) == 12 and option["xAxis"]["data"][-1] == "2026-10"
    assert option["yAxis"]["min"] == 0 and option["yAxis"]["max"] == 100
    overall = option["series"][0]["data"]
    assert overall[-1]["value"] == round(result.score, 1) and overall[-2]["value"] == round(previous.score, 1)
    assert overall[-1]["url"] == reverse("evaluation:result_detail", args=[result.pk])
    # a month without result is a gap
    assert [point["value"] is None for point in overall] == [r is None for _m, r in history]
    gapped = charts.score_trend_chart([(Month(2026, 8), None), (Month(2026, 9), previous), (Month(2026, 10), result)])
    values = [point["value"] for point in gapped.echarts()["series"][0]["data"]]
    assert values == [None, round(previous.score, 1), round(result.score, 1)]
    dimensions = sorted(result.dimension_scores)
    assert len(option["series"]) == 1 + len(dimensions)
    assert option["series"][1]["data"][-1]["value"] == round(result.dimension_scores[dimensions[0]], 1)
    empty = charts.score_trend_chart([(Month(2026, 1), None)], key="trend")
    assert empty.is_empty and empty.empty_message


def test_radar_compares_the_dimensions_with_last_month(admin):
    previous, result = last_two(admin)
    with translation.override("en"):
        chart = charts.radar_chart(result, previous)
    option = chart.echarts()
    names = [axis["name"] for axis in option["radar"]["indicator"]]
    assert names[0].startswith("A ") and "Responsiveness" in names[0]
    this, last = option["series"][0]["data"]
    assert this["name"] == "2026-10" and last["name"] == "2026-09"
    assert this["value"][0] == round(result.dimension_scores["A"], 1)
    assert last["value"][0] == round(previous.dimension_scores["A"], 1)
    assert len(charts.radar_chart(result, None).series) == 1
    assert charts.radar_chart(None, None).is_empty


def test_rate_trend_draws_its_control_limits_and_n(admin):
    _previous, result = last_two(admin)
    trend = selectors.indicator_trend(result.dealer_id, "B2", Month(2026, 10), admin)
    chart = charts.indicator_trend_chart(trend, key="b2")
    option = chart.echarts()
    row = result.indicators["B2"]
    assert option["xAxis"]["data"][-1] == f"2026-10\nn={row['n']}"
    assert option["series"][0]["data"][-1]["value"] == round(row["value"], 1)
    limits = [s for s in option["series"] if s.get("lineStyle", {}).get("type") == "dashed"]
    assert len(limits) == 3
    upper = option["series"][1]["data"][-1]["value"]
    assert upper == round(trend.upper[-1], 1) and upper >= round(trend.centre, 1)
    assert chart.unit == "%"


def test_an_average_gets_no_limits_and_says_why(admin):
    _previous, result = last_two(admin)
    with translation.override("en"):
        trend = selectors.indicator_trend(result.dealer_id, "A1", Month(2026, 10), admin)
        chart = charts.indicator_trend_chart(trend)
    assert not trend.limits and "no control limits" in chart.title
    assert len(chart.series) == 1 and chart.series[0].marks is None
    assert chart.key == "trend-A1"


def test_an_empty_trend_says_so(admin):
    _previous, result = last_two(admin)
    trend = selectors.indicator_trend(result.dealer_id, "B2", Month(2020, 10), admin)
    chart = charts.indicator_trend_chart(trend)
    assert trend.is_empty and chart.is_empty and "B2" in chart.empty_message
