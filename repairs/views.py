"""Pages of the service desk: repair-order list, opening an order, and the order's workspace."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.generic import FormView, ListView, View

from core.forms import apply_service_errors
from core.history import history_entries
from core.mixins import DealerScopedObjectMixin, ScopedListFiltersMixin, ScopedRecordMixin
from core.tenancy import dealer_ids_for
from customers.models import Vehicle
from repairs import selectors, services
from repairs.choices import RepairOrderStatus
from repairs.forms import ApprovalForm, CheckInForm, EstimateForm, LineForm, RepairOrderOpenForm, TransitionForm
from repairs.models import RepairOrder, RepairOrderLine
from repairs.services import EDITABLE_ESTIMATE
from repairs.state import TRANSITIONS, available_actions, checkin_gaps


class RepairOrderListView(DealerScopedObjectMixin, ScopedListFiltersMixin, ListView):
    model = RepairOrder
    permission_required = "repairs.view_repairorder"
    paginate_by = 25
    template_name = "repairs/repair_order_list.html"

    def get_filters(self) -> dict:
        filters = super().get_filters()
        filters["status"] = self.request.GET.get("status", "")
        filters["overdue"] = self.request.GET.get("overdue") == "1"
        return filters

    def get_queryset(self):
        return selectors.repair_order_list(user=self.request.user, filters=self.get_filters())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["statuses"] = RepairOrderStatus.choices
        return context


class RepairOrderOpenView(ScopedRecordMixin, FormView):
    """Reception: open a repair order for a vehicle of the archive."""

    model = Vehicle
    permission_required = "repairs.advise_repairorder"
    write_scope = True
    record_kwarg = "vehicle_pk"
    record_related = ("owner", "dealer")
    record_context_name = "vehicle"
    form_class = RepairOrderOpenForm
    template_name = "repairs/repair_order_open.html"

    def form_valid(self, form):
        try:
            order = services.repair_order_open(vehicle=self.object, by=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Repair order %(number)s opened.") % {"number": order.number})
        return redirect(order)


def _workspace_context(request, order: RepairOrder, **bound_forms) -> dict:
    """Everything the order page shows; ``bound_forms`` replace the blank forms to show errors."""
    user = request.user
    writable = dealer_ids_for(user, write=True)
    can_write = writable is None or order.dealer_id in writable
    advise = can_write and user.has_perm("repairs.advise_repairorder")
    lines = list(selectors.repair_order_lines(order=order))
    actions = [
        {"transition": t, "form": TransitionForm(initial={"action": t.action, "version": order.version})}
        for t in (available_actions(order, user) if can_write else [])
        if t.action != "approve"
    ]
    context = {
        "object": order,
        "lines": lines,
        "totals": services.repair_order_totals(order=order),
        "checkin_gaps": checkin_gaps(order),
        "timeline": selectors.repair_order_timeline(order=order),
        "history": history_entries(order),
        "can_edit_checkin": advise and order.status in (RepairOrderStatus.OPEN, RepairOrderStatus.CHECKED_IN),
        "can_edit_estimate": advise and order.status in EDITABLE_ESTIMATE,
        "can_approve": advise and order.status == RepairOrderStatus.ESTIMATED,
        "actions": actions,
    }
    if context["can_edit_checkin"]:
        context["checkin_form"] = bound_forms.get("checkin_form") or CheckInForm(instance=order)
    if context["can_edit_estimate"]:
        context["estimate_form"] = bound_forms.get("estimate_form") or EstimateForm(instance=order)
        context["line_form"] = bound_forms.get("line_form") or LineForm(order=order)
    if context["can_approve"]:
        context["approval_form"] = bound_forms.get("approval_form") or ApprovalForm(instance=order)
    if "transition_form" in bound_forms:
        context["transition_error"] = bound_forms["transition_form"]
    return context


class RepairOrderDetailView(DealerScopedObjectMixin, View):
    """The order's workspace: check-in, estimate and lines, approval, actions, timeline, history."""

    model = RepairOrder
    permission_required = "repairs.view_repairorder"
    template_name = "repairs/repair_order_detail.html"

    def get_order(self, pk: int) -> RepairOrder:
        related = ("dealer", "vehicle", "customer", "advisor", "diagnosed_by", "approval_recorded_by")
        return get_object_or_404(self.get_queryset().select_related(*related), pk=pk)

    def get(self, request, pk: int):
        return render(request, self.template_name, _workspace_context(request, self.get_order(pk)))


