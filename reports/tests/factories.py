"""Published evaluation runs for the report tests, made the way a run is (run_create, the engine's scoring with the
version's AHP weights, run_publish), with given indicator scores instead of measured records."""

from __future__ import annotations

from datetime import timedelta

from core.dates import Month
from core.tests.factories import UserFactory
from evaluation import engine
from evaluation.models import DealerEvaluation, EvaluationRun, SystemVersion
from evaluation.selectors.systems import ahp_weights, with_structure
from evaluation.services.runs import run_create, run_options, run_publish


def publisher():
    """An administrator who may publish every run (a superuser)."""
    from accounts.models import User

    return User.objects.filter(username="report_publisher").first() or UserFactory(
        username="report_publisher", is_superuser=True, is_staff=True
    )


def default_scores(base: float) -> dict[str, float]:
    """An indicator score per code around ``base`` (0–100): each indicator a little different."""
    from evaluation.defaults import INDICATORS

    return {row[1]: max(0.0, min(100.0, base + (k % 5) * 4 - 8)) for k, row in enumerate(INDICATORS)}


def published_run(oem, month: Month, scores: dict, *, region=None, publish: bool = True, n: int = 12) -> EvaluationRun:
    """A finished (and published) run of the OEM (or region) for ``month`` with ``scores`` = {dealer: {code: score
    or None}} or {dealer: base score}; values are placed between floor and target to match the scores."""
    run = run_create(oem=oem, region=region, year=month.year, month=month.month)
    version = with_structure(SystemVersion.objects.filter(pk=run.system_version_id)).get()
    weights = ahp_weights(version)
    dimensions = list(version.dimensions.all())
    indicators = [(d, i) for d in dimensions for i in d.indicators.all()]
    specs = [
        engine.IndicatorSpec(i.code, d.code, float(i.target), float(i.floor), weights.local[i.code])
        for d, i in indicators
    ]
    dims = [engine.DimensionSpec(d.code, weights.dimension[d.code]) for d in dimensions]
    used = engine.Weights(weights.global_, weights.global_, None, 0, weights.dimension, weights.local)
    rows = []
    for dealer, given in scores.items():
        given = default_scores(given) if isinstance(given, (int, float)) else given
        codes = {i.code: given.get(i.code) for _d, i in indicators}
        result = engine.score(dealer.pk, codes, dims, specs, used)
        figures = {}
        for _d, i in indicators:
            s = codes[i.code]
            value = None if s is None else float(i.floor) + s / 100 * (float(i.target) - float(i.floor))
            figures[i.code] = {
                "value": value,
                "numerator": None,
                "denominator": None,
                "n": n if s is not None else 0,
                "score": s,
                "weight": result.indicator_weights.get(i.code),
                "membership": None,
                "enough": True,
                "comparable": True,
            }
        rows.append(
            DealerEvaluation(
                run=run,
                dealer=dealer,
                score=result.score,
                grade=version.grade_for(result.score) or "",
                stars=version.stars_for(result.score),
                dimension_scores=result.dimension_scores,
                indicators=figures,
            )
        )
    ranked = sorted((r for r in rows if r.score is not None), key=lambda r: -r.score)
    for position, row in enumerate(ranked, start=1):
        row.rank = row.topsis_rank = position
    DealerEvaluation.objects.bulk_create(rows)
    as_of = month.end + timedelta(days=version.grace_days)
    EvaluationRun.objects.filter(pk=run.pk).update(
        status=EvaluationRun.Status.DONE,
        progress=100,
        as_of=as_of,
        finished_at=as_of,
        dealer_count=len(rows),
        options={**run_options(version), "as_of": as_of.isoformat(), "entropy_used": False, "entropy_rows": 0},
        weights={
            "global": weights.global_,
            "ahp": weights.global_,
            "entropy": None,
            "dimensions": weights.dimension,
            "hierarchy_cr": weights.hierarchy_cr,
        },
    )
    run.refresh_from_db()
    if publish:
        run = run_publish(run=run, by=publisher())
    return run
