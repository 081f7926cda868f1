"""Rework after a failed QC (返工): the inspector marks the jobs and why; only those are reopened and clocked again;
every inspection stays on record (D3 unchanged); the technician's jobs, the board and the order page show it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from accounts.choices import Role
from core.tests.factories import UserFactory, VehicleFactory
from core.tests.helpers import login, sh
from repairs import kpis, services
from repairs.choices import LineKind, WorkStatus
from repairs.choices import RepairOrderStatus as S
from repairs.models import LabourClock, QcFinding, RepairOrder, RepairOrderLine
from repairs.state import workshop_lines
from repairs.tests.factories import (
    advance_order,
    all_ok,
    fill_estimate,
    make_order,
    order_snapshot,
    refused,
    staff_for,
)

pytestmark = pytest.mark.django_db

T0 = sh(2026, 11, 16, 9, 0)
NOT_A_JOB = "Only the jobs (labour lines) of this order can be sent back for rework."


@pytest.fixture(autouse=True)
def english():
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def staff(dealer_a):
    return staff_for(dealer_a)


def stored(instance):
    return type(instance).objects.get(pk=instance.pk)


def two_jobs_in_qc(vehicle, advisor, staff) -> tuple[RepairOrder, RepairOrderLine, RepairOrderLine]:
    """An order waiting for QC with two finished jobs (四轮定位 1.00 h, then the 1.50 h catalogue job)."""
    order = make_order(vehicle, advisor, S.CHECKED_IN, staff=staff)
    services.repair_order_add_line(
        order=order, by=advisor, kind=LineKind.LABOUR, description="四轮定位", quantity=Decimal("1.00")
    )
    order = advance_order(fill_estimate(order, advisor), advisor, S.QC, staff=staff)
    first, second = workshop_lines(order).order_by("position", "id")
    return order, first, second


def record_qc(order, by, *, failed_lines=(), **failed_items):
    order = stored(order)
    return services.repair_order_qc_record(
        order=order, by=by, version=order.version, results=all_ok(order, **failed_items), failed_lines=failed_lines
    )


def finish(job, technician):
    services.labour_clock_on(line=job, by=technician)
    services.labour_clock_off(line=job, by=technician, finished=True)


def request_qc(order, by):
    order = stored(order)
    return services.repair_order_transition(order=order, action="request_qc", by=by, version=order.version)


# --- the service ------------------------------------------------------------------------------------------------


def test_only_the_marked_job_is_reopened_and_clocked_again(vehicle_a, advisor_a, staff, clock):
    clock(T0)
    order, alignment, brakes = two_jobs_in_qc(vehicle_a, advisor_a, staff)
    brakes_finished = stored(brakes).finished_at
    clocks_before = set(LabourClock.objects.filter(line__order=order).values_list("pk", "ended_at"))
    clock(T0 + timedelta(minutes=30))

    inspection = record_qc(
        order, staff.qc_inspector, fault_fixed=False,
        failed_lines=[{"line": alignment, "reason": "方向盘仍跑偏", "check_code": "fault_fixed"}],
    )  # fmt: skip

    assert (inspection.sequence, inspection.passed) == (1, False)
    assert list(inspection.findings.values_list("line_id", "check_code", "reason")) == [
        (alignment.pk, "fault_fixed", "方向盘仍跑偏")
    ]
    assert inspection.failure_reasons == "四轮定位: 方向盘仍跑偏"
    alignment, brakes = stored(alignment), stored(brakes)
    assert (alignment.work_status, alignment.finished_at, alignment.technician_id) == (
        WorkStatus.WAITING, None, staff.technician.pk
    )  # fmt: skip
    assert (brakes.work_status, brakes.finished_at) == (WorkStatus.DONE, brakes_finished)
    assert stored(order).status == S.IN_REPAIR
    # The job done is not clocked again; the reopened one is, with a new clock (the old ones stay).
    with pytest.raises(ValidationError, match="already done"):
        services.labour_clock_on(line=brakes, by=staff.technician)
    clock(T0 + timedelta(minutes=40))
    new_clock = services.labour_clock_on(line=alignment, by=staff.technician)
    old_clocks = LabourClock.objects.filter(line__order=order).exclude(pk=new_clock.pk)
    assert set(old_clocks.values_list("pk", "ended_at")) == clocks_before
    assert (new_clock.line_id, new_clock.started_at) == (alignment.pk, T0 + timedelta(minutes=40))
    services.labour_clock_off(line=alignment, by=staff.technician, finished=True)
    request_qc(order, staff.technician)
    second = record_qc(order, staff.qc_inspector)
    assert (second.sequence, second.passed, second.findings.count()) == (2, True, 0)
    assert list(stored(order).inspections.values_list("sequence", "passed")) == [(1, False), (2, True)]
    assert LabourClock.objects.filter(line=alignment).count() == 2


def test_a_job_can_be_sent_back_even_with_every_checklist_item_ok(vehicle_a, advisor_a, staff):
    order, alignment, _brakes = two_jobs_in_qc(vehicle_a, advisor_a, staff)
    inspection = record_qc(order, staff.qc_inspector, failed_lines=[{"line": alignment.pk, "reason": "定位数据未打印"}])
    assert (inspection.passed, stored(order).status, stored(alignment).work_status) == (
        False, S.IN_REPAIR, WorkStatus.WAITING
    )  # fmt: skip


@pytest.mark.parametrize(
    ("failed_lines", "message"),
    [
        ([], "Mark the jobs that must be redone, each with the reason."),
        ([{"line": "alignment", "reason": "  "}], "Say why “四轮定位” must be redone."),
        ([{"line": "part", "reason": "错件"}], NOT_A_JOB),
        ([{"line": "other", "reason": "错单"}], NOT_A_JOB),
        (
            [{"line": "alignment", "reason": "跑偏"}, {"line": "alignment", "reason": "再次"}],
            "“四轮定位” is marked twice.",
        ),
        (
            [{"line": "alignment", "reason": "跑偏", "check_code": "warning_lights"}],
            "“四轮定位” names a checklist item that is marked OK: mark it not OK, or name another.",
        ),
    ],
)
def test_a_failed_qc_without_a_proper_job_mark_is_refused_and_changes_nothing(
    failed_lines, message, vehicle_a, advisor_a, staff, customer_a
):
    order, alignment, _brakes = two_jobs_in_qc(vehicle_a, advisor_a, staff)
    other_order = make_order(VehicleFactory(owner=customer_a), advisor_a, S.IN_REPAIR, staff=staff)
    lines = {
        "alignment": alignment,
        "part": order.lines.get(kind=LineKind.PART),
        "other": workshop_lines(other_order).get(),
    }
    failed_lines = [{**item, "line": lines[item["line"]]} for item in failed_lines]
    other_before = order_snapshot(other_order)
    error = refused(
        ValidationError, lambda: record_qc(order, staff.qc_inspector, fault_fixed=False, failed_lines=failed_lines),
        order,
    )  # fmt: skip
    assert error.message_dict == {"failed_lines": [message]}
    assert order_snapshot(other_order) == other_before


def test_every_inspection_stays_and_d3_reads_the_first(dealer_a, vehicle_a, advisor_a, staff, customer_a, clock):
    """D3 (first-pass QC) before and after a rework: the second inspection of a reworked order does not change it."""
    start, end = sh(2026, 11, 1), sh(2026, 12, 1)
    clock(T0)
    reworked, alignment, _brakes = two_jobs_in_qc(vehicle_a, advisor_a, staff)
    passed_first = make_order(VehicleFactory(owner=customer_a), advisor_a, S.QC, staff=staff)

    record_qc(reworked, staff.qc_inspector, no_leaks=False, failed_lines=[{"line": alignment, "reason": "漏油"}])
    record_qc(passed_first, staff.qc_inspector)
    before = kpis.qc_first_pass([dealer_a.id], start, end)[dealer_a.id]
    assert (before.value, before.numerator, before.denominator) == (50.0, 1, 2)

    finish(stored(alignment), staff.technician)
    request_qc(reworked, staff.technician)
    record_qc(reworked, staff.qc_inspector)
    after = kpis.qc_first_pass([dealer_a.id], start, end)[dealer_a.id]
    assert after == before
    assert list(stored(reworked).inspections.values_list("sequence", "passed")) == [(1, False), (2, True)]
    assert QcFinding.objects.filter(inspection__order=reworked).count() == 1  # the failed one keeps its finding


# --- who reworks: the foreman may give the job to another technician ------------------------------------------


def test_the_foreman_reassigns_a_rework_job_and_the_new_technician_clocks_it(vehicle_a, advisor_a, staff, dealer_a):
    order, alignment, _brakes = two_jobs_in_qc(vehicle_a, advisor_a, staff)
    record_qc(order, staff.qc_inspector, failed_lines=[{"line": alignment, "reason": "跑偏"}])
    other = UserFactory(username="technician_2", roles=[Role.TECHNICIAN], dealers=[dealer_a])
    with pytest.raises(Exception, match=r"Only the foreman dispatches jobs\."):
        services.repair_order_assign(line=stored(alignment), technician=other, by=staff.technician)

    services.repair_order_assign(line=stored(alignment), technician=other, by=staff.foreman)
    with pytest.raises(ValidationError, match="dispatched to someone else"):
        services.labour_clock_on(line=stored(alignment), by=staff.technician)
    finish(stored(alignment), other)
    technicians = list(LabourClock.objects.filter(line=alignment).order_by("started_at").values_list("technician_id"))
    assert technicians == [(staff.technician.pk,), (other.pk,)]


# --- the pages --------------------------------------------------------------------------------------------------


def test_the_inspector_marks_the_job_on_the_order_page(vehicle_a, advisor_a, staff):
    order, alignment, brakes = two_jobs_in_qc(vehicle_a, advisor_a, staff)
    inspector = login(staff.qc_inspector)
    url = reverse("repairs:repair_order_qc", args=[order.pk])
    items = {"item_warning_lights": "on", "item_fitted_parts": "on", "item_no_leaks": "on", "item_cleanliness": "on"}

    page = inspector.get(order.get_absolute_url()).content.decode()
    assert f'name="rework_{alignment.pk}"' in page and f'name="reason_{brakes.pk}"' in page

    before = order_snapshot(order)
    response = inspector.post(url, {"version": order.version, **items})
    assert response.status_code == 400
    assert "Mark the jobs that must be redone, each with the reason." in response.content.decode()
    assert order_snapshot(order) == before

    response = inspector.post(
        url,
        {"version": order.version, **items, f"rework_{alignment.pk}": "on", f"check_{alignment.pk}": "fault_fixed",
         f"reason_{alignment.pk}": "方向盘仍跑偏"},
    )  # fmt: skip
    assert response.status_code == 302
    assert (stored(alignment).work_status, stored(brakes).work_status) == (WorkStatus.WAITING, WorkStatus.DONE)
    page = login(advisor_a).get(order.get_absolute_url()).content.decode()
    qc_section = page[page.index('id="qc"') :]
    assert "#1" in qc_section and "Job sent back for rework" in qc_section
    assert "Customer&#x27;s fault no longer present (test drive)" in qc_section and "方向盘仍跑偏" in qc_section
    assert f'data-rework="{alignment.pk}"' in page and f'data-rework="{brakes.pk}"' not in page


def test_my_jobs_and_the_board_mark_exactly_the_rework_jobs(
    vehicle_a, advisor_a, staff, customer_a, django_assert_max_num_queries
):
    order, alignment, brakes = two_jobs_in_qc(vehicle_a, advisor_a, staff)
    record_qc(
        order, staff.qc_inspector, fault_fixed=False,
        failed_lines=[{"line": alignment, "reason": "方向盘仍跑偏", "check_code": "fault_fixed"}],
    )  # fmt: skip
    make_order(VehicleFactory(owner=customer_a), advisor_a, S.DISPATCHED, staff=staff)  # nothing to rework
    technician, foreman = login(staff.technician), login(staff.foreman)

    with django_assert_max_num_queries(12):
        jobs = technician.get(reverse("repairs:my_jobs")).content.decode()
    with django_assert_max_num_queries(12):
        board = foreman.get(reverse("repairs:workshop_board")).content.decode()

    for page in (jobs, board):
        assert page.count("data-rework=") == 1
        assert f'data-rework="{alignment.pk}"' in page
        assert "Customer&#x27;s fault no longer present (test drive): 方向盘仍跑偏" in page
    assert "四轮定位" in jobs and stored(brakes).work_status == WorkStatus.DONE

    # Reworked and passed: the mark is gone.
    finish(stored(alignment), staff.technician)
    request_qc(order, staff.technician)
    record_qc(order, staff.qc_inspector)
    assert "data-rework=" not in foreman.get(reverse("repairs:workshop_board")).content.decode()


# --- the API ----------------------------------------------------------------------------------------------------


def test_the_api_takes_the_failed_jobs_with_field_errors(api_en, vehicle_a, advisor_a, staff, customer_a):
    order, alignment, brakes = two_jobs_in_qc(vehicle_a, advisor_a, staff)
    other_job = workshop_lines(make_order(VehicleFactory(owner=customer_a), advisor_a, S.IN_REPAIR, staff=staff)).get()
    client = api_en(staff.qc_inspector)
    url = f"/api/v1/repair-orders/{order.pk}/qc/"
    results = all_ok(order, fault_fixed=False)
    before = order_snapshot(order)

    response = client.post(url, {"version": order.version, "results": results}, format="json")
    assert (response.status_code, response.json()) == (
        400, {"failed_lines": ["Mark the jobs that must be redone, each with the reason."]}
    )  # fmt: skip
    response = client.post(
        url,
        {"version": order.version, "results": results,
         "failed_lines": [{"line": other_job.pk, "reason": "错单"}, {"line": alignment.pk, "check_code": "paint"}]},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400
    errors = response.json()["failed_lines"]
    # Per job, by its place in the list: another order's line; an unknown checklist item and no reason.
    assert {index: sorted(fields) for index, fields in errors.items()} == {"0": ["line"], "1": ["check_code", "reason"]}
    assert order_snapshot(order) == before

    response = client.post(
        url,
        {"version": order.version, "results": results,
         "failed_lines": [{"line": alignment.pk, "reason": "方向盘仍跑偏", "check_code": "fault_fixed"}]},
        format="json",
    )  # fmt: skip
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == S.IN_REPAIR
    assert body["inspections"][0]["findings"] == [
        {"line": alignment.pk, "check_code": "fault_fixed", "reason": "方向盘仍跑偏"}
    ]
    statuses = {line["id"]: line["work_status"] for line in body["lines"]}
    assert (statuses[alignment.pk], statuses[brakes.pk]) == (WorkStatus.WAITING, WorkStatus.DONE)
