"""The one traffic-light rule: green at or beyond the target, red at or beyond the floor, amber between."""

from decimal import Decimal

import pytest

from evaluation.choices import IndicatorDirection
from evaluation.display import AMBER, GREEN, RED, traffic_light
from evaluation.models import Indicator

HIGHER, LOWER = IndicatorDirection.HIGHER, IndicatorDirection.LOWER


@pytest.mark.parametrize(
    ("value", "light"),
    [(100, GREEN), (95, GREEN), (94.99, AMBER), (80.01, AMBER), (80, RED), (10, RED), (None, None)],
)
def test_higher_is_better(value, light):
    assert traffic_light(value, Decimal("95"), Decimal("80"), HIGHER) == light


@pytest.mark.parametrize(
    ("value", "light"), [(0, GREEN), (10, GREEN), (10.5, AMBER), (29.9, AMBER), (30, RED), (45, RED)]
)
def test_lower_is_better(value, light):
    assert traffic_light(value, 10, 30, LOWER) == light


@pytest.mark.parametrize("direction", [HIGHER, LOWER])
def test_the_light_agrees_with_the_indicator_score(direction):
    """Green exactly where the indicator scores 100, red exactly where it scores 0."""
    target, floor = (Decimal("90"), Decimal("60")) if direction == HIGHER else (Decimal("15"), Decimal("45"))
    indicator = Indicator(code="X1", direction=direction, target=target, floor=floor)
    for value in range(0, 101):
        score, light = indicator.score(value), traffic_light(value, target, floor, direction)
        assert (light == GREEN) == (score == 100) and (light == RED) == (score == 0), value
