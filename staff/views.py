"""Pages of the staff domain: list, profile (with its forms), training report (C3), certificates (C4),
scorecard with Excel export, assessments."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import View

from core.dates import days_bounds, first_of_month
from core.exports import xlsx_response
from core.forms import apply_service_errors
from core.history import history_entries
from core.lists import FilteredListMixin, FilteredListView, filter_values
from core.mixins import DealerScopedObjectMixin, RecordFormView, RecordPageView
from core.permissions import allowed
from organization.models import Dealer
from staff import kpis, selectors, services
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
        "scorecard": selectors.scorecard(
            profiles=StaffProfile.objects.filter(pk=profile.pk), start=month_start, end=today
        ),
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
        if profile is None:
            return render(request, "staff/no_profile.html", status=404)
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


class ScorecardMixin(StaffFiltersMixin):
    """The people of the scorecard (StaffProfileFilterSet: dealer …; only oneself without the staff list) and the
    period (this month so far by default)."""

    model = StaffProfile

    def get_base_queryset(self):
        profiles = StaffProfile.objects.for_user(self.request.user)
        return profiles if self.request.user.has_perm(VIEW) else profiles.filter(user=self.request.user)

    def scorecard_rows(self, request) -> tuple[list[dict], date, date, int | None]:
        start, end = PeriodForm(request.GET).period()
        rows = selectors.scorecard(profiles=self.filtered_queryset(), start=start, end=end)
        return rows, start, end, filter_values(self.filterset).get("dealer")


class ScorecardView(LoginRequiredMixin, ScorecardMixin, View):
    """Scorecards of the advisors and technicians for a period (everyone else sees their own row only)."""

    template_name = "staff/scorecard.html"

    def get(self, request):
        if not (request.user.has_perm(VIEW) or request.user.has_perm(VIEW_OWN)):
            raise Http404
        rows, start, end, dealer_id = self.scorecard_rows(request)
        return render(request, self.template_name, {
            "rows": rows, "start": start, "end": end, "dealer_id": dealer_id, "dealers": self.get_dealers(),
            "querystring": self.querystring(), "filterset": self.filterset,
        })  # fmt: skip


def _rate(value):
    return float(value) if value is not None else None


class ScorecardExportView(LoginRequiredMixin, ScorecardMixin, View):
    """The scorecard page in Excel, one row per person."""

    def get(self, request):
        if not (request.user.has_perm(VIEW) or request.user.has_perm(VIEW_OWN)):
            raise Http404
        rows, start, end, _dealer = self.scorecard_rows(request)
        header = [
            _("Dealer"), _("Employee number"), _("Name"), _("Position"), _("ROs as advisor"),
            _("On-time rate as advisor (%)"), _("Comebacks as advisor"), _("ROs as technician"),
            _("On-time rate as technician (%)"), _("Comebacks as technician"), _("Complaints"),
            _("Survey responses"), _("Survey score"),
        ]  # fmt: skip
        body = (
            [
                r["profile"].dealer.code,
                r["profile"].employee_number,
                str(r["profile"].user),
                r["profile"].get_position_display(),
                r["advisor"]["ros"],
                _rate(r["advisor"]["on_time_rate"]),
                r["advisor"]["comebacks"],
                r["technician"]["ros"],
                _rate(r["technician"]["on_time_rate"]),
                r["technician"]["comebacks"],
                r["complaints"],
                r["survey_responses"],
                r["survey_score"],
            ]
            for r in rows
        )
        return xlsx_response(filename=f"scorecard-{start:%Y%m%d}-{end:%Y%m%d}.xlsx", sheet_title=_("Scorecard"),
                             header=header, rows=body)  # fmt: skip
