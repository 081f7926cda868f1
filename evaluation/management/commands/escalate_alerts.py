"""Escalate the quality alerts left without an improvement action (the daily job by hand; it is idempotent)."""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from evaluation.alerts import alerts_escalate


class Command(BaseCommand):
    help = (
        "Escalate every quality alert open without an improvement action for the version's escalation days: "
        "to the dealer's service managers (a to-do), after twice as long to the region."
    )

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
        result = alerts_escalate(now=now)
        self.stdout.write(
            f"{len(result.to_manager)} alerts escalated to the service manager, {len(result.to_region)} to the region"
        )
