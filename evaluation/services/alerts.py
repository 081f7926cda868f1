"""Act (PDCA): quality alerts raised by evaluation runs, their escalation, improvement actions, and their check.

A finished run (``evaluation.services.runs``) calls ``after_run``: ``raise_alerts`` raises, for every dealer of the run,
- one *indicator* alert per breach, with each reason it has as its own row (``AlertReason``):
  *below floor*: the indicator's value is worse than its floor (direction-aware; exactly at the floor is not worse);
  *drop*: its score (0–100) fell by more than ``drop_points()`` compared with the dealer's result in the previous
  month's run of the same scope (the published one, else the latest finished one).
  A breach that already has an unresolved alert (open / action planned) gets no second alert: a reason it did not
  have yet is added to it (recorded in its history); a reason it has is not repeated;
- *complaint cluster*: an open (unacknowledged) complaints crisis alert of the dealer raised in the run's month.
No data (value or score None) and a figure on fewer records than the run's minimum sample
(``EvaluationRun.has_enough_data``, the version's ``min_sample``) never raise.  Raising is
idempotent per run, and a crisis alert is linked once.

Then ``check_actions`` checks every improvement action of the run's dealers that is not yet checked, whose due
date falls within or before the run's month, and whose alert came from an earlier month: *effective* when the
indicator is now at or better than its floor (with a drop reason: and its score is back within ``drop_points()``
of the level before the drop; for a complaint cluster: no new crisis alert on the same issue in the month), *not
effective* otherwise; without data the action stays *waiting for the check* with a note.  An effective action
closes the alert; a failed one re-opens it for the next PDCA cycle (and its escalation starts again).

``alerts_escalate`` (daily, ``core.schedule``) escalates an alert still open without an improvement action:
after the version's ``alert_escalation_days`` (default 7) to the dealer's service managers (a to-do), after twice
as many to the region (region managers filter their alert list on it).  Planning an action stops it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from accounts.choices import Role
from accounts.models import User
from complaints.choices import EscalationLevel
from core.dates import Month, local_moment
from core.permissions import allowed, require
from core.services import lock_version, save_next_version
from core.state import StateMachine, Transition, TransitionError
from evaluation import display, notices
from evaluation.choices import (
    ActionStatus,
    AlertKind,
    AlertReasonKind,
    AlertStatus,
    IndicatorDirection,
)
from evaluation.models import (
    AlertReason,
    DealerEvaluation,
    EvaluationRun,
    ImprovementAction,
    Indicator,
    QualityAlert,
)
from evaluation.models.alerts import _fmt, _month, reason_message
from evaluation.selectors import alerts as alert_selectors

#: An indicator score falling by more than this many points (0–100 scale) month on month raises a drop alert.
DROP_POINTS = 10.0
UNRESOLVED = (AlertStatus.OPEN, AlertStatus.ACTION_PLANNED)
PLAN = "evaluation.add_improvementaction"
CHANGE_ACTION = "evaluation.change_improvementaction"
CHANGE_ALERT = "evaluation.change_qualityalert"
ACTION_FIELDS = ("owner", "cause_analysis", "plan", "due_date")

#: PDCA of an improvement action: the moves people make (start it, hand it to the check, back to work), and the
#: check's, made by a run (``check_actions``): the verdict, or waiting for data.
_A = ActionStatus
ACTION_STATES = StateMachine(
    [
        Transition("start", _A.IN_PROGRESS.label, {_A.PLANNED, _A.CHECKING}, _A.IN_PROGRESS, CHANGE_ACTION),
        Transition("request_check", _A.CHECKING.label, {_A.PLANNED, _A.IN_PROGRESS}, _A.CHECKING, CHANGE_ACTION),
        Transition("await_check", _A.CHECKING.label, _A.active(), _A.CHECKING, offered=False),
        Transition("find_effective", _A.EFFECTIVE.label, _A.active(), _A.EFFECTIVE, offered=False),
        Transition("find_not_effective", _A.NOT_EFFECTIVE.label, _A.active(), _A.NOT_EFFECTIVE, offered=False),
    ],
    statuses=ActionStatus,
    refused=gettext_lazy("An action cannot go from %(from)s to %(to)s."),
    error_field="status",
)


def drop_points() -> float:
    """The points of a score drop that raise an alert (settings.EVALUATION_DROP_POINTS, default 10)."""
    return float(getattr(settings, "EVALUATION_DROP_POINTS", DROP_POINTS))


def worse_than_floor(value: float | None, floor: float, direction: str) -> bool | None:
    """Whether the value is worse than the floor (None: no data). At the floor is not worse."""
    if value is None:
        return None
    return value > floor if direction == IndicatorDirection.LOWER else value < floor


# --------------------------------------------------------------------------------------------------------------------
# What an alert says
# --------------------------------------------------------------------------------------------------------------------


def subject(alert: QualityAlert) -> str:
    """What the alert is about in a few words: the indicator's code and name, or "complaint cluster"."""
    if alert.indicator is not None:
        return f"{alert.indicator_code} {alert.indicator.name}"
    return alert.indicator_code or alert.get_kind_display()


