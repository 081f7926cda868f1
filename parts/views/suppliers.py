"""Pages of the suppliers (供应商): the list with performance, a supplier's page, create and edit."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.generic import View

from core.forms import apply_service_errors
from core.history import history_entries
from core.lists import FilteredListView
from core.mixins import DealerScopedObjectMixin, RecordFormView, RecordPageView
from core.permissions import allowed
from organization.models import Dealer
from parts.filtersets import SupplierFilterSet
from parts.forms.purchasing import SupplierForm
from parts.models import GoodsReceiptLine, PurchaseOrder, Supplier
from parts.selectors import suppliers as supplier_selectors
from parts.services import suppliers as supplier_services

VIEW_SUPPLIER = "parts.view_supplier"


def _write_dealers(user):
    return Dealer.objects.for_user(user, write=True).order_by("code")


class SupplierListView(FilteredListView):
    model = Supplier
    permission_required = VIEW_SUPPLIER
    paginate_by = 50
    template_name = "parts/purchasing/supplier_list.html"
    filterset_class = SupplierFilterSet
    refused_is_404 = ()  # another dealer's id: the form's message over an empty list, as before

    def get_base_queryset(self):
        return supplier_selectors.supplier_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = context["object_list"]
        performance = supplier_selectors.supplier_performance(s.pk for s in page)
        context["rows"] = [(s, performance[s.pk]) for s in page]
        context["can_create"] = self.request.user.has_perm(supplier_services.ADD_SUPPLIER) and (
            _write_dealers(self.request.user).exists()
        )
        return context


class SupplierCreateView(DealerScopedObjectMixin, View):
    model = Supplier
    permission_required = supplier_services.ADD_SUPPLIER
    write_scope = True
    template_name = "parts/purchasing/supplier_form.html"

    def get(self, request):
        form = SupplierForm(dealers=_write_dealers(request.user))
        return render(request, self.template_name, {"form": form})

    def post(self, request):
        form = SupplierForm(request.POST, dealers=_write_dealers(request.user))
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            try:
                supplier = supplier_services.supplier_create(by=request.user, **data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Supplier %(supplier)s added.") % {"supplier": supplier})
                return redirect(supplier)
        return render(request, self.template_name, {"form": form}, status=400)


class SupplierDetailView(RecordPageView):
    model = Supplier
    permission_required = VIEW_SUPPLIER
    template_name = "parts/purchasing/supplier_detail.html"
    related = ("dealer",)

    def page_context(self, supplier, **bound_forms) -> dict:
        user = self.request.user
        open_orders = (
            PurchaseOrder.objects.filter(supplier=supplier, status__in=supplier_selectors.OPEN_PO_STATUSES)
            .select_related("warehouse")
            .order_by("expected_at", "id")
        )
        recent_lines = (
            GoodsReceiptLine.objects.filter(receipt__po__supplier=supplier)
            .select_related("receipt__po", "po_line__part")
            .order_by("-receipt__received_at", "-id")[:20]
        )
        context = {
            "object": supplier,
            "performance": supplier_selectors.supplier_performance([supplier.pk])[supplier.pk],
            "open_orders": open_orders,
            "recent_lines": recent_lines,
            "history": history_entries(supplier),
        }
        if allowed(user, supplier_services.CHANGE_SUPPLIER, dealer=supplier.dealer_id):
            context["edit_form"] = bound_forms.get("edit_form") or SupplierForm(
                initial={
                    **{name: getattr(supplier, name) for name in supplier_services.EDITABLE_FIELDS},
                    "version": supplier.version,
                }
            )
        return context


class SupplierEditView(RecordFormView, SupplierDetailView):
    permission_required = supplier_services.CHANGE_SUPPLIER
    form_name = "edit_form"

    def build_form(self, supplier, data):
        return SupplierForm(data)

    def save(self, supplier, form):
        data = dict(form.cleaned_data)
        version = data.pop("version")
        supplier_services.supplier_update(supplier=supplier, by=self.request.user, version=version, **data)
        return _("Supplier saved.")
