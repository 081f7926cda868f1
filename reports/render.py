"""A report's sections written as a PDF (WeasyPrint, A4) or as an Excel workbook (openpyxl), the same sections.

The PDF: a cover with the headline figures and a table of contents with page numbers (``target-counter``), one
chapter per section, the charts drawn on the server as SVG (``core.charts_svg``), page numbers at the foot of every
page, the font "Noto Sans CJK SC" (``static/css/report.css``; the print kit of ``repairs.printing``).

The workbook: one sheet per section, its facts and tables with bold, frozen headers, numbers stored as numbers with
their formats (0.0, 0.00, +0.0, 0.0%) and the charts' tables beside them.
"""

from __future__ import annotations

import base64
import re
from io import BytesIO
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from weasyprint import HTML
from weasyprint.urls import URLFetcherResponse

from core.charts_svg import render_svg, svg_data_uri
from core.exports import _safe_cell
from repairs.printing import StaticFilesFetcher, page_counter_css
from reports.content import EXCEL_FORMATS, Column, ReportContent, Section, Table, cell_parts, excel_value, shown

# --- PDF -----------------------------------------------------------------------------------------------------------

NUMERIC = ("int", "num", "num2", "delta", "delta2", "pct")
WIDE_SECTIONS = ("indicators", "heatmap", "alerts")  # printed on landscape pages


def _shown_table(table: Table) -> dict:
    rows = []
    for row in table.rows:
        cells = []
        for cell, column in zip(row, table.columns, strict=False):
            value, kind, mark = cell_parts(cell, column.kind)
            text = shown(value, kind) + mark
            css = "num" if kind in NUMERIC else ""
            if kind in ("delta", "delta2") and value not in (None, ""):
                css += " up" if float(value) > 0 else (" down" if float(value) < 0 else "")
            cells.append({"text": text, "css": css.strip()})
        rows.append(cells)
    headers = [{"label": c.label, "num": c.kind in NUMERIC} for c in table.columns]
    return {"table": table, "headers": headers, "rows": rows, "widths": column_widths(table.columns)}


def column_widths(columns: list[Column]) -> list[float]:
    """The share (%) of each column: its width hint, else a narrow one for numbers and a wider one for text (the
    tables are laid out fixed: WeasyPrint then measures no cell, which keeps long tables fast)."""
    weights = [c.width or (7 if c.kind in NUMERIC else 10) for c in columns]
    total = sum(weights) or 1
    return [round(100 * w / total, 2) for w in weights]


def _shown_section(section: Section) -> dict:
    return {
        "section": section,
        "wide": section.key in WIDE_SECTIONS,
        "facts": [{"label": f.label, "text": shown(f.value, f.kind)} for f in section.facts],
        "tables": [_shown_table(t) for t in section.tables],
        # each chart its own SVG document, as a data: URI (ReportFetcher reads it; nothing else is fetched)
        "charts": [{"chart": c, "src": svg_data_uri(render_svg(c, title=False))} for c in section.charts],
    }


class ReportFetcher(StaticFilesFetcher):
    """The print kit's fetcher (static files from disk, nothing from the network) that also reads the charts'
    ``data:`` URIs."""

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            meta, _comma, payload = url[5:].partition(",")
            mime_type = meta.split(";")[0] or "text/plain"
            body = base64.b64decode(payload) if meta.endswith(";base64") else unquote_to_bytes(payload)
            return URLFetcherResponse(url, body, {"Content-Type": mime_type})
        return super().fetch(url, headers)


def pdf_bytes(content: ReportContent) -> bytes:
    """The report as an A4 PDF (in the active language)."""
    context = {
        "content": content,
        "page_counter": page_counter_css(),
        "headline": [{"label": f.label, "text": shown(f.value, f.kind)} for f in content.headline],
        "sections": [_shown_section(s) for s in content.sections],
    }
    html = render_to_string("reports/print/report.html", context)
    return HTML(string=html, base_url=settings.STATIC_URL, url_fetcher=ReportFetcher()).write_pdf()


# --- Excel ---------------------------------------------------------------------------------------------------------

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=13)
_HEADER_FILL = PatternFill("solid", fgColor="E8ECF0")
_INVALID_SHEET = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(title: str, taken: set[str]) -> str:
    base = _INVALID_SHEET.sub(" ", title).strip()[:31] or "Sheet"
    name, k = base, 2
    while name.lower() in taken:
        suffix = f" ({k})"
        name, k = base[: 31 - len(suffix)] + suffix, k + 1
    taken.add(name.lower())
    return name


