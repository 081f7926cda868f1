"""Enumerations of the evaluation domain (indicator systems and audits), with translatable labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class IndicatorDirection(models.TextChoices):
    """Whether a larger or a smaller measured value is better."""

    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class IndicatorUnit(models.TextChoices):
    """The unit an indicator is measured in (a code of evaluation.selectors.measures), in the reader's language."""

    PERCENT = "%", pgettext_lazy("unit", "%")
    MINUTES = "min", pgettext_lazy("unit", "min")
    HOURS = "h", pgettext_lazy("unit", "h")
    SCORE = "score", pgettext_lazy("unit", "points (0–100)")
    CSI_POINTS = "points (0–1000)", pgettext_lazy("unit", "points (0–1000)")
    NPS = "NPS", pgettext_lazy("unit", "NPS")


class Grade(models.TextChoices):
    """The grade of a score (stored as the Chinese term the standards use), shown in the reader's language."""

    EXCELLENT = "优", pgettext_lazy("grade", "Excellent")
    GOOD = "良", pgettext_lazy("grade", "Good")
    FAIR = "中", pgettext_lazy("grade", "Fair")
    POOR = "差", pgettext_lazy("grade", "Poor")


class DimensionSource(models.TextChoices):
    """Where a dimension's values come from."""

    MEASURED = "measured", _("Measured from operational records")
    AUDITED = "audited", _("Assessed by an audit")


class SystemVersionStatus(models.TextChoices):
    """Life of an indicator-system version: one draft at a time, one current published version."""

    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published (current)")
    SUPERSEDED = "superseded", _("Superseded")

    @classmethod
    def colour(cls, value: str) -> str:
        return {cls.DRAFT: "warn", cls.PUBLISHED: "ok", cls.SUPERSEDED: "muted"}.get(value, "")


class AhpMethod(models.TextChoices):
    """How weights are derived from a pairwise comparison matrix (see evaluation.maths.ahp)."""

    EIGENVECTOR = "eigenvector", _("Principal eigenvector")
    ARITHMETIC = "arithmetic", _("Arithmetic mean")
    GEOMETRIC = "geometric", _("Geometric mean")


class WeightingMode(models.TextChoices):
    """Which weights an evaluation uses: subjective (AHP), objective (entropy) or a combination."""

    AHP = "ahp", _("AHP (subjective)")
    ENTROPY = "entropy", _("Entropy (objective)")
    LINEAR = "linear", _("Combined: α·AHP + (1 − α)·entropy")
    MULTIPLICATIVE = "multiplicative", _("Combined: multiplicative (AHP × entropy, normalised)")


class AuditKind(models.TextChoices):
    """A dealer's own self-audit or the OEM's official audit (only the official one counts first for G)."""

    SELF = "self", _("Self-audit")
    OFFICIAL = "official", _("Official audit")


class AuditStatus(models.TextChoices):
    """draft → submitted → (optionally) confirmed."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    CONFIRMED = "confirmed", _("Confirmed")

    @classmethod
    def colour(cls, value: str) -> str:
        return {cls.DRAFT: "warn", cls.SUBMITTED: "info", cls.CONFIRMED: "ok"}.get(value, "")


class AdjustmentKind(models.TextChoices):
    """A special deduction (−1 each) or the one special bonus (+1) of an audit."""

    DEDUCTION = "deduction", _("Special deduction (−1)")
    BONUS = "bonus", _("Special bonus (+1)")


#: Saaty's 1–9 scale as offered in the matrix editor, as exact fractions (value, label).
SAATY_SCALE: tuple[tuple[str, str], ...] = (
    *((f"1/{k}", f"1/{k}") for k in range(9, 1, -1)),
    *((str(k), str(k)) for k in range(1, 10)),
)


class AlertKind(models.TextChoices):
    """What a quality alert is about: one indicator of a dealer (with its reasons), or a complaint cluster."""

    INDICATOR = "indicator", _("Indicator")
    COMPLAINT_CLUSTER = "complaint_cluster", _("Complaint cluster")


class AlertReasonKind(models.TextChoices):
    """Why an indicator alert is raised; one alert holds each reason found for its indicator at most once."""

    BELOW_FLOOR = "below_floor", _("Below its floor")
    DROP = "drop", _("Score dropped")


class AlertActionFilter(models.TextChoices):
    """The alert list's filter on the improvement action."""

    NONE = "none", _("No action")
    LATE = "late", _("No action past the escalation period")
    ACTIVE = "active", _("Action in progress")
    OVERDUE = "overdue", _("Action past its due date")


class AlertStatus(models.TextChoices):
    """open → action_planned → closed (the action proved effective), or dismissed with a reason."""

    OPEN = "open", pgettext_lazy("alert", "Open")
    ACTION_PLANNED = "action_planned", _("Action planned")
    CLOSED = "closed", _("Closed")
    DISMISSED = "dismissed", _("Dismissed")

    @classmethod
    def colour(cls, value: str) -> str:
        return {cls.OPEN: "bad", cls.ACTION_PLANNED: "warn", cls.CLOSED: "ok", cls.DISMISSED: "grey"}.get(value, "")


class ActionStatus(models.TextChoices):
    """PDCA of an improvement action: planned → in progress → checking → effective / not effective."""

    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    CHECKING = "checking", _("Waiting for the check")
    EFFECTIVE = "effective", _("Effective")
    NOT_EFFECTIVE = "not_effective", _("Not effective")

    @classmethod
    def colour(cls, value: str) -> str:
        return {cls.PLANNED: "blue", cls.IN_PROGRESS: "warn", cls.CHECKING: "warn", cls.EFFECTIVE: "ok",
                cls.NOT_EFFECTIVE: "bad"}.get(value, "")  # fmt: skip

    @classmethod
    def active(cls) -> tuple[str, ...]:
        """Statuses of an action not yet checked (the alert has at most one such action)."""
        return (cls.PLANNED, cls.IN_PROGRESS, cls.CHECKING)
