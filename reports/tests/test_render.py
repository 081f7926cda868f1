"""The report's files: a PDF whose text holds the dealer, the month and the score; an Excel workbook with a sheet per
section, numbers stored as numbers with their formats and frozen headers."""

from io import BytesIO

import pytest
from django.utils import translation
from openpyxl import load_workbook

from evaluation.models import DealerEvaluation
from reports.choices import PeriodKind
from reports.content import shown
from reports.render import ReportFetcher
from reports.selectors import ReportSpec
from reports.services import report_file
from reports.tests.conftest import OCTOBER
from reports.tests.helpers import pdf_text

pytestmark = pytest.mark.django_db


def score_of(run, dealer) -> float:
    return DealerEvaluation.objects.get(run=run, dealer=dealer).score


def test_the_pdf_names_the_dealer_the_month_the_score_and_the_run(runs, dealer_a):
    made = report_file(ReportSpec(PeriodKind.MONTH, OCTOBER.first_day, dealer=dealer_a), "pdf", language="zh-hans")
    assert made.data.startswith(b"%PDF-")
    text = pdf_text(made.data)
    assert "A001 甲店" in text and "2025-10" in text
    assert shown(score_of(runs["october"], dealer_a), "num") in text
    assert f"#{runs['october'].pk} " in text  # the published run it stands on
    # a table of contents with page numbers, and a page number on every page
    assert "投诉" in text and "回复率" in text
    pages = text.split("\f")
    assert "第 1 页 / 共" in pages[0] and all("页 / 共" in page for page in pages if page.strip())


def test_the_english_pdf_is_english(runs, dealer_a):
    made = report_file(ReportSpec(PeriodKind.MONTH, OCTOBER.first_day, dealer=dealer_a), "pdf", language="en")
    text = pdf_text(made.data)
    assert "Monthly service quality report" in text and "Why the score changed" in text
    assert "Page 1 of" in text


def test_the_workbook_has_a_sheet_per_section_with_numbers_and_formats(runs, dealer_a):
    made = report_file(ReportSpec(PeriodKind.MONTH, OCTOBER.first_day, dealer=dealer_a), "xlsx", language="en")
    book = load_workbook(BytesIO(made.data))
    assert book.sheetnames == [
        "Summary",
        "Dimensions and indicators",
        "Charts",
        "Why the score changed",
        "Complaints",
        "Customer surveys",
        "Quality alerts and improvement ",
        "Method and weights",
    ]
    sheet = book["Dimensions and indicators"]
    assert sheet.freeze_panes == "A5"  # the title, a blank row, the table's title, its header
    header = [c.value for c in sheet[4]]
    assert header[:3] == ["Code", "Dimension", "Weight"]
    rows = {row[0].value: row for row in sheet.iter_rows() if row[0].value == "B1"}
    b1 = rows["B1"]
    indicator_header = next(r for r in sheet.iter_rows() if r[0].value == "Code" and r[1].value == "Indicator")
    columns = {c.value: k for k, c in enumerate(indicator_header)}
    result = DealerEvaluation.objects.get(run=runs["october"], dealer=dealer_a).indicators["B1"]
    value = b1[columns["Value"]]
    assert value.value == pytest.approx(result["value"] / 100) and value.number_format == "0.0%"
    score = b1[columns["Score"]]
    assert score.value == pytest.approx(result["score"]) and score.data_type == "n" and score.number_format == "0.0"
    assert b1[columns["n"]].value == 12 and b1[columns["n"]].number_format == "0"
    assert b1[columns["Change"]].number_format == "+0.0;-0.0;0.0"
    summary = book["Summary"]
    facts = {row[0].value: row[1] for row in summary.iter_rows(min_row=5) if row[0].value}
    assert facts["Score"].value == pytest.approx(score_of(runs["october"], dealer_a))
    assert facts["Score"].number_format == "0.0"
    assert summary.freeze_panes == "A5" and [c.value for c in summary[4]] == ["Item", "Value"]
    method = book["Method and weights"]
    weights = {row[0].value: row for row in method.iter_rows() if row[0].value == "B1"}
    assert weights["B1"][4].number_format == "0.0%"
    assert weights["B1"][4].value == pytest.approx(runs["october"].weights["global"]["B1"])


def test_the_workbook_holds_the_charts_tables(runs, dealer_a):
    made = report_file(ReportSpec(PeriodKind.MONTH, OCTOBER.first_day, dealer=dealer_a), "xlsx", language="en")
    sheet = load_workbook(BytesIO(made.data))["Why the score changed"]
    titles = [row[0].value for row in sheet.iter_rows() if row[0].value and str(row[0].value).startswith("Chart data")]
    assert titles == ["Chart data: Score change 2025-09 → 2025-10"]


def test_a_region_report_in_both_formats(runs, dealer_a):
    spec = ReportSpec(PeriodKind.YEAR, OCTOBER.first_day.replace(month=1), region=dealer_a.region)
    with translation.override("en"):
        pdf = report_file(spec, "pdf", language="en")
        book = load_workbook(BytesIO(report_file(spec, "xlsx", language="en").data))
    text = pdf_text(pdf.data)
    assert "Yearly service quality report" in text and dealer_a.region.name in text and "Dealer ranking" in text
    assert "Heat map" in book.sheetnames[5] and "Dealer ranking" in book.sheetnames


def test_the_pdf_fetches_nothing_but_static_files_and_its_own_charts():
    fetcher = ReportFetcher()
    assert fetcher.fetch("data:image/svg+xml;base64,PHN2Zy8+").read() == b"<svg/>"
    with pytest.raises(ValueError):
        fetcher.fetch("https://example.com/tracker.png")
