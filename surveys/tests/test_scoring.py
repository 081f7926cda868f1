"""Scoring without Django: item scores, CSI weighting, dimension means, NPS, low flags, answer checks."""

import pytest

from surveys.scoring import QuestionSpec, check_answers, item_score, nps_category, score_response

YES_NO = [{"value": "yes", "score": 100}, {"value": "no", "score": 0, "low": True}, {"value": "na"}]
QUESTIONS = [
    QuestionSpec("A", "likert5", dimension="attitude", csi_factor="f1", weight=1),
    QuestionSpec("B", "likert5", dimension="competence", csi_factor="f1", weight=3),
    QuestionSpec("C", "likert10", dimension="attitude", csi_factor="f2"),
    QuestionSpec("D", "single", dimension="reliability", csi_factor="f2", options=YES_NO),
    QuestionSpec("N", "nps", dimension="loyalty"),
    QuestionSpec("M", "multi", required=False, options=[{"value": "x"}, {"value": "y"}]),
    QuestionSpec("T", "text", required=False),
]
WEIGHTS = {"f1": 60, "f2": 40}


def score(raw):
    answers, errors = check_answers(QUESTIONS, raw)
    assert errors == {}
    return score_response(QUESTIONS, answers, WEIGHTS)


def test_item_scores_map_each_scale_linearly_to_0_100():
    assert [item_score(QUESTIONS[0], a) for a in check_answers(QUESTIONS[:1], {"A": 1})[0]] == [0]
    assert item_score(QUESTIONS[0], check_answers(QUESTIONS[:1], {"A": 4})[0][0]) == 75
    assert item_score(QUESTIONS[2], check_answers(QUESTIONS[2:3], {"C": 10})[0][0]) == 100
    assert item_score(QUESTIONS[2], check_answers(QUESTIONS[2:3], {"C": 4})[0][0]) == pytest.approx(100 / 3)
    assert item_score(QUESTIONS[4], check_answers(QUESTIONS[4:5], {"N": 7})[0][0]) == 70
    assert item_score(QUESTIONS[3], check_answers(QUESTIONS[3:4], {"D": "na"})[0][0]) is None


def test_csi_weights_items_in_a_factor_then_factors():
    result = score({"A": 5, "B": 3, "C": 10, "D": "no", "N": 10, "M": ["y", "x"], "T": " fine "})
    # f1 = (1·100 + 3·50) / 4 = 62.5 ; f2 = (100 + 0) / 2 = 50 ; CSI = (60·62.5 + 40·50) / 100 = 57.5
    assert result.factor_scores == {"f1": 62.5, "f2": 50}
    assert result.csi == pytest.approx(57.5)
    assert result.dimension_scores == {"attitude": 100, "competence": 50, "reliability": 0, "loyalty": 100}
    assert (result.nps, result.nps_category) == (10, "promoter")
    assert result.low_items == ["D"]
    multi = next(a for a in result.answers if a.code == "M")
    assert multi.choices == ["x", "y"]  # in the order of the options
    assert next(a for a in result.answers if a.code == "T").text == "fine"


def test_a_factor_without_answer_leaves_its_weight_to_the_others():
    result = score({"A": 4, "B": 4, "C": 10, "D": "na", "N": 8})
    # f2 has C only (100), f1 = 75 → CSI = (60·75 + 40·100) / 100 = 85
    assert result.csi == pytest.approx(85)
    questions = [
        QuestionSpec("A", "likert5", csi_factor="f1"),
        QuestionSpec("D", "single", csi_factor="f2", options=YES_NO),
    ]
    answers, _ = check_answers(questions, {"A": 3, "D": "na"})
    assert score_response(questions, answers, WEIGHTS).csi == pytest.approx(50)
    answers, _ = check_answers(questions[1:], {"D": "na"})
    assert score_response(questions[1:], answers, WEIGHTS).csi is None


@pytest.mark.parametrize(
    ("raw", "low"),
    [
        ({"A": 2}, ["A"]), ({"A": 3}, []), ({"C": 4}, ["C"]), ({"C": 5}, []), ({"N": 6}, ["N"]), ({"N": 7}, []),
        ({"D": "no"}, ["D"]),
    ],
)  # fmt: skip
def test_low_score_thresholds(raw, low):
    full = {"A": 5, "B": 5, "C": 10, "D": "yes", "N": 10, **raw}
    assert score(full).low_items == low


def test_nps_categories():
    assert [nps_category(v) for v in (0, 6, 7, 8, 9, 10, None)] == [
        "detractor", "detractor", "passive", "passive", "promoter", "promoter", "",
    ]  # fmt: skip


def test_answer_errors_by_question_code():
    _answers, errors = check_answers(
        QUESTIONS, {"A": 6, "B": "abc", "C": "", "D": "maybe", "N": -1, "M": ["x", "z"], "T": "x" * 2001}
    )
    assert {code: e.code for code, e in errors.items()} == {
        "A": "out_of_range", "B": "not_a_number", "C": "required", "D": "unknown_option", "N": "out_of_range",
        "M": "unknown_option", "T": "too_long",
    }  # fmt: skip
    assert (errors["A"].low, errors["A"].high) == (1, 5)
    assert check_answers(QUESTIONS[-1:], {"T": {"x": 1}})[1]["T"].code == "not_text"


def test_optional_blank_answers_are_left_out_and_unknown_codes_ignored():
    answers, errors = check_answers(
        QUESTIONS, {"A": "5", "B": 5, "C": 9, "D": "yes", "N": 0, "M": [], "T": "  ", "ZZ": 1}
    )
    assert errors == {}
    assert [a.code for a in answers] == ["A", "B", "C", "D", "N"]
    assert answers[0].number == 5
