"""Pages of the workshop economics: the report (workshop, technicians, days, repair orders, charts, Excel), the
day's attendance sheet and the labour cost rates."""

from __future__ import annotations

from datetime import date, datetime

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from accounts.models import User
from core.charts import Chart, Series, download_response
from core.exports import Sheet, xlsx_sheets_response
from core.forms import apply_service_errors
from core.mixins import refusal_text
from core.tenancy import dealers_for
from economics import selectors, services
from economics.forms import AttendanceSheet, CostRateForm, PeriodForm
from economics.models import Attendance, CostRate
from repairs.choices import Payer

VIEW = "economics.view_economics_attendance"
TREND_DAYS = 62  # a longer period is shown by month


class _Refuse404(LoginRequiredMixin, PermissionRequiredMixin):
    def handle_no_permission(self):
        if self.request.user.is_authenticated:
            raise Http404
        return super().handle_no_permission()


def picked_dealers(request, *, write: bool = False):
    """The user's dealers (to change, with ``write``), and the one ``?dealer=`` picks (another's id: 404)."""
    dealers = list(dealers_for(request.user, write=write).only("id", "code", "name").order_by("code"))
    raw = request.GET.get("dealer", "") if request.method == "GET" else request.POST.get("dealer", "")
    if not raw:
        return dealers, None
    chosen = next((d for d in dealers if str(d.pk) == raw), None)
    if chosen is None:
        raise Http404
    return dealers, chosen


def _figures_row(f: selectors.Figures) -> list:
    f = f.rounded()
    return [
        f.sold_hours, f.clocked_hours, f.attended_hours,
        f.efficiency.fraction_decimal(), f.productivity.fraction_decimal(), f.overall.fraction_decimal(),
        f.labour_revenue, f.effective_labour_rate, f.labour_cost, f.labour_margin, f.uncosted_hours,
    ]  # fmt: skip


def _figures_header() -> list[str]:
    return [_("Hours sold"), _("Hours clocked"), _("Hours attended"), _("Efficiency"), _("Productivity"),
            _("Overall efficiency"), _("Labour revenue"), _("Effective labour rate"), _("Labour cost"),
            _("Labour gross margin"), _("Hours without a cost rate")]  # fmt: skip


