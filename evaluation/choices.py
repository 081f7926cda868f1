"""Enumerations of the evaluation domain (indicator systems and audits), with translatable labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IndicatorDirection(models.TextChoices):
    """Whether a larger or a smaller measured value is better."""

    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class DimensionSource(models.TextChoices):
    """Where a dimension's values come from."""

    MEASURED = "measured", _("Measured from operational records")
    AUDITED = "audited", _("Assessed by an audit (体系审核)")


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
    ARITHMETIC = "arithmetic", _("Arithmetic mean (和积法)")
    GEOMETRIC = "geometric", _("Geometric mean (方根法)")


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
