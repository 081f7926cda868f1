"""Evaluation data: versioned indicator systems (dimensions, indicators, AHP matrices, settings) and audits (体系审核).

Ownership: an indicator system belongs to an OEM / dealer group (``oem``) or, with ``oem`` empty, it is the
OEM-independent default shipped by migration 0002 from kpi-catalog.md. A dealer is evaluated with the current
(published) version of its OEM's system, or of the default when its OEM has none (``selectors.current_version``).
Published versions are immutable: editing means copying to a new draft, editing it and publishing it.

Audits belong to a dealer (tenant scoped like every operational record); their checklist templates are shared
data and are immutable once an audit uses them.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from complaints.choices import ESCALATION_COLOURS, EscalationLevel
from core.tenancy import DealerScopedQuerySet, dealer_ids_for
from core.uploads import CONTENT_TYPES
from evaluation import display
from evaluation.choices import (
    ActionStatus,
    AdjustmentKind,
    AhpMethod,
    AlertKind,
    AlertReasonKind,
    AlertStatus,
    AuditKind,
    AuditStatus,
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
    # day must give the same figures): see evaluation.runs.
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


# --------------------------------------------------------------------------------------------------------------------
# Audits (体系审核, dimension G)
# --------------------------------------------------------------------------------------------------------------------


class AuditTemplate(models.Model):
    """A checklist template (审核表): sections of items with points; immutable once an audit uses it."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("offered for new audits"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("audit checklist template")
        verbose_name_plural = _("audit checklist templates")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("evaluation:template_detail", args=[self.pk])


class AuditSection(models.Model):
    """A section of a checklist template, e.g. 服务文化与承诺."""

    template = models.ForeignKey(AuditTemplate, on_delete=models.CASCADE, related_name="sections",
                                 verbose_name=_("template"))  # fmt: skip
    code = models.CharField(_("code"), max_length=10)
    title = models.CharField(_("title"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("audit section")
        verbose_name_plural = _("audit sections")
        ordering = ["template", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["template", "code"], name="uniq_audit_section_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class AuditItem(models.Model):
    """A checklist item: what the auditor checks, how many points it is worth, whether evidence is required."""

    section = models.ForeignKey(AuditSection, on_delete=models.CASCADE, related_name="items",
                                verbose_name=_("section"))  # fmt: skip
    code = models.CharField(_("code"), max_length=10)
    text = models.CharField(_("requirement"), max_length=300)
    guidance = models.TextField(_("guidance for the auditor"), blank=True)
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=1,
                                 validators=[MinValueValidator(Decimal("0.5"))])  # fmt: skip
    evidence_required = models.BooleanField(_("evidence required"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("audit item")
        verbose_name_plural = _("audit items")
        ordering = ["section__position", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["section", "code"], name="uniq_audit_item_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"


class Audit(models.Model):
    """An audit of a dealer's service system (体系审核) against a checklist template; its score is indicator G."""

    dealer = models.ForeignKey("organization.Dealer", on_delete=models.PROTECT, related_name="audits",
                               verbose_name=_("dealer"))  # fmt: skip
    template = models.ForeignKey(AuditTemplate, on_delete=models.PROTECT, related_name="audits",
                                 verbose_name=_("checklist template"))  # fmt: skip
    kind = models.CharField(_("kind"), max_length=10, choices=AuditKind.choices)
    auditor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="audits",
                                verbose_name=_("auditor"))  # fmt: skip
    audit_date = models.DateField(_("audit date"))
    status = models.CharField(_("status"), max_length=10, choices=AuditStatus.choices, default=AuditStatus.DRAFT)
    summary = models.TextField(_("summary"), blank=True)
    earned = models.DecimalField(_("points earned"), max_digits=7, decimal_places=2, null=True, blank=True)
    possible = models.DecimalField(_("points possible"), max_digits=7, decimal_places=2, null=True, blank=True)
    score = models.DecimalField(_("audit score"), max_digits=5, decimal_places=2, null=True, blank=True,
                                help_text=_("Fixed when the audit is submitted."))  # fmt: skip
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("confirmed by"))  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit")
        verbose_name_plural = _("audits")
        ordering = ["-audit_date", "-id"]
        permissions = [
            ("conduct_audit", "Can conduct official audits of the dealers of their regions"),
            ("confirm_audit", "Can confirm a submitted audit"),
        ]
        indexes = [models.Index(fields=["dealer", "status", "audit_date"], name="audit_dealer_status_date")]

    def __str__(self) -> str:
        return f"{self.dealer.code} {self.audit_date:%Y-%m-%d} {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return reverse("evaluation:audit_detail", args=[self.pk])

    @property
    def status_colour(self) -> str:
        return AuditStatus.colour(self.status)


class AuditItemScore(models.Model):
    """The auditor's score of one checklist item (0..points), or its exclusion with a reason (不适用)."""

    tenant_lookup = "audit__dealer"

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="item_scores", verbose_name=_("audit"))
    item = models.ForeignKey(AuditItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("item"))
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True, blank=True,
                                validators=[MinValueValidator(Decimal("0"))])  # fmt: skip
    excluded = models.BooleanField(_("excluded (not applicable)"), default=False)
    exclusion_reason = models.CharField(_("reason for the exclusion"), max_length=200, blank=True)
    note = models.CharField(_("finding"), max_length=500, blank=True)
    history = HistoricalRecords()

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit item score")
        verbose_name_plural = _("audit item scores")
        ordering = ["audit", "item__section__position", "item__position"]
        constraints = [models.UniqueConstraint(fields=["audit", "item"], name="uniq_audit_item_score")]

    def __str__(self) -> str:
        return f"{self.audit} · {self.item.code}"


def _evidence_path(instance, filename: str) -> str:
    # Never trust the uploaded name: a random one, grouped by dealer and audit.
    return f"audit-evidence/{instance.audit.dealer_id}/{instance.audit_id}/{uuid.uuid4().hex}.{instance.extension}"


class AuditEvidence(models.Model):
    """A file (photo or PDF) proving an item's score; served only to users who may read the audit."""

    tenant_lookup = "audit__dealer"

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("audit"))
    item_score = models.ForeignKey(AuditItemScore, on_delete=models.CASCADE, related_name="evidence",
                                   verbose_name=_("item"))  # fmt: skip
    file = models.FileField(_("file"), upload_to=_evidence_path)
    extension = models.CharField(max_length=5, editable=False)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"))
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("uploaded by"))  # fmt: skip
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit evidence")
        verbose_name_plural = _("audit evidence files")
        ordering = ["audit", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.caption or self.original_name

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.extension]


