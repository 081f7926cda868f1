"""Demo organisation: one OEM group, its brands, three regions and up to 12 dealers."""

from __future__ import annotations

from datetime import time

from core.demo import DEMO_OEM_CODE, DemoContext
from organization.models import Brand, Dealer, Oem, Region

BRANDS = [("VW", "大众"), ("TOYOTA", "丰田"), ("HONDA", "本田"), ("BUICK", "别克"), ("BYD", "比亚迪"), ("BMW", "宝马")]
REGIONS = [("SOUTH", "华南大区"), ("EAST", "华东大区"), ("NORTH", "华北大区")]
# code, name, region, province, city, plate prefix, address, bays, brands
DEALERS = [
    ("GZ01", "广州天河汽车服务中心", "SOUTH", "广东", "广州", "粤A", "天河区黄埔大道西668号", 12, ["VW", "TOYOTA"]),
    ("SZ01", "深圳南山汽车服务中心", "SOUTH", "广东", "深圳", "粤B", "南山区深南大道9028号", 10, ["BYD", "HONDA"]),
    ("SH01", "上海浦东汽车服务中心", "EAST", "上海", "上海", "沪A", "浦东新区张杨路1500号", 14, ["VW", "BUICK"]),
    ("HZ01", "杭州西湖汽车服务中心", "EAST", "浙江", "杭州", "浙A", "西湖区文三路259号", 8, ["TOYOTA", "BYD"]),
    ("BJ01", "北京朝阳汽车服务中心", "NORTH", "北京", "北京", "京A", "朝阳区东三环北路38号", 16, ["BMW", "VW"]),
    ("TJ01", "天津河西汽车服务中心", "NORTH", "天津", "天津", "津A", "河西区友谊路35号", 8, ["HONDA", "BUICK"]),
    ("FS01", "佛山禅城汽车服务中心", "SOUTH", "广东", "佛山", "粤E", "禅城区季华五路22号", 6, ["TOYOTA"]),
    ("NJ01", "南京建邺汽车服务中心", "EAST", "江苏", "南京", "苏A", "建邺区江东中路108号", 10, ["VW", "BYD"]),
    ("SY01", "沈阳和平汽车服务中心", "NORTH", "辽宁", "沈阳", "辽A", "和平区青年大街390号", 7, ["BUICK"]),
    ("DG01", "东莞南城汽车服务中心", "SOUTH", "广东", "东莞", "粤S", "南城区鸿福路200号", 9, ["HONDA", "BYD"]),
    ("SU01", "苏州工业园区汽车服务中心", "EAST", "江苏", "苏州", "苏E", "工业园区星湖街328号", 11, ["BMW", "TOYOTA"]),
    ("QD01", "青岛市南汽车服务中心", "NORTH", "山东", "青岛", "鲁B", "市南区香港中路100号", 8, ["VW"]),
]


def plate_prefix(dealer: Dealer) -> str:
    """The local plate prefix of a demo dealer (e.g. 粤A for Guangzhou)."""
    return next(row[5] for row in DEALERS if row[0] == dealer.code)


def create_organisation(ctx: DemoContext) -> None:
    """The demo OEM group, brands, regions and the first ``ctx.dealers_wanted`` dealers."""
    oem = Oem.objects.create(code=DEMO_OEM_CODE, name="示范汽车服务集团")
    brands = {code: Brand.objects.create(oem=oem, code=code, name=name) for code, name in BRANDS}
    regions = {code: Region.objects.create(oem=oem, code=code, name=name) for code, name in REGIONS}
    for code, name, region, province, city, _prefix, address, bays, brand_codes in DEALERS[: ctx.dealers_wanted]:
        dealer = Dealer.objects.create(
            code=code,
            name=name,
            region=regions[region],
            province=province,
            city=city,
            address=address,
            phone=f"400-{ctx.rng.randint(100, 999)}-{ctx.rng.randint(1000, 9999)}",
            service_bays=bays,
            opens_at=time(8, 30),
            closes_at=time(18, 0),
            working_days="1234567",
        )
        dealer.brands.set([brands[b] for b in brand_codes])
        ctx.dealers.append(dealer)
    ctx.regions = [r for r in regions.values() if any(d.region_id == r.pk for d in ctx.dealers)]
    ctx.say(f"  {len(ctx.dealers)} dealers in {len(ctx.regions)} regions")
