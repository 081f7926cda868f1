"""The price of a package at a dealer: every item priced from the dealer's current rates (repairs.money).

Computed packages cost what their lines cost: labour = hours × the labour rate, parts = quantity × the dealer's
retail price of the part (its current number when superseded), sundries their amount. A fixed-price package keeps
the same lines and scales their unit prices so the lines add up to the fixed price: every unit price is the list
price × (fixed ÷ list), rounded down to the fen (never negative), and what rounding leaves goes on the largest line
of quantity 1 (exact). Without a line of quantity 1 the remainder is spread over the largest line to the nearest
fen, and the package price is then the lines' sum (off the fixed price by less than a fen per unit of that line).
The difference to the list price is the package discount. VAT is added as on the estimate (net × VAT rate).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import ROUND_DOWN, Decimal

from packages.choices import PackagePricing
from parts.models import PartPrice
from repairs.choices import LineKind, Payer
from repairs.money import CENT, line_amount, money, order_totals

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class PricedLine:
    """One estimate line a package item becomes: what repairs.services.repair_order_add_line is given."""

    kind: str
    description: str
    code: str
    quantity: Decimal
    list_price: Decimal  # the unit price at the dealer's rates
    unit_price: Decimal  # what the package charges (= list price unless the package has a fixed price)
    operation: object = None
    part: object = None
    payer: str = Payer.CUSTOMER
    item_id: int | None = None  # the package item it comes from

    @property
    def list_amount(self) -> Decimal:
        return line_amount(self.quantity, self.list_price)

    @property
    def amount(self) -> Decimal:
        return line_amount(self.quantity, self.unit_price)

    def add_line_fields(self) -> dict:
        """The keyword arguments of repairs.services.repair_order_add_line."""
        fields = {
            "kind": self.kind,
            "description": self.description,
            "code": self.code,
            "quantity": self.quantity,
            "unit_price": self.unit_price,
        }
        if self.operation is not None:
            fields["operation"] = self.operation
        if self.part is not None:
            fields["part"] = self.part
        return fields


@dataclass(frozen=True)
class PackagePrice:
    """A package priced at a dealer: its lines, the list (rates) price, the package price, discount and VAT."""

    lines: list[PricedLine] = field(default_factory=list)
    list_net: Decimal = ZERO
    net: Decimal = ZERO
    tax: Decimal = ZERO
    total: Decimal = ZERO
    missing: list[str] = field(default_factory=list)  # parts without a price at the dealer

    @property
    def discount(self) -> Decimal:
        return money(self.list_net - self.net)

    @property
    def priced(self) -> bool:
        return bool(self.lines) and not self.missing


def dealer_part_prices(dealer_id: int, parts: Iterable) -> dict[int, Decimal]:
    """{part id: the dealer's retail price} of the given parts, in one query."""
    ids = {p.pk for p in parts}
    rows = PartPrice.objects.filter(dealer_id=dealer_id, part_id__in=ids).values_list("part_id", "retail_price")
    return dict(rows)


def current_parts(items) -> dict[int, object]:
    """{item id: the part the item's part number leads to today (the end of its supersession chain)}."""
    return {item.pk: item.part.current() for item in items if item.kind == LineKind.PART and item.part_id}


def list_lines(items, *, labour_rate: Decimal, parts: dict, part_prices: dict) -> tuple[list[PricedLine], list[str]]:
    """The items as estimate lines at the dealer's rates; the part numbers without a price."""
    lines, missing = [], []
    for item in items:
        if item.kind == LineKind.LABOUR:
            operation = item.operation
            hours = item.hours if item.hours is not None else operation.standard_hours
            lines.append(
                PricedLine(
                    kind=LineKind.LABOUR,
                    description=operation.name,
                    code=operation.code,
                    quantity=hours,
                    list_price=money(labour_rate),
                    unit_price=money(labour_rate),
                    operation=operation,
                    item_id=item.pk,
                )
            )
        elif item.kind == LineKind.PART:
            part = parts[item.pk]
            price = part_prices.get(part.pk)
            if price is None:
                missing.append(part.number)
                continue
            lines.append(
                PricedLine(
                    kind=LineKind.PART,
                    description=part.name,
                    code=part.number,
                    quantity=item.quantity,
                    list_price=price,
                    unit_price=price,
                    part=part,
                    item_id=item.pk,
                )
            )
        else:
            amount = money(item.amount or 0)
            lines.append(
                PricedLine(
                    kind=LineKind.SUNDRY,
                    description=item.description,
                    code="",
                    quantity=item.quantity,
                    list_price=amount,
                    unit_price=amount,
                    item_id=item.pk,
                )
            )
    return lines, missing


def scale_to(lines: list[PricedLine], target: Decimal) -> list[PricedLine]:
    """The lines with unit prices scaled so that their amounts add up to ``target`` (see the module's rule)."""
    list_net = sum((line.list_amount for line in lines), ZERO)
    if not lines or list_net <= 0:
        return lines
    factor = Decimal(target) / list_net
    scaled = [
        replace(line, unit_price=(line.list_price * factor).quantize(CENT, rounding=ROUND_DOWN)) for line in lines
    ]
    remainder = money(Decimal(target) - sum((line.amount for line in scaled), ZERO))
    if remainder == 0:
        return scaled
    ones = [i for i, line in enumerate(scaled) if line.quantity == 1]
    pool = ones or range(len(scaled))
    index = max(pool, key=lambda i: (scaled[i].amount, -i))
    line = scaled[index]
    unit = max(ZERO, money(line.unit_price + remainder / line.quantity))
    scaled[index] = replace(line, unit_price=unit)
    return scaled


def price_items(
    items,
    *,
    pricing: str,
    fixed_price: Decimal | None,
    dealer_id: int,
    labour_rate: Decimal,
    tax_rate: Decimal,
    part_prices: dict | None = None,
) -> PackagePrice:
    """Price a package's items at the dealer (items with their operation and part loaded; ``part_prices`` when the
    caller fetched the dealer's prices of many packages at once)."""
    items = list(items)
    parts = current_parts(items)
    prices = part_prices if part_prices is not None else dealer_part_prices(dealer_id, parts.values())
    lines, missing = list_lines(items, labour_rate=labour_rate, parts=parts, part_prices=prices)
    list_net = sum((line.list_amount for line in lines), ZERO)
    if pricing == PackagePricing.FIXED and fixed_price is not None and not missing:
        lines = scale_to(lines, fixed_price)
    totals = order_totals(lines, tax_rate=tax_rate).customer
    return PackagePrice(
        lines=lines, list_net=money(list_net), net=totals.net, tax=totals.tax, total=totals.total, missing=missing
    )


def package_price(package, *, labour_rate: Decimal | None = None, tax_rate: Decimal | None = None) -> PackagePrice:
    """The package's price at its dealer (or at an order's labour and VAT rates)."""
    dealer = package.dealer
    return price_items(
        package.items.all(),
        pricing=package.pricing,
        fixed_price=package.fixed_price,
        dealer_id=package.dealer_id,
        labour_rate=dealer.labour_rate if labour_rate is None else labour_rate,
        tax_rate=dealer.vat_rate if tax_rate is None else tax_rate,
    )


def price_packages(packages, *, dealer_id: int, labour_rate: Decimal, tax_rate: Decimal) -> dict[int, PackagePrice]:
    """{package id: its price} of several packages of one dealer (items prefetched), the part prices in one query."""
    packages = list(packages)
    parts = [part for package in packages for part in current_parts(package.items.all()).values()]
    prices = dealer_part_prices(dealer_id, parts)
    return {
        package.pk: price_items(
            package.items.all(),
            pricing=package.pricing,
            fixed_price=package.fixed_price,
            dealer_id=dealer_id,
            labour_rate=labour_rate,
            tax_rate=tax_rate,
            part_prices=prices,
        )
        for package in packages
    }
