"""The demo visits are consistent with what the services would have recorded, and differ between dealers."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Q
from django.utils import timezone

from repairs.models import RepairOrder, RepairOrderEvent, Settlement
from repairs.services import repair_order_totals

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    """Three dealers, four months: enough for every kind of visit, loaded once for the checks below."""
    call_command("demo_data", "--force", "--dealers", "3", "--months", "4", "--seed", "5", stdout=StringIO())


def test_demo_orders_are_consistent_and_dealers_differ(demo):
    now = timezone.now()
    orders = RepairOrder.objects.select_related("settlement").prefetch_related("lines__addition", "events")
    assert orders.count() > 300
    for order in orders:
        events = list(order.events.all())
        assert order.version == len(events) + 1
        assert all(e.at <= now for e in events) and order.opened_at <= now and order.arrived_at <= order.opened_at
        assert [e.at for e in events] == sorted(e.at for e in events)
        if events:
            assert events[-1].to_status == order.status
        if order.status == "delivered":
            assert order.settlement.grand_total == repair_order_totals(order=order).total
            assert order.delivered_at >= order.ready_at >= order.repair_started_at >= order.approved_at
        else:
            assert not hasattr(order, "settlement") or order.settlement is None
    assert RepairOrderEvent.objects.filter(at__gt=now).count() == 0
    assert Settlement.objects.count() == RepairOrder.objects.filter(status="delivered").count()

    # Comebacks follow the rule: same vehicle, same fault category, within 30 days of delivery.
    comebacks = RepairOrder.objects.filter(comeback_of__isnull=False).select_related("comeback_of")
    assert comebacks.exists()
    for order in comebacks:
        earlier = order.comeback_of
        assert earlier.vehicle_id == order.vehicle_id and earlier.fault_category == order.fault_category
        assert earlier.delivered_at <= order.arrived_at <= earlier.delivered_at + timedelta(days=30)

    # The dealers' quality profiles show: late deliveries rise from GZ01 to SH01.
    rates = {
        row["dealer__code"]: row["late"] / row["delivered"]
        for row in RepairOrder.objects.filter(status="delivered")
        .values("dealer__code")
        .annotate(delivered=Count("id"), late=Count("id", filter=Q(delivered_at__gt=F("promised_at"))))
    }
    assert rates["GZ01"] < rates["SZ01"] < rates["SH01"]

    # Parts: demo part lines issued from stock keep every ledger whole, and give a fill rate (F1) to report.
    from parts.models import StockReservation

    call_command("stock_check", stdout=StringIO())
    issued = StockReservation.objects.filter(status="issued")
    assert issued.exists() and all(r.issued_at >= r.requested_at for r in issued)
