"""The parts reports page (stock value, dead and slow stock, fill rate, margin per order) and its Excel export.

The stock figures are the stock at the end of the chosen period (now while it runs), as F2 measures it."""

from datetime import datetime, timedelta

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from core.dates import days_bounds
from core.exports import xlsx_response
from core.mixins import DealerScopedObjectMixin
from organization.models import Dealer
from parts import kpis
from parts.models import StockItem
from parts.selectors import reports


def _period(request) -> tuple[datetime, datetime, str, str]:
    """The report period from ?from=&to= (local dates, to inclusive); default: the last 30 days."""
    today = timezone.localdate()
    try:
        first = datetime.strptime(request.GET.get("from", ""), "%Y-%m-%d").date()
    except ValueError:
        first = today - timedelta(days=29)
    try:
        last = datetime.strptime(request.GET.get("to", ""), "%Y-%m-%d").date()
    except ValueError:
        last = today
    return *days_bounds(first, last), first.isoformat(), last.isoformat()


class PartsReportView(DealerScopedObjectMixin, View):
    model = StockItem
    permission_required = "parts.view_stockitem"
    template_name = "parts/reports.html"

    def get(self, request):
        dealer = request.GET.get("dealer", "")
        dealer_id = int(dealer) if dealer.isdigit() else None
        start, end, first, last = _period(request)
        context = {
            "value": reports.stock_value(user=request.user, start=start, end=end, dealer_id=dealer_id),
            "fill": reports.fill_rate(user=request.user, start=start, end=end, dealer_id=dealer_id),
            "dead": reports.dead_stock(user=request.user, start=start, end=end, dealer_id=dealer_id)[:50],
            "f1": kpis.F1,
            "f2": kpis.F2,
            "margins": reports.parts_margin_by_order(user=request.user, start=start, end=end, dealer_id=dealer_id)[:50],
            "free_text": reports.free_text_part_lines(user=request.user, start=start, end=end, dealer_id=dealer_id),
            "dealers": Dealer.objects.for_user(request.user).only("id", "code", "name"),
            "dealer": dealer,
            "first": first,
            "last": last,
            "dead_days": kpis.DEAD_DAYS,
            "querystring": request.GET.urlencode(),
        }
        return render(request, self.template_name, context)


class DeadStockExportView(DealerScopedObjectMixin, View):
    model = StockItem
    permission_required = "parts.view_stockitem"

    def get(self, request):
        dealer = request.GET.get("dealer", "")
        start, end, _first, _last = _period(request)
        items = reports.dead_stock(
            user=request.user, start=start, end=end, dealer_id=int(dealer) if dealer.isdigit() else None
        )
        header = [
            _("Warehouse"),
            _("Part number"),
            _("Name"),
            _("On hand"),
            _("Average cost"),
            _("Value"),
            _("Last movement"),
        ]
        rows = (
            [
                item.warehouse.code,
                item.part.number,
                item.part.name,
                item.on_hand_then,
                item.average_cost,
                round(item.kpi_value, 2),
                timezone.localtime(item.last_movement_then).replace(tzinfo=None),
            ]
            for item in items.iterator(chunk_size=2000)
        )
        return xlsx_response(filename="dead-stock.xlsx", sheet_title=_("Dead stock"), header=header, rows=rows)
