"""Real concurrent transactions on PostgreSQL: a PO line received twice at once, a stock-take approved while a
part is issued. Whatever the interleaving: no double receipt, nothing received beyond what was ordered, no
movement lost, on-hand equal to the ledger."""

import threading
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.db.models import Sum

from core.services import ConflictError
from parts.choices import MovementKind, PurchaseOrderStatus, ReservationStatus, StockTakeStatus
from parts.models import GoodsReceipt, GoodsReceiptLine, PurchaseOrder, StockItem, StockMovement, StockReservation
from parts.services import purchasing
from parts.services import stock as stock_services
from repairs import services as repair_services

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]
D = Decimal


def ledger_sum(item) -> Decimal:
    return StockMovement.objects.filter(item=item).aggregate(total=Sum("quantity"))["total"] or D("0")


def run_at_once(*jobs) -> list[str]:
    """Start every job at the same moment in its own thread (own connection); return their outcomes."""
    barrier = threading.Barrier(len(jobs))
    outcomes, lock = [], threading.Lock()

    def run(job):
        try:
            barrier.wait(timeout=10)
            result = job()
        except ConflictError:
            result = "conflict"
        except ValidationError as exc:
            result = f"refused: {exc.messages}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(outcomes) == len(jobs), "a thread hung"
    return sorted(outcomes)


@pytest.fixture
def sent_po(warehouse_a, supplier_a, buyer, oil_filter):
    po = purchasing.purchase_order_create(warehouse=warehouse_a, supplier=supplier_a, by=buyer)
    purchasing.purchase_order_add_line(po=po, part=oil_filter, quantity=D("10"), unit_cost=D("30"), by=buyer)
    po.refresh_from_db()
    return purchasing.purchase_order_send(po=po, by=buyer, version=po.version)


def test_the_same_delivery_entered_twice_at_once_is_received_once(sent_po, buyer, oil_filter, item_of):
    line = sent_po.lines.get()
    version = sent_po.version

    def receive():
        purchasing.purchase_order_receive(
            po=sent_po, by=buyer, version=version, lines=[{"po_line": line.pk, "received": D("10")}]
        )
        return "received"

    assert run_at_once(receive, receive) == ["conflict", "received"]
    item = item_of(oil_filter)
    line.refresh_from_db()
    assert (item.on_hand, item.on_order, line.received_quantity) == (D("10"), D("0"), D("10"))
    assert PurchaseOrder.objects.get().status == PurchaseOrderStatus.RECEIVED
    assert GoodsReceipt.objects.count() == GoodsReceiptLine.objects.count() == 1
    assert StockMovement.objects.filter(kind=MovementKind.RECEIPT).count() == 1 and ledger_sum(item) == D("10")


def test_two_clerks_receiving_a_line_who_retry_on_conflict_never_over_receive(sent_po, buyer, oil_filter, item_of):
    line = sent_po.lines.get()

    def receive_six():
        version = sent_po.version
        for _attempt in range(2):  # a clerk who is told someone saved first reloads and tries again
            try:
                purchasing.purchase_order_receive(
                    po=sent_po, by=buyer, version=version, lines=[{"po_line": line.pk, "received": D("6")}]
                )
                return "received"
            except ConflictError:
                version = PurchaseOrder.objects.get(pk=sent_po.pk).version
        return "conflict"

    outcomes = run_at_once(receive_six, receive_six)
    assert outcomes[0] == "received" and outcomes[1].startswith("refused")  # only 4 still outstanding
    item = item_of(oil_filter)
    line.refresh_from_db()
    assert (item.on_hand, item.on_order, line.received_quantity, line.outstanding) == (D("6"), D("4"), D("6"), 4)
    assert PurchaseOrder.objects.get().status == PurchaseOrderStatus.PARTLY_RECEIVED
    assert GoodsReceipt.objects.count() == 1 and ledger_sum(item) == item.on_hand
    call_command("stock_check", stdout=StringIO())


