"""The evaluation's API endpoints for the generic API tests (core/tests/test_api_resources.py)."""

from datetime import timedelta

from django.utils import timezone

from accounts.choices import Role
from core.dates import Month
from core.tests.api_kit import ApiResource, role, serial
from core.tests.factories import DealerFactory, OemFactory, RegionFactory, UserFactory
from evaluation.choices import AuditKind, SystemVersionStatus
from evaluation.defaults import AUDIT_TEMPLATE_CODE
from evaluation.models import (
    AuditItemScore,
    AuditTemplate,
    DealerEvaluation,
    EvaluationRun,
    IndicatorSystem,
    QualityAlert,
    SystemVersion,
)
from evaluation.selectors.measures import MEASUREMENT_PERMISSION
from evaluation.services import alerts, audits
from evaluation.services import systems as system_services
from evaluation.tests.alert_helpers import HIGHER, LOWER, make_run, plan
from organization.models import Dealer
from todo.models import Task

manager = role(Role.SERVICE_MANAGER)


def default_version() -> SystemVersion:
    """The default system's published version 1 (migration 0002)."""
    return SystemVersion.objects.get(system__oem__isnull=True, status=SystemVersionStatus.PUBLISHED)


def dealer_of_another_oem(dealer_b) -> Dealer:
    """Systems and runs belong to an OEM (or a region of it): another dealer of the same OEM would see them."""
    return DealerFactory(code="X001", region=RegionFactory(oem=OemFactory(code="OEM2", name="另一集团"), code="RX"))


def oem_system(dealer) -> IndicatorSystem:
    """The dealer's OEM's own indicator system (adopted from the default by a superuser)."""
    oem = dealer.region.oem
    adopted = IndicatorSystem.objects.filter(oem=oem).first()
    return adopted or system_services.indicator_system_adopt(oem=oem, by=UserFactory(is_superuser=True, is_staff=True))


def self_audit(dealer):
    template = AuditTemplate.objects.get(code=AUDIT_TEMPLATE_CODE)
    return audits.audit_create(
        dealer=dealer, template=template, kind=AuditKind.SELF, audit_date=timezone.localdate(), by=manager(dealer)
    )


def region_run(dealer) -> EvaluationRun:
    """A finished, published run of the dealer's region (the service manager, the reader, sees published runs only:
    drafts, evaluation/tests/test_publication.py; a region's run is not read by the dealers of other regions), each
    call of another month (one published run per scope and month)."""
    month = Month(2020, 1).plus(next(serial))
    return EvaluationRun.objects.create(
        oem=dealer.region.oem, region=dealer.region, period_start=month.first_day, period_end=month.last_day,
        system_version=default_version(), status=EvaluationRun.Status.DONE, published=True,
        published_at=timezone.now(),
    )  # fmt: skip


def alert(dealer) -> QualityAlert:
    """An open below-floor alert of the dealer, raised by a stored run (each call on the next indicator and month,
    so that two alerts of one dealer are two rows)."""
    n = next(serial)
    code, figure = [(HIGHER, (60.0, 0.0)), (LOWER, (45.0, 0.0))][n % 2]
    run = make_run(default_version(), dealer.region.oem, 2025, 1 + n % 12, {dealer: {code: figure}})
    alerts.raise_alerts(run)
    return QualityAlert.objects.get(run=run, dealer=dealer)


def action_payload(dealer) -> dict:
    return {
        "alert": alert(dealer).pk, "owner": manager(dealer).pk, "cause_analysis": "接待人手不足",
        "plan": "增加早班接待", "due_date": str(timezone.localdate() + timedelta(days=7)),
    }  # fmt: skip


RESOURCES = [
    ApiResource(basename="indicator-system", make=oem_system, other_dealer=dealer_of_another_oem),
    # Scoring, adjustments, submit and confirm are actions: evaluation/tests/test_api.py, test_audits.py.
    ApiResource(
        basename="audit",
        make=self_audit,
        writer=manager,
        create=lambda dealer: {
            "dealer": dealer.pk,
            "template": AuditTemplate.objects.get(code=AUDIT_TEMPLATE_CODE).pk,
            "kind": "self",
            "audit_date": str(timezone.localdate()),
        },
        dealer_field="dealer",
        refused_writes_change=(AuditItemScore,),
    ),
    # POST queues the month's run of a scope; who may evaluate which scope and publishing: test_runs.py.
    ApiResource(
        basename="evaluation-run",
        make=region_run,
        writer=lambda dealer: UserFactory(roles=[Role.REGION_MANAGER], regions=[dealer.region]),
        create=lambda dealer: {"oem": dealer.region.oem_id, "region": dealer.region_id, "year": 2025, "month": 6},
        foreign_create_status=403,  # a scope whose dealers the user cannot all see
        in_dealer=lambda run, dealer: run.region_id == dealer.region_id,
    ),
    # Why the score changed (explain) is an action: evaluation/tests/test_explain.py.
    ApiResource(
        basename="evaluation-result",
        make=lambda dealer: DealerEvaluation.objects.create(run=region_run(dealer), dealer=dealer, indicators={}),
    ),
    # Dismiss and acknowledge are actions: evaluation/tests/test_alerts.py.
    ApiResource(basename="quality-alert", make=alert),
    # Moving an action on is an action: evaluation/tests/test_alerts.py.
    ApiResource(
        basename="improvement-action",
        make=lambda dealer: plan(alert(dealer), manager(dealer)),
        writer=manager,
        create=action_payload,
        foreign_create_status=404,  # the alert is looked up among the user's dealers' alerts
        patch=lambda action: {"plan": "增加早班接待和预约提醒"},
        refused_writes_change=(QualityAlert, Task),
    ),
    # Every indicator per dealer of the user for a period: a row is a dealer.
    ApiResource(
        basename="measurement",
        make=lambda dealer: dealer,
        model=Dealer,
        read_permission=MEASUREMENT_PERMISSION,
        list_params={"code": "A1"},
        id_field="dealer",
        detail=False,
    ),
]
