"""Reads of the cash desk: what each payer owes on an order, the queue, a day's payments and the cash report.

The amount due is the order's invoice split by payer: ``repairs.services.repair_order_totals`` while the order is
open, the amounts frozen in its ``Settlement`` once delivered. Received is what the payments (deposits and payments,
less refunds) add up to, voided ones left out; outstanding is the difference.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, F, OuterRef, Prefetch, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from cashiering.choices import Payer, PaymentKind, PaymentMethod
from cashiering.models import DeliveryException, Invoice, Payment
from core.dates import day_bounds, local_zone
from repairs.choices import RepairOrderStatus
from repairs.models import RepairOrder, RepairOrderLine, Settlement
from repairs.money import money
from repairs.services import INVOICED_LINES, repair_order_totals

ZERO = Decimal("0.00")
MONEY_FIELD = DecimalField(max_digits=12, decimal_places=2)
SIGNED_AMOUNT = Case(When(kind=PaymentKind.REFUND, then=-F("amount")), default=F("amount"), output_field=MONEY_FIELD)
VALID = Q(voided_at__isnull=True)
SETTLED_STATUSES = (RepairOrderStatus.DELIVERED, RepairOrderStatus.CLOSED)
# Before the estimate is approved the amount due is not final: a deposit is not held to it.
ESTIMATE_OPEN = (RepairOrderStatus.OPEN, RepairOrderStatus.CHECKED_IN, RepairOrderStatus.ESTIMATED)


@dataclass(frozen=True)
class PayerBalance:
    """One payer's part of an order: due, received (net of refunds), of which deposits, invoiced, outstanding."""

    payer: str
    due: Decimal = ZERO
    received: Decimal = ZERO
    deposits: Decimal = ZERO
    invoiced: Decimal = ZERO

    @property
    def label(self) -> str:
        return str(Payer(self.payer).label)

    @property
    def outstanding(self) -> Decimal:
        return self.due - self.received

    @property
    def overpaid(self) -> Decimal:
        """What the payer paid beyond the amount due (to refund)."""
        return max(self.received - self.due, ZERO)

    @property
    def uninvoiced(self) -> Decimal:
        return self.due - self.invoiced


@dataclass(frozen=True)
class OrderBalance:
    """The cash desk's view of one order: a balance per payer (in the order of Payer) and the exception, if any."""

    order: RepairOrder
    by_payer: dict[str, PayerBalance] = field(default_factory=dict)
    frozen: bool = False  # the amounts due are the settlement's (delivered)
    exception: DeliveryException | None = None

    def of(self, payer: str) -> PayerBalance:
        return self.by_payer.get(payer, PayerBalance(payer=payer))

    @property
    def customer(self) -> PayerBalance:
        return self.of(Payer.CUSTOMER)

    @property
    def rows(self) -> list[PayerBalance]:
        return [self.by_payer[p] for p in Payer.values if p in self.by_payer]

    @property
    def due(self) -> Decimal:
        return sum((b.due for b in self.by_payer.values()), ZERO)

    @property
    def others_due(self) -> Decimal:
        """What the warranty, insurance and internal accounts owe."""
        return self.due - self.customer.due

    @property
    def received(self) -> Decimal:
        return sum((b.received for b in self.by_payer.values()), ZERO)

    @property
    def outstanding(self) -> Decimal:
        return sum((b.outstanding for b in self.by_payer.values()), ZERO)

    @property
    def customer_paid(self) -> bool:
        return self.customer.outstanding <= 0

    @property
    def excepted(self) -> bool:
        """An authorised exception covers what the customer still owes."""
        return self.exception is not None and self.customer.outstanding <= self.exception.amount_open

    @property
    def may_leave(self) -> bool:
        """The delivery guard: the customer's part paid (not overpaid), or let go by an authorised exception."""
        return self.customer.outstanding == 0 or (self.customer.outstanding > 0 and self.excepted)


def _settled_due(settlement: Settlement) -> dict[str, Decimal]:
    return {
        Payer.CUSTOMER: settlement.customer_total,
        Payer.WARRANTY: settlement.warranty_total,
        Payer.INSURANCE: settlement.insurance_total,
        Payer.INTERNAL: settlement.internal_total,
    }


