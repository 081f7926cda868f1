"""Forms of the staff pages; they validate input, the services write."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.dates import Month, first_of_month
from core.forms import IsoDateInput, IsoMonthInput, VersionedFormMixin
from staff import selectors
from staff.choices import (
    RUBRIC,
    AssessmentKind,
    Position,
    SkillArea,
    SkillLevel,
)
from staff.models import Certificate, StaffProfile, TrainingCourse, TrainingRecord

DATE = IsoDateInput()
SCORE_CHOICES = [(n, str(n)) for n in range(1, 6)]


class PeriodForm(forms.Form):
    """A period of days (default: this month so far; a refused day is the default too)."""

    start = forms.DateField(label=_("from"), required=False, widget=DATE)
    end = forms.DateField(label=_("to"), required=False, widget=DATE)

    def period(self) -> tuple[date, date]:
        self.is_valid()
        today = timezone.localdate()
        start = self.cleaned_data.get("start") or first_of_month(today)
        end = self.cleaned_data.get("end") or today
        if end < start:
            start, end = end, start
        return start, end


NOT_RANKED = {"invalid_choice": _("The ranking can be by one of the listed figures only.")}


class ScorecardForm(forms.Form):
    """The scorecard's month (YYYY-MM; the last complete month by default) and the figure each ranking ranks by
    (the role's first ranked figure by default)."""

    month = forms.DateField(
        label=_("Month"), input_formats=["%Y-%m"], required=False,
        widget=IsoMonthInput(),
        error_messages={"invalid": _("Give the month as YYYY-MM, e.g. 2026-10.")},
    )  # fmt: skip
    advisors_by = forms.ChoiceField(label=_("Rank service advisors by"), required=False, error_messages=NOT_RANKED)
    technicians_by = forms.ChoiceField(label=_("Rank technicians by"), required=False, error_messages=NOT_RANKED)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for role in (selectors.ADVISOR, selectors.TECHNICIAN):
            self.fields[f"{role}s_by"].choices = [
                (m.code, f"{m.code} {m.label}") for m in selectors.METRICS[role] if m.ranked
            ]

    def period(self) -> Month:
        chosen = self.cleaned_data.get("month")
        return Month.of(chosen) if chosen else Month.current().previous()

    def ranked_by(self, role: str) -> str:
        return self.cleaned_data.get(f"{role}s_by") or self.fields[f"{role}s_by"].choices[0][0]


class ProfileForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = StaffProfile
        fields = ["employee_number", "position", "hire_date", "leave_date", "supervisor", "notes"]
        widgets = {"hire_date": DATE, "leave_date": DATE, "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, dealer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].queryset = User.objects.filter(
            dealer_memberships__dealer=dealer, is_active=True
        ).order_by("username")
        self.fields["version"].initial = self.instance.version if self.instance.pk else None


class ProfileCreateForm(ProfileForm):
    user = forms.ModelChoiceField(label=_("person"), queryset=User.objects.none())

    field_order = ["user"]

    def __init__(self, *args, dealer, **kwargs):
        super().__init__(*args, dealer=dealer, **kwargs)
        self.fields["user"].queryset = (
            User.objects.filter(dealer_memberships__dealer=dealer, is_active=True)
            .exclude(staff_profiles__dealer=dealer)
            .order_by("username")
        )
        del self.fields["version"]


class CertificateForm(forms.ModelForm):
    class Meta:
        model = Certificate
        fields = ["kind", "level", "number", "issuer", "issued_on", "expires_on"]
        widgets = {"issued_on": DATE, "expires_on": DATE}


class TrainingRecordForm(forms.ModelForm):
    class Meta:
        model = TrainingRecord
        fields = ["course", "attended_on", "hours", "result", "score", "notes"]
        widgets = {"attended_on": DATE}

    def __init__(self, *args, dealer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = TrainingCourse.objects.filter(dealer=dealer, is_active=True)
        self.fields["hours"].required = False
        self.fields["hours"].help_text = _("Empty: the course's hours.")


class SkillForm(forms.Form):
    area = forms.ChoiceField(label=_("skill"), choices=SkillArea.choices)
    level = forms.TypedChoiceField(label=_("level"), choices=SkillLevel.choices, coerce=int)


class CourseForm(forms.ModelForm):
    class Meta:
        model = TrainingCourse
        fields = ["code", "title", "category", "provider", "hours"]


class RequirementForm(forms.Form):
    position = forms.ChoiceField(label=_("position"), choices=Position.choices)
    yearly_hours = forms.DecimalField(label=_("training hours per year"), min_value=0, max_digits=6,
                                      decimal_places=1)  # fmt: skip


class AssessmentForm(forms.Form):
    subject = forms.ModelChoiceField(label=_("assessed person"), queryset=StaffProfile.objects.none())
    kind = forms.ChoiceField(label=_("kind"), choices=AssessmentKind.choices)
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label=_("quarter"), choices=[(q, f"Q{q}") for q in range(1, 5)], coerce=int)
    comment = forms.CharField(label=_("comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, subjects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].queryset = subjects
        for name, label in RUBRIC:
            self.fields[name] = forms.TypedChoiceField(
                label=label, choices=SCORE_CHOICES, coerce=int, help_text=_("1 = poor … 5 = excellent")
            )
        today = timezone.localdate()
        self.fields["year"].initial = today.year
        self.fields["quarter"].initial = (today.month - 1) // 3 + 1
