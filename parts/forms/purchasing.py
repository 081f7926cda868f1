"""Forms of the purchasing and stock-take pages."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import IsoDateInput
from parts.models import Part

QTY = {"max_digits": 12, "decimal_places": 3}


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class POCreateForm(forms.Form):
    warehouse = forms.ModelChoiceField(label=_("warehouse"), queryset=None)
    supplier = forms.ModelChoiceField(label=_("supplier"), queryset=None)
    expected_at = forms.DateField(
        label=_("expected on"), required=False, widget=IsoDateInput(),
        help_text=_("Empty: today plus the supplier's lead time."),
    )  # fmt: skip
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, warehouses, suppliers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = warehouses
        self.fields["supplier"].queryset = suppliers


class POLineForm(forms.Form):
    part_number = forms.CharField(label=_("part number"), max_length=40)
    quantity = forms.DecimalField(label=_("quantity"), **QTY, min_value=Decimal("0.001"))
    unit_cost = forms.DecimalField(label=_("unit cost"), max_digits=14, decimal_places=4, min_value=Decimal("0"))

    def clean_part_number(self):
        from parts.models import normalize_part_number

        key = normalize_part_number(self.cleaned_data["part_number"])
        part = Part.objects.filter(number_key=key, is_active=True).order_by("brand").first()
        if part is None:
            raise forms.ValidationError(_("No active part with this number in the catalogue."))
        self.cleaned_data["part"] = part
        return self.cleaned_data["part_number"]


class POReceiveForm(VersionForm):
    """One row per outstanding line: parts arrived (damaged included), damaged, note."""

    def __init__(self, *args, po_lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.po_lines = [line for line in po_lines if line.outstanding > 0]
        for line in self.po_lines:
            self.fields[f"received_{line.pk}"] = forms.DecimalField(
                label=_("arrived"), **QTY, min_value=Decimal("0"), required=False
            )
            self.fields[f"damaged_{line.pk}"] = forms.DecimalField(
                label=_("damaged"), **QTY, min_value=Decimal("0"), required=False
            )
            self.fields[f"note_{line.pk}"] = forms.CharField(label=_("note"), max_length=200, required=False)

    def rows(self):
        return [(line, self[f"received_{line.pk}"], self[f"damaged_{line.pk}"], self[f"note_{line.pk}"])
                for line in self.po_lines]  # fmt: skip

    def receipt_lines(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {"po_line": line, "received": data.get(f"received_{line.pk}") or Decimal("0"),
             "damaged": data.get(f"damaged_{line.pk}") or Decimal("0"), "note": data.get(f"note_{line.pk}", "")}
            for line in self.po_lines
        ]  # fmt: skip


class FromSuggestionsForm(forms.Form):
    supplier = forms.ModelChoiceField(label=_("supplier"), queryset=None)
    items = forms.TypedMultipleChoiceField(coerce=int, choices=[], widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, suppliers, suggestions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = suppliers
        self.fields["items"].choices = [(s.item.pk, str(s.item.part)) for s in suggestions]


class WarehouseForm(forms.Form):
    warehouse = forms.ModelChoiceField(label=_("warehouse"), queryset=None)

    def __init__(self, *args, warehouses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = warehouses


class CountSheetForm(forms.Form):
    """The count sheet: one counted quantity per line (empty: not counted yet)."""

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        for line in self.lines:
            self.fields[f"count_{line.pk}"] = forms.DecimalField(
                label=str(line.item.part), **QTY, min_value=Decimal("0"), required=False, initial=line.counted
            )

    def rows(self):
        return [(line, self[f"count_{line.pk}"]) for line in self.lines]

    def counts(self) -> dict[int, Decimal]:
        return {line.pk: self.cleaned_data.get(f"count_{line.pk}") for line in self.lines}


class SupplierForm(forms.Form):
    """A supplier's code, name, contact and lead time (the dealer only when it is new)."""

    dealer = forms.ModelChoiceField(label=_("dealer"), queryset=None)
    code = forms.CharField(label=_("code"), max_length=20)
    name = forms.CharField(label=_("name"), max_length=100)
    contact = forms.CharField(label=_("contact person"), max_length=50, required=False)
    phone = forms.CharField(label=_("phone"), max_length=30, required=False)
    lead_time_days = forms.IntegerField(label=_("lead time (days)"), min_value=0, max_value=365, initial=7)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, dealers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if dealers is None:
            del self.fields["dealer"]
        else:
            self.fields["dealer"].queryset = dealers
            if dealers.count() == 1:
                self.fields["dealer"].initial = dealers.first().pk
