"""Reads of quality alerts and improvement actions: the lists a user may see, their filters, a run's alerts."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import Count, Min, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from complaints.choices import EscalationLevel
from evaluation.choices import ActionStatus, AlertActionFilter, AlertStatus
from evaluation.models import AlertReason, EvaluationRun, ImprovementAction, QualityAlert, SystemVersion

#: The escalation filter of the lists: any level, or one of them.
ESCALATION_FILTERS = ("any", str(EscalationLevel.SERVICE_MANAGER), str(EscalationLevel.REGION))


def waiting_for_action(*, now: datetime, periods: int = 1) -> Q:
    """The alerts left open without an improvement action for at least ``periods`` × the ``alert_escalation_days``
    of the version their run used (7 days by default), counted from ``open_since`` (raised, or re-opened by a failed
    check): the escalation rule (one period: to the service managers, two: to the region; ``alerts_escalate``), the
    alert list's *late* filter and the region view's "older than 7 days without action"."""
    settings_used = SystemVersion.objects.order_by().values_list("alert_escalation_days", flat=True).distinct()
    late = Q(pk__in=[])
    for days in sorted(set(settings_used)):
        late |= Q(run__system_version__alert_escalation_days=days, open_since__lte=now - periods * timedelta(days=days))
    return Q(status=AlertStatus.OPEN, open_since__isnull=False) & late


def waiting_by_dealer(*, user: User, dealer_ids, now: datetime) -> dict[int, tuple[int, datetime]]:
    """{dealer id: (how many alerts wait for an action past the escalation period, the oldest one's open_since)} of
    the user's dealers among ``dealer_ids`` (``waiting_for_action``; two queries)."""
    rows = (
        QualityAlert.objects.for_user(user)
        .filter(waiting_for_action(now=now), dealer_id__in=list(dealer_ids))
        .order_by()
        .values("dealer_id")
        .annotate(count=Count("id"), oldest=Min("open_since"))
    )
    return {row["dealer_id"]: (row["count"], row["oldest"]) for row in rows}


def run_alerts(*, run: EvaluationRun, dealer_id: int) -> QuerySet[QualityAlert]:
    """The dealer's alerts a run raised or found a further reason for (the run's result page)."""
    found = QualityAlert.objects.filter(reasons__run=run, dealer_id=dealer_id).values("pk")
    return with_list_relations(QualityAlert.objects.filter(Q(run=run, dealer_id=dealer_id) | Q(pk__in=found))).order_by(
        "kind", "indicator_code", "id"
    )


def with_list_relations(qs: QuerySet[QualityAlert]) -> QuerySet[QualityAlert]:
    """What a list of alerts shows: dealer, run and version, indicator, crisis alert, the reasons and the latest
    action with its owner (three queries however long the list)."""
    return qs.select_related("dealer", "run__system_version", "indicator", "crisis_alert").prefetch_related(
        Prefetch("reasons", queryset=AlertReason.objects.select_related("run").order_by("found_at", "id")),
        Prefetch("actions", queryset=ImprovementAction.objects.select_related("owner").order_by("-created_at", "-id"),
                 to_attr="recent_actions"),
    )  # fmt: skip


def filter_by_reason(qs: QuerySet[QualityAlert], reason: str) -> QuerySet[QualityAlert]:
    """Indicator alerts with this reason (an alert holds a reason once, so the join repeats no row)."""
    return qs.filter(reasons__kind=reason) if reason else qs


def filter_by_action(qs: QuerySet[QualityAlert], action: str, *, today: date | None = None) -> QuerySet[QualityAlert]:
    """*none*: open without an action in progress; *late*: so for longer than the escalation period
    (``waiting_for_action``); *active*: an action in progress; *overdue*: in progress past its due date (at most one
    action in progress per alert, so the join repeats no row)."""
    if action == AlertActionFilter.NONE:
        return qs.filter(status=AlertStatus.OPEN)
    if action == AlertActionFilter.LATE:
        return qs.filter(waiting_for_action(now=timezone.now()))
    if action == AlertActionFilter.ACTIVE:
        return qs.filter(status=AlertStatus.ACTION_PLANNED)
    if action == AlertActionFilter.OVERDUE:
        return qs.filter(status=AlertStatus.ACTION_PLANNED, actions__status__in=ActionStatus.active(),
                         actions__due_date__lt=today or timezone.localdate())  # fmt: skip
    return qs


def filter_by_escalation(qs: QuerySet[QualityAlert], escalated: str) -> QuerySet[QualityAlert]:
    """*any*: escalated at all; "1": to the service managers (and no further); "2": to the region."""
    if escalated == "any":
        return qs.filter(escalation_level__gt=EscalationLevel.NONE)
    if escalated in ESCALATION_FILTERS:
        return qs.filter(escalation_level=int(escalated))
    return qs


def alert_list(*, user: User) -> QuerySet[QualityAlert]:
    """The alerts of the user's dealers, newest first (evaluation.api.alerts.QualityAlertFilterSet filters them:
    status, kind, reason, action, escalation, dealer, indicator code)."""
    return with_list_relations(QualityAlert.objects.for_user(user)).order_by("-raised_at", "-id")


def action_list(*, user: User) -> QuerySet[ImprovementAction]:
    """The improvement actions of the user's dealers by due date (ImprovementActionFilterSet filters them)."""
    return (
        ImprovementAction.objects.for_user(user)
        .select_related("dealer", "owner", "alert__indicator", "alert__crisis_alert", "checked_run")
        .prefetch_related(Prefetch("alert__reasons", queryset=AlertReason.objects.select_related("run")))
        .order_by("due_date", "id")
    )
