"""Forms of the cash desk: take a payment, record a 发票, void, let a car go unpaid, the cash report's filter."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cashiering.choices import InvoiceType, Payer, PaymentKind, PaymentMethod
from cashiering.services import REASON_MAX_LENGTH
from core.forms import IsoDateInput

AMOUNT = {"max_digits": 12, "decimal_places": 2, "min_value": Decimal("0.01")}
MONEY_INPUT = forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "inputmode": "decimal"})


class PaymentForm(forms.Form):
    """Take money (or pay some back) at the desk; cash records what was tendered, the page shows the change."""

    kind = forms.ChoiceField(label=_("kind"), choices=PaymentKind.choices, initial=PaymentKind.PAYMENT)
    payer = forms.ChoiceField(label=_("payer"), choices=Payer.choices, initial=Payer.CUSTOMER)
    method = forms.ChoiceField(label=_("payment method"), choices=PaymentMethod.choices)
    amount = forms.DecimalField(label=_("amount"), widget=MONEY_INPUT, **AMOUNT)
    tendered = forms.DecimalField(
        label=_("amount tendered"),
        widget=MONEY_INPUT,
        required=False,
        help_text=_("Cash only: the change is given back."),
    )
    reference = forms.CharField(
        label=_("reference"), max_length=64, required=False, help_text=_("Card slip, transaction or transfer number.")
    )
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    prefix = "pay"  # the order page holds the invoice form too: its fields (payer, amount) have ids of their own


class InvoiceForm(forms.Form):
    invoice_type = forms.ChoiceField(label=_("invoice type"), choices=InvoiceType.choices)
    payer = forms.ChoiceField(label=_("payer"), choices=Payer.choices, initial=Payer.CUSTOMER)
    code = forms.CharField(label=_("invoice code"), max_length=12, required=False, help_text=_("Paper invoices only."))
    number = forms.CharField(label=_("invoice number"), max_length=20)
    amount = forms.DecimalField(label=_("amount (incl. VAT)"), widget=MONEY_INPUT, **AMOUNT)
    buyer_name = forms.CharField(label=_("buyer"), max_length=100)
    buyer_tax_id = forms.CharField(
        label=_("buyer's taxpayer id"), max_length=20, required=False, help_text=_("Needed on a special VAT invoice.")
    )

    prefix = "invoice"


class ReasonForm(forms.Form):
    """Void a payment or an invoice, or let a car go unpaid: why."""

    reason = forms.CharField(label=_("reason"), max_length=REASON_MAX_LENGTH)


class CashReportForm(forms.Form):
    """The cash report's day, cashier and dealer (the choices are the user's dealers and their people)."""

    day = forms.DateField(label=_("day"), widget=IsoDateInput(),
                          required=False)  # fmt: skip
    dealer = forms.ModelChoiceField(label=_("dealer"), queryset=None, required=False)
    cashier = forms.ModelChoiceField(label=_("cashier"), queryset=None, required=False, empty_label=_("everyone"))

    def __init__(self, *args, dealers, cashiers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dealer"].queryset = dealers
        self.fields["cashier"].queryset = cashiers
        if dealers.count() == 1:
            self.fields["dealer"].empty_label = None

    def clean_day(self):
        return self.cleaned_data["day"] or timezone.localdate()
