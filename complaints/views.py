"""Pages of complaints: list and Excel export, intake, detail with its forms, the manager's dashboard, crisis alerts."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.generic import View

from accounts.models import User
from complaints import selectors, services
from complaints.choices import Category, Severity, Status
from complaints.filtersets import ComplaintFilterSet, CrisisAlertFilterSet
from complaints.forms import (
    AcknowledgeForm,
    ComplaintIntakeForm,
    ComplaintUpdateForm,
    ContactForm,
    ReassignForm,
    ReopenForm,
    ResolveForm,
)
from complaints.models import Complaint, ComplaintContact, CrisisAlert
from complaints.state import COMPLAINT_STATES
from core.exports import xlsx_response
from core.forms import apply_service_errors
from core.history import history_entries
from core.lists import FilteredListMixin, FilteredListView
from core.mixins import DealerScopedObjectMixin, RecordActionView, RecordFormView, RecordPageView
from core.permissions import allowed
from customers.models import Vehicle
from organization.models import Dealer
from repairs.models import RepairOrder


def dealer_users(dealer_ids, *, owners_only: bool = False):
    """Active people working for these dealers (the owners: those whose role may own a complaint)."""
    users = User.objects.filter(is_active=True, dealer_memberships__dealer_id__in=list(dealer_ids))
    if owners_only:
        users = users.filter(groups__name__in=[str(r) for r in services.OWNER_ROLES])
    return users.distinct().order_by("username")


class ComplaintFiltersMixin(FilteredListMixin):
    """The complaints of the list and its export: ComplaintFilterSet over the user's dealers' complaints."""

    filterset_class = ComplaintFilterSet

    def get_base_queryset(self):
        return selectors.complaint_list(user=self.request.user)

    def filter_context(self) -> dict:
        context = super().filter_context()
        return {
            **context,
            "statuses": [("unresolved", _("Not resolved")), *Status.choices],
            "categories": Category.choices,
            "severities": Severity.choices,
            "owners": dealer_users(context["dealers"].values_list("id", flat=True), owners_only=True)[:200],
        }


class ComplaintListView(ComplaintFiltersMixin, FilteredListView):
    model = Complaint
    permission_required = "complaints.view_complaint"
    template_name = "complaints/complaint_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_create"] = self.request.user.has_perm(services.ADD)
        context["now"] = timezone.now()
        return context


class ComplaintExportView(DealerScopedObjectMixin, ComplaintFiltersMixin, View):
    """The complaint register in Excel: one row per complaint with its deadlines, times and outcome."""

    model = Complaint
    permission_required = "complaints.view_complaint"
    max_rows = 100_000

    def get(self, request):
        complaints = self.filtered_queryset().select_related("repair_order", "staff", "resolved_by")
        header = [
            _("Dealer"), _("Complaint number"), pgettext("complaint", "Received at"), pgettext("complaint", "Channel"),
            _("Category"), _("Severity"), _("Status"), _("Complainant"), _("Phone"), _("Plate"), _("RO number"),
            _("Staff member"), _("Received by"), pgettext("person responsible", "Owner"), _("First contact due"),
            _("First contact at"), _("Feedback due"), _("Feedback given at"), _("Resolution due"), _("Resolved at"),
            _("Customer agrees"), _("Escalation level"), _("Times reopened"), _("Root cause"), _("Corrective action"),
            pgettext("complaint", "Description"),
        ]  # fmt: skip

        def when(value):
            return timezone.localtime(value).replace(tzinfo=None) if value else None

        def yes_no(value):
            return "" if value is None else (_("yes") if value else _("no"))

        def rows():
            for c in complaints[: self.max_rows]:
                yield [
                    c.dealer.code, c.number, when(c.received_at), c.get_channel_display(), c.get_category_display(),
                    c.get_severity_display(), c.get_status_display(), c.contact_name, c.contact_phone,
                    c.vehicle.plate if c.vehicle else "", c.repair_order.number if c.repair_order else "",
                    str(c.staff) if c.staff else "", str(c.received_by), str(c.owner), when(c.first_contact_due_at),
                    when(c.first_contact_at), when(c.feedback_due_at), when(c.feedback_at), when(c.resolution_due_at),
                    when(c.resolved_at), yes_no(c.customer_agreed), c.get_escalation_level_display(), c.reopen_count,
                    c.root_cause, c.corrective_action, c.description,
                ]  # fmt: skip

        return xlsx_response(filename="complaints.xlsx", sheet_title=_("Complaints"), header=header, rows=rows())


class ComplaintCreateView(DealerScopedObjectMixin, View):
    """Intake: whoever takes the complaint registers it (first-person responsibility) and names an owner."""

    model = Complaint
    permission_required = "complaints.add_complaint"
    write_scope = True
    template_name = "complaints/complaint_create.html"

    def make_form(self, data=None):
        dealers = list(Dealer.objects.for_user(self.request.user, write=True).filter(is_active=True))
        ids = [d.pk for d in dealers]
        initial = {"owner": self.request.user.pk}
        return ComplaintIntakeForm(
            data,
            dealers=dealers,
            users=dealer_users(ids),
            owners=dealer_users(ids, owners_only=True),
            initial=initial,
        )

    def get(self, request):
        return render(request, self.template_name, {"form": self.make_form()})

    def post(self, request):
        form = self.make_form(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            dealer = Dealer.objects.for_user(request.user, write=True).get(pk=data.pop("dealer"))
            links = self.links(form, dealer, data.pop("plate").strip().upper(), data.pop("repair_order_number"))
            if not form.errors:
                users = User.objects.filter(dealer_memberships__dealer=dealer)
                staff_id, owner_id = data.pop("staff"), data.pop("owner")
                try:
                    complaint = services.complaint_open(
                        dealer=dealer,
                        by=request.user,
                        staff=users.filter(pk=staff_id).first() if staff_id else None,
                        owner=users.filter(pk=owner_id).first() if owner_id else None,
                        **links,
                        **data,
                    )
                except ValidationError as exc:
                    apply_service_errors(form, exc)
                except PermissionDenied as exc:
                    form.add_error(None, str(exc))
                else:
                    messages.success(request, _("Complaint %(number)s registered.") % {"number": complaint.number})
                    return redirect(complaint)
        return render(request, self.template_name, {"form": form}, status=400)

    def links(self, form, dealer, plate: str, ro_number: str) -> dict:
        """The vehicle (by plate or VIN) and repair order (by number) of the dealer, or a form error."""
        links = {}
        if ro_number.strip():
            order = RepairOrder.objects.filter(dealer=dealer, number=ro_number.strip().upper()).first()
            if order is None:
                form.add_error("repair_order_number", _("No repair order with this number at this dealer."))
            links["repair_order"] = order
        if plate:
            vehicle = Vehicle.objects.filter(dealer=dealer).filter(Q(plate=plate) | Q(vin=plate)).first()
            if vehicle is None:
                form.add_error("plate", _("No vehicle with this plate or VIN at this dealer."))
            links["vehicle"] = vehicle
        return links


def detail_context(request, complaint: Complaint, **bound_forms) -> dict:
    """Everything the complaint page shows; ``bound_forms`` replace the blank forms to show errors."""
    user = request.user
    can_write = allowed(user, dealer=complaint.dealer_id)
    version = {"version": complaint.version}
    context = {
        "object": complaint,
        "sla": selectors.sla_lines(complaint),
        "contacts": complaint.contacts.select_related("by").order_by("contacted_at", "id"),
        "events": complaint.events.select_related("by").order_by("at", "id"),
        "alerts": complaint.crisis_alerts.order_by("-raised_at"),
        "history": history_entries(complaint),
    }
    if can_write and COMPLAINT_STATES.can(complaint, "contact", user):
        context["contact_form"] = bound_forms.get("contact_form") or ContactForm(initial=version)
    if can_write and COMPLAINT_STATES.can(complaint, "resolve", user):
        context["resolve_form"] = bound_forms.get("resolve_form") or ResolveForm(
            initial={**version, "root_cause": complaint.root_cause, "corrective_action": complaint.corrective_action}
        )
    if can_write and COMPLAINT_STATES.can(complaint, "reassign", user):
        owners = dealer_users([complaint.dealer_id], owners_only=True).exclude(pk=complaint.owner_id)
        context["reassign_form"] = bound_forms.get("reassign_form") or ReassignForm(initial=version, owners=owners)
    if can_write and COMPLAINT_STATES.can(complaint, "reopen", user):
        context["reopen_form"] = bound_forms.get("reopen_form") or ReopenForm(initial=version)
    if can_write and user.has_perm(services.CHANGE):
        context["update_form"] = bound_forms.get("update_form") or ComplaintUpdateForm(
            initial={
                **version,
                "category": complaint.category,
                "severity": complaint.severity,
                "fault_category": complaint.fault_category,
                "staff": complaint.staff_id,
                "description": complaint.description,
            },
            users=dealer_users([complaint.dealer_id]),
        )
    return context


class ComplaintDetailView(RecordPageView):
    model = Complaint
    permission_required = "complaints.view_complaint"
    template_name = "complaints/complaint_detail.html"
    related = (
        "dealer", "customer", "vehicle", "repair_order", "staff", "received_by", "owner", "resolved_by",
    )  # fmt: skip

    def page_context(self, record, **bound_forms) -> dict:
        return detail_context(self.request, record, **bound_forms)


class ComplaintFormPostView(RecordFormView, ComplaintDetailView):
    """Base of the complaint page's forms."""


