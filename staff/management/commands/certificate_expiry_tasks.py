"""Daily: a to-do for the service manager for each certificate that expired or expires within 30 days."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from staff.services import certificate_expiry_tasks


class Command(BaseCommand):
    help = "Create the certificate-expiry to-dos (idempotent: a certificate gets one to-do, ever)."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Evaluate as of this day (YYYY-MM-DD); default: today.")

    def handle(self, *args, **options):
        today = None
        if options["today"]:
            try:
                today = date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError(f"--today must be a date like 2026-05-31, not {options['today']!r}.") from exc
        created = certificate_expiry_tasks(today=today)
        self.stdout.write(f"{len(created)} certificate expiry to-do(s) created.")
