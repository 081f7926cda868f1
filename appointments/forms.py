"""Forms of the appointment pages; they validate input, the services write."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.choices import Role
from accounts.models import User
from appointments import slots
from appointments.choices import SLOT_STEP_MINUTES, AppointmentChannel, SlotLength
from appointments.selectors import advisors_of
from core.dates import localtime
from core.forms import IsoDateInput, IsoDateTimeInput
from customers.models import Vehicle
from organization.models import Dealer
from repairs.choices import JobType

DATE = IsoDateInput()


def time_choices(dealers) -> list[tuple[str, str]]:
    """Every grid time from the earliest opening to the latest last slot of ``dealers`` (08:30–17:30 if none)."""
    hours = dealers.aggregate(opens=Min("opens_at"), closes=Max("closes_at"))
    opens, closes = hours["opens"] or time(8, 30), hours["closes"] or time(18, 0)
    day = timezone.localdate()
    moment, end = slots.floor_to_step(slots.at(day, opens)), slots.at(day, closes)
    choices = []
    while moment + timedelta(minutes=SLOT_STEP_MINUTES) <= end:
        label = f"{moment:%H:%M}"
        choices.append((label, label))
        moment += timedelta(minutes=SLOT_STEP_MINUTES)
    return choices


class VersionForm(forms.Form):
    """Carries the record version the person started from (optimistic lock)."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class SlotFieldsMixin(forms.Form):
    """Date, time (on the calendar grid) and length of a slot; ``slot_start`` in cleaned_data."""

    slot_date = forms.DateField(label=_("date"), widget=DATE)
    slot_time = forms.ChoiceField(label=_("time"))
    slot_minutes = forms.TypedChoiceField(
        label=_("slot length"), choices=SlotLength.choices, coerce=int, initial=SlotLength.ONE_HOUR
    )

    def setup_slot_fields(self, dealers) -> None:
        self.fields["slot_time"].choices = time_choices(dealers)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("slot_date") and cleaned.get("slot_time"):
            cleaned["slot_start"] = slots.at(cleaned["slot_date"], time.fromisoformat(cleaned["slot_time"]))
        return cleaned


class AppointmentBookForm(SlotFieldsMixin):
    """Book an appointment: find the customer by mobile/plate/VIN, pick one of their vehicles, then the slot."""

    lookup = forms.CharField(
        label=_("customer's mobile, plate or VIN"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "13800138000 / 粤A12345"}),
    )
    vehicle = forms.ModelChoiceField(queryset=Vehicle.objects.none(), label=_("vehicle"), widget=forms.HiddenInput)
    channel = forms.ChoiceField(
        label=pgettext_lazy("appointment", "channel"),
        choices=AppointmentChannel.choices,
        initial=AppointmentChannel.PHONE,
    )
    job_type = forms.ChoiceField(label=_("job type"), choices=JobType.choices, initial=JobType.MAINTENANCE)
    customer_request = forms.CharField(
        label=_("customer's request"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("What the customer wants done, in their own words."),
    )
    advisor = forms.ModelChoiceField(queryset=User.objects.none(), label=_("service advisor"), required=False)
    arrive_now = forms.BooleanField(
        label=_("The customer is here now: record the arrival and open the repair order"), required=False
    )

    field_order = [
        "lookup",
        "vehicle",
        "channel",
        "slot_date",
        "slot_time",
        "slot_minutes",
        "job_type",
        "customer_request",
        "advisor",
        "arrive_now",
    ]

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        dealers = Dealer.objects.for_user(user, write=True)
        self.setup_slot_fields(dealers)
        self.fields["vehicle"].queryset = Vehicle.objects.for_user(user, write=True).select_related("owner", "dealer")
        self.fields["vehicle"].error_messages["invalid_choice"] = _("Choose one of the customer's vehicles.")
        self.fields["vehicle"].error_messages["required"] = _("Find the customer, then choose one of their vehicles.")
        self.fields["advisor"].queryset = advisors_of(user=user, write=True)
        if not self.is_bound:
            # Today's current slot by default: right for a walk-in, a starting point for a call.
            self.initial.setdefault("slot_date", timezone.localdate())
            current = f"{slots.floor_to_step(timezone.now()):%H:%M}"
            if current in dict(self.fields["slot_time"].choices):
                self.initial.setdefault("slot_time", current)
            if user.has_role(Role.SERVICE_ADVISOR) and not user.is_superuser:
                self.fields["advisor"].initial = user.pk

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("arrive_now") and cleaned.get("channel") != AppointmentChannel.WALK_IN:
            self.add_error("arrive_now", _("Only a walk-in is booked and received at once."))
        return cleaned


class RescheduleForm(SlotFieldsMixin, VersionForm):
    reason = forms.CharField(label=_("reason"), max_length=200, required=False)

    def __init__(self, *args, appointment, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_slot_fields(Dealer.objects.filter(pk=appointment.dealer_id))
        if not self.is_bound:
            local = localtime(appointment.slot_start)
            self.initial.update(
                {
                    "slot_date": local.date(),
                    "slot_time": f"{local:%H:%M}",
                    "slot_minutes": appointment.slot_minutes,
                    "version": appointment.version,
                }
            )


class CancelForm(VersionForm):
    reason = forms.CharField(
        label=_("cancel reason"),
        max_length=200,
        error_messages={"required": _("Give the reason for the cancellation.")},
        widget=forms.TextInput(attrs={"list": "cancel-reasons"}),
    )


class ArriveForm(VersionForm):
    arrived_at = forms.DateTimeField(
        label=_("arrived at"),
        required=False,
        widget=IsoDateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        help_text=_("Leave empty for now."),
    )

    def clean_arrived_at(self) -> datetime | None:
        arrived_at = self.cleaned_data.get("arrived_at")
        if arrived_at and arrived_at > timezone.now():
            raise forms.ValidationError(_("The arrival time cannot be in the future."))
        return arrived_at


# Common reasons offered when cancelling (free text is accepted too).
CANCEL_REASONS = [
    _("Customer is travelling"),
    _("Customer rescheduling later"),
    _("Repaired elsewhere"),
    _("Work or family conflict"),
    _("Vehicle sold"),
    _("Weather"),
]