class AuditAdjustment(models.Model):
    """A special deduction (−1 each) or the one special bonus (+1), in points of the 0–100 audit score."""

    tenant_lookup = "audit__dealer"

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="adjustments", verbose_name=_("audit"))
    kind = models.CharField(_("kind"), max_length=10, choices=AdjustmentKind.choices)
    reason = models.CharField(_("reason"), max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("recorded by"))  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("special audit adjustment")
        verbose_name_plural = _("special audit adjustments")
        ordering = ["audit", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["audit"], condition=Q(kind="bonus"), name="uniq_audit_special_bonus")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.reason}"


# --- evaluation runs (snapshots) -------------------------------------------------------------------------------


class EvaluationRunQuerySet(models.QuerySet):
    def for_user(self, user, *, write: bool = False):
        """Runs whose scope (the OEM, or one of its regions) holds at least one of the user's dealers, from the
        moment they are queued (their results show only the user's own dealers: ``DealerEvaluation.for_user``)."""
        ids = dealer_ids_for(user, write=write)
        if ids is None:
            return self
        from organization.models import Dealer

        mine = Dealer.objects.filter(pk__in=sorted(ids))
        return self.filter(
            models.Q(region__isnull=True, oem__in=mine.values("region__oem"))
            | models.Q(region__in=mine.values("region"))
        )


