"""Printable documents of a repair order as PDF: the 进厂维修单 (with the belongings list) and the 结算单."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from django.views.generic import View

from core.mixins import DealerScopedObjectMixin
from repairs.models import RepairOrder, Settlement


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    """A PDF shown in the browser (inline), saved under ``filename``."""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(as_attachment=False, filename=filename)
    return response


class RepairOrderPrintView(DealerScopedObjectMixin, View):
    """GET: the repair order as an A4 PDF, for the customer to sign at reception."""

    model = RepairOrder
    permission_required = "repairs.view_repairorder"

    def get_order(self, pk: int) -> RepairOrder:
        return get_object_or_404(self.get_queryset(), pk=pk)

    def get(self, request, pk: int):
        from repairs import printing  # WeasyPrint loads pango and fonts: only printing pays for it

        order = self.get_order(pk)
        return pdf_response(printing.repair_order_pdf(order), f"{order.number}.pdf")


class SettlementPrintView(RepairOrderPrintView):
    """GET: the settlement statement of a delivered order as an A4 PDF (404 before settlement)."""

    def get(self, request, pk: int):
        from repairs import printing

        order = self.get_order(pk)
        try:
            settlement = order.settlement
        except Settlement.DoesNotExist:
            raise Http404("The repair order has no settlement yet.") from None
        return pdf_response(printing.settlement_pdf(order), f"{settlement.invoice_number}.pdf")
