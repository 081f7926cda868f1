"""The stock ledger: on-hand is the sum of movements, never negative, and reservations never oversell."""

import threading
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Sum
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.choices import Role
from core.tests.factories import UserFactory
from core.tests.helpers import raises_because
from parts.choices import MovementKind, ReservationStatus
from parts.models import Part, StockItem, StockMovement, Warehouse
from parts.services import stock as stock_services
from repairs import services as repair_services

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def clerk(dealer_a):
    return UserFactory(username="parts_a", roles=[Role.PARTS_CLERK], dealers=[dealer_a])


@pytest.fixture
def item(dealer_a):
    warehouse = Warehouse.objects.create(dealer=dealer_a, code="WH01", name="主仓库")
    part = Part.objects.create(brand="大众", number="06A 115 561-B", name="机油滤清器", unit="pcs")
    return StockItem.objects.create(warehouse=warehouse, part=part)


@pytest.fixture
def part_line(vehicle_a, advisor_a):
    order = repair_services.repair_order_open(
        vehicle=vehicle_a, by=advisor_a, customer_complaint="保养", job_type="maintenance"
    )
    return repair_services.repair_order_add_line(
        order=order, by=advisor_a, kind="part", description="机油滤清器", quantity=D("1"), unit_price=D("58")
    )


def ledger_sum(item) -> Decimal:
    return StockMovement.objects.filter(item=item).aggregate(total=Sum("quantity"))["total"] or D("0")


def test_part_numbers_are_normalised_for_search(item):
    assert item.part.number_key == "06A115561B"


def test_receipts_keep_a_moving_average_cost(item, clerk):
    stock_services.stock_receive(item=item, quantity=D("10"), unit_cost=D("30"), by=clerk)
    stock_services.stock_receive(item=item, quantity=D("5"), unit_cost=D("36"), by=clerk)
    item.refresh_from_db()
    assert (item.on_hand, item.average_cost) == (D("15"), D("32.0000"))  # (10×30 + 5×36) / 15
    assert ledger_sum(item) == item.on_hand


def test_stock_never_goes_negative_and_a_refusal_changes_nothing(item, clerk):
    stock_services.stock_receive(item=item, quantity=D("2"), unit_cost=D("30"), by=clerk)
    with translation.override("en"), pytest.raises(ValidationError) as error:
        stock_services.stock_adjust(item=item, quantity=D("-3"), by=clerk, reason="破损")
    assert error.value.message_dict == {"quantity": ["Only 2 piece of 06A 115 561-B 机油滤清器 on hand."]}
    item.refresh_from_db()
    assert item.on_hand == D("2") and StockMovement.objects.filter(item=item).count() == 1
    with raises_because(ValidationError, "Say why the stock is adjusted."):
        stock_services.stock_adjust(item=item, quantity=D("-1"), by=clerk, reason="  ")
    assert StockMovement.objects.filter(item=item).count() == 1


def test_reserve_issue_return_and_release(item, clerk, part_line):
    stock_services.stock_receive(item=item, quantity=D("3"), unit_cost=D("30"), by=clerk)
    reservation = stock_services.stock_reserve(item=item, line=part_line, quantity=D("2"), by=clerk)
    item.refresh_from_db()
    assert (item.on_hand, item.reserved, item.available) == (D("3"), D("2"), D("1"))
    with raises_because(ValidationError, "Only 1 available (3 on hand, 2 reserved)"):
        stock_services.stock_reserve(item=item, line=part_line, quantity=D("2"), by=clerk)
    with raises_because(ValidationError, "2 are reserved for repair orders: release them first."):
        stock_services.stock_adjust(item=item, quantity=D("-2"), by=clerk, reason="盘亏")
    movement = stock_services.stock_issue(reservation=reservation, by=clerk)
    reservation.refresh_from_db()
    item.refresh_from_db()
    assert (item.on_hand, item.reserved) == (D("1"), D("0"))
    assert movement.kind == MovementKind.ISSUE and movement.repair_order_line == part_line
    assert reservation.status == ReservationStatus.ISSUED and reservation.issued_at >= reservation.requested_at
    with raises_because(ValidationError, "This reservation is already Issued."):
        stock_services.stock_issue(reservation=reservation, by=clerk)
    with raises_because(ValidationError, "At most 2 were issued to this line."):
        stock_services.stock_return(item=item, line=part_line, quantity=D("3"), by=clerk)
    stock_services.stock_return(item=item, line=part_line, quantity=D("1"), by=clerk)
    second = stock_services.stock_reserve(item=item, line=part_line, quantity=D("1"), by=clerk)
    stock_services.stock_release(reservation=second, by=clerk)
    item.refresh_from_db()
    assert (item.on_hand, item.reserved) == (D("2"), D("0"))
    assert ledger_sum(item) == item.on_hand
    call_command("stock_check", stdout=StringIO())


