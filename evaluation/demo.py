"""Demo data: one official service-system audit per dealer in the last quarter, following the dealer profiles.

The first dealer of every three (repairs.demo PROFILES) is good, the second average, the third weak: the share of
items at full points, the partial scores and the special deductions/bonus follow that, so G differs clearly.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from io import BytesIO

from django.core.files.base import ContentFile

from core.demo import SHANGHAI, DemoContext
from evaluation import audits
from evaluation.choices import AdjustmentKind, AuditKind
from evaluation.defaults import AUDIT_TEMPLATE_CODE
from evaluation.models import Audit, AuditTemplate

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
        submitted_at = min(datetime.combine(day, time(17, 30), tzinfo=SHANGHAI), ctx.latest)
        Audit.objects.filter(pk=audit.pk).update(submitted_at=submitted_at)
        manager = ctx.users.get(f"manager{index}")
        if bonus and manager is not None:
            audit.refresh_from_db()
            audits.audit_confirm(audit=audit, by=manager, version=audit.version)
            Audit.objects.filter(pk=audit.pk).update(confirmed_at=min(submitted_at + timedelta(days=1), ctx.latest))
        count += 1
    ctx.say(f"  {count} service-system audits")
