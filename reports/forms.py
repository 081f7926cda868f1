"""The form that asks for a quality report: whose (a dealer or a region of the user's), which month or year, which
format."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from core.dates import Month
from core.forms import IsoMonthInput
from reports import selectors
from reports.choices import PeriodKind, ReportFormat


def parse_month(value: str) -> Month:
    """ "YYYY-MM" as a Month (ValueError otherwise)."""
    year, month = (int(part) for part in value.strip().split("-"))
    if not 2000 <= year <= 2100:
        raise ValueError(value)
    return Month(year, month)


class ReportForm(forms.Form):
    scope = forms.ChoiceField(label=gettext_lazy("Dealer or region"))
    period = forms.ChoiceField(
        label=pgettext_lazy("quality report", "Report"),
        choices=PeriodKind.choices,
        initial=PeriodKind.MONTH,
        widget=forms.RadioSelect,
    )
    month = forms.CharField(
        label=gettext_lazy("Month"),
        required=False,
        widget=IsoMonthInput(),
        help_text=gettext_lazy("For a monthly report."),
    )
    year = forms.IntegerField(
        label=gettext_lazy("Year"),
        required=False,
        min_value=2000,
        max_value=2100,
        help_text=gettext_lazy("For a yearly report."),
    )
    format = forms.ChoiceField(
        label=gettext_lazy("Format"), choices=ReportFormat.choices, initial=ReportFormat.PDF, widget=forms.RadioSelect
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.dealers = {str(d.pk): d for d in selectors.report_dealers(user=user)}
        self.regions = {str(r.pk): r for r in selectors.report_regions(user=user).select_related("oem")}
        choices = []
        if self.dealers:
            choices.append((_("Dealers"), [(f"dealer:{pk}", f"{d.code} {d.name}") for pk, d in self.dealers.items()]))
        if self.regions:
            choices.append((_("Regions"), [(f"region:{pk}", f"{r.name} ({r.code})") for pk, r in self.regions.items()]))
        self.fields["scope"].choices = choices
        last = Month.current().previous()
        self.fields["month"].initial = str(last)
        self.fields["year"].initial = last.year

    def clean_scope(self):
        kind, _sep, pk = self.cleaned_data["scope"].partition(":")
        found = (self.dealers if kind == "dealer" else self.regions if kind == "region" else {}).get(pk)
        if found is None:
            raise forms.ValidationError(_("Choose one of your dealers or regions."))
        return {"dealer": found} if kind == "dealer" else {"region": found}

    def clean(self):
        data = super().clean()
        if data.get("period") == PeriodKind.YEAR:
            if data.get("year") is None and "year" not in self.errors:
                self.add_error("year", _("Give the year of the report."))
            elif data.get("year") is not None:
                data["first"] = date(data["year"], 1, 1)
        elif data.get("period") == PeriodKind.MONTH:
            try:
                data["first"] = parse_month(data.get("month") or "").first_day
            except ValueError:
                self.add_error("month", _("Give the month as YYYY-MM."))
        return data
