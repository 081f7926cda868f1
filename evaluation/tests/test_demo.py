"""Demo audits: one per dealer in the last quarter, never in the future, G follows the dealer profiles."""

from datetime import date, timedelta

import pytest

from evaluation.models import Audit
from evaluation.selectors import audits as audit_selectors
from organization.models import Dealer

pytestmark = pytest.mark.django_db


def test_demo_audits_follow_the_profiles(demo_dataset):  # 3 dealers, 3 months to 31 October 2026
    until = date(2026, 10, 31)
    dealers = list(Dealer.objects.order_by("code"))
    assert Audit.objects.count() == 3
    assert not Audit.objects.filter(audit_date__gt=until).exists()
    assert not Audit.objects.filter(audit_date__lt=until - timedelta(days=90)).exists()
    ordered = sorted(dealers, key=lambda d: Audit.objects.get(dealer=d).created_at)
    g = audit_selectors.audit_scores([d.pk for d in dealers], until - timedelta(days=90), until)
    good, middle, weak = (g[d.pk]["score"] for d in ordered)
    assert good > middle > weak
    assert weak < 80 < good
    # The demo also evaluates September and October: the weak dealer gets alerts, one action on a September
    # alert was checked by the October run, the other is still in progress.
    from django.utils import timezone

    from evaluation.models import EvaluationRun, ImprovementAction, QualityAlert

    assert list(EvaluationRun.objects.order_by("period_start").values_list("period_start", "status")) == [
        (date(2026, 9, 1), "done"), (date(2026, 10, 1), "done")]  # fmt: skip
    weak_dealer = ordered[2]
    assert QualityAlert.objects.filter(dealer=weak_dealer).count() > QualityAlert.objects.filter(
        dealer=ordered[0]).count()  # fmt: skip
    assert not QualityAlert.objects.filter(raised_at__gt=timezone.now()).exists()
    checked, later = ImprovementAction.objects.filter(dealer=weak_dealer).order_by("due_date")
    assert checked.status in ("effective", "not_effective") and checked.checked_run.period_start == date(2026, 10, 1)
    assert later.status == "in_progress" and later.checked_run is None and later.due_date > until