def test_only_the_dealers_parts_staff_change_its_stock(item, advisor_b, dealer_a):
    technician = UserFactory(roles=[Role.TECHNICIAN], dealers=[dealer_a])
    for user, reason in ((advisor_b, "You cannot change the data of this dealer."),
                         (technician, "Your role may not change the stock.")):  # fmt: skip
        with raises_because(PermissionDenied, reason):
            stock_services.stock_receive(item=item, quantity=D("1"), unit_cost=D("1"), by=user)
    assert StockMovement.objects.count() == 0


def test_stock_check_finds_an_item_that_does_not_match_its_ledger(item, clerk):
    stock_services.stock_receive(item=item, quantity=D("4"), unit_cost=D("10"), by=clerk)
    StockItem.objects.filter(pk=item.pk).update(on_hand=D("5"))  # a change that bypassed the ledger
    with pytest.raises(CommandError) as error:
        call_command("stock_check", stdout=StringIO(), stderr=StringIO())
    assert error.value.returncode == 1


OPERATION = st.one_of(
    st.tuples(st.just("receive"), st.integers(1, 20)),
    st.tuples(st.just("adjust"), st.integers(-25, 25).filter(bool)),
    st.tuples(st.just("reserve"), st.integers(1, 10)),
    st.tuples(st.just("release"), st.integers(0, 5)),
    st.tuples(st.just("issue"), st.integers(0, 5)),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(OPERATION, min_size=1, max_size=25))
