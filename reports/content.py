"""What a quality report says, independent of its format: sections of facts, tables and charts.

``reports.builder`` fills a ``ReportContent`` from the published runs; ``reports.render`` writes the same sections
as a PDF (one chapter each, charts as server-side SVG) and as an Excel workbook (one sheet each, numbers as numbers
with their formats).  A value's ``kind`` says how it is shown:

* ``text``; ``int``; ``num`` (0.0) and ``num2`` (0.00); ``delta`` (+0.0) and ``delta2`` (+0.00), signed changes;
* ``pct``: a percentage given in percent points (95.3 → "95.3%"; Excel stores 0.953 with the format 0.0%);
* ``date`` and ``datetime`` (local time).

A cell is a plain value (shown as its column's kind) or a ``Cell`` with its own kind (an indicator's value is a
percentage in one row and minutes in the next).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format

from core.charts import Chart

KINDS = ("text", "int", "num", "num2", "delta", "delta2", "pct", "date", "datetime")
EXCEL_FORMATS = {
    "int": "0",
    "num": "0.0",
    "num2": "0.00",
    "delta": "+0.0;-0.0;0.0",
    "delta2": "+0.00;-0.00;0.00",
    "pct": "0.0%",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
}


@dataclass(frozen=True)
class Cell:
    """A value with its own kind (and an optional mark after it, e.g. "†" for too few records)."""

    value: Any
    kind: str = "text"
    mark: str = ""


@dataclass
class Column:
    label: str
    kind: str = "text"
    width: int = 0  # Excel column width in characters (0: from the label)


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    note: str = ""
    empty: str = ""  # what the table says when it has no rows


@dataclass
class Fact:
    label: str
    value: Any
    kind: str = "text"


@dataclass
class Section:
    key: str
    title: str
    facts: list[Fact] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class ReportContent:
    title: str
    scope_line: str  # "GZ01 广州天河店" / "华南大区 (R-S)"
    period_line: str  # "2026-10" / "2026"
    headline: list[Fact]  # the cover's big figures: score, grade, stars, rank
    sections: list[Section]
    run_ids: list[int]
    missing_months: list[str]
    generated_at: datetime
    language: str


# --- showing a value (the PDF, the page) ---------------------------------------------------------------------------


def cell_parts(cell: Any, kind: str) -> tuple[Any, str, str]:
    """(value, kind, mark) of a table cell."""
    if isinstance(cell, Cell):
        return cell.value, cell.kind, cell.mark
    return cell, kind, ""


def shown(value: Any, kind: str = "text") -> str:
    """A value as the PDF shows it ("—" for no value)."""
    if value is None or value == "":
        return "—"
    if kind == "int":
        return f"{int(value)}"
    if kind in ("num", "num2", "delta", "delta2"):
        decimals = 2 if kind.endswith("2") else 1
        sign = "+" if kind.startswith("delta") else ""
        return f"{float(value):{sign}.{decimals}f}"
    if kind == "pct":
        return f"{float(value):.1f}%"
    if kind == "date" and isinstance(value, date):
        return date_format(value, "Y-m-d")
    if kind == "datetime" and isinstance(value, datetime):
        return date_format(timezone.localtime(value), "Y-m-d H:i")
    return str(value)


def excel_value(value: Any, kind: str) -> Any:
    """A value as the workbook stores it: numbers as numbers (a percentage as its fraction), moments local."""
    if value is None or value == "":
        return None
    if kind == "pct":
        return float(value) / 100
    if kind in ("num", "num2", "delta", "delta2"):
        return float(value)
    if kind == "int":
        return int(value)
    if kind == "datetime" and isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None)
    return value if isinstance(value, (int, float, date)) else str(value)
