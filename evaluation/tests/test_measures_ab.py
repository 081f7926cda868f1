"""Indicators A1–A4 and B1–B5 on hand-built records of March 2025, with their boundaries and "no data"."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from appointments.choices import AppointmentStatus
from appointments.tests.factories import AppointmentFactory
from complaints.choices import Status
from core.dates import month_bounds
from core.tests.factories import DealerFactory
from core.tests.helpers import sh
from evaluation.selectors.measures import MEASURES, Measure, grouped_median
from evaluation.tests.measure_factories import END, MAINTENANCE, START, addition, complaint, ro, vehicle
from repairs.choices import FaultCategory, JobType, RepairOrderStatus
from repairs.models import Settlement

pytestmark = pytest.mark.django_db


def measure(code, *dealers, as_of=None):
    return MEASURES[code].measure([d.id for d in dealers], START, END, as_of)


def flags(code, dealer, as_of=None):
    return [row.in_numerator for row in MEASURES[code].records(dealer.id, START, END, as_of)]


# --- A1 reception wait -------------------------------------------------------------------------------------------


def _waits(dealer, by, arrivals_and_minutes):
    for arrived, minutes in arrivals_and_minutes:
        ro(dealer, by, arrived=arrived, opened=arrived + timedelta(minutes=minutes))


def test_a1_median_wait_even_and_odd_counts_and_period_bounds(dealer_a, dealer_b, advisor_a, advisor_b):
    dealer_c = DealerFactory()
    _waits(
        dealer_a,
        advisor_a,
        [
            (START, 5),  # the first instant of the period is inside
            (sh(2025, 3, 10, 9), 30),
            (sh(2025, 3, 31, 23), 10),
            (sh(2025, 3, 15, 9), 20),
            (START - timedelta(seconds=1), 500),  # before the period
            (END, 500),  # the end is excluded
        ],
    )
    _waits(dealer_b, advisor_b, [(sh(2025, 3, 2, 9), 7), (sh(2025, 3, 3, 9), 3), (sh(2025, 3, 4, 9), 11)])

    result = measure("A1", dealer_a, dealer_b, dealer_c)

    assert result[dealer_a.id] == Measure(dealer_a.id, 15.0, None, 4, 4)  # (10 + 20) / 2
    assert result[dealer_b.id] == Measure(dealer_b.id, 7.0, None, 3, 3)
    assert result[dealer_c.id] == Measure(dealer_c.id, None, None, 0, 0)  # no data, not 0
    records = list(MEASURES["A1"].records(dealer_a.id, START, END))
    assert [r.kpi_value for r in records] == [5.0, 30.0, 20.0, 10.0]


@pytest.mark.parametrize("portable", [False, True])
def test_grouped_median_both_ways_agree(dealer_a, dealer_b, advisor_a, advisor_b, portable):
    """percentile_cont on PostgreSQL and the window-function median give the same figures (SQLite runs the latter)."""
    _waits(dealer_a, advisor_a, [(sh(2025, 3, d, 9), m) for d, m in [(1, 1), (2, 2), (3, 4), (4, 100)]])
    _waits(dealer_b, advisor_b, [(sh(2025, 3, 5, 9), 9), (sh(2025, 3, 6, 9), 9), (sh(2025, 3, 7, 9), 2.5)])
    base = (
        MEASURES["A1"]
        .records(dealer_a.id, START, END)
        .model.objects.filter(dealer_id__in=[dealer_a.id, dealer_b.id], arrived_at__gte=START, arrived_at__lt=END)
    )
    from evaluation.selectors.measures import Minutes

    result = grouped_median(base.annotate(kpi_value=Minutes("opened_at", "arrived_at")), "dealer_id", "kpi_value",
                            portable=portable)  # fmt: skip

    assert result == {dealer_a.id: (3.0, 4), dealer_b.id: (9.0, 3)}


# --- A2 complaint first contact ----------------------------------------------------------------------------------


def test_a2_first_contact_by_the_deadline(dealer_a, dealer_b, advisor_a):
    due = {"first_contact_due_at": sh(2025, 3, 3, 12)}
    complaint(dealer_a, advisor_a, received=sh(2025, 3, 3, 10), **due, first_contact_at=sh(2025, 3, 3, 12))  # exact
    complaint(dealer_a, advisor_a, received=sh(2025, 3, 3, 10, 5), **due,
              first_contact_at=sh(2025, 3, 3, 12, 0, 1))  # fmt: skip
    complaint(dealer_a, advisor_a, received=sh(2025, 3, 3, 10, 10), **due, first_contact_at=None)
    complaint(dealer_a, advisor_a, received=sh(2025, 3, 3, 10, 15), **due, first_contact_at=sh(2025, 3, 3, 10, 45))
    complaint(dealer_a, advisor_a, received=sh(2025, 2, 28, 10), first_contact_at=None)  # February

    result = measure("A2", dealer_a, dealer_b)

    assert result[dealer_a.id] == Measure(dealer_a.id, 50.0, 2, 4, 4)
    assert result[dealer_b.id] == Measure(dealer_b.id, None, 0, 0, 0)
    assert flags("A2", dealer_a) == [True, False, False, True]


# --- A3 additional-work decision time ------------------------------------------------------------------------------


def test_a3_median_decision_minutes_of_decided_items(dealer_a, dealer_b, advisor_a):
    order = ro(dealer_a, advisor_a, arrived=sh(2025, 3, 1, 9), status=RepairOrderStatus.IN_REPAIR)
    raised = sh(2025, 3, 10, 10)
    for minutes in (10, 40, 25):
        addition(order, advisor_a, raised=raised, decided=raised + timedelta(minutes=minutes))
    addition(order, advisor_a, raised=raised, decided=None)  # not decided yet: no time to count
    addition(order, advisor_a, raised=sh(2025, 2, 28, 23), decided=sh(2025, 3, 1, 1), approved=False)  # February

    result = measure("A3", dealer_a, dealer_b)

    assert result[dealer_a.id] == Measure(dealer_a.id, 25.0, None, 3, 3)
    assert result[dealer_b.id].value is None and result[dealer_b.id].n == 0


# --- A4 appointment on-time reception --------------------------------------------------------------------------------


def _kept(dealer, by, slot, opened):
    car = vehicle(dealer)
    order = ro(dealer, by, arrived=slot - timedelta(minutes=5), opened=opened, car=car)
    return AppointmentFactory(vehicle=car, slot_start=slot, status=AppointmentStatus.ARRIVED, repair_order=order)


def test_a4_received_within_15_minutes_of_the_slot(dealer_a, dealer_b, advisor_a):
    _kept(dealer_a, advisor_a, sh(2025, 3, 5, 10), sh(2025, 3, 5, 10, 15))  # exactly 15 min: on time
    _kept(dealer_a, advisor_a, sh(2025, 3, 6, 10), sh(2025, 3, 6, 10, 15, 1))  # one second more: late
    _kept(dealer_a, advisor_a, sh(2025, 3, 7, 10), sh(2025, 3, 7, 9, 50))  # early
    _kept(dealer_a, advisor_a, sh(2025, 2, 28, 23, 50), sh(2025, 3, 1, 0, 1))  # slot in February
    AppointmentFactory(vehicle=vehicle(dealer_a), slot_start=sh(2025, 3, 8, 10), status=AppointmentStatus.NO_SHOW)

    result = measure("A4", dealer_a, dealer_b)

    assert result[dealer_a.id].numerator == 2 and result[dealer_a.id].n == 3
    assert result[dealer_a.id].value == pytest.approx(200 / 3)
    assert result[dealer_b.id] == Measure(dealer_b.id, None, 0, 0, 0)
    assert flags("A4", dealer_a) == [True, False, True]


# --- B1 first-time fix --------------------------------------------------------------------------------------------


def test_b1_comeback_within_30_local_days_linked_or_same_fault(dealer_a, dealer_b, advisor_a):
    """The registered B1 is repairs.comebacks' rule (its own tests cover lines, dismissals, time zones, as_of),
    judged one month late: the B1 of April is the repairs delivered in March."""
    brakes = {"fault_category": FaultCategory.BRAKES, "job_type": JobType.REPAIR}

    def repair(delivered):
        return ro(dealer_a, advisor_a, arrived=delivered - timedelta(hours=4), delivered_at=delivered, **brakes)

    def back(original, arrived, **fields):
        return ro(dealer_a, advisor_a, arrived=arrived, car=original.vehicle, **{**brakes, **fields})

    day_30 = repair(sh(2025, 3, 2, 10))
    back(day_30, sh(2025, 4, 1, 23, 0), comeback_of=day_30)  # day 30 counts, at any hour of it
    day_31 = repair(sh(2025, 3, 3, 10))
    back(day_31, sh(2025, 4, 3, 0, 0), comeback_of=day_31)  # local day 31: linked, but too late
    repair(sh(2025, 3, 4, 10))  # never came back
    cancelled = repair(sh(2025, 3, 5, 10))
    back(cancelled, cancelled.delivered_at + timedelta(days=2), status=RepairOrderStatus.CANCELLED)
    unlinked = repair(sh(2025, 3, 7, 10))
    back(unlinked, sh(2025, 3, 11, 9))  # same fault, 4 days later, not linked by the desk: a comeback all the same
    other_fault = repair(sh(2025, 3, 8, 10))
    back(other_fault, sh(2025, 3, 9, 9), fault_category=FaultCategory.ENGINE)
    ro(dealer_a, advisor_a, arrived=sh(2025, 3, 6, 9), delivered_at=sh(2025, 3, 6, 12), job_type=MAINTENANCE)
    repair(sh(2025, 2, 28, 10))  # delivered in February: the B1 of March
    april = month_bounds(2025, 4)

    result = MEASURES["B1"].measure([dealer_a.id, dealer_b.id], *april)

    assert MEASURES["B1"].judged_period(*april) == (START, END)
    assert result[dealer_a.id] == Measure(dealer_a.id, 100.0 * 4 / 6, 4, 6, 6)
    assert result[dealer_b.id] == Measure(dealer_b.id, None, 0, 0, 0)
    records = list(MEASURES["B1"].records(dealer_a.id, *april))
    assert [r.in_numerator for r in records] == [False, True, True, True, False, True]
    assert [(r.comeback_days, r.comeback_linked) for r in records] == [
        (30, True), (None, None), (None, None), (None, None), (4, False), (None, None),
    ]  # fmt: skip
    assert measure("B1", dealer_a)[dealer_a.id] == Measure(dealer_a.id, 100.0, 1, 1, 1)  # March: February's repair


def test_b1_of_a_month_is_complete_when_the_run_judges_it(dealer_a, advisor_a):
    """B1 of April as of the run's moment (30 April + 7 days) sees every comeback of the March deliveries, also of
    the last one; B1 of the March deliveries judged in March itself would leave the late ones pending."""
    brakes = {"fault_category": FaultCategory.BRAKES, "job_type": JobType.REPAIR}
    late = ro(dealer_a, advisor_a, arrived=sh(2025, 3, 31, 9), delivered_at=sh(2025, 3, 31, 17), **brakes)
    ro(dealer_a, advisor_a, arrived=sh(2025, 4, 20, 9), car=late.vehicle, **brakes)  # day 20: a comeback
    early = ro(dealer_a, advisor_a, arrived=sh(2025, 3, 1, 9), delivered_at=sh(2025, 3, 1, 17), **brakes)
    april_end_run = sh(2025, 5, 8)

    assert MEASURES["B1"].measure([dealer_a.id], *month_bounds(2025, 4), april_end_run)[dealer_a.id] == Measure(
        dealer_a.id, 50.0, 1, 2, 2
    )
    march_end = sh(2025, 4, 8)  # the deliveries of March judged at March's run moment: the late one is pending
    rows = {r.pk: r for r in MEASURES["B1"].records(dealer_a.id, *month_bounds(2025, 4), march_end)}
    assert (rows[early.pk].in_numerator, rows[early.pk].window_closed) == (True, True)
    assert (rows[late.pk].in_numerator, rows[late.pk].window_closed) == (None, False)
    assert MEASURES["B1"].measure([dealer_a.id], *month_bounds(2025, 4), march_end)[dealer_a.id].n == 1


# --- B2 on-time delivery ------------------------------------------------------------------------------------------


def test_b2_delivered_by_the_promised_time(dealer_a, dealer_b, advisor_a):
    def delivered(at, promised):
        ro(dealer_a, advisor_a, arrived=at - timedelta(hours=3), delivered_at=at, promised_at=promised)

    delivered(sh(2025, 3, 4, 17), sh(2025, 3, 4, 17))  # exactly on time
    delivered(sh(2025, 3, 5, 17, 0, 1), sh(2025, 3, 5, 17))  # a second late
    delivered(sh(2025, 3, 6, 16), sh(2025, 3, 6, 17))
    delivered(sh(2025, 3, 7, 16), None)  # no promise: not on time
    delivered(END - timedelta(seconds=1), END)  # the last second of the period
    delivered(END, END)  # April

    result = measure("B2", dealer_a, dealer_b)

    assert result[dealer_a.id] == Measure(dealer_a.id, 60.0, 3, 5, 5)
    assert result[dealer_b.id].value is None


# --- B3 repair cycle time (maintenance) ------------------------------------------------------------------------------


def test_b3_mean_hours_check_in_to_ready_of_maintenance(dealer_a, dealer_b, advisor_a):
    def visit(checked_in, hours, delivered, job_type=MAINTENANCE):
        ro(dealer_a, advisor_a, arrived=checked_in - timedelta(minutes=10), checked_in_at=checked_in,
           ready_at=checked_in + timedelta(hours=hours), delivered_at=delivered, job_type=job_type)  # fmt: skip

    visit(sh(2025, 3, 3, 9), 2, sh(2025, 3, 3, 12))
    visit(sh(2025, 3, 4, 9), 3, sh(2025, 3, 4, 13))
    visit(sh(2025, 3, 5, 9), 7, sh(2025, 3, 5, 17))
    visit(sh(2025, 3, 6, 9), 10, sh(2025, 3, 6, 20), job_type=JobType.REPAIR)  # not maintenance
    visit(sh(2025, 2, 27, 9), 30, sh(2025, 2, 28, 17))  # delivered in February

    result = measure("B3", dealer_a, dealer_b)

    assert result[dealer_a.id] == Measure(dealer_a.id, 4.0, 12.0, 3, 3)
    assert result[dealer_b.id] == Measure(dealer_b.id, None, 0, 0, 0)


# --- B4 estimate accuracy -----------------------------------------------------------------------------------------


def test_b4_settled_within_ten_percent_of_the_approved_estimate_with_approved_additions(dealer_a, dealer_b, advisor_a):
    def settled(approved_total, grand_total, at=None):
        at = at or sh(2025, 3, 10, 17)
        order = ro(dealer_a, advisor_a, arrived=at - timedelta(hours=5), delivered_at=at,
                   approved_total=None if approved_total is None else Decimal(approved_total))  # fmt: skip
        Settlement.objects.create(
            order=order, invoice_number=f"INV-{order.number}", settled_at=at, settled_by=advisor_a,
            payment_method="card", customer_total=Decimal(grand_total), grand_total=Decimal(grand_total),
        )  # fmt: skip
        return order

    with_additions = settled("1000.00", "1320.00")  # 1000 + 200 approved = 1200; +10 % exactly
    addition(with_additions, advisor_a, raised=sh(2025, 3, 10, 11), decided=sh(2025, 3, 10, 12), amount="200.00")
    addition(with_additions, advisor_a, raised=sh(2025, 3, 10, 11), decided=sh(2025, 3, 10, 12), approved=False)
    settled("1200.00", "1320.01")  # a fen over +10 %
    settled("1200.00", "1080.00")  # −10 % exactly
    settled("1200.00", "1079.99")  # a fen under −10 %
    settled(None, "500.00")  # no approved estimate recorded: not accurate
    settled("1200.00", "1200.00", at=sh(2025, 2, 28, 17))  # February

    result = measure("B4", dealer_a, dealer_b)

    assert result[dealer_a.id] == Measure(dealer_a.id, 40.0, 2, 5, 5)
    assert result[dealer_b.id].n == 0 and result[dealer_b.id].value is None
    records = list(MEASURES["B4"].records(dealer_a.id, START, END))
    assert [r.in_numerator for r in records] == [True, False, True, False, False]
    assert records[0].approved_estimate == Decimal("1200.00") and records[0].kpi_value == pytest.approx(10.0)


# --- B5 complaint resolution ---------------------------------------------------------------------------------------


def test_b5_resolved_with_agreement_by_the_evaluation_date(dealer_a, dealer_b, advisor_a):
    resolved = {"status": Status.RESOLVED, "customer_agreed": True}
    complaint(dealer_a, advisor_a, received=sh(2025, 3, 3, 10), **resolved, resolved_at=sh(2025, 3, 10, 10))
    complaint(dealer_a, advisor_a, received=sh(2025, 3, 20, 10), **resolved, resolved_at=sh(2025, 4, 10, 10))
    complaint(dealer_a, advisor_a, received=sh(2025, 3, 21, 10), status=Status.RESOLVED, customer_agreed=False,
              resolved_at=sh(2025, 3, 25, 10))  # fmt: skip
    complaint(dealer_a, advisor_a, received=sh(2025, 3, 22, 10))  # still open

    assert measure("B5", dealer_a, dealer_b, as_of=END)[dealer_a.id] == Measure(dealer_a.id, 25.0, 1, 4, 4)
    assert measure("B5", dealer_a, dealer_b, as_of=sh(2025, 4, 10, 10))[dealer_a.id].numerator == 2  # exact time
    assert measure("B5", dealer_a, dealer_b)[dealer_a.id] == Measure(dealer_a.id, 50.0, 2, 4, 4)  # as of now
    assert measure("B5", dealer_a, dealer_b)[dealer_b.id] == Measure(dealer_b.id, None, 0, 0, 0)


# --- as_of: what was known at the evaluation moment; pending is not a miss -----------------------------------------


def test_a2_a_contact_after_as_of_is_not_done_by_then_and_a_running_deadline_is_pending(dealer_a, advisor_a):
    due = {"first_contact_due_at": sh(2025, 3, 31, 12)}
    complaint(dealer_a, advisor_a, received=sh(2025, 3, 31, 10), **due, first_contact_at=sh(2025, 3, 31, 11))
    complaint(dealer_a, advisor_a, received=sh(2025, 3, 31, 10, 5), **due, first_contact_at=sh(2025, 3, 31, 11, 30))
    complaint(dealer_a, advisor_a, received=sh(2025, 3, 31, 10, 10), **due)  # never contacted

    # 11:15: the first was contacted early (a hit at once), the other two are not due yet (pending, not misses).
    assert flags("A2", dealer_a, as_of=sh(2025, 3, 31, 11, 15)) == [True, None, None]
    assert measure("A2", dealer_a, as_of=sh(2025, 3, 31, 11, 15))[dealer_a.id] == Measure(dealer_a.id, 100.0, 1, 1, 1)
    # On the deadline itself it has not passed yet; a microsecond later the third is missed.
    assert flags("A2", dealer_a, as_of=sh(2025, 3, 31, 12)) == [True, True, None]
    late = sh(2025, 3, 31, 12) + timedelta(microseconds=1)
    assert flags("A2", dealer_a, as_of=late) == [True, True, False]
    assert measure("A2", dealer_a, as_of=late)[dealer_a.id] == Measure(dealer_a.id, 200 / 3, 2, 3, 3)
    # The minutes to first contact are those known then.
    rows = MEASURES["A2"].records(dealer_a.id, START, END, sh(2025, 3, 31, 11, 15))
    assert [row.kpi_value for row in rows] == [60.0, None, None]


def test_a2_the_run_counts_a_contact_after_its_moment_as_a_miss_whatever_day_it_runs(dealer_a, advisor_a):
    """A first contact logged after the run's moment (31 March + 7 days) with its own late time is not in March's
    figure: re-running on a later day gives the same figure."""
    late_contact = complaint(dealer_a, advisor_a, received=sh(2025, 3, 31, 10),
                             first_contact_due_at=sh(2025, 3, 31, 12))  # fmt: skip
    run_moment = sh(2025, 4, 8)
    before = measure("A2", dealer_a, as_of=run_moment)[dealer_a.id]
    from complaints.models import Complaint

    Complaint.objects.filter(pk=late_contact.pk).update(first_contact_at=sh(2025, 4, 9, 9))
    assert measure("A2", dealer_a, as_of=run_moment)[dealer_a.id] == before == Measure(dealer_a.id, 0.0, 0, 1, 1)


def test_a3_a_decision_after_as_of_is_not_there_yet(dealer_a, advisor_a):
    order = ro(dealer_a, advisor_a, arrived=sh(2025, 3, 30, 9), status=RepairOrderStatus.IN_REPAIR)
    raised = sh(2025, 3, 31, 10)
    addition(order, advisor_a, raised=raised, decided=raised + timedelta(minutes=20))
    addition(order, advisor_a, raised=raised, decided=sh(2025, 4, 9, 10))  # decided after the run's moment

    assert measure("A3", dealer_a, as_of=sh(2025, 4, 8))[dealer_a.id] == Measure(dealer_a.id, 20.0, None, 1, 1)
    assert measure("A3", dealer_a, as_of=raised + timedelta(minutes=20))[dealer_a.id].n == 1  # exactly then: decided
    assert measure("A3", dealer_a, as_of=raised + timedelta(minutes=19))[dealer_a.id].n == 0
    assert measure("A3", dealer_a)[dealer_a.id].n == 2


def test_a4_an_appointment_counts_once_kept_and_an_early_arrival_at_once(dealer_a, advisor_a):
    _kept(dealer_a, advisor_a, sh(2025, 3, 31, 10), sh(2025, 3, 31, 10, 5))
    _kept(dealer_a, advisor_a, sh(2025, 3, 31, 15), sh(2025, 3, 31, 9, 50))  # came early for the afternoon slot

    assert flags("A4", dealer_a, as_of=sh(2025, 3, 31, 10)) == [True]  # the early one, the other not yet kept
    assert flags("A4", dealer_a, as_of=sh(2025, 3, 31, 10, 5)) == [True, True]


def test_events_of_the_period_after_as_of_are_not_there_yet(dealer_a, advisor_a):
    """A run made inside the month (provisional, or a page of the running month): deliveries, complaints and
    settlements stamped after as_of are left out, those stamped exactly at as_of count."""
    as_of = sh(2025, 3, 20, 12)
    for delivered in (sh(2025, 3, 10, 15), as_of, as_of + timedelta(seconds=1)):
        ro(dealer_a, advisor_a, arrived=delivered - timedelta(hours=5), delivered_at=delivered,
           promised_at=delivered + timedelta(hours=1))  # fmt: skip
    complaint(dealer_a, advisor_a, received=sh(2025, 3, 21, 10))

    assert measure("B2", dealer_a, as_of=as_of)[dealer_a.id] == Measure(dealer_a.id, 100.0, 2, 2, 2)
    assert measure("E3", dealer_a, as_of=as_of)[dealer_a.id] == Measure(dealer_a.id, 0.0, 0, 2, 2)
    assert measure("B2", dealer_a)[dealer_a.id].n == 3
    assert measure("E3", dealer_a)[dealer_a.id] == Measure(dealer_a.id, 100 / 3, 1, 3, 3)
