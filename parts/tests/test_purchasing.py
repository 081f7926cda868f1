"""Purchase orders: on-order bookkeeping, receiving short / over / damaged, 开箱合格率, reorder suggestions,
the pages and the API, tenancy and query counts."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from core.models import TransitionEvent
from core.services import ConflictError
from core.state import TransitionError, transition_events
from core.tests import helpers
from core.tests.helpers import raises_because
from parts.choices import MovementKind, PurchaseOrderStatus
from parts.models import (
    GoodsReceipt,
    GoodsReceiptLine,
    PurchaseOrder,
    PurchaseOrderLine,
    StockItem,
    StockMovement,
    Supplier,
    Warehouse,
)
from parts.services import purchasing

pytestmark = pytest.mark.django_db
D = Decimal
API = "/api/v1/purchase-orders/"


def stock(item_of, part):
    item = item_of(part)
    return item.on_hand, item.on_order


def draft(warehouse, supplier, user, lines):
    po = purchasing.purchase_order_create(warehouse=warehouse, supplier=supplier, by=user)
    for part, quantity, cost in lines:
        purchasing.purchase_order_add_line(po=po, part=part, quantity=D(quantity), unit_cost=D(cost), by=user)
    return PurchaseOrder.objects.get(pk=po.pk)


def snapshot():
    """Every purchase order and line, stock item, movement and goods receipt: equal before/after = nothing changed."""
    return helpers.snapshot(PurchaseOrder, PurchaseOrderLine, StockItem, StockMovement, GoodsReceipt, GoodsReceiptLine)


@pytest.fixture
def sent_po(warehouse_a, supplier_a, buyer, oil_filter, brake_pads):
    po = draft(warehouse_a, supplier_a, buyer, [(oil_filter, "10", "30"), (brake_pads, "4", "200")])
    return purchasing.purchase_order_send(po=po, by=buyer, version=po.version)


def lines_of(po):
    return {line.part.number: line for line in po.lines.select_related("part")}


def test_a_purchase_order_from_draft_to_received(warehouse_a, supplier_a, buyer, oil_filter, brake_pads, item_of):
    po = draft(warehouse_a, supplier_a, buyer, [(oil_filter, "10", "30"), (brake_pads, "4", "200")])
    month = timezone.localtime().strftime("%Y%m")
    assert (po.number, po.status, po.version) == (f"PO-A001-{month}-0001", "draft", 3)
    assert po.expected_at == timezone.localdate() + timedelta(days=10)  # the supplier's lead time
    assert StockItem.objects.count() == 0  # nothing on order before it is sent

    po = purchasing.purchase_order_send(po=po, by=buyer, version=3)
    assert (po.status, po.version) == ("sent", 4) and po.sent_at is not None
    assert stock(item_of, oil_filter) == (D("0"), D("10")) and stock(item_of, brake_pads) == (D("0"), D("4"))

    lines = lines_of(po)
    receipt = purchasing.purchase_order_receive(
        po=po, by=buyer, version=4,
        lines=[{"po_line": lines["06A 115 561-B"], "received": D("6"), "damaged": D("1"), "note": "纸箱压坏"},
               {"po_line": lines["5QD 698 151"], "received": D("4"), "damaged": D("0")}],
    )  # fmt: skip
    po.refresh_from_db()
    assert (po.status, po.version) == ("partly_received", 5)
    assert stock(item_of, oil_filter) == (D("5"), D("5")) and stock(item_of, brake_pads) == (D("4"), D("0"))
    assert sorted(receipt.lines.values_list("quantity_received", "quantity_damaged", "short", "note")) == [
        (D("4"), D("0"), D("0"), ""),
        (D("6"), D("1"), D("5"), "纸箱压坏"),
    ]
    filter_line = PurchaseOrderLine.objects.get(po=po, part=oil_filter)
    assert (filter_line.received_quantity, filter_line.damaged_quantity, filter_line.outstanding) == (5, 1, 5)

    purchasing.purchase_order_receive(
        po=po, by=buyer, version=5, lines=[{"po_line": filter_line.pk, "received": D("5"), "damaged": D("0")}]
    )
    po.refresh_from_db()
    assert po.status == "received"
    assert stock(item_of, oil_filter) == (D("10"), D("0"))
    assert item_of(oil_filter).average_cost == D("30.0000")
    movements = StockMovement.objects.filter(kind=MovementKind.RECEIPT, reason=po.number)
    assert sorted(movements.values_list("quantity", flat=True)) == [D("4"), D("5"), D("5")]
    # 3 receipt lines, one with damage and shortage: 2 of 3 passed
    assert purchasing.inspection_pass_rate(GoodsReceiptLine.objects.filter(receipt__po=po)) == D("0.6667")
    with raises_because(ValidationError, "is not possible while"):  # nothing left to cancel
        purchasing.purchase_order_cancel(po=po, by=buyer, version=po.version)
    call_command("stock_check", stdout=StringIO())


def test_over_receipt_and_bad_quantities_are_refused_and_change_nothing(sent_po, buyer):
    line = lines_of(sent_po)["06A 115 561-B"]
    before = snapshot()
    with translation.override("en"), pytest.raises(ValidationError) as error:
        purchasing.purchase_order_receive(
            po=sent_po, by=buyer, version=sent_po.version, lines=[{"po_line": line, "received": D("11")}]
        )
    assert error.value.message_dict == {
        "lines": [
            "06A 115 561-B 机油滤清器: only 10 still outstanding; send the extra parts back or order them on a new "
            "purchase order."
        ]
    }
    # 12 arrived of which 2 damaged = 10 good: allowed in principle, but a second line is over: all refused
    pads = lines_of(sent_po)["5QD 698 151"]
    bad_batches = [
        (
            [{"po_line": line, "received": D("12"), "damaged": D("2")}, {"po_line": pads, "received": D("5")}],
            "only 4 still outstanding",
        ),
        ([{"po_line": line, "received": D("1"), "damaged": D("2")}], "damaged parts are part of the parts received."),
        ([{"po_line": line, "received": D("0")}], "Enter the quantity received of at least one line."),
        ([{"po_line": 999999, "received": D("1")}], f"Choose only lines of purchase order {sent_po}."),
    ]
    for batch, reason in bad_batches:
        with raises_because(ValidationError, reason):
            purchasing.purchase_order_receive(po=sent_po, by=buyer, version=sent_po.version, lines=batch)
    with pytest.raises(ConflictError):
        purchasing.purchase_order_receive(po=sent_po, by=buyer, version=1, lines=[{"po_line": line, "received": 1}])
    with raises_because(ValidationError, "is not possible while"):  # sent already
        purchasing.purchase_order_send(po=sent_po, by=buyer, version=sent_po.version)
    assert snapshot() == before


def test_damaged_parts_stay_outstanding_and_cancel_takes_the_rest_off_order(sent_po, buyer, oil_filter, item_of):
    line = lines_of(sent_po)["06A 115 561-B"]
    purchasing.purchase_order_receive(
        po=sent_po, by=buyer, version=sent_po.version, lines=[{"po_line": line, "received": D("10"), "damaged": 3}]
    )
    sent_po.refresh_from_db()
    assert sent_po.status == "partly_received" and stock(item_of, oil_filter) == (D("7"), D("3"))
    purchasing.purchase_order_cancel(po=sent_po, by=buyer, version=sent_po.version)
    sent_po.refresh_from_db()
    assert sent_po.status == "cancelled"
    assert StockItem.objects.filter(on_order__gt=0).count() == 0 and stock(item_of, oil_filter) == (D("7"), D("0"))


def test_a_draft_is_cancelled_without_touching_stock(warehouse_a, supplier_a, buyer, oil_filter):
    po = draft(warehouse_a, supplier_a, buyer, [(oil_filter, "2", "30")])
    purchasing.purchase_order_cancel(po=po, by=buyer, version=po.version)
    assert PurchaseOrder.objects.get(pk=po.pk).status == "cancelled" and StockItem.objects.count() == 0


def test_other_dealers_and_wrong_roles_cannot_purchase(sent_po, buyer_b, advisor_a, warehouse_a, supplier_a, dealer_b):
    before = snapshot()
    for user, reason in (
        (buyer_b, "You cannot change the data of this dealer."),
        (advisor_a, "Your role may not do this."),
    ):
        with raises_because(PermissionDenied, reason):
            purchasing.purchase_order_cancel(po=sent_po, by=user, version=sent_po.version)
        with raises_because(PermissionDenied, reason):
            purchasing.purchase_order_create(warehouse=warehouse_a, supplier=supplier_a, by=user)
    other = Supplier.objects.create(dealer=dealer_b, code="S09", name="乙店供应商")
    with raises_because(ValidationError, "The supplier and the warehouse belong to different dealers."):
        purchasing.purchase_order_create(warehouse=warehouse_a, supplier=other, by=sent_po.created_by)
    assert snapshot() == before


def test_inspection_pass_rate_on_hand_built_receipt_lines(sent_po, buyer):
    receipt = GoodsReceipt.objects.create(po=sent_po, received_at=timezone.now(), by=buyer)
    line = lines_of(sent_po)["06A 115 561-B"]
    rows = [(5, 0, 0), (5, 1, 0), (3, 0, 2), (4, 0, 0), (1, 0, 0)]  # received, damaged, short
    GoodsReceiptLine.objects.bulk_create(
        [GoodsReceiptLine(receipt=receipt, po_line=line, quantity_received=r, quantity_damaged=d, short=s)
         for r, d, s in rows]
    )  # fmt: skip
    assert purchasing.inspection_pass_rate(GoodsReceiptLine.objects.all()) == D("0.6000")  # 3 of 5
    assert purchasing.inspection_pass_rate(GoodsReceiptLine.objects.none()) is None


# --- reorder suggestions --------------------------------------------------------------------------------------


def issue(item, quantity, days_ago, user, now, kind=MovementKind.ISSUE):
    StockMovement.objects.create(
        item=item, kind=kind, quantity=D(quantity), unit_cost=D("10"), on_hand_after=D("0"),
        at=now - timedelta(days=days_ago), by=user,
    )  # fmt: skip


def test_reorder_suggestions_from_90_and_180_days_of_issues(
    warehouse_a, supplier_a, buyer, oil_filter, brake_pads, item_of, dealer_a
):
    now = timezone.now()
    filters, pads = item_of(oil_filter), item_of(brake_pads)
    spare = Warehouse.objects.create(dealer=dealer_a, code="WH02", name="副仓库")
    elsewhere = StockItem.objects.create(warehouse=spare, part=oil_filter)
    # filters: 45 issued in 90 days (0.5/day), 54 in 180 days (0.3/day) -> 0.5/day
    for quantity, days in [(-40, 5), (-5, 80), (-9, 120), (-100, 200)]:
        issue(filters, quantity, days, buyer, now)
    issue(filters, 50, 3, buyer, now, kind=MovementKind.RECEIPT)  # receipts are not demand
    issue(elsewhere, -500, 3, buyer, now)  # another warehouse
    # pads: 36 in 180 days only (0.2/day)
    issue(pads, -36, 150, buyer, now)
    StockItem.objects.filter(pk=filters.pk).update(on_hand=D("3"), on_order=D("2"))
    StockItem.objects.filter(pk=pads.pk).update(on_hand=D("5"))

    with CaptureQueriesContext(connection) as queries:
        suggestions = purchasing.reorder_suggestions(warehouse=warehouse_a, lead_time_days=10, today=now)
    assert len(queries) == 1
    # filters: 0.5 × (10 + 7) = 8.5 -> 9, minus (3 available + 2 on order) = 4; pads: 0.2 × 17 = 3.4 -> 4 ≤ 5
    assert [(s.item.part.number, s.issued_90, s.issued_180, s.daily_demand, s.target, s.quantity)
            for s in suggestions] == [("06A 115 561-B", 45, 54, D("0.500"), 9, 4)]  # fmt: skip
    # default lead time (7): pads 0.2 × 14 = 2.8 -> 3 ≤ 5, filters 0.5 × 14 = 7 -> 7 - 5 = 2
    assert [s.quantity for s in purchasing.reorder_suggestions(warehouse=warehouse_a, today=now)] == [2]

    StockItem.objects.filter(pk=filters.pk).update(average_cost=D("31.5"))
    po = purchasing.purchase_order_from_suggestions(
        warehouse=warehouse_a, supplier=supplier_a, items=[filters, pads], by=buyer
    )
    assert list(po.lines.values_list("part__number", "quantity", "unit_cost")) == [("06A 115 561-B", D("4"), D("31.5"))]


# --- pages ----------------------------------------------------------------------------------------------------


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_purchase_order_pages(warehouse_a, supplier_a, buyer, buyer_b, oil_filter, item_of):
    client = logged_in(buyer)
    assert client.get("/parts/purchase-orders/").status_code == 200
    response = client.post("/parts/purchase-orders/new/", {"warehouse": warehouse_a.pk, "supplier": supplier_a.pk})
    po = PurchaseOrder.objects.get()
    assert response.status_code == 302 and response.url == f"/parts/purchase-orders/{po.pk}/"
    url = response.url
    assert (
        client.post(f"{url}lines/", {"part_number": "06a115561b", "quantity": "3", "unit_cost": "30"}).status_code
        == 302
    )
    assert client.post(f"{url}lines/", {"part_number": "NOPE", "quantity": "3", "unit_cost": "30"}).status_code == 400
    assert client.post(f"{url}send/", {"version": 2}).status_code == 302
    page = client.get(url)
    assert page.status_code == 200 and "receive_form" in page.context
    line = po.lines.get()
    response = client.post(f"{url}receive/", {"version": 3, f"received_{line.pk}": "4", f"damaged_{line.pk}": "0"})
    assert response.status_code == 400 and stock(item_of, oil_filter) == (D("0"), D("3"))  # over-receipt refused
    response = client.post(f"{url}receive/", {"version": 3, f"received_{line.pk}": "3", f"damaged_{line.pk}": ""})
    assert response.status_code == 302 and stock(item_of, oil_filter) == (D("3"), D("0"))
    assert PurchaseOrder.objects.get().status == "received"
    assert '<dd id="pass-rate">100%</dd>' in client.get(url).content.decode()  # 1 of 1 receipt lines passed
    # another dealer's clerk: the order does not exist for them
    other = logged_in(buyer_b)
    assert other.get(url).status_code == 404
    assert other.post(f"{url}cancel/", {"version": 4}).status_code == 404
    assert PurchaseOrder.objects.get().status == "received"
    assert "PO-A001" not in other.get("/parts/purchase-orders/").content.decode()


def test_reorder_page_creates_a_purchase_order(warehouse_a, supplier_a, buyer, buyer_b, oil_filter, item_of):
    now = timezone.now()
    issue(item_of(oil_filter), -90, 10, buyer, now)  # 1/day -> 17 with this supplier
    client = logged_in(buyer)
    url = f"/parts/warehouses/{warehouse_a.pk}/reorder/"
    page = client.get(url, {"supplier": supplier_a.pk})
    assert page.status_code == 200 and [s.quantity for s in page.context["suggestions"]] == [17]
    response = client.post(url, {"supplier": supplier_a.pk, "items": [item_of(oil_filter).pk]})
    assert response.status_code == 302
    assert list(PurchaseOrder.objects.get().lines.values_list("quantity", flat=True)) == [D("17")]
    assert logged_in(buyer_b).get(url).status_code == 404


def add_orders(warehouse, supplier, user, part, count):
    start = PurchaseOrder.objects.count()
    for i in range(count):
        po = PurchaseOrder.objects.create(
            dealer_id=warehouse.dealer_id, warehouse=warehouse, supplier=supplier, number=f"PO-Q-{start + i:04d}",
            status=PurchaseOrderStatus.values[(start + i) % 5], created_at=timezone.now(), created_by=user,
        )  # fmt: skip
        PurchaseOrderLine.objects.create(po=po, part=part, quantity=D("2"), unit_cost=D("5"))


def count_queries(request) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = request()
    assert response.status_code == 200
    return len(queries)


def test_list_page_and_api_queries_do_not_grow_with_orders(warehouse_a, supplier_a, buyer, oil_filter, api_as):
    client, api = logged_in(buyer), api_as(buyer)
    add_orders(warehouse_a, supplier_a, buyer, oil_filter, 1)
    page, listed = count_queries(lambda: client.get("/parts/purchase-orders/")), count_queries(lambda: api.get(API))
    add_orders(warehouse_a, supplier_a, buyer, oil_filter, 9)
    assert count_queries(lambda: client.get("/parts/purchase-orders/")) == page
    assert count_queries(lambda: api.get(API)) == listed


# --- API ------------------------------------------------------------------------------------------------------


def ok(response, code=200):
    assert response.status_code == code, response.content
    return response.json()


def test_purchase_orders_through_the_api(api_en, warehouse_a, supplier_a, buyer, buyer_b, oil_filter, item_of):
    api = api_en(buyer)
    lines = [{"part": oil_filter.pk, "quantity": "5", "unit_cost": "30"}]
    created = api.post(API, {"warehouse": warehouse_a.pk, "supplier": supplier_a.pk, "lines": lines}, format="json")
    po = ok(created, 201)
    assert (po["status"], po["version"], len(po["lines"])) == ("draft", 2, 1)
    url = f"{API}{po['id']}/"
    po = ok(api.post(f"{url}send/", {"version": 2}, format="json"))
    assert po["status"] == "sent" and stock(item_of, oil_filter) == (D("0"), D("5"))
    line_id = po["lines"][0]["id"]
    response = api.post(
        f"{url}receive/", {"version": 3, "lines": [{"po_line": line_id, "received": "6"}]}, format="json"
    )
    assert response.status_code == 400 and "only 5 still outstanding" in response.json()["lines"][0]
    assert api.post(f"{url}send/", {"version": 1}, format="json").status_code == 409
    po = ok(api.post(f"{url}receive/", {"version": 3, "lines": [{"po_line": line_id, "received": "2", "damaged": "1"}]},
                     format="json"))  # fmt: skip
    assert (po["status"], po["lines"][0]["outstanding"]) == ("partly_received", "4.000")
    po = ok(api.post(f"{url}cancel/", {"version": po["version"]}, format="json"))
    assert po["status"] == "cancelled" and stock(item_of, oil_filter) == (D("1"), D("0"))
    assert ok(api.get(API))["count"] == 1

    other = api_en(buyer_b)
    assert other.get(url).status_code == 404 and ok(other.get(API))["count"] == 0
    assert other.post(f"{url}cancel/", {"version": po["version"]}, format="json").status_code == 404
    response = other.post(API, {"warehouse": warehouse_a.pk, "supplier": supplier_a.pk}, format="json")
    assert response.status_code == 400 and PurchaseOrder.objects.count() == 1


def with_events():
    """The snapshot and every state-machine event row."""
    return snapshot(), list(TransitionEvent.objects.values())


def test_every_move_writes_its_event_and_a_move_from_a_wrong_status_is_refused_and_changes_nothing(
    warehouse_a, supplier_a, buyer, oil_filter
):
    po = draft(warehouse_a, supplier_a, buyer, [(oil_filter, "2", "30")])
    po = purchasing.purchase_order_send(po=po, by=buyer, version=po.version)
    line = po.lines.get()
    purchasing.purchase_order_receive(po=po, by=buyer, version=po.version, lines=[{"po_line": line, "received": 1}])
    po.refresh_from_db()
    purchasing.purchase_order_receive(po=po, by=buyer, version=po.version, lines=[{"po_line": line, "received": 1}])
    po.refresh_from_db()
    assert list(transition_events(po).values_list("action", "from_status", "to_status", "by", "dealer")) == [
        ("send", "draft", "sent", buyer.pk, po.dealer_id),
        ("receive", "sent", "partly_received", buyer.pk, po.dealer_id),
        ("receive", "partly_received", "received", buyer.pk, po.dealer_id),
    ]
    assert [t.action for t in purchasing.PO_STATES.available_actions(po, buyer)] == []
    moves = {
        "send": lambda: purchasing.purchase_order_send(po=po, by=buyer, version=po.version),
        "cancel": lambda: purchasing.purchase_order_cancel(po=po, by=buyer, version=po.version),
        "receive": lambda: purchasing.purchase_order_receive(
            po=po, by=buyer, version=po.version, lines=[{"po_line": line, "received": 1}]
        ),
    }
    labels = {"send": "Send to supplier", "cancel": "Cancel", "receive": "Receive goods"}
    for action, move in moves.items():
        with translation.override("en"):
            error = helpers.assert_refused(TransitionError, move, state=with_events)
        assert error.message_dict == {
            "action": [f"“{labels[action]}” is not possible while the document is “Received”."]
        }
