"""Enqueue the recurring jobs that are due (run from cron every few minutes, or with --loop as a service)."""

import time as time_module
from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.schedule import enqueue_due_jobs


class Command(BaseCommand):
    help = "Put the recurring jobs that are due (complaint escalation, care reminders, …) on the task queue."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="keep running, checking every --interval seconds")
        parser.add_argument("--interval", type=int, default=60, help="seconds between checks with --loop (10–3600)")
        parser.add_argument("--at", help="pretend it is this moment (ISO 8601, for testing)")

    def handle(self, *args, loop=False, interval=60, at=None, **options):
        if not 10 <= interval <= 3600:
            raise CommandError("--interval must be between 10 and 3600 seconds", returncode=2)
        now = None
        if at:
            try:
                now = datetime.fromisoformat(at)
            except ValueError:
                raise CommandError(f"--at must be an ISO 8601 moment, not {at!r}", returncode=2) from None
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        while True:
            names = enqueue_due_jobs(now)
            self.stdout.write(f"{timezone.now():%Y-%m-%d %H:%M:%S} enqueued: {', '.join(names) or 'nothing'}")
            if not loop:
                return
            time_module.sleep(interval)
