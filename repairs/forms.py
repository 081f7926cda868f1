"""Forms of the service desk; they validate input, the services write."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import VersionedFormMixin
from repairs.choices import DocumentReceived, JobType, LineKind, PartSource, Payer
from repairs.models import LabourOperation, RepairOrder
from repairs.services import APPROVAL_FIELDS, CHECKIN_FIELDS, ESTIMATE_FIELDS

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class RepairOrderOpenForm(forms.Form):
    customer_complaint = forms.CharField(
        label=_("customer's description"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("In the customer's own words."),
    )
    job_type = forms.ChoiceField(label=_("job type"), choices=JobType.choices)
    arrived_at = forms.DateTimeField(label=_("customer arrived at"), widget=DATETIME, initial=timezone.now)

    def clean_arrived_at(self):
        arrived_at = self.cleaned_data["arrived_at"]
        if arrived_at > timezone.now():
            raise forms.ValidationError(_("The arrival time cannot be in the future."))
        return arrived_at


class CheckInForm(VersionedFormMixin, forms.ModelForm):
    documents_received = forms.MultipleChoiceField(
        label=_("documents received"),
        choices=DocumentReceived.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = RepairOrder
        fields = list(CHECKIN_FIELDS)
        widgets = {
            "promised_at": DATETIME,
            "damage_notes": forms.Textarea(attrs={"rows": 2}),
            "belongings": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        self.fields["promised_at"].required = False


class EstimateForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = RepairOrder
        fields = list(ESTIMATE_FIELDS)
        widgets = {
            "customer_complaint": forms.Textarea(attrs={"rows": 2}),
            "diagnosis": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version


class ApprovalForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = RepairOrder
        fields = list(APPROVAL_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        self.fields["approval_method"].required = True
        self.fields["approved_by_customer"].required = True


class LineForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=LineKind.choices)
    operation = forms.ModelChoiceField(
        label=_("labour operation"),
        queryset=LabourOperation.objects.none(),
        required=False,
        help_text=_("Labour from the catalogue: hours and description are filled in."),
    )
    code = forms.CharField(label=_("code / part number"), max_length=40, required=False)
    description = forms.CharField(label=_("description"), max_length=200, required=False)
    quantity = forms.DecimalField(
        label=_("hours / quantity"), min_value=0.01, max_digits=8, decimal_places=2, required=False
    )
    unit_price = forms.DecimalField(
        label=_("unit price"),
        min_value=0,
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text=_("Labour defaults to the labour rate."),
    )
    payer = forms.ChoiceField(label=_("paid by"), choices=Payer.choices, initial=Payer.CUSTOMER)
    part_source = forms.ChoiceField(label=_("part source"), choices=PartSource.choices, initial=PartSource.OEM)

    def __init__(self, *args, order: RepairOrder, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["operation"].queryset = LabourOperation.objects.filter(dealer_id=order.dealer_id, is_active=True)

    def clean(self):
        cleaned = super().clean()
        operation = cleaned.get("operation")
        if operation is not None:
            cleaned["kind"] = LineKind.LABOUR
            if not cleaned.get("quantity"):
                cleaned["quantity"] = operation.standard_hours
        elif not cleaned.get("description"):
            self.add_error("description", _("Describe the line, or pick a labour operation."))
        if not cleaned.get("quantity"):
            self.add_error("quantity", _("Give the hours or the quantity."))
        if cleaned.get("kind") != LineKind.LABOUR and cleaned.get("unit_price") is None:
            self.add_error("unit_price", _("Give the unit price."))
        return cleaned


class TransitionForm(VersionedFormMixin):
    action = forms.CharField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("note"), max_length=500, required=False)
