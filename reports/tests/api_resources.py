"""The quality-report API for the generic API tests (core/tests/test_api_resources.py)."""

from accounts.choices import Role
from core.tests.api_kit import ApiResource, role
from evaluation.models import DealerEvaluation, EvaluationRun
from organization.models import Dealer
from reports import services
from reports.choices import PeriodKind
from reports.tests.conftest import OCTOBER
from reports.tests.factories import published_run

manager = role(Role.SERVICE_MANAGER)


def published_october(dealer) -> None:
    """The OEM's published run of October 2025 holds a result of the dealer (made once, then joined)."""
    oem = dealer.region.oem
    run = EvaluationRun.objects.filter(oem=oem, region__isnull=True, period_start=OCTOBER.first_day, published=True)
    run = run.first()
    if run is None:
        published_run(oem, OCTOBER, {d: 70.0 for d in Dealer.objects.filter(region__oem=oem, is_active=True)})
    elif not run.results.filter(dealer=dealer).exists():
        model = run.results.first()
        DealerEvaluation.objects.create(
            run=run,
            dealer=dealer,
            score=model.score,
            grade=model.grade,
            stars=model.stars,
            dimension_scores=model.dimension_scores,
            indicators=model.indicators,
        )


def report(dealer):
    """A queued report of the dealer, asked for by its service manager."""
    published_october(dealer)
    return services.report_request(
        by=manager(dealer), period=PeriodKind.MONTH, first=OCTOBER.first_day, fmt="pdf", dealer=dealer
    )


def request_body(dealer) -> dict:
    published_october(dealer)
    return {"dealer": dealer.pk, "period": "month", "month": str(OCTOBER), "format": "pdf"}


# Region reports, the download and the refusals by period: reports/tests/test_api.py.
RESOURCES = [
    ApiResource(basename="quality-report", make=report, writer=manager, create=request_body, dealer_field="dealer"),
]
