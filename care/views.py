"""Pages of customer care: the follow-up work list and call form, the call and letter registers, reminders,
campaigns and the lapsed-customer watch."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import View

from care import kpis, selectors, services
from care.choices import CallDirection, CallPurpose, CampaignStatus, LapseReason, MessagePurpose, ReminderStatus
from care.filtersets import (
    CallRecordFilterSet,
    CampaignFilterSet,
    FollowUpFilterSet,
    LapsedCustomerFilterSet,
    LetterFilterSet,
    ReminderFilterSet,
)
from care.forms import (
    CallForm,
    CampaignForm,
    InboundCallForm,
    KpiMonthForm,
    LapseNoteForm,
    LetterForm,
    ReminderCloseForm,
    SendMessageForm,
    TargetCriteriaForm,
)
from care.messaging import send_message
from care.models import CallRecord, Campaign, CampaignTarget, Letter, Reminder
from care.reminders import generate_reminders
from core.dates import Month
from core.exports import xlsx_response
from core.forms import apply_service_errors
from core.lists import FilteredListMixin, FilteredListView, apply_filterset
from core.mixins import DealerScopedObjectMixin
from core.tenancy import dealer_ids_for
from customers.models import Customer
from organization.models import Dealer
from todo.models import Task

BUCKETS = ("today", "overdue", "upcoming", "done")


def _local(value):
    return timezone.localtime(value).replace(tzinfo=None) if value else None


class CareListMixin(FilteredListMixin):
    """A care list's filters (its API FilterSet); ``dealer_filter`` is the dealer chosen in the picker."""

    def filter_context(self) -> dict:
        context = super().filter_context()
        return {**context, "dealer_filter": context["filters"].get("dealer") or ""}


def _posted_id(request, name: str) -> int:
    """A number posted by a form of ours; anything else is a 404 (a tampered form), never a 500."""
    value = request.POST.get(name, "")
    if not value.isdigit():
        raise Http404
    return int(value)


def _rows_for(rates: dict, dealers) -> list[dict]:
    return [{"dealer": d, "rate": rates[d.pk]} for d in dealers]


CARE_INDICATORS = (
    (kpis.D4, kpis.follow_up_timeliness),
    (kpis.D5, kpis.archive_timeliness),
    (kpis.E4, kpis.retention),
)


def _month_kpis(form: KpiMonthForm, dealers: list[Dealer]) -> dict:
    """D4, D5 and E4 of the chosen month per dealer, as the measurements compute them (judged now if the month
    is still running): one grouped query per indicator."""
    month = form.chosen_month()
    start, end = month.bounds()
    ids = [d.pk for d in dealers]
    figures = [(indicator, measure(ids, start, end)) for indicator, measure in CARE_INDICATORS]
    return {
        "kpi_form": form,
        "kpi_month": month.first_day,
        "kpi_indicators": [indicator for indicator, _figures in figures],
        "kpi_rows": [{"dealer": d, "figures": [found[d.pk] for _i, found in figures]} for d in dealers],
    }


# --- follow-ups ----------------------------------------------------------------------------------------------


class FollowUpListView(CareListMixin, FilteredListView):
    """The follow-up specialist's day: calls due today, overdue, upcoming and done; archives to complete."""

    model = Task
    permission_required = "care.view_callrecord"
    template_name = "care/followup_list.html"
    paginate_by = 50
    filterset_class = FollowUpFilterSet

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, now = self.request.user, timezone.now()
        dealer = context["dealer_filter"]

        def scoped(queryset):
            return queryset.filter(dealer_id=dealer) if dealer else queryset

        tasks = selectors.follow_up_tasks(scoped(Task.objects.for_user(user)))
        context["counts"] = {b: selectors.follow_up_bucket(tasks, b).count() for b in BUCKETS if b != "done"}
        context["bucket"] = context["filters"].get("bucket") or "today"
        context["archives"] = selectors.archives_to_complete(scoped(Customer.objects.for_user(user)))[:20]
        context.update(_month_kpis(KpiMonthForm(self.request.GET), list(context["dealers"])))
        context["now"] = now
        # The call button: the follow-up call page's own check (its permission, a dealer the user may change).
        may_call = user.has_perm(FollowUpCallView.permission_required)
        writable = dealer_ids_for(user, write=True) if may_call else ()
        context["may_call_all"] = writable is None  # None: every dealer (a superuser)
        context["writable_dealers"] = set(writable or ())
        return context


