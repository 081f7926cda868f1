"""Demo service packages (保养套餐): each demo dealer's menu for each brand it services, as a 4S menu reads.

First service at 5,000 km / 6 months (a fixed introductory price), A/B services alternating at 10,000 km (A: oil and
filter at 10k, 30k, 50k…; B: also air and cabin filters at 20k, 40k…, every 24 months), brake fluid every
40,000 km / 24 months and spark plugs every 40,000 km (petrol and hybrid brands). Labour comes from the dealer's
catalogue of the repair-order step (M01, M02, B02; M03 spark plugs is added), parts from the parts step's
catalogue and the dealer's prices. Runs after ``repairs.demo.create_repair_orders`` (which makes the labour
catalogue); made through packages.services like the service manager would.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from core.demo import DemoContext
from packages import services
from packages.pricing import package_price
from parts.models import Part, PartPrice, normalize_part_number
from repairs.choices import JobType
from repairs.models import LabourOperation

ELECTRIC_BRANDS = {"BYD"}  # no spark plugs on the menu (the demo's BYD cars are EVs and DM-i hybrids: keep it simple)
OIL, BRAKE_FLUID = "MOB-5W30-4L", "BOS-DOT4-1L"


def _brand_part(dealer, brand_name: str, name: str) -> Part | None:
    """The brand's first catalogue part of that name with a price at the dealer."""
    priced = PartPrice.objects.filter(dealer=dealer).values("part_id")
    return (
        Part.objects.filter(brand=brand_name, name=name, is_active=True, pk__in=priced).order_by("number_key").first()
    )


def _menu(dealer, brand, operations) -> list[dict]:
    oil = Part.objects.get(number_key=normalize_part_number(OIL), brand="")
    fluid = Part.objects.get(number_key=normalize_part_number(BRAKE_FLUID), brand="")
    oil_filter = _brand_part(dealer, brand.name, "机油滤清器")
    air_filter = _brand_part(dealer, brand.name, "空气滤清器")
    cabin_filter = _brand_part(dealer, brand.name, "空调滤清器")
    plugs = _brand_part(dealer, brand.name, "火花塞")
    sundry = {"kind": "sundry", "description": "废机油环保处理费", "amount": Decimal("20.00")}
    oil_change = [
        {"kind": "part", "part": oil, "quantity": Decimal("1")},
        {"kind": "part", "part": oil_filter, "quantity": Decimal("1")},
        sundry,
    ]
    menu = [
        {
            "code": f"{brand.code}-0", "name": "首次保养", "first_due_km": 5000, "first_due_months": 6,
            "items": [{"kind": "labour", "operation": operations["M01"]}, *oil_change], "fixed_share": "0.80",
            "description": "新车首保：更换机油机滤，全车免费检测。",
        },
        {
            "code": f"{brand.code}-A", "name": "A类保养（小保养）", "first_due_km": 10000, "every_km": 20000,
            "first_due_months": 12, "every_months": 24,
            "items": [{"kind": "labour", "operation": operations["M01"]}, *oil_change],
        },
        {
            "code": f"{brand.code}-B", "name": "B类保养（大保养）", "first_due_km": 20000, "every_km": 20000,
            "first_due_months": 24, "every_months": 24, "fixed_share": "0.90",
            "items": [
                {"kind": "labour", "operation": operations["M02"]}, *oil_change,
                {"kind": "part", "part": air_filter, "quantity": Decimal("1")},
                {"kind": "part", "part": cabin_filter, "quantity": Decimal("1")},
            ],
            "description": "机油机滤、空滤、空调滤一并更换，套餐价九折。",
        },
        {
            "code": f"{brand.code}-BF", "name": "刹车油更换", "first_due_km": 40000,
            "every_km": 40000, "first_due_months": 24, "every_months": 24,
            "items": [
                {"kind": "labour", "operation": operations["B02"]},
                {"kind": "part", "part": fluid, "quantity": Decimal("1")},
            ],
        },
    ]  # fmt: skip
    if brand.code not in ELECTRIC_BRANDS and plugs is not None:
        menu.append({
            "code": f"{brand.code}-SP", "name": "火花塞更换", "first_due_km": 40000, "every_km": 40000,
            "items": [
                {"kind": "labour", "operation": operations["M03"]},
                {"kind": "part", "part": plugs, "quantity": Decimal("4")},
            ],
        })  # fmt: skip
    return menu


def create_packages(ctx: DemoContext) -> None:
    """Every demo dealer's service menu for each brand it services."""
    made = 0
    for index, dealer in enumerate(ctx.dealers, start=1):
        manager = ctx.users[f"manager{index}"]
        operations = {op.code: op for op in LabourOperation.objects.filter(dealer=dealer)}
        operations["M03"] = LabourOperation.objects.get_or_create(
            dealer=dealer, code="M03",
            defaults={"name": "更换火花塞", "job_type": JobType.MAINTENANCE, "standard_hours": Decimal("0.60")},
        )[0]  # fmt: skip
        for brand in dealer.brands.order_by("code"):
            for entry in _menu(dealer, brand, operations):
                items = [item for item in entry.pop("items") if item.get("kind") != "part" or item["part"] is not None]
                share = entry.pop("fixed_share", None)
                package = services.package_create(
                    dealer=dealer, by=manager, brand=brand, items=items, job_type=JobType.MAINTENANCE, **entry
                )
                if share is not None:  # a fixed package price: the list price × share, rounded to the yuan
                    net = package_price(package).net
                    fixed = (net * Decimal(share)).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
                    services.package_update(
                        package=package, by=manager, version=package.version, pricing="fixed", fixed_price=fixed
                    )
                made += 1
    ctx.say(f"  {made} service packages")
