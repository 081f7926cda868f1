"""The part picker of the repair-order line forms: catalogue parts found by number, old number or name, each with
the order's dealer's price, the stock of its main warehouse and whether it fits the order's vehicle."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import BooleanField, ExpressionWrapper

from parts.models import Part, PartPrice, StockItem, normalize_part_number
from parts.selectors.stock import main_warehouse, part_search_q, with_replacements

PICKER_ROWS = 20  # rows shown: the advisor types more rather than scrolls
SEARCH_CAP = 400  # parts (with their chains) read for one search at most
MIN_QUERY = 2

# How a part's fitment text (大众 朗逸/帕萨特 2018-2024) relates to the order's vehicle.
FITS, NOT_LISTED, NO_FITMENT = "fits", "not_listed", "no_fitment"
_YEARS = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*(?:[-–~至]\s*((?:19|20)\d{2}))?(?!\d)")
_SEPARATORS = re.compile(r"[\s/,，、;；|]+")


def fitment_for(part: Part, vehicle) -> str:
    """FITS when the part is of the vehicle's brand (or universal), its fitment text names the vehicle's series
    (or model) and the vehicle's model year lies in the years given, if any; NO_FITMENT when the part has no
    fitment text; NOT_LISTED otherwise."""
    text = (part.fitment or "").strip()
    if not text:
        return NO_FITMENT
    if part.brand and vehicle.brand and part.brand != vehicle.brand:
        return NOT_LISTED
    years = [(int(first), int(last or first)) for first, last in _YEARS.findall(text)]
    tokens = {t.casefold() for t in _SEPARATORS.split(_YEARS.sub(" ", text)) if t}
    names = {n.strip().casefold() for n in (vehicle.series, vehicle.model_name) if n and n.strip()}
    if not names & tokens:
        return NOT_LISTED
    if years and vehicle.model_year and not any(lo <= vehicle.model_year <= hi for lo, hi in years):
        return NOT_LISTED
    return FITS


@dataclass
class PickerRow:
    """One part the picker offers: what to pick and what the desk needs to know before picking it."""

    part: Part
    price: Decimal | None = None  # the dealer's retail price (None: no price for this dealer)
    on_hand: Decimal | None = None  # in the main warehouse (None: never stocked there)
    available: Decimal | None = None  # on hand minus the active reservations
    bin: str = ""
    fitment: str = NO_FITMENT
    replaces: list[str] = field(default_factory=list)  # old numbers the search found that this part replaces
    exact: bool = False  # the number typed is this part's (or an old number of it), normalised

    @property
    def non_oem(self) -> bool:
        """A universal part of a trade brand (oil, tyres, bulbs…), not the maker's own part."""
        return not self.part.brand

    @property
    def in_stock(self) -> bool:
        return bool(self.available and self.available > 0)


def _with_figures(rows: list[PickerRow], order) -> list[PickerRow]:
    """Fill each row's price, stock and fitment (two queries, one more for the main warehouse)."""
    ids = [row.part.pk for row in rows]
    prices = dict(
        PartPrice.objects.filter(dealer_id=order.dealer_id, part_id__in=ids).values_list("part_id", "retail_price")
    )
    warehouse = main_warehouse(order.dealer_id)
    items = {}
    if warehouse is not None:
        items = {i.part_id: i for i in StockItem.objects.filter(warehouse=warehouse, part_id__in=ids)}
    for row in rows:
        row.price = prices.get(row.part.pk)
        item = items.get(row.part.pk)
        if item is not None:
            row.on_hand, row.available, row.bin = item.on_hand, item.available, item.bin
        row.fitment = fitment_for(row.part, order.vehicle)
    return rows


def picker_row(*, order, part: Part) -> PickerRow:
    """The row of one picked part (the picker's "picked" summary)."""
    return _with_figures([PickerRow(part=part)], order)[0]


def part_picker_rows(*, order, query: str, limit: int = PICKER_ROWS) -> list[PickerRow]:
    """Active catalogue parts for the order's line form: by part number (any spelling, from its start), by an old
    number (the part that replaces it, saying so) or by a piece of the name. The typed number first, then the
    vehicle's brand, parts that fit, universal parts, other brands. Four queries whatever the result."""
    query = (query or "").strip()
    if len(query) < MIN_QUERY:
        return []
    key = normalize_part_number(query)
    matched = Part.objects.filter(part_search_q(query))
    found = list(
        Part.objects.filter(with_replacements(matched))
        .annotate(matched=ExpressionWrapper(part_search_q(query), output_field=BooleanField()))
        .order_by("number_key", "pk")[:SEARCH_CAP]
    )
    by_pk = {part.pk: part for part in found}

    def current(part: Part) -> Part:
        seen = {part.pk}
        while part.superseded_by_id and part.superseded_by_id not in seen:
            seen.add(part.superseded_by_id)
            part = by_pk.get(part.superseded_by_id) or part.current()  # beyond the cap: walk the rest
        return part

    rows: dict[int, PickerRow] = {}
    for part in found:
        if not part.matched:
            continue
        target = current(part)
        if not target.is_active:
            continue
        row = rows.setdefault(target.pk, PickerRow(part=target))
        if target.pk != part.pk:
            row.replaces.append(part.number)
        row.exact = row.exact or (bool(key) and part.number_key == key)
    brand = order.vehicle.brand
    chosen = sorted(
        rows.values(),
        key=lambda r: (not r.exact, r.part.brand != brand, bool(r.part.brand), r.part.number_key),
    )[:limit]
    rows_out = _with_figures(chosen, order)
    rows_out.sort(
        key=lambda r: (
            not r.exact,
            r.part.brand != brand,
            r.fitment != FITS,
            bool(r.part.brand),
            r.part.number_key,
        )
    )
    return rows_out
