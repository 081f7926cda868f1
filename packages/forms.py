"""Forms of the service package pages."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.forms import VersionedFormMixin
from organization.models import Brand
from packages.choices import PackagePricing
from packages.models import ServicePackage
from parts.models import Part
from repairs.choices import JobType, LineKind
from repairs.models import LabourOperation

PACKAGE_FIELDS = (
    "code", "name", "brand", "series", "job_type", "first_due_km", "every_km", "first_due_months", "every_months",
    "pricing", "fixed_price", "description", "is_active",
)  # fmt: skip


class PackageForm(VersionedFormMixin):
    """A package's header: what it is for, its interval and its pricing."""

    dealer = forms.ModelChoiceField(label=_("dealer"), queryset=None)
    code = forms.CharField(label=_("package code"), max_length=20)
    name = forms.CharField(label=_("name"), max_length=100)
    brand = forms.ModelChoiceField(label=_("brand"), queryset=Brand.objects.none())
    series = forms.CharField(
        label=_("vehicle series"), max_length=300, required=False,
        help_text=ServicePackage._meta.get_field("series").help_text,
    )  # fmt: skip
    job_type = forms.ChoiceField(label=_("job type"), choices=JobType.choices, initial=JobType.MAINTENANCE)
    first_due_km = forms.IntegerField(label=_("first due at (km)"), min_value=1, required=False)
    every_km = forms.IntegerField(
        label=_("then every (km)"), min_value=1, required=False,
        help_text=ServicePackage._meta.get_field("every_km").help_text,
    )  # fmt: skip
    first_due_months = forms.IntegerField(
        label=_("first due after (months)"), min_value=1, max_value=240, required=False,
        help_text=ServicePackage._meta.get_field("first_due_months").help_text,
    )  # fmt: skip
    every_months = forms.IntegerField(label=_("then every (months)"), min_value=1, max_value=240, required=False)
    pricing = forms.ChoiceField(label=_("pricing"), choices=PackagePricing.choices, initial=PackagePricing.COMPUTED)
    fixed_price = forms.DecimalField(
        label=_("fixed package price (net of VAT)"), max_digits=12, decimal_places=2, min_value=Decimal("0.01"),
        required=False,
    )  # fmt: skip
    description = forms.CharField(
        label=_("what the advisor tells the customer"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    is_active = forms.BooleanField(label=_("active"), required=False, initial=True)

    def __init__(self, *args, dealers=None, brands=None, **kwargs):
        super().__init__(*args, **kwargs)
        if dealers is None:
            del self.fields["dealer"]
        else:
            self.fields["dealer"].queryset = dealers
            only = list(dealers[:2])
            if len(only) == 1:
                self.fields["dealer"].initial = only[0].pk
        self.fields["brand"].queryset = brands if brands is not None else Brand.objects.none()

    def package_values(self) -> dict:
        data = self.cleaned_data
        values = {name: data.get(name) for name in PACKAGE_FIELDS}
        values["series"] = values["series"] or ""
        values["description"] = values["description"] or ""
        return values


class ItemForm(VersionedFormMixin):
    """One item to add to a package: a labour operation, a catalogue part by its number, or a sundry."""

    kind = forms.ChoiceField(label=_("kind"), choices=LineKind.choices)
    operation = forms.ModelChoiceField(
        label=_("labour operation"), queryset=LabourOperation.objects.none(), required=False
    )
    hours = forms.DecimalField(
        label=pgettext_lazy("labour", "hours"), max_digits=6, decimal_places=2, min_value=Decimal("0.01"),
        required=False, help_text=_("Empty: the operation's standard hours."),
    )  # fmt: skip
    part_number = forms.CharField(label=_("part number"), max_length=40, required=False)
    quantity = forms.DecimalField(
        label=_("quantity"), max_digits=8, decimal_places=2, min_value=Decimal("0.01"), required=False
    )
    description = forms.CharField(label=_("description"), max_length=200, required=False)
    amount = forms.DecimalField(
        label=_("amount (net of VAT)"), max_digits=12, decimal_places=2, min_value=Decimal("0"), required=False
    )

    def __init__(self, *args, package: ServicePackage, **kwargs):
        super().__init__(*args, **kwargs)
        self.package = package
        self.fields["operation"].queryset = LabourOperation.objects.filter(
            dealer_id=package.dealer_id, is_active=True
        ).order_by("code")

    def clean(self):
        cleaned = super().clean()
        number = (cleaned.get("part_number") or "").strip()
        cleaned["part"] = None
        if cleaned.get("kind") == LineKind.PART:
            if not number:
                self.add_error("part_number", _("Give the part number."))
            else:
                brand = self.package.brand
                try:
                    part = Part.objects.resolve_number(number, brand=brand.name)
                except ValidationError as exc:
                    self.add_error("part_number", exc.messages)
                else:
                    if part is None:
                        self.add_error(
                            "part_number",
                            _("No part %(number)s in the catalogue.") % {"number": number},
                        )
                    cleaned["part"] = part
        return cleaned

    def item_fields(self) -> dict:
        data = self.cleaned_data
        fields = {"kind": data["kind"]}
        if data["kind"] == LineKind.LABOUR:
            fields.update(operation=data.get("operation"), hours=data.get("hours"))
        elif data["kind"] == LineKind.PART:
            fields.update(part=data["part"], quantity=data.get("quantity") or Decimal("1"))
        else:
            fields.update(
                description=data.get("description") or "", amount=data.get("amount"),
                quantity=data.get("quantity") or Decimal("1"),
            )  # fmt: skip
        return fields