# --------------------------------------------------------------------------------------------------------------------
# Raised by a run
# --------------------------------------------------------------------------------------------------------------------


def previous_run(run: EvaluationRun) -> EvaluationRun | None:
    """The run of the same scope for the month before: the published one, else the latest finished one."""
    before = Month.of(run.period_start).previous().first_day
    runs = EvaluationRun.objects.filter(oem_id=run.oem_id, period_start=before, status=EvaluationRun.Status.DONE)
    runs = runs.filter(region_id=run.region_id) if run.region_id else runs.filter(region__isnull=True)
    return runs.order_by("-published", "-finished_at", "-id").first()


def _breaches(run: EvaluationRun, results: dict[int, dict], indicators: dict[str, Indicator],
              found_at: datetime) -> dict[tuple[int, str], list[AlertReason]]:  # fmt: skip
    """The reasons (unsaved) each (dealer, indicator code) of the run has for an alert."""
    previous = previous_run(run)
    before = {}
    if previous is not None:
        rows = DealerEvaluation.objects.filter(run=previous, dealer_id__in=sorted(results)).only("dealer", "indicators")
        before = {r.dealer_id: r.indicators for r in rows}
    points = drop_points()
    breaches = {}
    for dealer_id in sorted(results):
        for code, figures in results[dealer_id].items():
            indicator = indicators.get(code)
            # Too few records (the run's minimum sample, one rule: EvaluationRun.has_enough_data) raise nothing.
            if indicator is None or not figures or not run.has_enough_data(code, figures.get("n")):
                continue
            reasons = []
            value, floor = figures.get("value"), float(indicator.floor)
            if worse_than_floor(value, floor, indicator.direction):
                reasons.append(AlertReason(kind=AlertReasonKind.BELOW_FLOOR, run=run, value=value, threshold=floor,
                                           found_at=found_at))  # fmt: skip
            score = figures.get("score")
            last_month = (before.get(dealer_id) or {}).get(code)
            enough_before = bool(last_month) and previous.has_enough_data(code, last_month.get("n"))
            earlier = last_month.get("score") if enough_before else None
            if score is not None and earlier is not None and earlier - score > points:
                reasons.append(AlertReason(kind=AlertReasonKind.DROP, run=run, value=score, previous_value=earlier,
                                           threshold=points, found_at=found_at))  # fmt: skip
            if reasons:
                breaches[(dealer_id, code)] = reasons
    return breaches


