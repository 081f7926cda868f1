"""One owner per indicator rule: the figure a domain page (or, without one, the domain's rule) shows equals the
measurement's figure for the same dealer and period, on records where the two used to disagree.

Every test also checks that the registry points at the domain's function (evaluation.selectors.measures only registers).
B1 is repairs.comebacks' (its own tests); G stays with the audit tests.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from appointments import kpis as appointment_kpis
from appointments.choices import AppointmentStatus
from appointments.tests.factories import AppointmentFactory
from care import kpis as care_kpis
from complaints import kpis as complaint_kpis
from complaints.choices import Status
from core.dates import month_bounds
from core.indicators import MEAN, RATIO, Measure, combined
from core.tests.factories import CustomerFactory, UserFactory
from core.tests.helpers import sh
from customers.models import Customer
from evaluation.selectors.measures import MEASURES, measure_all
from evaluation.tests.measure_factories import (
    COMPLETE_CHECKIN,
    END,
    MAINTENANCE,
    START,
    addition,
    addition_job,
    complaint,
    ro,
    vehicle,
)
from parts import kpis as parts_kpis
from parts.models import Part, SpecialOrder, StockItem, StockMovement, StockReservation, Warehouse
from repairs import comebacks
from repairs import kpis as repair_kpis
from repairs.choices import JobType, LineKind, RepairOrderStatus
from repairs.models import QcInspection, RepairOrderLine, Settlement
from staff import kpis as staff_kpis
from staff.tests import factories as staff
from surveys import kpis as survey_kpis
from surveys.models import SurveyResponse
from surveys.tests.factories import GOOD_CSI, csi, delivered_order, followup
from todo.choices import TaskKind, TaskStatus
from todo.models import Task

pytestmark = pytest.mark.django_db


def measured(code, dealer, start=START, end=END, as_of=None) -> Measure:
    return measure_all([dealer.id], start, end, as_of=as_of, codes={code})[code][dealer.id]


def same(page: Measure, measurement: Measure) -> None:
    """The page's figure is the measurement's (a page showing several dealers together has no dealer id)."""
    assert (page.value, page.numerator, page.denominator, page.n) == pytest.approx(
        (measurement.value, measurement.numerator, measurement.denominator, measurement.n)
    )


def registered(code, indicator, measure) -> None:
    spec = MEASURES[code]
    assert spec.rule is measure
    assert (spec.code, spec.label, spec.unit, spec.kind) == (
        indicator.code, indicator.label, indicator.unit, indicator.kind,
    )  # fmt: skip


@pytest.fixture
def manager(dealer_a):
    user = UserFactory(username="owner_mgr", roles=[Role.SERVICE_MANAGER], dealers=[dealer_a])
    client = Client()
    client.force_login(user)
    return client


# --- complaints: A2, D6, B5 on the complaint dashboard; E3 ---------------------------------------------------------


@pytest.fixture
def march_complaints(dealer_a, advisor_a):
    due = {"first_contact_due_at": sh(2025, 3, 5, 12), "feedback_due_at": sh(2025, 3, 8, 18)}
    complaint(
        dealer_a,
        advisor_a,
        received=sh(2025, 3, 5, 10),
        **due,
        first_contact_at=sh(2025, 3, 5, 12),
        feedback_at=sh(2025, 3, 8, 18),
        status=Status.RESOLVED,
        customer_agreed=True,
        resolved_at=sh(2025, 4, 20, 9),
    )  # resolved after the month: counts by the evaluation date (now)
    complaint(dealer_a, advisor_a, received=sh(2025, 3, 31, 23, 30), **due, first_contact_at=sh(2025, 4, 1, 9))
    complaint(dealer_a, advisor_a, received=sh(2025, 3, 4, 10), **due, first_contact_at=sh(2025, 3, 5, 11),
              status=Status.RESOLVED, customer_agreed=False, resolved_at=sh(2025, 3, 25, 9))  # fmt: skip
    complaint(dealer_a, advisor_a, received=sh(2025, 4, 1, 0, 0))  # April


@pytest.mark.parametrize(
    ("code", "expected"),
    [("A2", (2, 3)), ("D6", (1, 3)), ("B5", (1, 3))],
)
def test_complaint_dashboard_shows_the_measurement(code, expected, dealer_a, manager, march_complaints):
    indicator = getattr(complaint_kpis, code)
    registered(code, indicator, {"A2": complaint_kpis.first_contact, "D6": complaint_kpis.feedback,
                                 "B5": complaint_kpis.resolution}[code])  # fmt: skip

    page = manager.get(reverse("complaints:dashboard"), {"month": "2025-03", "dealer": dealer_a.pk})

    shown = dict(page.context["kpis"])[indicator]
    same(shown, measured(code, dealer_a))
    assert (shown.numerator, shown.n) == expected
    assert f'id="kpi-{code.lower()}"' in page.content.decode()


def test_e3_complaints_per_delivered_order(dealer_a, advisor_a, march_complaints):
    registered("E3", complaint_kpis.E3, complaint_kpis.complaint_rate)
    for day in (3, 4):
        ro(dealer_a, advisor_a, arrived=sh(2025, 3, day, 9), delivered_at=sh(2025, 3, day, 15))
    ro(dealer_a, advisor_a, arrived=sh(2025, 3, 31, 20), delivered_at=sh(2025, 4, 1, 0, 30))  # delivered in April

    rule = complaint_kpis.complaint_rate([dealer_a.id], START, END)[dealer_a.id]

    assert rule == measured("E3", dealer_a) == Measure(dealer_a.id, 150.0, 3, 2, 2)


# --- surveys: C1, C2, E1, E2 on the results page, one dealer and two together ------------------------------------

ATTITUDE = ("SI3", "SA1", "VP4")  # the shipped CSI questionnaire's items tagged attitude
COMPETENCE = ("SA2", "SA3", "VP2", "SQ1")


def _response(dealer, taker, submitted, *, attitude, competence, nps):
    from surveys.services import survey_record_response

    answers = {**GOOD_CSI, **dict.fromkeys(ATTITUDE, attitude), **dict.fromkeys(COMPETENCE, competence), "NPS": nps}
    return survey_record_response(
        invitation_or_order=delivered_order(dealer, days_ago=800), answers=answers, channel="phone", by=taker,
        submitted_at=submitted,
    )  # fmt: skip


@pytest.fixture
def surveyed(dealer_a, dealer_b):
    """Dealer A: three March responses, one without a recommendation answer; dealer B: two; one in April."""
    csi()
    a, b = followup(dealer_a), followup(dealer_b)
    _response(dealer_a, a, sh(2025, 3, 1, 0, 0), attitude=5, competence=4, nps=10)
    _response(dealer_a, a, sh(2025, 3, 15, 10), attitude=3, competence=2, nps=3)
    unanswered = _response(dealer_a, a, sh(2025, 3, 31, 23, 59), attitude=4, competence=4, nps=9)
    SurveyResponse.objects.filter(pk=unanswered.pk).update(nps_score=None, nps_category="")  # no recommendation
    _response(dealer_b, b, sh(2025, 3, 10, 10), attitude=2, competence=5, nps=6)
    odd = _response(dealer_b, b, sh(2025, 3, 11, 10), attitude=4, competence=3, nps=8)
    SurveyResponse.objects.filter(pk=odd.pk).update(csi_score=Decimal("66.67"))  # a CSI that does not round evenly
    _response(dealer_a, a, sh(2025, 4, 1, 0, 0), attitude=1, competence=1, nps=0)  # April


def _results(client, **query):
    return client.get(reverse("surveys:results"), {"start": "2025-03-01", "end": "2025-03-31", **query})


SURVEY_OWNERS = {"C1": survey_kpis.attitude, "C2": survey_kpis.competence, "E1": survey_kpis.csi,
                 "E2": survey_kpis.nps}  # fmt: skip


@pytest.mark.parametrize("code", ["C1", "C2", "E1", "E2"])
def test_survey_results_show_the_measurement(code, dealer_a, dealer_b, surveyed):
    registered(code, getattr(survey_kpis, code), SURVEY_OWNERS[code])
    user = UserFactory(roles=[Role.REGION_MANAGER], regions=[dealer_a.region, dealer_b.region])
    client = Client()
    client.force_login(user)

    one = _results(client, dealer=dealer_a.pk).context["rows"]
    [row] = one
    same(row["kpis"][code], measured(code, dealer_a))

    both = _results(client).context["total"]
    figures = measure_all([dealer_a.id, dealer_b.id], START, END, codes={code})[code]
    same(both["kpis"][code], combined(figures.values(), MEASURES[code].kind))


def test_the_survey_totals_are_computed_from_the_counts(dealer_a, dealer_b, surveyed):
    """Several dealers together: Σ promoters − Σ detractors over Σ answers, CSI over all the responses' CSIs."""
    from surveys import selectors

    total = selectors.totals(selectors.dealer_results([dealer_a.id, dealer_b.id], date(2025, 3, 1), date(2025, 3, 31)))
    csis = SurveyResponse.objects.filter(submitted_at__gte=START, submitted_at__lt=END).values_list(
        "csi_score", flat=True
    )
    assert total["kpis"]["E1"].value == pytest.approx(float(sum(csis)) / 5 * 10)
    assert total["csi_1000"] == round(float(sum(csis)) / 5 * 10)
    assert (total["nps"], total["nps_n"]) == (-25.0, 4)  # 1 promoter, 2 detractors, 1 passive; 1 without an answer
    assert total["dimensions"]["attitude"]["n"] == 15


