"""Pages of purchasing and stock-take: purchase orders, receiving, reorder suggestions, count sheets and variance."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import ListView, View

from core.exports import xlsx_response
from core.forms import apply_service_errors
from core.history import history_entries
from core.lists import FilteredListView
from core.mixins import DealerScopedObjectMixin, RecordFormView, RecordPageView
from core.permissions import allowed
from parts.choices import PurchaseOrderStatus, StockTakeStatus
from parts.filtersets import PurchaseOrderFilterSet
from parts.forms.purchasing import (
    CountSheetForm,
    FromSuggestionsForm,
    POCreateForm,
    POLineForm,
    POReceiveForm,
    VersionForm,
    WarehouseForm,
)
from parts.models import GoodsReceiptLine, PurchaseOrder, StockItem, StockTake, Supplier, Warehouse
from parts.services import purchasing

VIEW_PO = "parts.view_purchaseorder"
VIEW_STOCKTAKE = "parts.view_stocktake"


def po_list(*, user):
    """The purchase orders of the user's dealers, newest first, with their line count and value."""
    money = DecimalField(max_digits=20, decimal_places=4)
    orders = (
        PurchaseOrder.objects.for_user(user)
        .select_related("dealer", "warehouse", "supplier")
        .annotate(
            line_count=Count("lines"),
            total=Sum(ExpressionWrapper(F("lines__quantity") * F("lines__unit_cost"), output_field=money)),
        )
        .order_by("-created_at", "-id")
    )
    return orders


def _create_form(user, data=None) -> POCreateForm:
    return POCreateForm(
        data,
        warehouses=Warehouse.objects.for_user(user, write=True).select_related("dealer"),
        suppliers=Supplier.objects.for_user(user, write=True),
    )


class PurchaseOrderListView(FilteredListView):
    model = PurchaseOrder
    permission_required = VIEW_PO
    template_name = "parts/purchasing/po_list.html"
    filterset_class = PurchaseOrderFilterSet

    def get_base_queryset(self):
        return po_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(warehouses=Warehouse.objects.for_user(user).select_related("dealer"))
        if user.has_perm(purchasing.ADD_PO):
            context["create_form"] = kwargs.get("create_form") or _create_form(user)
        return context


