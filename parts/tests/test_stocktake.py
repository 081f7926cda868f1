"""Stock-take: the count sheet snapshots on-hand, approval posts one STOCKTAKE movement per difference, the
variance report values them at the average cost, and the ledger stays equal to on-hand."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db.models import Sum
from django.test import Client
from django.utils import translation

from core.models import TransitionEvent
from core.state import TransitionError, transition_events
from core.tests import helpers
from core.tests.helpers import raises_because
from parts.choices import MovementKind, StockTakeStatus
from parts.models import StockItem, StockMovement, StockTake, StockTakeLine
from parts.services import purchasing
from parts.services import stock as stock_services

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def stocked(buyer, oil_filter, brake_pads, item_of):
    """10 filters at 30 and 4 pads at 200 on hand."""
    filters, pads = item_of(oil_filter), item_of(brake_pads)
    stock_services.stock_receive(item=filters, quantity=D("10"), unit_cost=D("30"), by=buyer)
    stock_services.stock_receive(item=pads, quantity=D("4"), unit_cost=D("200"), by=buyer)
    return filters, pads


def snapshot():
    """Every stock-take and its lines, stock item and movement: equal before/after = nothing changed."""
    return helpers.snapshot(StockTake, StockTakeLine, StockItem, StockMovement)


def line_ids(stocktake):
    return {line.item_id: line.pk for line in stocktake.lines.all()}


def test_count_approve_and_variance(warehouse_a, buyer, stocked):
    filters, pads = stocked
    stocktake = purchasing.stocktake_open(warehouse=warehouse_a, by=buyer)
    assert sorted(stocktake.lines.values_list("item_id", "expected", "counted")) == [
        (filters.pk, D("10"), None),
        (pads.pk, D("4"), None),
    ]
    ids = line_ids(stocktake)
    stocktake = purchasing.stocktake_record_counts(stocktake=stocktake, counts={ids[filters.pk]: D("8")}, by=buyer)
    assert stocktake.status == StockTakeStatus.OPEN  # the pads are not counted yet
    with raises_because(ValidationError, "is not possible while"):
        purchasing.stocktake_approve(stocktake=stocktake, by=buyer)
    stocktake = purchasing.stocktake_record_counts(stocktake=stocktake, counts={ids[pads.pk]: D("5")}, by=buyer)
    assert stocktake.status == StockTakeStatus.COUNTED

    variance = purchasing.stocktake_variance(stocktake)
    assert [(line.item_id, line.difference, line.value) for line in variance["lines"]] == [
        (filters.pk, D("-2"), D("-60.00")),
        (pads.pk, D("1"), D("200.00")),
    ]
    assert (variance["gain"], variance["loss"], variance["net"]) == (D("200.00"), D("-60.00"), D("140.00"))

    stocktake = purchasing.stocktake_approve(stocktake=stocktake, by=buyer)
    assert stocktake.status == StockTakeStatus.APPROVED and stocktake.approved_by == buyer
    posted = StockMovement.objects.filter(kind=MovementKind.STOCKTAKE).order_by("item_id")
    assert list(posted.values_list("item_id", "quantity", "reason")) == [
        (filters.pk, D("-2"), f"盘点 {stocktake.pk}"),
        (pads.pk, D("1"), f"盘点 {stocktake.pk}"),
    ]
    for item in (filters, pads):
        item.refresh_from_db()
        assert item.on_hand == StockMovement.objects.filter(item=item).aggregate(total=Sum("quantity"))["total"]
    assert (filters.on_hand, pads.on_hand) == (D("8"), D("5"))
    call_command("stock_check", stdout=StringIO())
    with raises_because(ValidationError, "is not possible while"):  # approved once only
        purchasing.stocktake_approve(stocktake=stocktake, by=buyer)
    assert StockMovement.objects.filter(kind=MovementKind.STOCKTAKE).count() == 2


def test_no_difference_posts_nothing(warehouse_a, buyer, stocked):
    stocktake = purchasing.stocktake_open(warehouse=warehouse_a, by=buyer)
    counts = {line.pk: line.expected for line in stocktake.lines.all()}
    stocktake = purchasing.stocktake_record_counts(stocktake=stocktake, counts=counts, by=buyer)
    purchasing.stocktake_approve(stocktake=stocktake, by=buyer)
    assert StockMovement.objects.filter(kind=MovementKind.STOCKTAKE).count() == 0
    assert purchasing.stocktake_variance(stocktake)["net"] == 0


def test_refusals_change_nothing(warehouse_a, buyer, buyer_b, advisor_a, stocked):
    stocktake = purchasing.stocktake_open(warehouse=warehouse_a, by=buyer)
    ids = list(line_ids(stocktake).values())
    before = snapshot()
    with raises_because(ValidationError, "A stock-take of this warehouse is already under way: finish it first."):
        purchasing.stocktake_open(warehouse=warehouse_a, by=buyer)
    with raises_because(ValidationError, "A count cannot be negative."):
        purchasing.stocktake_record_counts(stocktake=stocktake, counts={ids[0]: D("-1")}, by=buyer)
    with raises_because(ValidationError, "Count only lines of this stock-take."):
        purchasing.stocktake_record_counts(stocktake=stocktake, counts={999999: D("1")}, by=buyer)
    for user, reason in (
        (buyer_b, "You cannot change the data of this dealer."),
        (advisor_a, "Your role may not do this."),
    ):
        with raises_because(PermissionDenied, reason):
            purchasing.stocktake_record_counts(stocktake=stocktake, counts={ids[0]: D("1")}, by=user)
        with raises_because(PermissionDenied, reason):
            purchasing.stocktake_open(warehouse=warehouse_a, by=user)
    assert snapshot() == before


def test_a_loss_that_would_eat_reserved_stock_is_refused_whole(warehouse_a, buyer, stocked, vehicle_a, advisor_a):
    from repairs import services as repair_services

    filters, pads = stocked
    order = repair_services.repair_order_open(
        vehicle=vehicle_a, by=advisor_a, customer_complaint="保养", job_type="maintenance"
    )
    line = repair_services.repair_order_add_line(
        order=order, by=advisor_a, kind="part", description="刹车片", quantity=D("4"), unit_price=D("300")
    )
    stock_services.stock_reserve(item=pads, line=line, quantity=D("4"), by=buyer)
    stocktake = purchasing.stocktake_open(warehouse=warehouse_a, by=buyer)
    ids = line_ids(stocktake)
    counts = {ids[filters.pk]: D("9"), ids[pads.pk]: D("3")}
    stocktake = purchasing.stocktake_record_counts(stocktake=stocktake, counts=counts, by=buyer)
    before = snapshot()
    with raises_because(ValidationError, "are reserved for repair orders: release them first."):
        purchasing.stocktake_approve(stocktake=stocktake, by=buyer)
    assert snapshot() == before  # the filter difference was not posted either


def test_stocktake_pages(warehouse_a, buyer, buyer_b, stocked):
    filters, pads = stocked
    client = Client()
    client.force_login(buyer)
    assert client.get("/parts/stocktakes/").status_code == 200
    response = client.post("/parts/stocktakes/open/", {"warehouse": warehouse_a.pk})
    stocktake = StockTake.objects.get()
    assert response.status_code == 302 and response.url == f"/parts/stocktakes/{stocktake.pk}/"
    assert client.post("/parts/stocktakes/open/", {"warehouse": warehouse_a.pk}).status_code == 400
    page = client.get(response.url)
    assert page.status_code == 200 and "count_form" in page.context
    ids = line_ids(stocktake)
    counts = {f"count_{ids[filters.pk]}": "10", f"count_{ids[pads.pk]}": "2"}
    assert client.post(f"{response.url}count/", counts).status_code == 302
    other = Client()
    other.force_login(buyer_b)
    assert other.get(response.url).status_code == 404
    assert other.post(f"{response.url}approve/").status_code == 404
    assert client.post(f"{response.url}approve/").status_code == 302
    pads.refresh_from_db()
    assert pads.on_hand == D("2") and StockTake.objects.get().status == StockTakeStatus.APPROVED
    page = client.get(response.url)
    assert page.context["variance"]["net"] == D("-400.00")
    call_command("stock_check", stdout=StringIO())


def test_movements_during_the_stocktake_are_no_variance(warehouse_a, buyer, stocked):
    """The shelf is not frozen: counts compare with the book quantity when they are entered."""
    filters, pads = stocked  # 10 filters, 4 pads
    stocktake = purchasing.stocktake_open(warehouse=warehouse_a, by=buyer)
    ids = line_ids(stocktake)
    # before the filters are counted, 3 go to the workshop and 5 arrive: 12 on the shelf and in the book
    stock_services.stock_adjust(item=filters, quantity=D("-3"), by=buyer, reason="领用")
    stock_services.stock_receive(item=filters, quantity=D("5"), unit_cost=D("30"), by=buyer)
    stocktake = purchasing.stocktake_record_counts(stocktake=stocktake, counts={ids[filters.pk]: D("11")}, by=buyer)
    line = StockTakeLine.objects.get(pk=ids[filters.pk])
    assert (line.expected, line.book_quantity, line.moved_since_start, line.counted, line.difference) == (
        D("10"), D("12"), D("2"), D("11"), D("-1"),
    )  # fmt: skip
    assert line.counted_at is not None
    # pads counted 3 of 4; then, before approval, 2 more pads arrive (after the count: not on the sheet)
    stocktake = purchasing.stocktake_record_counts(stocktake=stocktake, counts={ids[pads.pk]: D("3")}, by=buyer)
    stock_services.stock_receive(item=pads, quantity=D("2"), unit_cost=D("200"), by=buyer)
    assert [(x.item_id, x.difference) for x in purchasing.stocktake_variance(stocktake)["lines"]] == [
        (filters.pk, D("-1")),
        (pads.pk, D("-1")),
    ]
    purchasing.stocktake_approve(stocktake=stocktake, by=buyer)
    filters.refresh_from_db()
    pads.refresh_from_db()
    # 11 counted; 3 pads counted + 2 arrived after the count
    assert (filters.on_hand, pads.on_hand) == (D("11"), D("5"))
    assert sorted(StockMovement.objects.filter(kind=MovementKind.STOCKTAKE).values_list("quantity", flat=True)) == [
        D("-1"),
        D("-1"),
    ]
    call_command("stock_check", stdout=StringIO())


def test_a_recount_takes_the_book_quantity_of_the_new_count(warehouse_a, buyer, stocked):
    filters, _pads = stocked
    stocktake = purchasing.stocktake_open(warehouse=warehouse_a, by=buyer)
    line_id = line_ids(stocktake)[filters.pk]
    purchasing.stocktake_record_counts(stocktake=stocktake, counts={line_id: D("9")}, by=buyer)
    assert StockTakeLine.objects.get(pk=line_id).difference == D("-1")
    stock_services.stock_adjust(item=filters, quantity=D("-1"), by=buyer, reason="领用")
    purchasing.stocktake_record_counts(stocktake=stocktake, counts={line_id: D("9")}, by=buyer)
    line = StockTakeLine.objects.get(pk=line_id)
    assert (line.book_quantity, line.difference) == (D("9"), D("0"))
    assert line.history.count() == 3  # created, counted, counted again


def test_variance_report_export(warehouse_a, buyer, buyer_b, stocked):
    from io import BytesIO

    from openpyxl import load_workbook

    filters, pads = stocked
    stocktake = purchasing.stocktake_open(warehouse=warehouse_a, by=buyer)
    ids = line_ids(stocktake)
    stock_services.stock_adjust(item=filters, quantity=D("-2"), by=buyer, reason="领用")
    purchasing.stocktake_record_counts(
        stocktake=stocktake, counts={ids[filters.pk]: D("7"), ids[pads.pk]: D("4")}, by=buyer
    )
    client = Client()
    client.force_login(buyer)
    url = f"/parts/stocktakes/{stocktake.pk}/variance.xlsx"
    assert url in client.get(f"/parts/stocktakes/{stocktake.pk}/").content.decode()
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 1 + 1 + 3  # header, the filter line, gain / loss / net
    part_number, _name, _bin, expected, moved, book, counted, difference, _cost, value, _counted_at = rows[1]
    assert (part_number, expected, moved, book, counted, difference, value) == (
        "06A 115 561-B", 10, -2, 8, 7, -1, -30,
    )  # fmt: skip
    assert rows[-1][9] == -30  # net
    other = Client()
    other.force_login(buyer_b)
    assert other.get(url).status_code == 404


def with_events():
    """The snapshot and every state-machine event row."""
    return snapshot(), list(TransitionEvent.objects.values())


def test_each_count_and_the_approval_write_their_event_and_a_wrong_status_is_refused_and_changes_nothing(
    warehouse_a, buyer, stocked
):
    filters, pads = stocked
    stocktake = purchasing.stocktake_open(warehouse=warehouse_a, by=buyer)
    ids = line_ids(stocktake)
    with translation.override("en"):
        error = helpers.assert_refused(
            TransitionError, lambda: purchasing.stocktake_approve(stocktake=stocktake, by=buyer), state=with_events
        )
    assert error.message_dict == {
        "action": ["“Approve and post differences” is not possible while the document is “Counting”."]
    }
    stocktake = purchasing.stocktake_record_counts(stocktake=stocktake, counts={ids[filters.pk]: D("10")}, by=buyer)
    stocktake = purchasing.stocktake_record_counts(stocktake=stocktake, counts={ids[pads.pk]: D("4")}, by=buyer)
    stocktake = purchasing.stocktake_approve(stocktake=stocktake, by=buyer)
    assert list(transition_events(stocktake).values_list("action", "from_status", "to_status", "dealer")) == [
        ("count", "open", "open", warehouse_a.dealer_id),
        ("count", "open", "counted", warehouse_a.dealer_id),
        ("approve", "counted", "approved", warehouse_a.dealer_id),
    ]
    for move in (
        lambda: purchasing.stocktake_approve(stocktake=stocktake, by=buyer),
        lambda: purchasing.stocktake_record_counts(stocktake=stocktake, counts={ids[pads.pk]: D("5")}, by=buyer),
    ):
        with translation.override("en"):
            error = helpers.assert_refused(TransitionError, move, state=with_events)
        assert error.message_dict["action"][0].endswith("is not possible while the document is “Approved”.")
