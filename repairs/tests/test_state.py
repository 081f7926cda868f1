"""Tests of the repair-order state machine: every action from every status, guards, permissions, locking."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from accounts.choices import Role
from core.services import ConflictError
from core.tests.factories import UserFactory
from repairs import services
from repairs.choices import ApprovalMethod, FuelLevel, PaymentMethod, PricingMode, WorkStatus
from repairs.choices import RepairOrderStatus as S
from repairs.models import QcInspection, RepairOrder
from repairs.services import TransitionError
from repairs.state import REPAIR_STATES, button_actions, workshop_lines
from repairs.tests.factories import (
    all_ok,
    checkin_fields,
    fill_estimate,
    make_order,
    order_snapshot,
    redo_first_job,
    refused,
    staff_for,
)

pytestmark = pytest.mark.django_db

ADVISE, DISPATCH, WORK, INSPECT = "advise", "dispatch", "work", "inspect"

# The state machine of design.md, written out by hand: action -> (from, to, time stamped, permission).
EXPECTED = {
    "check_in": ({S.OPEN}, S.CHECKED_IN, "checked_in_at", ADVISE),
    "give_estimate": ({S.CHECKED_IN}, S.ESTIMATED, "estimated_at", ADVISE),
    "revise_estimate": ({S.ESTIMATED}, S.CHECKED_IN, None, ADVISE),
    "approve": ({S.ESTIMATED}, S.APPROVED, "approved_at", ADVISE),
    "dispatch": ({S.APPROVED}, S.DISPATCHED, "dispatched_at", DISPATCH),
    "start_repair": ({S.DISPATCHED}, S.IN_REPAIR, "repair_started_at", WORK),
    "request_qc": ({S.IN_REPAIR}, S.QC, "qc_requested_at", WORK),
    "qc_pass": ({S.QC}, S.READY, "ready_at", INSPECT),
    "qc_fail": ({S.QC}, S.IN_REPAIR, None, INSPECT),
    # The car goes back to the workshop after QC (e.g. the customer finds the noise at handover).
    "reopen_repair": ({S.READY}, S.IN_REPAIR, None, ADVISE),
    "deliver": ({S.READY}, S.DELIVERED, "delivered_at", ADVISE),
    "close": ({S.DELIVERED}, S.CLOSED, "closed_at", ADVISE),
    # Before the repair starts only.
    "cancel": ({S.OPEN, S.CHECKED_IN, S.ESTIMATED, S.APPROVED, S.DISPATCHED}, S.CANCELLED, "cancelled_at", ADVISE),
}
NOTES_REQUIRED = {"revise_estimate", "qc_fail", "reopen_repair", "cancel"}
# Moves with a guard (something must be filled in or done first).
GUARDED = {"check_in", "give_estimate", "approve", "dispatch", "request_qc", "qc_pass", "qc_fail", "deliver"}
# Moves done through their own form and service, never offered as a bare button.
VIA_FORM = {"approve": "repair_order_record_approval", "qc_pass": "repair_order_qc_record",
            "qc_fail": "repair_order_qc_record", "deliver": "repair_order_deliver"}  # fmt: skip

# Which repairs permissions each role holds (accounts/roles.py), written out by hand.
ROLE_PERMISSIONS = {
    Role.SERVICE_ADVISOR: {ADVISE},
    Role.TECHNICIAN: {WORK},
    Role.FOREMAN: {DISPATCH, WORK},
    Role.QC_INSPECTOR: {INSPECT},
    Role.PARTS_CLERK: set(),
    Role.CASHIER: set(),  # takes payments (cashiering), moves no repair order
    Role.FOLLOWUP_SPECIALIST: set(),
    Role.SERVICE_MANAGER: {ADVISE, DISPATCH, WORK, INSPECT},
    Role.REGION_MANAGER: set(),
    Role.ADMINISTRATOR: {ADVISE, DISPATCH, WORK, INSPECT},
}
DOER = {ADVISE: Role.SERVICE_ADVISOR, DISPATCH: Role.FOREMAN, WORK: Role.TECHNICIAN, INSPECT: Role.QC_INSPECTOR}

ALL_PAIRS = [(status, action) for status in S.values for action in EXPECTED]
LEGAL_PAIRS = [(status, action) for status, action in ALL_PAIRS if status in EXPECTED[action][0]]
ILLEGAL_PAIRS = [pair for pair in ALL_PAIRS if pair not in LEGAL_PAIRS]


@pytest.fixture(autouse=True)
def english():
    """Compare messages with the English source text (the UI language, zh-hans, is translated)."""
    with translation.override("en"):
        yield


@pytest.fixture
def staff(dealer_a):
    return staff_for(dealer_a)


def user_of(role: str, dealer_a, advisor_a, staff):
    """The user of dealer A who holds ``role`` (region manager: reads dealer A's region)."""
    known = {
        Role.SERVICE_ADVISOR: advisor_a,
        Role.TECHNICIAN: staff.technician,
        Role.FOREMAN: staff.foreman,
        Role.QC_INSPECTOR: staff.qc_inspector,
        Role.SERVICE_MANAGER: staff.service_manager,
    }
    if role in known:
        return known[role]
    if role == Role.REGION_MANAGER:
        return UserFactory(username="region_a", roles=[role], regions=[dealer_a.region])
    return UserFactory(username=f"{role}_a", roles=[role], dealers=[dealer_a])


def prepare(order: RepairOrder, action: str, advisor) -> RepairOrder:
    """Satisfy the guard of ``action`` on an order at its source status (check-in data, lines, technicians)."""
    if action == "check_in" and order.status == S.OPEN:
        return services.repair_order_update_checkin(
            order=order, by=advisor, version=order.version, **checkin_fields(order)
        )
    if action == "give_estimate" and order.status == S.CHECKED_IN:
        return fill_estimate(order, advisor)
    if action == "dispatch" and order.status == S.APPROVED:
        foreman = staff_for(order.dealer).foreman
        for job in workshop_lines(order):
            services.repair_order_assign(line=job, technician=staff_for(order.dealer).technician, by=foreman)
    return order


def perform(order: RepairOrder, action: str, by, note: str = "") -> RepairOrder:
    """Do ``action`` the way the page does it: the moves with a form through their service, the rest bare."""
    if action == "approve":
        return services.repair_order_record_approval(
            order=order, by=by, version=order.version, approval_method=ApprovalMethod.PHONE,
            approved_by_customer="张三",
        )  # fmt: skip
    if action in ("qc_pass", "qc_fail"):
        failed = {"fault_fixed": False} if action == "qc_fail" else {}
        services.repair_order_qc_record(
            order=order, by=by, version=order.version, results=all_ok(order, **failed),
            failed_lines=redo_first_job(order, note or "复检不合格") if failed else (),
        )  # fmt: skip
        return RepairOrder.objects.get(pk=order.pk)
    if action == "deliver":
        services.repair_order_deliver(
            order=order, by=by, version=order.version, payment_method=PaymentMethod.WECHAT_PAY, work_explained=True
        )
        return RepairOrder.objects.get(pk=order.pk)
    return services.repair_order_transition(order=order, action=action, by=by, version=order.version, note=note)


def changed_fields(before: dict, after: dict) -> set[str]:
    return {name for name, value in after.items() if before[name] != value}


# --- the table itself -----------------------------------------------------------------------------


def test_the_table_has_exactly_the_actions_of_the_design():
    assert set(REPAIR_STATES.transitions) == set(EXPECTED)
    for action, (sources, target, stamp, permission) in EXPECTED.items():
        transition = REPAIR_STATES[action]
        assert (set(transition.sources), transition.target, transition.stamp) == (sources, target, stamp)
        assert transition.permission == f"repairs.{permission}_repairorder"
        assert transition.note_required == (action in NOTES_REQUIRED)
        assert bool(transition.guards) == (action in GUARDED)
        assert transition.via_form == (action in VIA_FORM)


def test_every_status_is_reached_by_make_order(vehicle_a, advisor_a):
    for status in S.values:
        order = make_order(vehicle_a, advisor_a, status)
        assert RepairOrder.objects.get(pk=order.pk).status == status
        if status not in (S.DELIVERED, S.CLOSED, S.CANCELLED):
            # One open order per vehicle: cancel it to make room for the next.
            RepairOrder.objects.filter(pk=order.pk).update(status=S.CANCELLED)


# --- every action from every status ---------------------------------------------------------------


@pytest.mark.parametrize(("status", "action"), LEGAL_PAIRS)
def test_legal_transition_stamps_records_event_and_history(status, action, vehicle_a, advisor_a, staff, dealer_a):
    _sources, target, stamp, permission = EXPECTED[action]
    by = user_of(DOER[permission], dealer_a, advisor_a, staff)
    note = "客户要求" if action in NOTES_REQUIRED else ""
    order = prepare(make_order(vehicle_a, advisor_a, status, staff=staff), action, advisor_a)
    before = order_snapshot(order)
    started = timezone.now()

    result = perform(order, action, by, note)
    # A failed QC's note names the job sent back for rework, then its reason (the inspection's what-failed text).
    expected_note = f"{workshop_lines(order).first().description}: {note}" if action == "qc_fail" else note

    after = order_snapshot(order)
    row = after["order"]
    assert result.status == row["status"] == target
    # Exactly one event, with who, from, to and the note.
    assert len(after["events"]) == len(before["events"]) + 1
    event = after["events"][-1]
    assert {k: event[k] for k in ("action", "from_status", "to_status", "by_id", "note")} == {
        "action": action,
        "from_status": status,
        "to_status": target,
        "by_id": by.pk,
        "note": expected_note,
    }
    assert started <= event["at"] <= timezone.now()
    expected_changes = {"status", "version"}
    if stamp:
        assert row[stamp] == event["at"]
        expected_changes.add(stamp)
    if action == "cancel":
        assert row["cancel_reason"] == note
        expected_changes.add("cancel_reason")
    if action == "approve":
        expected_changes |= {"approval_method", "approved_by_customer", "approval_recorded_by_id", "approved_total"}
    assert changed_fields(before["order"], row) == expected_changes
    # One history row per save: the approval is recorded, then the move (both by the same user).
    saves = 2 if action == "approve" else 1
    assert row["version"] == before["order"]["version"] + saves
    assert after["history"][0] == before["history"][0] + saves
    last = RepairOrder.history.filter(id=order.pk).order_by("-history_id").first()
    assert last.history_change_reason == (f"{action}: {expected_note}" if note else action)
    assert last.history_user_id == by.pk
    assert last.status == target
    # What the move writes besides the order: the vehicle's mileage at check-in, the jobs reopened by a
    # failed QC, the inspection of a QC, the settlement and first follow-up task of a delivery; nothing else.
    if action == "qc_fail":
        assert [(line["work_status"], line["finished_at"]) for line in after["lines"] if line["kind"] == "labour"] == [
            (WorkStatus.WAITING, None)
        ]
    else:
        assert after["lines"] == before["lines"]
    if action == "check_in":
        assert changed_fields(before["vehicle"], after["vehicle"]) == {
            "mileage_km", "mileage_recorded_at", "version", "updated_at"
        }  # fmt: skip
        assert after["vehicle"]["mileage_km"] == row["odometer_km"]
    else:
        assert after["vehicle"] == before["vehicle"]
    new_inspections = [(i["sequence"], i["passed"], i["inspector_id"]) for i in after["inspections"]]
    new_inspections = new_inspections[len(before["inspections"]) :]
    assert after["inspections"][: len(before["inspections"])] == before["inspections"]
    assert new_inspections == {"qc_pass": [(1, True, by.pk)], "qc_fail": [(1, False, by.pk)]}.get(action, [])
    delivered = 1 if action == "deliver" else 0
    assert (len(after["settlement"]), len(after["tasks"])) == (
        len(before["settlement"]) + delivered,
        len(before["tasks"]) + delivered,  # the first follow-up call (the second follows the first call)
    )
    assert after["tasks"][: len(before["tasks"])] == before["tasks"]
    assert (after["clocks"], after["additions"]) == (before["clocks"], before["additions"])


@pytest.mark.parametrize(("status", "action"), ILLEGAL_PAIRS)
def test_illegal_transition_is_refused_and_changes_nothing(status, action, vehicle_a, advisor_a, staff):
    order = prepare(make_order(vehicle_a, advisor_a, status, staff=staff), action, advisor_a)
    # The service manager holds every permission: the status alone is the reason.
    error = refused(TransitionError, lambda: perform(order, action, staff.service_manager, "备注"), order)
    assert list(error.message_dict) == ["action"]


def test_illegal_transition_message_names_action_and_status(vehicle_a, advisor_a, staff):
    order = make_order(vehicle_a, advisor_a, S.IN_REPAIR, staff=staff)
    error = refused(
        TransitionError,
        lambda: services.repair_order_transition(
            order=order, action="cancel", by=advisor_a, version=order.version, note="客户不修了"
        ),
        order,
    )
    assert error.message_dict == {"action": ["“Cancel” is not possible while the order is “In repair”."]}


def test_unknown_action_is_refused(vehicle_a, advisor_a):
    order = make_order(vehicle_a, advisor_a, S.OPEN)
    error = refused(
        TransitionError,
        lambda: services.repair_order_transition(order=order, action="teleport", by=advisor_a, version=order.version),
        order,
    )
    assert error.message_dict == {"action": ["Unknown action “teleport”."]}


def test_a_note_on_any_move_is_kept_on_the_event(vehicle_a, advisor_a, staff):
    order = make_order(vehicle_a, advisor_a, S.DELIVERED, staff=staff)
    order = services.repair_order_transition(
        order=order, action="close", by=advisor_a, version=order.version, note="  旧件已交客户  "
    )
    event = order.events.last()
    assert (event.action, event.note) == ("close", "旧件已交客户")
    assert order.history.order_by("-history_id").first().history_change_reason == "close: 旧件已交客户"


def test_qc_fail_and_second_inspection(vehicle_a, advisor_a, staff):
    order = make_order(vehicle_a, advisor_a, S.QC, staff=staff)
    first_request = order.qc_requested_at
    services.repair_order_qc_record(
        order=order, by=staff.qc_inspector, version=order.version, results=all_ok(order, fault_fixed=False),
        failed_lines=redo_first_job(order, "异响仍在"),
    )  # fmt: skip
    order = RepairOrder.objects.get(pk=order.pk)
    assert (order.status, order.qc_requested_at, order.ready_at) == (S.IN_REPAIR, first_request, None)
    # The job is done again, then QC is requested and passed.
    job = workshop_lines(order).get()
    services.labour_clock_on(line=job, by=staff.technician)
    services.labour_clock_off(line=job, by=staff.technician, finished=True)
    order = services.repair_order_transition(
        order=order, action="request_qc", by=staff.technician, version=order.version
    )
    services.repair_order_qc_record(order=order, by=staff.qc_inspector, version=order.version, results=all_ok(order))
    order = RepairOrder.objects.get(pk=order.pk)
    assert order.status == S.READY
    # D3 (QC first pass) reads the events (one failure, then a pass) or the inspections by sequence.
    assert list(order.events.filter(action__startswith="qc_").values_list("action", "note")) == [
        ("qc_fail", f"{job.description}: 异响仍在"),  # the job sent back, then why
        ("qc_pass", ""),
    ]
    assert list(order.inspections.values_list("sequence", "passed")) == [(1, False), (2, True)]
    assert order.qc_requested_at > first_request


# --- guards ---------------------------------------------------------------------------------------


def open_with_checkin(vehicle, advisor, **overrides) -> RepairOrder:
    order = make_order(vehicle, advisor, S.OPEN)
    return services.repair_order_update_checkin(
        order=order, by=advisor, version=order.version, **checkin_fields(order, **overrides)
    )


def check_in(order, by, note: str = "") -> RepairOrder:
    return services.repair_order_transition(order=order, action="check_in", by=by, version=order.version, note=note)


def test_check_in_needs_the_odometer(vehicle_a, advisor_a):
    order = open_with_checkin(vehicle_a, advisor_a, odometer_km=None)
    error = refused(TransitionError, lambda: check_in(order, advisor_a), order)
    assert error.message_dict == {
        "action": [
            "Record the odometer reading.",
            "The check-in is incomplete (odometer): complete it or give the reason in the note.",
        ]
    }
    # A note excuses an incomplete check-in, not a missing odometer.
    error = refused(TransitionError, lambda: check_in(order, advisor_a, "仪表不亮"), order)
    assert error.message_dict == {"action": ["Record the odometer reading."]}


def test_check_in_needs_a_promised_time(vehicle_a, advisor_a):
    order = open_with_checkin(vehicle_a, advisor_a, promised_at=None)
    error = refused(TransitionError, lambda: check_in(order, advisor_a, "备注"), order)
    assert error.message_dict == {"action": ["Agree a promised delivery time with the customer."]}


@pytest.mark.parametrize(
    ("overrides", "gaps"),
    [
        ({"walkaround_done": False}, "walk-around"),
        ({"fuel_level": None}, "fuel level"),
        ({"belongings_signed_by": ""}, "belongings list signed"),
        (
            {"walkaround_done": False, "fuel_level": None, "belongings_signed_by": ""},
            "walk-around, fuel level, belongings list signed",
        ),
    ],
)
def test_incomplete_check_in_needs_a_reason_and_keeps_it(overrides, gaps, vehicle_a, advisor_a):
    order = open_with_checkin(vehicle_a, advisor_a, **overrides)
    error = refused(TransitionError, lambda: check_in(order, advisor_a, "   "), order)
    assert error.message_dict == {
        "action": [f"The check-in is incomplete ({gaps}): complete it or give the reason in the note."]
    }

    order = check_in(order, advisor_a, " 客户赶时间，未绕车 ")

    assert order.status == S.CHECKED_IN
    stored = RepairOrder.objects.get(pk=order.pk)
    assert stored.checkin_exception == "客户赶时间，未绕车"
    assert order.events.get().note == "客户赶时间，未绕车"


def test_complete_check_in_leaves_no_exception_even_with_a_note(vehicle_a, advisor_a):
    order = open_with_checkin(vehicle_a, advisor_a)
    order = check_in(order, advisor_a, "客户在休息区等候")
    stored = RepairOrder.objects.get(pk=order.pk)
    assert (stored.status, stored.checkin_exception) == (S.CHECKED_IN, "")
    assert order.events.get().note == "客户在休息区等候"


def test_edit_after_check_in_cannot_undo_what_check_in_required(vehicle_a, advisor_a):
    order = make_order(vehicle_a, advisor_a, S.CHECKED_IN)
    for field in ({"promised_at": None}, {"odometer_km": None}, {"walkaround_done": False}):
        error = refused(
            ValidationError,
            lambda field=field: services.repair_order_update_checkin(
                order=RepairOrder.objects.get(pk=order.pk), by=advisor_a, version=order.version, **field
            ),
            order,
        )
        assert error.messages
    # A later promised time is a normal change.
    later = order.promised_at + timedelta(hours=2)
    order = services.repair_order_update_checkin(order=order, by=advisor_a, version=order.version, promised_at=later)
    assert RepairOrder.objects.get(pk=order.pk).promised_at == later


def test_edit_after_an_excused_check_in_may_keep_the_gap(vehicle_a, advisor_a):
    order = check_in(open_with_checkin(vehicle_a, advisor_a, walkaround_done=False), advisor_a, "客户赶时间")
    order = services.repair_order_update_checkin(order=order, by=advisor_a, version=order.version, key_tag="K-9")
    stored = RepairOrder.objects.get(pk=order.pk)
    assert (stored.key_tag, stored.walkaround_done, stored.checkin_exception) == ("K-9", False, "客户赶时间")


def test_give_estimate_needs_lines_and_diagnosis(vehicle_a, advisor_a):
    order = check_in(open_with_checkin(vehicle_a, advisor_a), advisor_a)
    error = refused(
        TransitionError,
        lambda: services.repair_order_transition(
            order=order, action="give_estimate", by=advisor_a, version=order.version
        ),
        order,
    )
    assert error.message_dict == {
        "action": ["Add at least one labour or part line to the estimate.", "Record the diagnosis (fault findings)."]
    }


def test_give_estimate_needs_a_non_blank_diagnosis(vehicle_a, advisor_a):
    order = make_order(vehicle_a, advisor_a, S.CHECKED_IN)
    services.repair_order_add_line(order=order, by=advisor_a, kind="labour", description="检查", quantity=1)
    order = services.repair_order_update_estimate(order=order, by=advisor_a, version=order.version, diagnosis="  ")
    error = refused(
        TransitionError,
        lambda: services.repair_order_transition(
            order=order, action="give_estimate", by=advisor_a, version=order.version
        ),
        order,
    )
    assert error.message_dict == {"action": ["Record the diagnosis (fault findings)."]}


def test_symptom_pricing_needs_a_risk_margin(vehicle_a, advisor_a):
    order = make_order(vehicle_a, advisor_a, S.CHECKED_IN)
    services.repair_order_add_line(order=order, by=advisor_a, kind="labour", description="检查异响", quantity=1)
    order = services.repair_order_update_estimate(
        order=order,
        by=advisor_a,
        version=order.version,
        diagnosis="底盘异响，原因待拆检",
        pricing_mode=PricingMode.SYMPTOM,
    )
    error = refused(
        TransitionError,
        lambda: services.repair_order_transition(
            order=order, action="give_estimate", by=advisor_a, version=order.version
        ),
        order,
    )
    assert error.message_dict == {"action": ["Symptom pricing needs a risk margin."]}

    order = services.repair_order_update_estimate(
        order=order, by=advisor_a, version=order.version, risk_margin_pct="10"
    )
    order = services.repair_order_transition(order=order, action="give_estimate", by=advisor_a, version=order.version)
    assert order.status == S.ESTIMATED


@pytest.mark.parametrize(
    ("fields", "messages"),
    [
        ({}, ["Record how the customer approved (signature, phone…).", "Record who approved on the customer's side."]),
        ({"approved_by_customer": "张三"}, ["Record how the customer approved (signature, phone…)."]),
        ({"approval_method": ApprovalMethod.PHONE}, ["Record who approved on the customer's side."]),
        ({"approval_method": ApprovalMethod.PHONE, "approved_by_customer": "  "}, [
            "Record who approved on the customer's side."
        ]),
    ],
)  # fmt: skip
def test_approval_needs_method_and_customer_name(fields, messages, vehicle_a, advisor_a):
    order = make_order(vehicle_a, advisor_a, S.ESTIMATED)
    error = refused(
        TransitionError,
        lambda: services.repair_order_record_approval(order=order, by=advisor_a, version=order.version, **fields),
        order,
    )
    assert error.message_dict == {"action": messages}


def test_approve_cannot_bypass_the_approval_record(vehicle_a, advisor_a):
    order = make_order(vehicle_a, advisor_a, S.ESTIMATED)
    error = refused(
        TransitionError,
        lambda: services.repair_order_transition(order=order, action="approve", by=advisor_a, version=order.version),
        order,
    )
    assert error.message_dict == {
        "action": [
            "Record how the customer approved (signature, phone…).",
            "Record who approved on the customer's side.",
        ]
    }


def test_dispatch_needs_a_labour_line(vehicle_a, advisor_a, staff):
    order = make_order(vehicle_a, advisor_a, S.APPROVED, labour=False, staff=staff)
    error = refused(
        TransitionError,
        lambda: services.repair_order_transition(
            order=order, action="dispatch", by=staff.foreman, version=order.version
        ),
        order,
    )
    assert error.message_dict == {"action": ["There is no labour line to dispatch."]}


def test_dispatch_needs_a_technician_on_every_job(vehicle_a, advisor_a, staff, dealer_a):
    order = make_order(vehicle_a, advisor_a, S.CHECKED_IN, staff=staff)
    services.repair_order_add_line(order=order, by=advisor_a, kind="labour", description="四轮定位", quantity=1)
    order = fill_estimate(order, advisor_a)
    order = perform(services.repair_order_transition(
        order=order, action="give_estimate", by=advisor_a, version=order.version
    ), "approve", advisor_a)  # fmt: skip
    first, second = workshop_lines(order)
    services.repair_order_assign(line=first, technician=staff.technician, by=staff.foreman)

    def dispatch():
        return services.repair_order_transition(order=order, action="dispatch", by=staff.foreman, version=order.version)

    error = refused(TransitionError, dispatch, order)
    assert error.message_dict == {"action": ["Assign a technician to every labour line first."]}

    services.repair_order_assign(line=second, technician=staff.foreman, by=staff.foreman)
    assert dispatch().status == S.DISPATCHED


@pytest.mark.parametrize(("status", "action"), [(S.QC, "qc_pass"), (S.QC, "qc_fail"), (S.READY, "deliver")])
def test_qc_and_delivery_cannot_bypass_their_forms(status, action, vehicle_a, advisor_a, staff):
    order = make_order(vehicle_a, advisor_a, status, staff=staff)
    message = {
        "qc_pass": "Record the QC inspection with its checklist first.",
        "qc_fail": "Record the QC inspection with its checklist first.",
        "deliver": "Settle the invoice first (payment method, amounts).",
    }[action]
    error = refused(
        TransitionError,
        lambda: services.repair_order_transition(
            order=order, action=action, by=staff.service_manager, version=order.version, note="备注"
        ),
        order,
    )
    assert error.message_dict == {"action": [message]}


def test_qc_moves_need_a_fresh_inspection_with_that_result(vehicle_a, advisor_a, staff):
    """An inspection of an earlier QC round does not pass (or fail) the current one."""
    order = make_order(vehicle_a, advisor_a, S.QC, staff=staff)
    services.repair_order_qc_record(
        order=order, by=staff.qc_inspector, version=order.version, results=all_ok(order, warning_lights=False),
        failed_lines=redo_first_job(order, "故障灯亮"),
    )  # fmt: skip
    job = workshop_lines(order).get()
    services.labour_clock_on(line=job, by=staff.technician)
    services.labour_clock_off(line=job, by=staff.technician, finished=True)
    order = RepairOrder.objects.get(pk=order.pk)
    order = services.repair_order_transition(
        order=order, action="request_qc", by=staff.technician, version=order.version
    )
    for action in ("qc_fail", "qc_pass"):
        error = refused(
            TransitionError,
            lambda action=action: services.repair_order_transition(
                order=order, action=action, by=staff.qc_inspector, version=order.version, note="异响"
            ),
            order,
        )
        assert error.message_dict == {"action": ["Record the QC inspection with its checklist first."]}


@pytest.mark.parametrize(
    ("status", "action", "label"),
    [
        (S.READY, "reopen_repair", "Why the car goes back to the workshop"),
        (S.ESTIMATED, "revise_estimate", "Why the estimate is revised"),
        (S.QC, "qc_fail", "What failed"),
        (S.OPEN, "cancel", "Cancel reason"),
        (S.DISPATCHED, "cancel", "Cancel reason"),
    ],
)
@pytest.mark.parametrize("note", ["", "   \n"])
def test_note_is_required(status, action, label, note, vehicle_a, advisor_a, staff):
    order = make_order(vehicle_a, advisor_a, status, staff=staff)
    by = staff.service_manager
    error = refused(
        TransitionError,
        lambda: services.repair_order_transition(order=order, action=action, by=by, version=order.version, note=note),
        order,
    )
    assert error.message_dict == {"note": [f"{label} is required."]}


def test_cancel_keeps_the_reason(vehicle_a, advisor_a):
    order = make_order(vehicle_a, advisor_a, S.ESTIMATED)
    order = services.repair_order_transition(
        order=order, action="cancel", by=advisor_a, version=order.version, note=" 客户嫌贵，去外面修 "
    )
    stored = RepairOrder.objects.get(pk=order.pk)
    assert (stored.status, stored.cancel_reason) == (S.CANCELLED, "客户嫌贵，去外面修")
    assert stored.cancelled_at == order.events.last().at


@pytest.mark.parametrize("action", ["cancel", "check_in", "reopen_repair"])
def test_a_note_longer_than_its_field_is_refused(action, vehicle_a, advisor_a, staff):
    status = {"cancel": S.OPEN, "check_in": S.OPEN, "reopen_repair": S.READY}[action]
    order = prepare(make_order(vehicle_a, advisor_a, status, staff=staff), action, advisor_a)
    error = refused(
        TransitionError,
        lambda: services.repair_order_transition(
            order=order, action=action, by=staff.service_manager, version=order.version, note="长" * 201
        ),
        order,
    )
    assert error.message_dict == {"note": ["Keep the note within 200 characters."]}
    order = services.repair_order_transition(
        order=order, action=action, by=staff.service_manager, version=order.version, note="长" * 200
    )
    assert order.events.last().note == "长" * 200


def test_a_long_qc_failure_is_kept_whole_on_the_inspection(vehicle_a, advisor_a, staff):
    order = make_order(vehicle_a, advisor_a, S.QC, staff=staff)
    reasons = "右前轮异响仍在，" * 40
    inspection = services.repair_order_qc_record(
        order=order, by=staff.qc_inspector, version=order.version, results=all_ok(order, no_leaks=False),
        failed_lines=redo_first_job(order, "漏油"), failure_reasons=reasons,
    )  # fmt: skip
    # The job's reason, then the inspector's general remark (kept whole).
    what_failed = f"{workshop_lines(order).get().description}: 漏油；{reasons.strip()}"
    assert QcInspection.objects.get(pk=inspection.pk).failure_reasons == what_failed
    # The event note (a 200-character field) takes the beginning.
    assert order.events.last().note == what_failed[:200]


# --- permissions ----------------------------------------------------------------------------------


def first_source(action: str) -> str:
    return next(status for status in S.values if status in EXPECTED[action][0])


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("action", list(EXPECTED))
def test_each_role_may_do_only_what_its_permissions_allow(action, role, vehicle_a, advisor_a, staff, dealer_a):
    user = user_of(role, dealer_a, advisor_a, staff)
    order = prepare(make_order(vehicle_a, advisor_a, first_source(action), staff=staff), action, advisor_a)
    note = "客户要求" if action in NOTES_REQUIRED else ""
    if EXPECTED[action][3] in ROLE_PERMISSIONS[role]:
        assert perform(order, action, user, note).status == EXPECTED[action][1]
    elif role == Role.REGION_MANAGER:  # reads the region's dealers, changes nothing there
        error = refused(PermissionDenied, lambda: perform(order, action, user, note), order)
        assert str(error) == "You cannot change the data of this dealer."
    else:  # refused for the role, not for the dealer
        error = refused(PermissionDenied, lambda: perform(order, action, user, note), order)
        assert str(error).startswith(("Your role may not do “", "Only the service desk changes")), str(error)


@pytest.mark.parametrize("action", list(EXPECTED))
def test_a_user_of_another_dealer_may_do_nothing(action, vehicle_a, advisor_a, staff, dealer_b):
    manager_b = staff_for(dealer_b).service_manager
    order = prepare(make_order(vehicle_a, advisor_a, first_source(action), staff=staff), action, advisor_a)
    error = refused(PermissionDenied, lambda: perform(order, action, manager_b, "备注"), order)
    assert str(error) == "You cannot change the data of this dealer."


def test_permission_message_names_the_action(vehicle_a, advisor_a, staff):
    order = make_order(vehicle_a, advisor_a, S.QC, staff=staff)
    error = refused(
        PermissionDenied,
        lambda: services.repair_order_transition(order=order, action="qc_pass", by=advisor_a, version=order.version),
        order,
    )
    assert str(error) == "Your role may not do “QC passed”."


@pytest.mark.parametrize("status", S.values)
@pytest.mark.parametrize("role", Role.values)
def test_available_actions(status, role, dealer_a, advisor_a, staff):
    user = user_of(role, dealer_a, advisor_a, staff)
    expected = [
        action
        for action, (sources, _target, _stamp, permission) in EXPECTED.items()
        if status in sources and permission in ROLE_PERMISSIONS[role]
    ]
    assert [t.action for t in REPAIR_STATES.available_actions(SimpleNamespace(status=status), user)] == expected


@pytest.mark.parametrize("status", S.values)
@pytest.mark.parametrize("role", [Role.SERVICE_ADVISOR, Role.QC_INSPECTOR, Role.SERVICE_MANAGER])
def test_buttons_are_the_moves_without_a_form(status, role, dealer_a, advisor_a, staff):
    user = user_of(role, dealer_a, advisor_a, staff)
    order = SimpleNamespace(status=status)
    expected = [t.action for t in REPAIR_STATES.available_actions(order, user) if t.action not in VIA_FORM]
    assert [t.action for t in button_actions(order, user)] == expected


# --- optimistic locking ---------------------------------------------------------------------------


def test_transition_with_a_stale_version_is_refused(vehicle_a, advisor_a):
    order = open_with_checkin(vehicle_a, advisor_a)
    error = refused(
        ConflictError,
        lambda: services.repair_order_transition(
            order=order, action="check_in", by=advisor_a, version=order.version - 1
        ),
        order,
    )
    assert error.code == "conflict"


def test_transition_without_a_version_is_refused(vehicle_a, advisor_a):
    order = open_with_checkin(vehicle_a, advisor_a)
    error = refused(
        ValidationError,
        lambda: services.repair_order_transition(order=order, action="check_in", by=advisor_a, version=None),
        order,
    )
    assert error.message_dict == {"version": ["The record version is required to save changes."]}


def test_two_moves_from_the_same_version_only_the_first_wins(vehicle_a, advisor_a, staff):
    order = make_order(vehicle_a, advisor_a, S.ESTIMATED, staff=staff)
    seen = order.version
    services.repair_order_transition(order=order, action="revise_estimate", by=advisor_a, version=seen, note="加项")
    error = refused(
        ConflictError,
        lambda: services.repair_order_transition(
            order=order, action="cancel", by=staff.service_manager, version=seen, note="客户取消"
        ),
        order,
    )
    assert error.params == {"mine": seen, "theirs": seen + 1}
    assert RepairOrder.objects.get(pk=order.pk).status == S.CHECKED_IN


def test_checkin_update_with_a_stale_version_is_refused(vehicle_a, advisor_a):
    order = make_order(vehicle_a, advisor_a, S.OPEN)
    refused(
        ConflictError,
        lambda: services.repair_order_update_checkin(
            order=order, by=advisor_a, version=order.version + 1, fuel_level=FuelLevel.FULL
        ),
        order,
    )


def test_two_checkin_updates_from_the_same_version_only_the_first_wins(vehicle_a, advisor_a):
    order = make_order(vehicle_a, advisor_a, S.OPEN)
    seen = order.version
    first_desk = RepairOrder.objects.get(pk=order.pk)
    second_desk = RepairOrder.objects.get(pk=order.pk)
    services.repair_order_update_checkin(order=first_desk, by=advisor_a, version=seen, fuel_level=FuelLevel.FULL)
    refused(
        ConflictError,
        lambda: services.repair_order_update_checkin(
            order=second_desk, by=advisor_a, version=seen, fuel_level=FuelLevel.EMPTY
        ),
        order,
    )
    stored = RepairOrder.objects.get(pk=order.pk)
    assert (stored.fuel_level, stored.version) == (FuelLevel.FULL, seen + 1)
