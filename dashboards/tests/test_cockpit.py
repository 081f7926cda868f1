"""The service manager's cockpit: today's operations against hand-built records, the score half of a stored run,
scope, empty states, both languages and a query count that does not grow with the records."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.choices import Role
from appointments.choices import AppointmentStatus
from appointments.tests.factories import AppointmentFactory
from complaints.tests.factories import open_complaint
from core.dates import localtime
from core.tests.factories import CustomerFactory, UserFactory, VehicleFactory
from core.tests.helpers import login, sh
from dashboards import cockpit
from evaluation.choices import AlertStatus
from evaluation.models import DealerEvaluation, EvaluationRun, ImprovementAction, Indicator, QualityAlert
from evaluation.services import alerts as alert_services
from evaluation.tests.alert_helpers import HIGHER, LOWER, make_run, plan
from repairs.choices import RepairOrderStatus as S
from repairs.models import RepairOrder
from repairs.tests.factories import make_order
from todo.choices import TaskKind
from todo.models import Task

pytestmark = pytest.mark.django_db

NOW = sh(2030, 6, 12, 9, 20)  # a Wednesday; the test dealers are open every day 08:30–18:00
HOME = reverse("dashboards:home")


@pytest.fixture
def now(clock):
    return clock(NOW)


@pytest.fixture
def default_version(db):
    """The default indicator system's published version (migration 0002): A1 lower, A2 higher is better."""
    from evaluation.models import SystemVersion

    return SystemVersion.objects.get(system__oem__isnull=True, status="published")


@pytest.fixture
def manager(dealer_a):
    return UserFactory(username="cockpit_mgr", roles=[Role.SERVICE_MANAGER], dealers=[dealer_a])


def vehicle_of(dealer):
    return VehicleFactory(owner=CustomerFactory(dealer=dealer))


def appointment(dealer, hour, minute=0, status=AppointmentStatus.BOOKED, days=0):
    reason = "客户改期" if status == AppointmentStatus.CANCELLED else ""
    return AppointmentFactory(vehicle=vehicle_of(dealer), slot_start=sh(2030, 6, 12 + days, hour, minute),
                              status=status, cancel_reason=reason)  # fmt: skip


def order(dealer, advisor, status, promised_in_minutes):
    """An order of the dealer put at ``status`` with its promise that many minutes from NOW (negative: past)."""
    made = make_order(vehicle_of(dealer), advisor)
    RepairOrder.objects.filter(pk=made.pk).update(
        status=status, promised_at=NOW + timedelta(minutes=promised_in_minutes)
    )
    made.refresh_from_db()
    return made


def follow_up(dealer, due_at, due_by, kind=TaskKind.FOLLOWUP_FIRST):
    from accounts.choices import Role as R

    return Task.objects.create(dealer=dealer, kind=kind, title="回访", due_at=due_at, due_by=due_by,
                               role=R.FOLLOWUP_SPECIALIST)  # fmt: skip


# --- today's operations -----------------------------------------------------------------------------------------


def test_appointments_of_the_dealers_local_day_by_arrival(now, dealer_a, dealer_b, manager):
    appointment(dealer_a, 8, status=AppointmentStatus.ARRIVED)
    appointment(dealer_a, 8, 30, status=AppointmentStatus.NO_SHOW)
    appointment(dealer_a, 9, status=AppointmentStatus.CONFIRMED)  # its slot began: late
    appointment(dealer_a, 9, 20, status=AppointmentStatus.BOOKED)  # begins now: late too
    appointment(dealer_a, 11, status=AppointmentStatus.BOOKED)
    appointment(dealer_a, 23, 30, status=AppointmentStatus.BOOKED)  # still today
    appointment(dealer_a, 10, status=AppointmentStatus.CANCELLED)  # not counted
    appointment(dealer_a, 10, status=AppointmentStatus.BOOKED, days=1)  # tomorrow
    appointment(dealer_a, 0, 0, status=AppointmentStatus.BOOKED, days=1)  # tomorrow's first minute
    appointment(dealer_b, 10)  # another dealer
    tiles = cockpit.appointment_tiles(manager, dealer_a, NOW.date(), NOW)
    assert [t.value for t in tiles] == [6, 1, 4, 1]
    assert tiles[2].tone == "warn" and "2" in tiles[2].note
    assert tiles[1].url == (f"{reverse('appointments:appointment_list')}?dealer={dealer_a.pk}&date_from=2030-06-12"
                            "&date_to=2030-06-12&status=arrived")  # fmt: skip
    listed = login(manager).get(tiles[2].url).context["object_list"]
    assert sorted(localtime(a.slot_start).strftime("%H:%M") for a in listed) == ["09:00", "09:20", "11:00", "23:30"]


