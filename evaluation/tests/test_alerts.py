"""Quality alerts and improvement actions (PDCA): raised by runs, planned, checked by the next run, tenant-scoped."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from functools import partial

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from accounts.choices import Role
from complaints.models import CrisisAlert
from core.models import TransitionEvent
from core.services import ConflictError
from core.state import TransitionError, transition_events
from core.tests import helpers
from core.tests.factories import UserFactory
from core.tests.helpers import raises_because, refused
from evaluation.choices import ActionStatus, AlertKind, AlertReasonKind, AlertStatus
from evaluation.models import (
    AlertReason,
    DealerEvaluation,
    EvaluationRun,
    ImprovementAction,
    QualityAlert,
    SystemVersion,
)
from evaluation.selectors import alerts as alert_selectors
from evaluation.services import alerts, runs
from evaluation.tests.alert_helpers import HIGHER, LOWER, make_run, plan
from todo.choices import TaskKind, TaskStatus

pytestmark = pytest.mark.django_db


def kinds(run, dealer=None) -> list[tuple[str, str]]:
    """(reason, indicator code) of the indicator alerts the run raised (a complaint cluster: its kind and "")."""
    qs = QualityAlert.objects.filter(run=run)
    if dealer is not None:
        qs = qs.filter(dealer=dealer)
    found = [(reason, code) for reason, code in qs.values_list("reasons__kind", "indicator_code") if reason]
    return sorted(found + [(AlertKind.COMPLAINT_CLUSTER, "") for _ in qs.filter(kind=AlertKind.COMPLAINT_CLUSTER)])


def reason_of(alert, kind):
    return alert.reasons.get(kind=kind)


@pytest.fixture
def oem(dealer_a, dealer_b):
    assert dealer_a.region.oem_id == dealer_b.region.oem_id
    return dealer_a.region.oem


@pytest.fixture
def alert_a(default_version, oem, dealer_a):
    """An open below-floor alert of dealer A on A2, raised by the September run."""
    run = make_run(default_version, oem, 2026, 9, {dealer_a: {HIGHER: (60.0, 0.0)}})
    alerts.raise_alerts(run)
    return QualityAlert.objects.get(run=run, dealer=dealer_a)


# --- raising ----------------------------------------------------------------------------------------------------


def test_below_floor_is_direction_aware_and_at_the_floor_or_without_data_raises_nothing(
    default_version, oem, dealer_a, dealer_b
):
    run = make_run(default_version, oem, 2026, 9, {
        dealer_a: {LOWER: (30.5, 0.0), HIGHER: (69.9, 0.0)},  # both worse than their floors
        dealer_b: {LOWER: (30.0, 0.0), HIGHER: (70.0, 0.0)},  # exactly at the floors
    })  # fmt: skip
    created = alerts.raise_alerts(run)
    assert kinds(run, dealer_a) == [("below_floor", LOWER), ("below_floor", HIGHER)]
    assert kinds(run, dealer_b) == []
    assert len(created) == 2
    lower = QualityAlert.objects.get(run=run, indicator_code=LOWER)
    reason = reason_of(lower, AlertReasonKind.BELOW_FLOOR)
    assert (lower.kind, reason.value, reason.threshold, reason.run, lower.status) == (
        AlertKind.INDICATOR, 30.5, 30.0, run, AlertStatus.OPEN)  # fmt: skip
    assert lower.open_since == lower.raised_at == run.finished_at

    quiet = make_run(default_version, oem, 2026, 8, {dealer_a: {LOWER: (None, None), HIGHER: (10.0, 0.0)}},
                     status="failed")  # fmt: skip
    assert alerts.raise_alerts(quiet) == []  # a failed run raises nothing
    nodata = make_run(default_version, oem, 2026, 7, {dealer_a: {LOWER: (None, None), HIGHER: (None, None)}})
    assert alerts.raise_alerts(nodata) == [] and kinds(nodata) == []
    # A lower-better value better than the floor but worse than the target raises nothing either.
    fine = make_run(default_version, oem, 2026, 6, {dealer_b: {LOWER: (20.0, 50.0)}})
    assert alerts.raise_alerts(fine) == []


def test_a_figure_on_too_few_records_raises_nothing(default_version, oem, dealer_a):
    run = make_run(default_version, oem, 2026, 9, {dealer_a: {LOWER: (30.5, 0.0), HIGHER: (69.9, 0.0)}}, n=4)
    assert alerts.raise_alerts(run) == []  # 4 records: below the version's minimum sample of 5
    SystemVersion.objects.filter(pk=default_version.pk).update(min_sample=3)  # the setting of the version
    default_version.refresh_from_db()
    again = make_run(default_version, oem, 2026, 10, {dealer_a: {LOWER: (30.5, 0.0)}}, n=4)
    assert kinds(again) == [] and len(alerts.raise_alerts(again)) == 1


def test_a_drop_of_more_than_x_points_against_last_month_raises_exactly_x_does_not(
    default_version, oem, dealer_a, dealer_b, settings
):
    make_run(default_version, oem, 2026, 8, {dealer_a: {HIGHER: (95.0, 90.0)}, dealer_b: {HIGHER: (95.0, 90.0)}})
    run = make_run(default_version, oem, 2026, 9, {
        dealer_a: {HIGHER: (91.0, 79.5)},  # fell 10.5 points
        dealer_b: {HIGHER: (92.0, 80.0)},  # fell exactly 10 points
    })  # fmt: skip
    alerts.raise_alerts(run)
    assert kinds(run) == [("drop", HIGHER)]
    drop = reason_of(QualityAlert.objects.get(run=run), AlertReasonKind.DROP)
    assert (drop.alert.dealer_id, drop.value, drop.previous_value, drop.threshold) == (dealer_a.pk, 79.5, 90.0, 10.0)

    settings.EVALUATION_DROP_POINTS = 5
    later = make_run(default_version, oem, 2026, 10, {dealer_b: {HIGHER: (90.0, 74.0)}})
    alerts.raise_alerts(later)
    assert kinds(later, dealer_b) == [("drop", HIGHER)]  # 80 → 74: more than 5


def test_the_published_previous_run_is_compared_and_other_scopes_are_not(default_version, oem, dealer_a):
    make_run(default_version, oem, 2026, 8, {dealer_a: {HIGHER: (95.0, 60.0)}})  # a later unpublished re-run
    published = make_run(default_version, oem, 2026, 8, {dealer_a: {HIGHER: (95.0, 95.0)}}, published=True)
    regional = EvaluationRun.objects.create(
        oem=oem, region=dealer_a.region, period_start=date(2026, 8, 1), period_end=date(2026, 8, 31),
        system_version=default_version, status="done",
    )  # fmt: skip
    DealerEvaluation.objects.create(run=regional, dealer=dealer_a, indicators={HIGHER: {"value": 1, "score": 0}})
    run = make_run(default_version, oem, 2026, 9, {dealer_a: {HIGHER: (90.0, 80.0)}})
    assert alerts.previous_run(run) == published
    alerts.raise_alerts(run)
    assert reason_of(QualityAlert.objects.get(run=run), AlertReasonKind.DROP).previous_value == 95.0


def test_raising_is_idempotent_per_run_and_an_unresolved_breach_is_not_raised_twice(
    default_version, oem, dealer_a, manager_a
):
    run = make_run(default_version, oem, 2026, 9, {dealer_a: {HIGHER: (60.0, 0.0)}})
    assert len(alerts.raise_alerts(run)) == 1
    assert alerts.raise_alerts(run) == []
    again = make_run(default_version, oem, 2026, 9, {dealer_a: {HIGHER: (60.0, 0.0)}})  # a re-run of the month
    assert alerts.raise_alerts(again) == []
    first = QualityAlert.objects.get()
    alerts.alert_dismiss(alert=first, by=manager_a, reason="数据录入错误", version=first.version)
    october = make_run(default_version, oem, 2026, 10, {dealer_a: {HIGHER: (60.0, 0.0)}})
    alerts.raise_alerts(october)
    assert kinds(october) == [("below_floor", HIGHER)]  # dismissed: a new breach is a new alert
    assert QualityAlert.history.filter(id=first.pk).count() == 2  # created + dismissed


def test_below_floor_and_a_drop_on_one_indicator_are_one_alert_with_two_reasons(default_version, oem, dealer_a):
    make_run(default_version, oem, 2026, 8, {dealer_a: {HIGHER: (95.0, 90.0)}})
    run = make_run(default_version, oem, 2026, 9, {dealer_a: {HIGHER: (60.0, 0.0), LOWER: (31.0, 0.0)}})
    raised = alerts.raise_alerts(run)
    assert len(raised) == 2 and QualityAlert.objects.count() == 2  # A2 (two reasons) and A1 (one)
    alert = QualityAlert.objects.get(indicator_code=HIGHER)
    assert [(r.kind, r.value, r.previous_value, r.threshold) for r in alert.reason_list] == [
        ("below_floor", 60.0, None, 70.0), ("drop", 0.0, 90.0, 10.0)]  # fmt: skip
    with translation.override("en"):
        assert alert.messages == [
            "A2 Complaint first contact ≤ 2 h was 60.0 % in 2026-09, worse than its floor of 70.0 %.",
            "A2 Complaint first contact ≤ 2 h: the score fell by 90.0 points, from 90.0 in 2026-08 to 0.0 in 2026-09 "
            "(alert threshold: more than 10.0 points).",
        ]
    assert alerts.raise_alerts(run) == []  # idempotent
    rerun = make_run(default_version, oem, 2026, 9, {dealer_a: {HIGHER: (60.0, 0.0)}})  # a re-run of the month
    assert alerts.raise_alerts(rerun) == []
    assert AlertReason.objects.count() == 3 and QualityAlert.objects.count() == 2


def test_a_later_run_adds_a_new_reason_to_the_open_alert_instead_of_a_second_alert(
    default_version, oem, dealer_a, manager_a
):
    make_run(default_version, oem, 2026, 8, {dealer_a: {HIGHER: (99.0, 97.0)}})
    september = make_run(default_version, oem, 2026, 9, {dealer_a: {HIGHER: (69.0, 90.0)}})  # below floor, no drop
    alerts.raise_alerts(september)
    alert = QualityAlert.objects.get()
    plan(alert, manager_a)  # an action in progress does not stop the alert from learning a new reason
    october = make_run(default_version, oem, 2026, 10, {dealer_a: {HIGHER: (65.0, 70.0)}})  # still below, -20
    assert alerts.raise_alerts(october) == [alert]
    assert QualityAlert.objects.count() == 1 and kinds(october) == []
    alert.refresh_from_db()
    drop = reason_of(alert, AlertReasonKind.DROP)
    assert (drop.run, drop.value, drop.previous_value) == (october, 70.0, 90.0)
    assert reason_of(alert, AlertReasonKind.BELOW_FLOOR).run == september  # the first finding stays as it was
    assert alert.status == AlertStatus.ACTION_PLANNED
    latest = alert.history.order_by("-history_id").first()
    assert latest.history_change_reason == translation.gettext("Reason added: %(reasons)s") % {"reasons": drop.message}
    assert "2026-10" in latest.history_change_reason and "70.0" in latest.history_change_reason
    assert drop.history.count() == 1
    november = make_run(default_version, oem, 2026, 11, {dealer_a: {HIGHER: (60.0, 50.0)}})  # both again
    assert alerts.raise_alerts(november) == []
    assert AlertReason.objects.count() == 2
    # The run's result page shows the alert it found a further reason for.
    assert list(alert_selectors.run_alerts(run=october, dealer_id=dealer_a.pk)) == [alert]


def test_an_open_crisis_alert_of_the_month_becomes_a_linked_complaint_cluster_alert(
    default_version, oem, dealer_a, dealer_b, manager_a
):
    def crisis(dealer, day, **extra):
        return CrisisAlert.objects.create(
            dealer=dealer, level="warning", reason="cluster", summary="多次投诉：空调异响", cluster_key="ac-noise",
            raised_at=timezone.make_aware(timezone.datetime(2026, 9, day, 10)), **extra,
        )  # fmt: skip

    open_one = crisis(dealer_a, 12)
    crisis(dealer_b, 13, acknowledged_at=timezone.now(), acknowledged_by=manager_a)  # acknowledged: no alert
    CrisisAlert.objects.create(dealer=dealer_a, level="warning", reason="cluster", summary="八月", cluster_key="x",
                               raised_at=timezone.make_aware(timezone.datetime(2026, 8, 30, 10)))  # fmt: skip
    run = make_run(default_version, oem, 2026, 9, {dealer_a: {}, dealer_b: {}})
    alerts.raise_alerts(run)
    cluster = QualityAlert.objects.get(run=run)
    assert (cluster.kind, cluster.crisis_alert, cluster.dealer) == (AlertKind.COMPLAINT_CLUSTER, open_one, dealer_a)
    rerun = make_run(default_version, oem, 2026, 9, {dealer_a: {}})
    assert alerts.raise_alerts(rerun) == []  # a crisis alert is linked once


def test_a_real_run_raises_alerts_when_it_finishes(default_version, oem, dealer_a, monkeypatch):
    """The hook in run_execute: alerts come with the stored results, in the same transaction."""
    from evaluation.selectors import measures

    real = measures.measure_all

    def weak(dealer_ids, start, end, **kwargs):
        measured = real(dealer_ids, start, end, **kwargs)
        measured[HIGHER][dealer_a.pk] = dataclasses.replace(measured[HIGHER][dealer_a.pk], value=50.0, n=10)
        return measured

    monkeypatch.setattr(runs, "measure_all", weak)
    run = runs.run_create(oem=oem, year=2026, month=9)
    runs.run_execute(run)
    run.refresh_from_db()
    assert run.status == "done", run.message
    assert ("below_floor", HIGHER) in kinds(run, dealer_a)


# --- PDCA -------------------------------------------------------------------------------------------------------


def test_planning_an_action_gives_the_owner_a_to_do_and_marks_the_alert(alert_a, manager_a, dealer_a):
    action = plan(alert_a, manager_a)
    alert_a.refresh_from_db()
    assert alert_a.status == AlertStatus.ACTION_PLANNED and alert_a.acknowledged_by == manager_a
    assert action.status == ActionStatus.PLANNED and action.dealer == dealer_a
    task = action.task
    assert (task.kind, task.assignee, task.status, timezone.localtime(task.due_at).date()) == (
        TaskKind.OTHER,
        manager_a,
        TaskStatus.OPEN,
        action.due_date,
    )
    with raises_because(ValidationError, "An action is planned only on an open alert (one action at a time)."):
        plan(alert_a, manager_a)  # one action at a time
    assert ImprovementAction.objects.count() == 1


def test_bad_action_input_is_refused_and_changes_nothing(alert_a, manager_a, manager_b, dealer_a):
    with pytest.raises(ValidationError) as error:
        alerts.action_create(alert=alert_a, by=manager_a, owner=manager_b, cause_analysis=" ", plan="",
                             due_date=timezone.localdate() - timedelta(days=1))  # fmt: skip
    assert set(error.value.message_dict) == {"owner", "cause_analysis", "plan", "due_date"}
    alert_a.refresh_from_db()
    assert alert_a.status == AlertStatus.OPEN and not ImprovementAction.objects.exists()


def test_moves_updates_and_the_optimistic_lock(alert_a, manager_a, dealer_a):
    action = plan(alert_a, manager_a)
    advisor = UserFactory(username="adv_owner", roles=[Role.SERVICE_ADVISOR], dealers=[dealer_a])
    stale = action.version
    action = alerts.action_update(action=action, by=manager_a, version=stale, owner=advisor,
                                  due_date=action.due_date + timedelta(days=5))  # fmt: skip
    action.task.refresh_from_db()
    assert action.task.assignee == advisor and timezone.localtime(action.task.due_at).date() == action.due_date
    with pytest.raises(ConflictError):
        alerts.action_update(action=action, by=manager_a, version=stale, plan="覆盖别人的修改")
    action.refresh_from_db()
    assert action.plan == "增加早班接待"
    action = alerts.action_move(action=action, by=manager_a, status=ActionStatus.IN_PROGRESS, version=action.version)
    with raises_because(ValidationError, "An action cannot go from In progress to Effective."):
        alerts.action_move(action=action, by=manager_a, status=ActionStatus.EFFECTIVE, version=action.version)
    action = alerts.action_move(action=action, by=manager_a, status=ActionStatus.CHECKING, version=action.version,
                                note="培训已完成")  # fmt: skip
    assert action.status == ActionStatus.CHECKING and "培训已完成" in action.plan
    assert ImprovementAction.history.filter(id=action.pk).count() == 4


def _checked(action):
    action.refresh_from_db()
    action.alert.refresh_from_db()
    return action


@pytest.mark.parametrize(
    ("value", "score", "expected", "alert_status"),
    [
        (70.0, 0.0, ActionStatus.EFFECTIVE, AlertStatus.CLOSED),  # back at the floor
        (65.0, 0.0, ActionStatus.NOT_EFFECTIVE, AlertStatus.OPEN),  # still worse: open again for a new action
        (None, None, ActionStatus.CHECKING, AlertStatus.ACTION_PLANNED),  # no data: waits for the next run
    ],
)
def test_the_next_run_after_the_due_date_checks_the_action(
    alert_a, manager_a, dealer_a, oem, default_version, value, score, expected, alert_status
):
    action = plan(alert_a, manager_a)
    ImprovementAction.objects.filter(pk=action.pk).update(due_date=date(2026, 10, 20))
    early = make_run(default_version, oem, 2026, 9, {dealer_a: {HIGHER: (60.0, 0.0)}})  # same month as the alert
    assert alerts.check_actions(early) == []
    october = make_run(default_version, oem, 2026, 10, {dealer_a: {HIGHER: (value, score)}})
    alerts.after_run(october)
    action = _checked(action)
    assert (action.status, action.alert.status) == (expected, alert_status)
    assert action.checked_run == october and action.check_result
    assert action.task.status == (TaskStatus.OPEN if expected == ActionStatus.CHECKING else TaskStatus.DONE)
    if expected == ActionStatus.NOT_EFFECTIVE:
        assert kinds(october, dealer_a) == []  # the re-opened alert is the same breach: not raised twice
        plan(action.alert, manager_a)  # the next PDCA cycle
    if expected == ActionStatus.CHECKING:
        november = make_run(default_version, oem, 2026, 11, {dealer_a: {HIGHER: (80.0, 33.0)}})
        alerts.check_actions(november)
        assert _checked(action).status == ActionStatus.EFFECTIVE


def test_an_action_due_later_is_not_checked_yet(alert_a, manager_a, dealer_a, oem, default_version):
    action = plan(alert_a, manager_a)
    ImprovementAction.objects.filter(pk=action.pk).update(due_date=date(2026, 11, 5))
    october = make_run(default_version, oem, 2026, 10, {dealer_a: {HIGHER: (90.0, 70.0)}})
    assert alerts.check_actions(october) == []
    assert _checked(action).status == ActionStatus.PLANNED


def test_a_drop_action_needs_the_score_back_within_x(default_version, oem, dealer_a, manager_a):
    make_run(default_version, oem, 2026, 8, {dealer_a: {HIGHER: (98.0, 95.0)}})
    september = make_run(default_version, oem, 2026, 9, {dealer_a: {HIGHER: (85.0, 50.0)}})
    alerts.raise_alerts(september)
    drop = QualityAlert.objects.get(run=september)
    assert kinds(september) == [("drop", HIGHER)]  # 85 is above the floor of 70: only the drop
    action = plan(drop, manager_a)
    ImprovementAction.objects.filter(pk=action.pk).update(due_date=date(2026, 10, 1))
    october = make_run(default_version, oem, 2026, 10, {dealer_a: {HIGHER: (88.0, 60.0)}})  # above floor, 35 below
    alerts.check_actions(october)
    assert _checked(action).status == ActionStatus.NOT_EFFECTIVE
    second = plan(drop, manager_a)
    ImprovementAction.objects.filter(pk=second.pk).update(due_date=date(2026, 11, 1))
    november = make_run(default_version, oem, 2026, 11, {dealer_a: {HIGHER: (97.0, 85.0)}})  # within 10 of 95
    alerts.check_actions(november)
    assert _checked(second).status == ActionStatus.EFFECTIVE and second.alert.status == AlertStatus.CLOSED


def test_a_move_people_may_not_make_is_refused_and_changes_nothing_and_each_move_is_an_event(
    alert_a, manager_a, dealer_a, oem, default_version
):
    action = plan(alert_a, manager_a)

    def state():
        return helpers.snapshot(ImprovementAction), list(TransitionEvent.objects.values())

    for status in (ActionStatus.PLANNED, ActionStatus.EFFECTIVE, ActionStatus.NOT_EFFECTIVE):
        move = partial(alerts.action_move, action=action, by=manager_a, status=status, version=action.version)
        with translation.override("en"):
            error = helpers.assert_refused(TransitionError, move, state=state)
            assert error.message_dict == {"status": [f"An action cannot go from Planned to {status.label}."]}
    action = alerts.action_move(action=action, by=manager_a, status=ActionStatus.IN_PROGRESS, version=action.version)
    action = alerts.action_move(action=action, by=manager_a, status=ActionStatus.CHECKING, version=action.version,
                                note=" 培训已完成 ")  # fmt: skip
    ImprovementAction.objects.filter(pk=action.pk).update(due_date=date(2026, 10, 20))
    alerts.check_actions(make_run(default_version, oem, 2026, 10, {dealer_a: {HIGHER: (70.0, 0.0)}}))
    action = _checked(action)
    assert action.status == ActionStatus.EFFECTIVE
    assert list(transition_events(action).values_list("action", "from_status", "to_status", "by", "note")) == [
        ("start", ActionStatus.PLANNED, ActionStatus.IN_PROGRESS, manager_a.pk, ""),
        ("request_check", ActionStatus.IN_PROGRESS, ActionStatus.CHECKING, manager_a.pk, "培训已完成"),
        ("find_effective", ActionStatus.CHECKING, ActionStatus.EFFECTIVE, None, action.check_result),
    ]


# --- tenancy and permissions -------------------------------------------------------------------------------------


def test_region_managers_and_other_dealers_cannot_write(alert_a, manager_a, manager_b, region_manager):
    for user, reason in (
        (manager_b, "You cannot change the data of this dealer."),
        (region_manager, "You may not do this."),
    ):
        with raises_because(PermissionDenied, reason):
            plan(alert_a, user)
        with raises_because(PermissionDenied, reason):
            alerts.alert_dismiss(alert=alert_a, by=user, reason="x", version=alert_a.version)
    action = plan(alert_a, manager_a)
    with raises_because(PermissionDenied, "You may not do this."):
        alerts.action_update(action=action, by=region_manager, version=action.version, plan="x")
    alert_a.refresh_from_db()
    assert alert_a.status == AlertStatus.ACTION_PLANNED and ImprovementAction.objects.count() == 1


def test_pages_are_tenant_scoped(client, alert_a, manager_a, manager_b, region_manager, django_assert_max_num_queries):
    action = plan(alert_a, manager_a)
    client.force_login(manager_a)
    with django_assert_max_num_queries(12):
        listed = client.get("/evaluation/alerts/")
    assert listed.status_code == 200 and alert_a.get_absolute_url() in listed.content.decode()
    with django_assert_max_num_queries(12):
        assert client.get("/evaluation/actions/?status=planned").status_code == 200
    assert client.get(alert_a.get_absolute_url()).status_code == 200
    page = client.get(action.get_absolute_url())
    assert page.status_code == 200 and 'id="edit-form"' in page.content.decode()
    assert 'id="alerts-link"' in client.get("/evaluation/").content.decode()

    client.force_login(region_manager)  # reads the region, never writes
    page = client.get(action.get_absolute_url())
    assert page.status_code == 200 and 'id="edit-form"' not in page.content.decode()
    posted = client.post(f"/evaluation/actions/{action.pk}/edit/", {"version": action.version, "plan": "x"})
    assert posted.status_code == 404

    client.force_login(manager_b)
    assert alert_a.get_absolute_url() not in client.get("/evaluation/alerts/").content.decode()
    assert client.get(alert_a.get_absolute_url()).status_code == 404
    assert client.get(action.get_absolute_url()).status_code == 404
    assert client.post(f"/evaluation/alerts/{alert_a.pk}/dismiss/", {"reason": "x", "version": 1}).status_code == 404
    alert_a.refresh_from_db()
    assert alert_a.status == AlertStatus.ACTION_PLANNED


def test_pages_plan_edit_and_move_an_action(client, alert_a, manager_a, dealer_a):
    client.force_login(manager_a)
    bad = client.post(f"/evaluation/alerts/{alert_a.pk}/plan/", {"owner": manager_a.pk, "cause_analysis": "x"})
    assert bad.status_code == 400 and not ImprovementAction.objects.exists()
    due = timezone.localdate() + timedelta(days=14)
    body = {"owner": manager_a.pk, "cause_analysis": "人手不足", "plan": "增加早班", "due_date": due.isoformat()}
    done = client.post(f"/evaluation/alerts/{alert_a.pk}/plan/", body)
    action = ImprovementAction.objects.get()
    assert done.status_code == 302 and done["Location"] == action.get_absolute_url()
    stale = {"owner": manager_a.pk, "cause_analysis": "人手不足", "plan": "改", "due_date": due.isoformat(),
             "version": action.version}  # fmt: skip
    assert client.post(f"/evaluation/actions/{action.pk}/edit/", stale).status_code == 302
    assert client.post(f"/evaluation/actions/{action.pk}/edit/", stale).status_code == 400  # stale version
    action.refresh_from_db()
    moved = client.post(f"/evaluation/actions/{action.pk}/move/", {"status": "in_progress", "version": action.version})
    assert moved.status_code == 302
    action.refresh_from_db()
    assert (action.status, action.plan) == (ActionStatus.IN_PROGRESS, "改")
    result = DealerEvaluation.objects.get(run=alert_a.run)
    assert client.get(f"/evaluation/results/{result.pk}/").status_code == 404  # a draft: the manager reads published
    EvaluationRun.objects.filter(pk=alert_a.run_id).update(published=True)
    assert alert_a.get_absolute_url() in client.get(f"/evaluation/results/{result.pk}/").content.decode()


def test_api_is_tenant_scoped_with_version_conflicts(
    api_en, alert_a, manager_a, manager_b, region_manager, dealer_a, django_assert_max_num_queries
):
    mine = api_en(manager_a)
    due = (timezone.localdate() + timedelta(days=7)).isoformat()
    body = {"alert": alert_a.pk, "owner": manager_a.pk, "cause_analysis": "原因", "plan": "措施", "due_date": due}
    for user in (manager_b, region_manager):
        assert refused(api_en(user).post("/api/v1/improvement-actions/", body, format="json"))
    created = mine.post("/api/v1/improvement-actions/", body, format="json")
    assert created.status_code == 201, created.content
    action_id, version = created.json()["id"], created.json()["version"]
    assert mine.post("/api/v1/improvement-actions/", body, format="json").status_code == 400  # one at a time
    with django_assert_max_num_queries(10):  # + the reasons and the latest action (flat: test_alert_escalation)
        listed = mine.get("/api/v1/quality-alerts/?status=action_planned")
    assert [row["id"] for row in listed.json()["results"]] == [alert_a.pk]
    with django_assert_max_num_queries(8):
        actions_listed = mine.get("/api/v1/improvement-actions/")
    assert [row["id"] for row in actions_listed.json()["results"]] == [action_id]

    url = f"/api/v1/improvement-actions/{action_id}/"
    assert mine.patch(url, {"plan": "新措施", "version": version}, format="json").status_code == 200
    conflict = mine.patch(url, {"plan": "旧版本", "version": version}, format="json")
    assert conflict.status_code == 409
    assert mine.patch(url, {"plan": "无版本"}, format="json").status_code == 400
    moved = mine.post(f"{url}move/", {"status": "in_progress", "version": version + 1}, format="json")
    assert moved.status_code == 200 and moved.json()["status"] == "in_progress"

    regional = api_en(region_manager)
    assert regional.get(url).status_code == 200
    assert refused(regional.patch(url, {"plan": "x", "version": version + 2}, format="json"))
    other = api_en(manager_b)
    assert other.get(url).status_code == 404
    assert other.get(f"/api/v1/quality-alerts/{alert_a.pk}/").status_code == 404
    assert other.get("/api/v1/quality-alerts/").json()["results"] == []
    assert refused(other.post(f"/api/v1/quality-alerts/{alert_a.pk}/dismiss/", {"reason": "x", "version": 1}))
    assert ImprovementAction.objects.get().plan == "新措施"


def test_api_dismiss_needs_a_reason_and_the_version(api_en, alert_a, manager_a):
    client = api_en(manager_a)
    url = f"/api/v1/quality-alerts/{alert_a.pk}/dismiss/"
    assert client.post(url, {"reason": "", "version": alert_a.version}, format="json").status_code == 400
    assert client.post(url, {"reason": "数据错误", "version": alert_a.version + 5}, format="json").status_code == 409
    done = client.post(url, {"reason": "数据错误", "version": alert_a.version}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "dismissed"
    assert done.json()["message"]


def test_an_alert_with_both_reasons_needs_the_floor_and_the_score_back(default_version, oem, dealer_a, manager_a):
    make_run(default_version, oem, 2026, 8, {dealer_a: {HIGHER: (98.0, 95.0)}})
    september = make_run(default_version, oem, 2026, 9, {dealer_a: {HIGHER: (60.0, 0.0)}})
    alerts.raise_alerts(september)
    alert = QualityAlert.objects.get()
    action = plan(alert, manager_a)
    ImprovementAction.objects.filter(pk=action.pk).update(due_date=date(2026, 10, 1))
    october = make_run(default_version, oem, 2026, 10, {dealer_a: {HIGHER: (75.0, 16.7)}})  # floor met, score not
    alerts.check_actions(october)
    action = _checked(action)
    assert (action.status, action.checked_value, action.alert.status) == (
        ActionStatus.NOT_EFFECTIVE, 75.0, AlertStatus.OPEN)  # fmt: skip
    with translation.override("en"):
        action.refresh_from_db()
    second = plan(action.alert, manager_a)
    ImprovementAction.objects.filter(pk=second.pk).update(due_date=date(2026, 11, 1))
    november = make_run(default_version, oem, 2026, 11, {dealer_a: {HIGHER: (96.0, 86.7)}})  # within 10 of 95
    alerts.check_actions(november)
    second = _checked(second)
    assert (second.status, second.alert.status) == (ActionStatus.EFFECTIVE, AlertStatus.CLOSED)
    assert "86.7" in second.check_result and "95.0" in second.check_result
