"""Forms of warranty claims; they validate input, the services write."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.forms import IsoDateInput, VersionedFormMixin
from warranty.models import WarrantyClaim
from warranty.services import CLAIM_FIELDS

DATE = IsoDateInput()
AMOUNT = {"max_digits": 12, "decimal_places": 2, "min_value": Decimal("0.01")}


class OrderLookupForm(forms.Form):
    ro = forms.CharField(label=_("RO number"), max_length=30, help_text=_("e.g. GZ01-202611-0042"))


class _ClaimFieldsForm(forms.ModelForm):
    class Meta:
        model = WarrantyClaim
        fields = list(CLAIM_FIELDS)
        widgets = {
            "failure_description": forms.Textarea(attrs={"rows": 3}),
            "goodwill_note": forms.Textarea(attrs={"rows": 2}),
        }


class ClaimCreateForm(_ClaimFieldsForm):
    """A new claim: which warranty lines of the order, the failure and its causal part, the coverage."""

    lines = forms.MultipleChoiceField(
        label=_("lines to claim"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one warranty line of the order.")},
    )

    field_order = ["lines", *CLAIM_FIELDS]

    def __init__(self, *args, claimable, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lines"].choices = [
            (str(line.pk), f"{line.get_kind_display()} · {line.code} {line.description} · {line.amount}")
            for line in claimable
        ]
        self.fields["lines"].initial = [str(line.pk) for line in claimable]

    def clean_lines(self) -> list[int]:
        return [int(pk) for pk in self.cleaned_data["lines"]]


class ClaimEditForm(VersionedFormMixin, _ClaimFieldsForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version


class ClaimSubmitForm(VersionedFormMixin):
    pass


class ClaimDecisionForm(VersionedFormMixin):
    decision = forms.ChoiceField(
        label=_("the maker's decision"),
        choices=[
            ("approve", pgettext_lazy("warranty claim", "Approved")),
            ("reject", pgettext_lazy("warranty claim", "Rejected")),
        ],
    )
    approved_amount = forms.DecimalField(
        label=pgettext_lazy("warranty claim", "approved amount"), required=False, **AMOUNT
    )
    rejection_reason = forms.CharField(label=_("rejection reason"), max_length=500, required=False)


class ClaimPaymentForm(VersionedFormMixin):
    paid_amount = forms.DecimalField(label=_("paid amount"), required=False, **AMOUNT)
    paid_on = forms.DateField(label=_("paid on"), required=False, widget=DATE)
