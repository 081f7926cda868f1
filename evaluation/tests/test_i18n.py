"""The evaluation pages, exports and API in the reader's language: indicator and dimension names, definitions, units,
grades; the Chinese UI shows the Chinese names only, the English UI the English ones only.

Chinese names and definitions are data (every indicator system stores both languages), so the Chinese pages are
checked against them directly; labels that come from the message catalogue are checked in English, and in Chinese
against what the catalogue gives (``translation.override``), so these tests hold before and after a catalogue update.
"""

from __future__ import annotations

import re
from datetime import date
from io import BytesIO

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from core.tests.helpers import sh
from evaluation import display
from evaluation.defaults import FORMULAS_ZH, INDICATORS
from evaluation.models import DealerEvaluation, EvaluationRun, Indicator
from evaluation.tests.measure_factories import advisor, ro

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_FORMULA = {code: formula for _dim, code, _zh, _en, *_rest, formula in INDICATORS}
MARCH_DAYS = {"from": "2025-03-01", "to": "2025-03-31"}


def speaking(client, language: str):
    """The client with the language switch set ("zh-hans" is the default, "en" the switch)."""
    if language == "en":
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def section(html: str, element_id: str) -> str:
    """The markup from the element with this id to the end of its table or section (enough for these pages)."""
    start = html.index(f'id="{element_id}"')
    ends = [html.find(tag, start) for tag in ("</table>", "</section>", "</dd>")]
    return html[start : min(end for end in ends if end != -1)]


def xlsx_rows(response) -> list[tuple]:
    assert response.status_code == 200
    return list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))


# --- the indicator-system version page --------------------------------------------------------------------------


def test_the_version_page_in_chinese_shows_the_chinese_names_and_definitions_only(client, manager_a, default_version):
    client.force_login(manager_a)
    html = client.get(default_version.get_absolute_url()).content.decode()
    a1 = section(html, "indicator-A1")
    assert "接待等待时长" in a1 and FORMULAS_ZH["A1"] in a1
    assert "Reception wait" not in a1 and ENGLISH_FORMULA["A1"] not in a1
    table = section(html, "dimensions")
    assert "响应速度" in table and "体系审核" in table
    for english in ("Responsiveness", "Service-system audit", "Reception wait", "Attitude satisfaction"):
        assert english not in table
    with translation.override("zh-hans"):
        assert f"<td>{display.unit_label('min')}</td>" in a1
    assert "目标库存" not in table  # the indicator's target, not the parts' reorder target


def test_the_version_page_in_english_shows_english_only(client, manager_a, default_version):
    speaking(client, "en").force_login(manager_a)
    html = client.get(default_version.get_absolute_url()).content.decode()
    a1 = section(html, "indicator-A1")
    assert "Reception wait" in a1 and ENGLISH_FORMULA["A1"] in a1 and "<td>min</td>" in a1
    assert "<td>points (0–100)</td>" in section(html, "indicator-C1")
    table = section(html, "dimensions")
    assert "Responsiveness" in table and "Assessed by an audit" in table
    assert not CJK.findall(table), CJK.findall(table)
    assert "Excellent ≥ 90" in section(html, "grades")
    assert section(html, "stars").startswith('id="stars">not compliant &lt; 70')


def test_every_indicator_of_the_default_has_both_definitions(default_version):
    indicators = Indicator.objects.filter(dimension__system_version=default_version)
    assert indicators.count() == len(INDICATORS)
    for indicator in indicators:
        assert indicator.formula_zh == FORMULAS_ZH[indicator.code] and CJK.search(indicator.formula_zh)
        assert indicator.formula_en == ENGLISH_FORMULA[indicator.code] and not CJK.search(indicator.formula_en)
        with translation.override("en"):
            assert (indicator.name, indicator.formula) == (indicator.name_en, indicator.formula_en)
        with translation.override("zh-hans"):
            assert (indicator.name, indicator.formula) == (indicator.name_zh, indicator.formula_zh)


