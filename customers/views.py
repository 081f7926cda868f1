"""Pages of the customer archive: lists with search, records, create/edit, owner change, export."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView, View

from core.exports import xlsx_response
from core.forms import apply_service_errors
from core.history import history_entries
from core.lists import FilteredListMixin, FilteredListView
from core.mixins import DealerScopedObjectMixin, ScopedRecordMixin
from customers import selectors, services
from customers.archive import archive_status
from customers.filtersets import CustomerFilterSet, VehicleFilterSet
from customers.forms import ChangeOwnerForm, CustomerForm, VehicleForm
from customers.models import Customer, Vehicle
from organization.models import Dealer

PAGE_SIZE = 25
COMMON_BRANDS = [
    "大众",
    "丰田",
    "本田",
    "日产",
    "别克",
    "雪佛兰",
    "奥迪",
    "宝马",
    "奔驰",
    "比亚迪",
    "吉利",
    "长安",
    "哈弗",
    "奇瑞",
    "现代",
    "起亚",
    "福特",
    "马自达",
    "特斯拉",
    "理想",
]


class CustomerFiltersMixin(FilteredListMixin):
    filterset_class = CustomerFilterSet

    def get_base_queryset(self):
        return selectors.customer_list(user=self.request.user)


class CustomerListView(CustomerFiltersMixin, FilteredListView):
    model = Customer
    permission_required = "customers.view_customer"
    paginate_by = PAGE_SIZE
    template_name = "customers/customer_list.html"
    refused_is_404 = ()  # another dealer's id: the form's message over an empty list, as before


class CustomerExportView(DealerScopedObjectMixin, CustomerFiltersMixin, View):
    """The filtered customer list as an Excel file (scoped like the page)."""

    model = Customer
    permission_required = "customers.view_customer"
    max_rows = 100_000

    def get(self, request, *args, **kwargs):
        rows = self.filtered_queryset()[: self.max_rows]
        header = [
            _("Dealer"),
            _("Name"),
            _("Type"),
            _("Mobile"),
            _("Address"),
            _("Preferred contact channel"),
            _("Consent to be contacted"),
            _("Source"),
            _("Tags"),
            _("Vehicles"),
            _("Archive complete"),
            _("Created at"),
        ]
        body = (
            [
                c.dealer.code,
                c.name,
                c.get_kind_display(),
                c.mobile,
                c.address,
                c.get_preferred_channel_display(),
                c.get_consent_display(),
                c.get_source_display(),
                c.tags,
                c.vehicle_count,
                _("yes") if c.archive_complete else _("no"),
                timezone.localtime(c.created_at).replace(tzinfo=None),
            ]
            for c in rows
        )
        return xlsx_response(filename="customers.xlsx", sheet_title=_("Customers"), header=header, rows=body)


class CustomerDetailView(DealerScopedObjectMixin, DetailView):
    model = Customer
    permission_required = "customers.view_customer"
    template_name = "customers/customer_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("dealer", "created_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        vehicles = list(self.object.vehicles.order_by("-created_at"))
        context["vehicles"] = vehicles
        context["archive"] = archive_status(self.object, vehicles)
        context["former_vehicles"] = (
            self.object.ownerships.filter(ended_on__isnull=False).select_related("vehicle").order_by("-ended_on")
        )
        context["history"] = history_entries(self.object)
        return context


class CustomerCreateView(DealerScopedObjectMixin, FormView):
    model = Customer
    permission_required = "customers.add_customer"
    template_name = "customers/customer_form.html"
    form_class = CustomerForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["dealers"] = Dealer.objects.for_user(self.request.user, write=True)
        kwargs["user"] = self.request.user
        return kwargs

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        data.pop("version", None)
        data.pop("confirm_duplicate_mobile", None)
        dealer = data.pop("dealer")
        try:
            customer = services.customer_create(dealer=dealer, by=self.request.user, **data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Customer %(name)s created. Now add the vehicle.") % {"name": customer.name})
        return redirect("customers:vehicle_create", customer_pk=customer.pk)


class CustomerUpdateView(ScopedRecordMixin, FormView):
    model = Customer
    permission_required = "customers.change_customer"
    write_scope = True
    template_name = "customers/customer_form.html"
    form_class = CustomerForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.object, "user": self.request.user}

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        data.pop("confirm_duplicate_mobile", None)
        try:
            services.customer_update(customer=self.object, by=self.request.user, version=version, **data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Changes saved."))
        return redirect(self.object)


class VehicleListView(FilteredListView):
    model = Vehicle
    permission_required = "customers.view_vehicle"
    paginate_by = PAGE_SIZE
    template_name = "customers/vehicle_list.html"
    filterset_class = VehicleFilterSet
    refused_is_404 = ()  # another dealer's id: the form's message over an empty list, as before

    def get_base_queryset(self):
        return selectors.vehicle_list(user=self.request.user)


class VehicleDetailView(DealerScopedObjectMixin, DetailView):
    model = Vehicle
    permission_required = "customers.view_vehicle"
    template_name = "customers/vehicle_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("dealer", "owner", "created_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["ownerships"] = selectors.vehicle_ownerships(user=self.request.user, vehicle=self.object)
        context["repair_orders"] = self.object.repair_orders.select_related("customer").order_by("-opened_at")[:50]
        context["history"] = history_entries(self.object)
        return context


class VehicleFormViewBase(ScopedRecordMixin, FormView):
    template_name = "customers/vehicle_form.html"
    form_class = VehicleForm
    write_scope = True

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "common_brands": COMMON_BRANDS}


class VehicleCreateView(VehicleFormViewBase):
    """Add a vehicle to the customer named in the URL."""

    model = Customer
    permission_required = "customers.add_vehicle"
    record_kwarg = "customer_pk"
    record_related = ("dealer",)
    record_context_name = "owner"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "dealer": self.object.dealer}

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        data.pop("version", None)
        try:
            vehicle = services.vehicle_create(owner=self.object, by=self.request.user, **data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Vehicle %(vehicle)s added.") % {"vehicle": vehicle})
        return redirect(vehicle)


class VehicleUpdateView(VehicleFormViewBase):
    model = Vehicle
    permission_required = "customers.change_vehicle"
    record_related = ("owner", "dealer")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "dealer": self.object.dealer, "instance": self.object}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "owner": self.object.owner}

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        try:
            services.vehicle_update(vehicle=self.object, by=self.request.user, version=version, **data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Changes saved."))
        return redirect(self.object)


class VehicleChangeOwnerView(ScopedRecordMixin, FormView):
    model = Vehicle
    permission_required = ("customers.change_vehicle", "customers.add_vehicleownership")
    write_scope = True
    template_name = "customers/vehicle_change_owner.html"
    form_class = ChangeOwnerForm
    record_related = ("owner", "dealer")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "vehicle": self.object}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.vehicle_change_owner(
                vehicle=self.object,
                new_owner=data["new_owner"],
                by=self.request.user,
                version=data.get("version"),
                started_on=data["started_on"],
                note=data.get("note", ""),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Owner changed; the vehicle keeps its history."))
        return redirect(self.object)
