"""The repair-order API: one car through every step, and every endpoint closed to other dealers."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.choices import Role
from core.tests.factories import CustomerFactory, UserFactory, VehicleFactory
from repairs import services
from repairs.models import RepairOrder

pytestmark = pytest.mark.django_db
URL = "/api/v1/repair-orders/"


def ok(response, code=200):
    assert response.status_code == code, response.json()
    return response.json()


def test_one_car_through_the_api(api_en, dealer_a, vehicle_a, advisor_a):
    tech = UserFactory(roles=[Role.TECHNICIAN], dealers=[dealer_a])
    foreman = UserFactory(roles=[Role.FOREMAN], dealers=[dealer_a])
    qc = UserFactory(roles=[Role.QC_INSPECTOR], dealers=[dealer_a])
    desk, workshop, board, inspector = api_en(advisor_a), api_en(foreman), api_en(tech), api_en(qc)

    order = ok(desk.post(URL, {"vehicle": vehicle_a.pk, "customer_complaint": "保养", "job_type": "maintenance"}), 201)
    url = f"{URL}{order['id']}/"
    promised = (timezone.now() + timedelta(hours=3)).isoformat()
    order = ok(desk.post(f"{url}check-in/", {"version": order["version"], "odometer_km": 15000, "fuel_level": 8,
                                              "walkaround_done": True, "belongings_signed_by": "张三",
                                              "promised_at": promised}, format="json"))  # fmt: skip
    order = ok(desk.post(f"{url}transitions/", {"action": "check_in", "version": order["version"]}, format="json"))
    assert order["status"] == "checked_in" and order["events"][0]["action"] == "check_in"
    line = ok(desk.post(f"{url}lines/", {"kind": "labour", "description": "常规保养", "quantity": "1.0"}), 201)
    assert line["unit_price"] == "180.00" and line["amount"] == "180.00"
    order = ok(desk.post(f"{url}estimate/", {"version": order["version"] + 0, "diagnosis": "到期保养"}, format="json"))
    order = ok(desk.post(f"{url}transitions/", {"action": "give_estimate", "version": order["version"]}, format="json"))
    order = ok(desk.post(f"{url}approval/", {"version": order["version"], "approval_method": "phone",
                                             "approved_by_customer": "张三"}, format="json"))  # fmt: skip
    assert order["status"] == "approved" and order["approved_total"] == "203.40"

    order = ok(workshop.post(f"{url}assign/", {"line": line["id"], "technician": tech.pk}, format="json"))
    order = ok(workshop.post(f"{url}transitions/", {"action": "dispatch", "version": order["version"]}, format="json"))
    order = ok(board.post(f"{url}clock/", {"line": line["id"], "step": "on"}, format="json"))
    assert order["status"] == "in_repair"
    order = ok(board.post(f"{url}clock/", {"line": line["id"], "step": "done"}, format="json"))
    order = ok(board.post(f"{url}transitions/", {"action": "request_qc", "version": order["version"]}, format="json"))
    results = {code: True for code, _label in services.qc_checklist(RepairOrder.objects.get(pk=order["id"]))}
    order = ok(inspector.post(f"{url}qc/", {"version": order["version"], "results": results}, format="json"))
    assert order["status"] == "ready" and order["inspections"][0]["passed"] is True
    order = ok(desk.post(f"{url}deliver/", {"version": order["version"], "payment_method": "alipay",
                                            "work_explained": True}, format="json"))  # fmt: skip
    assert order["status"] == "delivered"
    assert order["settlement"]["customer_total"] == "203.40"
    assert order["settlement"]["next_service_due_km"] == 20000


def test_a_bare_deliver_transition_without_a_settlement_is_refused(api_en, dealer_a, vehicle_a, advisor_a):
    from repairs.tests.factories import make_order

    order = make_order(vehicle_a, advisor_a, status="ready")
    response = api_en(advisor_a).post(
        f"{URL}{order.pk}/transitions/", {"action": "deliver", "version": order.version}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"action": ["Settle the invoice first (payment method, amounts)."]}
    order.refresh_from_db()
    assert order.status == "ready" and not hasattr(order, "settlement")


def test_every_repair_order_endpoint_is_404_for_another_dealer(api_en, advisor_a, advisor_b, dealer_b):
    vehicle_b = VehicleFactory(owner=CustomerFactory(dealer=dealer_b))
    order = services.repair_order_open(vehicle=vehicle_b, by=advisor_b, customer_complaint="x", job_type="repair")
    api = api_en(advisor_a)
    assert api.get(f"{URL}{order.pk}/").status_code == 404
    assert ok(api.get(URL))["count"] == 0
    for action in ("check-in", "estimate", "approval", "lines", "transitions", "assign", "clock", "additions", "qc",
                   "deliver", "comeback", "not-a-comeback"):  # fmt: skip
        assert api.post(f"{URL}{order.pk}/{action}/", {"version": 1}, format="json").status_code == 404, action
    # Opening an order for another dealer's vehicle is a field error, like an unknown vehicle.
    response = api.post(URL, {"vehicle": vehicle_b.pk, "customer_complaint": "x", "job_type": "repair"})
    assert response.status_code == 400 and "vehicle" in response.json()
    order.refresh_from_db()
    assert (order.version, RepairOrder.objects.count()) == (1, 1)


def test_list_query_count_does_not_grow_with_orders(api_en, dealer_a, advisor_a, django_assert_max_num_queries):
    api = api_en(advisor_a)

    def open_orders(n):
        for _ in range(n):
            vehicle = VehicleFactory(owner=CustomerFactory(dealer=dealer_a))
            services.repair_order_open(vehicle=vehicle, by=advisor_a, customer_complaint="x", job_type="repair")

    open_orders(2)
    with django_assert_max_num_queries(8):
        assert ok(api.get(URL))["count"] == 2
    open_orders(20)
    with django_assert_max_num_queries(8):
        assert ok(api.get(URL))["count"] == 22