# --- staff: C3 on the training report, C4 on the certificate list --------------------------------------------------


def test_c3_training_report_shows_the_measurement(dealer_a, manager):
    registered("C3", staff_kpis.C3, staff_kpis.training_compliance)
    on_track = staff.person(dealer_a, hire_date=date(2020, 1, 1))
    staff.trained(on_track, 40, date(2025, 6, 1))
    behind = staff.person(dealer_a, hire_date=date(2020, 1, 1))
    staff.trained(behind, 39, date(2025, 12, 31))
    staff.trained(behind, 10, date(2026, 1, 1))  # next year
    staff.person(dealer_a, hire_date=date(2020, 1, 1), leave_date=date(2025, 12, 30))  # left before 31 December

    page = manager.get(reverse("staff:training_report"), {"year": "2025", "dealer": dealer_a.pk})

    [(_dealer, shown)] = page.context["c3"]
    year = (sh(2025, 1, 1), sh(2026, 1, 1))
    same(shown, measured("C3", dealer_a, *year))
    assert (shown.numerator, shown.n) == (1, 2)


def test_c4_certificate_list_shows_the_measurement(dealer_a, advisor_a, manager):
    registered("C4", staff_kpis.C4, staff_kpis.certified_technicians)
    certified = staff.person(dealer_a)
    staff.certificate(certified)
    uncertified = staff.person(dealer_a)
    job_order = staff.order(dealer_a, advisor_a, arrived=staff.at(date(2025, 3, 1), 8))
    staff.job(job_order, certified.user, clocked=staff.at(date(2025, 3, 10)))
    staff.job(job_order, uncertified.user, clocked=sh(2025, 3, 31, 23, 30))
    staff.job(job_order, staff.person(dealer_a).user, clocked=staff.at(date(2025, 4, 1), 0))  # April

    page = manager.get(reverse("staff:certificate_list"), {"start": "2025-03-01", "end": "2025-03-31"})

    [(_dealer, shown)] = page.context["c4"]
    same(shown, measured("C4", dealer_a))
    assert (shown.numerator, shown.n) == (1, 2)


