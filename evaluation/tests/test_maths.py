"""Tests for the pure evaluation maths (no database, no Django needed)."""

import math

import ahpy
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pymcdm import normalizations
from pymcdm.methods import TOPSIS
from pymcdm.weights import entropy_weights as pymcdm_entropy_weights

from evaluation import maths
from evaluation.maths import (
    EvaluationInputError,
    ahp,
    ahp_hierarchy,
    combine_weights,
    entropy_weights,
    fuzzy_evaluate,
    fuzzy_evaluate_two_level,
    most_inconsistent_pair,
    topsis,
)

PUBLIC_AHP = [[1, 3, 2, 4], [1 / 3, 1, 1 / 2, 2], [1 / 2, 2, 1, 3], [1 / 4, 1 / 2, 1 / 3, 1]]
PUBLIC_TOPSIS = [[1, 3000], [2, 3750], [5, 4500]]
SAATY_SCALE = [1 / 9, 1 / 8, 1 / 7, 1 / 6, 1 / 5, 1 / 4, 1 / 3, 1 / 2, 1, 2, 3, 4, 5, 6, 7, 8, 9]
# The "saaty" random index table hard-coded in ahpy (differs from Saaty's classic table used by default).
AHPY_SAATY_RI = {
    3: 0.52,
    4: 0.89,
    5: 1.11,
    6: 1.25,
    7: 1.35,
    8: 1.40,
    9: 1.45,
    10: 1.49,
    11: 1.52,
    12: 1.54,
    13: 1.56,
    14: 1.58,
    15: 1.59,
}
HYPOTHESIS = settings(max_examples=60, deadline=None)


def rounded(values, digits=4):
    return tuple(round(v, digits) for v in values)


def consistent_matrix(w):
    w = np.asarray(w, dtype=float)
    return (w[:, None] / w[None, :]).tolist()


# ------------------------------------------------------------------------------------------------------------------
# Public checks (exact to 4 decimals, 6 for entropy)
# ------------------------------------------------------------------------------------------------------------------


def test_public_ahp_arithmetic():
    result = ahp(PUBLIC_AHP, "arithmetic")
    assert rounded(result.weights) == (0.4658, 0.1611, 0.2771, 0.0960)
    assert round(result.lambda_max, 4) == 4.0310
    assert round(result.ci, 4) == 0.0103
    assert round(result.cr, 4) == 0.0115
    assert result.consistent is True
    assert result.n == 4
    assert result.ri == 0.90


def test_public_ahp_eigenvector_is_default():
    result = ahp(PUBLIC_AHP)
    assert result.method == "eigenvector"
    assert rounded(result.weights) == (0.4673, 0.1601, 0.2772, 0.0954)
    assert result.consistent is True


def test_public_entropy_none():
    result = entropy_weights([[1, 2], [4, 16]])
    assert rounded(result.weights, 6) == (0.358889, 0.641111)
    assert result.constant_columns == ()
    assert result.warnings == ()


def test_public_topsis_minmax():
    result = topsis(PUBLIC_TOPSIS, [0.5, 0.5], ["cost", "benefit"], normalize="minmax")
    assert rounded(result.closeness) == (0.5000, 0.6172, 0.5000)
    assert result.rank == (2, 1, 2)


def test_public_topsis_vector_is_default():
    result = topsis(PUBLIC_TOPSIS, [0.5, 0.5], ["cost", "benefit"])
    assert rounded(result.closeness) == (0.7621, 0.7222, 0.2379)
    assert result.rank == (1, 2, 3)


# ------------------------------------------------------------------------------------------------------------------
# AHP
# ------------------------------------------------------------------------------------------------------------------


def test_ahp_geometric_and_lambda_definition():
    a = np.array(PUBLIC_AHP)
    result = ahp(PUBLIC_AHP, "geometric")
    gm = np.prod(a, axis=1) ** (1 / 4)
    assert result.weights == pytest.approx(gm / gm.sum(), abs=1e-12)
    w = np.array(result.weights)
    assert result.lambda_max == pytest.approx(np.mean(a @ w / w), abs=1e-12)
    assert result.ci == pytest.approx((result.lambda_max - 4) / 3, abs=1e-12)
    assert result.cr == pytest.approx(result.ci / 0.90, abs=1e-12)


def test_ahp_eigenvector_lambda_is_principal_eigenvalue():
    result = ahp(PUBLIC_AHP)
    assert result.lambda_max == pytest.approx(max(np.linalg.eigvals(np.array(PUBLIC_AHP)).real), abs=1e-10)