def test_any_sequence_of_operations_keeps_the_ledger_invariant(dealer_a, clerk, part_line, operations):
    warehouse, _ = Warehouse.objects.get_or_create(dealer=dealer_a, code="WH01", defaults={"name": "主仓库"})
    part = Part.objects.create(number=f"P{Part.objects.count()}", name="测试件")
    item = StockItem.objects.create(warehouse=warehouse, part=part)
    reservations = []
    for name, amount in operations:
        before = StockItem.objects.get(pk=item.pk)
        count = StockMovement.objects.filter(item=item).count()
        try:
            if name == "receive":
                stock_services.stock_receive(item=item, quantity=D(amount), unit_cost=D("12.5"), by=clerk)
            elif name == "adjust":
                stock_services.stock_adjust(item=item, quantity=D(amount), by=clerk, reason="盘点差异")
            elif name == "reserve":
                reservations.append(
                    stock_services.stock_reserve(item=item, line=part_line, quantity=D(amount), by=clerk)
                )
            elif reservations:
                chosen = reservations[amount % len(reservations)]
                action = stock_services.stock_release if name == "release" else stock_services.stock_issue
                action(reservation=chosen, by=clerk)
        except ValidationError:
            after = StockItem.objects.get(pk=item.pk)
            assert (after.on_hand, after.reserved) == (before.on_hand, before.reserved)
            assert StockMovement.objects.filter(item=item).count() == count
        current = StockItem.objects.get(pk=item.pk)
        assert current.on_hand == ledger_sum(item) >= 0
        assert D("0") <= current.reserved <= current.on_hand


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_advisors_reserving_the_last_unit_at_once_exactly_one_succeeds(item, clerk, part_line):
    stock_services.stock_receive(item=item, quantity=D("1"), unit_cost=D("30"), by=clerk)
    barrier = threading.Barrier(2)
    outcomes, lock = [], threading.Lock()

    def advisor():
        try:
            barrier.wait(timeout=10)
            stock_services.stock_reserve(item=item, line=part_line, quantity=D("1"), by=clerk)
            result = "reserved"
        except ValidationError:
            result = "refused"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=advisor) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["refused", "reserved"]
    item.refresh_from_db()
    assert (item.on_hand, item.reserved) == (D("1"), D("1"))


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_never_lose_a_movement_or_go_negative(item, clerk):
    stock_services.stock_receive(item=item, quantity=D("5"), unit_cost=D("30"), by=clerk)
    barrier = threading.Barrier(4)
    refused = []

    def take_two():
        try:
            barrier.wait(timeout=10)
            stock_services.stock_adjust(item=item, quantity=D("-2"), by=clerk, reason="领用")
        except ValidationError:
            refused.append(1)
        finally:
            connection.close()

    threads = [threading.Thread(target=take_two) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    item.refresh_from_db()
    assert len(refused) == 2 and item.on_hand == D("1") == ledger_sum(item)


def test_a_transfer_moves_stock_and_its_cost_between_the_dealers_warehouses(item, clerk, dealer_a, dealer_b):
    stock_services.stock_receive(item=item, quantity=D("6"), unit_cost=D("30"), by=clerk)
    branch = Warehouse.objects.create(dealer=dealer_a, code="WH02", name="分库")
    out, into = stock_services.stock_transfer(item=item, to_warehouse=branch, quantity=D("4"), by=clerk)
    item.refresh_from_db()
    target = StockItem.objects.get(warehouse=branch, part=item.part)
    assert (item.on_hand, target.on_hand, target.average_cost) == (D("2"), D("4"), D("30.0000"))
    assert (out.kind, out.quantity, into.kind, into.quantity) == ("transfer_out", D("-4"), "transfer_in", D("4"))
    assert ledger_sum(item) == item.on_hand and ledger_sum(target) == target.on_hand
    elsewhere = Warehouse.objects.create(dealer=dealer_b, code="WH01", name="乙店仓库")
    for to, quantity, reason in (
        (elsewhere, "1", "Choose another warehouse of the same dealer."),
        (item.warehouse, "1", "Choose another warehouse of the same dealer."),
        (branch, "3", "Only 2 piece of 06A 115 561-B 机油滤清器 on hand."),
    ):
        with raises_because(ValidationError, reason):
            stock_services.stock_transfer(item=item, to_warehouse=to, quantity=D(quantity), by=clerk)
    item.refresh_from_db()
    assert item.on_hand == D("2") and StockMovement.objects.count() == 3


def test_the_transfer_form_on_the_stock_item_page(item, clerk, dealer_a):
    from django.test import Client
    from django.urls import reverse

    stock_services.stock_receive(item=item, quantity=D("5"), unit_cost=D("30"), by=clerk)
    branch = Warehouse.objects.create(dealer=dealer_a, code="WH02", name="分库")
    client = Client()
    client.force_login(clerk)
    assert "WH02" in client.get(reverse("parts:stock_item", args=[item.pk])).content.decode()
    response = client.post(
        reverse("parts:stock_transfer", args=[item.pk]), {"to_warehouse": branch.pk, "quantity": "2"}
    )
    assert response.status_code == 302
    assert StockItem.objects.get(warehouse=branch, part=item.part).on_hand == D("2")


def test_receive_a_part_into_a_warehouse_from_the_part_page(clerk, dealer_a, dealer_b, advisor_a):
    from django.test import Client
    from django.urls import reverse

    warehouse = Warehouse.objects.create(dealer=dealer_a, code="WH01", name="主仓库")
    foreign = Warehouse.objects.create(dealer=dealer_b, code="WH09", name="乙店仓库")
    new = Part.objects.create(brand="丰田", number="04465-YZZN4", name="前刹车片")
    old = Part.objects.create(brand="丰田", number="04465-YZZN3", name="前刹车片", superseded_by=new)
    client = Client()
    client.force_login(clerk)
    page = client.get(reverse("parts:part_detail", args=[old.pk])).content.decode()
    assert 'id="receive-into"' in page and "WH09" not in page
    response = client.post(
        reverse("parts:part_detail", args=[old.pk]), {"warehouse": warehouse.pk, "quantity": "4", "unit_cost": "210"}
    )
    item = StockItem.objects.get(warehouse=warehouse)
    assert response["Location"] == reverse("parts:stock_item", args=[item.pk])
    assert (item.part, item.on_hand) == (new, D("4"))  # received under the current number
    refused = client.post(
        reverse("parts:part_detail", args=[new.pk]), {"warehouse": foreign.pk, "quantity": "1", "unit_cost": "1"}
    )
    assert refused.status_code == 400 and not StockItem.objects.filter(warehouse=foreign).exists()
    advisor = Client()
    advisor.force_login(advisor_a)  # may look at parts, may not receive
    assert (
        advisor.post(
            reverse("parts:part_detail", args=[new.pk]), {"warehouse": warehouse.pk, "quantity": "1", "unit_cost": "1"}
        ).status_code
        == 404
    )
    assert StockItem.objects.get(warehouse=warehouse).on_hand == D("4")
