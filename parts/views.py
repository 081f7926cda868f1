"""Pages of the parts catalogue and stock: search, part, warehouses, stock and ledger, receipts, import/export."""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import ListView, View

from core.exports import _safe_cell, xlsx_response
from core.forms import apply_service_errors
from core.history import history_entries
from core.lists import FilteredListView
from core.mixins import DealerScopedObjectMixin, RecordFormView, RecordPageView
from core.permissions import allowed
from core.tenancy import dealer_ids_for
from organization.models import Dealer
from parts import selectors, services
from parts.catalogue_io import HEADER, catalogue_export, catalogue_import
from parts.choices import PartCategory
from parts.filtersets import PartFilterSet, StockItemFilterSet
from parts.forms import (
    CatalogueImportForm,
    ReceiveIntoWarehouseForm,
    StockAdjustForm,
    StockReceiveForm,
    StockTransferForm,
)
from parts.models import Part, PartPrice, StockItem, Warehouse

MOVE = "parts.add_stockmovement"


class CatalogueView(FilteredListView):
    """The catalogue (shared by the group) with the prices of the user's dealers."""

    model = Part
    permission_required = "parts.view_part"
    paginate_by = 50
    template_name = "parts/catalogue.html"
    filterset_class = PartFilterSet

    def get_base_queryset(self):
        return selectors.part_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            categories=PartCategory.choices,
            brands=selectors.part_brands(),
            dealers=list(context["dealers"]),
            can_import=user.has_perm("parts.add_part") and user.has_perm("parts.change_part"),
        )
        return context


def _writable_warehouses(user):
    return Warehouse.objects.for_user(user, write=True).order_by("dealer__code", "code")


class PartDetailView(DealerScopedObjectMixin, View):
    """One part: supersession, prices and their history, stock per warehouse of the user's dealers."""

    model = Part
    permission_required = "parts.view_part"
    template_name = "parts/part_detail.html"

    def get_queryset(self):
        return Part.objects.select_related("superseded_by")

    def get(self, request, pk: int, form=None):
        part = get_object_or_404(self.get_queryset(), pk=pk)
        user = request.user
        context = {
            "object": part,
            "current": part.current(),
            "supersedes": part.supersedes.order_by("number_key"),
            "prices": PartPrice.objects.for_user(user)
            .filter(part=part)
            .select_related("dealer")
            .order_by("dealer__code"),
            "price_history": selectors.part_price_history(user=user, part=part),
            "stock": selectors.stock_list(user=user).filter(part=part),
            "history": history_entries(part),
        }
        if user.has_perm(MOVE):
            context["receive_form"] = form or ReceiveIntoWarehouseForm(warehouses=_writable_warehouses(user))
        return render(request, self.template_name, context, status=400 if form is not None else 200)

    def post(self, request, pk: int):
        """Receive the part into a warehouse (its stock item is created the first time)."""
        if not request.user.has_perm(MOVE):
            raise Http404
        part = get_object_or_404(self.get_queryset(), pk=pk)
        form = ReceiveIntoWarehouseForm(request.POST, warehouses=_writable_warehouses(request.user))
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():  # a refused receipt leaves no empty stock item behind
                    item = services.stock_item_get_or_create(warehouse=data["warehouse"], part=part.current())
                    services.stock_receive(
                        item=item,
                        quantity=data["quantity"],
                        unit_cost=data["unit_cost"],
                        by=request.user,
                        reason=data["reason"],
                    )
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(None, " ".join(getattr(exc, "messages", [str(exc)])))
            else:
                messages.success(request, _("Received into %(warehouse)s.") % {"warehouse": data["warehouse"]})
                return redirect("parts:stock_item", pk=item.pk)
        return self.get(request, pk, form=form)


class WarehouseListView(DealerScopedObjectMixin, ListView):
    model = Warehouse
    permission_required = "parts.view_stockitem"
    template_name = "parts/warehouse_list.html"

    def get_queryset(self):
        return selectors.warehouse_list(user=self.request.user)


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
        return selectors.stock_list(user=self.request.user).filter(warehouse=self.warehouse)

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
        page = Paginator(selectors.movement_list(user=user, item=record), self.paginate_by).get_page(
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
        movement = services.stock_receive(
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
        movement = services.stock_adjust(
            item=record, quantity=data["quantity"], by=self.request.user, reason=data["reason"], kind=data["kind"]
        )
        return _("Stock adjusted; %(on_hand)s on hand.") % {"on_hand": movement.on_hand_after.normalize()}


def _export_dealer(request) -> Dealer | None:
    """The dealer whose prices an export or import holds: ?dealer= (must be readable), else the user's first."""
    dealers = Dealer.objects.for_user(request.user).order_by("code")
    wanted = request.GET.get("dealer", "")
    if wanted:
        if not wanted.isdigit():
            raise Http404
        return get_object_or_404(dealers, pk=wanted)
    return dealers.first() if dealer_ids_for(request.user) is not None else None


class CatalogueExportView(DealerScopedObjectMixin, View):
    """The catalogue with one dealer's prices, as .xlsx (default) or .csv (UTF-8 with BOM, opens in Excel)."""

    model = Part
    permission_required = "parts.view_part"

    def get(self, request, fmt: str):
        if fmt not in ("xlsx", "csv"):
            raise Http404
        dealer = _export_dealer(request)
        stamp = timezone.localdate().isoformat()
        name = f"parts-{dealer.code if dealer else 'catalogue'}-{stamp}"
        rows = catalogue_export(dealer=dealer)
        if fmt == "xlsx":
            return xlsx_response(filename=f"{name}.xlsx", sheet_title=_("Parts catalogue"), header=HEADER, rows=rows)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(HEADER)
        for row in rows:
            writer.writerow([_safe_cell(v) for v in row])
        response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response


class CatalogueImportView(DealerScopedObjectMixin, View):
    """Upload a catalogue / price list; any bad row is listed with its line and nothing is imported."""

    model = Part
    permission_required = ("parts.add_part", "parts.change_part")
    template_name = "parts/import.html"

    def dealers(self):
        return Dealer.objects.for_user(self.request.user, write=True).order_by("code")

    def get(self, request):
        return render(request, self.template_name, {"form": CatalogueImportForm(dealers=self.dealers())})

    def post(self, request):
        form = CatalogueImportForm(request.POST, request.FILES, dealers=self.dealers())
        report = None
        if form.is_valid():
            try:
                report = catalogue_import(
                    file=form.cleaned_data["file"], dealer=form.cleaned_data["dealer"], by=request.user
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                if report.ok:
                    messages.success(
                        request,
                        _("Imported %(rows)s rows: %(created)s new parts, %(updated)s changed, %(prices)s prices.")
                        % {
                            "rows": report.rows,
                            "created": report.created,
                            "updated": report.updated,
                            "prices": report.prices,
                        },
                    )
                    return redirect("parts:catalogue")
        return render(request, self.template_name, {"form": form, "report": report}, status=400)


class StockTransferView(StockFormView):
    form_name = "transfer_form"

    def build_form(self, record, data):
        return StockTransferForm(data, item=record)

    def save(self, record, form):
        data = form.cleaned_data
        services.stock_transfer(
            item=record, to_warehouse=data["to_warehouse"], quantity=data["quantity"], by=self.request.user
        )
        return _("Transferred %(quantity)s to %(warehouse)s.") % {
            "quantity": data["quantity"].normalize(),
            "warehouse": data["to_warehouse"],
        }
