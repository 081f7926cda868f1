"""Forms of the service desk; they validate input, the services write."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import IsoDateInput, IsoDateTimeInput, SignatureField, VersionedFormMixin
from repairs.choices import (
    DecisionMethod,
    DocumentReceived,
    JobType,
    LineKind,
    PartSource,
    PauseReason,
    Payer,
    PaymentMethod,
)
from repairs.models import LabourOperation, RepairOrder, WorkshopBay
from repairs.services import (
    APPROVAL_FIELDS,
    CHECKIN_FIELDS,
    ESTIMATE_FIELDS,
    PHOTO_UPLOAD,
    catalogue_part_for,
    catalogue_parts,
)

DATETIME = IsoDateTimeInput()


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
    belongings_signature = SignatureField(
        label=_("customer's signature (belongings)"), help_text=_("The customer signs on the tablet.")
    )
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
    approval_signature = SignatureField(
        label=_("customer's signature (estimate)"), help_text=_("Needed when the customer signs on the tablet.")
    )

    class Meta:
        model = RepairOrder
        fields = list(APPROVAL_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        self.fields["approval_method"].required = True
        self.fields["approved_by_customer"].required = True


class PartPickerWidget(forms.Widget):
    """The catalogue part picker (an htmx search of ``parts:picker``) that holds the picked part's id; without
    JavaScript it shows nothing to pick and the typed part number is looked up instead (templates/parts/)."""

    template_name = "parts/_picker_widget.html"

    def __init__(self, *, slot: str, attrs=None):
        super().__init__(attrs)
        self.slot, self.order = slot, None

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        picked = None
        if value not in (None, "") and str(value).isdigit():
            picked = catalogue_parts().filter(pk=value).first()
        context.update(slot=self.slot, order=self.order, picked=picked)
        return context

    def id_for_label(self, id_):
        return f"{self.slot}-picker-q"


def _catalogue_part_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("catalogue part"),
        queryset=catalogue_parts().none(),
        required=False,
        widget=PartPickerWidget(slot="line"),
        error_messages={"invalid_choice": _("Pick an active part of the catalogue.")},
    )


def _resolve_typed_number(form: forms.Form, order: RepairOrder, number: str, field: str):
    """The catalogue part a number typed without a pick stands for (the services' rule), or None; an ambiguous
    number is the field's error."""
    try:
        return catalogue_part_for(order=order, number=number)
    except forms.ValidationError as exc:
        form.add_error(field, exc.message_dict.get("code", exc.messages))
        return None


class LineForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=LineKind.choices)
    part = _catalogue_part_field()
    operation = forms.ModelChoiceField(
        label=_("labour operation"),
        queryset=LabourOperation.objects.none(),
        required=False,
        help_text=_("Labour from the catalogue: hours and description are filled in."),
    )
    code = forms.CharField(label=_("code / part number"), max_length=40, required=False)
    description = forms.CharField(label=_("description"), max_length=200, required=False)
    quantity = forms.DecimalField(
        label=_("hours / quantity"), min_value=Decimal("0.01"), max_digits=8, decimal_places=2, required=False
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
        self.order = order
        self.fields["operation"].queryset = LabourOperation.objects.filter(dealer_id=order.dealer_id, is_active=True)
        self.fields["part"].queryset = catalogue_parts()
        self.fields["part"].widget.order = order

    def clean(self):
        cleaned = super().clean()
        operation, part = cleaned.get("operation"), cleaned.get("part")
        code = (cleaned.get("code") or "").strip()
        if operation is None and part is None and cleaned.get("kind") == LineKind.PART and code:
            part = cleaned["part"] = _resolve_typed_number(self, self.order, code, "code")
            if part is not None:
                cleaned["code"] = ""  # the line takes the catalogue's current number
            elif not cleaned.get("description") and "code" not in self._errors:
                self.add_error(
                    "code",
                    _("%(number)s is not a catalogue part number: pick the part, or describe it and give its price.")
                    % {"number": code},
                )
        if operation is not None:
            cleaned["kind"], cleaned["part"] = LineKind.LABOUR, None
            if not cleaned.get("quantity"):
                cleaned["quantity"] = operation.standard_hours
        elif part is not None:
            # A catalogue part: its name and the dealer's price are filled in by the service; one unless told.
            cleaned["kind"] = LineKind.PART
            cleaned["quantity"] = cleaned.get("quantity") or Decimal("1")
        elif not cleaned.get("description"):
            self.add_error("description", _("Describe the line, or pick a labour operation or a catalogue part."))
        if not cleaned.get("quantity"):
            self.add_error("quantity", _("Give the hours or the quantity."))
        if part is None and cleaned.get("kind") != LineKind.LABOUR and cleaned.get("unit_price") is None:
            self.add_error("unit_price", _("Give the unit price."))
        return cleaned


class TransitionForm(VersionedFormMixin):
    action = forms.CharField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("note"), max_length=500, required=False)


