"""Reads of the quality reports: the reports a user may see, the scopes they may report on, the published results.

A report stands on published runs only, whoever asks (a region manager also sees drafts elsewhere, never in a
report): ``published_results`` picks, for each dealer and month, the published result that counts — the OEM-wide
run before a region's, in the order of ``evaluation.selectors.results.PREFERENCE``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from core.dates import Month
from evaluation.models import DealerEvaluation, EvaluationRun
from evaluation.selectors.results import PREFERENCE
from organization.models import Dealer, Region
from reports.choices import PeriodKind
from reports.models import QualityReport, region_ids_for


@dataclass(frozen=True)
class ReportSpec:
    """What a report covers: one dealer or one region, one month or one year."""

    period: str  # PeriodKind
    first: date  # the month's first day, or 1 January
    dealer: Dealer | None = None
    region: Region | None = None

    def __post_init__(self):
        if (self.dealer is None) == (self.region is None):
            raise ValueError("a report covers one dealer or one region")

    @classmethod
    def of(cls, report: QualityReport) -> ReportSpec:
        return cls(report.period, report.period_start, dealer=report.dealer, region=report.region)

    @property
    def is_year(self) -> bool:
        return self.period == PeriodKind.YEAR

    @property
    def months(self) -> list[Month]:
        """The months the report covers."""
        first = Month.of(self.first)
        return [first.plus(k) for k in range(12)] if self.is_year else [first]

    @property
    def label(self) -> str:
        return f"{self.first:%Y}" if self.is_year else f"{self.first:%Y-%m}"

    @property
    def region_of_report(self) -> Region:
        return self.region if self.region is not None else self.dealer.region


def report_list(*, user) -> QuerySet[QualityReport]:
    """The reports the user may see (their dealers' and their whole regions'), newest first."""
    return (
        QualityReport.objects.for_user(user)
        .select_related("dealer", "region", "created_by")
        .prefetch_related("runs")
        .order_by("-created_at", "-id")
    )


def report_dealers(*, user) -> QuerySet[Dealer]:
    """The dealers the user may make reports of (read scope)."""
    return Dealer.objects.for_user(user).select_related("region").order_by("code")


def report_regions(*, user) -> QuerySet[Region]:
    """The regions the user may make reports of (``reports.models.region_ids_for``)."""
    ids = region_ids_for(user)
    regions = Region.objects.all() if ids is None else Region.objects.filter(pk__in=ids)
    return regions.filter(dealers__isnull=False).distinct().order_by("code")


def scope_dealers(spec: ReportSpec) -> list[Dealer]:
    """The dealers a report covers: the dealer, or the region's active dealers and those with a published result
    in the period (a dealer closed since still shows in the months it was evaluated)."""
    if spec.dealer is not None:
        return [spec.dealer]
    months = spec.months
    evaluated = DealerEvaluation.objects.filter(
        run__published=True, run__period_start__gte=months[0].first_day, run__period_start__lte=months[-1].first_day
    ).values("dealer_id")
    return list(
        Dealer.objects.filter(Q(is_active=True) | Q(pk__in=evaluated), region=spec.region)
        .select_related("region")
        .order_by("code")
    )


def published(queryset: QuerySet[DealerEvaluation]) -> QuerySet[DealerEvaluation]:
    """Only the results of finished, published runs."""
    return queryset.filter(run__published=True, run__status=EvaluationRun.Status.DONE)


def published_results(dealer_ids: Iterable[int], first: date, last: date) -> dict[tuple[int, date], DealerEvaluation]:
    """{(dealer id, month's first day): the published result that counts} for the months first…last, one query."""
    rows = (
        published(DealerEvaluation.objects.filter(dealer_id__in=list(dealer_ids)))
        .filter(run__period_start__gte=first, run__period_start__lte=last)
        .select_related("run__system_version__system", "run__oem", "run__region", "run__published_by", "dealer")
        .order_by("dealer_id", "run__period_start", *PREFERENCE)
    )
    chosen: dict[tuple[int, date], DealerEvaluation] = {}
    for result in rows:
        chosen.setdefault((result.dealer_id, result.run.period_start), result)
    return chosen


def published_months(spec: ReportSpec) -> list[Month]:
    """The months of the report's period with a published result of its dealer (or of a dealer of its region)."""
    months = spec.months
    results = published(DealerEvaluation.objects.all()).filter(
        run__period_start__gte=months[0].first_day, run__period_start__lte=months[-1].first_day
    )
    if spec.dealer is not None:
        results = results.filter(dealer=spec.dealer)
    else:
        results = results.filter(dealer__region=spec.region)
    found = set(results.values_list("run__period_start", flat=True).distinct())
    return [m for m in months if m.first_day in found]


def nothing_published_reason(spec: ReportSpec) -> str | None:
    """Why no report can be made of the spec (no published run in its period), or None when one can."""
    if published_months(spec):
        return None
    scope = spec.dealer.code if spec.dealer is not None else spec.region.code
    if spec.is_year:
        return _(
            "No published evaluation of %(scope)s in %(year)s: a quality report is made from published runs only."
        ) % {"scope": scope, "year": spec.label}
    return _(
        "No published evaluation of %(scope)s for %(month)s: a quality report is made from a published run only."
    ) % {"scope": scope, "month": spec.label}
