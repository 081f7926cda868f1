"""Audits of the service system (体系审核, dimension G): scoring, who may do what, the writes, and G per dealer.

Score (``audit_score``): ``base = earned / possible × 100`` where ``possible`` is the points of the items not
excluded and ``earned`` their scores; then every special deduction subtracts 1 and the special bonus (at most one)
adds 1 — in points of the 0–100 score (percentage points), not checklist points — and the result is clamped to
0..100. No item left to score (everything excluded) gives no score (None).

Who:
* self-audit (自查): the dealer's own staff with ``evaluation.add_audit`` (service manager) and write access to
  the dealer; the auditor is the user who creates it, any of the dealer's auditors may continue a draft.
* official audit (厂家审核): a user with the custom permission ``evaluation.conduct_audit`` (region managers) on a
  dealer they can read (their regions'). Region managers stay read-only for the dealer's operational records; the
  audit is the OEM's own record about the dealer. Only its auditor (or a superuser) edits it.
* confirm: ``evaluation.confirm_audit`` by the other side — the dealer (write access) confirms an official audit,
  an official auditor of the dealer confirms a self-audit.

Indicator G for a period (``audit_scores``): the latest audit dated in the period and submitted by ``as_of`` (the
evaluation moment, default now; ``submitted_at``, stamped by ``audit_submit``; a submitted audit never goes back to
draft and its score is fixed then, a confirmation later changes neither), an official one if there is any, else a
self-audit. An audit submitted after ``as_of`` does not count, even when dated in the period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.indicators import Rate
from core.permissions import allowed
from core.services import lock_version, save_next_version
from core.uploads import IMAGE_KINDS, UploadRule
from evaluation.choices import AdjustmentKind, AuditKind, AuditStatus
from evaluation.models import (
    Audit,
    AuditAdjustment,
    AuditEvidence,
    AuditItem,
    AuditItemScore,
    AuditTemplate,
)

ADD = "evaluation.add_audit"
CONDUCT = "evaluation.conduct_audit"
CONFIRM = "evaluation.confirm_audit"
EVIDENCE_UPLOAD = UploadRule(
    kinds=(*IMAGE_KINDS, "pdf"),
    max_bytes=10 * 1024 * 1024,
    too_large=gettext_lazy("An evidence file may be at most %(mb)s MB."),
    wrong_kind=gettext_lazy("Use a photo (JPEG, PNG or WebP) or a PDF."),
)


# --------------------------------------------------------------------------------------------------------------------
# Scoring (pure)
# --------------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditScore:
    """Points earned and possible, the base percentage, the adjustments and the final 0–100 score."""

    earned: Decimal
    possible: Decimal
    base: Decimal | None
    deductions: int
    bonus: bool
    score: Decimal | None
    unscored: int


def _two(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def audit_score(items, *, deductions: int = 0, bonus: bool = False) -> AuditScore:
    """Score of ``items`` = iterable of (points, score or None, excluded); see the module docstring.

    An item neither scored nor excluded counts as 0 earned (and is reported in ``unscored``).
    """
    earned = possible = Decimal("0")
    unscored = 0
    for points, score, excluded in items:
        if excluded:
            continue
        possible += Decimal(points)
        if score is None:
            unscored += 1
        else:
            earned += Decimal(score)
    if possible == 0:
        return AuditScore(earned, possible, None, deductions, bonus, None, unscored)
    base = Rate(earned, possible).percent_decimal(places=None)
    final = min(Decimal("100"), max(Decimal("0"), base - deductions + (1 if bonus else 0)))
    return AuditScore(earned, possible, _two(base), deductions, bonus, _two(final), unscored)


def score_of(audit: Audit) -> AuditScore:
    """The live score of an audit (uses prefetched item_scores/adjustments when present)."""
    rows = [(s.item.points, s.score, s.excluded) for s in audit.item_scores.all()]
    adjustments = list(audit.adjustments.all())
    deductions = sum(1 for a in adjustments if a.kind == AdjustmentKind.DEDUCTION)
    bonus = any(a.kind == AdjustmentKind.BONUS for a in adjustments)
    return audit_score(rows, deductions=deductions, bonus=bonus)


# --------------------------------------------------------------------------------------------------------------------
# Who may do what
# --------------------------------------------------------------------------------------------------------------------


def allowed_kinds(user, dealer_id: int) -> list[str]:
    """The kinds of audit the user may start for this dealer."""
    kinds = []
    if allowed(user, ADD, dealer=dealer_id):
        kinds.append(AuditKind.SELF)
    if allowed(user, CONDUCT, dealer=dealer_id, write=False):
        kinds.append(AuditKind.OFFICIAL)
    return kinds


def can_edit(user, audit: Audit) -> bool:
    """Whether the user may score this draft audit, add evidence and adjustments, and submit it."""
    if audit.status != AuditStatus.DRAFT:
        return False
    if audit.kind == AuditKind.SELF:
        return allowed(user, ADD, dealer=audit.dealer_id)
    return (user.is_superuser or audit.auditor_id == user.pk) and allowed(
        user, CONDUCT, dealer=audit.dealer_id, write=False
    )


def can_confirm(user, audit: Audit) -> bool:
    """Whether the user may confirm this submitted audit (the other side: dealer for official, OEM for self)."""
    if audit.status != AuditStatus.SUBMITTED or not user.has_perm(CONFIRM) or audit.auditor_id == user.pk:
        return False
    if audit.kind == AuditKind.OFFICIAL:
        return allowed(user, dealer=audit.dealer_id)
    return allowed(user, CONDUCT, dealer=audit.dealer_id, write=False)


def _require_edit(user, audit: Audit) -> None:
    if audit.status != AuditStatus.DRAFT:
        raise ValidationError(_("This audit has been submitted and can no longer be changed."))
    if not can_edit(user, audit):
        raise PermissionDenied(_("You cannot change this audit."))


# --------------------------------------------------------------------------------------------------------------------
# Writes
# --------------------------------------------------------------------------------------------------------------------


@transaction.atomic
def audit_create(*, dealer, template: AuditTemplate, kind: str, audit_date: date, by, summary: str = "") -> Audit:
    """Start a draft audit of a dealer with one empty score row per checklist item."""
    if kind not in allowed_kinds(by, dealer.pk):
        raise PermissionDenied(_("You cannot start this kind of audit for this dealer."))
    if not template.is_active:
        raise ValidationError({"template": _("This checklist template is no longer offered.")})
    today = timezone.localdate()
    if audit_date > today:
        raise ValidationError({"audit_date": _("The audit date cannot be in the future.")})
    items = list(AuditItem.objects.filter(section__template=template).order_by("section__position", "position"))
    if not items:
        raise ValidationError({"template": _("This checklist template has no items.")})
    audit = Audit(dealer=dealer, template=template, kind=kind, auditor=by, audit_date=audit_date,
                  summary=summary.strip())  # fmt: skip
    audit._history_user = by
    audit.save()
    AuditItemScore.objects.bulk_create(AuditItemScore(audit=audit, item=item) for item in items)
    return audit


@dataclass
class ItemScoreInput:
    """One row of the scoring form / API: an item's score or its exclusion."""

    item_id: int
    score: Decimal | None = None
    excluded: bool = False
    exclusion_reason: str = ""
    note: str = ""