# --- care: D4, D5, E4 on the follow-up page ------------------------------------------------------------------------


def _follow_up(dealer, due_by, done_at=None, status=TaskStatus.DONE):
    return Task.objects.create(
        dealer=dealer, kind=TaskKind.FOLLOWUP_FIRST, title="首次回访", role="followup_specialist",
        due_at=due_by - timedelta(days=4), due_by=due_by, status=status if done_at else TaskStatus.OPEN,
        done_at=done_at,
    )  # fmt: skip


def _care_page(client, month):
    page = client.get(reverse("care:followups"), {"month": month})
    indicators = page.context["kpi_indicators"]
    [row] = page.context["kpi_rows"]
    return dict(zip([i.code for i in indicators], row["figures"], strict=True))


@pytest.fixture
def specialist(dealer_a):
    client = Client()
    client.force_login(UserFactory(username="owner_care", roles=[Role.FOLLOWUP_SPECIALIST], dealers=[dealer_a]))
    return client


def test_d4_follow_up_page_shows_the_measurement_for_a_past_month(dealer_a, specialist):
    registered("D4", care_kpis.D4, care_kpis.follow_up_timeliness)
    _follow_up(dealer_a, sh(2025, 3, 10, 23, 59, 59), sh(2025, 3, 10, 9))  # on time
    _follow_up(dealer_a, sh(2025, 3, 31, 23, 59, 59), sh(2025, 4, 1, 9))  # window ends in March, done late
    _follow_up(dealer_a, sh(2025, 3, 20, 23, 59, 59))  # never done
    _follow_up(dealer_a, sh(2025, 4, 2, 23, 59, 59), sh(2025, 3, 30, 9))  # due in April

    shown = _care_page(specialist, "2025-03")["D4"]

    same(shown, measured("D4", dealer_a))
    assert (shown.numerator, shown.n) == (1, 3)