@transaction.atomic
def raise_alerts(run: EvaluationRun) -> list[QualityAlert]:
    """Raise the quality alerts of a finished run; returns the alerts raised and those given a new reason
    (idempotent: calling it again changes nothing)."""
    from complaints.models import CrisisAlert

    run = EvaluationRun.objects.select_for_update(of=("self",)).select_related("system_version").get(pk=run.pk)
    if run.status != EvaluationRun.Status.DONE:
        return []
    results = {r.dealer_id: r.indicators for r in DealerEvaluation.objects.filter(run=run).only("dealer", "indicators")}
    if not results:
        return []
    dealer_ids = sorted(results)
    indicators = {i.code: i for i in Indicator.objects.filter(dimension__system_version_id=run.system_version_id)}
    found_at = run.finished_at or timezone.now()
    breaches = _breaches(run, results, indicators, found_at)

    unresolved = {
        (alert.dealer_id, alert.indicator_code): alert
        for alert in QualityAlert.objects.select_for_update(of=("self",))
        .filter(dealer_id__in=dealer_ids, kind=AlertKind.INDICATOR, status__in=UNRESOLVED)
        .select_related("indicator").prefetch_related("reasons__run")
    }  # fmt: skip
    # A breach this run raised or added a reason to, then dismissed or closed, is not raised again by this run.
    seen = set(
        QualityAlert.objects.filter(Q(run=run) | Q(reasons__run=run), kind=AlertKind.INDICATOR).values_list(
            "dealer_id", "indicator_code"
        )
    )
    fresh: list[tuple[QualityAlert, list[AlertReason]]] = []
    grown: list[tuple[QualityAlert, list[AlertReason]]] = []
    for (dealer_id, code), reasons in breaches.items():
        alert = unresolved.get((dealer_id, code))
        if alert is not None:
            have = {reason.kind for reason in alert.reasons.all()}
            new = [reason for reason in reasons if reason.kind not in have]
            if new:
                grown.append((alert, new))
        elif (dealer_id, code) not in seen:
            alert = QualityAlert(run=run, dealer_id=dealer_id, kind=AlertKind.INDICATOR, indicator=indicators[code],
                                 indicator_code=code, raised_at=found_at, open_since=found_at)  # fmt: skip
            fresh.append((alert, reasons))

    start, end = Month.of(run.period_start).bounds()
    crises = (
        CrisisAlert.objects.filter(dealer_id__in=dealer_ids, acknowledged_at__isnull=True, raised_at__gte=start,
                                   raised_at__lt=end, quality_alerts__isnull=True)
        .order_by("raised_at", "id")
    )  # fmt: skip
    clusters = [QualityAlert(run=run, dealer_id=crisis.dealer_id, kind=AlertKind.COMPLAINT_CLUSTER,
                             crisis_alert=crisis, raised_at=found_at, open_since=found_at)
                for crisis in crises]  # fmt: skip

    new_alerts = [alert for alert, _reasons in fresh] + clusters
    if new_alerts:
        bulk_create_with_history(new_alerts, QualityAlert, batch_size=500)
    reasons = []
    for alert, alert_reasons in fresh + grown:
        for reason in alert_reasons:
            reason.alert = alert
            reasons.append(reason)
    if reasons:
        bulk_create_with_history(reasons, AlertReason, batch_size=500)
    for alert, new in grown:
        note = _("Reason added: %(reasons)s") % {"reasons": " ".join(reason_message(alert, r) for r in new)}
        save_next_version(alert, by=None, reason=note, update_fields=[], clean=False)
    return new_alerts + [alert for alert, _new in grown]


def _reopen(alert: QualityAlert, now: datetime) -> list[str]:
    """Open the alert again for a new PDCA cycle: its escalation starts again from now."""
    alert.status, alert.closed_at, alert.open_since = AlertStatus.OPEN, None, now
    alert.escalation_level, alert.escalated_at, alert.region_escalated_at = EscalationLevel.NONE, None, None
    alert.escalation_task = None
    return ["status", "closed_at", "open_since", "escalation_level", "escalated_at", "region_escalated_at",
            "escalation_task"]  # fmt: skip


