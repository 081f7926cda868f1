"""Demo visit plan and appointments: when each vehicle comes, and the visits booked ahead.

Every vehicle comes for maintenance about twice a year and for repairs now and then, from its
first visit (when its customer's archive was made) until the customer lapses (weaker dealers lose
more customers a year: E4). Almost half the visits after the first are booked; most customers arrive within
±15 minutes of their slot, some late, ~6 % do not come, ~5 % cancel with a reason. Everything the
staff record is inside the dealer's opening hours. Rows are written directly (bulk) rather than
through the services: this is history, and the repair orders of the visits come from repairs.demo,
which takes ``ctx.visit_plan``.
"""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta

from simple_history.utils import bulk_create_with_history

from accounts.choices import Role
from appointments.choices import (
    ON_TIME_MINUTES,
    PENDING,
    SLOT_STEP_MINUTES,
    AppointmentChannel,
    AppointmentStatus,
)
from appointments.models import Appointment
from appointments.services import REMINDER_TIME
from core.dates import local_date, local_moment, localtime
from core.demo import DemoContext, PlannedVisit
from repairs.choices import JobType
from todo.choices import TaskKind
from todo.models import Task

CHANNELS = [AppointmentChannel.PHONE, AppointmentChannel.WECHAT, AppointmentChannel.ONLINE, AppointmentChannel.WALK_IN]
CHANNEL_WEIGHTS = [45, 25, 15, 15]
REQUESTS = {
    JobType.MAINTENANCE: [
        "常规保养，更换机油机滤",
        "首保",
        "10000公里保养",
        "40000公里保养，顺便检查刹车片",
        "更换空调滤芯",
    ],
    JobType.REPAIR: ["刹车时有异响", "发动机故障灯亮", "空调不制冷", "高速行驶方向盘抖动", "左后车窗升降异常"],
    JobType.WARRANTY: ["中控屏偶尔黑屏，在质保期内", "天窗下雨漏水"],
    JobType.ACCIDENT: ["左前门刮蹭，走保险", "后保险杠追尾碰撞修复"],
    JobType.RECALL: ["厂家召回活动：检查更换燃油泵"],
    JobType.INSPECTION: ["年检前安全检测"],
}
BOOKED_SHARE = 0.45  # share of the visits (after the first) booked ahead
# The coming week's visits known today are booked ones; the reminder calls for due maintenance book many of them.
BOOKED_SHARE_AHEAD = 0.6
# Share of a dealer's customers who stop coming within a year (good, middling, weak dealer): E4 retention.
YEARLY_LAPSE = [0.1, 0.22, 0.36]
# A vehicle's visits: maintenance about every 6½ months, other work at random (a year's rate per vehicle).
MAINTENANCE_DAYS = (198, 36)  # mean, spread
YEARLY_RATES = {JobType.REPAIR: 0.8, JobType.WARRANTY: 0.25, JobType.ACCIDENT: 0.18}
MERGE_DAYS = 12  # two needs this close together are one visit (the customer brings the car once)
FIRST_JOBS = ([JobType.MAINTENANCE, JobType.REPAIR, JobType.WARRANTY, JobType.ACCIDENT], [55, 30, 8, 7])


