"""Escalation of quality alerts left without an improvement action, the list filters, what lists and the API show,
and who may act: service managers plan, technicians do not, region managers read their region's escalations."""

from __future__ import annotations

from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.module_loading import import_string

from accounts.choices import Role
from complaints.choices import EscalationLevel
from core.lists import apply_filterset
from core.schedule import JOBS
from core.tests.factories import DealerFactory, UserFactory
from core.tests.helpers import raises_because
from evaluation.api.alerts import QualityAlertFilterSet
from evaluation.choices import ActionStatus, AlertStatus
from evaluation.models import POPULATION_CODES, ImprovementAction, Indicator, QualityAlert, SystemVersion
from evaluation.selectors import alerts as alert_selectors
from evaluation.services import alerts
from evaluation.services import systems as system_services
from evaluation.tests.alert_helpers import HIGHER, LOWER, make_run, plan
from todo.choices import TaskKind, TaskStatus
from todo.models import Task
from todo.selectors import task_list_for

pytestmark = pytest.mark.django_db

T0 = timezone.make_aware(datetime(2026, 10, 1, 2, 0))  # the monthly run finished on the 1st at 02:00
DAY = timedelta(days=1)


@pytest.fixture
def oem(dealer_a, dealer_b):
    assert dealer_a.region.oem_id == dealer_b.region.oem_id and dealer_a.region_id != dealer_b.region_id
    return dealer_a.region.oem


@pytest.fixture
def september(default_version, oem, dealer_a, dealer_b):
    """The September run: dealer A below the A2 floor, dealer B below the A1 floor; one open alert each."""
    run = make_run(default_version, oem, 2026, 9, {dealer_a: {HIGHER: (60.0, 0.0)}, dealer_b: {LOWER: (40.0, 0.0)}},
                   finished_at=T0)  # fmt: skip
    alerts.raise_alerts(run)
    return run


@pytest.fixture
def alert_a(september, dealer_a):
    return QualityAlert.objects.get(dealer=dealer_a)


@pytest.fixture
def alert_b(september, dealer_b):
    return QualityAlert.objects.get(dealer=dealer_b)


@pytest.fixture
def technician_a(dealer_a):
    return UserFactory(username="eval_tech_a", roles=[Role.TECHNICIAN], dealers=[dealer_a])


def escalation_tasks():
    return Task.objects.filter(title__contains="A2").exclude(title__contains="carry out")


# --- the clock ----------------------------------------------------------------------------------------------------


def test_an_alert_without_an_action_escalates_at_day_7_then_to_the_region_at_day_14_once(
    alert_a, alert_b, dealer_a, manager_a, manager_b
):
    assert alert_a.open_since == T0
    assert alerts.alerts_escalate(now=T0 + 6.9 * DAY).to_manager == []  # not yet at 6.9 days
    alert_a.refresh_from_db()
    assert (alert_a.escalation_level, alert_a.escalated_at, alert_a.escalation_task) == (0, None, None)

    at7 = T0 + 7 * DAY
    result = alerts.alerts_escalate(now=at7)
    assert sorted(result.to_manager) == sorted([alert_a.pk, alert_b.pk]) and result.to_region == []
    alert_a.refresh_from_db()
    task = alert_a.escalation_task
    assert (alert_a.escalation_level, alert_a.escalated_at, alert_a.region_escalated_at) == (
        EscalationLevel.SERVICE_MANAGER, at7, None)  # fmt: skip
    assert (task.dealer, task.role, task.assignee, task.kind, task.status, task.due_at) == (
        dealer_a, Role.SERVICE_MANAGER, None, TaskKind.OTHER, TaskStatus.OPEN, T0 + 14 * DAY)  # fmt: skip
    assert "A2" in task.title
    assert task in task_list_for(user=manager_a) and task not in task_list_for(user=manager_b)
    history = alert_a.history.order_by("-history_id").first()
    assert history.escalation_level == 1 and history.history_change_reason

    assert alerts.alerts_escalate(now=at7) == alerts.AlertEscalation()  # idempotent
    assert alerts.alerts_escalate(now=T0 + 13.9 * DAY) == alerts.AlertEscalation()
    assert Task.objects.filter(dealer=dealer_a).count() == 1

    at14 = T0 + 14 * DAY
    assert sorted(alerts.alerts_escalate(now=at14).to_region) == sorted([alert_a.pk, alert_b.pk])
    alert_a.refresh_from_db()
    assert (alert_a.escalation_level, alert_a.escalated_at, alert_a.region_escalated_at) == (
        EscalationLevel.REGION, at7, at14)  # fmt: skip
    assert alerts.alerts_escalate(now=at14 + 30 * DAY) == alerts.AlertEscalation()
    assert Task.objects.filter(dealer=dealer_a).count() == 1
    assert alert_a.history.count() == 3  # raised, to the manager, to the region


