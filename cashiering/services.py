"""Writes of the cash desk: take a payment or deposit, refund, void, issue a 发票, authorise an unpaid delivery, and
the delivery guard (``REPAIRS_HOOKS["delivering"]``).

Every write locks the repair order's row first, then reads what was received: two cashiers taking the rest of the
same order at the same moment queue, and the second finds nothing left to pay.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from cashiering.choices import (
    DESK_METHODS,
    INVOICE_TYPES_NEEDING_TAX_ID,
    InvoiceType,
    Payer,
    PaymentKind,
    PaymentMethod,
)
from cashiering.models import DeliveryException, Invoice, Payment
from cashiering.selectors import ESTIMATE_OPEN, SETTLED_STATUSES, order_balance
from core.numbering import next_number
from core.permissions import require
from repairs.choices import PaymentMethod as SettlementMethod
from repairs.choices import RepairOrderStatus
from repairs.models import RepairOrder, Settlement
from repairs.money import money

REASON_MAX_LENGTH = 200
TAX_ID = re.compile(r"^[0-9A-Z]{15}$|^[0-9A-Z]{18}$|^[0-9A-Z]{20}$")  # 统一社会信用代码 (18) or an old taxpayer id
INVOICE_NUMBER = re.compile(r"^\d{8}$|^\d{20}$")  # 8 digits (with a code) or a fully digital invoice's 20
INVOICE_CODE = re.compile(r"^\d{10}$|^\d{12}$")


def _locked_order(order: RepairOrder) -> RepairOrder:
    """The order with its row locked until commit (no ordering: FOR UPDATE refuses the default one's join)."""
    list(RepairOrder.objects.select_for_update().filter(pk=order.pk).order_by().values_list("pk", flat=True))
    return RepairOrder.objects.select_related("dealer", "settlement").get(pk=order.pk)


def _amount(value, field: str = "amount") -> Decimal:
    try:
        amount = Decimal(value)
    except Exception:
        raise ValidationError({field: _("Enter an amount.")}) from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationError({field: _("The amount must be more than zero.")})
    if amount != money(amount):
        raise ValidationError({field: _("At most two decimal places (fen).")})
    return amount


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason.")})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": _("At most %(limit)s characters.") % {"limit": REASON_MAX_LENGTH}})
    return reason