def test_cars_in_the_workshop_by_state_and_the_promises_at_risk_and_overdue(now, dealer_a, dealer_b, advisor_a,
                                                                             advisor_b, manager):  # fmt: skip
    at_risk = [order(dealer_a, advisor_a, S.IN_REPAIR, 30), order(dealer_a, advisor_a, S.APPROVED, 59),
               order(dealer_a, advisor_a, S.QC, 0)]  # fmt: skip
    overdue = [order(dealer_a, advisor_a, S.DISPATCHED, -45), order(dealer_a, advisor_a, S.CHECKED_IN, -1)]
    order(dealer_a, advisor_a, S.QC, 60)  # an hour left: not at risk yet
    order(dealer_a, advisor_a, S.READY, -120)  # ready: kept its promise
    order(dealer_a, advisor_a, S.DELIVERED, -300)  # gone
    order(dealer_b, advisor_b, S.IN_REPAIR, -30)  # another dealer
    found = cockpit.promise_block(manager, dealer_a, NOW)
    assert [o.number for o in found["at_risk"]] == [at_risk[2].number, at_risk[0].number, at_risk[1].number]
    assert [o.minutes_left for o in found["at_risk"]] == [0, 30, 59]
    assert [o.number for o in found["overdue"]] == [overdue[0].number, overdue[1].number]
    assert [o.minutes_late for o in found["overdue"]] == [45, 1]
    assert (found["at_risk_count"], found["overdue_count"]) == (3, 2)
    # The RO list's filters are the same rule: the tiles' links list exactly these orders.
    web = login(manager)
    assert {o.number for o in web.get(found["at_risk_url"]).context["object_list"]} == {o.number for o in at_risk}
    assert {o.number for o in web.get(found["overdue_url"]).context["object_list"]} == {o.number for o in overdue}

    chart = cockpit.workshop_chart(manager, dealer_a)
    counts = dict(zip(chart.categories, chart.series[0].values, strict=True))
    assert counts == {"Reception": 0, "Checked in": 1, "Estimate given": 0, "Approved by customer": 1,
                      "Dispatched": 1, "In repair": 1, "Waiting for QC": 2, "Ready for delivery": 1}  # fmt: skip
    qc = chart.series[0].links[chart.categories.index("Waiting for QC")]
    assert {o.status for o in web.get(qc).context["object_list"]} == {S.QC} and len(web.get(qc).context[
        "object_list"]) == 2  # fmt: skip


def test_complaints_with_their_sla_clock_in_working_minutes(now, dealer_a, dealer_b, advisor_a, advisor_b, manager):
    fresh = open_complaint(dealer_a, advisor_a, received_at=sh(2030, 6, 12, 8, 50))  # contact due 10:50: 90 min
    evening = open_complaint(dealer_a, advisor_a, received_at=sh(2030, 6, 11, 17, 0))  # 17–18 + 8:30–9:30: 10 min
    late = open_complaint(dealer_a, advisor_a, received_at=sh(2030, 6, 10, 10, 0))  # due Mon 12:00
    open_complaint(dealer_b, advisor_b, received_at=sh(2030, 6, 12, 8, 0))  # another dealer
    found = cockpit.complaint_block(manager, dealer_a, NOW)
    clocks = [(row["clock"].complaint.number, row["clock"].step, row["clock"].minutes_left, row["clock"].overdue)
              for row in found["rows"]]  # fmt: skip
    # Mon 12:00–18:00, Tue 08:30–18:00, Wed 08:30–09:20: 6 h + 9 h 30 + 50 min of working time past the deadline.
    assert clocks == [(late.number, "a2", -980, True), (evening.number, "a2", 10, False),
                      (fresh.number, "a2", 90, False)]  # fmt: skip
    assert [row["clock"].working_time for row in found["rows"]] == [timedelta(minutes=m) for m in (980, 10, 90)]
    assert [row["soon"] for row in found["rows"]] == [False, True, False]
    assert (found["open"], found["overdue"]) == (3, 1)
    assert login(manager).get(found["overdue_url"]).context["object_list"][0] == late