def test_a_job_that_did_not_run_for_two_weeks_escalates_both_levels_at_once(alert_a):
    at = T0 + 15 * DAY
    result = alerts.alerts_escalate(now=at)
    assert alert_a.pk in result.to_manager and alert_a.pk in result.to_region
    alert_a.refresh_from_db()
    assert (alert_a.escalation_level, alert_a.escalated_at, alert_a.region_escalated_at) == (2, at, at)
    assert alert_a.escalation_task.status == TaskStatus.OPEN  # the managers still have it to do


def test_the_days_are_a_setting_of_the_version_the_alert_was_raised_with(alert_a, alert_b, default_version, oem,
                                                                         superuser):  # fmt: skip
    SystemVersion.objects.filter(pk=default_version.pk).update(alert_escalation_days=3)
    other_version = system_services.system_version_copy(system_version=default_version, by=superuser)
    SystemVersion.objects.filter(pk=other_version.pk).update(alert_escalation_days=10)
    third = DealerFactory(code="A003", name="甲三店", region=alert_a.dealer.region)
    alerts.raise_alerts(make_run(other_version, oem, 2026, 9, {third: {HIGHER: (60.0, 0.0)}}, finished_at=T0))
    alert_c = QualityAlert.objects.get(dealer=third)
    assert alerts.escalation_times(QualityAlert.objects.select_related("run__system_version").get(pk=alert_a.pk)) == (
        T0 + 3 * DAY, T0 + 6 * DAY)  # fmt: skip
    assert alerts.alerts_escalate(now=T0 + 2.9 * DAY).to_manager == []
    assert sorted(alerts.alerts_escalate(now=T0 + 3 * DAY).to_manager) == sorted([alert_a.pk, alert_b.pk])
    assert sorted(alerts.alerts_escalate(now=T0 + 6 * DAY).to_region) == sorted([alert_a.pk, alert_b.pk])
    assert alerts.alerts_escalate(now=T0 + 9.9 * DAY) == alerts.AlertEscalation()
    assert alerts.alerts_escalate(now=T0 + 10 * DAY).to_manager == [alert_c.pk]


def test_the_setting_is_edited_on_a_draft_and_bad_values_are_refused(default_version, superuser):
    draft = system_services.system_version_copy(system_version=default_version, by=superuser)
    assert draft.alert_escalation_days == 7
    for bad in (0, 91):
        with pytest.raises(ValidationError) as error:
            system_services.system_version_update_settings(system_version=draft, by=superuser, version=draft.version,
                                                    alert_escalation_days=bad)  # fmt: skip
        assert "alert_escalation_days" in error.value.message_dict
        draft = SystemVersion.objects.get(pk=draft.pk)
    assert draft.alert_escalation_days == 7
    system_services.system_version_update_settings(system_version=draft, by=superuser, version=draft.version,
                                            alert_escalation_days=10)  # fmt: skip
    assert SystemVersion.objects.get(pk=draft.pk).alert_escalation_days == 10


