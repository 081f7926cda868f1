"""Demo data a service manager would believe (issue 10, items 6 and 9).

The shared small demo (three dealers, three months, ending 31 October 2026: conftest's ``demo_dataset``, built
once and rolled back after the tests that read it); every check lists what breaks its rule, so a failure says how
many and which.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from django.db.models import F

from appointments.models import Appointment
from care.models import CallRecord
from organization.calendar import business_calendar
from organization.models import Dealer
from repairs.models import AdditionalItem, LabourClock, QcInspection, RepairOrder, RepairOrderEvent, Settlement
from surveys.models import DealerSurveySettings, Questionnaire, SurveyInvitation, SurveyResponse

pytestmark = pytest.mark.django_db

UNTIL = date(2026, 10, 31)
ORDER_STAMPS = [
    "opened_at", "checked_in_at", "estimated_at", "approved_at", "dispatched_at", "repair_started_at",
    "qc_requested_at", "ready_at", "delivered_at", "closed_at", "cancelled_at", "promised_at",
]  # fmt: skip
LINK_HOURS = (time(8), time(22))  # when people plausibly answer a survey link on their phone
MAX_CALLS_PER_WEEK = 3


@pytest.fixture(scope="module")
def demo(demo_dataset, django_db_blocker):
    """The shared demo's dealers by id."""
    with django_db_blocker.unblock():
        return {d.pk: d for d in Dealer.objects.all()}


def _open_checker(dealers: dict):
    """``is_open(dealer_id, moment)``: inside the dealer's opening hours on one of its working dates."""
    calendars = {
        pk: business_calendar(dealer, UNTIL - timedelta(days=5 * 365), UNTIL + timedelta(days=60))
        for pk, dealer in dealers.items()
    }

    def is_open(dealer_id: int, moment: datetime) -> bool:
        calendar = calendars[dealer_id]
        interval = calendar.opening_interval(moment.astimezone(calendar.zone).date())
        return interval is not None and interval[0] <= moment <= interval[1]

    return is_open


def _local(dealer: Dealer, moment: datetime) -> str:
    return f"{moment.astimezone(_zone(dealer)):%a %Y-%m-%d %H:%M}"


def _zone(dealer: Dealer) -> ZoneInfo:
    return ZoneInfo(dealer.time_zone or "Asia/Shanghai")


def _report(violations: list[str]) -> str:
    return f"{len(violations)} violations, e.g. {violations[:5]}"


def test_repair_order_times_are_inside_the_dealers_opening_hours(demo):
    is_open = _open_checker(demo)
    violations = []
    for order in RepairOrder.objects.values("number", "dealer_id", *ORDER_STAMPS):
        for stamp in ORDER_STAMPS:
            moment = order[stamp]
            if moment is not None and not is_open(order["dealer_id"], moment):
                violations.append(f"{order['number']} {stamp} {_local(demo[order['dealer_id']], moment)}")
    rows = [
        (RepairOrderEvent.objects.values_list("order__number", "order__dealer_id", "at", "action"), "event"),
        (QcInspection.objects.values_list("order__number", "order__dealer_id", "inspected_at", "sequence"), "QC"),
        (Settlement.objects.values_list("order__number", "order__dealer_id", "settled_at", "invoice_number"), "bill"),
        (LabourClock.objects.values_list("line__order__number", "line__order__dealer_id", "started_at", "id"), "on"),
        (
            LabourClock.objects.filter(ended_at__isnull=False).values_list(
                "line__order__number", "line__order__dealer_id", "ended_at", "id"
            ),
            "off",
        ),
        (AdditionalItem.objects.values_list("order__number", "order__dealer_id", "raised_at", "id"), "raised"),
        (
            AdditionalItem.objects.filter(decision_at__isnull=False).values_list(
                "order__number", "order__dealer_id", "decision_at", "id"
            ),
            "decided",
        ),
    ]
    for query, label in rows:
        for number, dealer_id, moment, detail in query:
            if not is_open(dealer_id, moment):
                violations.append(f"{number} {label} {detail} {_local(demo[dealer_id], moment)}")
    assert RepairOrder.objects.filter(delivered_at__isnull=False).count() > 200
    assert not violations, _report(violations)


def test_parts_are_issued_in_opening_hours_before_the_work_is_checked(demo):
    """A part that was not on the shelf arrives while the car is still in the workshop, not after it left."""
    from parts.models import StockReservation

    is_open = _open_checker(demo)
    violations = []
    for number, dealer_id, issued, qc_requested, delivered in StockReservation.objects.filter(
        issued_at__isnull=False
    ).values_list(
        "repair_order_line__order__number",
        "repair_order_line__order__dealer_id",
        "issued_at",
        "repair_order_line__order__qc_requested_at",
        "repair_order_line__order__delivered_at",
    ):
        if not is_open(dealer_id, issued):
            violations.append(f"{number} issued {_local(demo[dealer_id], issued)}")
        if qc_requested and issued > qc_requested:
            violations.append(f"{number} issued {_local(demo[dealer_id], issued)} after its QC request")
        if delivered and issued > delivered:
            violations.append(f"{number} issued {_local(demo[dealer_id], issued)} after the car left")
    assert StockReservation.objects.filter(issued_at__isnull=False).count() > 100
    assert not violations, _report(violations)


def test_a_labour_clock_ends_the_day_it_started(demo):
    """A technician clocks off at closing time at the latest: a job of several days has a clock per day."""
    zones = {pk: _zone(d) for pk, d in demo.items()}
    violations = [
        f"{number} {started:%Y-%m-%d %H:%M} → {ended:%Y-%m-%d %H:%M}"
        for number, dealer_id, started, ended in LabourClock.objects.filter(ended_at__isnull=False).values_list(
            "line__order__number", "line__order__dealer_id", "started_at", "ended_at"
        )
        if started.astimezone(zones[dealer_id]).date() != ended.astimezone(zones[dealer_id]).date()
    ]
    assert LabourClock.objects.exists()
    assert not violations, _report(violations)