@transaction.atomic
def check_actions(run: EvaluationRun) -> list[ImprovementAction]:
    """Check the improvement actions due by the end of the run's month (see the module docstring)."""
    from complaints.models import CrisisAlert

    if run.status != EvaluationRun.Status.DONE:
        return []
    results = {r.dealer_id: r.indicators for r in DealerEvaluation.objects.filter(run=run).only("dealer", "indicators")}
    due = list(
        ImprovementAction.objects.select_for_update(of=("self",))
        .filter(dealer_id__in=sorted(results), status__in=ActionStatus.active(), due_date__lte=run.period_end,
                alert__run__period_start__lt=run.period_start)
        .select_related("alert__crisis_alert", "task").prefetch_related("alert__reasons")
        .order_by("id")
    )  # fmt: skip
    if not due:
        return []
    indicators = {i.code: i for i in Indicator.objects.filter(dimension__system_version_id=run.system_version_id)}
    start, end = Month.of(run.period_start).bounds()
    now = timezone.now()
    points = drop_points()
    month = _month(run.period_start)
    for action in due:
        alert = action.alert
        figures = results[action.dealer_id].get(alert.indicator_code) or {}
        indicator = indicators.get(alert.indicator_code)
        value, score = figures.get("value"), figures.get("score")
        drop = next((r for r in alert.reasons.all() if r.kind == AlertReasonKind.DROP), None)
        verdict, note = None, ""
        if alert.kind == AlertKind.COMPLAINT_CLUSTER:
            key = alert.crisis_alert.cluster_key if alert.crisis_alert_id else ""
            again = CrisisAlert.objects.filter(dealer_id=action.dealer_id, raised_at__gte=start, raised_at__lt=end)
            if key:
                again = again.filter(cluster_key=key)
            count = again.count()
            verdict = count == 0
            note = (_("No new crisis alert on this issue in %(month)s.") if verdict else
                    _("%(count)s new crisis alert(s) on this issue in %(month)s.")) % {
                "month": month, "count": count}  # fmt: skip
        elif indicator is None or value is None:
            note = _("No data for %(code)s in %(month)s: checked again by the next run.") % {
                "code": alert.indicator_code, "month": month}  # fmt: skip
        else:
            floor = float(indicator.floor)
            recovered = not worse_than_floor(value, floor, indicator.direction)
            parts = [_("%(code)s is %(value)s in %(month)s (floor %(floor)s).") % {
                "code": alert.indicator_code, "value": display.with_unit(_fmt(value), indicator.unit),
                "month": month, "floor": display.with_unit(_fmt(floor), indicator.unit)}]  # fmt: skip
            if drop is not None:
                back = score is not None and drop.previous_value is not None and drop.previous_value - score <= points
                parts.append(_("Score %(score)s against %(previous)s before the drop.") % {
                    "score": _fmt(score), "previous": _fmt(drop.previous_value)})  # fmt: skip
                recovered = recovered and back
            verdict, note = recovered, " ".join(parts)
        action.check_result = note
        action.checked_at, action.checked_run = now, run
        only_drop = drop is not None and len(alert.reasons.all()) == 1
        action.checked_value = score if only_drop else value
        check = "await_check" if verdict is None else "find_effective" if verdict else "find_not_effective"
        ACTION_STATES.apply(action, check, by=None, at=now, note=note)
        if verdict is not None:
            _close_task(action.task, note)
            if verdict:
                alert.status, alert.closed_at = AlertStatus.CLOSED, now
                changed = ["status", "closed_at"]
            else:
                changed = _reopen(alert, now)
            save_next_version(alert, by=None, update_fields=changed, clean=False)
        save_next_version(action, by=None, clean=False)
    return due


def after_run(run: EvaluationRun) -> None:
    """What a finished run does for PDCA: raise its alerts, then check the actions that are due."""
    raise_alerts(run)
    check_actions(run)


# --------------------------------------------------------------------------------------------------------------------
# Escalation of an alert nobody acts on
# --------------------------------------------------------------------------------------------------------------------