def test_d4_of_the_running_month_judges_only_the_follow_ups_settled_so_far(dealer_a, specialist, monkeypatch):
    """The follow-up page and the measurements both leave out a follow-up whose window is still running and that is
    not done yet (it used to count as missed in the measurement: 93 % on the page, 55 % in the measurements); one
    done inside its window counts at once."""
    now = sh(2025, 12, 3, 16, 49)
    monkeypatch.setattr(timezone, "now", lambda: now)
    _follow_up(dealer_a, sh(2025, 12, 1, 23, 59, 59), sh(2025, 11, 28, 10))  # done on time
    _follow_up(dealer_a, sh(2025, 12, 2, 23, 59, 59), sh(2025, 12, 2, 10))  # done on time
    _follow_up(dealer_a, sh(2025, 12, 2, 23, 59, 59))  # missed
    _follow_up(dealer_a, sh(2025, 12, 5, 23, 59, 59))  # window still running: not judged yet
    _follow_up(dealer_a, sh(2025, 12, 6, 23, 59, 59), sh(2025, 12, 3, 9))  # done inside its window: a hit already
    december = month_bounds(2025, 12)

    shown = _care_page(specialist, "2025-12")["D4"]

    same(shown, measured("D4", dealer_a, *december))
    assert (shown.numerator, shown.n) == (3, 4)
    # Once the month is over every follow-up of it is judged.
    assert measured("D4", dealer_a, *december, as_of=sh(2026, 1, 5)).n == 5


def test_a_bad_month_on_the_follow_up_page_says_so_and_shows_this_month(specialist):
    page = specialist.get(reverse("care:followups"), {"month": "2025-13"})
    assert page.status_code == 200
    assert page.context["kpi_form"].errors["month"]
    assert page.context["kpi_month"] == timezone.localdate().replace(day=1)


def test_d5_follow_up_page_shows_the_measurement(dealer_a, specialist):
    registered("D5", care_kpis.D5, care_kpis.archive_timeliness)
    for created, completed in (
        (sh(2025, 3, 3, 10), sh(2025, 3, 5, 10)),
        (sh(2025, 3, 31, 23), None),
        (sh(2025, 3, 4, 10), sh(2025, 3, 6, 11)),
        (sh(2025, 4, 1, 0), sh(2025, 4, 1, 1)),
    ):
        customer = CustomerFactory(dealer=dealer_a)
        Customer.objects.filter(pk=customer.pk).update(created_at=created, archive_completed_at=completed)

    shown = _care_page(specialist, "2025-03")["D5"]

    same(shown, measured("D5", dealer_a))
    assert (shown.numerator, shown.n) == (1, 3)


def test_e4_follow_up_page_shows_the_measurement_at_the_month_end(dealer_a, advisor_a, specialist):
    registered("E4", care_kpis.E4, care_kpis.retention)

    def customer_with_visits(*visits):
        car = vehicle(dealer_a)
        for at in visits:
            ro(dealer_a, advisor_a, arrived=at, car=car, status=RepairOrderStatus.CLOSED)

    customer_with_visits(sh(2023, 6, 1, 9), sh(2024, 10, 1, 9))  # kept
    customer_with_visits(sh(2023, 6, 1, 9))  # lost
    customer_with_visits(sh(2023, 6, 1, 9), sh(2025, 4, 15, 9))  # came back after t = 1 April 2025: lost then

    shown = _care_page(specialist, "2025-03")["E4"]

    same(shown, measured("E4", dealer_a))
    assert (shown.numerator, shown.n) == (1, 3)


# --- parts: F1 and F2 on the parts reports page ---------------------------------------------------------------------


@pytest.fixture
def clerk(dealer_a):
    client = Client()
    client.force_login(UserFactory(username="owner_parts", roles=[Role.PARTS_CLERK], dealers=[dealer_a]))
    return client


