"""Quality alerts raised by evaluation runs, their reasons, and the improvement actions (PDCA) on them."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from complaints.choices import ESCALATION_COLOURS, EscalationLevel
from core.dates import add_months
from core.tenancy import DealerScopedQuerySet
from evaluation import display
from evaluation.choices import (
    ActionStatus,
    AlertKind,
    AlertReasonKind,
    AlertStatus,
)
from evaluation.models.runs import EvaluationRun
from evaluation.models.systems import Indicator

# --- quality alerts and improvement actions (PDCA) -------------------------------------------------------------


# What an alert says (its messages are built from the stored figures, in the reader's language)


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _month(day: date) -> str:
    return f"{day:%Y-%m}"


def reason_message(alert: QualityAlert, reason: AlertReason) -> str:
    """One reason of an indicator alert in a sentence with its figures, in the active language."""
    indicator = alert.indicator
    unit = indicator.unit if indicator is not None else ""
    month = reason.run.period_start
    figures = {"code": alert.indicator_code, "name": indicator.name if indicator is not None else "",
               "month": _month(month)}  # fmt: skip
    if reason.kind == AlertReasonKind.BELOW_FLOOR:
        return gettext("%(code)s %(name)s was %(value)s in %(month)s, worse than its floor of %(floor)s.") % {
            **figures, "value": display.with_unit(_fmt(reason.value), unit),
            "floor": display.with_unit(_fmt(reason.threshold), unit)}  # fmt: skip
    fell = None if reason.value is None or reason.previous_value is None else reason.previous_value - reason.value
    return gettext("%(code)s %(name)s: the score fell by %(points)s points, from %(previous)s in %(previous_month)s to "
             "%(score)s in %(month)s (alert threshold: more than %(threshold)s points).") % {
        **figures, "points": _fmt(fell), "previous": _fmt(reason.previous_value), "score": _fmt(reason.value),
        "previous_month": _month(add_months(month, -1)), "threshold": _fmt(reason.threshold)}  # fmt: skip


def alert_messages(alert: QualityAlert) -> list[str]:
    """The alert in sentences, one per reason (a complaint cluster: its summary), in the active language."""
    if alert.kind == AlertKind.COMPLAINT_CLUSTER:
        summary = alert.crisis_alert.summary if alert.crisis_alert_id else ""
        return [gettext("Complaint cluster: %(summary)s") % {"summary": summary}]
    return [reason_message(alert, reason) for reason in alert.reason_list]


class QualityAlert(models.Model):
    """A quality alert (质量预警) raised by an evaluation run: one indicator of a dealer with its reasons (below the
    floor, a score drop: one alert per breach however many reasons), or a complaint cluster (a complaints crisis
    alert) of the dealer in the run's month.  It becomes an improvement action; without one it escalates to the
    dealer's service managers and then to the region (``evaluation.services.alerts.alerts_escalate``)."""

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
        return reason_message(self.alert, self)


class ImprovementAction(models.Model):
    """An improvement action (整改措施) on a quality alert, run as PDCA: cause analysis and plan, measures, the check
    by the first evaluation run at or after the due date, and the verdict effective / not effective."""

    alert = models.ForeignKey(QualityAlert, on_delete=models.PROTECT, related_name="actions",
                              verbose_name=_("alert"))  # fmt: skip
    dealer = models.ForeignKey("organization.Dealer", on_delete=models.PROTECT, related_name="improvement_actions",
                               verbose_name=_("dealer"))  # fmt: skip
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="improvement_actions",
                              verbose_name=pgettext_lazy("person responsible", "owner"))  # fmt: skip
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