class EvaluationRun(models.Model):
    """One evaluation of the dealers of a scope (an OEM, or one of its regions) for one month: an immutable snapshot.

    It keeps the indicator-system version, the weights used, every input figure with its count, the results and a
    hash of the inputs.  Re-running a month makes a new run; a published run never changes.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    oem = models.ForeignKey("organization.Oem", on_delete=models.PROTECT, related_name="+", verbose_name=_("OEM"))
    region = models.ForeignKey(
        "organization.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("region"), help_text=_("Empty: every dealer of the OEM."),
    )  # fmt: skip
    period_start = models.DateField(_("first day"))
    period_end = models.DateField(_("last day"))
    system_version = models.ForeignKey(
        SystemVersion, on_delete=models.PROTECT, related_name="runs", verbose_name=_("indicator system version")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    message = models.CharField(_("message"), max_length=300, blank=True)
    weights = models.JSONField(_("weights"), default=dict, blank=True)
    notes = models.JSONField(_("notes"), default=list, blank=True)
    inputs_hash = models.CharField(_("inputs hash (SHA-256)"), max_length=64, blank=True)
    dealer_count = models.PositiveIntegerField(_("dealers"), default=0)
    as_of = models.DateTimeField(
        _("evaluated as of"), null=True, blank=True,
        help_text=_("The records as they stood at this moment: the month's end plus the grace period, or the moment "
                    "of the run when that was earlier (a provisional run)."),
    )  # fmt: skip
    provisional = models.BooleanField(
        _("provisional"), default=False,
        help_text=_("Run before the month's end plus the grace period: records entered later may still change it."),
    )  # fmt: skip
    options = models.JSONField(
        _("options used"), default=dict, blank=True,
        help_text=_("The version's settings this run used (grace period, entropy window and minimum dealers, "
                    "minimum records per figure, data a rank needs) and what came of them."),
    )  # fmt: skip
    published = models.BooleanField(_("published"), default=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("published by"),
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("started by"), help_text=_("Empty: the monthly schedule."),
    )  # fmt: skip
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    history = HistoricalRecords()

    objects = EvaluationRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("evaluation run")
        verbose_name_plural = _("evaluation runs")
        permissions = [("publish_evaluationrun", _("Can publish an evaluation run"))]
        ordering = ["-period_start", "-created_at", "-id"]
        indexes = [models.Index(fields=["oem", "period_start", "status"], name="evalrun_oem_period_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["oem", "period_start"],
                condition=models.Q(published=True, region__isnull=True),
                name="uniq_published_run_oem_period",
            ),
            models.UniqueConstraint(
                fields=["region", "period_start"],
                condition=models.Q(published=True, region__isnull=False),
                name="uniq_published_run_region_period",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        scope = self.region.name if self.region_id else self.oem.name
        return f"{scope} {self.period_start:%Y-%m} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("evaluation:run_detail", args=[self.pk])

    @property
    def min_sample(self) -> int:
        """The minimum records per figure this run used (runs before the setting: its version's)."""
        stored = (self.options or {}).get("min_sample")
        return int(stored) if stored is not None else self.system_version.min_sample

    def has_enough_data(self, code: str, n: int | None) -> bool:
        """Whether a figure of this run stands on enough records for entropy, alerts and a rank (``enough_data``)."""
        return enough_data(code, n, self.min_sample)


class DealerEvaluation(models.Model):
    """One dealer's result in a run: indicator figures and scores, dimension scores, score, grade, stars, ranks."""

    run = models.ForeignKey(EvaluationRun, on_delete=models.CASCADE, related_name="results", verbose_name=_("run"))
    dealer = models.ForeignKey(
        "organization.Dealer", on_delete=models.PROTECT, related_name="evaluations", verbose_name=_("dealer")
    )
    score = models.FloatField(_("score"), null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=4, blank=True)
    stars = models.SmallIntegerField(_("stars"), null=True, blank=True)
    rank = models.PositiveIntegerField(_("rank by score"), null=True, blank=True)
    topsis_closeness = models.FloatField(_("TOPSIS closeness"), null=True, blank=True)
    topsis_rank = models.PositiveIntegerField(_("TOPSIS rank"), null=True, blank=True)
    fuzzy_vector = models.JSONField(_("fuzzy membership (excellent / good / fair / poor)"), null=True, blank=True)
    fuzzy_grade = models.CharField(_("fuzzy grade"), max_length=4, blank=True)
    fuzzy_score = models.FloatField(_("fuzzy score"), null=True, blank=True)
    dimension_scores = models.JSONField(_("dimension scores"), default=dict)
    indicators = models.JSONField(_("indicators"), default=dict)
    rank_note = models.JSONField(
        _("why there is no rank"), null=True, blank=True,
        help_text=_("Set when the dealer has a score but too little of its weight stands on enough records."),
    )  # fmt: skip

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("dealer evaluation")
        verbose_name_plural = _("dealer evaluations")
        ordering = ["run", "rank", "dealer__code"]
        constraints = [models.UniqueConstraint(fields=["run", "dealer"], name="uniq_run_dealer")]
        indexes = [models.Index(fields=["dealer", "run"], name="dealereval_dealer_run")]

    def __str__(self) -> str:
        return f"{self.run} {self.dealer.code}: {self.score}"

    @property
    def stars_label(self) -> str:
        return display.stars_label(self.stars)

    @property
    def rank_reason(self) -> str:
        """Why a dealer with a score has no rank, in the reader's language ("" when it is ranked or unscored)."""
        from evaluation.notes import note_text

        return note_text(self.rank_note) if self.rank_note else ""

    @property
    def grade_label(self) -> str:
        return display.grade_label(self.grade)

    @property
    def fuzzy_grade_label(self) -> str:
        return display.grade_label(self.fuzzy_grade)


# --- quality alerts and improvement actions (PDCA) -------------------------------------------------------------


class QualityAlert(models.Model):
    """A quality alert (质量预警) raised by an evaluation run: one indicator of a dealer with its reasons (below the
    floor, a score drop: one alert per breach however many reasons), or a complaint cluster (a complaints crisis
    alert) of the dealer in the run's month.  It becomes an improvement action; without one it escalates to the
    dealer's service managers and then to the region (``evaluation.alerts.alerts_escalate``)."""

    dealer = models.ForeignKey("organization.Dealer", on_delete=models.PROTECT, related_name="quality_alerts",
                               verbose_name=_("dealer"))  # fmt: skip
    run = models.ForeignKey(EvaluationRun, on_delete=models.PROTECT, related_name="alerts",
                            verbose_name=_("raised by the run"))  # fmt: skip
    kind = models.CharField(_("kind"), max_length=20, choices=AlertKind.choices)
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                  verbose_name=_("indicator"))  # fmt: skip
    indicator_code = models.CharField(_("indicator code"), max_length=10, blank=True)
    crisis_alert = models.ForeignKey("complaints.CrisisAlert", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="quality_alerts", verbose_name=_("crisis alert"))  # fmt: skip
    raised_at = models.DateTimeField(_("raised at"))
    status = models.CharField(_("status"), max_length=16, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    open_since = models.DateTimeField(
        _("open without an action since"), null=True, blank=True,
        help_text=_("When the alert was raised, or re-opened by a check that found its action not effective: "
                    "the escalation counts from here."),
    )  # fmt: skip
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), choices=EscalationLevel.choices,
                                                        default=EscalationLevel.NONE)  # fmt: skip
    escalated_at = models.DateTimeField(_("escalated to the service manager at"), null=True, blank=True)
    region_escalated_at = models.DateTimeField(_("escalated to the region at"), null=True, blank=True)
    escalation_task = models.ForeignKey("todo.Task", on_delete=models.SET_NULL, null=True, blank=True,
                                        related_name="+", verbose_name=_("escalation to-do"))  # fmt: skip
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="+", verbose_name=_("acknowledged by"))  # fmt: skip
    dismissal_reason = models.CharField(_("reason for dismissing"), max_length=300, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("quality alert")
        verbose_name_plural = _("quality alerts")
        ordering = ["-raised_at", "-id"]
        indexes = [
            models.Index(fields=["dealer", "status", "-raised_at"], name="qalert_dealer_status_raised"),
            models.Index(fields=["dealer", "kind", "indicator_code"], name="qalert_dealer_kind_code"),
            models.Index(fields=["status", "escalation_level", "open_since"], name="qalert_escalation"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["run", "dealer", "kind", "indicator_code"],
                                    condition=Q(crisis_alert__isnull=True), name="uniq_qalert_run_indicator"),
            models.UniqueConstraint(fields=["crisis_alert"], condition=Q(crisis_alert__isnull=False),
                                    name="uniq_qalert_crisis_alert"),
            # One breach, one alert: an indicator of a dealer has at most one unresolved alert.
            models.UniqueConstraint(fields=["dealer", "indicator_code"],
                                    condition=Q(kind="indicator", status__in=["open", "action_planned"]),
                                    name="uniq_qalert_unresolved_indicator"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.dealer.code} {self.get_kind_display()} {self.indicator_code}".strip()

    def get_absolute_url(self) -> str:
        return reverse("evaluation:alert_detail", args=[self.pk])

    @property
    def status_colour(self) -> str:
        return AlertStatus.colour(self.status)

    @property
    def escalation_colour(self) -> str:
        return ESCALATION_COLOURS.get(self.escalation_level, "grey")

    @property
    def reason_list(self) -> list[AlertReason]:
        """The reasons in the order they were found (lists prefetch them)."""
        return sorted(self.reasons.all(), key=lambda reason: (reason.found_at, reason.pk or 0))

    @property
    def current_action(self) -> ImprovementAction | None:
        """The latest improvement action (the active one while there is one); lists prefetch ``recent_actions``."""
        actions = getattr(self, "recent_actions", None)
        if actions is None:
            actions = list(self.actions.select_related("owner").order_by("-created_at", "-id")[:1])
        return actions[0] if actions else None

    @property
    def messages(self) -> list[str]:
        """What happened, one sentence per reason, in the reader's language (built from the stored figures)."""
        from evaluation.alerts import alert_messages

        return alert_messages(self)

    @property
    def message(self) -> str:
        return " ".join(self.messages)


class AlertReason(models.Model):
    """One reason of an indicator alert with the figures the run found: below the floor (the value and the floor)
    or a score drop (the score, the score of the month before and the alerting drop in points)."""

    alert = models.ForeignKey(QualityAlert, on_delete=models.CASCADE, related_name="reasons",
                              verbose_name=_("alert"))  # fmt: skip
    kind = models.CharField(_("reason"), max_length=20, choices=AlertReasonKind.choices)
    run = models.ForeignKey(EvaluationRun, on_delete=models.PROTECT, related_name="+",
                            verbose_name=_("found by the run"))  # fmt: skip
    value = models.FloatField(_("value"), null=True, blank=True,
                              help_text=_("The indicator's value (below floor) or its score (drop)."))  # fmt: skip
    previous_value = models.FloatField(_("previous score"), null=True, blank=True,
                                       help_text=_("The score in the previous month's run (drop)."))  # fmt: skip
    threshold = models.FloatField(_("threshold"), null=True, blank=True,
                                  help_text=_("The floor (below floor) or the alerting drop in points."))  # fmt: skip
    found_at = models.DateTimeField(_("found at"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("alert reason")
        verbose_name_plural = _("alert reasons")
        ordering = ["found_at", "id"]
        constraints = [models.UniqueConstraint(fields=["alert", "kind"], name="uniq_alert_reason_kind")]

    def __str__(self) -> str:
        return f"{self.alert_id} {self.get_kind_display()}"

    @property
    def message(self) -> str:
        from evaluation.alerts import reason_message

        return reason_message(self.alert, self)


class ImprovementAction(models.Model):
    """An improvement action (整改措施) on a quality alert, run as PDCA: cause analysis and plan, measures, the check
    by the first evaluation run at or after the due date, and the verdict effective / not effective."""

    alert = models.ForeignKey(QualityAlert, on_delete=models.PROTECT, related_name="actions",
                              verbose_name=_("alert"))  # fmt: skip
    dealer = models.ForeignKey("organization.Dealer", on_delete=models.PROTECT, related_name="improvement_actions",
                               verbose_name=_("dealer"))  # fmt: skip
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="improvement_actions",
                              verbose_name=_("owner"))  # fmt: skip
    cause_analysis = models.TextField(_("cause analysis (plan)"))
    plan = models.TextField(_("measures (do)"))
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=16, choices=ActionStatus.choices, default=ActionStatus.PLANNED)
    check_result = models.TextField(_("check result"), blank=True)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    checked_run = models.ForeignKey(EvaluationRun, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name=_("checked by the run"))  # fmt: skip
    checked_value = models.FloatField(_("value at the check"), null=True, blank=True)
    task = models.ForeignKey("todo.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("to-do"))  # fmt: skip
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("planned by"))  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("improvement action")
        verbose_name_plural = _("improvement actions")
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["dealer", "status", "due_date"], name="qaction_dealer_status_due")]
        constraints = [
            models.UniqueConstraint(fields=["alert"], condition=Q(status__in=["planned", "in_progress", "checking"]),
                                    name="uniq_active_action_per_alert"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.alert} · {self.due_date:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("evaluation:action_detail", args=[self.pk])

    @property
    def status_colour(self) -> str:
        return ActionStatus.colour(self.status)

    @property
    def is_active(self) -> bool:
        return self.status in ActionStatus.active()