def _parts_page(client):
    return client.get(reverse("parts:reports"), {"from": "2025-03-01", "to": "2025-03-31"}).context


def test_f1_parts_report_shows_the_measurement_on_the_dealers_local_day(dealer_a, advisor_a, clerk):
    registered("F1", parts_kpis.F1, parts_kpis.fill_rate)
    type(dealer_a).objects.filter(pk=dealer_a.pk).update(time_zone="Asia/Urumqi")  # UTC+6: two hours behind
    warehouse = Warehouse.objects.create(dealer=dealer_a, code="WH01", name="主仓库")
    part = Part.objects.create(brand="大众", number="5QD 698 151", name="前刹车片")
    item = StockItem.objects.create(warehouse=warehouse, part=part)
    order = ro(dealer_a, advisor_a, arrived=sh(2025, 3, 1, 9), status=RepairOrderStatus.IN_REPAIR)

    def line(reservations=(), special=None):
        part_line = RepairOrderLine.objects.create(order=order, kind=LineKind.PART, part=part, description="前刹车片",
                                                   quantity=Decimal("1"), unit_price=Decimal("420"))  # fmt: skip
        for status, requested, issued in reservations:
            StockReservation.objects.create(
                item=item,
                repair_order_line=part_line,
                quantity=Decimal("1"),
                status=status,
                requested_at=requested,
                issued_at=issued,
                by=advisor_a,
            )
        if special:
            SpecialOrder.objects.create(repair_order_line=part_line, warehouse=warehouse, part=part,
                                        quantity=Decimal("1"), requested_at=special, by=advisor_a)  # fmt: skip

    line([("issued", sh(2025, 3, 10, 23, 30), sh(2025, 3, 11, 0, 30))])  # the same day in Urumqi: filled
    line([("issued", sh(2025, 3, 11, 1, 30), sh(2025, 3, 11, 2, 30))])  # 23:30 → 00:30 in Urumqi: next day
    line([("released", sh(2025, 3, 12, 9), None)], special=sh(2025, 3, 12, 10))  # withdrawn, then special-ordered
    line([("released", sh(2025, 3, 13, 9), None)])  # asked and withdrawn: not a request

    shown = _parts_page(clerk)["fill"]

    same(shown, measured("F1", dealer_a))
    assert (shown.numerator, shown.n) == (1, 3)


def test_f2_parts_report_shows_the_measurement_at_the_period_end(dealer_a, advisor_a, clerk):
    registered("F2", parts_kpis.F2, parts_kpis.dead_stock_share)
    warehouse = Warehouse.objects.create(dealer=dealer_a, code="WH01", name="主仓库")

    def stock(number, cost, *movements):
        item = StockItem.objects.create(warehouse=warehouse, part=Part.objects.create(number=number, name=number),
                                        average_cost=Decimal(cost))  # fmt: skip
        for at, quantity, after in movements:
            StockMovement.objects.create(item=item, kind="receipt" if quantity > 0 else "issue",
                                         quantity=Decimal(quantity), unit_cost=Decimal(cost),
                                         on_hand_after=Decimal(after), at=at, by=advisor_a)  # fmt: skip
        last = StockMovement.objects.filter(item=item).order_by("-at").first()
        StockItem.objects.filter(pk=item.pk).update(on_hand=last.on_hand_after, last_movement_at=last.at)

    stock("DEAD", "10", (sh(2024, 9, 1), 10, 10))  # 100.00, dead at 1 April 2025
    stock("MOVING", "25", (sh(2024, 9, 1), 5, 5), (sh(2025, 3, 1), -1, 4))  # 100.00
    stock("SOLD", "50", (sh(2024, 9, 1), 2, 2), (sh(2025, 5, 1), -2, 0))  # dead then, gone now: 100.00 dead

    context = _parts_page(clerk)

    same(context["value"].dead_share, measured("F2", dealer_a))
    assert (context["value"].dead_value, context["value"].value) == (Decimal("200.00"), Decimal("300.00"))
    assert [item.part.number for item in context["dead"]] == ["DEAD", "SOLD"]


# --- repairs and appointments: no domain page shows these; the registry calls the owner ----------------------------


