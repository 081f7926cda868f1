"""Forms of the audit pages (体系审核); they validate input, evaluation.services.audits writes."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import IsoDateInput, VersionedFormMixin
from evaluation.choices import AdjustmentKind, AuditKind
from evaluation.models import AuditTemplate
from evaluation.services.audits import EVIDENCE_UPLOAD, ItemScoreInput

DATE = IsoDateInput()


class AuditCreateForm(forms.Form):
    dealer = forms.ModelChoiceField(label=_("dealer"), queryset=None)
    template = forms.ModelChoiceField(label=_("checklist template"),
                                      queryset=AuditTemplate.objects.filter(is_active=True))  # fmt: skip
    kind = forms.ChoiceField(label=_("kind"), choices=AuditKind.choices)
    audit_date = forms.DateField(label=_("audit date"), widget=DATE)
    summary = forms.CharField(label=_("summary"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, dealers, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dealer"].queryset = dealers
        self.fields["kind"].choices = [(k, label) for k, label in AuditKind.choices if k in kinds]
        self.fields["audit_date"].initial = timezone.localdate()


class AuditScoreForm(VersionedFormMixin):
    """Every item of the checklist in one form: score, or excluded with a reason; and a finding."""

    def __init__(self, *args, item_scores, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for row in item_scores:
            pk = row.item_id
            self.fields[f"score_{pk}"] = forms.DecimalField(
                label=row.item.code, required=False, min_value=Decimal("0"), max_value=row.item.points,
                decimal_places=1, initial=row.score, widget=forms.NumberInput(attrs={"step": "0.5", "size": 4}),
            )  # fmt: skip
            self.fields[f"excluded_{pk}"] = forms.BooleanField(label=_("excluded"), required=False,
                                                               initial=row.excluded)  # fmt: skip
            self.fields[f"reason_{pk}"] = forms.CharField(label=_("reason for the exclusion"), required=False,
                                                          max_length=200, initial=row.exclusion_reason)  # fmt: skip
            self.fields[f"note_{pk}"] = forms.CharField(label=_("finding"), required=False, max_length=500,
                                                        initial=row.note)  # fmt: skip
            self.rows.append((row, pk))

    def bound_rows(self):
        for row, pk in self.rows:
            yield row, self[f"score_{pk}"], self[f"excluded_{pk}"], self[f"reason_{pk}"], self[f"note_{pk}"]

    def inputs(self) -> list[ItemScoreInput]:
        data = self.cleaned_data
        return [
            ItemScoreInput(item_id=pk, score=data[f"score_{pk}"], excluded=data[f"excluded_{pk}"],
                           exclusion_reason=data[f"reason_{pk}"], note=data[f"note_{pk}"])
            for _row, pk in self.rows
        ]  # fmt: skip


class AdjustmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=AdjustmentKind.choices)
    reason = forms.CharField(label=_("reason"), max_length=300)


class EvidenceForm(forms.Form):
    item = forms.TypedChoiceField(label=_("item"), coerce=int, choices=())
    file = forms.FileField(
        label=_("file"),
        help_text=_("A photo (JPEG, PNG, WebP) or a PDF, at most 10 MB."),
        validators=[EVIDENCE_UPLOAD],
    )
    caption = forms.CharField(label=_("caption"), max_length=200, required=False)

    def __init__(self, *args, item_scores, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [(row.pk, f"{row.item.code} {row.item.text[:40]}") for row in item_scores]


class AuditVersionForm(VersionedFormMixin):
    """Submit / confirm: only the version the user saw."""
