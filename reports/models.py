"""Quality reports: a dealer's or a region's monthly or yearly service-quality report, kept as a file."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.tenancy import dealer_ids_for
from reports.choices import PeriodKind, ReportFormat, ReportStatus

VIEW = "reports.view_qualityreport"
ADD = "reports.add_qualityreport"
# A region's report ranks all its dealers: for the region managers and administrators, never a dealer's staff.
REGIONAL = "reports.regional_qualityreport"


def region_ids_for(user) -> list[int] | None:
    """The regions whose reports the user may read and make (None: all): with ``REGIONAL``, the regions every active
    dealer of which the user reads (a region manager's own regions; an administrator's)."""
    if user is None or not user.is_authenticated or not user.has_perm(REGIONAL):
        return []
    ids = dealer_ids_for(user)
    if ids is None:
        return None
    from organization.models import Dealer, Region

    mine = sorted(ids)
    touched = Region.objects.filter(dealers__pk__in=mine)
    unread = Dealer.objects.filter(is_active=True, region__in=touched).exclude(pk__in=mine).values("region_id")
    return list(touched.exclude(pk__in=unread).distinct().order_by("pk").values_list("pk", flat=True))


class QualityReportQuerySet(models.QuerySet):
    def for_user(self, user, *, write: bool = False) -> QualityReportQuerySet:
        """The reports of the user's dealers (read scope: a region manager reads and makes its dealers' reports)
        and of the regions the user may see whole (``region_ids_for``); other rows do not exist for the user."""
        ids = dealer_ids_for(user)
        if ids is None:
            return self
        regions = region_ids_for(user)
        scope = Q(dealer_id__in=sorted(ids))
        if regions is None:
            scope |= Q(region__isnull=False)
        elif regions:
            scope |= Q(region_id__in=regions)
        return self.filter(scope)


def report_upload_to(report: QualityReport, filename: str) -> str:
    return f"reports/{report.period_start:%Y}/{filename}"


class QualityReport(models.Model):
    """A monthly or yearly service-quality report (月度/年度服务质量报告) of one dealer or one region, made in the
    background from published evaluation runs only (``runs``: the ones it names) and kept as a PDF or Excel file."""

    dealer = models.ForeignKey(
        "organization.Dealer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quality_reports",
        verbose_name=_("dealer"),
    )
    region = models.ForeignKey(
        "organization.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quality_reports",
        verbose_name=_("region"),
    )
    period = models.CharField(_("period"), max_length=5, choices=PeriodKind.choices, default=PeriodKind.MONTH)
    period_start = models.DateField(_("first day"), help_text=_("The month's first day, or 1 January of the year."))
    format = models.CharField(_("format"), max_length=4, choices=ReportFormat.choices, default=ReportFormat.PDF)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    status = models.CharField(_("status"), max_length=8, choices=ReportStatus.choices, default=ReportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    message = models.CharField(_("message"), max_length=300, blank=True)
    file = models.FileField(_("file"), upload_to=report_upload_to, max_length=200, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), null=True, blank=True)
    generation_seconds = models.FloatField(_("generation time (s)"), null=True, blank=True)
    runs = models.ManyToManyField(
        "evaluation.EvaluationRun", related_name="+", blank=True, verbose_name=_("published runs it is made from")
    )
    missing_months = models.JSONField(_("months without a published run"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    history = HistoricalRecords(m2m_fields=[runs])

    objects = QualityReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("quality report")
        verbose_name_plural = _("quality reports")
        ordering = ["-created_at", "-id"]
        permissions = [("regional_qualityreport", _("Can make and read the quality reports of a whole region"))]
        indexes = [
            models.Index(fields=["dealer", "period_start"], name="qreport_dealer_period"),
            models.Index(fields=["region", "period_start"], name="qreport_region_period"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(dealer__isnull=False, region__isnull=True) | Q(dealer__isnull=True, region__isnull=False),
                name="qreport_one_scope",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope_code} {self.period_label} ({self.format})"

    def get_absolute_url(self) -> str:
        return reverse("reports:report_detail", args=[self.pk])

    def get_download_url(self) -> str:
        return reverse("reports:report_download", args=[self.pk])

    @property
    def is_region(self) -> bool:
        return self.region_id is not None

    @property
    def scope_code(self) -> str:
        return self.region.code if self.is_region else self.dealer.code

    @property
    def scope_name(self) -> str:
        return self.region.name if self.is_region else self.dealer.name

    @property
    def period_label(self) -> str:
        return f"{self.period_start:%Y}" if self.period == PeriodKind.YEAR else f"{self.period_start:%Y-%m}"

    @property
    def status_colour(self) -> str:
        return ReportStatus.colour(self.status)

    @property
    def is_working(self) -> bool:
        return self.status in (ReportStatus.QUEUED, ReportStatus.RUNNING)

    @property
    def download_name(self) -> str:
        """The file name a download gets, e.g. ``quality-report-GZ01-2026-10.pdf``."""
        return f"quality-report-{self.scope_code}-{self.period_label}.{self.format}"