class ComplaintContactView(ComplaintFormPostView):
    permission_required = "complaints.add_complaintcontact"
    form_name = "contact_form"

    def build_form(self, complaint, data):
        return ContactForm(data, self.request.FILES)

    def save(self, complaint, form):
        data = form.cleaned_data
        contact = services.complaint_log_contact(
            complaint=complaint, by=self.request.user, channel=data["channel"], summary=data["summary"],
            contacted_at=data["contacted_at"], is_feedback=data["is_feedback"], letter=data["letter"],
            version=data["version"],
        )  # fmt: skip
        if contact.is_first_contact:
            return _("First contact logged.")
        return _("Contact logged.")


class ComplaintLetterView(DealerScopedObjectMixin, View):
    """A contact's reply letter, served only to users who may read the complaint (never a public media URL)."""

    model = ComplaintContact
    permission_required = "complaints.view_complaint"

    def get(self, request, pk: int):
        contact = get_object_or_404(self.get_queryset().exclude(letter=""), pk=pk)
        content_type = services.LETTER_UPLOAD.content_type(contact.letter.name)
        try:
            handle = contact.letter.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        extension = contact.letter.name.rsplit(".", 1)[-1] if content_type else "bin"
        filename = f"letter-{contact.pk}.{extension}"
        # Only the checked types are shown in the browser; anything else (a file kept from before the check)
        # is a download of opaque bytes, so it can never run as a page of this site.
        response = FileResponse(
            handle,
            content_type=content_type or "application/octet-stream",
            as_attachment=content_type is None,
            filename=filename,
        )
        response["Cache-Control"] = "private, max-age=3600"
        response["X-Content-Type-Options"] = "nosniff"
        return response


