"""The satisfaction surveys' indicator rules: C1 attitude, C2 competence, E1 CSI and E2 NPS.

Responses count in the period they were answered in (``submitted_at`` in ``[start, end)``, and by ``as_of``,
default now: a response answered after ``as_of`` is not there yet; a phone survey keyed in later with an earlier
answer time does count in a later re-run — the run's grace period is there for that):

* C1 / C2 — mean of the answered item scores (0–100) tagged ``attitude`` / ``competence``; more generally a
  dimension's mean is the mean of the answered items tagged with it (``dimension_answers``);
* E1 — mean CSI (0–100) of the responses with a CSI, × 10 (the 1000-point scale);
* E2 — promoters − detractors over the responses with a recommendation answer (0–10), in NPS points; a response
  without one is left out (it is neither promoter, passive nor detractor).

Each rule is a records function ``(dealer_ids, start, end, as_of=None) -> QuerySet`` (annotated with
``in_numerator`` and ``kpi_value``) and a grouped measure ``-> {dealer_id: Measure}`` (core.indicators). The survey
results page, the measurements and the evaluation runs' fuzzy memberships all stand on these records.
"""

from __future__ import annotations

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.utils.translation import gettext_lazy as _

from core.indicators import (
    BALANCE,
    CSI_POINTS,
    MEAN,
    NO_FLAG,
    NPS,
    SCORE,
    Indicator,
    Measure,
    balance,
    flag,
    ids,
    mean,
    means_by,
    stamped_in,
)
from surveys.choices import Dimension, NpsCategory
from surveys.models import SurveyAnswer, SurveyResponse

C1 = Indicator("C1", _("Attitude satisfaction"), SCORE, MEAN)
C2 = Indicator("C2", _("Competence satisfaction"), SCORE, MEAN)
E1 = Indicator("E1", _("CSI"), CSI_POINTS, MEAN)
E2 = Indicator("E2", _("NPS"), NPS, BALANCE)

CSI_SCALE = 10.0  # CSI 0–100 → the 1000-point scale of E1


def answered(dealer_ids, start, end, as_of=None) -> QuerySet[SurveyResponse]:
    """The survey responses answered in ``[start, end)`` and by ``as_of``."""
    return SurveyResponse.objects.filter(stamped_in("submitted_at", start, end, as_of), dealer_id__in=ids(dealer_ids))


# --- C1, C2 and the other dimensions ----------------------------------------------------------------------------


def dimension_answers(dealer_ids, start, end, dimension: str | None = None, as_of=None) -> QuerySet[SurveyAnswer]:
    """The scored answers of the period's responses tagged with ``dimension`` (None: with any dimension), each
    with ``kpi_value`` = its score (0–100)."""
    answers = SurveyAnswer.objects.filter(
        stamped_in("response__submitted_at", start, end, as_of),
        response__dealer_id__in=ids(dealer_ids),
        score__isnull=False,
    )
    answers = answers.filter(dimension=dimension) if dimension else answers.exclude(dimension="")
    return answers.annotate(kpi_value=F("score"), in_numerator=NO_FLAG)


def attitude_records(dealer_ids, start, end, as_of=None) -> QuerySet[SurveyAnswer]:
    """C1: the scored answers tagged attitude."""
    return dimension_answers(dealer_ids, start, end, Dimension.ATTITUDE, as_of)


def attitude(dealer_ids, start, end, as_of=None) -> dict[int, Measure]:
    """C1: mean of the answered items tagged attitude (0–100)."""
    return _one_dimension(dealer_ids, start, end, Dimension.ATTITUDE, as_of)


def competence_records(dealer_ids, start, end, as_of=None) -> QuerySet[SurveyAnswer]:
    """C2: the scored answers tagged competence."""
    return dimension_answers(dealer_ids, start, end, Dimension.COMPETENCE, as_of)


def competence(dealer_ids, start, end, as_of=None) -> dict[int, Measure]:
    """C2: mean of the answered items tagged competence (0–100)."""
    return _one_dimension(dealer_ids, start, end, Dimension.COMPETENCE, as_of)


def dimension_means(dealer_ids, start, end, dimension: str | None = None, as_of=None) -> dict[int, dict[str, Measure]]:
    """{dealer_id: {dimension: Measure}}: each dimension's mean (or only ``dimension``'s) in one grouped query."""
    rows = (
        dimension_answers(dealer_ids, start, end, dimension, as_of)
        .order_by()
        .values("response__dealer_id", "dimension")
        .annotate(total=Sum("kpi_value"), n=Count("pk"))
    )
    found: dict[int, dict[str, Measure]] = {d: {} for d in ids(dealer_ids)}
    for row in rows:
        dealer_id = row["response__dealer_id"]
        found[dealer_id][row["dimension"]] = mean(dealer_id, row["total"], row["n"])
    return found


def _one_dimension(dealer_ids, start, end, dimension: str, as_of=None) -> dict[int, Measure]:
    found = dimension_means(dealer_ids, start, end, dimension, as_of)
    return {d: found[d].get(dimension) or Measure.no_data(d, MEAN) for d in found}


