"""Demo parts: an OEM-looking catalogue for the demo brands, prices and one stocked warehouse per dealer.

Built in bulk for speed; every stock item's on-hand equals the sum of its receipt movements and
its last movement is stamped, and some items have not moved for more than 180 days (dead stock, KPI F2).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from simple_history.utils import bulk_create_with_history

from core.demo import DemoContext
from parts.choices import MovementKind, PartCategory, Unit
from parts.models import (
    Part,
    PartPrice,
    SpecialOrder,
    StockItem,
    StockMovement,
    StockReservation,
    Warehouse,
    normalize_part_number,
)

C = PartCategory
CENT = Decimal("0.01")
# (category, name, unit, cost from, cost to)
PART_TYPES = [
    (C.FILTERS, "机油滤清器", Unit.PIECE, 25, 80),
    (C.FILTERS, "空气滤清器", Unit.PIECE, 40, 150),
    (C.FILTERS, "空调滤清器", Unit.PIECE, 35, 120),
    (C.FILTERS, "燃油滤清器", Unit.PIECE, 60, 220),
    (C.BRAKES, "前刹车片", Unit.SET, 180, 650),
    (C.BRAKES, "后刹车片", Unit.SET, 150, 520),
    (C.BRAKES, "前刹车盘", Unit.PIECE, 260, 900),
    (C.IGNITION, "火花塞", Unit.PIECE, 35, 120),
    (C.IGNITION, "点火线圈", Unit.PIECE, 180, 520),
    (C.BELTS, "多楔带", Unit.PIECE, 80, 260),
    (C.BELTS, "正时皮带套件", Unit.SET, 600, 1800),
    (C.LIGHTING, "前大灯灯泡", Unit.PIECE, 30, 160),
    (C.BODY, "雨刮片", Unit.SET, 60, 220),
    (C.SUSPENSION, "前减震器", Unit.PIECE, 450, 1500),
    (C.ELECTRICAL, "发电机", Unit.PIECE, 1200, 3800),
]
BRANDS = {  # brand -> series for the fitment text
    "大众": ["朗逸", "帕萨特", "途观L", "速腾"],
    "丰田": ["凯美瑞", "卡罗拉", "汉兰达", "RAV4荣放"],
    "本田": ["雅阁", "思域", "CR-V", "缤智"],
    "别克": ["英朗", "君越", "GL8", "昂科威"],
    "比亚迪": ["汉", "秦PLUS", "宋PLUS", "元PLUS"],
    "宝马": ["3系", "5系", "X3", "X5"],
}
# Universal parts (no brand): oils and fluids, tyres, batteries, bulbs and wipers of the trade brands.
UNIVERSAL = [
    (C.FLUIDS, "MOB-5W30-4L", "美孚1号 5W-30 全合成机油 4L", Unit.PIECE, 260),
    (C.FLUIDS, "MOB-0W20-4L", "美孚1号 0W-20 全合成机油 4L", Unit.PIECE, 300),
    (C.FLUIDS, "SHL-5W40-4L", "壳牌超凡喜力 5W-40 4L", Unit.PIECE, 240),
    (C.FLUIDS, "CAS-0W20-1L", "嘉实多极护 0W-20 1L", Unit.PIECE, 75),
    (C.FLUIDS, "BOS-DOT4-1L", "博世 DOT4 刹车油 1L", Unit.PIECE, 45),
    (C.FLUIDS, "GRW-OAT-4L", "长城 防冻冷却液 -35℃ 4L", Unit.PIECE, 55),
    (C.FLUIDS, "ATF-DSG-1L", "自动变速箱油 ATF 1L", Unit.LITRE, 70),
    (C.FLUIDS, "WSH-FLUID-2L", "玻璃水 -25℃ 2L", Unit.PIECE, 12),
    (C.TYRES, "MIC-2055516-PR4", "米其林 205/55 R16 浩悦4", Unit.PIECE, 520),
    (C.TYRES, "MIC-2255018-PS4", "米其林 225/50 R18 PS4", Unit.PIECE, 980),
    (C.TYRES, "BRI-2156017-T005", "普利司通 215/60 R17 T005", Unit.PIECE, 610),
    (C.TYRES, "CON-2354519-UC7", "马牌 235/45 R19 UC7", Unit.PIECE, 890),
    (C.TYRES, "GY-2056516-EGP", "固特异 205/65 R16 EfficientGrip", Unit.PIECE, 430),
    (C.BATTERIES, "VAR-H6-70AH", "瓦尔塔 H6 70Ah 蓄电池", Unit.PIECE, 520),
    (C.BATTERIES, "VAR-AGM-H8-80AH", "瓦尔塔 AGM H8 80Ah 启停蓄电池", Unit.PIECE, 1150),
    (C.BATTERIES, "CAM-55B24L", "骆驼 55B24L 蓄电池", Unit.PIECE, 330),
    (C.LIGHTING, "OSR-H7-64210", "欧司朗 H7 12V 55W 卤素灯泡", Unit.PIECE, 28),
    (C.LIGHTING, "OSR-H11-64211", "欧司朗 H11 12V 55W 卤素灯泡", Unit.PIECE, 32),
    (C.LIGHTING, "PHI-W5W-12961", "飞利浦 W5W 示宽灯泡", Unit.PIECE, 6),
    (C.BODY, "BOS-AEROTWIN-600", "博世 风翼无骨雨刮 600mm", Unit.PIECE, 85),
    (C.BODY, "BOS-AEROTWIN-450", "博世 风翼无骨雨刮 450mm", Unit.PIECE, 70),
]
VARIANTS_PER_TYPE = 3


def _number(ctx: DemoContext, brand: str, type_index: int, variant: int) -> str:
    """A part number in the style of the brand's OEM catalogue."""
    rng = ctx.rng
    digits = "0123456789"
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"

    def d(n: int) -> str:
        return "".join(rng.choice(digits) for _ in range(n))

    if brand == "大众":  # 06A115561B
        return f"{rng.choice(['03C', '04E', '06A', '06H', '5Q0', '1K0'])}{d(3)}{d(3)}{rng.choice('ABCDEFGH')}"
    if brand == "丰田":  # 90915-YZZD4 / 04465-02220
        tail = rng.choice(["YZZ" + rng.choice(letters) + d(1), d(5)])
        return f"{rng.choice(['90915', '04465', '17801', '87139', '90919', '16620'])}-{tail}"
    if brand == "本田":  # 15400-PLM-A02
        code = "".join(rng.choice(letters) for _ in range(3))
        return f"{rng.choice(['15400', '17220', '80292', '45022', '12810', '31110'])}-{code}-A0{d(1)}"
    if brand == "别克":  # GM 8-digit
        return f"{rng.choice(['2', '9', '5'])}{d(7)}"
    if brand == "比亚迪":  # SC2-3501100
        series = rng.choice(["SC2", "HA", "ST", "EKEC", "SA2"])
        return f"{series}-{d(7)}"
    # BMW, printed with the usual spaces: 11 42 8 575 211
    return f"{rng.choice(['11', '12', '13', '34', '61', '64'])} {d(2)} {d(1)} {d(3)} {d(3)}"


