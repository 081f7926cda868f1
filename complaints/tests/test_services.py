"""Complaint services: intake, SLA deadlines, contacts, resolution rules, reopen, escalation, crisis alerts."""

from datetime import time, timedelta
from functools import partial
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from complaints import kpis as complaint_kpis
from complaints import services
from complaints.choices import Category, Channel, ContactChannel, CrisisLevel, CrisisReason, Severity, Status
from complaints.models import Complaint, ComplaintEvent, ComplaintPolicy, CrisisAlert
from complaints.selectors import complaint_counts_by_staff
from complaints.tests.factories import open_complaint
from core.services import ConflictError
from core.state import TransitionError
from core.tests import helpers
from core.tests.factories import UserFactory, VehicleFactory
from core.tests.helpers import raises_because, sh
from organization.models import CalendarDayKind, DealerCalendarDay
from repairs.tests.factories import make_order
from todo.choices import TaskKind, TaskStatus
from todo.models import Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def weekdays_a(dealer_a):
    dealer_a.working_days = "12345"
    dealer_a.opens_at, dealer_a.closes_at = time(8, 30), time(18, 0)
    dealer_a.save()
    return dealer_a


def contact(complaint, by, at, **kw):
    return services.complaint_log_contact(
        complaint=complaint, by=by, channel=ContactChannel.PHONE, summary="致歉并约定复检", contacted_at=at, **kw
    )


def resolve(complaint, by, **kw):
    complaint.refresh_from_db()
    fields = {
        "root_cause": "刹车片安装未做磨合",
        "corrective_action": "免费复检并更换，技师再培训",
        "customer_agreed": True,
        "agreement_method": "phone",
        **kw,
    }
    return services.complaint_resolve(complaint=complaint, by=by, version=complaint.version, **fields)


# --- intake and deadlines ------------------------------------------------------------------------------------


def test_friday_evening_complaint_gets_deadlines_in_business_hours(weekdays_a, advisor_a):
    complaint = open_complaint(weekdays_a, advisor_a, received_at=sh(2025, 6, 13, 17, 30))  # Friday
    assert complaint.first_contact_due_at == sh(2025, 6, 16, 10, 0)  # 30 min Fri + 1 h 30 Mon
    assert complaint.feedback_due_at == sh(2025, 6, 18, 17, 30)  # 3 working days: Wednesday, same position
    assert complaint.resolution_due_at == sh(2025, 6, 27, 17, 30)  # medium: 10 working days
    assert complaint.number.startswith("CP-A001-202506-")
    assert complaint.received_by == advisor_a and complaint.owner == advisor_a
    task = complaint.contact_task
    assert (task.kind, task.assignee, task.due_at, task.status) == (
        TaskKind.COMPLAINT_CONTACT,
        advisor_a,
        complaint.first_contact_due_at,
        TaskStatus.OPEN,
    )


def test_holiday_and_make_up_day_move_the_deadline(weekdays_a, advisor_a):
    # Monday 16 June closed (national), Saturday 14 June a make-up working day of dealer A only.
    DealerCalendarDay.objects.create(date=sh(2025, 6, 16).date(), kind=CalendarDayKind.CLOSED, note="节")
    DealerCalendarDay.objects.create(dealer=weekdays_a, date=sh(2025, 6, 14).date(), kind=CalendarDayKind.WORKING)
    complaint = open_complaint(weekdays_a, advisor_a, received_at=sh(2025, 6, 13, 17, 30))
    assert complaint.first_contact_due_at == sh(2025, 6, 14, 10, 0)  # the make-up Saturday
    assert complaint.feedback_due_at == sh(2025, 6, 18, 17, 30)  # Sat, Tue, Wed