def _visit_plan(ctx: DemoContext, dealer, vehicle, first_visit: datetime, lapse: float) -> list[PlannedVisit]:
    """When ``vehicle`` comes to the dealer from the demo's start to a week after its end, until it lapses.

    A new customer's first visit is the day the archive was made; later needs arrive as maintenance every
    half year or so and repairs at random, and needs close together are one visit. A customer of the older
    archive who lapsed before the demo period does not come at all.
    """
    rng = ctx.rng
    start = local_date(first_visit)
    horizon = ctx.until + timedelta(days=7)
    stays_days = rng.expovariate(1.0) * 365 / max(1e-6, -math.log(1 - lapse))
    stops = start + timedelta(days=stays_days)
    needs: list[tuple[date, str]] = []
    is_new = start >= ctx.since
    if is_new:
        needs.append((start, rng.choices(*FIRST_JOBS)[0]))
        last_maintenance = start if needs[0][1] == JobType.MAINTENANCE else start - timedelta(days=rng.randint(30, 150))
    else:
        last_maintenance = ctx.since - timedelta(days=rng.randint(0, MAINTENANCE_DAYS[0]))
    day = last_maintenance
    while True:
        day += timedelta(days=max(120, round(rng.gauss(*MAINTENANCE_DAYS))))
        if day > horizon:
            break
        needs.append((day, JobType.MAINTENANCE))
    span = (horizon - start).days
    for job, rate in YEARLY_RATES.items():
        for _ in range(_poisson(ctx, rate * span / 365)):
            when = start + timedelta(days=rng.randint(1, max(1, span)))
            if job == JobType.WARRANTY and (vehicle.warranty_expiry is None or when > vehicle.warranty_expiry):
                continue
            needs.append((when, job))
    visits: list[PlannedVisit] = []
    for when, job in sorted(needs, key=lambda need: need[0]):
        if when < ctx.since or when > horizon or (when > stops and not (is_new and not visits)):
            continue
        if visits and (when - visits[-1].day).days < MERGE_DAYS:
            continue  # done at the visit before
        visit = PlannedVisit(day=ctx.working_day(dealer, when), vehicle=vehicle, job_type=job)
        if is_new and not visits:
            visit.arrived_at, visit.first = first_visit - timedelta(minutes=rng.randint(3, 15)), True
        visits.append(visit)
    return visits


def _poisson(ctx: DemoContext, mean: float) -> int:
    """A Poisson draw (Knuth): how many times something with this mean happens."""
    limit, count, product = math.exp(-mean), 0, ctx.rng.random()
    while product > limit:
        count += 1
        product *= ctx.rng.random()
    return count


CANCEL_REASONS = ["客户临时出差", "车辆已在其他店维修", "客户改期，另行预约", "天气原因", "客户工作冲突", "车辆已出售"]


