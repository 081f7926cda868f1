"""The scoring engine on hand-built inputs with exact expected values."""

import math

import pytest

from evaluation import engine
from evaluation.engine import DimensionSpec, IndicatorSpec, Settings, evaluate
from evaluation.maths import EvaluationInputError

DIMS = [DimensionSpec("A", 0.6), DimensionSpec("B", 0.4)]
INDICATORS = [
    IndicatorSpec("A1", "A", target=10, floor=30, local_weight=0.5),  # lower is better (minutes)
    IndicatorSpec("A2", "A", target=1.0, floor=0.7, local_weight=0.5),  # a rate
    IndicatorSpec("B1", "B", target=1.0, floor=0.5, local_weight=1.0),
]


@pytest.mark.parametrize(
    ("value", "target", "floor", "expected"),
    [
        (0.85, 1.0, 0.7, 50.0),
        (1.2, 1.0, 0.7, 100.0),
        (0.6, 1.0, 0.7, 0.0),
        (20, 10, 30, 50.0),
        (5, 10, 30, 100.0),
        (45, 10, 30, 0.0),
        (None, 10, 30, None),
    ],
)
def test_indicator_score_is_linear_between_floor_and_target(value, target, floor, expected):
    score = engine.indicator_score(value, target=target, floor=floor)
    assert score == (None if expected is None else pytest.approx(expected))


def test_grades_stars_and_caps_at_their_thresholds():
    assert [engine.grade_of(s) for s in (90, 89.99, 80, 60, 59.99, None)] == ["优", "良", "良", "中", "差", None]
    assert [engine.stars_of(s) for s in (95, 94.99, 90, 80, 79.99, 70, 69.99, None)] == [5, 4, 4, 3, 0, 0, -1, None]
    assert engine.stars_of(97, cap=3) == 3


def test_triangular_membership():
    assert engine.triangular_membership(90) == pytest.approx((0.5, 0.5, 0, 0))
    assert engine.triangular_membership(67.5) == pytest.approx((0, 0, 0.5, 0.5))
    assert engine.triangular_membership(100) == (1.0, 0, 0, 0)
    assert engine.triangular_membership(10) == (0, 0, 0, 1.0)


def test_ahp_scores_with_no_data_spread_inside_the_dimension_and_over_dimensions():
    result = evaluate(
        dimensions=DIMS, indicators=INDICATORS, settings=Settings(mode="ahp"),
        values={1: {"A1": 10, "A2": 0.85, "B1": 0.9}, 2: {"A1": None, "A2": 0.85, "B1": None}, 3: {}},
    )  # fmt: skip
    one, two, three = result.dealers[1], result.dealers[2], result.dealers[3]
    assert one.dimension_scores == {"A": pytest.approx(75.0), "B": pytest.approx(80.0)}
    assert one.score == pytest.approx(0.6 * 75 + 0.4 * 80)  # 77
    assert (one.grade, one.stars) == ("中", 0)
    # dealer 2: A1 has no data → A2 carries dimension A; B has no data → overall is dimension A alone
    assert two.indicator_scores["A1"] is None
    assert two.indicator_weights == {"A2": pytest.approx(1.0)}
    assert two.dimension_scores == {"A": pytest.approx(50.0), "B": None}
    assert (two.dimension_weights, two.score) == ({"A": pytest.approx(1.0)}, pytest.approx(50.0))
    assert (three.score, three.grade, three.stars, three.rank) == (None, None, None, None)
    assert (one.rank, two.rank) == (1, 2)
    assert result.weights == {"A1": pytest.approx(0.3), "A2": pytest.approx(0.3), "B1": pytest.approx(0.4)}


def test_linear_combination_with_entropy_weights():
    dims = [DimensionSpec("A", 1.0)]
    indicators = [IndicatorSpec("X", "A", 100, 0, 0.5), IndicatorSpec("Y", "A", 100, 0, 0.5)]
    result = evaluate(dimensions=dims, indicators=indicators, values={1: {"X": 100, "Y": 50}, 2: {"X": 50, "Y": 50}})
    # Y is equal for both dealers: entropy weight 0; X gets 1. Linear, α = 0.6: (0.6·0.5 + 0.4·1, 0.6·0.5) = (0.7, 0.3)
    assert result.entropy_weights == {"X": pytest.approx(1.0), "Y": pytest.approx(0.0)}
    assert result.weights == {"X": pytest.approx(0.7), "Y": pytest.approx(0.3)}
    assert result.dealers[1].score == pytest.approx(0.7 * 100 + 0.3 * 50)
    assert result.dealers[2].score == pytest.approx(50.0)
    assert (result.dealers[1].topsis_rank, result.dealers[2].topsis_rank) == (1, 2)
    assert result.dealers[1].topsis_closeness == pytest.approx(1.0)


def test_one_dealer_falls_back_to_ahp_and_is_not_topsis_ranked():
    result = evaluate(dimensions=DIMS, indicators=INDICATORS, values={7: {"A1": 20, "A2": 1.0, "B1": 1.0}})
    assert result.entropy_weights is None
    assert any("two dealers" in note for note in result.notes)
    dealer = result.dealers[7]
    assert dealer.score == pytest.approx(0.6 * (0.5 * 50 + 0.5 * 100) + 0.4 * 100)
    assert (dealer.rank, dealer.topsis_rank) == (1, None)


def test_fuzzy_evaluation_uses_triangular_membership_or_the_given_distribution():
    dims = [DimensionSpec("C", 1.0)]
    indicators = [IndicatorSpec("C1", "C", 100, 0, 1.0)]
    plain = evaluate(dimensions=dims, indicators=indicators, values={1: {"C1": 90}}, settings=Settings(mode="ahp"))
    assert plain.dealers[1].fuzzy_vector == pytest.approx((0.5, 0.5, 0, 0))
    assert plain.dealers[1].fuzzy_score == pytest.approx(90.0)
    assert plain.dealers[1].fuzzy_grade == "优"  # ties go to the first (best) grade
    given = evaluate(dimensions=dims, indicators=indicators, values={1: {"C1": 90}}, settings=Settings(mode="ahp"),
                     memberships={1: {"C1": (0.1, 0.2, 0.3, 0.4)}})  # fmt: skip
    assert given.dealers[1].fuzzy_vector == pytest.approx((0.1, 0.2, 0.3, 0.4))
    assert given.dealers[1].fuzzy_grade == "差"
    assert math.isclose(given.dealers[1].fuzzy_score, 0.1 * 95 + 0.2 * 85 + 0.3 * 75 + 0.4 * 60)


def test_bad_systems_are_refused():
    with pytest.raises(EvaluationInputError):
        evaluate(dimensions=DIMS, indicators=[IndicatorSpec("Z", "Q", 1, 0, 1)], values={})
    with pytest.raises(EvaluationInputError):
        evaluate(dimensions=DIMS, indicators=INDICATORS, values={}, settings=Settings(mode="magic"))
    with pytest.raises(EvaluationInputError):
        engine.indicator_score(1, target=1, floor=1)
