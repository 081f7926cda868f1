"""Pages of the measurements: every indicator per dealer for a month (with Excel export), and the drill-down list
of the records behind one figure. Both are scoped to the user's dealers (others are 404).
"""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db.models import Model, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _
from django.views import View

from accounts.models import User
from core.charts import download_response
from core.dates import Month, days_bounds, last_local_day, localtime
from core.exports import xlsx_response
from core.forms import IsoMonthInput
from evaluation import display
from evaluation.selectors import systems as system_selectors
from evaluation.selectors.measures import (
    MAX_DAYS,
    MEASUREMENT_PERMISSION,
    MEASURES,
    PERSON_FILTERS,
    Measure,
    MeasureSpec,
    measure_all,
)
from evaluation.views import results as result_views
from organization.models import Dealer

DEALERS_PER_PAGE = 20
RECORDS_PER_PAGE = 50


# --- periods ---------------------------------------------------------------------------------------------------------


class MonthForm(forms.Form):
    """The month of the measurements page (YYYY-MM); the last complete month by default."""

    month = forms.DateField(label=_("Month"), input_formats=["%Y-%m"], required=False, widget=IsoMonthInput())
    dealer = forms.IntegerField(label=_("Dealer"), required=False, min_value=1)

    def period(self) -> Month:
        chosen = self.cleaned_data.get("month")
        return Month.of(chosen) if chosen else Month.current().previous()


class PeriodForm(forms.Form):
    """A period of whole local days, ``from`` and ``to`` included (at most a year)."""

    dealer = forms.IntegerField(label=_("Dealer"), min_value=1)
    # Only the records one person answers for (PERSON_FILTERS; the staff scorecard links here).
    advisor = forms.IntegerField(label=_("Service advisor"), min_value=1, required=False)
    technician = forms.IntegerField(label=_("Technician"), min_value=1, required=False)

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["from"] = forms.DateField(label=_("from"), required=False)
        self.fields["to"] = forms.DateField(label=_("to"), required=False)

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("from"), cleaned.get("to")
        if first is None and last is None and not self.errors:
            last_month = Month.current().previous()
            first, last = last_month.first_day, last_month.last_day
        if first is None or last is None:
            if not self.errors:
                self.add_error(None, _("Give both ends of the period."))
            return cleaned
        if first > last:
            self.add_error("to", _("The end of the period is before its start."))
        elif (last - first).days >= MAX_DAYS:
            self.add_error("to", _("A period is at most a year."))
        cleaned["from"], cleaned["to"] = first, last
        return cleaned

    def bounds(self) -> tuple[datetime, datetime]:
        return days_bounds(self.cleaned_data["from"], self.cleaned_data["to"])


# --- presenting figures and records ---------------------------------------------------------------------------------


def format_value(spec: MeasureSpec, measure: Measure) -> str:
    """The figure as the pages show it ("—" for no data)."""
    if measure.value is None:
        return "—"
    return f"{measure.value:.1f}" if spec.unit in ("%", "min", "h", "score", "NPS") else f"{measure.value:.0f}"


def resolve(record, path: str):
    """The value at a dotted path of a record (model instance or dict); callables (get_x_display) are called. A list
    on the way (prefetched rows: an order's worked lines) gives the list of the rest of the path for each row."""
    value = record
    parts = path.split(".")
    for index, part in enumerate(parts):
        if value is None:
            return None
        if isinstance(value, list):
            rest = ".".join(parts[index:])
            return [item for item in (resolve(row, rest) for row in value) if item is not None]
        value = value.get(part) if isinstance(value, dict) else getattr(value, part, None)
        if callable(value):
            value = value()
    return value


def _object_url(record, path: str) -> str | None:
    """The page of the object at ``path`` of the record ("self": the record), if it has one."""
    target = record if path == "self" else resolve(record, path)
    return target.get_absolute_url() if hasattr(target, "get_absolute_url") else None


def record_link(spec: MeasureSpec, record) -> str | None:
    target = record if spec.link == "self" else (resolve(record, spec.link) if spec.link else None)
    if target is None or isinstance(target, dict) or not hasattr(target, "get_absolute_url"):
        return None
    return target.get_absolute_url()


def _flag(in_numerator) -> str:
    """Whether a record counts in the numerator, worded as the page's badge (None: pending, not settled yet)."""
    if in_numerator is None:
        return pgettext("indicator record", "pending")
    return gettext("counts") if in_numerator else gettext("does not count")