def _excel_format(kind: str, mark: str) -> str | None:
    fmt = EXCEL_FORMATS.get(kind)
    if fmt and mark:  # a mark after a number keeps it a number: 0.0"†"
        fmt = ";".join(f'{part}"{mark}"' for part in fmt.split(";"))
    return fmt


class _SheetWriter:
    def __init__(self, sheet):
        self.sheet = sheet
        self.row = 1
        self.widths: dict[int, int] = {}
        self.frozen = False

    def _width(self, column: int, text: str, minimum: int = 0) -> None:
        length = max(len(line) for line in (text or " ").split("\n"))
        # CJK characters are about twice as wide as Latin ones
        length += sum(1 for ch in text if "\u2e80" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef")
        self.widths[column] = min(60, max(self.widths.get(column, 8), length + 2, minimum))

    def title(self, text: str) -> None:
        self.sheet.cell(self.row, 1, str(text)).font = _TITLE
        self.row += 2

    def note(self, text: str) -> None:
        cell = self.sheet.cell(self.row, 1, _safe_cell(str(text)))
        cell.alignment = Alignment(wrap_text=False)
        cell.font = Font(italic=True, color="57606A")
        self.row += 1

    def table(self, title: str, columns: list[Column], rows: list[list], *, note: str = "", empty: str = "") -> None:
        self.sheet.cell(self.row, 1, str(title)).font = _BOLD
        self.row += 1
        for k, column in enumerate(columns, start=1):
            cell = self.sheet.cell(self.row, k, str(column.label))
            cell.font, cell.fill = _BOLD, _HEADER_FILL
            self._width(k, str(column.label), column.width)
        if not self.frozen:  # the first table's header stays in view
            self.sheet.freeze_panes = self.sheet.cell(self.row + 1, 1)
            self.frozen = True
        self.row += 1
        if not rows and empty:
            self.sheet.cell(self.row, 1, str(empty))
            self.row += 1
        for values in rows:
            for k, (cell_value, column) in enumerate(zip(values, columns, strict=False), start=1):
                value, kind, mark = cell_parts(cell_value, column.kind)
                stored = excel_value(value, kind)
                if stored is None and mark:
                    stored = mark
                cell = self.sheet.cell(self.row, k, _safe_cell(stored))
                fmt = (
                    _excel_format(kind, mark)
                    if isinstance(stored, (int, float)) or kind in ("date", "datetime")
                    else None
                )
                if fmt and stored is not None:
                    cell.number_format = fmt
                if kind == "text":
                    self._width(k, str(stored or ""), column.width)
            self.row += 1
        if note:
            self.note(note)
        self.row += 1

    def finish(self) -> None:
        for column, width in self.widths.items():
            self.sheet.column_dimensions[get_column_letter(column)].width = width


def xlsx_bytes(content: ReportContent) -> bytes:
    """The report as an Excel workbook: a sheet per section (in the active language)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    taken: set[str] = set()
    for section in content.sections:
        writer = _SheetWriter(workbook.create_sheet(_sheet_title(section.title, taken)))
        writer.title(f"{section.title} · {content.scope_line} · {content.period_line}")
        if section.facts:
            writer.table(
                section.title,
                [
                    Column(pgettext("quality report", "Item"), width=24),
                    Column(pgettext("measured value", "Value"), width=16),
                ],
                [[f.label, _fact_cell(f)] for f in section.facts],
            )
        for table in section.tables:
            writer.table(table.title, table.columns, table.rows, note=table.note, empty=table.empty)
        for chart in section.charts:
            headers, rows = chart.table()
            columns = [Column(headers[0] or _("Category"))] + [Column(h, "num") for h in headers[1:]]
            if headers and headers[-1] == "n" and chart.counts is not None:
                columns[-1] = Column("n", "int")
            writer.table(_("Chart data: %(title)s") % {"title": chart.title}, columns, rows, empty=chart.empty_message)
        for text in section.notes:
            writer.note(text)
        writer.finish()
    workbook.properties.title = f"{content.title} {content.scope_line} {content.period_line}"
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _fact_cell(fact):
    from reports.content import Cell

    return Cell(fact.value, fact.kind)


def render(content: ReportContent, fmt: str) -> bytes:
    """The report's file in ``fmt`` ("pdf" or "xlsx")."""
    if fmt == "pdf":
        return pdf_bytes(content)
    if fmt == "xlsx":
        return xlsx_bytes(content)
    raise ValueError(f"unknown report format {fmt!r}")
