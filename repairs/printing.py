"""Printable documents of a repair order: the 进厂维修单 with its belongings list, and the 结算单.

Documents are HTML templates under ``templates/repairs/print/`` turned into A4 PDFs by
WeasyPrint, in the active language (Chinese by default). The builders only read: they gather
what a document shows from the order, its lines, additional items and settlement.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from dataclasses import dataclass, fields
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from core.indicators import Rate
from repairs.choices import AdditionStatus, DocumentReceived, Payer, PricingMode
from repairs.models import AdditionalItem, RepairOrder, RepairOrderLine
from repairs.money import PayerTotal
from repairs.services import repair_order_totals
from repairs.state import checkin_gaps

# --- rendering ------------------------------------------------------------------------------------------------


def _static_path(url: str) -> Path | None:
    """The file behind a ``/static/…`` URL: the collected file in production, the app/project file otherwise."""
    path = unquote(urlsplit(url).path)
    static_url = urlsplit(settings.STATIC_URL).path
    if not path.startswith(static_url):
        return None
    name = path[len(static_url) :]
    try:
        collected = Path(staticfiles_storage.path(name))
    except NotImplementedError:  # pragma: no cover - remote storages have no local path
        collected = None
    if collected is not None and collected.is_file():
        return collected
    found = finders.find(name)
    return Path(found) if found else None


PNG_DATA_URI = "data:image/png;base64,"


def png_data_uri(file) -> str:
    """A stored PNG (a customer's signature) as a data: URI the renderer reads without any request ("" if none)."""
    if not file:
        return ""
    with file.open("rb") as stored:
        return PNG_DATA_URI + base64.b64encode(stored.read()).decode("ascii")


class StaticFilesFetcher(URLFetcher):
    """Serves the documents' static files (stylesheet, images) from disk, and the PNG data: URIs of the signatures;
    nothing is fetched over the network."""

    def fetch(self, url, headers=None):
        if url.startswith(PNG_DATA_URI):
            data = base64.b64decode(url[len(PNG_DATA_URI) :], validate=True)
            return URLFetcherResponse("data:image/png", data, {"Content-Type": "image/png"})
        path = _static_path(url)
        if path is None:
            raise ValueError(f"only static files are available to printed documents, not {url}")
        mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": mime_type})


def _css_string(text: str) -> str:
    """A CSS string literal; "<" is escaped too, as the value is written into a <style> element."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ")
    return f'"{escaped}"'


def page_counter_css() -> str:
    """The CSS ``content`` of the page-number box, e.g. ``"第 " counter(page) " 页 / 共 " counter(pages) " 页"``."""
    parts = re.split(r"\{(page|pages)\}", _("Page {page} of {pages}"))
    return " ".join(f"counter({part})" if index % 2 else _css_string(part) for index, part in enumerate(parts) if part)


def render_pdf(template_name: str, context: dict) -> bytes:
    """Render a print template to PDF bytes in the active language; ``/static/`` URLs are read from disk."""
    html = render_to_string(
        template_name, {"page_counter": page_counter_css(), "printed_at": timezone.now(), **context}
    )
    # The base URL makes relative and root-relative static URLs resolvable (file:///static/...) by the fetcher.
    return HTML(string=html, base_url=settings.STATIC_URL, url_fetcher=StaticFilesFetcher()).write_pdf()


# --- what the documents show ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AdditionSummary:
    """An additional item (增项) as printed: what, why, the customer's decision and its amount before VAT."""

    item: AdditionalItem
    lines: list[RepairOrderLine]
    amount: Decimal


def _lines(order: RepairOrder):
    return order.lines.select_related("addition").order_by("position", "id")


def _invoiced_lines(order: RepairOrder) -> list[RepairOrderLine]:
    """The lines the totals count: the estimate's, and those of additional items the customer approved."""
    return list(_lines(order).filter(Q(addition__isnull=True) | Q(addition__status=AdditionStatus.APPROVED)))


def _additions(order: RepairOrder) -> list[AdditionSummary]:
    by_addition: dict[int, list[RepairOrderLine]] = {}
    for line in _lines(order).filter(addition__isnull=False):
        by_addition.setdefault(line.addition_id, []).append(line)
    return [
        AdditionSummary(
            item=item,
            lines=by_addition.get(item.pk, []),
            amount=sum((line.amount for line in by_addition.get(item.pk, [])), Decimal("0.00")),
        )
        for item in order.additions.select_related("raised_by", "decision_recorded_by").order_by("raised_at", "id")
    ]


def _documents(order: RepairOrder) -> list[str]:
    return DocumentReceived.labels_of(order.documents_received)


def _order_context(order: RepairOrder) -> dict:
    totals = repair_order_totals(order=order)
    lines = _invoiced_lines(order)
    return {
        "order": order,
        "dealer": order.dealer,
        "customer": order.customer,
        "vehicle": order.vehicle,
        "lines": lines,
        "has_unguaranteed": any(line.quality_not_guaranteed for line in lines),
        "additions": _additions(order),
        "payer_rows": totals.rows,
        "grand_total": totals.total,
        "tax_rate_pct": Rate.of_fraction(order.tax_rate).percent_decimal(places=None).normalize(),
        "symptom_pricing": order.pricing_mode == PricingMode.SYMPTOM,
    }


def _order_with_relations(order: RepairOrder, *related: str) -> RepairOrder:
    return RepairOrder.objects.select_related(
        "dealer", "vehicle", "customer", "advisor", "approval_recorded_by", "diagnosed_by", *related
    ).get(pk=order.pk)


def repair_order_pdf(order: RepairOrder) -> bytes:
    """The 进厂维修单: reception, check-in, estimate, approval, then the signed 随车物品清单 on its own page."""
    order = _order_with_relations(order)
    context = {
        **_order_context(order),
        "documents": _documents(order),
        "checkin_gaps": [str(gap) for gap in checkin_gaps(order)],
        "belongings": [item.strip() for item in re.split(r"[\n,，、;；]+", order.belongings) if item.strip()],
        # The signatures drawn on the tablet, embedded in the document (the files are not public URLs).
        "belongings_signature": png_data_uri(order.belongings_signature),
        "approval_signature": png_data_uri(order.approval_signature),
    }
    return render_pdf("repairs/print/repair_order.html", context)


def _frozen_rows(settlement) -> list[tuple[str, PayerTotal]]:
    """The totals by payer as frozen at settlement (in the order of Payer)."""
    names = {f.name for f in fields(PayerTotal)}
    rows = []
    for payer in Payer.values:
        frozen = settlement.totals.get(payer)
        if frozen:
            values = {key: Decimal(value) for key, value in frozen.items() if key in names}
            rows.append((str(Payer(payer).label), PayerTotal(**values)))
    return rows


def settlement_pdf(order: RepairOrder) -> bytes:
    """The 结算单: the work done (with approved additions), declined additions apart, totals by payer, payment."""
    order = _order_with_relations(order, "settlement__settled_by")
    settlement = order.settlement  # RelatedObjectDoesNotExist when the order is not settled
    context = _order_context(order)
    # The amounts frozen at settlement are what was invoiced; the live totals only stand in for old rows without them.
    rows = _frozen_rows(settlement) or context["payer_rows"]
    context.update(
        settlement=settlement,
        payer_rows=rows,
        grand_total=settlement.grand_total,
        declined_additions=[a for a in context["additions"] if a.item.status == AdditionStatus.DECLINED],
        discount_total=sum((t.discount for _label, t in rows), Decimal("0.00")),
        tax_total=sum((t.tax for _label, t in rows), Decimal("0.00")),
    )
    return render_pdf("repairs/print/settlement.html", context)
