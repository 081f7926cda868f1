"""Audits (体系审核): the score, the workflow and who may do what, evidence checks, and indicator G per period."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.tests.helpers import SHANGHAI, raises_because, sh
from evaluation.choices import AdjustmentKind, AuditKind, AuditStatus
from evaluation.models import Audit, AuditEvidence, AuditItem
from evaluation.selectors import audits as audit_selectors
from evaluation.services import audits
from evaluation.tests.conftest import complete

pytestmark = pytest.mark.django_db
D = Decimal


def test_audit_score_exact():
    items = [(D(4), D(3), False), (D(3), D(3), False), (D(3), None, True), (D(2), D("0.5"), False)]
    result = audits.audit_score(items)
    assert (result.earned, result.possible) == (D("6.5"), D(9))  # the excluded item leaves "possible"
    assert result.base == D("72.22") and result.score == D("72.22")
    result = audits.audit_score(items, deductions=2, bonus=True)
    assert result.score == D("71.22")  # 72.22… − 2 + 1 = 71.222…
    full = [(D(5), D(5), False)]
    assert audits.audit_score(full, bonus=True).score == D(100)  # clamped
    assert audits.audit_score([(D(5), D(0), False)], deductions=3).score == D(0)  # clamped
    assert audits.audit_score([(D(5), None, True)]).score is None  # nothing to score
    unscored = audits.audit_score([(D(5), None, False), (D(5), D(5), False)])
    assert (unscored.unscored, unscored.score) == (1, D(50))


def test_template_content(template):
    items = AuditItem.objects.filter(section__template=template)
    assert template.sections.count() == 8
    assert sum(i.points for i in items) == 100
    assert items.filter(evidence_required=True).count() >= 20
    assert items.filter(text__contains="70%").exists() and items.filter(text__contains="5%").exists()


def test_self_audit_flow(self_audit, manager_a, png, region_manager):
    audit = self_audit
    assert audit.item_scores.count() == AuditItem.objects.filter(section__template=audit.template).count()
    with raises_because(ValidationError, "1.1 is not scored."):
        audits.audit_submit(audit=audit, by=manager_a, version=audit.version)  # nothing scored yet
    first = audit.item_scores.select_related("item").get(item__code="3.3")
    audit = complete(
        audit, manager_a, png, score_fn=lambda item: item.points - 1 if item.code == "1.1" else item.points
    )
    audits.audit_score_items(
        audit=audit,
        by=manager_a,
        version=audit.version,
        rows=[audits.ItemScoreInput(item_id=first.item_id, excluded=True, exclusion_reason="单店经营")],
    )
    audit.refresh_from_db()
    audits.audit_add_adjustment(audit=audit, kind=AdjustmentKind.DEDUCTION, reason="价格公示不符", by=manager_a)
    audits.audit_add_adjustment(audit=audit, kind=AdjustmentKind.BONUS, reason="标杆店", by=manager_a)
    with raises_because(ValidationError, "An audit has at most one special bonus."):
        audits.audit_add_adjustment(audit=audit, kind=AdjustmentKind.BONUS, reason="again", by=manager_a)
    audits.audit_submit(audit=audit, by=manager_a, version=audit.version)
    audit.refresh_from_db()
    # 97 possible (3.3 excluded: 3 points), 96 earned (1.1 one short) -> 98.97 %, −1 + 1
    assert (audit.possible, audit.earned, audit.score) == (D(97), D(96), D("98.97"))
    assert audit.status == AuditStatus.SUBMITTED and audit.submitted_at
    with raises_because(
        ValidationError, "This audit has been submitted and can no longer be changed."
    ):  # submitted = fixed
        audits.audit_add_adjustment(audit=audit, kind=AdjustmentKind.DEDUCTION, reason="late", by=manager_a)
    assert not audits.can_confirm(manager_a, audit)  # not the own side
    audits.audit_confirm(audit=audit, by=region_manager, version=audit.version)
    audit.refresh_from_db()
    assert audit.status == AuditStatus.CONFIRMED and audit.confirmed_by == region_manager
    assert audit.history.count() >= 4


def test_exclusion_needs_a_reason_and_scores_stay_in_range(self_audit, manager_a):
    item_score = self_audit.item_scores.select_related("item").first()
    for row, reason in (
        (audits.ItemScoreInput(item_id=item_score.item_id, excluded=True), "give the reason for excluding the item."),
        (
            audits.ItemScoreInput(item_id=item_score.item_id, score=item_score.item.points + 1),
            "the score must be between",
        ),
    ):
        with raises_because(ValidationError, reason):
            audits.audit_score_items(audit=self_audit, rows=[row], by=manager_a, version=self_audit.version)
    item_score.refresh_from_db()
    assert (item_score.score, item_score.excluded) == (None, False)
    self_audit.refresh_from_db()
    assert self_audit.version == 1


def test_evidence_required_before_submit_and_type_checks(self_audit, manager_a, png):
    audit = complete(self_audit, manager_a, png)
    AuditEvidence.objects.filter(audit=audit).delete()
    assert any("evidence" in p or "证据" in p for p in audits.submit_problems(audit))
    item_score = audit.item_scores.first()
    fake = SimpleUploadedFile("x.png", b"<html>not an image</html>", content_type="image/png")
    with raises_because(ValidationError, "Use a photo (JPEG, PNG or WebP) or a PDF."):
        audits.audit_add_evidence(audit=audit, item_score=item_score, file=fake, by=manager_a)
    pdf = SimpleUploadedFile("report.pdf", b"%PDF-1.4\n%...\n", content_type="application/pdf")
    evidence = audits.audit_add_evidence(audit=audit, item_score=item_score, file=pdf, by=manager_a)
    assert evidence.extension == "pdf" and evidence.file.name.endswith(".pdf") and "report" not in evidence.file.name
    big = SimpleUploadedFile(
        "big.pdf", b"%PDF-" + b"0" * audits.EVIDENCE_UPLOAD.max_bytes, content_type="application/pdf"
    )
    with raises_because(ValidationError, "An evidence file may be at most 10 MB."):
        audits.audit_add_evidence(audit=audit, item_score=item_score, file=big, by=manager_a)


def test_who_may_do_what(dealer_a, dealer_b, template, manager_a, manager_b, region_manager, advisor_a):
    today = timezone.localdate()
    assert audits.allowed_kinds(manager_a, dealer_a.pk) == [AuditKind.SELF]
    assert audits.allowed_kinds(region_manager, dealer_a.pk) == [AuditKind.OFFICIAL]
    assert audits.allowed_kinds(region_manager, dealer_b.pk) == []  # another region
    assert audits.allowed_kinds(advisor_a, dealer_a.pk) == []
    for user, dealer, kind in (
        (manager_a, dealer_b, AuditKind.SELF),
        (manager_a, dealer_a, AuditKind.OFFICIAL),
        (region_manager, dealer_a, AuditKind.SELF),
        (region_manager, dealer_b, AuditKind.OFFICIAL),
    ):
        with raises_because(PermissionDenied, "You cannot start this kind of audit for this dealer."):
            audits.audit_create(dealer=dealer, template=template, kind=kind, audit_date=today, by=user)
    with raises_because(ValidationError, "The audit date cannot be in the future."):
        audits.audit_create(
            dealer=dealer_a, template=template, kind=AuditKind.SELF, by=manager_a, audit_date=today + timedelta(days=1)
        )
    official = audits.audit_create(
        dealer=dealer_a, template=template, kind=AuditKind.OFFICIAL, audit_date=today, by=region_manager
    )
    assert audits.can_edit(region_manager, official) and not audits.can_edit(manager_a, official)
    with raises_because(PermissionDenied, "You cannot change this audit."):
        audits.audit_add_adjustment(audit=official, kind=AdjustmentKind.DEDUCTION, reason="x", by=manager_a)
    assert Audit.objects.count() == 1


def _audit(dealer, template, by, kind, day, score, status=AuditStatus.SUBMITTED, submitted_at=None):
    audit = audits.audit_create(dealer=dealer, template=template, kind=kind, audit_date=day, by=by)
    if status != AuditStatus.DRAFT:
        submitted_at = submitted_at or datetime.combine(day, time(17), tzinfo=SHANGHAI)
    Audit.objects.filter(pk=audit.pk).update(status=status, score=score, submitted_at=submitted_at)
    return audit


def test_audit_scores_for_indicator_g(dealer_a, dealer_b, template, manager_a, manager_b, region_manager):
    oct_1, oct_20, nov_2 = date(2026, 10, 1), date(2026, 10, 20), date(2026, 11, 2)
    own_early = _audit(dealer_a, template, manager_a, AuditKind.SELF, oct_1, D("70"))
    official = _audit(dealer_a, template, region_manager, AuditKind.OFFICIAL, date(2026, 10, 10), D("81.5"))
    _audit(dealer_a, template, manager_a, AuditKind.SELF, oct_20, D("99"))  # later, but a self-audit
    _audit(dealer_a, template, region_manager, AuditKind.OFFICIAL, date(2026, 10, 25), D("10"), AuditStatus.DRAFT)
    _audit(dealer_a, template, region_manager, AuditKind.OFFICIAL, nov_2, D("50"))  # next period
    b_self = _audit(dealer_b, template, manager_b, AuditKind.SELF, oct_20, D("88"))
    october = audit_selectors.audit_scores([dealer_a.pk, dealer_b.pk, 999], date(2026, 10, 1), date(2026, 10, 31))
    assert october == {
        dealer_a.pk: {"score": 81.5, "audit_id": official.pk},
        dealer_b.pk: {"score": 88.0, "audit_id": b_self.pk},
        999: {"score": None, "audit_id": None},
    }
    half_open = audit_selectors.audit_scores([dealer_a.pk], sh(2026, 10, 1), sh(2026, 10, 10))
    assert half_open[dealer_a.pk] == {"score": 70.0, "audit_id": own_early.pk}  # 10 Oct is outside [1 Oct, 10 Oct)
    assert audit_selectors.audit_scores([dealer_b.pk], nov_2, nov_2)[dealer_b.pk]["score"] is None
    # As of 15 October the official audit of 10 October (submitted 17:00 that day) is the latest submitted.
    mid_october = sh(2026, 10, 15)
    assert audit_selectors.audit_scores([dealer_a.pk], oct_1, date(2026, 10, 31), mid_october)[dealer_a.pk] == {
        "score": 81.5, "audit_id": official.pk,
    }  # fmt: skip
    # An audit dated in the period but submitted after as_of is not there yet.
    late = _audit(dealer_b, template, manager_b, AuditKind.SELF, date(2026, 10, 25), D("60"),
                  submitted_at=sh(2026, 11, 9, 9))  # fmt: skip
    run_moment = sh(2026, 11, 8)
    chosen = audit_selectors.audit_scores([dealer_b.pk], oct_1, date(2026, 10, 31), run_moment)[dealer_b.pk]
    assert chosen["audit_id"] == b_self.pk
    assert audit_selectors.audit_scores([dealer_b.pk], oct_1, date(2026, 10, 31))[dealer_b.pk]["audit_id"] == late.pk
