"""REST API of appointments: list/get/book with tenancy and filters, every action, 400 field errors, 409, 403/404."""

from __future__ import annotations

from datetime import timedelta

import pytest

from appointments.choices import AppointmentStatus as S
from appointments.models import Appointment
from appointments.tests.factories import NOW, TODAY, AppointmentFactory, at, book
from appointments.tests.test_services import snapshot
from core.tests.api_kit import NO_PERMISSION, conflict
from core.tests.factories import UserFactory, VehicleFactory
from repairs.models import RepairOrder
from todo.choices import TaskStatus

pytestmark = pytest.mark.django_db

URL = "/api/v1/appointments/"


def action_url(appointment, name: str) -> str:
    return f"{URL}{appointment.pk}/{name}/"


@pytest.fixture
def api(api_en, advisor_a):
    return api_en(advisor_a)


def payload(vehicle, **overrides) -> dict:
    return {
        "vehicle": vehicle.pk,
        "slot_start": at(1, 10).isoformat(),
        "customer_request": "常规保养",
        **overrides,
    }


# --- list and get ------------------------------------------------------------------------------------------------


def test_the_list_is_exactly_the_users_dealers_appointments_by_slot(api, dealer_a, vehicle_b):
    later = AppointmentFactory(vehicle__owner__dealer=dealer_a, slot_start=at(2, 10))
    sooner = AppointmentFactory(vehicle__owner__dealer=dealer_a, slot_start=at(1, 10))
    AppointmentFactory(vehicle=vehicle_b)
    body = api.get(URL).json()
    assert body["count"] == 2
    assert [row["id"] for row in body["results"]] == [sooner.pk, later.pk]
    row = body["results"][0]
    assert (row["status"], row["slot_minutes"], row["version"], row["dealer"]) == ("booked", 60, 1, dealer_a.pk)
    assert (row["vehicle_plate"], row["customer_name"]) == (sooner.vehicle.plate, sooner.customer.name)


def test_filters_by_status_dates_and_dealer_stay_within_the_users_dealers(api, dealer_a, dealer_b, vehicle_b):
    tomorrow = AppointmentFactory(vehicle__owner__dealer=dealer_a, slot_start=at(1, 17, 30))
    confirmed = AppointmentFactory(vehicle__owner__dealer=dealer_a, slot_start=at(2, 8, 30), status=S.CONFIRMED)
    AppointmentFactory(vehicle=vehicle_b, slot_start=at(1, 10))

    def ids(**params):
        response = api.get(URL, params)
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    day = TODAY + timedelta(days=1)
    assert ids(date_from=day, date_to=day) == [tomorrow.pk]  # 17:30 local is still that day
    assert ids(date_from=day + timedelta(days=1)) == [confirmed.pk]
    assert ids(status="confirmed") == [confirmed.pk]
    assert ids(status=["booked", "confirmed"]) == [tomorrow.pk, confirmed.pk]
    assert ids(dealer=dealer_a.pk) == [tomorrow.pk, confirmed.pk]
    response = api.get(URL, {"dealer": dealer_b.pk})
    assert response.status_code == 400
    assert response.json() == {"dealer": ["Select a valid choice. That choice is not one of the available choices."]}


def test_get_and_another_dealers_appointment_is_404(api, vehicle_a, vehicle_b):
    mine, theirs = AppointmentFactory(vehicle=vehicle_a), AppointmentFactory(vehicle=vehicle_b)
    response = api.get(f"{URL}{mine.pk}/")
    assert (response.status_code, response.json()["id"], response.json()["customer"]) == (
        200,
        mine.pk,
        vehicle_a.owner_id,
    )
    response = api.get(f"{URL}{theirs.pk}/")
    assert (response.status_code, set(response.json())) == (404, {"detail"})


def test_reading_needs_the_view_permission(api_en, dealer_a, vehicle_a):
    appointment = AppointmentFactory(vehicle=vehicle_a)
    client = api_en(UserFactory(dealers=[dealer_a]))
    for url in (URL, f"{URL}{appointment.pk}/"):
        response = client.get(url)
        assert (response.status_code, response.json()) == (403, NO_PERMISSION)


# --- booking -----------------------------------------------------------------------------------------------------