def test_a1_reception_wait(dealer_a, advisor_a):
    registered("A1", repair_kpis.A1, repair_kpis.reception_wait)
    for arrived, minutes in ((sh(2025, 3, 1, 0), 5), (sh(2025, 3, 10, 9), 30), (sh(2025, 3, 31, 23), 10)):
        ro(dealer_a, advisor_a, arrived=arrived, opened=arrived + timedelta(minutes=minutes))
    ro(dealer_a, advisor_a, arrived=END, opened=END + timedelta(minutes=99))

    assert (
        repair_kpis.reception_wait([dealer_a.id], START, END)[dealer_a.id]
        == measured("A1", dealer_a)
        == Measure(dealer_a.id, 10.0, None, 3, 3)
    )


def test_a3_decision_time(dealer_a, advisor_a):
    registered("A3", repair_kpis.A3, repair_kpis.decision_time)
    order = ro(dealer_a, advisor_a, arrived=sh(2025, 3, 10, 8))
    addition(order, advisor_a, raised=sh(2025, 3, 10, 9), decided=sh(2025, 3, 10, 9, 20))
    addition(order, advisor_a, raised=sh(2025, 3, 10, 9), decided=sh(2025, 3, 10, 10), approved=False)
    addition(order, advisor_a, raised=sh(2025, 3, 10, 9))  # not decided

    assert (
        repair_kpis.decision_time([dealer_a.id], START, END)[dealer_a.id]
        == measured("A3", dealer_a)
        == Measure(dealer_a.id, 40.0, None, 2, 2)
    )


def test_a4_appointment_on_time_reception(dealer_a, advisor_a):
    registered("A4", appointment_kpis.A4, appointment_kpis.on_time_reception)
    for slot, opened in ((sh(2025, 3, 5, 10), sh(2025, 3, 5, 10, 15)), (sh(2025, 3, 6, 10), sh(2025, 3, 6, 10, 16))):
        car = vehicle(dealer_a)
        order = ro(dealer_a, advisor_a, arrived=slot, opened=opened, car=car)
        AppointmentFactory(vehicle=car, slot_start=slot, status=AppointmentStatus.ARRIVED, repair_order=order)

    figure = appointment_kpis.on_time_reception([dealer_a.id], START, END)[dealer_a.id]
    assert figure == measured("A4", dealer_a) == Measure(dealer_a.id, 50.0, 1, 2, 2)


def test_b2_on_time_delivery(dealer_a, advisor_a):
    registered("B2", repair_kpis.B2, repair_kpis.on_time_delivery)
    ro(dealer_a, advisor_a, arrived=sh(2025, 3, 3, 9), delivered_at=sh(2025, 3, 3, 16), promised_at=sh(2025, 3, 3, 16))
    ro(dealer_a, advisor_a, arrived=sh(2025, 3, 4, 9), delivered_at=sh(2025, 3, 4, 17), promised_at=sh(2025, 3, 4, 16))
    ro(dealer_a, advisor_a, arrived=sh(2025, 3, 5, 9), delivered_at=sh(2025, 3, 5, 17))  # no promise

    figure = repair_kpis.on_time_delivery([dealer_a.id], START, END)[dealer_a.id]
    assert figure == measured("B2", dealer_a) == Measure(dealer_a.id, 100 / 3, 1, 3, 3)


def test_b3_cycle_time_of_maintenance(dealer_a, advisor_a):
    registered("B3", repair_kpis.B3, repair_kpis.cycle_time)
    times = {"checked_in_at": sh(2025, 3, 3, 9), "ready_at": sh(2025, 3, 3, 13), "delivered_at": sh(2025, 3, 3, 15)}
    ro(dealer_a, advisor_a, arrived=sh(2025, 3, 3, 8), job_type=MAINTENANCE, **times)
    ro(dealer_a, advisor_a, arrived=sh(2025, 3, 3, 8), job_type=JobType.REPAIR, **times)  # not maintenance

    figure = repair_kpis.cycle_time([dealer_a.id], START, END)[dealer_a.id]
    assert figure == measured("B3", dealer_a) == Measure(dealer_a.id, 4.0, 4.0, 1, 1)


