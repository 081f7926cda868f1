"""Forms of the customer archive; they validate input, the services write."""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.forms import IsoDateInput, VersionedFormMixin
from customers.models import Customer, Vehicle
from customers.selectors import customers_with_mobile, find_duplicate_vehicle
from customers.services import CUSTOMER_FIELDS, VEHICLE_FIELDS
from customers.validators import normalize_mobile, normalize_plate, normalize_vin
from organization.models import Dealer

DATE = IsoDateInput()


class DealerChoiceMixin:
    """Limits the dealer choice to the dealers the user may change; preselects a single one."""

    def setup_dealer_field(self, dealers):
        field = self.fields["dealer"]
        field.queryset = dealers
        only = list(dealers[:2])
        if len(only) == 1:
            field.initial = only[0].pk


class CustomerForm(DealerChoiceMixin, VersionedFormMixin, forms.ModelForm):
    dealer = forms.ModelChoiceField(queryset=Dealer.objects.none(), label=_("dealer"))
    # Room for "+86 138-0013-8000": the stored 11 digits are checked after clean_mobile normalises it.
    mobile = Customer._meta.get_field("mobile").formfield(max_length=20)
    # Shown (as a checkbox) only once the mobile turned out to be another customer's: saving then needs it ticked.
    confirm_duplicate_mobile = forms.BooleanField(
        label=_("Save anyway: this is a different customer with the same mobile"), required=False,
        widget=forms.HiddenInput,
    )  # fmt: skip

    class Meta:
        model = Customer
        fields = ["dealer", *CUSTOMER_FIELDS]
        widgets = {"birthday": DATE, "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, dealers=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.mobile_duplicates: list[Customer] = []
        if self.instance.pk:
            del self.fields["dealer"]
            self.fields["version"].initial = self.instance.version
        else:
            self.setup_dealer_field(dealers if dealers is not None else Dealer.objects.none())

    def clean_mobile(self) -> str:
        mobile = normalize_mobile(self.cleaned_data["mobile"])
        if self.user is not None and mobile and mobile != self.instance.mobile:
            self.mobile_duplicates = customers_with_mobile(user=self.user, mobile=mobile, exclude_pk=self.instance.pk)
        if self.mobile_duplicates:
            self.fields["confirm_duplicate_mobile"].widget = forms.CheckboxInput()
            confirmed = forms.CheckboxInput().value_from_datadict(
                self.data, self.files, self.add_prefix("confirm_duplicate_mobile")
            )
            if not confirmed:
                raise forms.ValidationError(
                    _(
                        "Another customer already has this mobile (listed above): open them instead, or tick "
                        "“Save anyway” below if this is a different person."
                    ),
                    code="duplicate_mobile",
                )
        return mobile

    def clean_birthday(self):
        birthday = self.cleaned_data.get("birthday")
        if birthday and birthday > timezone.localdate():
            raise forms.ValidationError(_("A birthday cannot be in the future."))
        return birthday


class VehicleForm(VersionedFormMixin, forms.ModelForm):
    # Room for pasted values with spaces/dots: clean_vin/clean_plate normalise, the model validators check.
    vin = Vehicle._meta.get_field("vin").formfield(
        max_length=30, widget=forms.TextInput(attrs={"autocomplete": "off", "style": "text-transform:uppercase"})
    )
    plate = Vehicle._meta.get_field("plate").formfield(
        max_length=20, widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "粤B12345"})
    )
    owner_since = forms.DateField(
        label=_("owner since"),
        required=False,
        widget=DATE,
        help_text=_("Defaults to the purchase date, or today."),
    )

    class Meta:
        model = Vehicle
        fields = list(VEHICLE_FIELDS)
        widgets = {
            "purchase_date": DATE,
            "insurance_expiry": DATE,
            "warranty_expiry": DATE,
            "notes": forms.Textarea(attrs={"rows": 3}),
            "brand": forms.TextInput(attrs={"list": "brand-list"}),
        }

    def __init__(self, *args, dealer: Dealer, **kwargs):
        self.dealer = dealer
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["owner_since"]
            self.fields["version"].initial = self.instance.version

    def clean_vin(self) -> str:
        return normalize_vin(self.cleaned_data["vin"])

    def clean_plate(self) -> str:
        return normalize_plate(self.cleaned_data["plate"])

    def clean_purchase_date(self):
        purchase_date = self.cleaned_data.get("purchase_date")
        if purchase_date and purchase_date > timezone.localdate():
            raise forms.ValidationError(_("The purchase date cannot be in the future."))
        return purchase_date

    def clean(self):
        cleaned = super().clean()
        duplicates = find_duplicate_vehicle(
            dealer_id=self.dealer.pk,
            vin=cleaned.get("vin") or "",
            plate=cleaned.get("plate") or "",
            exclude_pk=self.instance.pk,
        )
        labels = {"vin": _("VIN"), "plate": _("licence plate")}
        for field, existing in duplicates.items():
            self.add_error(
                field,
                format_html(
                    '{} <a href="{}">{}</a>',
                    _("This %(field)s is already on file at this dealer:") % {"field": labels[field]},
                    existing.get_absolute_url(),
                    f"{existing} ({existing.owner})",
                ),
            )
        return cleaned


class ChangeOwnerForm(VersionedFormMixin):
    new_owner_mobile = forms.CharField(
        label=_("new owner's mobile"),
        max_length=20,
        help_text=_("The new owner must already be a customer of this dealer."),
    )
    started_on = forms.DateField(label=_("transfer date"), widget=DATE, initial=timezone.localdate)
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, vehicle: Vehicle, **kwargs):
        self.vehicle = vehicle
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = vehicle.version

    def clean_new_owner_mobile(self) -> str:
        mobile = normalize_mobile(self.cleaned_data["new_owner_mobile"])
        candidates = list(Customer.objects.filter(dealer_id=self.vehicle.dealer_id, mobile=mobile)[:2])
        if not candidates:
            raise forms.ValidationError(
                format_html(
                    '{} <a href="{}">{}</a>',
                    _("No customer of this dealer has this mobile."),
                    reverse("customers:customer_create"),
                    _("Create the customer first."),
                )
            )
        if len(candidates) > 1:
            raise forms.ValidationError(_("Several customers share this mobile; merge or correct them first."))
        self.cleaned_data["new_owner"] = candidates[0]
        return mobile