class ComplaintResolveView(ComplaintFormPostView):
    permission_required = services.RESOLVE
    form_name = "resolve_form"

    def build_form(self, complaint, data):
        return ResolveForm(data)

    def save(self, complaint, form):
        data = dict(form.cleaned_data)
        services.complaint_resolve(complaint=complaint, by=self.request.user, **data)
        return _("Complaint resolved.")


class ComplaintReopenView(ComplaintFormPostView):
    permission_required = services.RESOLVE
    form_name = "reopen_form"

    def build_form(self, complaint, data):
        return ReopenForm(data)

    def save(self, complaint, form):
        services.complaint_reopen(complaint=complaint, by=self.request.user, **form.cleaned_data)
        return _("Complaint reopened.")


class ComplaintReassignView(ComplaintFormPostView):
    permission_required = services.RESOLVE
    form_name = "reassign_form"

    def build_form(self, complaint, data):
        return ReassignForm(data, owners=dealer_users([complaint.dealer_id], owners_only=True))

    def save(self, complaint, form):
        data = dict(form.cleaned_data)
        owner = User.objects.get(pk=data.pop("owner"))
        services.complaint_reassign(complaint=complaint, by=self.request.user, owner=owner, **data)
        return _("Complaint reassigned.")


class ComplaintUpdateView(ComplaintFormPostView):
    permission_required = services.CHANGE
    form_name = "update_form"

    def build_form(self, complaint, data):
        return ComplaintUpdateForm(data, users=dealer_users([complaint.dealer_id]))

    def save(self, complaint, form):
        data = dict(form.cleaned_data)
        services.complaint_update(complaint=complaint, by=self.request.user, **data)
        return _("Complaint saved.")


