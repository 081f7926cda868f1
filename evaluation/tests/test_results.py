"""Stored results: the result that counts for a month, the trend, and the exact split of a score's change."""

import copy

import pytest

from core.dates import Month
from evaluation import engine
from evaluation.models import DealerEvaluation, EvaluationRun
from evaluation.selectors import results as selectors

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(demo_dataset, django_user_model):
    return django_user_model.objects.get(username="admin")


def rescore(result: DealerEvaluation, **scores) -> DealerEvaluation:
    """An unsaved copy of ``result`` with some indicator scores replaced (None: no data), scored again by the
    engine with the run's stored weights, as the run would have."""
    weights = result.run.weights
    mapping = selectors._dimension_of([result.run.system_version_id])[result.run.system_version_id]
    dims = weights["dimensions"]
    local = {code: w / dims[mapping[code]] for code, w in weights["global"].items()}
    copied = copy.copy(result)
    copied.indicators = copy.deepcopy(result.indicators)
    for code, score in scores.items():
        copied.indicators[code]["score"] = score
    specs = [engine.IndicatorSpec(code, mapping[code], 100, 0, local[code]) for code in weights["global"]]
    rescored = engine.score(
        result.dealer_id, {c: copied.indicators[c]["score"] for c in weights["global"]},
        [engine.DimensionSpec(d, w) for d, w in dims.items()], specs,
        engine.Weights(weights["global"], weights["ahp"], None, 0, dims, local),
    )  # fmt: skip
    for code, row in copied.indicators.items():
        row["weight"] = rescored.indicator_weights.get(code)
    copied.dimension_scores, copied.score = rescored.dimension_scores, rescored.score
    return copied


def demo_results(admin, code="SH01"):
    dealer = DealerEvaluation.objects.filter(dealer__code=code).values_list("dealer_id", flat=True).first()
    history = selectors.dealer_history(dealer, Month(2026, 10), admin, months=3)
    return [result for _month, result in history if result is not None]


def test_effective_weights_rebuild_the_stored_score(admin):
    for code in ("GZ01", "SZ01", "SH01"):
        for result in demo_results(admin, code):
            weights = selectors.effective_weights(result, selectors._dimension_of([result.run.system_version_id])[
                result.run.system_version_id])  # fmt: skip
            assert sum(weights.values()) == pytest.approx(1.0)
            total = sum(w * result.indicators[c]["score"] for c, w in weights.items())
            assert total == pytest.approx(result.score, abs=1e-9)


def test_contributions_add_up_to_the_change_and_split_exactly(admin):
    previous, result = demo_results(admin)[-2:]
    explanation = selectors.explain(result, previous)
    assert explanation.change == pytest.approx(result.score - previous.score)
    assert explanation.total == pytest.approx(explanation.change, abs=1e-9)
    for c in explanation.contributions:
        assert c.performance_points + c.weight_points == pytest.approx(c.points, abs=1e-12)
    sizes = [abs(c.points) for c in explanation.contributions]
    assert sizes == sorted(sizes, reverse=True)
    assert sum(explanation.by_dimension().values()) == pytest.approx(explanation.change, abs=1e-9)


def test_an_indicator_without_data_this_month_is_all_weight(admin):
    previous, result = demo_results(admin)[-2:]
    mapping = selectors._dimension_of([result.run.system_version_id])[result.run.system_version_id]
    scored = [c for c, row in result.indicators.items() if row["score"]]
    code = next(c for c in scored if any(mapping[o] == mapping[c] for o in scored if o != c))
    missing = rescore(result, **{code: None})
    explanation = selectors.explain(missing, previous)
    assert explanation.total == pytest.approx(missing.score - previous.score, abs=1e-9)
    gone = next(c for c in explanation.contributions if c.indicator == code)
    assert gone.weight == 0 and gone.score is None and gone.performance_points == 0
    assert gone.points == pytest.approx(-gone.previous_weight * gone.previous_score)
    # its weight went to the rest of its dimension
    before = selectors.effective_weights(result, mapping)
    after = selectors.effective_weights(missing, mapping)
    others = [c for c in scored if mapping[c] == mapping[code] and c != code]
    assert others and all(after[c] > before[c] for c in others)
    assert sum(after.values()) == pytest.approx(1.0)


def test_the_same_month_against_itself_changes_nothing(admin):
    result = demo_results(admin)[-1]
    explanation = selectors.explain(result, result)
    assert explanation.change == 0 and all(c.points == 0 for c in explanation.contributions)


def test_no_previous_month_no_split(admin):
    result = demo_results(admin)[0]
    assert selectors.previous_result(result, admin) is None
    explanation = selectors.explain(result, None)
    assert explanation.change is None and explanation.contributions == []


def test_published_oem_run_counts_before_a_later_draft(admin):
    result = demo_results(admin)[-1]
    first_choice = selectors.month_result(result.dealer_id, Month(2026, 10), admin)
    assert first_choice.pk == result.pk
    rerun = EvaluationRun.objects.get(pk=result.run_id)
    rerun.pk, rerun.published, rerun.published_at, rerun.published_by = None, False, None, None
    rerun.save()
    later = copy.copy(result)
    later.pk, later.run = None, rerun
    later.save()
    chosen = selectors.month_result(result.dealer_id, Month(2026, 10), admin)
    assert chosen.pk == (result.pk if result.run.published else later.pk)


def test_points_lost_are_the_gap_to_full_marks(admin):
    result = demo_results(admin)[-1]
    lost = selectors.points_lost(result)
    assert sum(points for _c, points in lost) == pytest.approx(100 - result.score, abs=1e-9)
    assert lost[0][1] >= lost[-1][1]


def test_history_is_one_query(admin, django_assert_num_queries):
    dealer = demo_results(admin)[-1].dealer_id
    with django_assert_num_queries(1):
        history = selectors.dealer_history(dealer, Month(2026, 10), admin, months=12)
    assert len(history) == 12 and history[0][0] == Month(2025, 11)
