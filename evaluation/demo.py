"""Demo data: one official service-system audit per dealer in the last quarter, following the dealer profiles, and
the monthly evaluations of the last 13 full months, published, with the alerts they raised and the improvement
actions the dealers planned on them.

The first dealer of every three (repairs.demo PROFILES) is good, the second average, the third weak: the share of
items at full points, the partial scores and the special deductions/bonus follow that, so G differs clearly.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, time, timedelta
from decimal import Decimal
from heapq import heappop, heappush
from io import BytesIO
from itertools import count

from django.core.files.base import ContentFile
from django.db.models import Count
from django.utils import timezone

from core.dates import Month, local_date, local_moment
from core.demo import DemoContext
from evaluation.choices import AdjustmentKind, AuditKind
from evaluation.defaults import AUDIT_TEMPLATE_CODE
from evaluation.models import Audit, AuditTemplate
from evaluation.services import audits

# (share of items at full points, lowest partial share, deductions, bonus) per dealer profile
AUDIT_PROFILES = [(0.9, 0.6, 0, True), (0.7, 0.4, 0, False), (0.45, 0.2, 2, False)]
EXCLUDED_ITEM = "3.3"  # 自建/委托网点比例: not applicable to a single-outlet dealer


def _evidence_png() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (160, 90), (236, 240, 244))
    ImageDraw.Draw(image).rectangle((8, 8, 152, 82), outline=(60, 90, 140), width=3)
    buffer = BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def create_audits(ctx: DemoContext) -> None:
    """One official audit per demo dealer dated in the last quarter, submitted; good dealers' audits confirmed."""
    template = AuditTemplate.objects.get(code=AUDIT_TEMPLATE_CODE)
    png = _evidence_png()
    start = max(ctx.since, ctx.until - timedelta(days=90))
    count = 0
    for index, dealer in enumerate(ctx.dealers, start=1):
        full_share, low_share, deductions, bonus = AUDIT_PROFILES[(index - 1) % len(AUDIT_PROFILES)]
        auditor = ctx.users.get(f"region_{dealer.region.code.lower()}") or ctx.admin
        day = ctx.random_day(start, ctx.until)
        audit = audits.audit_create(dealer=dealer, template=template, kind=AuditKind.OFFICIAL, audit_date=day,
                                    by=auditor, summary="年度服务体系审核（演示数据）")  # fmt: skip
        rows = []
        for item_score in audit.item_scores.select_related("item").order_by("item__section__position",
                                                                           "item__position"):  # fmt: skip
            item = item_score.item
            if item.code == EXCLUDED_ITEM:
                rows.append(
                    audits.ItemScoreInput(item_id=item.pk, excluded=True, exclusion_reason="单店经营，无委托网点")
                )
                continue
            if ctx.rng.random() < full_share:
                score = item.points
            else:
                share = Decimal(str(round(ctx.rng.uniform(low_share, 0.8) * 2, 0) / 2))
                score = (item.points * share).quantize(Decimal("0.5"))
            note = "" if score == item.points else "部分符合，需整改"
            rows.append(audits.ItemScoreInput(item_id=item.pk, score=score, note=note))
            if item.evidence_required and score > 0:
                upload = ContentFile(png, name=f"{item.code}.png")
                audits.audit_add_evidence(
                    audit=audit, item_score=item_score, by=auditor, caption=f"{item.code} 现场照片", file=upload
                )
        audits.audit_score_items(audit=audit, rows=rows, by=auditor, version=audit.version)
        for number in range(deductions):
            audits.audit_add_adjustment(audit=audit, kind=AdjustmentKind.DEDUCTION, by=auditor,
                                        reason=f"特殊扣分项 {number + 1}：公示价格与实际收费不符")  # fmt: skip
        if bonus:
            audits.audit_add_adjustment(audit=audit, kind=AdjustmentKind.BONUS, by=auditor,
                                        reason="特殊加分项：获评厂家年度服务标杆店")  # fmt: skip
        audit.refresh_from_db()
        audits.audit_submit(audit=audit, by=auditor, version=audit.version)
        submitted_at = min(local_moment(day, time(17, 30)), ctx.latest)
        Audit.objects.filter(pk=audit.pk).update(submitted_at=submitted_at)
        manager = ctx.users.get(f"manager{index}")
        if bonus and manager is not None:
            audit.refresh_from_db()
            audits.audit_confirm(audit=audit, by=manager, version=audit.version)
            Audit.objects.filter(pk=audit.pk).update(confirmed_at=min(submitted_at + timedelta(days=1), ctx.latest))
        count += 1
    ctx.say(f"  {count} service-system audits")


