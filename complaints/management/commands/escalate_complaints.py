"""Escalate overdue complaints (cron or a scheduler runs this every few minutes; it is idempotent)."""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from complaints.services import escalate_overdue


class Command(BaseCommand):
    help = "Escalate complaints whose first-contact, feedback or resolution deadline has passed."

    def add_arguments(self, parser):
        parser.add_argument("--at", help="Evaluate at this ISO time (default: now), e.g. 2026-03-02T09:00+08:00.")

    def handle(self, *args, **options):
        now = timezone.now()
        if options.get("at"):
            try:
                at = datetime.fromisoformat(options["at"])
            except ValueError as exc:
                raise CommandError(f"--at: not an ISO date-time: {options['at']!r}", returncode=2) from exc
            if timezone.is_naive(at):
                at = timezone.make_aware(at)
            if at > now:
                raise CommandError("--at must not be in the future.", returncode=2)
            now = at
        result = escalate_overdue(now=now)
        self.stdout.write(
            f"{len(result.to_manager)} escalated to the service manager, {len(result.to_region)} to the region"
        )
        for number in result.to_manager:
            self.stdout.write(f"  {number} -> service manager")
        for number in result.to_region:
            self.stdout.write(f"  {number} -> region")