def test_ahp_n1():
    result = ahp([[1]])
    assert result.weights == (1.0,)
    assert (result.lambda_max, result.ci, result.cr, result.consistent, result.n, result.ri) == (
        1.0,
        0.0,
        0.0,
        True,
        1,
        0.0,
    )


@pytest.mark.parametrize("method", maths.AHP_METHODS)
def test_ahp_n2(method):
    result = ahp([[1, 3], [1 / 3, 1]], method)
    assert result.weights == pytest.approx((0.75, 0.25), abs=1e-12)
    assert (result.ci, result.cr, result.consistent, result.lambda_max) == (0.0, 0.0, True, 2.0)


@pytest.mark.parametrize("method", maths.AHP_METHODS)
def test_ahp_consistent_matrix_all_methods(method):
    result = ahp(consistent_matrix([4, 2, 1, 1]), method)
    assert result.weights == pytest.approx((0.5, 0.25, 0.125, 0.125), abs=1e-12)
    assert result.lambda_max == pytest.approx(4.0, abs=1e-12)
    assert result.cr == pytest.approx(0.0, abs=1e-12)
    assert result.cr >= 0.0


def test_ahp_inconsistent_matrix():
    matrix = [[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]]
    result = ahp(matrix)
    assert result.cr > 0.10
    assert result.consistent is False


def test_ahp_custom_ri_table():
    default = ahp(PUBLIC_AHP)
    custom = ahp(PUBLIC_AHP, ri_table={4: 0.89})
    assert custom.cr == pytest.approx(default.ci / 0.89)
    assert custom.ri == 0.89
    # n ≤ 2 never needs the table
    assert ahp([[1, 2], [0.5, 1]], ri_table={}).cr == 0.0


def test_ahp_saaty_ri_table():
    assert [maths.SAATY_RI[n] for n in range(3, 16)] == [
        0.58,
        0.90,
        1.12,
        1.24,
        1.32,
        1.41,
        1.45,
        1.49,
        1.51,
        1.48,
        1.56,
        1.57,
        1.59,
    ]


def test_ahp_accepts_full_precision_decimals_and_numpy():
    assert ahp([[1, 3], [0.3333333333333333, 1]]).weights == pytest.approx((0.75, 0.25))
    assert ahp(np.array(PUBLIC_AHP)).weights == ahp(PUBLIC_AHP).weights


def test_ahp_scale_check_can_be_disabled():
    matrix = consistent_matrix([20, 1])
    with pytest.raises(EvaluationInputError, match=r"1/9\.\.9"):
        ahp(matrix)
    assert ahp(matrix, scale_check=False).weights == pytest.approx((20 / 21, 1 / 21))


@pytest.mark.parametrize(
    ("matrix", "kwargs", "message"),
    [
        ([[1, 3], [0.333, 1]], {}, "not reciprocal"),
        ([[1, 3, 2], [1 / 3, 1, 2], [1 / 2, 2, 1]], {}, "not reciprocal"),
        ([[2, 1], [1, 1]], {}, "not reciprocal"),
        ([[1, 2, 3], [0.5, 1, 2]], {}, "square"),
        ([[1, -2], [-0.5, 1]], {}, "positive"),
        ([[1, 0], [0, 1]], {}, "positive"),
        ([[1, math.nan], [1, 1]], {}, "finite"),
        ([[1, math.inf], [0, 1]], {}, "finite"),
        ([[1, 2], [0.5]], {}, "same length"),
        ([], {}, "empty"),
        ([[]], {}, "empty"),
        ([[1, "3"], [1 / 3, 1]], {}, "real numbers"),
        ([[True, 1], [1, 1]], {}, "real numbers"),
        ("matrix", {}, "list of rows"),
        ([1, 2, 3], {}, "list of rows"),
        ((np.ones((16, 16))).tolist(), {}, "at most 15"),
        (PUBLIC_AHP, {"method": "power"}, "unknown AHP method"),
        (PUBLIC_AHP, {"ri_table": {3: 0.58}}, "no positive random index for n = 4"),
        (PUBLIC_AHP, {"ri_table": {4: 0}}, "no positive random index"),
    ],
)
def test_ahp_bad_input(matrix, kwargs, message):
    with pytest.raises(EvaluationInputError, match=message):
        ahp(matrix, **kwargs)


def test_evaluation_input_error_is_value_error():
    assert issubclass(EvaluationInputError, ValueError)