@dataclass
class AlertEscalation:
    """The alerts one escalation pass sent to the service managers and to the region (ids)."""

    to_manager: list[int] = field(default_factory=list)
    to_region: list[int] = field(default_factory=list)


def escalation_times(alert: QualityAlert) -> tuple[datetime | None, datetime | None]:
    """When an open alert without an action will go to the service managers and to the region (None: it will not,
    or it already did)."""
    if alert.status != AlertStatus.OPEN or alert.open_since is None:
        return None, None
    step = timedelta(days=alert.run.system_version.alert_escalation_days)
    to_manager = alert.open_since + step if alert.escalation_level == EscalationLevel.NONE else None
    to_region = alert.open_since + 2 * step if alert.escalation_level < EscalationLevel.REGION else None
    return to_manager, to_region


def _escalation_title(alert: QualityAlert, days: int) -> str:
    return (_("Quality alert %(subject)s (%(month)s) open for %(days)s days without an improvement action: "
              "plan one") % {"subject": subject(alert), "month": _month(alert.run.period_start),
                             "days": days})[:200]  # fmt: skip


def alerts_escalate(*, now: datetime | None = None) -> AlertEscalation:
    """Escalate every alert open without an improvement action for N days (N = ``alert_escalation_days`` of the
    version its run used; the rule is ``evaluation.selectors.alerts.waiting_for_action``): to the dealer's service
    managers (a to-do due when it goes further), then after 2·N days to the region.  Idempotent: an alert reaches
    a level once; each alert in its own transaction, row locked, so a concurrent plan or dismissal wins (the alert
    is skipped)."""
    from todo.choices import TaskKind
    from todo.services import task_create

    now = now or timezone.now()
    result = AlertEscalation()
    due = (Q(escalation_level=EscalationLevel.NONE) & alert_selectors.waiting_for_action(now=now)) | (
        Q(escalation_level__lt=EscalationLevel.REGION) & alert_selectors.waiting_for_action(now=now, periods=2)
    )
    for pk in QualityAlert.objects.filter(due).order_by("open_since", "id").values_list("pk", flat=True):
        with transaction.atomic():
            alert = (
                QualityAlert.objects.select_for_update(of=("self",))
                .select_related("dealer", "indicator", "run__system_version")
                .filter(due, pk=pk)
                .first()
            )
            if alert is None:
                continue
            days = alert.run.system_version.alert_escalation_days
            step = timedelta(days=days)
            notes = []
            if alert.escalation_level == EscalationLevel.NONE:
                alert.escalation_task = task_create(
                    dealer=alert.dealer, kind=TaskKind.OTHER, title=_escalation_title(alert, days),
                    due_at=alert.open_since + 2 * step, role=Role.SERVICE_MANAGER, by=None,
                )  # fmt: skip
                alert.escalation_level, alert.escalated_at = EscalationLevel.SERVICE_MANAGER, now
                notes.append(_("escalated to the service manager"))
                result.to_manager.append(alert.pk)
            if alert.open_since <= now - 2 * step:
                alert.escalation_level, alert.region_escalated_at = EscalationLevel.REGION, now
                notes.append(_("escalated to the region"))
                result.to_region.append(alert.pk)
            note = _("No improvement action after %(days)s days: %(steps)s") % {
                "days": (now - alert.open_since).days, "steps": ", ".join(notes)}  # fmt: skip
            save_next_version(alert, by=None, reason=note, clean=False, update_fields=[
                "escalation_level", "escalated_at", "region_escalated_at", "escalation_task"])  # fmt: skip
    return result


# --------------------------------------------------------------------------------------------------------------------
# People's steps
# --------------------------------------------------------------------------------------------------------------------


def owner_choices(dealer_id: int) -> QuerySet[User]:
    """Who may own an improvement action of the dealer: its active users."""
    return User.objects.filter(is_active=True, dealer_memberships__dealer_id=dealer_id).order_by("username")


