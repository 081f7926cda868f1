"""Demo data: one official service-system audit per dealer in the last quarter, following the dealer profiles.

The first dealer of every three (repairs.demo PROFILES) is good, the second average, the third weak: the share of
items at full points, the partial scores and the special deductions/bonus follow that, so G differs clearly.
"""

from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal
from io import BytesIO

from django.core.files.base import ContentFile
from django.utils import timezone

from core.dates import Month, local_date, local_moment, localtime
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


def _full_months(ctx: DemoContext) -> list[Month]:
    """The last two calendar months that lie wholly inside the demo period, oldest first."""
    month = Month.of(ctx.until)
    if ctx.until != month.last_day:
        month = month.previous()
    months = []
    while len(months) < 2 and month.first_day >= ctx.since:
        months.append(month)
        month = month.previous()
    return months[::-1]


def create_evaluations(ctx: DemoContext) -> None:
    """Evaluate the demo OEM for the last two full months (raising the alerts), with improvement actions planned
    on the weakest dealer's alerts after the first month: one due within the second month (so the second run
    checks it) and one due later (still in progress)."""
    from core.demo import DEMO_OEM_CODE
    from evaluation.choices import ActionStatus, AlertKind, AlertStatus
    from evaluation.models import AlertReason, EvaluationRun, ImprovementAction, QualityAlert
    from evaluation.services import alerts, runs
    from organization.models import Oem
    from todo.models import Task

    oem = Oem.objects.filter(code=DEMO_OEM_CODE).first()
    months = _full_months(ctx)
    if oem is None or not ctx.dealers or not months:
        return
    weakest = ctx.dealers[min(2, len(ctx.dealers) - 1)]  # the third dealer of every three is the weak profile
    manager = ctx.users.get(f"manager{ctx.dealers.index(weakest) + 1}")
    planned = 0
    for number, month in enumerate(months):
        run = runs.run_create(oem=oem, year=month.year, month=month.month)
        # The monthly schedule runs on the 1st of the next month at 02:00 (never after the end of the demo).
        finished = min(localtime(month.end) + timedelta(hours=2), ctx.latest)
        EvaluationRun.objects.filter(pk=run.pk).update(created_at=finished - timedelta(minutes=1))
        runs.run_execute(run)
        run.refresh_from_db()
        if run.status != EvaluationRun.Status.DONE:
            ctx.say(f"  evaluation {month} failed: {run.message}")
            continue
        EvaluationRun.objects.filter(pk=run.pk).update(finished_at=finished)
        QualityAlert.objects.filter(run=run).update(raised_at=finished, open_since=finished)
        AlertReason.objects.filter(run=run).update(found_at=finished)
        checked = ImprovementAction.objects.filter(checked_run=run)
        checked.update(checked_at=finished)
        Task.objects.filter(pk__in=checked.values("task_id"), done_at__isnull=False).update(done_at=finished)
        QualityAlert.objects.filter(actions__checked_run=run, closed_at__isnull=False).update(closed_at=finished)
        QualityAlert.objects.filter(actions__checked_run=run, status=AlertStatus.OPEN).update(open_since=finished)
        if number != 0 or len(months) < 2 or manager is None:
            continue
        candidates = list(
            QualityAlert.objects.filter(run=run, dealer=weakest, status=AlertStatus.OPEN)
            .exclude(kind=AlertKind.COMPLAINT_CLUSTER).order_by("kind", "indicator_code")[:2]
        )  # fmt: skip
        # Planned a few days after the alert, as the manager would; the first is due before the next run's month
        # ends (checked by it), the second a month after the demo ends.
        next_first = month.next().first_day
        due_dates = [next_first + timedelta(days=19), ctx.until + timedelta(days=30)]
        for alert, due in zip(candidates, due_dates, strict=False):
            name = alert.indicator.name_zh if alert.indicator else alert.get_kind_display()
            action = alerts.action_create(
                alert=alert,
                by=manager,
                owner=manager,
                due_date=max(due, timezone.localdate()),
                cause_analysis=f"{name}未达标：人员培训不足，流程执行不到位（演示数据）",
                plan="1. 召开质量分析会，明确责任人\n2. 针对薄弱环节开展专项培训\n3. 每周跟踪指标，班前会通报",
            )
            planned_at = min(finished + timedelta(days=3), ctx.latest)
            ImprovementAction.objects.filter(pk=action.pk).update(
                due_date=due, status=ActionStatus.IN_PROGRESS, created_at=planned_at
            )
            Task.objects.filter(pk=action.task_id).update(due_at=local_moment(due, time(10)))
            QualityAlert.objects.filter(pk=alert.pk).update(acknowledged_at=planned_at)
            planned += 1
    # The daily job (07:00) from the first run on: alerts nobody acted on go to the service manager, then the region.
    escalated = alerts.AlertEscalation()
    first_alert = QualityAlert.objects.filter(run__oem=oem).order_by("raised_at").values_list("raised_at", flat=True)
    if first_alert:
        day = local_date(first_alert[0])
        while (at := local_moment(day, time(7))) <= ctx.latest:
            done = alerts.alerts_escalate(now=at)
            escalated.to_manager += done.to_manager
            escalated.to_region += done.to_region
            day += timedelta(days=1)
    alert_count = QualityAlert.objects.filter(run__oem=oem).count()
    checked = ImprovementAction.objects.filter(dealer__region__oem=oem, checked_at__isnull=False).count()
    ctx.say(f"  {len(months)} evaluation runs, {alert_count} quality alerts ({len(escalated.to_manager)} escalated "
            f"to the service manager, {len(escalated.to_region)} to the region), {planned} improvement actions "
            f"({checked} checked)")  # fmt: skip