def test_most_inconsistent_pair_with_true_weights():
    matrix = consistent_matrix([8, 4, 2, 1])
    matrix[0][3], matrix[3][0] = 1 / 2, 2
    pair = most_inconsistent_pair(matrix, [8 / 15, 4 / 15, 2 / 15, 1 / 15])
    assert (pair.i, pair.j) == (0, 3)
    assert pair.value == 0.5
    assert pair.implied == pytest.approx(8)
    assert pair.deviation == pytest.approx(math.log(16))


def test_most_inconsistent_pair_default_weights():
    matrix = consistent_matrix([8, 4, 2, 1])
    matrix[0][3], matrix[3][0] = 1 / 2, 2
    pair = most_inconsistent_pair(matrix)
    assert (pair.i, pair.j) == (0, 3)
    w = ahp(matrix).weights
    assert pair.implied == pytest.approx(w[0] / w[3])
    assert most_inconsistent_pair(matrix, ahp(matrix)) == pair


def test_most_inconsistent_pair_public_matrix_and_edges():
    a = np.array(PUBLIC_AHP)
    w = np.array(ahp(a).weights)
    dev = np.abs(np.log(a * w[None, :] / w[:, None]))
    pair = most_inconsistent_pair(PUBLIC_AHP)
    assert pair.deviation == pytest.approx(dev.max())
    assert pair.i < pair.j
    assert most_inconsistent_pair([[1]]) is None
    assert most_inconsistent_pair(consistent_matrix([3, 2, 1])).deviation == pytest.approx(0, abs=1e-12)
    with pytest.raises(EvaluationInputError, match="weights must be positive"):
        most_inconsistent_pair(PUBLIC_AHP, [0.5, 0.5, 0, 0])
    with pytest.raises(EvaluationInputError, match="4 values"):
        most_inconsistent_pair(PUBLIC_AHP, [0.5, 0.5])


def test_ahp_hierarchy_shared_consistent():
    child1 = ahp(consistent_matrix([4, 2, 1]))
    child2 = ahp([[1, 1 / 3, 1], [3, 1, 3], [1, 1 / 3, 1]])
    result = ahp_hierarchy([0.6, 0.4], [child1, child2])
    assert result.global_weights == pytest.approx((0.422857142857, 0.411428571429, 0.165714285714))
    assert result.cr == pytest.approx(0.0, abs=1e-12)
    assert result.consistent is True


def test_ahp_hierarchy_cr_formula():
    inconsistent = ahp(PUBLIC_AHP)
    consistent = ahp(consistent_matrix([1, 2, 3, 4]))
    parent = ahp([[1, 1], [1, 1]])
    result = ahp_hierarchy(parent, [inconsistent, consistent])
    assert result.cr == pytest.approx(0.5 * inconsistent.ci / (0.5 * 0.90 + 0.5 * 0.90))
    expected = 0.5 * np.array(inconsistent.weights) + 0.5 * np.array(consistent.weights)
    assert result.global_weights == pytest.approx(tuple(expected))
    assert sum(result.global_weights) == pytest.approx(1.0)


def test_ahp_hierarchy_tree_and_chaining():
    children = [ahp([[1, 3], [1 / 3, 1]]), ahp([[1]])]
    result = ahp_hierarchy([0.6, 0.4], children, composition="tree")
    assert result.global_weights == pytest.approx((0.45, 0.15, 0.4))
    assert result.cr == 0.0
    deeper = ahp_hierarchy(result.global_weights, [ahp([[1, 1], [1, 1]])] * 3)
    assert deeper.global_weights == pytest.approx((0.5, 0.5))


def test_ahp_hierarchy_bad_input():
    child3 = ahp(consistent_matrix([1, 2, 3]))
    child2 = ahp([[1, 2], [0.5, 1]])
    with pytest.raises(EvaluationInputError, match="equal size"):
        ahp_hierarchy([0.5, 0.5], [child3, child2])
    with pytest.raises(EvaluationInputError, match="one child result per parent"):
        ahp_hierarchy([0.5, 0.5], [child3])
    with pytest.raises(EvaluationInputError, match="AhpResult"):
        ahp_hierarchy([0.5, 0.5], [child3, [[1]]])
    with pytest.raises(EvaluationInputError, match="negative"):
        ahp_hierarchy([1.5, -0.5], [child3, child3])
    with pytest.raises(EvaluationInputError, match="unknown composition"):
        ahp_hierarchy([0.5, 0.5], [child3, child3], composition="flat")


