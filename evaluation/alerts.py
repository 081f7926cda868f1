"""Act (PDCA): quality alerts raised by evaluation runs, improvement actions, and their check by a later run.

A finished run (``evaluation.runs``) calls ``after_run``: ``raise_alerts`` raises, for every dealer of the run,
- *below floor*: an indicator's value is worse than its floor (direction-aware; exactly at the floor is not worse),
- *drop*: an indicator's score (0–100) fell by more than ``drop_points()`` compared with the dealer's result in the
  previous month's run of the same scope (the published one, else the latest finished one),
- *complaint cluster*: an open (unacknowledged) complaints crisis alert of the dealer raised in the run's month.
No data (value or score None) never raises.  Raising is idempotent per run, a crisis alert is linked once, and a
breach that already has an unresolved alert (open / action planned) does not raise a second one.

Then ``check_actions`` checks every improvement action of the run's dealers that is not yet checked, whose due
date falls within or before the run's month, and whose alert came from an earlier month: *effective* when the
indicator is now at or better than its floor (for a drop: and its score is back within ``drop_points()`` of the
level before the drop; for a complaint cluster: no new crisis alert on the same issue in the month), *not
effective* otherwise; without data the action stays *waiting for the check* with a note.  An effective action
closes the alert; a failed one re-opens it for the next PDCA cycle.
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from accounts.choices import Role
from accounts.models import User
from core.services import lock_version
from core.tenancy import require_write_scope
from evaluation.choices import ActionStatus, AlertKind, AlertStatus, IndicatorDirection
from evaluation.models import DealerEvaluation, EvaluationRun, ImprovementAction, Indicator, QualityAlert

#: An indicator score falling by more than this many points (0–100 scale) month on month raises a drop alert.
DROP_POINTS = 10.0
UNRESOLVED = (AlertStatus.OPEN, AlertStatus.ACTION_PLANNED)
PLAN = "evaluation.add_improvementaction"
CHANGE_ACTION = "evaluation.change_improvementaction"
CHANGE_ALERT = "evaluation.change_qualityalert"
ACTION_FIELDS = ("owner", "cause_analysis", "plan", "due_date")

#: Status moves people make; the verdicts (effective / not effective) are the check's, made by a run.
ACTION_MOVES: dict[str, tuple[str, ...]] = {
    ActionStatus.PLANNED: (ActionStatus.IN_PROGRESS, ActionStatus.CHECKING),
    ActionStatus.IN_PROGRESS: (ActionStatus.CHECKING,),
    ActionStatus.CHECKING: (ActionStatus.IN_PROGRESS,),
}


MIN_SAMPLE = 5
# Figures over a whole population (every technician, every stocked part, the audit) are not samples.
POPULATION_CODES = frozenset({"C3", "C4", "F2", "G"})


def min_sample() -> int:
    """Records a sampled figure must stand on before it raises an alert (settings.EVALUATION_MIN_SAMPLE, default 5):
    a rate over two visits jumps between 0 and 100 and would raise alerts about noise."""
    return int(getattr(settings, "EVALUATION_MIN_SAMPLE", MIN_SAMPLE))


def _enough(code: str, figures: dict | None) -> bool:
    return bool(figures) and (code in POPULATION_CODES or (figures.get("n") or 0) >= min_sample())


def drop_points() -> float:
    """The points of a score drop that raise an alert (settings.EVALUATION_DROP_POINTS, default 10)."""
    return float(getattr(settings, "EVALUATION_DROP_POINTS", DROP_POINTS))


def worse_than_floor(value: float | None, floor: float, direction: str) -> bool | None:
    """Whether the value is worse than the floor (None: no data). At the floor is not worse."""
    if value is None:
        return None
    return value > floor if direction == IndicatorDirection.LOWER else value < floor


def alert_message(alert: QualityAlert) -> str:
    """The alert in a sentence, in the active language."""
    name = ""
    if alert.indicator is not None:
        name = alert.indicator.name_en if translation_is_english() else alert.indicator.name_zh
    figures = {"code": alert.indicator_code, "name": name, "value": _fmt(alert.value),
               "previous": _fmt(alert.previous_value), "threshold": _fmt(alert.threshold)}  # fmt: skip
    if alert.kind == AlertKind.BELOW_FLOOR:
        return _("%(code)s %(name)s is %(value)s, worse than its floor %(threshold)s.") % figures
    if alert.kind == AlertKind.DROP:
        return _("%(code)s %(name)s: the score fell from %(previous)s to %(value)s (more than %(threshold)s "
                 "points).") % figures  # fmt: skip
    summary = alert.crisis_alert.summary if alert.crisis_alert_id else ""
    return _("Complaint cluster: %(summary)s") % {"summary": summary}


def translation_is_english() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "").startswith("en")


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


# --------------------------------------------------------------------------------------------------------------------
# Raised by a run
# --------------------------------------------------------------------------------------------------------------------


def previous_run(run: EvaluationRun) -> EvaluationRun | None:
    """The run of the same scope for the month before: the published one, else the latest finished one."""
    first = run.period_start
    before = date(first.year - 1, 12, 1) if first.month == 1 else date(first.year, first.month - 1, 1)
    runs = EvaluationRun.objects.filter(oem_id=run.oem_id, period_start=before, status=EvaluationRun.Status.DONE)
    runs = runs.filter(region_id=run.region_id) if run.region_id else runs.filter(region__isnull=True)
    return runs.order_by("-published", "-finished_at", "-id").first()


def _month(run: EvaluationRun) -> tuple[datetime, datetime]:
    from evaluation.runs import month_bounds

    _first, _last, start, end = month_bounds(run.period_start.year, run.period_start.month)
    return start, end


@transaction.atomic
def raise_alerts(run: EvaluationRun) -> list[QualityAlert]:
    """Raise the quality alerts of a finished run (idempotent: calling it again raises nothing new)."""
    from complaints.models import CrisisAlert

    run = EvaluationRun.objects.select_for_update().get(pk=run.pk)
    if run.status != EvaluationRun.Status.DONE:
        return []
    results = {r.dealer_id: r.indicators for r in DealerEvaluation.objects.filter(run=run).only("dealer", "indicators")}
    if not results:
        return []
    dealer_ids = sorted(results)
    indicators = {i.code: i for i in Indicator.objects.filter(dimension__system_version_id=run.system_version_id)}
    previous = previous_run(run)
    before = {}
    if previous is not None:
        rows = DealerEvaluation.objects.filter(run=previous, dealer_id__in=dealer_ids).only("dealer", "indicators")
        before = {r.dealer_id: r.indicators for r in rows}
    taken = set(
        QualityAlert.objects.filter(dealer_id__in=dealer_ids, crisis_alert__isnull=True)
        .filter(Q(run=run) | Q(status__in=UNRESOLVED))
        .values_list("dealer_id", "kind", "indicator_code")
    )
    raised_at = run.finished_at or timezone.now()
    points = drop_points()
    alerts = []

    def add(dealer_id: int, kind: str, indicator: Indicator | None, **figures) -> None:
        key = (dealer_id, kind, indicator.code if indicator else "")
        if key in taken:
            return
        taken.add(key)
        alerts.append(QualityAlert(run=run, dealer_id=dealer_id, kind=kind, indicator=indicator,
                                   indicator_code=key[2], raised_at=raised_at, **figures))  # fmt: skip

    for dealer_id in dealer_ids:
        for code, figures in results[dealer_id].items():
            indicator = indicators.get(code)
            if indicator is None:
                continue
            if not _enough(code, figures):
                continue
            value, floor = figures.get("value"), float(indicator.floor)
            if worse_than_floor(value, floor, indicator.direction):
                add(dealer_id, AlertKind.BELOW_FLOOR, indicator, value=value, threshold=floor)
            score = figures.get("score")
            last_month = (before.get(dealer_id) or {}).get(code)
            earlier = last_month.get("score") if _enough(code, last_month) else None
            if score is not None and earlier is not None and earlier - score > points:
                add(dealer_id, AlertKind.DROP, indicator, value=score, previous_value=earlier, threshold=points)
    start, end = _month(run)
    crises = (
        CrisisAlert.objects.filter(dealer_id__in=dealer_ids, acknowledged_at__isnull=True, raised_at__gte=start,
                                   raised_at__lt=end, quality_alerts__isnull=True)
        .order_by("raised_at", "id")
    )  # fmt: skip
    for crisis in crises:
        alerts.append(QualityAlert(run=run, dealer_id=crisis.dealer_id, kind=AlertKind.COMPLAINT_CLUSTER,
                                   crisis_alert=crisis, raised_at=raised_at))  # fmt: skip
    return bulk_create_with_history(alerts, QualityAlert, batch_size=500) if alerts else []


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
        .select_related("alert__crisis_alert", "task")
        .order_by("id")
    )  # fmt: skip
    if not due:
        return []
    indicators = {i.code: i for i in Indicator.objects.filter(dimension__system_version_id=run.system_version_id)}
    start, end = _month(run)
    now = timezone.now()
    points = drop_points()
    for action in due:
        alert = action.alert
        figures = results[action.dealer_id].get(alert.indicator_code) or {}
        indicator = indicators.get(alert.indicator_code)
        value, score = figures.get("value"), figures.get("score")
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
                "month": f"{run.period_start:%Y-%m}", "count": count}  # fmt: skip
        elif indicator is None or value is None:
            note = _("No data for %(code)s in %(month)s: checked again by the next run.") % {
                "code": alert.indicator_code, "month": f"{run.period_start:%Y-%m}"}  # fmt: skip
        else:
            floor = float(indicator.floor)
            recovered = not worse_than_floor(value, floor, indicator.direction)
            parts = [_("%(code)s is %(value)s in %(month)s (floor %(floor)s).") % {
                "code": alert.indicator_code, "value": _fmt(value), "month": f"{run.period_start:%Y-%m}",
                "floor": _fmt(floor)}]  # fmt: skip
            if alert.kind == AlertKind.DROP:
                back = score is not None and alert.previous_value is not None and (
                    alert.previous_value - score <= points)  # fmt: skip
                parts.append(_("Score %(score)s against %(previous)s before the drop.") % {
                    "score": _fmt(score), "previous": _fmt(alert.previous_value)})  # fmt: skip
                recovered = recovered and back
            verdict, note = recovered, " ".join(parts)
        action.check_result = note
        action.checked_at, action.checked_run = now, run
        action.checked_value = score if alert.kind == AlertKind.DROP else value
        if verdict is None:
            action.status = ActionStatus.CHECKING
        else:
            action.status = ActionStatus.EFFECTIVE if verdict else ActionStatus.NOT_EFFECTIVE
            _close_task(action, note)
            alert.status = AlertStatus.CLOSED if verdict else AlertStatus.OPEN
            alert.closed_at = now if verdict else None
            alert.version += 1
            alert._history_user = None
            alert.save(update_fields=["status", "closed_at", "version"])
        action.version += 1
        action._history_user = None
        action.save()
    return due


def after_run(run: EvaluationRun) -> None:
    """What a finished run does for PDCA: raise its alerts, then check the actions that are due."""
    raise_alerts(run)
    check_actions(run)


# --------------------------------------------------------------------------------------------------------------------
# People's steps
# --------------------------------------------------------------------------------------------------------------------


def _require(user: User, perm: str, dealer_id: int) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied(_("You may not do this."))
    require_write_scope(user, dealer_id)


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
    return timezone.make_aware(datetime.combine(due_date, time(10)))


def _task_title(alert: QualityAlert) -> str:
    subject = alert.indicator_code or alert.get_kind_display()
    return (_("Improvement action %(subject)s (%(kind)s): carry out the measures") % {
        "subject": subject, "kind": alert.get_kind_display()})[:200]  # fmt: skip


def _close_task(action: ImprovementAction, outcome: str) -> None:
    from todo.choices import TaskStatus

    task = action.task
    if task is None or task.status != TaskStatus.OPEN:
        return
    task.status, task.outcome, task.done_at = TaskStatus.DONE, outcome[:1000], timezone.now()
    task._history_user = None
    task.save(update_fields=["status", "outcome", "done_at"])


@transaction.atomic
def alert_acknowledge(*, alert: QualityAlert, by: User) -> QualityAlert:
    """Note that the dealer has seen the alert (once; planning an action or dismissing also does it)."""
    _require(by, CHANGE_ALERT, alert.dealer_id)
    alert = QualityAlert.objects.select_for_update().get(pk=alert.pk)
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = timezone.now(), by
        alert.version += 1
        alert._history_user = by
        alert.save(update_fields=["acknowledged_at", "acknowledged_by", "version"])
    return alert


@transaction.atomic
def alert_dismiss(*, alert: QualityAlert, by: User, reason: str, version: int | None) -> QualityAlert:
    """Dismiss an open alert with a reason (e.g. a data error); an alert with an action is not dismissed."""
    _require(by, CHANGE_ALERT, alert.dealer_id)
    lock_version(alert, expected_version=version)
    alert = QualityAlert.objects.get(pk=alert.pk)
    if alert.status != AlertStatus.OPEN:
        raise ValidationError(_("Only an open alert without an action in progress can be dismissed."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the alert is dismissed.")})
    now = timezone.now()
    alert.status, alert.dismissal_reason, alert.closed_at = AlertStatus.DISMISSED, reason.strip()[:300], now
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = now, by
    alert.version += 1
    alert._history_user = by
    alert.save()
    return alert


@transaction.atomic
def action_create(*, alert: QualityAlert, by: User, owner: User, cause_analysis: str, plan: str,
                  due_date: date) -> ImprovementAction:  # fmt: skip
    """Plan an improvement action on an open alert; the owner gets a to-do due at the due date."""
    from todo.choices import TaskKind
    from todo.services import task_create

    _require(by, PLAN, alert.dealer_id)
    alert = QualityAlert.objects.select_for_update(of=("self",)).select_related("dealer", "indicator").get(pk=alert.pk)
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
    alert.version += 1
    alert._history_user = by
    alert.save()
    return action


@transaction.atomic
def action_update(*, action: ImprovementAction, by: User, version: int | None, **fields) -> ImprovementAction:
    """Change the owner, cause analysis, measures or due date of an action not yet checked (optimistic lock)."""
    _require(by, CHANGE_ACTION, action.dealer_id)
    lock_version(action, expected_version=version)
    action = ImprovementAction.objects.select_related("task").get(pk=action.pk)
    if not action.is_active:
        raise ValidationError(_("A checked action is not changed any more."))
    previous_due = action.due_date
    for name, value in fields.items():
        if name in ACTION_FIELDS:
            setattr(action, name, value.strip() if isinstance(value, str) else value)
    today = timezone.localdate()
    # An unchanged due date may have passed already; a new one cannot be in the past.
    moved = action.due_date != previous_due
    _validate_action(dealer_id=action.dealer_id, owner=action.owner, due_date=action.due_date,
                     cause_analysis=action.cause_analysis, plan=action.plan,
                     today=today if moved or action.due_date is None else min(today, action.due_date))  # fmt: skip
    action.version += 1
    action._history_user = by
    action.save()
    task = action.task
    if task is not None and (task.assignee_id != action.owner_id or task.due_at != _task_due(action.due_date)):
        task.assignee, task.due_at = action.owner, _task_due(action.due_date)
        task._history_user = by
        task.save(update_fields=["assignee", "due_at"])
    return action


@transaction.atomic
def action_move(*, action: ImprovementAction, by: User, status: str, version: int | None,
                note: str = "") -> ImprovementAction:  # fmt: skip
    """Move an action along PDCA (start it, hand it to the check); only a run gives the verdict."""
    _require(by, CHANGE_ACTION, action.dealer_id)
    lock_version(action, expected_version=version)
    action = ImprovementAction.objects.get(pk=action.pk)
    if status not in ACTION_MOVES.get(action.status, ()):
        raise ValidationError({"status": _("An action cannot go from %(from)s to %(to)s.") % {
            "from": action.get_status_display(), "to": dict(ActionStatus.choices).get(status, status)}})  # fmt: skip
    action.status = status
    if note.strip():
        action.plan = f"{action.plan}\n[{timezone.localdate():%Y-%m-%d}] {note.strip()}"
    action.version += 1
    action._history_user = by
    action.save()
    return action


def can_plan(user: User, alert: QualityAlert) -> bool:
    from core.tenancy import dealer_ids_for

    ids = dealer_ids_for(user, write=True)
    return alert.status == AlertStatus.OPEN and user.has_perm(PLAN) and (ids is None or alert.dealer_id in ids)


def can_change(user: User, record, perm: str) -> bool:
    from core.tenancy import dealer_ids_for

    ids = dealer_ids_for(user, write=True)
    return user.has_perm(perm) and (ids is None or record.dealer_id in ids)


# --------------------------------------------------------------------------------------------------------------------
# Reads
# --------------------------------------------------------------------------------------------------------------------


def alert_list(*, user: User, filters: dict) -> QuerySet[QualityAlert]:
    """The alerts of the user's dealers, newest first, filtered by status, kind, dealer and indicator code."""
    qs = QualityAlert.objects.for_user(user).select_related("dealer", "run", "indicator", "crisis_alert")
    for name in ("status", "kind", "indicator_code"):
        if filters.get(name):
            qs = qs.filter(**{name: filters[name]})
    if filters.get("dealer"):
        qs = qs.filter(dealer_id=filters["dealer"])
    return qs.order_by("-raised_at", "-id")


def action_list(*, user: User, filters: dict) -> QuerySet[ImprovementAction]:
    """The improvement actions of the user's dealers by due date, filtered by status, dealer, owner, indicator."""
    qs = ImprovementAction.objects.for_user(user).select_related(
        "dealer", "owner", "alert__indicator", "alert__crisis_alert", "checked_run"
    )
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("dealer"):
        qs = qs.filter(dealer_id=filters["dealer"])
    if filters.get("owner"):
        qs = qs.filter(owner_id=filters["owner"])
    if filters.get("indicator_code"):
        qs = qs.filter(alert__indicator_code=filters["indicator_code"])
    return qs.order_by("due_date", "id")
