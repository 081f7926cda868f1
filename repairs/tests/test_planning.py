"""Workshop planning: the dispatch list and panel (hours, skills, certificates), bays, the self-refreshing board and
its TV mode, promises at risk on the board and the desk, and the QC queue."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from accounts.choices import Role
from core.tests.factories import CustomerFactory, UserFactory, VehicleFactory
from core.tests.helpers import login, sh, snapshot
from repairs import planning, services
from repairs.choices import BayKind, PauseReason
from repairs.choices import RepairOrderStatus as S
from repairs.models import BayOccupancy, RepairOrder, WorkshopBay
from repairs.state import workshop_lines
from repairs.tests.factories import make_order, staff_for
from staff.choices import CertificateKind, Position, SkillArea, SkillLevel
from staff.models import Certificate, StaffProfile, StaffSkill

pytestmark = pytest.mark.django_db

T0 = sh(2026, 11, 16, 9, 0)  # a Monday morning; the dealers open 08:30–18:00 every day


@pytest.fixture(autouse=True)
def english():
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def staff(dealer_a):
    return staff_for(dealer_a)


def a_car(dealer):
    return VehicleFactory(owner=CustomerFactory(dealer=dealer))


def job_of(order: RepairOrder):
    return workshop_lines(order).get()


def bay(dealer, code="L01", kind=BayKind.LIFT, **kwargs) -> WorkshopBay:
    return WorkshopBay.objects.create(dealer=dealer, code=code, name=f"举升机 {code}", kind=kind, **kwargs)


def profile(user, dealer, position=Position.TECHNICIAN) -> StaffProfile:
    return StaffProfile.objects.create(
        dealer=dealer, user=user, employee_number=f"E{user.pk:04d}", position=position, hire_date=date(2020, 1, 1)
    )


# --- the dispatch list and panel ---------------------------------------------------------------------------------


def test_the_dispatch_list_offers_the_crew_with_nothing_chosen(dealer_a, advisor_a, staff, clock):
    clock(T0)
    order = make_order(a_car(dealer_a), advisor_a, S.APPROVED, staff=staff)
    second = UserFactory(username="tech2", display_name="钱师傅", roles=[Role.TECHNICIAN], dealers=[dealer_a])
    UserFactory(roles=[Role.TECHNICIAN], dealers=[dealer_a], is_active=False)
    page = login(staff.foreman).get(order.get_absolute_url()).content.decode()
    select = re.search(r'<select name="technician" required.*?</select>', page, re.S).group(0)
    options = re.findall(r'<option value="(\d*)"( selected)?>', select)
    # Blank and chosen until the foreman picks someone; technicians first, then the foreman; not the manager.
    assert options[0] == ("", " selected")
    assert [int(pk) for pk, _sel in options[1:]] == [staff.technician.pk, second.pk, staff.foreman.pk]
    assert not any(sel for _pk, sel in options[1:])
    assert select.index("Technicians") < select.index("Foremen")
    assert str(staff.service_manager.pk) not in [pk for pk, _sel in options]
    # The web refuses someone not on the list (the manager) and a blank choice; nothing changes.
    client = login(staff.foreman)
    for chosen in (staff.service_manager.pk, ""):
        response = client.post(
            reverse("repairs:repair_order_assign", args=[order.pk]), {"line": job_of(order).pk, "technician": chosen}
        )
        assert response.status_code == 400
        assert job_of(order).technician_id is None
    client.post(
        reverse("repairs:repair_order_assign", args=[order.pk]), {"line": job_of(order).pk, "technician": second.pk}
    )
    assert job_of(order).technician_id == second.pk
    select = re.search(
        r'<select name="technician" required.*?</select>', client.get(order.get_absolute_url()).content.decode(), re.S
    ).group(0)
    assert re.search(rf'<option value="{second.pk}" selected>', select)  # the job's technician, once dispatched


def test_a_technicians_day_in_hours(dealer_a, advisor_a, staff, clock):
    clock(T0)
    first = make_order(a_car(dealer_a), advisor_a, S.APPROVED, staff=staff)
    second = make_order(a_car(dealer_a), advisor_a, S.APPROVED, staff=staff)
    services.repair_order_assign(line=job_of(first), technician=staff.technician, by=staff.foreman)
    services.repair_order_assign(line=job_of(second), technician=staff.technician, by=staff.foreman)
    first.refresh_from_db()
    services.repair_order_transition(order=first, action="dispatch", by=staff.foreman, version=first.version)
    services.labour_clock_on(line=job_of(first), by=staff.technician)
    clock(T0 + timedelta(minutes=30))
    services.labour_clock_off(
        line=job_of(first), by=staff.technician, finished=False, pause_reason=PauseReason.WAITING_PARTS
    )
    clock(T0 + timedelta(minutes=45))
    services.labour_clock_on(line=job_of(first), by=staff.technician)  # on it again, 15 min by 10:00
    tech = profile(staff.technician, dealer_a)
    StaffSkill.objects.create(profile=tech, area=SkillArea.ENGINE, level=SkillLevel.EXPERT)
    Certificate.objects.create(profile=tech, kind=CertificateKind.OEM_TECHNICIAN, number="OEM-1", level="高级",
                               issued_on=date(2024, 1, 1), expires_on=date(2027, 1, 1))  # fmt: skip
    Certificate.objects.create(profile=tech, kind=CertificateKind.HV_ELECTRICIAN, number="HV-old",
                               issued_on=date(2019, 1, 1), expires_on=date(2025, 1, 1))  # fmt: skip
    foreman = profile(staff.foreman, dealer_a, Position.FOREMAN)
    Certificate.objects.create(profile=foreman, kind=CertificateKind.OEM_TECHNICIAN, number="OEM-2",
                               issued_on=date(2018, 1, 1), expires_on=date(2026, 1, 1))  # fmt: skip

    now = clock(T0 + timedelta(hours=1))  # 10:00: eight hours of opening left
    days = {day.technician.pk: day for day in planning.technician_days(dealer=dealer_a, now=now)}
    assert set(days) == {staff.technician.pk, staff.foreman.pk}
    day = days[staff.technician.pk]
    # Still to do: 1.50 − 0.75 clocked on the first job, and the second job's 1.50.
    assert (day.open_jobs, day.open_hours, day.clocked_today) == (2, Decimal("2.3"), Decimal("0.8"))
    assert (day.booked, day.shift_left, day.free, day.overbooked, day.clocked_on) == (
        Decimal("3.1"), Decimal("8.0"), Decimal("5.7"), False, True
    )  # fmt: skip
    assert day.skills == ["Engine (Expert)"]
    assert [c["label"] for c in day.certificates] == ["OEM technician certification (厂家技师认证) 高级"]
    assert not day.uncertified
    assert days[staff.foreman.pk].uncertified and days[staff.foreman.pk].certificates == []  # C4 warning

    # 17:00: one hour left, more to do than that: overbooked.
    late = planning.technician_days(dealer=dealer_a, now=sh(2026, 11, 16, 17, 0))[0]
    assert late.shift_left == Decimal("1.0") and late.overbooked


def test_the_order_page_shows_the_dispatch_panel_to_the_foreman_only(dealer_a, advisor_a, staff, clock):
    clock(T0)
    order = make_order(a_car(dealer_a), advisor_a, S.APPROVED, staff=staff)
    profile(staff.technician, dealer_a)  # a technician's file without a valid certificate: C4 warns
    page = login(staff.foreman).get(order.get_absolute_url()).content.decode()
    assert 'id="dispatch"' in page and "Technicians today" in page
    assert "0.0 h booked" in page and "no valid certificate" in page
    assert 'id="dispatch"' not in login(advisor_a).get(order.get_absolute_url()).content.decode()


def test_the_dispatch_panel_costs_the_same_queries_for_more_technicians(dealer_a, advisor_a, staff, clock):
    clock(T0)
    first = make_order(a_car(dealer_a), advisor_a, S.APPROVED, staff=staff)
    services.repair_order_assign(line=job_of(first), technician=staff.technician, by=staff.foreman)
    StaffSkill.objects.create(profile=profile(staff.technician, dealer_a), area=SkillArea.ENGINE)

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            planning.technician_days(dealer=dealer_a, now=T0)
        return len(queries)

    few = count()
    for _n in range(6):
        tech = UserFactory(roles=[Role.TECHNICIAN], dealers=[dealer_a])
        profile(tech, dealer_a)
        extra = make_order(a_car(dealer_a), advisor_a, S.APPROVED, staff=staff)
        services.repair_order_assign(line=job_of(extra), technician=tech, by=staff.foreman)
    assert count() == few


# --- bays -----------------------------------------------------------------------------------------------------------


def test_one_order_per_bay_and_one_bay_per_order(dealer_a, advisor_a, staff, clock):
    clock(T0)
    lift, alignment = bay(dealer_a), bay(dealer_a, "AL", BayKind.ALIGNMENT)
    first = make_order(a_car(dealer_a), advisor_a, S.APPROVED, staff=staff)
    second = make_order(a_car(dealer_a), advisor_a, S.APPROVED, staff=staff)
    placed = planning.bay_place(bay=lift, order=first, by=staff.foreman)
    assert (placed.bay, placed.order, placed.placed_by) == (lift, first, staff.foreman)
    assert planning.bay_place(bay=lift, order=first, by=staff.foreman) == placed  # already there: no change

    before = snapshot(BayOccupancy)
    with pytest.raises(ValidationError) as error:
        planning.bay_place(bay=lift, order=second, by=staff.foreman)
    assert error.value.message_dict["bay"] == [
        f"Bay L01 举升机 L01 is taken by {first.vehicle.plate} ({first.number}): free it first."
    ]
    assert snapshot(BayOccupancy) == before

    planning.bay_place(bay=alignment, order=first, by=staff.foreman)  # moves: the lift is free again
    assert BayOccupancy.objects.get(bay=lift).ended_at is not None
    planning.bay_place(bay=lift, order=second, by=staff.foreman)
    bays = {b.code: b.occupancy.order for b in planning.workshop_bays(user=staff.foreman)}
    assert bays == {"L01": second, "AL": first}

    planning.bay_release(bay=lift, by=staff.foreman)
    assert planning.workshop_bays(user=staff.foreman)[1].occupancy is None  # ordered by position, code: AL, L01
    with pytest.raises(ValidationError):
        planning.bay_release(bay=lift, by=staff.foreman)


def test_a_car_that_left_the_workshop_frees_its_bay(dealer_a, advisor_a, staff, clock):
    clock(T0)
    lift = bay(dealer_a)
    order = make_order(a_car(dealer_a), advisor_a, S.DISPATCHED, staff=staff)
    planning.bay_place(bay=lift, order=order, by=staff.foreman)
    RepairOrder.objects.filter(pk=order.pk).update(status=S.READY)  # inspected: parked for delivery
    assert planning.workshop_bays(user=staff.foreman)[0].occupancy is None
    other = make_order(a_car(dealer_a), advisor_a, S.APPROVED, staff=staff)
    planning.bay_place(bay=lift, order=other, by=staff.foreman)  # the forgotten row ends now
    assert BayOccupancy.objects.filter(ended_at__isnull=True).get().order == other


@pytest.mark.parametrize("case", ["not_in_workshop", "other_dealer", "out_of_service", "not_the_foreman"])
def test_bay_refusals_change_nothing(case, dealer_a, dealer_b, advisor_a, staff, clock):
    clock(T0)
    lift = bay(dealer_a, is_active=case != "out_of_service")
    status = S.CHECKED_IN if case == "not_in_workshop" else S.APPROVED
    order = make_order(a_car(dealer_a), advisor_a, status, staff=staff)
    target = bay(dealer_b, "B1") if case == "other_dealer" else lift
    user = staff.technician if case == "not_the_foreman" else staff.foreman
    if case == "other_dealer":
        user = UserFactory(roles=[Role.FOREMAN], dealers=[dealer_a, dealer_b])
    expected = PermissionDenied if case == "not_the_foreman" else ValidationError
    with pytest.raises(expected):
        planning.bay_place(bay=target, order=order, by=user)
    assert not BayOccupancy.objects.exists()


def test_the_foreman_puts_a_car_on_a_bay_from_the_board(dealer_a, dealer_b, advisor_a, staff, clock):
    clock(T0)
    lift, _other = bay(dealer_a), bay(dealer_b, "B1")
    order = make_order(a_car(dealer_a), advisor_a, S.APPROVED, staff=staff)
    client = login(staff.foreman)
    board = client.get(reverse("repairs:workshop_board")).content.decode()
    assert (
        reverse("repairs:bay_place", args=[order.pk]) in board and "举升机 B1" not in board
    )  # only the own dealer's bays
    response = client.post(reverse("repairs:bay_place", args=[order.pk]), {"bay": lift.pk})
    assert response.status_code == 302 and response["Location"] == reverse("repairs:workshop_board")
    board = client.get(reverse("repairs:workshop_board")).content.decode()
    assert "is on bay L01" in board and "1 of 1 bays taken" in board
    assert reverse("repairs:bay_release", args=[lift.pk]) in board
    # Another dealer's bay or order, a guessed id: 404, nothing changed.
    assert client.post(reverse("repairs:bay_place", args=[order.pk]), {"bay": _other.pk}).status_code == 404
    foreign = make_order(a_car(dealer_b), UserFactory(roles=[Role.SERVICE_ADVISOR], dealers=[dealer_b]), S.APPROVED)
    assert client.post(reverse("repairs:bay_place", args=[foreign.pk]), {"bay": lift.pk}).status_code == 404
    assert client.post(reverse("repairs:bay_release", args=[_other.pk])).status_code == 404
    # No bay chosen: a message, nothing changed. The desk may not plan bays.
    response = client.post(reverse("repairs:bay_place", args=[order.pk]), {"bay": ""}, follow=True)
    assert "Choose a bay." in response.content.decode()
    assert login(advisor_a).post(reverse("repairs:bay_release", args=[lift.pk])).status_code == 404
    assert BayOccupancy.objects.filter(ended_at__isnull=True).count() == 1
    client.post(reverse("repairs:bay_release", args=[lift.pk]))
    assert not BayOccupancy.objects.filter(ended_at__isnull=True).exists()


# The board's queries: session, user, groups and permissions, the dealers, the orders, their jobs, the bays and
# what is on them, the write scope, the messages (the rework and parts helpers may add their prefetches).
BOARD_QUERIES = 16

# --- the board: refresh, TV mode, promises ---------------------------------------------------------------------------


def test_the_board_refreshes_its_body_and_has_a_tv_mode(dealer_a, advisor_a, staff, clock):
    clock(T0)
    lift = bay(dealer_a)
    order = make_order(a_car(dealer_a), advisor_a, S.APPROVED, staff=staff)
    planning.bay_place(bay=lift, order=order, by=staff.foreman)
    client = login(staff.foreman)
    page = client.get(reverse("repairs:workshop_board")).content.decode()
    assert 'hx-trigger="every 30s [document.visibilityState' in page and "<nav" in page
    body = client.get(reverse("repairs:workshop_board"), headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in body and "<nav" not in body and order.number in body and 'data-bay="L01"' in body

    tv = client.get(reverse("repairs:workshop_tv")).content.decode()
    assert 'class="tv"' in tv and order.number in tv and "hx-get" in tv
    assert "<nav" not in tv and "<form" not in tv  # no menu, read-only
    assert client.get(reverse("repairs:workshop_board") + f"?tv=1&dealer={dealer_a.pk}")["Location"] == (
        reverse("repairs:workshop_tv") + f"?dealer={dealer_a.pk}"
    )
    tv_body = client.get(reverse("repairs:workshop_tv"), headers={"HX-Request": "true"}).content.decode()
    assert "<form" not in tv_body and order.number in tv_body
    # The same permission as the board: someone without the repair orders sees nothing.
    outsider = UserFactory(roles=[], dealers=[dealer_a])
    assert login(outsider).get(reverse("repairs:workshop_tv")).status_code == 404


def test_promises_at_risk_are_flagged_for_the_foreman_and_the_advisor(dealer_a, advisor_a, staff, clock):
    now = clock(T0)
    at_risk, overdue, fine, in_qc = (make_order(a_car(dealer_a), advisor_a, s, staff=staff)
                                     for s in (S.APPROVED, S.APPROVED, S.APPROVED, S.QC))  # fmt: skip
    RepairOrder.objects.filter(pk__in=[at_risk.pk, in_qc.pk]).update(promised_at=now + timedelta(minutes=40))
    RepairOrder.objects.filter(pk=overdue.pk).update(promised_at=now - timedelta(minutes=5))
    RepairOrder.objects.filter(pk=fine.pk).update(promised_at=now + timedelta(hours=3))
    board = login(staff.foreman).get(reverse("repairs:workshop_board")).content.decode()
    cards = {number: flag for flag, number in re.findall(r'class="card board-card([^"]*)" data-order="([^"]+)"', board)}
    assert cards == {at_risk.number: " at-risk", overdue.number: " late", fine.number: "", in_qc.number: " at-risk"}
    assert "promise at risk: 40\xa0minutes left" in board and "2 promises at risk" in board
    desk = login(advisor_a).get(reverse("dashboards:desk")).content.decode()
    section = desk[desk.index('id="at-risk"') : desk.index('id="ready"')]
    assert at_risk.number in section and in_qc.number in section
    assert overdue.number not in section and fine.number not in section


def test_the_board_costs_the_same_queries_for_30_orders(
    dealer_a, advisor_a, staff, clock, django_assert_max_num_queries
):
    clock(T0)
    for code in ("L01", "L02", "AL"):
        bay(dealer_a, code)
    client = login(staff.foreman)
    orders = [make_order(a_car(dealer_a), advisor_a, S.APPROVED, staff=staff) for _ in range(3)]
    planning.bay_place(bay=WorkshopBay.objects.get(code="L01"), order=orders[0], by=staff.foreman)
    with django_assert_max_num_queries(BOARD_QUERIES):
        assert client.get(reverse("repairs:workshop_board")).status_code == 200
    orders += [make_order(a_car(dealer_a), advisor_a, S.DISPATCHED, staff=staff) for _ in range(27)]
    planning.bay_place(bay=WorkshopBay.objects.get(code="L02"), order=orders[-1], by=staff.foreman)
    with django_assert_max_num_queries(BOARD_QUERIES):
        page = client.get(reverse("repairs:workshop_board")).content.decode()
    assert page.count("board-card") == 30
    with django_assert_max_num_queries(BOARD_QUERIES):
        client.get(reverse("repairs:workshop_tv"), headers={"HX-Request": "true"})


# --- the QC queue ---------------------------------------------------------------------------------------------------


def test_the_qc_queue_oldest_first(dealer_a, dealer_b, advisor_a, staff, clock, django_assert_max_num_queries):
    clock(T0)
    first = make_order(a_car(dealer_a), advisor_a, S.QC, staff=staff)
    clock(T0 + timedelta(minutes=20))
    second = make_order(a_car(dealer_a), advisor_a, S.QC, staff=staff)
    clock(T0 + timedelta(minutes=25))
    make_order(a_car(dealer_a), advisor_a, S.IN_REPAIR, staff=staff)
    make_order(a_car(dealer_b), UserFactory(roles=[Role.SERVICE_ADVISOR], dealers=[dealer_b]), S.QC)
    RepairOrder.objects.filter(pk=second.pk).update(promised_at=T0 + timedelta(minutes=50))
    assert [o.pk for o in planning.qc_queue(user=staff.qc_inspector)] == [first.pk, second.pk]
    client = login(staff.qc_inspector)
    with django_assert_max_num_queries(10):
        page = client.get(reverse("repairs:qc_queue")).content.decode()
    assert page.index(first.number) < page.index(second.number)
    assert f'href="{second.get_absolute_url()}#qc"' in page and 'class="at-risk"' in page
    assert str(staff.technician) in page
    assert login(advisor_a).get(reverse("repairs:qc_queue")).status_code == 404
    nav = client.get(reverse("dashboards:search")).content.decode()
    assert f'href="{reverse("repairs:qc_queue")}"' in nav
    assert (
        f'href="{reverse("repairs:qc_queue")}"'
        not in login(advisor_a).get(reverse("dashboards:search")).content.decode()
    )


# --- the demo -------------------------------------------------------------------------------------------------------


def test_the_demo_workshops_have_named_bays_with_cars_on_them(demo_dataset):
    from organization.models import Dealer

    for dealer in Dealer.objects.filter(code__in=["GZ01", "SZ01", "SH01"]):
        bays = list(WorkshopBay.objects.filter(dealer=dealer))
        assert len(bays) == dealer.service_bays
        assert {BayKind.LIFT, BayKind.ALIGNMENT} <= {b.kind for b in bays}
        on_bays = BayOccupancy.objects.filter(bay__dealer=dealer, ended_at__isnull=True).select_related("order")
        # The cars dispatched and still in the workshop at the end of the demo are on the lifts (as many as fit).
        in_workshop = RepairOrder.objects.filter(
            dealer=dealer, status__in=planning.OCCUPYING_STATUSES, dispatched_at__isnull=False
        ).count()
        assert on_bays.count() == min(in_workshop, sum(1 for b in bays if b.kind == BayKind.LIFT))
        assert all(o.order.status in planning.OCCUPYING_STATUSES and o.order.dealer_id == dealer.pk for o in on_bays)
        assert all(o.started_at == o.order.dispatched_at for o in on_bays)


def test_the_service_manager_keeps_the_bays(dealer_a, dealer_b, advisor_a, staff, clock):
    clock(T0)
    manager = login(staff.service_manager)
    response = manager.post(
        reverse("repairs:bay_create"),
        {"dealer": dealer_a.pk, "code": " l01 ", "name": "举升机 1号", "kind": BayKind.LIFT, "position": 1,
         "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    lift = WorkshopBay.objects.get()
    assert (lift.dealer, lift.code, lift.kind, lift.is_active) == (dealer_a, "L01", BayKind.LIFT, True)
    # The same code again: refused on the form, nothing added; another dealer is not offered.
    before = snapshot(WorkshopBay)
    response = manager.post(
        reverse("repairs:bay_create"),
        {"dealer": dealer_a.pk, "code": "L01", "name": "x", "kind": BayKind.LIFT, "position": 2},
    )
    assert response.status_code == 400 and "This dealer already has a bay L01." in response.content.decode()
    response = manager.post(
        reverse("repairs:bay_create"),
        {"dealer": dealer_b.pk, "code": "B1", "name": "x", "kind": BayKind.LIFT, "position": 2},
    )
    assert response.status_code == 400 and snapshot(WorkshopBay) == before
    # A car on the bay: it stays in service until the car is off it.
    order = make_order(a_car(dealer_a), advisor_a, S.APPROVED, staff=staff)
    planning.bay_place(bay=lift, order=order, by=staff.foreman)
    edit = reverse("repairs:bay_edit", args=[lift.pk])
    response = manager.post(edit, {"code": "L01", "name": "举升机 1号", "kind": BayKind.LIFT, "position": 1})
    assert response.status_code == 400 and "free it before taking the bay out of service" in response.content.decode()
    planning.bay_release(bay=lift, by=staff.foreman)
    assert manager.post(edit, {"code": "L01", "name": "举升机", "kind": BayKind.EV, "position": 3}).status_code == 302
    lift.refresh_from_db()
    assert (lift.name, lift.kind, lift.is_active) == ("举升机", BayKind.EV, False)
    page = manager.get(reverse("repairs:bay_list")).content.decode()
    assert "out of service" in page and edit in page
    # The foreman plans on the bays but does not keep them; another dealer's bay is a 404.
    assert login(staff.foreman).get(reverse("repairs:bay_list")).status_code == 404
    other = bay(dealer_b, "B1")
    assert manager.get(reverse("repairs:bay_edit", args=[other.pk])).status_code == 404
    assert 'href="/workshop/bays/"' in manager.get(reverse("repairs:workshop_board")).content.decode()