def test_follow_ups_due_and_overdue_and_alerts_without_action(now, dealer_a, dealer_b, manager, default_version):
    follow_up(dealer_a, NOW - timedelta(hours=2), NOW + timedelta(hours=6))  # due today
    follow_up(dealer_a, NOW - timedelta(days=1), None, kind=TaskKind.FOLLOWUP_SECOND)  # due, no end
    follow_up(dealer_a, NOW - timedelta(days=3), NOW - timedelta(minutes=1))  # overdue
    follow_up(dealer_a, NOW + timedelta(hours=1), NOW + timedelta(days=1))  # upcoming
    follow_up(dealer_b, NOW - timedelta(days=3), NOW - timedelta(days=1))  # another dealer
    Task.objects.create(dealer=dealer_a, kind=TaskKind.OTHER, title="别的事", due_at=NOW - timedelta(days=2),
                        due_by=NOW - timedelta(days=1), role=Role.SERVICE_MANAGER)  # not a follow-up  # fmt: skip
    due, overdue = cockpit.follow_up_tiles(manager, dealer_a, NOW)
    assert (due.value, overdue.value, overdue.tone) == (2, 1, "bad")
    assert due.url == f"{reverse('care:followups')}?dealer={dealer_a.pk}&bucket=today"

    oem = dealer_a.region.oem
    run = make_run(default_version, oem, 2030, 5, {dealer_a: {LOWER: (40.0, 0.0), HIGHER: (60.0, 0.0)},
                                                   dealer_b: {LOWER: (45.0, 0.0)}}, published=True)  # fmt: skip
    alert_services.raise_alerts(run)
    planned = QualityAlert.objects.get(dealer=dealer_a, indicator_code=HIGHER)
    action = plan(planned, manager, due=NOW.date() + timedelta(days=3))
    ImprovementAction.objects.filter(pk=action.pk).update(due_date=NOW.date() - timedelta(days=1))  # now overdue
    block = cockpit.alert_block(manager, dealer_a, NOW.date())
    assert (block["unresolved"], block["without_action"], block["tile"].value) == (2, 1, 1)
    assert [a.indicator_code for a in block["alerts"]] == [LOWER, HIGHER]  # without an action first
    assert block["alerts"][1].action == action and block["alerts"][1].action_overdue
    assert [(a.pk, a.overdue) for a in block["actions"]] == [(action.pk, True)]
    assert set(block["by_indicator"]) == {LOWER, HIGHER}
    listed = login(manager).get(block["without_action_url"]).context["object_list"]
    assert [a.indicator_code for a in listed] == [LOWER]


# --- the page: scope, empty states, languages, queries --------------------------------------------------------------


def test_other_roles_keep_the_general_home_page_and_region_managers_get_the_network_view(now, advisor_a,
                                                                                        region_manager):  # fmt: skip
    page = login(advisor_a).get(HOME)
    assert page.status_code == 200 and "dashboards/home.html" in [t.name for t in page.templates]
    assert "dashboards/cockpit.html" not in [t.name for t in page.templates]
    page = login(region_manager).get(HOME)
    assert page.status_code == 200 and "dashboards/network.html" in [t.name for t in page.templates]
    assert "dashboards/cockpit.html" not in [t.name for t in page.templates]


def test_a_manager_sees_only_their_dealer_and_another_dealer_is_a_404(now, dealer_a, dealer_b, advisor_a,
                                                                        advisor_b, manager):  # fmt: skip
    mine = order(dealer_a, advisor_a, S.IN_REPAIR, -10)
    theirs = order(dealer_b, advisor_b, S.IN_REPAIR, -10)
    web = login(manager)
    page = web.get(HOME)
    assert page.context["dealer"] == dealer_a and page.context["dealers"] == [dealer_a]
    html = page.content.decode()
    assert mine.number in html and theirs.number not in html
    assert 'name="dealer"' not in html  # one dealer: no picker
    for guess in (dealer_b.pk, 999_999, "abc"):
        assert web.get(HOME, {"dealer": guess}).status_code == 404


