"""Reads of warranty claims, scoped to the user's dealers; the report is grouped SQL, never a loop over claims."""

from __future__ import annotations

from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth

from accounts.models import User
from core.indicators import Rate
from warranty.choices import CLAIM_STATUS_COLOURS, ClaimStatus
from warranty.models import WarrantyClaim

ZERO = Value(0, output_field=DecimalField(max_digits=14, decimal_places=2))


def claim_list(*, user: User) -> QuerySet[WarrantyClaim]:
    """Claims of the user's dealers, newest first (warranty.filtersets.WarrantyClaimFilterSet filters them)."""
    return (
        WarrantyClaim.objects.for_user(user)
        .select_related("dealer", "repair_order", "vehicle")
        .order_by("-created_at", "-id")
    )


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


def claims_report(*, claims: QuerySet[WarrantyClaim]) -> dict:
    """The report of these claims: totals by status, by month of submission and by failure code (grouped SQL)."""
    claims = claims.order_by()
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
        row["approval_rate"] = Rate(row["approved_count"], row["decided_count"]).rounded_percent(1)
    by_status = claim_totals_by_status(claims)
    total = claims.aggregate(**_amounts())
    return {"by_status": by_status, "by_month": by_month, "by_failure_code": by_failure_code, "total": total}
