"""Figures the scorecard takes from other domains (complaints, surveys), behind one small adapter.

Each function imports its source inside, so the staff pages work (showing "no data") while a source
domain is not installed yet; tests monkeypatch these functions.  ``start`` and ``end`` are aware
datetimes, ``start`` included and ``end`` excluded.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime


def complaint_counts_by_staff(dealer_ids: Iterable[int], start: datetime, end: datetime) -> dict[int, int] | None:
    """Complaints received in the period per responsible staff member (user id); None if unavailable."""
    try:
        from complaints.selectors import complaint_counts_by_staff
    except ImportError:
        return None
    return complaint_counts_by_staff(list(dealer_ids), start, end)


def advisor_scores(dealer_ids: Iterable[int], start: datetime, end: datetime) -> dict[int, dict] | None:
    """Survey responses and mean score per advisor (user id): {"responses": int, "score": float | None}."""
    try:
        from surveys.selectors import advisor_scores
    except ImportError:
        return None
    return advisor_scores(list(dealer_ids), start, end)
