"""One alert per indicator breach: the figures of every indicator alert become its reason (below floor / drop);
the alerts one run raised on one indicator of a dealer (a below-floor and a drop alert of the month), and then the
unresolved alerts of one dealer and indicator, are merged into the older one.

The merge moves the newer alert's reasons and improvement actions to the older alert; when both alerts have an
action in progress (at most one is allowed per alert), the newer action's cause analysis and measures are appended
to the older action (the earlier due date stays), its to-do is closed and the action itself is deleted.  Every
change is written to the history tables (a merged alert or action keeps its full record there, with a deletion
entry), so nothing people entered is lost.  The escalation clock (``open_since``) of an open alert starts at its
raising, or at the check that found its last action not effective.

The reverse puts each indicator alert's first reason back into the old columns; merges are not undone.
"""

from django.db import migrations
from django.db.models import Count, F, Max
from django.utils import timezone

ACTIVE = ("planned", "in_progress", "checking")
UNRESOLVED = ("open", "action_planned")
OLD_KINDS = ("below_floor", "drop")


def _record(history_model, instance, history_type: str, reason: str, when) -> None:
    """A history row of ``instance`` as it is now (historical models do not record by themselves in migrations)."""
    values = {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}
    history_model.objects.create(**values, history_date=when, history_type=history_type,
                                 history_change_reason=reason, history_user=None)  # fmt: skip


def _merge_action(active, other, task_model, task_history, action_history, now) -> None:
    """Fold ``other`` (an active action of the merged alert) into ``active`` (the kept alert's active action)."""
    marker = f"[#{other.pk}, {other.due_date:%Y-%m-%d}]"
    active.cause_analysis = f"{active.cause_analysis}\n\n{marker}\n{other.cause_analysis}"
    active.plan = f"{active.plan}\n\n{marker}\n{other.plan}"
    active.due_date = min(active.due_date, other.due_date)
    active.version += 1
    active.save()
    _record(action_history, active, "~", f"merged action {other.pk}", now)
    if other.task_id:
        task = task_model.objects.filter(pk=other.task_id, status="open").first()
        if task is not None:
            task.status, task.outcome, task.done_at = "done", f"merged into improvement action {active.pk}", now
            task.save()
            _record(task_history, task, "~", "alerts merged", now)
    _record(action_history, other, "-", f"merged into action {active.pk}", now)
    other.delete()


def merge_alerts(apps, schema_editor):
    alert_model = apps.get_model("evaluation", "QualityAlert")
    reason_model = apps.get_model("evaluation", "AlertReason")
    action_model = apps.get_model("evaluation", "ImprovementAction")
    alert_history = apps.get_model("evaluation", "HistoricalQualityAlert")
    reason_history = apps.get_model("evaluation", "HistoricalAlertReason")
    action_history = apps.get_model("evaluation", "HistoricalImprovementAction")
    task_model = apps.get_model("todo", "Task")
    task_history = apps.get_model("todo", "HistoricalTask")
    now = timezone.now()

    # 1. The escalation clock: raised, or re-opened by the last not-effective check.
    alert_model.objects.filter(open_since__isnull=True).update(open_since=F("raised_at"))
    reopened = (
        action_model.objects.filter(alert__status="open", status="not_effective", checked_at__isnull=False)
        .values("alert_id").annotate(last=Max("checked_at"))
    )  # fmt: skip
    for row in reopened:
        alert_model.objects.filter(pk=row["alert_id"], raised_at__lt=row["last"]).update(open_since=row["last"])

    # 2. Each indicator alert's figures become its reason.
    for alert in alert_model.objects.filter(kind__in=OLD_KINDS).order_by("id").iterator():
        reason = reason_model.objects.create(alert_id=alert.pk, kind=alert.kind, run_id=alert.run_id,
                                             value=alert.value, previous_value=alert.previous_value,
                                             threshold=alert.threshold, found_at=alert.raised_at)  # fmt: skip
        _record(reason_history, reason, "+", "", now)

    # 3. Merge, into the older alert: the alerts one run raised on one indicator of a dealer (whatever their
    # status: a run has one alert per breach), then the unresolved alerts of one dealer and indicator.
    models = (alert_model, reason_model, action_model, alert_history, reason_history, action_history, task_model,
              task_history)  # fmt: skip
    for keys, statuses in ((("run_id", "dealer_id", "indicator_code"), None),
                           (("dealer_id", "indicator_code"), UNRESOLVED)):  # fmt: skip
        candidates = alert_model.objects.filter(kind__in=OLD_KINDS)
        if statuses is not None:
            candidates = candidates.filter(status__in=statuses)
        for group in candidates.values(*keys).annotate(n=Count("id")).filter(n__gt=1).order_by(*keys):
            kept, *others = candidates.filter(**{key: group[key] for key in keys}).order_by("raised_at", "id")
            for other in others:
                _merge(kept, other, models, now)

    alert_model.objects.filter(kind__in=OLD_KINDS).update(kind="indicator")


def _merge(kept, other, models, now) -> None:
    """Move ``other``'s reasons and actions to ``kept`` and delete it (its record stays in the history)."""
    (alert_model, reason_model, action_model, alert_history, reason_history, action_history, task_model,
     task_history) = models  # fmt: skip
    note = f"alert {other.pk} merged into {kept.pk}"
    kinds = set(reason_model.objects.filter(alert_id=kept.pk).values_list("kind", flat=True))
    for reason in reason_model.objects.filter(alert_id=other.pk):
        if reason.kind in kinds:  # the same finding twice: the older one stays
            _record(reason_history, reason, "-", note, now)
            reason.delete()
            continue
        reason.alert_id = kept.pk
        reason.save()
        _record(reason_history, reason, "~", note, now)
    active = action_model.objects.filter(alert_id=kept.pk, status__in=ACTIVE).first()
    for action in action_model.objects.filter(alert_id=other.pk).order_by("id"):
        if active is not None and action.status in ACTIVE:
            _merge_action(active, action, task_model, task_history, action_history, now)
            continue
        action.alert_id = kept.pk
        action.version += 1
        action.save()
        _record(action_history, action, "~", note, now)
        if action.status in ACTIVE:
            active = action
    if kept.acknowledged_at is None and other.acknowledged_at is not None:
        kept.acknowledged_at, kept.acknowledged_by_id = other.acknowledged_at, other.acknowledged_by_id
    if active is not None:
        kept.status, kept.closed_at, kept.dismissal_reason = "action_planned", None, ""
    elif kept.status in UNRESOLVED or other.status in UNRESOLVED:
        if kept.status not in UNRESOLVED:
            kept.open_since = other.open_since
        kept.status, kept.closed_at, kept.dismissal_reason = "open", None, ""
    kept.version += 1
    kept.save()
    _record(alert_history, kept, "~", f"merged alert {other.pk}", now)
    _record(alert_history, other, "-", f"merged into alert {kept.pk}", now)
    other.delete()


def split_reasons(apps, schema_editor):
    alert_model = apps.get_model("evaluation", "QualityAlert")
    reason_model = apps.get_model("evaluation", "AlertReason")
    for alert in alert_model.objects.filter(kind="indicator").iterator():
        reason = reason_model.objects.filter(alert_id=alert.pk).order_by("found_at", "id").first()
        alert.kind = reason.kind if reason is not None else "below_floor"
        if reason is not None:
            alert.value, alert.previous_value, alert.threshold = reason.value, reason.previous_value, reason.threshold
        alert.save()


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0006_alert_reasons_and_escalation"),
        ("todo", "0003_task_window_unreachable"),
    ]

    operations = [migrations.RunPython(merge_alerts, split_reasons)]
