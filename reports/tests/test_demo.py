"""A whole demo dealer-month and region-year as reports (the shared demo: 3 dealers, 3 months to 31 October 2026,
its runs published; read only: the reports are made into files, nothing is stored)."""

from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from core.dates import Month
from evaluation.models import DealerEvaluation
from organization.models import Dealer
from reports.choices import PeriodKind
from reports.content import shown
from reports.selectors import ReportSpec, published_results
from reports.services import report_file
from reports.tests.helpers import pdf_text

pytestmark = pytest.mark.django_db
OCTOBER = Month(2026, 10)


def published(dealer) -> DealerEvaluation:
    result = published_results([dealer.pk], OCTOBER.first_day, OCTOBER.first_day).get((dealer.pk, OCTOBER.first_day))
    assert result is not None, "the demo publishes its runs"
    return result


def test_a_demo_dealers_monthly_pdf(demo_dataset):
    dealer = Dealer.objects.select_related("region__oem").get(code="SH01")
    result = published(dealer)
    made = report_file(ReportSpec(PeriodKind.MONTH, OCTOBER.first_day, dealer=dealer), "pdf", language="zh-hans")
    text = pdf_text(made.data)
    assert dealer.name in text and "SH01" in text and "2026-10" in text
    assert shown(result.score, "num") in text
    assert f"#{result.run_id} " in text
    assert made.content.run_ids == [result.run_id]


def test_a_demo_regions_yearly_workbook(demo_dataset):
    dealer = Dealer.objects.select_related("region__oem").get(code="GZ01")
    made = report_file(ReportSpec(PeriodKind.YEAR, date(2026, 1, 1), region=dealer.region), "xlsx", language="en")
    book = load_workbook(BytesIO(made.data))
    ranking = book["Dealer ranking"]
    region_codes = sorted(Dealer.objects.filter(region=dealer.region).values_list("code", flat=True))
    assert [c.value for c in ranking[4]][:3] == ["Position", "Dealer", "Score"]
    rows = list(ranking.iter_rows(min_row=5, max_row=4 + len(region_codes), values_only=True))
    assert sorted(row[1].split()[0] for row in rows) == region_codes
    assert [row[0] for row in rows] == list(range(1, len(region_codes) + 1))
    assert all(isinstance(row[3], float) for row in rows)  # the year's mean score, a number
    assert made.content.missing_months[:7] == [f"2026-{m:02d}" for m in range(1, 8)]
