"""Demo complaints: every category and channel, weaker dealers slower and worse, escalations and crisis alerts.

Rows are built in bulk with their own timestamps (the services would stamp "now"); the deadlines come
from the same SLA clock the services use (complaints.services.sla_deadlines over the dealer's calendar,
with the national holidays and make-up days ``manage.py demo_data`` first loads from the holiday library).
Overdue open complaints are then escalated by the real ``escalate_overdue`` at the end of the demo period,
and crisis alerts raised by ``check_crisis``.
"""

from __future__ import annotations

from datetime import timedelta

from simple_history.utils import bulk_create_with_history

from complaints import services
from complaints.choices import (
    AgreementMethod,
    Category,
    Channel,
    ContactChannel,
    EscalationLevel,
    EventAction,
    Severity,
    Status,
)
from complaints.models import Complaint, ComplaintContact, ComplaintEvent, ComplaintPolicy, CrisisAlert
from core.business_hours import add_business_time
from core.dates import localtime
from core.demo import DemoContext
from organization.calendar import business_calendar
from repairs.models import RepairOrder
from todo.choices import TaskKind, TaskStatus
from todo.models import Task

# Per quality level (good, middling, weak dealer, as in repairs.demo.PROFILES): complaints per delivered
# order, share of first contacts after the deadline, of feedback after the deadline, customer agreement.
QUALITY = [
    {"rate": 0.02, "late_contact": 0.04, "late_feedback": 0.06, "agreed": 0.95, "slow": 0.05},
    {"rate": 0.035, "late_contact": 0.18, "late_feedback": 0.22, "agreed": 0.85, "slow": 0.2},
    {"rate": 0.06, "late_contact": 0.38, "late_feedback": 0.45, "agreed": 0.7, "slow": 0.45},
]
STORIES = {
    Category.SERVICE_ATTITUDE: (
        "接待顾问态度冷淡，问了几次都不理人",
        "顾问服务意识不足",
        "当面致歉，顾问服务礼仪再培训",
    ),
    Category.REPAIR_QUALITY: ("修完没几天问题又出现了", "维修工艺不规范，未按标准力矩紧固", "免费返修，技师工艺复训"),
    Category.PRICE: ("结算价格比报价高，收费不透明", "增项未书面确认", "退还差价，增项一律签字确认"),
    Category.WAITING_TIME: ("说好两小时交车，等了四个小时", "派工排程未考虑配件到货", "赠送保养券，优化排程"),
    Category.PARTS: ("配件要等两周才到", "配件计划漏订", "加急调货，安全库存调整"),
    Category.FACILITY: ("休息区空调坏了，没有热水", "设施点检缺失", "维修空调，建立每日点检表"),
    Category.OTHER: ("车内物品丢失", "交接未清点物品", "协助寻回，物品清单签字"),
}
CONTACT_LINES = ["已电话致歉并说明处理安排", "约客户到店复检", "告知处理进度", "向客户说明原因和补偿方案"]


