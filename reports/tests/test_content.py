"""What a report says (reports.builder): from published runs only, the evaluation's own figures and explanation."""

from datetime import date, timedelta

import pytest
from django.utils import timezone, translation

from accounts.choices import Role
from complaints import kpis as complaint_kpis
from complaints.choices import Category
from complaints.tests.factories import open_complaint
from core.indicators import RATIO, combined
from core.tests.factories import staff_user
from core.tests.helpers import sh
from evaluation.models import DealerEvaluation, QualityAlert
from evaluation.selectors.results import explain
from evaluation.services import alerts
from reports.builder import build
from reports.choices import PeriodKind
from reports.content import Cell
from reports.selectors import ReportSpec, nothing_published_reason
from reports.tests.conftest import OCTOBER, SEPTEMBER
from reports.tests.factories import default_scores, published_run

pytestmark = pytest.mark.django_db


def english(spec):
    with translation.override("en"):
        return build(spec)


def section(content, key):
    return next(s for s in content.sections if s.key == key)


def table(content, section_key, table_key):
    return next(t for t in section(content, section_key).tables if t.key == table_key)


def value(cell):
    return cell.value if isinstance(cell, Cell) else cell


def fact(content, section_key, label):
    return next(f.value for f in section(content, section_key).facts if f.label == label)


def result(run, dealer):
    return DealerEvaluation.objects.get(run=run, dealer=dealer)


def test_a_monthly_report_stands_on_the_published_run_of_the_month_not_a_later_draft(runs, dealer_a):
    content = english(ReportSpec(PeriodKind.MONTH, OCTOBER.first_day, dealer=dealer_a))
    published = result(runs["october"], dealer_a)
    assert content.run_ids == [runs["october"].pk]
    headline = {f.label: f.value for f in content.headline}
    assert (
        headline["Score"] == pytest.approx(published.score) and published.score != result(runs["draft"], dealer_a).score
    )
    assert headline["Rank"] == "1 / 3"
    with translation.override("en"):
        assert headline["Grade"] == published.grade_label
    assert content.scope_line == "A001 甲店" and content.period_line == "2025-10"
    runs_named = [f.value for f in section(content, "cover").facts if f.label == "Evaluation run"]
    assert len(runs_named) == 1 and runs_named[0].startswith(f"#{runs['october'].pk} ")
    compared = [f.value for f in section(content, "cover").facts if f.label == "Compared with run"]
    assert compared and compared[0].startswith(f"#{runs['september'].pk} ")


def test_the_indicator_table_has_value_n_target_floor_score_and_the_change(runs, dealer_a):
    content = english(ReportSpec(PeriodKind.MONTH, OCTOBER.first_day, dealer=dealer_a))
    indicators = table(content, "indicators", "indicators")
    labels = [c.label for c in indicators.columns]
    assert labels[:10] == [
        "Code",
        "Indicator",
        "Value",
        "Unit",
        "n",
        "Target",
        "Floor",
        "Score",
        "Previous month (2025-09)",
        "Change",
    ]
    now, before = result(runs["october"], dealer_a).indicators, result(runs["september"], dealer_a).indicators
    rows = {row[0]: row for row in indicators.rows}
    assert len(rows) == 26
    b1 = rows["B1"]
    assert value(b1[2]) == pytest.approx(now["B1"]["value"]) and b1[2].kind == "pct"  # a rate: shown as a percentage
    assert b1[4] == 12 and value(b1[5]) == 97.0 and value(b1[6]) == 85.0
    assert b1[7] == now["B1"]["score"] and b1[8] == before["B1"]["score"]
    assert b1[9] == pytest.approx(now["B1"]["score"] - before["B1"]["score"])
    assert rows["A1"][2].kind == "num"  # minutes


def test_the_waterfall_is_the_evaluations_explanation_and_adds_up_to_the_change(runs, dealer_a):
    content = english(ReportSpec(PeriodKind.MONTH, OCTOBER.first_day, dealer=dealer_a))
    explanation = explain(result(runs["october"], dealer_a), result(runs["september"], dealer_a))
    waterfall = table(content, "waterfall", "waterfall")
    *rows, total = waterfall.rows
    assert [row[0] for row in rows] == [c.indicator for c in explanation.contributions]
    assert [row[6] for row in rows] == [c.points for c in explanation.contributions]
    assert total[6] == pytest.approx(explanation.change, abs=1e-9)
    assert total[7] + total[8] == pytest.approx(explanation.change, abs=1e-9)
    chart = section(content, "waterfall").charts[0]
    assert chart.kind == "waterfall" and chart.start[1] == pytest.approx(explanation.previous_score)
    assert chart.waterfall_steps()[-1][1] == pytest.approx(explanation.score)