def test_a_manager_of_two_dealers_picks_one(now, dealer_a, dealer_b, advisor_a, advisor_b):
    both = UserFactory(roles=[Role.SERVICE_MANAGER], dealers=[dealer_a, dealer_b])
    theirs = order(dealer_b, advisor_b, S.IN_REPAIR, -10)
    web = login(both)
    first = web.get(HOME)
    assert first.context["dealer"] == dealer_a and theirs.number not in first.content.decode()
    assert 'name="dealer"' in first.content.decode()
    picked = web.get(HOME, {"dealer": dealer_b.pk})
    assert picked.context["dealer"] == dealer_b and theirs.number in picked.content.decode()


def test_empty_states_say_what_to_do(now, dealer_a, manager):
    html = login(manager).get(HOME).content.decode()
    assert "No published evaluation for A001 yet" in html
    assert "Runs are started and published by the region or the OEM." in html
    assert "Every promise is on time" in html and "No open complaint: no SLA clock is running." in html
    assert "No open repair order: the workshop is empty." in html
    assert "No evaluation run of 2030-06 yet" not in html  # said only beside a published month
    # Those who may start runs get the button to the run page.
    evaluator = UserFactory(roles=[Role.SERVICE_MANAGER, Role.ADMINISTRATOR], dealers=[dealer_a])
    html = login(evaluator).get(HOME).content.decode()
    assert f'href="{reverse("evaluation:run_list")}"' in html and "Start or publish a run" in html


def test_the_chinese_default(now, dealer_a, manager):
    html = login(manager, language=None).get(HOME).content.decode()
    assert "驾驶舱" in html and "今日" in html and "在修车辆（按状态）" in html
    assert "Cockpit" not in html and "Today" not in html


# --- the score half on a stored run ---------------------------------------------------------------------------------


def scored_run(version, dealer, year, month, figures, *, published=True):
    """A done run of dimension A only (A1, A2 half the weight each) with the dealer's score Σ w·s, as the engine
    stores it; ``figures``: {code: (value, score)}."""
    run = make_run(version, dealer.region.oem, year, month, {dealer: figures}, published=published)
    EvaluationRun.objects.filter(pk=run.pk).update(weights={"dimensions": {"A": 1.0}})
    result = DealerEvaluation.objects.get(run=run, dealer=dealer)
    rows = {code: {**row, "weight": 0.5} for code, row in result.indicators.items()}
    score = sum(0.5 * row["score"] for row in rows.values())
    DealerEvaluation.objects.filter(pk=result.pk).update(indicators=rows, score=score, grade="good", stars=4,
                                                         dimension_scores={"A": score})  # fmt: skip
    return DealerEvaluation.objects.get(pk=result.pk)


def test_the_score_half_from_the_last_published_month(now, dealer_a, manager, default_version):
    scored_run(default_version, dealer_a, 2030, 4, {LOWER: (12.0, 90.0), HIGHER: (96.0, 100.0)})
    may = scored_run(default_version, dealer_a, 2030, 5, {LOWER: (20.0, 50.0), HIGHER: (65.0, 0.0)})
    scored_run(default_version, dealer_a, 2030, 6, {LOWER: (5.0, 100.0)}, published=False)  # a draft: not seen
    found = cockpit.quality(user=manager, dealer=dealer_a, today=NOW.date())
    assert (found.month, found.result, found.current) == (cockpit.Month(2030, 5), may, None)
    assert found.explanation.change == pytest.approx(25.0 - 95.0)
    assert [(m["contribution"].indicator, round(m["contribution"].points, 6)) for m in found.movers] == [
        (HIGHER, -50.0), (LOWER, -20.0)]  # fmt: skip
    assert [(c["code"], round(c["points"], 6)) for c in found.costly] == [(HIGHER, 50.0), (LOWER, 25.0)]
    rows = {row.code: row for row in found.rows}
    # A1 waiting 20 min (target 10, floor 30, lower is better): amber, 8 minutes worse; A2 65 % (floor 70): red.
    assert (rows[LOWER].light, rows[LOWER].change, rows[LOWER].trend) == ("amber", 8.0, "worse")
    assert (rows[HIGHER].light, rows[HIGHER].change, rows[HIGHER].n) == ("red", -31.0, 5)
    assert rows[LOWER].url == (f"{reverse('evaluation:drilldown', args=[LOWER])}?dealer={dealer_a.pk}"
                               "&from=2030-05-01&to=2030-05-31")  # fmt: skip
    waterfall = found.charts["why"]
    assert waterfall.start == ("2030-04", 95.0) and waterfall.end == ("2030-05", 25.0)
    assert sum(waterfall.series[0].values) == pytest.approx(found.explanation.change)
    assert waterfall.series[0].links[0] == rows[HIGHER].url
    assert found.explain_url == reverse("evaluation:result_explain", args=[may.pk])

    html = login(manager).get(HOME).content.decode()
    assert "Published result of 2030-05" in html and "25.0" in html
    assert "-70.00 points vs the month before (95.0)" in html
    assert "No evaluation run of 2030-06 yet" in html
    assert found.explain_url in html and rows[LOWER].url.replace("&", "&amp;") in html


