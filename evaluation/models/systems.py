"""Versioned indicator systems: the system, its versions (settings), dimensions, indicators and AHP matrices.

Ownership: an indicator system belongs to an OEM / dealer group (``oem``) or, with ``oem`` empty, it is the
OEM-independent default shipped by migration 0002 from kpi-catalog.md. A dealer is evaluated with the current
(published) version of its OEM's system, or of the default when its OEM has none (``selectors.current_version``).
Published versions are immutable: editing means copying to a new draft, editing it and publishing it.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.tenancy import dealer_ids_for
from evaluation import display
from evaluation.choices import (
    AhpMethod,
    DimensionSource,
    IndicatorDirection,
    IndicatorUnit,
    SystemVersionStatus,
    WeightingMode,
)

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]
GRACE_DAYS_MAX = 60
ENTROPY_WINDOW_MAX = 36
#: Figures over a whole population (every active staff member, every technician who worked, every stocked part,
#: the audit) are complete counts, not samples: a minimum number of records does not apply to them.
POPULATION_CODES = frozenset({"C3", "C4", "F2", "G"})


def enough_data(code: str, n: int | None, minimum: int) -> bool:
    """Whether a figure stands on enough records to enter the entropy weights, the alerts and a rank.

    The one rule (``SystemVersion.min_sample``; a run keeps the minimum it used: ``EvaluationRun.has_enough_data``):
    no data is never enough; a population figure always is; a sampled one needs ``n >= minimum``.
    """
    if not n:
        return False
    return code in POPULATION_CODES or n >= minimum


# --------------------------------------------------------------------------------------------------------------------
# Indicator systems
# --------------------------------------------------------------------------------------------------------------------


class IndicatorSystemQuerySet(models.QuerySet):
    """Systems a user may read (the default and their OEMs') or change (their OEMs'; the default: superuser only)."""

    def for_user(self, user, *, write: bool = False) -> IndicatorSystemQuerySet:
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        from organization.models import Dealer

        ids = dealer_ids_for(user)
        oems = Dealer.objects.filter(pk__in=sorted(ids or ())).values("region__oem_id")
        if write:
            return self.filter(oem_id__in=oems)
        return self.filter(Q(oem__isnull=True) | Q(oem_id__in=oems))


class IndicatorSystem(models.Model):
    """An indicator system (指标体系) of an OEM / dealer group, or the default one (no OEM)."""

    oem = models.OneToOneField(
        "organization.Oem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicator_system",
        verbose_name=_("OEM / dealer group"),
        help_text=_("Empty for the default system every OEM without its own system uses."),
    )
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = IndicatorSystemQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator system")
        verbose_name_plural = _("indicator systems")
        ordering = ["oem__code", "id"]
        permissions = [("publish_indicatorsystem", "Can publish a version of an indicator system")]
        constraints = [
            models.UniqueConstraint(fields=["name"], condition=Q(oem__isnull=True), name="uniq_default_system_name")
        ]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("evaluation:system_detail", args=[self.pk])

    @property
    def display_name(self) -> str:
        """The name as shown: the shipped default's in the reader's language, any other as its owner named it."""
        return display.shipped_system_text(self.name) if self.oem_id is None else self.name

    @property
    def display_description(self) -> str:
        return display.shipped_system_text(self.description) if self.oem_id is None else self.description


class SystemVersion(models.Model):
    """One version of an indicator system with its evaluation settings; immutable once published."""

    system = models.ForeignKey(
        IndicatorSystem, on_delete=models.CASCADE, related_name="versions", verbose_name=_("indicator system")
    )
    number = models.PositiveIntegerField(_("version number"))
    status = models.CharField(
        _("status"), max_length=12, choices=SystemVersionStatus.choices, default=SystemVersionStatus.DRAFT
    )
    note = models.CharField(_("what changed"), max_length=200, blank=True)
    ahp_method = models.CharField(
        _("AHP method"), max_length=12, choices=AhpMethod.choices, default=AhpMethod.EIGENVECTOR
    )
    weighting_mode = models.CharField(
        _("weighting"), max_length=16, choices=WeightingMode.choices, default=WeightingMode.LINEAR
    )
    alpha = models.DecimalField(
        _("α (share of the AHP weights)"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.60"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("Used by the linear combination: w = α·w_AHP + (1 − α)·w_entropy."),
    )
    grade_excellent_min = models.DecimalField(_("Excellent from"), max_digits=5, decimal_places=2,
                                              default=Decimal("90"), validators=PERCENT)  # fmt: skip
    grade_good_min = models.DecimalField(_("Good from"), max_digits=5, decimal_places=2,
                                         default=Decimal("80"), validators=PERCENT)  # fmt: skip
    grade_fair_min = models.DecimalField(_("Fair from"), max_digits=5, decimal_places=2,
                                         default=Decimal("60"), validators=PERCENT)  # fmt: skip
    star_compliant_min = models.DecimalField(_("Compliant from"), max_digits=5, decimal_places=2,
                                             default=Decimal("70"), validators=PERCENT)  # fmt: skip
    star3_min = models.DecimalField(_("★★★ from"), max_digits=5, decimal_places=2,
                                    default=Decimal("80"), validators=PERCENT)  # fmt: skip
    star4_min = models.DecimalField(_("★★★★ from"), max_digits=5, decimal_places=2,
                                    default=Decimal("90"), validators=PERCENT)  # fmt: skip
    star5_min = models.DecimalField(_("★★★★★ from"), max_digits=5, decimal_places=2,
                                    default=Decimal("95"), validators=PERCENT)  # fmt: skip
    fuzzy_excellent_score = models.DecimalField(_("fuzzy score of Excellent"), max_digits=5, decimal_places=2,
                                                default=Decimal("95"), validators=PERCENT)  # fmt: skip
    fuzzy_good_score = models.DecimalField(_("fuzzy score of Good"), max_digits=5, decimal_places=2,
                                           default=Decimal("85"), validators=PERCENT)  # fmt: skip
    fuzzy_fair_score = models.DecimalField(_("fuzzy score of Fair"), max_digits=5, decimal_places=2,
                                           default=Decimal("75"), validators=PERCENT)  # fmt: skip
    fuzzy_poor_score = models.DecimalField(_("fuzzy score of Poor"), max_digits=5, decimal_places=2,
                                           default=Decimal("60"), validators=PERCENT)  # fmt: skip
    alert_escalation_days = models.PositiveSmallIntegerField(
        _("escalate an alert without an action after (days)"), default=7,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_("A quality alert still open without an improvement action goes to the dealer's service "
                    "managers (a to-do) after this many days, and to the region after twice as many."),
    )  # fmt: skip
    # Comparable, reproducible months (one month's entropy over a handful of dealers jumps about; a run on a later
    # day must give the same figures): see evaluation.services.runs.
    grace_days = models.PositiveSmallIntegerField(
        _("grace period (days)"), default=7, validators=[MaxValueValidator(GRACE_DAYS_MAX)],
        help_text=_("A month is evaluated as of its last day plus this many days, so that records entered a little "
                    "late count and a re-run on any later day gives the same figures. A run before that moment is "
                    "provisional."),
    )  # fmt: skip
    entropy_window_months = models.PositiveSmallIntegerField(
        _("entropy window (months)"), default=12,
        validators=[MinValueValidator(1), MaxValueValidator(ENTROPY_WINDOW_MAX)],
        help_text=_("The entropy weights are computed over the dealer-months of this many months ending with the "
                    "evaluated month, so that the overall score stays comparable from month to month (1: the "
                    "evaluated month alone)."),
    )  # fmt: skip
    entropy_min_dealers = models.PositiveSmallIntegerField(
        _("minimum dealers for entropy weights"), default=5, validators=[MinValueValidator(2)],
        help_text=_("With fewer dealers with data in the evaluated scope, the entropy weights are not used: AHP "
                    "weights only, and the run says so."),
    )  # fmt: skip
    min_sample = models.PositiveIntegerField(
        _("minimum records per figure"), default=5,
        help_text=_("A figure standing on fewer records (n) is scored, but enters neither the entropy weights nor "
                    "the quality alerts, and does not count as data for a rank. Figures over a whole population "
                    "(training C3, certified technicians C4, dead stock F2, the audit G) always count. 0: every "
                    "figure with data counts."),
    )  # fmt: skip
    rank_min_weight = models.DecimalField(
        # xgettext:no-python-format
        _("data a rank needs (% of the weight)"), max_digits=5, decimal_places=2, default=Decimal("60"),
        validators=PERCENT,
        help_text=_("A dealer is ranked only when its indicators with enough records carry at least this share of "
                    "the weight; otherwise it keeps its score and the ranking says why it has no rank. 0: every "
                    "dealer with a score is ranked."),
    )  # fmt: skip
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("copied from")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("created by"),
    )  # fmt: skip
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("published by"),
    )  # fmt: skip
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator system version")
        verbose_name_plural = _("indicator system versions")
        ordering = ["system", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["system", "number"], name="uniq_system_version_number"),
            models.UniqueConstraint(
                fields=["system"], condition=Q(status="published"), name="uniq_system_current_version"
            ),
            models.UniqueConstraint(fields=["system"], condition=Q(status="draft"), name="uniq_system_draft"),
        ]

    def __str__(self) -> str:
        return f"{self.system} v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("evaluation:version_detail", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.status == SystemVersionStatus.DRAFT

    @property
    def status_colour(self) -> str:
        return SystemVersionStatus.colour(self.status)

    @property
    def grade_thresholds(self) -> list[tuple[str, float]]:
        """(grade, lower bound) from best to worst; 差 starts at 0."""
        return [("优", float(self.grade_excellent_min)), ("良", float(self.grade_good_min)),
                ("中", float(self.grade_fair_min)), ("差", 0.0)]  # fmt: skip

    @property
    def fuzzy_grade_scores(self) -> tuple[float, ...]:
        """The scores of 优/良/中/差 used by the fuzzy comprehensive evaluation."""
        return tuple(float(v) for v in (self.fuzzy_excellent_score, self.fuzzy_good_score,
                                         self.fuzzy_fair_score, self.fuzzy_poor_score))  # fmt: skip

    def grade_for(self, score: float | None) -> str | None:
        """优/良/中/差 for a 0–100 score (None for no score)."""
        if score is None:
            return None
        return next(grade for grade, low in self.grade_thresholds if score >= low)

    def has_enough_data(self, code: str, n: int | None) -> bool:
        """Whether a figure of this version's indicators stands on enough records (see ``enough_data``)."""
        return enough_data(code, n, self.min_sample)

    def stars_for(self, score: float | None) -> int | None:
        """Stars after GB/T 27922: 5/4/3, 0 = 达标 without stars, −1 = 不达标 (below the compliant threshold)."""
        if score is None:
            return None
        for stars, low in ((5, self.star5_min), (4, self.star4_min), (3, self.star3_min), (0, self.star_compliant_min)):
            if score >= float(low):
                return stars
        return -1