def test_the_charts_are_the_radar_and_the_trend_of_the_published_months(runs, dealer_a):
    content = english(ReportSpec(PeriodKind.MONTH, OCTOBER.first_day, dealer=dealer_a))
    radar, trend = section(content, "charts").charts
    assert radar.kind == "radar" and [s.name for s in radar.series] == ["2025-10", "2025-09"]
    assert trend.categories[-1] == "2025-10" and len(trend.categories) == 12
    overall = trend.series[0].values
    assert overall[-1] == pytest.approx(result(runs["october"], dealer_a).score)
    assert overall[-2] == pytest.approx(result(runs["september"], dealer_a).score)
    assert overall[:-2] == [None] * 10
    assert "2024-11" in section(content, "charts").notes[0]  # the months without a published run are named


def test_the_method_names_the_weights_and_their_consistency(runs, dealer_a):
    content = english(ReportSpec(PeriodKind.MONTH, OCTOBER.first_day, dealer=dealer_a))
    run = runs["october"]
    assert fact(content, "method", "Consistency ratio of the hierarchy (CR)") == run.weights["hierarchy_cr"]
    assert fact(content, "method", "Entropy window (months)") == run.options["entropy_window_months"]
    assert fact(content, "method", "α (share of the AHP weights)") == run.options["alpha"]
    matrices = table(content, "method", "matrices")
    assert len(matrices.rows) == 8 and all(row[-1] == "yes" for row in matrices.rows)  # 1 + 7 dimensions, CR < 0.1
    weights = {row[0]: row for row in table(content, "method", "weights").rows}
    assert weights["B1"][4] == pytest.approx(run.weights["global"]["B1"] * 100)


def test_no_published_run_no_report(runs, dealer_a):
    november = ReportSpec(PeriodKind.MONTH, date(2025, 11, 1), dealer=dealer_a)
    with translation.override("en"):
        reason = nothing_published_reason(november)
    assert reason == "No published evaluation of A001 for 2025-11: a quality report is made from a published run only."
    with pytest.raises(ValueError):
        english(november)


def test_a_draft_alone_is_no_published_run(dealer_a, neighbour, dealer_b):
    published_run(dealer_a.region.oem, OCTOBER, {dealer_a: 80.0, dealer_b: 70.0}, publish=False)
    assert nothing_published_reason(ReportSpec(PeriodKind.MONTH, OCTOBER.first_day, dealer=dealer_a))


def test_a_yearly_report_compares_the_first_and_last_published_months_and_names_the_missing_ones(runs, dealer_a):
    content = english(ReportSpec(PeriodKind.YEAR, date(2025, 1, 1), dealer=dealer_a))
    assert content.run_ids == [runs["september"].pk, runs["october"].pk]
    assert content.missing_months == [f"2025-{m:02d}" for m in (1, 2, 3, 4, 5, 6, 7, 8, 11, 12)]
    october, september = result(runs["october"], dealer_a), result(runs["september"], dealer_a)
    headline = {f.label: f.value for f in content.headline}
    assert headline["Year's mean score"] == pytest.approx((october.score + september.score) / 2)
    assert headline["Rank in 2025-10"] == "1 / 3"
    assert fact(content, "cover", "Published months") == "2 / 12"
    *_rows, total = table(content, "waterfall", "waterfall").rows
    assert total[6] == pytest.approx(october.score - september.score, abs=1e-9)
    assert section(content, "waterfall").charts[0].start[0] == "2025-09"


def test_a_region_report_ranks_its_own_dealers_only(runs, dealer_a, neighbour, dealer_b):
    content = english(ReportSpec(PeriodKind.MONTH, OCTOBER.first_day, region=dealer_a.region))
    ranking = table(content, "ranking", "ranking")
    assert [row[1] for row in ranking.rows] == ["A001 甲店", "A002 甲二店"]  # not B001 of another region
    a, a2 = result(runs["october"], dealer_a), result(runs["october"], neighbour)
    assert [row[2] for row in ranking.rows] == [a.score, a2.score]
    assert [row[5] for row in ranking.rows] == ["1 / 3", "3 / 3"]  # their ranks in the OEM's run
    change = a2.score - result(runs["september"], neighbour).score
    assert ranking.rows[1][7] == pytest.approx(change)
    heat = section(content, "heatmap").charts[0]
    assert heat.rows == ["A001", "A002"] and len(heat.categories) == 26
    assert heat.series[0].values[0] == a.indicators[heat.categories[0]]["score"]
    headline = {f.label: f.value for f in content.headline}
    assert headline["Dealers' mean score"] == pytest.approx((a.score + a2.score) / 2)
    *_rows, total = table(content, "waterfall", "waterfall").rows
    before = (result(runs["september"], dealer_a).score + result(runs["september"], neighbour).score) / 2
    assert total[6] == pytest.approx((a.score + a2.score) / 2 - before, abs=1e-9)
    distribution = section(content, "heatmap").charts[1]
    assert sum(distribution.series[0].values) == 2


