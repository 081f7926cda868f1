"""The region / car-maker view: ranking, change and arrows, minimum-sample rules, alerts first, peers' percentiles and
medians, heat map, distribution, two dealers side by side, exports, scope, languages, bounded queries, the demo."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from accounts.choices import Role
from core.dates import Month
from core.tests.factories import BrandFactory, DealerFactory, UserFactory
from core.tests.helpers import login
from dashboards.network import change_direction, peer_median, percentile_rank
from evaluation.choices import AlertKind, AlertStatus, SystemVersionStatus
from evaluation.models import DealerEvaluation, EvaluationRun, QualityAlert, SystemVersion

pytestmark = pytest.mark.django_db

URL = "/network/"
OCT, SEP = Month(2026, 10), Month(2026, 9)
THIN = {"code": "rank_thin_data", "enough": 3, "of": 26, "share": 0.2, "required": 0.6}


# --- the rules -------------------------------------------------------------------------------------------------


def test_the_percentile_is_the_share_below_plus_half_the_ties():
    assert percentile_rank(75.0, [75.0]) == 50.0
    assert [percentile_rank(s, [90.0, 80.0, 70.0]) for s in (90.0, 80.0, 70.0)] == pytest.approx(
        [250 / 3, 50.0, 50 / 3]
    )
    assert percentile_rank(80.0, [80.0, 80.0, 70.0]) == pytest.approx(200 / 3)
    assert percentile_rank(60.0, [60.0] * 4) == 50.0
    assert [percentile_rank(s, [4.0, 3.0, 2.0, 1.0]) for s in (4.0, 1.0)] == [87.5, 12.5]
    with pytest.raises(ValueError):
        percentile_rank(50.0, [])


def test_the_median_and_the_arrow_rules():
    assert peer_median([90.0, 80.0, 70.0]) == 80.0 and peer_median([90.0, 80.0]) == 85.0
    assert [change_direction(c) for c in (2.0, 0.04, -0.04, -1.5, None)] == ["up", "same", "same", "down", ""]


# --- a hand-built network ----------------------------------------------------------------------------------------


@pytest.fixture
def version(db):
    return SystemVersion.objects.get(system__oem__isnull=True, status=SystemVersionStatus.PUBLISHED)


def make_run(version, oem, month: Month) -> EvaluationRun:
    return EvaluationRun.objects.create(
        oem=oem, period_start=month.first_day, period_end=month.last_day, system_version=version,
        status=EvaluationRun.Status.DONE, published=True, published_at=timezone.now(), finished_at=timezone.now(),
    )  # fmt: skip


def make_result(run, dealer, score, *, rank=None, topsis=None, note=None, indicators=None, grade="良", stars=4):
    return DealerEvaluation.objects.create(
        run=run, dealer=dealer, score=score, grade=grade, stars=stars, rank=rank, topsis_rank=topsis,
        rank_note=note, dimension_scores={"A": score, "B": score - 5 if score else None},
        indicators=indicators or {"A1": {"value": 12.0, "n": 30, "score": score, "weight": 0.5},
                                  "B2": {"value": 90.0, "n": 40, "score": 100.0, "weight": 0.5}},
    )  # fmt: skip


def waiting_alert(run, dealer, days, code="A1"):
    moment = timezone.now() - timedelta(days=days)
    return QualityAlert.objects.create(dealer=dealer, run=run, kind=AlertKind.INDICATOR, indicator_code=code,
                                       raised_at=moment, open_since=moment, status=AlertStatus.OPEN)  # fmt: skip


@pytest.fixture
def net(version, dealer_a, dealer_b):
    """Region A: A001 (90, VW), A002 (80, VW, an alert waiting 10 days), A003 (70, no rank: thin data, Toyota),
    A004 (no result); region B: B001 (85, VW), B002 (60).  September: A001 88, A002 82, A003 70, B001 85."""
    vw, toyota = BrandFactory(code="VW", name="大众"), BrandFactory(code="TY", name="丰田")
    a2 = DealerFactory(code="A002", name="甲二店", region=dealer_a.region)
    a3 = DealerFactory(code="A003", name="甲三店", region=dealer_a.region)
    a4 = DealerFactory(code="A004", name="甲四店", region=dealer_a.region)
    b2 = DealerFactory(code="B002", name="乙二店", region=dealer_b.region)
    for dealer, brands in ((dealer_a, [vw]), (a2, [vw]), (a3, [toyota]), (dealer_b, [vw])):
        dealer.brands.set(brands)
    oem = dealer_a.region.oem
    sep, oct_ = make_run(version, oem, SEP), make_run(version, oem, OCT)
    for dealer, score, rank in ((dealer_a, 88.0, 1), (a2, 82.0, 3), (a3, 70.0, None), (dealer_b, 85.0, 2)):
        make_result(sep, dealer, score, rank=rank, note=None if rank else THIN)
    results = {
        "A001": make_result(oct_, dealer_a, 90.0, rank=1, topsis=1, grade="优", stars=5),
        "A002": make_result(oct_, a2, 80.0, rank=3, topsis=3),
        "A003": make_result(oct_, a3, 70.0, note=THIN, grade="中", stars=3),
        "B001": make_result(oct_, dealer_b, 85.0, rank=2, topsis=2),
        "B002": make_result(oct_, b2, 60.0, rank=4, topsis=4, grade="差", stars=0),
    }
    waiting_alert(oct_, a2, days=10)
    waiting_alert(oct_, a2, days=8, code="B2")
    waiting_alert(oct_, dealer_a, days=3)  # not yet past the 7 days
    return {"A001": dealer_a, "A002": a2, "A003": a3, "A004": a4, "B001": dealer_b, "B002": b2, "vw": vw,
            "toyota": toyota, "results": results, "oct": oct_}  # fmt: skip


@pytest.fixture
def superuser(db):
    return UserFactory(username="network_root", is_superuser=True, is_staff=True)


def rows_of(response):
    return {row.dealer.code: row for row in response.context["network"].rows}


def test_the_ranking_lists_waiting_alerts_first_then_by_score_then_unranked_then_without_result(net, region_manager):
    response = login(region_manager).get(URL, {"month": "2026-10"})
    assert response.status_code == 200
    rows = response.context["network"].rows
    assert [r.dealer.code for r in rows] == ["A002", "A001", "A003", "A004"]
    a1, a2, a3, a4 = rows[1], rows[0], rows[2], rows[3]
    assert (a2.waiting, a2.oldest_days) == (2, 10) and a1.waiting == 0
    assert a2.alerts_url == f"/evaluation/alerts/?dealer={a2.dealer.pk}&action=late"
    assert (a1.change, a1.direction, a1.arrow) == (pytest.approx(2.0), "up", "▲")
    assert (a2.change, a2.direction, a2.arrow) == (pytest.approx(-2.0), "down", "▼")
    assert (a3.change, a3.direction, a3.arrow) == (0.0, "same", "＝")
    assert a4.result is None and a4.change is None
    assert (a1.ranked, a1.rank_change, a2.rank_change) == (True, 0, 0)
    assert a3.ranked is False and a3.rank_change is None
    html = response.content.decode()
    assert "▲ +2.0" in html and "▼ -2.0" in html
    assert "No rank: only 3 of 26 indicators have enough records (20 % of the weight; a rank needs 60 %)." in html
    assert "No evaluation result for 2026-10." in html
    assert (
        "Alerts: 2, the oldest 10 days" in html
        and f'href="/evaluation/alerts/?dealer={a2.dealer.pk}&amp;action=late"' in html
    )
    assert "B001" not in html and "B002" not in html


def test_the_default_month_is_the_last_with_a_result_the_user_sees(net, region_manager, version):
    assert login(region_manager).get(URL).context["month"] == OCT
    later = make_run(version, net["B001"].region.oem, Month(2026, 11))
    make_result(later, net["B001"], 70.0, rank=1)  # only region B has November
    assert login(region_manager).get(URL).context["month"] == OCT


def test_percentiles_and_medians_in_the_region_and_the_brand(net, region_manager, superuser):
    rows = rows_of(login(region_manager).get(URL, {"month": "2026-10"}))
    region = {code: rows[code].region_standing for code in ("A001", "A002", "A003")}
    assert [region[c].percentile for c in ("A001", "A002", "A003")] == pytest.approx([250 / 3, 50.0, 50 / 3])
    assert {region[c].median for c in region} == {80.0} and {region[c].size for c in region} == {3}
    assert [region[c].gap for c in ("A001", "A002", "A003")] == pytest.approx([10.0, 0.0, -10.0])
    assert rows["A004"].region_standing is None and rows["A004"].brand_standings == []
    # the region manager's peers in the brand are their own VW dealers (B001 is another region's)
    vw = rows["A001"].brand_standings
    assert [(s.label, s.size, s.percentile, s.median, s.gap) for s in vw] == [("大众", 2, 75.0, 85.0, 5.0)]
    # every dealer is a peer for whoever sees them all
    everyone = rows_of(login(superuser).get(URL, {"month": "2026-10"}))
    assert [(s.size, s.median) for s in everyone["A001"].brand_standings] == [(3, 85.0)]
    assert everyone["A002"].brand_standings[0].percentile == pytest.approx(50 / 3)
    assert everyone["B002"].region_standing.percentile == 25.0 and everyone["B002"].region_standing.gap == -12.5
    # a filter does not change a dealer's standing
    filtered = rows_of(login(superuser).get(URL, {"month": "2026-10", "brand": net["vw"].pk}))
    assert set(filtered) == {"A001", "A002", "B001"}
    assert filtered["A001"].region_standing.percentile == everyone["A001"].region_standing.percentile


def test_the_heat_map_has_a_row_per_scored_dealer_and_a_cell_per_indicator_linking_to_its_records(net, region_manager):
    response = login(region_manager).get(URL, {"month": "2026-10"})
    chart = response.context["heatmap"]
    assert chart.kind == "heatmap" and list(chart.rows) == ["A001 甲店", "A002 甲二店", "A003 甲三店"]
    codes = list(chart.categories)
    assert len(codes) == 26 and codes[:2] == ["A1", "A2"]
    cells = {s.name: dict(zip(codes, s.values, strict=True)) for s in chart.series}
    assert (cells["A001"]["A1"], cells["A001"]["B2"], cells["A001"]["A2"]) == (90.0, 100.0, None)
    assert cells["A003"]["A1"] == 70.0
    links = dict(zip(codes, chart.series[0].links, strict=True))
    dealer = net["A001"].pk
    assert links["A1"] == f"/evaluation/measures/A1/?dealer={dealer}&from=2026-10-01&to=2026-10-31"
    option = chart.echarts()
    assert (option["visualMap"]["min"], option["visualMap"]["max"]) == (0, 100)
    headers, table = chart.table()
    assert headers[:3] == ["Dealer", "A1", "A2"] and table[0][:3] == ["A001 甲店", 90.0, None]


def test_the_distribution_counts_the_scores_in_their_bins(net, region_manager, superuser):
    chart = login(region_manager).get(URL, {"month": "2026-10"}).context["distribution"]
    assert list(chart.categories) == ["0–60", "60–70", "70–80", "80–90", "90–100"]
    assert list(chart.series[0].values) == [0, 0, 1, 1, 1]
    everyone = login(superuser).get(URL, {"month": "2026-10"}).context["distribution"]
    assert list(everyone.series[0].values) == [0, 1, 1, 2, 1]  # 60 falls in 60–70


def test_a_month_without_results_says_so_and_offers_a_run_to_those_who_start_them(net, region_manager):
    response = login(region_manager).get(URL, {"month": "2025-01"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "No evaluation result for 2025-01 yet." in html and 'href="/evaluation/runs/"' in html
    assert all(row.result is None for row in response.context["network"].rows)


@pytest.mark.parametrize("field", ["region", "brand", "compare"])
def test_another_regions_region_brand_or_dealer_is_a_form_error_showing_nothing(net, region_manager, field):
    foreign = {"region": net["B001"].region.pk, "brand": None, "compare": net["B001"].pk}[field]
    if field == "brand":
        foreign = BrandFactory(code="BM", name="宝马").pk
        DealerFactory(code="B003", region=net["B001"].region).brands.set([foreign])
    response = login(region_manager).get(URL, {"month": "2026-10", field: foreign})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Select a valid choice" in html and 'id="filter-errors"' in html
    assert "network" not in response.context and 'id="ranking"' not in html
    assert "A001" not in html and "B001" not in html


def test_bad_month_and_too_many_dealers_to_compare_are_form_errors(net, region_manager):
    client = login(region_manager)
    assert client.get(URL, {"month": "2026-13"}).status_code == 400
    three = [net[c].pk for c in ("A001", "A002", "A003")]
    response = client.get(URL, {"month": "2026-10", "compare": three})
    assert response.status_code == 400 and "Compare at most two dealers." in response.content.decode()


def test_the_brand_and_region_filters_narrow_the_list(net, superuser):
    client = login(superuser)
    by_region = client.get(URL, {"month": "2026-10", "region": net["B001"].region.pk})
    assert [r.dealer.code for r in by_region.context["network"].rows] == ["B001", "B002"]
    by_brand = client.get(URL, {"month": "2026-10", "brand": net["toyota"].pk})
    assert [r.dealer.code for r in by_brand.context["network"].rows] == ["A003"]


def test_two_dealers_side_by_side(net, region_manager):
    a1, a2 = net["A001"], net["A002"]
    response = login(region_manager).get(URL, {"month": "2026-10", "compare": [a1.pk, a2.pk]})
    assert response.status_code == 200
    compared = response.context["compared"]
    assert [c.row.dealer.code for c in compared] == ["A001", "A002"]
    assert [c.radar.key for c in compared] == [f"radar-{a1.pk}", f"radar-{a2.pk}"]
    radar = compared[0].radar
    assert radar.kind == "radar" and [s.name for s in radar.series] == ["2026-10", "2026-09"]
    assert list(radar.series[0].values) == [90.0, 85.0] and list(radar.series[1].values) == [88.0, 83.0]
    table = {line["code"]: line["cells"] for line in response.context["compare_table"]}
    first, second = table["A1"]
    assert (first.value, first.n, first.score, first.change) == (12.0, 30, 90.0, pytest.approx(2.0))
    assert (second.score, second.change, second.arrow) == (80.0, pytest.approx(-2.0), "▼")
    assert first.link == f"/evaluation/measures/A1/?dealer={a1.pk}&from=2026-10-01&to=2026-10-31"
    assert table["A2"][0].value is None and table["A2"][0].change is None
    html = response.content.decode()
    assert 'id="compare-table"' in html and f'id="chart-radar-{a2.pk}"' in html
    assert f'<option value="{a2.pk}" selected>' in html


def test_the_ranking_exports_as_excel_with_the_pages_rows_in_scope(net, region_manager):
    response = login(region_manager).get(URL, {"month": "2026-10", "export": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="ranking-2026-10.xlsx"' in response["Content-Disposition"]
    sheet = load_workbook(BytesIO(response.content)).active
    header, *rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert header[:6] == ["No.", "Dealer code", "Dealer", "Region", "Brands", "Score"]
    assert [r[1] for r in rows] == ["A002", "A001", "A003", "A004"]
    a2 = dict(zip(header, rows[0], strict=True))
    assert (a2["Score"], a2["Rank"], a2["TOPSIS rank"], a2["Score of the month before"], a2["Change"]) == (
        80.0, 3, 3, 82.0, -2.0)  # fmt: skip
    assert (a2["Percentile in the region"], a2["Region median"], a2["Gap to the region median"]) == (50.0, 80.0, 0.0)
    assert a2["Percentile in the brand"] == "大众 25.0"
    assert (a2["Alerts without action past the escalation period"], a2["Oldest of them (days)"]) == (2, 10)
    a3 = dict(zip(header, rows[2], strict=True))
    assert a3["Rank"] is None and a3["Why there is no rank"].startswith("No rank: only 3 of 26")
    a4 = dict(zip(header, rows[3], strict=True))
    assert (a4["Score"], a4["Why there is no rank"]) == (None, "No result this month")


def test_the_heat_maps_table_downloads_in_scope(net, region_manager_b):
    response = login(region_manager_b).get(URL, {"month": "2026-10", "download": "heatmap"})
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("Dealer", "A1")
    assert [r[0] for r in rows[1:]] == ["B001 乙店", "B002 乙二店"]


def test_a_region_manager_sees_only_their_region_everywhere(net, region_manager_b):
    client = login(region_manager_b)
    response = client.get(URL, {"month": "2026-10"})
    assert [r.dealer.code for r in response.context["network"].rows] == ["B001", "B002"]
    assert [s.name for s in response.context["heatmap"].series] == ["B001", "B002"]
    assert "A001" not in response.content.decode()
    assert [d.pk for d in response.context["form"].fields["compare"].queryset] == [
        net["B001"].pk, net["B002"].pk]  # fmt: skip
    assert client.get(URL, {"compare": [net["A001"].pk, net["B001"].pk]}).status_code == 400
    rows = rows_of(response)
    assert (rows["B001"].change, rows["B001"].direction) == (0.0, "same")
    assert rows["B002"].previous is None and "no result the month before" in response.content.decode()


def test_region_managers_and_administrators_have_it_in_the_menu_dealer_staff_do_not(net, region_manager, dealer_a):
    manager = UserFactory(username="network_mgr", roles=[Role.SERVICE_MANAGER], dealers=[dealer_a])
    admin = UserFactory(username="network_admin", roles=[Role.ADMINISTRATOR], dealers=[dealer_a])
    assert 'href="/network/"' in login(region_manager).get("/").content.decode()
    assert 'href="/network/"' in login(admin).get("/").content.decode()
    assert 'href="/network/"' not in login(manager).get("/").content.decode()
    assert login(manager).get(URL).status_code == 404
    assert login(admin).get(URL, {"month": "2026-10"}).status_code == 200


def test_chinese_by_default(net, region_manager):
    html = login(region_manager, language=None).get(URL, {"month": "2026-10"}).content.decode()
    assert '<html lang="zh-hans">' in html
    for label in ("排名", "成绩", "大区", "等级", "星级", "TOPSIS 排名", "优", "★★★★★", "大众"):
        assert label in html, label
    assert "Score" not in html and "Grade" not in html


def _queries(client, params) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL, params).status_code == 200
    return len(captured)


def test_the_queries_do_not_grow_with_the_dealers(version, dealer_a, django_assert_max_num_queries):
    """3 dealers and 30: the same number of queries (one for the results of every dealer and both months)."""
    region, oem = dealer_a.region, dealer_a.region.oem
    user = UserFactory(username="network_rm", roles=[Role.REGION_MANAGER], regions=[region])
    vw = BrandFactory(code="VW", name="大众")
    sep, oct_ = make_run(version, oem, SEP), make_run(version, oem, OCT)

    def grow(to: int) -> None:
        while region.dealers.count() < to:
            dealer = DealerFactory(region=region)
            dealer.brands.set([vw])
            n = region.dealers.count()
            make_result(sep, dealer, 50.0 + n, rank=n)
            make_result(oct_, dealer, 60.0 + n, rank=n)
            waiting_alert(oct_, dealer, days=9)

    client = login(user)
    grow(3)
    params = {"month": "2026-10"}
    compare = {**params, "compare": list(region.dealers.values_list("pk", flat=True)[:2])}
    small, small_compare = _queries(client, params), _queries(client, compare)
    grow(30)
    assert _queries(client, params) == small and _queries(client, compare) == small_compare
    with django_assert_max_num_queries(20):  # 18 today: session, permissions, scope, filters, results, alerts
        client.get(URL, compare)
    assert len(client.get(URL, params).context["network"].rows) == 30


def test_the_demo_renders_for_the_region_and_the_oem_logins(demo_dataset, django_user_model):
    south = login(django_user_model.objects.get(username="region_south"))
    response = south.get(URL)
    assert response.status_code == 200
    shown = {row.dealer.code for row in response.context["network"].rows}
    assert shown == {"GZ01", "SZ01"} and response.context["month"] == Month(2026, 10)
    assert response.context["network"].has_results
    oem = login(django_user_model.objects.get(username="oem"), language=None)
    everyone = oem.get(URL)
    assert everyone.status_code == 200
    codes = {row.dealer.code for row in everyone.context["network"].rows}
    assert codes == {"GZ01", "SZ01", "SH01"}
    scored = [row for row in everyone.context["network"].rows if row.score is not None]
    assert scored and all(row.region_standing is not None for row in scored)
    assert everyone.context["heatmap"].series and not everyone.context["distribution"].is_empty
    first, second = scored[0].dealer.pk, scored[1].dealer.pk
    assert oem.get(URL, {"compare": [first, second]}).status_code == 200
    assert settings.LANGUAGE_CODE.startswith("zh")
