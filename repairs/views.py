"""Pages of the service desk: repair-order list, opening an order, and the order's workspace."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import FormView, View

from accounts.models import User
from core.forms import apply_service_errors
from core.history import history_entries
from core.lists import FilteredListView
from core.mixins import (
    DealerScopedObjectMixin,
    RecordFormView,
    RecordPageView,
    ScopedRecordMixin,
)
from core.permissions import allowed
from core.uploads import CONTENT_TYPES
from customers.models import Vehicle
from organization.models import Dealer
from repairs import comebacks, hooks, selectors, services
from repairs.choices import DecisionMethod, PauseReason, RepairOrderStatus
from repairs.filtersets import RepairOrderFilterSet
from repairs.forms import (
    AdditionDecisionForm,
    AdditionRaiseForm,
    ApprovalForm,
    AssignForm,
    CheckInForm,
    ClockForm,
    ComebackDismissForm,
    ComebackForm,
    ComebackRestoreForm,
    DeliveryForm,
    EstimateForm,
    LineForm,
    PhotoForm,
    QcForm,
    RepairOrderOpenForm,
    TransitionForm,
)
from repairs.models import ComebackDismissal, RepairOrder, RepairOrderLine, RepairOrderPhoto
from repairs.services import EDITABLE_ESTIMATE
from repairs.state import ADVISE, DISPATCH, REPAIR_STATES, WORK, button_actions, checkin_gaps

COMEBACK_HINTS = 10  # recent visits shown at reception (a vehicle rarely has more within 30 days)


class RepairOrderListView(FilteredListView):
    model = RepairOrder
    permission_required = "repairs.view_repairorder"
    template_name = "repairs/repair_order_list.html"
    filterset_class = RepairOrderFilterSet
    refused_is_404 = ()  # another dealer's id: the form's message over an empty list, as before

    def get_base_queryset(self):
        return selectors.repair_order_list(user=self.request.user)

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


def _technicians(order: RepairOrder):
    """Technicians who may be dispatched at the order's dealer."""
    return (
        User.objects.filter(dealer_memberships__dealer_id=order.dealer_id, is_active=True)
        .filter(Q(groups__permissions__codename="work_repairorder") | Q(is_superuser=True))
        .distinct()
        .order_by("username")
    )