#: Months the demo evaluates: a 12-month trend and the month before its first (the first month's change).
EVALUATED_MONTHS = 13
#: Days after a run that a dealer's manager plans the action on an alert (the longer waits let the alert go to the
#: service manager, and once to the region, first: after the version's alert_escalation_days, 7 by default, and twice
#: that).
PLANNING_DELAYS = (1, 1, 2, 2, 2, 3, 3, 4, 5, 6, 9, 16)
#: Days from planning to the due date: a first action, a second after one that did not work (a larger plan, given
#: more time), and a third or later (a rectification over a quarter).
DUE_DAYS = [(14, 35), (35, 63), (56, 91)]
#: The newest run's alerts left without any action at each middling and weak dealer (the cockpit shows them).
LEFT_WITHOUT_ACTION = 2
PUBLISH, ESCALATE, PLAN, START = range(4)  # the steps between two runs, in this order at the same moment
CAUSES = [
    "{name}未达标：人员培训不足，流程执行不到位",
    "{name}未达标：高峰时段人手紧张，关键环节漏做",
    "{name}未达标：岗位职责不清，缺少日常检查",
]
PLANS = [
    "1. 召开质量分析会，明确责任人\n2. 针对薄弱环节开展专项培训\n3. 每周跟踪指标，班前会通报",
    "1. 调整排班，高峰时段增加接待/质检人手\n2. 关键环节加入检查清单\n3. 服务经理每周抽查",
    "1. 梳理流程并修订岗位职责\n2. 设立日看板跟踪指标\n3. 月底复盘，未达标项纳入考核",
]


def _full_months(ctx: DemoContext) -> list[Month]:
    """The last ``EVALUATED_MONTHS`` calendar months that lie wholly inside the demo period, oldest first (the
    current month, not full yet, is not evaluated)."""
    month = Month.of(ctx.until)
    if ctx.until != month.last_day:
        month = month.previous()
    months = []
    while len(months) < EVALUATED_MONTHS and month.first_day >= ctx.since:
        months.append(month)
        month = month.previous()
    return months[::-1]


@contextmanager
def _clock(moment: datetime):
    """Let the services stamp what they do at ``moment``: they read ``timezone.now()`` (runs, alerts, checks,
    events, history rows, to-dos), so the demo replays a year of runs, publications, escalations and improvement
    actions at the moments they would have happened instead of rewriting their timestamps afterwards."""
    real = timezone.now
    timezone.now = lambda: moment
    try:
        yield
    finally:
        timezone.now = real


def _schedule_moment(month: Month, grace_days: int, latest: datetime) -> tuple[datetime, bool]:
    """When the month is evaluated, and whether by the monthly schedule: at 02:00 on the day its grace period is
    over (``runs.due_month``); a month whose grace period is not over when the demo ends was run (provisionally) by
    the administrator at 09:00 two days before the end, not before the month's first night, never after the end."""
    scheduled = month.end + timedelta(days=grace_days, hours=2)
    if scheduled <= latest:
        return scheduled, True
    by_hand = local_moment(local_date(latest) - timedelta(days=2), time(9))
    return min(max(month.end + timedelta(hours=2), by_hand), latest), False