class AssignForm(forms.Form):
    """The foreman dispatches one labour line to a technician of the dealer."""

    line = forms.IntegerField(widget=forms.HiddenInput)
    technician = forms.ModelChoiceField(label=_("technician"), queryset=None)

    def __init__(self, *args, technicians, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["technician"].queryset = technicians


class ClockForm(forms.Form):
    """A technician clocks on, pauses or finishes one job."""

    line = forms.IntegerField(widget=forms.HiddenInput)
    step = forms.ChoiceField(choices=[("on", "on"), ("pause", "pause"), ("done", "done")], widget=forms.HiddenInput)
    pause_reason = forms.ChoiceField(label=_("pause reason"), choices=[("", "—"), *PauseReason.choices], required=False)


class AdditionRaiseForm(forms.Form):
    """Work found in the workshop: what, why, and its price as one labour and/or one part line."""

    description = forms.CharField(label=_("what is needed"), max_length=200)
    reason = forms.CharField(label=_("why (finding)"), widget=forms.Textarea(attrs={"rows": 2}))
    labour_hours = forms.DecimalField(
        label=_("labour hours"), min_value=Decimal("0.01"), max_digits=6, decimal_places=2, required=False
    )
    part = _catalogue_part_field()
    part_number = forms.CharField(label=_("part number"), max_length=40, required=False)
    part_description = forms.CharField(label=_("part"), max_length=200, required=False)
    part_quantity = forms.DecimalField(
        label=_("part quantity"), min_value=Decimal("0.01"), max_digits=8, decimal_places=2, required=False
    )
    part_unit_price = forms.DecimalField(
        label=_("part unit price"), min_value=Decimal("0"), max_digits=12, decimal_places=2, required=False
    )

    def __init__(self, *args, order: RepairOrder | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.order = order
        self.fields["part"].queryset = catalogue_parts()
        self.fields["part"].widget = PartPickerWidget(slot="addition")
        self.fields["part"].widget.order = order

    def clean(self):
        cleaned = super().clean()
        part, number = cleaned.get("part"), (cleaned.get("part_number") or "").strip()
        if part is None and number and self.order is not None:
            part = cleaned["part"] = _resolve_typed_number(self, self.order, number, "part_number")
        free_text = ("part_description", "part_quantity", "part_unit_price")
        has_part = part is not None or bool(number) or any(cleaned.get(f) not in (None, "") for f in free_text)
        if part is not None:
            # A catalogue part: its name and the dealer's price are filled in by the service; one unless told.
            cleaned["part_quantity"] = cleaned.get("part_quantity") or Decimal("1")
        elif has_part and not all(cleaned.get(f) not in (None, "") for f in free_text):
            if number:
                self.add_error(
                    "part_number",
                    _("%(number)s is not a catalogue part number: pick the part, or describe it and give its price.")
                    % {"number": number},
                )
            self.add_error("part_description", _("A part needs its description, quantity and unit price."))
        if not cleaned.get("labour_hours") and not has_part:
            raise forms.ValidationError(_("Price the item with labour hours and/or a part."))
        return cleaned

    def lines(self) -> list[dict]:
        data, lines = self.cleaned_data, []
        if data.get("labour_hours"):
            lines.append(
                {"kind": LineKind.LABOUR, "description": data["description"], "quantity": data["labour_hours"]}
            )
        part = data.get("part")
        if part is not None or data.get("part_description"):
            lines.append(
                {
                    "kind": LineKind.PART,
                    "part": part,
                    "code": "" if part is not None else (data.get("part_number") or "").strip(),
                    "description": data.get("part_description") or "",
                    "quantity": data["part_quantity"],
                    "unit_price": data.get("part_unit_price"),
                }
            )
        return lines


class AdditionDecisionForm(VersionedFormMixin):
    addition = forms.IntegerField(widget=forms.HiddenInput)
    approved = forms.TypedChoiceField(
        label=_("customer's decision"), choices=[("1", _("Approved")), ("0", _("Declined"))], coerce=lambda v: v == "1"
    )
    decision_method = forms.ChoiceField(label=_("decided how"), choices=DecisionMethod.choices)
    decided_by_customer = forms.CharField(label=_("decided by (customer side)"), max_length=50)
    decision_at = forms.DateTimeField(label=_("customer decided at"), widget=DATETIME, required=False)
    new_promised_at = forms.DateTimeField(label=_("new promised delivery time"), widget=DATETIME, required=False)


class QcForm(VersionedFormMixin):
    """The QC checklist of the order's job type (each item OK or not) and the jobs sent back for rework (返工):
    per job a mark, the checklist item it fails and why. A job counts as marked when any of its three is given."""

    failure_reasons = forms.CharField(
        label=_("general remark"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=500
    )

    def __init__(self, *args, checklist, jobs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.checklist, self.jobs = checklist, list(jobs)
        for code, label in checklist:
            self.fields[f"item_{code}"] = forms.BooleanField(label=label, required=False)
        check_choices = [("", _("— checklist item —")), *checklist]
        for job in self.jobs:
            self.fields[f"rework_{job.pk}"] = forms.BooleanField(label=_("redo"), required=False)
            self.fields[f"check_{job.pk}"] = forms.ChoiceField(
                label=_("checklist item"), choices=check_choices, required=False
            )
            self.fields[f"reason_{job.pk}"] = forms.CharField(
                label=_("why it must be redone"), max_length=300, required=False
            )

    @property
    def checklist_fields(self):
        return [self[f"item_{code}"] for code, _label in self.checklist]

    @property
    def job_rows(self):
        """(job, mark, checklist item, reason) bound fields, one row per job of the order."""
        return [(job, self[f"rework_{job.pk}"], self[f"check_{job.pk}"], self[f"reason_{job.pk}"]) for job in self.jobs]

    def results(self) -> dict[str, bool]:
        return {code: bool(self.cleaned_data.get(f"item_{code}")) for code, _label in self.checklist}

    def failed_lines(self) -> list[dict]:
        """The marked jobs as the service takes them."""
        data, marked = self.cleaned_data, []
        for job in self.jobs:
            mark, check, reason = (data.get(f"{name}_{job.pk}") for name in ("rework", "check", "reason"))
            if mark or check or (reason or "").strip():
                marked.append({"line": job, "check_code": check or "", "reason": reason or ""})
        return marked


class DeliveryForm(VersionedFormMixin):
    payment_method = forms.ChoiceField(label=_("payment method"), choices=PaymentMethod.choices)
    work_explained = forms.BooleanField(label=_("work explained to the customer"), required=False)
    next_service_due_date = forms.DateField(label=_("next service due on"), widget=IsoDateInput(), required=False)
    next_service_due_km = forms.IntegerField(label=_("next service due at (km)"), min_value=0, required=False)


class ComebackForm(VersionedFormMixin):
    earlier = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ComebackDismissForm(forms.Form):
    """Mark a detected revisit "not a comeback": the pair (one of them is the page's order) and why."""

    original = forms.IntegerField(widget=forms.HiddenInput)
    revisit = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("why it is not a comeback"), max_length=500)


class ComebackRestoreForm(forms.Form):
    """Undo a "not a comeback"."""

    dismissal = forms.IntegerField(widget=forms.HiddenInput)


class PhotoForm(forms.Form):
    image = forms.FileField(
        label=_("photo"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
        validators=[PHOTO_UPLOAD],
    )
    caption = forms.CharField(label=_("caption"), max_length=100, required=False)


class BayPlaceForm(forms.Form):
    """The foreman puts an order on a bay of the workshop board."""

    bay = forms.IntegerField(label=_("bay"), error_messages={"required": _("Choose a bay.")})


class BayForm(forms.ModelForm):
    """A service bay of the workshop (the service manager); the dealer is chosen only for a new bay."""

    class Meta:
        model = WorkshopBay
        fields = ["code", "name", "kind", "position", "is_active"]

    def __init__(self, *args, dealers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if dealers is not None:
            self.fields = {
                "dealer": forms.ModelChoiceField(label=_("dealer"), queryset=dealers, initial=dealers.first()),
                **self.fields,
            }