def test_complaints_by_category_and_the_sla_are_the_complaints_rules(runs, dealer_a):
    advisor = staff_user(dealer_a, Role.SERVICE_ADVISOR)
    for day, category in ((6, Category.REPAIR_QUALITY), (7, Category.REPAIR_QUALITY), (8, Category.PRICE)):
        open_complaint(dealer_a, advisor, category=category, received_at=sh(2025, 10, day, 10))
    open_complaint(dealer_a, advisor, received_at=sh(2025, 11, 3, 10))  # another month
    content = english(ReportSpec(PeriodKind.MONTH, OCTOBER.first_day, dealer=dealer_a))
    categories = table(content, "complaints", "complaint-categories")
    assert categories.rows == [["Repair quality", 2, 0, 2], ["Price / transparency", 1, 0, 1], ["Total", 3, 0, 3]]
    sla = {row[0]: row for row in table(content, "complaints", "complaint-sla").rows}
    start, end = OCTOBER.bounds()
    expected = combined(complaint_kpis.handling([dealer_a.pk], start, end, runs["october"].as_of)["A2"].values(), RATIO)
    assert (sla["A2"][2], sla["A2"][3]) == (expected.value, expected.n) and expected.n == 3
    assert set(sla) == {"A2", "D6", "B5", "E3"}


def test_alerts_and_actions_with_their_status_and_effectiveness(dealer_a, neighbour, dealer_b):
    oem = dealer_a.region.oem
    published_run(oem, SEPTEMBER, {dealer_a: 70.0, neighbour: 60.0, dealer_b: 65.0})
    october = published_run(
        oem, OCTOBER, {dealer_a: 80.0, neighbour: {**default_scores(55.0), "B1": 0.0}, dealer_b: 75.0}
    )
    alerts.raise_alerts(october)
    alert = QualityAlert.objects.get(dealer=neighbour, indicator_code="B1")
    manager = staff_user(neighbour, Role.SERVICE_MANAGER)
    action = alerts.action_create(
        alert=alert,
        by=manager,
        owner=manager,
        cause_analysis="返修多",
        plan="技师培训",
        due_date=timezone.localdate() + timedelta(days=10),
    )
    region = english(ReportSpec(PeriodKind.MONTH, OCTOBER.first_day, region=dealer_a.region))
    rows = table(region, "alerts", "alerts").rows
    assert [(row[0], row[1][:2], row[7]) for row in rows] == [("A002", "B1", "Planned")]
    actions = table(region, "alerts", "actions").rows
    assert [(row[0], row[2], row[3], row[4], row[5]) for row in actions] == [
        ("A002", str(manager), action.due_date, "Planned", "not checked yet")
    ]
    own = english(ReportSpec(PeriodKind.MONTH, OCTOBER.first_day, dealer=dealer_a))
    assert table(own, "alerts", "alerts").rows == []  # another dealer's alert is not in dealer A's report


def test_the_report_reads_a_bounded_number_of_queries(runs, dealer_a, neighbour, django_assert_max_num_queries):
    spec = ReportSpec(PeriodKind.MONTH, OCTOBER.first_day, region=dealer_a.region)
    with django_assert_max_num_queries(40):
        english(spec)


def test_the_report_is_chinese_by_default(runs, dealer_a):
    with translation.override("zh-hans"):
        content = build(ReportSpec(PeriodKind.MONTH, OCTOBER.first_day, dealer=dealer_a))
    assert section(content, "complaints").title == "投诉"
    assert section(content, "surveys").facts[2].label == "回复率"


def test_a_provisional_published_run_says_so(dealer_a, dealer_b):
    run = published_run(dealer_a.region.oem, OCTOBER, {dealer_a: 80.0, dealer_b: 70.0})
    type(run).objects.filter(pk=run.pk).update(provisional=True)
    content = english(ReportSpec(PeriodKind.MONTH, OCTOBER.first_day, dealer=dealer_a))
    assert any(f.label == "Provisional" for f in section(content, "cover").facts)
    assert timedelta(0) < run.as_of - OCTOBER.end
