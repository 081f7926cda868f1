"""Evaluation runs: measure, weight, score, grade, rank the dealers of a scope for a month, and keep a snapshot.

``run_create`` queues a run (the page, the API and the monthly schedule do this), ``run_execute`` does the work
(in the background task ``run_evaluation_task``): it measures every indicator of the system version for every
dealer of the scope in grouped SQL (``evaluation.measures``), feeds the figures to the scoring engine
(``evaluation.engine``) and stores one ``DealerEvaluation`` per dealer with every input figure and its count, the
weights used and a SHA-256 hash of the inputs.  A finished run is never changed; re-running a month makes a new
run, and ``run_publish`` publishes one run per scope and month (a published run stays as it is).

Fuzzy membership of the satisfaction indicators comes from the distribution of the dealer's survey answers in the
month (the issue asks for it): C1/C2 from the answers tagged attitude/competence, E1 from the responses' CSI,
each counted into the grade bands 优 ≥ 90, 良 ≥ 80, 中 ≥ 60, 差 below (the grade thresholds of the version); E2 from
the NPS categories (promoter 优, passive 中, detractor 差).  Other indicators use the engine's triangular
membership around their score.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import logging
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from core.tenancy import dealer_ids_for
from evaluation import alerts, engine, measures
from evaluation.measures import measure_all
from evaluation.models import DealerEvaluation, EvaluationRun, SystemVersion
from evaluation.selectors import ahp_weights, current_version, with_structure
from organization.models import Dealer, Oem, Region

logger = logging.getLogger(__name__)
ADD = "evaluation.add_evaluationrun"
PUBLISH = "evaluation.publish_evaluationrun"


def month_bounds(year: int, month: int) -> tuple[date, date, datetime, datetime]:
    """First and last day of the month, and the period [start, end) as aware local datetimes."""
    first = date(year, month, 1)
    start, end = measures.month_bounds(year, month)
    return first, date(year, month, calendar.monthrange(year, month)[1]), start, end


def scope_dealers(*, oem: Oem, region: Region | None):
    dealers = Dealer.objects.filter(region__oem=oem, is_active=True)
    return dealers.filter(region=region) if region is not None else dealers


def version_for(oem: Oem) -> SystemVersion:
    version = current_version(oem.pk)
    if version is None:
        raise ValidationError(_("There is no published indicator system to evaluate with."))
    return version


@transaction.atomic
def run_create(*, oem: Oem, region: Region | None = None, year: int, month: int, by=None) -> EvaluationRun:
    """Queue an evaluation of the scope's dealers for the month (``by`` None: the monthly schedule)."""
    errors = {}
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        errors["month"] = _("Choose a month.")
    elif date(year, month, 1) > timezone.localdate():
        errors["month"] = _("A month is evaluated once it has started.")
    if region is not None and region.oem_id != oem.pk:
        errors["region"] = _("The region belongs to another OEM.")
    if errors:
        raise ValidationError(errors)
    dealers = scope_dealers(oem=oem, region=region)
    ids = set(dealers.values_list("id", flat=True))
    if by is not None:
        readable = dealer_ids_for(by)
        if not by.has_perm(ADD) or (readable is not None and not ids <= readable):
            raise PermissionDenied(_("You may evaluate only scopes whose dealers you can all see."))
    if not ids:
        raise ValidationError({"region": _("There is no active dealer to evaluate in this scope.")})
    first, last, _start, _end = month_bounds(year, month)
    run = EvaluationRun(
        oem=oem, region=region, period_start=first, period_end=last, system_version=version_for(oem), created_by=by
    )
    run._history_user = by
    run.save()
    return run


def _set(run: EvaluationRun, **fields) -> None:
    EvaluationRun.objects.filter(pk=run.pk).update(**fields)
    for name, value in fields.items():
        setattr(run, name, value)


