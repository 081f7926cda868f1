"""Benchmarks of the archive search and list queries on a generated archive.

    make bench                        # SQLite, 50,000 customers over 20 dealers
    BENCH_CUSTOMERS=200000 make bench
    DATABASE_URL=postgres://... make bench

Prints the median time per query kind and the database's query plan, so a lost
index shows up as a full scan. Never run inside the test suite (no timed asserts).
"""

from __future__ import annotations

import os
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TMP = tempfile.mkdtemp(prefix="qms-bench-")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{TMP}/bench.sqlite3")
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from accounts.choices import Role  # noqa: E402
from core.tests.factories import make_vin  # noqa: E402
from customers import selectors  # noqa: E402
from customers.models import Customer, Vehicle  # noqa: E402

CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "50000"))
DEALERS = 20
REPEAT = 25


def build() -> tuple:
    from django.contrib.auth.models import Group

    from accounts.models import DealerMembership, User
    from organization.models import Dealer, Oem, Region

    call_command("migrate", verbosity=0)
    oem = Oem.objects.create(code="B", name="bench")
    region = Region.objects.create(oem=oem, code="R", name="r")
    dealers = [Dealer.objects.create(code=f"B{i:03d}", name=f"店{i}", region=region) for i in range(DEALERS)]
    rng = random.Random(7)
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    customers = [
        Customer(
            dealer=dealers[i % DEALERS],
            name=rng.choice(surnames) + rng.choice("伟芳娜敏静丽强磊军洋") + rng.choice("明华平刚英"),
            mobile=f"1{rng.choice('3589')}{i:09d}",
            address="x",
        )
        for i in range(CUSTOMERS)
    ]
    Customer.objects.bulk_create(customers, batch_size=2000)
    ids = list(Customer.objects.values_list("id", "dealer_id"))
    Vehicle.objects.bulk_create(
        [
            Vehicle(dealer_id=d, owner_id=c, vin=make_vin(n), plate=f"粤B{n:05d}"[:8], brand="大众")
            for n, (c, d) in enumerate(ids)
        ],
        batch_size=2000,
    )
    advisor = User.objects.create(username="bench-advisor")
    advisor.groups.add(Group.objects.get(name=Role.SERVICE_ADVISOR))
    DealerMembership.objects.create(user=advisor, dealer=dealers[3])
    manager = User.objects.create(username="bench-region")
    manager.groups.add(Group.objects.get(name=Role.REGION_MANAGER))
    from accounts.models import RegionMembership

    RegionMembership.objects.create(user=manager, region=region)
    return advisor, manager


def timed(label: str, make_qs) -> None:
    runs = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        rows = list(make_qs()[:25])
        runs.append((time.perf_counter() - start) * 1000)
    plan = make_qs()[:25].explain()
    # A full scan of a big table: SQLite "SCAN customers_customer" without an index; PostgreSQL "Seq Scan on".
    big = r"(customers_customer|customers_vehicle)"
    full_scan = re.search(rf"SCAN {big}\s*$", plan, re.MULTILINE) or re.search(rf"Seq Scan on {big}", plan)
    flag = "  <-- full scan" if full_scan else ""
    median, p95 = statistics.median(runs), sorted(runs)[int(REPEAT * 0.95) - 1]
    print(f"{label:<52} median {median:7.2f} ms  p95 {p95:7.2f} ms  rows {len(rows)}{flag}")


def main() -> None:
    print(f"database: {connection.vendor}, customers: {CUSTOMERS}, vehicles: {CUSTOMERS}, dealers: {DEALERS}")
    advisor, manager = build()
    # A production database keeps planner statistics (autovacuum on PostgreSQL; demo_data
    # and `manage.py analyze_db` on SQLite): measure with them, like a real installation.
    call_command("analyze_db")
    own = Vehicle.objects.filter(dealer__memberships__user=advisor).select_related("owner").order_by("pk")[7]
    cases = [
        ("advisor: search by full mobile", advisor, own.owner.mobile),
        ("advisor: search by mobile prefix", advisor, own.owner.mobile[:7]),
        ("advisor: search by plate prefix", advisor, own.plate[:6]),
        ("advisor: search by full VIN", advisor, own.vin),
        ("advisor: search by surname", advisor, "王伟"),
        ("region manager: search by plate prefix", manager, "粤B123"),
        ("region manager: search by mobile prefix", manager, "1500001"),
    ]
    customers, vehicles = selectors.customer_list, selectors.vehicle_list
    for label, user, q in cases:
        timed(label + " (customers)", lambda u=user, q=q: selectors.customer_search(customers(user=u), q, user=u))
        timed(label + " (vehicles)", lambda u=user, q=q: selectors.vehicle_search(vehicles(user=u), q, user=u))
    timed("advisor: customer list page 1", lambda: selectors.customer_list(user=advisor))
    timed("region manager: customer list page 1", lambda: selectors.customer_list(user=manager))


if __name__ == "__main__":
    main()