def lag_sentence(spec: MeasureSpec, start: datetime, end: datetime) -> str:
    """For an indicator judged late (``lag_months``): what it means and which records the period's figure judges."""
    if not spec.lag_months:
        return ""
    first, following = spec.judged_period(start, end)
    records = gettext("This figure judges the records of %(first)s – %(last)s.") % {
        "first": f"{localtime(first):%Y-%m-%d}", "last": f"{last_local_day(following):%Y-%m-%d}",
    }  # fmt: skip
    return f"{spec.lag_note} {records}"


def _cell(value, kind: str):
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return ", ".join(dict.fromkeys(str(item) for item in value))  # each person once, in the order of the lines
    if isinstance(value, Model):
        return str(value)  # a person (the advisor): their name, also in the Excel sheet
    if kind == "datetime" and isinstance(value, datetime):
        return localtime(value).strftime("%Y-%m-%d %H:%M")
    if kind == "flag":
        return gettext("yes") if value else gettext("no")
    if isinstance(value, float):
        return f"{value:.1f}"
    return value


def record_rows(spec: MeasureSpec, records) -> list[dict]:
    """The drill-down rows of one page: cells of the spec's columns, the numerator flag, the own value, a link."""
    rows = []
    for record in records:
        flag = resolve(record, "in_numerator")
        own = resolve(record, "kpi_value")
        link = record_link(spec, record)
        cells = [_cell(resolve(record, c.path), c.kind) for c in spec.columns]
        rows.append(
            {
                "cells": cells,
                # (text, url): a column's own link (the RO), else the record's page on the first cell
                "linked_cells": [
                    (cell, _object_url(record, c.link) if c.link else (link if i == 0 else None))
                    for i, (cell, c) in enumerate(zip(cells, spec.columns, strict=True))
                ],
                "in_numerator": flag,
                "value": _cell(float(own) if own is not None else None, "number"),
                "link": link,
            }
        )
    return rows


# --- pages ---------------------------------------------------------------------------------------------------------


class MeasurementPermissionMixin(LoginRequiredMixin):
    """Managers and analysts who may read the indicator system see the measurements; others get a 404."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_perm(MEASUREMENT_PERMISSION):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class MeasurementsView(MeasurementPermissionMixin, View):
    """Every indicator's value, numerator and n per dealer of the user for one month, linked to the drill-downs."""

    template_name = "evaluation/measure_list.html"

    def get(self, request):
        form = MonthForm(request.GET)  # every field is optional: an empty query is the default month
        if not form.is_valid():
            context = {"form": form, "specs": MEASURES.values(), "names": system_selectors.indicator_names(())}
            return render(request, self.template_name, context, status=400)
        period = form.period()
        month, (start, end) = period.first_day, period.bounds()
        dealers = Dealer.objects.for_user(request.user).order_by("code").only("id", "code", "name")
        if form.cleaned_data.get("dealer"):
            dealers = dealers.filter(pk=form.cleaned_data["dealer"])
        names = system_selectors.indicator_names(dealers.order_by().values_list("region__oem_id", flat=True).distinct())
        if request.GET.get("format") == "xlsx":
            return self.export(list(dealers), month, start, end, names)
        page = Paginator(dealers, DEALERS_PER_PAGE).get_page(request.GET.get("page"))
        figures = measure_all([d.id for d in page], start, end)
        rows = [
            {
                "dealer": dealer,
                "figures": [
                    (spec, figures[code][dealer.id], format_value(spec, figures[code][dealer.id]))
                    for code, spec in MEASURES.items()
                ],
            }
            for dealer in page
        ]
        query = request.GET.copy()
        query.pop("page", None)
        query.pop("format", None)
        return render(
            request,
            self.template_name,
            {
                "form": form, "month": month, "first": period.first_day, "last": period.last_day,
                "specs": MEASURES.values(), "names": names, "rows": rows, "page_obj": page,
                "is_paginated": page.has_other_pages(),
                "querystring": query.urlencode(), "dealers": Dealer.objects.for_user(request.user).order_by("code"),
                "lags": {code: lag_sentence(spec, start, end) for code, spec in MEASURES.items() if spec.lag_months},
            },
        )  # fmt: skip

    def export(self, dealers, month, start, end, names):
        figures = measure_all([d.id for d in dealers], start, end)
        header = [
            gettext("Dealer code"), gettext("Dealer"), gettext("Indicator"), gettext("Name"), gettext("Unit"),
            pgettext("measured value", "Value"), gettext("Numerator"), gettext("Denominator"), "n",
        ]  # fmt: skip
        names = {code: names.get(code) or str(spec.label) for code, spec in MEASURES.items()}
        units = {code: display.unit_label(spec.unit) for code, spec in MEASURES.items()}
        rows = (
            [dealer.code, dealer.name, code, names[code], units[code], m.value, m.numerator, m.denominator, m.n]
            for dealer in dealers
            for code in MEASURES
            for m in [figures[code][dealer.id]]
        )
        return xlsx_response(
            filename=f"measurements-{month:%Y-%m}.xlsx", sheet_title=gettext("Measurements"), header=header, rows=rows
        )