class DashboardView(DealerScopedObjectMixin, View):
    """The service manager's day: what is open, overdue, escalated; crisis alerts; A2/D6/B5 of the month."""

    model = Complaint
    permission_required = "complaints.view_complaint"
    template_name = "complaints/dashboard.html"

    def get(self, request):
        dealers = Dealer.objects.for_user(request.user).only("id", "code", "name")
        dealer = request.GET.get("dealer", "")
        dealer_id = int(dealer) if dealer.isdigit() else None
        if dealer_id and not dealers.filter(pk=dealer_id).exists():
            raise Http404
        month = None
        raw = request.GET.get("month", "")
        if raw:
            try:
                month = timezone.datetime.strptime(raw, "%Y-%m").date()
            except ValueError:
                month = None
        data = selectors.dashboard(user=request.user, dealer_id=dealer_id, month=month)
        context = {
            **data,
            "dealers": dealers,
            "dealer_id": dealer_id,
            "can_acknowledge": request.user.has_perm(services.ACKNOWLEDGE),
            "dealer_query": f"&dealer={dealer_id}" if dealer_id else "",
        }
        return render(request, self.template_name, context)


class CrisisAlertListView(FilteredListView):
    model = CrisisAlert
    permission_required = "complaints.view_crisisalert"
    template_name = "complaints/alert_list.html"
    filterset_class = CrisisAlertFilterSet

    def get_base_queryset(self):
        return selectors.crisis_alert_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_acknowledge"] = self.request.user.has_perm(services.ACKNOWLEDGE)
        context["form"] = AcknowledgeForm()
        context["open_only"] = bool(context["filters"].get("open"))
        return context


class CrisisAlertDetailView(DealerScopedObjectMixin, View):
    model = CrisisAlert
    permission_required = "complaints.view_crisisalert"
    template_name = "complaints/alert_detail.html"

    def context(self, alert, form=None) -> dict:
        can_ack = alert.is_open and allowed(self.request.user, services.ACKNOWLEDGE, dealer=alert.dealer_id)
        return {
            "alert": alert,
            "complaints": alert.complaints.select_related("owner", "vehicle", "customer").order_by("received_at"),
            "form": (form or AcknowledgeForm()) if can_ack else None,
            "history": history_entries(alert),
        }

    def get(self, request, pk: int):
        alert = get_object_or_404(self.get_queryset().select_related("dealer", "acknowledged_by"), pk=pk)
        return render(request, self.template_name, self.context(alert))


class CrisisAlertAcknowledgeView(RecordActionView):
    """Acknowledge a crisis alert (with a note); a refusal shows the alert with the reasons."""

    model = CrisisAlert
    permission_required = services.ACKNOWLEDGE
    related = ("dealer",)
    form_class = AcknowledgeForm

    def act(self, alert, data):
        services.crisis_alert_acknowledge(alert=alert, by=self.request.user, note=data["note"])
        return _("Crisis alert acknowledged.")

    def success_url(self, alert) -> str:
        return reverse("complaints:alert_detail", args=[alert.pk])

    def refused(self, alert, form, exc):
        if isinstance(exc, PermissionDenied):
            form.add_error(None, str(exc))
        view = CrisisAlertDetailView(request=self.request)
        return render(self.request, view.template_name, view.context(alert, form), status=400)