class PurchaseOrderCreateView(DealerScopedObjectMixin, View):
    model = PurchaseOrder
    permission_required = purchasing.ADD_PO
    write_scope = True

    def post(self, request):
        form = _create_form(request.user, request.POST)
        if form.is_valid():
            try:
                po = purchasing.purchase_order_create(by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Purchase order %(number)s drafted.") % {"number": po.number})
                return redirect(po)
        view = PurchaseOrderListView(request=request, kwargs={}, args=())
        view.object_list = view.get_queryset()
        return render(request, view.template_name, view.get_context_data(create_form=form), status=400)


class PurchaseOrderDetailView(RecordPageView):
    model = PurchaseOrder
    permission_required = VIEW_PO
    template_name = "parts/purchasing/po_detail.html"
    related = ("dealer", "warehouse", "supplier", "created_by")

    def page_context(self, po, **bound_forms) -> dict:
        user = self.request.user
        lines = list(po.lines.select_related("part").order_by("id"))
        receipts = po.receipts.select_related("by").prefetch_related("lines__po_line__part").order_by("received_at")
        context = {
            "object": po,
            "lines": lines,
            "total": sum((line.amount for line in lines), 0),
            "receipts": receipts,
            "pass_rate": purchasing.inspection_pass_rate(GoodsReceiptLine.objects.filter(receipt__po=po)),
            "history": history_entries(po),
        }
        if not allowed(user, dealer=po.dealer_id):
            return context
        version = {"version": po.version}
        if po.status == PurchaseOrderStatus.DRAFT and user.has_perm(purchasing.CHANGE_PO):
            context["line_form"] = bound_forms.get("line_form") or POLineForm()
        if purchasing.PO_STATES.can(po, "send", user):
            context["send_form"] = bound_forms.get("send_form") or VersionForm(initial=version)
        if purchasing.PO_STATES.can(po, "receive", user):
            context["receive_form"] = bound_forms.get("receive_form") or POReceiveForm(initial=version, po_lines=lines)
        if purchasing.PO_STATES.can(po, "cancel", user):
            context["cancel_form"] = bound_forms.get("cancel_form") or VersionForm(initial=version)
        return context


class POFormView(RecordFormView, PurchaseOrderDetailView):
    """Base of the purchase order page's forms."""

    permission_required = purchasing.CHANGE_PO


class POAddLineView(POFormView):
    form_name = "line_form"

    def build_form(self, po, data):
        return POLineForm(data)

    def save(self, po, form):
        data = form.cleaned_data
        line = purchasing.purchase_order_add_line(
            po=po, part=data["part"], quantity=data["quantity"], unit_cost=data["unit_cost"], by=self.request.user
        )
        return _("%(part)s added.") % {"part": line.part}


class POSendView(POFormView):
    form_name = "send_form"

    def build_form(self, po, data):
        return VersionForm(data)

    def save(self, po, form):
        purchasing.purchase_order_send(po=po, by=self.request.user, version=form.cleaned_data["version"])
        return _("Purchase order sent; its parts are on order.")


class POReceiveView(POFormView):
    form_name = "receive_form"

    def build_form(self, po, data):
        return POReceiveForm(data, po_lines=list(po.lines.select_related("part").order_by("id")))

    def save(self, po, form):
        receipt = purchasing.purchase_order_receive(
            po=po, lines=form.receipt_lines(), by=self.request.user, version=form.cleaned_data["version"]
        )
        return _("Goods received: %(lines)s lines.") % {"lines": receipt.lines.count()}


class POCancelView(POFormView):
    form_name = "cancel_form"

    def build_form(self, po, data):
        return VersionForm(data)

    def save(self, po, form):
        purchasing.purchase_order_cancel(po=po, by=self.request.user, version=form.cleaned_data["version"])
        return _("Purchase order cancelled.")


class ReorderView(DealerScopedObjectMixin, View):
    """Reorder suggestions of a warehouse (lead time of the chosen supplier), and a PO drafted from them."""

    model = Warehouse
    permission_required = VIEW_PO
    template_name = "parts/purchasing/reorder.html"

    def render_page(self, warehouse, supplier, form=None, status=200):
        user = self.request.user
        suppliers = Supplier.objects.filter(dealer_id=warehouse.dealer_id)
        lead = supplier.lead_time_days if supplier else purchasing.DEFAULT_LEAD_DAYS
        suggestions = purchasing.reorder_suggestions(warehouse=warehouse, lead_time_days=lead)
        context = {
            "warehouse": warehouse,
            "supplier": supplier,
            "suppliers": suppliers,
            "suggestions": suggestions,
            "lead_time_days": lead,
            "safety_days": purchasing.SAFETY_DAYS,
        }
        if allowed(user, purchasing.ADD_PO, dealer=warehouse.dealer_id) and suggestions:
            context["form"] = form or FromSuggestionsForm(
                suppliers=suppliers,
                suggestions=suggestions,
                initial={"supplier": supplier, "items": [s.item.pk for s in suggestions]},
            )
        return render(self.request, self.template_name, context, status=status)

    def get_supplier(self, warehouse, value):
        if value and str(value).isdigit():
            return get_object_or_404(Supplier, dealer_id=warehouse.dealer_id, pk=value)
        return None

    def get(self, request, pk: int):
        warehouse = get_object_or_404(self.get_queryset(), pk=pk)
        return self.render_page(warehouse, self.get_supplier(warehouse, request.GET.get("supplier")))

    def post(self, request, pk: int):
        warehouse = get_object_or_404(Warehouse.objects.for_user(request.user, write=True), pk=pk)
        supplier = self.get_supplier(warehouse, request.POST.get("supplier"))
        lead = supplier.lead_time_days if supplier else purchasing.DEFAULT_LEAD_DAYS
        form = FromSuggestionsForm(
            request.POST,
            suppliers=Supplier.objects.filter(dealer_id=warehouse.dealer_id),
            suggestions=purchasing.reorder_suggestions(warehouse=warehouse, lead_time_days=lead),
        )
        if form.is_valid():
            items = list(StockItem.objects.filter(warehouse=warehouse, pk__in=form.cleaned_data["items"]))
            try:
                po = purchasing.purchase_order_from_suggestions(
                    warehouse=warehouse, supplier=form.cleaned_data["supplier"], items=items, by=request.user
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Purchase order %(number)s drafted.") % {"number": po.number})
                return redirect(po)
        return self.render_page(warehouse, supplier, form=form, status=400)


class StockTakeListView(DealerScopedObjectMixin, ListView):
    model = StockTake
    permission_required = VIEW_STOCKTAKE
    paginate_by = 25
    template_name = "parts/purchasing/stocktake_list.html"

    def get_queryset(self):
        return (
            StockTake.objects.for_user(self.request.user)
            .select_related("warehouse__dealer", "started_by", "approved_by")
            .annotate(line_count=Count("lines"))
            .order_by("-started_at", "-id")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if user.has_perm(purchasing.ADD_STOCKTAKE):
            context["open_form"] = kwargs.get("open_form") or WarehouseForm(
                warehouses=Warehouse.objects.for_user(user, write=True)
            )
        return context


class StockTakeOpenView(DealerScopedObjectMixin, View):
    model = StockTake
    permission_required = purchasing.ADD_STOCKTAKE
    write_scope = True

    def post(self, request):
        form = WarehouseForm(request.POST, warehouses=Warehouse.objects.for_user(request.user, write=True))
        if form.is_valid():
            try:
                stocktake = purchasing.stocktake_open(warehouse=form.cleaned_data["warehouse"], by=request.user)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Stock-take opened: count the parts."))
                return redirect(stocktake)
        view = StockTakeListView(request=request, kwargs={}, args=())
        view.object_list = view.get_queryset()
        return render(request, view.template_name, view.get_context_data(open_form=form), status=400)


class StockTakeDetailView(RecordPageView):
    model = StockTake
    permission_required = VIEW_STOCKTAKE
    template_name = "parts/purchasing/stocktake_detail.html"
    related = ("warehouse__dealer", "started_by", "approved_by")

    def page_context(self, stocktake, **bound_forms) -> dict:
        user = self.request.user
        lines = stocktake.lines.select_related("item__part").order_by("item__part__number_key")
        context = {
            "object": stocktake,
            "lines": lines,
            "variance": purchasing.stocktake_variance(stocktake),
            "history": history_entries(stocktake),
        }
        if allowed(user, dealer=stocktake.warehouse.dealer_id):
            if purchasing.STOCKTAKE_STATES.can(stocktake, "count", user):
                context["count_form"] = bound_forms.get("count_form") or CountSheetForm(lines=lines)
            if purchasing.STOCKTAKE_STATES.can(stocktake, "approve", user):
                context["approve_form"] = bound_forms.get("approve_form") or forms.Form()
        return context


class StockTakeVarianceExportView(StockTakeDetailView):
    """The variance report of a stock-take as an Excel workbook."""

    def get(self, request, pk: int):
        stocktake = self.get_record(pk)
        variance = purchasing.stocktake_variance(stocktake)
        header = [
            _("Part number"), _("Name"), _("Bin"), _("Expected at start"), _("Moved since start"),
            _("Book quantity when counted"), _("Counted"), _("Difference"), _("Average cost"),
            _("Value at average cost"), _("Counted at"),
        ]  # fmt: skip
        rows = [
            [
                line.item.part.number,
                line.item.part.name,
                line.item.bin,
                line.expected,
                line.moved_since_start,
                line.book_quantity,
                line.counted,
                line.difference,
                line.item.average_cost,
                line.value,
                timezone.localtime(line.counted_at).strftime("%Y-%m-%d %H:%M") if line.counted_at else "",
            ]
            for line in variance["lines"]
        ]
        rows += [
            [_("Gain"), *[""] * 8, variance["gain"], ""],
            [_("Loss"), *[""] * 8, variance["loss"], ""],
            [_("Net"), *[""] * 8, variance["net"], ""],
        ]
        return xlsx_response(
            filename=f"stocktake-{stocktake.pk}-variance.xlsx", sheet_title=_("Variance report"), header=header,
            rows=rows,
        )  # fmt: skip


class StockTakeFormView(RecordFormView, StockTakeDetailView):
    permission_required = purchasing.CHANGE_STOCKTAKE


class StockTakeCountView(StockTakeFormView):
    form_name = "count_form"

    def build_form(self, stocktake, data):
        return CountSheetForm(data, lines=stocktake.lines.select_related("item__part"))

    def save(self, stocktake, form):
        stocktake = purchasing.stocktake_record_counts(stocktake=stocktake, counts=form.counts(), by=self.request.user)
        if stocktake.status == StockTakeStatus.COUNTED:
            return _("Counts saved; every line is counted and the stock-take can be approved.")
        return _("Counts saved.")


class StockTakeApproveView(StockTakeFormView):
    form_name = "approve_form"

    def build_form(self, stocktake, data):
        return forms.Form(data)

    def save(self, stocktake, form):
        purchasing.stocktake_approve(stocktake=stocktake, by=self.request.user)
        return _("Stock-take approved; the differences are posted to the stock ledger.")
