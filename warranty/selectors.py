"""Reads of warranty claims, scoped to the user's dealers; the report is grouped SQL, never a loop over claims."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from accounts.models import User
from warranty.choices import CLAIM_STATUS_COLOURS, ClaimStatus
from warranty.models import WarrantyClaim

ZERO = Value(0, output_field=DecimalField(max_digits=14, decimal_places=2))


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def claim_list(*, user: User, filters: dict | None = None) -> QuerySet[WarrantyClaim]:
    """Claims of the user's dealers, newest first; by status, dealer, submission dates or number/code prefix.

    The dates are those of submission (a draft has none, so a date filter leaves drafts out).
    """
    filters = filters or {}
    qs = WarrantyClaim.objects.for_user(user).select_related("dealer", "repair_order", "vehicle")
    if filters.get("status") in ClaimStatus.values:
        qs = qs.filter(status=filters["status"])
    if filters.get("dealer"):
        qs = qs.filter(dealer_id=filters["dealer"])
    if filters.get("submitted_from"):
        qs = qs.filter(submitted_at__gte=_start_of(filters["submitted_from"]))
    if filters.get("submitted_to"):
        qs = qs.filter(submitted_at__lt=_start_of(filters["submitted_to"] + timedelta(days=1)))
    q = (filters.get("q") or "").strip()
    if q:
        qs = qs.filter(
            Q(number__startswith=q.upper())
            | Q(repair_order__number__startswith=q.upper())
            | Q(failure_code__istartswith=q)
            | Q(causal_part_number__istartswith=q)
        )
    return qs.order_by("-created_at", "-id")


def _money(field: str, **extra):
    return Coalesce(Sum(field, **extra), ZERO)


def _amounts() -> dict:
    return {
        "count": Count("id"),
        "claimed": _money("total_amount"),
        "approved": _money("approved_amount"),
        "paid": _money("paid_amount"),
    }


def claim_totals_by_status(claims: QuerySet[WarrantyClaim]) -> list[dict]:
    """One row per status (in the order of the status list): count, claimed, approved and paid amounts."""
    rows = {row["status"]: row for row in claims.order_by().values("status").annotate(**_amounts())}
    return [
        {"status": status, "label": label, "colour": CLAIM_STATUS_COLOURS[status], **rows[status]}
        for status, label in ClaimStatus.choices
        if status in rows
    ]


def claims_report(*, user: User, filters: dict | None = None) -> dict:
    """The claims report: totals by status, by month of submission and by failure code (grouped SQL)."""
    claims = claim_list(user=user, filters=filters).order_by()
    submitted = claims.exclude(status=ClaimStatus.DRAFT)
    decided = Q(status__in=[ClaimStatus.APPROVED, ClaimStatus.PAID, ClaimStatus.REJECTED])
    outcome = {
        "approved_count": Count("id", filter=Q(status__in=[ClaimStatus.APPROVED, ClaimStatus.PAID])),
        "rejected_count": Count("id", filter=Q(status=ClaimStatus.REJECTED)),
        "pending_count": Count("id", filter=Q(status=ClaimStatus.SUBMITTED)),
        "paid_count": Count("id", filter=Q(status=ClaimStatus.PAID)),
        "decided_count": Count("id", filter=decided),
    }
    by_month = list(
        submitted.annotate(month=TruncMonth("submitted_at"))
        .values("month")
        .annotate(**_amounts(), **outcome)
        .order_by("month")
    )
    by_failure_code = list(
        submitted.values("failure_code").annotate(**_amounts(), **outcome).order_by("-count", "failure_code")[:50]
    )
    for row in [*by_month, *by_failure_code]:
        row["approval_rate"] = (
            round(100 * row["approved_count"] / row["decided_count"], 1) if row["decided_count"] else None
        )
    by_status = claim_totals_by_status(claims)
    total = claims.aggregate(**_amounts())
    return {"by_status": by_status, "by_month": by_month, "by_failure_code": by_failure_code, "total": total}
