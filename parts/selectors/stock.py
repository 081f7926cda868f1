"""Reads of the parts catalogue (shared by the group) and of the stock of the user's dealers."""

from __future__ import annotations

from django.db import connection
from django.db.models import Case, DecimalField, ExpressionWrapper, F, Prefetch, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from accounts.models import User
from core.search import prefix_q
from core.tenancy import dealer_ids_for
from parts.models import Part, PartPrice, StockItem, StockMovement, Warehouse, normalize_part_number

VALUE = DecimalField(max_digits=20, decimal_places=4)


def part_search_q(query: str) -> Q:
    """A part number prefix (on the normalised key, as an index range) or a piece of the name."""
    query = (query or "").strip()
    key = normalize_part_number(query)
    condition = Q(name__icontains=query)
    if key:
        condition |= prefix_q("number_key", key)
    return condition


CHAIN_DEPTH = 6  # how many replacements deep the catalogue sorts an old number under its current one


_CHAIN_SQL = (
    "WITH RECURSIVE chain(id) AS (SELECT id FROM {table} WHERE id IN ({matched}) "
    "UNION SELECT p.superseded_by_id FROM {table} p JOIN chain c ON p.id = c.id "
    "WHERE p.superseded_by_id IS NOT NULL) SELECT id FROM chain"
)


def with_replacements(matched: QuerySet[Part]) -> Q:
    """The parts ``matched`` plus every part their supersession chains lead to (A → B → C: all three).

    One recursive SQL query (``UNION`` stops at a part already reached, so even a loop in old data ends).
    """
    sql, params = matched.values("pk").query.sql_with_params()
    table = connection.ops.quote_name(Part._meta.db_table)
    # only the quoted table name and Django's own compiled SQL are interpolated; values stay bound parameters
    chain = _CHAIN_SQL.format(table=table, matched=sql)
    return Q(pk__in=RawSQL(chain, params))  # noqa: S611


def current_key_expression() -> Coalesce:
    """The number key of the part at the end of the chain (up to CHAIN_DEPTH replacements deep)."""
    lookups = ["superseded_by__" * depth + "number_key" for depth in range(CHAIN_DEPTH, -1, -1)]
    return Coalesce(*lookups)


def part_list(*, user: User) -> QuerySet[Part]:
    """The catalogue, ordered by the part that is current today (an old number sits under its replacement); every
    row carries the prices of the user's dealers (``my_prices``). parts.filtersets.PartFilterSet filters it."""
    return (
        Part.objects.select_related("superseded_by__superseded_by")
        .prefetch_related(
            Prefetch(
                "prices",
                queryset=PartPrice.objects.for_user(user).select_related("dealer").order_by("dealer__code"),
                to_attr="my_prices",
            )
        )
        .annotate(
            current_key=current_key_expression(),
            is_superseded=Case(When(superseded_by__isnull=True, then=Value(0)), default=Value(1)),
        )
        .order_by("current_key", "is_superseded", "brand", "number_key")
    )


def part_brands() -> list[str]:
    """The brands of the catalogue, for the filter."""
    return list(Part.objects.exclude(brand="").order_by("brand").values_list("brand", flat=True).distinct())


def part_price_history(*, user: User, part: Part, limit: int = 100):
    """Every earlier price of the part at the user's dealers, newest first."""
    records = PartPrice.history.filter(part_id=part.pk).select_related("dealer", "history_user")
    ids = dealer_ids_for(user)
    if ids is not None:
        records = records.filter(dealer_id__in=sorted(ids))
    return records.order_by("-history_date", "-history_id")[:limit]


def main_warehouse(dealer_id: int) -> Warehouse | None:
    """The dealer's first warehouse by code: where repair orders take their parts from."""
    return Warehouse.objects.filter(dealer_id=dealer_id).order_by("code").first()


def warehouse_list(*, user: User) -> QuerySet[Warehouse]:
    """The warehouses of the user's dealers."""
    return Warehouse.objects.for_user(user).select_related("dealer").order_by("dealer__code", "code")


def below_reorder_point_q() -> Q:
    """Available plus on order has fallen below the reorder point (items without one never are)."""
    return Q(reorder_point__gt=0) & Q(reorder_point__gt=F("on_hand") - F("reserved") + F("on_order"))


def stock_list(*, user: User) -> QuerySet[StockItem]:
    """Stock items of the user's dealers with their value (parts.filtersets.StockItemFilterSet filters them)."""
    items = StockItem.objects.for_user(user).select_related("warehouse__dealer", "part__superseded_by")
    return items.annotate(value=ExpressionWrapper(F("on_hand") * F("average_cost"), output_field=VALUE)).order_by(
        "warehouse__dealer__code", "warehouse__code", "part__number_key"
    )


def movement_list(*, user: User, item: StockItem | None = None) -> QuerySet[StockMovement]:
    """The stock ledger of the user's dealers (or of one item), newest first."""
    movements = StockMovement.objects.for_user(user).select_related("by", "repair_order_line__order")
    if item is not None:
        movements = movements.filter(item=item)
    return movements.order_by("-at", "-id")
