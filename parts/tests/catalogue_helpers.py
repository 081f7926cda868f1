"""Helpers of the catalogue, page and API tests: parts, stock through the real services, upload files."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from accounts.choices import Role
from accounts.models import User
from core.tests.factories import UserFactory
from organization.models import Dealer
from parts.models import Part, StockItem, Warehouse
from parts.services import stock as stock_services

HEADER_ZH = ["配件号", "名称", "品牌", "类别", "单位", "替代号", "适用车型", "成本价", "零售价"]
HEADER_EN = [
    "part_number",
    "name",
    "brand",
    "category",
    "unit",
    "superseded_by",
    "fitment",
    "cost_price",
    "retail_price",
]


def clerk(dealer: Dealer) -> User:
    """The parts clerk of ``dealer`` (created on first use)."""
    username = f"p_clerk_{dealer.code}"
    return User.objects.filter(username=username).first() or UserFactory(
        username=username, roles=[Role.PARTS_CLERK], dealers=[dealer]
    )


def make_part(number: str, name: str = "机油滤清器", brand: str = "大众", **fields) -> Part:
    return Part.objects.create(number=number, name=name, brand=brand, **fields)


def stock(dealer: Dealer, part: Part, quantity: str = "5", unit_cost: str = "30") -> StockItem:
    """An item of the dealer's warehouse WH01 holding ``quantity`` (received through the service)."""
    warehouse, _ = Warehouse.objects.get_or_create(dealer=dealer, code="WH01", defaults={"name": "配件总库"})
    item = stock_services.stock_item_get_or_create(warehouse=warehouse, part=part)
    stock_services.stock_receive(item=item, quantity=Decimal(quantity), unit_cost=Decimal(unit_cost), by=clerk(dealer))
    item.refresh_from_db()
    return item


def csv_upload(rows: list[list], *, encoding: str = "utf-8", name: str = "parts.csv") -> SimpleUploadedFile:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(encoding), content_type="text/csv")


def xlsx_upload(rows: list[list], *, name: str = "parts.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())