# ------------------------------------------------------------------------------------------------------------------
# Entropy weights and combination
# ------------------------------------------------------------------------------------------------------------------


def test_entropy_single_alternative_gives_equal_weights_with_warning():
    result = entropy_weights([[3, 5, 7]])
    assert result.weights == (1 / 3, 1 / 3, 1 / 3)
    assert result.entropy == (1.0, 1.0, 1.0)
    assert result.constant_columns == (0, 1, 2)
    assert any("m = 1" in w for w in result.warnings)
    assert any("equal weights" in w for w in result.warnings)


def test_entropy_zero_and_constant_columns_get_weight_zero():
    result = entropy_weights([[0, 2, 5], [0, 3, 5], [0, 9, 5]])
    assert result.weights[0] == 0.0
    assert result.weights[2] == 0.0
    assert result.weights[1] == pytest.approx(1.0)
    assert result.constant_columns == (0, 2)
    assert result.warnings == ("constant column(s) 0, 2 carry no information and get weight 0",)


def test_entropy_zero_entries_use_zero_log_zero_convention():
    result = entropy_weights([[0, 1], [1, 1], [1, 2]])
    e0 = -(2 * 0.5 * math.log(0.5)) / math.log(3)
    e1 = -(2 * 0.25 * math.log(0.25) + 0.5 * math.log(0.5)) / math.log(3)
    assert result.entropy == pytest.approx((e0, e1))
    assert result.weights == pytest.approx(((1 - e0) / (2 - e0 - e1), (1 - e1) / (2 - e0 - e1)))


def test_entropy_minmax_directions():
    matrix = [[0, 0], [1, 1], [3, 3]]
    result = entropy_weights(matrix, normalize="minmax", directions=["benefit", "cost"])
    # benefit: r = (0, 1/3, 1) → p = (0, 1/4, 3/4); cost: r = (1, 2/3, 0) → p = (3/5, 2/5, 0)
    e_benefit = -(0.25 * math.log(0.25) + 0.75 * math.log(0.75)) / math.log(3)
    e_cost = -(0.6 * math.log(0.6) + 0.4 * math.log(0.4)) / math.log(3)
    assert result.entropy == pytest.approx((e_benefit, e_cost))
    total = (1 - e_benefit) + (1 - e_cost)
    assert result.weights == pytest.approx(((1 - e_benefit) / total, (1 - e_cost) / total))
    # minmax accepts negative values and is shift-invariant
    shifted = entropy_weights((np.array(matrix) - 10).tolist(), normalize="minmax", directions=["benefit", "cost"])
    assert shifted.weights == pytest.approx(result.weights)


def test_entropy_minmax_constant_column():
    result = entropy_weights([[4, 1], [4, 2], [4, 5]], normalize="minmax")
    assert result.weights == (0.0, 1.0)
    assert result.constant_columns == (0,)
    assert result.warnings


def test_entropy_all_columns_constant_fall_back_to_equal():
    result = entropy_weights([[1, 2], [1, 2]], normalize="minmax")
    assert result.weights == (0.5, 0.5)
    assert "no column varies: falling back to equal weights" in result.warnings


def test_entropy_directions_ignored_with_none():
    result = entropy_weights([[1, 2], [4, 16]], directions=["cost", "benefit"])
    assert rounded(result.weights, 6) == (0.358889, 0.641111)
    assert result.warnings == ('directions are ignored with normalize="none"',)


@pytest.mark.parametrize(
    ("matrix", "kwargs", "message"),
    [
        ([[1, -2], [3, 4]], {}, "negative"),
        ([[1, 2], [3, 4]], {"normalize": "zscore"}, "unknown entropy normalization"),
        ([[1, 2], [3, 4]], {"normalize": "minmax", "directions": ["benefit"]}, "2 values"),
        ([[1, 2], [3, 4]], {"normalize": "minmax", "directions": ["benefit", "max"]}, "unknown direction"),
        ([[1, 2], [3]], {}, "same length"),
        ([[1, math.nan], [3, 4]], {}, "finite"),
    ],
)
def test_entropy_bad_input(matrix, kwargs, message):
    with pytest.raises(EvaluationInputError, match=message):
        entropy_weights(matrix, **kwargs)


