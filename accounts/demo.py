"""Demo users: an administrator, a team per dealer (one login per role) and region/OEM managers."""

from __future__ import annotations

from functools import cache

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from accounts.choices import Role
from accounts.models import DealerMembership, RegionMembership, User
from core.demo import DEMO_PASSWORD, DemoContext

# role, username prefix, display name pool
DEALER_TEAM = [
    (Role.SERVICE_MANAGER, "manager", ["周建国", "陈志强", "刘海波", "黄文斌"]),
    (Role.SERVICE_ADVISOR, "advisor", ["李娜", "王磊", "张敏", "赵婷"]),
    (Role.TECHNICIAN, "tech", ["孙师傅", "钱师傅", "吴师傅", "郑师傅"]),
    (Role.FOREMAN, "foreman", ["冯班长", "何班长", "吕班长", "施班长"]),
    (Role.QC_INSPECTOR, "qc", ["杜质检", "曹质检", "袁质检", "邓质检"]),
    (Role.PARTS_CLERK, "parts", ["许库管", "傅库管", "沈库管", "曾库管"]),
    (Role.FOLLOWUP_SPECIALIST, "care", ["彭客服", "吕客服", "苏客服", "卢客服"]),
    (Role.CASHIER, "cashier", ["梁收银", "宋收银", "唐收银", "韩收银"]),
]


@cache
def demo_password_hash() -> str:
    """Hash the demo password once: hashing it per user costs a quarter second each."""
    return make_password(DEMO_PASSWORD)


def _user(ctx: DemoContext, username: str, display_name: str, roles: list[str], **extra) -> User:
    user = User(username=username, display_name=display_name, password=demo_password_hash(), **extra)
    user.save()
    user.groups.set(Group.objects.filter(name__in=[str(r) for r in roles]))
    ctx.users[username] = user
    return user


def create_users(ctx: DemoContext) -> None:
    """Logins for every role; dealer staff work for one dealer, managers read regions."""
    ctx.admin = _user(ctx, "admin", "系统管理员", [Role.ADMINISTRATOR], is_staff=True, is_superuser=True)
    ctx.logins.append(("admin", "administrator (all dealers, /admin/)"))
    for index, dealer in enumerate(ctx.dealers, start=1):
        for role, prefix, names in DEALER_TEAM:
            username = f"{prefix}{index}"
            user = _user(ctx, username, names[(index - 1) % len(names)], [role])
            DealerMembership.objects.create(user=user, dealer=dealer)
            if index == 1 or role in (Role.SERVICE_ADVISOR, Role.SERVICE_MANAGER):
                ctx.logins.append((username, f"{Role(role).label} @ {dealer.code} {dealer.name}"))
    for region in ctx.regions:
        username = f"region_{region.code.lower()}"
        user = _user(ctx, username, f"{region.name}经理", [Role.REGION_MANAGER])
        RegionMembership.objects.create(user=user, region=region)
        ctx.logins.append((username, f"{Role.REGION_MANAGER.label}: {region.name} (read-only)"))
    oem = _user(ctx, "oem", "厂家服务总监", [Role.REGION_MANAGER])
    for region in ctx.regions:
        RegionMembership.objects.create(user=oem, region=region)
    ctx.logins.append(("oem", "OEM manager: all regions (read-only)"))
    ctx.say(f"  {len(ctx.users)} users")
