"""Satisfaction surveys (满意度调查): versioned questionnaires, public token links, responses and scores."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from care.choices import MessageChannel
from core.models import VersionedModel
from core.tenancy import DealerScopedQuerySet, dealer_ids_for
from surveys.choices import (
    EXPIRED,
    INVITATION_STATUS_COLOURS,
    INVITATION_STATUS_LABELS,
    NPS_COLOURS,
    CsiFactor,
    Dimension,
    InvitationStatus,
    NpsCategory,
    QuestionKind,
    ResponseChannel,
)
from surveys.scoring import QuestionSpec

SCORE = {"max_digits": 5, "decimal_places": 2, "null": True, "blank": True}
DEFAULT_VALIDITY_DAYS = 14


def _in_language(zh: str, en: str) -> str:
    return en if (get_language() or "").startswith("en") and en else zh


class QuestionnaireQuerySet(DealerScopedQuerySet):
    """Shared questionnaires (no dealer) are readable by everyone; a dealer's own copies only by its users."""

    def for_user(self, user, *, write: bool = False):
        ids = dealer_ids_for(user, write=write)
        if ids is None:
            return self
        own = Q(dealer_id__in=sorted(ids))
        return self.filter(own) if write else self.filter(own | Q(dealer__isnull=True))


class Questionnaire(models.Model):
    """One version of a questionnaire template (问卷模板); a published version never changes.

    Changing a questionnaire makes a new version (``previous`` points at the one it was copied
    from); responses keep pointing at the exact version the customer answered.
    """

    dealer = models.ForeignKey(
        "organization.Dealer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="questionnaires",
        verbose_name=_("owner dealer"),
        help_text=_("Empty: a shared template every dealer can use."),
    )
    code = models.CharField(_("code"), max_length=30)
    version = models.PositiveIntegerField(_("template version"), default=1)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    intro_zh = models.TextField(_("introduction (Chinese)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    factor_weights = models.JSONField(
        _("CSI factor weights"), default=dict, blank=True, help_text=_("CSI factor -> weight (percent).")
    )
    is_active = models.BooleanField(_("offered for new surveys"), default=True)
    previous = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_versions",
        verbose_name=_("copied from"),
    )
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    history = HistoricalRecords()

    objects = QuestionnaireQuerySet.as_manager()

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["code", "-version", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "version"], condition=Q(dealer__isnull=True), name="uniq_shared_questionnaire_version"
            ),
            models.UniqueConstraint(fields=["dealer", "code", "version"], name="uniq_dealer_questionnaire_version"),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("surveys:questionnaire_detail", args=[self.pk])

    @property
    def name(self) -> str:
        return _in_language(self.name_zh, self.name_en)

    @property
    def intro(self) -> str:
        return _in_language(self.intro_zh, self.intro_en)

    def factor_weight_rows(self) -> list[tuple[str, str, float]]:
        labels = dict(CsiFactor.choices)
        return [(f, labels.get(f, f), w) for f, w in self.factor_weights.items()]