def _record_payment(
    *,
    order: RepairOrder,
    by: User,
    amount: Decimal,
    method: str,
    payer: str = Payer.CUSTOMER,
    kind: str = PaymentKind.PAYMENT,
    tendered: Decimal | None = None,
    reference: str = "",
    note: str = "",
) -> Payment:
    """Check and save one payment against a locked order (the caller checked the permission)."""
    errors: dict[str, str] = {}
    if payer not in Payer.values:
        errors["payer"] = _("Choose who pays.")
    if kind not in PaymentKind.values:
        errors["kind"] = _("Choose deposit, payment or refund.")
    if method not in PaymentMethod.values:
        errors["method"] = _("Choose how the money was paid.")
    if errors:
        raise ValidationError(errors)
    amount = _amount(amount)
    if order.status == RepairOrderStatus.CANCELLED:
        raise ValidationError(_("A cancelled repair order takes no payments."))
    if kind == PaymentKind.DEPOSIT:
        if payer != Payer.CUSTOMER:
            raise ValidationError({"payer": _("Only the customer pays a deposit.")})
        if order.status in SETTLED_STATUSES:
            raise ValidationError({"kind": _("The car is delivered: take a payment, not a deposit.")})
    change_given = None
    if method == PaymentMethod.CASH and kind != PaymentKind.REFUND:
        tendered = amount if tendered in (None, "") else _amount(tendered, "tendered")
        if tendered < amount:
            raise ValidationError({"tendered": _("The customer gave less than the amount.")})
        change_given = tendered - amount
    elif tendered not in (None, ""):
        raise ValidationError({"tendered": _("Only cash taken is tendered (and given change).")})
    else:
        tendered = None
    reference, note = (reference or "").strip(), (note or "").strip()
    if len(reference) > 64:
        raise ValidationError({"reference": _("At most %(limit)s characters.") % {"limit": 64}})
    if len(note) > REASON_MAX_LENGTH:
        raise ValidationError({"note": _("At most %(limit)s characters.") % {"limit": REASON_MAX_LENGTH}})

    balance = order_balance(order).of(payer)
    names = {"payer": Payer(payer).label, "amount": amount}
    # A deposit before the estimate is approved is not held to it; everything else is (no overpayment).
    held_to_due = not (kind == PaymentKind.DEPOSIT and order.status in ESTIMATE_OPEN)
    if kind == PaymentKind.REFUND and amount > balance.received:
        message = _("Only %(received)s was received from the %(payer)s: a refund cannot be more.") % {
            **names, "received": max(balance.received, Decimal("0.00")),
        }  # fmt: skip
        raise ValidationError({"amount": message})
    if kind != PaymentKind.REFUND and held_to_due and amount > balance.outstanding:
        if balance.outstanding <= 0:
            message = _("Nothing is open for the %(payer)s on this order.") % names
        else:
            message = _("Only %(open)s is open for the %(payer)s: %(amount)s would overpay.") % {
                **names, "open": balance.outstanding,
            }  # fmt: skip
        raise ValidationError({"amount": message})

    now = timezone.now()
    payment = Payment(
        dealer=order.dealer, order=order, payer=payer, kind=kind, method=method, amount=amount,
        tendered=tendered, change_given=change_given, reference=reference, note=note, received_at=now,
        received_by=by,
        receipt_number=next_number(Payment, field="receipt_number", dealer=order.dealer, when=now,
                                   prefix="RC-{dealer}-{when:%Y%m}-", digits=5),
    )  # fmt: skip
    payment._history_user = by
    payment.save()
    return payment


@transaction.atomic
def payment_take(
    *,
    order: RepairOrder,
    by: User,
    amount: Decimal,
    method: str,
    payer: str = Payer.CUSTOMER,
    kind: str = PaymentKind.PAYMENT,
    tendered: Decimal | None = None,
    reference: str = "",
    note: str = "",
) -> Payment:
    """Take a payment, a deposit (订金, the customer's, before delivery) or pay a refund, with its receipt number.

    A payment or deposit is at most what is open for that payer (a deposit before the estimate is approved is not
    held to the estimate); a refund at most what was received; cash records what was tendered and the change.
    """
    require(by, "cashiering.add_payment", dealer=order.dealer_id, message=_("Only the cash desk takes payments."))
    order = _locked_order(order)
    return _record_payment(
        order=order, by=by, amount=amount, method=method, payer=payer, kind=kind, tendered=tendered,
        reference=reference, note=note,
    )  # fmt: skip


@transaction.atomic
def payment_void(*, payment: Payment, by: User, reason: str) -> Payment:
    """Void a payment entered by mistake (kept, stamped with who, when and why; the receipt no. is not reused)."""
    require(by, "cashiering.void_payment", dealer=payment.dealer_id, message=_("Only the cash desk voids payments."))
    reason = _reason(reason)
    order = _locked_order(payment.order)
    payment = Payment.objects.select_for_update().order_by().get(pk=payment.pk)
    if payment.voided:
        raise ValidationError(_("This payment is already voided."))
    if payment.kind != PaymentKind.REFUND and order_balance(order).of(payment.payer).received < payment.amount:
        raise ValidationError(_("Money was refunded against this payment: void the refund first."))
    payment.voided_at, payment.voided_by, payment.void_reason = timezone.now(), by, reason
    payment._history_user = by
    payment.save(update_fields=["voided_at", "voided_by", "void_reason"])
    return payment


