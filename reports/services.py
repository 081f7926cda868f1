"""Quality reports: queue one (``report_request``), make it in the background (``report_generate``, the task
``generate_report_task``), or make its file at once (``report_file``, the ``quality_report`` command).

A report is made from published evaluation runs only: ``report_request`` refuses, changing nothing, when the
period has no published run of the dealer (or region); the task reads the published results as they stand when
it runs (a published run never changes) in the language of the person who asked.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import FileResponse, Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from core.exports import XLSX_TYPE
from core.permissions import require
from organization.models import Dealer, Region
from reports import builder, render, selectors
from reports.choices import PeriodKind, ReportFormat, ReportStatus
from reports.content import ReportContent
from reports.models import ADD, REGIONAL, QualityReport, region_ids_for
from reports.selectors import ReportSpec

logger = logging.getLogger(__name__)
CONTENT_TYPES = {ReportFormat.PDF: "application/pdf", ReportFormat.XLSX: XLSX_TYPE}


def file_response(report: QualityReport) -> FileResponse:
    """The report's kept file as a download (page and API); 404 while it is not done or has no file."""
    if report.status != ReportStatus.DONE or not report.file:
        raise Http404
    return FileResponse(report.file.open("rb"), as_attachment=True, filename=report.download_name,
                        content_type=CONTENT_TYPES[report.format])  # fmt: skip


@dataclass
class ReportFile:
    """A made report: its bytes, what it says, how long it took."""

    data: bytes
    content: ReportContent
    seconds: float


def report_file(spec: ReportSpec, fmt: str, *, language: str = "zh-hans", progress=None) -> ReportFile:
    """Make the report's file now (PDF or Excel) in ``language``; ``progress(percent)`` hears how far it got.
    Raises ValueError when the period has no published run."""
    started = time.monotonic()
    tell = progress or (lambda percent: None)
    with translation.override(language):
        content = builder.build(spec, progress=tell)
        content.language = language
        data = render.render(content, fmt)
    tell(95)
    return ReportFile(data, content, time.monotonic() - started)


def check_spec(spec: ReportSpec) -> None:
    """Refuse a report of a period without a published run, on the field that names the period."""
    reason = selectors.nothing_published_reason(spec)
    if reason:
        raise ValidationError({"year" if spec.is_year else "month": reason})


def report_request(
    *,
    by,
    period: str,
    first,
    fmt: str,
    dealer: Dealer | None = None,
    region: Region | None = None,
    language: str | None = None,
) -> QualityReport:
    """Queue a report of one dealer (read scope) or one region (``REGIONAL``, the whole region read) for the month
    or year starting ``first``, and hand it to the task queue after commit (run inline by the tests' backend)."""
    require(by, ADD, message=_("You may not make quality reports."))
    if (dealer is None) == (region is None):
        raise ValidationError({"scope": _("Choose one dealer or one region.")})
    if period not in PeriodKind.values:
        raise ValidationError({"period": _("Choose a monthly or a yearly report.")})
    if fmt not in ReportFormat.values:
        raise ValidationError({"format": _("Choose PDF or Excel.")})
    if dealer is not None and not Dealer.objects.for_user(by).filter(pk=dealer.pk).exists():
        raise ValidationError({"dealer": _("Choose one of your dealers.")})
    if region is not None:
        regions = region_ids_for(by)
        if not by.has_perm(REGIONAL) or (regions is not None and region.pk not in regions):
            raise ValidationError({"region": _("Choose one of your regions: a region's report ranks all its dealers.")})
    first = first.replace(month=1, day=1) if period == PeriodKind.YEAR else first.replace(day=1)
    spec = ReportSpec(period, first, dealer=dealer, region=region)
    check_spec(spec)
    report = QualityReport.objects.create(
        dealer=dealer,
        region=region,
        period=period,
        period_start=first,
        format=fmt,
        language=language or translation.get_language() or "zh-hans",
        created_by=by,
    )
    transaction.on_commit(lambda: generate_report_task.enqueue(report.pk))
    return report


def _set(report: QualityReport, **fields) -> None:
    for name, value in fields.items():
        setattr(report, name, value)
    QualityReport.objects.filter(pk=report.pk).update(**fields)


def report_generate(report: QualityReport) -> QualityReport:
    """Make a queued report and keep its file; a failure marks it failed with the reason (the page says it)."""
    report = QualityReport.objects.select_related("dealer__region__oem", "region__oem").get(pk=report.pk)
    if report.status != ReportStatus.QUEUED:
        return report
    _set(report, status=ReportStatus.RUNNING, progress=5)
    try:
        made = report_file(
            ReportSpec.of(report),
            report.format,
            language=report.language,
            progress=lambda percent: _set(report, progress=percent),
        )
        with transaction.atomic():
            report.file.save(
                f"{report.download_name.rsplit('.', 1)[0]}-{report.pk}.{report.format}",
                ContentFile(made.data),
                save=False,
            )
            report.runs.set(made.content.run_ids)
            _set(
                report,
                file=report.file.name,
                size=len(made.data),
                generation_seconds=round(made.seconds, 2),
                missing_months=made.content.missing_months,
                status=ReportStatus.DONE,
                progress=100,
                message="",
                finished_at=timezone.now(),
            )
    except Exception as exc:  # the page must say why, whatever went wrong
        logger.exception("quality report %s failed", report.pk)
        _set(report, status=ReportStatus.FAILED, message=str(exc)[:300], finished_at=timezone.now())
    return report


@task()
def generate_report_task(report_id: int) -> str:
    """Background making of a queued report; returns its final status."""
    return report_generate(QualityReport(pk=report_id)).status
