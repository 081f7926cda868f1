"""Recurring background jobs: what runs when (the django-tasks queue has no scheduler of its own).

``manage.py run_schedule`` (every few minutes from cron, or ``--loop`` as a small service) enqueues each job that
is due on the django-tasks database queue; ``manage.py db_worker`` runs them.  A job is enqueued at most once per
interval / day / month, even with several schedulers running (the job's row is locked while it is checked).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Job:
    name: str
    task: str  # dotted path of a django-tasks task
    every: timedelta | None = None  # e.g. every 15 minutes
    daily_at: time | None = None  # once a day from this local time
    monthly_day: int | None = None  # once a month from this day (at ``daily_at`` or 00:00 local)

    def is_due(self, now: datetime, last: datetime | None) -> bool:
        if self.every is not None:
            return last is None or now - last >= self.every
        local = timezone.localtime(now)
        start = self.daily_at or time.min
        if self.monthly_day is not None:
            if (local.day, local.time()) < (self.monthly_day, start):
                return False
            return last is None or (timezone.localtime(last).year, timezone.localtime(last).month) < (
                local.year, local.month,
            )  # fmt: skip
        if local.time() < start:
            return False
        return last is None or timezone.localtime(last).date() < local.date()


JOBS = [
    Job("escalate_complaints", "complaints.tasks.escalate_overdue_complaints", every=timedelta(minutes=15)),
    # Notifications: a complaint's SLA clock with less than one working hour left; an improvement action due in 2 days.
    Job("complaint_deadline_reminders", "complaints.tasks.remind_complaint_deadlines", every=timedelta(minutes=15)),
    Job("action_due_reminders", "evaluation.tasks.remind_improvement_actions_due", every=timedelta(minutes=15)),
    Job("care_reminders", "care.tasks.find_care_reminders", daily_at=time(6, 0)),
    Job("certificate_expiry", "staff.tasks.find_expiring_certificates", daily_at=time(6, 30)),
    # Daily: each OEM's latest month is evaluated once, when its grace period (indicator-system setting) is over.
    Job("monthly_evaluation", "evaluation.services.runs.monthly_evaluations", daily_at=time(2, 0)),
    # After the monthly evaluation's alerts: an alert left without an improvement action goes up a level.
    Job("escalate_quality_alerts", "evaluation.tasks.escalate_quality_alerts", daily_at=time(7, 0)),
    # Idempotent and cheap: a holiday-library upgrade (a new year's 调休) is in the calendar the next morning.
    Job("load_holidays", "organization.tasks.load_national_holidays", daily_at=time(3, 0)),
]


def enqueue_due_jobs(now: datetime | None = None, jobs: list[Job] | None = None) -> list[str]:
    """Enqueue every job that is due; returns their names."""
    from core.models import ScheduledJob

    now = now or timezone.now()
    enqueued = []
    for job in jobs if jobs is not None else JOBS:
        with transaction.atomic():
            row, _ = ScheduledJob.objects.get_or_create(name=job.name)
            row = ScheduledJob.objects.select_for_update().get(pk=row.pk)
            if not job.is_due(now, row.last_enqueued_at):
                continue
            import_string(job.task).enqueue()
            row.last_enqueued_at = now
            row.save(update_fields=["last_enqueued_at"])
            enqueued.append(job.name)
    return enqueued
