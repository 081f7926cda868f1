import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.choices import Role
from core.tests.factories import DealerFactory, OemFactory, RegionFactory, UserFactory
from evaluation.choices import AuditKind, SystemVersionStatus
from evaluation.defaults import AUDIT_TEMPLATE_CODE
from evaluation.models import AuditTemplate, SystemVersion
from evaluation.services import audits


@pytest.fixture
def default_version(db):
    """The default system's published version 1, loaded by migration 0002."""
    return SystemVersion.objects.get(system__oem__isnull=True, status=SystemVersionStatus.PUBLISHED)


@pytest.fixture
def template(db):
    return AuditTemplate.objects.get(code=AUDIT_TEMPLATE_CODE)


@pytest.fixture
def oem_admin(dealer_a):
    """An administrator working for dealer A: edits the indicator system of dealer A's OEM."""
    return UserFactory(username="eval_admin", roles=[Role.ADMINISTRATOR], dealers=[dealer_a])


@pytest.fixture
def superuser(db):
    return UserFactory(username="eval_root", is_superuser=True, is_staff=True)


@pytest.fixture
def manager_a(dealer_a):
    return UserFactory(username="eval_mgr_a", roles=[Role.SERVICE_MANAGER], dealers=[dealer_a])


@pytest.fixture
def manager_b(dealer_b):
    return UserFactory(username="eval_mgr_b", roles=[Role.SERVICE_MANAGER], dealers=[dealer_b])


@pytest.fixture
def other_oem_dealer(db):
    oem = OemFactory(code="OEM2", name="另一集团")
    return DealerFactory(code="X001", name="丙店", region=RegionFactory(oem=oem, code="RX"))


@pytest.fixture
def png():
    from io import BytesIO

    from PIL import Image

    def make(name="evidence.png"):
        buffer = BytesIO()
        Image.new("RGB", (8, 8), (200, 10, 10)).save(buffer, format="PNG")
        return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")

    return make


def complete(audit, by, png, *, score_fn=None):
    """Score every item (full points unless score_fn says otherwise) and attach evidence where required."""
    rows = []
    for item_score in audit.item_scores.select_related("item"):
        score = item_score.item.points if score_fn is None else score_fn(item_score.item)
        rows.append(audits.ItemScoreInput(item_id=item_score.item_id, score=score))
        if item_score.item.evidence_required and score > 0:
            audits.audit_add_evidence(audit=audit, item_score=item_score, file=png(), by=by)
    audit.refresh_from_db()
    audits.audit_score_items(audit=audit, rows=rows, by=by, version=audit.version)
    audit.refresh_from_db()
    return audit


@pytest.fixture
def self_audit(manager_a, dealer_a, template):
    from django.utils import timezone

    return audits.audit_create(
        dealer=dealer_a, template=template, kind=AuditKind.SELF, audit_date=timezone.localdate(), by=manager_a
    )
