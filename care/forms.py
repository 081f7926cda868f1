"""Forms of customer care."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from care.choices import (
    CallDirection,
    CallOutcome,
    CallPurpose,
    CampaignKind,
    LapseReason,
    LetterKind,
    LetterMedium,
    MessageChannel,
    ReminderStatus,
    Satisfaction,
)
from care.models import Campaign
from complaints.choices import Category, Severity
from core.dates import Month
from core.forms import IsoDateInput, IsoDateTimeInput, IsoMonthInput

YES_NO = [("", _("not asked")), ("yes", _("yes")), ("no", _("no"))]


DateInput = IsoDateInput
DateTimeInput = IsoDateTimeInput


class CallForm(forms.Form):
    """What happened on a call (跟踪服务电话记录)."""

    outcome = forms.ChoiceField(label=_("Outcome"), choices=CallOutcome.choices, widget=forms.RadioSelect)
    called_at = forms.DateTimeField(
        label=_("Called at"), required=False, widget=DateTimeInput(), help_text=_("Leave empty for now.")
    )
    satisfaction = forms.TypedChoiceField(
        label=_("Overall satisfaction with the visit"),
        choices=[("", "—"), *Satisfaction.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    problem_solved = forms.ChoiceField(label=_("Was the problem solved?"), choices=YES_NO, required=False)
    summary = forms.CharField(label=_("What was said"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    customer_request = forms.CharField(
        label=_("Customer's request or wish"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    complaint_text = forms.CharField(
        label=_("Complaint raised"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    open_complaint = forms.BooleanField(
        label=_("Register it as a complaint"),
        required=False,
        help_text=_("Opens a complaint record (channel: follow-up call) with its deadlines, linked to this call."),
    )
    complaint_category = forms.ChoiceField(
        label=_("Complaint category"), choices=[("", "—"), *Category.choices], required=False
    )
    complaint_severity = forms.ChoiceField(
        label=_("Complaint severity"), choices=[("", "—"), *Severity.choices], required=False
    )
    next_action = forms.CharField(label=_("Next action"), required=False, max_length=200)
    next_contact_on = forms.DateField(label=_("Next contact on"), required=False, widget=DateInput())

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["problem_solved"] = {"yes": True, "no": False}.get(data.get("problem_solved") or "")
        data["called_at"] = data.get("called_at") or None
        category, severity = data.pop("complaint_category", ""), data.pop("complaint_severity", "")
        data["complaint"] = {"category": category, "severity": severity} if data.pop("open_complaint", False) else None
        return data


class InboundCallForm(CallForm):
    """A call not planned on the work list: the customer called, or a free-standing call."""

    direction = forms.ChoiceField(label=_("Who called"), choices=CallDirection.choices)
    purpose = forms.ChoiceField(label=_("About"), choices=CallPurpose.choices)
    field_order = ["direction", "purpose", "outcome"]


class LetterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=LetterKind.choices)
    medium = forms.ChoiceField(label=_("Sent by"), choices=LetterMedium.choices)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 6}))
    sent_on = forms.DateField(label=_("Sent on"), widget=DateInput(), initial=timezone.localdate)


class ReminderCloseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(
        label=_("Result"),
        choices=[(ReminderStatus.BOOKED, ReminderStatus.BOOKED.label), (ReminderStatus.DISMISSED, _("Dismiss"))],
    )
    appointment = forms.ModelChoiceField(label=_("Appointment"), queryset=None, required=False)
    outcome = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, appointments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["appointment"].queryset = appointments


class SendMessageForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=MessageChannel.choices)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 4}), max_length=500)


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["dealer", "name", "kind", "description", "starts_on", "ends_on"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput(), "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, dealers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dealer"].queryset = dealers
        self.fields["kind"].choices = CampaignKind.choices
        if len(dealers) == 1:
            self.fields["dealer"].initial = dealers.first().pk

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The campaign ends after it starts."))
        return data


class TargetCriteriaForm(forms.Form):
    """Who goes on a campaign's list: customers whose last visit is within a range of months ago."""

    last_visit_from = forms.IntegerField(
        label=_("Last visit at least … months ago"), min_value=0, max_value=120, initial=0
    )
    last_visit_to = forms.IntegerField(label=_("and at most … months ago"), min_value=1, max_value=120, initial=12)
    brand = forms.CharField(label=_("Vehicle brand"), max_length=50, required=False)
    consent_only = forms.BooleanField(label=_("Only customers who agreed to be contacted"), required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("last_visit_from"), data.get("last_visit_to")
        if start is not None and end is not None and end <= start:
            self.add_error("last_visit_to", _("The range must end after it starts."))
        return data


class LapseNoteForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=[("", "—"), *LapseReason.choices], required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class KpiMonthForm(forms.Form):
    """The month of the follow-up page's indicators (YYYY-MM); this month by default."""

    month = forms.DateField(label=_("Month"), input_formats=["%Y-%m"], required=False, widget=IsoMonthInput())

    def chosen_month(self) -> Month:
        """The chosen month (this month when none or an invalid one was given)."""
        chosen = self.cleaned_data.get("month") if self.is_valid() else None
        return Month.of(chosen) if chosen else Month.current()