class EconomicsView(_Refuse404, View):
    """车间效率: the period's workshop summary, a row per technician, the days (or months), the delivered repair
    orders (25 a page) and two charts; ``?export=xlsx`` downloads it all, ``?download=<chart>`` a chart's table."""

    permission_required = VIEW
    template_name = "economics/economics.html"

    def get(self, request):
        dealers, chosen = picked_dealers(request)
        form = PeriodForm(request.GET)
        context = {"form": form, "dealers": dealers, "dealer": chosen}
        if not form.is_valid():
            return render(request, self.template_name, context, status=400)
        first, last = form.period()
        dealer_ids = [chosen.pk] if chosen else [d.pk for d in dealers]
        report = selectors.economics(dealer_ids, first, last)
        names = {d.pk: d for d in dealers}
        people = User.objects.in_bulk({tech for _dealer, tech in report.technicians})
        technicians = sorted(
            ((names[d], people[t], f.rounded()) for (d, t), f in report.technicians.items() if t in people),
            key=lambda row: (row[0].code, str(row[1])),
        )
        by_month = (last - first).days >= TREND_DAYS
        trend = ([(str(m), f.rounded()) for m, f in report.months().items()] if by_month
                 else [(f"{d:%m-%d}", f.rounded()) for d, f in sorted(report.days.items())])  # fmt: skip
        charts = [self._efficiency_chart(technicians), self._trend_chart(trend, by_month)]
        download = download_response(request, charts)
        if download is not None:
            return download
        orders = selectors.order_economics(dealer_ids, first, last)
        if request.GET.get("export") == "xlsx":
            return self._export(report, names, technicians, trend, orders, first, last)
        page = Paginator(orders, 25).get_page(request.GET.get("page"))
        page.object_list = selectors.with_labour_cost(list(page.object_list))
        query = request.GET.copy()
        query.pop("page", None)
        context.update(
            first=first, last=last, total=report.total.rounded(),
            workshops=[(names[d], f.rounded()) for d, f in sorted(report.workshops.items()) if d in names],
            technicians=technicians, trend=trend, by_month=by_month, charts=charts,
            page_obj=page, is_paginated=page.has_other_pages(), querystring=query.urlencode(),
            payers=[(label, report.total.rounded().sold_by_payer.get(value)) for value, label in Payer.choices
                    if value in report.total.sold_by_payer],
        )  # fmt: skip
        return render(request, self.template_name, context)

    @staticmethod
    def _efficiency_chart(technicians) -> Chart:
        return Chart(
            key="efficiency", title=_("Efficiency and productivity per technician"), kind="bar",
            categories=[f"{dealer.code} {person}" for dealer, person, _f in technicians],
            series=[Series(_("Efficiency"), [f.efficiency.rounded_percent() for *_x, f in technicians]),
                    Series(_("Productivity"), [f.productivity.rounded_percent() for *_x, f in technicians])],
            unit="%", horizontal=True, height=max(220, 56 * len(technicians) + 80), category_label=_("Technician"),
            empty_message=_("No technician sold, clocked or attended hours in this period."),
        )  # fmt: skip

    @staticmethod
    def _trend_chart(trend, by_month: bool) -> Chart:
        return Chart(
            key="trend", title=_("Hours sold, clocked and attended by month") if by_month
            else _("Hours sold, clocked and attended by day"), kind="line",
            categories=[label for label, _f in trend],
            series=[Series(_("Hours sold"), [float(f.sold_hours) for _l, f in trend]),
                    Series(_("Hours clocked"), [float(f.clocked_hours) for _l, f in trend]),
                    Series(_("Hours attended"), [float(f.attended_hours) for _l, f in trend], style="bar")],
            unit="h", category_label=_("Month") if by_month else _("Day"),
            empty_message=_("No hours in this period."),
        )  # fmt: skip

    @staticmethod
    def _export(report, names, technicians, trend, orders, first: date, last: date):
        head = _figures_header()
        workshop_rows = [
            [
                names[d].code,
                names[d].name,
                *_figures_row(f),
                f.rounded().orders,
                f.rounded().revenue,
                f.revenue_per_order,
                f.rounded().parts_revenue,
                f.rounded().parts_cost,
                f.rounded().parts_margin,
            ]
            for d, f in sorted(report.workshops.items())
            if d in names
        ]
        order_rows = []
        for chunk_start in range(0, orders.count(), 500):
            for o in selectors.with_labour_cost(list(orders[chunk_start : chunk_start + 500])):
                delivered = timezone.localtime(o.delivered_at).strftime("%Y-%m-%d %H:%M")
                order_rows.append([o.dealer.code, o.number, delivered,
                                   str(o.advisor), o.sold_hours, o.clocked_hours, o.efficiency.fraction_decimal(),
                                   o.labour_revenue, o.labour_cost, o.labour_margin, o.parts_revenue, o.parts_cost,
                                   o.parts_margin, o.revenue])  # fmt: skip
        sheets = [
            Sheet(_("Workshops"), [_("Dealer code"), _("Dealer"), *head, _("Repair orders"), _("Revenue"),
                                   _("Revenue per repair order"), _("Parts revenue"), _("Parts cost"),
                                   _("Parts gross margin")], workshop_rows, {5: "0.0%", 6: "0.0%", 7: "0.0%"}),
            Sheet(_("Technicians"), [_("Dealer code"), _("Technician"), *head, _("Days away")],
                  [[d.code, str(p), *_figures_row(f), f.absence_days] for d, p, f in technicians],
                  {5: "0.0%", 6: "0.0%", 7: "0.0%"}),
            Sheet(_("Month") if (last - first).days >= TREND_DAYS else _("Day"), [_("Period"), *head],
                  [[label, *_figures_row(f)] for label, f in trend], {4: "0.0%", 5: "0.0%", 6: "0.0%"}),
            Sheet(_("Repair orders"), [_("Dealer code"), _("RO number"), _("Delivered"), _("Service advisor"),
                                       _("Hours sold"), _("Hours clocked"), _("Efficiency"), _("Labour revenue"),
                                       _("Labour cost"), _("Labour gross margin"), _("Parts revenue"), _("Parts cost"),
                                       _("Parts gross margin"), _("Revenue")], order_rows, {6: "0.0%"}),
        ]  # fmt: skip
        return xlsx_sheets_response(filename=f"workshop-economics-{first:%Y%m%d}-{last:%Y%m%d}.xlsx", sheets=sheets)


