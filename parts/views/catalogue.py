"""Pages of the parts catalogue: search, part (with a receipt into a warehouse), import and export."""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import View

from core.exports import _safe_cell, xlsx_response
from core.forms import apply_service_errors
from core.history import history_entries
from core.lists import FilteredListView
from core.mixins import DealerScopedObjectMixin
from core.tenancy import dealer_ids_for
from organization.models import Dealer
from parts.choices import PartCategory
from parts.filtersets import PartFilterSet
from parts.forms.stock import (
    CatalogueImportForm,
    ReceiveIntoWarehouseForm,
)
from parts.models import Part, PartPrice, Warehouse
from parts.selectors import stock as stock_selectors
from parts.services import stock as stock_services
from parts.services.catalogue_io import HEADER, catalogue_export, catalogue_import
from parts.views.stock import MOVE


class CatalogueView(FilteredListView):
    """The catalogue (shared by the group) with the prices of the user's dealers."""

    model = Part
    permission_required = "parts.view_part"
    paginate_by = 50
    template_name = "parts/catalogue.html"
    filterset_class = PartFilterSet

    def get_base_queryset(self):
        return stock_selectors.part_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            categories=PartCategory.choices,
            brands=stock_selectors.part_brands(),
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
            "price_history": stock_selectors.part_price_history(user=user, part=part),
            "stock": stock_selectors.stock_list(user=user).filter(part=part),
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
                    item = stock_services.stock_item_get_or_create(warehouse=data["warehouse"], part=part.current())
                    stock_services.stock_receive(
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
