"""The chart kit drawn on the server (core.charts_svg): every kind is a valid SVG with the chart's own labels."""

import re
import xml.etree.ElementTree as ET

import pytest

from core.charts import HEAT_SCALE, Chart, Series
from core.charts_svg import CJK_FONT, NO_DATA, font_families, heat_colour, render_svg, svg_data_uri, svg_texts

SVG = "{http://www.w3.org/2000/svg}"


def charts() -> list[Chart]:
    return [
        Chart("trend", "得分趋势", "line", ["2026-08", "2026-09", "2026-10"],
              [Series("得分", [80.0, None, 85.5], marks=[False, False, True]),
               Series("控制上限", [90.0, 90.0, 90.0], style="limit")], counts=[12, 0, 15], unit="分"),
        Chart("ranking", "排名", "bar", ["广州天河店", "深圳南山店"], [Series("得分", [91.2, 78.4])], horizontal=True),
        Chart("radar", "维度得分", "radar", ["A 响应速度", "B 问题解决", "C 服务人员"],
              [Series("2026-10", [90.0, 70.0, 60.0]), Series("2026-09", [80.0, 80.0, 80.0])], y_min=0, y_max=100),
        Chart("why", "得分变化", "waterfall", ["B1 一次修复率", "E1 综合满意度"], [Series("变化", [1.5, -2.25])],
              start=("2026-09", 80.0), end=("2026-10", 79.25), decimals=2),
        Chart("heat", "热力图", "heatmap", ["A1", "A2"], [Series("GZ01", [0.0, None]), Series("SZ01", [100.0, 50.0])],
              rows=["GZ01", "SZ01"], decimals=0),
        Chart.histogram("spread", "分布", [55, 65, 72, 88, 91], edges=[0, 60, 70, 80, 90, 100], name="服务店"),
    ]  # fmt: skip


@pytest.mark.parametrize("chart", charts(), ids=lambda c: c.kind)
def test_every_kind_is_one_svg_document_with_text_as_outlines(chart):
    svg = render_svg(chart)
    root = ET.fromstring(svg)  # noqa: S314 (our own output) well-formed, no XML prolog
    assert root.tag == f"{SVG}svg" and svg.startswith("<svg")
    assert root.iter(f"{SVG}path") and not list(root.iter(f"{SVG}text"))  # text drawn as outlines: no font needed
    assert svg == render_svg(chart)  # the same chart gives the same file


@pytest.mark.parametrize("chart", charts(), ids=lambda c: c.kind)
def test_the_labels_are_the_charts_own(chart):
    texts = svg_texts(render_svg(chart, text_as_paths=False))
    assert chart.title in texts
    for label in chart.categories:
        assert any(label in text for text in texts), label


def test_a_trend_shows_n_under_every_point():
    chart = charts()[0]
    texts = svg_texts(render_svg(chart, text_as_paths=False))
    assert [t for t in texts if t[:2] in ("20", "n=")] == ["2026-08", "n=12", "2026-09", "n=0", "2026-10", "n=15"]


def test_the_waterfall_labels_each_contribution_with_its_sign_and_the_totals():
    texts = svg_texts(render_svg(charts()[3], text_as_paths=False))
    assert {"+1.50", "-2.25", "80.00", "79.25", "2026-09", "2026-10"} <= set(texts)


def test_the_heat_map_writes_every_score_and_a_dash_for_no_data():
    svg = render_svg(charts()[4], text_as_paths=False)
    texts = svg_texts(svg)
    assert {"0", "—", "100", "50"} <= set(texts)
    # the one fixed scale: 0 is its first colour, 100 its last, whatever the other cells hold
    fills = set(re.findall(r"fill: (#[0-9a-f]{6})", svg))
    assert {HEAT_SCALE[0].lower(), HEAT_SCALE[-1].lower(), NO_DATA} <= fills
    assert heat_colour(0) == HEAT_SCALE[0].lower() and heat_colour(None) == NO_DATA


def test_an_empty_chart_says_what_the_chart_says():
    chart = Chart("empty", "趋势", "line", ["2026-10"], [], empty_message="本月无已发布的评价")
    assert "本月无已发布的评价" in svg_texts(render_svg(chart, text_as_paths=False))


def test_inline_charts_do_not_share_ids():
    first, second = charts()[0], charts()[3]
    ids_first = set(re.findall(r'\bid="([^"]+)"', render_svg(first, inline=True)))
    ids_second = set(re.findall(r'\bid="([^"]+)"', render_svg(second, inline=True)))
    assert ids_first and ids_second and not ids_first & ids_second
    svg = render_svg(first, inline=True)
    for ref in re.findall(r'(?:url\(#|href="#)([^")]+)', svg):
        assert ref.startswith("trend-") and f'id="{ref}"' in svg


def test_the_chinese_font_is_used_when_installed():
    from matplotlib import font_manager

    installed = any(f.name == CJK_FONT for f in font_manager.fontManager.ttflist)
    assert (font_families()[0] == CJK_FONT) == installed
    assert font_families()[-1] == "DejaVu Sans"


def test_a_data_uri_holds_the_svg():
    import base64

    svg = render_svg(charts()[1])
    uri = svg_data_uri(svg)
    assert uri.startswith("data:image/svg+xml;base64,")
    assert base64.b64decode(uri.split(",", 1)[1]).decode() == svg
