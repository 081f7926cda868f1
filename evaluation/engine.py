"""The scoring engine: from measured indicator values of the dealers in scope to scores, grades, stars and ranks.

Pure Python + numpy (no Django): the evaluation run feeds it the indicator system (dimensions, indicators with
direction, target, floor and AHP weights), the settings and the measured values, and stores what it returns.
Every rule is the one of ../shared/kpi-catalog.md ("Scoring"):

1. **Indicator score** ``s = 100 · (v − floor) / (target − floor)`` clamped to [0, 100]; the same formula serves
   higher-better (target > floor) and lower-better (target < floor) indicators.  A value of ``None`` (n = 0) is
   *no data*: it has no score (never 0 or 100).
2. **Weights.** Subjective global weights are the AHP dimension weight × the AHP local weight.  Objective weights
   come from the entropy method over indicator *scores*: by default the dealers of this period (m dealers × k
   indicators), or the rows given in ``entropy_values`` (the run gives every dealer-month of a trailing window so
   that the weights, and therefore the overall scores, do not jump from month to month).  A cell without a
   usable figure (no data, too few records: ``thin``) is filled with the indicator's mean over the rows that have
   it — it adds no information — and an indicator no row has gets entropy weight 0.  Entropy needs at least
   ``entropy_min_dealers`` dealers with a score this period (never fewer than two); with fewer, or when every
   indicator is constant, the objective part is dropped and the AHP weights are used (``notes`` says so).
   ``mode`` picks ``ahp``, ``entropy``, ``linear`` (w = α·ahp + (1 − α)·entropy, α default 0.6) or
   ``multiplicative``.  From the combined global weights, a dimension's weight is the sum of its indicators'
   weights and an indicator's local weight is its share of that sum.
3. **No data** is left out with its weight spread over the rest of its dimension (the local weights of the
   indicators with data are rescaled to sum to 1); a dimension without any data is left out of the overall
   score, whose dimension weights are rescaled likewise.  A dealer without any data has no overall score.
4. **Dimension score** = Σ local weight × indicator score; **overall** = Σ dimension weight × dimension score.
5. **Grade** by thresholds (优 ≥ 90, 良 ≥ 80, 中 ≥ 60, else 差) and **stars** (GB/T 27922 style: < 70 not
   compliant, ≥ 70 compliant, ≥ 80 three, ≥ 90 four, ≥ 95 five stars); ``star_cap`` per dealer caps the stars
   (a special deduction such as a breach of law).
6. **Fuzzy evaluation** (two-level, weighted-average operator, normalised): an indicator's membership in the
   grades 优/良/中/差 is triangular around the grade scores (95/85/75/60): a score between two neighbouring
   grade scores belongs to both in proportion to its distance, above the top score fully to the top grade, below
   the bottom score fully to the bottom grade.  A membership given in ``memberships`` (e.g. the distribution of a
   dealer's survey answers for a C or E indicator) replaces the triangular one.  Level one per dimension with the
   effective local weights, level two over the dimensions with the effective dimension weights; the fuzzy score
   is B·C with C the grade scores.
7. **Ranks**: by overall score (1 = best, ties share the best rank) and by TOPSIS closeness over the indicator
   scores (benefit columns, vector normalisation, combined weights; no-data cells filled with the indicator's
   mean as for entropy).  Dealers without an overall score are not ranked; neither is a dealer whose indicators
   with enough data (a score, not ``thin``) carry less than ``rank_min_weight`` of the combined weight — it keeps
   its score and gets ``rank_note`` (the reason) instead of a rank.  TOPSIS needs two ranked dealers.

Notes are structured (a ``code`` and its figures, e.g. ``{"code": "entropy_constant", "indicators": ["A2"]}``) so
that the application can say them in the reader's language, naming the indicators (``evaluation.notes``).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from evaluation import maths

GRADES = ("优", "良", "中", "差")
DEFAULT_GRADE_THRESHOLDS = ((90.0, "优"), (80.0, "良"), (60.0, "中"))
DEFAULT_STAR_THRESHOLDS = ((95.0, 5), (90.0, 4), (80.0, 3), (70.0, 0))  # 0 stars = compliant (达标), below: not
DEFAULT_GRADE_SCORES = (95.0, 85.0, 75.0, 60.0)
MODES = ("ahp", "entropy", "linear", "multiplicative")


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    dimension: str
    target: float
    floor: float
    local_weight: float  # AHP weight inside its dimension


@dataclass(frozen=True)
class DimensionSpec:
    code: str
    weight: float  # AHP weight of the dimension


@dataclass(frozen=True)
class Settings:
    mode: str = "linear"
    alpha: float = maths.DEFAULT_ALPHA
    grade_thresholds: tuple[tuple[float, str], ...] = DEFAULT_GRADE_THRESHOLDS
    lowest_grade: str = "差"
    star_thresholds: tuple[tuple[float, int], ...] = DEFAULT_STAR_THRESHOLDS
    grade_scores: tuple[float, ...] = DEFAULT_GRADE_SCORES
    entropy_min_dealers: int = 2  # fewer dealers with a score this period: AHP weights only
    rank_min_weight: float = 0.0  # share (0–1) of the weight that must stand on enough data for a rank


@dataclass
class DealerResult:
    dealer: int
    indicator_scores: dict[str, float | None]
    dimension_scores: dict[str, float | None]
    indicator_weights: dict[str, float]  # effective local weights (after no-data rescaling)
    dimension_weights: dict[str, float]  # effective dimension weights
    score: float | None
    grade: str | None
    stars: int | None  # None: no score; -1: not compliant (不达标); 0: compliant (达标); 3–5 stars
    fuzzy_vector: tuple[float, ...] | None = None
    fuzzy_grade: str | None = None
    fuzzy_score: float | None = None
    rank: int | None = None
    topsis_closeness: float | None = None
    topsis_rank: int | None = None
    rank_note: dict[str, Any] | None = None  # why a scored dealer has no rank


@dataclass
class EvaluationResult:
    weights: dict[str, float]  # combined global indicator weights (sum 1)
    ahp_weights: dict[str, float]
    entropy_weights: dict[str, float] | None
    dimension_weights: dict[str, float]
    dealers: dict[int, DealerResult]
    notes: list[dict[str, Any]] = field(default_factory=list)
    entropy_rows: int = 0  # rows (dealers, or dealer-months) the entropy weights stand on


def indicator_score(value: float | None, *, target: float, floor: float) -> float | None:
    """0–100 between floor and target, clamped; None for no data."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if target == floor:
        raise maths.EvaluationInputError("an indicator's target and floor must differ")
    return float(min(100.0, max(0.0, 100.0 * (value - floor) / (target - floor))))


