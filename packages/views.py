"""Pages of the service packages (保养套餐): the list, a package's page with its items, create and edit; the
desk's one-click "add to the estimate" from the repair order page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.generic import View

from core.forms import apply_service_errors
from core.history import history_entries
from core.lists import FilteredListView
from core.mixins import DealerScopedObjectMixin, RecordActionView, RecordFormView, RecordPageView
from core.permissions import allowed
from organization.models import Brand, Dealer
from packages import selectors, services
from packages.filtersets import ServicePackageFilterSet
from packages.forms import PACKAGE_FIELDS, ItemForm, PackageForm
from packages.models import PackageApplication, ServicePackage, ServicePackageItem
from packages.pricing import package_price
from repairs.models import RepairOrder

VIEW_PACKAGE = "packages.view_servicepackage"


def _write_dealers(user):
    return Dealer.objects.for_user(user, write=True).order_by("code")


def _brands(dealers):
    return Brand.objects.filter(dealers__in=dealers).distinct().order_by("code")


class PackageListView(FilteredListView):
    model = ServicePackage
    permission_required = VIEW_PACKAGE
    paginate_by = 50
    template_name = "packages/package_list.html"
    filterset_class = ServicePackageFilterSet

    def get_base_queryset(self):
        return selectors.package_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = list(context["object_list"])
        prices = selectors.prices_of(page)
        context["rows"] = [(p, prices[p.pk]) for p in page]
        context["brands"] = Brand.objects.filter(dealers__in=self.get_dealers()).distinct().order_by("code")
        context["can_create"] = (
            self.request.user.has_perm(services.ADD_PACKAGE) and _write_dealers(self.request.user).exists()
        )
        return context


class PackageCreateView(DealerScopedObjectMixin, View):
    model = ServicePackage
    permission_required = services.ADD_PACKAGE
    write_scope = True
    template_name = "packages/package_form.html"

    def form(self, data=None):
        dealers = _write_dealers(self.request.user)
        return PackageForm(data, dealers=dealers, brands=_brands(dealers))

    def get(self, request):
        return render(request, self.template_name, {"form": self.form()})

    def post(self, request):
        form = self.form(request.POST)
        if form.is_valid():
            try:
                package = services.package_create(
                    dealer=form.cleaned_data["dealer"], by=request.user, **form.package_values()
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Package %(package)s added: now add its items.") % {"package": package})
                return redirect(package)
        return render(request, self.template_name, {"form": form}, status=400)


class PackageDetailView(RecordPageView):
    model = ServicePackage
    permission_required = VIEW_PACKAGE
    template_name = "packages/package_detail.html"
    related = ("dealer", "brand")

    def get_queryset(self):
        return super().get_queryset().prefetch_related(selectors.ITEMS)

    def page_context(self, package, **bound_forms) -> dict:
        user = self.request.user
        price = package_price(package)
        context = {
            "object": package,
            "price": price,
            "items": list(zip(package.items.all(), _lines_of(package, price), strict=True)),
            "applications": PackageApplication.objects.filter(package=package)
            .select_related("order", "by")
            .order_by("-applied_at", "-id")[:10],
            "history": history_entries(package),
        }
        if allowed(user, services.CHANGE_PACKAGE, dealer=package.dealer_id):
            initial = {name: getattr(package, name) for name in PACKAGE_FIELDS}
            initial.update(brand=package.brand_id, version=package.version)
            context["edit_form"] = bound_forms.get("edit_form") or PackageForm(
                initial=initial, brands=package.dealer.brands.order_by("code")
            )
            context["item_form"] = bound_forms.get("item_form") or ItemForm(
                package=package, initial={"version": package.version}
            )
            context["can_remove_items"] = user.has_perm("packages.delete_servicepackageitem")
        return context


def _lines_of(package, price):
    """The priced line of each item, in the items' order (None for a part without a price at the dealer)."""
    by_item = {line.item_id: line for line in price.lines}
    return [by_item.get(item.pk) for item in package.items.all()]


class PackageEditView(RecordFormView, PackageDetailView):
    permission_required = services.CHANGE_PACKAGE
    form_name = "edit_form"

    def build_form(self, package, data):
        return PackageForm(data, brands=package.dealer.brands.order_by("code"))

    def save(self, package, form):
        services.package_update(
            package=package, by=self.request.user, version=form.cleaned_data["version"], **form.package_values()
        )
        return _("Package saved.")


class PackageItemAddView(RecordFormView, PackageDetailView):
    permission_required = services.CHANGE_PACKAGE
    form_name = "item_form"

    def build_form(self, package, data):
        return ItemForm(data, package=package)

    def save(self, package, form):
        item = services.package_item_add(
            package=package, by=self.request.user, version=form.cleaned_data["version"], **form.item_fields()
        )
        return _("Item “%(item)s” added.") % {"item": item}

    def success_url(self, package):
        return package.get_absolute_url() + "#items"


class PackageItemRemoveView(DealerScopedObjectMixin, View):
    model = ServicePackageItem
    permission_required = "packages.delete_servicepackageitem"
    write_scope = True

    def post(self, request, pk: int):
        item = get_object_or_404(self.get_queryset().select_related("package"), pk=pk)
        try:
            services.package_item_remove(item=item, by=request.user)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("Item removed."))
        return redirect(item.package.get_absolute_url() + "#items")


class ApplyForm(forms.Form):
    package = forms.IntegerField()


class PackageApplyView(RecordActionView):
    """The desk's one click: every line of a package onto the order's estimate (POST from the RO page)."""

    model = RepairOrder
    permission_required = services.APPLY_PACKAGE
    form_class = ApplyForm

    def act(self, order, data):
        scope = ServicePackage.objects.for_user(self.request.user, write=True).filter(dealer_id=order.dealer_id)
        package = get_object_or_404(scope, pk=data["package"])
        application = services.package_apply(package=package, order=order, by=self.request.user)
        return _("Package %(package)s added to the estimate: %(lines)s lines, %(amount)s net.") % {
            "package": package.name, "lines": application.lines.count(), "amount": application.net_amount,
        }  # fmt: skip

    def success_url(self, order):
        return order.get_absolute_url() + "#estimate"
