"""Demo data: a registry of steps that each domain contributes, run in order by `manage.py demo_data`.

A step is a function ``step(ctx: DemoContext) -> None`` named in ``DEMO_STEPS`` by its
dotted path. Later domains (visits, parts, complaints, surveys…) append their steps;
they find what earlier steps made in ``ctx`` (dealers, users, customers, vehicles).
Everything random comes from ``ctx.rng`` (a stream per step) so a seed reproduces the same data.
"""

from __future__ import annotations

import random
import time as time_module
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.module_loading import import_string

from core.business_hours import add_business_time, business_time_between
from core.dates import local_moment

DEMO_STEPS: list[str] = [
    "organization.demo.create_organisation",
    "accounts.demo.create_users",
    "customers.demo.create_customers",
    "parts.demo.create_parts",
    "appointments.demo.create_appointments",
    "repairs.demo.create_repair_orders",
    "cashiering.demo.record_payments",
    "packages.demo.create_packages",
    "repairs.demo.create_bays",
    "appointments.demo.record_bookings",
    "parts.demo.create_parts_usage",
    "care.demo.create_follow_ups",
    "care.demo.create_care",
    "surveys.demo.create_surveys",
    "complaints.demo.create_complaints",
    "staff.demo.create_staff",
    "economics.demo.create_attendance",
    "evaluation.demo.create_audits",
    "evaluation.demo.create_evaluations",
    # Notifications of what is still open at the end (after everything they tell of is made).
    "repairs.notices.demo_notices",
    "complaints.notices.demo_notices",
    "evaluation.notices.demo_notices",
]

DEMO_OEM_CODE = "DEMO"  # the demo group's code: its presence means the demo data is loaded
DEMO_PASSWORD = "demo12345"  # noqa: S105 - printed for the demo logins, never used in production
HISTORY_BEFORE_DAYS = 3 * 365  # the oldest customers of the archive came first up to three years before the demo