def _validate_action(*, dealer_id: int, owner, due_date, cause_analysis: str, plan: str, today: date) -> None:
    errors = {}
    if owner is None or not owner_choices(dealer_id).filter(pk=owner.pk).exists():
        errors["owner"] = _("The owner must be an active user of the dealer.")
    if due_date is None:
        errors["due_date"] = _("Give the due date.")
    elif due_date < today:
        errors["due_date"] = _("The due date cannot be in the past.")
    if not (cause_analysis or "").strip():
        errors["cause_analysis"] = _("Say what caused the problem.")
    if not (plan or "").strip():
        errors["plan"] = _("Say what will be done.")
    if errors:
        raise ValidationError(errors)


def _task_due(due_date: date) -> datetime:
    return local_moment(due_date, time(10))


def _task_title(alert: QualityAlert) -> str:
    title = _("Improvement action %(subject)s (%(kind)s): carry out the measures") % {
        "subject": alert.indicator_code or alert.get_kind_display(), "kind": alert.get_kind_display()}  # fmt: skip
    return title[:200]


def _close_task(task, outcome: str, *, by: User | None = None) -> None:
    """Close an open to-do of an action or an escalation with its outcome (a closed one stays as it is)."""
    from todo.choices import TaskStatus

    if task is None or task.status != TaskStatus.OPEN:
        return
    task.status, task.outcome, task.done_at, task.done_by = TaskStatus.DONE, outcome[:1000], timezone.now(), by
    task._history_user = by
    task.save(update_fields=["status", "outcome", "done_at", "done_by"])


@transaction.atomic
def alert_acknowledge(*, alert: QualityAlert, by: User) -> QualityAlert:
    """Note that the dealer has seen the alert (once; planning an action or dismissing also does it)."""
    require(by, CHANGE_ALERT)  # the permission first: its message wins when both fail
    require(by, dealer=alert.dealer_id)
    alert = QualityAlert.objects.select_for_update().get(pk=alert.pk)
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = timezone.now(), by
        save_next_version(alert, by=by, update_fields=["acknowledged_at", "acknowledged_by"], clean=False)
    return alert


