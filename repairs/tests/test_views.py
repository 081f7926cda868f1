"""The order page, end to end through its forms, as each role uses it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from core.tests.factories import UserFactory, signature_data_url
from core.tests.helpers import login
from repairs.choices import RepairOrderStatus as S
from repairs.models import RepairOrder
from todo.models import Task

pytestmark = pytest.mark.django_db


def local(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def post(client, name, order, data, expect=302):
    response = client.post(reverse(f"repairs:{name}", args=[order.pk]), data)
    assert response.status_code == expect, response.content.decode()[-3000:]
    order.refresh_from_db()
    return response


def test_one_car_from_reception_to_delivery_through_the_order_page(dealer_a, vehicle_a, advisor_a):
    foreman = UserFactory(username="foreman", roles=[Role.FOREMAN], dealers=[dealer_a])
    tech = UserFactory(username="tech", roles=[Role.TECHNICIAN], dealers=[dealer_a])
    qc = UserFactory(username="qc", roles=[Role.QC_INSPECTOR], dealers=[dealer_a])
    desk, workshop, board, inspector = login(advisor_a), login(foreman), login(tech), login(qc)

    response = desk.post(
        reverse("repairs:repair_order_open", args=[vehicle_a.pk]),
        {"customer_complaint": "刹车异响", "job_type": "repair", "arrived_at": local(timezone.now())},
    )
    order = RepairOrder.objects.get()
    assert response["Location"] == order.get_absolute_url()
    assert desk.get(order.get_absolute_url()).status_code == 200

    promised = timezone.now() + timedelta(hours=4)
    checkin = {
        "version": order.version,
        "odometer_km": "23000",
        "fuel_level": "4",
        "walkaround_done": "on",
        "belongings_signed_by": "张三",
        "promised_at": local(promised),
        "documents_received": ["driving_licence"],
    }
    post(desk, "repair_order_checkin", order, checkin)
    post(desk, "repair_order_transition", order, {"action": "check_in", "version": order.version, "note": ""})
    assert order.status == S.CHECKED_IN
    vehicle_a.refresh_from_db()
    assert vehicle_a.mileage_km == 23000

    post(
        desk,
        "repair_order_line_add",
        order,
        {"kind": "labour", "description": "更换前刹车片", "quantity": "1.5", "payer": "customer", "part_source": "oem"},
    )
    post(
        desk,
        "repair_order_line_add",
        order,
        {
            "kind": "part",
            "description": "前刹车片",
            "quantity": "1",
            "unit_price": "420",
            "payer": "customer",
            "part_source": "non_oem",
        },
    )
    estimate = {
        "version": order.version,
        "job_type": "repair",
        "fault_category": "brakes",
        "customer_complaint": "刹车异响",
        "diagnosis": "前片磨损",
        "pricing_mode": "item",
        "risk_margin_pct": "0",
        "discount_pct": "0",
    }
    post(desk, "repair_order_estimate", order, estimate)
    post(desk, "repair_order_transition", order, {"action": "give_estimate", "version": order.version})
    page = desk.get(order.get_absolute_url()).content.decode()
    assert "quality not guaranteed" in page
    post(
        desk,
        "repair_order_approval",
        order,
        {
            "version": order.version,
            "approval_method": "signature",
            "approved_by_customer": "张三",
            "approval_signature": signature_data_url(),
        },
    )
    assert order.status == S.APPROVED

    labour = order.lines.get(kind="labour")
    post(workshop, "repair_order_assign", order, {"line": labour.pk, "technician": tech.pk})
    post(workshop, "repair_order_transition", order, {"action": "dispatch", "version": order.version})
    post(board, "repair_order_clock", order, {"line": labour.pk, "step": "on"})
    assert order.status == S.IN_REPAIR

    # Found in the workshop: the customer must approve before anyone works on it.
    post(
        board,
        "addition_raise",
        order,
        {
            "description": "更换刹车油",
            "reason": "含水量超标",
            "labour_hours": "0.5",
            "part_description": "DOT4 刹车油",
            "part_quantity": "1",
            "part_unit_price": "88",
        },
    )
    addition = order.additions.get()
    post(board, "repair_order_transition", order, {"action": "request_qc", "version": order.version}, expect=400)
    post(
        desk,
        "addition_decide",
        order,
        {
            "addition": addition.pk,
            "version": addition.version,
            "approved": "1",
            "decision_method": "phone",
            "decided_by_customer": "张三",
        },
    )
    extra = order.lines.get(addition=addition, kind="labour")
    post(workshop, "repair_order_assign", order, {"line": extra.pk, "technician": tech.pk})
    post(board, "repair_order_clock", order, {"line": labour.pk, "step": "done"})
    post(board, "repair_order_clock", order, {"line": extra.pk, "step": "on"})
    post(board, "repair_order_clock", order, {"line": extra.pk, "step": "done"})
    post(board, "repair_order_transition", order, {"action": "request_qc", "version": order.version})
    assert order.status == S.QC

    qc_items = {"item_fault_fixed": "on", "item_warning_lights": "on", "item_fitted_parts": "on", "item_no_leaks": "on"}
    post(inspector, "repair_order_qc", order, {"version": order.version, **qc_items}, expect=400)  # no job marked
    post(inspector, "repair_order_qc", order, {"version": order.version, **qc_items, f"rework_{labour.pk}": "on",
                                               f"reason_{labour.pk}": "座椅套未取"})  # fmt: skip
    assert order.status == S.IN_REPAIR
    # Only the job sent back is redone (the addition's job stays done).
    post(board, "repair_order_clock", order, {"line": extra.pk, "step": "on"}, expect=400)
    post(board, "repair_order_clock", order, {"line": labour.pk, "step": "on"})
    post(board, "repair_order_clock", order, {"line": labour.pk, "step": "done"})
    post(board, "repair_order_transition", order, {"action": "request_qc", "version": order.version})
    post(inspector, "repair_order_qc", order, {"version": order.version, **qc_items, "item_cleanliness": "on"})
    assert order.status == S.READY
    assert list(order.inspections.values_list("sequence", "passed")) == [(1, False), (2, True)]

    post(
        desk,
        "repair_order_deliver",
        order,
        {"version": order.version, "payment_method": "wechat_pay", "work_explained": "on"},
    )
    assert order.status == S.DELIVERED
    # (1.5 + 0.5) h × 180 + 420 + 88 = 868; VAT 13 % = 112.84
    assert str(order.settlement.grand_total) == "980.84"
    assert list(Task.objects.filter(repair_order=order).values_list("kind", flat=True)) == ["followup_first"]
    page = desk.get(order.get_absolute_url()).content.decode()
    assert order.settlement.invoice_number in page


def test_another_dealers_order_page_and_forms_are_404(dealer_b, advisor_a, advisor_b):
    from core.tests.factories import CustomerFactory, VehicleFactory
    from repairs import services

    vehicle_b = VehicleFactory(owner=CustomerFactory(dealer=dealer_b))
    order = services.repair_order_open(
        vehicle=vehicle_b, by=advisor_b, customer_complaint="保养", job_type="maintenance"
    )
    client = login(advisor_a)
    assert client.get(order.get_absolute_url()).status_code == 404
    for name in (
        "repair_order_checkin",
        "repair_order_estimate",
        "repair_order_line_add",
        "repair_order_transition",
        "repair_order_deliver",
        "repair_order_qc",
        "addition_raise",
    ):
        assert client.post(reverse(f"repairs:{name}", args=[order.pk]), {"version": 1}).status_code == 404, name
    order.refresh_from_db()
    assert order.version == 1 and order.status == S.OPEN


def _approved_order(vehicle, advisor):
    from decimal import Decimal

    from repairs import services

    order = services.repair_order_open(vehicle=vehicle, by=advisor, customer_complaint="异响", job_type="repair")
    order = services.repair_order_update_checkin(
        order=order, by=advisor, version=order.version, odometer_km=1000, fuel_level=4, walkaround_done=True,
        belongings_signed_by="客户", promised_at=timezone.now() + timedelta(hours=2),
    )  # fmt: skip
    order = services.repair_order_transition(order=order, action="check_in", by=advisor, version=order.version)
    services.repair_order_add_line(order=order, by=advisor, kind="labour", description="检查", quantity=Decimal("1"))
    order.refresh_from_db()
    order = services.repair_order_update_estimate(order=order, by=advisor, version=order.version, diagnosis="待查")
    order = services.repair_order_transition(order=order, action="give_estimate", by=advisor, version=order.version)
    return services.repair_order_record_approval(
        order=order, by=advisor, version=order.version, approval_method="phone", approved_by_customer="客户"
    )


def test_workshop_board_and_my_jobs(dealer_a, advisor_a, django_assert_max_num_queries):
    from core.tests.factories import CustomerFactory, VehicleFactory
    from repairs import services

    foreman = UserFactory(roles=[Role.FOREMAN], dealers=[dealer_a])
    tech = UserFactory(roles=[Role.TECHNICIAN], dealers=[dealer_a])
    orders = [_approved_order(VehicleFactory(owner=CustomerFactory(dealer=dealer_a)), advisor_a) for _ in range(3)]
    for order in orders[:2]:
        services.repair_order_assign(line=order.lines.get(), technician=tech, by=foreman)
    board = login(foreman)
    with django_assert_max_num_queries(12):
        page = board.get(reverse("repairs:workshop_board")).content.decode()
    assert page.count("board-card") == 3 and "not dispatched" in page
    orders.append(_approved_order(VehicleFactory(owner=CustomerFactory(dealer=dealer_a)), advisor_a))
    with django_assert_max_num_queries(12):
        assert board.get(reverse("repairs:workshop_board")).content.decode().count("board-card") == 4

    order = orders[0]
    order.refresh_from_db()
    services.repair_order_transition(order=order, action="dispatch", by=foreman, version=order.version)
    jobs_page = login(tech).get(reverse("repairs:my_jobs")).content.decode()
    assert order.number in jobs_page and orders[1].number not in jobs_page  # orders[1] not dispatched yet
    response = login(tech).post(
        reverse("repairs:repair_order_clock", args=[order.pk]),
        {"line": order.lines.get().pk, "step": "on", "next": reverse("repairs:my_jobs")},
    )
    assert response["Location"] == reverse("repairs:my_jobs")
    order.refresh_from_db()
    assert order.status == "in_repair"
    assert login(advisor_a).get(reverse("repairs:my_jobs")).status_code == 404  # not a technician


def test_service_desk_day(dealer_a, advisor_a, django_assert_max_num_queries):
    from core.tests.factories import CustomerFactory, VehicleFactory
    from repairs import services
    from todo.services import task_create

    orders = [_approved_order(VehicleFactory(owner=CustomerFactory(dealer=dealer_a)), advisor_a) for _ in range(2)]
    late = orders[0]
    RepairOrder.objects.filter(pk=late.pk).update(promised_at=timezone.now() - timedelta(minutes=5))
    tech = UserFactory(roles=[Role.TECHNICIAN], dealers=[dealer_a])
    foreman = UserFactory(roles=[Role.FOREMAN], dealers=[dealer_a])
    other = orders[1]
    services.repair_order_assign(line=other.lines.get(), technician=tech, by=foreman)
    other.refresh_from_db()
    services.repair_order_transition(order=other, action="dispatch", by=foreman, version=other.version)
    services.labour_clock_on(line=other.lines.get(), by=tech)
    services.addition_raise(
        order=other,
        by=tech,
        description="更换雨刮",
        reason="老化",
        lines=[{"kind": "labour", "description": "雨刮", "quantity": 1}],
    )
    task_create(dealer=dealer_a, kind="other", title="回电客户张先生", due_at=timezone.now(), role=Role.SERVICE_ADVISOR)
    client = login(advisor_a)
    with django_assert_max_num_queries(16):
        page = client.get(reverse("dashboards:desk")).content.decode()
    assert late.number in page and "更换雨刮" in page and "回电客户张先生" in page
    assert page.index('id="late"') < page.index(late.number)


def test_repair_order_list_page_query_count_does_not_grow(dealer_a, advisor_a, django_assert_max_num_queries):
    from core.tests.factories import CustomerFactory, VehicleFactory
    from repairs import services

    client = login(advisor_a)

    def open_orders(n):
        for _ in range(n):
            vehicle = VehicleFactory(owner=CustomerFactory(dealer=dealer_a))
            services.repair_order_open(vehicle=vehicle, by=advisor_a, customer_complaint="保养", job_type="maintenance")

    open_orders(2)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("repairs:repair_order_list")).status_code == 200
    open_orders(15)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("repairs:repair_order_list") + "?status=open").content.decode()
    assert page.count("/repair-orders/") >= 17
