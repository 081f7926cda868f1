"""Catalogue import (xlsx, CSV in UTF-8/BOM/GBK; all or nothing with line-numbered errors) and export round-trip."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from core.tests import helpers
from parts.models import Part, PartPrice
from parts.services.catalogue_io import HEADER, catalogue_export, catalogue_import
from parts.tests.catalogue_helpers import HEADER_EN, HEADER_ZH, clerk, csv_upload, make_part, xlsx_upload

pytestmark = pytest.mark.django_db

ROWS = [
    HEADER_ZH,
    ["06A 115 561-B", "机油滤清器", "大众", "滤清器", "个", "", "大众 朗逸 2018-2024", "32.50", "48.00"],
    ["06A115561C", "机油滤清器（新）", "大众", "filters", "pcs", "", "大众 朗逸", "35", "52"],
    ["90915-YZZD4", "机油滤清器", "丰田", "Filters", "piece", "", "丰田 卡罗拉", "28", "45.5"],
]


def snapshot():
    """Every part and dealer price with their history: equal before/after = nothing changed."""
    return helpers.snapshot(Part, PartPrice)


def test_csv_import_creates_parts_and_dealer_prices(dealer_a):
    report = catalogue_import(file=csv_upload(ROWS), dealer=dealer_a, by=clerk(dealer_a))
    assert report.ok and (report.created, report.updated, report.prices, report.rows) == (3, 0, 3, 3)
    part = Part.objects.get(number_key="06A115561B")
    assert (part.number, part.brand, part.category, part.unit) == ("06A 115 561-B", "大众", "filters", "pcs")
    price = PartPrice.objects.get(part=part, dealer=dealer_a)
    assert (price.cost_price, price.retail_price) == (Decimal("32.50"), Decimal("48.00"))
    assert PartPrice.objects.get(part__number_key="90915YZZD4").retail_price == Decimal("45.50")


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk", "gb18030"])
def test_csv_in_excel_encodings(dealer_a, encoding):
    report = catalogue_import(file=csv_upload(ROWS, encoding=encoding), dealer=dealer_a, by=clerk(dealer_a))
    assert report.ok, report.errors
    assert Part.objects.get(number_key="06A115561C").name == "机油滤清器（新）"


def test_xlsx_with_english_headers_and_numeric_cells(dealer_a):
    rows = [HEADER_EN, ["17220-5AA-A00", "空气滤清器", "本田", "filters", "pcs", "", "本田 思域", 88, 132.5]]
    report = catalogue_import(file=xlsx_upload(rows), dealer=dealer_a, by=clerk(dealer_a))
    assert report.ok, report.errors
    price = PartPrice.objects.get(part__number_key="172205AAA00")
    assert (price.cost_price, price.retail_price) == (Decimal("88.00"), Decimal("132.50"))


def test_one_bad_row_imports_nothing_and_reports_line_and_reason(dealer_a):
    make_part("06A115561B", name="旧名称")
    before = snapshot()
    rows = [*ROWS, ["", "无号配件", "大众", "", "", "", "", "", ""], ["X1", "坏价格", "", "", "", "", "", "abc", "1"]]
    rows.insert(2, ["04E115561H", "机油滤清器", "大众", "不存在的类别", "", "", "", "", ""])
    with translation.override("en"):
        report = catalogue_import(file=csv_upload(rows), dealer=dealer_a, by=clerk(dealer_a))
    assert not report.ok
    assert [(e.line, e.message) for e in report.errors] == [
        (3, "Unknown category “不存在的类别”."),
        (6, "The part number is missing."),
        (7, "cost price “abc” is not an amount of zero or more."),
    ]
    assert snapshot() == before


def test_errors_are_in_chinese_by_default(dealer_a):
    with translation.override("zh-hans"):
        report = catalogue_import(file=csv_upload([HEADER_ZH, ["", "x"]]), dealer=dealer_a, by=clerk(dealer_a))
    assert [(e.line, e.message) for e in report.errors] == [(2, "缺少配件号。")]


def test_duplicates_unknown_replacement_and_half_prices_are_refused(dealer_a):
    rows = [
        HEADER_ZH,
        ["A1", "甲", "大众", "", "", "", "", "", ""],
        ["a-1", "甲again", "大众", "", "", "", "", "", ""],
        ["B1", "乙", "大众", "", "", "ZZ9", "", "", ""],
        ["C1", "丙", "大众", "", "", "C1", "", "", ""],
        ["D1", "丁", "大众", "", "", "", "", "10", ""],
    ]
    with translation.override("en"):
        report = catalogue_import(file=csv_upload(rows), dealer=dealer_a, by=clerk(dealer_a))
    assert [e.line for e in report.errors] == [3, 4, 5, 6]
    assert "line 2" in report.errors[0].message and "ZZ9" in report.errors[1].message
    assert not Part.objects.exists()


def test_supersession_by_number_in_the_file_or_the_catalogue(dealer_a):
    make_part("5Q0 129 620 D", name="空气滤清器")
    rows = [
        HEADER_ZH,
        ["06A115561B", "机油滤清器", "大众", "", "", "06A-115-561-C", "", "", ""],
        ["5Q0129620C", "空气滤清器", "大众", "", "", "5Q0129620D", "", "", ""],
        ["06A115561C", "机油滤清器", "大众", "", "", "", "", "", ""],
    ]
    report = catalogue_import(file=csv_upload(rows), dealer=None, by=clerk(dealer_a))
    assert report.ok, report.errors
    old = Part.objects.get(number_key="06A115561B")
    assert old.current().number_key == "06A115561C"
    assert Part.objects.get(number_key="5Q0129620C").current().number == "5Q0 129 620 D"


def test_updating_an_existing_part_and_price_keeps_history(dealer_a, dealer_b):
    catalogue_import(file=csv_upload(ROWS), dealer=dealer_a, by=clerk(dealer_a))
    rows = [HEADER_ZH, ["06A115561B", "机油滤清器（改）", "大众", "", "", "", "", "", "50"]]
    report = catalogue_import(file=csv_upload(rows), dealer=dealer_a, by=clerk(dealer_a))
    assert report.ok and (report.created, report.updated, report.prices) == (0, 1, 1)
    part = Part.objects.get(number_key="06A115561B")
    assert (part.name, part.category, part.fitment) == ("机油滤清器（改）", "filters", "大众 朗逸 2018-2024")
    price = PartPrice.objects.get(part=part, dealer=dealer_a)
    assert (price.cost_price, price.retail_price) == (Decimal("32.50"), Decimal("50.00"))
    assert [h.retail_price for h in price.history.order_by("history_date")] == [Decimal("48.00"), Decimal("50.00")]
    assert price.history.latest().history_user == clerk(dealer_a)
    # Another dealer's prices are separate.
    catalogue_import(file=csv_upload(ROWS), dealer=dealer_b, by=clerk(dealer_b))
    assert PartPrice.objects.filter(part=part).count() == 2


def test_prices_of_a_dealer_the_user_does_not_work_for_are_refused(dealer_a, dealer_b, advisor_a):
    with translation.override("en"):
        other_dealer = helpers.assert_refused(
            PermissionDenied,
            lambda: catalogue_import(file=csv_upload(ROWS), dealer=dealer_b, by=clerk(dealer_a)),
            state=snapshot,
        )
        no_role = helpers.assert_refused(
            PermissionDenied,
            lambda: catalogue_import(file=csv_upload(ROWS), dealer=dealer_a, by=advisor_a),
            state=snapshot,
        )
        assert str(other_dealer) == "You cannot change the data of this dealer."
        assert str(no_role) == "Your role may not change the parts catalogue."
    assert not Part.objects.exists()


def test_export_round_trip_xlsx(dealer_a, dealer_b):
    catalogue_import(file=csv_upload(ROWS), dealer=dealer_a, by=clerk(dealer_a))
    Part.objects.filter(number_key="06A115561B").update(superseded_by=Part.objects.get(number_key="06A115561C"))
    with translation.override("zh-hans"):
        rows = [HEADER, *catalogue_export(dealer=dealer_a)]
    row = next(r for r in rows if r[0] == "06A 115 561-B")
    assert row[1:7] == ["机油滤清器", "大众", "滤清器", "个", "06A115561C", "大众 朗逸 2018-2024"]
    assert row[7:] == [Decimal("32.50"), Decimal("48.00")]
    before = snapshot()
    report = catalogue_import(file=xlsx_upload(rows), dealer=dealer_a, by=clerk(dealer_a))
    assert report.ok and (report.created, report.updated, report.prices) == (0, 0, 0)
    assert snapshot() == before
    # The same file loads dealer B's price list.
    report = catalogue_import(file=xlsx_upload(rows), dealer=dealer_b, by=clerk(dealer_b))
    assert report.prices == 3
    exported_b = {r[0]: r[7:] for r in catalogue_export(dealer=dealer_b)}
    assert exported_b["06A 115 561-B"] == [Decimal("32.50"), Decimal("48.00")]


def test_export_without_dealer_has_no_prices(db):
    make_part("06A115561B")
    assert next(iter(catalogue_export(dealer=None)))[7:] == ["", ""]


def test_damaged_workbook_is_a_clear_error(dealer_a):
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    damaged = SimpleUploadedFile("x.xlsx", b"PK\x03\x04broken")
    with translation.override("en"):
        error = helpers.assert_refused(
            ValidationError, lambda: catalogue_import(file=damaged, dealer=dealer_a, by=clerk(dealer_a)), state=snapshot
        )
        assert error.messages == ["The file could not be read as an Excel workbook (.xlsx)."]
