"""Survey answer checking and scoring: plain Python, no Django, so it can be read and tested alone.

Formulas (what the reports and the KPIs C1, C2, E1, E2 are built on)
--------------------------------------------------------------------
* **Item score** (0–100) of an answered scored question, a linear map of the scale:
  ``likert5``: (v − 1) / 4 × 100 (1 → 0, 3 → 50, 5 → 100); ``likert10``: (v − 1) / 9 × 100;
  ``nps``: v × 10; ``single``: the chosen option's ``score`` when the option has one.
  ``multi`` and ``text`` answers are not scored.
* **Factor score** of a CSI factor: the mean of its answered scored items weighted by the
  question weights, Σ wᵢ·sᵢ / Σ wᵢ.
* **CSI** (0–100) of a response: the factor scores weighted by the questionnaire's factor weights,
  Σ W_f·F_f / Σ W_f, over the factors that have at least one answered item (a skipped factor's
  weight is spread over the others). The KPI E1 is the mean CSI of the period × 10 (1000 points).
* **Dimension mean** of a response: the plain mean of its item scores tagged with that dimension.
  The KPIs C1 (attitude) and C2 (competence) are the mean of all item scores of the period tagged
  with the dimension (every answered item counts once).
* **NPS category** from the first ``nps`` question: 9–10 promoter, 7–8 passive, 0–6 detractor.
  E2 = % promoters − % detractors.
* **Low score** (opens a call-back task): any ``likert5`` ≤ 2, ``likert10`` ≤ 4, ``nps`` ≤ 6, or a
  chosen option marked ``"low": true``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

SCALES = {"likert5": (1, 5), "likert10": (1, 10), "nps": (0, 10)}
LOW_AT_MOST = {"likert5": 2, "likert10": 4, "nps": 6}
SCORED_KINDS = frozenset({"likert5", "likert10", "nps", "single"})
MAX_TEXT = 2000


@dataclass(frozen=True)
class QuestionSpec:
    """What scoring needs to know about one question."""

    code: str
    kind: str
    required: bool = True
    options: Sequence[Mapping] = ()
    dimension: str = ""
    csi_factor: str = ""
    weight: float = 1.0

    def option_values(self) -> list[str]:
        return [str(o["value"]) for o in self.options]

    def option(self, value: str) -> Mapping | None:
        return next((o for o in self.options if str(o["value"]) == value), None)


@dataclass(frozen=True)
class AnswerError:
    """Why an answer was refused: required, not_a_number, out_of_range, unknown_option, not_text or too_long."""

    code: str
    low: int | None = None
    high: int | None = None


@dataclass
class ScoredAnswer:
    """One checked answer: the raw value in the column that fits its kind, and its 0–100 score."""

    code: str
    number: int | None = None
    text: str = ""
    choices: list[str] = field(default_factory=list)
    score: float | None = None
    low: bool = False


@dataclass
class ResponseScore:
    """Everything stored on a response at submission."""

    answers: list[ScoredAnswer]
    csi: float | None
    factor_scores: dict[str, float]
    dimension_scores: dict[str, float]
    nps: int | None
    nps_category: str
    low_items: list[str]

    @property
    def low(self) -> bool:
        return bool(self.low_items)


def _blank(value) -> bool:
    return (
        value is None
        or (isinstance(value, str) and not value.strip())
        or (isinstance(value, (list, tuple)) and not value)
    )


def check_answers(questions: Sequence[QuestionSpec], raw: Mapping) -> tuple[list[ScoredAnswer], dict[str, AnswerError]]:
    """Check the raw answers (question code -> value) against the questions; unknown codes are ignored.

    Returns the answers that were given (blank optional ones are left out) and the errors by code.
    """
    answers, errors = [], {}
    for q in questions:
        value = raw.get(q.code)
        if _blank(value):
            if q.required:
                errors[q.code] = AnswerError("required")
            continue
        if q.kind in SCALES:
            low, high = SCALES[q.kind]
            try:
                number = int(str(value).strip()) if not isinstance(value, bool) else None
            except ValueError:
                number = None
            if number is None:
                errors[q.code] = AnswerError("not_a_number")
            elif not low <= number <= high:
                errors[q.code] = AnswerError("out_of_range", low, high)
            else:
                answers.append(ScoredAnswer(q.code, number=number))
        elif q.kind == "single":
            choice = str(value[0] if isinstance(value, (list, tuple)) and len(value) == 1 else value)
            if choice not in q.option_values():
                errors[q.code] = AnswerError("unknown_option")
            else:
                answers.append(ScoredAnswer(q.code, choices=[choice]))
        elif q.kind == "multi":
            chosen = [str(v) for v in (value if isinstance(value, (list, tuple)) else [value])]
            if any(c not in q.option_values() for c in chosen):
                errors[q.code] = AnswerError("unknown_option")
            else:
                answers.append(ScoredAnswer(q.code, choices=sorted(set(chosen), key=q.option_values().index)))
        else:
            text = value.strip() if isinstance(value, str) else None
            if text is None:
                errors[q.code] = AnswerError("not_text")
            elif len(text) > MAX_TEXT:
                errors[q.code] = AnswerError("too_long", high=MAX_TEXT)
            else:
                answers.append(ScoredAnswer(q.code, text=text))
    return answers, errors


def item_score(question: QuestionSpec, answer: ScoredAnswer) -> float | None:
    """The 0–100 score of one answer (None when the kind or the option carries no score)."""
    if question.kind in SCALES and answer.number is not None:
        low, high = SCALES[question.kind]
        return (answer.number - low) / (high - low) * 100
    if question.kind == "single" and answer.choices:
        option = question.option(answer.choices[0]) or {}
        return float(option["score"]) if option.get("score") is not None else None
    return None


def is_low(question: QuestionSpec, answer: ScoredAnswer) -> bool:
    if question.kind in LOW_AT_MOST and answer.number is not None:
        return answer.number <= LOW_AT_MOST[question.kind]
    if question.kind in ("single", "multi"):
        return any((question.option(c) or {}).get("low") for c in answer.choices)
    return False


def nps_category(value: int | None) -> str:
    if value is None:
        return ""
    return "promoter" if value >= 9 else "passive" if value >= 7 else "detractor"


def score_response(
    questions: Sequence[QuestionSpec], answers: Sequence[ScoredAnswer], factor_weights: Mapping[str, float]
) -> ResponseScore:
    """Score checked answers: item scores, low flags, factor scores, CSI, dimension means and NPS."""
    by_code = {q.code: q for q in questions}
    factor_sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    dimension_items: dict[str, list[float]] = defaultdict(list)
    nps = None
    low_items = []
    for answer in answers:
        question = by_code[answer.code]
        answer.score = item_score(question, answer)
        answer.low = is_low(question, answer)
        if answer.low:
            low_items.append(answer.code)
        if question.kind == "nps" and nps is None:
            nps = answer.number
        if answer.score is None:
            continue
        if question.dimension:
            dimension_items[question.dimension].append(answer.score)
        if question.csi_factor and question.weight > 0:
            sums = factor_sums[question.csi_factor]
            sums[0] += question.weight * answer.score
            sums[1] += question.weight
    factor_scores = {f: total / weight for f, (total, weight) in factor_sums.items() if weight > 0}
    weighted = [(float(factor_weights.get(f, 0)), s) for f, s in factor_scores.items()]
    weight_total = sum(w for w, _ in weighted if w > 0)
    csi = sum(w * s for w, s in weighted if w > 0) / weight_total if weight_total > 0 else None
    return ResponseScore(
        answers=list(answers),
        csi=csi,
        factor_scores=factor_scores,
        dimension_scores={d: sum(v) / len(v) for d, v in dimension_items.items()},
        nps=nps,
        nps_category=nps_category(nps),
        low_items=low_items,
    )
