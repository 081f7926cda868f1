"""Appointment services: slot rules and capacity, every transition (legal or refused with nothing changed),
the reminder task's life, arrival opening the repair order, optimistic locking and tenancy."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from appointments import services
from appointments.choices import AppointmentChannel, AppointmentStatus
from appointments.models import Appointment
from appointments.tests.factories import NOW, AppointmentFactory, at, book
from core.models import TransitionEvent
from core.services import ConflictError
from core.state import TransitionError, transition_events
from core.tests import helpers
from core.tests.factories import VehicleFactory
from repairs.choices import JobType, RepairOrderStatus
from repairs.models import RepairOrder
from repairs.services import repair_order_open
from todo.choices import TaskKind, TaskStatus
from todo.models import Task

pytestmark = pytest.mark.django_db

S = AppointmentStatus
OUTSIDE_HOURS = "Outside business hours (08:30–18:00): the slot must start after opening and end by closing."


def snapshot() -> dict:
    """Every appointment, to-do task and repair order with their history: equal before/after = nothing changed."""
    return helpers.snapshot(Appointment, Task, RepairOrder)


def refused(exception, call) -> Exception:
    """Run a call that must be refused with ``exception``, check that it changed nothing; return the error."""
    return helpers.assert_refused(exception, call, state=snapshot)


def messages(error) -> dict:
    return error.message_dict


# --- booking ------------------------------------------------------------------------------------------------


def test_book_saves_the_slot_and_puts_the_reminder_on_the_advisors_list(advisor_a, vehicle_a, dealer_a):
    appointment = book(
        vehicle_a,
        advisor_a,
        slot_start=at(3, 14, 30),
        slot_minutes=90,
        channel=AppointmentChannel.WECHAT,
        job_type=JobType.REPAIR,
        customer_request="  刹车有异响 ",
        advisor=advisor_a,
    )
    appointment.refresh_from_db()
    assert (appointment.dealer, appointment.customer, appointment.vehicle) == (dealer_a, vehicle_a.owner, vehicle_a)
    assert (appointment.slot_start, appointment.slot_end, appointment.slot_minutes) == (
        at(3, 14, 30),
        at(3, 16),
        90,
    )
    assert (appointment.status, appointment.channel, appointment.job_type) == (S.BOOKED, "wechat", "repair")
    assert (appointment.customer_request, appointment.created_by, appointment.version) == ("刹车有异响", advisor_a, 1)
    assert [(h.history_type, h.history_user) for h in appointment.history.all()] == [("+", advisor_a)]
    task = appointment.reminder_task
    assert (task.kind, task.status, task.role, task.assignee, task.customer, task.vehicle, task.dealer) == (
        TaskKind.APPOINTMENT_REMINDER,
        TaskStatus.OPEN,
        "service_advisor",
        advisor_a,
        vehicle_a.owner,
        vehicle_a,
        dealer_a,
    )
    assert task.due_at == at(2, 10)  # the day before, 10:00 local time
    assert task.title == f"Remind 张三 of the appointment on {at(3, 14, 30):%m-%d} 14:30 (粤A10001)"


def test_a_reminder_whose_day_before_has_passed_is_due_now(advisor_a, vehicle_a, clock):
    now = clock(at(0, 11))
    appointment = book(vehicle_a, advisor_a, slot_start=at(1, 9))
    assert appointment.reminder_task.due_at == now
    assert appointment.reminder_task.assignee is None  # no advisor chosen: the whole advisor role sees it


def test_a_walk_in_is_booked_into_the_current_slot_and_received_at_once(advisor_a, vehicle_a):
    appointment = book(vehicle_a, advisor_a, slot_start=at(0, 9), channel=AppointmentChannel.WALK_IN)
    assert appointment.reminder_task is None  # the customer is at the desk
    appointment = services.appointment_arrive(appointment=appointment, by=advisor_a, version=appointment.version)
    assert (appointment.status, appointment.arrived_at, appointment.repair_order.arrived_at) == (S.ARRIVED, NOW, NOW)


def test_the_current_slot_is_bookable_but_the_one_before_is_past(advisor_a, vehicle_a):
    assert book(vehicle_a, advisor_a, slot_start=at(0, 9)).slot_start == at(0, 9)  # now is 09:20
    other = VehicleFactory(owner=vehicle_a.owner)
    error = refused(ValidationError, lambda: book(other, advisor_a, slot_start=at(0, 8, 30)))
    assert messages(error) == {"slot_start": ["This slot is in the past."]}


@pytest.mark.parametrize(
    ("start", "minutes", "message"),
    [
        (at(-1, 10), 60, "This slot is in the past."),
        (at(1, 8), 60, "Outside business hours (08:30–18:00): the slot must start after opening and end by closing."),
        (
            at(1, 17, 30),
            60,
            "Outside business hours (08:30–18:00): the slot must start after opening and end by closing.",
        ),
        (at(1, 20), 30, "Outside business hours (08:30–18:00): the slot must start after opening and end by closing."),
        (at(1, 10, 15), 60, "Slots start on the hour or the half hour."),
    ],
)
def test_slots_outside_business_hours_in_the_past_or_off_the_grid_are_refused(
    advisor_a, vehicle_a, start, minutes, message
):
    error = refused(ValidationError, lambda: book(vehicle_a, advisor_a, slot_start=start, slot_minutes=minutes))
    assert messages(error) == {"slot_start": [message]}


def test_the_last_slot_ends_at_closing_time(advisor_a, vehicle_a):
    assert book(vehicle_a, advisor_a, slot_start=at(1, 17)).slot_end == at(1, 18)


def test_a_closed_weekday_is_refused(advisor_a, vehicle_a, dealer_a):
    dealer_a.working_days = "12345"  # Monday–Friday; at(3, …) is a Saturday
    dealer_a.save()
    error = refused(ValidationError, lambda: book(vehicle_a, advisor_a, slot_start=at(3, 10)))
    assert messages(error) == {"slot_start": ["The dealer is closed on Saturday."]}


def test_a_full_slot_is_refused_with_a_field_error(advisor_a, dealer_a, customer_a):
    dealer_a.service_bays = 2
    dealer_a.save()
    first, second, third = (VehicleFactory(owner=customer_a) for _ in range(3))
    book(first, advisor_a, slot_start=at(1, 10))
    book(second, advisor_a, slot_start=at(1, 9, 30), slot_minutes=90)
    error = refused(ValidationError, lambda: book(third, advisor_a, slot_start=at(1, 10, 30)))
    expected = f"The slot {at(1, 10, 30):%Y-%m-%d} 10:30 is full: all 2 service bays are booked. Choose another time."
    assert messages(error) == {"slot_start": [expected]}
    # At 11:00 both bookings have ended.
    assert book(third, advisor_a, slot_start=at(1, 11)).slot_start == at(1, 11)


def test_capacity_counts_bays_in_use_at_the_same_moment_not_every_overlap(advisor_a, dealer_a, customer_a):
    dealer_a.service_bays = 1
    dealer_a.save()
    morning, noon, long = (VehicleFactory(owner=customer_a) for _ in range(3))
    book(morning, advisor_a, slot_start=at(1, 10))
    book(noon, advisor_a, slot_start=at(1, 11))
    # 10:00–11:00 and 11:00–12:00 never overlap each other, but each fills the single bay.
    error = refused(ValidationError, lambda: book(long, advisor_a, slot_start=at(1, 10, 30)))
    assert list(messages(error)) == ["slot_start"]


def test_cancelled_and_no_show_appointments_free_their_bay(advisor_a, dealer_a, customer_a):
    dealer_a.service_bays = 1
    dealer_a.save()
    AppointmentFactory(vehicle__owner=customer_a, slot_start=at(1, 10), status=S.CANCELLED, cancel_reason="出差")
    AppointmentFactory(vehicle__owner=customer_a, slot_start=at(1, 10), status=S.NO_SHOW)
    assert book(VehicleFactory(owner=customer_a), advisor_a, slot_start=at(1, 10)).status == S.BOOKED


def test_booking_checks_vehicle_customer_request_advisor_and_double_bookings(
    advisor_a, advisor_b, vehicle_a, customer_a
):
    other_customer = VehicleFactory(owner__dealer=vehicle_a.dealer).owner
    error = refused(ValidationError, lambda: book(vehicle_a, advisor_a, customer=other_customer))
    assert messages(error) == {"vehicle": ["Choose a vehicle that this customer owns."]}
    error = refused(ValidationError, lambda: book(vehicle_a, advisor_a, customer_request="  "))
    assert messages(error) == {"customer_request": ["Say what the customer wants done."]}
    error = refused(ValidationError, lambda: book(vehicle_a, advisor_a, advisor=advisor_b))
    assert messages(error) == {"advisor": ["The service advisor must work for this dealer."]}
    book(vehicle_a, advisor_a, slot_start=at(1, 10))
    error = refused(ValidationError, lambda: book(vehicle_a, advisor_a, slot_start=at(1, 15)))
    assert messages(error) == {
        "vehicle": ["This vehicle already has an appointment at 10:00 that day: reschedule that one."]
    }


def test_booking_at_a_dealer_the_user_does_not_work_for_is_refused(advisor_b, vehicle_a, region_manager_ab):
    for user in (advisor_b, region_manager_ab):
        error = refused(PermissionDenied, lambda user=user: book(vehicle_a, user))
        assert str(error) == "You cannot change the data of this dealer."


# --- the state machine: every status × every action ----------------------------------------------------------

ACTIONS = ["confirm", "reschedule", "cancel", "no_show", "arrive"]
LEGAL = {
    (S.BOOKED, "confirm"): S.CONFIRMED,
    **{(source, action): None for source in (S.BOOKED, S.CONFIRMED) for action in ("reschedule",)},
    **{(source, "cancel"): S.CANCELLED for source in (S.BOOKED, S.CONFIRMED)},
    **{(source, "no_show"): S.NO_SHOW for source in (S.BOOKED, S.CONFIRMED)},
    **{(source, "arrive"): S.ARRIVED for source in (S.BOOKED, S.CONFIRMED)},
}
LABELS = {"confirm": "Confirm", "reschedule": "Reschedule", "cancel": "Cancel", "no_show": "No-show"}
LABELS["arrive"] = "Customer arrived"


def run(action: str, appointment: Appointment, by):
    """Call the service of ``action`` with valid input (the slot started an hour ago)."""
    common = {"appointment": appointment, "by": by, "version": appointment.version}
    if action == "confirm":
        return services.appointment_confirm(**common)
    if action == "reschedule":
        return services.appointment_reschedule(**common, slot_start=at(2, 10), reason="客户要求")
    if action == "cancel":
        return services.appointment_cancel(**common, reason="客户出差")
    if action == "no_show":
        return services.appointment_mark_no_show(**common)
    return services.appointment_arrive(**common, arrived_at=NOW - timedelta(minutes=5))


@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("action", ACTIONS)
def test_each_transition_is_allowed_exactly_from_its_statuses(advisor_a, vehicle_a, status, action):
    appointment = AppointmentFactory(
        vehicle=vehicle_a, slot_start=at(0, 8, 30), status=status, cancel_reason="x" if status == S.CANCELLED else ""
    )
    if (status, action) in LEGAL:
        result = run(action, appointment, advisor_a)
        assert result.status == (LEGAL[status, action] or status)
        assert result.version == 2
        assert result.history.first().history_user == advisor_a
        event = transition_events(result).get()
        assert (event.action, event.from_status, event.to_status) == (action, status, result.status)
        assert event.by == advisor_a
    else:
        error = refused(TransitionError, lambda: run(action, appointment, advisor_a))
        assert not TransitionEvent.objects.exists()
        assert messages(error) == {
            "action": [f"“{LABELS[action]}” is not possible while the appointment is “{S(status).label}”."]
        }


def test_a_no_show_is_refused_before_the_slot_starts(advisor_a, vehicle_a):
    appointment = book(vehicle_a, advisor_a, slot_start=at(0, 10))
    error = refused(TransitionError, lambda: run("no_show", appointment, advisor_a))
    assert messages(error) == {"action": ["A no-show can only be recorded once the slot has started."]}


def test_no_show_stamps_who_and_when_and_cancels_the_open_reminder(advisor_a, vehicle_a, clock):
    appointment = book(vehicle_a, advisor_a, slot_start=at(1, 10))
    later = clock(at(1, 11))
    appointment = services.appointment_mark_no_show(appointment=appointment, by=advisor_a, version=1)
    assert (appointment.status, appointment.no_show_at, appointment.no_show_by) == (S.NO_SHOW, later, advisor_a)
    task = Task.objects.get()
    assert (task.status, task.outcome) == (TaskStatus.CANCELLED, "The customer did not come.")


# --- confirm, reschedule, cancel: the reminder follows ---------------------------------------------------------


def test_confirm_stamps_and_leaves_a_reminder_that_is_not_due_yet(advisor_a, vehicle_a, care_a):
    appointment = book(vehicle_a, advisor_a, slot_start=at(3, 10))
    appointment = services.appointment_confirm(appointment=appointment, by=care_a, version=1)
    assert (appointment.status, appointment.confirmed_at, appointment.confirmed_by) == (S.CONFIRMED, NOW, care_a)
    assert Task.objects.get().status == TaskStatus.OPEN


def test_confirm_on_the_reminder_call_closes_the_reminder(advisor_a, vehicle_a, clock):
    appointment = book(vehicle_a, advisor_a, slot_start=at(3, 10))
    clock(at(2, 10, 5))
    services.appointment_confirm(appointment=appointment, by=advisor_a, version=1)
    task = Task.objects.get()
    assert (task.status, task.outcome, task.done_by) == (TaskStatus.DONE, "Appointment confirmed.", advisor_a)


def test_reschedule_moves_the_slot_and_the_reminder_and_keeps_history(advisor_a, vehicle_a):
    appointment = book(vehicle_a, advisor_a, slot_start=at(1, 10), advisor=advisor_a)
    old_task = appointment.reminder_task
    appointment = services.appointment_reschedule(
        appointment=appointment, by=advisor_a, version=1, slot_start=at(4, 15), slot_minutes=120, reason="客户出差"
    )
    appointment.refresh_from_db()
    assert (appointment.slot_start, appointment.slot_end, appointment.reschedule_count, appointment.version) == (
        at(4, 15),
        at(4, 17),
        1,
        2,
    )
    old_task.refresh_from_db()
    assert (old_task.status, old_task.outcome) == (
        TaskStatus.CANCELLED,
        f"Appointment moved to {at(4, 15):%Y-%m-%d} 15:00.",
    )
    new_task = appointment.reminder_task
    assert (new_task.status, new_task.due_at, new_task.assignee) == (TaskStatus.OPEN, at(3, 10), advisor_a)
    records = list(appointment.history.order_by("history_date", "history_id"))
    assert [r.slot_start for r in records] == [at(1, 10), at(4, 15)]
    assert records[-1].history_change_reason == (
        f"Reschedule: {at(1, 10):%Y-%m-%d} 10:00 → {at(4, 15):%Y-%m-%d} 15:00; 客户出差"
    )


def test_reschedule_into_a_full_slot_or_the_same_slot_is_refused(advisor_a, dealer_a, customer_a):
    dealer_a.service_bays = 1
    dealer_a.save()
    moving, staying = VehicleFactory(owner=customer_a), VehicleFactory(owner=customer_a)
    appointment = book(moving, advisor_a, slot_start=at(1, 10))
    book(staying, advisor_a, slot_start=at(1, 14))
    error = refused(
        ValidationError,
        lambda: services.appointment_reschedule(
            appointment=appointment, by=advisor_a, version=1, slot_start=at(1, 14, 30)
        ),
    )
    assert list(messages(error)) == ["slot_start"]
    assert "is full" in messages(error)["slot_start"][0]
    error = refused(
        ValidationError,
        lambda: services.appointment_reschedule(appointment=appointment, by=advisor_a, version=1, slot_start=at(1, 10)),
    )
    assert messages(error) == {"slot_start": ["Choose a slot other than the current one."]}
    # Its own bay does not count against it: a longer slot at the same time fits the single bay.
    longer = services.appointment_reschedule(
        appointment=appointment, by=advisor_a, version=1, slot_start=at(1, 10), slot_minutes=120
    )
    assert longer.slot_end == at(1, 12)


def test_cancel_needs_a_reason_then_frees_the_bay_and_cancels_the_reminder(advisor_a, dealer_a, customer_a):
    dealer_a.service_bays = 1
    dealer_a.save()
    appointment = book(VehicleFactory(owner=customer_a), advisor_a, slot_start=at(1, 10))
    error = refused(
        ValidationError,
        lambda: services.appointment_cancel(appointment=appointment, by=advisor_a, version=1, reason=" "),
    )
    assert messages(error) == {"reason": ["Give the reason for the cancellation."]}
    appointment = services.appointment_cancel(appointment=appointment, by=advisor_a, version=1, reason=" 客户出差 ")
    assert (appointment.status, appointment.cancelled_at, appointment.cancelled_by, appointment.cancel_reason) == (
        S.CANCELLED,
        NOW,
        advisor_a,
        "客户出差",
    )
    task = Task.objects.get()
    assert (task.status, task.outcome) == (TaskStatus.CANCELLED, "Appointment cancelled: 客户出差")
    assert book(VehicleFactory(owner=customer_a), advisor_a, slot_start=at(1, 10)).status == S.BOOKED


# --- arrival: the repair order is opened and linked ----------------------------------------------------------


def test_arrive_opens_the_linked_repair_order_at_the_arrival_time(advisor_a, vehicle_a, clock):
    appointment = book(vehicle_a, advisor_a, slot_start=at(0, 10), job_type=JobType.REPAIR, customer_request="异响")
    clock(at(0, 10, 30))
    arrived = at(0, 10, 7)
    appointment = services.appointment_arrive(appointment=appointment, by=advisor_a, version=1, arrived_at=arrived)
    appointment.refresh_from_db()
    order = appointment.repair_order
    assert (appointment.status, appointment.arrived_at, appointment.arrival_recorded_by) == (
        S.ARRIVED,
        arrived,
        advisor_a,
    )
    assert appointment.arrival_offset_minutes == 7
    assert (order.vehicle, order.customer, order.advisor, order.status) == (
        vehicle_a,
        vehicle_a.owner,
        advisor_a,
        RepairOrderStatus.OPEN,
    )
    assert (order.arrived_at, order.customer_complaint, order.job_type) == (arrived, "异响", "repair")
    task = Task.objects.get()
    assert (task.status, task.outcome) == (TaskStatus.DONE, "The customer arrived.")


def test_arrive_defaults_to_now_and_refuses_a_future_time(advisor_a, vehicle_a):
    appointment = book(vehicle_a, advisor_a, slot_start=at(0, 9, 30))
    error = refused(
        ValidationError,
        lambda: services.appointment_arrive(
            appointment=appointment, by=advisor_a, version=1, arrived_at=NOW + timedelta(minutes=1)
        ),
    )
    assert messages(error) == {"arrived_at": ["The arrival time cannot be in the future."]}
    appointment = services.appointment_arrive(appointment=appointment, by=advisor_a, version=1)
    assert appointment.arrived_at == appointment.repair_order.arrived_at == NOW


def test_arrive_is_refused_when_the_vehicle_already_has_an_open_repair_order(advisor_a, vehicle_a):
    appointment = book(vehicle_a, advisor_a, slot_start=at(0, 9, 30))
    book_and_arrive = book(VehicleFactory(owner=vehicle_a.owner), advisor_a, slot_start=at(0, 9, 30))
    services.appointment_arrive(appointment=book_and_arrive, by=advisor_a, version=1)
    repair_order_open(vehicle=vehicle_a, by=advisor_a, customer_complaint="先到先开", job_type=JobType.REPAIR)
    error = refused(
        ValidationError, lambda: services.appointment_arrive(appointment=appointment, by=advisor_a, version=1)
    )
    assert error.messages == ["This vehicle already has an open repair order."]


def test_only_the_service_desk_receives_a_customer(care_a, vehicle_a):
    appointment = book(vehicle_a, care_a)
    error = refused(
        PermissionDenied, lambda: services.appointment_arrive(appointment=appointment, by=care_a, version=1)
    )
    assert str(error) == "Your role may not do “Customer arrived”."


# --- locking and tenancy ------------------------------------------------------------------------------------------


def test_a_stale_version_is_a_conflict_and_changes_nothing(advisor_a, vehicle_a):
    appointment = book(vehicle_a, advisor_a, slot_start=at(1, 10))
    services.appointment_confirm(appointment=appointment, by=advisor_a, version=1)
    error = refused(
        ConflictError,
        lambda: services.appointment_cancel(appointment=appointment, by=advisor_a, version=1, reason="出差"),
    )
    assert error.messages == [
        "Someone else saved this record after you opened it (your version 1, now 2). "
        "Reload the page to see their changes; nothing of yours was saved."
    ]


def test_a_missing_version_is_refused(advisor_a, vehicle_a):
    appointment = book(vehicle_a, advisor_a)
    error = refused(
        ValidationError, lambda: services.appointment_confirm(appointment=appointment, by=advisor_a, version=None)
    )
    assert messages(error) == {"version": ["The record version is required to save changes."]}


@pytest.mark.parametrize("action", ACTIONS)
def test_another_dealers_staff_and_read_only_managers_change_nothing(advisor_b, region_manager_ab, vehicle_a, action):
    appointment = AppointmentFactory(vehicle=vehicle_a, slot_start=at(0, 8, 30))
    for user in (advisor_b, region_manager_ab):
        error = refused(PermissionDenied, lambda user=user: run(action, appointment, user))
        assert str(error) == "You cannot change the data of this dealer."