@transaction.atomic
def invoice_issue(
    *,
    order: RepairOrder,
    by: User,
    invoice_type: str,
    number: str,
    amount: Decimal,
    buyer_name: str,
    payer: str = Payer.CUSTOMER,
    code: str = "",
    buyer_tax_id: str = "",
    issued_at: datetime | None = None,
) -> Invoice:
    """Record a 发票 issued for a payer's part of the order: at most what that payer owes and is not yet invoiced;
    a special VAT invoice names the buyer's taxpayer id."""
    require(by, "cashiering.add_invoice", dealer=order.dealer_id, message=_("Only the cash desk records invoices."))
    order = _locked_order(order)
    errors: dict[str, str] = {}
    number, code = (number or "").strip(), (code or "").strip()
    buyer_name, buyer_tax_id = (buyer_name or "").strip(), (buyer_tax_id or "").strip().upper()
    if invoice_type not in InvoiceType.values:
        errors["invoice_type"] = _("Choose the invoice type.")
    if payer not in Payer.values:
        errors["payer"] = _("Choose who pays.")
    if not INVOICE_NUMBER.match(number):
        errors["number"] = _("An invoice number has 8 digits (with the invoice code) or 20 (fully digital).")
    elif len(number) == 8 and not code:
        errors["code"] = _("An 8-digit invoice number goes with its invoice code.")
    if code and not INVOICE_CODE.match(code):
        errors["code"] = _("An invoice code has 10 or 12 digits.")
    if not buyer_name:
        errors["buyer_name"] = _("Name the buyer as printed on the invoice.")
    elif len(buyer_name) > 100:
        errors["buyer_name"] = _("At most %(limit)s characters.") % {"limit": 100}
    if invoice_type in INVOICE_TYPES_NEEDING_TAX_ID and not buyer_tax_id:
        errors["buyer_tax_id"] = _("A special VAT invoice needs the buyer's taxpayer id.")
    elif buyer_tax_id and not TAX_ID.match(buyer_tax_id):
        errors["buyer_tax_id"] = _("A taxpayer id has 15, 18 or 20 letters and digits.")
    if errors:
        raise ValidationError(errors)
    amount = _amount(amount)
    if order.status == RepairOrderStatus.CANCELLED:
        raise ValidationError(_("A cancelled repair order is not invoiced."))
    now = timezone.now()
    issued_at = issued_at or now
    if issued_at > now:
        raise ValidationError({"issued_at": _("The issue time cannot be in the future.")})
    balance = order_balance(order).of(payer)
    if amount > balance.uninvoiced:
        raise ValidationError(
            {"amount": _("Only %(open)s of the %(payer)s's part is not invoiced yet.")
             % {"open": max(balance.uninvoiced, Decimal("0.00")), "payer": Payer(payer).label}}
        )  # fmt: skip
    duplicate = (
        Invoice.objects.filter(dealer=order.dealer, invoice_type=invoice_type, code=code, number=number)
        .select_related("order")
        .first()
    )
    if duplicate is not None:
        raise ValidationError(
            {"number": _("This invoice is already recorded (repair order %(order)s).") % {"order": duplicate.order}}
        )
    invoice = Invoice(
        dealer=order.dealer, order=order, payer=payer, invoice_type=invoice_type, code=code, number=number,
        amount=amount, buyer_name=buyer_name, buyer_tax_id=buyer_tax_id, issued_at=issued_at, issued_by=by,
    )  # fmt: skip
    invoice._history_user = by
    invoice.save()
    return invoice


@transaction.atomic
def invoice_void(*, invoice: Invoice, by: User, reason: str) -> Invoice:
    """Void (作废/红冲) a recorded 发票; it stays on record with who, when and why."""
    require(by, "cashiering.void_invoice", dealer=invoice.dealer_id, message=_("Only the cash desk voids invoices."))
    reason = _reason(reason)
    _locked_order(invoice.order)
    invoice = Invoice.objects.select_for_update().order_by().get(pk=invoice.pk)
    if invoice.voided_at is not None:
        raise ValidationError(_("This invoice is already voided."))
    invoice.voided_at, invoice.voided_by, invoice.void_reason = timezone.now(), by, reason
    invoice._history_user = by
    invoice.save(update_fields=["voided_at", "voided_by", "void_reason"])
    return invoice