def test_book_through_the_api(api, advisor_a, vehicle_a):
    response = api.post(URL, payload(vehicle_a, channel="online", slot_minutes=90, advisor=advisor_a.pk), format="json")
    assert response.status_code == 201, response.json()
    appointment = Appointment.objects.get()
    body = response.json()
    assert (body["id"], body["status"], body["customer"], body["version"]) == (
        appointment.pk,
        "booked",
        vehicle_a.owner_id,
        1,
    )
    assert (appointment.channel, appointment.slot_minutes, appointment.slot_end, appointment.advisor) == (
        "online",
        90,
        at(1, 11, 30),
        advisor_a,
    )
    assert body["reminder_task"] == appointment.reminder_task_id
    assert appointment.reminder_task.status == TaskStatus.OPEN


def test_booking_errors_are_400_with_field_messages_and_save_nothing(api, dealer_a, advisor_a, vehicle_a, vehicle_b):
    dealer_a.service_bays = 1
    dealer_a.save()
    book(VehicleFactory(owner=vehicle_a.owner), advisor_a, slot_start=at(1, 10))
    before = snapshot()
    response = api.post(URL, payload(vehicle_a), format="json")
    assert (response.status_code, response.json()) == (
        400,
        {
            "slot_start": [
                f"The slot {at(1, 10):%Y-%m-%d} 10:00 is full: all 1 service bays are booked. Choose another time."
            ]
        },
    )
    response = api.post(URL, {}, format="json")
    assert (response.status_code, response.json()) == (
        400,
        {
            "vehicle": ["This field is required."],
            "slot_start": ["This field is required."],
            "customer_request": ["This field is required."],
        },
    )
    response = api.post(URL, payload(vehicle_b, slot_minutes=45), format="json")
    assert (response.status_code, response.json()) == (
        400,
        {
            "vehicle": [f'Invalid pk "{vehicle_b.pk}" - object does not exist.'],
            "slot_minutes": ['"45" is not a valid choice.'],
        },
    )
    response = api.post(URL, payload(vehicle_a, slot_start=at(1, 10, 15).isoformat()), format="json")
    assert (response.status_code, response.json()) == (
        400,
        {"slot_start": ["Slots start on the hour or the half hour."]},
    )
    assert snapshot() == before


def test_booking_needs_the_add_permission(api_en, technician_a, vehicle_a):
    before = snapshot()
    response = api_en(technician_a).post(URL, payload(vehicle_a), format="json")
    assert (response.status_code, response.json()) == (403, NO_PERMISSION)
    assert snapshot() == before


# --- actions -----------------------------------------------------------------------------------------------------


