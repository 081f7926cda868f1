"""Excel exports (openpyxl), streamed to the browser as a download."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from io import BytesIO

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe_cell(value):
    """Plain text for the cell: text that Excel would run as a formula gets a leading apostrophe."""
    if hasattr(value, "__html__"):
        value = str(value)
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


@dataclass
class Sheet:
    """A sheet of a workbook: its title, a header row and the rows; ``formats`` maps a column (0-based) to an Excel
    number format for its numbers (``"0.0%"`` for a share given as a fraction, ``"0.0"``…)."""

    title: str
    header: Sequence
    rows: Iterable[Sequence]
    formats: Mapping[int, str] = field(default_factory=dict)


def _cell(sheet, column: int, value, formats: Mapping[int, str]):
    value = _safe_cell(value)
    if column in formats and isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = formats[column]
        return cell
    return value


def sheet_title(title) -> str:
    """A title Excel accepts for a sheet: without : \\ / ? * [ ], at most 31 characters, never empty."""
    cleaned = re.sub(r"[:\\/?*\[\]]", " ", str(title)).strip()[:31].strip()
    return cleaned or "Sheet"


def xlsx_response(*, filename: str, sheet_title: str, header: Sequence, rows: Iterable[Sequence]) -> HttpResponse:
    """One-sheet workbook with a bold, frozen header row, returned as an attachment."""
    return xlsx_sheets_response(filename=filename, sheets=[Sheet(sheet_title, header, rows)])


def xlsx_sheets_response(*, filename: str, sheets: Iterable[Sheet]) -> HttpResponse:
    """A workbook of ``sheets``, each with a bold, frozen header row and its number formats, as an attachment."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for spec in sheets:
        sheet = workbook.create_sheet(title=sheet_title(spec.title))
        sheet.freeze_panes = "A2"
        header_cells = []
        for title in spec.header:
            cell = WriteOnlyCell(sheet, value=str(title))
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in spec.rows:
            sheet.append([_cell(sheet, i, v, spec.formats) for i, v in enumerate(row)])
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