def test_combine_weights():
    a, b = [0.5, 0.3, 0.2], [0.2, 0.2, 0.6]
    assert combine_weights(a, b) == pytest.approx((0.38, 0.26, 0.36))
    assert combine_weights(a, b, alpha=1.0) == pytest.approx(tuple(a))
    assert combine_weights(a, b, alpha=0) == pytest.approx(tuple(b))
    assert combine_weights(a, b, method="multiplicative") == pytest.approx((0.1 / 0.28, 0.06 / 0.28, 0.12 / 0.28))


@pytest.mark.parametrize(
    ("a", "b", "kwargs", "message"),
    [
        ([0.5, 0.5], [1.0], {}, "2 values"),
        ([0.5, 0.5], [0.5, 0.5], {"alpha": 1.5}, "alpha"),
        ([0.5, 0.5], [0.5, 0.5], {"alpha": True}, "alpha"),
        ([0.5, -0.5], [0.5, 0.5], {}, "negative"),
        ([1, 0], [0, 1], {"method": "multiplicative"}, "Σ a·b = 0"),
        ([0.5, 0.5], [0.5, 0.5], {"method": "sum"}, "unknown combination method"),
    ],
)
def test_combine_weights_bad_input(a, b, kwargs, message):
    with pytest.raises(EvaluationInputError, match=message):
        combine_weights(a, b, **kwargs)


# ------------------------------------------------------------------------------------------------------------------
# TOPSIS
# ------------------------------------------------------------------------------------------------------------------


def test_topsis_distances_vector():
    result = topsis(PUBLIC_TOPSIS, [0.5, 0.5], ["cost", "benefit"])
    x = np.array(PUBLIC_TOPSIS, dtype=float)
    v = 0.5 * x / np.sqrt((x**2).sum(axis=0))
    best = np.array([v[:, 0].min(), v[:, 1].max()])
    worst = np.array([v[:, 0].max(), v[:, 1].min()])
    assert result.d_plus == pytest.approx(tuple(np.sqrt(((v - best) ** 2).sum(axis=1))))
    assert result.d_minus == pytest.approx(tuple(np.sqrt(((v - worst) ** 2).sum(axis=1))))


def test_topsis_identical_alternatives_get_half_and_share_rank():
    result = topsis([[3, 4], [3, 4], [3, 4]], [0.5, 0.5], ["benefit", "cost"])
    assert result.closeness == (0.5, 0.5, 0.5)
    assert result.d_plus == (0.0, 0.0, 0.0)
    assert result.rank == (1, 1, 1)
    single = topsis([[1, 2]], [0.5, 0.5], ["benefit", "benefit"], normalize="minmax")
    assert single.closeness == (0.5,)
    assert single.rank == (1,)


def test_topsis_min_ranking_ties():
    result = topsis([[1], [2], [2], [3]], [1.0], ["benefit"], normalize="minmax")
    assert result.closeness == (0.0, 0.5, 0.5, 1.0)
    assert result.rank == (4, 2, 2, 1)


def test_topsis_zero_and_constant_columns():
    with_zero = topsis([[0, 1], [0, 2]], [0.5, 0.5], ["benefit", "benefit"])
    assert with_zero.closeness == pytest.approx((0.0, 1.0))
    minmax = topsis([[-5, 1], [-5, 2]], [0.5, 0.5], ["cost", "benefit"], normalize="minmax")
    assert minmax.closeness == pytest.approx((0.0, 1.0))


@pytest.mark.parametrize(
    ("matrix", "weights", "directions", "kwargs", "message"),
    [
        ([[1, -2], [3, 4]], [0.5, 0.5], ["benefit", "cost"], {}, "negative"),
        ([[1, 2], [3, 4]], [0.5], ["benefit", "cost"], {}, "2 values"),
        ([[1, 2], [3, 4]], [0.5, -0.5], ["benefit", "cost"], {}, "negative"),
        ([[1, 2], [3, 4]], [0, 0], ["benefit", "cost"], {}, "all be zero"),
        ([[1, 2], [3, 4]], [0.5, 0.5], ["benefit"], {}, "directions must have 2"),
        ([[1, 2], [3, 4]], [0.5, 0.5], ["benefit", "good"], {}, "unknown direction"),
        ([[1, 2], [3, 4]], [0.5, 0.5], "benefit", {}, "directions must be a list"),
        ([[1, 2], [3, 4]], [0.5, 0.5], ["benefit", "cost"], {"normalize": "sum"}, "unknown TOPSIS normalization"),
        ([[1, 2], [3, math.inf]], [0.5, 0.5], ["benefit", "cost"], {}, "finite"),
    ],
)
def test_topsis_bad_input(matrix, weights, directions, kwargs, message):
    with pytest.raises(EvaluationInputError, match=message):
        topsis(matrix, weights, directions, **kwargs)


