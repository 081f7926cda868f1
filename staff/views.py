"""Pages of the staff domain: list, profile (with its forms), training report (C3), certificates (C4),
scorecard with Excel export, assessments."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.generic import View

from core.charts import Chart, Series, download_response
from core.dates import days_bounds, first_of_month
from core.exports import Sheet, xlsx_sheets_response
from core.forms import apply_service_errors
from core.history import history_entries
from core.indicators import CSI_POINTS, NPS, PERCENT, RATIO, Rate
from core.lists import FilteredListMixin, FilteredListView, filter_values
from core.mixins import DealerScopedObjectMixin, RecordFormView, RecordPageView
from core.permissions import allowed
from organization.models import Dealer
from staff import hooks, kpis, selectors, services
from staff.choices import CERTIFICATE_STATUS_COLOURS, RUBRIC, CertificateStatus, Position, TrainingStatus
from staff.filtersets import CertificateFilterSet, StaffProfileFilterSet
from staff.forms import (
    AssessmentForm,
    CertificateForm,
    CourseForm,
    PeriodForm,
    ProfileCreateForm,
    ProfileForm,
    RequirementForm,
    ScorecardForm,
    SkillForm,
    TrainingRecordForm,
)
from staff.models import Certificate, StaffProfile, TrainingCourse, TrainingRequirement
from staff.rules import default_yearly_hours

VIEW = "staff.view_staffprofile"
VIEW_OWN = "staff.view_own_staffprofile"


class StaffFiltersMixin(FilteredListMixin):
    """StaffProfileFilterSet over the user's dealers' staff."""

    filterset_class = StaffProfileFilterSet


class StaffListView(StaffFiltersMixin, FilteredListView):
    """The staff of the user's dealers with certificate and training status (today's staff unless ``former``)."""

    model = StaffProfile
    permission_required = VIEW
    paginate_by = 50
    template_name = "staff/staff_list.html"
    filter_defaults = {"former": "false"}

    def get_base_queryset(self):
        return selectors.profile_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            positions=Position.choices,
            certificate_statuses=CertificateStatus.choices,
            training_statuses=TrainingStatus.choices,
            colours=CERTIFICATE_STATUS_COLOURS,
            can_create=self.request.user.has_perm("staff.add_staffprofile"),
            today=timezone.localdate(),
        )
        return context


class ProfileCreateView(DealerScopedObjectMixin, View):
    """Open a staff profile for a person assigned to one of the user's dealers."""

    model = StaffProfile
    permission_required = "staff.add_staffprofile"
    write_scope = True
    template_name = "staff/profile_create.html"

    def dealer(self, request):
        dealers = Dealer.objects.for_user(request.user, write=True).order_by("code")
        dealer_id = request.GET.get("dealer") or request.POST.get("dealer")
        if dealer_id:
            if not str(dealer_id).isdigit():
                raise Http404
            return get_object_or_404(dealers, pk=dealer_id), dealers
        dealer = dealers.first()
        if dealer is None:
            raise Http404
        return dealer, dealers

    def get(self, request):
        dealer, dealers = self.dealer(request)
        form = ProfileCreateForm(dealer=dealer, initial={"hire_date": timezone.localdate()})
        return render(request, self.template_name, {"form": form, "dealer": dealer, "dealers": dealers})

    def post(self, request):
        dealer, dealers = self.dealer(request)
        form = ProfileCreateForm(request.POST, dealer=dealer)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                profile = services.profile_create(dealer=dealer, user=data.pop("user"), by=request.user, **data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Staff profile of %(person)s opened.") % {"person": profile.user})
                return redirect(profile)
        return render(request, self.template_name, {"form": form, "dealer": dealer, "dealers": dealers}, status=400)


def _assessment_subjects(user):
    """The people the user may assess: staff of the dealers they work for, not themselves."""
    return (
        StaffProfile.objects.for_user(user, write=True)
        .filter(selectors.active_on_q(timezone.localdate()))
        .exclude(user=user)
        .select_related("user", "dealer")
        .order_by("dealer__code", "employee_number")
    )


def _profile_context(request, profile: StaffProfile, **bound_forms) -> dict:
    user = request.user
    today = timezone.localdate()
    manage = user.has_perm(VIEW)
    can_write = allowed(user, dealer=profile.dealer_id)
    annotated = selectors.annotate_training(StaffProfile.objects.filter(pk=profile.pk), as_of=today).get()
    month_start = first_of_month(today)
    context = {
        "object": profile,
        "today": today,
        "training": annotated,
        "skills": profile.skills.order_by("area"),
        "certificates": [
            (c, CertificateStatus(c.status_on(today)).label, CERTIFICATE_STATUS_COLOURS[c.status_on(today)])
            for c in profile.certificates.select_related("expiry_task").order_by("kind", "-issued_on")
        ],
        "records": profile.training_records.select_related("course").order_by("-attended_on", "-id")[:100],
        "assessment_summary": selectors.assessment_summary(profile=profile),
        "rubric": [label for _name, label in RUBRIC],
        "scorecard": _profile_scorecard(user, profile, month_start, today),
        "month_start": month_start,
        "is_own": profile.user_id == user.pk,
        "history": history_entries(profile) if manage else [],
    }
    if manage:
        context["assessments"] = profile.assessments.select_related("assessor").order_by("-year", "-quarter", "id")
    if can_write and user.has_perm("staff.change_staffprofile"):
        context["edit_form"] = bound_forms.get("edit_form") or ProfileForm(instance=profile, dealer=profile.dealer)
        context["skill_form"] = bound_forms.get("skill_form") or SkillForm()
    if can_write and user.has_perm("staff.add_certificate"):
        context["certificate_form"] = bound_forms.get("certificate_form") or CertificateForm()
    if can_write and user.has_perm("staff.add_trainingrecord"):
        context["record_form"] = bound_forms.get("record_form") or TrainingRecordForm(
            dealer=profile.dealer, initial={"attended_on": today}
        )
    if user.has_perm("staff.add_assessment"):
        context["can_assess"] = _assessment_subjects(user).filter(pk=profile.pk).exists()
        context["colleagues"] = context["is_own"] and _assessment_subjects(user).exists()
    return context


def _profile_scorecard(user, profile: StaffProfile, first, last) -> list[dict]:
    """The person's scorecard rows of the days (this month so far), ranked among their dealer's colleagues."""
    card = selectors.scorecard(
        profiles=StaffProfile.objects.filter(pk=profile.pk), peers=StaffProfile.objects.filter(dealer=profile.dealer),
        first=first, last=last,
    )  # fmt: skip
    link_records(card, user)
    return [
        {"role": role, "title": ROLE_TITLES[role], "metrics": selectors.METRICS[role], "rows": card.shown(role)}
        for role in card.rows
        if card.shown(role)
    ]


class ProfileDetailView(RecordPageView):
    """A person's profile: certificates, training, skills, assessments, this month's scorecard, history.

    Managers (view permission) see everyone of their dealers; everyone else sees only their own profile.
    """

    model = StaffProfile
    permission_required = (VIEW, VIEW_OWN)
    template_name = "staff/profile_detail.html"
    related = ("user", "dealer", "supervisor")

    def has_permission(self):
        user = self.request.user
        return user.has_perm(VIEW) or user.has_perm(VIEW_OWN)

    def get_queryset(self):
        qs = super().get_queryset()
        if not self.request.user.has_perm(VIEW):
            qs = qs.filter(user=self.request.user)
        return qs

    def page_context(self, record, **bound_forms) -> dict:
        return _profile_context(self.request, record, **bound_forms)


class MyProfileView(LoginRequiredMixin, View):
    """The signed-in person's own profile (the first one, if they work for several dealers)."""

    def get(self, request):
        profile = StaffProfile.objects.filter(user=request.user).order_by("dealer__code").first()
        if profile is None:  # a page that says so (the menu shows "My profile" to every role holding it)
            return render(request, "staff/no_profile.html")
        return redirect(profile)


class ProfileFormPostView(RecordFormView, ProfileDetailView):
    """Base of the profile page's forms (managers of the person's dealer)."""

    def has_permission(self):
        return self.request.user.has_perm(self.permission_required)


class ProfileEditView(ProfileFormPostView):
    permission_required = "staff.change_staffprofile"
    form_name = "edit_form"

    def build_form(self, profile, data):
        return ProfileForm(data, instance=StaffProfile.objects.get(pk=profile.pk), dealer=profile.dealer)

    def save(self, profile, form):
        data = dict(form.cleaned_data)
        services.profile_update(profile=profile, by=self.request.user, version=data.pop("version"), **data)
        return _("Profile saved.")


class SkillSetView(ProfileFormPostView):
    permission_required = "staff.change_staffprofile"
    form_name = "skill_form"

    def build_form(self, profile, data):
        return SkillForm(data)

    def save(self, profile, form):
        services.skill_set(profile=profile, by=self.request.user, **form.cleaned_data)
        return _("Skill saved.")


class CertificateAddView(ProfileFormPostView):
    permission_required = "staff.add_certificate"
    form_name = "certificate_form"

    def build_form(self, profile, data):
        return CertificateForm(data)

    def save(self, profile, form):
        certificate = services.certificate_add(profile=profile, by=self.request.user, **form.cleaned_data)
        return _("Certificate %(number)s recorded.") % {"number": certificate.number}


class TrainingRecordAddView(ProfileFormPostView):
    permission_required = "staff.add_trainingrecord"
    form_name = "record_form"

    def build_form(self, profile, data):
        return TrainingRecordForm(data, dealer=profile.dealer)

    def save(self, profile, form):
        data = dict(form.cleaned_data)
        services.training_record_add(profile=profile, course=data.pop("course"), by=self.request.user, **data)
        return _("Training recorded.")


class AssessmentCreateView(DealerScopedObjectMixin, View):
    """Assess a colleague (peer) or a person one supervises, for a quarter, on the 1–5 rubric."""

    model = StaffProfile
    permission_required = "staff.add_assessment"
    write_scope = True
    template_name = "staff/assessment_form.html"

    def get(self, request):
        subjects = _assessment_subjects(request.user)
        initial = {}
        subject = request.GET.get("subject", "")
        if subject.isdigit():
            initial["subject"] = get_object_or_404(subjects, pk=subject)
        return render(request, self.template_name, {"form": AssessmentForm(subjects=subjects, initial=initial)})

    def post(self, request):
        form = AssessmentForm(request.POST, subjects=_assessment_subjects(request.user))
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                services.assessment_create(subject=data.pop("subject"), by=request.user, **data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Assessment recorded."))
                return redirect(reverse("staff:my_profile") if not request.user.has_perm(VIEW) else
                                form.cleaned_data["subject"].get_absolute_url())  # fmt: skip
        return render(request, self.template_name, {"form": form}, status=400)


class TrainingReportView(StaffFiltersMixin, DealerScopedObjectMixin, View):
    """The year's training hours per person against the requirement (KPI C3), per dealer; courses; requirements."""

    model = StaffProfile
    permission_required = VIEW
    template_name = "staff/training_report.html"

    def context(self, request, **bound) -> dict:
        today = timezone.localdate()
        year = request.GET.get("year", "")
        year = int(year) if year.isdigit() and 2000 <= int(year) <= today.year else today.year
        filters = filter_values(self.filterset)
        dealer_id, position = filters.get("dealer"), filters.get("position") or ""
        report = selectors.training_report(profiles=self.filtered_queryset(), year=year)
        dealers = list(self.get_dealers())
        names = {d.pk: d for d in dealers}
        writable = [d for d in dealers if allowed(request.user, dealer=d)]
        requirements = {
            (r.dealer_id, r.position): r.yearly_hours
            for r in TrainingRequirement.objects.for_user(request.user).filter(
                dealer_id__in=[dealer_id] if dealer_id else [d.pk for d in dealers]
            )
        }
        shown = [names[dealer_id]] if dealer_id else dealers
        c3 = kpis.compliance_on([d.pk for d in shown], report["as_of"])
        context = {
            **report,
            "year": year,
            "years": list(range(today.year, today.year - 5, -1)),
            "dealers": dealers,
            "dealer_id": dealer_id,
            "position": position,
            "positions": Position.choices,
            "c3_indicator": kpis.C3,
            "c3": [(names[d], figure) for d, figure in sorted(c3.items()) if d in names and figure.n],
            "requirement_rows": [
                (
                    dealer,
                    [
                        (label, requirements.get((dealer.pk, value)), default_yearly_hours(value))
                        for value, label in Position.choices
                    ],
                )
                for dealer in shown[:20]
            ],
            "courses": TrainingCourse.objects.for_user(request.user)
            .filter(dealer_id__in=[d.pk for d in shown])
            .select_related("dealer")
            .order_by("dealer__code", "code")[:200],
            "querystring": self.querystring(),
            "filterset": self.filterset,
        }
        if writable and request.user.has_perm("staff.change_trainingrequirement"):
            context["requirement_form"] = bound.get("requirement_form") or RequirementForm()
        if writable and request.user.has_perm("staff.add_trainingcourse"):
            context["course_form"] = bound.get("course_form") or CourseForm()
        context["writable_dealers"] = writable
        return context

    def get(self, request):
        return render(request, self.template_name, self.context(request))


class _TrainingSetupPost(DealerScopedObjectMixin, View):
    """Posts of the training page (a requirement, a course) for one of the user's writable dealers."""

    model = StaffProfile
    write_scope = True
    form_class = None
    form_name = ""

    def post(self, request):
        dealer_id = request.POST.get("dealer", "")
        if not dealer_id.isdigit():
            raise Http404
        dealer = get_object_or_404(Dealer.objects.for_user(request.user, write=True), pk=dealer_id)
        form = self.form_class(request.POST)
        if form.is_valid():
            try:
                message = self.save(dealer, form)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, message)
                return redirect(f"{reverse('staff:training_report')}?dealer={dealer.pk}")
        view = TrainingReportView(request=request)
        return render(request, TrainingReportView.template_name, view.context(request, **{self.form_name: form}),
                      status=400)  # fmt: skip


class RequirementSetView(_TrainingSetupPost):
    permission_required = "staff.change_trainingrequirement"
    form_class = RequirementForm
    form_name = "requirement_form"

    def save(self, dealer, form):
        services.requirement_set(dealer=dealer, by=self.request.user, **form.cleaned_data)
        return _("Training requirement saved.")


class CourseCreateView(_TrainingSetupPost):
    permission_required = "staff.add_trainingcourse"
    form_class = CourseForm
    form_name = "course_form"

    def save(self, dealer, form):
        course = services.course_create(dealer=dealer, by=self.request.user, **form.cleaned_data)
        return _("Course %(code)s added.") % {"code": course.code}


class CertificateListView(StaffFiltersMixin, FilteredListView):
    """Certificates that need action (expired or expiring, not renewed), and KPI C4 for a period."""

    model = Certificate
    permission_required = "staff.view_certificate"
    paginate_by = 50
    template_name = "staff/certificate_list.html"
    filterset_class = CertificateFilterSet

    def get_base_queryset(self):
        return selectors.certificate_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        period_form = PeriodForm(self.request.GET)
        start, end = period_form.period()
        dealers = list(context["dealers"])
        names = {d.pk: d for d in dealers}
        dealer = context["filters"].get("dealer")
        dealer_ids = [dealer] if dealer else list(names)
        c4 = kpis.certified_technicians(dealer_ids, *days_bounds(start, end))
        today = timezone.localdate()
        context.update(
            dealers=dealers,
            start=start,
            end=end,
            c4_indicator=kpis.C4,
            c4=[(names[d], figure) for d, figure in sorted(c4.items()) if d in names and figure.n],
            rows=[
                (c, CertificateStatus(c.status_on(today)).label, CERTIFICATE_STATUS_COLOURS[c.status_on(today)])
                for c in context["object_list"]
            ],
        )
        return context


# --- scorecard ----------------------------------------------------------------------------------------------

ROLE_TITLES = {selectors.ADVISOR: _lazy("Service advisors"), selectors.TECHNICIAN: _lazy("Technicians")}
# The value axis of a ranking chart per unit (None: from the data).
AXES = {PERCENT: (0, 100), NPS: (-100, 100), CSI_POINTS: (0, 1000), selectors.PER_HUNDRED: (0, None)}


def _ro_list_url(user, code: str, row: selectors.ScorecardRow, card: selectors.Scorecard) -> str | None:
    """For a reader without the drill-down: an advisor's B1 / B2 orders in the repair-order list (delivered in the
    days the indicator judges, with them as advisor)."""
    if row.role != selectors.ADVISOR or code not in ("B1", "B2") or not user.has_perm("repairs.view_repairorder"):
        return None
    low, high = days_bounds(*card.judged_days[code])
    query = {"dealer": row.profile.dealer_id, "advisor": row.profile.user_id, "status": "",
             "delivered_after": low.isoformat(), "delivered_before": high.isoformat()}  # fmt: skip
    return f"{reverse('repairs:repair_order_list')}?{urlencode(query)}"


def link_records(card: selectors.Scorecard, user) -> None:
    """Every shown figure links to its records: the drill-down filtered to the person (staff.hooks records_url),
    else the repair-order list where that is the same orders; hours clocked have no list."""
    for role in card.rows:
        for row in card.shown(role):
            for cell in row.cells:
                code = cell.metric.code
                if code == selectors.HOURS_CLOCKED:
                    continue
                cell.url = hooks.call(
                    "records_url", user, code, row.profile.dealer_id, card.first, card.last, role, row.profile.user_id
                ) or _ro_list_url(user, code, row, card)


def ranked_rows(card: selectors.Scorecard, role: str, code: str) -> list[selectors.ScorecardRow]:
    """The shown rows of the role, by their rank on ``code`` (those without a rank last, by name)."""
    return sorted(
        card.shown(role),
        key=lambda row: (row.cell(code).rank is None, row.cell(code).rank or 0, str(row.profile.user)),
    )


def ranking_chart(card: selectors.Scorecard, role: str, code: str) -> Chart:
    """The ranking of the role's people with a rank on ``code``, as bars linked to their records, n under each."""
    metric = next(m for m in selectors.METRICS[role] if m.code == code)
    rows = [row for row in ranked_rows(card, role, code) if row.cell(code).rank is not None]
    low, high = AXES.get(metric.unit, (None, None))
    minimum = ", ".join(sorted({str(card.minimums.get(row.profile.dealer_id, "")) for row in card.rows[role]}))
    return Chart(
        key=f"{role}-ranking",
        title=_("%(role)s ranked by %(code)s %(indicator)s") % {
            "role": ROLE_TITLES[role], "code": code, "indicator": metric.label},
        kind="bar",
        categories=[f"{row.cell(code).rank}. {row.profile.user}" for row in rows],
        series=[Series(f"{code} {metric.label}", [row.cell(code).value for row in rows],
                       links=[row.cell(code).url for row in rows])],
        unit="" if metric.unit in (selectors.PER_HUNDRED, NPS, CSI_POINTS) else metric.unit,
        counts=[row.cell(code).measure.n for row in rows],
        y_min=low, y_max=high, horizontal=True, height=max(200, 48 * len(rows) + 80),
        category_label=_("Name"),
        empty_message=_("Nobody has enough records for a rank this month (a rank needs at least %(minimum)s).")
        % {"minimum": minimum or "—"},
    )  # fmt: skip


class ScorecardMixin(StaffFiltersMixin):
    """The people of the scorecard at one dealer (the first of the user's by default; everyone without the staff
    list sees only themselves, ranked among their colleagues), the month and the rankings' figures."""

    model = StaffProfile

    def get_base_queryset(self):
        profiles = StaffProfile.objects.for_user(self.request.user)
        return profiles if self.request.user.has_perm(VIEW) else profiles.filter(user=self.request.user)

    def get_dealers(self):
        return super().get_dealers().order_by("code")

    def get_filter_defaults(self) -> dict[str, str]:
        first = self.get_dealers().first()
        return {"dealer": str(first.pk)} if first is not None else {}

    def scorecard(self, request) -> tuple[ScorecardForm, selectors.Scorecard | None]:
        if not (request.user.has_perm(VIEW) or request.user.has_perm(VIEW_OWN)):
            raise Http404
        form = ScorecardForm(request.GET)
        dealer_id = filter_values(self.filterset).get("dealer")  # another dealer's id: 404
        if not form.is_valid() or not self.filterset.is_valid():
            return form, None
        month = form.period()
        peers = StaffProfile.objects.filter(dealer_id=dealer_id) if dealer_id else StaffProfile.objects.none()
        card = selectors.scorecard(
            profiles=self.filtered_queryset(), peers=peers, first=month.first_day, last=month.last_day
        )
        link_records(card, request.user)
        return form, card


class ScorecardView(LoginRequiredMixin, ScorecardMixin, View):
    """The month's scorecards of a dealer's service advisors and technicians: their own B1, B2, D1, complaints and
    survey figures, or B1, D3 and hours clocked, each with its n, a rank and a link to its records; the rankings
    as bar charts (for those who see everyone)."""

    template_name = "staff/scorecard.html"

    def get(self, request):
        form, card = self.scorecard(request)
        context = {
            "form": form, "dealers": self.get_dealers(), "dealer_id": filter_values(self.filterset).get("dealer"),
            "querystring": self.querystring(), "filterset": self.filterset,
        }  # fmt: skip
        if card is None:
            return render(request, self.template_name, context, status=400)
        sees_everyone = request.user.has_perm(VIEW)
        sections, charts = [], []
        for role in (selectors.ADVISOR, selectors.TECHNICIAN):
            code = form.ranked_by(role)
            chart = ranking_chart(card, role, code) if sees_everyone else None
            charts += [chart] if chart else []
            sections.append({"role": role, "title": ROLE_TITLES[role], "metrics": selectors.METRICS[role],
                             "rows": ranked_rows(card, role, code), "ranked_by": code, "chart": chart})  # fmt: skip
        download = download_response(request, charts)
        if download is not None:
            return download
        month = form.period()
        context.update(card=card, sections=sections, month=month, lags=_lag_notes(card),
                       minimums=sorted(set(card.minimums.values())))  # fmt: skip
        return render(request, self.template_name, context)


def _lag_notes(card: selectors.Scorecard) -> list[str]:
    """For an indicator judging other days than the month's (B1): which."""
    notes = []
    for code, (first, last) in card.judged_days.items():
        if (first, last) != (card.first, card.last):
            notes.append(_("%(code)s judges the repair orders delivered %(first)s – %(last)s: every 30-day comeback "
                           "window of them is over.") % {"code": code, "first": f"{first:%Y-%m-%d}",
                                                         "last": f"{last:%Y-%m-%d}"})  # fmt: skip
    return notes


PERCENT_FORMAT, ONE_DECIMAL, SIGNED, WHOLE = "0.0%", "0.0", "+0.0;-0.0;0.0", "0"


def _export_columns(metric: selectors.Metric) -> list[tuple[str, str]]:
    """(header, number format) of a metric's columns: value, numerator (ratios), n, rank (ranked figures)."""
    name = f"{metric.code} {metric.label}" if metric.code != selectors.HOURS_CLOCKED else str(metric.label)
    value_format = {PERCENT: PERCENT_FORMAT, NPS: SIGNED}.get(metric.unit, ONE_DECIMAL)
    columns = [(name, value_format)]
    if metric.kind == RATIO:
        columns.append((f"{metric.code} {_('numerator')}", WHOLE))
    columns.append((f"{metric.code} n" if metric.code != selectors.HOURS_CLOCKED else _("Clocked jobs"), WHOLE))
    if metric.ranked:
        columns.append((f"{metric.code} {_('Rank')}", WHOLE))
    return columns


def _export_values(cell: selectors.Cell) -> list:
    m = cell.measure
    value = m.value
    if value is not None and cell.metric.unit == PERCENT:
        value = Rate(m.numerator, m.denominator).fraction  # a share: Excel shows it in percent
    values = [value]
    if cell.metric.kind == RATIO:
        values.append(int(m.numerator or 0))
    values.append(m.n)
    if cell.metric.ranked:
        values.append(cell.rank)
    return values


class ScorecardExportView(LoginRequiredMixin, ScorecardMixin, View):
    """The scorecard page in Excel: a sheet per role, a row per person, each figure as numbers (value, numerator,
    n, rank; shares formatted as percent)."""

    def get(self, request):
        form, card = self.scorecard(request)
        if card is None:
            return render(request, "staff/scorecard.html", {"form": form, "dealers": self.get_dealers()}, status=400)
        sheets = []
        for role in (selectors.ADVISOR, selectors.TECHNICIAN):
            metrics = selectors.METRICS[role]
            columns = [column for metric in metrics for column in _export_columns(metric)]
            header = [_("Dealer"), _("Employee number"), _("Name"), _("Position"), *[name for name, _f in columns]]
            fixed = len(header) - len(columns)
            rows = [
                [row.profile.dealer.code, row.profile.employee_number, str(row.profile.user),
                 row.profile.get_position_display(), *[v for cell in row.cells for v in _export_values(cell)]]
                for row in ranked_rows(card, role, form.ranked_by(role))
            ]  # fmt: skip
            formats = {fixed + i: number_format for i, (_name, number_format) in enumerate(columns)}
            sheets.append(Sheet(str(ROLE_TITLES[role]), header, rows, formats))
        month = form.period()
        return xlsx_sheets_response(filename=f"scorecard-{month}.xlsx", sheets=sheets)