def _money(value: float | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def create_parts(ctx: DemoContext) -> None:
    """Catalogue, supersessions, prices per dealer, one warehouse (WH01) per dealer with receipts."""
    rng = ctx.rng
    by = ctx.admin
    parts: list[Part] = []
    base_cost: dict[str, Decimal] = {}
    seen: set[tuple[str, str]] = set()
    for brand, series in BRANDS.items():
        for type_index, (category, name, unit, low, high) in enumerate(PART_TYPES):
            for variant in range(VARIANTS_PER_TYPE):
                number = _number(ctx, brand, type_index, variant)
                while (brand, normalize_part_number(number)) in seen:
                    number = _number(ctx, brand, type_index, variant)
                seen.add((brand, normalize_part_number(number)))
                fits = rng.sample(series, k=rng.randint(1, 2))
                first_year = rng.randint(2016, 2022)
                part = Part(
                    brand=brand,
                    number=number,
                    number_key=normalize_part_number(number),
                    name=name,
                    category=category,
                    unit=unit,
                    fitment=f"{brand} {'/'.join(fits)} {first_year}-{min(first_year + rng.randint(3, 8), 2026)}",
                )
                parts.append(part)
                base_cost[part.number_key + brand] = _money(rng.uniform(low, high))
    for category, number, name, unit, cost in UNIVERSAL:
        part = Part(
            brand="", number=number, number_key=normalize_part_number(number), name=name, category=category, unit=unit
        )
        parts.append(part)
        base_cost[part.number_key] = _money(cost * rng.uniform(0.9, 1.1))

    # A few supersessions: the old number (one letter / digit lower) is replaced by the catalogue part.
    superseded: list[Part] = []
    for part in rng.sample(parts[: len(parts) - len(UNIVERSAL)], k=8):
        old_number = (
            part.number[:-1] + chr(ord(part.number[-1]) - 1) if part.number[-1] not in "0A" else part.number + "X"
        )
        old_key = normalize_part_number(old_number)
        if (part.brand, old_key) in seen:
            continue
        seen.add((part.brand, old_key))
        superseded.append(
            Part(
                brand=part.brand,
                number=old_number,
                number_key=old_key,
                name=part.name,
                category=part.category,
                unit=part.unit,
                fitment=part.fitment,
                superseded_by=part,
                is_active=False,
            )
        )
        base_cost[old_key + part.brand] = base_cost[part.number_key + part.brand]
    parts = bulk_create_with_history(parts, Part, default_user=by)
    superseded = bulk_create_with_history(superseded, Part, default_user=by)
    active_parts = [p for p in parts if p.pk]

    prices, warehouses = [], []
    for dealer in ctx.dealers:
        markup = Decimal(str(round(rng.uniform(1.30, 1.55), 2)))
        for part in [*active_parts, *superseded]:
            cost = _money(base_cost[part.number_key + part.brand] * Decimal(str(rng.uniform(0.97, 1.03))))
            prices.append(PartPrice(dealer=dealer, part=part, cost_price=cost, retail_price=_money(cost * markup)))
        warehouses.append(Warehouse(dealer=dealer, code="WH01", name="配件总库"))
    bulk_create_with_history(prices, PartPrice, default_user=by, batch_size=1000)
    warehouses = bulk_create_with_history(warehouses, Warehouse, default_user=by)
    cost_of = {(p.dealer_id, p.part_id): p.cost_price for p in prices}

    items, receipts = [], []
    latest = ctx.latest
    for dealer_index, warehouse in enumerate(warehouses):
        dead_share = stockroom_profile(dealer_index)["dead"]
        stocked = rng.sample(active_parts, k=int(len(active_parts) * 0.6))
        for index, part in enumerate(stocked):
            dead = rng.random() < dead_share
            lots = [rng.randint(1, 12) for _ in range(rng.randint(1, 3))]
            days = (181, 420) if dead else (1, 170)
            moments = sorted(latest - timedelta(days=rng.randint(*days), minutes=rng.randint(0, 600)) for _ in lots)
            item = StockItem(
                warehouse=warehouse,
                part=part,
                bin=f"{'ABCDEF'[index % 6]}-{rng.randint(1, 12):02d}-{rng.randint(1, 5)}",
                reorder_point=Decimal(rng.choice([0, 2, 4, 6])),
                max_quantity=Decimal(rng.choice([10, 20, 30])),
            )
            on_hand, value = Decimal("0"), Decimal("0")
            for quantity, moment in zip(lots, moments, strict=True):
                unit_cost = _money(cost_of[(warehouse.dealer_id, part.pk)] * Decimal(str(rng.uniform(0.95, 1.05))))
                on_hand += quantity
                value += quantity * unit_cost
                receipts.append(
                    (
                        item,
                        StockMovement(
                            kind=MovementKind.RECEIPT,
                            quantity=Decimal(quantity),
                            unit_cost=unit_cost,
                            on_hand_after=on_hand,
                            reason=f"采购入库 PO{moment:%y%m%d}{rng.randint(10, 99)}",
                            at=moment,
                            by=by,
                        ),
                    )
                )
            item.on_hand = on_hand
            item.average_cost = (value / on_hand).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
            item.last_movement_at = moments[-1]
            items.append(item)
    items = bulk_create_with_history(items, StockItem, default_user=by, batch_size=1000)
    movements = []
    for item, movement in receipts:
        movement.item = item
        movements.append(movement)
    StockMovement.objects.bulk_create(movements, batch_size=1000)
    ctx.say(f"  {len(active_parts) + len(superseded)} parts, {len(items)} stock items, {len(movements)} receipts")


# How well each dealer's stock room works, in the order of repairs.demo.PROFILES (good, middle, weak):
# the share of part lines not on the shelf when the repair order asks for them (KPI F1), and of those the share
# special-ordered for the order (the rest waits a day or two for the regular replenishment); and the share of
# stocked parts bought that never moved again (dead stock, KPI F2).
STOCKROOM_PROFILES = [
    {"miss": 0.04, "special": 0.30, "dead": 0.03},
    {"miss": 0.12, "special": 0.40, "dead": 0.10},
    {"miss": 0.26, "special": 0.50, "dead": 0.20},
]


def stockroom_profile(dealer_index: int) -> dict:
    """The stock-room profile of the dealer at ``dealer_index`` (0-based) of ``ctx.dealers``."""
    return STOCKROOM_PROFILES[dealer_index % len(STOCKROOM_PROFILES)]


def create_parts_usage(ctx: DemoContext) -> None:
    """Link the demo repair orders' part lines to the catalogue and issue them from stock.

    Runs after the repair orders: each part line whose name matches a catalogue part of the vehicle's brand gets
    that part, a reservation requested at approval and an issue movement (KPI F1). How often the part is not on
    the shelf at that moment depends on the dealer's stock-room profile: then it is either special-ordered
    (received 2–5 days later, a deposit sometimes; still on order for open repair orders, which wait for parts)
    or issued a day or two later from the next replenishment. Receipts are added before any issue that would take
    the shelf below zero, so every item's on-hand stays the sum of its movements and never goes negative.
    """
    from repairs.models import RepairOrderLine

    rng = ctx.rng
    profiles = {dealer.pk: stockroom_profile(index) for index, dealer in enumerate(ctx.dealers)}
    catalogue = {(p.brand, p.name): p for p in Part.objects.filter(is_active=True).order_by("number_key")}
    items = {(i.warehouse.dealer_id, i.part_id): i for i in StockItem.objects.select_related("warehouse")}
    warehouses = {w.dealer_id: w for w in Warehouse.objects.filter(code="WH01")}
    lines = list(
        RepairOrderLine.objects.filter(kind="part", part__isnull=True, order__approved_at__isnull=False)
        .select_related("order__vehicle")
        .order_by("order__approved_at", "id")
    )
    dealers = {dealer.pk: dealer for dealer in ctx.dealers}
    # A part that is not on the shelf arrives on a later day, so it can only be missing for an order still in the
    # workshop then (the work waits for it): the misses go to those lines, as often as the profile says overall.
    waits = {pk: [0, 0] for pk in dealers}
    for line in lines:
        waits[line.order.dealer_id][0] += 1
        waits[line.order.dealer_id][1] += _can_wait(ctx, dealers[line.order.dealer_id], line.order)
    linked, reservations, issues, specials = [], [], [], []
    for line in lines:
        order = line.order
        part = catalogue.get((order.vehicle.brand, line.description)) or catalogue.get(("", line.description))
        warehouse = warehouses.get(order.dealer_id)
        if part is None or warehouse is None:
            continue
        item = items.get((order.dealer_id, part.pk))
        if item is None:
            item = StockItem.objects.create(warehouse=warehouse, part=part, bin="Z-01-1")
            items[(order.dealer_id, part.pk)] = item
        line.part = part
        linked.append(line)
        profile = profiles.get(order.dealer_id, STOCKROOM_PROFILES[0])
        dealer = dealers[order.dealer_id]
        requested = order.approved_at
        zone = ctx.calendar(dealer).zone
        issued = max(order.repair_started_at or requested, requested)
        if issued.astimezone(zone).date() != requested.astimezone(zone).date():
            # On the shelf: picked at once and kept for the job, before the counter closes.
            issued = min(ctx.later(dealer, requested, rng.uniform(5, 30)), ctx.closing(dealer, requested) or requested)
        special_received = None
        total, can_wait = waits[order.dealer_id]
        miss = min(0.95, profile["miss"] * total / max(1, can_wait))
        if _can_wait(ctx, dealer, order) and rng.random() < miss:  # not on the shelf when asked for
            asked_on = requested.astimezone(zone).date()
            needed_by = order.qc_requested_at or STILL_WAITING
            arrival_day = ctx.working_day(dealer, asked_on + timedelta(days=rng.randint(2, 5)))
            arrives = ctx.open_moment(dealer, arrival_day, latest=time(12)) if arrival_day <= ctx.until else None
            if rng.random() < profile["special"] and (arrives or STILL_WAITING) < needed_by:
                special_received = issued = arrives or STILL_WAITING
                special = SpecialOrder(
                    repair_order_line=line,
                    warehouse=warehouse,
                    part=part,
                    quantity=line.quantity,
                    deposit=_money(line.unit_price * line.quantity * Decimal("0.3") * (rng.random() < 0.4)),
                    status=SpecialOrder.Status.RECEIVED,
                    requested_at=requested,
                    received_at=special_received,
                    by=ctx.admin,
                )
                specials.append(special)
                if special_received > ctx.latest:  # still on order today
                    special.status, special.received_at = SpecialOrder.Status.ORDERED, None
                    continue
            else:  # from the next morning's replenishment
                next_day = ctx.working_day(dealer, asked_on + timedelta(days=1))
                if next_day > ctx.until:
                    continue  # not issued yet
                issued = min(ctx.open_moment(dealer, next_day, latest=time(11)), needed_by)
        issued = min(issued, ctx.latest)
        if order.status in ("approved", "dispatched") and issued >= ctx.latest:
            continue
        reservations.append(
            StockReservation(
                item=item,
                repair_order_line=line,
                quantity=line.quantity,
                status="issued",
                requested_at=requested,
                issued_at=issued,
                by=ctx.admin,
            )
        )
        issues.append((item, line, issued, special_received))
    RepairOrderLine.objects.bulk_update(linked, ["part"], batch_size=1000)
    bulk_create_with_history(specials, SpecialOrder, default_user=ctx.admin, batch_size=1000)
    bulk_create_with_history(reservations, StockReservation, default_user=ctx.admin, batch_size=1000)
    _rebuild_ledgers(ctx, items, issues)
    ctx.say(f"  {len(issues)} part lines issued from stock, {len(specials)} special orders")


STILL_WAITING = datetime(9999, 1, 1, tzinfo=UTC)


def _can_wait(ctx: DemoContext, dealer, order) -> bool:
    """Whether the order was still waiting for its work on a day after the parts were asked for."""
    if order.qc_requested_at is None:
        return True
    zone = ctx.calendar(dealer).zone
    return order.qc_requested_at.astimezone(zone).date() > order.approved_at.astimezone(zone).date()


def _rebuild_ledgers(ctx: DemoContext, items: dict, issues: list) -> None:
    """Merge the issues into each item's ledger in time order; receive stock just before a shelf would run dry."""
    by_item: dict[int, list] = {}
    special_receipts: dict[int, list] = {}
    for item, line, issued, special_received in issues:
        by_item.setdefault(item.pk, []).append((issued, line))
        if special_received is not None:
            special_receipts.setdefault(item.pk, []).append((special_received, line))
    existing: dict[int, list] = {}
    for movement in StockMovement.objects.filter(item_id__in=by_item).order_by("at", "id"):
        existing.setdefault(movement.item_id, []).append(movement)
    new_movements, changed = [], []
    for item in items.values():
        if item.pk not in by_item:
            continue
        events = (
            [(m.at, 0, m) for m in existing.get(item.pk, [])]
            + [(at, 1, line) for at, line in special_receipts.get(item.pk, [])]
            + [(at, 2, line) for at, line in by_item[item.pk]]
        )
        on_hand, value = Decimal("0"), Decimal("0")
        average = item.average_cost or Decimal("0")
        for at, kind, payload in sorted(events, key=lambda e: (e[0], e[1])):
            if kind == 0:  # an existing receipt
                value, on_hand = value + payload.quantity * payload.unit_cost, on_hand + payload.quantity
                average = (value / on_hand).quantize(Decimal("0.0001")) if on_hand else average
                StockMovement.objects.filter(pk=payload.pk).update(on_hand_after=on_hand)
                continue
            if kind == 1:  # a special order arrives for its line
                cost = average or Decimal("50")
                on_hand, value = on_hand + payload.quantity, value + payload.quantity * cost
                average = (value / on_hand).quantize(Decimal("0.0001"))
                new_movements.append(
                    StockMovement(
                        item=item,
                        kind=MovementKind.RECEIPT,
                        quantity=payload.quantity,
                        unit_cost=cost,
                        on_hand_after=on_hand,
                        reason=f"特订到货 {payload.order}",
                        at=at,
                        by=ctx.admin,
                    )
                )
                continue
            quantity = payload.quantity
            if on_hand < quantity:  # replenish the day before
                lot = quantity - on_hand + Decimal(ctx.rng.randint(2, 8))
                cost = average or Decimal("50")
                on_hand, value = on_hand + lot, value + lot * cost
                new_movements.append(
                    StockMovement(
                        item=item,
                        kind=MovementKind.RECEIPT,
                        quantity=lot,
                        unit_cost=cost,
                        on_hand_after=on_hand,
                        reason="补货入库",
                        at=at - timedelta(days=1),
                        by=ctx.admin,
                    )
                )
            on_hand, value = on_hand - quantity, value - quantity * average
            new_movements.append(
                StockMovement(
                    item=item,
                    kind=MovementKind.ISSUE,
                    quantity=-quantity,
                    unit_cost=average,
                    on_hand_after=on_hand,
                    repair_order_line=payload,
                    reason=str(payload.order),
                    at=at,
                    by=ctx.admin,
                )
            )
        last = max(e[0] for e in events)
        item.on_hand, item.average_cost, item.last_movement_at = on_hand, average, last
        changed.append(item)
    StockMovement.objects.bulk_create(new_movements, batch_size=2000)
    StockItem.objects.bulk_update(changed, ["on_hand", "average_cost", "last_movement_at"], batch_size=1000)
