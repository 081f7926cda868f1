"""Pages of appointments: the day calendar of a dealer, the list, booking, the record and its actions."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView, TemplateView, View

from appointments import selectors, services, slots
from appointments.choices import AppointmentStatus
from appointments.filtersets import AppointmentFilterSet
from appointments.forms import (
    CANCEL_REASONS,
    AppointmentBookForm,
    ArriveForm,
    CancelForm,
    RescheduleForm,
    VersionForm,
)
from appointments.models import Appointment
from appointments.state import APPOINTMENT_STATES
from core.dates import local_date, localtime
from core.history import history_entries
from core.lists import FilteredListView
from core.mixins import DealerScopedObjectMixin, RecordActionView, ScopedRecordMixin
from core.permissions import allowed
from customers.models import Vehicle
from organization.models import Dealer

PAGE_SIZE = 25
RELATED = ("dealer", "customer", "vehicle", "advisor")

# Where a service's error keys land on the pages' forms (None: above the form).
FIELD_OF = {"slot_start": "slot_time", "customer": "lookup", "action": None, "arrived_at": "arrived_at"}


def apply_errors(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form (field errors where it names a field of the form)."""
    if hasattr(exc, "error_dict"):
        for key, errors in exc.error_dict.items():
            target = FIELD_OF.get(key, key)
            target = target if target in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def repair_order_url(order) -> str | None:
    """The repair order's page, once the repairs pages exist."""
    try:
        return order.get_absolute_url()
    except NoReverseMatch:
        return None


def decorate(appointments, user) -> None:
    """Attach the actions the user may take on each appointment (for the templates).

    Arrival is offered from the slot's day on; the service would accept an earlier one, but a
    button on next week's bookings invites mistakes.
    """
    today = timezone.localdate()
    for appointment in appointments:
        appointment.actions = {t.action for t in APPOINTMENT_STATES.available_actions(appointment, user)}
        if local_date(appointment.slot_start) > today:
            appointment.actions.discard("arrive")


def parse_day(value: str | None) -> date:
    try:
        return date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        return timezone.localdate()


class DealerPickerMixin:
    """The dealer a page is about: ``?dealer=`` if the user may read it, else the user's first dealer."""

    def pick_dealer(self) -> tuple[Dealer, list[Dealer]]:
        dealers = list(Dealer.objects.for_user(self.request.user).only("id", "code", "name"))
        wanted = self.request.GET.get("dealer", "")
        chosen = next((d for d in dealers if str(d.pk) == wanted), None)
        if wanted and chosen is None:
            raise Http404
        if chosen is None:
            if not dealers:
                raise Http404
            chosen = dealers[0]
        return Dealer.objects.get(pk=chosen.pk), dealers


class AppointmentDayView(DealerPickerMixin, DealerScopedObjectMixin, TemplateView):
    """A dealer's day: every slot with bays used and free, its bookings and their actions."""

    model = Appointment
    permission_required = "appointments.view_appointment"
    template_name = "appointments/day.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        dealer, dealers = self.pick_dealer()
        day = parse_day(self.request.GET.get("date"))
        calendar = selectors.day_calendar(user=user, dealer=dealer, day=day)
        appointments = list(selectors.appointment_list(user=user, day=day).filter(dealer=dealer))
        decorate(appointments, user)
        outside = selectors.place_in_rows(calendar, appointments)
        now = timezone.now()
        context.update(
            {
                "dealer": dealer,
                "dealers": dealers,
                "day": day,
                "today": timezone.localdate(),
                "previous_day": day - timedelta(days=1),
                "next_day": day + timedelta(days=1),
                "calendar": calendar,
                "outside": outside,
                "status_counts": [
                    (label, sum(1 for a in appointments if a.status == value))
                    for value, label in AppointmentStatus.choices
                ],
                "week": selectors.week_of(day),
                "now": now,
                "bookable_from": slots.floor_to_step(now),
                "can_book": allowed(user, "appointments.add_appointment", dealer=dealer),
                "cancel_reasons": CANCEL_REASONS,
                "here": self.request.get_full_path(),
            }
        )
        return context


class AppointmentListView(FilteredListView):
    """All appointments of the user's dealers, filtered by dates, status, advisor and dealer."""

    model = Appointment
    permission_required = "appointments.view_appointment"
    paginate_by = PAGE_SIZE
    template_name = "appointments/appointment_list.html"
    filterset_class = AppointmentFilterSet
    refused_is_404 = ()  # another dealer's id: the form's message over an empty list, as before

    def get_base_queryset(self):
        return selectors.appointment_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "advisors": selectors.advisors_of(user=self.request.user),
            "statuses": AppointmentStatus.choices,
        }


