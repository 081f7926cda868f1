"""Customer-care demo data: follow-ups as specialists work them, and dealers that differ (D4, satisfaction)."""

from datetime import date, datetime

import pytest
from django.db.models import Avg
from django.utils import timezone

from care import kpis
from care.models import CallRecord, Campaign, Letter, Reminder
from core.dates import local_moment
from organization.models import Dealer
from todo.choices import TaskKind, TaskStatus
from todo.models import Task

pytestmark = pytest.mark.django_db


def test_demo_follow_ups_are_consistent_and_the_dealers_differ(demo_dataset):  # 3 dealers, 3 months to 31 Oct 2026
    end = timezone.make_aware(datetime(2026, 11, 1))
    assert not CallRecord.objects.filter(called_at__gt=end).exists()
    assert not Task.objects.filter(done_at__gt=end).exists()
    for task in Task.objects.filter(kind=TaskKind.FOLLOWUP_FIRST, status=TaskStatus.DONE)[:50]:
        assert task.calls.order_by("-called_at").first().outcome == "reached"
        assert task.due_at.date() <= timezone.localdate(task.done_at) or task.done_at < task.due_at
    for task in Task.objects.filter(status=TaskStatus.UNREACHABLE)[:20]:
        assert task.calls.count() == 3
    seconds = Task.objects.filter(kind=TaskKind.FOLLOWUP_SECOND)
    assert seconds.exists() and seconds.count() <= Task.objects.filter(kind=TaskKind.FOLLOWUP_FIRST).count()

    dealers = list(Dealer.objects.order_by("code"))
    good, weak = dealers[0], dealers[2]
    start = local_moment(date(2026, 8, 1))
    d4 = kpis.follow_up_timeliness([d.pk for d in dealers], start, end)
    assert d4[good.pk].n > 20 and d4[weak.pk].n > 20
    assert d4[good.pk].value > d4[weak.pk].value + 10
    d5 = kpis.archive_timeliness([d.pk for d in dealers], start, end)
    assert d5[good.pk].value > d5[weak.pk].value + 20
    satisfaction = dict(
        CallRecord.objects.filter(satisfaction__isnull=False)
        .values("dealer")
        .annotate(s=Avg("satisfaction"))
        .values_list("dealer", "s")
    )
    assert satisfaction[good.pk] > satisfaction[weak.pk]
    assert Reminder.objects.filter(dealer=good).exists()
    assert Campaign.objects.filter(dealer=weak).get().targets.exists()
    assert Letter.objects.filter(dealer=good).exists()
