"""Enumerations of the cash desk (收银台): payers, kinds of payment, methods, 发票 types."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from repairs.choices import Payer  # who pays is the repair order's split of the invoice (one list)
from repairs.choices import PaymentMethod as SettlementMethod

__all__ = ["DESK_METHODS", "INVOICE_TYPES_NEEDING_TAX_ID", "InvoiceType", "Payer", "PaymentKind", "PaymentMethod"]


class PaymentKind(models.TextChoices):
    """A deposit (订金) is taken before the estimate is final; a refund (退款) pays money back."""

    DEPOSIT = "deposit", pgettext_lazy("cash desk", "Deposit")
    PAYMENT = "payment", pgettext_lazy("cash desk", "Payment")
    REFUND = "refund", pgettext_lazy("cash desk", "Refund")


# How the money was taken (recorded only: no payment gateway): the settlement's methods but "nothing to pay", so a
# method means the same at the cash desk and on the settlement (one list, repairs.choices.PaymentMethod).
PaymentMethod = models.TextChoices(
    "PaymentMethod",
    [(method.name, (method.value, method.label)) for method in SettlementMethod if method != SettlementMethod.NONE],
)

# The settlement's methods that mean "the customer pays the rest now, at the desk"; its "none" is "nothing left".
DESK_METHODS = frozenset(PaymentMethod.values)


class InvoiceType(models.TextChoices):
    """The kinds of 发票 a dealer issues from the tax system."""

    VAT_ORDINARY = "vat_ordinary", _("VAT ordinary invoice (增值税普通发票)")
    VAT_SPECIAL = "vat_special", _("VAT special invoice (增值税专用发票)")
    E_ORDINARY = "e_ordinary", _("Electronic invoice, ordinary (电子发票·普通发票)")
    E_SPECIAL = "e_special", _("Electronic invoice, special (电子发票·增值税专用发票)")


# A special VAT invoice lets the buyer deduct the input tax: it names a business with its taxpayer id.
INVOICE_TYPES_NEEDING_TAX_ID = frozenset({InvoiceType.VAT_SPECIAL, InvoiceType.E_SPECIAL})
