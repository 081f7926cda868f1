"""Evaluation runs: measure, weight, score, grade, rank the dealers of a scope for a month, and keep a snapshot.

``run_create`` queues a run (the page, the API and the monthly schedule do this), ``run_execute`` does the work
(in the background task ``run_evaluation_task``): it measures every indicator of the system version for every
dealer of the scope in grouped SQL (``evaluation.selectors.measures``), feeds the figures to the scoring engine
(``evaluation.engine``) and stores one ``DealerEvaluation`` per dealer with every input figure and its count, the
weights used and a SHA-256 hash of the inputs.  A finished run is never changed; re-running a month makes a new
run, and ``run_publish`` publishes one run per scope and month (a published run stays as it is).

Comparable and reproducible months (settings of the indicator-system version, copied into ``EvaluationRun.options``):

* **As of.** A month is measured as the records stood at its end plus ``grace_days`` (default 7), whatever day the
  run is made, so re-running October on any later day gives the same figures and the same inputs hash.  A run
  before that moment measures as of now and is *provisional* (``EvaluationRun.provisional``, a note says so).
  The daily schedule evaluates each OEM's latest month whose grace period is over, once.
* **Entropy over a trailing window.** The entropy weights stand on the dealer-months of the last
  ``entropy_window_months`` months (default 12) ending with the run's month, each earlier month measured in grouped
  SQL as of its own end plus the grace period; below ``entropy_min_dealers`` dealers with data (default 5) entropy
  is not used at all (AHP weights, and a note).
* **Enough data.** A figure on fewer than ``min_sample`` records (population figures C3, C4, F2, G excepted:
  ``models.enough_data``) is scored but enters neither the entropy weights nor the alerts
  (``EvaluationRun.has_enough_data``), and does not count for a rank: a dealer whose figures with enough data carry
  less than ``rank_min_weight`` % of the weight keeps its score and gets no rank, with the reason.
* **Like for like.** Within a scope, C1/C2/E1 must come from one questionnaire family (the code of the questionnaire:
  CSI, SERVQUAL…).  The family most dealers used in the month is the reference; a dealer whose responses used another
  (or a mix) has these figures shown but marked not comparable: they get no score (their weight goes to the rest of
  the dimension, as for no data), and stay out of the entropy weights and the ranking, because a SERVQUAL score on
  the CSI's target and floor does not measure the same thing.  The run page and the API warn.

Fuzzy membership of the satisfaction indicators comes from the distribution of the dealer's survey answers in the
month (the issue asks for it): C1/C2 from the answers tagged attitude/competence, E1 from the responses' CSI,
each counted into the grade bands 优 ≥ 90, 良 ≥ 80, 中 ≥ 60, 差 below (the grade thresholds of the version); E2 from
the NPS categories (promoter 优, passive 中, detractor 差).  Other indicators use the engine's triangular
membership around their score.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from core.dates import Month, add_months, local_date
from core.indicators import Rate
from core.permissions import require
from evaluation import engine
from evaluation.models import RUN_ADD, RUN_PUBLISH, DealerEvaluation, EvaluationRun, SystemVersion
from evaluation.notes import SURVEY_FAMILY_CODES
from evaluation.selectors import measures
from evaluation.selectors.measures import measure_all
from evaluation.selectors.systems import ahp_weights, current_version, with_structure
from evaluation.services import alerts
from organization.models import Dealer, Oem, Region

logger = logging.getLogger(__name__)
ADD = RUN_ADD
PUBLISH = RUN_PUBLISH


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
        refused = _("You may evaluate only scopes whose dealers you can all see.")
        require(by, ADD, dealers=ids, write=False, message=refused, scope_message=refused)
    if not ids:
        raise ValidationError({"region": _("There is no active dealer to evaluate in this scope.")})
    period = Month(year, month)
    run = EvaluationRun(
        oem=oem,
        region=region,
        period_start=period.first_day,
        period_end=period.last_day,
        system_version=version_for(oem),
        created_by=by,
    )
    run._history_user = by
    run.save()
    return run


def _set(run: EvaluationRun, **fields) -> None:
    EvaluationRun.objects.filter(pk=run.pk).update(**fields)
    for name, value in fields.items():
        setattr(run, name, value)


def survey_memberships(dealer_ids, start: datetime, end: datetime, version: SystemVersion) -> dict:
    """{dealer: {code: (优, 良, 中, 差) shares}} from the month's survey answers (one grouped query per source).

    The answers and responses are the records of surveys.kpis' rules (C1/C2 answers, E1 responses with a CSI, E2
    responses with a recommendation), so a membership stands on exactly the rows its indicator's figure does.
    """
    from surveys import kpis as surveys

    (_g1, excellent), (_g2, good), (_g3, fair), _poor = version.grade_thresholds
    result: dict[int, dict[str, tuple[float, ...]]] = {}
    bands = {
        "a": Count("pk", filter=Q(kpi_value__gte=excellent)),
        "b": Count("pk", filter=Q(kpi_value__gte=good, kpi_value__lt=excellent)),
        "c": Count("pk", filter=Q(kpi_value__gte=fair, kpi_value__lt=good)),
        "d": Count("pk", filter=Q(kpi_value__lt=fair)),
    }
    nps_bands = {
        "a": Count("pk", filter=surveys.PROMOTER), "c": Count("pk", filter=surveys.PASSIVE),
        "d": Count("pk", filter=surveys.DETRACTOR),
    }  # fmt: skip
    sources = (
        ("C1", surveys.attitude_records, "response__dealer_id", bands),
        ("C2", surveys.competence_records, "response__dealer_id", bands),
        ("E1", surveys.csi_records, "dealer_id", bands),
        ("E2", surveys.nps_records, "dealer_id", nps_bands),
    )
    for code, records, dealer_key, counts in sources:
        rows = records(dealer_ids, start, end).order_by().values(dealer_key).annotate(**counts)
        for row in rows:
            shares = [row.get(k, 0) for k in "abcd"]
            total = sum(shares)
            if total:
                result.setdefault(row[dealer_key], {})[code] = tuple(count / total for count in shares)
    return result


def _number(value):
    return None if value is None else float(value)


def inputs_hash(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def evaluation_moment(end: datetime, grace_days: int, now: datetime) -> tuple[datetime, datetime, bool]:
    """(as of, the month's end plus the grace period, provisional) for the period ``[…, end)``.

    A month is evaluated as the records stood at its end plus the grace period, whatever day the run is made, so
    re-running it gives the same figures; a run made before that moment evaluates as of now and is provisional.
    """
    until = end + timedelta(days=grace_days)
    return (until, until, False) if now >= until else (now, until, True)


def survey_families(dealer_ids, start: datetime, end: datetime) -> dict[int, list[str]]:
    """{dealer: sorted questionnaire families (codes: CSI, SERVQUAL…)} of the responses answered in the period.

    One grouped query; a dealer's own copy of a questionnaire keeps the code of the family it was copied from.
    """
    from surveys.models import SurveyResponse

    rows = (
        SurveyResponse.objects.filter(dealer_id__in=list(dealer_ids), submitted_at__gte=start, submitted_at__lt=end)
        .order_by()
        .values_list("dealer_id", "questionnaire__code")
        .distinct()
    )
    families: dict[int, set[str]] = {}
    for dealer, code in rows:
        families.setdefault(dealer, set()).add(code)
    return {dealer: sorted(codes) for dealer, codes in families.items()}


def reference_family(families: dict[int, list[str]]) -> str | None:
    """The family most dealers of the scope used (a tie: the shipped default CSI, else the first by code)."""
    from surveys.shipped import DEFAULT_CODE

    counts: dict[str, int] = {}
    for codes in families.values():
        for code in codes:
            counts[code] = counts.get(code, 0) + 1
    if not counts:
        return None
    best = max(counts.values())
    tied = sorted(code for code, count in counts.items() if count == best)
    return DEFAULT_CODE if DEFAULT_CODE in tied else tied[0]


def not_comparable(families: dict[int, list[str]]) -> tuple[str | None, dict[int, list[str]]]:
    """(the reference family, {dealer: its families} of the dealers whose survey figures are not like for like)."""
    reference = reference_family(families)
    return reference, {d: codes for d, codes in families.items() if reference is not None and codes != [reference]}


@dataclass
class MonthFigures:
    """One month of the scope measured for a run: the figures, and which of them are usable for comparison."""

    first: date
    measured: dict[str, dict[int, measures.Measure]]
    reference: str | None
    mismatched: dict[int, list[str]]

    def comparable(self, code: str, dealer: int) -> bool:
        return not (code in SURVEY_FAMILY_CODES and dealer in self.mismatched)

    def entropy_row(self, dealer: int, codes, version: SystemVersion) -> dict[str, float | None]:
        """The dealer's values for the entropy matrix: None where there is no data, too few records, or the
        survey figures are not like for like."""
        row = {}
        for code in codes:
            m = self.measured[code][dealer]
            usable = self.comparable(code, dealer) and version.has_enough_data(code, m.n)
            row[code] = m.value if usable else None
        return row


def measure_month(dealer_ids, first: date, codes, as_of: datetime) -> MonthFigures:
    """Every indicator of ``codes`` for the dealers and the month, as of ``as_of`` (a fixed number of grouped
    queries whatever the number of dealers), with the like-for-like check of the survey figures."""
    start, end = Month.of(first).bounds()
    measured = measure_all(dealer_ids, start, end, as_of=as_of, codes=codes)
    reference, mismatched = not_comparable(survey_families(dealer_ids, start, end))
    return MonthFigures(first, measured, reference, mismatched)


def run_options(version: SystemVersion) -> dict:
    """The version's settings a run uses, as stored in the run (``EvaluationRun.options``)."""
    return {
        "weighting_mode": version.weighting_mode, "alpha": float(version.alpha), "grace_days": version.grace_days,
        "entropy_window_months": version.entropy_window_months, "entropy_min_dealers": version.entropy_min_dealers,
        "min_sample": version.min_sample, "rank_min_weight": float(version.rank_min_weight),
    }  # fmt: skip


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
    start, end = Month.of(run.period_start).bounds()
    as_of, until, provisional = evaluation_moment(end, version.grace_days, timezone.now())
    dealer_ids = sorted(scope_dealers(oem=run.oem, region=run.region).values_list("id", flat=True))
    weights = ahp_weights(version)
    dimensions = [d for d in version.dimensions.all()]
    indicators = [(d, i) for d in dimensions for i in d.indicators.all()]
    codes = [i.code for _d, i in indicators]
    month = measure_month(dealer_ids, run.period_start, codes, as_of)
    measured = month.measured
    _set(run, progress=20)
    memberships = survey_memberships(dealer_ids, start, end, version)
    for dealer in month.mismatched:  # not like for like: no score, so no membership either
        for code in SURVEY_FAMILY_CODES:
            memberships.get(dealer, {}).pop(code, None)
    settings = engine.Settings(
        mode=version.weighting_mode, alpha=float(version.alpha),
        grade_thresholds=tuple((low, grade) for grade, low in version.grade_thresholds[:-1]),
        lowest_grade=version.grade_thresholds[-1][0],
        star_thresholds=((float(version.star5_min), 5), (float(version.star4_min), 4), (float(version.star3_min), 3),
                         (float(version.star_compliant_min), 0)),
        grade_scores=version.fuzzy_grade_scores, entropy_min_dealers=version.entropy_min_dealers,
        rank_min_weight=Rate.of_percent(version.rank_min_weight).fraction,
    )  # fmt: skip
    values = {
        dealer: {c: measured[c][dealer].value if month.comparable(c, dealer) else None for c in codes}
        for dealer in dealer_ids
    }
    thin = {
        dealer: {c for c in codes if measured[c][dealer].n and not version.has_enough_data(c, measured[c][dealer].n)}
        for dealer in dealer_ids
    }
    options = {**run_options(version), "as_of": as_of.isoformat(), "until": until.isoformat()}
    notes: list[dict] = []
    if provisional:
        notes.append({"code": "provisional", "as_of": as_of.isoformat(), "until": until.isoformat()})
    if month.mismatched:
        notes.append({
            "code": "survey_family_mismatch", "reference": month.reference, "indicators": list(SURVEY_FAMILY_CODES),
            "dealers": [{"id": pk, "dealer": code, "families": month.mismatched[pk]}
                        for pk, code in Dealer.objects.filter(pk__in=month.mismatched).order_by("code")
                        .values_list("pk", "code")],
        })  # fmt: skip
    thin_codes = [c for c in codes if any(c in thin[d] for d in dealer_ids)]
    if thin_codes:
        notes.append({"code": "entropy_thin", "minimum": version.min_sample, "indicators": thin_codes})
    window = _entropy_window(run, version, dealer_ids, codes, month, as_of, values, settings)
    if window is not None:
        rows, window_digest, months = window
        options.update(entropy_months=[months[0], months[-1]], entropy_inputs=window_digest)
    else:
        rows = None
    _set(run, progress=70)
    result = engine.evaluate(
        dimensions=[engine.DimensionSpec(d.code, weights.dimension[d.code]) for d in dimensions],
        indicators=[
            engine.IndicatorSpec(i.code, d.code, float(i.target), float(i.floor), weights.local[i.code])
            for d, i in indicators
        ],
        values=values, settings=settings, memberships=memberships, thin=thin, entropy_values=rows,
    )  # fmt: skip
    if result.entropy_weights is not None and window is not None:
        notes.append({"code": "entropy_window", "rows": result.entropy_rows, "first": months[0], "last": months[-1]})
    options.update(entropy_used=result.entropy_weights is not None, entropy_rows=result.entropy_rows,
                   survey_family=month.reference)  # fmt: skip
    _set(run, progress=85)
    figures = {
        c: {str(d): [m.value, _number(m.numerator), _number(m.denominator), m.n] for d, m in measured[c].items()}
        for c in codes
    }
    digest = inputs_hash({
        "version": version.pk, "period": [str(run.period_start), str(run.period_end)], "dealers": dealer_ids,
        "figures": figures, "memberships": {str(d): v for d, v in memberships.items()}, "options": options,
        "not_comparable": {str(d): v for d, v in month.mismatched.items()},
    })  # fmt: skip
    rows_out = []
    for dealer in dealer_ids:
        r = result.dealers[dealer]
        indicator_rows = {}
        for c in codes:
            m = measured[c][dealer]
            indicator_rows[c] = {
                "value": m.value, "numerator": _number(m.numerator), "denominator": _number(m.denominator),
                "n": m.n, "score": r.indicator_scores[c], "weight": r.indicator_weights.get(c),
                "membership": list(memberships.get(dealer, {}).get(c, ())) or None,
                "enough": version.has_enough_data(c, m.n), "comparable": month.comparable(c, dealer),
            }  # fmt: skip
            if not month.comparable(c, dealer):
                indicator_rows[c]["families"] = month.mismatched[dealer]
        rows_out.append(DealerEvaluation(
            run=run, dealer_id=dealer, score=r.score, grade=r.grade or "", stars=r.stars, rank=r.rank,
            topsis_closeness=r.topsis_closeness, topsis_rank=r.topsis_rank,
            fuzzy_vector=list(r.fuzzy_vector) if r.fuzzy_vector else None, fuzzy_grade=r.fuzzy_grade or "",
            fuzzy_score=r.fuzzy_score, dimension_scores=r.dimension_scores, indicators=indicator_rows,
            rank_note=r.rank_note,
        ))  # fmt: skip
    with transaction.atomic():
        DealerEvaluation.objects.bulk_create(rows_out)
        _set(
            run, status=EvaluationRun.Status.DONE, progress=100, finished_at=timezone.now(), inputs_hash=digest,
            dealer_count=len(dealer_ids), notes=notes + result.notes, options=options, as_of=as_of,
            provisional=provisional,
            weights={"global": result.weights, "ahp": result.ahp_weights, "entropy": result.entropy_weights,
                     "dimensions": result.dimension_weights, "hierarchy_cr": weights.hierarchy_cr},
        )  # fmt: skip
        alerts.after_run(run)  # PDCA: raise this run's alerts, check the improvement actions now due


def _entropy_window(run, version, dealer_ids, codes, month: MonthFigures, as_of, values, settings):
    """The dealer-month rows of the trailing entropy window ending with the run's month, or None (one month only,
    or entropy not used).  Each earlier month is measured as of its own end plus the grace period (never later
    than the run's own moment), in grouped SQL: a fixed number of queries per month, not per dealer.

    Returns (rows, a SHA-256 of the window's figures, ["YYYY-MM" of every month, oldest first]).
    """
    if version.entropy_window_months <= 1 or not engine.entropy_possible(values, settings)[0]:
        return None
    firsts = [add_months(run.period_start, -k) for k in range(version.entropy_window_months - 1, 0, -1)]
    rows, fingerprint = [], {}
    for number, first in enumerate(firsts, start=1):
        # never later than the run's own moment
        moment = evaluation_moment(Month.of(first).end, version.grace_days, as_of)[0]
        earlier = measure_month(dealer_ids, first, codes, moment)
        rows.extend(earlier.entropy_row(d, codes, version) for d in dealer_ids)
        fingerprint[f"{first:%Y-%m}"] = {
            c: {str(d): [m.value, m.n] for d, m in earlier.measured[c].items()} for c in codes
        } | {"not_comparable": {str(d): v for d, v in earlier.mismatched.items()}}
        _set(run, progress=20 + 50 * number // len(firsts))
    rows.extend(month.entropy_row(d, codes, version) for d in dealer_ids)
    months = [f"{first:%Y-%m}" for first in [*firsts, run.period_start]]
    return rows, inputs_hash(fingerprint), months


@task()
def run_evaluation_task(run_id: int) -> str:
    """Background execution of a queued run; returns its final status."""
    return run_execute(EvaluationRun(pk=run_id)).status


def run_start(*, oem, region=None, year: int, month: int, by=None) -> EvaluationRun:
    """Queue a run and hand it to the task queue (run inline by the immediate backend in tests)."""
    run = run_create(oem=oem, region=region, year=year, month=month, by=by)
    transaction.on_commit(lambda: run_evaluation_task.enqueue(run.pk))
    return run


def published_run_of_month(run: EvaluationRun) -> EvaluationRun | None:
    """The published run of the run's scope and month (the run itself once published), or None."""
    same = EvaluationRun.objects.filter(oem=run.oem_id, period_start=run.period_start, published=True)
    same = same.filter(region=run.region_id) if run.region_id else same.filter(region__isnull=True)
    return same.order_by("-published_at", "-id").first()


def _check_publishable(run: EvaluationRun, by) -> None:
    """Refuse unless ``by`` may publish the run now: the permission over all its dealers, finished, the first of
    its scope and month."""
    refused = _("You may not publish this evaluation.")
    dealers = set(run.results.values_list("dealer_id", flat=True))
    require(by, PUBLISH, dealers=dealers, write=False, message=refused, scope_message=refused)
    if run.status != EvaluationRun.Status.DONE:
        raise ValidationError(_("Only a finished run is published."))
    if run.published:
        raise ValidationError(_("This run is already published."))
    if published_run_of_month(run) is not None:
        raise ValidationError(_("A run of this scope and month is already published; published results never change."))


def run_can_publish(*, run: EvaluationRun, user) -> bool:
    """Whether the user may publish the run now (the run page shows the button only then)."""
    try:
        _check_publishable(run, user)
    except (ValidationError, PermissionDenied):
        return False
    return True


@transaction.atomic
def run_publish(*, run: EvaluationRun, by) -> EvaluationRun:
    """Publish a finished run: the month's official result for its scope (one per scope and month, for good); from
    then on the evaluated side (the dealers' service managers) sees it (``evaluation.models.sees_drafts``)."""
    run = EvaluationRun.objects.select_for_update().get(pk=run.pk)
    _check_publishable(run, by)
    run.published, run.published_at, run.published_by = True, timezone.now(), by
    run._history_user = by
    run.save(update_fields=["published", "published_at", "published_by"])
    return run


def due_month(version: SystemVersion, now: datetime) -> date:
    """The latest month whose end plus the version's grace period has passed (the month the schedule evaluates)."""
    month = Month.of(local_date(now))
    while True:
        month = month.previous()
        if not evaluation_moment(month.end, version.grace_days, now)[2]:
            return month.first_day


@task()
def monthly_evaluations() -> int:
    """Daily: evaluate, for every OEM with a published indicator system, the latest month whose grace period is
    over, once (a month that already has a final run, or one under way, is left alone); returns the run count."""
    now = timezone.now()
    count = 0
    for oem in Oem.objects.all():
        version = current_version(oem.pk)
        if version is None:
            continue
        first = due_month(version, now)
        done = EvaluationRun.objects.filter(oem=oem, region__isnull=True, period_start=first).filter(
            Q(status__in=[EvaluationRun.Status.QUEUED, EvaluationRun.Status.RUNNING])
            | Q(status=EvaluationRun.Status.DONE, provisional=False)
        )
        if done.exists():
            continue
        try:
            run = run_create(oem=oem, year=first.year, month=first.month)
        except ValidationError:
            continue
        run_execute(run)
        count += 1
    return count