# ------------------------------------------------------------------------------------------------------------------
# Fuzzy comprehensive evaluation
# ------------------------------------------------------------------------------------------------------------------

FUZZY_A = [0.5, 0.3, 0.2]
FUZZY_R = [[0.6, 0.3, 0.1, 0.0], [0.2, 0.5, 0.2, 0.1], [0.1, 0.2, 0.4, 0.3]]


@pytest.mark.parametrize(
    ("operator", "expected"),
    [
        ("weighted_average", (0.38, 0.34, 0.19, 0.09)),
        ("min_max", (0.5, 0.3, 0.2, 0.2)),
        ("product_max", (0.30, 0.15, 0.08, 0.06)),
        ("bounded_sum", (0.8, 0.8, 0.5, 0.3)),
    ],
)
def test_fuzzy_operators_hand_computed(operator, expected):
    result = fuzzy_evaluate(FUZZY_A, FUZZY_R, operator=operator)
    assert result.vector == pytest.approx(expected, abs=1e-12)
    assert result.grade_index == 0  # bounded_sum: 0.7999999999999999 ties 0.8, the first maximum wins
    assert result.score is None


def test_fuzzy_default_operator_and_score():
    result = fuzzy_evaluate(FUZZY_A, FUZZY_R, grade_scores=maths.DEFAULT_GRADE_SCORES)
    assert result.vector == pytest.approx((0.38, 0.34, 0.19, 0.09))
    assert result.score == pytest.approx(84.65)
    assert maths.DEFAULT_GRADES == ("优", "良", "中", "差")
    assert maths.DEFAULT_GRADE_SCORES == (95, 85, 75, 60)


def test_fuzzy_normalisation():
    result = fuzzy_evaluate(FUZZY_A, FUZZY_R, operator="min_max", normalize=True, grade_scores=[95, 85, 75, 60])
    assert result.vector == pytest.approx((5 / 12, 3 / 12, 2 / 12, 2 / 12))
    assert sum(result.vector) == pytest.approx(1.0)
    assert result.score == pytest.approx((5 * 95 + 3 * 85 + 2 * 75 + 2 * 60) / 12)


def test_fuzzy_bounded_sum_caps_at_one_and_max_membership_grade():
    result = fuzzy_evaluate([0.6, 0.6], [[0.7, 0.3], [0.8, 0.2]], operator="bounded_sum")
    assert result.vector == pytest.approx((1.0, 0.5))
    late = fuzzy_evaluate([0.5, 0.5], [[0.1, 0.2, 0.7], [0.1, 0.3, 0.6]])
    assert late.grade_index == 2


def test_fuzzy_two_level():
    groups = [
        ([0.6, 0.4], [[0.5, 0.3, 0.2, 0.0], [0.3, 0.4, 0.2, 0.1]]),
        ([1.0], [[0.1, 0.2, 0.3, 0.4]]),
    ]
    result = fuzzy_evaluate_two_level([0.7, 0.3], groups, grade_scores=[95, 85, 75, 60])
    assert result.first_level[0].vector == pytest.approx((0.42, 0.34, 0.2, 0.04))
    assert result.first_level[1].vector == pytest.approx((0.1, 0.2, 0.3, 0.4))
    assert result.first_level[1].grade_index == 3
    assert result.vector == pytest.approx((0.324, 0.298, 0.23, 0.148))
    assert result.grade_index == 0
    assert result.score == pytest.approx(82.24)


def test_fuzzy_two_level_normalises_both_levels():
    groups = [([0.5, 0.5], [[0.4, 0.6], [0.8, 0.2]]), ([1.0], [[0.3, 0.3]])]
    result = fuzzy_evaluate_two_level([0.5, 0.5], groups, operator="min_max", normalize=True)
    # level 1: (0.5, 0.5) and (0.3, 0.3) → normalised (0.5, 0.5) twice; level 2: (0.5, 0.5)
    assert result.first_level[0].vector == pytest.approx((0.5, 0.5))
    assert result.first_level[1].vector == pytest.approx((0.5, 0.5))
    assert result.vector == pytest.approx((0.5, 0.5))