def test_dealer_policy_overrides_default(weekdays_a, advisor_a):
    ComplaintPolicy.objects.create(first_contact_hours=4, feedback_days=2)
    ComplaintPolicy.objects.create(dealer=weekdays_a, first_contact_hours=1, resolution_days_high=1)
    complaint = open_complaint(weekdays_a, advisor_a, severity=Severity.HIGH)
    assert complaint.first_contact_due_at == sh(2025, 6, 16, 11, 0)
    assert complaint.feedback_due_at == sh(2025, 6, 19, 10, 0)  # the dealer's policy keeps the 3-day default
    assert complaint.resolution_due_at == sh(2025, 6, 17, 10, 0)


def test_intake_links_the_order_its_vehicle_customer_and_fault(dealer_a, advisor_a, vehicle_a):
    order = make_order(vehicle_a, advisor_a)
    order.fault_category = "brakes"
    order.save()
    complaint = open_complaint(dealer_a, advisor_a, repair_order=order)
    assert (complaint.vehicle, complaint.customer, complaint.fault_category) == (vehicle_a, order.customer, "brakes")
    assert complaint.contact_name == order.customer.name
    assert complaint.cluster_key == "repair_quality|fault:brakes"


def test_intake_refuses_another_dealers_records_and_changes_nothing(dealer_a, dealer_b, advisor_a, advisor_b):
    other_vehicle = VehicleFactory(owner__dealer=dealer_b)
    with pytest.raises(ValidationError) as exc:
        open_complaint(dealer_a, advisor_a, vehicle=other_vehicle, staff=advisor_b, owner=advisor_b)
    assert set(exc.value.message_dict) == {"vehicle", "staff", "owner"}
    with raises_because(PermissionDenied, "You cannot change the data of this dealer."):
        open_complaint(dealer_b, advisor_a)
    assert not Complaint.objects.exists() and not Task.objects.exists()


def test_intake_refuses_bad_input(dealer_a, advisor_a, technician_a):
    with pytest.raises(ValidationError) as exc:
        open_complaint(
            dealer_a, advisor_a, channel="fax", category="x", description=" ", received_at=sh(2099, 1, 1, 9, 0)
        )
    assert set(exc.value.message_dict) == {"channel", "category", "description", "received_at"}
    with raises_because(PermissionDenied, "Your role may not register complaints."):
        open_complaint(dealer_a, technician_a)
    assert not Complaint.objects.exists()


def test_follow_up_call_channel_exists_for_the_care_domain(dealer_a, care_a):
    complaint = open_complaint(dealer_a, care_a, channel=Channel.FOLLOW_UP_CALL)
    assert complaint.channel == "follow_up_call" and complaint.contact_task.role == "followup_specialist"


# --- contacts -----------------------------------------------------------------------------------------------


def test_first_contact_stops_a2_clock_and_closes_the_task(dealer_a, advisor_a, manager_a):
    complaint = open_complaint(dealer_a, advisor_a, owner=manager_a)
    assert complaint.contact_task.assignee == manager_a and complaint.contact_task.role == "service_manager"
    first = contact(complaint, manager_a, sh(2025, 6, 16, 11, 0))
    complaint.refresh_from_db()
    assert first.is_first_contact and complaint.first_contact_at == sh(2025, 6, 16, 11, 0)
    assert complaint.status == Status.IN_PROGRESS and complaint.first_contact_on_time
    assert complaint.feedback_at is None
    assert Task.objects.get(pk=complaint.contact_task_id).status == TaskStatus.DONE
    second = contact(complaint, advisor_a, sh(2025, 6, 18, 9, 0), is_feedback=True)
    complaint.refresh_from_db()
    assert not second.is_first_contact and complaint.feedback_at == sh(2025, 6, 18, 9, 0)
    assert complaint.feedback_on_time is True
    assert list(complaint.events.values_list("action", flat=True)) == ["open", "contact", "contact"]


def test_contact_before_the_complaint_or_in_the_future_is_refused(dealer_a, advisor_a):
    complaint = open_complaint(dealer_a, advisor_a)
    for when in (sh(2025, 6, 16, 9, 0), sh(2099, 1, 1, 9, 0)):
        with pytest.raises(ValidationError) as exc:
            contact(complaint, advisor_a, when)
        assert "contacted_at" in exc.value.message_dict
    complaint.refresh_from_db()
    assert complaint.first_contact_at is None and not complaint.contacts.exists()