def create_complaints(ctx: DemoContext) -> None:
    """Complaints for every demo dealer from its delivered orders; a crisis cluster at the weakest dealers."""
    if not ComplaintPolicy.objects.filter(dealer__isnull=True).exists():
        ComplaintPolicy.objects.create()
    policy = ComplaintPolicy.objects.get(dealer__isnull=True)
    total = 0
    for index, dealer in enumerate(ctx.dealers, start=1):
        level = (index - 1) % len(QUALITY)
        quality = QUALITY[level]
        calendar = business_calendar(dealer, ctx.since - timedelta(days=3), ctx.until + timedelta(days=200))
        orders = list(
            RepairOrder.objects.filter(dealer=dealer, delivered_at__isnull=False)
            .select_related("customer", "vehicle")
            .order_by("delivered_at", "id")
        )
        wanted = max(len(Category.values), round(len(orders) * quality["rate"]))
        staff = {
            "manager": ctx.users[f"manager{index}"],
            "desk": [ctx.users[f"advisor{index}"], ctx.users[f"care{index}"]],
        }
        plan = []
        for n in range(wanted):
            order = ctx.rng.choice(orders) if orders and ctx.rng.random() < 0.8 else None
            received = order.delivered_at + timedelta(days=ctx.rng.uniform(0.2, 6)) if order else None
            if received is None or received >= ctx.latest:
                received = ctx.random_moment(ctx.random_day(), 8, 20)
            category = (
                Category.values[n % len(Category.values)]
                if n < len(Category.values)
                else ctx.rng.choice(Category.values)
            )
            plan.append((received, category, order))
        if level == len(QUALITY) - 1 and orders:  # a cluster on one fault in the last weeks: a crisis alert
            start = ctx.latest - timedelta(days=ctx.rng.uniform(3, 12))
            for k in range(3):
                plan.append((start + timedelta(days=k * 1.5, hours=ctx.rng.uniform(0, 3)), "cluster", orders[-1 - k]))
        total += _build(ctx, dealer, calendar, policy, quality, staff, sorted(plan, key=lambda p: p[0]))
    for complaint in (
        Complaint.objects.filter(dealer__in=ctx.dealers)
        .select_related("dealer", "vehicle")
        .order_by("received_at", "id")
    ):
        for alert in services.check_crisis(complaint=complaint, now=complaint.received_at):
            if alert.raised_at < ctx.latest - timedelta(days=7):
                manager = ctx.users.get(f"manager{ctx.dealers.index(complaint.dealer) + 1}")
                alert.acknowledged_at = alert.raised_at + timedelta(hours=ctx.rng.uniform(0.5, 6))
                alert.acknowledged_by, alert.acknowledgement_note = manager, "已召集专题会，逐一回访客户"
                alert.save()
    result = services.escalate_overdue(now=ctx.latest)
    ctx.say(
        f"  {total} complaints, {CrisisAlert.objects.count()} crisis alerts, "
        f"{len(result.to_manager)} + {len(result.to_region)} escalated now"
    )


