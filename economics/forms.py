"""Forms of the workshop economics: the report's period, a day's attendance sheet, a cost rate."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.dates import Month
from core.forms import IsoDateInput, IsoMonthInput
from economics.choices import AbsenceKind
from economics.selectors import MAX_DAYS
from staff.choices import Position

DATE = IsoDateInput()
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class PeriodForm(forms.Form):
    """A month (YYYY-MM; this month by default), or a range of days (from – to, both included) instead."""

    month = forms.DateField(
        label=_("Month"), input_formats=["%Y-%m"], required=False, widget=IsoMonthInput(),
        error_messages={"invalid": _("Give the month as YYYY-MM, e.g. 2026-10.")},
    )  # fmt: skip
    start = forms.DateField(label=_("from"), required=False, widget=DATE)
    end = forms.DateField(label=_("to"), required=False, widget=DATE)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if (start is None) != (end is None):
            raise forms.ValidationError({"end" if start else "start": _("Give both ends of the period.")})
        if start and end:
            if end < start:
                raise forms.ValidationError({"end": _("The end of the period is before its start.")})
            if (end - start).days >= MAX_DAYS:
                raise forms.ValidationError({"end": _("A period is at most a year.")})
        return cleaned

    def period(self) -> tuple[date, date]:
        """The first and last day (call after is_valid)."""
        if self.cleaned_data.get("start"):
            return self.cleaned_data["start"], self.cleaned_data["end"]
        picked = self.cleaned_data.get("month")
        month = Month.of(picked) if picked else Month.of(timezone.localdate())
        return month.first_day, month.last_day


class AttendanceRowForm(forms.Form):
    """One technician's line of the day's sheet (empty: nothing recorded for them)."""

    technician = forms.IntegerField(widget=forms.HiddenInput)
    clock_in = forms.TimeField(label=_("clocked in at"), required=False, widget=TIME)
    clock_out = forms.TimeField(label=_("clocked out at"), required=False, widget=TIME)
    break_minutes = forms.IntegerField(label=_("break (minutes)"), required=False, min_value=0, max_value=600)
    hours = forms.DecimalField(label=_("hours attended"), required=False, min_value=0, max_value=24, decimal_places=2)
    absence = forms.ChoiceField(label=_("absence"), required=False, choices=[("", "—"), *AbsenceKind.choices])
    note = forms.CharField(label=_("note"), required=False, max_length=200)

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not any(data.get(name) for name in ("clock_in", "clock_out", "hours", "absence", "note"))


AttendanceSheet = forms.formset_factory(AttendanceRowForm, extra=0)


class CostRateForm(forms.Form):
    """A labour cost rate from a date on, for one technician or a position."""

    technician = forms.ModelChoiceField(label=_("technician"), queryset=None, required=False)
    position = forms.ChoiceField(
        label=pgettext_lazy("job", "position"), required=False,
        choices=[("", "—"), (Position.TECHNICIAN, Position.TECHNICIAN.label),
                 (Position.FOREMAN, Position.FOREMAN.label)],
    )  # fmt: skip
    hourly_cost = forms.DecimalField(label=_("cost per hour"), min_value=0, max_digits=8, decimal_places=2)
    valid_from = forms.DateField(label=_("valid from"), widget=DATE)

    def __init__(self, *args, technicians=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["technician"].queryset = technicians
