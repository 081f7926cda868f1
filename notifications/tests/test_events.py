"""Each domain event tells exactly the right people once (and nobody at another dealer); the reminder jobs send
once per deadline."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.choices import Role
from complaints import services as complaint_services
from complaints.choices import ContactChannel
from complaints.notices import remind_deadlines
from complaints.tests.factories import open_complaint
from core.schedule import JOBS
from core.tests.factories import UserFactory, staff_user
from core.tests.helpers import sh
from evaluation.notices import remind_due
from evaluation.services import alerts
from evaluation.tests.api_resources import alert
from notifications.choices import Event
from notifications.models import Notification
from repairs.choices import RepairOrderStatus as S
from repairs.tests.factories import advance_order, make_order, staff_for
from repairs.tests.test_workshop import raise_addition

pytestmark = pytest.mark.django_db


def told(event) -> list[tuple]:
    """(recipient, dealer code, page) of every notification of the event."""
    rows = Notification.objects.filter(event=event).select_related("recipient", "dealer").order_by("pk")
    return [(n.recipient.username, n.dealer.code, n.target_url) for n in rows]


# --- the repair order --------------------------------------------------------------------------------------------


def test_an_approved_order_tells_every_foreman_of_its_dealer_and_nobody_else(dealer_a, dealer_b, advisor_a, vehicle_a):
    staff_user(dealer_b, Role.FOREMAN)  # another dealer's foreman
    UserFactory(username="foreman2", roles=[Role.FOREMAN], dealers=[dealer_a])
    UserFactory(username="foreman_gone", roles=[Role.FOREMAN], dealers=[dealer_a], is_active=False)
    staff_for(dealer_a)
    order = make_order(vehicle_a, advisor_a, S.APPROVED)
    page = reverse("repairs:repair_order_detail", args=[order.pk])
    assert sorted(told(Event.ORDER_APPROVED)) == [("foreman2", "A001", page), ("foreman_A001", "A001", page)]
    assert Notification.objects.count() == 2
    with translation.override("en"):
        note = Notification.objects.filter(event=Event.ORDER_APPROVED).first()
        assert note.title == f"{order.number} approved: dispatch the work"
        promised = timezone.localtime(order.promised_at)
        assert note.body == f"粤A10001, approved by the customer; promised {promised:%Y-%m-%d %H:%M}."


def test_an_additional_item_tells_the_orders_advisor_unless_they_raised_it(dealer_a, advisor_a, vehicle_a):
    staff = staff_for(dealer_a)
    order = make_order(vehicle_a, advisor_a, S.DISPATCHED, staff=staff)
    addition = raise_addition(order, staff.technician)
    page = reverse("repairs:repair_order_detail", args=[order.pk])
    assert told(Event.ADDITION_RAISED) == [("advisor_a", "A001", page)]
    with translation.override("en"):
        assert Notification.objects.get(event=Event.ADDITION_RAISED).body == (
            f"{staff.technician} found on 粤A10001: {addition.description}. Ask the customer for a decision."
        )
    raise_addition(order, advisor_a)  # the advisor raised it: nothing to tell them
    assert len(told(Event.ADDITION_RAISED)) == 1


def test_a_passed_qc_tells_the_advisor_once(dealer_a, advisor_a, vehicle_a):
    order = make_order(vehicle_a, advisor_a, S.QC)
    assert told(Event.QC_PASSED) == []
    advance_order(order, advisor_a, S.READY)
    page = reverse("repairs:repair_order_detail", args=[order.pk])
    assert told(Event.QC_PASSED) == [("advisor_a", "A001", page)]
    with translation.override("en"):
        note = Notification.objects.get(event=Event.QC_PASSED)
        assert (note.title, note.body) == (
            f"{order.number} passed QC",
            "粤A10001 is ready for delivery: tell the customer.",
        )


# --- complaints ----------------------------------------------------------------------------------------------------


@pytest.fixture
def manager_a(dealer_a):
    return UserFactory(username="n_manager_a", display_name="周经理", roles=[Role.SERVICE_MANAGER], dealers=[dealer_a])


@pytest.fixture
def care_a(dealer_a):
    return UserFactory(username="n_care_a", roles=[Role.FOLLOWUP_SPECIALIST], dealers=[dealer_a])


def test_a_complaint_tells_its_owner_when_given_to_them(dealer_a, advisor_a, manager_a, care_a, clock):
    clock(sh(2025, 6, 16, 10, 5))
    own = open_complaint(dealer_a, advisor_a)  # taken by the advisor who owns it: nobody to tell
    assert told(Event.COMPLAINT_ASSIGNED) == []
    given = open_complaint(dealer_a, advisor_a, owner=manager_a)
    assert told(Event.COMPLAINT_ASSIGNED) == [
        ("n_manager_a", "A001", reverse("complaints:complaint_detail", args=[given.pk]))
    ]
    with translation.override("en"):
        assert Notification.objects.get(event=Event.COMPLAINT_ASSIGNED).body == (
            "Repair quality, Medium; assigned by advisor_a. First contact due 2025-06-16 12:00."
        )
    complaint_services.complaint_reassign(complaint=own, by=manager_a, version=own.version, owner=care_a)
    assert [r[0] for r in told(Event.COMPLAINT_ASSIGNED)] == ["n_manager_a", "n_care_a"]


def test_a_complaint_deadline_is_reminded_once_within_the_last_working_hour(
    dealer_a, dealer_b, advisor_a, advisor_b, clock
):
    clock(sh(2025, 6, 16, 10, 5))
    complaint = open_complaint(dealer_a, advisor_a)  # first contact due 12:00 (2 working hours)
    open_complaint(dealer_b, advisor_b, received_at=sh(2025, 6, 16, 10, 1))
    clock(sh(2025, 6, 16, 10, 55))
    assert remind_deadlines() == 0  # 1 h 05 left
    clock(sh(2025, 6, 16, 11, 5))
    assert remind_deadlines() == 2
    assert [(r[0], r[1]) for r in told(Event.COMPLAINT_DEADLINE)] == [("advisor_a", "A001"), ("advisor_b", "B001")]
    clock(sh(2025, 6, 16, 11, 20))
    assert remind_deadlines() == 0  # sent once
    with translation.override("en"):
        note = Notification.objects.get(event=Event.COMPLAINT_DEADLINE, dealer=dealer_a)
        assert note.title == f"Complaint {complaint.number}: First contact (A2) due 2025-06-16 12:00"
    complaint_services.complaint_log_contact(complaint=complaint, by=advisor_a, channel=ContactChannel.PHONE,
                                             summary="已致电客户")  # fmt: skip
    clock(sh(2025, 6, 16, 11, 50))
    assert remind_deadlines() == 0  # the clock stopped


def test_working_time_counts_not_the_wall_clock(dealer_a, advisor_a, clock):
    clock(sh(2025, 6, 16, 17, 1))
    open_complaint(dealer_a, advisor_a, received_at=sh(2025, 6, 16, 17, 0))  # due Tuesday 09:30 (1 h + 1 h)
    clock(sh(2025, 6, 16, 17, 50))
    assert remind_deadlines() == 0  # 10 min today + 1 h tomorrow
    clock(sh(2025, 6, 16, 18, 30))  # closed: the hour left is tomorrow's first (08:30–09:30)
    assert remind_deadlines() == 1


# --- improvement actions -------------------------------------------------------------------------------------------


def test_an_action_tells_its_owner_and_opens_what_they_may_open(dealer_a, advisor_a, manager_a):
    plan = {
        "cause_analysis": "接待人手不足",
        "plan": "增加早班接待",
        "due_date": timezone.localdate() + timedelta(days=10),
    }
    mine = alerts.action_create(alert=alert(dealer_a), by=manager_a, owner=manager_a, **plan)
    assert told(Event.ACTION_ASSIGNED) == []
    alerts.action_update(action=mine, by=manager_a, version=mine.version, owner=advisor_a)
    # An advisor may not open improvement actions: their to-do list holds the action's task.
    assert told(Event.ACTION_ASSIGNED) == [("advisor_a", "A001", reverse("todo:task_list"))]
    given = alerts.action_create(alert=alert(dealer_a), by=manager_a, owner=staff_user(dealer_a, Role.SERVICE_MANAGER),
                                 **plan)  # fmt: skip
    assert told(Event.ACTION_ASSIGNED)[1] == (
        f"{Role.SERVICE_MANAGER}_A001",
        "A001",
        reverse("evaluation:action_detail", args=[given.pk]),
    )


def test_an_action_due_within_two_days_is_reminded_once_per_due_date(dealer_a, dealer_b, manager_a, clock):
    clock(sh(2025, 6, 16, 9))
    due = sh(2025, 6, 26).date()
    quality_alert = alert(dealer_a)
    action = alerts.action_create(alert=quality_alert, by=manager_a, owner=manager_a, cause_analysis="人手不足",
                                  plan="增加早班", due_date=due)  # fmt: skip
    clock(sh(2025, 6, 23, 23, 50))
    assert remind_due() == 0  # three days before
    clock(sh(2025, 6, 24, 0, 5))
    assert remind_due() == 1
    assert remind_due() == 0
    with translation.override("en"):
        assert Notification.objects.get(event=Event.ACTION_DUE).title == (
            f"Improvement action on {quality_alert.indicator_code} due 2025-06-26"
        )
    alerts.action_update(action=action, by=manager_a, version=action.version, due_date=sh(2025, 6, 25).date())
    assert remind_due() == 1  # a new due date is reminded again
    clock(sh(2025, 6, 27, 9))
    assert remind_due() == 0  # past: the check and the escalation take over


def test_the_reminders_are_jobs_every_15_minutes():
    jobs = {job.name: job for job in JOBS}
    assert jobs["complaint_deadline_reminders"].task == "complaints.tasks.remind_complaint_deadlines"
    assert jobs["action_due_reminders"].task == "evaluation.tasks.remind_improvement_actions_due"
    assert {jobs["complaint_deadline_reminders"].every, jobs["action_due_reminders"].every} == {timedelta(minutes=15)}