@dataclass
class PlannedVisit:
    """A vehicle's visit as the demo plans it: the day, the job, and the appointment it was booked with (if any)."""

    day: date
    vehicle: object
    job_type: str
    appointment: object = None  # an Appointment whose outcome is known (arrived: its arrival is the visit's)
    arrived_at: datetime | None = None  # known beforehand: an arrived appointment, a new customer's first visit
    first: bool = False  # the customer's first visit (their archive was made then)


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
    # dealer_id -> [PlannedVisit]: when each vehicle comes (customers.demo), booked or not (appointments.demo),
    # turned into repair orders (repairs.demo).
    visit_plan: dict = field(default_factory=dict)
    # What became of the booked visits (repairs.demo), saved on the appointments by appointments.demo.record_bookings:
    # (appointment, the repair order it opened) and (appointment, when the desk cancelled it, the advisor).
    booked_orders: list = field(default_factory=list)
    cancelled_bookings: list = field(default_factory=list)
    calendars: dict = field(default_factory=dict)  # dealer_id -> BusinessCalendar (opening hours, holidays)
    # (dealer, first date, last date) -> BusinessCalendar: organization.calendar.business_calendar, handed in by the
    # demo_data command (core sits below organization and does not import it).
    business_calendar: Callable | None = None

    @property
    def since(self) -> date:
        """First day of the demo period (``months`` before ``until``)."""
        return self.until - timedelta(days=round(self.months * 30.44))

    def random_day(self, start: date | None = None, end: date | None = None) -> date:
        start = start or self.since
        end = end or self.until
        return start + timedelta(days=self.rng.randint(0, max(0, (end - start).days)))

    def random_moment(self, day: date, start_hour: int = 8, end_hour: int = 18) -> datetime:
        """An aware datetime on ``day`` during business hours (local time, core.dates), never after ``latest``."""
        minutes = self.rng.randint(start_hour * 60, end_hour * 60 - 1)
        return min(local_moment(day, time(minutes // 60, minutes % 60)), self.latest)

    def calendar(self, dealer):
        """The dealer's business calendar (opening hours, working days, national holidays), built once."""
        if dealer.pk not in self.calendars:
            first = self.since - timedelta(days=HISTORY_BEFORE_DAYS + 62)
            self.calendars[dealer.pk] = self.business_calendar(dealer, first, self.until + timedelta(days=400))
        return self.calendars[dealer.pk]

    def working_day(self, dealer, day: date) -> date:
        """``day`` if the dealer is open then, else its next working day."""
        calendar = self.calendar(dealer)
        while not calendar.is_working_date(day):
            day += timedelta(days=1)
        return day

    def random_working_day(self, dealer, start: date | None = None, end: date | None = None) -> date:
        """A random day between ``start`` and ``end`` (default: the demo period) on which the dealer is open."""
        calendar = self.calendar(dealer)
        for _attempt in range(50):
            day = self.random_day(start, end)
            if calendar.is_working_date(day):
                return day
        return self.working_day(dealer, start or self.since)

    def open_moment(self, dealer, day: date, earliest: time | None = None, latest: time | None = None) -> datetime:
        """A random minute on the dealer's working day ``day`` (or the next) inside its opening hours, optionally
        narrowed to [earliest, latest); never after ``self.latest``."""
        calendar = self.calendar(dealer)
        day = self.working_day(dealer, day)
        opens, closes = calendar.opening_interval(day)
        if earliest is not None:
            opens = max(opens, datetime.combine(day, earliest, tzinfo=calendar.zone))
        if latest is not None:
            closes = min(closes, datetime.combine(day, latest, tzinfo=calendar.zone))
        span = max(1, int((closes - opens).total_seconds() // 60))
        return min((opens + timedelta(minutes=self.rng.randrange(span))).astimezone(calendar.zone), self.latest)

    def later(self, dealer, moment: datetime, minutes: float) -> datetime:
        """``minutes`` of the dealer's working time after ``moment`` (the workshop's clock stops at night)."""
        return add_business_time(self.calendar(dealer), moment, timedelta(minutes=minutes))

    def working_minutes(self, dealer, start: datetime, end: datetime) -> float:
        """The dealer's working time between two moments, in minutes."""
        return business_time_between(self.calendar(dealer), start, end).total_seconds() / 60

    def back_in_hours(self, dealer, moment: datetime, not_before: datetime | None = None) -> datetime:
        """``moment`` if the dealer is open then, else a minute in the last opening hour before it (an advisor
        records what came in after hours before leaving), never before ``not_before``."""
        if self.is_open(dealer, moment):
            return moment
        calendar = self.calendar(dealer)
        day = moment.astimezone(calendar.zone).date()
        for _back in range(30):
            interval = calendar.opening_interval(day)
            if interval is not None and interval[0] <= moment:
                opens, closes = interval
                found = max(opens, min(moment, closes) - timedelta(minutes=self.rng.randint(1, 60)))
                if not_before is not None and found < not_before:
                    found = not_before
                return found.astimezone(calendar.zone)
            day -= timedelta(days=1)
        return moment

    def is_open(self, dealer, moment: datetime) -> bool:
        """Whether the dealer is open at ``moment``."""
        calendar = self.calendar(dealer)
        interval = calendar.opening_interval(moment.astimezone(calendar.zone).date())
        return interval is not None and interval[0] <= moment <= interval[1]

    def closing(self, dealer, moment: datetime) -> datetime | None:
        """When the dealer closes on the local day of ``moment`` (None on a closed day)."""
        calendar = self.calendar(dealer)
        interval = calendar.opening_interval(moment.astimezone(calendar.zone).date())
        return interval[1].astimezone(calendar.zone) if interval else None

    @property
    def latest(self) -> datetime:
        """The end of the demo period: the end of ``until``, or now if that is earlier (no future events)."""
        end_of_until = local_moment(self.until, time(23, 59))
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