@pytest.mark.parametrize(
    ("weights", "membership", "kwargs", "message"),
    [
        ([0.5, 0.5], FUZZY_R, {}, "3 values"),
        (FUZZY_A, [[0.5, 0.6], [0.1], [0.2, 0.2]], {}, "same length"),
        (FUZZY_A, [[1.5, 0], [0, 1], [0, 1]], {}, r"membership degrees must lie in \[0, 1\]"),
        (FUZZY_A, [[-0.1, 0], [0, 1], [0, 1]], {}, "membership degrees"),
        ([0.5, 0.3, -0.2], FUZZY_R, {}, r"weights must lie in \[0, 1\]"),
        (FUZZY_A, FUZZY_R, {"operator": "max_min"}, "unknown fuzzy operator"),
        (FUZZY_A, FUZZY_R, {"grade_scores": [95, 85]}, "4 values"),
        (FUZZY_A, [[0, 0], [0, 0], [0, 0]], {"normalize": True}, "all zeros"),
    ],
)
def test_fuzzy_bad_input(weights, membership, kwargs, message):
    with pytest.raises(EvaluationInputError, match=message):
        fuzzy_evaluate(weights, membership, **kwargs)


def test_fuzzy_two_level_bad_input():
    with pytest.raises(EvaluationInputError, match="grades"):
        fuzzy_evaluate_two_level([0.5, 0.5], [([1.0], [[0.5, 0.5]]), ([1.0], [[0.2, 0.3, 0.5]])])
    with pytest.raises(EvaluationInputError, match="non-empty"):
        fuzzy_evaluate_two_level([1.0], [])
    with pytest.raises(EvaluationInputError, match="group 0"):
        fuzzy_evaluate_two_level([1.0], [([1.0],)])
    with pytest.raises(EvaluationInputError, match="2 values"):
        fuzzy_evaluate_two_level([1.0], [([1.0], [[0.5, 0.5]]), ([1.0], [[0.5, 0.5]])])


def test_results_are_frozen():
    result = ahp(PUBLIC_AHP)
    with pytest.raises(AttributeError):
        result.cr = 0  # type: ignore[misc]


# ------------------------------------------------------------------------------------------------------------------
# Property tests and cross-checks against ahpy and pymcdm
# ------------------------------------------------------------------------------------------------------------------