def survey_memberships(dealer_ids, start: datetime, end: datetime, version: SystemVersion) -> dict:
    """{dealer: {code: (优, 良, 中, 差) shares}} from the month's survey answers (one grouped query per source)."""
    from surveys.models import SurveyAnswer, SurveyResponse

    (_g1, excellent), (_g2, good), (_g3, fair), _poor = version.grade_thresholds
    result: dict[int, dict[str, tuple[float, ...]]] = {}

    def bands(field: str) -> dict:
        return {
            "a": Count("id", filter=Q(**{f"{field}__gte": excellent})),
            "b": Count("id", filter=Q(**{f"{field}__gte": good, f"{field}__lt": excellent})),
            "c": Count("id", filter=Q(**{f"{field}__gte": fair, f"{field}__lt": good})),
            "d": Count("id", filter=Q(**{f"{field}__lt": fair})),
        }

    def keep(rows, code: str, dealer_key: str) -> None:
        for row in rows:
            counts = [row.get(k, 0) for k in "abcd"]
            total = sum(counts)
            if total:
                shares = tuple(count / total for count in counts)
                result.setdefault(row[dealer_key], {})[code] = shares

    answers = SurveyAnswer.objects.filter(
        response__dealer_id__in=dealer_ids, response__submitted_at__gte=start, response__submitted_at__lt=end,
        score__isnull=False,
    )  # fmt: skip
    for code, dimension in (("C1", "attitude"), ("C2", "competence")):
        rows = answers.filter(dimension=dimension).values("response__dealer_id").annotate(**bands("score"))
        keep(rows, code, "response__dealer_id")
    responses = SurveyResponse.objects.filter(dealer_id__in=dealer_ids, submitted_at__gte=start, submitted_at__lt=end)
    keep(
        responses.filter(csi_score__isnull=False).values("dealer_id").annotate(**bands("csi_score")), "E1", "dealer_id"
    )
    nps = (
        responses.exclude(nps_category="")
        .values("dealer_id")
        .annotate(
            a=Count("id", filter=Q(nps_category="promoter")),
            c=Count("id", filter=Q(nps_category="passive")),
            d=Count("id", filter=Q(nps_category="detractor")),
        )
    )
    keep(nps, "E2", "dealer_id")
    return result


def _number(value):
    return None if value is None else float(value)


