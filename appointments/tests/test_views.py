"""Pages: the day view, booking (lookup, field errors, walk-in), the record with its actions, reschedule, tenancy."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from appointments.choices import AppointmentStatus as S
from appointments.models import Appointment
from appointments.tests.factories import NOW, TODAY, AppointmentFactory, at, book
from appointments.tests.test_services import snapshot
from core.tests.factories import UserFactory, VehicleFactory
from core.tests.helpers import login
from repairs.models import RepairOrder
from todo.choices import TaskStatus
from todo.models import Task

pytestmark = pytest.mark.django_db

DAY_URL = reverse("appointments:appointment_day")
NEW_URL = reverse("appointments:appointment_create")


def booking(vehicle, **overrides) -> dict:
    return {
        "lookup": vehicle.owner.mobile,
        "vehicle": vehicle.pk,
        "channel": "phone",
        "slot_date": f"{TODAY + timedelta(days=1):%Y-%m-%d}",
        "slot_time": "10:00",
        "slot_minutes": "60",
        "job_type": "maintenance",
        "customer_request": "常规保养",
        "advisor": "",
        **overrides,
    }


def errors_of(response) -> dict:
    assert response.status_code == 200
    return response.context["form"].errors


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- day view -------------------------------------------------------------------------------------------------


def test_the_menu_links_the_day_view_for_roles_that_read_appointments(web, technician_a):
    html = web.get(reverse("dashboards:home")).content.decode()
    assert f'href="{DAY_URL}"' in html
    assert f'href="{DAY_URL}"' in login(technician_a).get(reverse("dashboards:home")).content.decode()


def test_the_day_view_shows_each_slot_with_bays_and_bookings(web, advisor_a, dealer_a, vehicle_a):
    dealer_a.service_bays = 2
    dealer_a.save()
    appointment = book(vehicle_a, advisor_a, slot_start=at(1, 10))
    response = web.get(DAY_URL, {"date": f"{TODAY + timedelta(days=1):%Y-%m-%d}"})
    assert response.status_code == 200
    rows = {f"{row.start:%H:%M}": row for row in response.context["calendar"].slots}
    assert (rows["10:00"].used, rows["10:00"].free, rows["10:00"].appointments) == (1, 1, [appointment])
    assert (rows["10:30"].used, rows["10:30"].appointments) == (1, [])
    html = response.content.decode()
    assert f'id="appointment-{appointment.pk}"' in html
    assert "1 used · 1 free" in html
    assert reverse("appointments:appointment_confirm", args=[appointment.pk]) in html
    assert reverse("appointments:appointment_no_show", args=[appointment.pk]) not in html  # not started yet


def test_the_day_view_defaults_to_today_and_says_when_the_dealer_is_closed(web, dealer_a):
    response = web.get(DAY_URL)
    assert response.context["day"] == TODAY
    dealer_a.working_days = "12345"
    dealer_a.save()
    response = web.get(DAY_URL, {"date": f"{TODAY + timedelta(days=3):%Y-%m-%d}"})
    assert "The dealer is closed on Saturday: no slots to book." in response.content.decode()


def test_the_day_view_of_another_dealer_is_404(web, dealer_b):
    assert web.get(DAY_URL, {"dealer": dealer_b.pk}).status_code == 404


def test_a_user_without_the_view_permission_gets_404(dealer_a):
    client = login(UserFactory(dealers=[dealer_a]))
    assert client.get(DAY_URL).status_code == 404


# --- booking --------------------------------------------------------------------------------------------------


def test_the_booking_form_finds_the_customers_vehicles_by_mobile(web, vehicle_a, customer_a):
    second = VehicleFactory(owner=customer_a, plate="粤A10002")
    response = web.get(NEW_URL, {"lookup": "13800000001", "slot_date": "2030-06-13", "slot_time": "10:00"})
    assert [v.pk for v in response.context["candidates"]] == [vehicle_a.pk, second.pk]
    html = response.content.decode()
    assert f'value="{vehicle_a.pk}"' in html and "粤A10002" in html
    assert response.context["form"]["slot_time"].value() == "10:00"
    partial = web.get(reverse("appointments:vehicle_choices"), {"lookup": "粤A10002"}, HTTP_HX_REQUEST="true")
    assert [v.pk for v in partial.context["candidates"]] == [second.pk, vehicle_a.pk]


def test_the_booking_form_starts_at_todays_current_slot_with_the_advisor(web, advisor_a):
    form = web.get(NEW_URL).context["form"]
    assert (form["slot_date"].value(), form["slot_time"].value(), form["advisor"].value()) == (
        TODAY,
        "09:00",
        advisor_a.pk,
    )


def test_booking_saves_and_goes_to_the_day(web, advisor_a, vehicle_a):
    response = web.post(NEW_URL, booking(vehicle_a, advisor=advisor_a.pk))
    appointment = Appointment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == (
        f"{DAY_URL}?dealer={vehicle_a.dealer_id}&date={TODAY + timedelta(days=1):%Y-%m-%d}#appointment-{appointment.pk}"
    )
    assert (appointment.slot_start, appointment.advisor, appointment.created_by) == (at(1, 10), advisor_a, advisor_a)
    assert appointment.reminder_task.status == TaskStatus.OPEN
    follow = web.get(response["Location"])
    assert messages_of(follow) == [f"Appointment booked for 粤A10001 on {at(1, 10):%Y-%m-%d} 10:00."]


def test_booking_a_full_slot_shows_the_field_error_and_saves_nothing(web, advisor_a, dealer_a, vehicle_a):
    dealer_a.service_bays = 1
    dealer_a.save()
    book(VehicleFactory(owner=vehicle_a.owner), advisor_a, slot_start=at(1, 10))
    before = snapshot()
    response = web.post(NEW_URL, booking(vehicle_a))
    message = f"The slot {at(1, 10):%Y-%m-%d} 10:00 is full: all 1 service bays are booked. Choose another time."
    assert errors_of(response) == {"slot_time": [message]}
    assert f"<li>{message}</li>" in response.content.decode()
    assert snapshot() == before


def test_booking_without_a_vehicle_or_with_another_dealers_vehicle_names_the_field(web, vehicle_b):
    before = snapshot()
    response = web.post(NEW_URL, booking(vehicle_b, customer_request=""))
    assert errors_of(response) == {
        "vehicle": ["Choose one of the customer's vehicles."],
        "customer_request": ["This field is required."],
    }
    response = web.post(NEW_URL, {**booking(vehicle_b), "vehicle": ""})
    assert errors_of(response) == {"vehicle": ["Find the customer, then choose one of their vehicles."]}
    assert snapshot() == before


def test_booking_in_the_past_or_outside_hours_is_a_field_error(web, vehicle_a):
    response = web.post(NEW_URL, booking(vehicle_a, slot_date=f"{TODAY - timedelta(days=1):%Y-%m-%d}"))
    assert errors_of(response) == {"slot_time": ["This slot is in the past."]}
    response = web.post(NEW_URL, booking(vehicle_a, slot_time="17:30"))
    assert errors_of(response) == {
        "slot_time": ["Outside business hours (08:30–18:00): the slot must start after opening and end by closing."]
    }
    assert not Appointment.objects.exists()


def test_a_walk_in_received_at_once_goes_to_the_new_repair_order(web, vehicle_a):
    response = web.post(
        NEW_URL,
        booking(vehicle_a, channel="walk_in", slot_date=f"{TODAY:%Y-%m-%d}", slot_time="09:00", arrive_now="on"),
    )
    appointment = Appointment.objects.get()
    order = RepairOrder.objects.get()
    assert (appointment.status, appointment.repair_order, order.arrived_at) == (S.ARRIVED, order, NOW)
    assert response["Location"] == order.get_absolute_url()


def test_only_a_walk_in_is_received_at_once(web, vehicle_a):
    response = web.post(NEW_URL, booking(vehicle_a, arrive_now="on"))
    assert errors_of(response) == {"arrive_now": ["Only a walk-in is booked and received at once."]}
    assert not Appointment.objects.exists()


def test_the_availability_partial_lists_the_free_bays_of_the_vehicles_dealer(web, advisor_a, vehicle_a, dealer_a):
    dealer_a.service_bays = 1
    dealer_a.save()
    book(vehicle_a, advisor_a, slot_start=at(1, 10))
    response = web.get(
        reverse("appointments:availability"), {"vehicle": vehicle_a.pk, "slot_date": f"{TODAY + timedelta(days=1)}"}
    )
    html = response.content.decode()
    assert '<button type="button" data-slot-time="09:30" title="0 used · 1 free">09:30 · 1</button>' in html
    assert '<button type="button" data-slot-time="10:00" class="full" disabled title="1 used · 0 free">' in html


# --- the record and its actions ----------------------------------------------------------------------------------


def test_the_record_shows_the_steps_history_and_actions(web, advisor_a, vehicle_a):
    appointment = book(vehicle_a, advisor_a, slot_start=at(0, 10))
    response = web.get(appointment.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert [entry.who for entry in response.context["history"]] == [advisor_a]
    for name in ("confirm", "arrive", "cancel"):
        assert reverse(f"appointments:appointment_{name}", args=[appointment.pk]) in html
    assert reverse("appointments:appointment_reschedule", args=[appointment.pk]) in html
    assert reverse("appointments:appointment_no_show", args=[appointment.pk]) not in html  # not started yet


def test_arrival_is_offered_from_the_slots_day_on(web, advisor_a, vehicle_a):
    appointment = book(vehicle_a, advisor_a, slot_start=at(1, 10))
    html = web.get(appointment.get_absolute_url()).content.decode()
    assert reverse("appointments:appointment_confirm", args=[appointment.pk]) in html
    assert reverse("appointments:appointment_arrive", args=[appointment.pk]) not in html


def test_confirm_from_the_day_view_returns_to_the_day(web, advisor_a, vehicle_a):
    appointment = book(vehicle_a, advisor_a, slot_start=at(1, 10))
    back = f"{DAY_URL}?date={TODAY + timedelta(days=1)}#appointment-{appointment.pk}"
    response = web.post(
        reverse("appointments:appointment_confirm", args=[appointment.pk]), {"version": 1, "next": back}
    )
    assert (response.status_code, response["Location"]) == (302, back)
    appointment.refresh_from_db()
    assert (appointment.status, appointment.confirmed_by) == (S.CONFIRMED, advisor_a)


def test_an_outside_next_url_is_ignored(web, advisor_a, vehicle_a):
    appointment = book(vehicle_a, advisor_a, slot_start=at(1, 10))
    response = web.post(
        reverse("appointments:appointment_confirm", args=[appointment.pk]),
        {"version": 1, "next": "https://evil.example/"},
    )
    assert response["Location"] == appointment.get_absolute_url()


def test_cancel_without_a_reason_shows_the_field_error_and_changes_nothing(web, advisor_a, vehicle_a):
    appointment = book(vehicle_a, advisor_a, slot_start=at(1, 10))
    before = snapshot()
    response = web.post(reverse("appointments:appointment_cancel", args=[appointment.pk]), {"version": 1})
    assert response.status_code == 200
    assert response.context["cancel_form"].errors == {"reason": ["Give the reason for the cancellation."]}
    assert "<li>Give the reason for the cancellation.</li>" in response.content.decode()
    assert snapshot() == before
    response = web.post(
        reverse("appointments:appointment_cancel", args=[appointment.pk]), {"version": 1, "reason": "客户出差"}
    )
    appointment.refresh_from_db()
    assert (response.status_code, appointment.status, appointment.cancel_reason) == (302, S.CANCELLED, "客户出差")


def test_arrive_opens_the_repair_order_and_goes_to_it(web, advisor_a, vehicle_a):
    appointment = book(vehicle_a, advisor_a, slot_start=at(0, 9, 30))
    response = web.post(
        reverse("appointments:appointment_arrive", args=[appointment.pk]),
        {"version": 1, "arrived_at": f"{TODAY:%Y-%m-%d}T09:12"},
    )
    appointment.refresh_from_db()
    order = appointment.repair_order
    assert response["Location"] == order.get_absolute_url()
    assert appointment.arrived_at == order.arrived_at == at(0, 9, 12)


def test_arrive_in_the_future_is_a_field_error(web, advisor_a, vehicle_a):
    appointment = book(vehicle_a, advisor_a, slot_start=at(0, 9, 30))
    before = snapshot()
    response = web.post(
        reverse("appointments:appointment_arrive", args=[appointment.pk]),
        {"version": 1, "arrived_at": f"{TODAY:%Y-%m-%d}T11:00"},
    )
    assert response.context["arrive_form"].errors == {"arrived_at": ["The arrival time cannot be in the future."]}
    assert snapshot() == before


def test_no_show_after_the_slot_started(web, advisor_a, vehicle_a, clock):
    appointment = book(vehicle_a, advisor_a, slot_start=at(0, 10))
    clock(at(0, 11))
    response = web.post(reverse("appointments:appointment_no_show", args=[appointment.pk]), {"version": 1})
    appointment.refresh_from_db()
    assert (response.status_code, appointment.status) == (302, S.NO_SHOW)


def test_a_refused_action_or_a_stale_version_explains_and_changes_nothing(web, advisor_a, vehicle_a):
    appointment = book(vehicle_a, advisor_a, slot_start=at(1, 10))
    url = reverse("appointments:appointment_no_show", args=[appointment.pk])
    before = snapshot()
    response = web.post(url, {"version": 1})
    assert messages_of(response) == ["A no-show can only be recorded once the slot has started."]
    response = web.post(reverse("appointments:appointment_confirm", args=[appointment.pk]), {"version": 0})
    assert messages_of(response) == [
        "Someone else saved this record after you opened it (your version 0, now 1). "
        "Reload the page to see their changes; nothing of yours was saved."
    ]
    assert snapshot() == before


def test_reschedule_page_moves_the_appointment_or_shows_the_field_error(web, advisor_a, dealer_a, vehicle_a):
    dealer_a.service_bays = 1
    dealer_a.save()
    appointment = book(vehicle_a, advisor_a, slot_start=at(1, 10))
    book(VehicleFactory(owner=vehicle_a.owner), advisor_a, slot_start=at(2, 10))
    url = reverse("appointments:appointment_reschedule", args=[appointment.pk])
    form = web.get(url).context["form"]
    assert (form["slot_time"].value(), form["version"].value()) == ("10:00", 1)
    day_after = f"{TODAY + timedelta(days=2):%Y-%m-%d}"
    before = snapshot()
    data = {"version": 1, "slot_date": day_after, "slot_time": "10:00", "slot_minutes": 60, "reason": "出差"}
    response = web.post(url, data)
    assert list(errors_of(response)) == ["slot_time"]
    assert snapshot() == before
    response = web.post(url, {**data, "slot_time": "11:00"})
    appointment.refresh_from_db()
    assert (response.status_code, appointment.slot_start, appointment.reschedule_count) == (302, at(2, 11), 1)


# --- tenancy and roles ---------------------------------------------------------------------------------------


def test_another_dealers_appointment_is_404_for_every_page(web, vehicle_b):
    appointment = AppointmentFactory(vehicle=vehicle_b)
    before = snapshot()
    assert web.get(appointment.get_absolute_url()).status_code == 404
    assert web.get(reverse("appointments:appointment_reschedule", args=[appointment.pk])).status_code == 404
    for name in ("confirm", "arrive", "no_show", "cancel"):
        response = web.post(
            reverse(f"appointments:appointment_{name}", args=[appointment.pk]), {"version": 1, "reason": "x"}
        )
        assert response.status_code == 404
    assert snapshot() == before


def test_a_region_manager_reads_but_cannot_act(region_manager_ab, vehicle_a):
    appointment = AppointmentFactory(vehicle=vehicle_a)
    client = login(region_manager_ab)
    response = client.get(appointment.get_absolute_url())
    assert response.status_code == 200
    assert reverse("appointments:appointment_confirm", args=[appointment.pk]) not in response.content.decode()
    before = snapshot()
    response = client.post(reverse("appointments:appointment_confirm", args=[appointment.pk]), {"version": 1})
    assert response.status_code == 404
    assert snapshot() == before


def test_a_follow_up_specialist_books_but_is_not_offered_the_arrival(care_a, vehicle_a):
    client = login(care_a)
    response = client.post(NEW_URL, booking(vehicle_a))
    appointment = Appointment.objects.get()
    assert response.status_code == 302
    html = client.get(appointment.get_absolute_url()).content.decode()
    assert reverse("appointments:appointment_confirm", args=[appointment.pk]) in html
    assert reverse("appointments:appointment_arrive", args=[appointment.pk]) not in html
    assert Task.objects.get().assignee is None