def test_late_first_contact_is_recorded_as_late(dealer_a, advisor_a):
    complaint = open_complaint(dealer_a, advisor_a)
    contact(complaint, advisor_a, sh(2025, 6, 16, 15, 0))
    complaint.refresh_from_db()
    assert complaint.first_contact_on_time is False


# --- resolution and reopen ----------------------------------------------------------------------------------


def test_resolve_needs_contact_root_cause_action_and_agreement(dealer_a, advisor_a, manager_a):
    complaint = open_complaint(dealer_a, advisor_a)
    with pytest.raises(ValidationError) as exc:
        resolve(complaint, manager_a)
    assert "__all__" in exc.value.message_dict
    contact(complaint, manager_a, sh(2025, 6, 16, 11, 0))
    with pytest.raises(ValidationError) as exc:
        resolve(complaint, manager_a, root_cause=" ", corrective_action="", agreement_method="")
    assert set(exc.value.message_dict) == {"root_cause", "corrective_action", "agreement_method"}
    with pytest.raises(ValidationError) as exc:
        resolve(complaint, manager_a, customer_agreed=False, agreement_note="")
    assert set(exc.value.message_dict) == {"agreement_note"}
    with raises_because(PermissionDenied, "Only a service manager resolves complaints."):
        resolve(complaint, advisor_a)
    complaint.refresh_from_db()
    assert complaint.status == Status.IN_PROGRESS and complaint.resolved_at is None


def test_resolve_records_b5_and_counts_as_feedback(dealer_a, advisor_a, manager_a):
    complaint = open_complaint(dealer_a, advisor_a)
    contact(complaint, manager_a, sh(2025, 6, 16, 11, 0))
    complaint = resolve(complaint, manager_a, resolved_at=sh(2025, 6, 17, 9, 0))
    assert complaint.status == Status.RESOLVED and complaint.customer_agreed is True
    assert complaint.feedback_at == sh(2025, 6, 17, 9, 0) and complaint.resolved_by == manager_a
    with raises_because(ValidationError, "This complaint is already resolved."):
        resolve(complaint, manager_a)
    kpis = complaint_kpis.handling([dealer_a.pk], sh(2025, 6, 1), sh(2025, 7, 1), as_of=sh(2025, 7, 1))
    assert [(kpis[code][dealer_a.pk].numerator, kpis[code][dealer_a.pk].n) for code in ("A2", "D6", "B5")] == [
        (1, 1), (1, 1), (1, 1)
    ]  # fmt: skip
    assert kpis["B5"][dealer_a.pk].value == 100.0


def test_stale_version_is_a_conflict(dealer_a, advisor_a, manager_a):
    complaint = open_complaint(dealer_a, advisor_a)
    contact(complaint, manager_a, sh(2025, 6, 16, 11, 0))
    with pytest.raises(ConflictError):
        services.complaint_resolve(
            complaint=complaint, by=manager_a, version=1, root_cause="a", corrective_action="b",
            customer_agreed=True, agreement_method="phone",
        )  # fmt: skip