class FollowUpCallView(DealerScopedObjectMixin, View):
    """A follow-up task's page: what was done on the visit, earlier attempts, and the call form."""

    model = Task
    permission_required = "care.add_callrecord"
    template_name = "care/followup_call.html"

    def get_task(self, pk, *, write=False):
        tasks = Task.objects.for_user(self.request.user, write=write).filter(kind__in=services.FOLLOW_UP_KINDS)
        return get_object_or_404(tasks.select_related("customer", "vehicle", "repair_order", "dealer"), pk=pk)

    def page(self, task, form, status=200):
        order = task.repair_order
        return render(
            self.request,
            self.template_name,
            {
                "task": task,
                "form": form,
                "order": order,
                "lines": order.lines.all() if order else [],
                "calls": CallRecord.objects.filter(customer=task.customer).select_related("called_by", "complaint")[
                    :20
                ],
                "attempts": services.failed_attempts(task),
                "max_attempts": services.MAX_FAILED_ATTEMPTS,
            },
            status=status,
        )

    def get(self, request, pk):
        return self.page(self.get_task(pk), CallForm())

    def post(self, request, pk):
        task = self.get_task(pk, write=True)
        form = CallForm(request.POST)
        if form.is_valid():
            try:
                services.call_record(by=request.user, task=task, **form.service_kwargs())
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("The call is recorded."))
                return redirect(reverse("care:followups"))
        return self.page(task, form, status=400)


# --- call register ----------------------------------------------------------------------------------------------


class CallFiltersMixin(CareListMixin):
    filterset_class = CallRecordFilterSet

    def get_base_queryset(self):
        return CallRecord.objects.for_user(self.request.user).select_related(
            "customer", "vehicle", "repair_order", "called_by", "dealer"
        )


class CallListView(CallFiltersMixin, FilteredListView):
    """The call register (跟踪服务电话登记表)."""

    model = CallRecord
    permission_required = "care.view_callrecord"
    template_name = "care/call_list.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "purposes": CallPurpose.choices,
            "params": self.request.GET,
        }


class CallExportView(DealerScopedObjectMixin, CallFiltersMixin, View):
    model = CallRecord
    permission_required = "care.view_callrecord"

    def get(self, request):
        header = [
            _("Dealer"), _("Called at"), _("Direction"), _("Purpose"), _("Customer"), _("Mobile"), _("Vehicle"),
            _("RO number"), _("Outcome"), _("Satisfaction"), _("What was said"), _("Customer's request or wish"),
            _("Complaint raised"), _("Next action"), _("Called by"),
        ]  # fmt: skip
        rows = (
            [
                c.dealer.code,
                _local(c.called_at),
                c.get_direction_display(),
                c.get_purpose_display(),
                c.customer.name,
                c.customer.mobile,
                c.vehicle.plate if c.vehicle else "",
                c.repair_order.number if c.repair_order else "",
                c.get_outcome_display(),
                c.satisfaction,
                c.summary,
                c.customer_request,
                c.complaint_text,
                c.next_action,
                str(c.called_by),
            ]
            for c in self.filtered_queryset()[:100_000]
        )
        return xlsx_response(filename="call-register.xlsx", sheet_title=_("Call register"), header=header, rows=rows)


class CustomerCallView(DealerScopedObjectMixin, View):
    """Record a call that is not on the work list (an inbound call, a win-back call) for a customer."""

    model = CallRecord
    permission_required = "care.add_callrecord"
    template_name = "care/customer_call.html"

    def get_customer(self, pk):
        return get_object_or_404(Customer.objects.for_user(self.request.user, write=True), pk=pk)

    def page(self, customer, form, lapse_form, status=200):
        return render(
            self.request,
            self.template_name,
            {
                "customer": customer,
                "form": form,
                "lapse_form": lapse_form,
                "calls": CallRecord.objects.filter(customer=customer).select_related("called_by", "complaint")[:20],
            },
            status=status,
        )

    def get(self, request, pk):
        purpose = request.GET.get("purpose", CallPurpose.CONSULTATION)
        direction = (
            CallDirection.INBOUND if purpose in (CallPurpose.CONSULTATION, CallPurpose.COMPLAINT) else "outbound"
        )
        initial = {"purpose": purpose, "direction": direction}
        return self.page(self.get_customer(pk), InboundCallForm(initial=initial), LapseNoteForm())

    def post(self, request, pk):
        customer = self.get_customer(pk)
        form, lapse_form = InboundCallForm(request.POST), LapseNoteForm(request.POST)
        if form.is_valid() and lapse_form.is_valid():
            try:
                with transaction.atomic():
                    call = services.call_record(
                        by=request.user, dealer=customer.dealer, customer=customer, **form.service_kwargs()
                    )
                    if lapse_form.cleaned_data["reason"]:
                        services.lapse_note_record(
                            customer=customer, by=request.user, call=call, **lapse_form.cleaned_data
                        )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("The call is recorded."))
                return redirect(customer.get_absolute_url())
        return self.page(customer, form, lapse_form, status=400)


