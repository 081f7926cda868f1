"""The demo's year of evaluations: 13 published months before its end, so the cockpit has a 12-month trend and the
month before it (a small demo of its own: one dealer, 14 months, ending three days into November 2026)."""

from datetime import date, time
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import F
from django.utils.timezone import localtime

from accounts.models import User
from core.dates import Month, local_moment
from core.tests.helpers import sh
from evaluation.models import EvaluationRun, ImprovementAction, QualityAlert
from evaluation.selectors import results

pytestmark = pytest.mark.django_db

UNTIL = date(2026, 11, 3)


def test_thirteen_full_months_are_evaluated_and_published():
    call_command("demo_data", "--force", "--dealers", "1", "--months", "14", "--seed", "5", "--until", str(UNTIL),
                 stdout=StringIO())  # fmt: skip
    end = local_moment(UNTIL, time(23, 59))
    admin, manager = User.objects.get(username="admin"), User.objects.get(username="manager1")
    runs = list(EvaluationRun.objects.select_related("published_by", "created_by").order_by("period_start"))
    # October 2025 … October 2026; November, the month the demo ends in, is not full and not evaluated.
    assert [r.period_start for r in runs] == [Month(2025, 10).plus(k).first_day for k in range(13)]
    assert all(r.status == "done" and r.published and r.published_by == admin for r in runs)
    # The schedule ran each month at 02:00 on the day its 7-day grace period was over; October's is not over when
    # the demo ends: the administrator ran it provisionally at 09:00 two days before the end.
    scheduled = runs[:-1]
    assert [localtime(r.finished_at) for r in scheduled] == [
        sh(m.next().year, m.next().month, 8, 2) for m in (Month.of(r.period_start) for r in scheduled)]  # fmt: skip
    assert {(r.created_by, r.provisional) for r in scheduled} == {(None, False)}
    october = runs[-1]
    assert (october.created_by, october.provisional, october.finished_at) == (admin, True, sh(2026, 11, 1, 9))
    for run, after in zip(runs, [*runs[1:], None], strict=True):
        assert run.finished_at < run.published_at <= end
        assert after is None or run.published_at < after.finished_at
    assert not QualityAlert.objects.exclude(raised_at=F("run__finished_at")).exists()

    # Past its due date (1 November, after the last evaluated month, so no run has checked it): one action.
    active = ImprovementAction.objects.filter(status__in=("planned", "in_progress", "checking"))
    assert list(active.filter(due_date__lt=UNTIL).values_list("due_date", flat=True)) == [date(2026, 11, 1)]
    assert active.filter(due_date__gte=UNTIL).exists()
    assert ImprovementAction.objects.filter(status="effective").exists()
    assert ImprovementAction.objects.filter(status="not_effective").exists()
    assert not ImprovementAction.objects.filter(created_at__gt=end).exists()

    # The service manager's 12-month trend and the month before it: every month has its published result.
    dealer = manager.dealer_memberships.get().dealer_id
    history = results.dealer_history(dealer, Month(2026, 10), manager, months=13)
    assert [month for month, _result in history] == [Month(2025, 10).plus(k) for k in range(13)]
    assert all(result is not None and result.run.published for _month, result in history)
