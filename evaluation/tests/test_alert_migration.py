"""Data migration 0007: the figures of old alerts become reasons, and duplicate unresolved alerts of one dealer and
indicator (a below-floor and a drop alert of one month) are merged into the older one with their actions."""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from core.tests.factories import UserFactory
from evaluation.models import AlertReason, ImprovementAction, QualityAlert
from evaluation.tests.alert_helpers import HIGHER, LOWER, make_run
from todo.models import Task

BEFORE = [("evaluation", "0006_alert_reasons_and_escalation")]
AFTER = [("evaluation", "0007_merge_indicator_alerts")]
T0 = timezone.make_aware(datetime(2026, 10, 1, 2, 0))


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


# Opt-in (RUN_MIGRATION_TESTS=1, PostgreSQL): migrating back and forth takes minutes (SQLite rebuilds every altered
# table), and its serialized rollback collides with the role groups post_migrate recreates after an earlier
# transactional test's flush, so it runs alone:
#   RUN_MIGRATION_TESTS=1 DATABASE_URL=postgres://… .venv/bin/pytest evaluation/tests/test_alert_migration.py
@pytest.mark.skipif(
    connection.vendor != "postgresql" or not os.environ.get("RUN_MIGRATION_TESTS"),
    reason="data migration test: run alone on PostgreSQL with RUN_MIGRATION_TESTS=1",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_duplicate_open_alerts_are_merged_into_the_older_with_their_actions(default_version, dealer_a, dealer_b):
    oem = dealer_a.region.oem
    manager = UserFactory(username="mig_mgr", dealers=[dealer_a])
    august = make_run(default_version, oem, 2026, 8, {}, finished_at=T0 - timedelta(days=31))
    september = make_run(default_version, oem, 2026, 9, {}, finished_at=T0)
    leaf = [key for key in MigrationExecutor(connection).loader.graph.leaf_nodes() if key[0] == "evaluation"]
    old = _migrate(BEFORE)
    alert_model = old.get_model("evaluation", "QualityAlert")
    action_model = old.get_model("evaluation", "ImprovementAction")
    task_model = old.get_model("todo", "Task")

    def alert(dealer, kind, code, run, **extra):
        return alert_model.objects.create(dealer_id=dealer.pk, run_id=run.pk, kind=kind, indicator_code=code,
                                          raised_at=run.finished_at, **extra)  # fmt: skip

    def action(on, status, due=date(2026, 10, 20)):
        task = task_model.objects.create(dealer_id=on.dealer_id, kind="other", title=f"措施 {on.pk}",
                                         role="service_manager", due_at=T0 + timedelta(days=20),
                                         assignee_id=manager.pk)  # fmt: skip
        return action_model.objects.create(alert_id=on.pk, dealer_id=on.dealer_id, owner_id=manager.pk,
                                           created_by_id=manager.pk, cause_analysis=f"原因 {on.pk}",
                                           plan=f"措施 {on.pk}", due_date=due, status=status,
                                           task_id=task.pk)  # fmt: skip

    # Dealer A, A2: an open below-floor alert (older) and a drop alert with an action in progress (newer).
    floor = alert(dealer_a, "below_floor", HIGHER, september, value=60.0, threshold=70.0)
    drop = alert(dealer_a, "drop", HIGHER, september, value=0.0, previous_value=90.0, threshold=10.0,
                 status="action_planned", acknowledged_at=T0)  # fmt: skip
    drop_action = action(drop, "in_progress")
    # Dealer A, A1: both alerts have an action in progress: the newer one is folded into the older one.
    a1_old = alert(dealer_a, "below_floor", LOWER, august, value=40.0, threshold=30.0, status="action_planned")
    a1_old_action = action(a1_old, "planned")
    a1_new = alert(dealer_a, "drop", LOWER, september, value=20.0, previous_value=60.0, threshold=10.0,
                   status="action_planned")  # fmt: skip
    a1_new_action = action(a1_new, "planned", due=date(2026, 10, 10))
    # Not merged with these: another dealer's alert, the closed alerts of August (one run raised two alerts on A2:
    # they become one, closed).
    other_dealer = alert(dealer_b, "drop", HIGHER, september, value=10.0, previous_value=50.0, threshold=10.0)
    closed = alert(dealer_a, "below_floor", HIGHER, august, value=65.0, threshold=70.0, status="closed")
    closed_drop = alert(dealer_a, "drop", HIGHER, august, value=20.0, previous_value=40.0, threshold=10.0,
                        status="dismissed", dismissal_reason="数据错误")  # fmt: skip

    _migrate(AFTER)
    _migrate(leaf)

    assert not QualityAlert.objects.filter(pk__in=[drop.pk, a1_new.pk, closed_drop.pk]).exists()
    assert sorted(QualityAlert.objects.values_list("pk", flat=True)) == sorted(
        [floor.pk, a1_old.pk, other_dealer.pk, closed.pk])  # fmt: skip
    assert set(QualityAlert.objects.values_list("kind", flat=True)) == {"indicator"}

    kept = QualityAlert.objects.get(pk=floor.pk)
    assert [(r.kind, r.value, r.previous_value, r.threshold, r.run_id) for r in kept.reason_list] == [
        ("below_floor", 60.0, None, 70.0, september.pk), ("drop", 0.0, 90.0, 10.0, september.pk)]  # fmt: skip
    assert (kept.status, kept.acknowledged_at, kept.open_since) == ("action_planned", T0, T0)
    assert list(ImprovementAction.objects.filter(alert=kept).values_list("pk", flat=True)) == [drop_action.pk]
    assert kept.history.filter(history_change_reason=f"merged alert {drop.pk}").count() == 1
    assert QualityAlert.history.filter(id=drop.pk, history_type="-").count() == 1

    a1 = QualityAlert.objects.get(pk=a1_old.pk)
    assert [r.kind for r in a1.reason_list] == ["below_floor", "drop"] and a1.status == "action_planned"
    merged = ImprovementAction.objects.get(alert=a1)
    assert merged.pk == a1_old_action.pk and merged.due_date == date(2026, 10, 10)  # the earlier due date
    assert f"原因 {a1_new.pk}" in merged.cause_analysis and f"措施 {a1_new.pk}" in merged.plan
    assert not ImprovementAction.objects.filter(pk=a1_new_action.pk).exists()
    assert ImprovementAction.history.filter(id=a1_new_action.pk, history_type="-").count() == 1  # kept in history
    assert Task.objects.get(pk=a1_new_action.task_id).status == "done"

    assert [r.kind for r in QualityAlert.objects.get(pk=other_dealer.pk).reason_list] == ["drop"]
    august_alert = QualityAlert.objects.get(pk=closed.pk)
    assert august_alert.status == "closed" and [r.kind for r in august_alert.reason_list] == ["below_floor", "drop"]
    assert AlertReason.objects.count() == 7