@transaction.atomic
def delivery_exception_authorise(*, order: RepairOrder, by: User, reason: str) -> DeliveryException:
    """The service manager lets the car go before the customer's part is paid (欠款放车): the amount open now."""
    require(
        by,
        "cashiering.add_deliveryexception",
        dealer=order.dealer_id,
        message=_("Only the service manager lets a car go unpaid."),
    )
    reason = _reason(reason)
    order = _locked_order(order)
    if order.status in (*SETTLED_STATUSES, RepairOrderStatus.CANCELLED):
        raise ValidationError(_("The car has left (or the order is cancelled): there is no delivery to authorise."))
    outstanding = order_balance(order).customer.outstanding
    if outstanding <= 0:
        raise ValidationError(_("The customer owes nothing: the car may leave without an exception."))
    exception = DeliveryException(
        dealer=order.dealer, order=order, reason=reason, amount_open=outstanding, authorised_at=timezone.now(),
        authorised_by=by,
    )  # fmt: skip
    exception._history_user = by
    exception.save()
    return exception


# --- the delivery guard (REPAIRS_HOOKS["delivering"]) --------------------------------------------------------------


def guard_delivery(*, order: RepairOrder, by: User, settlement: Settlement, payment_method: str) -> Payment | None:
    """Before the handover: the customer's part of the settlement is paid, or an authorised exception covers it.

    ``payment_method`` is the deliverer's answer to "how does the customer pay the rest?": a desk method records
    the rest as a payment taken by the deliverer now (the desk's handover, receipt numbered, in the delivery's
    transaction); "none" means nothing is left (paid at the cash desk before, or nothing to pay), and the
    settlement then names how the customer mostly paid. Raises ValidationError (on ``payment_method``), nothing
    changed, when money is open without an exception, or when the customer paid more than they owe.
    """
    order = _locked_order(order)
    balance = order_balance(order)
    outstanding = balance.customer.outstanding
    if outstanding < 0:
        raise ValidationError(
            {"payment_method": _("The customer paid %(amount)s more than they owe: refund it at the cash desk first.")
             % {"amount": -outstanding}}
        )  # fmt: skip
    if outstanding > 0 and payment_method in DESK_METHODS:
        return _record_payment(
            order=order, by=by, amount=outstanding, method=payment_method, note=_("paid at delivery")
        )
    if outstanding > 0 and not balance.excepted:
        if balance.exception is not None:
            message = _(
                "The customer owes %(amount)s but the delivery exception covers %(covered)s: choose how they pay, "
                "or ask the service manager again."
            ) % {"amount": outstanding, "covered": balance.exception.amount_open}
        elif balance.customer.received:
            message = _("The customer still owes %(amount)s: choose how they pay it.") % {"amount": outstanding}
        else:
            message = _("The customer pays %(amount)s: choose how.") % {"amount": outstanding}
        raise ValidationError({"payment_method": message})
    if payment_method == SettlementMethod.NONE and balance.customer.received > 0:
        settlement.payment_method = _main_method(order)
        settlement.save(update_fields=["payment_method"])
    return None


def _main_method(order: RepairOrder) -> str:
    """The method that brought most of the customer's money (the settlement's one method)."""
    amounts: Counter = Counter()
    for method, kind, amount in Payment.objects.filter(
        order=order, payer=Payer.CUSTOMER, voided_at__isnull=True
    ).values_list("method", "kind", "amount"):
        amounts[method] += -amount if kind == PaymentKind.REFUND else amount
    return amounts.most_common(1)[0][0]