def test_b4_estimate_accuracy(dealer_a, advisor_a):
    registered("B4", repair_kpis.B4, repair_kpis.estimate_accuracy)

    def settled(approved, total, extra=None):
        order = ro(dealer_a, advisor_a, arrived=sh(2025, 3, 3, 9), approved_total=Decimal(approved))
        if extra:
            addition(order, advisor_a, raised=sh(2025, 3, 3, 10), decided=sh(2025, 3, 3, 10, 5), amount=extra)
        Settlement.objects.create(order=order, invoice_number=f"INV{order.pk}", settled_at=sh(2025, 3, 3, 17),
                                  settled_by=advisor_a, payment_method="cash", customer_total=Decimal(total),
                                  grand_total=Decimal(total), totals={})  # fmt: skip

    settled("1000", "1100")  # +10 % exactly
    settled("1000", "1500", extra="400")  # within 10 % of 1 400
    settled("1000", "1200")  # +20 %

    figure = repair_kpis.estimate_accuracy([dealer_a.id], START, END)[dealer_a.id]
    assert figure == measured("B4", dealer_a) == Measure(dealer_a.id, 200 / 3, 2, 3, 3)


def test_d1_complete_check_in(dealer_a, advisor_a):
    registered("D1", repair_kpis.D1, repair_kpis.complete_checkin)
    signed = {"belongings_signed_at": sh(2025, 3, 3, 9, 5), "checked_in_at": sh(2025, 3, 3, 9, 10)}
    ro(dealer_a, advisor_a, arrived=sh(2025, 3, 3, 9), **COMPLETE_CHECKIN, **signed)
    ro(dealer_a, advisor_a, arrived=sh(2025, 3, 3, 9), **{**COMPLETE_CHECKIN, "odometer_km": None}, **signed)
    ro(dealer_a, advisor_a, arrived=sh(2025, 3, 3, 9))  # not checked in

    figure = repair_kpis.complete_checkin([dealer_a.id], START, END)[dealer_a.id]
    assert figure == measured("D1", dealer_a) == Measure(dealer_a.id, 50.0, 1, 2, 2)


def test_d2_approved_additional_work(dealer_a, advisor_a):
    registered("D2", repair_kpis.D2, repair_kpis.approved_work)
    order = ro(dealer_a, advisor_a, arrived=sh(2025, 3, 10, 8), status=RepairOrderStatus.IN_REPAIR)
    first = addition(order, advisor_a, raised=sh(2025, 3, 10, 9), decided=sh(2025, 3, 10, 10))
    addition_job(first, started=sh(2025, 3, 10, 10), finished=sh(2025, 3, 10, 11))
    late = addition(order, advisor_a, raised=sh(2025, 3, 10, 9), decided=sh(2025, 3, 10, 10, 30))
    addition_job(late, started=sh(2025, 3, 10, 10), finished=sh(2025, 3, 31, 23, 59))

    figure = repair_kpis.approved_work([dealer_a.id], START, END)[dealer_a.id]
    assert figure == measured("D2", dealer_a) == Measure(dealer_a.id, 50.0, 1, 2, 2)


def test_d3_qc_first_pass(dealer_a, advisor_a):
    registered("D3", repair_kpis.D3, repair_kpis.qc_first_pass)
    for results in ([True], [False, True]):
        order = ro(dealer_a, advisor_a, arrived=sh(2025, 3, 3, 9))
        for sequence, passed in enumerate(results, start=1):
            QcInspection.objects.create(order=order, sequence=sequence, inspector=advisor_a, passed=passed,
                                        inspected_at=sh(2025, 3, 3, 14 + sequence), checklist={})  # fmt: skip

    figure = repair_kpis.qc_first_pass([dealer_a.id], START, END)[dealer_a.id]
    assert figure == measured("D3", dealer_a) == Measure(dealer_a.id, 50.0, 1, 2, 2)


def test_every_indicator_but_g_has_its_domain_owner():
    owners = {"appointments.kpis", "care.kpis", "complaints.kpis", "parts.kpis", "repairs.comebacks",
              "repairs.kpis", "staff.kpis", "surveys.kpis"}  # fmt: skip
    modules = {code: spec.rule.__module__ for code, spec in MEASURES.items()}
    assert {code for code, module in modules.items() if module not in owners} == {"G"}
    registered("B1", comebacks.B1, comebacks.first_time_fix)
    assert {code for code, spec in MEASURES.items() if spec.lag_months} == {"B1"}
    assert combined([], RATIO) == Measure(None, None, 0, 0, 0)
    with pytest.raises(ValueError):
        combined([], "median")
    assert combined([Measure(1, 5.0, 10.0, 2, 2), Measure(2, 20.0, 20.0, 1, 1)], MEAN).value == 10.0