def test_appointments_and_follow_up_calls_are_inside_opening_hours(demo):
    is_open = _open_checker(demo)
    violations = [
        f"appointment {vin} {_local(demo[dealer_id], start)}"
        for dealer_id, vin, start, end in Appointment.objects.values_list(
            "dealer_id", "vehicle__vin", "slot_start", "slot_end"
        )
        if not (is_open(dealer_id, start) and is_open(dealer_id, end))
    ]
    violations += [
        f"call {pk} {_local(demo[dealer_id], at)}"
        for pk, dealer_id, at in CallRecord.objects.values_list("pk", "dealer_id", "called_at")
        if not is_open(dealer_id, at)
    ]
    assert CallRecord.objects.count() > 100
    assert not violations, _report(violations)


def test_survey_answers_come_at_plausible_hours(demo):
    """A link is answered between 08:00 and 22:00 local time; a phone survey during the dealer's opening hours."""
    is_open = _open_checker(demo)
    violations = []
    for pk, dealer_id, channel, submitted in SurveyResponse.objects.values_list(
        "pk", "dealer_id", "channel", "submitted_at"
    ):
        local = submitted.astimezone(_zone(demo[dealer_id]))
        plausible = (
            is_open(dealer_id, submitted) if channel == "phone" else LINK_HOURS[0] <= local.time() < LINK_HOURS[1]
        )
        if not plausible:
            violations.append(f"{channel} {pk} {local:%Y-%m-%d %H:%M}")
    assert SurveyResponse.objects.filter(channel="link").exists() and SurveyResponse.objects.filter(channel="phone")
    assert not violations, _report(violations)


def test_no_vehicle_has_two_open_repair_orders_at_once(demo):
    """From arrival to delivery (or closing, or cancelling) a vehicle is at the dealer; still open: until now."""
    visits = defaultdict(list)
    for vin, number, arrived, delivered, closed, cancelled in RepairOrder.objects.order_by("arrived_at").values_list(
        "vehicle__vin", "number", "arrived_at", "delivered_at", "closed_at", "cancelled_at"
    ):
        end = delivered or closed or cancelled
        visits[vin].append((arrived, end, number))
    violations = []
    for vin, rows in visits.items():
        for (_arrived, end, number), (later_arrived, _end, later) in pairwise(rows):
            if end is None or later_arrived < end:
                violations.append(f"{vin}: {number} still open when {later} arrived")
    assert not violations, _report(violations)


def test_at_most_a_few_follow_up_calls_per_customer_and_week(demo):
    zones = {pk: _zone(d) for pk, d in demo.items()}
    weeks = Counter()
    for customer_id, dealer_id, called_at in CallRecord.objects.values_list("customer_id", "dealer_id", "called_at"):
        year, week, _day = called_at.astimezone(zones[dealer_id]).isocalendar()
        weeks[(customer_id, year, week)] += 1
    violations = [
        f"customer {c} week {y}-W{w:02d}: {n} calls" for (c, y, w), n in weeks.items() if n > MAX_CALLS_PER_WEEK
    ]
    assert weeks
    assert not violations, _report(violations)


def test_every_demo_dealer_surveys_with_the_csi_questionnaire(demo):
    """One questionnaire family across the demo, so C1/C2 compare like with like; SERVQUAL stays available."""
    families = set(SurveyResponse.objects.values_list("questionnaire__code", flat=True))
    families |= set(SurveyInvitation.objects.values_list("questionnaire__code", flat=True))
    chosen = set(DealerSurveySettings.objects.filter(questionnaire__isnull=False).values_list(
        "questionnaire__code", flat=True))  # fmt: skip
    assert families | chosen == {"CSI"}, families | chosen
    assert set(SurveyResponse.objects.values_list("dealer_id", flat=True)) == set(demo)
    assert Questionnaire.objects.filter(dealer__isnull=True, code="SERVQUAL").exists()


def test_the_quality_profiles_still_differ(demo):
    """Late = after the promised time (not at night); the weak dealer has more same-fault revisits in 30 days."""
    by_code = {d.code: d for d in demo.values()}
    delivered = RepairOrder.objects.filter(delivered_at__isnull=False)
    late = {
        code: delivered.filter(dealer=dealer, delivered_at__gt=F("promised_at")).count()
        / delivered.filter(dealer=dealer).count()
        for code, dealer in by_code.items()
    }
    assert late["GZ01"] < late["SZ01"] < late["SH01"], late
    arrivals = defaultdict(list)
    for vehicle_id, fault, arrived in RepairOrder.objects.values_list("vehicle_id", "fault_category", "arrived_at"):
        arrivals[(vehicle_id, fault)].append(arrived)
    revisits = {}
    for code, dealer in by_code.items():
        repairs = delivered.filter(dealer=dealer).exclude(fault_category="none")
        came_back = sum(
            any(delivered_at < at <= delivered_at + timedelta(days=30) for at in arrivals[(vehicle_id, fault)])
            for vehicle_id, fault, delivered_at in repairs.values_list("vehicle_id", "fault_category", "delivered_at")
        )
        revisits[code] = came_back / repairs.count()
    assert revisits["GZ01"] < revisits["SH01"], revisits
    linked = RepairOrder.objects.filter(comeback_of__isnull=False).count()
    assert linked > 0


def test_demo_data_defaults_to_24_months_of_history():
    from dashboards.management.commands.demo_data import Command

    options = Command().create_parser("manage.py", "demo_data").parse_args([])
    assert options.months == 24
