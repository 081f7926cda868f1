"""Forms of indicator systems (AHP matrices, indicators, settings, adoption); they validate input, services write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import VersionedFormMixin
from evaluation.choices import SAATY_SCALE
from evaluation.models import Indicator, PairwiseMatrix, SystemVersion
from evaluation.services import systems as system_services


class MatrixForm(VersionedFormMixin):
    """The upper triangle of a pairwise matrix on Saaty's scale (the lower triangle mirrors it)."""

    def __init__(self, *args, matrix: PairwiseMatrix, names: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.matrix = matrix
        elements = list(matrix.elements)
        upper = matrix.upper
        for i in range(len(elements)):
            for j in range(i + 1, len(elements)):
                self.fields[f"m_{i}_{j}"] = forms.ChoiceField(
                    label=f"{elements[i]} : {elements[j]}",
                    choices=SAATY_SCALE,
                    initial=upper[(i, j)],
                    widget=forms.Select(attrs={"aria-label": f"{names.get(elements[i], elements[i])} : "
                                                             f"{names.get(elements[j], elements[j])}"}),
                )  # fmt: skip
        if not self.is_bound:
            self.fields["version"].initial = matrix.version

    def upper(self) -> dict[tuple[int, int], str]:
        n = len(self.matrix.elements)
        return {(i, j): self.cleaned_data[f"m_{i}_{j}"] for i in range(n) for j in range(i + 1, n)}

    def raw_upper(self) -> dict[tuple[int, int], str]:
        """The judgements as posted (for the live preview, before full validation)."""
        n = len(self.matrix.elements)
        current = self.matrix.upper
        return {(i, j): self.data.get(self.add_prefix(f"m_{i}_{j}"), current[(i, j)])
                for i in range(n) for j in range(i + 1, n)}  # fmt: skip


class IndicatorForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Indicator
        fields = list(system_services.INDICATOR_FIELDS)
        widgets = {"formula_zh": forms.Textarea(attrs={"rows": 3}), "formula_en": forms.Textarea(attrs={"rows": 3})}


class SettingsForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = SystemVersion
        fields = list(system_services.SETTINGS_FIELDS)


class AdoptForm(forms.Form):
    """Give an OEM its own indicator system copied from the default."""

    oem = forms.ModelChoiceField(label=_("OEM / dealer group"), queryset=None)
    name = forms.CharField(label=_("name"), max_length=100, required=False)

    def __init__(self, *args, oems, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["oem"].queryset = oems