def test_an_action_stops_the_escalation_and_closes_its_to_do(alert_a, alert_b, manager_a, manager_b):
    plan(alert_b, manager_b)  # planned in time: never escalated
    alerts.alerts_escalate(now=T0 + 7 * DAY)
    alert_a.refresh_from_db()
    task = alert_a.escalation_task
    assert alert_a.escalation_level == 1
    plan(alert_a, manager_a)
    task.refresh_from_db()
    assert (task.status, task.done_by) == (TaskStatus.DONE, manager_a) and task.outcome
    assert alerts.alerts_escalate(now=T0 + 30 * DAY) == alerts.AlertEscalation()
    alert_a.refresh_from_db()
    alert_b.refresh_from_db()
    assert (alert_a.escalation_level, alert_a.region_escalated_at) == (1, None)  # the stamp stays as history
    assert (alert_b.escalation_level, alert_b.escalation_task) == (0, None)


def test_a_dismissed_alert_does_not_escalate_and_its_to_do_is_closed(alert_a, alert_b, manager_a):
    alerts.alerts_escalate(now=T0 + 7 * DAY)
    alert_a.refresh_from_db()
    alerts.alert_dismiss(alert=alert_a, by=manager_a, reason="数据录入错误", version=alert_a.version)
    alert_a.refresh_from_db()
    assert alert_a.escalation_task.status == TaskStatus.DONE and "数据录入错误" in alert_a.escalation_task.outcome
    assert alerts.alerts_escalate(now=T0 + 30 * DAY).to_region == [alert_b.pk]  # B's only
    alert_a.refresh_from_db()
    assert (alert_a.status, alert_a.escalation_level) == (AlertStatus.DISMISSED, 1)


def test_an_action_found_not_effective_starts_the_clock_again(alert_a, manager_a, default_version, oem, dealer_a):
    alerts.alerts_escalate(now=T0 + 15 * DAY)  # reached the region
    alert_a.refresh_from_db()
    action = plan(alert_a, manager_a)
    ImprovementAction.objects.filter(pk=action.pk).update(due_date=timezone.localdate() - DAY)
    check_run = make_run(default_version, oem, timezone.localdate().year, timezone.localdate().month,
                         {dealer_a: {HIGHER: (65.0, 0.0)}})  # fmt: skip
    alerts.check_actions(check_run)
    action.refresh_from_db()
    alert_a.refresh_from_db()
    assert action.status == ActionStatus.NOT_EFFECTIVE and alert_a.status == AlertStatus.OPEN
    reopened = alert_a.open_since
    assert reopened > T0 + 15 * DAY
    assert (alert_a.escalation_level, alert_a.escalated_at, alert_a.region_escalated_at) == (0, None, None)
    assert alerts.alerts_escalate(now=reopened + 6.9 * DAY) == alerts.AlertEscalation()
    assert alerts.alerts_escalate(now=reopened + 7 * DAY).to_manager == [alert_a.pk]


def test_the_daily_job_is_registered_and_the_command_checks_its_input(alert_a):
    job = next(job for job in JOBS if job.name == "escalate_quality_alerts")
    assert job.daily_at is not None and import_string(job.task)
    out = StringIO()
    call_command("escalate_alerts", "--at", (T0 + 7 * DAY).isoformat(), stdout=out)
    assert out.getvalue() == "2 alerts escalated to the service manager, 0 to the region\n"  # dealer A's and B's
    for bad in ("yesterday", "2999-01-01T00:00+08:00"):
        with pytest.raises(CommandError) as error:
            call_command("escalate_alerts", "--at", bad, stdout=StringIO())
        assert error.value.returncode == 2
    alert_a.refresh_from_db()
    assert alert_a.escalation_level == 1


# --- lists, filters and the API -----------------------------------------------------------------------------------


def _ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