def test_confirm_reschedule_and_cancel(api, advisor_a, vehicle_a):
    appointment = book(vehicle_a, advisor_a, slot_start=at(1, 10))
    response = api.post(action_url(appointment, "confirm"), {"version": 1}, format="json")
    assert (response.status_code, response.json()["status"], response.json()["version"]) == (200, "confirmed", 2)
    response = api.post(
        action_url(appointment, "reschedule"),
        {"version": 2, "slot_start": at(3, 15).isoformat(), "reason": "客户出差"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["slot_start"], body["reschedule_count"], body["status"]) == (
        at(3, 15).isoformat(),
        1,
        "confirmed",
    )
    response = api.post(action_url(appointment, "cancel"), {"version": 3, "reason": "改去其他店"}, format="json")
    assert (response.status_code, response.json()["status"], response.json()["cancel_reason"]) == (
        200,
        "cancelled",
        "改去其他店",
    )


def test_arrive_opens_the_repair_order(api, advisor_a, vehicle_a):
    appointment = book(vehicle_a, advisor_a, slot_start=at(0, 9, 30))
    arrived = (NOW - timedelta(minutes=3)).isoformat()
    response = api.post(action_url(appointment, "arrive"), {"version": 1, "arrived_at": arrived}, format="json")
    assert response.status_code == 200, response.json()
    order = RepairOrder.objects.get()
    assert (response.json()["repair_order"], response.json()["arrived_at"]) == (order.pk, arrived)
    assert order.arrived_at == NOW - timedelta(minutes=3)


def test_no_show_after_the_slot_started(api, advisor_a, vehicle_a):
    appointment = AppointmentFactory(vehicle=vehicle_a, slot_start=at(0, 8, 30))
    response = api.post(action_url(appointment, "no-show"), {"version": 1}, format="json")
    assert (response.status_code, response.json()["status"], response.json()["no_show_by"]) == (
        200,
        "no_show",
        advisor_a.pk,
    )


def test_refused_actions_are_400_with_the_reason_and_change_nothing(api, advisor_a, vehicle_a):
    appointment = book(vehicle_a, advisor_a, slot_start=at(1, 10))
    before = snapshot()
    cases = [
        ("no-show", {"version": 1}, {"action": ["A no-show can only be recorded once the slot has started."]}),
        ("cancel", {"version": 1}, {"reason": ["Give the reason for the cancellation."]}),
        ("cancel", {"version": 1, "reason": ""}, {"reason": ["Give the reason for the cancellation."]}),
        ("confirm", {}, {"version": ["This field is required."]}),
        (
            "reschedule",
            {"version": 1, "slot_start": at(1, 10).isoformat()},
            {"slot_start": ["Choose a slot other than the current one."]},
        ),
        (
            "arrive",
            {"version": 1, "arrived_at": (NOW + timedelta(hours=1)).isoformat()},
            {"arrived_at": ["The arrival time cannot be in the future."]},
        ),
    ]
    for name, data, expected in cases:
        response = api.post(action_url(appointment, name), data, format="json")
        assert (response.status_code, response.json()) == (400, expected), name
    assert snapshot() == before
    AppointmentFactory(vehicle=VehicleFactory(owner=vehicle_a.owner), status=S.ARRIVED)
    arrived = Appointment.objects.get(status=S.ARRIVED)
    response = api.post(action_url(arrived, "confirm"), {"version": 1}, format="json")
    assert (response.status_code, response.json()) == (
        400,
        {"action": ["“Confirm” is not possible while the appointment is “Arrived”."]},
    )


def test_a_stale_version_is_409_and_changes_nothing(api, advisor_a, vehicle_a):
    appointment = book(vehicle_a, advisor_a, slot_start=at(1, 10))
    api.post(action_url(appointment, "confirm"), {"version": 1}, format="json")
    before = snapshot()
    response = api.post(action_url(appointment, "cancel"), {"version": 1, "reason": "出差"}, format="json")
    assert (response.status_code, response.json()) == (409, conflict(1, 2))
    assert snapshot() == before


@pytest.mark.parametrize("name", ["confirm", "reschedule", "cancel", "no-show", "arrive"])
def test_actions_on_another_dealers_or_a_closed_dealers_appointment_are_404(
    api_en, advisor_a, advisor_b, region_manager_ab, dealer_a, vehicle_a, name
):
    appointment = AppointmentFactory(vehicle=vehicle_a, slot_start=at(0, 8, 30))
    data = {"version": 1, "reason": "x", "slot_start": at(2, 10).isoformat()}
    before = snapshot()
    response = api_en(advisor_b).post(action_url(appointment, name), data, format="json")
    assert (response.status_code, set(response.json())) == (404, {"detail"})
    response = api_en(region_manager_ab).post(action_url(appointment, name), data, format="json")
    assert (response.status_code, response.json()) == (403, NO_PERMISSION)  # reads only: no change permission
    dealer_a.is_active = False  # a closed dealer's records stay readable but cannot change
    dealer_a.save()
    response = api_en(advisor_a).post(action_url(appointment, name), data, format="json")
    assert (response.status_code, set(response.json())) == (404, {"detail"})
    assert snapshot() == before


def test_actions_need_the_change_permission_and_arrival_the_service_desk(api_en, technician_a, care_a, vehicle_a):
    appointment = book(vehicle_a, care_a, slot_start=at(0, 9, 30))
    before = snapshot()
    response = api_en(technician_a).post(action_url(appointment, "confirm"), {"version": 1}, format="json")
    assert (response.status_code, response.json()) == (403, NO_PERMISSION)
    response = api_en(care_a).post(action_url(appointment, "arrive"), {"version": 1}, format="json")
    assert (response.status_code, response.json()) == (403, {"detail": "Your role may not do “Customer arrived”."})
    assert snapshot() == before