def inputs_hash(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def run_execute(run: EvaluationRun) -> EvaluationRun:
    """Do a queued run: measure, score, store. A failure marks the run failed with the reason."""
    run = EvaluationRun.objects.select_related("oem", "region").get(pk=run.pk)
    if run.status != EvaluationRun.Status.QUEUED:
        return run
    _set(run, status=EvaluationRun.Status.RUNNING, progress=5)
    try:
        _execute(run)
    except Exception as exc:  # the run page must say why, whatever went wrong
        logger.exception("evaluation run %s failed", run.pk)
        _set(run, status=EvaluationRun.Status.FAILED, message=str(exc)[:300], finished_at=timezone.now())
    return run


def _execute(run: EvaluationRun) -> None:
    version = with_structure(SystemVersion.objects.filter(pk=run.system_version_id)).get()
    _first, _last, start, end = month_bounds(run.period_start.year, run.period_start.month)
    dealer_ids = sorted(scope_dealers(oem=run.oem, region=run.region).values_list("id", flat=True))
    weights = ahp_weights(version)
    dimensions = [d for d in version.dimensions.all()]
    indicators = [(d, i) for d in dimensions for i in d.indicators.all()]
    codes = [i.code for _d, i in indicators]
    measured = measure_all(dealer_ids, start, end, as_of=min(timezone.now(), end + timedelta(days=30)), codes=codes)
    _set(run, progress=60)
    memberships = survey_memberships(dealer_ids, start, end, version)
    settings = engine.Settings(
        mode=version.weighting_mode, alpha=float(version.alpha),
        grade_thresholds=tuple((low, grade) for grade, low in version.grade_thresholds[:-1]),
        lowest_grade=version.grade_thresholds[-1][0],
        star_thresholds=((float(version.star5_min), 5), (float(version.star4_min), 4), (float(version.star3_min), 3),
                         (float(version.star_compliant_min), 0)),
        grade_scores=version.fuzzy_grade_scores,
    )  # fmt: skip
    result = engine.evaluate(
        dimensions=[engine.DimensionSpec(d.code, weights.dimension[d.code]) for d in dimensions],
        indicators=[
            engine.IndicatorSpec(i.code, d.code, float(i.target), float(i.floor), weights.local[i.code])
            for d, i in indicators
        ],
        values={dealer: {c: measured[c][dealer].value for c in codes} for dealer in dealer_ids},
        settings=settings,
        memberships=memberships,
    )
    _set(run, progress=85)
    figures = {
        c: {str(d): [m.value, _number(m.numerator), _number(m.denominator), m.n] for d, m in measured[c].items()}
        for c in codes
    }
    digest = inputs_hash({
        "version": version.pk, "period": [str(run.period_start), str(run.period_end)], "dealers": dealer_ids,
        "figures": figures, "memberships": {str(d): v for d, v in memberships.items()},
    })  # fmt: skip
    rows = []
    for dealer in dealer_ids:
        r = result.dealers[dealer]
        rows.append(DealerEvaluation(
            run=run, dealer_id=dealer, score=r.score, grade=r.grade or "", stars=r.stars, rank=r.rank,
            topsis_closeness=r.topsis_closeness, topsis_rank=r.topsis_rank,
            fuzzy_vector=list(r.fuzzy_vector) if r.fuzzy_vector else None, fuzzy_grade=r.fuzzy_grade or "",
            fuzzy_score=r.fuzzy_score, dimension_scores=r.dimension_scores,
            indicators={
                c: {"value": measured[c][dealer].value, "numerator": _number(measured[c][dealer].numerator),
                    "denominator": _number(measured[c][dealer].denominator), "n": measured[c][dealer].n,
                    "score": r.indicator_scores[c], "weight": r.indicator_weights.get(c),
                    "membership": list(memberships.get(dealer, {}).get(c, ())) or None}
                for c in codes
            },
        ))  # fmt: skip
    with transaction.atomic():
        DealerEvaluation.objects.bulk_create(rows)
        _set(
            run, status=EvaluationRun.Status.DONE, progress=100, finished_at=timezone.now(), inputs_hash=digest,
            dealer_count=len(dealer_ids), notes=result.notes,
            weights={"global": result.weights, "ahp": result.ahp_weights, "entropy": result.entropy_weights,
                     "dimensions": result.dimension_weights, "hierarchy_cr": weights.hierarchy_cr},
        )  # fmt: skip
        alerts.after_run(run)  # PDCA: raise this run's alerts, check the improvement actions now due


@task()
def run_evaluation_task(run_id: int) -> str:
    """Background execution of a queued run; returns its final status."""
    return run_execute(EvaluationRun(pk=run_id)).status


def run_start(*, oem, region=None, year: int, month: int, by=None) -> EvaluationRun:
    """Queue a run and hand it to the task queue (run inline by the immediate backend in tests)."""
    run = run_create(oem=oem, region=region, year=year, month=month, by=by)
    transaction.on_commit(lambda: run_evaluation_task.enqueue(run.pk))
    return run


@transaction.atomic
def run_publish(*, run: EvaluationRun, by) -> EvaluationRun:
    """Publish a finished run: the month's official result for its scope (one per scope and month, for good)."""
    run = EvaluationRun.objects.select_for_update().get(pk=run.pk)
    readable = dealer_ids_for(by)
    scope = set(run.results.values_list("dealer_id", flat=True))
    if not by.has_perm(PUBLISH) or (readable is not None and not scope <= readable):
        raise PermissionDenied(_("You may not publish this evaluation."))
    if run.status != EvaluationRun.Status.DONE:
        raise ValidationError(_("Only a finished run is published."))
    if run.published:
        raise ValidationError(_("This run is already published."))
    same = EvaluationRun.objects.filter(oem=run.oem_id, period_start=run.period_start, published=True)
    same = same.filter(region=run.region_id) if run.region_id else same.filter(region__isnull=True)
    if same.exists():
        raise ValidationError(_("A run of this scope and month is already published; published results never change."))
    run.published, run.published_at, run.published_by = True, timezone.now(), by
    run._history_user = by
    run.save(update_fields=["published", "published_at", "published_by"])
    return run


@task()
def monthly_evaluations() -> int:
    """On the 1st: evaluate last month for every OEM that has a published indicator system; returns the run count."""
    today = timezone.localdate()
    last_month = today.replace(day=1) - timedelta(days=1)
    count = 0
    for oem in Oem.objects.all():
        try:
            run = run_create(oem=oem, year=last_month.year, month=last_month.month)
        except ValidationError:
            continue
        run_execute(run)
        count += 1
    return count
