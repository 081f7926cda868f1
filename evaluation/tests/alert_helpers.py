"""Helpers of the quality-alert tests: stored runs with given figures, an action planned by a manager."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from core.dates import Month
from evaluation.models import DealerEvaluation, EvaluationRun
from evaluation.services import alerts

# Default system: A1 reception wait is lower-better (target 10, floor 30 min); A2 complaint contact ≤ 2 h is
# higher-better (target 100, floor 70 %).
LOWER, HIGHER = "A1", "A2"


def make_run(version, oem, year: int, month: int, figures: dict, *, status="done", published=False, n=5,
             finished_at=None) -> EvaluationRun:  # fmt: skip
    """A stored run with the given {dealer: {code: (value, score)}} figures, as run_execute leaves it."""
    period = Month(year, month)
    run = EvaluationRun.objects.create(
        oem=oem, period_start=period.first_day, period_end=period.last_day, system_version=version, status=status,
        published=published, finished_at=finished_at or timezone.now(),
    )  # fmt: skip
    for dealer, codes in figures.items():
        DealerEvaluation.objects.create(
            run=run, dealer=dealer,
            indicators={code: {"value": value, "score": score, "n": n} for code, (value, score) in codes.items()},
        )  # fmt: skip
    return run


def plan(alert, manager, *, due=None, **extra):
    return alerts.action_create(
        alert=alert, by=manager, owner=manager, cause_analysis="接待人手不足", plan="增加早班接待",
        due_date=due or timezone.localdate() + timedelta(days=10), **extra,
    )  # fmt: skip
