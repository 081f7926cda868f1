"""Find the care reminders due to be worked (run daily, e.g. from cron at 06:00)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from care.reminders import generate_reminders
from organization.models import Dealer


class Command(BaseCommand):
    help = "Create the care reminders (service, insurance, warranty, inspection, birthday) due in the next days."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="the day to run for (YYYY-MM-DD, default today)")
        parser.add_argument("--horizon", type=int, default=30, help="days ahead to look (1–90, default 30)")
        parser.add_argument("--dealer", help="only this dealer code")

    def handle(self, *args, today=None, horizon=30, dealer=None, **options):
        from django.utils import timezone

        try:
            day = date.fromisoformat(today) if today else timezone.localdate()
        except ValueError:
            raise CommandError(f"--today must be a date YYYY-MM-DD, not {today!r}", returncode=2) from None
        if not 1 <= horizon <= 90:
            raise CommandError("--horizon must be between 1 and 90", returncode=2)
        dealers = Dealer.objects.filter(is_active=True).order_by("code")
        if dealer:
            dealers = dealers.filter(code=dealer)
            if not dealers.exists():
                raise CommandError(f"no active dealer with code {dealer!r}", returncode=2)
        total = 0
        for each in dealers:
            created = generate_reminders(dealer=each, today=day, horizon_days=horizon)
            total += created
            self.stdout.write(f"{each.code}: {created} new reminders")
        self.stdout.write(f"{total} new reminders")