def test_filters_no_action_active_overdue_and_escalated(api_en, alert_a, default_version, oem, dealer_a, manager_a):
    second = make_run(default_version, oem, 2026, 9, {dealer_a: {LOWER: (45.0, 0.0)}}, finished_at=T0)
    alerts.raise_alerts(second)
    other = QualityAlert.objects.get(dealer=dealer_a, indicator_code=LOWER)
    action = plan(other, manager_a)
    alerts.alerts_escalate(now=T0 + 7 * DAY)  # only alert_a: the other has an action
    client = api_en(manager_a)

    def listed(query):
        mine = alert_selectors.alert_list(user=manager_a)
        listed = apply_filterset(QualityAlertFilterSet, query, mine, user=manager_a)
        via_page = [a.pk for a in listed]
        via_api = _ids(client.get("/api/v1/quality-alerts/", query))
        assert via_page == via_api, query
        return via_api

    assert listed({"action": "none"}) == [alert_a.pk]
    assert listed({"action": "active"}) == [other.pk]
    assert listed({"action": "overdue"}) == []
    ImprovementAction.objects.filter(pk=action.pk).update(due_date=timezone.localdate() - DAY)
    assert listed({"action": "overdue"}) == [other.pk]
    assert listed({"escalated": "any"}) == [alert_a.pk]
    assert listed({"escalated": "1"}) == [alert_a.pk]
    assert listed({"escalated": "2"}) == []
    assert listed({"reason": "below_floor"}) == [other.pk, alert_a.pk]
    assert listed({"reason": "drop"}) == []
    assert client.get("/api/v1/quality-alerts/", {"escalated": "3"}).status_code == 400
    assert client.get("/api/v1/quality-alerts/", {"action": "later"}).status_code == 400
    page = client.get("/evaluation/alerts/?escalated=3&action=later")  # a bad page filter is ignored, not a 500
    assert page.status_code in (200, 302)


def test_the_api_shows_reasons_escalation_and_the_action(api_en, alert_a, manager_a):
    alerts.alerts_escalate(now=T0 + 7 * DAY)
    row = api_en(manager_a).get(f"/api/v1/quality-alerts/{alert_a.pk}/").json()
    assert [(r["kind"], r["value"], r["threshold"], r["month"]) for r in row["reasons"]] == [
        ("below_floor", 60.0, 70.0, "2026-09-01")]  # fmt: skip
    assert row["reasons"][0]["message"] == row["messages"][0] == row["message"]
    assert "60.0 %" in row["message"] and "70.0 %" in row["message"]
    assert (row["escalation_level"], row["action"], row["escalates_to_manager_at"]) == (1, None, None)
    assert parse_datetime(row["escalates_to_region_at"]) == T0 + 14 * DAY
    action = plan(alert_a, manager_a)
    row = api_en(manager_a).get(f"/api/v1/quality-alerts/{alert_a.pk}/").json()
    assert row["action"] == {"id": action.pk, "status": "planned", "owner": manager_a.pk,
                             "owner_name": manager_a.get_full_name(),
                             "due_date": action.due_date.isoformat()}  # fmt: skip
    assert row["escalates_to_region_at"] is None  # an action stops the escalation