def test_approving_a_stocktake_while_a_part_is_issued_loses_nothing(
    warehouse_a, buyer, oil_filter, item_of, vehicle_a, advisor_a
):
    item = item_of(oil_filter)
    stock_services.stock_receive(item=item, quantity=D("10"), unit_cost=D("30"), by=buyer)
    order = repair_services.repair_order_open(
        vehicle=vehicle_a, by=advisor_a, customer_complaint="保养", job_type="maintenance"
    )
    line = repair_services.repair_order_add_line(
        order=order, by=advisor_a, kind="part", description="机油滤清器", quantity=D("2"), unit_price=D("58")
    )
    reservation = stock_services.stock_reserve(item=item, line=line, quantity=D("2"), by=buyer)
    stocktake = purchasing.stocktake_open(warehouse=warehouse_a, by=buyer)
    sheet_line = stocktake.lines.get()
    stocktake = purchasing.stocktake_record_counts(stocktake=stocktake, counts={sheet_line.pk: D("9")}, by=buyer)
    assert stocktake.status == StockTakeStatus.COUNTED  # one missing: −1 to post

    def approve():
        purchasing.stocktake_approve(stocktake=stocktake, by=buyer)
        return "approved"

    def issue():
        stock_services.stock_issue(reservation=reservation, by=buyer)
        return "issued"

    assert run_at_once(approve, issue) == ["approved", "issued"]
    item.refresh_from_db()
    # 10 received − 1 missing − 2 issued, in whichever order they ran
    assert (item.on_hand, item.reserved) == (D("7"), D("0")) and ledger_sum(item) == D("7")
    assert sorted(StockMovement.objects.filter(item=item).values_list("kind", "quantity")) == [
        (MovementKind.ISSUE, D("-2")),
        (MovementKind.RECEIPT, D("10")),
        (MovementKind.STOCKTAKE, D("-1")),
    ]
    assert StockReservation.objects.get().status == ReservationStatus.ISSUED
    call_command("stock_check", stdout=StringIO())


def test_a_stocktake_loss_that_would_eat_stock_being_issued_is_refused_whole(
    warehouse_a, buyer, oil_filter, brake_pads, item_of, vehicle_a, advisor_a
):
    """Counted 1 of 10 while 2 are reserved: whether the issue runs first or not, the approval cannot post −9."""
    item, pads = item_of(oil_filter), item_of(brake_pads)
    stock_services.stock_receive(item=item, quantity=D("10"), unit_cost=D("30"), by=buyer)
    stock_services.stock_receive(item=pads, quantity=D("4"), unit_cost=D("200"), by=buyer)
    order = repair_services.repair_order_open(
        vehicle=vehicle_a, by=advisor_a, customer_complaint="保养", job_type="maintenance"
    )
    line = repair_services.repair_order_add_line(
        order=order, by=advisor_a, kind="part", description="机油滤清器", quantity=D("2"), unit_price=D("58")
    )
    reservation = stock_services.stock_reserve(item=item, line=line, quantity=D("2"), by=buyer)
    stocktake = purchasing.stocktake_open(warehouse=warehouse_a, by=buyer)
    counts = {sheet.pk: D("1") if sheet.item_id == item.pk else D("3") for sheet in stocktake.lines.all()}
    stocktake = purchasing.stocktake_record_counts(stocktake=stocktake, counts=counts, by=buyer)

    def approve():
        purchasing.stocktake_approve(stocktake=stocktake, by=buyer)
        return "approved"

    def issue():
        stock_services.stock_issue(reservation=reservation, by=buyer)
        return "issued"

    outcomes = run_at_once(approve, issue)
    assert outcomes[0] == "issued" and outcomes[1].startswith("refused")
    item.refresh_from_db()
    pads.refresh_from_db()
    assert (item.on_hand, item.reserved, pads.on_hand) == (D("8"), D("0"), D("4"))  # the pads' −1 not posted either
    assert not StockMovement.objects.filter(kind=MovementKind.STOCKTAKE).exists()
    assert ledger_sum(item) == D("8") and StockItem.objects.get(pk=item.pk).on_hand == D("8")
    call_command("stock_check", stdout=StringIO())