def test_reopen_keeps_a2_d6_clears_resolution_and_restarts_its_clock(dealer_a, advisor_a, manager_a):
    complaint = open_complaint(dealer_a, advisor_a)
    contact(complaint, manager_a, sh(2025, 6, 16, 11, 0))
    complaint = resolve(complaint, manager_a, resolved_at=sh(2025, 6, 17, 9, 0))
    before = (
        complaint.first_contact_due_at,
        complaint.first_contact_at,
        complaint.feedback_due_at,
        complaint.feedback_at,
    )
    with raises_because(ValidationError, "Say why the complaint is reopened."):
        services.complaint_reopen(complaint=complaint, by=manager_a, version=complaint.version, reason=" ")
    complaint = services.complaint_reopen(complaint=complaint, by=manager_a, version=complaint.version, reason="复发")
    assert complaint.status == Status.IN_PROGRESS and complaint.reopen_count == 1
    assert (complaint.resolved_at, complaint.customer_agreed) == (None, None)
    assert complaint.root_cause  # kept as the starting point of the new analysis
    assert before == (
        complaint.first_contact_due_at, complaint.first_contact_at, complaint.feedback_due_at, complaint.feedback_at
    )  # fmt: skip
    assert complaint.resolution_due_at > complaint.sla_started_at > sh(2025, 6, 17, 9, 0)
    assert complaint.contact_task.status == TaskStatus.OPEN
    kpis = complaint_kpis.handling([dealer_a.pk], sh(2025, 6, 1), sh(2025, 7, 1), as_of=sh(2099, 1, 1))
    assert kpis["B5"][dealer_a.pk].numerator == 0


def test_a_move_from_a_wrong_status_is_refused_and_changes_nothing_and_each_move_is_an_event(
    dealer_a, advisor_a, manager_a, care_a
):
    complaint = open_complaint(dealer_a, advisor_a)

    def state():
        return helpers.snapshot(Complaint, ComplaintEvent, Task)

    def refusal(call, **kwargs):
        with translation.override("en"):
            error = helpers.assert_refused(
                TransitionError,
                partial(call, complaint=complaint, by=manager_a, version=complaint.version, **kwargs),
                state=state,
            )
        return error.messages

    assert refusal(services.complaint_reopen, reason="复发") == ["Only a resolved complaint can be reopened."]
    contact(complaint, manager_a, sh(2025, 6, 16, 11, 0))
    contact(complaint, manager_a, sh(2025, 6, 16, 15, 0))
    complaint = resolve(complaint, manager_a, resolved_at=sh(2025, 6, 17, 9, 0))
    assert refusal(services.complaint_resolve, root_cause="a", corrective_action="b", customer_agreed=True,
                   agreement_method="phone") == ["This complaint is already resolved."]  # fmt: skip
    assert refusal(services.complaint_reassign, owner=care_a) == [
        "A resolved complaint is not reassigned; reopen it first."
    ]
    services.complaint_reopen(complaint=complaint, by=manager_a, version=complaint.version, reason="复发")
    assert list(complaint.events.order_by("at", "id").values_list("action", "from_status", "to_status")) == [
        ("open", "", Status.OPEN),
        ("contact", Status.OPEN, Status.IN_PROGRESS),
        ("contact", Status.IN_PROGRESS, Status.IN_PROGRESS),
        ("resolve", Status.IN_PROGRESS, Status.RESOLVED),
        ("reopen", Status.RESOLVED, Status.IN_PROGRESS),
    ]


def test_severity_change_recomputes_the_resolution_deadline(dealer_a, advisor_a, manager_a):
    complaint = open_complaint(dealer_a, advisor_a)
    assert complaint.resolution_due_at == sh(2025, 6, 26, 10, 0)  # 10 days, every day open
    complaint = services.complaint_update(
        complaint=complaint, by=manager_a, version=complaint.version, severity=Severity.HIGH
    )
    assert complaint.resolution_due_at == sh(2025, 6, 21, 10, 0)
    assert complaint.events.filter(action="update").exists()


def test_reassign_moves_the_contact_task(dealer_a, advisor_a, manager_a, care_a):
    complaint = open_complaint(dealer_a, advisor_a)
    complaint = services.complaint_reassign(complaint=complaint, by=manager_a, version=complaint.version, owner=care_a)
    task = Task.objects.get(pk=complaint.contact_task_id)
    assert (complaint.owner, task.assignee, task.role) == (care_a, care_a, "followup_specialist")
    with raises_because(PermissionDenied, "Only a service manager reassigns complaints."):
        services.complaint_reassign(complaint=complaint, by=advisor_a, version=complaint.version, owner=manager_a)


# --- escalation ---------------------------------------------------------------------------------------------


