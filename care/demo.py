"""Demo data of customer care: follow-up calls as the specialists made them, reminders, letters, a campaign.

The dealers keep the quality profile of the repair orders (repairs.demo.PROFILES, by position): the good dealer
calls early in the window and reaches most customers, the weak one starts late and gives up more often, so D4
and the call satisfaction differ between them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.choices import Role
from accounts.models import User
from care.choices import CallOutcome, CampaignStatus, LetterKind, LetterMedium, ReminderStatus, TargetStatus
from care.models import CallRecord, Campaign, CampaignTarget, Letter, Reminder
from care.reminders import generate_reminders
from care.services import MAX_FAILED_ATTEMPTS, follow_up_window
from core.demo import DemoContext
from customers.models import Customer
from repairs.models import RepairOrder
from todo.choices import TaskKind, TaskStatus
from todo.models import Task


@dataclass(frozen=True)
class CareProfile:
    start_delay_days: tuple[int, int]  # when in the window the first attempt is made (days after it opens)
    reach: float  # chance an attempt reaches the customer
    skipped: float  # share of follow-ups nobody ever calls
    satisfaction: tuple[int, ...]  # weights of answers 1..5


CARE_PROFILES = [
    CareProfile((0, 2), 0.85, 0.01, (1, 1, 4, 30, 64)),
    CareProfile((0, 5), 0.7, 0.04, (2, 4, 12, 42, 40)),
    CareProfile((2, 10), 0.55, 0.1, (5, 9, 20, 40, 26)),
]
SUMMARIES = {
    5: "车况良好，对服务很满意",
    4: "总体满意，等待时间稍长",
    3: "一般，希望价格更透明",
    2: "不满意：交车延误",
    1: "很不满意：问题没有修好",
}


def _specialist(dealer) -> User | None:
    return (
        User.objects.filter(dealer_memberships__dealer=dealer, groups__name=Role.FOLLOWUP_SPECIALIST)
        .order_by("id")
        .first()
    )


MAX_CALLS_PER_WEEK = 3  # a specialist does not ring one customer more often (two visits' follow-ups share it)


def _calls_for(ctx: DemoContext, profile: CareProfile, task: Task, specialist: User, called: dict) -> list[CallRecord]:
    """Attempts on a task from a day in its window, one a working day during opening hours, until reached or
    three failures; never a second call to the customer the same day, nor more than three in a week
    (``called``: (customer, ISO year, week) -> calls, and (customer, day) -> 1)."""
    calls: list[CallRecord] = []
    if ctx.rng.random() < profile.skipped:
        return calls
    day = timezone.localdate(task.due_at) + timedelta(days=ctx.rng.randint(*profile.start_delay_days))
    while len([c for c in calls if c.outcome != CallOutcome.REACHED]) < MAX_FAILED_ATTEMPTS:
        day = ctx.working_day(task.dealer, day)
        week = (task.customer_id, *day.isocalendar()[:2])
        if called.get(week, 0) >= MAX_CALLS_PER_WEEK or (task.customer_id, day) in called:
            day += timedelta(days=1)
            continue
        if day > ctx.until:
            break
        called[week] = called.get(week, 0) + 1
        called[(task.customer_id, day)] = 1
        moment = ctx.open_moment(task.dealer, day, earliest=time(9))
        reached = ctx.rng.random() < profile.reach
        outcome = CallOutcome.REACHED if reached else ctx.rng.choice([CallOutcome.NOT_REACHED] * 5 + ["wrong_number"])
        call = CallRecord(
            dealer=task.dealer, customer_id=task.customer_id, vehicle_id=task.vehicle_id,
            repair_order=task.repair_order, task=task, purpose="follow_up", called_at=moment, called_by=specialist,
            outcome=outcome,
        )  # fmt: skip
        if reached:
            score = ctx.rng.choices(range(1, 6), weights=profile.satisfaction)[0]
            call.satisfaction, call.problem_solved, call.summary = score, score >= 3, SUMMARIES[score]
            if score <= 2:
                call.complaint_text = SUMMARIES[score]
                call.next_action = "转服务经理处理"
        calls.append(call)
        if reached:
            break
        day += timedelta(days=1)
    return calls


def create_follow_ups(ctx: DemoContext) -> None:
    """The follow-up calls of every delivered demo order: first call on day 3–7, second within 7 days of it."""
    total_calls = 0
    for index, dealer in enumerate(ctx.dealers, start=1):
        profile = CARE_PROFILES[(index - 1) % len(CARE_PROFILES)]
        specialist = _specialist(dealer)
        if specialist is None:
            continue
        orders = RepairOrder.objects.filter(dealer=dealer, delivered_at__isnull=False).order_by("delivered_at", "id")
        called: dict = {}
        for kind in (TaskKind.FOLLOWUP_FIRST, TaskKind.FOLLOWUP_SECOND):
            tasks, calls = [], []
            if kind == TaskKind.FOLLOWUP_FIRST:
                sources = [(order, order.delivered_at) for order in orders]
            else:  # after a first call that reached the customer
                firsts = Task.objects.filter(dealer=dealer, kind=TaskKind.FOLLOWUP_FIRST, status=TaskStatus.DONE)
                sources = [(task.repair_order, task.done_at) for task in firsts.select_related("repair_order")]
            for order, after in sources:
                due_at, due_by = follow_up_window(kind, after)
                task = Task(
                    dealer=dealer, kind=kind, title=f"{TaskKind(kind).label}: {order.number}", due_at=due_at,
                    due_by=due_by, role=Role.FOLLOWUP_SPECIALIST, customer_id=order.customer_id,
                    vehicle_id=order.vehicle_id, repair_order=order,
                )  # fmt: skip
                task_calls = _calls_for(ctx, profile, task, specialist, called) if due_at <= ctx.latest else []
                if task_calls and task_calls[-1].outcome == CallOutcome.REACHED:
                    task.status, task.done_at, task.done_by = TaskStatus.DONE, task_calls[-1].called_at, specialist
                    task.outcome = task_calls[-1].summary
                elif len(task_calls) >= MAX_FAILED_ATTEMPTS:
                    task.status, task.done_at, task.done_by = (
                        TaskStatus.UNREACHABLE,
                        task_calls[-1].called_at,
                        specialist,
                    )
                    task.outcome = f"连续{MAX_FAILED_ATTEMPTS}次未接通"
                tasks.append(task)
                calls.append(task_calls)
            created = bulk_create_with_history(tasks, Task, batch_size=500, default_user=specialist)
            records = []
            for task, task_calls in zip(created, calls, strict=True):
                for call in task_calls:
                    call.task = task
                    records.append(call)
            bulk_create_with_history(records, CallRecord, batch_size=1000, default_user=specialist)
            total_calls += len(records)
    ctx.say(f"  {total_calls} follow-up calls")


def create_care(ctx: DemoContext) -> None:
    """Reminders as of the last demo day (some already worked), letters, and a seasonal campaign per dealer."""
    for index, dealer in enumerate(ctx.dealers, start=1):
        specialist = _specialist(dealer)
        if specialist is None:
            continue
        generate_reminders(dealer=dealer, today=ctx.until)
        worked = Reminder.objects.filter(dealer=dealer, remind_on__lt=ctx.until).order_by("id")
        share = (0.8, 0.6, 0.35)[(index - 1) % 3]
        contacted = [r.pk for r in worked if ctx.rng.random() < share]
        Reminder.objects.filter(pk__in=contacted).update(status=ReminderStatus.CONTACTED, contacted_at=ctx.latest)

        customers = list(Customer.objects.filter(dealer=dealer).order_by("id")[:40])
        if not customers:
            continue
        starts = ctx.until - timedelta(days=40)
        campaign = Campaign.objects.create(
            dealer=dealer, name="冬季免费检测周", kind="seasonal", starts_on=starts, ends_on=starts + timedelta(days=7),
            status=CampaignStatus.CLOSED, created_by=specialist,
            description="冬季到来，本店为您的爱车提供免费检测（电瓶、轮胎、暖风、雨刮）。",
            criteria={"last_visit_from": 0, "last_visit_to": 12, "brand": "", "consent_only": False},
        )  # fmt: skip
        targets = []
        for customer in customers:
            roll = ctx.rng.random()
            status = (
                TargetStatus.CONTACTED if roll < share else TargetStatus.UNREACHABLE if roll < share + 0.1
                else TargetStatus.DECLINED if roll < share + 0.2 else TargetStatus.PENDING
            )  # fmt: skip
            contacted_at = ctx.random_moment(starts - timedelta(days=14)) if status == TargetStatus.CONTACTED else None
            targets.append(
                CampaignTarget(campaign=campaign, customer=customer, status=status, contacted_at=contacted_at)
            )
        bulk_create_with_history(targets, CampaignTarget, default_user=specialist)
        letters = [
            Letter(
                dealer=dealer,
                number=f"{dealer.code}-L{starts.year}-{n:04d}",
                customer=t.customer,
                kind=LetterKind.INVITATION,
                medium=LetterMedium.WECHAT,
                subject="冬季免费检测周邀请函",
                body=campaign.description,
                sent_on=starts - timedelta(days=12),
                sent_by=specialist,
                campaign=campaign,
            )
            for n, t in enumerate((t for t in targets if t.status == TargetStatus.CONTACTED), start=1)
        ]
        bulk_create_with_history(letters, Letter, default_user=specialist)