class Question(models.Model):
    """A question of one questionnaire version, tagged with what it measures and its CSI factor."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="questions", verbose_name=_("questionnaire")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    code = models.CharField(_("code"), max_length=30)
    section_zh = models.CharField(_("section (Chinese)"), max_length=60, blank=True)
    section_en = models.CharField(_("section (English)"), max_length=60, blank=True)
    text_zh = models.CharField(_("question (Chinese)"), max_length=300)
    text_en = models.CharField(_("question (English)"), max_length=300, blank=True)
    kind = models.CharField(_("answer kind"), max_length=10, choices=QuestionKind.choices)
    options = models.JSONField(
        _("options"),
        default=list,
        blank=True,
        help_text=_(
            'Choices: [{"value": "…", "zh": "…", "en": "…", "score": 0–100 (optional), "low": true (optional)}]'
        ),
    )
    dimension = models.CharField(_("dimension"), max_length=20, choices=Dimension.choices, default=Dimension.OTHER)
    csi_factor = models.CharField(_("CSI factor"), max_length=20, choices=CsiFactor.choices, blank=True)
    weight = models.DecimalField(
        _("weight in its factor"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    required = models.BooleanField(_("required"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")
        ordering = ["questionnaire", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["questionnaire", "code"], name="uniq_question_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"

    @property
    def text(self) -> str:
        return _in_language(self.text_zh, self.text_en)

    @property
    def section(self) -> str:
        return _in_language(self.section_zh, self.section_en)

    def localized_options(self) -> list[tuple[str, str]]:
        return [(str(o["value"]), _in_language(o.get("zh", ""), o.get("en", ""))) for o in self.options]

    def spec(self) -> QuestionSpec:
        return QuestionSpec(
            code=self.code, kind=self.kind, required=self.required, options=self.options, dimension=self.dimension,
            csi_factor=self.csi_factor, weight=float(self.weight),
        )  # fmt: skip


class DealerSurveySettings(VersionedModel):
    """How a dealer surveys its customers: which questionnaire, how long a link is valid, how it is sent."""

    dealer = models.OneToOneField(
        "organization.Dealer", on_delete=models.CASCADE, related_name="survey_settings", verbose_name=_("dealer")
    )
    questionnaire = models.ForeignKey(
        Questionnaire,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("questionnaire"),
        help_text=_("Empty: the latest shared CSI questionnaire."),
    )
    invite_after_delivery = models.BooleanField(_("send a survey link at delivery"), default=True)
    validity_days = models.PositiveSmallIntegerField(
        _("link valid for (days)"),
        default=DEFAULT_VALIDITY_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    channel = models.CharField(
        _("send the link by"), max_length=10, choices=MessageChannel.choices, default=MessageChannel.RECORD
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["version", "updated_at"])

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("dealer survey settings")
        verbose_name_plural = _("dealer survey settings")

    def __str__(self) -> str:
        return str(self.dealer)


class SurveyInvitation(models.Model):
    """A survey link sent to a customer after a visit: only the SHA-256 of its token is stored."""

    dealer = models.ForeignKey(
        "organization.Dealer", on_delete=models.PROTECT, related_name="survey_invitations", verbose_name=_("dealer")
    )
    repair_order = models.ForeignKey(
        "repairs.RepairOrder",
        on_delete=models.PROTECT,
        related_name="survey_invitations",
        verbose_name=_("repair order"),
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="survey_invitations", verbose_name=_("customer")
    )
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="invitations", verbose_name=_("questionnaire")
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.SENT
    )
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    expires_at = models.DateTimeField(_("expires at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    replaces = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("replaces"),
    )
    message = models.ForeignKey(
        "care.OutboundMessage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("message"),
    )
    history = HistoricalRecords(excluded_fields=["token_hash"])

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["dealer", "-created_at"], name="survey_inv_dealer_created"),
            models.Index(fields=["repair_order", "status"], name="survey_inv_order_status"),
        ]

    def __str__(self) -> str:
        return f"{self.repair_order_id} {self.created_at:%Y-%m-%d}"

    @property
    def display_status(self) -> str:
        if self.status == InvitationStatus.SENT and self.expires_at <= timezone.now():
            return EXPIRED
        return self.status

    @property
    def display_status_label(self) -> str:
        return INVITATION_STATUS_LABELS[self.display_status]

    @property
    def status_colour(self) -> str:
        return INVITATION_STATUS_COLOURS[self.display_status]

    @property
    def is_open(self) -> bool:
        return self.display_status == InvitationStatus.SENT


class SurveyResponse(models.Model):
    """A customer's answers to one questionnaire version about one visit, with its scores (one per visit)."""

    tenant_lookup = "dealer"

    dealer = models.ForeignKey(
        "organization.Dealer", on_delete=models.PROTECT, related_name="survey_responses", verbose_name=_("dealer")
    )
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="responses", verbose_name=_("questionnaire")
    )
    invitation = models.OneToOneField(
        SurveyInvitation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="response",
        verbose_name=_("invitation"),
    )
    repair_order = models.OneToOneField(
        "repairs.RepairOrder", on_delete=models.PROTECT, related_name="survey_response", verbose_name=_("repair order")
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="survey_responses", verbose_name=_("customer")
    )
    vehicle = models.ForeignKey(
        "customers.Vehicle", on_delete=models.PROTECT, related_name="survey_responses", verbose_name=_("vehicle")
    )
    channel = models.CharField(_("channel"), max_length=10, choices=ResponseChannel.choices)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("taken by"),
        help_text=_("Who asked the questions on the phone."),
    )
    language = models.CharField(_("language"), max_length=10, blank=True)
    submitted_at = models.DateTimeField(_("answered at"), default=timezone.now)
    csi_score = models.DecimalField(_("CSI (0–100)"), **SCORE)
    nps_score = models.PositiveSmallIntegerField(_("recommendation (0–10)"), null=True, blank=True)
    nps_category = models.CharField(_("NPS category"), max_length=10, choices=NpsCategory.choices, blank=True)
    factor_scores = models.JSONField(_("CSI factor scores"), default=dict, blank=True)
    dimension_scores = models.JSONField(_("dimension means"), default=dict, blank=True)
    low_score = models.BooleanField(_("low score"), default=False)
    low_score_items = models.JSONField(_("low-scored questions"), default=list, blank=True)
    follow_up_task = models.OneToOneField(
        "todo.Task",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey_response",
        verbose_name=_("call-back task"),
    )
    history = HistoricalRecords()

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["dealer", "-submitted_at"], name="survey_resp_dealer_submitted"),
            models.Index(fields=["dealer", "low_score", "-submitted_at"], name="survey_resp_dealer_low"),
        ]

    def __str__(self) -> str:
        return f"{self.repair_order} {self.submitted_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("surveys:response_detail", args=[self.pk])

    @property
    def nps_colour(self) -> str:
        return NPS_COLOURS.get(self.nps_category, "grey")

    @property
    def csi_1000(self) -> Decimal | None:
        return None if self.csi_score is None else self.csi_score * 10


class SurveyAnswer(models.Model):
    """One answer of a response; its 0–100 score, dimension and factor are copied in for SQL reports."""

    tenant_lookup = "response__dealer"

    response = models.ForeignKey(
        SurveyResponse, on_delete=models.CASCADE, related_name="answers", verbose_name=_("response")
    )
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers", verbose_name=_("question"))
    value_number = models.SmallIntegerField(_("rating"), null=True, blank=True)
    value_text = models.TextField(_("text"), blank=True)
    value_choices = models.JSONField(_("choices"), default=list, blank=True)
    score = models.DecimalField(_("score (0–100)"), **SCORE)
    low = models.BooleanField(_("low"), default=False)
    dimension = models.CharField(_("dimension"), max_length=20, choices=Dimension.choices, blank=True)
    csi_factor = models.CharField(_("CSI factor"), max_length=20, choices=CsiFactor.choices, blank=True)
    history = HistoricalRecords()

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        ordering = ["response", "question__position", "id"]
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="uniq_answer_per_question")]
        indexes = [models.Index(fields=["dimension"], name="survey_answer_dimension")]

    def __str__(self) -> str:
        return f"{self.question.code}: {self.display_value}"

    @property
    def display_value(self) -> str:
        if self.value_number is not None:
            return str(self.value_number)
        if self.value_choices:
            labels = dict(self.question.localized_options())
            return "、".join(labels.get(c, c) for c in self.value_choices)
        return self.value_text
