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
    assert result.notes == [
        {"code": "entropy_too_few_dealers", "dealers": 1, "minimum": 2},
        {"code": "topsis_too_few", "dealers": 1},
    ]
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
    with pytest.raises(EvaluationInputError, match="indicator Z is in an unknown dimension Q"):
        evaluate(dimensions=DIMS, indicators=[IndicatorSpec("Z", "Q", 1, 0, 1)], values={})
    with pytest.raises(EvaluationInputError, match="unknown weighting mode 'magic'"):
        evaluate(dimensions=DIMS, indicators=INDICATORS, values={}, settings=Settings(mode="magic"))
    with pytest.raises(EvaluationInputError, match="an indicator's target and floor must differ"):
        engine.indicator_score(1, target=1, floor=1)


# --- entropy over many rows, minimum dealers, thin figures and ranks ------------------------------------------

ONE = [DimensionSpec("A", 1.0)]
XY = [IndicatorSpec("X", "A", 100, 0, 0.5), IndicatorSpec("Y", "A", 100, 0, 0.5)]


def test_entropy_notes_name_the_constant_and_the_empty_indicators():
    indicators = [*XY, IndicatorSpec("Z", "A", 100, 0, 0.0)]
    result = evaluate(dimensions=ONE, indicators=indicators,
                      values={1: {"X": 100, "Y": 50}, 2: {"X": 50, "Y": 50}, 3: {"X": 80, "Y": 50}})  # fmt: skip
    assert result.notes == [{"code": "entropy_no_data", "indicators": ["Z"]},
                            {"code": "entropy_constant", "indicators": ["Y"]}]  # fmt: skip
    assert result.entropy_weights == {"X": pytest.approx(1.0), "Y": 0.0, "Z": 0.0}
    assert result.entropy_rows == 3


def test_when_every_indicator_is_equal_the_ahp_weights_are_used():
    result = evaluate(dimensions=ONE, indicators=XY, values={1: {"X": 70, "Y": 50}, 2: {"X": 70, "Y": 50}})
    # maths falls back to equal entropy weights; the engine must not mix those into the AHP weights
    assert result.notes == [{"code": "entropy_all_equal"}]
    assert result.entropy_weights is None
    assert result.weights == {"X": pytest.approx(0.5), "Y": pytest.approx(0.5)}


def test_below_the_minimum_number_of_dealers_entropy_is_not_used():
    values = {1: {"X": 100, "Y": 50}, 2: {"X": 50, "Y": 50}, 3: {"X": 80, "Y": 60}, 4: {}}
    few = evaluate(dimensions=ONE, indicators=XY, values=values, settings=Settings(entropy_min_dealers=4))
    # dealer 4 has no figure: three dealers with a score are fewer than four
    assert few.notes[0] == {"code": "entropy_too_few_dealers", "dealers": 3, "minimum": 4}
    assert few.entropy_weights is None and few.weights == {"X": pytest.approx(0.5), "Y": pytest.approx(0.5)}
    enough = evaluate(dimensions=ONE, indicators=XY, values=values, settings=Settings(entropy_min_dealers=3))
    assert enough.entropy_weights is not None


def test_entropy_over_given_rows_instead_of_this_months_dealers():
    values = {1: {"X": 100, "Y": 50}, 2: {"X": 50, "Y": 50}}
    # over the window, Y varied and X did not: the weights follow the window, not the month
    window = [{"X": 60, "Y": 20}, {"X": 60, "Y": 80}, {"X": 60, "Y": 50}, {"X": None, "Y": None}]
    result = evaluate(dimensions=ONE, indicators=XY, values=values, entropy_values=window)
    assert result.entropy_weights == {"X": 0.0, "Y": pytest.approx(1.0)}
    assert result.entropy_rows == 3  # the row without any figure is left out
    assert result.weights == {"X": pytest.approx(0.3), "Y": pytest.approx(0.7)}


def test_thin_figures_stay_in_the_score_but_not_in_entropy():
    values = {1: {"X": 100, "Y": 90}, 2: {"X": 50, "Y": 10}, 3: {"X": 80, "Y": 10}}
    plain = evaluate(dimensions=ONE, indicators=XY, values=values)
    thin = evaluate(dimensions=ONE, indicators=XY, values=values, thin={1: {"Y"}})
    assert plain.entropy_weights["Y"] > 0
    # without dealer 1's Y (filled with the mean of the others, 10), Y is constant: no information
    assert thin.entropy_weights == {"X": pytest.approx(1.0), "Y": 0.0}
    assert thin.dealers[1].indicator_scores["Y"] == pytest.approx(90.0)  # still scored
    assert thin.dealers[1].score == pytest.approx(0.7 * 100 + 0.3 * 90)


def test_a_dealer_whose_weight_stands_on_too_little_data_keeps_its_score_but_gets_no_rank():
    indicators = [IndicatorSpec("X", "A", 100, 0, 0.75), IndicatorSpec("Y", "A", 100, 0, 0.25)]
    values = {1: {"X": 90, "Y": 90}, 2: {"X": 80, "Y": 70}, 3: {"X": 60, "Y": 40}}
    result = evaluate(dimensions=ONE, indicators=indicators, values=values, thin={1: {"X"}, 2: {"Y"}},
                      settings=Settings(mode="ahp", rank_min_weight=0.7))  # fmt: skip
    one, two, three = result.dealers[1], result.dealers[2], result.dealers[3]
    assert one.score == pytest.approx(90.0) and one.grade == "优"
    assert (one.rank, one.topsis_rank) == (None, None)
    assert one.rank_note == {"code": "rank_thin_data", "enough": 1, "of": 2, "share": pytest.approx(0.25),
                             "required": 0.7}  # fmt: skip
    assert two.rank_note is None and (two.rank, three.rank) == (1, 2)  # 75 % of the weight is enough
    assert (two.topsis_rank, three.topsis_rank) == (1, 2)
    with pytest.raises(EvaluationInputError, match="the weight share a rank needs must lie between 0 and 1"):
        evaluate(dimensions=ONE, indicators=indicators, values=values, settings=Settings(rank_min_weight=1.5))
