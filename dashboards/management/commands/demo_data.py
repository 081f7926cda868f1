"""`manage.py demo_data`: realistic, deterministic demo data; a second run changes nothing."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from core.demo import DEMO_OEM_CODE, DEMO_PASSWORD, DemoContext, run_demo_steps
from organization.calendar import business_calendar
from organization.models import Oem


class Command(BaseCommand):
    help = "Load demo dealers, users, customers and vehicles (idempotent: skipped if demo data exists)."

    def add_arguments(self, parser):
        parser.add_argument("--dealers", type=int, default=3, help="number of demo dealers (1–12, default 3)")
        parser.add_argument("--months", type=int, default=24, help="months of history (1–36, default 24)")
        parser.add_argument("--seed", type=int, default=2026, help="random seed (same seed, same data)")
        parser.add_argument(
            "--force", action="store_true", help="load even with DEBUG off (it creates the admin/demo12345 login!)"
        )
        parser.add_argument(
            "--until", type=date.fromisoformat, default=None, help="last day of the data (YYYY-MM-DD, default today)"
        )

    def handle(self, *args, dealers: int, months: int, seed: int, until: date | None, force: bool, **options):
        if not (settings.DEBUG or force):
            raise CommandError(
                "demo_data creates logins with a known password: run it with DEBUG=1 (make run) or --force",
                returncode=2,
            )
        if not 1 <= dealers <= 12:
            raise CommandError("--dealers must be between 1 and 12", returncode=2)
        if not 1 <= months <= 36:
            raise CommandError("--months must be between 1 and 36", returncode=2)
        # The national holidays and 调休 come from the holiday library (idempotent), demo or not.
        call_command("load_holidays", stdout=self.stdout)
        if Oem.objects.filter(code=DEMO_OEM_CODE).exists():
            self.stdout.write("Demo data already present: nothing to do.")
            return
        ctx = DemoContext(
            dealers_wanted=dealers,
            months=months,
            until=until or timezone.localdate(),
            seed=seed,
            stdout=self.stdout,
            business_calendar=business_calendar,
        )
        with transaction.atomic():
            run_demo_steps(ctx)
        call_command("analyze_db")
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, description in ctx.logins:
            self.stdout.write(f"  {username:<14} {description}")
