"""``manage.py quality_report``: a dealer's or a region's monthly or yearly quality report written to a file now.

    manage.py quality_report --dealer GZ01 --month 2026-10 --format pdf --output gz01-2026-10.pdf
    manage.py quality_report --region R-S --year 2026 --format xlsx --output south-2026.xlsx

The same report as the page makes in the background (reports.services.report_file), from published runs only.
Bad input exits with status 2 and one line saying why: an unknown dealer or region, a bad month or year, both or
neither of --month and --year, no published run in the period, an output folder that does not exist.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from organization.models import Dealer, Region
from reports import selectors
from reports.choices import PeriodKind, ReportFormat
from reports.forms import parse_month
from reports.selectors import ReportSpec
from reports.services import report_file


def _refuse(message: str) -> CommandError:
    return CommandError(message, returncode=2)


class Command(BaseCommand):
    help = "Write a dealer's or a region's monthly or yearly quality report (PDF or Excel) from published runs."

    def add_arguments(self, parser):
        parser.add_argument("--dealer", help="dealer code")
        parser.add_argument("--region", help="region code")
        parser.add_argument("--month", help="the month of a monthly report, YYYY-MM")
        parser.add_argument("--year", help="the year of a yearly report, YYYY")
        parser.add_argument("--format", choices=ReportFormat.values, required=True)
        parser.add_argument("--output", required=True, help="the file to write")
        parser.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            choices=[c for c, _n in settings.LANGUAGES],
            help="the report's language (default: %(default)s)",
        )

    def handle(self, *args, **options):
        spec = self._spec(options)
        output = Path(options["output"])
        if not output.parent.is_dir():
            raise _refuse(f"the folder of --output does not exist: {output.parent}")
        with translation.override("en"):
            reason = selectors.nothing_published_reason(spec)
        if reason:
            raise _refuse(reason)
        made = report_file(spec, options["format"], language=options["language"])
        output.write_bytes(made.data)
        runs = ", ".join(f"#{pk}" for pk in made.content.run_ids)
        missing = (
            f"; no published run in {', '.join(made.content.missing_months)}" if made.content.missing_months else ""
        )
        self.stdout.write(
            f"Wrote {output} ({options['format']}, {len(made.data)} bytes, {made.seconds:.1f} s) from "
            f"the published runs {runs}{missing}"
        )

    def _spec(self, options) -> ReportSpec:
        if bool(options["dealer"]) == bool(options["region"]):
            raise _refuse("give exactly one of --dealer CODE and --region CODE")
        if bool(options["month"]) == bool(options["year"]):
            raise _refuse("give exactly one of --month YYYY-MM and --year YYYY")
        if options["month"]:
            try:
                period, first = PeriodKind.MONTH, parse_month(options["month"]).first_day
            except ValueError:
                raise _refuse(f"--month must be YYYY-MM, not {options['month']!r}") from None
        else:
            year = options["year"]
            if not (year.isdigit() and len(year) == 4 and 2000 <= int(year) <= 2100):
                raise _refuse(f"--year must be YYYY, not {year!r}")
            period, first = PeriodKind.YEAR, date(int(year), 1, 1)
        if options["dealer"]:
            dealer = Dealer.objects.select_related("region__oem").filter(code=options["dealer"]).first()
            if dealer is None:
                raise _refuse(f"no dealer with code {options['dealer']!r}")
            return ReportSpec(period, first, dealer=dealer)
        region = Region.objects.select_related("oem").filter(code=options["region"]).first()
        if region is None:
            raise _refuse(f"no region with code {options['region']!r}")
        return ReportSpec(period, first, region=region)
