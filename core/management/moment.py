"""The ``--at`` option of commands that act as of a moment (escalations run by hand or by the schedule)."""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


class AsOfCommand(BaseCommand):
    """A command with ``--at ISO-TIME`` (default now; never in the future): ``self.moment(options)`` reads it."""

    def add_arguments(self, parser):
        parser.add_argument("--at", help="Evaluate at this ISO time (default: now), e.g. 2026-03-02T09:00+08:00.")

    def moment(self, options) -> datetime:
        """The moment of ``--at`` (aware), or now; a malformed or future time is a CommandError (exit 2)."""
        now = timezone.now()
        if not options.get("at"):
            return now
        try:
            at = datetime.fromisoformat(options["at"])
        except ValueError as exc:
            raise CommandError(f"--at: not an ISO date-time: {options['at']!r}", returncode=2) from exc
        if timezone.is_naive(at):
            at = timezone.make_aware(at)
        if at > now:
            raise CommandError("--at must not be in the future.", returncode=2)
        return at
