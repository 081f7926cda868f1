"""Forms of the staff pages; they validate input, the services write."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.forms import VersionedFormMixin
from staff.choices import (
    RUBRIC,
    AssessmentKind,
    CertificateKind,
    CertificateStatus,
    Position,
    SkillArea,
    SkillLevel,
    TrainingStatus,
)
from staff.models import Certificate, StaffProfile, TrainingCourse, TrainingRecord

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SCORE_CHOICES = [(n, str(n)) for n in range(1, 6)]


class _Filters(forms.Form):
    def filters(self) -> dict:
        """The valid filters (an invalid one is ignored)."""
        self.is_valid()
        return {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}


class StaffFilterForm(_Filters):
    q = forms.CharField(label=_("Search"), required=False)
    dealer = forms.IntegerField(label=_("dealer"), required=False, min_value=1)
    position = forms.ChoiceField(label=_("position"), choices=[("", _("Any position")), *Position.choices],
                                 required=False)  # fmt: skip
    certificate = forms.ChoiceField(
        label=_("certificates"), choices=[("", _("Any certificate status")), *CertificateStatus.choices],
        required=False,
    )  # fmt: skip
    training = forms.ChoiceField(
        label=_("training"), choices=[("", _("Any training status")), *TrainingStatus.choices], required=False
    )
    former = forms.BooleanField(label=_("include former staff"), required=False)


class PeriodForm(_Filters):
    """A period of days (default: this month so far) and an optional dealer."""

    start = forms.DateField(label=_("from"), required=False, widget=DATE)
    end = forms.DateField(label=_("to"), required=False, widget=DATE)
    dealer = forms.IntegerField(label=_("dealer"), required=False, min_value=1)

    def period(self) -> tuple[date, date]:
        filters = self.filters()
        today = timezone.localdate()
        start = filters.get("start") or today.replace(day=1)
        end = filters.get("end") or today
        if end < start:
            start, end = end, start
        return start, end


class CertificateFilterForm(_Filters):
    status = forms.ChoiceField(
        label=_("status"),
        required=False,
        choices=[
            ("attention", _("Expired or expiring, not renewed")),
            (CertificateStatus.EXPIRED, _("Expired, not renewed")),
            (CertificateStatus.EXPIRING, _("Expires within 30 days")),
            ("all", _("All certificates")),
        ],
    )
    kind = forms.ChoiceField(label=_("certificate"), choices=[("", _("Any kind")), *CertificateKind.choices],
                             required=False)  # fmt: skip
    dealer = forms.IntegerField(label=_("dealer"), required=False, min_value=1)


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
