"""Reads of satisfaction surveys: lists scoped to the user's dealers and the results as grouped SQL.

Periods: a ``date`` is a whole local day (``end`` included); a ``datetime`` is an instant (``end``
excluded). Responses count in the period they were answered in; the response rate is measured on
the visits delivered in the period (share of them answered, by link or by phone, whenever).

KPI inputs (kpi-catalog.md): C1 / C2 = mean of the item scores (0–100) tagged ``attitude`` /
``competence`` answered in the period; E1 = mean CSI (0–100) of the period's responses × 10;
E2 = % promoters − % detractors among the period's responses with a recommendation answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta

from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from repairs.models import RepairOrder
from surveys.choices import Dimension, InvitationStatus, NpsCategory
from surveys.models import Questionnaire, SurveyAnswer, SurveyInvitation, SurveyResponse


def _bounds(start, end) -> tuple[datetime, datetime]:
    low = start if isinstance(start, datetime) else timezone.make_aware(datetime.combine(start, time.min))
    if isinstance(end, datetime):
        high = end
    else:
        high = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min))
    return low, high


def _responses(dealer_ids: Iterable[int] | None, start, end) -> QuerySet[SurveyResponse]:
    low, high = _bounds(start, end)
    qs = SurveyResponse.objects.filter(submitted_at__gte=low, submitted_at__lt=high)
    if dealer_ids is not None:
        qs = qs.filter(dealer_id__in=list(dealer_ids))
    return qs


def _round(value, digits=1):
    return None if value is None else round(float(value), digits)


def advisor_scores(dealer_ids, start, end) -> dict[int, dict]:
    """Per service advisor (the repair order's ``advisor``): responses in the period and their mean CSI (0–100)."""
    rows = (
        _responses(dealer_ids, start, end)
        .order_by()
        .values("repair_order__advisor_id")
        .annotate(responses=Count("id"), score=Avg("csi_score"))
    )
    return {
        row["repair_order__advisor_id"]: {"responses": row["responses"], "score": _round(row["score"], 2)}
        for row in rows
    }


def _nps(promoters: int, detractors: int, n: int) -> float | None:
    return round(100 * (promoters - detractors) / n, 1) if n else None


def dealer_results(dealer_ids, start, end) -> dict[int, dict]:
    """Per dealer for the period: delivered visits, responses, response rate, CSI, NPS and dimension means."""
    low, high = _bounds(start, end)
    delivered = RepairOrder.objects.filter(delivered_at__gte=low, delivered_at__lt=high)
    if dealer_ids is not None:
        delivered = delivered.filter(dealer_id__in=list(dealer_ids))
    answered = SurveyResponse.objects.filter(repair_order=OuterRef("pk"))
    invited = SurveyInvitation.objects.filter(repair_order=OuterRef("pk"))
    results: dict[int, dict] = {}
    for row in (
        delivered.order_by()
        .values("dealer_id")
        .annotate(
            delivered=Count("id"),
            answered=Count("id", filter=Q(Exists(answered))),
            invited=Count("id", filter=Q(Exists(invited))),
        )
    ):
        results[row["dealer_id"]] = _empty(row["dealer_id"]) | {
            "delivered": row["delivered"], "answered": row["answered"], "invited": row["invited"],
            "response_rate": round(100 * row["answered"] / row["delivered"], 1) if row["delivered"] else None,
        }  # fmt: skip
    responses = _responses(dealer_ids, start, end).order_by()
    for row in responses.values("dealer_id").annotate(
        responses=Count("id"),
        csi=Avg("csi_score"),
        csi_n=Count("csi_score"),
        nps_n=Count("nps_score"),
        promoters=Count("id", filter=Q(nps_category=NpsCategory.PROMOTER)),
        passives=Count("id", filter=Q(nps_category=NpsCategory.PASSIVE)),
        detractors=Count("id", filter=Q(nps_category=NpsCategory.DETRACTOR)),
        low=Count("id", filter=Q(low_score=True)),
        phone=Count("id", filter=Q(channel="phone")),
    ):
        entry = results.setdefault(row["dealer_id"], _empty(row["dealer_id"]))
        entry.update(
            responses=row["responses"], csi=_round(row["csi"], 1), csi_n=row["csi_n"],
            csi_1000=_round(row["csi"] * 10, 0) if row["csi"] is not None else None, nps_n=row["nps_n"],
            promoters=row["promoters"], passives=row["passives"], detractors=row["detractors"],
            nps=_nps(row["promoters"], row["detractors"], row["nps_n"]), low=row["low"], phone=row["phone"],
        )  # fmt: skip
    answers = SurveyAnswer.objects.filter(response__in=responses.values("pk"), score__isnull=False).exclude(
        dimension=""
    )
    for row in answers.order_by().values("response__dealer_id", "dimension").annotate(mean=Avg("score"), n=Count("id")):
        entry = results.setdefault(row["response__dealer_id"], _empty(row["response__dealer_id"]))
        entry["dimensions"][row["dimension"]] = {"mean": _round(row["mean"], 1), "n": row["n"]}
    return results


def _empty(dealer_id: int) -> dict:
    return {
        "dealer_id": dealer_id, "delivered": 0, "answered": 0, "invited": 0, "response_rate": None, "responses": 0,
        "csi": None, "csi_n": 0, "csi_1000": None, "nps": None, "nps_n": 0, "promoters": 0, "passives": 0,
        "detractors": 0, "low": 0, "phone": 0, "dimensions": {},
    }  # fmt: skip


def kpi_inputs(dealer_ids, start, end) -> dict[int, dict[str, dict]]:
    """C1, C2, E1, E2 per dealer for the period: {"C1": {"value": 0–100 | None, "n": answers}, …}.

    E1 is on the 1000-point scale (mean CSI × 10), E2 in NPS points (−100 … 100).
    """
    out = {}
    for dealer_id, r in dealer_results(dealer_ids, start, end).items():
        attitude = r["dimensions"].get(Dimension.ATTITUDE, {})
        competence = r["dimensions"].get(Dimension.COMPETENCE, {})
        out[dealer_id] = {
            "C1": {"value": attitude.get("mean"), "n": attitude.get("n", 0)},
            "C2": {"value": competence.get("mean"), "n": competence.get("n", 0)},
            "E1": {"value": r["csi_1000"], "n": r["csi_n"]},
            "E2": {"value": r["nps"], "n": r["nps_n"]},
        }
    return out


def totals(results: dict[int, dict]) -> dict:
    """The figures of several dealers together (the weighted means of the per-dealer rows)."""
    rows = list(results.values())
    total = _empty(0)
    for key in ("delivered", "answered", "invited", "responses", "csi_n", "nps_n", "promoters", "passives",
                "detractors", "low", "phone"):  # fmt: skip
        total[key] = sum(r[key] for r in rows)
    total["response_rate"] = round(100 * total["answered"] / total["delivered"], 1) if total["delivered"] else None
    csi_weight = sum(r["csi_n"] for r in rows if r["csi"] is not None)
    if csi_weight:
        total["csi"] = round(sum(r["csi"] * r["csi_n"] for r in rows if r["csi"] is not None) / csi_weight, 1)
        total["csi_1000"] = round(total["csi"] * 10)
    total["nps"] = _nps(total["promoters"], total["detractors"], total["nps_n"])
    dims: dict[str, list] = {}
    for r in rows:
        for d, v in r["dimensions"].items():
            dims.setdefault(d, []).append(v)
    total["dimensions"] = {
        d: {
            "mean": round(sum(v["mean"] * v["n"] for v in vs) / sum(v["n"] for v in vs), 1),
            "n": sum(v["n"] for v in vs),
        }
        for d, vs in dims.items()
    }
    return total


# --- lists of the pages and the API -----------------------------------------------------------------------------


def response_list(*, user: User, filters: dict | None = None) -> QuerySet[SurveyResponse]:
    """Responses of the user's dealers, newest first; by dealer, period, channel, low score, advisor."""
    filters = filters or {}
    qs = SurveyResponse.objects.for_user(user).select_related(
        "dealer", "repair_order__advisor", "customer", "vehicle", "questionnaire", "taken_by", "follow_up_task"
    )
    if filters.get("dealer"):
        qs = qs.filter(dealer_id=filters["dealer"])
    if filters.get("start") and filters.get("end"):
        low, high = _bounds(filters["start"], filters["end"])
        qs = qs.filter(submitted_at__gte=low, submitted_at__lt=high)
    if filters.get("channel"):
        qs = qs.filter(channel=filters["channel"])
    if filters.get("low"):
        qs = qs.filter(low_score=True)
    if filters.get("advisor"):
        qs = qs.filter(repair_order__advisor_id=filters["advisor"])
    return qs.order_by("-submitted_at", "-id")


def invitation_list(*, user: User, filters: dict | None = None) -> QuerySet[SurveyInvitation]:
    """Invitations of the user's dealers, newest first; by dealer, status (incl. expired) or RO number / plate."""
    filters = filters or {}
    now = timezone.now()
    qs = SurveyInvitation.objects.for_user(user).select_related(
        "dealer", "repair_order__vehicle", "customer", "questionnaire", "created_by"
    )
    if filters.get("dealer"):
        qs = qs.filter(dealer_id=filters["dealer"])
    status = filters.get("status")
    if status == "expired":
        qs = qs.filter(status=InvitationStatus.SENT, expires_at__lte=now)
    elif status == InvitationStatus.SENT:
        qs = qs.filter(status=InvitationStatus.SENT, expires_at__gt=now)
    elif status in InvitationStatus.values:
        qs = qs.filter(status=status)
    q = (filters.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(repair_order__number__startswith=q.upper()) | Q(repair_order__vehicle__plate__icontains=q))
    return qs.order_by("-created_at", "-id")


def questionnaire_list(*, user: User) -> QuerySet[Questionnaire]:
    return (
        Questionnaire.objects.for_user(user)
        .select_related("dealer", "previous")
        .annotate(question_count=Count("questions", distinct=True), response_count=Count("responses", distinct=True))
        .order_by("code", "dealer__code", "-version")
    )
