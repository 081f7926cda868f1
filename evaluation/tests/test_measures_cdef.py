"""Indicators C1–C4, D1–D6, E1–E4, F1–F2 on hand-built records of March 2025, with boundaries and "no data"."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.choices import Role
from core.tests.factories import CustomerFactory, UserFactory
from core.tests.helpers import sh
from customers.models import Customer
from evaluation.selectors.measures import MEASURES, Measure
from evaluation.tests.measure_factories import (
    COMPLETE_CHECKIN,
    END,
    START,
    addition,
    addition_job,
    complaint,
    ro,
    vehicle,
)
from parts.models import Part, SpecialOrder, StockItem, StockMovement, StockReservation, Warehouse
from parts.services import stock as parts_services
from repairs.choices import FaultCategory, LineKind, RepairOrderStatus
from repairs.models import QcInspection, RepairOrderLine
from staff.tests import factories as staff
from surveys.models import SurveyResponse
from surveys.tests.factories import GOOD_CSI, csi, delivered_order, followup
from todo.choices import TaskKind, TaskStatus
from todo.models import Task

pytestmark = pytest.mark.django_db


def measure(code, *dealers, as_of=None):
    return MEASURES[code].measure([d.id for d in dealers], START, END, as_of)


def flags(code, dealer, as_of=None):
    return [row.in_numerator for row in MEASURES[code].records(dealer.id, START, END, as_of)]


# --- surveys: C1, C2, E1, E2 -----------------------------------------------------------------------------------------

ATTITUDE = ("SI3", "SA1", "VP4")  # the shipped CSI questionnaire's items tagged attitude
COMPETENCE = ("SA2", "SA3", "VP2", "SQ1")  # … and competence


def _response(dealer, taker, submitted, *, attitude=4, competence=4, nps=9):
    from surveys.services import survey_record_response

    answers = {**GOOD_CSI, **dict.fromkeys(ATTITUDE, attitude), **dict.fromkeys(COMPETENCE, competence), "NPS": nps}
    return survey_record_response(
        invitation_or_order=delivered_order(dealer, days_ago=800), answers=answers, channel="phone", by=taker,
        submitted_at=submitted,
    )  # fmt: skip


@pytest.fixture
def surveyed(dealer_a):
    """Three responses in March (attitude 5/3/–, competence 4/2/–) and one in February that must not count."""
    csi()
    taker = followup(dealer_a)
    first = _response(dealer_a, taker, sh(2025, 3, 1, 0, 0), attitude=5, competence=4, nps=10)
    second = _response(dealer_a, taker, sh(2025, 3, 15, 10), attitude=3, competence=2, nps=3)
    third = _response(dealer_a, taker, END - timedelta(seconds=1), attitude=5, competence=4, nps=8)
    _response(dealer_a, taker, START - timedelta(seconds=1), attitude=1, competence=1, nps=0)
    return first, second, third


def test_c1_c2_mean_of_the_tagged_items(dealer_a, dealer_b, surveyed):
    # attitude: 3 items × (100, 50, 100); competence: 4 items × (75, 25, 75)
    assert measure("C1", dealer_a)[dealer_a.id] == Measure(dealer_a.id, 250 / 3, 750.0, 9, 9)
    assert measure("C2", dealer_a)[dealer_a.id] == Measure(dealer_a.id, 175 / 3, 700.0, 12, 12)
    assert measure("C1", dealer_b)[dealer_b.id] == Measure(dealer_b.id, None, 0, 0, 0)
    assert [row.kpi_value for row in MEASURES["C1"].records(dealer_a.id, START, END)][:3] == [100, 100, 100]


def test_e1_mean_csi_on_the_1000_point_scale(dealer_a, dealer_b, surveyed):
    first, second, third = surveyed
    SurveyResponse.objects.filter(pk=first.pk).update(csi_score=Decimal("80.00"))
    SurveyResponse.objects.filter(pk=second.pk).update(csi_score=Decimal("91.00"))
    SurveyResponse.objects.filter(pk=third.pk).update(csi_score=None)  # no CSI answered: left out

    assert measure("E1", dealer_a, dealer_b) == {
        dealer_a.id: Measure(dealer_a.id, 855.0, 1710.0, 2, 2),
        dealer_b.id: Measure(dealer_b.id, None, 0, 0, 0),
    }


def test_e2_nps_promoters_minus_detractors(dealer_a, dealer_b, surveyed):
    # 10 promoter, 3 detractor, 8 passive: (1 − 1) / 3 = 0; the February 0 does not count.
    assert measure("E2", dealer_a)[dealer_a.id] == Measure(dealer_a.id, 0.0, 0, 3, 3)
    SurveyResponse.objects.filter(pk=surveyed[1].pk).update(nps_score=9, nps_category="promoter")
    assert measure("E2", dealer_a, dealer_b) == {
        dealer_a.id: Measure(dealer_a.id, 200 / 3, 2, 3, 3),
        dealer_b.id: Measure(dealer_b.id, None, 0, 0, 0),
    }
    assert flags("E2", dealer_a) == [True, True, False]


# --- staff: C3, C4 ---------------------------------------------------------------------------------------------------


def test_c3_training_hours_due_by_the_end_of_the_period(dealer_a, dealer_b):
    # Due by 31 March for someone employed all year: 40 h × 90/365 = 9.9 h.
    on_track = staff.person(dealer_a)
    staff.trained(on_track, 10, date(2025, 3, 31))
    behind = staff.person(dealer_a)
    staff.trained(behind, 5, date(2025, 3, 10))
    staff.trained(behind, 30, date(2024, 12, 10))  # last year's hours do not count
    staff.trained(behind, 30, date(2025, 4, 1))  # nor hours after the period
    staff.person(dealer_a, leave_date=date(2025, 2, 28))  # left before the period end: not counted

    assert measure("C3", dealer_a, dealer_b) == {
        dealer_a.id: Measure(dealer_a.id, 50.0, 1, 2, 2),
        dealer_b.id: Measure(dealer_b.id, None, 0, 0, 0),
    }
    assert sorted(flags("C3", dealer_a)) == [False, True]


def test_c4_technicians_certified_on_every_clocked_job(dealer_a, dealer_b, advisor_a):
    def tech(*certificates):
        profile = staff.person(dealer_a)
        for kind, issued, expires in certificates:
            staff.certificate(profile, kind=kind, issued_on=issued, expires_on=expires)
        return profile.user

    def clocked(user, day, fault=FaultCategory.BRAKES):
        order = staff.order(dealer_a, advisor_a, arrived=staff.at(day, 8), fault=fault)
        staff.job(order, user, clocked=staff.at(day))

    oem, hv = "oem_technician", "hv_electrician"
    certified = tech((oem, date(2020, 1, 1), None))
    clocked(certified, date(2025, 3, 10))
    clocked(certified, date(2025, 3, 11))  # two jobs: still one technician
    clocked(tech(), date(2025, 3, 11))  # no certificate
    clocked(tech((oem, date(2020, 1, 1), date(2025, 3, 9))), date(2025, 3, 10))  # expired the day before
    clocked(tech((oem, date(2025, 3, 10), None)), date(2025, 3, 10), FaultCategory.EV_SYSTEM)  # no HV licence
    ev_ready = tech((oem, date(2025, 3, 10), None), (hv, date(2020, 1, 1), date(2025, 3, 10)))  # valid that day
    clocked(ev_ready, date(2025, 3, 10), FaultCategory.EV_SYSTEM)
    clocked(tech(), date(2025, 2, 28))  # clocked in February only

    assert measure("C4", dealer_a, dealer_b) == {
        dealer_a.id: Measure(dealer_a.id, 40.0, 2, 5, 5),
        dealer_b.id: Measure(dealer_b.id, None, 0, 0, 0),
    }
    rows = list(MEASURES["C4"].records(dealer_a.id, START, END))
    assert len(rows) == 5 and sum(row["in_numerator"] for row in rows) == 2
    assert {row["clocks"] for row in rows if row["technician_id"] == certified.pk} == {2}


# --- D1 check-in, D2 additions, D3 QC -----------------------------------------------------------------------------


def test_d1_complete_check_in(dealer_a, dealer_b, advisor_a):
    def checked_in(day, **gaps):
        fields = {**COMPLETE_CHECKIN, "belongings_signed_at": sh(2025, 3, day, 9, 5), **gaps}
        ro(dealer_a, advisor_a, arrived=sh(2025, 3, day, 9), checked_in_at=sh(2025, 3, day, 9, 10), **fields)

    checked_in(1)
    checked_in(2, walkaround_done=False)
    checked_in(3, fuel_level=None)
    checked_in(4, odometer_km=None)
    checked_in(5, belongings_signed_at=None, checkin_exception="客户赶时间")
    checked_in(6)
    ro(dealer_a, advisor_a, arrived=sh(2025, 3, 7, 9))  # still at reception: not checked in, not counted

    result = measure("D1", dealer_a, dealer_b)

    assert result[dealer_a.id].numerator == 2 and result[dealer_a.id].n == 6
    assert result[dealer_a.id].value == pytest.approx(100 / 3)
    assert result[dealer_b.id] == Measure(dealer_b.id, None, 0, 0, 0)
    assert flags("D1", dealer_a) == [True, False, False, False, False, True]


def test_d2_additional_work_done_only_after_recorded_approval(dealer_a, dealer_b, advisor_a):
    order = ro(dealer_a, advisor_a, arrived=sh(2025, 3, 10, 8), status=RepairOrderStatus.IN_REPAIR)
    ten, half_past, eleven = sh(2025, 3, 10, 10), sh(2025, 3, 10, 10, 30), sh(2025, 3, 10, 11)

    def item(decided, started, finished, approved=True):
        addition_job(addition(order, advisor_a, raised=sh(2025, 3, 10, 9), decided=decided, approved=approved),
                     started=started, finished=finished)  # fmt: skip

    item(ten, ten, eleven)  # approved at the very moment the work started
    item(half_past, ten, eleven)  # work started before the approval
    item(ten, half_past, eleven, approved=False)  # declined, done anyway
    item(None, ten, eleven)  # never decided, done
    item(ten, half_past, None)  # not done yet: not counted
    item(ten, sh(2025, 3, 31, 23), END)  # finished in April

    assert measure("D2", dealer_a, dealer_b) == {
        dealer_a.id: Measure(dealer_a.id, 25.0, 1, 4, 4),
        dealer_b.id: Measure(dealer_b.id, None, 0, 0, 0),
    }


def test_d3_qc_first_pass(dealer_a, dealer_b, advisor_a):
    inspector = advisor_a

    def inspected(*results):
        order = ro(dealer_a, advisor_a, arrived=results[0][0] - timedelta(hours=3))
        for sequence, (at, passed) in enumerate(results, start=1):
            QcInspection.objects.create(order=order, sequence=sequence, inspector=inspector, inspected_at=at,
                                        passed=passed, checklist={})  # fmt: skip

    inspected((sh(2025, 3, 3, 15), True))
    inspected((sh(2025, 3, 4, 15), False), (sh(2025, 3, 4, 17), True))
    inspected((END - timedelta(seconds=1), True))
    inspected((sh(2025, 2, 28, 15), False), (sh(2025, 3, 1, 10), True))  # first inspection in February

    result = measure("D3", dealer_a, dealer_b)

    assert result[dealer_a.id].numerator == 2 and result[dealer_a.id].n == 3
    assert result[dealer_a.id].value == pytest.approx(200 / 3)
    assert result[dealer_b.id].value is None


# --- D4 follow-ups, D5 archive, E4 retention ------------------------------------------------------------------------


def test_d4_follow_up_done_inside_its_window(dealer_a, dealer_b):
    def follow_up(due_by, done_at, status=TaskStatus.DONE):
        Task.objects.create(
            dealer=dealer_a, kind=TaskKind.FOLLOWUP_FIRST, title="首次回访", role="followup_specialist",
            due_at=due_by - timedelta(days=4), due_by=due_by, status=status, done_at=done_at,
        )  # fmt: skip

    follow_up(sh(2025, 3, 10, 18), sh(2025, 3, 10, 18))  # on the last moment of the window
    follow_up(sh(2025, 3, 11, 18), sh(2025, 3, 11, 18, 0, 1))  # a second late
    follow_up(sh(2025, 3, 12, 18), sh(2025, 3, 7, 18))  # before the window opened
    follow_up(sh(2025, 3, 13, 18), None, status=TaskStatus.OPEN)
    follow_up(sh(2025, 4, 2, 18), sh(2025, 3, 30, 18))  # due in April

    assert measure("D4", dealer_a, dealer_b) == {
        dealer_a.id: Measure(dealer_a.id, 25.0, 1, 4, 4),
        dealer_b.id: Measure(dealer_b.id, None, 0, 0, 0),
    }
    assert flags("D4", dealer_a) == [True, False, False, False]


def test_d5_archive_complete_within_two_days(dealer_a, dealer_b):
    def new_customer(created, completed):
        customer = CustomerFactory(dealer=dealer_a)
        Customer.objects.filter(pk=customer.pk).update(created_at=created, archive_completed_at=completed)

    new_customer(sh(2025, 3, 3, 10), sh(2025, 3, 5, 10))  # exactly two days
    new_customer(sh(2025, 3, 4, 10), sh(2025, 3, 6, 10, 0, 1))
    new_customer(sh(2025, 3, 5, 10), None)
    new_customer(sh(2025, 2, 27, 10), sh(2025, 2, 27, 11))  # February

    result = measure("D5", dealer_a, dealer_b)

    assert result[dealer_a.id].numerator == 1 and result[dealer_a.id].n == 3
    assert result[dealer_b.id] == Measure(dealer_b.id, None, 0, 0, 0)
    assert flags("D5", dealer_a) == [True, False, False]


def test_e4_rolling_retention_at_the_period_end(dealer_a, dealer_b, advisor_a):
    def customer_with_visits(*visits, cancelled=()):
        car = vehicle(dealer_a)
        for at in visits:
            ro(dealer_a, advisor_a, arrived=at, car=car, status=RepairOrderStatus.CLOSED)
        for at in cancelled:
            ro(dealer_a, advisor_a, arrived=at, car=car, status=RepairOrderStatus.CANCELLED)

    # t = 2025-04-01: earlier window [2023-04-01, 2024-04-01), recent window [2024-04-01, 2025-04-01)
    customer_with_visits(sh(2023, 6, 1, 9), sh(2024, 10, 1, 9))  # kept
    customer_with_visits(sh(2023, 6, 1, 9))  # lost
    customer_with_visits(sh(2024, 10, 1, 9))  # new: not in the base
    customer_with_visits(sh(2023, 4, 1), sh(2024, 4, 1))  # both window starts are inside: kept
    customer_with_visits(sh(2023, 3, 31, 23, 59), sh(2024, 5, 1, 9))  # before the base window
    customer_with_visits(sh(2023, 7, 1, 9), cancelled=[sh(2024, 8, 1, 9)])  # a cancelled visit is no visit

    assert measure("E4", dealer_a, dealer_b) == {
        dealer_a.id: Measure(dealer_a.id, 50.0, 2, 4, 4),
        dealer_b.id: Measure(dealer_b.id, None, 0, 0, 0),
    }
    assert sorted(flags("E4", dealer_a)) == [False, False, True, True]


# --- D6 complaint feedback, E3 complaint rate ------------------------------------------------------------------------


def test_d6_feedback_by_the_deadline(dealer_a, dealer_b, advisor_a):
    due = {"feedback_due_at": sh(2025, 3, 6, 18)}
    complaint(dealer_a, advisor_a, received=sh(2025, 3, 3, 10), **due, feedback_at=sh(2025, 3, 6, 18))  # exact
    complaint(dealer_a, advisor_a, received=sh(2025, 3, 3, 11), **due, feedback_at=sh(2025, 3, 6, 18, 0, 1))
    complaint(dealer_a, advisor_a, received=sh(2025, 3, 3, 12), **due, feedback_at=None)

    result = measure("D6", dealer_a, dealer_b)

    assert result[dealer_a.id].numerator == 1 and result[dealer_a.id].n == 3
    assert result[dealer_a.id].value == pytest.approx(100 / 3)
    assert result[dealer_b.id].value is None


def test_e3_complaints_per_delivered_order(dealer_a, dealer_b, advisor_a, advisor_b):
    for day in (3, 4, 5, 6):
        ro(dealer_a, advisor_a, arrived=sh(2025, 3, day, 9), delivered_at=sh(2025, 3, day, 15))
    ro(dealer_a, advisor_a, arrived=sh(2025, 2, 27, 9), delivered_at=sh(2025, 2, 27, 15))  # February
    complaint(dealer_a, advisor_a, received=sh(2025, 3, 10, 10))
    complaint(dealer_a, advisor_a, received=sh(2025, 2, 10, 10))  # February
    complaint(dealer_b, advisor_b, received=sh(2025, 3, 10, 10))  # dealer B delivered nothing: no data
    complaint(dealer_b, advisor_b, received=sh(2025, 3, 11, 10))

    assert measure("E3", dealer_a, dealer_b) == {
        dealer_a.id: Measure(dealer_a.id, 25.0, 1, 4, 4),
        dealer_b.id: Measure(dealer_b.id, None, 2, 0, 0),
    }
    assert flags("E3", dealer_a) == [True]


# --- F1 fill rate, F2 dead stock -------------------------------------------------------------------------------------


@pytest.fixture
def stock_room(dealer_a):
    warehouse = Warehouse.objects.create(dealer=dealer_a, code="WH01", name="主仓库")
    part = Part.objects.create(brand="大众", number="5QD 698 151", name="前刹车片")
    return warehouse, part


def test_f1_part_lines_issued_from_stock_the_day_requested(dealer_a, dealer_b, advisor_a, stock_room):
    warehouse, part = stock_room
    item = StockItem.objects.create(warehouse=warehouse, part=part)
    order = ro(dealer_a, advisor_a, arrived=sh(2025, 3, 1, 9), status=RepairOrderStatus.IN_REPAIR)

    def line(reservations=(), special=None):
        part_line = RepairOrderLine.objects.create(order=order, kind=LineKind.PART, part=part, description="前刹车片",
                                                   quantity=Decimal("1"), unit_price=Decimal("420"))  # fmt: skip
        for status, requested, issued in reservations:
            StockReservation.objects.create(
                item=item, repair_order_line=part_line, quantity=Decimal("1"), status=status,
                requested_at=requested, issued_at=issued, by=advisor_a,
            )  # fmt: skip
        if special:
            SpecialOrder.objects.create(repair_order_line=part_line, warehouse=warehouse, part=part,
                                        quantity=Decimal("1"), requested_at=special, by=advisor_a)  # fmt: skip

    line([("issued", sh(2025, 3, 10, 9), sh(2025, 3, 10, 17))])  # filled
    line([("issued", sh(2025, 3, 10, 23, 30), sh(2025, 3, 11, 0, 10))])  # the next local day (same UTC day)
    line([("active", sh(2025, 3, 10, 9), None)])  # reserved, not issued
    line(special=sh(2025, 3, 12, 9))  # not in stock: special order
    line([("released", sh(2025, 3, 12, 9), None)])  # asked and withdrawn: not a request
    line([("issued", sh(2025, 2, 28, 9), sh(2025, 2, 28, 10))])  # February
    line([("issued", sh(2025, 3, 13, 9), sh(2025, 3, 13, 10))], special=sh(2025, 3, 13, 8))  # special-ordered too

    assert measure("F1", dealer_a, dealer_b) == {
        dealer_a.id: Measure(dealer_a.id, 20.0, 1, 5, 5),
        dealer_b.id: Measure(dealer_b.id, None, 0, 0, 0),
    }
    assert flags("F1", dealer_a) == [True, False, False, False, False]


def test_f2_dead_stock_value_at_the_period_end(dealer_a, dealer_b, advisor_a, stock_room):
    warehouse, _part = stock_room

    def stock(number, cost, *movements):
        item = StockItem.objects.create(warehouse=warehouse, part=Part.objects.create(number=number, name=number),
                                        average_cost=Decimal(cost))  # fmt: skip
        for at, quantity, after in movements:
            StockMovement.objects.create(item=item, kind="receipt" if quantity > 0 else "issue",
                                         quantity=Decimal(quantity), unit_cost=Decimal(cost),
                                         on_hand_after=Decimal(after), at=at, by=advisor_a)  # fmt: skip

    # Dead = no movement since 2025-04-01 − 180 days = 2024-10-03 00:00.
    stock("DEAD", "10", (sh(2024, 9, 1), 10, 10))  # 100.00, dead
    stock("MOVING", "25", (sh(2024, 9, 1), 5, 5), (sh(2025, 3, 1), -1, 4))  # 100.00
    stock("EDGE", "50", (sh(2024, 10, 3), 2, 2))  # moved exactly 180 days before: not dead, 100.00
    stock("LATER", "10", (sh(2025, 4, 5), 3, 3))  # received after the period
    stock("GONE", "10", (sh(2024, 1, 1), 3, 3), (sh(2024, 2, 1), -3, 0))  # nothing on hand

    result = measure("F2", dealer_a, dealer_b)

    assert result[dealer_a.id].value == pytest.approx(100 / 3)
    assert (result[dealer_a.id].numerator, result[dealer_a.id].denominator, result[dealer_a.id].n) == (100, 300, 3)
    assert result[dealer_b.id] == Measure(dealer_b.id, None, 0, 0, 0)
    assert [row.part.number for row in MEASURES["F2"].records(dealer_a.id, START, END) if row.in_numerator] == ["DEAD"]
    # Measured at an earlier moment (as_of inside the period) the stock is what it was then.
    mid_february = MEASURES["F2"].measure([dealer_a.id], START, END, sh(2025, 2, 15))[dealer_a.id]
    assert (mid_february.numerator, mid_february.denominator) == (0, 325)  # MOVING had 5 (125.00); none dead yet


# --- as_of: what was known at the evaluation moment; pending is not a miss -----------------------------------------


def test_c1_e1_e2_a_response_after_as_of_is_not_there_yet(dealer_a, surveyed):
    _first, second, _third = surveyed
    as_of = second.submitted_at  # exactly then: counts

    assert measure("E1", dealer_a, as_of=as_of)[dealer_a.id].n == 2
    assert measure("E2", dealer_a, as_of=as_of)[dealer_a.id].n == 2
    assert [row.kpi_value for row in MEASURES["C1"].records(dealer_a.id, START, END, as_of)] == [100] * 3 + [50] * 3
    assert measure("E1", dealer_a, as_of=as_of - timedelta(microseconds=1))[dealer_a.id].n == 1
    assert measure("E1", dealer_a)[dealer_a.id].n == 3


def test_c4_a_clock_after_as_of_is_not_there_yet(dealer_a, advisor_a):
    uncertified = staff.person(dealer_a).user
    order = staff.order(dealer_a, advisor_a, arrived=staff.at(date(2025, 3, 20), 8))
    staff.job(order, uncertified, clocked=staff.at(date(2025, 3, 20)))

    assert measure("C4", dealer_a, as_of=staff.at(date(2025, 3, 19)))[dealer_a.id].n == 0
    assert measure("C4", dealer_a)[dealer_a.id] == Measure(dealer_a.id, 0.0, 0, 1, 1)


def test_d1_a_check_in_or_signature_after_as_of_is_not_there_yet(dealer_a, advisor_a):
    as_of = sh(2025, 3, 31, 12)
    fields = {**COMPLETE_CHECKIN, "arrived": sh(2025, 3, 31, 9), "checked_in_at": sh(2025, 3, 31, 9, 10)}
    ro(dealer_a, advisor_a, **fields, belongings_signed_at=sh(2025, 3, 31, 9, 5))  # complete
    ro(dealer_a, advisor_a, **fields, belongings_signed_at=sh(2025, 3, 31, 13))  # signed after as_of
    ro(dealer_a, advisor_a, **{**fields, "checked_in_at": sh(2025, 3, 31, 12, 30)},
       belongings_signed_at=sh(2025, 3, 31, 9, 5))  # checked in after as_of: not in n  # fmt: skip

    assert flags("D1", dealer_a, as_of=as_of) == [True, False]
    assert flags("D1", dealer_a) == [True, True, True]


def test_d2_work_finished_after_as_of_is_not_done_yet(dealer_a, advisor_a):
    order = ro(dealer_a, advisor_a, arrived=sh(2025, 3, 20, 8), status=RepairOrderStatus.IN_REPAIR)
    item = addition(order, advisor_a, raised=sh(2025, 3, 20, 9), decided=sh(2025, 3, 20, 9, 30))
    addition_job(item, started=sh(2025, 3, 20, 10), finished=sh(2025, 3, 20, 11))
    addition_job(item, started=sh(2025, 3, 20, 11), finished=sh(2025, 4, 2, 11))  # its last job: in April

    assert measure("D2", dealer_a, as_of=sh(2025, 3, 25))[dealer_a.id] == Measure(dealer_a.id, 100.0, 1, 1, 1)
    assert measure("D2", dealer_a, as_of=sh(2025, 4, 8))[dealer_a.id].n == 0  # finished in April


def test_d4_a_follow_up_is_judged_once_done_or_its_window_over(dealer_a):
    def follow_up(due_by, done_at=None, status=TaskStatus.DONE):
        return Task.objects.create(
            dealer=dealer_a, kind=TaskKind.FOLLOWUP_FIRST, title="首次回访", role="followup_specialist",
            due_at=due_by - timedelta(days=4), due_by=due_by, status=status if done_at else TaskStatus.OPEN,
            done_at=done_at,
        )  # fmt: skip

    due_by = sh(2025, 3, 28, 23, 59, 59)
    follow_up(due_by, sh(2025, 3, 25, 10))  # done inside the window: a hit at once
    follow_up(due_by, sh(2025, 3, 23, 10))  # done before the window opened: a miss at once
    follow_up(due_by, sh(2025, 3, 25, 10), status=TaskStatus.CANCELLED)  # closed otherwise: a miss at once
    follow_up(due_by)  # open: pending while the window runs
    follow_up(due_by, sh(2025, 3, 27, 10))  # done after as_of: not done then

    assert flags("D4", dealer_a, as_of=sh(2025, 3, 26)) == [True, False, False, None, None]
    assert flags("D4", dealer_a, as_of=due_by) == [True, False, False, None, True]  # the last moment: not over
    assert flags("D4", dealer_a, as_of=due_by + timedelta(seconds=1)) == [True, False, False, False, True]
    assert measure("D4", dealer_a, as_of=sh(2025, 3, 26))[dealer_a.id] == Measure(dealer_a.id, 100 / 3, 1, 3, 3)


def test_d5_an_archive_is_judged_once_complete_or_its_two_days_over(dealer_a):
    def new_customer(created, completed):
        customer = CustomerFactory(dealer=dealer_a)
        Customer.objects.filter(pk=customer.pk).update(created_at=created, archive_completed_at=completed)

    created = sh(2025, 3, 31, 10)
    new_customer(created, sh(2025, 4, 1, 9))  # complete the next morning: a hit at once
    new_customer(created + timedelta(minutes=1), sh(2025, 4, 3, 10))  # completed late
    new_customer(created + timedelta(minutes=2), None)  # never

    assert flags("D5", dealer_a, as_of=sh(2025, 4, 1, 10)) == [True, None, None]
    assert measure("D5", dealer_a, as_of=sh(2025, 4, 1, 10))[dealer_a.id] == Measure(dealer_a.id, 100.0, 1, 1, 1)
    deadline = sh(2025, 4, 2, 10, 1)  # the second's: two days after its creation
    assert flags("D5", dealer_a, as_of=deadline) == [True, None, None]  # on the deadline: not passed yet
    assert flags("D5", dealer_a, as_of=deadline + timedelta(microseconds=1)) == [True, False, None]
    assert flags("D5", dealer_a, as_of=sh(2025, 4, 8)) == [True, False, False]
    days = [row.kpi_value for row in MEASURES["D5"].records(dealer_a.id, START, END, sh(2025, 4, 2, 12))]
    assert days == [pytest.approx(23 / 24), None, None]  # the late completion is not known yet


def test_d6_feedback_after_as_of_is_not_given_by_then_and_a_running_deadline_is_pending(dealer_a, advisor_a):
    due = {"feedback_due_at": sh(2025, 4, 3, 18)}
    complaint(dealer_a, advisor_a, received=sh(2025, 3, 31, 10), **due, feedback_at=sh(2025, 4, 1, 10))
    complaint(dealer_a, advisor_a, received=sh(2025, 3, 31, 11), **due, feedback_at=sh(2025, 4, 3, 17))
    complaint(dealer_a, advisor_a, received=sh(2025, 3, 31, 12), **due)

    assert flags("D6", dealer_a, as_of=sh(2025, 4, 2)) == [True, None, None]
    assert flags("D6", dealer_a, as_of=sh(2025, 4, 3, 18)) == [True, True, None]
    assert flags("D6", dealer_a, as_of=sh(2025, 4, 8)) == [True, True, False]
    assert measure("D6", dealer_a, as_of=sh(2025, 4, 2))[dealer_a.id] == Measure(dealer_a.id, 100.0, 1, 1, 1)


def test_e4_a_visit_cancelled_after_as_of_was_a_visit_then(dealer_a, advisor_a):
    car = vehicle(dealer_a)
    ro(dealer_a, advisor_a, arrived=sh(2023, 6, 1, 9), car=car, status=RepairOrderStatus.CLOSED)
    ro(dealer_a, advisor_a, arrived=sh(2025, 3, 20, 9), car=car, status=RepairOrderStatus.CANCELLED,
       cancelled_at=sh(2025, 4, 10, 9))  # cancelled after the run's moment  # fmt: skip

    assert flags("E4", dealer_a, as_of=sh(2025, 4, 8)) == [True]
    assert flags("E4", dealer_a) == [False]


def _part_line(order, part):
    return RepairOrderLine.objects.create(order=order, kind=LineKind.PART, part=part, description="前刹车片",
                                          quantity=Decimal("1"), unit_price=Decimal("420"))  # fmt: skip


@pytest.fixture
def clerk(dealer_a):
    return UserFactory(roles=[Role.PARTS_CLERK], dealers=[dealer_a])


def test_f1_a_release_special_order_or_issue_after_as_of_does_not_change_it(
    dealer_a, advisor_a, stock_room, clerk, monkeypatch
):
    """A reservation has no release time of its own: its history dates the release (parts.kpis)."""
    warehouse, part = stock_room
    item = StockItem.objects.create(warehouse=warehouse, part=part, on_hand=Decimal("10"), reserved=Decimal("2"))
    order = ro(dealer_a, advisor_a, arrived=sh(2025, 3, 10, 8), status=RepairOrderStatus.IN_REPAIR)

    def reserve(line, requested, **fields):
        return StockReservation.objects.create(item=item, repair_order_line=line, quantity=Decimal("1"),
                                               requested_at=requested, by=advisor_a, **fields)  # fmt: skip

    withdrawn_late = reserve(_part_line(order, part), sh(2025, 3, 10, 9))  # released on 9 April
    monkeypatch.setattr(timezone, "now", lambda: sh(2025, 4, 9, 9))
    parts_services.stock_release(reservation=withdrawn_late, by=clerk)
    monkeypatch.undo()
    withdrawn = reserve(_part_line(order, part), sh(2025, 3, 11, 9))  # released on 12 March
    monkeypatch.setattr(timezone, "now", lambda: sh(2025, 3, 12, 9))
    parts_services.stock_release(reservation=withdrawn, by=clerk)
    monkeypatch.undo()
    special_later = _part_line(order, part)  # issued the day asked, special-ordered again after the run
    reserve(special_later, sh(2025, 3, 12, 9), status="issued", issued_at=sh(2025, 3, 12, 10))
    SpecialOrder.objects.create(repair_order_line=special_later, warehouse=warehouse, part=part,
                                quantity=Decimal("1"), requested_at=sh(2025, 4, 9, 9), by=advisor_a)  # fmt: skip
    issued_late = _part_line(order, part)  # asked on the 31st, issued the same (local) day after as_of
    reserve(issued_late, sh(2025, 3, 31, 9), status="issued", issued_at=sh(2025, 3, 31, 20))
    run_moment = sh(2025, 4, 8)

    assert flags("F1", dealer_a, as_of=run_moment) == [False, True, True]  # the release of 9 April not yet
    assert measure("F1", dealer_a, as_of=run_moment)[dealer_a.id] == Measure(dealer_a.id, 200 / 3, 2, 3, 3)
    assert flags("F1", dealer_a) == [False, True]  # now: one released since, one special-ordered since
    # On 31 March at noon the line asked that morning may still be issued that day: pending, not a miss.
    assert flags("F1", dealer_a, as_of=sh(2025, 3, 31, 12)) == [False, True, None]
    assert flags("F1", dealer_a, as_of=sh(2025, 3, 31, 20)) == [False, True, True]


def test_f2_is_valued_at_the_cost_of_the_moment_not_todays(dealer_a, stock_room, clerk, monkeypatch):
    warehouse, part = stock_room
    monkeypatch.setattr(timezone, "now", lambda: sh(2025, 1, 10, 9))
    item = parts_services.stock_item_get_or_create(warehouse=warehouse, part=part)
    parts_services.stock_receive(item=item, quantity=Decimal("10"), unit_cost=Decimal("10"), by=clerk)
    monkeypatch.setattr(timezone, "now", lambda: sh(2025, 4, 5, 9))  # after March: the average becomes 20
    parts_services.stock_receive(item=item, quantity=Decimal("10"), unit_cost=Decimal("30"), by=clerk)
    monkeypatch.undo()

    march = measure("F2", dealer_a, as_of=sh(2025, 4, 8))[dealer_a.id]

    assert StockItem.objects.get(pk=item.pk).average_cost == Decimal("20")
    assert (march.numerator, march.denominator, march.n) == (0, 100, 1)  # 10 on hand at 10.00, as on 1 April
    assert MEASURES["F2"].records(dealer_a.id, START, END).get().cost_then == Decimal("10")
