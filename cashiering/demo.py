"""Demo data of the cash desk: the payments and 发票 of the demo visits' settlements.

Mostly one payment by the settlement's method at the handover; sometimes a deposit (订金) taken when the estimate
was approved and the rest at delivery; cash with a round amount tendered and the change; now and then a payment
scanned twice and voided; the insurer's part paid by transfer some weeks later. WeChat Pay and Alipay are the most
common methods (the repairs step chose the settlement's method). Receipts are numbered per dealer and month in the
order they were taken, like ``core.numbering``.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_UP, Decimal

from cashiering.choices import InvoiceType, Payer, PaymentKind, PaymentMethod
from cashiering.models import Invoice, Payment
from core.dates import local_date, localtime
from core.demo import DemoContext
from repairs.models import Settlement

DEPOSIT_SHARE = 0.15  # orders where a deposit was taken at approval
COMPANY_SHARE = 0.06  # customers who ask for a special VAT invoice (a company car)
DOUBLE_SCAN_SHARE = 0.01  # payments entered twice, the second voided
INVOICED_SHARE = 0.92  # customer parts invoiced at delivery (the rest took the statement only)
DEPOSIT_METHODS = [PaymentMethod.WECHAT_PAY] * 5 + [PaymentMethod.ALIPAY] * 3 + [PaymentMethod.CASH] * 2
INSURERS = [("中国人民财产保险股份有限公司广州市分公司", "91440101190481592X"),
            ("中国平安财产保险股份有限公司深圳分公司", "914403007152874618"),
            ("中国太平洋财产保险股份有限公司上海分公司", "913100001322039471")]  # fmt: skip


def _reference(rng, method: str) -> str:
    if method == PaymentMethod.WECHAT_PAY:
        return f"42000{rng.randrange(10**22):022d}"
    if method == PaymentMethod.ALIPAY:
        return f"2026{rng.randrange(10**24):024d}"
    if method == PaymentMethod.CARD:
        return f"{rng.randrange(10**6):06d}"
    if method == PaymentMethod.TRANSFER:
        return f"BK{rng.randrange(10**14):014d}"
    return ""


def _cash(rng, amount: Decimal) -> tuple[Decimal | None, Decimal | None]:
    """What a customer hands over in cash: the exact amount, or the next round 50/100."""
    step = Decimal(rng.choice([1, 50, 100, 100]))
    tendered = (amount / step).quantize(Decimal("1"), rounding=ROUND_UP) * step
    return tendered, tendered - amount


def _payment(rng, order, *, amount, method, kind=PaymentKind.PAYMENT, payer=Payer.CUSTOMER, at, by) -> Payment:
    tendered = change = None
    if method == PaymentMethod.CASH and kind != PaymentKind.REFUND:
        tendered, change = _cash(rng, amount)
    return Payment(
        dealer_id=order.dealer_id, order=order, payer=payer, kind=kind, method=method, amount=amount,
        tendered=tendered, change_given=change, reference=_reference(rng, method), received_at=at, received_by=by,
    )  # fmt: skip


def record_payments(ctx: DemoContext) -> None:
    """The payments, deposits and 发票 of every demo settlement, taken by the dealer's cashier."""
    rng = ctx.rng
    total_payments = total_invoices = 0
    for index, dealer in enumerate(ctx.dealers, start=1):
        cashier = ctx.users[f"cashier{index}"]
        settlements = (
            Settlement.objects.filter(order__dealer=dealer)
            .select_related("order__customer")
            .order_by("settled_at", "id")
        )
        payments: list[Payment] = []
        invoices: list[Invoice] = []
        for settlement in settlements:
            order, at = settlement.order, settlement.settled_at
            customer = settlement.customer_total
            if customer > 0:
                method = settlement.payment_method
                if method not in PaymentMethod.values:
                    method = PaymentMethod.WECHAT_PAY
                rest = customer
                if rng.random() < DEPOSIT_SHARE and customer >= Decimal("300") and order.approved_at:
                    deposit = Decimal(rng.choice([100, 200, 300, 500, 1000]))
                    deposit = min(deposit, (customer / 2).quantize(Decimal("1")))
                    payments.append(_payment(rng, order, amount=deposit, method=rng.choice(DEPOSIT_METHODS),
                                             kind=PaymentKind.DEPOSIT, at=order.approved_at, by=cashier))  # fmt: skip
                    rest -= deposit
                if rng.random() < DOUBLE_SCAN_SHARE:
                    # Scanned twice at the handover: the first entry voided a minute later, the second kept.
                    wrong = _payment(rng, order, amount=rest, method=method, at=at, by=cashier)
                    wrong.voided_at, wrong.voided_by, wrong.void_reason = at + timedelta(minutes=1), cashier, "重复扫码"
                    payments.append(wrong)
                payments.append(_payment(rng, order, amount=rest, method=method, at=at, by=cashier))
                if rng.random() < INVOICED_SHARE:
                    company = rng.random() < COMPANY_SHARE
                    invoices.append(Invoice(
                        dealer=dealer, order=order, payer=Payer.CUSTOMER, amount=customer, issued_at=at,
                        issued_by=cashier, invoice_type=InvoiceType.E_SPECIAL if company else InvoiceType.E_ORDINARY,
                        buyer_name=f"{dealer.city}{order.customer_id % 97:02d}号物流有限公司" if company else "",
                        buyer_tax_id=f"914401{order.pk:012d}" if company else "",
                    ))  # fmt: skip
            if settlement.insurance_total > 0:
                # The insurer pays by transfer some weeks later, in office hours.
                paid_at = ctx.open_moment(dealer, local_date(at) + timedelta(days=rng.randint(10, 35)))
                insurer, tax_id = INSURERS[(index - 1) % len(INSURERS)]
                invoices.append(Invoice(
                    dealer=dealer, order=order, payer=Payer.INSURANCE, amount=settlement.insurance_total,
                    issued_at=at, issued_by=cashier, invoice_type=InvoiceType.E_SPECIAL, buyer_name=insurer,
                    buyer_tax_id=tax_id,
                ))  # fmt: skip
                if paid_at < ctx.latest:
                    transfer = PaymentMethod.TRANSFER
                    payments.append(_payment(rng, order, amount=settlement.insurance_total, method=transfer,
                                             payer=Payer.INSURANCE, at=paid_at, by=cashier))  # fmt: skip
        _number_receipts(dealer, payments)
        _number_invoices(dealer, invoices, rng)
        Payment.objects.bulk_create(payments, batch_size=1000)
        Invoice.objects.bulk_create(invoices, batch_size=1000)
        total_payments += len(payments)
        total_invoices += len(invoices)
    ctx.say(f"  {total_payments} payments, {total_invoices} invoices")


def _number_receipts(dealer, payments: list[Payment]) -> None:
    """RC-<dealer>-<yyyymm>-<nnnnn> in the order the money was taken (core.numbering's format)."""
    payments.sort(key=lambda p: p.received_at)
    counters: dict[str, int] = {}
    for payment in payments:
        month = f"{localtime(payment.received_at):%Y%m}"
        counters[month] = counters.get(month, 0) + 1
        payment.receipt_number = f"RC-{dealer.code}-{month}-{counters[month]:05d}"


def _number_invoices(dealer, invoices: list[Invoice], rng) -> None:
    """Fully digital invoice numbers (20 digits: year, province, sequence) and the buyer where none is named."""
    invoices.sort(key=lambda i: i.issued_at)
    for sequence, invoice in enumerate(invoices, start=1):
        invoice.number = f"{localtime(invoice.issued_at):%y}{dealer.pk % 100:02d}2000000{sequence:09d}"
        if not invoice.buyer_name:
            invoice.buyer_name = invoice.order.customer.name if invoice.order.customer_id else "个人"
