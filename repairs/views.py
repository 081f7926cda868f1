"""Pages of the service desk: repair-order list, opening an order, and the order's workspace."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import FormView, View

from core.forms import apply_service_errors
from core.history import history_entries
from core.lists import FilteredListView
from core.mixins import (
    DealerScopedObjectMixin,
    RecordActionView,
    RecordFormView,
    RecordPageView,
    ScopedRecordMixin,
)
from core.permissions import allowed
from core.tenancy import dealer_ids_for
from core.uploads import CONTENT_TYPES
from customers.models import Vehicle
from organization.models import Dealer
from repairs import comebacks, planning, selectors, services
from repairs.choices import DecisionMethod, DocumentReceived, PauseReason, RepairOrderStatus
from repairs.filtersets import RepairOrderFilterSet
from repairs.forms import (
    AdditionDecisionForm,
    AdditionRaiseForm,
    ApprovalForm,
    AssignForm,
    BayForm,
    BayPlaceForm,
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
from repairs.models import ComebackDismissal, RepairOrder, RepairOrderLine, RepairOrderPhoto, WorkshopBay
from repairs.services import EDITABLE_ESTIMATE
from repairs.state import ADVISE, DISPATCH, INSPECT, REPAIR_STATES, WORK, button_actions, checkin_gaps, workshop_lines

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
    """Whom the order's jobs may be dispatched to from the page: the dealer's crew (``planning.crew``)."""
    return planning.crew(dealer_id=order.dealer_id)


def _qc_form(order: RepairOrder, data=None, **kwargs) -> QcForm:
    """The QC form of the order: its job type's checklist and its workshop jobs (to mark for rework)."""
    jobs = workshop_lines(order).select_related("technician").order_by("position", "id")
    return QcForm(data, checklist=services.qc_checklist(order), jobs=jobs, **kwargs)


