"""Pages of the stock: warehouses, stock items and their ledger, receipts, adjustments and transfers."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import ListView

from core.lists import FilteredListView
from core.mixins import DealerScopedObjectMixin, RecordFormView, RecordPageView
from core.permissions import allowed
from parts.filtersets import StockItemFilterSet
from parts.forms.stock import (
    StockAdjustForm,
    StockReceiveForm,
    StockTransferForm,
)
from parts.models import StockItem, Warehouse
from parts.selectors import stock as stock_selectors
from parts.services import stock as stock_services

MOVE = "parts.add_stockmovement"


class WarehouseListView(DealerScopedObjectMixin, ListView):
    model = Warehouse
    permission_required = "parts.view_stockitem"
    template_name = "parts/warehouse_list.html"

    def get_queryset(self):
        return stock_selectors.warehouse_list(user=self.request.user)


class StockListView(FilteredListView):
    """The stock of one warehouse: on hand, reserved, available, on order, cost, value, last movement."""

    model = StockItem
    permission_required = "parts.view_stockitem"
    paginate_by = 50
    template_name = "parts/stock_list.html"
    filterset_class = StockItemFilterSet

    def get_base_queryset(self):
        self.warehouse = get_object_or_404(
            Warehouse.objects.for_user(self.request.user).select_related("dealer"), pk=self.kwargs["pk"]
        )
        return stock_selectors.stock_list(user=self.request.user).filter(warehouse=self.warehouse)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "warehouse": self.warehouse}


class StockItemView(RecordPageView):
    """One stock item: its figures, the ledger (newest first) and the receipt/adjustment forms."""

    model = StockItem
    permission_required = "parts.view_stockitem"
    template_name = "parts/stock_item.html"
    related = ("warehouse__dealer", "part__superseded_by")
    paginate_by = 25

    def page_context(self, record, **bound_forms) -> dict:
        user = self.request.user
        can_move = allowed(user, MOVE, dealer=record.warehouse.dealer_id)
        page = Paginator(stock_selectors.movement_list(user=user, item=record), self.paginate_by).get_page(
            self.request.GET.get("page")
        )
        context = {
            "object": record,
            "value": record.on_hand * record.average_cost,
            "page_obj": page,
            "movements": page.object_list,
            "is_paginated": page.has_other_pages(),
            "querystring": "",
        }
        if can_move or bound_forms:
            context["receive_form"] = bound_forms.get("receive_form") or StockReceiveForm(
                initial={"unit_cost": record.average_cost}
            )
            context["adjust_form"] = bound_forms.get("adjust_form") or StockAdjustForm()
            context["transfer_form"] = bound_forms.get("transfer_form") or StockTransferForm(item=record)
        return context


class StockFormView(RecordFormView, StockItemView):
    """Base of the stock item page's forms: the service checks the permission and refuses bad quantities."""

    permission_required = "parts.view_stockitem"

    def success_url(self, record) -> str:
        return reverse("parts:stock_item", args=[record.pk])

    def get(self, request, pk: int):
        return redirect(self.success_url(self.get_record(pk)))


class StockReceiveView(StockFormView):
    form_name = "receive_form"

    def build_form(self, record, data):
        return StockReceiveForm(data)

    def save(self, record, form):
        data = form.cleaned_data
        movement = stock_services.stock_receive(
            item=record,
            quantity=data["quantity"],
            unit_cost=data["unit_cost"],
            by=self.request.user,
            reason=data["reason"],
        )
        return _("Received %(quantity)s; %(on_hand)s on hand.") % {
            "quantity": movement.quantity.normalize(),
            "on_hand": movement.on_hand_after.normalize(),
        }


class StockAdjustView(StockFormView):
    form_name = "adjust_form"

    def build_form(self, record, data):
        return StockAdjustForm(data)

    def save(self, record, form):
        data = form.cleaned_data
        movement = stock_services.stock_adjust(
            item=record, quantity=data["quantity"], by=self.request.user, reason=data["reason"], kind=data["kind"]
        )
        return _("Stock adjusted; %(on_hand)s on hand.") % {"on_hand": movement.on_hand_after.normalize()}


class StockTransferView(StockFormView):
    form_name = "transfer_form"

    def build_form(self, record, data):
        return StockTransferForm(data, item=record)

    def save(self, record, form):
        data = form.cleaned_data
        stock_services.stock_transfer(
            item=record, to_warehouse=data["to_warehouse"], quantity=data["quantity"], by=self.request.user
        )
        return _("Transferred %(quantity)s to %(warehouse)s.") % {
            "quantity": data["quantity"].normalize(),
            "warehouse": data["to_warehouse"],
        }