def test_escalation_is_idempotent_and_goes_to_manager_then_region(weekdays_a, advisor_a, manager_a):
    complaint = open_complaint(weekdays_a, advisor_a, received_at=sh(2025, 6, 16, 10, 0))
    on_time = open_complaint(weekdays_a, advisor_a, received_at=sh(2025, 6, 16, 10, 0))
    contact(on_time, advisor_a, sh(2025, 6, 16, 11, 0), is_feedback=True)
    assert services.escalate_overdue(now=sh(2025, 6, 16, 11, 59)).to_manager == []
    first = services.escalate_overdue(now=sh(2025, 6, 16, 12, 1))
    again = services.escalate_overdue(now=sh(2025, 6, 16, 12, 1))
    assert (first.to_manager, first.to_region, again.to_manager, again.to_region) == ([complaint.number], [], [], [])
    complaint.refresh_from_db()
    assert complaint.escalation_level == 1 and complaint.escalated_at == sh(2025, 6, 16, 12, 1)
    assert complaint.region_escalation_due_at == sh(2025, 6, 18, 12, 1)  # 2 working days
    tasks = Task.objects.filter(kind=TaskKind.COMPLAINT_ESCALATION)
    assert [(t.role, t.assignee_id, t.dealer_id) for t in tasks] == [("service_manager", None, weekdays_a.pk)]
    assert services.escalate_overdue(now=sh(2025, 6, 18, 12, 0)).to_region == []
    assert services.escalate_overdue(now=sh(2025, 6, 18, 12, 2)).to_region == [complaint.number]
    assert services.escalate_overdue(now=sh(2025, 6, 18, 12, 3)).to_region == []
    complaint.refresh_from_db()
    assert complaint.escalation_level == 2 and Task.objects.filter(kind=TaskKind.COMPLAINT_ESCALATION).count() == 1
    assert list(complaint.events.filter(action="escalate").values_list("escalation_level", flat=True)) == [1, 2]


def test_resolution_closes_the_escalation_task_and_resolved_complaints_are_not_escalated(
    dealer_a, advisor_a, manager_a
):
    complaint = open_complaint(dealer_a, advisor_a)
    services.escalate_overdue(now=sh(2025, 6, 16, 13, 0))
    contact(complaint, manager_a, sh(2025, 6, 16, 14, 0))
    complaint = resolve(complaint, manager_a, resolved_at=sh(2025, 6, 16, 15, 0))
    assert Task.objects.get(pk=complaint.escalation_task_id).status == TaskStatus.DONE
    assert services.escalate_overdue(now=sh(2025, 8, 1, 9, 0)).to_region == []


def test_escalate_command(dealer_a, advisor_a):
    complaint = open_complaint(dealer_a, advisor_a)
    out = StringIO()
    call_command("escalate_complaints", "--at", "2025-06-16T13:00+08:00", stdout=out)
    assert complaint.number in out.getvalue()
    with pytest.raises(CommandError) as exc:
        call_command("escalate_complaints", "--at", "yesterday")
    assert exc.value.returncode == 2
    with pytest.raises(CommandError, match="--at must not be in the future"):
        call_command("escalate_complaints", "--at", "2099-01-01T00:00+08:00")


def test_escalation_task_wrapper_runs(dealer_a, advisor_a):
    from complaints.tasks import escalate_overdue_complaints

    complaint = open_complaint(dealer_a, advisor_a)
    result = escalate_overdue_complaints.enqueue()
    assert complaint.number in result.return_value["to_manager"]


# --- crisis alerts ------------------------------------------------------------------------------------------