def grade_of(score: float | None, settings: Settings = Settings()) -> str | None:
    if score is None:
        return None
    for threshold, grade in settings.grade_thresholds:
        if score >= threshold:
            return grade
    return settings.lowest_grade


def stars_of(score: float | None, settings: Settings = Settings(), cap: int | None = None) -> int | None:
    """Stars for a score: 3–5, 0 = compliant without stars, -1 = not compliant; ``cap`` limits them."""
    if score is None:
        return None
    stars = -1
    for threshold, value in settings.star_thresholds:
        if score >= threshold:
            stars = value
            break
    return min(stars, cap) if cap is not None else stars


def triangular_membership(score: float, grade_scores: Sequence[float] = DEFAULT_GRADE_SCORES) -> tuple[float, ...]:
    """Membership of a 0–100 score in grades with descending centre scores (see the module docstring, 6)."""
    centres = list(grade_scores)
    vector = [0.0] * len(centres)
    if score >= centres[0]:
        vector[0] = 1.0
    elif score <= centres[-1]:
        vector[-1] = 1.0
    else:
        for i in range(len(centres) - 1):
            high, low = centres[i], centres[i + 1]
            if low <= score <= high:
                share = (score - low) / (high - low)
                vector[i], vector[i + 1] = share, 1.0 - share
                break
    return tuple(vector)


def _fill_missing(matrix: np.ndarray) -> np.ndarray:
    """Replace NaN by the column mean over the rows that have a value (0 for an empty column)."""
    filled = matrix.copy()
    for j in range(filled.shape[1]):
        column = filled[:, j]
        present = ~np.isnan(column)
        column[~present] = column[present].mean() if present.any() else 0.0
    return filled


def _rank_desc(values: Mapping[int, float]) -> dict[int, int]:
    ordered = sorted(values.values(), reverse=True)
    return {key: 1 + ordered.index(value) for key, value in values.items()}