class AttendanceView(_Refuse404, View):
    """The day's attendance sheet of a dealer's technicians (出勤登记), entered by the foreman or service manager:
    clock-in and clock-out with the break, or the hours, or why they were away."""

    permission_required = "economics.add_attendance"
    template_name = "economics/attendance.html"

    def _day(self, request) -> date:
        raw = (request.GET if request.method == "GET" else request.POST).get("day", "")
        try:
            return datetime.strptime(raw, "%Y-%m-%d").date() if raw else timezone.localdate()
        except ValueError:
            return timezone.localdate()

    def _sheet(self, request, dealer, day, data=None):
        people = list(services.workshop_people(dealer))
        recorded = {a.technician_id: a for a in Attendance.objects.filter(dealer=dealer, day=day)}
        initial = []
        for person in people:
            a = recorded.get(person.pk)
            initial.append({"technician": person.pk, "clock_in": a.clock_in if a else None,
                            "clock_out": a.clock_out if a else None, "break_minutes": a.break_minutes if a else None,
                            "hours": a.hours if a and not a.clock_in and not a.absence else None,
                            "absence": a.absence if a else "", "note": a.note if a else ""})  # fmt: skip
        sheet = AttendanceSheet(data, initial=initial, prefix="row")
        return people, recorded, sheet

    def _render(self, request, dealers, dealer, day, people, recorded, sheet, status=200):
        rows = [(person, form, recorded.get(person.pk)) for person, form in zip(people, sheet.forms, strict=False)]
        context = {"dealers": dealers, "dealer": dealer, "day": day, "sheet": sheet, "rows": rows}
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        dealers, chosen = picked_dealers(request, write=True)
        dealer = chosen or (dealers[0] if dealers else None)
        if dealer is None:
            raise Http404
        day = self._day(request)
        people, recorded, sheet = self._sheet(request, dealer, day)
        return self._render(request, dealers, dealer, day, people, recorded, sheet)

    def post(self, request):
        dealers, dealer = picked_dealers(request, write=True)
        if dealer is None:
            raise Http404
        day = self._day(request)
        people, recorded, sheet = self._sheet(request, dealer, day, request.POST)
        by_id = {p.pk: p for p in people}
        if sheet.is_valid():
            try:
                with transaction.atomic():
                    saved = self._save(request, dealer, day, sheet, by_id, recorded)
            except PermissionDenied as exc:
                messages.error(request, refusal_text(exc))
                return self._render(request, dealers, dealer, day, people, recorded, sheet, status=403)
            if saved is not None:
                messages.success(request, _("Attendance of %(day)s saved: %(n)s technicians.") % {
                    "day": f"{day:%Y-%m-%d}", "n": saved})  # fmt: skip
                return redirect(f"{reverse('economics:attendance')}?dealer={dealer.pk}&day={day:%Y-%m-%d}")
        return self._render(request, dealers, dealer, day, people, recorded, sheet, status=400)

    @staticmethod
    def _save(request, dealer, day, sheet, by_id, recorded) -> int | None:
        """Save every filled row (an emptied row clears the day); None when a row was refused (nothing saved)."""
        saved, failed = 0, False
        for form in sheet.forms:
            person = by_id.get(form.cleaned_data["technician"])
            if person is None:
                form.add_error(None, _("Choose a technician of this dealer."))
                failed = True
                continue
            if form.is_blank():
                if person.pk in recorded:
                    services.attendance_clear(attendance=recorded[person.pk], by=request.user)
                continue
            data = form.cleaned_data
            try:
                services.attendance_record(
                    dealer=dealer, technician=person, day=day, by=request.user, clock_in=data["clock_in"],
                    clock_out=data["clock_out"], break_minutes=data["break_minutes"] or 0, absence=data["absence"],
                    hours=data["hours"], note=data["note"],
                )  # fmt: skip
                saved += 1
            except ValidationError as exc:
                apply_service_errors(form, exc)
                failed = True
        if failed:
            transaction.set_rollback(True)
            return None
        return saved


class CostRateView(_Refuse404, View):
    """The dealer's labour cost rates (人工成本费率), newest first, and a new one from a date (the service manager)."""

    permission_required = "economics.view_costrate"
    template_name = "economics/cost_rates.html"

    def _context(self, request, dealers, dealer, form):
        rates = CostRate.objects.for_user(request.user).select_related("dealer", "technician")
        if dealer is not None:
            rates = rates.filter(dealer=dealer)
        rates = rates.order_by("dealer__code", "-valid_from")[:200]
        return {"dealers": dealers, "dealer": dealer, "form": form, "rates": rates,
                "may_add": request.user.has_perm("economics.add_costrate")}  # fmt: skip

    def get(self, request):
        dealers, dealer = picked_dealers(request)
        dealer = dealer or (dealers[0] if len(dealers) == 1 else None)
        technicians = services.workshop_people(dealer) if dealer else User.objects.none()
        form = CostRateForm(technicians=technicians)
        return render(request, self.template_name, self._context(request, dealers, dealer, form))

    def post(self, request):
        dealers, dealer = picked_dealers(request, write=True)
        if dealer is None:
            raise Http404
        form = CostRateForm(request.POST, technicians=services.workshop_people(dealer))
        if form.is_valid():
            try:
                services.cost_rate_create(dealer=dealer, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, refusal_text(exc))
                return render(request, self.template_name, self._context(request, dealers, dealer, form), status=403)
            else:
                messages.success(request, _("Cost rate saved."))
                return redirect(f"{reverse('economics:cost_rates')}?dealer={dealer.pk}")
        return render(request, self.template_name, self._context(request, dealers, dealer, form), status=400)


class AttendanceImportView(_Refuse404, View):
    """Attendance from the time clock's export (.xlsx or .csv): every row saved, or none with each row's error."""

    permission_required = "economics.add_attendance"
    http_method_names = ["post"]

    def post(self, request):
        _dealers, dealer = picked_dealers(request, write=True)
        if dealer is None:
            raise Http404
        target = f"{reverse('economics:attendance')}?dealer={dealer.pk}&day={request.POST.get('day', '')}"
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choose the file to import."))
            return redirect(target)
        try:
            saved = services.attendance_import(dealer=dealer, file=upload, by=request.user)
        except ValidationError as exc:
            for message in exc.messages[:20]:
                messages.error(request, message)
            return redirect(target)
        except PermissionDenied as exc:
            messages.error(request, refusal_text(exc))
            return redirect(target)
        messages.success(request, _("%(n)s attendance rows imported.") % {"n": saved})
        return redirect(target)
