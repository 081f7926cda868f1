"""Demo attendance and labour cost rates for the demo technicians.

Each technician works the dealer's opening hours (in a few minutes after opening, out a little before closing, an
hour's break) on the days the dealer is open, except one rota day off a week and some leave (annual, sick,
personal, training off site). A technician who clocked on a job on a day was at work that day: leave and rota days
off fall only on days without clocks. Dealers' cost rates by position from the start of the demo period (the weaker
dealers pay less), one senior technician per dealer with a rate of their own, and a raise from July 2026.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from accounts.choices import Role
from accounts.models import DealerMembership
from core.dates import local_date
from core.demo import DemoContext
from economics.choices import AbsenceKind
from economics.models import Attendance, CostRate
from repairs.models import LabourClock
from staff.choices import Position
from staff.models import StaffProfile

# Per quality tier (repairs.demo.PROFILES order): the technicians' and foremen's cost per hour.
RATES = [
    (Decimal("68.00"), Decimal("85.00")),
    (Decimal("60.00"), Decimal("78.00")),
    (Decimal("52.00"), Decimal("70.00")),
]
RAISE_FROM = date(2026, 7, 1)
LEAVE = [(AbsenceKind.ANNUAL_LEAVE, 0.025), (AbsenceKind.SICK_LEAVE, 0.015), (AbsenceKind.PERSONAL_LEAVE, 0.008),
         (AbsenceKind.TRAINING, 0.006)]  # fmt: skip


def create_attendance(ctx: DemoContext) -> None:
    """Attendance of every demo technician on the dealer's working days, and the dealers' cost rates."""
    rng = ctx.rng
    rows, rates = [], []
    for index, dealer in enumerate(ctx.dealers):
        technicians = sorted(
            (m.user for m in DealerMembership.objects.filter(dealer=dealer, user__groups__name=Role.TECHNICIAN)
             .select_related("user")),
            key=lambda u: u.username,
        )  # fmt: skip
        if not technicians:
            continue
        hired = dict(StaffProfile.objects.filter(dealer=dealer).values_list("user_id", "hire_date"))
        clocked: dict[int, set[date]] = defaultdict(set)
        for tech_id, started in LabourClock.objects.filter(line__order__dealer=dealer).values_list(
            "technician_id", "started_at"
        ):
            clocked[tech_id].add(local_date(started))
        recorder = next((m.user for m in DealerMembership.objects.filter(dealer=dealer, user__groups__name=Role.FOREMAN)
                         .select_related("user")), technicians[0])  # fmt: skip
        calendar = ctx.calendar(dealer)
        day, last = ctx.since, min(ctx.until, ctx.latest.date())
        while day <= last:
            interval = calendar.opening_interval(day)
            for n, tech in enumerate(technicians):
                if interval is None or day < hired.get(tech.pk, ctx.since):
                    continue
                worked = day in clocked[tech.pk]
                if not worked and day.isoweekday() == (n % 7) + 1:
                    continue  # the rota's day off
                absence = ""
                if not worked:
                    roll = rng.random()
                    for kind, share in LEAVE:
                        if roll < share:
                            absence = kind
                            break
                        roll -= share
                if absence:
                    rows.append(Attendance(dealer=dealer, technician=tech, day=day, absence=absence, hours=Decimal("0"),
                                           recorded_by=recorder))  # fmt: skip
                    continue
                opens, closes = (moment.astimezone(calendar.zone) for moment in interval)
                clock_in = opens + timedelta(minutes=rng.randint(-10, 5))
                clock_out = (
                    closes - timedelta(minutes=rng.randint(0, 20)) + timedelta(minutes=rng.choice([0, 0, 0, 45]))
                )
                minutes = (clock_out - clock_in).total_seconds() / 60 - 60
                rows.append(Attendance(
                    dealer=dealer, technician=tech, day=day, clock_in=clock_in.time().replace(second=0, microsecond=0),
                    clock_out=clock_out.time().replace(second=0, microsecond=0), break_minutes=60,
                    hours=(Decimal(int(minutes)) / 60).quantize(Decimal("0.01")), recorded_by=recorder,
                ))  # fmt: skip
            day += timedelta(days=1)
        technician_rate, foreman_rate = RATES[index % len(RATES)]
        for valid_from, raise_by in ((ctx.since, Decimal("1")), (RAISE_FROM, Decimal("1.05"))):
            if valid_from < ctx.since:
                continue
            rates.append(CostRate(dealer=dealer, position=Position.TECHNICIAN, valid_from=valid_from,
                                  hourly_cost=(technician_rate * raise_by).quantize(Decimal("0.01"))))  # fmt: skip
            rates.append(CostRate(dealer=dealer, position=Position.FOREMAN, valid_from=valid_from,
                                  hourly_cost=(foreman_rate * raise_by).quantize(Decimal("0.01"))))  # fmt: skip
        rates.append(CostRate(dealer=dealer, technician=technicians[0], valid_from=ctx.since,
                              hourly_cost=technician_rate + Decimal("15.00")))  # fmt: skip
    Attendance.objects.bulk_create(rows, batch_size=2000)
    CostRate.objects.bulk_create(rates)
    ctx.say(f"  attendance: {len(rows)} technician days, {len(rates)} cost rates")