def _score_matrix(rows: Sequence[Mapping[str, float | None]], indicators: Sequence[IndicatorSpec]) -> np.ndarray:
    """Indicator scores of the rows (NaN where a row has no usable figure)."""
    cells = [
        [np.nan if (s := indicator_score(row.get(spec.code), target=spec.target, floor=spec.floor)) is None else s
         for spec in indicators]
        for row in rows
    ]  # fmt: skip
    return np.array(cells, dtype=float).reshape(len(rows), len(indicators))


def _entropy(
    matrix: np.ndarray, codes: Sequence[str], notes: list[dict[str, Any]]
) -> tuple[dict[str, float] | None, int]:
    """Entropy weights over the rows of ``matrix`` that have any figure; None (with a note) when nothing varies."""
    rows = matrix[~np.all(np.isnan(matrix), axis=1)] if matrix.size else matrix
    if rows.shape[0] < 2:
        notes.append({"code": "entropy_too_few_rows", "rows": int(rows.shape[0])})
        return None, int(rows.shape[0])
    empty = [c for j, c in enumerate(codes) if np.all(np.isnan(rows[:, j]))]
    result = maths.entropy_weights(_fill_missing(rows), normalize="none")
    constant = [codes[j] for j in result.constant_columns if codes[j] not in empty]
    if len(result.constant_columns) == len(codes):  # maths falls back to equal weights: that is no information
        notes.append({"code": "entropy_all_equal"})
        return None, len(rows)
    if empty:
        notes.append({"code": "entropy_no_data", "indicators": empty})
    if constant:
        notes.append({"code": "entropy_constant", "indicators": constant})
    return dict(zip(codes, result.weights, strict=True)), len(rows)


def entropy_possible(values: Mapping[int, Mapping[str, float | None]], settings: Settings) -> tuple[bool, int, int]:
    """Whether entropy weights are used for these dealers: (used, dealers with a figure, the minimum they need)."""
    minimum = max(2, settings.entropy_min_dealers)
    with_data = sum(1 for figures in values.values() if any(v is not None for v in figures.values()))
    return settings.mode != "ahp" and with_data >= minimum, with_data, minimum


def check_inputs(dimensions: Sequence[DimensionSpec], indicators: Sequence[IndicatorSpec], settings: Settings) -> None:
    """Refuse a weighting mode we do not know, a rank share outside [0, 1] and an indicator of an unknown dimension."""
    if settings.mode not in MODES:
        raise maths.EvaluationInputError(f"unknown weighting mode {settings.mode!r}; expected one of {MODES}")
    if not 0.0 <= settings.rank_min_weight <= 1.0:
        raise maths.EvaluationInputError("the weight share a rank needs must lie between 0 and 1")
    known = {d.code for d in dimensions}
    for spec in indicators:
        if spec.dimension not in known:
            raise maths.EvaluationInputError(f"indicator {spec.code} is in an unknown dimension {spec.dimension}")


def normalise(
    values: Mapping[int, Mapping[str, float | None]], indicators: Sequence[IndicatorSpec]
) -> dict[int, dict[str, float | None]]:
    """Step 1: every dealer's indicator values as 0–100 scores between floor and target (None: no data)."""
    return {
        dealer: {
            spec.code: indicator_score(values[dealer].get(spec.code), target=spec.target, floor=spec.floor)
            for spec in indicators
        }
        for dealer in sorted(values)
    }


def global_ahp_weights(dimensions: Sequence[DimensionSpec], indicators: Sequence[IndicatorSpec]) -> dict[str, float]:
    """The AHP weight of each indicator in the whole system (dimension weight × local weight), summing to 1."""
    dims = {d.code: d for d in dimensions}
    ahp = {spec.code: dims[spec.dimension].weight * spec.local_weight for spec in indicators}
    total = sum(ahp.values())
    if total <= 0:
        raise maths.EvaluationInputError("the AHP weights are all zero")
    return {code: weight / total for code, weight in ahp.items()}


@dataclass
class Weights:
    """The weights a run scores with: per indicator (``indicators``), per dimension, and each indicator's share of
    its dimension (``local``); the AHP and entropy weights they come from and the rows the entropy used."""

    indicators: dict[str, float]
    ahp: dict[str, float]
    entropy: dict[str, float] | None
    entropy_rows: int
    dimensions: dict[str, float]
    local: dict[str, float]