# --- letter register --------------------------------------------------------------------------------------------


class LetterListView(CareListMixin, FilteredListView):
    """The letter register (跟踪服务信函登记表): notices, invitations and reply letters."""

    model = Letter
    permission_required = "care.view_letter"
    template_name = "care/letter_list.html"
    paginate_by = 50
    filterset_class = LetterFilterSet

    def get_base_queryset(self):
        return Letter.objects.for_user(self.request.user).select_related(
            "customer", "sent_by", "dealer", "repair_order"
        )


class LetterExportView(LetterListView):
    def get(self, request, *args, **kwargs):
        header = [_("Register number"), _("Sent on"), _("Kind"), _("Sent by"), _("Customer"), _("Subject"),
                  _("Text"), _("RO number"), _("Registered by")]  # fmt: skip
        rows = (
            [
                x.number,
                x.sent_on,
                x.get_kind_display(),
                x.get_medium_display(),
                x.customer.name,
                x.subject,
                x.body,
                x.repair_order.number if x.repair_order else "",
                str(x.sent_by),
            ]
            for x in self.get_queryset()[:100_000]
        )
        return xlsx_response(
            filename="letter-register.xlsx", sheet_title=_("Letter register"), header=header, rows=rows
        )


class LetterCreateView(DealerScopedObjectMixin, View):
    model = Letter
    permission_required = "care.add_letter"
    template_name = "care/letter_form.html"

    def get_customer(self, pk):
        return get_object_or_404(Customer.objects.for_user(self.request.user, write=True), pk=pk)

    def get(self, request, pk):
        return render(request, self.template_name, {"customer": self.get_customer(pk), "form": LetterForm()})

    def post(self, request, pk):
        customer = self.get_customer(pk)
        form = LetterForm(request.POST)
        if form.is_valid():
            try:
                letter = services.letter_register(
                    dealer=customer.dealer, customer=customer, by=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Letter %(number)s is registered.") % {"number": letter.number})
                return redirect(reverse("care:letters"))
        return render(request, self.template_name, {"customer": customer, "form": form}, status=400)


# --- reminders ----------------------------------------------------------------------------------------------------


class ReminderListView(CareListMixin, FilteredListView):
    """Care reminders to work through: who to call about what, and when."""

    model = Reminder
    permission_required = "care.view_reminder"
    template_name = "care/reminder_list.html"
    paginate_by = 50
    filterset_class = ReminderFilterSet

    def get_filter_defaults(self) -> dict:
        """At first the open reminders due now; a filtered query says its own status (empty: any)."""
        return {"due": "now"} if self.querystring() else {"due": "now", "status": ReminderStatus.OPEN}

    def get_base_queryset(self):
        return (
            Reminder.objects.for_user(self.request.user)
            .select_related("customer", "vehicle", "dealer")
            .order_by("remind_on", "due_on", "id")
        )

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "can_generate": self.request.user.has_perm("care.add_reminder")}


class ReminderExportView(ReminderListView):
    """The call list of the reminders shown, for staff who call from a sheet."""

    def get(self, request, *args, **kwargs):
        header = [_("Dealer"), _("Contact from"), _("Due on"), _("Kind"), _("Customer"), _("Mobile"), _("Vehicle"),
                  _("Why"), _("Status")]  # fmt: skip
        rows = (
            [
                r.dealer.code,
                r.remind_on,
                r.due_on,
                r.get_kind_display(),
                r.customer.name,
                r.customer.mobile,
                r.vehicle.plate if r.vehicle else "",
                r.basis,
                r.get_status_display(),
            ]
            for r in self.get_queryset()[:100_000]
        )
        return xlsx_response(filename="care-call-list.xlsx", sheet_title=_("Call list"), header=header, rows=rows)


class ReminderGenerateView(DealerScopedObjectMixin, View):
    model = Reminder
    permission_required = "care.add_reminder"

    def post(self, request):
        today = timezone.localdate()
        created = sum(
            generate_reminders(dealer=dealer, today=today)
            for dealer in Dealer.objects.for_user(request.user, write=True)
        )
        messages.success(request, _("%(n)d new reminders.") % {"n": created})
        return redirect(reverse("care:reminders"))


