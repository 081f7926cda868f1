"""The staff demo step: deterministic, not in the future, and the weaker dealers do worse on C3 and C4."""

from datetime import date

import pytest

from core.dates import days_bounds
from organization.models import Dealer
from staff import kpis
from staff.models import Assessment, Certificate, StaffProfile, TrainingRecord
from todo.choices import TaskKind
from todo.models import Task

pytestmark = pytest.mark.django_db
UNTIL = date(2026, 10, 31)


def test_demo_staff(demo_dataset):  # 3 dealers, 3 months to 31 October 2026
    dealers = list(Dealer.objects.order_by("code"))
    assert StaffProfile.objects.count() >= 3 * 10
    for record in [
        *StaffProfile.objects.all()[:20],
        *Certificate.objects.all()[:20],
        *TrainingRecord.objects.all()[:50],
    ]:
        record.full_clean()
    assert not TrainingRecord.objects.filter(attended_on__gt=UNTIL).exists()
    assert not Certificate.objects.filter(issued_on__gt=UNTIL).exists()
    assert not StaffProfile.objects.filter(hire_date__gt=UNTIL).exists()
    assert Assessment.objects.filter(kind="peer").exists() and Assessment.objects.filter(kind="supervisor").exists()
    assert Task.objects.filter(kind=TaskKind.CERTIFICATE_EXPIRY).exists()
    ids = [d.pk for d in dealers]
    c3 = kpis.compliance_on(ids, UNTIL)
    c4 = kpis.certified_technicians(ids, *days_bounds(date(2026, 10, 1), UNTIL))
    # The demo dealers come in quality tiers (repairs.demo.PROFILES): good, middling, weak.
    good, weak = dealers[0].pk, dealers[2].pk
    assert c3[good].value > c3[weak].value
    assert c4[good].value > c4[weak].value
    assert c4[good].denominator > 0