def amounts_due(order: RepairOrder, lines: Iterable[RepairOrderLine] | None = None) -> tuple[dict[str, Decimal], bool]:
    """What each payer owes on the order and whether it is frozen (the settlement's): the one rule of "due"."""
    try:
        settlement = order.settlement
    except Settlement.DoesNotExist:
        settlement = None
    if settlement is not None:
        return {p: amount for p, amount in _settled_due(settlement).items() if amount}, True
    totals = repair_order_totals(order=order, lines=lines)
    return {payer: t.total for payer, t in totals.by_payer.items() if t.total}, False


def _sums(order_ids: list[int]) -> tuple[dict, dict]:
    """(received, deposits) and invoiced per (order id, payer), two aggregate queries."""
    paid = {
        # Rounded to the fen: SQLite sums decimals as floating point.
        (row["order_id"], row["payer"]): (money(row["received"] or 0), money(row["deposits"] or 0))
        for row in Payment.objects.filter(VALID, order_id__in=order_ids)
        .order_by()
        .values("order_id", "payer")
        .annotate(
            received=Sum(SIGNED_AMOUNT),
            deposits=Coalesce(Sum("amount", filter=Q(kind=PaymentKind.DEPOSIT)), Value(ZERO), output_field=MONEY_FIELD),
        )
    }
    invoiced = {
        (row["order_id"], row["payer"]): money(row["invoiced"] or 0)
        for row in Invoice.objects.filter(VALID, order_id__in=order_ids)
        .order_by()
        .values("order_id", "payer")
        .annotate(invoiced=Sum("amount"))
    }
    return paid, invoiced


def _latest_exceptions(order_ids: list[int]) -> dict[int, DeliveryException]:
    latest: dict[int, DeliveryException] = {}
    for exception in DeliveryException.objects.filter(order_id__in=order_ids).select_related("authorised_by"):
        if exception.order_id not in latest:  # ordered newest first
            latest[exception.order_id] = exception
    return latest


def balances(orders: Iterable[RepairOrder]) -> list[OrderBalance]:
    """The balance of each order (settlement and ``invoiced_lines`` loaded where the caller prefetched them)."""
    orders = list(orders)
    ids = [order.pk for order in orders]
    paid, invoiced = _sums(ids)
    exceptions = _latest_exceptions(ids)
    result = []
    for order in orders:
        due, frozen = amounts_due(order, getattr(order, "invoiced_lines", None))
        payers = (
            set(due) | {p for (oid, p) in paid if oid == order.pk} | {p for (oid, p) in invoiced if oid == order.pk}
        )
        by_payer = {}
        for payer in payers:
            received, deposits = paid.get((order.pk, payer), (ZERO, ZERO))
            by_payer[payer] = PayerBalance(
                payer=payer,
                due=due.get(payer, ZERO),
                received=received or ZERO,
                deposits=deposits or ZERO,
                invoiced=invoiced.get((order.pk, payer), ZERO),
            )
        result.append(OrderBalance(order=order, by_payer=by_payer, frozen=frozen, exception=exceptions.get(order.pk)))
    return result


def order_balance(order: RepairOrder) -> OrderBalance:
    """The balance of one order."""
    return balances([order])[0]


def payment_list(*, user, order: RepairOrder | None = None):
    """The payments of the user's dealers (of one order), newest first, with who took and voided them."""
    payments = Payment.objects.for_user(user).select_related("order", "received_by", "voided_by")
    return payments.filter(order=order) if order is not None else payments


def invoice_list(*, user, order: RepairOrder | None = None):
    """The 发票 of the user's dealers (of one order), newest first."""
    invoices = Invoice.objects.for_user(user).select_related("order", "issued_by", "voided_by")
    return invoices.filter(order=order) if order is not None else invoices


# --- the queue ----------------------------------------------------------------------------------------------------


def _with_invoiced_lines(orders):
    return orders.select_related("vehicle", "customer", "advisor", "dealer", "settlement").prefetch_related(
        Prefetch("lines", queryset=RepairOrderLine.objects.filter(INVOICED_LINES), to_attr="invoiced_lines")
    )


def ready_for_delivery(*, user) -> list[OrderBalance]:
    """Cars that passed QC and wait for the customer: what each payer owes, oldest ready first."""
    orders = RepairOrder.objects.for_user(user).filter(status=RepairOrderStatus.READY).order_by("ready_at", "id")
    return balances(_with_invoiced_lines(orders))