class ReminderDetailView(DealerScopedObjectMixin, View):
    """One reminder: call the customer, send a message, mark it booked or dismiss it."""

    model = Reminder
    permission_required = "care.view_reminder"
    template_name = "care/reminder_detail.html"

    def get_reminder(self, pk, *, write=False):
        reminders = Reminder.objects.for_user(self.request.user, write=write)
        return get_object_or_404(reminders.select_related("customer", "vehicle", "dealer", "appointment"), pk=pk)

    def appointments(self, reminder):
        from appointments.models import Appointment

        return Appointment.objects.filter(dealer=reminder.dealer, customer=reminder.customer).order_by("-slot_start")[
            :20
        ]

    def page(self, reminder, status=200, **forms):
        context = {
            "reminder": reminder,
            "call_form": forms.get("call_form") or CallForm(),
            "close_form": forms.get("close_form")
            or ReminderCloseForm(initial={"version": reminder.version}, appointments=self.appointments(reminder)),
            "message_form": forms.get("message_form") or SendMessageForm(),
            "calls": CallRecord.objects.filter(reminder=reminder).select_related("called_by", "complaint"),
            "messages_sent": reminder.customer.messages.order_by("-created_at")[:10],
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk):
        return self.page(self.get_reminder(pk))

    def post(self, request, pk):
        if not request.user.has_perm("care.change_reminder"):
            raise Http404
        reminder = self.get_reminder(pk, write=True)
        action = request.POST.get("action")
        if action == "call":
            key, form = "call_form", CallForm(request.POST)
        elif action == "close":
            key, form = "close_form", ReminderCloseForm(request.POST, appointments=self.appointments(reminder))
        elif action == "message":
            key, form = "message_form", SendMessageForm(request.POST)
        else:
            raise Http404
        if form.is_valid():
            try:
                if action == "call":
                    services.call_record(by=request.user, reminder=reminder, **form.service_kwargs())
                    messages.success(request, _("The call is recorded."))
                elif action == "close":
                    services.reminder_close(reminder=reminder, by=request.user, **form.cleaned_data)
                    messages.success(request, _("The reminder is closed."))
                    return redirect(reverse("care:reminders"))
                else:
                    sent = send_message(
                        dealer=reminder.dealer, customer=reminder.customer, purpose=MessagePurpose.REMINDER,
                        by=request.user, **form.cleaned_data,
                    )  # fmt: skip
                    messages.success(request, sent.get_status_display())
                return redirect(reverse("care:reminder_detail", args=[pk]))
            except ValidationError as exc:
                apply_service_errors(form, exc)
        return self.page(self.get_reminder(pk), 400, **{key: form})


# --- campaigns ---------------------------------------------------------------------------------------------------


class CampaignListView(CareListMixin, FilteredListView):
    model = Campaign
    permission_required = "care.view_campaign"
    template_name = "care/campaign_list.html"
    paginate_by = 25
    filterset_class = CampaignFilterSet

    def get_base_queryset(self):
        from django.db.models import Count, Q

        from care.choices import TargetStatus

        return (
            Campaign.objects.for_user(self.request.user)
            .select_related("dealer")
            .order_by("-starts_on", "-id")
            .annotate(
                listed=Count("targets"),
                contacted=Count("targets", filter=Q(targets__status=TargetStatus.CONTACTED)),
            )
        )

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "can_create": self.request.user.has_perm("care.add_campaign"),
        }


class CampaignCreateView(DealerScopedObjectMixin, View):
    model = Campaign
    permission_required = "care.add_campaign"
    write_scope = True
    template_name = "care/campaign_form.html"

    def dealers(self):
        return Dealer.objects.for_user(self.request.user, write=True).order_by("code")

    def get(self, request):
        return render(request, self.template_name, {"form": CampaignForm(dealers=self.dealers())})

    def post(self, request):
        dealers = self.dealers()
        form = CampaignForm(request.POST, dealers=dealers)
        if form.is_valid():
            campaign = form.save(commit=False)
            campaign.created_by = request.user
            campaign._history_user = request.user
            campaign.save()
            messages.success(request, _("The campaign is created: now choose its target list."))
            return redirect(reverse("care:campaign_detail", args=[campaign.pk]))
        return render(request, self.template_name, {"form": form}, status=400)


