"""Reads of audits: the audits a user may see, and indicator G of a period (``audit_scores``): the latest audit
dated in the period and submitted by ``as_of``; official audits win over self-audits."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from core.dates import last_local_day, localtime
from evaluation.choices import AuditKind, AuditStatus
from evaluation.models import Audit

SUBMITTED = (AuditStatus.SUBMITTED, AuditStatus.CONFIRMED)


def _day_range(start, end) -> tuple[date, date]:
    """Dates are inclusive (start..end); datetimes are half-open [start, end) over local days (core.dates)."""
    if isinstance(start, datetime):
        local = localtime(start)
        first = local.date() if local.time() == time.min else local.date() + timedelta(days=1)
    else:
        first = start
    last = last_local_day(end) if isinstance(end, datetime) else end
    return first, last


def submitted_by(as_of: datetime) -> QuerySet[Audit]:
    """The audits submitted (or since confirmed) by ``as_of``."""
    return Audit.objects.filter(status__in=SUBMITTED, submitted_at__isnull=False, submitted_at__lte=as_of)


def audit_scores(dealer_ids, start, end, as_of: datetime | None = None) -> dict[int, dict]:
    """Indicator G per dealer: ``{dealer_id: {"score": float | None, "audit_id": int | None}}``.

    The latest (by audit date, then id) audit dated in the period and submitted by ``as_of`` (default now); official
    audits win over self-audits. Every requested dealer is in the result (None/None when it has no audit then).
    """
    ids = list(dealer_ids)
    first, last = _day_range(start, end)
    result: dict[int, dict] = {dealer_id: {"score": None, "audit_id": None} for dealer_id in ids}
    rows = (
        submitted_by(as_of or timezone.now())
        .filter(dealer_id__in=ids, audit_date__gte=first, audit_date__lte=last)
        .order_by("dealer_id", "-audit_date", "-id")
        .values_list("dealer_id", "id", "kind", "score")
    )
    best: dict[int, tuple] = {}
    for dealer_id, audit_id, kind, score in rows:
        current = best.get(dealer_id)
        # rows come newest first: keep the first official one, or the first one while no official one is seen
        if current is None or (current[1] != AuditKind.OFFICIAL and kind == AuditKind.OFFICIAL):
            best[dealer_id] = (audit_id, kind, score)
    for dealer_id, (audit_id, _kind, score) in best.items():
        result[dealer_id] = {"score": None if score is None else float(score), "audit_id": audit_id}
    return result


def audit_list(*, user) -> QuerySet[Audit]:
    """The audits of the user's dealers, newest first (evaluation.api.views.AuditFilterSet filters them)."""
    return (
        Audit.objects.for_user(user)
        .select_related("dealer", "template", "auditor", "confirmed_by")
        .order_by("-audit_date", "-id")
    )
