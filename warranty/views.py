"""Pages of warranty claims: list and Excel report, create from a repair order, detail with actions, report."""

from __future__ import annotations

from datetime import time

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import View

from core.dates import local_moment
from core.exports import xlsx_response
from core.forms import apply_service_errors
from core.history import history_entries
from core.lists import FilteredListMixin, FilteredListView
from core.mixins import DealerScopedObjectMixin, RecordFormView, RecordPageView
from core.permissions import allowed
from repairs.models import RepairOrder
from warranty import selectors, services
from warranty.choices import ClaimStatus
from warranty.filtersets import WarrantyClaimFilterSet
from warranty.forms import (
    ClaimCreateForm,
    ClaimDecisionForm,
    ClaimEditForm,
    ClaimPaymentForm,
    ClaimSubmitForm,
    OrderLookupForm,
)
from warranty.models import WarrantyClaim
from warranty.state import CLAIM_STATES


class ClaimFiltersMixin(FilteredListMixin):
    """The claims of the list, export and report: WarrantyClaimFilterSet over the user's dealers' claims."""

    filterset_class = WarrantyClaimFilterSet

    def get_base_queryset(self):
        return selectors.claim_list(user=self.request.user)

    def filter_context(self) -> dict:
        return {**super().filter_context(), "statuses": ClaimStatus.choices}


class ClaimListView(ClaimFiltersMixin, FilteredListView):
    model = WarrantyClaim
    permission_required = "warranty.view_warrantyclaim"
    template_name = "warranty/claim_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["totals"] = selectors.claim_totals_by_status(self.object_list)
        context["can_create"] = self.request.user.has_perm(services.ADD)
        return context


class ClaimExportView(DealerScopedObjectMixin, ClaimFiltersMixin, View):
    """The claims report in Excel: one row per claim, then the totals per status."""

    model = WarrantyClaim
    permission_required = "warranty.view_warrantyclaim"
    max_rows = 100_000

    def get(self, request):
        claims = self.filtered_queryset()
        header = [
            _("Dealer"), _("Claim number"), _("RO number"), _("VIN"), _("Brand"), _("Status"), _("Coverage"),
            _("Failure code"), _("Causal part number"), _("Causal part name"), _("Mileage at repair (km)"),
            _("Repair date"), _("In warranty"), _("Labour"), _("Parts"), _("Sundry"), _("Claimed total"),
            _("Approved amount"), _("Paid amount"), _("Submitted at"), _("Decided at"), _("Paid at"),
            _("Rejection reason"),
        ]  # fmt: skip

        def when(value):
            return timezone.localtime(value).replace(tzinfo=None) if value else None

        def rows():
            for c in claims[: self.max_rows]:
                yield [
                    c.dealer.code, c.number, c.repair_order.number, c.vehicle.vin, c.vehicle.brand,
                    c.get_status_display(), c.get_coverage_display(), c.failure_code, c.causal_part_number,
                    c.causal_part_name, c.mileage_at_repair, c.repair_date,
                    "" if c.in_warranty is None else (_("yes") if c.in_warranty else _("no")),
                    c.labour_amount, c.parts_amount, c.sundry_amount, c.total_amount, c.approved_amount,
                    c.paid_amount, when(c.submitted_at), when(c.decided_at), when(c.paid_at), c.rejection_reason,
                ]  # fmt: skip
            yield []
            yield [_("Totals per status"), _("Claims"), _("Claimed total"), _("Approved amount"), _("Paid amount")]
            for row in selectors.claim_totals_by_status(claims):
                yield [str(row["label"]), row["count"], row["claimed"], row["approved"], row["paid"]]

        return xlsx_response(
            filename="warranty-claims.xlsx", sheet_title=_("Warranty claims"), header=header, rows=rows()
        )


class ClaimReportView(DealerScopedObjectMixin, ClaimFiltersMixin, View):
    """Counts and amounts by status, by month of submission and by failure code."""

    model = WarrantyClaim
    permission_required = "warranty.view_warrantyclaim"
    template_name = "warranty/claim_report.html"

    def get(self, request):
        report = selectors.claims_report(claims=self.filtered_queryset())
        return render(request, self.template_name, {**report, **self.filter_context()})


