"""Money of a repair order: line amounts, discount, risk margin, VAT and the split by payer.

All amounts are ``Decimal`` rounded half-up to the fen (0.01) at each step a printed
invoice shows: line amount, discount, tax. Prices are net of VAT; VAT is added per payer.
The discount and the symptom-pricing risk margin apply to what the customer pays; the margin
covers the uncertain diagnosis of the estimate, so it is added to the estimate's labour only, not
to additional items (增项) that the customer approved separately at their own price.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from repairs.choices import LineKind, Payer

CENT = Decimal("0.01")
HUNDRED = Decimal("100")


def money(value) -> Decimal:
    """Round to the fen, half up (as cashiers do)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def line_amount(quantity: Decimal, unit_price: Decimal) -> Decimal:
    return money(Decimal(quantity) * Decimal(unit_price))


@dataclass(frozen=True)
class PayerTotal:
    """What one payer (customer, warranty, insurance, internal) owes."""

    labour: Decimal = Decimal("0.00")
    parts: Decimal = Decimal("0.00")
    sundry: Decimal = Decimal("0.00")
    risk_margin: Decimal = Decimal("0.00")
    discount: Decimal = Decimal("0.00")
    net: Decimal = Decimal("0.00")
    tax: Decimal = Decimal("0.00")
    total: Decimal = Decimal("0.00")


@dataclass(frozen=True)
class OrderTotals:
    """The invoice of a repair order: one PayerTotal per payer with lines, and the grand total."""

    by_payer: dict[str, PayerTotal] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        return sum((t.total for t in self.by_payer.values()), Decimal("0.00"))

    @property
    def customer(self) -> PayerTotal:
        return self.by_payer.get(Payer.CUSTOMER, PayerTotal())

    @property
    def rows(self) -> list[tuple[str, PayerTotal]]:
        """(payer label, totals) in the order of Payer, for invoices and pages."""
        return [(str(Payer(p).label), self.by_payer[p]) for p in Payer.values if p in self.by_payer]


def order_totals(
    lines: Iterable, *, tax_rate: Decimal, discount_pct: Decimal = Decimal("0"), risk_margin_pct: Decimal = Decimal("0")
) -> OrderTotals:
    """Totals from lines having ``kind``, ``quantity``, ``unit_price``, ``payer`` (and ``addition_id``)."""
    sums: dict[str, dict[str, Decimal]] = {}
    for line in lines:
        zero = Decimal("0")
        bucket = sums.setdefault(line.payer, {"labour": zero, "parts": zero, "sundry": zero, "margin_base": zero})
        key = {LineKind.LABOUR: "labour", LineKind.PART: "parts"}.get(line.kind, "sundry")
        amount = line_amount(line.quantity, line.unit_price)
        bucket[key] += amount
        if key == "labour" and getattr(line, "addition_id", None) is None:
            bucket["margin_base"] += amount
    by_payer = {}
    for payer, bucket in sums.items():
        gross = bucket["labour"] + bucket["parts"] + bucket["sundry"]
        risk = discount = Decimal("0.00")
        if payer == Payer.CUSTOMER:
            risk = money(bucket["margin_base"] * Decimal(risk_margin_pct) / HUNDRED)
            discount = money((gross + risk) * Decimal(discount_pct) / HUNDRED)
        net = gross + risk - discount
        tax = money(net * Decimal(tax_rate))
        by_payer[payer] = PayerTotal(
            labour=money(bucket["labour"]),
            parts=money(bucket["parts"]),
            sundry=money(bucket["sundry"]),
            risk_margin=risk,
            discount=discount,
            net=money(net),
            tax=tax,
            total=money(net + tax),
        )
    return OrderTotals(by_payer=by_payer)