def _workspace_context(request, order: RepairOrder, **bound_forms) -> dict:
    """Everything the order page shows; ``bound_forms`` replace the blank forms to show errors."""
    user = request.user
    can_write = allowed(user, dealer=order.dealer_id)
    advise = can_write and user.has_perm(ADVISE)
    in_workshop = order.status in services.WORKSHOP_STATUSES
    lines = list(selectors.repair_order_lines(order=order))
    additions = list(order.additions.select_related("raised_by", "contacted_by", "decision_recorded_by"))
    actions = [
        {"transition": t, "form": TransitionForm(initial={"action": t.action, "version": order.version})}
        for t in (button_actions(order, user) if can_write else [])
    ]
    context = {
        "object": order,
        "lines": lines,
        "waiting_for_parts": any(line.parts_status == "special_order" for line in lines),
        "additions": additions,
        "totals": services.repair_order_totals(order=order),
        "checkin_gaps": checkin_gaps(order),
        "timeline": selectors.repair_order_timeline(order=order),
        "inspections": order.inspections.select_related("inspector"),
        "history": history_entries(order),
        "can_edit_checkin": advise and order.status in services.EDITABLE_CHECKIN,
        "can_edit_estimate": advise and order.status in EDITABLE_ESTIMATE,
        "can_approve": can_write and REPAIR_STATES.can(order, "approve", user),
        "can_dispatch": can_write and in_workshop and user.has_perm(DISPATCH),
        "can_work": can_write and order.status in services.CLOCK_STATUSES
        and user.has_perm(WORK),
        "can_raise_addition": can_write and in_workshop and (user.has_perm(WORK) or user.has_perm(ADVISE)),
        "can_decide_addition": advise,
        "can_inspect": can_write and REPAIR_STATES.can(order, "qc_pass", user),
        "can_deliver": can_write and REPAIR_STATES.can(order, "deliver", user),
        # Comebacks (B1): reception hints on this visit, later visits that came back about this one, every mark.
        "comeback_candidates": list(comebacks.comeback_candidates(order=order)[:COMEBACK_HINTS]),
        "revisits": list(comebacks.revisits_of(order=order)),
        "comeback_dismissals": list(
            ComebackDismissal.objects.filter(Q(original=order) | Q(revisit=order)).select_related(
                "original", "revisit", "dismissed_by", "revoked_by"
            )
        ),
        "can_mark_comebacks": advise,
        "actions": actions,
        "version": order.version,
        "pause_reasons": PauseReason.choices,
        "decision_methods": DecisionMethod.choices,
    }  # fmt: skip
    context["photos"] = list(order.photos.select_related("uploaded_by"))
    if can_write and order.status not in services.NO_PHOTO_STATUSES:
        context["photo_form"] = bound_forms.get("photo_form") or PhotoForm()
    if context["can_edit_checkin"]:
        context["checkin_form"] = bound_forms.get("checkin_form") or CheckInForm(instance=order)
    if context["can_edit_estimate"]:
        context["estimate_form"] = bound_forms.get("estimate_form") or EstimateForm(instance=order)
        context["line_form"] = bound_forms.get("line_form") or LineForm(order=order)
    if context["can_approve"]:
        context["approval_form"] = bound_forms.get("approval_form") or ApprovalForm(instance=order)
    if context["can_dispatch"]:
        uncertified = set().union(*hooks.run("uncertified_technicians", dealer_id=order.dealer_id))
        context["technicians"] = list(_technicians(order))
        for technician in context["technicians"]:
            technician.uncertified = technician.pk in uncertified  # C4: warn before dispatching
    if context["can_raise_addition"]:
        context["addition_form"] = bound_forms.get("addition_form") or AdditionRaiseForm()
    if context["can_inspect"]:
        context["qc_form"] = bound_forms.get("qc_form") or QcForm(
            checklist=services.qc_checklist(order), initial={"version": order.version}
        )
    if context["can_deliver"]:
        context["next_service"] = proposal = services.next_service_proposal(order, timezone.localdate())
        context["delivery_form"] = bound_forms.get("delivery_form") or DeliveryForm(
            initial={"version": order.version, "next_service_due_date": proposal["due_on"],
                     "next_service_due_km": proposal["due_km"]}
        )  # fmt: skip
    for name in (
        "transition_form", "assign_form", "clock_form", "decision_form", "comeback_form", "comeback_dismiss_form",
        "comeback_restore_form",
    ):  # fmt: skip
        if name in bound_forms:
            context["action_errors"] = bound_forms[name]
    return context


class RepairOrderDetailView(RecordPageView):
    """The order's workspace: check-in, estimate and lines, approval, actions, timeline, history."""

    model = RepairOrder
    permission_required = "repairs.view_repairorder"
    template_name = "repairs/repair_order_detail.html"
    related = ("dealer", "vehicle", "customer", "advisor", "diagnosed_by", "approval_recorded_by", "comeback_of")

    def page_context(self, record, **bound_forms) -> dict:
        return _workspace_context(self.request, record, **bound_forms)


class RepairOrderFormPostView(RecordFormView, RepairOrderDetailView):
    """Base of the order page's forms (the service desk's unless a view says otherwise)."""

    permission_required = "repairs.advise_repairorder"


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
        return _("Done: %(action)s.") % {"action": REPAIR_STATES[data["action"]].label}


class AssignView(RepairOrderFormPostView):
    permission_required = "repairs.dispatch_repairorder"
    form_name = "assign_form"

    def build_form(self, order, data):
        return AssignForm(data, technicians=_technicians(order))

    def save(self, order, form):
        line = get_object_or_404(order.lines, pk=form.cleaned_data["line"])
        services.repair_order_assign(line=line, technician=form.cleaned_data["technician"], by=self.request.user)
        return _("%(job)s dispatched to %(who)s.") % {"job": line.description, "who": form.cleaned_data["technician"]}


