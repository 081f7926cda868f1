"""`manage.py load_holidays [--year Y ...]`: the national holidays and make-up working days from the library."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from organization import holidays
from organization.services import national_calendar_load


class Command(BaseCommand):
    help = (
        "Fill the national calendar (holidays and 调休 working days, no dealer) from the chinese-calendar package, "
        "for the given years or every year it covers. Idempotent; dealers' own dates and dates entered by hand stay."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--year", type=int, nargs="+", action="extend", dest="years", metavar="YEAR",
            help="only these years (default: every year the package covers)",
        )  # fmt: skip

    def handle(self, *args, years=None, **options):
        covered = holidays.covered_years()
        library = f"{holidays.LIBRARY} {holidays.library_version()}"
        outside = sorted({year for year in years or [] if year not in covered})
        if outside:
            raise CommandError(
                _("%(library)s covers %(first)s–%(last)s, not %(years)s.")
                % {"library": library, "first": covered[0], "last": covered[-1],
                   "years": ", ".join(str(y) for y in outside)},
                returncode=2,
            )  # fmt: skip
        report = national_calendar_load(years=years)
        self.stdout.write(
            _("National calendar from %(library)s, %(first)s–%(last)s: %(created)s added, %(updated)s updated, "
              "%(removed)s removed, %(unchanged)s unchanged.")
            % {"library": library, "first": report.years[0], "last": report.years[-1], "created": report.created,
               "updated": report.updated, "removed": report.removed, "unchanged": report.unchanged}
        )  # fmt: skip
        if report.kept_manual:
            self.stdout.write(
                self.style.WARNING(
                    _("Kept national dates entered by hand that differ from the library: %(dates)s.")
                    % {"dates": ", ".join(f"{day:%Y-%m-%d}" for day in report.kept_manual)}
                )
            )
        for year in holidays.missing_years(timezone.localdate()):
            self.stdout.write(self.style.WARNING(holidays.missing_year_warning(year)))