@transaction.atomic
def audit_score_items(*, audit: Audit, rows: list[ItemScoreInput], by, version: int | None) -> Audit:
    """Record scores (0..points) or exclusions (with a reason) of several items of a draft audit at once."""
    _require_edit(by, audit)
    audit.version = lock_version(audit, expected_version=version)
    scores = {s.item_id: s for s in audit.item_scores.select_related("item")}
    errors: dict[str, list[str]] = {}
    changed = []
    for row in rows:
        item_score = scores.get(row.item_id)
        if item_score is None:
            errors.setdefault("items", []).append(_("Item %(id)s is not on this checklist.") % {"id": row.item_id})
            continue
        code = item_score.item.code
        if row.excluded:
            if not row.exclusion_reason.strip():
                errors.setdefault(f"item_{row.item_id}", []).append(
                    _("%(code)s: give the reason for excluding the item.") % {"code": code}
                )
            score = None
        else:
            score = row.score
            if score is not None and not Decimal("0") <= Decimal(score) <= item_score.item.points:
                errors.setdefault(f"item_{row.item_id}", []).append(
                    _("%(code)s: the score must be between 0 and %(points)s.")
                    % {"code": code, "points": item_score.item.points}
                )
        item_score.score = score
        item_score.excluded = row.excluded
        item_score.exclusion_reason = row.exclusion_reason.strip() if row.excluded else ""
        item_score.note = row.note.strip()
        changed.append(item_score)
    if errors:
        raise ValidationError(errors)
    for item_score in changed:
        item_score._history_user = by
        item_score.save()
    return save_next_version(audit, by=by, update_fields=[], clean=False)