class ClockView(RepairOrderFormPostView):
    permission_required = "repairs.work_repairorder"
    form_name = "clock_form"

    def build_form(self, order, data):
        return ClockForm(data)

    def save(self, order, form):
        data = form.cleaned_data
        line = get_object_or_404(order.lines, pk=data["line"])
        if data["step"] == "on":
            services.labour_clock_on(line=line, by=self.request.user)
            return _("Clocked on %(job)s.") % {"job": line.description}
        services.labour_clock_off(
            line=line, by=self.request.user, finished=data["step"] == "done", pause_reason=data["pause_reason"]
        )
        return _("Clocked off %(job)s.") % {"job": line.description}


class AdditionRaiseView(RepairOrderFormPostView):
    permission_required = "repairs.view_repairorder"  # the service lets the workshop and the desk raise items
    form_name = "addition_form"

    def build_form(self, order, data):
        return AdditionRaiseForm(data)

    def save(self, order, form):
        data = form.cleaned_data
        services.addition_raise(
            order=order, by=self.request.user, description=data["description"], reason=data["reason"],
            lines=form.lines(),
        )  # fmt: skip
        return _("Additional item raised: the service advisor will ask the customer.")


class AdditionContactView(RepairOrderFormPostView):
    form_name = "decision_form"

    def build_form(self, order, data):
        return AdditionDecisionForm(data)

    def post(self, request, pk: int):
        order = self.get_record(pk)
        addition = get_object_or_404(order.additions, pk=request.POST.get("addition"))
        try:
            services.addition_contact(addition=addition, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Marked as contacted; record the decision when the customer answers."))
        return redirect(order)


class AdditionDecideView(RepairOrderFormPostView):
    form_name = "decision_form"

    def build_form(self, order, data):
        return AdditionDecisionForm(data)

    def save(self, order, form):
        data = dict(form.cleaned_data)
        addition = get_object_or_404(order.additions, pk=data.pop("addition"))
        services.addition_decide(addition=addition, by=self.request.user, **data)
        return _("Customer's decision recorded.")


class QcView(RepairOrderFormPostView):
    permission_required = "repairs.inspect_repairorder"
    form_name = "qc_form"

    def build_form(self, order, data):
        return QcForm(data, checklist=services.qc_checklist(order))

    def save(self, order, form):
        inspection = services.repair_order_qc_record(
            order=order, by=self.request.user, version=form.cleaned_data["version"], results=form.results(),
            failure_reasons=form.cleaned_data["failure_reasons"],
        )  # fmt: skip
        return _("QC passed.") if inspection.passed else _("QC failed: back to the workshop.")


class DeliverView(RepairOrderFormPostView):
    form_name = "delivery_form"

    def build_form(self, order, data):
        return DeliveryForm(data)

    def save(self, order, form):
        data = dict(form.cleaned_data)
        settlement = services.repair_order_deliver(order=order, by=self.request.user, **data)
        return _("Delivered; statement %(number)s. Follow-up calls are scheduled.") % {
            "number": settlement.invoice_number
        }


class ComebackView(RepairOrderFormPostView):
    form_name = "comeback_form"

    def build_form(self, order, data):
        return ComebackForm(data)

    def save(self, order, form):
        earlier_pk = form.cleaned_data.get("earlier")
        earlier = (
            get_object_or_404(RepairOrder.objects.filter(dealer_id=order.dealer_id), pk=earlier_pk)
            if earlier_pk
            else None
        )
        services.repair_order_link_comeback(
            order=order, earlier=earlier, by=self.request.user, version=form.cleaned_data["version"]
        )
        return _("Comeback link saved.")


class ComebackDismissView(RepairOrderFormPostView):
    """Mark a revisit the system detected "not a comeback", from the page of either order of the pair."""

    form_name = "comeback_dismiss_form"

    def build_form(self, order, data):
        return ComebackDismissForm(data)

    def save(self, order, form):
        data = form.cleaned_data
        if order.pk not in (data["original"], data["revisit"]):
            raise Http404
        pair = {o.pk: o for o in self.get_queryset().filter(pk__in=[data["original"], data["revisit"]])}
        if len(pair) != 2 or data["original"] == data["revisit"]:
            raise Http404
        original, revisit = pair[data["original"]], pair[data["revisit"]]
        services.comeback_dismiss(original=original, revisit=revisit, reason=data["reason"], by=self.request.user)
        return _("Marked as not a comeback: %(revisit)s no longer counts against %(original)s.") % {
            "revisit": revisit.number, "original": original.number
        }  # fmt: skip


class ComebackRestoreView(RepairOrderFormPostView):
    """Undo a "not a comeback" shown on this order's page."""

    form_name = "comeback_restore_form"

    def build_form(self, order, data):
        return ComebackRestoreForm(data)

    def save(self, order, form):
        shown_here = ComebackDismissal.objects.filter(Q(original=order) | Q(revisit=order))
        dismissal = get_object_or_404(
            shown_here.select_related("original", "revisit"), pk=form.cleaned_data["dismissal"]
        )
        services.comeback_dismissal_revoke(dismissal=dismissal, by=self.request.user)
        return _("“Not a comeback” undone: %(revisit)s counts as a comeback of %(original)s again.") % {
            "revisit": dismissal.revisit.number, "original": dismissal.original.number
        }  # fmt: skip


class WorkshopBoardView(DealerScopedObjectMixin, View):
    """The foreman's board: cars in the workshop by stage, their jobs, technicians and bay occupancy."""

    model = RepairOrder
    permission_required = "repairs.view_repairorder"
    template_name = "repairs/workshop_board.html"

    def get(self, request):
        dealer = request.GET.get("dealer", "")
        orders = selectors.workshop_board(user=request.user, dealer_id=int(dealer) if dealer.isdigit() else None)
        columns = [
            (status, label, [o for o in orders if o.status == status])
            for status, label in RepairOrderStatus.choices
            if status in selectors.WORKSHOP_BOARD_STATUSES
        ]
        dealers = list(Dealer.objects.for_user(request.user).only("id", "code", "name", "service_bays"))
        in_bays = sum(1 for o in orders if o.status in (RepairOrderStatus.DISPATCHED, RepairOrderStatus.IN_REPAIR))
        bays = sum(d.service_bays for d in dealers if not dealer or str(d.pk) == dealer)
        context = {
            "columns": columns, "dealers": dealers, "dealer": dealer, "in_bays": in_bays, "bays": bays,
            "now": timezone.now(),
        }  # fmt: skip
        return render(request, self.template_name, context)


class MyJobsView(DealerScopedObjectMixin, View):
    """A technician's jobs (tablet page): clock on, pause or finish each."""

    model = RepairOrder
    permission_required = "repairs.work_repairorder"
    template_name = "repairs/my_jobs.html"

    def get(self, request):
        context = {"jobs": selectors.technician_jobs(user=request.user), "pause_reasons": PauseReason.choices}
        return render(request, self.template_name, context)


class PhotoUploadView(RepairOrderFormPostView):
    permission_required = "repairs.view_repairorder"  # the service decides who may add photos
    form_name = "photo_form"

    def build_form(self, order, data):
        return PhotoForm(data, self.request.FILES)

    def save(self, order, form):
        services.repair_order_add_photo(order=order, by=self.request.user, **form.cleaned_data)
        return _("Photo added.")


class PhotoView(DealerScopedObjectMixin, View):
    """A photo of an order, served only to users who may see that order (never a public media URL)."""

    model = RepairOrderPhoto
    permission_required = "repairs.view_repairorder"

    def get(self, request, pk: int):
        photo = get_object_or_404(self.get_queryset(), pk=pk)
        response = FileResponse(photo.image.open("rb"), content_type=CONTENT_TYPES[photo.extension])
        response["Cache-Control"] = "private, max-age=3600"
        response["X-Content-Type-Options"] = "nosniff"
        return response


class SignatureView(DealerScopedObjectMixin, View):
    """A customer's signature image of an order, served only within the dealer scope."""

    model = RepairOrder
    permission_required = "repairs.view_repairorder"
    fields = {"belongings": "belongings_signature", "approval": "approval_signature"}

    def get(self, request, pk: int, kind: str):
        order = get_object_or_404(self.get_queryset(), pk=pk)
        signature = getattr(order, self.fields.get(kind, ""), None)
        if not signature:
            raise Http404
        response = FileResponse(signature.open("rb"), content_type="image/png")
        response["Cache-Control"] = "private, max-age=3600"
        return response