class CampaignDetailView(DealerScopedObjectMixin, View):
    """A campaign: its target list with contact, booking and visit, and the actions that move it on."""

    model = Campaign
    permission_required = "care.view_campaign"
    template_name = "care/campaign_detail.html"

    def get_campaign(self, pk, *, write=False):
        return get_object_or_404(
            Campaign.objects.for_user(self.request.user, write=write).select_related("dealer"), pk=pk
        )

    def page(self, campaign, status=200, **forms):
        context = {
            "campaign": campaign,
            "targets": selectors.campaign_targets(campaign)[:500],
            "outcome": selectors.campaign_outcome(campaign),
            "criteria_form": forms.get("criteria_form") or TargetCriteriaForm(),
            "message_form": forms.get("message_form") or SendMessageForm(initial={"body": campaign.description}),
            "call_form": forms.get("call_form") or CallForm(),
            "can_change": self.request.user.has_perm("care.change_campaign"),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk):
        return self.page(self.get_campaign(pk))

    def post(self, request, pk):
        if not request.user.has_perm("care.change_campaign"):
            raise Http404
        campaign = self.get_campaign(pk, write=True)
        action = request.POST.get("action")
        url = reverse("care:campaign_detail", args=[pk])
        try:
            if action == "targets":
                form = TargetCriteriaForm(request.POST)
                if not form.is_valid():
                    return self.page(campaign, 400, criteria_form=form)
                data = form.cleaned_data
                customers = selectors.customers_by_last_visit(
                    Customer.objects.filter(dealer=campaign.dealer), from_months=data["last_visit_from"],
                    to_months=data["last_visit_to"], brand=data["brand"], consent_only=data["consent_only"],
                )  # fmt: skip
                added = services.campaign_add_targets(campaign=campaign, customers=customers, by=request.user)
                campaign.criteria = {k: v for k, v in data.items()}
                campaign.save(update_fields=["criteria"])
                messages.success(request, _("%(n)d customers added to the list.") % {"n": added})
            elif action in ("launch", "close"):
                status = CampaignStatus.ACTIVE if action == "launch" else CampaignStatus.CLOSED
                services.campaign_set_status(
                    campaign=campaign, status=status, by=request.user, version=_posted_id(request, "version")
                )
                messages.success(request, _("The campaign is %(status)s.") % {"status": status.label})
            elif action == "invite":
                form = SendMessageForm(request.POST)
                if not form.is_valid():
                    return self.page(campaign, 400, message_form=form)
                sent = services.campaign_invite(campaign=campaign, by=request.user, **form.cleaned_data)
                messages.success(request, _("%(n)d invitations sent or recorded.") % {"n": sent})
            elif action == "call":
                target = get_object_or_404(CampaignTarget, campaign=campaign, pk=_posted_id(request, "target"))
                form = CallForm(request.POST)
                if not form.is_valid():
                    return self.page(campaign, 400, call_form=form)
                services.call_record(by=request.user, target=target, **form.service_kwargs())
                messages.success(request, _("The call is recorded."))
            else:
                raise Http404
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(url)
        except PermissionDenied:
            raise Http404 from None
        return redirect(url)


# --- lapsed customers -----------------------------------------------------------------------------------------------


class LapsedListView(CareListMixin, FilteredListView):
    """Customers who have not come for a year or more (流失客户), most valuable first."""

    model = Customer
    permission_required = "care.view_lapsenote"
    template_name = "care/lapsed_list.html"
    paginate_by = 50
    filterset_class = LapsedCustomerFilterSet

    def get_base_queryset(self):
        return Customer.objects.for_user(self.request.user).select_related("dealer")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["months"] = context["filters"].get("months") or selectors.DEFAULT_LAPSE_MONTHS
        for customer in context["object_list"]:
            customer.lapse_reason_label = LapseReason(customer.lapse_reason).label if customer.lapse_reason else ""
        dealers = list(context["dealers"])
        start, end = Month.current().bounds()
        context["retention"] = _rows_for(kpis.retention([d.pk for d in dealers], start, end), dealers)
        context["e4"] = kpis.E4
        context["campaigns"] = Campaign.objects.for_user(self.request.user, write=True).exclude(
            status=CampaignStatus.CLOSED
        )
        return context


class LapsedToCampaignView(DealerScopedObjectMixin, View):
    """Put the lapsed customers shown (for one dealer) on a win-back campaign's list."""

    model = Campaign
    permission_required = "care.change_campaign"

    def post(self, request):
        campaign = get_object_or_404(
            Campaign.objects.for_user(request.user, write=True), pk=_posted_id(request, "campaign")
        )
        customers = apply_filterset(
            LapsedCustomerFilterSet, {"months": request.POST.get("months", "")},
            Customer.objects.filter(dealer=campaign.dealer), user=request.user,
        )  # fmt: skip
        try:
            added = services.campaign_add_targets(campaign=campaign, customers=customers, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(reverse("care:lapsed"))
        messages.success(request, _("%(n)d customers added to the list.") % {"n": added})
        return redirect(reverse("care:campaign_detail", args=[campaign.pk]))