@st.composite
def saaty_matrices(draw, min_n=3, max_n=7):
    n = draw(st.integers(min_n, max_n))
    matrix = np.ones((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            value = draw(st.sampled_from(SAATY_SCALE))
            matrix[i, j], matrix[j, i] = value, 1 / value
    return matrix


@st.composite
def near_consistent_matrices(draw):
    n = draw(st.integers(3, 7))
    w = draw(st.lists(st.floats(1, 3), min_size=n, max_size=n))
    matrix = np.ones((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            noise = draw(st.floats(0.8, 1.25))
            matrix[i, j] = w[i] / w[j] * noise
            matrix[j, i] = 1 / matrix[i, j]
    return matrix


def ahpy_compare(matrix):
    n = matrix.shape[0]
    comparisons = {(f"c{i}", f"c{j}"): float(matrix[i, j]) for i in range(n) for j in range(i + 1, n)}
    return ahpy.Compare("criteria", comparisons, precision=10, random_index="saaty")


@HYPOTHESIS
@given(st.one_of(saaty_matrices(), near_consistent_matrices()))
def test_ahp_matches_ahpy(matrix):
    reference = ahpy_compare(matrix)
    ours = ahp(matrix, ri_table=AHPY_SAATY_RI)
    n = matrix.shape[0]
    # ahpy's target_weights is sorted by weight: look weights up by name.
    expected = [float(reference.target_weights[f"c{i}"]) for i in range(n)]
    assert ours.weights == pytest.approx(expected, abs=1e-6)
    assert ours.cr == pytest.approx(float(reference.consistency_ratio), abs=1e-6)
    # With the default (classic Saaty) table the CI is the same and only RI differs.
    assert ahp(matrix).cr == pytest.approx(ours.cr * AHPY_SAATY_RI[n] / maths.SAATY_RI[n], abs=1e-12)


@HYPOTHESIS
@given(saaty_matrices(min_n=1, max_n=9), st.sampled_from(maths.AHP_METHODS))
def test_ahp_invariants(matrix, method):
    result = ahp(matrix, method)
    assert sum(result.weights) == pytest.approx(1.0)
    assert all(w > 0 for w in result.weights)
    assert result.lambda_max >= result.n - 1e-9
    assert result.cr >= 0
    assert result.consistent is (result.cr < 0.10)


@HYPOTHESIS
@given(st.lists(st.floats(1, 3), min_size=3, max_size=8))
def test_ahp_methods_agree_on_consistent_matrices(w):
    matrix = consistent_matrix(w)
    expected = np.array(w) / sum(w)
    for method in maths.AHP_METHODS:
        result = ahp(matrix, method)
        assert result.weights == pytest.approx(tuple(expected), abs=1e-9)
        assert result.cr == pytest.approx(0.0, abs=1e-9)


def decision_matrices(min_value=0.01, max_value=1000.0):
    return st.integers(2, 8).flatmap(
        lambda m: st.integers(1, 5).flatmap(
            lambda k: st.lists(
                st.lists(st.floats(min_value, max_value, allow_subnormal=False), min_size=k, max_size=k),
                min_size=m,
                max_size=m,
            )
        )
    )


@HYPOTHESIS
@given(decision_matrices())
def test_entropy_none_matches_pymcdm(matrix):
    x = np.array(matrix)
    ours = entropy_weights(matrix)
    divergence = 1 - np.array(ours.entropy)
    assume(divergence.sum() > 1e-6)
    assert ours.weights == pytest.approx(tuple(pymcdm_entropy_weights(x)), abs=1e-9)


@HYPOTHESIS
@given(decision_matrices(), st.data())
def test_entropy_minmax_matches_pymcdm_normalisation(matrix, data):
    x = np.array(matrix)
    k = x.shape[1]
    directions = data.draw(st.lists(st.sampled_from(maths.DIRECTIONS), min_size=k, max_size=k))
    ours = entropy_weights(matrix, normalize="minmax", directions=directions)
    # pymcdm's entropy_weights always sum-normalises and rejects zeros, so use pymcdm's min-max normalisation and
    # feed the result through our normalize="none" (which then is exactly the entropy step).
    types = np.array([-1 if d == "cost" else 1 for d in directions])
    normalised = np.column_stack([normalizations.minmax_normalization(x[:, j], cost=types[j] == -1) for j in range(k)])
    reference = entropy_weights(normalised.tolist())
    assert ours.weights == pytest.approx(reference.weights, abs=1e-9)
    assert sum(ours.weights) == pytest.approx(1.0)


@HYPOTHESIS
@given(decision_matrices(), st.data(), st.sampled_from(maths.TOPSIS_NORMALIZATIONS))
def test_topsis_matches_pymcdm(matrix, data, normalize):
    x = np.array(matrix)
    k = x.shape[1]
    directions = data.draw(st.lists(st.sampled_from(maths.DIRECTIONS), min_size=k, max_size=k))
    raw = data.draw(st.lists(st.floats(0.01, 1), min_size=k, max_size=k))
    weights = np.array(raw) / sum(raw)
    types = np.array([-1 if d == "cost" else 1 for d in directions])
    function = {
        "vector": normalizations.vector_normalization,
        "minmax": normalizations.minmax_normalization,
    }[normalize]
    ours = topsis(matrix, weights.tolist(), directions, normalize=normalize)
    assume(max(dp + dm for dp, dm in zip(ours.d_plus, ours.d_minus, strict=True)) > 1e-9)
    reference = TOPSIS(normalization_function=function)(x, weights, types, validation=False)
    assert ours.closeness == pytest.approx(tuple(reference), abs=1e-9)


@HYPOTHESIS
@given(decision_matrices(min_value=0.0, max_value=10.0), st.data())
def test_topsis_rank_is_min_rank_of_closeness(matrix, data):
    k = len(matrix[0])
    directions = data.draw(st.lists(st.sampled_from(maths.DIRECTIONS), min_size=k, max_size=k))
    result = topsis(matrix, [1 / k] * k, directions)
    assert all(0 <= c <= 1 for c in result.closeness)
    assert min(result.rank) == 1
    for i, ci in enumerate(result.closeness):
        for j, cj in enumerate(result.closeness):
            if ci > cj + 1e-9:
                assert result.rank[i] < result.rank[j]
            if ci == cj:
                assert result.rank[i] == result.rank[j]


def test_decimal_inputs_are_accepted_like_floats():
    from decimal import Decimal

    as_decimals = [[Decimal(str(v)) for v in row] for row in [[1, 2], [4, 16]]]
    assert maths.entropy_weights(as_decimals).weights == pytest.approx(maths.entropy_weights([[1, 2], [4, 16]]).weights)


def test_a_number_too_large_for_a_float_is_an_input_error():
    with pytest.raises(maths.EvaluationInputError):
        maths.entropy_weights([[10**400, 1], [1, 1]])
