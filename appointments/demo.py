"""Demo appointments: about half the demo vehicles booked 1–3 times over the demo months and the coming week.

Rows are written directly (bulk) rather than through the services: this is history, and the
repair orders of past visits come from a later demo step. Most customers arrive within
±15 minutes of their slot, some late, ~6 % do not come, ~5 % cancel with a reason.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

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
from core.demo import SHANGHAI, DemoContext
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
JOB_WEIGHTS = [55, 25, 7, 7, 3, 3]
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


def _appointment(ctx, dealer, vehicle, day, slot_times, staff) -> tuple[Appointment, datetime]:
    """One appointment of ``vehicle`` on ``day`` and when it was booked; its outcome follows from ctx.latest."""
    advisor, care = staff
    channel = ctx.rng.choices(CHANNELS, weights=CHANNEL_WEIGHTS)[0]
    job_type = ctx.rng.choices(list(REQUESTS), weights=JOB_WEIGHTS)[0]
    slot_start = datetime.combine(day, ctx.rng.choice(slot_times), tzinfo=SHANGHAI)
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
    appointment.created_by = ctx.rng.choice([advisor, care])
    appointment.reschedule_count = 1 if ctx.rng.random() < 0.08 else 0
    confirm_at = min(
        max(datetime.combine(day - timedelta(days=1), REMINDER_TIME, tzinfo=SHANGHAI), booked_at)
        + timedelta(minutes=ctx.rng.randint(0, 360)),
        slot_start - timedelta(minutes=30),
    )
    draw = ctx.rng.random()
    if not past:
        # Coming appointments: confirmed on the day-before call if that has happened, else now and then at once.
        if confirm_at > ctx.latest:
            confirm_at = min(booked_at + timedelta(minutes=ctx.rng.randint(5, 240)), ctx.latest)
        if draw < 0.5:
            appointment.status = AppointmentStatus.CONFIRMED
            appointment.confirmed_at, appointment.confirmed_by = confirm_at, appointment.created_by
        return appointment, booked_at
    if draw < 0.065:
        appointment.status = AppointmentStatus.NO_SHOW
        appointment.no_show_at = min(slot_start + timedelta(minutes=ctx.rng.randint(30, 120)), ctx.latest)
        appointment.no_show_by = advisor
        if ctx.rng.random() < 0.4:
            appointment.confirmed_at, appointment.confirmed_by = confirm_at, appointment.created_by
    elif draw < 0.115:
        appointment.status = AppointmentStatus.CANCELLED
        window = max(60, int((slot_start - booked_at).total_seconds() // 60) - 30)
        appointment.cancelled_at = booked_at + timedelta(minutes=ctx.rng.randint(10, window))
        appointment.cancelled_by = ctx.rng.choice([advisor, care])
        appointment.cancel_reason = ctx.rng.choice(CANCEL_REASONS)
    else:
        appointment.status = AppointmentStatus.ARRIVED
        appointment.arrived_at = slot_start + _arrival_offset(ctx)
        appointment.arrival_recorded_by = advisor
        if ctx.rng.random() < 0.7:
            appointment.confirmed_at, appointment.confirmed_by = confirm_at, appointment.created_by
    return appointment, booked_at


def _reminder(appointment: Appointment, booked_at: datetime) -> Task:
    day_before = datetime.combine(appointment.slot_start.date() - timedelta(days=1), REMINDER_TIME, tzinfo=SHANGHAI)
    local = appointment.slot_start.astimezone(SHANGHAI)
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
    """About half the vehicles of each demo dealer get 1–3 appointments; pending ones carry their reminder task."""
    total = 0
    until = ctx.until + timedelta(days=7)
    for index, dealer in enumerate(ctx.dealers, start=1):
        staff = (ctx.users.get(f"advisor{index}"), ctx.users.get(f"care{index}"))
        slot_times = _slot_times(dealer)
        rows: list[tuple[Appointment, datetime]] = []
        for vehicle in ctx.vehicles.get(dealer.pk, []):
            if ctx.rng.random() >= 0.5:
                continue
            first = max(ctx.since, vehicle.created_at.astimezone(SHANGHAI).date())
            days = sorted({ctx.random_day(first, until) for _ in range(ctx.rng.choice([1, 1, 2, 2, 3]))})
            for day in days:
                if day.isoweekday() in dealer.working_weekdays:
                    rows.append(_appointment(ctx, dealer, vehicle, day, slot_times, staff))
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
