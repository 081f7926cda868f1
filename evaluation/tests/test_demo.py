"""The demo's audits (one per dealer in the last quarter, never in the future, G follows the dealer profiles) and
its evaluations: published runs, the alerts they raised and the improvement actions planned on them."""

from datetime import date, time, timedelta

import pytest
from django.db.models import Count, F, Q
from django.utils.timezone import localtime

from accounts.models import User
from core.tests.helpers import sh
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


def test_the_demo_evaluates_publishes_and_acts_on_its_alerts(demo_dataset):  # 3 dealers, 3 months to 31 October 2026
    """Every full month is evaluated as the schedule would (August and September at 02:00 on the day their grace
    period is over; October, whose grace period is not over when the demo ends, provisionally by the administrator
    at the end) and published by the administrator; the alerts' and actions' moments follow the runs."""
    from core.dates import local_date, local_moment
    from core.models import TransitionEvent
    from evaluation.models import AlertReason, EvaluationRun, ImprovementAction, QualityAlert

    end = local_moment(date(2026, 10, 31), time(23, 59))
    admin = User.objects.get(username="admin")
    august, september, october = EvaluationRun.objects.order_by("period_start")
    assert [(r.period_start, r.status, r.published, r.published_by, r.provisional, r.created_by)
            for r in (august, september, october)] == [
        (date(2026, 8, 1), "done", True, admin, False, None), (date(2026, 9, 1), "done", True, admin, False, None),
        (date(2026, 10, 1), "done", True, admin, True, admin)]  # fmt: skip
    assert [r.finished_at for r in (august, september, october)] == [sh(2026, 9, 8, 2), sh(2026, 10, 8, 2), end]
    for run in (august, september):  # reviewed and published on a weekday morning, a day or two later
        published = localtime(run.published_at)
        assert published.weekday() < 5 and published.hour == 10
        assert timedelta(days=1) <= run.published_at - run.finished_at <= timedelta(days=3, hours=9)
    assert october.published_at == end
    assert EvaluationRun.history.filter(published=True).count() == 3

    # The alerts: raised at their run's moment, more at the weaker dealers.
    counts = dict(QualityAlert.objects.values_list("dealer__code").annotate(n=Count("id")))
    assert counts == {"GZ01": 13, "SZ01": 14, "SH01": 22}
    assert not QualityAlert.objects.exclude(raised_at=F("run__finished_at")).exists()
    assert not AlertReason.objects.exclude(found_at=F("run__finished_at")).exists()
    # Left without action: the 32 alerts the last run raised or opened again at the demo's end.
    waiting = QualityAlert.objects.filter(status="open")
    assert waiting.count() == 32 and not waiting.exclude(open_since=end).exists()
    assert not waiting.filter(actions__status__in=("planned", "in_progress", "checking")).exists()

    # The actions: planned by the dealer's manager (the owner) in opening hours after the alert, started, checked
    # by the first run of their due month (effective, or not and the alert opens again), or still in progress.
    actions = ImprovementAction.objects.select_related("alert__run", "owner", "dealer", "checked_run")
    assert dict(actions.values_list("status").annotate(n=Count("id"))) == {
        "effective": 7, "in_progress": 10, "not_effective": 17}  # fmt: skip
    managers = {f"manager{i}": code for i, code in enumerate(("GZ01", "SZ01", "SH01"), start=1)}
    runs = [august, september, october]
    for action in actions:
        assert managers[action.owner.username] == action.dealer.code and action.created_by == action.owner
        assert action.alert.run.finished_at < action.created_at < end and 9 <= localtime(action.created_at).hour < 17
        assert local_date(action.created_at) + timedelta(days=14) <= action.due_date
        checker = next((r for r in runs if r.period_end >= action.due_date and r.finished_at > action.created_at),
                       None)  # fmt: skip
        assert action.checked_run == checker, action
        if checker is None:
            assert action.status == "in_progress" and action.due_date > date(2026, 10, 31)
        else:
            assert action.status in ("effective", "not_effective") and action.checked_at == checker.finished_at
    assert not TransitionEvent.objects.filter(at__gt=end).exists()
    assert not QualityAlert.objects.filter(Q(acknowledged_at__gt=end) | Q(closed_at__gt=end)).exists()
    closed = QualityAlert.objects.filter(status="closed")
    assert closed.count() == 7 and not closed.exclude(actions__status="effective").exists()