class Dimension(models.Model):
    """A dimension (一级指标) of a system version, e.g. A 响应速度; G is the audited dimension."""

    system_version = models.ForeignKey(
        SystemVersion, on_delete=models.CASCADE, related_name="dimensions", verbose_name=_("version")
    )
    code = models.CharField(_("code"), max_length=10)
    name_zh = models.CharField(_("Chinese name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=100)
    source = models.CharField(
        _("source"), max_length=10, choices=DimensionSource.choices, default=DimensionSource.MEASURED
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dimension")
        verbose_name_plural = _("dimensions")
        ordering = ["system_version", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["system_version", "code"], name="uniq_dimension_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        """The name in the reader's language."""
        return display.in_language(self.name_zh, self.name_en)


class Indicator(models.Model):
    """An indicator (二级指标) with its direction, target and floor; ``code`` is stable across versions.

    Rates are stored in percent (95 = 95 %), as the catalogue writes them; ``unit`` says which.
    """

    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="indicators",
                                  verbose_name=_("dimension"))  # fmt: skip
    code = models.CharField(_("code"), max_length=10, help_text=_("Stable across versions; the measurement is "
                                                                  "looked up by this code."))  # fmt: skip
    name_zh = models.CharField(_("Chinese name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=100)
    direction = models.CharField(_("direction"), max_length=6, choices=IndicatorDirection.choices)
    target = models.DecimalField(_("target"), max_digits=10, decimal_places=2,
                                 help_text=_("Score 100 at or beyond the target."))  # fmt: skip
    floor = models.DecimalField(_("floor"), max_digits=10, decimal_places=2,
                                help_text=_("Score 0 at or beyond the floor."))  # fmt: skip
    unit = models.CharField(_("unit"), max_length=20, choices=IndicatorUnit.choices, blank=True)
    formula_zh = models.TextField(_("how it is computed (Chinese)"), blank=True)
    formula_en = models.TextField(_("how it is computed (English)"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["dimension__position", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["dimension", "code"], name="uniq_indicator_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        """The name in the reader's language."""
        return display.in_language(self.name_zh, self.name_en)

    @property
    def formula(self) -> str:
        """How it is computed, in the reader's language."""
        return display.in_language(self.formula_zh, self.formula_en)

    @property
    def unit_label(self) -> str:
        return display.unit_label(self.unit)

    def score(self, value: float | None) -> float | None:
        """0–100: 100 at or beyond the target, 0 at or beyond the floor, linear between (None for no data)."""
        if value is None:
            return None
        target, floor = float(self.target), float(self.floor)
        if self.direction == IndicatorDirection.HIGHER:
            position = (value - floor) / (target - floor)
        else:
            position = (floor - value) / (floor - target)
        return max(0.0, min(1.0, position)) * 100.0


class PairwiseMatrix(models.Model):
    """An AHP pairwise matrix of a version: of its dimensions (no dimension) or of one dimension's indicators.

    ``elements`` holds the codes in row order; ``matrix`` the full reciprocal matrix (rows of floats). The results
    (weights, λmax, CI, CR) are computed by evaluation.maths.ahp when the matrix is saved and stored with it; a
    matrix with CR ≥ 0.10 (n ≥ 3) is never saved.
    """

    system_version = models.ForeignKey(SystemVersion, on_delete=models.CASCADE, related_name="matrices",
                                       verbose_name=_("version"))  # fmt: skip
    dimension = models.OneToOneField(Dimension, on_delete=models.CASCADE, null=True, blank=True,
                                     related_name="matrix", verbose_name=_("dimension"),
                                     help_text=_("Empty for the matrix comparing the dimensions."))  # fmt: skip
    elements = models.JSONField(_("elements"), default=list)
    matrix = models.JSONField(_("matrix"), default=list)
    method = models.CharField(_("AHP method"), max_length=12, choices=AhpMethod.choices,
                              default=AhpMethod.EIGENVECTOR)  # fmt: skip
    weights = models.JSONField(_("weights"), default=list)
    lambda_max = models.FloatField(_("λmax"), default=0)
    ci = models.FloatField(_("CI"), default=0)
    cr = models.FloatField(_("CR"), default=0)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pairwise comparison matrix")
        verbose_name_plural = _("pairwise comparison matrices")
        ordering = ["system_version", "dimension__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["system_version"], condition=Q(dimension__isnull=True), name="uniq_dimension_level_matrix"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.system_version} · {self.dimension.code if self.dimension_id else _('dimensions')}"

    @property
    def weight_by_code(self) -> dict[str, float]:
        return dict(zip(self.elements, self.weights, strict=False))

    @property
    def upper(self) -> dict[tuple[int, int], str]:
        """The upper-triangle judgements as Saaty fractions ("3", "1/5")."""
        return {
            (i, j): str(Fraction(self.matrix[i][j]).limit_denominator(9))
            for i in range(len(self.elements))
            for j in range(i + 1, len(self.elements))
        }