def _date_or_none(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


class AppointmentCreateView(DealerScopedObjectMixin, FormView):
    """Book an appointment (a walk-in can be received at once, which opens the repair order)."""

    model = Appointment
    permission_required = "appointments.add_appointment"
    write_scope = True
    template_name = "appointments/appointment_form.html"
    form_class = AppointmentBookForm

    def get_initial(self):
        params = self.request.GET
        keys = ("lookup", "vehicle", "channel", "slot_time", "slot_minutes", "job_type", "customer_request", "advisor")
        initial = {key: params[key] for key in keys if params.get(key)}
        if params.get("slot_date"):
            initial["slot_date"] = _date_or_none(params["slot_date"])
        return initial

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["form"]
        lookup = form.data.get("lookup", "") if form.is_bound else form.initial.get("lookup", "")
        candidates = selectors.vehicles_for_lookup(user=self.request.user, lookup=lookup) if lookup else []
        chosen = form.data.get("vehicle") if form.is_bound else form.initial.get("vehicle")
        if chosen and str(chosen).isdigit() and not any(str(v.pk) == str(chosen) for v in candidates):
            preset = (
                Vehicle.objects.for_user(self.request.user, write=True)
                .select_related("owner", "dealer")
                .filter(pk=chosen)
                .first()
            )
            candidates = [preset, *candidates] if preset else candidates
        if len(candidates) == 1 and not chosen:
            chosen = candidates[0].pk
        context.update({"lookup": lookup, "candidates": candidates, "chosen": str(chosen or "")})
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        user = self.request.user
        try:
            with transaction.atomic():
                appointment = services.appointment_book(
                    vehicle=data["vehicle"],
                    by=user,
                    slot_start=data["slot_start"],
                    slot_minutes=data["slot_minutes"],
                    channel=data["channel"],
                    job_type=data["job_type"],
                    customer_request=data["customer_request"],
                    advisor=data.get("advisor"),
                )
                if data.get("arrive_now"):
                    appointment = services.appointment_arrive(
                        appointment=appointment, by=user, version=appointment.version
                    )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        when = localtime(appointment.slot_start)
        if appointment.repair_order_id:
            messages.success(
                self.request,
                _("Customer received; repair order %(number)s opened.") % {"number": appointment.repair_order.number},
            )
            return redirect(repair_order_url(appointment.repair_order) or appointment.get_absolute_url())
        messages.success(
            self.request,
            _("Appointment booked for %(vehicle)s on %(when)s.")
            % {"vehicle": appointment.vehicle, "when": f"{when:%Y-%m-%d %H:%M}"},
        )
        return redirect(f"{_day_url(appointment)}#appointment-{appointment.pk}")


def _day_url(appointment: Appointment) -> str:
    day = local_date(appointment.slot_start)
    return f"{reverse('appointments:appointment_day')}?dealer={appointment.dealer_id}&date={day:%Y-%m-%d}"


class AppointmentDetailView(DealerScopedObjectMixin, DetailView):
    """One appointment: who, when, what, every step with its time and person, the history and the actions."""

    model = Appointment
    permission_required = "appointments.view_appointment"
    template_name = "appointments/appointment_detail.html"
    forms: dict | None = None

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related(
                *RELATED,
                "created_by",
                "confirmed_by",
                "arrival_recorded_by",
                "no_show_by",
                "cancelled_by",
                "reminder_task",
                "reminder_task__assignee",
                "repair_order",
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        appointment = self.object
        decorate([appointment], self.request.user)
        forms = self.forms or {}
        context.update(
            {
                "cancel_form": forms.get("cancel") or CancelForm(initial={"version": appointment.version}),
                "arrive_form": forms.get("arrive") or ArriveForm(initial={"version": appointment.version}),
                "action_form": forms.get("confirm") or forms.get("no_show"),
                "history": history_entries(appointment),
                "repair_order_url": repair_order_url(appointment.repair_order) if appointment.repair_order else None,
                "day_url": _day_url(appointment),
                "cancel_reasons": CANCEL_REASONS,
                "here": self.request.get_full_path(),
            }
        )
        return context


class AppointmentActionView(RecordActionView):
    """POST one action (confirm, arrive, no-show, cancel); a refusal shows the record with the reasons."""

    model = Appointment
    permission_required = "appointments.change_appointment"
    related = RELATED
    action = ""
    forms = {"confirm": VersionForm, "no_show": VersionForm, "cancel": CancelForm, "arrive": ArriveForm}

    def get_form_class(self):
        return self.forms[self.action]

    def show_errors(self, form, exc):
        apply_errors(form, exc)

    def act(self, appointment, data):
        user, version = self.request.user, data["version"]
        if self.action == "confirm":
            services.appointment_confirm(appointment=appointment, by=user, version=version)
            return _("Appointment confirmed.")
        if self.action == "no_show":
            services.appointment_mark_no_show(appointment=appointment, by=user, version=version)
            return _("Recorded as no-show.")
        if self.action == "cancel":
            services.appointment_cancel(appointment=appointment, by=user, version=version, reason=data["reason"])
            return _("Appointment cancelled.")
        appointment = services.appointment_arrive(
            appointment=appointment, by=user, version=version, arrived_at=data.get("arrived_at")
        )
        order = appointment.repair_order
        messages.success(
            self.request, _("Customer received; repair order %(number)s opened.") % {"number": order.number}
        )
        return redirect(repair_order_url(order) or appointment.get_absolute_url())

    def refused(self, appointment, form, exc):
        if isinstance(exc, PermissionDenied):
            form.add_error(None, str(exc))
        for message in form.non_field_errors():
            messages.error(self.request, message)
        if "version" in form.errors:
            messages.error(self.request, _("The form was out of date: reload the page and try again."))
        view = AppointmentDetailView(request=self.request, kwargs={"pk": appointment.pk}, forms={self.action: form})
        view.object = view.get_queryset().get(pk=appointment.pk)
        return render(self.request, view.template_name, view.get_context_data(object=view.object))


class AppointmentRescheduleView(ScopedRecordMixin, FormView):
    """Move an appointment to another slot (the reminder moves with it)."""

    model = Appointment
    permission_required = "appointments.change_appointment"
    write_scope = True
    record_related = RELATED
    template_name = "appointments/appointment_reschedule.html"
    form_class = RescheduleForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "appointment": self.object}

    def get(self, request, *args, **kwargs):
        if not APPOINTMENT_STATES.can(self.object, "reschedule", request.user):
            messages.error(request, _("This appointment can no longer be rescheduled."))
            return redirect(self.object)
        return super().get(request, *args, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            appointment = services.appointment_reschedule(
                appointment=self.object,
                by=self.request.user,
                version=data["version"],
                slot_start=data["slot_start"],
                slot_minutes=data["slot_minutes"],
                reason=data.get("reason", ""),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        when = localtime(appointment.slot_start)
        messages.success(self.request, _("Appointment moved to %(when)s.") % {"when": f"{when:%Y-%m-%d %H:%M}"})
        return redirect(f"{_day_url(appointment)}#appointment-{appointment.pk}")


class VehicleChoicesView(DealerScopedObjectMixin, View):
    """htmx: the vehicles of the customer found by mobile, plate or VIN (radio buttons of the booking form)."""

    model = Appointment
    permission_required = "appointments.add_appointment"

    def get(self, request, *args, **kwargs):
        lookup = request.GET.get("lookup", "").strip()
        candidates = selectors.vehicles_for_lookup(user=request.user, lookup=lookup) if lookup else []
        chosen = str(candidates[0].pk) if len(candidates) == 1 else ""
        return render(
            request,
            "appointments/_vehicle_choices.html",
            {"candidates": candidates, "lookup": lookup, "chosen": chosen},
        )


class AvailabilityView(DealerScopedObjectMixin, View):
    """htmx: the free bays per slot of a day at the chosen vehicle's dealer (beside the booking form)."""

    model = Appointment
    permission_required = "appointments.view_appointment"

    def get(self, request, *args, **kwargs):
        params = request.GET
        dealer = None
        vehicle_id = params.get("vehicle", "")
        if vehicle_id.isdigit():
            vehicle = Vehicle.objects.for_user(request.user).select_related("dealer").filter(pk=vehicle_id).first()
            dealer = vehicle.dealer if vehicle else None
        if dealer is None:
            dealers = list(Dealer.objects.for_user(request.user, write=True)[:2])
            dealer = dealers[0] if len(dealers) == 1 else None
        day = parse_day(params.get("slot_date"))
        calendar = selectors.day_calendar(user=request.user, dealer=dealer, day=day) if dealer else None
        return render(
            request,
            "appointments/_availability.html",
            {"calendar": calendar, "day": day, "bookable_from": slots.floor_to_step(timezone.now())},
        )