def test_a_copy_keeps_both_definitions_and_an_indicator_without_english_shows_the_chinese(superuser, default_version):
    from evaluation.services import systems as system_services

    draft = system_services.system_version_copy(system_version=default_version, by=superuser)
    e3 = Indicator.objects.get(dimension__system_version=draft, code="E3")
    assert (e3.formula_zh, e3.formula_en) == (FORMULAS_ZH["E3"], ENGLISH_FORMULA["E3"])
    e3.name_en = ""
    with translation.override("en"):
        assert e3.name == "投诉率" and str(e3) == "E3 投诉率"


def test_the_matrix_editor_names_the_elements_in_the_readers_language(client, manager_a, default_version):
    top = default_version.matrices.get(dimension__isnull=True)
    client.force_login(manager_a)
    zh = client.get(reverse("evaluation:matrix_edit", args=[top.pk])).content.decode()
    assert "响应速度" in section(zh, "matrix") and "Responsiveness" not in zh
    en = speaking(client, "en").get(reverse("evaluation:matrix_edit", args=[top.pk])).content.decode()
    assert "Responsiveness" in section(en, "matrix") and not CJK.findall(section(en, "matrix"))


def test_the_systems_list_names_the_default_system_in_english(client, manager_a, default_version):
    client.force_login(manager_a)
    en = speaking(client, "en").get(reverse("evaluation:system_list")).content.decode()
    assert "Default indicator system (kpi-catalog)" in en and "默认指标体系" not in en


# --- the measurements page, the drill-down and their Excel files ----------------------------------------------------


@pytest.fixture
def march(dealer_a):
    """Dealer A: four brake repairs delivered in March, three on time; each waited 20 minutes at reception."""
    by = advisor(dealer_a)
    for day in range(1, 5):
        promised = sh(2025, 3, day, 16) if day <= 3 else sh(2025, 3, day, 14)
        ro(dealer_a, by, arrived=sh(2025, 3, day, 9), opened=sh(2025, 3, day, 9, 20), delivered_at=sh(2025, 3, day, 15),
           promised_at=promised, fault_category="brakes")  # fmt: skip
    return dealer_a


@pytest.mark.parametrize(("language", "name", "other"), [("zh-hans", "接待等待时长", "Reception wait"),
                                                           ("en", "Reception wait", "接待等待时长")])  # fmt: skip
def test_the_measurements_page_heads_each_indicator_with_its_unit(client, march, manager_a, language, name, other):
    client.force_login(manager_a)
    html = speaking(client, language).get(reverse("evaluation:measurements"), {"month": "2025-03"}).content.decode()
    with translation.override(language):
        minutes, score = display.unit_label("min"), display.unit_label("score")
    header = section(html, "measurements")
    unit = '<span class="muted" style="white-space: nowrap">'
    assert f'title="{name}" data-code="A1">A1<br>{unit}{minutes}</span>' in header
    assert f'data-code="C1">C1<br>{unit}{score}</span>' in header
    assert name in section(html, "measure-legend") and other not in html
    if language == "en":
        assert (minutes, score) == ("min", "points (0–100)")


