"""Cashiering (收银): amounts due per payer, payments and deposits with method and change, 发票, receipts, the
delivery guard and the daily cash report."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cashiering.choices import InvoiceType, Payer, PaymentKind, PaymentMethod
from core.tenancy import DealerScopedQuerySet
from repairs.models import MONEY

POSITIVE = [MinValueValidator(Decimal("0.01"))]


class Payment(models.Model):
    """Money taken or paid back at the cash desk against a repair order: never deleted, voided with a reason."""

    dealer = models.ForeignKey(
        "organization.Dealer", on_delete=models.PROTECT, related_name="payments", verbose_name=_("dealer")
    )
    order = models.ForeignKey(
        "repairs.RepairOrder", on_delete=models.PROTECT, related_name="payments", verbose_name=_("repair order")
    )
    receipt_number = models.CharField(_("receipt no."), max_length=30, editable=False)
    payer = models.CharField(_("payer"), max_length=10, choices=Payer.choices, default=Payer.CUSTOMER)
    kind = models.CharField(_("kind"), max_length=10, choices=PaymentKind.choices, default=PaymentKind.PAYMENT)
    method = models.CharField(_("payment method"), max_length=12, choices=PaymentMethod.choices)
    amount = models.DecimalField(_("amount"), **MONEY, validators=POSITIVE)
    tendered = models.DecimalField(_("amount tendered"), **MONEY, null=True, blank=True)
    change_given = models.DecimalField(_("change given"), **MONEY, null=True, blank=True)
    reference = models.CharField(
        _("reference"), max_length=64, blank=True, help_text=_("Card slip, transaction or transfer number.")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    received_at = models.DateTimeField(_("received at"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("cashier")
    )
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True, editable=False)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("voided by"),
    )
    void_reason = models.CharField(_("reason for voiding"), max_length=200, blank=True, editable=False)
    history = HistoricalRecords()

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["dealer", "receipt_number"], name="uniq_payment_receipt"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["order", "payer"], name="payment_order_payer"),
            models.Index(fields=["dealer", "received_at"], name="payment_dealer_received"),
            models.Index(fields=["received_by", "received_at"], name="payment_cashier_received"),
        ]
        permissions = [("void_payment", _("Can void a payment (with the reason)"))]

    def __str__(self) -> str:
        return self.receipt_number

    @property
    def voided(self) -> bool:
        return self.voided_at is not None

    @property
    def signed_amount(self) -> Decimal:
        """What the payment adds to the money received (a refund takes away)."""
        return -self.amount if self.kind == PaymentKind.REFUND else self.amount


class Invoice(models.Model):
    """A 发票 issued from the tax system for a payer's part of a repair order: its type, number and buyer."""

    dealer = models.ForeignKey(
        "organization.Dealer", on_delete=models.PROTECT, related_name="invoices", verbose_name=_("dealer")
    )
    order = models.ForeignKey(
        "repairs.RepairOrder", on_delete=models.PROTECT, related_name="invoices", verbose_name=_("repair order")
    )
    payer = models.CharField(_("payer"), max_length=10, choices=Payer.choices, default=Payer.CUSTOMER)
    invoice_type = models.CharField(_("invoice type"), max_length=15, choices=InvoiceType.choices)
    code = models.CharField(_("invoice code"), max_length=12, blank=True, help_text=_("Paper invoices only."))
    number = models.CharField(_("invoice number"), max_length=20)
    amount = models.DecimalField(_("amount (incl. VAT)"), **MONEY, validators=POSITIVE)
    buyer_name = models.CharField(_("buyer"), max_length=100)
    buyer_tax_id = models.CharField(_("buyer's taxpayer id"), max_length=20, blank=True)
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("issued by")
    )
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True, editable=False)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("voided by"),
    )
    void_reason = models.CharField(_("reason for voiding"), max_length=200, blank=True, editable=False)
    history = HistoricalRecords()

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("invoice (发票)")
        verbose_name_plural = _("invoices (发票)")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["dealer", "invoice_type", "code", "number"], name="uniq_invoice_number"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="invoice_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["order", "payer"], name="invoice_order_payer"),
            models.Index(fields=["dealer", "issued_at"], name="invoice_dealer_issued"),
        ]
        permissions = [("void_invoice", _("Can void an invoice (with the reason)"))]

    def __str__(self) -> str:
        return f"{self.code}-{self.number}" if self.code else self.number


class DeliveryException(models.Model):
    """The service manager lets a car go before the customer's part is paid (欠款放车): who, when, why, how much."""

    dealer = models.ForeignKey(
        "organization.Dealer", on_delete=models.PROTECT, related_name="delivery_exceptions", verbose_name=_("dealer")
    )
    order = models.ForeignKey(
        "repairs.RepairOrder",
        on_delete=models.PROTECT,
        related_name="delivery_exceptions",
        verbose_name=_("repair order"),
    )
    reason = models.CharField(_("reason"), max_length=300)
    amount_open = models.DecimalField(_("amount open"), **MONEY)
    authorised_at = models.DateTimeField(_("authorised at"))
    authorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("authorised by")
    )
    history = HistoricalRecords()

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("delivery exception (unpaid)")
        verbose_name_plural = _("delivery exceptions (unpaid)")
        ordering = ["-authorised_at", "-id"]
        indexes = [models.Index(fields=["order", "-authorised_at"], name="delivery_exception_order")]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.amount_open}"