def _workspace_context(request, order: RepairOrder, **bound_forms) -> dict:
    """Everything the order page shows; ``bound_forms`` replace the blank forms to show errors."""
    user = request.user
    can_write = allowed(user, dealer=order.dealer_id)
    advise = can_write and user.has_perm(ADVISE)
    in_workshop = order.status in services.WORKSHOP_STATUSES
    lines = list(selectors.repair_order_lines(order=order))
    additions = list(order.additions.select_related("raised_by", "contacted_by", "decision_recorded_by"))
    for addition in additions:  # the price the customer decides on: the item's lines, total with VAT
        addition.quote_lines = [line for line in lines if line.addition_id == addition.pk]
        addition.quote = services.addition_totals(addition=addition, order=order, lines=addition.quote_lines)
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
        "documents_received": DocumentReceived.labels_of(order.documents_received),
        "timeline": selectors.repair_order_timeline(order=order),
        "inspections": selectors.qc_inspections(order=order),
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
        context["crew"] = planning.technician_days(dealer=order.dealer)  # hours, skills, certificates, C4 warning
    if context["can_raise_addition"]:
        context["addition_form"] = bound_forms.get("addition_form") or AdditionRaiseForm(order=order)
    if context["can_inspect"]:
        context["qc_form"] = bound_forms.get("qc_form") or _qc_form(order, initial={"version": order.version})
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
        return AdditionRaiseForm(data, order=order)

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
        return _qc_form(order, data)

    def save(self, order, form):
        inspection = services.repair_order_qc_record(
            order=order, by=self.request.user, version=form.cleaned_data["version"], results=form.results(),
            failed_lines=form.failed_lines(), failure_reasons=form.cleaned_data["failure_reasons"],
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


def _board_context(request, *, tv: bool = False) -> dict:
    """The workshop board: orders by stage with their jobs, promise flags and bay, and the bays with what is on
    them; the foreman's bay forms unless ``tv`` (the wall screen is read-only)."""
    user = request.user
    dealer = request.GET.get("dealer", "")
    dealer_id = int(dealer) if dealer.isdigit() else None
    now = timezone.now()
    orders = selectors.workshop_board(user=user, dealer_id=dealer_id, now=now)
    bays = planning.workshop_bays(user=user, dealer_id=dealer_id)
    on_bay = planning.bays_by_order(bays)
    writable = dealer_ids_for(user, write=True)
    can_plan = not tv and user.has_perm(DISPATCH)
    free_bays = [bay for bay in bays if bay.occupancy is None]
    for order in orders:
        order.bay = on_bay.get(order.pk)
        order.can_plan = can_plan and (writable is None or order.dealer_id in writable)
        order.free_bays = [b for b in free_bays if b.dealer_id == order.dealer_id] if order.can_plan else []
        order.may_take_bay = order.status in planning.OCCUPYING_STATUSES
    for bay in bays:
        bay.can_plan = can_plan and (writable is None or bay.dealer_id in writable)
    columns = [
        (status, label, [o for o in orders if o.status == status])
        for status, label in RepairOrderStatus.choices
        if status in selectors.WORKSHOP_BOARD_STATUSES
    ]
    dealers = list(Dealer.objects.for_user(user).only("id", "code", "name", "service_bays"))
    if bays:
        bay_count, in_bays = len(bays), len(on_bay)
    else:  # no named bays yet: the dealer's number of bays and the cars in repair
        bay_count = sum(d.service_bays for d in dealers if not dealer_id or d.pk == dealer_id)
        in_bays = sum(1 for o in orders if o.status in (RepairOrderStatus.DISPATCHED, RepairOrderStatus.IN_REPAIR))
    return {
        "columns": columns, "dealers": dealers, "dealer": dealer, "in_bays": in_bays, "bays": bay_count,
        "workshop_bays": bays, "now": now, "tv": tv,
        "at_risk": sum(1 for o in orders if o.promise_at_risk), "overdue": sum(1 for o in orders if o.promise_overdue),
        "refresh_seconds": BOARD_REFRESH_SECONDS,
    }  # fmt: skip


BOARD_REFRESH_SECONDS = 30


class WorkshopBoardView(DealerScopedObjectMixin, View):
    """The foreman's board: cars in the workshop by stage, their jobs, technicians, promises and bays; it refreshes
    itself (htmx polls its body every ``BOARD_REFRESH_SECONDS``)."""

    model = RepairOrder
    permission_required = "repairs.view_repairorder"
    template_name = "repairs/workshop_board.html"
    body_template = "repairs/_workshop_board_body.html"
    tv = False

    def get(self, request):
        if request.GET.get("tv") == "1" and not self.tv:
            query = request.GET.copy()
            query.pop("tv")
            return redirect(reverse("repairs:workshop_tv") + (f"?{query.urlencode()}" if query else ""))
        context = _board_context(request, tv=self.tv)
        return render(request, self.body_template if request.htmx else self.template_name, context)


class WorkshopTvView(WorkshopBoardView):
    """The board on the workshop's wall screen: full screen, large type, no menu, read-only, refreshing itself."""

    template_name = "repairs/workshop_tv.html"
    tv = True


class BayPlaceView(RecordActionView):
    """The foreman puts an order on a bay (from the board)."""

    model = RepairOrder
    permission_required = DISPATCH
    form_class = BayPlaceForm

    def success_url(self, record) -> str:
        return reverse("repairs:workshop_board")

    def act(self, record, data: dict) -> str:
        bay = get_object_or_404(planning.bay_list(user=self.request.user), pk=data["bay"])
        planning.bay_place(bay=bay, order=record, by=self.request.user)
        return _("%(plate)s is on bay %(bay)s.") % {"plate": record.vehicle.plate or record.vehicle.vin, "bay": bay}

    related = ("vehicle",)


class BayReleaseView(RecordActionView):
    """The foreman frees a bay: the car on it left."""

    model = WorkshopBay
    permission_required = DISPATCH

    def success_url(self, record) -> str:
        return reverse("repairs:workshop_board")

    def act(self, record, data: dict) -> str:
        planning.bay_release(bay=record, by=self.request.user)
        return _("Bay %(bay)s is free.") % {"bay": record}


class BayListView(DealerScopedObjectMixin, View):
    """The service manager keeps the workshop's bays: code, name, kind, order on the board, in service or not."""

    model = WorkshopBay
    permission_required = planning.CHANGE_BAY
    write_scope = True
    template_name = "repairs/bay_list.html"

    def get(self, request):
        bays = self.get_queryset().select_related("dealer").order_by("dealer__code", "position", "code")
        can_add = request.user.has_perm(planning.ADD_BAY) and Dealer.objects.for_user(request.user, write=True).exists()
        return render(request, self.template_name, {"bays": bays, "can_add": can_add})


class BayFormView(DealerScopedObjectMixin, View):
    """Add a bay (no ``pk``) or change one of the user's dealers (another dealer's is a 404)."""

    model = WorkshopBay
    permission_required = planning.CHANGE_BAY
    write_scope = True
    template_name = "repairs/bay_form.html"

    def form_for(self, request, pk, data=None):
        if pk is None:
            dealers = Dealer.objects.for_user(request.user, write=True).order_by("code")
            return None, BayForm(data, dealers=dealers)
        bay = get_object_or_404(self.get_queryset().select_related("dealer"), pk=pk)
        return bay, BayForm(data, instance=WorkshopBay.objects.get(pk=bay.pk))

    def get(self, request, pk=None):
        bay, form = self.form_for(request, pk)
        return render(request, self.template_name, {"form": form, "bay": bay})

    def post(self, request, pk=None):
        bay, form = self.form_for(request, pk, request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            dealer = data.pop("dealer", None) or bay.dealer
            try:
                saved = planning.bay_save(by=request.user, dealer=dealer, bay=bay, **data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Bay %(bay)s saved.") % {"bay": saved})
                return redirect("repairs:bay_list")
        return render(request, self.template_name, {"form": form, "bay": bay}, status=400)


class QcQueueView(DealerScopedObjectMixin, View):
    """The QC inspector's queue: the orders waiting for QC, oldest request first, with their promised time."""

    model = RepairOrder
    permission_required = INSPECT
    template_name = "repairs/qc_queue.html"

    def get(self, request):
        dealer = request.GET.get("dealer", "")
        orders = planning.qc_queue(user=request.user, dealer_id=int(dealer) if dealer.isdigit() else None)
        dealers = Dealer.objects.for_user(request.user, write=True).only("id", "code", "name")
        return render(request, self.template_name, {"orders": orders, "dealers": dealers, "dealer": dealer})


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