def weigh(
    dimensions: Sequence[DimensionSpec],
    indicators: Sequence[IndicatorSpec],
    values: Mapping[int, Mapping[str, float | None]],
    ahp: dict[str, float],
    settings: Settings,
    thin: Mapping[int, Collection[str]],
    entropy_values: Sequence[Mapping[str, float | None]] | None,
    notes: list[dict[str, Any]],
) -> Weights:
    """Step 2: the AHP weights (``global_ahp_weights``), combined with the entropy weights unless the mode is "ahp"
    (notes say why the entropy could not be used), then split per dimension."""
    codes = [spec.code for spec in indicators]
    dealers = sorted(values)
    entropy: dict[str, float] | None = None
    entropy_rows = 0
    weights = dict(ahp)
    if settings.mode != "ahp":
        possible, with_data, minimum = entropy_possible({d: values[d] for d in dealers}, settings)
        if not possible:
            notes.append({"code": "entropy_too_few_dealers", "dealers": with_data, "minimum": minimum})
        else:
            if entropy_values is None:
                entropy_values = [
                    {c: (None if c in thin.get(d, ()) else values[d].get(c)) for c in codes} for d in dealers
                ]
            entropy, entropy_rows = _entropy(_score_matrix(entropy_values, indicators), codes, notes)
            if entropy is not None:
                a, b = [ahp[c] for c in codes], [entropy[c] for c in codes]
                if settings.mode == "entropy":
                    combined = b
                elif settings.mode == "linear":
                    combined = maths.combine_weights(a, b, method="linear", alpha=settings.alpha)
                else:
                    combined = maths.combine_weights(a, b, method="multiplicative")
                weights = dict(zip(codes, combined, strict=True))
    dimension_weights = {d.code: sum(weights[s.code] for s in indicators if s.dimension == d.code) for d in dimensions}
    local = {
        s.code: (weights[s.code] / dimension_weights[s.dimension]) if dimension_weights[s.dimension] else 0.0
        for s in indicators
    }
    return Weights(weights, ahp, entropy, entropy_rows, dimension_weights, local)


def score(
    dealer: int,
    dealer_scores: dict[str, float | None],
    dimensions: Sequence[DimensionSpec],
    indicators: Sequence[IndicatorSpec],
    weights: Weights,
) -> DealerResult:
    """Step 3: a dealer's dimension scores and overall score over the indicators it has data for (the weights of
    the missing ones are shared out within the dimension, and of missing dimensions over the others)."""
    eff_local: dict[str, float] = {}
    dim_scores: dict[str, float | None] = {}
    for d in dimensions:
        members = [s.code for s in indicators if s.dimension == d.code and dealer_scores[s.code] is not None]
        share = sum(weights.local[c] for c in members)
        if not members or share <= 0:
            dim_scores[d.code] = None
            continue
        for c in members:
            eff_local[c] = weights.local[c] / share
        dim_scores[d.code] = sum(eff_local[c] * dealer_scores[c] for c in members)
    present = [d.code for d in dimensions if dim_scores[d.code] is not None and weights.dimensions[d.code] > 0]
    dim_total = sum(weights.dimensions[d] for d in present)
    eff_dims = {d: weights.dimensions[d] / dim_total for d in present} if dim_total else {}
    overall = sum(eff_dims[d] * dim_scores[d] for d in present) if eff_dims else None
    return DealerResult(dealer=dealer, indicator_scores=dealer_scores, dimension_scores=dim_scores,
                        indicator_weights=eff_local, dimension_weights=eff_dims, score=overall, grade=None,
                        stars=None)  # fmt: skip


def grade(
    result: DealerResult,
    indicators: Sequence[IndicatorSpec],
    settings: Settings,
    star_cap: int | None,
    given: Mapping[str, Sequence[float]],
) -> None:
    """Step 4: the grade and stars of the score, and the fuzzy grade (two-level fuzzy evaluation over the
    dimensions present, with the given membership vectors or triangular ones)."""
    result.grade = grade_of(result.score, settings)
    result.stars = stars_of(result.score, settings, star_cap)
    if not result.dimension_weights:
        return
    groups = []
    for d in result.dimension_weights:
        members = [c for c in result.indicator_weights if next(s for s in indicators if s.code == c).dimension == d]
        r = [tuple(given[c]) if c in given else triangular_membership(result.indicator_scores[c], settings.grade_scores)
             for c in members]  # fmt: skip
        groups.append(([result.indicator_weights[c] for c in members], r))
    fuzzy = maths.fuzzy_evaluate_two_level(
        list(result.dimension_weights.values()), groups, normalize=True, grade_scores=settings.grade_scores
    )
    result.fuzzy_vector, result.fuzzy_score = fuzzy.vector, fuzzy.score
    result.fuzzy_grade = GRADES[fuzzy.grade_index] if len(settings.grade_scores) == 4 else str(fuzzy.grade_index)


