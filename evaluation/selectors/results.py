"""Reads of stored evaluation results: a dealer's result of a month, its trend, and why its score changed.

**The result of a month.** A dealer may be in several runs of a month (the OEM's, a region's, re-runs); the one that
counts is, in this order: a published run before a draft, the OEM-wide run before a region's, the latest finished.
Which runs a user sees is the model's rule (``DealerEvaluation.objects.for_user``: the evaluated side sees published
runs only).  ``results_by_month`` picks that result for many dealers and months in one query; ``month_result``,
``previous_result`` and ``dealer_history`` are that rule for one dealer.

**Why did the score change** (``explain``).  The engine's overall score is Σ dimension weight × Σ local weight ×
indicator score over the indicators with data, the weights of the missing ones spread over the rest of their
dimension and of missing dimensions over the others (``evaluation.engine.score``).  So each indicator carries an
*effective* global weight ``w`` = its effective local weight × its dimension's effective weight (they sum to 1 over the
indicators with data), and the score is exactly Σ w·s.  The change from the previous month splits into one
contribution per indicator, ``Δ(w·s) = w'·s' − w·s``, which add up to the change exactly; each splits again
into the dealer's own performance and the weights: ``Δ(w·s) = w̄·Δs + s̄·Δw`` (w̄, s̄ the two months' means).
An indicator with data in only one of the months is all weight (coverage): its missing score is taken equal to the
other month's, so Δs = 0 and its whole ``w·s`` counts as a change of weight — as does the weight the other
indicators gained or lost by spreading.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import F, QuerySet
from django.utils.translation import gettext

from core.dates import Month
from core.indicators import BALANCE, MEAN, MEDIAN, PERCENT, RATIO
from evaluation import maths
from evaluation.models import DealerEvaluation, EvaluationRun, Indicator
from evaluation.selectors.measures import MEASURES


def visible_results(user) -> QuerySet[DealerEvaluation]:
    """The finished results the user may read (the model's visibility rule)."""
    return DealerEvaluation.objects.for_user(user).filter(run__status=EvaluationRun.Status.DONE)


#: The result that counts for a dealer and month comes first in this order.
PREFERENCE = (F("run__published").desc(), F("run__region").asc(nulls_first=True), F("run__finished_at").desc(
    nulls_last=True), F("run_id").desc())  # fmt: skip


def results_by_month(user, dealer_ids, first: date, last: date) -> dict[tuple[int, date], DealerEvaluation]:
    """{(dealer id, first day of the month): the result that counts} for the dealers and months first…last (the
    months' first days), in one query (with the run and its version)."""
    rows = (
        visible_results(user)
        .filter(dealer_id__in=list(dealer_ids), run__period_start__gte=first, run__period_start__lte=last)
        .select_related("run", "dealer")
        .order_by("dealer_id", "run__period_start", *PREFERENCE)
    )
    chosen: dict[tuple[int, date], DealerEvaluation] = {}
    for result in rows:
        chosen.setdefault((result.dealer_id, result.run.period_start), result)
    return chosen


def month_result(dealer_id: int, month: Month, user) -> DealerEvaluation | None:
    """The dealer's result of the month that the user may read (None: no finished run the user sees)."""
    return results_by_month(user, [dealer_id], month.first_day, month.first_day).get((dealer_id, month.first_day))


def previous_result(result: DealerEvaluation, user) -> DealerEvaluation | None:
    """The same dealer's result of the month before ``result``'s."""
    return month_result(result.dealer_id, Month.of(result.run.period_start).previous(), user)


def dealer_history(dealer_id: int, last: Month, user, months: int = 12) -> list[tuple[Month, DealerEvaluation | None]]:
    """The dealer's result of each of the ``months`` months ending with ``last``, oldest first (None: none)."""
    first = last.plus(-(months - 1))
    found = results_by_month(user, [dealer_id], first.first_day, last.first_day)
    return [(first.plus(k), found.get((dealer_id, first.plus(k).first_day))) for k in range(months)]


# --- why did the score change ----------------------------------------------------------------------------------


def _dimension_of(version_ids) -> dict[int, dict[str, str]]:
    """{version id: {indicator code: dimension code}} for the versions (one query)."""
    mapping: dict[int, dict[str, str]] = {}
    rows = Indicator.objects.filter(dimension__system_version_id__in=set(version_ids)).values_list(
        "dimension__system_version_id", "code", "dimension__code"
    )
    for version, code, dimension in rows:
        mapping.setdefault(version, {})[code] = dimension
    return mapping


def effective_weights(result: DealerEvaluation, dimensions: dict[str, str]) -> dict[str, float]:
    """{indicator code: effective global weight} of the indicators the result scored (they sum to 1): the stored
    effective local weight × the dimension's share among the dimensions with a score (the engine's spreading)."""
    dimension_weights = (result.run.weights or {}).get("dimensions") or {}
    present = {
        d: float(dimension_weights.get(d) or 0.0)
        for d, s in (result.dimension_scores or {}).items()
        if s is not None and float(dimension_weights.get(d) or 0.0) > 0
    }
    total = sum(present.values())
    weights = {}
    for code, row in (result.indicators or {}).items():
        dimension = dimensions.get(code)
        if row.get("score") is None or row.get("weight") is None or dimension not in present or not total:
            continue
        weights[code] = float(row["weight"]) * present[dimension] / total
    return weights


@dataclass
class Contribution:
    indicator: str
    dimension: str
    points: float  # w'·s' − w·s
    performance_points: float  # w̄·Δs
    weight_points: float  # s̄·Δw
    previous_score: float | None
    score: float | None
    previous_weight: float
    weight: float
    previous_value: float | None = None
    value: float | None = None
    n: int | None = None


@dataclass
class Explanation:
    result: DealerEvaluation
    previous: DealerEvaluation | None
    previous_score: float | None
    score: float | None
    change: float | None
    contributions: list[Contribution] = field(default_factory=list)

    @property
    def total(self) -> float:
        """The sum of the contributions (equal to ``change`` up to rounding)."""
        return sum(c.points for c in self.contributions)

    def by_dimension(self) -> dict[str, float]:
        totals: dict[str, float] = {}
        for c in self.contributions:
            totals[c.dimension] = totals.get(c.dimension, 0.0) + c.points
        return totals


def explain(result: DealerEvaluation, previous: DealerEvaluation | None) -> Explanation:
    """The change of ``result``'s score from ``previous`` (the month before), one exact contribution per indicator
    (see the module docstring), largest first.  Without a previous score (or without a score) there is nothing to
    split: ``change`` is None and there are no contributions."""
    score = result.score
    previous_score = previous.score if previous is not None else None
    explanation = Explanation(result, previous, previous_score, score, None)
    if score is None or previous_score is None:
        return explanation
    explanation.change = score - previous_score
    dimensions = _dimension_of([result.run.system_version_id, previous.run.system_version_id])
    now = effective_weights(result, dimensions.get(result.run.system_version_id, {}))
    before = effective_weights(previous, dimensions.get(previous.run.system_version_id, {}))
    codes = list(result.indicators or {}) + [c for c in previous.indicators or {} if c not in (result.indicators or {})]
    for code in codes:
        row, old = (result.indicators or {}).get(code) or {}, (previous.indicators or {}).get(code) or {}
        w1, w0 = now.get(code, 0.0), before.get(code, 0.0)
        s1 = float(row["score"]) if code in now else None
        s0 = float(old["score"]) if code in before else None
        if s1 is None and s0 is None:
            continue
        a, b = (s0 if s0 is not None else s1), (s1 if s1 is not None else s0)  # a missing score: the other month's
        points = w1 * (s1 or 0.0) - w0 * (s0 or 0.0)
        performance = (w0 + w1) / 2 * (b - a)
        weight = (a + b) / 2 * (w1 - w0)
        dimension = dimensions.get(result.run.system_version_id, {}).get(code) or dimensions.get(
            previous.run.system_version_id, {}
        ).get(code, "")
        explanation.contributions.append(Contribution(
            indicator=code, dimension=dimension, points=points, performance_points=performance, weight_points=weight,
            previous_score=s0, score=s1, previous_weight=w0, weight=w1, previous_value=old.get("value"),
            value=row.get("value"), n=row.get("n"),
        ))  # fmt: skip
    explanation.contributions.sort(key=lambda c: (-abs(c.points), c.indicator))
    return explanation


def points_lost(result: DealerEvaluation) -> list[tuple[str, float]]:
    """[(indicator code, points it costs the overall score: w·(100 − s))], the most costly first — what the dealer
    would gain at full marks on it."""
    weights = effective_weights(result, _dimension_of([result.run.system_version_id]).get(
        result.run.system_version_id, {}))  # fmt: skip
    lost = [(code, w * (100.0 - float(result.indicators[code]["score"]))) for code, w in weights.items()]
    return sorted(lost, key=lambda item: (-item[1], item[0]))


# --- an indicator's trend and its control limits ------------------------------------------------------------------


def no_limits_reason(code: str, rows: list[dict]) -> str:
    """Why the indicator's trend gets no p-chart control limits ("" when it does), in the reader's language.

    A p-chart describes a share of *records* (x of n orders, complaints, lines…): the registry's kind is a ratio in
    percent and each month's denominator is the count n it stands on. Means and medians (minutes, hours, survey
    points), the NPS balance, the audit score and a share of values (F2: stock value) are not such shares, and
    limits drawn for them would cry wolf."""
    spec = MEASURES.get(code)
    if spec is None:
        return gettext("not a measured indicator — no control limits")
    if spec.kind in (MEAN, MEDIAN):
        return gettext("an average, not a share of records — no control limits")
    if spec.kind == BALANCE:
        return gettext("a balance of promoters and detractors, not a share — no control limits")
    if spec.kind != RATIO or spec.unit != PERCENT:
        return gettext("one figure a month, not a share of records — no control limits")
    for row in rows:
        n, numerator, denominator = row.get("n") or 0, row.get("numerator"), row.get("denominator")
        if n and (numerator is None or denominator is None or float(denominator) != float(n)
                  or not 0 <= float(numerator) <= float(denominator)):  # fmt: skip
            return gettext("a share of values, not of records — no control limits")
    return ""


@dataclass
class IndicatorTrend:
    """One indicator of a dealer month by month (oldest first), as the stored results hold it, with the dealer's own
    p-chart (``maths.p_chart`` over these months, each with its n) when it is a share of records (``limits``);
    limits in the value's unit (percent for a rate). ``note`` says why there are no limits."""

    code: str
    name: str
    unit: str
    months: list[Month]
    results: list[DealerEvaluation | None]
    values: list[float | None]
    counts: list[int]
    numerators: list[float | None]
    denominators: list[float | None]
    centre: float | None = None
    upper: list[float | None] = field(default_factory=list)
    lower: list[float | None] = field(default_factory=list)
    outside: list[bool] = field(default_factory=list)
    limits: bool = False
    note: str = ""

    @property
    def is_empty(self) -> bool:
        return not any(v is not None for v in self.values)


def indicator_trend(dealer_id: int, code: str, last: Month, user, months: int = 12) -> IndicatorTrend:
    """The indicator ``code`` of the dealer in the ``months`` months ending with ``last`` from the stored results
    the user may read (the result that counts of each month; one query), with its control limits (see
    ``no_limits_reason``)."""
    first = last.plus(-(months - 1))
    found = results_by_month(user, [dealer_id], first.first_day, last.first_day)
    calendar = [first.plus(k) for k in range(months)]
    results = [found.get((dealer_id, month.first_day)) for month in calendar]
    rows = [((r.indicators or {}).get(code) or {}) if r is not None else {} for r in results]
    spec = MEASURES.get(code)
    unit = spec.unit if spec else ""
    trend = IndicatorTrend(
        code=code, name=str(spec.label) if spec else "", unit=unit, months=calendar, results=results,
        values=[row.get("value") if row.get("n") else None for row in rows],
        counts=[int(row.get("n") or 0) for row in rows],
        numerators=[row.get("numerator") for row in rows], denominators=[row.get("denominator") for row in rows],
    )  # fmt: skip
    trend.note = no_limits_reason(code, rows)
    if trend.note or trend.is_empty:
        trend.upper = trend.lower = [None] * months
        trend.outside = [False] * months
        return trend
    chart = maths.p_chart(
        [float(row["numerator"]) if row.get("n") else 0.0 for row in rows],
        [float(row["denominator"]) if row.get("n") else 0.0 for row in rows],
    )
    scale = 100.0 if unit == PERCENT else 1.0
    trend.limits = True
    trend.centre = chart.centre * scale if chart.centre is not None else None
    trend.upper = [v * scale if v is not None else None for v in chart.upper]
    trend.lower = [v * scale if v is not None else None for v in chart.lower]
    trend.outside = list(chart.outside)
    return trend


def unexplained_reason(explanation: Explanation) -> str:
    """Why ``explanation`` has no split, in the reader's language ("" when it has one): no score this month, or no
    result the reader may see for the month before."""
    if explanation.change is not None:
        return ""
    if explanation.score is None:
        return gettext("This result has no score: there is nothing to explain.")
    month = Month.of(explanation.result.run.period_start).previous()
    if explanation.previous is not None:
        return gettext("The result of %(month)s has no score: there is nothing to compare with.") % {"month": month}
    return gettext("No result for %(month)s: there is nothing to compare with.") % {"month": month}