class ClaimCreateView(DealerScopedObjectMixin, View):
    """Create a claim from a repair order, found by its number (?ro=) or id (?order=)."""

    model = WarrantyClaim
    permission_required = "warranty.add_warrantyclaim"
    write_scope = True
    template_name = "warranty/claim_create.html"

    def find_order(self, params) -> tuple[RepairOrder | None, OrderLookupForm]:
        orders = RepairOrder.objects.for_user(self.request.user, write=True).select_related("vehicle", "dealer")
        order_id = params.get("order", "")
        if order_id:
            if not order_id.isdigit():
                raise Http404
            return get_object_or_404(orders, pk=order_id), OrderLookupForm()
        lookup = OrderLookupForm(params if "ro" in params else None)
        if lookup.is_valid():
            order = orders.filter(number=lookup.cleaned_data["ro"].strip().upper()).first()
            if order is None:
                lookup.add_error("ro", _("No repair order with this number at your dealers."))
            return order, lookup
        return None, lookup

    def render_page(self, order, lookup, form=None, status=200):
        context = {"order": order, "lookup": lookup}
        if order is not None:
            claimable = list(services.claimable_lines(order=order))
            context["claimable"] = claimable
            context["form"] = form or ClaimCreateForm(claimable=claimable)
            context["order_claimable"] = order.status in services.CLAIMABLE_ORDER_STATUSES
            context["check"] = services.warranty_status(
                order.vehicle, timezone.localdate(order.arrived_at), order.odometer_km
            )
            context["existing"] = order.warranty_claims.order_by("-created_at")
        return render(self.request, self.template_name, context, status=status)

    def get(self, request):
        order, lookup = self.find_order(request.GET)
        return self.render_page(order, lookup)

    def post(self, request):
        order, lookup = self.find_order(request.POST)
        if order is None:
            return self.render_page(None, lookup, status=400)
        form = ClaimCreateForm(request.POST, claimable=list(services.claimable_lines(order=order)))
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                claim = services.claim_create_from_order(
                    order=order, line_ids=data.pop("lines"), by=request.user, **data
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Claim %(number)s drafted.") % {"number": claim.number})
                return redirect(claim)
        return self.render_page(order, lookup, form=form, status=400)


def _detail_context(request, claim: WarrantyClaim, **bound_forms) -> dict:
    """Everything the claim page shows; ``bound_forms`` replace the blank forms to show errors."""
    user = request.user
    can_write = allowed(user, dealer=claim.dealer_id)
    version = {"version": claim.version}
    context = {
        "object": claim,
        "lines": claim.lines.select_related("addition").order_by("position", "id"),
        "check": services.claim_warranty_status(claim) if claim.status == ClaimStatus.DRAFT else None,
        "history": history_entries(claim),
    }
    if can_write and claim.status == ClaimStatus.DRAFT and user.has_perm("warranty.change_warrantyclaim"):
        context["edit_form"] = bound_forms.get("edit_form") or ClaimEditForm(instance=claim)
    if can_write and CLAIM_STATES.can(claim, "submit", user):
        context["submit_form"] = bound_forms.get("submit_form") or ClaimSubmitForm(initial=version)
    if can_write and CLAIM_STATES.can(claim, "approve", user):
        context["decision_form"] = bound_forms.get("decision_form") or ClaimDecisionForm(
            initial={**version, "approved_amount": claim.total_amount}
        )
    if can_write and CLAIM_STATES.can(claim, "mark_paid", user):
        context["payment_form"] = bound_forms.get("payment_form") or ClaimPaymentForm(
            initial={**version, "paid_amount": claim.approved_amount, "paid_on": timezone.localdate()}
        )
    if can_write and claim.status == ClaimStatus.DRAFT and user.has_perm(services.DELETE):
        context["can_delete"] = True
    return context


class ClaimDetailView(RecordPageView):
    model = WarrantyClaim
    permission_required = "warranty.view_warrantyclaim"
    template_name = "warranty/claim_detail.html"
    related = ("dealer", "repair_order", "vehicle", "created_by", "submitted_by", "decided_by", "paid_by")

    def page_context(self, record, **bound_forms) -> dict:
        return _detail_context(self.request, record, **bound_forms)


class ClaimFormPostView(RecordFormView, ClaimDetailView):
    """Base of the claim page's forms."""


class ClaimEditView(ClaimFormPostView):
    form_name = "edit_form"

    def build_form(self, claim, data):
        return ClaimEditForm(data, instance=WarrantyClaim.objects.get(pk=claim.pk))

    def save(self, claim, form):
        data = dict(form.cleaned_data)
        services.claim_update(claim=claim, by=self.request.user, version=data.pop("version"), **data)
        return _("Claim saved.")


class ClaimSubmitView(ClaimFormPostView):
    form_name = "submit_form"

    def build_form(self, claim, data):
        return ClaimSubmitForm(data)

    def save(self, claim, form):
        services.claim_submit(claim=claim, by=self.request.user, version=form.cleaned_data["version"])
        return _("Claim submitted to the maker.")


class ClaimDecideView(ClaimFormPostView):
    form_name = "decision_form"

    def build_form(self, claim, data):
        return ClaimDecisionForm(data)

    def save(self, claim, form):
        data = form.cleaned_data
        approved = data["decision"] == "approve"
        services.claim_decide(
            claim=claim, by=self.request.user, version=data["version"], approved=approved,
            approved_amount=data["approved_amount"], rejection_reason=data["rejection_reason"],
        )  # fmt: skip
        return _("Approval recorded.") if approved else _("Rejection recorded.")


class ClaimPaymentView(ClaimFormPostView):
    form_name = "payment_form"

    def build_form(self, claim, data):
        return ClaimPaymentForm(data)

    def save(self, claim, form):
        data = form.cleaned_data
        paid_at = None
        if data["paid_on"] and data["paid_on"] != timezone.localdate():
            paid_at = local_moment(data["paid_on"], time(12))
        services.claim_mark_paid(
            claim=claim, by=self.request.user, version=data["version"], paid_amount=data["paid_amount"],
            paid_at=paid_at,
        )  # fmt: skip
        return _("Payment recorded.")


class ClaimDeleteView(ClaimFormPostView):
    form_name = "submit_form"

    def build_form(self, claim, data):
        return ClaimSubmitForm(data)

    def save(self, claim, form):
        services.claim_delete(claim=claim, by=self.request.user, version=form.cleaned_data["version"])
        return _("Draft claim %(number)s discarded.") % {"number": claim.number}

    def success_url(self, claim):
        return reverse("warranty:claim_list")