class RepairOrderFormPostView(RepairOrderDetailView):
    """Base of the order page's forms: validate, call the service, re-show the page with errors if any."""

    permission_required = "repairs.advise_repairorder"
    write_scope = True
    form_name = ""

    def build_form(self, order: RepairOrder, data):
        raise NotImplementedError

    def save(self, order: RepairOrder, form) -> str:
        raise NotImplementedError

    def get(self, request, pk: int):
        return redirect("repairs:repair_order_detail", pk=pk)

    def post(self, request, pk: int):
        order = self.get_order(pk)
        form = self.build_form(order, request.POST)
        if form.is_valid():
            try:
                message = self.save(order, form)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, message)
                return redirect(order)
        order.refresh_from_db()
        context = _workspace_context(request, order, **{self.form_name: form})
        return render(request, self.template_name, context, status=400)


class CheckInView(RepairOrderFormPostView):
    form_name = "checkin_form"

    def build_form(self, order, data):
        return CheckInForm(data, instance=RepairOrder.objects.get(pk=order.pk))

    def save(self, order, form):
        data = dict(form.cleaned_data)
        services.repair_order_update_checkin(order=order, by=self.request.user, version=data.pop("version"), **data)
        return _("Check-in saved.")


class EstimateView(RepairOrderFormPostView):
    form_name = "estimate_form"

    def build_form(self, order, data):
        return EstimateForm(data, instance=RepairOrder.objects.get(pk=order.pk))

    def save(self, order, form):
        data = dict(form.cleaned_data)
        services.repair_order_update_estimate(order=order, by=self.request.user, version=data.pop("version"), **data)
        return _("Estimate saved.")


class LineAddView(RepairOrderFormPostView):
    form_name = "line_form"

    def build_form(self, order, data):
        return LineForm(data, order=order)

    def save(self, order, form):
        data = dict(form.cleaned_data)
        if data.get("unit_price") is None:
            data.pop("unit_price", None)
        line = services.repair_order_add_line(order=order, by=self.request.user, **data)
        return _("Line “%(line)s” added.") % {"line": line.description}


class LineRemoveView(DealerScopedObjectMixin, View):
    model = RepairOrderLine
    permission_required = "repairs.delete_repairorderline"
    write_scope = True

    def post(self, request, pk: int):
        line = get_object_or_404(self.get_queryset().select_related("order__dealer"), pk=pk)
        try:
            services.repair_order_remove_line(line=line, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Line removed."))
        return redirect(line.order)


class ApprovalView(RepairOrderFormPostView):
    form_name = "approval_form"

    def build_form(self, order, data):
        return ApprovalForm(data, instance=RepairOrder.objects.get(pk=order.pk))

    def save(self, order, form):
        data = dict(form.cleaned_data)
        services.repair_order_record_approval(order=order, by=self.request.user, version=data.pop("version"), **data)
        return _("Customer approval recorded.")


class TransitionView(RepairOrderFormPostView):
    """One button of the order page: a state-machine action with an optional note."""

    permission_required = "repairs.view_repairorder"  # each action checks its own permission
    form_name = "transition_form"

    def build_form(self, order, data):
        return TransitionForm(data)

    def save(self, order, form):
        data = form.cleaned_data
        services.repair_order_transition(
            order=order, action=data["action"], by=self.request.user, version=data["version"], note=data["note"]
        )
        transition = TRANSITIONS.get(data["action"])
        return _("Done: %(action)s.") % {"action": transition.label if transition else data["action"]}
