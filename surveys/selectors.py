"""Reads of satisfaction surveys: lists scoped to the user's dealers and the results as grouped SQL.

Periods: a ``date`` is a whole local day (``end`` included); a ``datetime`` is an instant (``end``
excluded). Responses count in the period they were answered in; the response rate is measured on
the visits delivered in the period (share of them answered, by link or by phone, whenever).

The indicators C1, C2, E1 and E2 (and every dimension mean) are surveys.kpis' rules; the results here show
those figures, the same the measurements and the evaluation compute.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from accounts.models import User
from core.dates import span
from core.indicators import BALANCE, MEAN, Measure, Rate, combined
from repairs.models import RepairOrder
from surveys import kpis
from surveys.choices import Dimension
from surveys.models import Question, Questionnaire, SurveyInvitation, SurveyResponse


def _responses(dealer_ids: Iterable[int] | None, start, end) -> QuerySet[SurveyResponse]:
    low, high = span(start, end)
    qs = SurveyResponse.objects.filter(submitted_at__gte=low, submitted_at__lt=high)
    if dealer_ids is not None:
        qs = qs.filter(dealer_id__in=list(dealer_ids))
    return qs


def _round(value, digits=1):
    return None if value is None else round(float(value), digits)


def advisor_scores(dealer_ids, start, end) -> dict[int, dict]:
    """Per service advisor (the repair order's ``advisor``): the mean CSI (0–100) of the period's responses and
    the responses it stands on (E1's rule, surveys.kpis.csi_per: responses with a CSI)."""
    low, high = span(start, end)
    figures = kpis.csi_per("repair_order__advisor_id", list(dealer_ids), low, high)
    return {advisor: {"responses": m.n, "score": _round(m.value, 2)} for advisor, m in figures.items()}


def dealer_results(dealer_ids, start, end) -> dict[int, dict]:
    """Per dealer for the period: delivered visits, responses, response rate, CSI, NPS and dimension means.

    CSI (E1), NPS (E2) and the dimension means (C1, C2 …) are surveys.kpis' figures: ``kpis`` (by indicator code)
    and ``dimension_figures`` hold them as ``Measure`` objects, the other keys show them rounded as the page does.
    """
    low, high = span(start, end)
    dealer_ids = list(dealer_ids)
    delivered = RepairOrder.objects.filter(dealer_id__in=dealer_ids, delivered_at__gte=low, delivered_at__lt=high)
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
        }  # fmt: skip
    figures = kpis.response_figures(
        dealer_ids, low, high, responses=Count("id"), low=Count("id", filter=Q(low_score=True)),
        phone=Count("id", filter=Q(channel="phone")),
    )  # fmt: skip
    dimensions = kpis.dimension_means(dealer_ids, low, high)
    for dealer_id, row in figures.items():
        if not row["responses"] and dealer_id not in results:
            continue
        entry = results.setdefault(dealer_id, _empty(dealer_id))
        entry.update({key: row[key] for key in ("responses", "promoters", "passives", "detractors", "low", "phone")})
        _present(entry, row["E1"], row["E2"], dimensions[dealer_id])
    for entry in results.values():
        entry["response_rate"] = Rate(entry["answered"], entry["delivered"]).rounded_percent(1)
    return results


def _present(entry: dict, csi: Measure, nps: Measure, dimensions: dict[str, Measure]) -> None:
    """Fill a results row from the KPI figures: the Measures under ``kpis``, their rounded values beside."""
    entry["kpis"] = {
        kpis.E1.code: csi, kpis.E2.code: nps,
        kpis.C1.code: dimensions.get(Dimension.ATTITUDE) or Measure.no_data(csi.dealer_id, MEAN),
        kpis.C2.code: dimensions.get(Dimension.COMPETENCE) or Measure.no_data(csi.dealer_id, MEAN),
    }  # fmt: skip
    entry.update(
        csi=_round(csi.value / kpis.CSI_SCALE if csi.n else None, 1), csi_n=csi.n,
        csi_1000=round(csi.value) if csi.n else None, nps=_round(nps.value, 1), nps_n=nps.n,
        dimensions={d: {"mean": _round(m.value, 1), "n": m.n} for d, m in dimensions.items() if m.n},
        dimension_figures={d: m for d, m in dimensions.items() if m.n},
    )  # fmt: skip


def _empty(dealer_id: int | None) -> dict:
    return {
        "dealer_id": dealer_id, "delivered": 0, "answered": 0, "invited": 0, "response_rate": None, "responses": 0,
        "csi": None, "csi_n": 0, "csi_1000": None, "nps": None, "nps_n": 0, "promoters": 0, "passives": 0,
        "detractors": 0, "low": 0, "phone": 0, "dimensions": {}, "dimension_figures": {}, "kpis": {},
    }  # fmt: skip


def totals(results: dict[int, dict]) -> dict:
    """The figures of several dealers together, from the same counts as the per-dealer rows (Σ numerators over
    Σ denominators, core.indicators.combined), never an average of their rounded figures."""
    rows = list(results.values())
    total = _empty(None)
    for key in ("delivered", "answered", "invited", "responses", "promoters", "passives", "detractors", "low",
                "phone"):  # fmt: skip
        total[key] = sum(r[key] for r in rows)
    total["response_rate"] = Rate(total["answered"], total["delivered"]).rounded_percent(1)
    by_dimension: dict[str, list[Measure]] = {}
    for r in rows:
        for dimension, figure in r["dimension_figures"].items():
            by_dimension.setdefault(dimension, []).append(figure)
    _present(
        total,
        combined((r["kpis"][kpis.E1.code] for r in rows if r["kpis"]), MEAN),
        combined((r["kpis"][kpis.E2.code] for r in rows if r["kpis"]), BALANCE),
        {dimension: combined(figures, MEAN) for dimension, figures in by_dimension.items()},
    )
    return total


# --- lists of the pages and the API -----------------------------------------------------------------------------


def response_list(*, user: User) -> QuerySet[SurveyResponse]:
    """Responses of the user's dealers, newest first (surveys.filtersets.SurveyResponseFilterSet filters them)."""
    return (
        SurveyResponse.objects.for_user(user)
        .select_related(
            "dealer", "repair_order__advisor", "customer", "vehicle", "questionnaire", "taken_by", "follow_up_task"
        )
        .order_by("-submitted_at", "-id")
    )


def invitation_list(*, user: User) -> QuerySet[SurveyInvitation]:
    """Invitations of the user's dealers, newest first (surveys.filtersets.SurveyInvitationFilterSet filters them)."""
    return (
        SurveyInvitation.objects.for_user(user)
        .select_related("dealer", "repair_order__vehicle", "customer", "questionnaire", "created_by")
        .order_by("-created_at", "-id")
    )


def questionnaire_list(*, user: User) -> QuerySet[Questionnaire]:
    return (
        Questionnaire.objects.for_user(user)
        .select_related("dealer", "previous")
        .annotate(question_count=Count("questions", distinct=True), response_count=Count("responses", distinct=True))
        .order_by("code", "dealer__code", "-version")
    )


def with_low_score_texts(responses: Iterable[SurveyResponse]) -> list[SurveyResponse]:
    """The responses, each with ``low_score_texts``: the text (in the reader's language) of every question it
    scored low, instead of the questions' codes (one query for all of them)."""
    responses = list(responses)
    wanted = {(response.questionnaire_id, code) for response in responses for code in response.low_score_items}
    texts = {}
    if wanted:
        questions = Question.objects.filter(
            questionnaire_id__in={questionnaire for questionnaire, _code in wanted},
            code__in={code for _questionnaire, code in wanted},
        )
        texts = {(question.questionnaire_id, question.code): question.text for question in questions}
    for response in responses:
        response.low_score_texts = [
            texts.get((response.questionnaire_id, code), code) for code in response.low_score_items
        ]
    return responses