def _slot_times(dealer) -> list[time]:
    """The grid times at which a one-hour slot fits the dealer's hours."""
    times, minutes = [], dealer.opens_at.hour * 60 + dealer.opens_at.minute
    minutes += -minutes % SLOT_STEP_MINUTES
    last = dealer.closes_at.hour * 60 + dealer.closes_at.minute - 60
    while minutes <= last:
        times.append(time(minutes // 60, minutes % 60))
        minutes += SLOT_STEP_MINUTES
    return times


def _arrival_offset(ctx: DemoContext) -> timedelta:
    """Most arrive within ±15 minutes; some late, a few very early."""
    draw = ctx.rng.random()
    if draw < 0.82:
        minutes = max(-ON_TIME_MINUTES, min(ON_TIME_MINUTES, ctx.rng.gauss(-3, 6)))
    elif draw < 0.95:
        minutes = ctx.rng.uniform(ON_TIME_MINUTES + 1, 60)
    else:
        minutes = -ctx.rng.uniform(ON_TIME_MINUTES + 1, 45)
    return timedelta(minutes=round(minutes))


def _appointment(ctx, dealer, vehicle, day, job_type, slot_times, staff) -> tuple[Appointment, datetime]:
    """One appointment of ``vehicle`` on ``day`` and when it was booked; its outcome follows from ctx.latest."""
    advisor, care = staff
    channel = ctx.rng.choices(CHANNELS, weights=CHANNEL_WEIGHTS)[0]
    slot_start = local_moment(day, ctx.rng.choice(slot_times))
    appointment = Appointment(
        dealer=dealer,
        customer=vehicle.owner,
        vehicle=vehicle,
        channel=channel,
        slot_start=slot_start,
        slot_minutes=60,
        slot_end=slot_start + timedelta(minutes=60),
        job_type=job_type,
        customer_request=ctx.rng.choice(REQUESTS[job_type]),
        advisor=advisor if ctx.rng.random() < 0.85 else None,
    )
    past = slot_start + timedelta(minutes=75) <= ctx.latest
    if channel == AppointmentChannel.WALK_IN and not past:
        channel = appointment.channel = AppointmentChannel.PHONE  # nobody walks in ahead of time
    if channel == AppointmentChannel.WALK_IN:
        arrived_at = slot_start + timedelta(minutes=ctx.rng.randint(0, SLOT_STEP_MINUTES - 1))
        booked_at = arrived_at + timedelta(minutes=ctx.rng.randint(2, 6))
        appointment.created_by = advisor
        appointment.status = AppointmentStatus.ARRIVED
        appointment.arrived_at, appointment.arrival_recorded_by = arrived_at, advisor
        return appointment, booked_at
    lead = timedelta(hours=ctx.rng.choice([2, 5, 20, 26, 30, 48, 72, 120, 240]))
    booked_at = min(max(slot_start - lead, vehicle.created_at), slot_start - timedelta(hours=1), ctx.latest)
    booked_at = ctx.back_in_hours(dealer, booked_at, not_before=vehicle.created_at)  # booked by the staff
    appointment.created_by = ctx.rng.choice([advisor, care])
    appointment.reschedule_count = 1 if ctx.rng.random() < 0.08 else 0
    confirm_at = min(
        max(local_moment(day - timedelta(days=1), REMINDER_TIME), booked_at)
        + timedelta(minutes=ctx.rng.randint(0, 360)),
        slot_start - timedelta(minutes=30),
    )
    confirm_at = ctx.back_in_hours(dealer, confirm_at, not_before=booked_at)
    draw = ctx.rng.random()
    if not past:
        # Coming appointments: confirmed on the day-before call if that has happened, else now and then at once.
        if confirm_at > ctx.latest:
            confirm_at = min(booked_at + timedelta(minutes=ctx.rng.randint(5, 240)), ctx.latest)
            confirm_at = ctx.back_in_hours(dealer, confirm_at, not_before=booked_at)
        if draw < 0.5:
            appointment.status = AppointmentStatus.CONFIRMED
            appointment.confirmed_at, appointment.confirmed_by = confirm_at, appointment.created_by
        return appointment, booked_at
    if draw < 0.065:
        appointment.status = AppointmentStatus.NO_SHOW
        no_show_at = slot_start + timedelta(minutes=ctx.rng.randint(30, 120))
        appointment.no_show_at = min(no_show_at, ctx.closing(dealer, slot_start), ctx.latest)
        appointment.no_show_by = advisor
        if ctx.rng.random() < 0.4:
            appointment.confirmed_at, appointment.confirmed_by = confirm_at, appointment.created_by
    elif draw < 0.115:
        appointment.status = AppointmentStatus.CANCELLED
        window = max(60, int((slot_start - booked_at).total_seconds() // 60) - 30)
        cancelled_at = booked_at + timedelta(minutes=ctx.rng.randint(10, window))
        appointment.cancelled_at = ctx.back_in_hours(dealer, cancelled_at, not_before=booked_at)
        appointment.cancelled_by = ctx.rng.choice([advisor, care])
        appointment.cancel_reason = ctx.rng.choice(CANCEL_REASONS)
    else:
        appointment.status = AppointmentStatus.ARRIVED
        # Some come before opening and wait; the latest still come half an hour before closing.
        latest_arrival = ctx.closing(dealer, slot_start) - timedelta(minutes=30)
        appointment.arrived_at = min(slot_start + _arrival_offset(ctx), latest_arrival)
        appointment.arrival_recorded_by = advisor
        if ctx.rng.random() < 0.7:
            appointment.confirmed_at, appointment.confirmed_by = confirm_at, appointment.created_by
    return appointment, booked_at


def _reminder(appointment: Appointment, booked_at: datetime) -> Task:
    day_before = local_moment(local_date(appointment.slot_start) - timedelta(days=1), REMINDER_TIME)
    local = localtime(appointment.slot_start)
    return Task(
        dealer=appointment.dealer,
        kind=TaskKind.APPOINTMENT_REMINDER,
        title=f"提醒{appointment.customer.name}：{local:%m-%d %H:%M} 预约（{appointment.vehicle}）",
        due_at=max(day_before, booked_at),
        role=Role.SERVICE_ADVISOR,
        assignee=appointment.advisor,
        customer=appointment.customer,
        vehicle=appointment.vehicle,
    )


def create_appointments(ctx: DemoContext) -> None:
    """Plan every vehicle's visits; book almost half of them ahead (pending ones carry their reminder task)."""
    total = 0
    for index, dealer in enumerate(ctx.dealers, start=1):
        lapse = YEARLY_LAPSE[(index - 1) % len(YEARLY_LAPSE)]
        staff = (ctx.users.get(f"advisor{index}"), ctx.users.get(f"care{index}"))
        slot_times = _slot_times(dealer)
        plan = sorted(
            (
                visit
                for v in ctx.vehicles.get(dealer.pk, [])
                for visit in _visit_plan(ctx, dealer, v, v.created_at, lapse)
            ),
            key=lambda visit: (visit.day, visit.vehicle.pk),
        )
        rows: list[tuple[Appointment, datetime]] = []
        visits: list[PlannedVisit] = []
        for visit in plan:
            share = BOOKED_SHARE_AHEAD if visit.day > ctx.until else BOOKED_SHARE
            if visit.first or ctx.rng.random() >= share:  # a new customer walks in the first time
                if visit.day <= ctx.until:
                    visits.append(visit)
                continue
            appointment, booked_at = _appointment(
                ctx, dealer, visit.vehicle, visit.day, visit.job_type, slot_times, staff
            )
            rows.append((appointment, booked_at))
            if appointment.status == AppointmentStatus.ARRIVED:
                visit.appointment, visit.arrived_at = appointment, appointment.arrived_at
                visits.append(visit)
        ctx.visit_plan[dealer.pk] = visits
        # Walk-ins have always arrived, so every pending appointment was booked ahead and has its reminder.
        pending = [(a, booked_at) for a, booked_at in rows if a.status in PENDING]
        reminders = bulk_create_with_history(
            [_reminder(a, booked_at) for a, booked_at in pending], Task, default_user=ctx.admin
        )
        for (appointment, _booked_at), task in zip(pending, reminders, strict=True):
            appointment.reminder_task = task
        appointments = bulk_create_with_history([a for a, _ in rows], Appointment, default_user=ctx.admin)
        # auto_now_add stamped "now" on insert: backdate to when each was booked.
        for appointment, (_a, booked_at) in zip(appointments, rows, strict=True):
            appointment.created_at = booked_at
        Appointment.objects.bulk_update(appointments, ["created_at"], batch_size=500)
        total += len(appointments)
    ctx.say(f"  {total} appointments")


def record_bookings(ctx: DemoContext) -> None:
    """Save what became of the booked visits once repairs.demo has run them: the repair order an arrived booking
    opened, and the bookings the desk cancelled because the car was still in the workshop."""
    for appointment, order in ctx.booked_orders:
        appointment.repair_order = order
    Appointment.objects.bulk_update([a for a, _ in ctx.booked_orders], ["repair_order"], batch_size=500)
    for appointment, cancelled_at, advisor in ctx.cancelled_bookings:
        appointment.status, appointment.arrived_at, appointment.arrival_recorded_by = (
            AppointmentStatus.CANCELLED,
            None,
            None,
        )
        appointment.cancelled_at = cancelled_at
        appointment.cancelled_by, appointment.cancel_reason = advisor, "车辆仍在店内维修，客户取消本次预约"
    Appointment.objects.bulk_update(
        [a for a, *_ in ctx.cancelled_bookings],
        ["status", "arrived_at", "arrival_recorded_by", "cancelled_at", "cancelled_by", "cancel_reason"],
    )
