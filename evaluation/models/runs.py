"""Evaluation runs (snapshots of one month for one scope) and the stored result of each dealer."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.tenancy import DealerScopedQuerySet, dealer_ids_for
from evaluation import display
from evaluation.models.systems import SystemVersion, enough_data

# --- evaluation runs (snapshots) -------------------------------------------------------------------------------

# Who evaluates: those who start runs (region managers, administrators) and those who publish them (administrators).
RUN_ADD = "evaluation.add_evaluationrun"
RUN_PUBLISH = "evaluation.publish_evaluationrun"


def sees_drafts(user) -> bool:
    """Whether the user is on the evaluating side and so also sees the runs not yet published (drafts) of their
    scope.  The evaluated side (a dealer's service manager and everyone else without ``RUN_ADD``/``RUN_PUBLISH``)
    sees a month's figures only once they are published: the one publication rule of every page, API and report."""
    return bool(user is not None and user.is_active and (user.has_perm(RUN_ADD) or user.has_perm(RUN_PUBLISH)))


class EvaluationRunQuerySet(models.QuerySet):
    def for_user(self, user, *, write: bool = False):
        """Runs whose scope (the OEM, or one of its regions) holds at least one of the user's dealers: for the
        evaluating side from the moment they are queued, for the evaluated side once published (``sees_drafts``);
        their results show only the user's own dealers (``DealerEvaluation.objects.for_user``)."""
        runs = self if sees_drafts(user) else self.filter(published=True)
        ids = dealer_ids_for(user, write=write)
        if ids is None:
            return runs
        from organization.models import Dealer

        mine = Dealer.objects.filter(pk__in=sorted(ids))
        return runs.filter(
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
        FAILED = "failed", pgettext_lazy("background job", "Failed")

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

    def shown_to(self, user) -> bool:
        """Whether a user who sees one of this run's dealers (through its alert or action) may open the run and
        its results: a published run, or any run for the evaluating side (``sees_drafts``, as ``for_user``)."""
        return self.published or sees_drafts(user)


class DealerEvaluationQuerySet(DealerScopedQuerySet):
    def for_user(self, user, *, write: bool = False):
        """The results of the user's dealers, of published runs only for the evaluated side (``sees_drafts``)."""
        results = super().for_user(user, write=write)
        return results if sees_drafts(user) else results.filter(run__published=True)


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

    objects = DealerEvaluationQuerySet.as_manager()

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