# --- E1 CSI and E2 NPS -----------------------------------------------------------------------------------------

HAS_CSI = Q(csi_score__isnull=False)
HAS_RECOMMENDATION = Q(nps_score__isnull=False)
PROMOTER = Q(nps_category=NpsCategory.PROMOTER)
PASSIVE = Q(nps_category=NpsCategory.PASSIVE)
DETRACTOR = Q(nps_category=NpsCategory.DETRACTOR)


def csi_records(dealer_ids, start, end, as_of=None) -> QuerySet[SurveyResponse]:
    """E1: the period's responses with a CSI, each with ``kpi_value`` = its CSI (0–100)."""
    return (
        answered(dealer_ids, start, end, as_of).filter(HAS_CSI).annotate(kpi_value=F("csi_score"), in_numerator=NO_FLAG)
    )


def nps_records(dealer_ids, start, end, as_of=None) -> QuerySet[SurveyResponse]:
    """E2: the period's responses with a recommendation answer, each with ``kpi_value`` +1 (promoter),
    −1 (detractor) or 0 (passive) and ``in_numerator`` = promoter."""
    contribution = Case(
        When(PROMOTER, then=Value(1)), When(DETRACTOR, then=Value(-1)), default=Value(0), output_field=IntegerField()
    )
    return (
        answered(dealer_ids, start, end, as_of)
        .filter(HAS_RECOMMENDATION)
        .annotate(kpi_value=contribution, in_numerator=flag(PROMOTER))
    )


def response_figures(dealer_ids, start, end, as_of=None, **aggregates) -> dict[int, dict]:
    """E1 and E2 per dealer in one grouped query over the period's responses (the rows of ``csi_records`` and
    ``nps_records``): {dealer_id: {"E1": Measure, "E2": Measure, "promoters": …, "passives": …, "detractors": …}}.

    ``aggregates`` are further figures a page wants from the same responses (e.g. ``low=Count(…)``); they are
    added to each dealer's dict (0 for a dealer without responses).
    """
    found = response_figures_by(("dealer_id",), dealer_ids, start, end, as_of, **aggregates)
    empty = _EMPTY_ROW | dict.fromkeys(aggregates, 0)
    return {d: found.get(d) or _figures(d, empty, aggregates) for d in ids(dealer_ids)}


_EMPTY_ROW = dict.fromkeys(["csi_total", "csi_n", "nps_n", "promoters", "passives", "detractors"], 0)


def _figures(dealer_id, row: dict, aggregates) -> dict:
    return {
        "E1": mean(dealer_id, row["csi_total"], row["csi_n"], CSI_SCALE),
        "E2": balance(dealer_id, row["promoters"] - row["detractors"], row["nps_n"]),
        **{key: row[key] for key in ("promoters", "passives", "detractors", *aggregates)},
    }


def response_figures_by(key_paths, dealer_ids, start, end, as_of=None, **aggregates) -> dict:
    """``response_figures`` per value of ``key_paths`` (e.g. ``("dealer_id", "repair_order__advisor_id")`` for the
    staff scorecard: the service advisor of the surveyed repair order), in one grouped query: {key: figures}, the
    key a tuple when there are several paths (its first value the dealer); keys without responses are absent."""
    keys = {f"group_key_{i}": F(path) for i, path in enumerate(key_paths)}
    rows = (
        answered(dealer_ids, start, end, as_of)
        .order_by()
        .values(**keys)
        .annotate(
            csi_total=Sum("csi_score", filter=HAS_CSI),
            csi_n=Count("pk", filter=HAS_CSI),
            nps_n=Count("pk", filter=HAS_RECOMMENDATION),
            promoters=Count("pk", filter=HAS_RECOMMENDATION & PROMOTER),
            passives=Count("pk", filter=HAS_RECOMMENDATION & PASSIVE),
            detractors=Count("pk", filter=HAS_RECOMMENDATION & DETRACTOR),
            **aggregates,
        )
    )
    out = {}
    for row in rows:
        key = tuple(row[name] for name in keys)
        out[key if len(key) > 1 else key[0]] = _figures(key[0], row, aggregates)
    return out


def csi(dealer_ids, start, end, as_of=None) -> dict[int, Measure]:
    """E1: mean CSI of the period's responses on the 1000-point scale."""
    return {d: figures["E1"] for d, figures in response_figures(dealer_ids, start, end, as_of).items()}


def nps(dealer_ids, start, end, as_of=None) -> dict[int, Measure]:
    """E2: % promoters − % detractors of the responses with a recommendation answer."""
    return {d: figures["E2"] for d, figures in response_figures(dealer_ids, start, end, as_of).items()}


def csi_per(key_path: str, dealer_ids, start, end, as_of=None) -> dict:
    """{key: Measure}: the mean CSI (0–100, E1's responses, before E1's ×10) per value of ``key_path`` — e.g.
    ``repair_order__advisor_id`` for the staff scorecard — in one grouped query; n = the responses with a CSI."""
    return means_by(csi_records(dealer_ids, start, end, as_of), key_path)
