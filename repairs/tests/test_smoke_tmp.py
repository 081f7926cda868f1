import pytest
from decimal import Decimal
from datetime import timedelta
from django.utils import timezone
from accounts.choices import Role
from core.tests.factories import UserFactory
from repairs import services
from repairs.choices import LineKind

@pytest.mark.django_db
def test_flow(dealer_a, vehicle_a, advisor_a):
    foreman = UserFactory(roles=[Role.FOREMAN], dealers=[dealer_a])
    tech = UserFactory(roles=[Role.TECHNICIAN], dealers=[dealer_a])
    qc = UserFactory(roles=[Role.QC_INSPECTOR], dealers=[dealer_a])
    o = services.repair_order_open(vehicle=vehicle_a, by=advisor_a, customer_complaint="刹车异响", job_type="repair")
    assert o.number.startswith("A001-")
    o = services.repair_order_update_checkin(order=o, by=advisor_a, version=o.version, odometer_km=12000, fuel_level=4, walkaround_done=True, belongings_signed_by="张三", promised_at=timezone.now()+timedelta(hours=3))
    o = services.repair_order_transition(order=o, action="check_in", by=advisor_a, version=o.version)
    services.repair_order_add_line(order=o, by=advisor_a, kind=LineKind.LABOUR, description="更换前刹车片", quantity=Decimal("1.5"))
    services.repair_order_add_line(order=o, by=advisor_a, kind=LineKind.PART, description="前刹车片", quantity=Decimal("1"), unit_price=Decimal("420"))
    o.refresh_from_db()
    o = services.repair_order_update_estimate(order=o, by=advisor_a, version=o.version, diagnosis="前刹车片磨损到极限")
    o = services.repair_order_transition(order=o, action="give_estimate", by=advisor_a, version=o.version)
    o = services.repair_order_record_approval(order=o, by=advisor_a, version=o.version, approval_method="signature", approved_by_customer="张三")
    assert o.approved_total == Decimal("779.70")  # (1.5 h × 180 + 420) × 1.13
    o = services.repair_order_transition(order=o, action="dispatch", by=foreman, version=o.version)
    o = services.repair_order_transition(order=o, action="start_repair", by=tech, version=o.version)
    o = services.repair_order_transition(order=o, action="request_qc", by=tech, version=o.version)
    o = services.repair_order_transition(order=o, action="qc_fail", by=qc, version=o.version, note="异响仍在")
    o = services.repair_order_transition(order=o, action="request_qc", by=tech, version=o.version)
    o = services.repair_order_transition(order=o, action="qc_pass", by=qc, version=o.version)
    o = services.repair_order_transition(order=o, action="deliver", by=advisor_a, version=o.version)
    assert o.status == "delivered"
    assert [e.action for e in o.events.all()] == ["check_in","give_estimate","approve","dispatch","start_repair","request_qc","qc_fail","request_qc","qc_pass","deliver"]
