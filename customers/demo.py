"""Demo customer archive: Chinese names, mobiles, local plates, valid VINs, common brands and models."""

from __future__ import annotations

from datetime import time, timedelta

from simple_history.utils import bulk_create_with_history

from core.demo import HISTORY_BEFORE_DAYS, DemoContext
from customers.archive import archive_status
from customers.choices import Consent, ContactChannel, CustomerKind, CustomerSource, FuelType
from customers.models import Customer, Vehicle, VehicleOwnership
from customers.validators import VIN_ALPHABET, vin_check_digit
from organization.demo import plate_prefix

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余于杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉建国红梅志文斌海波晨浩宇欣怡子轩梓涵雨婷佳琪俊"
COMPANIES = ["顺丰速运", "宏达物流", "美好家政", "恒信建材", "安捷租车", "城市之光传媒", "新世纪酒店", "绿源环保科技"]
COMPANY_SUFFIX = ["有限公司", "股份有限公司", "服务部"]
STREETS = ["人民路", "解放路", "中山路", "建设路", "和平路", "新华路", "胜利路", "光明路", "学府路", "滨江路"]
MOBILE_PREFIXES = ["135", "136", "137", "138", "139", "150", "151", "158", "159", "186", "187", "188", "177", "199"]
COLOURS = ["珍珠白", "曜石黑", "星光银", "钛金灰", "宝石蓝", "烈焰红", "香槟金"]
TAGS = ["VIP", "车队", "老客户", "网约车", "高价值", "保险续保"]
# brand -> (VIN WMI, [(series, model, fuel)])
MODELS = {
    "大众": (
        "LSV",
        [
            ("朗逸", "1.5L 自动舒适版", FuelType.PETROL),
            ("帕萨特", "330TSI 精英版", FuelType.PETROL),
            ("途观L", "380TSI 四驱旗舰版", FuelType.PETROL),
            ("ID.4 X", "纯电长续航版", FuelType.EV),
        ],
    ),
    "丰田": (
        "LVG",
        [
            ("凯美瑞", "2.0E 精英版", FuelType.PETROL),
            ("卡罗拉", "双擎 1.8L 先锋版", FuelType.HYBRID),
            ("汉兰达", "2.5L 双擎四驱", FuelType.HYBRID),
            ("RAV4荣放", "2.0L CVT 两驱风尚版", FuelType.PETROL),
        ],
    ),
    "本田": (
        "LHG",
        [
            ("雅阁", "260TURBO 精英版", FuelType.PETROL),
            ("思域", "240TURBO CVT", FuelType.PETROL),
            ("CR-V", "锐·混动 2.0L", FuelType.HYBRID),
        ],
    ),
    "别克": (
        "LSG",
        [
            ("英朗", "1.3T 精英型", FuelType.PETROL),
            ("君越", "652T 豪华型", FuelType.PETROL),
            ("GL8", "ES陆尊 653T", FuelType.PETROL),
        ],
    ),
    "比亚迪": (
        "LGX",
        [
            ("汉", "EV 610km 旗舰型", FuelType.EV),
            ("秦PLUS", "DM-i 120km 卓越型", FuelType.PHEV),
            ("宋PLUS", "DM-i 110km 旗舰型", FuelType.PHEV),
            ("元PLUS", "510km 尊贵型", FuelType.EV),
        ],
    ),
    "宝马": (
        "LBV",
        [
            ("3系", "325Li M运动套装", FuelType.PETROL),
            ("5系", "530Li 领先型", FuelType.PETROL),
            ("X3", "xDrive30i 领先型", FuelType.PETROL),
        ],
    ),
}
BRAND_CODES = {"VW": "大众", "TOYOTA": "丰田", "HONDA": "本田", "BUICK": "别克", "BYD": "比亚迪", "BMW": "宝马"}
YEAR_CODES = {
    2015: "F",
    2016: "G",
    2017: "H",
    2018: "J",
    2019: "K",
    2020: "L",
    2021: "M",
    2022: "N",
    2023: "P",
    2024: "R",
    2025: "S",
    2026: "T",
}
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


def _vin(ctx: DemoContext, wmi: str, year: int) -> str:
    vds = "".join(ctx.rng.choice(VIN_ALPHABET[10:]) for _ in range(2)) + "".join(
        ctx.rng.choice(VIN_ALPHABET) for _ in range(3)
    )
    vin = (
        f"{wmi}{vds}0{YEAR_CODES.get(year, 'R')}{ctx.rng.choice('0123456789ABCDEFGH')}{ctx.rng.randint(0, 999999):06d}"
    )
    return vin[:8] + vin_check_digit(vin) + vin[9:]