def _locked_draft(by, audit: Audit) -> Audit:
    """The audit locked until the transaction ends, checked again after the lock (a submit may have won the race)."""
    audit = Audit.objects.select_for_update().get(pk=audit.pk)
    _require_edit(by, audit)
    return audit


@transaction.atomic
def audit_add_adjustment(*, audit: Audit, kind: str, reason: str, by) -> AuditAdjustment:
    """Record a special deduction (−1, any number) or the special bonus (+1, at most one) with its reason."""
    audit = _locked_draft(by, audit)
    if kind not in AdjustmentKind.values:
        raise ValidationError({"kind": _("Unknown adjustment.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason.")})
    if kind == AdjustmentKind.BONUS and audit.adjustments.filter(kind=AdjustmentKind.BONUS).exists():
        raise ValidationError({"kind": _("An audit has at most one special bonus.")})
    adjustment = AuditAdjustment(audit=audit, kind=kind, reason=reason.strip(), created_by=by)
    adjustment._history_user = by
    adjustment.save()
    return adjustment


@transaction.atomic
def audit_remove_adjustment(*, adjustment: AuditAdjustment, by) -> None:
    """Remove a deduction or the bonus of a draft audit."""
    _locked_draft(by, adjustment.audit)
    adjustment._history_user = by
    adjustment.delete()


@transaction.atomic
def audit_add_evidence(*, audit: Audit, item_score: AuditItemScore, file, by, caption: str = "") -> AuditEvidence:
    """Attach an evidence file (photo or PDF, ≤ 10 MB, type checked from the content) to an item of a draft."""
    audit = _locked_draft(by, audit)
    if item_score.audit_id != audit.pk:
        raise ValidationError({"item": _("This item is not on this audit.")})
    evidence = AuditEvidence(audit=audit, item_score=item_score, extension=EVIDENCE_UPLOAD.check(file, field="file"),
                             original_name=(getattr(file, "name", "") or "")[:200], size=file.size,
                             caption=caption.strip(), uploaded_by=by)  # fmt: skip
    evidence.file = file
    evidence._history_user = by
    evidence.save()
    return evidence


@transaction.atomic
def audit_remove_evidence(*, evidence: AuditEvidence, by) -> None:
    """Remove an evidence file from a draft audit (the stored file is deleted after commit)."""
    _locked_draft(by, evidence.audit)
    storage, name = evidence.file.storage, evidence.file.name
    evidence._history_user = by
    evidence.delete()
    transaction.on_commit(lambda: storage.delete(name))


def submit_problems(audit: Audit) -> list[str]:
    """Why the audit cannot be submitted: unscored items, evidence missing where required."""
    problems = []
    rows = (
        audit.item_scores.select_related("item")
        .annotate(files=Count("evidence"))
        .order_by("item__section__position", "item__position")
    )
    for row in rows:
        if row.excluded:
            continue
        if row.score is None:
            problems.append(_("%(code)s is not scored.") % {"code": row.item.code})
        elif row.item.evidence_required and row.score > 0 and row.files == 0:
            problems.append(_("%(code)s needs evidence (a photo or PDF).") % {"code": row.item.code})
    if not problems and all(row.excluded for row in rows):
        problems.append(_("Every item is excluded: there is nothing to score."))
    return problems


@transaction.atomic
def audit_submit(*, audit: Audit, by, version: int | None) -> Audit:
    """Fix the score of a complete draft (every item scored or excluded, evidence where required)."""
    _require_edit(by, audit)
    lock_version(audit, expected_version=version)
    audit.refresh_from_db()
    problems = submit_problems(audit)
    if problems:
        raise ValidationError(problems)
    result = score_of(audit)
    audit.earned, audit.possible, audit.score = result.earned, result.possible, result.score
    audit.status = AuditStatus.SUBMITTED
    audit.submitted_at = timezone.now()
    return save_next_version(audit, by=by, clean=False)


@transaction.atomic
def audit_confirm(*, audit: Audit, by, version: int | None) -> Audit:
    """The other side confirms a submitted audit (its score does not change)."""
    lock_version(audit, expected_version=version)
    audit.refresh_from_db()
    if not can_confirm(by, audit):
        if audit.status != AuditStatus.SUBMITTED:
            raise ValidationError(_("Only a submitted audit can be confirmed."))
        raise PermissionDenied(_("You cannot confirm this audit."))
    audit.status = AuditStatus.CONFIRMED
    audit.confirmed_at = timezone.now()
    audit.confirmed_by = by
    return save_next_version(audit, by=by, clean=False)