def test_the_measurements_name_the_indicators_as_the_dealers_system_does(client, march, manager_a, superuser):
    """D1 is 接车规范率 in the indicator system; an OEM that renamed A1 sees its own name."""
    from evaluation.services import systems as system_services

    client.force_login(manager_a)
    html = client.get(reverse("evaluation:measurements"), {"month": "2025-03"}).content.decode()
    assert "<td>D1</td><td>接车规范率</td>" in section(html, "measure-legend") and "完成接车" not in html
    system = system_services.indicator_system_adopt(oem=march.region.oem, by=superuser)
    draft = system.versions.get()
    Indicator.objects.filter(dimension__system_version=draft, code="A1").update(name_zh="到店接待时长")
    system_services.system_version_publish(system_version=draft, by=superuser, version=draft.version)
    html = client.get(reverse("evaluation:measurements"), {"month": "2025-03"}).content.decode()
    assert "<td>A1</td><td>到店接待时长</td>" in section(html, "measure-legend") and "接待等待时长" not in html
    drilldown = client.get(reverse("evaluation:drilldown", args=["A1"]), {"dealer": march.pk, **MARCH_DAYS})
    assert "<h1>A1 到店接待时长</h1>" in drilldown.content.decode()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_measurements_excel_has_translated_headers_names_and_units(client, march, manager_a, language):
    client.force_login(manager_a)
    rows = xlsx_rows(speaking(client, language).get(reverse("evaluation:measurements"), {"month": "2025-03",
                                                                                        "format": "xlsx"}))  # fmt: skip
    header, a1 = rows[0], next(row for row in rows if row[2] == "A1")
    with translation.override(language):
        expected_unit, expected_value = display.unit_label("min"), translation.pgettext("measured value", "Value")
    assert header[5] == expected_value and "金额" not in header
    assert a1[4] == expected_unit and a1[5] == 20.0
    if language == "en":
        assert list(header) == ["Dealer code", "Dealer", "Indicator", "Name", "Unit", "Value", "Numerator",
                                "Denominator", "n"]  # fmt: skip
        assert a1[3:5] == ("Reception wait", "min")
    else:
        assert header[:3] == ("服务店代码", "服务店", "指标") and a1[3] == "接待等待时长"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_drill_down_excel_has_the_columns_of_the_page(client, march, manager_a, language):
    """B1 lists no value of its own: neither the page nor the sheet has a value column (it was headed 金额)."""
    client = speaking(client, language)
    client.force_login(manager_a)
    url = reverse("evaluation:drilldown", args=["B1"])
    april = {"from": "2025-04-01", "to": "2025-04-30"}  # B1 is judged a month late: April's is March's deliveries
    page = client.get(url, {"dealer": march.pk, **april})
    rows = xlsx_rows(client.get(url, {"dealer": march.pk, **april, "format": "xlsx"}))
    spec = page.context["spec"]
    with translation.override(language):
        expected = [str(c.label) for c in spec.columns] + [str(spec.numerator_label)]
        counts = translation.gettext("counts")
    assert list(rows[0]) == expected and "金额" not in rows[0]
    assert all(f"<th>{label}</th>" in page.content.decode() for label in expected)
    assert len(rows) == 5 and {row[-1] for row in rows[1:]} == {counts}
    if language == "en":
        assert expected[:6] == ["RO number", "Vehicle", "Service advisor", "Technicians", "Fault category",
                                "Delivered at"]  # fmt: skip
        assert expected[-1] == "No comeback within 30 days" and "Value" not in expected


def test_the_drill_down_shows_the_figure_and_its_value_column_in_the_readers_language(client, march, manager_a):
    speaking(client, "en").force_login(manager_a)
    page = client.get(reverse("evaluation:drilldown", args=["A1"]), {"dealer": march.pk, **MARCH_DAYS})
    html = page.content.decode()
    assert '<div class="stat">20.0 min</div>' in html and '<th class="num">Minutes waited</th>' in html
    rows = xlsx_rows(client.get(reverse("evaluation:drilldown", args=["A1"]),
                                {"dealer": march.pk, **MARCH_DAYS, "format": "xlsx"}))  # fmt: skip
    assert list(rows[0]) == ["RO number", "Vehicle", "Service advisor", "Arrived at", "Opened at", "Minutes waited"]


# --- runs and results ---------------------------------------------------------------------------------------------


@pytest.fixture
def result(dealer_a, default_version):
    """Dealer A's result of a published run (the service manager reads published results only)."""
    run = EvaluationRun.objects.create(
        oem=dealer_a.region.oem, period_start=date(2025, 3, 1), period_end=date(2025, 3, 31),
        system_version=default_version, status=EvaluationRun.Status.DONE, progress=100, dealer_count=1, published=True,
        weights={"global": {"A1": 0.05, "G": 0.04}, "ahp": {"A1": 0.05, "G": 0.04},
                 "dimensions": {"A": 0.2, "G": 0.05}},
    )  # fmt: skip
    return DealerEvaluation.objects.create(
        run=run, dealer=dealer_a, score=85.0, grade="良", stars=3, rank=1, fuzzy_grade="优", fuzzy_score=88.0,
        dimension_scores={"A": 80.0, "G": 90.0},
        indicators={"A1": {"value": 12.0, "numerator": None, "n": 4, "score": 90.0, "weight": 0.3},
                    "E1": {"value": 905.0, "numerator": 9050.0, "n": 10, "score": 100.0, "weight": 0.2}},
    )  # fmt: skip