class DrilldownView(MeasurementPermissionMixin, View):
    """The records behind one indicator's figure for one dealer and period, each marked whether it counts."""

    template_name = "evaluation/measure_drilldown.html"

    def get(self, request, code: str):
        spec = MEASURES.get(code)
        if spec is None or not request.user.has_perm(spec.permission):
            raise Http404
        form = PeriodForm(request.GET)
        if not form.is_valid():
            if "dealer" in form.errors and request.GET.get("dealer", "").isdigit():
                raise Http404
            context = {"form": form, "spec": spec, "names": system_selectors.indicator_names(())}
            return render(request, self.template_name, context, status=400)
        dealer = get_object_or_404(
            Dealer.objects.for_user(request.user).select_related("region"), pk=form.cleaned_data["dealer"]
        )
        person, role = self.person(form, spec, dealer)
        if form.errors:
            context = {"form": form, "spec": spec, "names": system_selectors.indicator_names(())}
            return render(request, self.template_name, context, status=400)
        start, end = form.bounds()
        figure = spec.measure([dealer.id], start, end)[dealer.id]
        records = spec.records(dealer.id, start, end)
        if person is not None:
            records = PERSON_FILTERS[role][spec.code](records, person.pk)
        if request.GET.get("format") == "xlsx":
            return self.export(spec, dealer, form, records)
        # the dealer's monthly trend of the indicator from the stored results, with its control limits
        trend = result_views.indicator_trend_chart_for(code, dealer.id, Month.of(form.cleaned_data["to"]), request.user)
        downloaded = download_response(request, [trend] if trend is not None else [])
        if downloaded is not None:
            return downloaded
        page = Paginator(records, RECORDS_PER_PAGE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        query.pop("format", None)
        everyone = query.copy()
        for name in PERSON_FILTERS:
            everyone.pop(name, None)
        return render(
            request,
            self.template_name,
            {
                "form": form, "spec": spec, "dealer": dealer, "figure": figure, "value": format_value(spec, figure),
                "names": system_selectors.indicator_names([dealer.region.oem_id]),
                "lag": lag_sentence(spec, start, end),
                "first": form.cleaned_data["from"], "last": form.cleaned_data["to"],
                "rows": record_rows(spec, page), "page_obj": page, "is_paginated": page.has_other_pages(),
                "querystring": query.urlencode(), "person": person, "person_role": role,
                "everyone_querystring": everyone.urlencode(), "trend_chart": trend,
            },
        )  # fmt: skip

    def person(self, form, spec: MeasureSpec, dealer):
        """(user, role) of the ``advisor`` / ``technician`` filter, or (None, None). Someone who neither works for
        the dealer nor has a staff profile there is a 404; an indicator without that filter a form error."""
        if all(form.cleaned_data.get(role) is not None for role in PERSON_FILTERS):
            form.add_error(None, gettext("Narrow the records to a service advisor or to a technician, not both."))
            return None, None
        for role, filters in PERSON_FILTERS.items():
            person_id = form.cleaned_data.get(role)
            if person_id is None:
                continue
            if spec.code not in filters:
                form.add_error(role, gettext("%(code)s cannot be narrowed to one person in this role.")
                               % {"code": spec.code})  # fmt: skip
                return None, None
            people = User.objects.filter(Q(dealer_memberships__dealer=dealer) | Q(staff_profiles__dealer=dealer))
            return get_object_or_404(people.distinct(), pk=person_id), role
        return None, None

    def export(self, spec, dealer, form, records):
        """The drill-down as a sheet with the page's columns (a flag or value column only where the page has one)."""
        header = [str(c.label) for c in spec.columns]
        header += [str(label) for label in (spec.numerator_label, spec.value_label) if label]
        rows = (
            row["cells"]
            + ([_flag(row["in_numerator"])] if spec.numerator_label else [])
            + ([row["value"]] if spec.value_label else [])
            for row in record_rows(spec, records.iterator(chunk_size=2000))
        )
        first, last = form.cleaned_data["from"], form.cleaned_data["to"]
        return xlsx_response(
            filename=f"{spec.code}-{dealer.code}-{first:%Y%m%d}-{last:%Y%m%d}.xlsx", sheet_title=spec.code,
            header=header, rows=rows,
        )  # fmt: skip
