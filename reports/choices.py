"""Enumerations of the quality reports, with translatable labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PeriodKind(models.TextChoices):
    """A report covers one calendar month or one calendar year."""

    MONTH = "month", pgettext_lazy("report period", "Monthly")
    YEAR = "year", pgettext_lazy("report period", "Yearly")


class ReportFormat(models.TextChoices):
    PDF = "pdf", _("PDF")
    XLSX = "xlsx", _("Excel")


class ReportStatus(models.TextChoices):
    """queued → running → done, or failed with the reason."""

    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", pgettext_lazy("background job", "Failed")

    @classmethod
    def colour(cls, value: str) -> str:
        return {cls.QUEUED: "blue", cls.RUNNING: "warn", cls.DONE: "ok", cls.FAILED: "bad"}.get(value, "")


class ReportScope(models.TextChoices):
    DEALER = "dealer", _("Dealer")
    REGION = "region", _("Region")