def _plate(ctx: DemoContext, prefix: str, fuel: str) -> str:
    if fuel in (FuelType.EV, FuelType.PHEV):
        letter = "D" if fuel == FuelType.EV else "F"
        return f"{prefix}{letter}{ctx.rng.choice(PLATE_LETTERS + '0123456789')}{ctx.rng.randint(0, 9999):04d}"
    tail = [ctx.rng.choice("0123456789") for _ in range(5)]
    for position in ctx.rng.sample(range(5), ctx.rng.choice([0, 1, 1, 2])):
        tail[position] = ctx.rng.choice(PLATE_LETTERS)
    return prefix + "".join(tail)


def _unique(ctx: DemoContext, seen: set, make) -> str:
    while True:
        value = make()
        if value not in seen:
            seen.add(value)
            return value


def _vehicle(ctx, customer, created_at, complete, brands, prefix, seen_vins, seen_plates) -> Vehicle:
    """One vehicle of a demo customer; an incomplete archive lacks its plate or purchase date now and then."""
    brand = ctx.rng.choice(brands)
    wmi, models = MODELS[brand]
    series, model_name, fuel = ctx.rng.choice(models)
    year = ctx.rng.randint(max(2015, ctx.until.year - 9), ctx.until.year)
    bought = created_at.date() - timedelta(days=ctx.rng.randint(0, max(0, (created_at.year - year) * 365)))
    age_days = max(30, (ctx.until - bought).days)
    renewal = bought + timedelta(days=365 * (1 + (ctx.until - bought).days // 365))
    has_plate = complete or ctx.rng.random() < 0.6
    return Vehicle(
        dealer=customer.dealer,
        owner=customer,
        vin=_unique(ctx, seen_vins, lambda: _vin(ctx, wmi, year)),
        plate=_unique(ctx, seen_plates, lambda: _plate(ctx, prefix, fuel)) if has_plate else "",
        brand=brand,
        series=series,
        model_name=model_name,
        model_year=year,
        fuel_type=fuel,
        colour=ctx.rng.choice(COLOURS),
        engine_no=f"{ctx.rng.choice('CDEG')}{ctx.rng.randint(10**6, 10**7 - 1)}",
        purchase_date=bought if complete or ctx.rng.random() < 0.5 else None,
        mileage_km=int(age_days * ctx.rng.uniform(25, 70)),
        mileage_recorded_at=created_at,
        insurance_expiry=renewal,
        warranty_expiry=bought + timedelta(days=3 * 365),
        created_by=ctx.admin,
    )


def _customer(ctx: DemoContext, dealer, created_at, complete: bool, seen_mobiles: set) -> Customer:
    """One demo customer: mostly people, some companies; an incomplete archive lacks address or consent."""
    company = ctx.rng.random() < 0.08
    if company:
        name = ctx.rng.choice(COMPANIES) + ctx.rng.choice(COMPANY_SUFFIX)
        contact = ctx.rng.choice(SURNAMES) + ctx.rng.choice(["先生", "女士", "经理"])
    else:
        name = ctx.rng.choice(SURNAMES) + "".join(ctx.rng.choice(GIVEN) for _ in range(ctx.rng.choice([1, 2])))
        contact = ""
    has_address = complete or ctx.rng.random() < 0.5
    has_birthday = not company and ctx.rng.random() < 0.6
    return Customer(
        dealer=dealer,
        kind=CustomerKind.COMPANY if company else CustomerKind.PERSON,
        name=name,
        contact_person=contact,
        mobile=_unique(
            ctx, seen_mobiles, lambda: ctx.rng.choice(MOBILE_PREFIXES) + f"{ctx.rng.randint(0, 10**8 - 1):08d}"
        ),
        address=f"{dealer.city}市{ctx.rng.choice(STREETS)}{ctx.rng.randint(1, 999)}号" if has_address else "",
        preferred_channel=ctx.rng.choice(ContactChannel.values),
        consent=Consent.GIVEN if complete else ctx.rng.choice([Consent.UNKNOWN, Consent.GIVEN, Consent.REFUSED]),
        consent_at=created_at if complete else None,
        source=ctx.rng.choices(CustomerSource.values, weights=[25, 40, 12, 10, 5, 3, 5])[0],
        tags=ctx.rng.choice(TAGS) if ctx.rng.random() < 0.2 else "",
        birthday=(created_at - timedelta(days=ctx.rng.randint(22 * 365, 65 * 365))).date() if has_birthday else None,
        created_by=ctx.admin,
    )


# (share of archives ever completed, hours after the first visit they are completed in): D5 is "within 48 h".
ARCHIVE_PROFILES = [
    (0.92, [1, 2, 5, 20, 30, 47]),
    (0.85, [1, 2, 5, 20, 30, 47, 60, 120]),
    (0.72, [5, 20, 47, 60, 120, 200]),
]


NEW_PER_MONTH = 12  # new customers per dealer and month (their archive is made at the first visit)
ARCHIVE_BEFORE = 60  # customers per dealer whose first visit was before the demo period


def create_customers(ctx: DemoContext) -> None:
    """About 12 new customers per dealer and month and an older archive, with 1–2 vehicles each; most archives
    complete."""
    seen_mobiles: set[str] = set()
    seen_vins: set[str] = set()
    for index, dealer in enumerate(ctx.dealers):
        # The dealers' quality profiles (as in repairs.demo.PROFILES): the weaker, the later archives are completed.
        complete_share, delays = ARCHIVE_PROFILES[index % len(ARCHIVE_PROFILES)]
        prefix = plate_prefix(dealer)
        brands = [BRAND_CODES[b.code] for b in dealer.brands.all()] or ["大众"]
        seen_plates: set[str] = set()
        older = ctx.since - timedelta(days=HISTORY_BEFORE_DAYS)
        moments = sorted(
            [
                ctx.open_moment(dealer, ctx.random_working_day(dealer), latest=time(17))
                for _ in range(ctx.months * NEW_PER_MONTH)
            ]
            + [
                ctx.open_moment(dealer, ctx.random_working_day(dealer, older, ctx.since - timedelta(days=1)))
                for _ in range(ARCHIVE_BEFORE)
            ]
        )
        completes = [ctx.rng.random() < complete_share for _ in moments]
        customers = [
            _customer(ctx, dealer, when, complete, seen_mobiles)
            for when, complete in zip(moments, completes, strict=True)
        ]
        customers = bulk_create_with_history(customers, Customer, default_user=ctx.admin)
        vehicles = [
            _vehicle(ctx, customer, when, complete, brands, prefix, seen_vins, seen_plates)
            for customer, when, complete in zip(customers, moments, completes, strict=True)
            for _ in range(2 if ctx.rng.random() < 0.12 else 1)
        ]
        vehicles = bulk_create_with_history(vehicles, Vehicle, default_user=ctx.admin)
        ownerships = [
            VehicleOwnership(
                vehicle=v, customer=v.owner, started_on=v.purchase_date or ctx.since, recorded_by=ctx.admin
            )
            for v in vehicles
        ]
        bulk_create_with_history(ownerships, VehicleOwnership, default_user=ctx.admin)
        # auto_now_add stamped "now" on insert: backdate to the first visit, then stamp completeness.
        for customer, when in zip(customers, moments, strict=True):
            customer.created_at = when
        Customer.objects.bulk_update(customers, ["created_at"], batch_size=500)
        for vehicle in vehicles:
            vehicle.created_at = vehicle.owner.created_at
        Vehicle.objects.bulk_update(vehicles, ["created_at"], batch_size=500)
        # The archive rule of customers.archive (as customer_refresh_archive_status applies it), in one update.
        by_owner: dict[int, list[Vehicle]] = {}
        for vehicle in vehicles:
            by_owner.setdefault(vehicle.owner_id, []).append(vehicle)
        for customer in customers:
            customer.archive_complete = archive_status(customer, by_owner.get(customer.pk, [])).complete
            if customer.archive_complete:
                delay = timedelta(hours=ctx.rng.choice(delays))
                customer.archive_completed_at = min(customer.created_at + delay, ctx.latest)
        Customer.objects.bulk_update(customers, ["archive_complete", "archive_completed_at"], batch_size=500)
        ctx.customers[dealer.pk] = customers
        ctx.vehicles[dealer.pk] = vehicles
    total_c = sum(len(v) for v in ctx.customers.values())
    total_v = sum(len(v) for v in ctx.vehicles.values())
    ctx.say(f"  {total_c} customers, {total_v} vehicles")
