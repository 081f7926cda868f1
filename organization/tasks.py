"""Background tasks of the organisation domain (django-tasks): ``load_national_holidays`` runs daily."""

import logging

from django.utils import timezone
from django_tasks import task

from organization import holidays
from organization.services import national_calendar_load

logger = logging.getLogger(__name__)


@task()
def load_national_holidays() -> dict:
    """Bring the national calendar in line with the installed holiday library (a package upgrade shows up here)."""
    report = national_calendar_load()
    for year in holidays.missing_years(timezone.localdate()):
        logger.warning(holidays.missing_year_warning(year))
    return {"years": [report.years[0], report.years[-1]], "created": report.created, "updated": report.updated,
            "removed": report.removed, "kept_manual": [f"{d:%Y-%m-%d}" for d in report.kept_manual]}  # fmt: skip