def _build(ctx, dealer, calendar, policy, quality, staff, plan) -> int:
    rng, latest = ctx.rng, ctx.latest
    complaints, extras, counters = [], [], {}
    for received, category, order in plan:
        cluster = category == "cluster"
        if cluster:
            category = Category.REPAIR_QUALITY
        severity = rng.choices(Severity.values, [30, 45, 20, 5])[0] if not cluster else Severity.HIGH
        taker = rng.choice(staff["desk"])
        month = f"{localtime(received):%Y%m}"
        counters[month] = counters.get(month, 0) + 1
        story = STORIES[category]
        vehicle = order.vehicle if order else None
        fault = order.fault_category if order and order.fault_category != "none" else ""
        if cluster:
            fault = "brakes"
        complaint = Complaint(
            dealer=dealer,
            number=f"CP-{dealer.code}-{month}-{counters[month]:04d}",
            channel=rng.choices(Channel.values, [35, 20, 10, 20, 10, 5])[0],
            category=category,
            severity=severity,
            description="刹车修完一周又异响，第三次来了" if cluster else story[0],
            customer=order.customer if order else None,
            vehicle=vehicle,
            repair_order=order,
            contact_name=order.customer.name if order else rng.choice(["王先生", "李女士", "陈先生"]),
            contact_phone=order.customer.mobile if order else f"139{rng.randint(10**7, 10**8 - 1)}",
            staff=order.advisor if order and category == Category.SERVICE_ATTITUDE else None,
            fault_category=fault,
            cluster_key=services.cluster_key(category=category, fault_category=fault, vehicle=vehicle),
            received_at=received,
            received_by=taker,
            owner=staff["manager"] if severity in (Severity.HIGH, Severity.CRITICAL) else taker,
            sla_started_at=received,
        )
        due = services.sla_deadlines(
            calendar=calendar, policy=policy, received_at=received, sla_started_at=received, severity=severity
        )
        complaint.first_contact_due_at = due.first_contact_due_at
        complaint.feedback_due_at = due.feedback_due_at
        complaint.resolution_due_at = due.resolution_due_at
        contacts, events = [], [(EventAction.OPEN, received, taker, "", Status.OPEN, 0)]
        late = rng.random() < quality["late_contact"]
        first = add_business_time(
            calendar, received, timedelta(hours=rng.uniform(2.2, 14) if late else rng.uniform(0.1, 1.9))
        )
        if first <= latest:
            complaint.first_contact_at, complaint.status = first, Status.IN_PROGRESS
            contacts.append((first, complaint.owner, rng.choice(CONTACT_LINES), True, False))
            events.append((EventAction.CONTACT, first, complaint.owner, "电话", Status.IN_PROGRESS, 0))
            if late:  # the escalation job caught it before the contact
                at = complaint.first_contact_due_at + timedelta(minutes=5)
                complaint.escalation_level, complaint.escalated_at = EscalationLevel.SERVICE_MANAGER, at
                events.append((EventAction.ESCALATE, at, None, "首次联系超时", Status.OPEN, 1))
            late_feedback = rng.random() < quality["late_feedback"]
            feedback = (
                complaint.feedback_due_at + timedelta(hours=rng.uniform(2, 60))
                if late_feedback
                else add_business_time(calendar, first, timedelta(hours=rng.uniform(1, 12)))
            )
            feedback = min(feedback, complaint.feedback_due_at) if not late_feedback else feedback
            if feedback <= latest and feedback > first:
                complaint.feedback_at = feedback
                contacts.append((feedback, complaint.owner, "告知处理进度和方案", False, True))
                events.append((EventAction.CONTACT, feedback, complaint.owner, "反馈", Status.IN_PROGRESS, 0))
                slow = rng.random() < quality["slow"]
                days = rng.uniform(8, 20) if slow else rng.uniform(0.5, 6)
                resolved = feedback + timedelta(days=days)
                if resolved <= latest and not (cluster and resolved > latest - timedelta(days=2)):
                    agreed = rng.random() < quality["agreed"]
                    complaint.status, complaint.resolved_at, complaint.resolved_by = (
                        Status.RESOLVED, resolved, staff["manager"]
                    )  # fmt: skip
                    complaint.root_cause, complaint.corrective_action = story[1], story[2]
                    complaint.customer_agreed = agreed
                    complaint.agreement_method = rng.choice(AgreementMethod.values) if agreed else ""
                    complaint.agreement_note = "" if agreed else "客户仍不满意，要求厂家介入"
                    events.append((EventAction.RESOLVE, resolved, staff["manager"], story[1], Status.RESOLVED,
                                   complaint.escalation_level))  # fmt: skip
        complaints.append(complaint)
        extras.append((contacts, events))
    bulk_create_with_history(complaints, Complaint, default_user=ctx.admin)
    saved = {c.number: c for c in Complaint.objects.filter(dealer=dealer, number__in=[c.number for c in complaints])}
    contact_rows, event_rows, tasks = [], [], []
    for complaint, (contacts, events) in zip(complaints, extras, strict=True):
        complaint = saved[complaint.number]
        for at, by, summary, is_first, is_feedback in contacts:
            contact_rows.append(ComplaintContact(
                complaint=complaint, contacted_at=at, channel=ContactChannel.PHONE, by=by, summary=summary,
                is_first_contact=is_first, is_feedback=is_feedback,
            ))  # fmt: skip
        for action, at, by, note, status, level in events:
            event_rows.append(ComplaintEvent(complaint=complaint, action=action, to_status=status,
                                             escalation_level=level, at=at, by=by, note=note))  # fmt: skip
        done = complaint.first_contact_at is not None
        tasks.append(Task(
            dealer=dealer, kind=TaskKind.COMPLAINT_CONTACT, title=f"投诉 {complaint.number}：联系客户",
            due_at=complaint.first_contact_due_at, role=services.task_role_for(complaint.owner),
            assignee=complaint.owner, customer=complaint.customer, vehicle=complaint.vehicle,
            repair_order=complaint.repair_order, status=TaskStatus.DONE if done else TaskStatus.OPEN,
            done_at=complaint.first_contact_at, done_by=complaint.owner if done else None,
            outcome="已联系客户" if done else "",
        ))  # fmt: skip
    bulk_create_with_history(contact_rows, ComplaintContact, default_user=ctx.admin)
    ComplaintEvent.objects.bulk_create(event_rows)
    bulk_create_with_history(tasks, Task, default_user=ctx.admin)
    ordered = [saved[c.number] for c in complaints]
    for complaint, task in zip(ordered, tasks, strict=True):
        complaint.contact_task = task
    Complaint.objects.bulk_update(ordered, ["contact_task"], batch_size=500)
    return len(complaints)