def create_evaluations(ctx: DemoContext) -> None:
    """Evaluate the demo OEM for the last 13 full months as the monthly schedule would (raising the alerts and
    checking the improvement actions due), each run published by the administrator a day or two later.  Between two
    runs the dealers' managers plan an action (themselves the owner, a due date, the cause and the measures) on every
    open alert, most within a few days, some after the alert went to them or to the region, and start it the next
    day; the next runs check them (effective, or not: the alert opens again and gets a new, longer action).  At the
    end the newest alerts are without action (two per middling and weak dealer on purpose, and those raised too
    recently), the last actions are in progress and one of the weakest dealer's is past its due date when the demo
    ends a few days into a month."""
    from core.demo import DEMO_OEM_CODE
    from evaluation.choices import ActionStatus, AlertStatus
    from evaluation.models import EvaluationRun, ImprovementAction, QualityAlert
    from evaluation.services import alerts, runs
    from organization.models import Oem

    oem = Oem.objects.filter(code=DEMO_OEM_CODE).first()
    months = _full_months(ctx)
    if oem is None or not ctx.dealers or not months or ctx.admin is None:
        return
    latest = ctx.latest  # read before any clock is set (it reads timezone.now())
    version = runs.version_for(oem)
    dealers = {d.pk: d for d in ctx.dealers}
    managers = {d.pk: ctx.users.get(f"manager{i}") for i, d in enumerate(ctx.dealers, start=1)}
    # The first dealer of every three is good, the second middling, the third weak (repairs.demo PROFILES).
    profile = {d.pk: i % 3 for i, d in enumerate(ctx.dealers)}
    weakest = max(profile, key=lambda pk: (profile[pk], -ctx.dealers.index(dealers[pk])))
    schedule = [_schedule_moment(month, version.grace_days, latest) for month in months]
    moments = [moment for moment, _by_schedule in schedule]
    escalated = alerts.AlertEscalation()
    # One action of the weakest dealer, planned a week to a month before, is due two days before the demo ends, after
    # the last evaluated month (so no run checks it): past its due date at the end.
    overdue_due = ctx.until - timedelta(days=2)
    overdue_wanted = overdue_due > months[-1].last_day
    done = planned = 0
    for number, month in enumerate(months):
        at = moments[number]
        with _clock(at - timedelta(minutes=1)):
            by = None if schedule[number][1] else ctx.admin  # None: the monthly schedule
            run = runs.run_create(oem=oem, year=month.year, month=month.month, by=by)
        with _clock(at):
            runs.run_execute(run)  # measures, scores, raises the alerts and checks the actions due (after_run)
        run.refresh_from_db()
        if run.status != EvaluationRun.Status.DONE:
            ctx.say(f"  evaluation {month} failed: {run.message}")
            continue
        done += 1
        # Until the next run (or the demo's end), in time order: the publication, the daily escalation at 07:00,
        # the managers planning an action on each open alert and starting it the next day.
        until = moments[number + 1] if number + 1 < len(months) else latest
        steps: list[tuple[datetime, int, int, object]] = []  # (moment, what, tie-break, subject): a heap
        order = count()
        review_day = local_date(at) + timedelta(days=ctx.rng.choice((1, 1, 2)))  # the OEM's office: Mon–Fri
        while review_day.weekday() >= 5:
            review_day += timedelta(days=1)
        published_at = local_moment(review_day, time(10, ctx.rng.randint(0, 59)))
        heappush(steps, (min(published_at, latest), PUBLISH, next(order), run))
        day = local_date(at) + timedelta(days=1)
        while (escalation_at := local_moment(day, time(7))) < until:
            heappush(steps, (escalation_at, ESCALATE, next(order), None))
            day += timedelta(days=1)
        left: dict[int, int] = {}
        waiting = QualityAlert.objects.filter(dealer__in=ctx.dealers, status=AlertStatus.OPEN)
        for alert_id, dealer_id in waiting.order_by("dealer__code", "kind", "indicator_code", "id").values_list(
            "id", "dealer_id"
        ):
            if number + 1 == len(months) and profile[dealer_id] and left.get(dealer_id, 0) < LEFT_WITHOUT_ACTION:
                left[dealer_id] = left.get(dealer_id, 0) + 1  # the newest run: left without action on purpose
                continue
            plan_day = local_date(at) + timedelta(days=ctx.rng.choice(PLANNING_DELAYS))
            plan_at = ctx.open_moment(dealers[dealer_id], plan_day, earliest=time(9), latest=time(17))
            if plan_at < until and managers.get(dealer_id) is not None:
                heappush(steps, (plan_at, PLAN, next(order), alert_id))
        while steps:
            moment, what, _tie, subject = heappop(steps)
            with _clock(moment):
                if what == PUBLISH:
                    runs.run_publish(run=subject, by=ctx.admin)
                elif what == ESCALATE:
                    found = alerts.alerts_escalate(now=moment)
                    escalated.to_manager += found.to_manager
                    escalated.to_region += found.to_region
                elif what == START:
                    action = ImprovementAction.objects.get(pk=subject)
                    alerts.action_move(action=action, by=action.owner, status=ActionStatus.IN_PROGRESS,
                                       version=action.version)  # fmt: skip
                else:
                    alert = QualityAlert.objects.select_related("indicator").get(pk=subject)
                    if alert.status != AlertStatus.OPEN:
                        continue
                    manager = managers[alert.dealer_id]
                    days = DUE_DAYS[min(alert.actions.count(), len(DUE_DAYS) - 1)]
                    due = local_date(moment) + timedelta(days=ctx.rng.randint(*days))
                    ahead = (overdue_due - local_date(moment)).days
                    if overdue_wanted and alert.dealer_id == weakest and 7 <= ahead <= 35:
                        due, overdue_wanted = overdue_due, False
                    name = alert.indicator.name_zh if alert.indicator else alert.get_kind_display()
                    action = alerts.action_create(
                        alert=alert, by=manager, owner=manager, due_date=due,
                        cause_analysis=ctx.rng.choice(CAUSES).format(name=name) + "（演示数据）",
                        plan=ctx.rng.choice(PLANS),
                    )  # fmt: skip
                    planned += 1
            if what == PLAN:  # started the next morning (outside the clock: ctx.latest reads the real time)
                start_at = ctx.open_moment(dealers[action.dealer_id], local_date(moment) + timedelta(days=1),
                                           earliest=time(8, 30), latest=time(12))  # fmt: skip
                if start_at < until:
                    heappush(steps, (start_at, START, next(order), action.pk))
    statuses = dict(
        ImprovementAction.objects.filter(dealer__in=ctx.dealers).order_by().values_list("status").annotate(
            n=Count("id"))
    )  # fmt: skip
    alert_count = QualityAlert.objects.filter(run__oem=oem).count()
    ctx.say(f"  {done} evaluation runs, published; {alert_count} quality alerts ({len(escalated.to_manager)} "
            f"escalated to the service manager, {len(escalated.to_region)} to the region); {planned} improvement "
            f"actions ({', '.join(f'{n} {status}' for status, n in sorted(statuses.items()))})")  # fmt: skip
