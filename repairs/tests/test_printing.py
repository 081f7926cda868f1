"""The printed documents of a repair order: 进厂维修单 with its belongings list, and the 结算单 (PDF, A4)."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from PIL import Image

from core.tests.factories import signature_file
from core.tests.helpers import login
from repairs import services
from repairs.choices import (
    AdditionStatus,
    ApprovalMethod,
    DecisionMethod,
    LineKind,
    PartSource,
    PaymentMethod,
    PricingMode,
)
from repairs.choices import RepairOrderStatus as S
from repairs.models import AdditionalItem, RepairOrder
from repairs.printing import StaticFilesFetcher, _order_context, page_counter_css
from repairs.tests.factories import all_ok, fill_estimate, make_order, staff_for

pytestmark = pytest.mark.django_db

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None,
    reason="poppler-utils (pdftotext, pdffonts, pdfinfo) is not installed: apt-get install poppler-utils",
)

DEALER_ADDRESS = "天河区黄埔大道西100号"
DEALER_HOTLINE = "020-88886666"


def poppler(tool: str, pdf: bytes, tmp_path: Path, *args: str) -> str:
    """Run a poppler tool (pdftotext, pdffonts, pdfinfo) on the PDF bytes and return its output."""
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    command = [shutil.which(tool), *args, str(path)]
    if tool == "pdftotext":
        command.append("-")
    return subprocess.run(command, capture_output=True, text=True, check=True, timeout=60).stdout  # noqa: S603


def assert_a4_with_embedded_cjk_font(pdf: bytes, tmp_path: Path) -> None:
    """Every page A4 (595.28 × 841.89 pt), and Noto Sans CJK embedded (as a subset) for the Chinese text."""
    info = poppler("pdfinfo", pdf, tmp_path)
    width, height = (float(v) for v in re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())
    assert (round(width, 2), round(height, 2)) == (595.28, 841.89), info
    # A pdffonts row: "TSPJMR+Noto-Sans-CJK-SC  CID Type 0C (OT)  Identity-H  yes yes yes  32 0" (emb sub uni id).
    fonts = poppler("pdffonts", pdf, tmp_path).splitlines()[2:]
    embedded_cjk = [line for line in fonts if "NotoSansCJK" in line.replace("-", "") and line.split()[-5] == "yes"]
    assert embedded_cjk, fonts


def fetch_pdf(client: Client, url: str, filename: str | None = None) -> bytes:
    """GET a document: a PDF shown inline (under ``filename`` when given)."""
    response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/pdf"
    if filename:
        assert response["Content-Disposition"] == f'inline; filename="{filename}"'
    assert response.content.startswith(b"%PDF-")
    return response.content


def dealer_with_contacts(dealer):
    dealer.address, dealer.phone = DEALER_ADDRESS, DEALER_HOTLINE
    dealer.save(update_fields=["address", "phone"])
    return dealer


def approved_order(vehicle, advisor) -> RepairOrder:
    """An approved order priced by symptom (10 % risk margin), with a non-OEM part and the documents received.

    Labour 1.50 h × 180.00 = 270.00, parts 420.00 (OEM) + 58.00 (non-OEM), risk margin 27.00:
    net 775.00, VAT 13 % 100.75, total 875.75.
    """
    dealer_with_contacts(vehicle.dealer)
    order = make_order(vehicle, advisor, status=S.CHECKED_IN)
    order = services.repair_order_update_checkin(
        order=order, by=advisor, version=order.version, documents_received=["driving_licence", "service_book"]
    )
    services.repair_order_add_line(
        order=order, by=advisor, kind=LineKind.PART, code="AF-2231", description="副厂空气滤芯",
        quantity=Decimal("1"), unit_price=Decimal("58.00"), part_source=PartSource.NON_OEM,
    )  # fmt: skip
    order = fill_estimate(order, advisor)
    order = services.repair_order_update_estimate(
        order=order, by=advisor, version=order.version, pricing_mode=PricingMode.SYMPTOM,
        risk_margin_pct=Decimal("10"),
    )  # fmt: skip
    order = services.repair_order_transition(order=order, action="give_estimate", by=advisor, version=order.version)
    return services.repair_order_record_approval(
        order=order, by=advisor, version=order.version, approval_method=ApprovalMethod.PAPER,
        approved_by_customer="张三",
    )  # fmt: skip


def decided_addition(order, advisor, technician, *, description, line, approved) -> AdditionalItem:
    addition = services.addition_raise(
        order=order, by=technician, description=description, reason="检查时发现", lines=[line]
    )
    addition = services.addition_contact(addition=addition, by=advisor)
    return services.addition_decide(
        addition=addition, by=advisor, version=addition.version, approved=approved,
        decision_method=DecisionMethod.PHONE, decided_by_customer="张三",
    )  # fmt: skip


def settled_order(vehicle, advisor) -> RepairOrder:
    """A delivered order with one approved (non-OEM wiper, 80.00) and one declined additional item.

    Labour 270.00 + parts 420.00 + 80.00 = net 770.00, VAT 100.10, total 870.10, paid by WeChat Pay.
    """
    dealer_with_contacts(vehicle.dealer)
    staff = staff_for(vehicle.dealer)
    order = make_order(vehicle, advisor, status=S.IN_REPAIR, staff=staff)
    part = {"kind": LineKind.PART, "quantity": Decimal("1")}
    decided_addition(
        order, advisor, staff.technician, description="更换雨刮片", approved=True,
        line={**part, "code": "WB-600", "description": "副厂雨刮片", "unit_price": Decimal("80.00"),
              "part_source": PartSource.NON_OEM},
    )  # fmt: skip
    decided_addition(
        order, advisor, staff.technician, description="建议更换空调滤芯", approved=False,
        line={**part, "code": "AC-100", "description": "PM2.5空调滤芯", "unit_price": Decimal("150.00")},
    )  # fmt: skip
    order = RepairOrder.objects.get(pk=order.pk)
    order = services.repair_order_transition(
        order=order, action="request_qc", by=staff.technician, version=order.version
    )
    services.repair_order_qc_record(order=order, by=staff.qc_inspector, version=order.version, results=all_ok(order))
    order = RepairOrder.objects.get(pk=order.pk)
    services.repair_order_deliver(
        order=order, by=advisor, version=order.version, payment_method=PaymentMethod.WECHAT_PAY, work_explained=True
    )
    return RepairOrder.objects.get(pk=order.pk)


def print_url(order) -> str:
    return reverse("repairs:repair_order_print", args=[order.pk])


def statement_url(order) -> str:
    return reverse("repairs:settlement_print", args=[order.pk])


@needs_poppler
def test_repair_order_pdf_shows_reception_estimate_approval_and_a_belongings_page(vehicle_a, advisor_a, tmp_path):
    order = approved_order(vehicle_a, advisor_a)
    assert services.repair_order_totals(order=order).total == Decimal("875.75")

    pdf = fetch_pdf(login(advisor_a, language=None), print_url(order), f"{order.number}.pdf")
    text = poppler("pdftotext", pdf, tmp_path, "-layout")
    first_page, *_middle, last_page = text.rstrip("\f").split("\f")

    for expected in (
        "进厂维修单", order.number, "甲店", DEALER_ADDRESS, DEALER_HOTLINE,
        "张三", "13800000001", "粤A10001", vehicle_a.vin, "23500", "1/2", "K-17",
        "刹车异响", "左前门 划痕 5cm", "前刹车片磨损到极限",
        "副厂空气滤芯", "质量不作担保", "前刹车片", "270.00", "420.00", "58.00", "27.00", "100.75", "875.75",
        "风险金", "客户签字", "服务顾问", "advisor_a",
    ):  # fmt: skip
        assert expected in text, expected
    assert "进厂维修单" in first_page and "随车物品清单" not in first_page
    pages = text.count("\f")
    assert re.search(rf"第\s*1\s*页\s*/\s*共\s*{pages}\s*页", first_page)
    assert re.search(rf"第\s*{pages}\s*页\s*/\s*共\s*{pages}\s*页", last_page)
    for expected in ("随车物品清单", "行车记录仪", "雨伞", "张三", "客户签字", "服务顾问"):
        assert expected in last_page, expected

    assert_a4_with_embedded_cjk_font(pdf, tmp_path)


@needs_poppler
def test_repair_order_pdf_follows_the_language_switch(vehicle_a, advisor_a, tmp_path):
    order = approved_order(vehicle_a, advisor_a)

    text = poppler("pdftotext", fetch_pdf(login(advisor_a), print_url(order)), tmp_path, "-layout")

    for expected in ("Repair order", "Belongings list", "Quality not guaranteed", "Customer signature", "Page 1 of"):
        assert expected in text, expected
    assert "进厂维修单" not in text


@needs_poppler
def test_settlement_pdf_shows_the_work_done_the_declined_addition_and_the_payment(vehicle_a, advisor_a, tmp_path):
    order = settled_order(vehicle_a, advisor_a)
    settlement = order.settlement
    assert settlement.grand_total == Decimal("870.10")
    assert order.additions.filter(status=AdditionStatus.DECLINED).count() == 1

    pdf = fetch_pdf(login(advisor_a, language=None), statement_url(order), f"{settlement.invoice_number}.pdf")
    text = poppler("pdftotext", pdf, tmp_path, "-layout")

    for expected in (
        "结算单", settlement.invoice_number, order.number, "甲店", DEALER_HOTLINE, "张三", "粤A10001",
        "前刹车片", "副厂雨刮片", "增项", "质量不作担保", "770.00", "100.10", "870.10",
        "微信支付", settlement.next_service_due_date.strftime("%Y-%m-%d"), str(settlement.next_service_due_km),
        "客户签字", "服务顾问",
    ):  # fmt: skip
        assert expected in text, expected
    # The declined item is listed apart, after the work done, and its line is not billed.
    declined_at = text.index("建议更换空调滤芯")
    assert text.index("副厂雨刮片") < declined_at
    assert "已拒绝" in text[declined_at - 400 : declined_at + 400]
    assert "PM2.5空调滤芯" not in text
    assert_a4_with_embedded_cjk_font(pdf, tmp_path)


@needs_poppler
def test_a_new_order_prints_with_what_is_still_missing(vehicle_a, advisor_a, tmp_path):
    order = make_order(vehicle_a, advisor_a, status=S.OPEN)

    text = poppler("pdftotext", fetch_pdf(login(advisor_a, language=None), print_url(order)), tmp_path, "-layout")

    for expected in (
        "进厂维修单",
        order.number,
        "刹车异响",
        "接车信息不完整",
        "环车检查",
        "未做环车检查",
        "无明细",
        "客户尚未确认",
    ):
        assert expected in text, expected
    assert "随车物品清单" in text and "未登记随车物品" in text and "本清单尚未签字" in text


def test_the_vat_rate_prints_in_percent(vehicle_a, advisor_a):
    order = make_order(vehicle_a, advisor_a, status=S.OPEN)
    assert order.tax_rate == Decimal("0.1300")
    assert str(_order_context(order)["tax_rate_pct"]) == "13"
    order.tax_rate = Decimal("0.0650")
    assert str(_order_context(order)["tax_rate_pct"]) == "6.5"


def test_statement_is_404_before_the_settlement(vehicle_a, advisor_a):
    order = make_order(vehicle_a, advisor_a, status=S.CHECKED_IN)

    assert login(advisor_a, language=None).get(statement_url(order)).status_code == 404


def test_another_dealers_documents_are_404(vehicle_a, advisor_a, advisor_b):
    order = make_order(vehicle_a, advisor_a, status=S.DELIVERED)
    other = login(advisor_b, language=None)

    assert other.get(print_url(order)).status_code == 404
    assert other.get(statement_url(order)).status_code == 404


def test_documents_need_a_login(vehicle_a, advisor_a):
    order = make_order(vehicle_a, advisor_a, status=S.CHECKED_IN)

    response = Client().get(print_url(order))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_order_page_offers_the_statement_only_once_settled(vehicle_a, advisor_a):
    client = login(advisor_a, language=None)
    order = make_order(vehicle_a, advisor_a, status=S.READY)

    page = client.get(order.get_absolute_url()).content.decode()
    assert print_url(order) in page and statement_url(order) not in page

    services.repair_order_deliver(
        order=order, by=advisor_a, version=order.version, payment_method=PaymentMethod.CASH, work_explained=True
    )
    page = client.get(order.get_absolute_url()).content.decode()
    assert print_url(order) in page and statement_url(order) in page


def test_documents_read_only_static_files():
    fetcher = StaticFilesFetcher()

    assert b"@page" in fetcher.fetch("file:///static/css/print.css").read()
    with pytest.raises(ValueError, match="only static files"):
        fetcher.fetch("http://169.254.169.254/latest/meta-data/")
    with pytest.raises(ValueError, match="only static files"):
        fetcher.fetch("file:///etc/passwd")


def test_page_numbers_are_a_translated_css_counter():
    with translation.override("zh-hans"):
        assert page_counter_css() == '"第 " counter(page) " 页 / 共 " counter(pages) " 页"'
    with translation.override("en"):
        assert page_counter_css() == '"Page " counter(page) " of " counter(pages)'


# --- the customer's tablet signatures on the printed order (issue 13) ---------------------------------------------


def signed_order(vehicle, advisor) -> RepairOrder:
    """An approved order whose belongings list and estimate the customer signed on the tablet."""
    order = make_order(vehicle, advisor, status=S.CHECKED_IN)
    order = services.repair_order_update_checkin(
        order=order, by=advisor, version=order.version, belongings_signed_by="张三",
        belongings_signature=signature_file(),
    )  # fmt: skip
    order = fill_estimate(order, advisor)
    order = services.repair_order_transition(order=order, action="give_estimate", by=advisor, version=order.version)
    return services.repair_order_record_approval(
        order=order, by=advisor, version=order.version, approval_method=ApprovalMethod.SIGNATURE,
        approved_by_customer="张三", approval_signature=signature_file(),
    )  # fmt: skip


def pdf_images(pdf: bytes, tmp_path: Path) -> list[tuple[int, int, int]]:
    """(page, width, height) of each image of the PDF (poppler's pdfimages -list; not their transparency masks)."""
    rows = [row.split() for row in poppler("pdfimages", pdf, tmp_path, "-list").splitlines()[2:]]
    return [(int(row[0]), int(row[3]), int(row[4])) for row in rows if row[2] == "image"]


@needs_poppler
def test_the_tablet_signatures_are_printed_in_their_boxes_and_no_page_is_empty(vehicle_a, advisor_a, tmp_path):
    order = signed_order(vehicle_a, advisor_a)
    assert order.approval_signature and order.belongings_signature

    pdf = fetch_pdf(login(advisor_a, language=None), print_url(order))

    pages = poppler("pdftotext", pdf, tmp_path, "-layout").rstrip("\f").split("\f")
    width, height = Image.open(order.approval_signature).size
    images = pdf_images(pdf, tmp_path)
    # One signature in the approval box (the order's pages), one in the belongings list's (its page, the last).
    assert [(w, h) for _page, w, h in images] == [(width, height), (width, height)]
    assert images[0][0] < images[1][0] == len(pages)
    assert "随车物品清单" in pages[images[1][0] - 1]
    # Every page holds more than empty signature boxes: the order's content or the belongings list.
    for number, page in enumerate(pages, start=1):
        words = set(page.split()) - {"客户签字", "服务顾问", "签字", "日期:", "______________", "advisor_a"}
        assert len(words) > 12, (number, page)


@needs_poppler
def test_an_unsigned_order_prints_empty_boxes_and_no_image(vehicle_a, advisor_a, tmp_path):
    order = approved_order(vehicle_a, advisor_a)  # approved on paper, belongings signed by name only
    pdf = fetch_pdf(login(advisor_a, language=None), print_url(order))
    assert pdf_images(pdf, tmp_path) == []


def test_only_png_data_uris_of_signatures_are_read_by_the_renderer():
    fetcher = StaticFilesFetcher()
    response = fetcher.fetch("data:image/png;base64," + base64.b64encode(b"\x89PNG-bytes").decode())
    assert response.read() == b"\x89PNG-bytes"
    with pytest.raises(ValueError):
        fetcher.fetch("data:text/html;base64,PGgxPg==")
    with pytest.raises(ValueError):
        fetcher.fetch("http://localhost/repair-orders/1/signature/approval/")
