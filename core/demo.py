"""Demo data: a registry of steps that each domain contributes, run in order by `manage.py demo_data`.

A step is a function ``step(ctx: DemoContext) -> None`` named in ``DEMO_STEPS`` by its
dotted path. Later domains (visits, parts, complaints, surveys…) append their steps;
they find what earlier steps made in ``ctx`` (dealers, users, customers, vehicles).
Everything random comes from ``ctx.rng`` (a stream per step) so a seed reproduces the same data.
"""

from __future__ import annotations

import random
import time as time_module
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.module_loading import import_string

DEMO_STEPS: list[str] = [
    "organization.demo.create_organisation",
    "accounts.demo.create_users",
    "customers.demo.create_customers",
    "parts.demo.create_parts",
    "appointments.demo.create_appointments",
    "repairs.demo.create_repair_orders",
    "parts.demo.create_parts_usage",
    "care.demo.create_follow_ups",
    "care.demo.create_care",
    "surveys.demo.create_surveys",
    "complaints.demo.create_complaints",
    "staff.demo.create_staff",
    "evaluation.demo.create_audits",
    "evaluation.demo.create_evaluations",
]

DEMO_OEM_CODE = "DEMO"  # the demo group's code: its presence means the demo data is loaded
DEMO_PASSWORD = "demo12345"  # noqa: S105 - printed for the demo logins, never used in production
SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass
class DemoContext:
    """What the steps share: the options, the random generator, and what earlier steps created."""

    dealers_wanted: int
    months: int
    until: date
    seed: int
    rng: random.Random = field(default_factory=random.Random)
    stdout: object = None
    dealers: list = field(default_factory=list)
    regions: list = field(default_factory=list)
    users: dict = field(default_factory=dict)  # username -> User
    admin: object = None
    customers: dict = field(default_factory=dict)  # dealer_id -> [Customer]
    vehicles: dict = field(default_factory=dict)  # dealer_id -> [Vehicle]
    logins: list = field(default_factory=list)  # (username, description) printed at the end

    @property
    def since(self) -> date:
        """First day of the demo period (``months`` before ``until``)."""
        return self.until - timedelta(days=round(self.months * 30.44))

    def random_day(self, start: date | None = None, end: date | None = None) -> date:
        start = start or self.since
        end = end or self.until
        return start + timedelta(days=self.rng.randint(0, max(0, (end - start).days)))

    def random_moment(self, day: date, start_hour: int = 8, end_hour: int = 18) -> datetime:
        """An aware datetime on ``day`` during business hours (Asia/Shanghai), never after ``latest``."""
        minutes = self.rng.randint(start_hour * 60, end_hour * 60 - 1)
        return min(datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=SHANGHAI), self.latest)

    @property
    def latest(self) -> datetime:
        """The end of the demo period: the end of ``until``, or now if that is earlier (no future events)."""
        end_of_until = datetime.combine(self.until, time(23, 59), tzinfo=SHANGHAI)
        return min(end_of_until, timezone.now())

    def say(self, message: str) -> None:
        if self.stdout is not None:
            self.stdout.write(message)


def run_demo_steps(ctx: DemoContext) -> None:
    """Run every registered step in order, each with its own random stream.

    A step's stream depends only on the seed and the step's name, so adding or changing
    one step never changes the data of the others.
    """
    for dotted in DEMO_STEPS:
        ctx.rng = random.Random(f"{ctx.seed}:{dotted}")
        started = time_module.perf_counter()
        import_string(dotted)(ctx)
        ctx.say(f"    ({dotted}: {time_module.perf_counter() - started:.1f} s)")