def test_critical_complaint_raises_a_severe_alert(dealer_a, advisor_a, manager_a):
    complaint = open_complaint(dealer_a, advisor_a, severity=Severity.CRITICAL)
    alert = CrisisAlert.objects.get()
    assert (alert.level, alert.reason, list(alert.complaints.all())) == (
        CrisisLevel.SEVERE, CrisisReason.CRITICAL, [complaint]
    )  # fmt: skip
    with raises_because(PermissionDenied, "Only a service manager acknowledges crisis alerts."):
        services.crisis_alert_acknowledge(alert=alert, by=advisor_a, note="x")
    with raises_because(ValidationError, "Say what is being done about it."):
        services.crisis_alert_acknowledge(alert=alert, by=manager_a, note=" ")
    alert = services.crisis_alert_acknowledge(alert=alert, by=manager_a, note="已致电客户，店总介入")
    assert alert.acknowledged_by == manager_a and alert.acknowledged_at is not None


def test_three_complaints_on_the_same_fault_within_a_week_raise_one_alert(dealer_a, advisor_a, manager_a):
    fault = {"category": Category.REPAIR_QUALITY, "fault_category": "brakes"}
    open_complaint(dealer_a, advisor_a, received_at=sh(2025, 6, 1, 10, 0), **fault)  # outside the window
    open_complaint(dealer_a, advisor_a, received_at=sh(2025, 6, 10, 10, 0), **fault)
    open_complaint(dealer_a, advisor_a, received_at=sh(2025, 6, 12, 10, 0), category=Category.PRICE)
    assert not CrisisAlert.objects.exists()
    second = open_complaint(dealer_a, advisor_a, received_at=sh(2025, 6, 14, 10, 0), **fault)
    assert not CrisisAlert.objects.exists()
    third = open_complaint(dealer_a, advisor_a, received_at=sh(2025, 6, 16, 10, 0), **fault)
    alert = CrisisAlert.objects.get()
    assert alert.reason == CrisisReason.CLUSTER and alert.level == CrisisLevel.WARNING
    assert set(alert.complaints.values_list("number", flat=True)) == {
        c.number for c in Complaint.objects.filter(received_at__gte=sh(2025, 6, 10), fault_category="brakes")
    }
    assert second in alert.complaints.all() and third in alert.complaints.all()
    fourth = open_complaint(dealer_a, advisor_a, received_at=sh(2025, 6, 16, 11, 0), **fault)
    assert CrisisAlert.objects.count() == 1 and fourth in alert.complaints.all()
    services.crisis_alert_acknowledge(alert=alert, by=manager_a, note="技术经理复查所有刹车工单")
    open_complaint(dealer_a, advisor_a, received_at=sh(2025, 6, 16, 12, 0), **fault)
    assert CrisisAlert.objects.count() == 1  # only one new complaint since the acknowledgement


# --- selectors for other domains ----------------------------------------------------------------------------


def test_complaint_counts_by_staff_uses_named_staff_else_the_ro_advisor(dealer_a, dealer_b, advisor_a, vehicle_a):
    other = UserFactory(roles=["service_advisor"], dealers=[dealer_a])
    order = make_order(vehicle_a, advisor_a)
    open_complaint(dealer_a, advisor_a, repair_order=order)
    open_complaint(dealer_a, advisor_a, repair_order=order, staff=other)
    open_complaint(dealer_a, advisor_a, staff=other, received_at=sh(2025, 6, 20, 10, 0))
    open_complaint(dealer_a, advisor_a)  # not attributed
    open_complaint(dealer_a, advisor_a, staff=other, received_at=sh(2025, 7, 2, 10, 0))  # outside the period
    counts = complaint_counts_by_staff([dealer_a.pk], sh(2025, 6, 1), sh(2025, 7, 1))
    assert counts == {advisor_a.pk: 1, other.pk: 2}
    assert complaint_counts_by_staff([dealer_b.pk], sh(2025, 6, 1), sh(2025, 7, 1)) == {}


def test_deadlines_are_not_in_the_past_of_received(dealer_a, advisor_a):
    complaint = open_complaint(dealer_a, advisor_a)
    assert complaint.received_at < complaint.first_contact_due_at <= complaint.feedback_due_at
    assert complaint.feedback_due_at - complaint.received_at == timedelta(days=3)  # every day open
