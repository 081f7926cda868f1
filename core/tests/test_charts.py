"""The chart kit: options built from the chart's own figures, its table, its download, the template tag."""

import json
from io import BytesIO

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from openpyxl import load_workbook

from core.charts import HEAT_SCALE, Chart, Series, download_response


def waterfall():
    return Chart("why", "Why", "waterfall", ["B1", "C1", "A2"], [Series("points", [-1.25, 0.5, -0.25],
                 links=["/b1/", None, "/a2/"])], start=("2026-10", 85.0), end=("2026-11", 84.0))  # fmt: skip


def test_waterfall_bars_stand_on_the_running_total():
    chart = waterfall()
    assert chart.waterfall_steps() == [(85.0, 83.75, -1.25), (83.75, 84.25, 0.5), (84.25, 84.0, -0.25)]
    option = chart.echarts()
    base, bars = option["series"]
    assert option["xAxis"]["data"] == ["2026-10", "B1", "C1", "A2", "2026-11"]
    assert base["data"] == [0, 83.8, 83.8, 84.0, 0]  # rounded to the chart's decimals
    assert [b["value"] for b in bars["data"]] == [85.0, 1.2, 0.5, 0.2, 84.0]
    assert bars["data"][1]["url"] == "/b1/" and "url" not in bars["data"][2]
    assert bars["data"][1]["itemStyle"]["color"] != bars["data"][2]["itemStyle"]["color"]  # down vs up
    assert bars["data"][1]["label_text"] == "B1: -1.25"
    assert option["yAxis"]["min"] == 82


def test_table_has_the_totals_and_every_contribution():
    headers, rows = waterfall().table()
    assert headers == ["", "points"]
    assert rows == [["2026-10", 85.0], ["B1", -1.2], ["C1", 0.5], ["A2", -0.2], ["2026-11", 84.0]]


def test_line_shows_n_under_each_point_and_marks():
    chart = Chart("b1", "B1", "line", ["2026-09", "2026-10"], [
        Series("B1", [96.0, None], marks=[True, False]), Series("UCL", [99.0, 99.5], style="limit")],
        counts=[25, 0], unit="%")  # fmt: skip
    option = chart.echarts()
    assert option["xAxis"]["data"] == ["2026-09\nn=25", "2026-10\nn=0"]
    first = option["series"][0]["data"]
    assert first[0]["symbolSize"] == 12 and first[1]["value"] is None
    assert option["series"][1]["lineStyle"]["type"] == "dashed"
    assert chart.table() == (["", "B1", "UCL", "n"], [["2026-09", 96.0, 99.0, 25], ["2026-10", None, 99.5, 0]])


def test_heatmap_has_one_fixed_scale():
    chart = Chart("heat", "Heat", "heatmap", ["A1", "A2"], [Series("GZ01", [95.0, None]), Series("SZ01", [40.0, 70.0])],
                  rows=["GZ01", "SZ01"])  # fmt: skip
    option = chart.echarts()
    assert option["visualMap"]["min"] == 0 and option["visualMap"]["max"] == 100
    assert option["visualMap"]["inRange"]["color"] == list(HEAT_SCALE)
    assert [d["value"] for d in option["series"][0]["data"]] == [[0, 0, 95.0], [1, 0, "-"], [0, 1, 40.0], [1, 1, 70.0]]
    assert chart.table() == (["", "A1", "A2"], [["GZ01", 95.0, None], ["SZ01", 40.0, 70.0]])


def test_histogram_counts_into_bins_with_the_last_edge_included():
    chart = Chart.histogram("dist", "Scores", [0, 59.9, 60, 100, None], edges=[0, 60, 80, 100], name="dealers")
    assert chart.categories == ["0–60", "60–80", "80–100"]
    assert list(chart.series[0].values) == [2, 1, 1]
    assert chart.echarts()["yAxis"]["minInterval"] == 1  # whole dealers
    assert Chart.histogram("dist", "Scores", [None], edges=[0, 100], name="dealers").is_empty


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown chart kind"):
        Chart("x", "X", "pie", [])


def test_download_returns_the_table_as_excel():
    request = RequestFactory().get("/?download=why")
    response = download_response(request, [waterfall()])
    sheet = load_workbook(BytesIO(response.content)).active
    assert [[c.value for c in row] for row in sheet.iter_rows()][:2] == [[None, "points"], ["2026-10", 85]]
    assert download_response(RequestFactory().get("/?download=other"), [waterfall()]) is None
    assert download_response(RequestFactory().get("/"), [waterfall()]) is None


def test_tag_renders_options_table_and_empty_state():
    request = RequestFactory().get("/home/?month=2026-10")
    html = Template("{% load charts %}{% chart c %}").render(Context({"c": waterfall(), "request": request}))
    assert 'data-chart="chart-options-why"' in html
    payload = html.split('id="chart-options-why" type="application/json">')[1].split("</script>")[0]
    assert json.loads(payload)["series"][1]["data"][1]["url"] == "/b1/"
    assert "?month=2026-10&amp;download=why" in html
    empty = Chart("none", "None", "line", ["2026-10"], [Series("B1", [None])], empty_message="Start a run",
                  empty_action=("Start", "/evaluation/runs/"))  # fmt: skip
    html = Template("{% load charts %}{% chart c %}").render(Context({"c": empty, "request": request}))
    assert "Start a run" in html and 'href="/evaluation/runs/"' in html and "data-chart=" not in html


def test_a_title_excel_refuses_still_downloads():
    chart = Chart("b1", "B1 一次修复率: 2026-10 [GZ01] / 12 months?", "line", ["2026-10"], [Series("B1", [96.0])])
    response = download_response(RequestFactory().get("/?download=b1"), [chart])
    title = load_workbook(BytesIO(response.content)).active.title
    assert title == "B1 一次修复率  2026-10  GZ01    12 m" and len(title) == 31