@transaction.atomic
def alert_dismiss(*, alert: QualityAlert, by: User, reason: str, version: int | None) -> QualityAlert:
    """Dismiss an open alert with a reason (e.g. a data error); an alert with an action is not dismissed."""
    require(by, CHANGE_ALERT)
    require(by, dealer=alert.dealer_id)
    lock_version(alert, expected_version=version)
    alert = QualityAlert.objects.select_related("escalation_task").get(pk=alert.pk)
    if alert.status != AlertStatus.OPEN:
        raise ValidationError(_("Only an open alert without an action in progress can be dismissed."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the alert is dismissed.")})
    now = timezone.now()
    alert.status, alert.dismissal_reason, alert.closed_at = AlertStatus.DISMISSED, reason.strip()[:300], now
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = now, by
    save_next_version(alert, by=by, clean=False)
    _close_task(alert.escalation_task, _("Alert dismissed: %(reason)s") % {"reason": alert.dismissal_reason}, by=by)
    return alert


@transaction.atomic
def action_create(*, alert: QualityAlert, by: User, owner: User, cause_analysis: str, plan: str,
                  due_date: date) -> ImprovementAction:  # fmt: skip
    """Plan an improvement action on an open alert; the owner gets a to-do due at the due date, the escalation
    stops (its to-do is done)."""
    from todo.choices import TaskKind
    from todo.services import task_create

    require(by, PLAN)
    require(by, dealer=alert.dealer_id)
    alert = (
        QualityAlert.objects.select_for_update(of=("self",))
        .select_related("dealer", "indicator", "escalation_task")
        .get(pk=alert.pk)
    )
    if alert.status != AlertStatus.OPEN:
        raise ValidationError(_("An action is planned only on an open alert (one action at a time)."))
    _validate_action(dealer_id=alert.dealer_id, owner=owner, due_date=due_date, cause_analysis=cause_analysis,
                     plan=plan, today=timezone.localdate())  # fmt: skip
    task = task_create(dealer=alert.dealer, kind=TaskKind.OTHER, title=_task_title(alert), due_at=_task_due(due_date),
                       role=Role.SERVICE_MANAGER, assignee=owner, by=by)  # fmt: skip
    action = ImprovementAction(alert=alert, dealer_id=alert.dealer_id, owner=owner, task=task, created_by=by,
                               cause_analysis=cause_analysis.strip(), plan=plan.strip(), due_date=due_date)  # fmt: skip
    action._history_user = by
    action.full_clean()
    action.save()
    now = timezone.now()
    alert.status = AlertStatus.ACTION_PLANNED
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = now, by
    save_next_version(alert, by=by, clean=False)
    _close_task(alert.escalation_task, _("Improvement action planned, due %(due)s.") % {"due": f"{due_date:%Y-%m-%d}"},
                by=by)  # fmt: skip
    notices.action_assigned(action, by=by)
    return action


@transaction.atomic
def action_update(*, action: ImprovementAction, by: User, version: int | None, **fields) -> ImprovementAction:
    """Change the owner, cause analysis, measures or due date of an action not yet checked (optimistic lock)."""
    require(by, CHANGE_ACTION)
    require(by, dealer=action.dealer_id)
    lock_version(action, expected_version=version)
    action = ImprovementAction.objects.select_related("task").get(pk=action.pk)
    if not action.is_active:
        raise ValidationError(_("A checked action is not changed any more."))
    previous_due, previous_owner = action.due_date, action.owner_id
    for name, value in fields.items():
        if name in ACTION_FIELDS:
            setattr(action, name, value.strip() if isinstance(value, str) else value)
    today = timezone.localdate()
    # An unchanged due date may have passed already; a new one cannot be in the past.
    moved = action.due_date != previous_due
    _validate_action(dealer_id=action.dealer_id, owner=action.owner, due_date=action.due_date,
                     cause_analysis=action.cause_analysis, plan=action.plan,
                     today=today if moved or action.due_date is None else min(today, action.due_date))  # fmt: skip
    save_next_version(action, by=by, clean=False)
    task = action.task
    if task is not None and (task.assignee_id != action.owner_id or task.due_at != _task_due(action.due_date)):
        task.assignee, task.due_at = action.owner, _task_due(action.due_date)
        task._history_user = by
        task.save(update_fields=["assignee", "due_at"])
    if action.owner_id != previous_owner:
        notices.action_assigned(action, by=by)
    return action


@transaction.atomic
def action_move(*, action: ImprovementAction, by: User, status: str, version: int | None,
                note: str = "") -> ImprovementAction:  # fmt: skip
    """Move an action along PDCA (start it, hand it to the check); only a run gives the verdict."""
    require(by, CHANGE_ACTION)
    require(by, dealer=action.dealer_id)
    lock_version(action, expected_version=version)
    action = ImprovementAction.objects.get(pk=action.pk)
    transition = ACTION_STATES.leading_to(action, status)
    if transition is None:
        raise TransitionError({"status": _("An action cannot go from %(from)s to %(to)s.") % {
            "from": action.get_status_display(), "to": dict(ActionStatus.choices).get(status, status)}})  # fmt: skip
    ACTION_STATES.apply(action, transition.action, by=by, note=note)
    if note.strip():
        action.plan = f"{action.plan}\n[{timezone.localdate():%Y-%m-%d}] {note.strip()}"
    return save_next_version(action, by=by, clean=False)


def can_plan(user: User, alert: QualityAlert) -> bool:
    return alert.status == AlertStatus.OPEN and allowed(user, PLAN, dealer=alert.dealer_id)


def can_change(user: User, record, perm: str) -> bool:
    return allowed(user, perm, dealer=record.dealer_id)
