"""Recurring jobs: each is enqueued once per interval / day / month, bad command input exits 2."""

from datetime import datetime, time, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from core.models import ScheduledJob
from core.schedule import JOBS, Job, enqueue_due_jobs

pytestmark = pytest.mark.django_db


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(2026, 11, day, hour, minute))


def test_due_rules():
    every = Job("e", "x", every=timedelta(minutes=15))
    assert (
        every.is_due(at(2, 8), None)
        and not every.is_due(at(2, 8, 14), at(2, 8))
        and every.is_due(at(2, 8, 15), at(2, 8))
    )
    daily = Job("d", "x", daily_at=time(6))
    assert not daily.is_due(at(2, 5, 59), at(1, 6)) and daily.is_due(at(2, 6), at(1, 6))
    assert not daily.is_due(at(2, 23), at(2, 6, 1))
    monthly = Job("m", "x", monthly_day=1, daily_at=time(2))
    assert monthly.is_due(at(1, 2), timezone.make_aware(datetime(2026, 10, 1, 2)))
    assert not monthly.is_due(at(1, 1), timezone.make_aware(datetime(2026, 10, 1, 2)))
    assert not monthly.is_due(at(15, 2), at(1, 2))
    assert monthly.is_due(at(15, 2), timezone.make_aware(datetime(2026, 10, 1, 2)))  # missed the 1st: catch up


def test_every_shipped_job_runs_and_is_enqueued_once(dealer_a):
    names = enqueue_due_jobs(at(2, 7))  # the test settings run tasks immediately
    assert set(names) == {job.name for job in JOBS}
    assert enqueue_due_jobs(at(2, 7, 5)) == []
    every_15_minutes = ["escalate_complaints", "complaint_deadline_reminders", "action_due_reminders"]
    assert enqueue_due_jobs(at(2, 7, 16)) == every_15_minutes
    assert ScheduledJob.objects.count() == len(JOBS)


def test_run_schedule_command():
    out = StringIO()
    call_command("run_schedule", "--at", "2026-11-02T07:00", stdout=out)
    assert "care_reminders" in out.getvalue()
    for bad in (["--at", "yesterday"], ["--interval", "1"]):
        with pytest.raises(CommandError) as error:
            call_command("run_schedule", *bad, stdout=StringIO())
        assert error.value.returncode == 2
