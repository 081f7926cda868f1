"""Pure evaluation mathematics: AHP, entropy weights, weight combination, TOPSIS and fuzzy evaluation.

This module deliberately has no Django import: it works on plain Python sequences (or numpy arrays) and
returns frozen dataclasses holding tuples of plain ``float``/``int`` values, so results are hashable,
immutable and directly JSON-serialisable.

Every public function validates its input and raises :class:`EvaluationInputError` (a ``ValueError``)
with a message naming the problem. Messages are single lines so callers can show them verbatim.

Conventions used throughout:

* A decision matrix is ``m × k``: ``m`` alternatives (rows) and ``k`` indicators/criteria (columns).
* A direction is the string ``"benefit"`` (larger is better) or ``"cost"`` (smaller is better).
* Weight vectors are returned as tuples in input order.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from numbers import Real
from types import MappingProxyType
from typing import Any, Literal

import numpy as np

__all__ = [
    "AHP_METHODS",
    "CR_THRESHOLD",
    "DEFAULT_ALPHA",
    "DEFAULT_GRADES",
    "DEFAULT_GRADE_SCORES",
    "DIRECTIONS",
    "ENTROPY_NORMALIZATIONS",
    "FUZZY_OPERATORS",
    "MAX_AHP_SIZE",
    "SAATY_RI",
    "TOPSIS_NORMALIZATIONS",
    "AhpResult",
    "EntropyResult",
    "EvaluationInputError",
    "FuzzyResult",
    "HierarchyResult",
    "InconsistentPair",
    "PChart",
    "TopsisResult",
    "TwoLevelFuzzyResult",
    "ahp",
    "ahp_hierarchy",
    "combine_weights",
    "entropy_weights",
    "fuzzy_evaluate",
    "fuzzy_evaluate_two_level",
    "most_inconsistent_pair",
    "p_chart",
    "topsis",
]

AhpMethod = Literal["eigenvector", "arithmetic", "geometric"]
EntropyNormalization = Literal["none", "minmax"]
TopsisNormalization = Literal["vector", "minmax"]
CombineMethod = Literal["linear", "multiplicative"]
FuzzyOperator = Literal["weighted_average", "min_max", "product_max", "bounded_sum"]
Direction = Literal["benefit", "cost"]

AHP_METHODS: tuple[str, ...] = ("eigenvector", "arithmetic", "geometric")
ENTROPY_NORMALIZATIONS: tuple[str, ...] = ("none", "minmax")
TOPSIS_NORMALIZATIONS: tuple[str, ...] = ("vector", "minmax")
COMBINE_METHODS: tuple[str, ...] = ("linear", "multiplicative")
FUZZY_OPERATORS: tuple[str, ...] = ("weighted_average", "min_max", "product_max", "bounded_sum")
DIRECTIONS: tuple[str, ...] = ("benefit", "cost")

#: Largest pairwise comparison matrix accepted by :func:`ahp`.
MAX_AHP_SIZE = 15
#: A comparison matrix (or hierarchy) is consistent when its CR is strictly below this value.
CR_THRESHOLD = 0.10
#: Relative tolerance of the reciprocity check ``a_ij · a_ji = 1``.
RECIPROCAL_RTOL = 1e-9
#: Default share of the subjective weights in the linear combination.
DEFAULT_ALPHA = 0.6

#: Saaty's classic random consistency index table (n = 1..15); RI is 0 for n ≤ 2.
SAATY_RI: Mapping[int, float] = MappingProxyType(
    {
        1: 0.0,
        2: 0.0,
        3: 0.58,
        4: 0.90,
        5: 1.12,
        6: 1.24,
        7: 1.32,
        8: 1.41,
        9: 1.45,
        10: 1.49,
        11: 1.51,
        12: 1.48,
        13: 1.56,
        14: 1.57,
        15: 1.59,
    }
)

#: Default evaluation grades (excellent / good / fair / poor) and their scores.
DEFAULT_GRADES: tuple[str, ...] = ("优", "良", "中", "差")
DEFAULT_GRADE_SCORES: tuple[float, ...] = (95.0, 85.0, 75.0, 60.0)

# Closeness values (TOPSIS) and memberships (fuzzy grade) are rounded to this many decimals before ranking /
# taking the maximum, so that values equal up to floating-point noise (e.g. 0.8 and 0.7999999999999999) tie.
_RANK_DECIMALS = 12
# Fuzzy weights and membership degrees up to 1 + this are accepted (and clipped to 1).
_UNIT_TOLERANCE = 1e-9


class EvaluationInputError(ValueError):
    """Raised when the input of an evaluation method is invalid (shape, value range, unknown option)."""


# --------------------------------------------------------------------------------------------------------------------
# Result types
# --------------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AhpResult:
    """Result of :func:`ahp` for one pairwise comparison matrix.

    ``ri`` is the random index used for the CR (0 for n ≤ 2); :func:`ahp_hierarchy` needs it.
    """

    weights: tuple[float, ...]
    lambda_max: float
    ci: float
    cr: float
    consistent: bool
    n: int
    ri: float
    method: str


@dataclass(frozen=True, slots=True)
class InconsistentPair:
    """The comparison that disagrees most with the derived weights (see :func:`most_inconsistent_pair`).

    ``value`` is the judgement ``a_ij`` as entered, ``implied`` is ``w_i / w_j`` (the value that would be perfectly
    consistent with the weights) and ``deviation`` is ``|ln(a_ij · w_j / w_i)|``. Indices are 0-based, ``i < j``.
    """

    i: int
    j: int
    value: float
    implied: float
    deviation: float


@dataclass(frozen=True, slots=True)
class HierarchyResult:
    """Result of :func:`ahp_hierarchy`: global (composite) weights and the hierarchy consistency ratio."""

    global_weights: tuple[float, ...]
    cr: float
    consistent: bool


@dataclass(frozen=True, slots=True)
class EntropyResult:
    """Result of :func:`entropy_weights`.

    ``constant_columns`` holds the 0-based indices of columns without variation (weight 0); ``warnings`` holds
    human-readable warnings (constant columns, fallbacks, ignored options).
    """

    weights: tuple[float, ...]
    entropy: tuple[float, ...]
    constant_columns: tuple[int, ...]
    warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TopsisResult:
    """Result of :func:`topsis`; ``rank[i]`` is the rank of alternative ``i`` (1 = best, ties share the min rank)."""

    closeness: tuple[float, ...]
    d_plus: tuple[float, ...]
    d_minus: tuple[float, ...]
    rank: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class FuzzyResult:
    """Result of :func:`fuzzy_evaluate`: B = A∘R, the max-membership grade index and the optional score B·Cᵀ."""

    vector: tuple[float, ...]
    grade_index: int
    score: float | None


@dataclass(frozen=True, slots=True)
class TwoLevelFuzzyResult:
    """Result of :func:`fuzzy_evaluate_two_level`; ``first_level`` holds the per-group results B_k."""

    vector: tuple[float, ...]
    grade_index: int
    score: float | None
    first_level: tuple[FuzzyResult, ...]


# --------------------------------------------------------------------------------------------------------------------
# Validation helpers
# --------------------------------------------------------------------------------------------------------------------


def _check_numbers(values: Any, name: str) -> None:
    """Reject booleans, strings and other non-real scalars hidden in nested Python sequences."""
    if isinstance(values, np.ndarray):
        if values.dtype.kind not in "iuf":
            raise EvaluationInputError(f"{name} must contain only real numbers")
        return
    if isinstance(values, str | bytes):
        raise EvaluationInputError(f"{name} must contain only real numbers, got a string")
    if isinstance(values, Sequence):
        for item in values:
            _check_numbers(item, name)
        return
    if isinstance(values, bool | np.bool_) or not isinstance(values, Real | Decimal | np.integer | np.floating):
        raise EvaluationInputError(f"{name} must contain only real numbers, got {values!r}")


def _as_vector(values: Any, name: str, *, length: int | None = None) -> np.ndarray:
    """Convert ``values`` to a finite, non-empty 1-D float array (optionally of a given length)."""
    if isinstance(values, str | bytes) or not isinstance(values, Sequence | np.ndarray):
        raise EvaluationInputError(f"{name} must be a list of numbers")
    _check_numbers(values, name)
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError, OverflowError) as exc:
        raise EvaluationInputError(f"{name} must be a flat list of numbers") from exc
    if arr.ndim != 1:
        raise EvaluationInputError(f"{name} must be a flat list of numbers, got {arr.ndim} dimensions")
    if arr.size == 0:
        raise EvaluationInputError(f"{name} must not be empty")
    if not np.all(np.isfinite(arr)):
        raise EvaluationInputError(f"{name} must contain only finite numbers")
    if length is not None and arr.size != length:
        raise EvaluationInputError(f"{name} must have {length} values, got {arr.size}")
    return arr


def _as_matrix(values: Any, name: str) -> np.ndarray:
    """Convert ``values`` to a finite, non-empty, rectangular 2-D float array."""
    if isinstance(values, str | bytes) or not isinstance(values, Sequence | np.ndarray):
        raise EvaluationInputError(f"{name} must be a list of rows")
    if not isinstance(values, np.ndarray):
        if len(values) == 0:
            raise EvaluationInputError(f"{name} must not be empty")
        lengths = set()
        for row in values:
            if isinstance(row, str | bytes) or not isinstance(row, Sequence | np.ndarray):
                raise EvaluationInputError(f"{name} must be a list of rows (lists of numbers)")
            lengths.add(len(row))
        if len(lengths) != 1:
            raise EvaluationInputError(f"{name} rows must all have the same length, got lengths {sorted(lengths)}")
    _check_numbers(values, name)
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError, OverflowError) as exc:
        raise EvaluationInputError(f"{name} must be a rectangular list of rows of finite numbers") from exc
    if arr.ndim != 2:
        raise EvaluationInputError(f"{name} must be 2-dimensional (a list of rows), got {arr.ndim} dimensions")
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise EvaluationInputError(f"{name} must not be empty")
    if not np.all(np.isfinite(arr)):
        raise EvaluationInputError(f"{name} must contain only finite numbers")
    return arr


def _check_choice(value: Any, choices: Sequence[str], name: str) -> str:
    """Return ``value`` if it is one of ``choices``, otherwise raise a message listing them."""
    if not isinstance(value, str) or value not in choices:
        raise EvaluationInputError(f"unknown {name} {value!r}; expected one of: {', '.join(choices)}")
    return value


def _as_directions(directions: Any, k: int) -> np.ndarray:
    """Return a boolean array, True where the column is a cost indicator."""
    if isinstance(directions, str | bytes) or not isinstance(directions, Sequence):
        raise EvaluationInputError('directions must be a list of "benefit"/"cost"')
    if len(directions) != k:
        raise EvaluationInputError(f"directions must have {k} values (one per column), got {len(directions)}")
    for d in directions:
        _check_choice(d, DIRECTIONS, "direction")
    return np.array([d == "cost" for d in directions], dtype=bool)


def _non_negative(arr: np.ndarray, name: str) -> None:
    if np.any(arr < 0):
        raise EvaluationInputError(f"{name} must not contain negative values")


def _floats(arr: np.ndarray) -> tuple[float, ...]:
    return tuple(float(x) for x in arr)


# --------------------------------------------------------------------------------------------------------------------
# AHP
# --------------------------------------------------------------------------------------------------------------------


def _validate_comparison_matrix(matrix: Any, *, scale_check: bool) -> np.ndarray:
    """Validate a pairwise comparison matrix: square, 1 ≤ n ≤ 15, positive, reciprocal, optionally within 1/9..9."""
    a = _as_matrix(matrix, "matrix")
    n, n2 = a.shape
    if n != n2:
        raise EvaluationInputError(f"matrix must be square, got {n}×{n2}")
    if n > MAX_AHP_SIZE:
        raise EvaluationInputError(f"matrix must be at most {MAX_AHP_SIZE}×{MAX_AHP_SIZE}, got {n}×{n}")
    if np.any(a <= 0):
        i, j = np.argwhere(a <= 0)[0]
        raise EvaluationInputError(f"matrix entries must be positive, got a[{i}][{j}] = {a[i, j]:g}")
    product = a * a.T
    bad = np.argwhere(np.abs(product - 1.0) > RECIPROCAL_RTOL)
    if bad.size:
        i, j = bad[0]
        raise EvaluationInputError(
            f"matrix is not reciprocal: a[{i}][{j}] · a[{j}][{i}] = {a[i, j]:g} · {a[j, i]:g} = {product[i, j]:.12g}"
            " (must be 1)"
        )
    if scale_check:
        low, high = (1.0 / 9.0) * (1 - RECIPROCAL_RTOL), 9.0 * (1 + RECIPROCAL_RTOL)
        out = np.argwhere((a < low) | (a > high))
        if out.size:
            i, j = out[0]
            raise EvaluationInputError(f"matrix entry a[{i}][{j}] = {a[i, j]:g} is outside Saaty's 1/9..9 scale")
    return a


def _ahp_weights(a: np.ndarray, method: str) -> np.ndarray:
    """Priority vector of a validated comparison matrix, normalised to sum 1."""
    if method == "eigenvector":
        values, vectors = np.linalg.eig(a)
        k = int(np.argmax(values.real))
        w = np.abs(vectors[:, k].real)
    elif method == "arithmetic":
        w = (a / a.sum(axis=0, keepdims=True)).mean(axis=1)
    else:  # geometric
        w = np.exp(np.log(a).mean(axis=1))
    return w / w.sum()


def ahp(
    matrix: Any,
    method: AhpMethod = "eigenvector",
    ri_table: Mapping[int, float] | None = None,
    *,
    scale_check: bool = True,
) -> AhpResult:
    """Weights and consistency of one AHP pairwise comparison matrix.

    Input: a square ``n × n`` matrix ``A`` (1 ≤ n ≤ 15) of Saaty 1–9 judgements, ``a_ij`` = importance of i over j.
    It must be positive and reciprocal, ``|a_ij · a_ji − 1| ≤ 1e-9`` (hence ``a_ii = 1``); with ``scale_check``
    (default) every entry must also lie in Saaty's range ``[1/9, 9]`` (non-integer judgements such as 2.5 or
    geometric means of several experts are accepted).

    Weights ``w`` (always normalised to ``Σ w = 1``):

    * ``eigenvector`` (default): the principal (Perron) eigenvector of ``A``.
    * ``arithmetic`` (和积法): normalise every column to sum 1, then average each row.
    * ``geometric`` (方根法): geometric mean of every row, normalised.

    Consistency: ``λmax = (1/n) Σ_i (A w)_i / w_i`` (computed with the chosen method's ``w``; for ``eigenvector``
    it is the principal eigenvalue), ``CI = (λmax − n)/(n − 1)``, ``CR = CI / RI(n)``. ``RI`` comes from
    ``ri_table`` (a mapping n → RI), default :data:`SAATY_RI` (Saaty's classic table). For ``n ≤ 2`` every
    reciprocal matrix is perfectly consistent: ``CI = CR = 0`` (and ``λmax = n``). Tiny negative CI caused by
    rounding is clamped to 0 (mathematically ``λmax ≥ n`` for any positive ``w``). The matrix is ``consistent``
    when ``CR < 0.10``.
    """
    _check_choice(method, AHP_METHODS, "AHP method")
    a = _validate_comparison_matrix(matrix, scale_check=scale_check)
    n = a.shape[0]
    table = SAATY_RI if ri_table is None else ri_table
    if n <= 2:
        w = np.ones(1) if n == 1 else _ahp_weights(a, method)
        return AhpResult(_floats(w), float(n), 0.0, 0.0, True, n, 0.0, method)
    ri = table.get(n) if isinstance(table, Mapping) else None
    if ri is None or isinstance(ri, bool) or not isinstance(ri, Real) or not math.isfinite(ri) or ri <= 0:
        raise EvaluationInputError(f"the RI table has no positive random index for n = {n}")
    w = _ahp_weights(a, method)
    lambda_max = float(np.mean((a @ w) / w))
    ci = max((lambda_max - n) / (n - 1), 0.0)
    cr = ci / float(ri)
    return AhpResult(_floats(w), lambda_max, ci, cr, cr < CR_THRESHOLD, n, float(ri), method)


def most_inconsistent_pair(
    matrix: Any,
    weights: AhpResult | Sequence[float] | None = None,
    *,
    scale_check: bool = True,
) -> InconsistentPair | None:
    """The comparison (i, j), i < j, with the largest ``|ln(a_ij · w_j / w_i)|``; None when n = 1.

    ``weights`` defaults to the eigenvector weights of ``matrix``; an :class:`AhpResult` or a plain weight vector
    (positive, length n) may be passed instead. Ties are broken by the first pair in row-major order. Telling the
    user to revise this judgement towards ``implied = w_i / w_j`` is the usual way to lower the CR.
    """
    a = _validate_comparison_matrix(matrix, scale_check=scale_check)
    n = a.shape[0]
    if weights is None:
        w = np.asarray(ahp(a, scale_check=scale_check).weights)
    else:
        raw = weights.weights if isinstance(weights, AhpResult) else weights
        w = _as_vector(raw, "weights", length=n)
        if np.any(w <= 0):
            raise EvaluationInputError("weights must be positive")
    if n == 1:
        return None
    deviation = np.abs(np.log(a * w[None, :] / w[:, None]))
    iu, ju = np.triu_indices(n, k=1)
    k = int(np.argmax(deviation[iu, ju]))
    i, j = int(iu[k]), int(ju[k])
    return InconsistentPair(i, j, float(a[i, j]), float(w[i] / w[j]), float(deviation[i, j]))


def ahp_hierarchy(
    parent: AhpResult | Sequence[float],
    children: Sequence[AhpResult],
    *,
    composition: Literal["shared", "tree"] = "shared",
) -> HierarchyResult:
    """Compose an AHP hierarchy level: global weights and the hierarchy consistency ratio.

    ``parent`` gives the (global) weights ``a_j`` of the m upper-level elements (an :class:`AhpResult` or a
    plain non-negative vector); ``children[j]`` is the :class:`AhpResult` of the comparison made under element j.

    * ``composition="shared"`` (层次总排序): every child compares the same n lower elements and the global weight
      of lower element i is ``Σ_j a_j · w_ji``.
    * ``composition="tree"``: each upper element has its own sub-elements; the global weights are the
      concatenation of ``a_j · w_jk`` in order (a leaf criterion can be passed as ``ahp([[1]])``).

    Hierarchy CR = ``Σ_j a_j · CI_j / Σ_j a_j · RI_j`` (0 when the denominator is 0, i.e. all children have
    n ≤ 2); ``consistent`` when it is ``< 0.10``. The parent's own CR is *not* included: check
    ``parent.consistent`` separately. For deeper hierarchies, feed ``global_weights`` in as the next ``parent``.
    """
    _check_choice(composition, ("shared", "tree"), "composition")
    raw = parent.weights if isinstance(parent, AhpResult) else parent
    a = _as_vector(raw, "parent weights")
    _non_negative(a, "parent weights")
    if isinstance(children, str | bytes) or not isinstance(children, Sequence):
        raise EvaluationInputError("children must be a list of AHP results")
    if len(children) != a.size:
        raise EvaluationInputError(f"need one child result per parent element: {a.size} expected, got {len(children)}")
    for child in children:
        if not isinstance(child, AhpResult):
            raise EvaluationInputError("children must be AhpResult instances (use ahp() on each matrix)")
    if composition == "shared":
        sizes = {child.n for child in children}
        if len(sizes) != 1:
            raise EvaluationInputError(f"shared composition needs children of equal size, got sizes {sorted(sizes)}")
        global_w = sum(aj * np.asarray(child.weights) for aj, child in zip(a, children, strict=True))
    else:
        global_w = np.concatenate([aj * np.asarray(child.weights) for aj, child in zip(a, children, strict=True)])
    numerator = float(sum(aj * child.ci for aj, child in zip(a, children, strict=True)))
    denominator = float(sum(aj * child.ri for aj, child in zip(a, children, strict=True)))
    cr = numerator / denominator if denominator > 0 else 0.0
    return HierarchyResult(_floats(np.asarray(global_w, dtype=float)), cr, cr < CR_THRESHOLD)


# --------------------------------------------------------------------------------------------------------------------
# Entropy weights and combination
# --------------------------------------------------------------------------------------------------------------------


def entropy_weights(
    matrix: Any,
    *,
    normalize: EntropyNormalization = "none",
    directions: Sequence[Direction] | None = None,
) -> EntropyResult:
    """Objective weights of the k columns of an m × k matrix by the entropy method.

    * ``normalize="none"``: ``p_ij = x_ij / Σ_i x_ij``; requires ``x ≥ 0``. ``directions`` play no role here
      (a warning is returned if any column is marked ``cost``).
    * ``normalize="minmax"``: first ``r_ij = (x_ij − min_j)/(max_j − min_j)`` for benefit columns and
      ``(max_j − x_ij)/(max_j − min_j)`` for cost columns (``directions`` default: all benefit; any finite
      values allowed), then ``p_ij = r_ij / Σ_i r_ij``.

    Then ``e_j = −(1/ln m) Σ_i p_ij ln p_ij`` with ``0 · ln 0 = 0`` and ``w_j = (1 − e_j) / Σ_k (1 − e_k)``.

    Edge cases: a constant column (max = min, including a column of zeros) carries no information: ``e_j = 1``,
    ``w_j = 0``, and a warning is returned. With a single alternative (m = 1, ``ln m = 0``) every column is
    constant. When *every* column is constant (so ``Σ(1 − e) = 0``) the weights fall back to equal weights 1/k,
    with a warning. ``e_j`` is clipped to ``[0, 1]`` against rounding noise.
    """
    _check_choice(normalize, ENTROPY_NORMALIZATIONS, "entropy normalization")
    x = _as_matrix(matrix, "matrix")
    m, k = x.shape
    warnings: list[str] = []
    cost = np.zeros(k, dtype=bool) if directions is None else _as_directions(directions, k)
    if normalize == "none":
        _non_negative(x, "matrix")
        if cost.any():
            warnings.append('directions are ignored with normalize="none"')
    col_min, col_max = x.min(axis=0), x.max(axis=0)
    constant = col_max == col_min
    spread = np.where(constant, 1.0, col_max - col_min)
    r = np.where(cost, (col_max - x) / spread, (x - col_min) / spread) if normalize == "minmax" else x
    entropy = np.ones(k)
    if m > 1:
        for j in np.flatnonzero(~constant):
            p = r[:, j] / r[:, j].sum()
            nz = p[p > 0]
            entropy[j] = float(-(nz * np.log(nz)).sum() / math.log(m))
    entropy = np.clip(entropy, 0.0, 1.0)
    entropy[constant] = 1.0
    constant_columns = tuple(int(j) for j in np.flatnonzero(constant))
    if constant_columns:
        if m == 1:
            warnings.append("only one alternative (m = 1): every column is constant")
        else:
            cols = ", ".join(str(j) for j in constant_columns)
            warnings.append(f"constant column(s) {cols} carry no information and get weight 0")
    divergence = 1.0 - entropy
    total = divergence.sum()
    if total > 0:
        weights = divergence / total
    else:
        weights = np.full(k, 1.0 / k)
        warnings.append("no column varies: falling back to equal weights")
    return EntropyResult(_floats(weights), _floats(entropy), constant_columns, tuple(warnings))


def combine_weights(
    subjective: Sequence[float],
    objective: Sequence[float],
    *,
    method: CombineMethod = "linear",
    alpha: float = DEFAULT_ALPHA,
) -> tuple[float, ...]:
    """Combine subjective weights ``a`` (e.g. AHP) with objective weights ``b`` (e.g. entropy).

    * ``linear``: ``w = α·a + (1 − α)·b`` with ``0 ≤ α ≤ 1`` (default 0.6). Inputs are used as given (not
      renormalised), so ``w`` sums to 1 when ``a`` and ``b`` do.
    * ``multiplicative``: ``w_j = a_j·b_j / Σ_k a_k·b_k`` (``α`` is ignored); requires ``Σ a·b > 0``.

    Both vectors must have the same length and be non-negative.
    """
    _check_choice(method, COMBINE_METHODS, "combination method")
    a = _as_vector(subjective, "subjective weights")
    b = _as_vector(objective, "objective weights", length=a.size)
    _non_negative(a, "subjective weights")
    _non_negative(b, "objective weights")
    if method == "linear":
        if isinstance(alpha, bool) or not isinstance(alpha, Real) or not 0.0 <= float(alpha) <= 1.0:
            raise EvaluationInputError(f"alpha must be a number between 0 and 1, got {alpha!r}")
        return _floats(float(alpha) * a + (1.0 - float(alpha)) * b)
    product = a * b
    total = product.sum()
    if total <= 0:
        raise EvaluationInputError("multiplicative combination is undefined: Σ a·b = 0")
    return _floats(product / total)


# --------------------------------------------------------------------------------------------------------------------
# TOPSIS
# --------------------------------------------------------------------------------------------------------------------


def _min_rank(values: np.ndarray) -> tuple[int, ...]:
    """Rank 1 = largest value; ties share the smallest rank ("min"/competition ranking: 1, 2, 2, 4)."""
    rounded = np.round(values, _RANK_DECIMALS)
    return tuple(int(1 + np.count_nonzero(rounded > v)) for v in rounded)


def topsis(
    matrix: Any,
    weights: Sequence[float],
    directions: Sequence[Direction],
    *,
    normalize: TopsisNormalization = "vector",
) -> TopsisResult:
    """Rank m alternatives (rows) on k indicators (columns) by TOPSIS.

    Normalisation per column j:

    * ``vector`` (default): ``r_ij = x_ij / √(Σ_i x_ij²)``; requires ``x ≥ 0``; an all-zero column gives r = 0.
    * ``minmax``: ``r_ij = (x_ij − min_j)/(max_j − min_j)`` (any finite values); a constant column gives r = 0.
      (Mapping cost columns to ``(max − x)/(max − min)`` instead would give identical distances, because the
      ideal points below follow the direction.)

    ``v_ij = w_j · r_ij`` (weights non-negative, not all 0, used as given). Ideal best ``v⁺_j`` = max over i for
    benefit columns and min for cost columns; ideal worst ``v⁻_j`` the opposite. ``D⁺_i = ‖v_i − v⁺‖₂``,
    ``D⁻_i = ‖v_i − v⁻‖₂`` and closeness ``C_i = D⁻_i / (D⁺_i + D⁻_i)``. If ``D⁺_i + D⁻_i = 0`` (only possible when
    all alternatives coincide after weighting) ``C_i = 0.5``. ``rank``: 1 = highest closeness; ties (closeness
    equal to 12 decimals) share the smallest rank ("min" ranking, e.g. 1, 2, 2, 4).
    """
    _check_choice(normalize, TOPSIS_NORMALIZATIONS, "TOPSIS normalization")
    x = _as_matrix(matrix, "matrix")
    m, k = x.shape
    w = _as_vector(weights, "weights", length=k)
    _non_negative(w, "weights")
    if not np.any(w > 0):
        raise EvaluationInputError("weights must not all be zero")
    cost = _as_directions(directions, k)
    if normalize == "vector":
        _non_negative(x, "matrix")
        norm = np.sqrt((x**2).sum(axis=0))
        r = x / np.where(norm > 0, norm, 1.0)
    else:
        col_min, col_max = x.min(axis=0), x.max(axis=0)
        spread = col_max - col_min
        r = (x - col_min) / np.where(spread > 0, spread, 1.0)
    v = r * w
    best = np.where(cost, v.min(axis=0), v.max(axis=0))
    worst = np.where(cost, v.max(axis=0), v.min(axis=0))
    d_plus = np.sqrt(((v - best) ** 2).sum(axis=1))
    d_minus = np.sqrt(((v - worst) ** 2).sum(axis=1))
    total = d_plus + d_minus
    closeness = np.divide(d_minus, total, out=np.full(m, 0.5), where=total > 0)
    return TopsisResult(_floats(closeness), _floats(d_plus), _floats(d_minus), _min_rank(closeness))


# --------------------------------------------------------------------------------------------------------------------
# Fuzzy comprehensive evaluation
# --------------------------------------------------------------------------------------------------------------------


def _compose(a: np.ndarray, r: np.ndarray, operator: str) -> np.ndarray:
    """B = A ∘ R for the given generalised fuzzy operator."""
    col = a[:, None]
    if operator == "weighted_average":
        return a @ r
    if operator == "min_max":
        return np.minimum(col, r).max(axis=0)
    if operator == "product_max":
        return (col * r).max(axis=0)
    return np.minimum(1.0, np.minimum(col, r).sum(axis=0))  # bounded_sum


def _fuzzy_inputs(weights: Any, membership: Any, prefix: str = "") -> tuple[np.ndarray, np.ndarray]:
    r = _as_matrix(membership, f"{prefix}membership")
    a = _as_vector(weights, f"{prefix}weights", length=r.shape[0])
    # A tolerance above 1 absorbs rounding noise such as Σ a_i r_ij = 1.0000000000000002 in two-level evaluation.
    if np.any((a < 0) | (a > 1 + _UNIT_TOLERANCE)):
        raise EvaluationInputError(f"{prefix}weights must lie in [0, 1]")
    if np.any((r < 0) | (r > 1 + _UNIT_TOLERANCE)):
        raise EvaluationInputError(f"{prefix}membership degrees must lie in [0, 1]")
    return np.minimum(a, 1.0), np.minimum(r, 1.0)


def _grade_scores(grade_scores: Sequence[float] | None, g: int) -> np.ndarray | None:
    if grade_scores is None:
        return None
    return _as_vector(grade_scores, "grade_scores", length=g)


def _finish(b: np.ndarray, normalize: bool, scores: np.ndarray | None, what: str = "evaluation vector") -> FuzzyResult:
    if normalize:
        total = b.sum()
        if total <= 0:
            raise EvaluationInputError(f"cannot normalise: the {what} is all zeros")
        b = b / total
    score = None if scores is None else float(b @ scores)
    return FuzzyResult(_floats(b), int(np.argmax(np.round(b, _RANK_DECIMALS))), score)


def fuzzy_evaluate(
    weights: Sequence[float],
    membership: Any,
    *,
    operator: FuzzyOperator = "weighted_average",
    normalize: bool = False,
    grade_scores: Sequence[float] | None = None,
) -> FuzzyResult:
    """Single-level fuzzy comprehensive evaluation ``B = A ∘ R``.

    ``A`` (``weights``, length m, each in [0, 1]) weights the m factors; ``R`` (``membership``, m × g, entries in
    [0, 1]) gives each factor's membership in g grades. With ``b_j`` the j-th component of B:

    * ``weighted_average`` M(·,+) (default): ``b_j = Σ_i a_i r_ij``
    * ``min_max`` M(∧,∨): ``b_j = max_i min(a_i, r_ij)``
    * ``product_max`` M(·,∨): ``b_j = max_i a_i r_ij``
    * ``bounded_sum`` M(∧,⊕): ``b_j = min(1, Σ_i min(a_i, r_ij))``

    ``normalize=True`` divides B by ``Σ_j b_j`` (error if B is all zeros). ``grade_index`` is the 0-based index of
    the maximum membership (the first one on ties, values equal to 12 decimals counting as tied).
    ``score = B · Cᵀ`` for ``grade_scores`` C (length g), computed on the returned (possibly normalised) B —
    normalise to get a score on the grade-score scale; None when no scores are given
    (:data:`DEFAULT_GRADE_SCORES` holds 优/良/中/差 = 95/85/75/60).
    """
    _check_choice(operator, FUZZY_OPERATORS, "fuzzy operator")
    a, r = _fuzzy_inputs(weights, membership)
    scores = _grade_scores(grade_scores, r.shape[1])
    return _finish(_compose(a, r, operator), bool(normalize), scores)


def fuzzy_evaluate_two_level(
    weights: Sequence[float],
    groups: Sequence[tuple[Sequence[float], Any]],
    *,
    operator: FuzzyOperator = "weighted_average",
    normalize: bool = False,
    grade_scores: Sequence[float] | None = None,
) -> TwoLevelFuzzyResult:
    """Two-level fuzzy comprehensive evaluation (二级模糊综合评判).

    ``groups[k] = (A_k, R_k)`` describes criterion k by its sub-factor weights and membership matrix. First level:
    ``B_k = A_k ∘ R_k`` (normalised if ``normalize``). Second level: ``R = [B_1; …; B_K]`` and ``B = A ∘ R`` with
    ``A = weights`` (length K), normalised if ``normalize``. The same ``operator`` is used at both levels; all
    groups must have the same number of grades. ``grade_index`` and ``score`` are as in :func:`fuzzy_evaluate`
    (the score is computed for the second-level vector and for each first-level vector).
    """
    _check_choice(operator, FUZZY_OPERATORS, "fuzzy operator")
    if isinstance(groups, str | bytes) or not isinstance(groups, Sequence) or len(groups) == 0:
        raise EvaluationInputError("groups must be a non-empty list of (weights, membership) pairs")
    first: list[FuzzyResult] = []
    grades: int | None = None
    for index, group in enumerate(groups):
        if isinstance(group, str | bytes) or not isinstance(group, Sequence) or len(group) != 2:
            raise EvaluationInputError(f"group {index} must be a (weights, membership) pair")
        a_k, r_k = _fuzzy_inputs(group[0], group[1], prefix=f"group {index} ")
        if grades is None:
            grades = r_k.shape[1]
        elif r_k.shape[1] != grades:
            raise EvaluationInputError(f"group {index} has {r_k.shape[1]} grades, expected {grades}")
        scores = _grade_scores(grade_scores, grades)
        first.append(_finish(_compose(a_k, r_k, operator), bool(normalize), scores, f"group {index} vector"))
    top = fuzzy_evaluate(
        weights,
        [res.vector for res in first],
        operator=operator,
        normalize=normalize,
        grade_scores=grade_scores,
    )
    return TwoLevelFuzzyResult(top.vector, top.grade_index, top.score, tuple(first))


# --------------------------------------------------------------------------------------------------------------------
# Control limits (p-chart)
# --------------------------------------------------------------------------------------------------------------------

#: Points this close to a limit are on it, not outside (a month whose share equals p̄ when p̄ is 0 or 1).
_LIMIT_TOLERANCE = 1e-12


@dataclass(frozen=True, slots=True)
class PChart:
    """Shewhart p-chart of shares over periods (fractions 0–1).

    ``centre`` is p̄ = Σx / Σn over the periods with n > 0 (None when there is none); per period ``upper`` /
    ``lower`` are p̄ ± 3·sqrt(p̄(1 − p̄) / nᵢ) clamped to [0, 1] (None for a period with n = 0), ``shares`` xᵢ / nᵢ
    (None for n = 0) and ``outside`` whether the share lies beyond its limits.
    """

    centre: float | None
    upper: tuple[float | None, ...]
    lower: tuple[float | None, ...]
    shares: tuple[float | None, ...]
    outside: tuple[bool, ...]


def p_chart(numerators: Sequence[float], denominators: Sequence[float]) -> PChart:
    """The p-chart of ``numerators[i]`` of ``denominators[i]`` (counts; a period with denominator 0 has no data).

    Each numerator must be between 0 and its denominator."""
    if isinstance(numerators, str | bytes) or isinstance(denominators, str | bytes):
        raise EvaluationInputError("numerators and denominators must be sequences of numbers")
    try:
        x = [float(v) for v in numerators]
        n = [float(v) for v in denominators]
    except (TypeError, ValueError) as error:
        raise EvaluationInputError("numerators and denominators must be sequences of numbers") from error
    if len(x) != len(n):
        raise EvaluationInputError(f"{len(x)} numerators but {len(n)} denominators")
    for i, (hits, count) in enumerate(zip(x, n, strict=True)):
        if not (math.isfinite(hits) and math.isfinite(count)) or count < 0 or hits < 0 or hits > count:
            raise EvaluationInputError(f"period {i}: the numerator must be between 0 and the denominator "
                                       f"(got {hits:g} of {count:g})")  # fmt: skip
    total = sum(count for count in n if count > 0)
    if not total:
        none = tuple(None for _ in n)
        return PChart(None, none, none, none, tuple(False for _ in n))
    centre = sum(hits for hits, count in zip(x, n, strict=True) if count > 0) / total
    upper: list[float | None] = []
    lower: list[float | None] = []
    shares: list[float | None] = []
    for hits, count in zip(x, n, strict=True):
        if count <= 0:
            upper.append(None)
            lower.append(None)
            shares.append(None)
            continue
        sigma = math.sqrt(centre * (1.0 - centre) / count)
        upper.append(min(1.0, centre + 3 * sigma))
        lower.append(max(0.0, centre - 3 * sigma))
        shares.append(hits / count)
    outside = [
        share is not None and (share > high + _LIMIT_TOLERANCE or share < low - _LIMIT_TOLERANCE)
        for share, high, low in zip(shares, upper, lower, strict=True)
    ]
    return PChart(centre, tuple(upper), tuple(lower), tuple(shares), tuple(outside))