def test_list_queries_stay_flat(client, api_en, default_version, oem, dealer_a, manager_a):
    def listing():
        client.force_login(manager_a)
        with CaptureQueriesContext(connection) as page:
            assert client.get("/evaluation/alerts/").status_code == 200
        with CaptureQueriesContext(connection) as api:
            assert api_en(manager_a).get("/api/v1/quality-alerts/").status_code == 200
        with CaptureQueriesContext(connection) as actions:
            assert client.get("/evaluation/actions/").status_code == 200
        return len(page), len(api), len(actions)

    make_run(default_version, oem, 2026, 8, {dealer_a: {HIGHER: (99.0, 95.0), LOWER: (12.0, 90.0)}})
    run = make_run(default_version, oem, 2026, 9, {dealer_a: {HIGHER: (60.0, 0.0)}}, finished_at=T0)
    alerts.raise_alerts(run)
    plan(QualityAlert.objects.get(), manager_a)
    listing()  # the first requests also load the session, the token and the permissions
    one = listing()
    worse = {i.code: (float(i.floor) + 1 if i.direction == "lower" else float(i.floor) - 1, 0.0)
             for i in Indicator.objects.filter(dimension__system_version=default_version).exclude(
                 code__in=POPULATION_CODES).order_by("code")[:7]}  # fmt: skip
    run = make_run(default_version, oem, 2026, 9, {dealer_a: worse}, finished_at=T0)
    alerts.raise_alerts(run)
    for alert in QualityAlert.objects.filter(status=AlertStatus.OPEN)[:3]:
        plan(alert, manager_a)
    alerts.alerts_escalate(now=T0 + 15 * DAY)
    assert QualityAlert.objects.count() > 4 and ImprovementAction.objects.count() == 4
    assert listing() == one


def test_the_list_page_shows_reasons_the_action_and_the_escalation(client, alert_a, manager_a):
    alerts.alerts_escalate(now=T0 + 7 * DAY)
    client.force_login(manager_a)
    html = client.get("/evaluation/alerts/?escalated=1&action=none").content.decode()
    assert alert_a.get_absolute_url() in html and alert_a.messages[0] in html
    detail = client.get(alert_a.get_absolute_url()).content.decode()
    assert 'id="alert-reasons"' in detail and 'id="alert-escalation"' in detail and alert_a.messages[0] in detail


# --- tenancy and permissions ----------------------------------------------------------------------------------------


def test_region_managers_see_the_escalations_of_their_region_only(client, api_en, alert_a, alert_b, region_manager,
                                                                  manager_b):  # fmt: skip
    third = DealerFactory(code="A002", name="甲二店", region=alert_a.dealer.region)  # same region, not escalated
    run = make_run(alert_a.run.system_version, alert_a.dealer.region.oem, 2026, 9, {third: {HIGHER: (60.0, 0.0)}})
    alerts.raise_alerts(run)
    alerts.alerts_escalate(now=T0 + 14 * DAY)
    assert QualityAlert.objects.filter(escalation_level=2).count() == 2  # A's and B's; the third is younger
    assert _ids(api_en(region_manager).get("/api/v1/quality-alerts/", {"escalated": "2"})) == [alert_a.pk]
    client.force_login(region_manager)
    html = client.get("/evaluation/alerts/?escalated=2").content.decode()
    assert alert_a.get_absolute_url() in html and alert_b.get_absolute_url() not in html
    assert task_list_for(user=region_manager).count() == 0  # region managers work from the list, not the to-dos
    assert _ids(api_en(manager_b).get("/api/v1/quality-alerts/")) == [alert_b.pk]  # never another dealer's
    assert client.get(alert_b.get_absolute_url()).status_code == 404


def test_a_technician_cannot_plan_an_action(client, api_en, alert_a, technician_a, manager_a):
    with raises_because(PermissionDenied, "You may not do this."):
        plan(alert_a, technician_a)
    due = (timezone.localdate() + 7 * DAY).isoformat()
    body = {"alert": alert_a.pk, "owner": manager_a.pk, "cause_analysis": "原因", "plan": "措施", "due_date": due}
    assert api_en(technician_a).post("/api/v1/improvement-actions/", body, format="json").status_code == 403
    client.force_login(technician_a)
    assert client.post(f"/evaluation/alerts/{alert_a.pk}/plan/", {**body, "owner": manager_a.pk}).status_code in (
        403, 404)  # fmt: skip
    alert_a.refresh_from_db()
    assert alert_a.status == AlertStatus.OPEN and not ImprovementAction.objects.exists()
    assert Task.objects.count() == 0