def delivered_with_amount_open(*, user) -> list[OrderBalance]:
    """Delivered orders whose customer still owes part of the settlement (let go by an exception, or a payment
    voided after delivery): one indexed aggregate per order in SQL, the oldest first."""
    received = (
        Payment.objects.filter(VALID, order=OuterRef("pk"), payer=Payer.CUSTOMER)
        .order_by()
        .values("order")
        .annotate(total=Sum(SIGNED_AMOUNT))
        .values("total")
    )
    orders = (
        RepairOrder.objects.for_user(user)
        .filter(status__in=SETTLED_STATUSES, settlement__customer_total__gt=0)
        .annotate(customer_received=Coalesce(Subquery(received), Value(ZERO), output_field=MONEY_FIELD))
        # Half a fen of slack: SQLite sums decimals as floating point.
        .filter(settlement__customer_total__gt=F("customer_received") + Value(Decimal("0.005")))
        .select_related("settlement", "vehicle", "customer", "advisor", "dealer")
        .order_by("delivered_at", "id")
    )
    return balances(orders)


# --- a day at the cash desk ---------------------------------------------------------------------------------------


def payments_of_day(*, user, day: date, dealer=None, cashier=None):
    """The payments taken on a local day (voided ones included, marked) at the user's dealers."""
    start, end = day_bounds(day, local_zone(dealer))
    payments = payment_list(user=user).filter(received_at__gte=start, received_at__lt=end)
    if dealer is not None:
        payments = payments.filter(dealer=dealer)
    if cashier is not None:
        payments = payments.filter(received_by=cashier)
    return payments.order_by("received_at", "id")


@dataclass
class MethodLine:
    """One method in the cash report: money in (deposits + payments), refunds out, the net, and the counts."""

    method: str
    received: Decimal = ZERO
    refunded: Decimal = ZERO
    count: int = 0

    @property
    def label(self) -> str:
        return str(PaymentMethod(self.method).label)

    @property
    def net(self) -> Decimal:
        return self.received - self.refunded


@dataclass
class CashierReport:
    """The daily cash report (收银日报) of one cashier, or of everyone when ``cashier`` is None."""

    day: date
    cashier: object = None
    methods: list[MethodLine] = field(default_factory=list)
    payment_count: int = 0
    payments_total: Decimal = ZERO
    deposit_count: int = 0
    deposits_total: Decimal = ZERO
    refund_count: int = 0
    refunds_total: Decimal = ZERO
    void_count: int = 0
    voids_total: Decimal = ZERO
    cash_in_drawer: Decimal = ZERO  # the cash taken less the cash paid back: what the drawer should hold
    invoice_count: int = 0
    invoices_total: Decimal = ZERO

    @property
    def net(self) -> Decimal:
        return self.payments_total + self.deposits_total - self.refunds_total


def cash_report(*, user, day: date, dealer=None, cashier=None) -> CashierReport:
    """Totals by method, counts, voids, refunds and deposits of a day (one aggregate query each for payments and
    invoices); voided payments count only as voids."""
    payments = payments_of_day(user=user, day=day, dealer=dealer, cashier=cashier).order_by()
    report = CashierReport(day=day, cashier=cashier)
    by_method: dict[str, MethodLine] = defaultdict(lambda: MethodLine(method=""))
    rows = payments.values("method", "kind", voided=Q(voided_at__isnull=False)).annotate(
        n=Count("id"), total=Sum("amount")
    )
    for row in rows:
        total, n = money(row["total"] or 0), row["n"]  # to the fen: SQLite sums decimals as floating point
        if row["voided"]:
            report.void_count += n
            report.voids_total += total
            continue
        line = by_method[row["method"]]
        line.method = row["method"]
        line.count += n
        if row["kind"] == PaymentKind.REFUND:
            line.refunded += total
            report.refund_count += n
            report.refunds_total += total
        else:
            line.received += total
            if row["kind"] == PaymentKind.DEPOSIT:
                report.deposit_count += n
                report.deposits_total += total
            else:
                report.payment_count += n
                report.payments_total += total
    report.methods = [by_method[m] for m in PaymentMethod.values if m in by_method]
    cash = by_method.get(PaymentMethod.CASH)
    report.cash_in_drawer = cash.net if cash else ZERO
    start, end = day_bounds(day, local_zone(dealer))
    invoices = invoice_list(user=user).filter(VALID, issued_at__gte=start, issued_at__lt=end)
    if dealer is not None:
        invoices = invoices.filter(dealer=dealer)
    if cashier is not None:
        invoices = invoices.filter(issued_by=cashier)
    totals = invoices.order_by().aggregate(n=Count("id"), total=Sum("amount"))
    report.invoice_count, report.invoices_total = totals["n"], money(totals["total"] or 0)
    return report
