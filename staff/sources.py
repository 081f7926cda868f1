"""Figures the scorecard takes from other domains (complaints, surveys), behind one small adapter.

Staff sits above both (see .importlinter); tests monkeypatch these functions. ``start`` and ``end`` are aware
datetimes, ``start`` included and ``end`` excluded.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from complaints import selectors as complaint_selectors
from surveys import selectors as survey_selectors


def complaint_counts_by_staff(dealer_ids: Iterable[int], start: datetime, end: datetime) -> dict[int, int]:
    """Complaints received in the period per responsible staff member (user id)."""
    return complaint_selectors.complaint_counts_by_staff(list(dealer_ids), start, end)


def advisor_scores(dealer_ids: Iterable[int], start: datetime, end: datetime) -> dict[int, dict]:
    """Survey responses and mean score per advisor (user id): {"responses": int, "score": float | None}."""
    return survey_selectors.advisor_scores(list(dealer_ids), start, end)