def test_the_whole_cockpit_in_a_bounded_number_of_queries_that_does_not_grow(
    now, dealer_a, advisor_a, manager, default_version, django_assert_max_num_queries
):
    def add_records(k):
        for i in range(k):
            order(dealer_a, advisor_a, S.IN_REPAIR, -10 - i)
            order(dealer_a, advisor_a, S.QC, 10 + i)
            open_complaint(dealer_a, advisor_a, received_at=sh(2030, 6, 11, 9 + i))
            appointment(dealer_a, 10 + i, status=AppointmentStatus.ARRIVED)
            follow_up(dealer_a, NOW - timedelta(days=2), NOW - timedelta(days=1))

    scored_run(default_version, dealer_a, 2030, 4, {LOWER: (12.0, 90.0), HIGHER: (96.0, 100.0)})
    may = scored_run(default_version, dealer_a, 2030, 5, {LOWER: (40.0, 0.0), HIGHER: (60.0, 0.0)})
    alert_services.raise_alerts(may.run)
    plan(QualityAlert.objects.get(dealer=dealer_a, indicator_code=HIGHER), manager)
    add_records(2)
    web = login(manager)
    web.get(HOME)  # the process's one-time caches (content types…) are not the page's cost
    with django_assert_max_num_queries(40):
        web.get(HOME)
    with CaptureQueriesContext(connection) as few:
        assert web.get(HOME).status_code == 200

    add_records(4)
    # Every other indicator of the system breaches its floor in an older run: many more alerts, some planned.
    others = Indicator.objects.filter(dimension__system_version=default_version).exclude(code__in=[LOWER, HIGHER])
    breaches = {i.code: (float(i.floor) + (1 if i.direction == "lower" else -1), 0.0) for i in others}
    alert_services.raise_alerts(make_run(default_version, dealer_a.region.oem, 2030, 3, {dealer_a: breaches}))
    for alert in QualityAlert.objects.filter(dealer=dealer_a, status=AlertStatus.OPEN)[:5]:
        plan(alert, manager)
    with CaptureQueriesContext(connection) as many:
        page = web.get(HOME)
    assert len(page.context["ops"]["promises"]["overdue"]) == 6
    assert page.context["alerts"]["unresolved"] > 10 and len(page.context["alerts"]["actions"]) == 6
    if len(many) != len(few):  # pragma: no cover - which query differs, when it fails
        import difflib

        print(
            "\n".join(
                difflib.unified_diff(
                    [q["sql"][:300] for q in few.captured_queries],
                    [q["sql"][:300] for q in many.captured_queries],
                    lineterm="",
                )
            )
        )
    assert len(many) == len(few)


@pytest.mark.parametrize("key", ["workshop", "why", "radar", "trend"])
def test_each_chart_downloads_its_table(now, dealer_a, advisor_a, manager, default_version, key):
    scored_run(default_version, dealer_a, 2030, 4, {LOWER: (12.0, 90.0), HIGHER: (96.0, 100.0)})
    scored_run(default_version, dealer_a, 2030, 5, {LOWER: (40.0, 0.0), HIGHER: (60.0, 0.0)})
    order(dealer_a, advisor_a, S.IN_REPAIR, -10)
    response = login(manager).get(HOME, {"download": key})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