def rank_eligibility(result: DealerResult, codes: Sequence[str], thin: Collection[str], weights: Weights,
                     settings: Settings) -> None:  # fmt: skip
    """A scored dealer whose figures with enough data carry less than ``rank_min_weight`` of the weight gets a
    ``rank_note`` instead of a rank."""
    if result.score is None:
        return
    enough = [c for c in codes if result.indicator_scores[c] is not None and c not in thin]
    weight_total = sum(weights.indicators.values())
    carried = sum(weights.indicators[c] for c in enough) / weight_total if weight_total else 0.0
    if carried + 1e-9 < settings.rank_min_weight:
        result.rank_note = {"code": "rank_thin_data", "enough": len(enough), "of": len(codes),
                            "share": carried, "required": settings.rank_min_weight}  # fmt: skip


def rank(results: dict[int, DealerResult], codes: Sequence[str], weights: Weights, notes: list[dict[str, Any]]) -> None:
    """Step 5: rank the eligible scored dealers (ties share a rank) and give them their TOPSIS closeness and rank
    over the weighted indicator scores (a missing score filled in; a note when fewer than two are ranked)."""
    dealers = list(results)
    scored = {d: r.score for d, r in results.items() if r.score is not None and r.rank_note is None}
    for dealer, place in _rank_desc(scored).items():
        results[dealer].rank = place
    ranked = [d for d in dealers if d in scored]
    if len(ranked) >= 2:
        matrix = np.array(
            [[np.nan if results[d].indicator_scores[c] is None else results[d].indicator_scores[c] for c in codes]
             for d in ranked], dtype=float,
        ).reshape(len(ranked), len(codes))  # fmt: skip
        usable = [j for j, c in enumerate(codes) if weights.indicators[c] > 0]
        sub = _fill_missing(matrix[:, usable])
        if np.any(sub > 0):
            topsis = maths.topsis(sub, [weights.indicators[codes[j]] for j in usable], ["benefit"] * len(usable))
            for dealer, closeness, place in zip(ranked, topsis.closeness, topsis.rank, strict=True):
                results[dealer].topsis_closeness, results[dealer].topsis_rank = closeness, place
    elif ranked:
        notes.append({"code": "topsis_too_few", "dealers": len(ranked)})


def evaluate(
    *,
    dimensions: Sequence[DimensionSpec],
    indicators: Sequence[IndicatorSpec],
    values: Mapping[int, Mapping[str, float | None]],
    settings: Settings = Settings(),
    memberships: Mapping[int, Mapping[str, Sequence[float]]] | None = None,
    star_cap: Mapping[int, int] | None = None,
    thin: Mapping[int, Collection[str]] | None = None,
    entropy_values: Sequence[Mapping[str, float | None]] | None = None,
) -> EvaluationResult:
    """Score every dealer of ``values`` ({dealer id: {indicator code: value or None}}) on the indicator system:
    normalise → weigh → score → grade → rank.

    ``thin`` ({dealer: codes}) names figures that stand on too few records: scored, but left out of the entropy
    weights and of the data a rank needs.  ``entropy_values`` are the rows the entropy weights are computed over
    (default: this period's dealers without their thin figures).
    """
    check_inputs(dimensions, indicators, settings)
    codes = [spec.code for spec in indicators]
    notes: list[dict[str, Any]] = []
    thin = {dealer: set(found) for dealer, found in (thin or {}).items()}
    ahp = global_ahp_weights(dimensions, indicators)
    scores = normalise(values, indicators)
    weights = weigh(dimensions, indicators, values, ahp, settings, thin, entropy_values, notes)
    results: dict[int, DealerResult] = {}
    for dealer, dealer_scores in scores.items():
        result = score(dealer, dealer_scores, dimensions, indicators, weights)
        grade(result, indicators, settings, (star_cap or {}).get(dealer), (memberships or {}).get(dealer, {}))
        rank_eligibility(result, codes, thin.get(dealer, ()), weights, settings)
        results[dealer] = result
    rank(results, codes, weights, notes)
    return EvaluationResult(
        weights=weights.indicators, ahp_weights=weights.ahp, entropy_weights=weights.entropy,
        dimension_weights=weights.dimensions, dealers=results, notes=notes, entropy_rows=weights.entropy_rows,
    )  # fmt: skip