def test_the_result_page_in_chinese_names_dimensions_and_indicators_in_chinese(client, result, manager_a):
    client.force_login(manager_a)
    html = client.get(reverse("evaluation:result_detail", args=[result.pk])).content.decode()
    dimensions, indicators = section(html, "dimensions"), section(html, "indicators")
    assert "A 响应速度" in dimensions and "G 体系审核" in dimensions and "Responsiveness" not in dimensions
    assert "A1 接待等待时长" in indicators and "Reception wait" not in indicators
    with translation.override("zh-hans"):
        minutes, grade = display.unit_label("min"), display.grade_label("良")
        value = translation.pgettext("measured value", "Value")
    assert f"12.0 {minutes}" in indicators and f'<th class="num">{value}</th>' in indicators
    assert "金额" not in indicators and f'id="grade">{grade}<' in html


def test_the_result_page_in_english_is_english_only(client, result, manager_a):
    speaking(client, "en").force_login(manager_a)
    html = client.get(reverse("evaluation:result_detail", args=[result.pk])).content.decode()
    dimensions, indicators = section(html, "dimensions"), section(html, "indicators")
    assert "A Responsiveness" in dimensions and "G Service-system audit" in dimensions
    assert "A1 Reception wait" in indicators and "12.0 min" in indicators and "905.0 points (0–1000)" in indicators
    assert "10 / 30 min" in indicators and '<th class="num">Value</th>' in indicators
    assert not CJK.findall(dimensions + indicators), CJK.findall(dimensions + indicators)
    assert 'id="grade">Good<' in html and 'id="fuzzy-grade">Excellent<' in html and "★★★" in html


@pytest.mark.parametrize(
    ("language", "a1", "g"),
    [("zh-hans", "A1 接待等待时长", "G 体系审核 0.0500"), ("en", "A1 Reception wait", "G Service-system audit 0.0500")],
)
def test_the_ranking_names_the_weights_and_shows_the_grade(client, result, manager_a, language, a1, g):
    speaking(client, language).force_login(manager_a)
    html = client.get(result.run.get_absolute_url()).content.decode()
    assert f"<td>{a1}</td>" in section(html, "weights") and g in section(html, "dimension-weights")
    with translation.override(language):
        grade, stars = display.grade_label("良"), display.stars_label(3)
    assert f"<td>{grade}</td><td>{stars}</td>" in section(html, "ranking")
    if language == "en":
        assert (grade, display.stars_label(-1), display.stars_label(0)) == ("Good", "not compliant", "compliant")


# --- the API ------------------------------------------------------------------------------------------------------


def test_the_api_gives_names_definitions_and_units_in_the_request_language(api_as, api_en, manager_a, default_version):
    url = f"/api/v1/indicator-systems/{default_version.system_id}/"
    en = api_en(manager_a).get(url).json()["versions"][0]["dimensions"][0]
    zh = api_as(manager_a).get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").json()["versions"][0]["dimensions"][0]
    assert (en["name"], zh["name"]) == ("Responsiveness", "响应速度")
    assert en["name_zh"] == zh["name_zh"] == "响应速度" and en["name_en"] == zh["name_en"] == "Responsiveness"
    a1_en, a1_zh = en["indicators"][0], zh["indicators"][0]
    assert (a1_en["name"], a1_en["formula"], a1_en["unit"], a1_en["unit_label"]) == (
        "Reception wait", ENGLISH_FORMULA["A1"], "min", "min")  # fmt: skip
    assert (a1_zh["name"], a1_zh["formula"], a1_zh["formula_en"]) == ("接待等待时长", FORMULAS_ZH["A1"],
                                                                       ENGLISH_FORMULA["A1"])  # fmt: skip


def test_no_english_label_of_the_evaluation_choices_has_chinese_in_it():
    """Labels of every evaluation enumeration (units, grades, methods, statuses…) are English in the English UI."""
    import inspect

    from django.db import models

    from evaluation import choices

    enumerations = [c for _name, c in inspect.getmembers(choices, inspect.isclass) if issubclass(c, models.Choices)]
    assert {"IndicatorUnit", "Grade", "AhpMethod", "DimensionSource"} <= {c.__name__ for c in enumerations}
    with translation.override("en"):
        chinese = {f"{c.__name__}.{value}": str(label) for c in enumerations for value, label in c.choices
                   if CJK.search(str(label))}  # fmt: skip
    assert chinese == {}
