"""The parts API endpoints for the generic API tests (core/tests/test_api_resources.py)."""

from decimal import Decimal

from accounts.choices import Role
from core.tests.api_kit import ApiResource, role, serial
from core.tests.factories import CustomerFactory, VehicleFactory, staff_user
from parts.models import PurchaseOrderLine, StockItem, StockMovement, Supplier, Warehouse
from parts.services import purchasing
from parts.services import stock as stock_services
from parts.services import suppliers as supplier_services
from parts.tests.catalogue_helpers import clerk, make_part, stock
from repairs import services as repair_services
from repairs.choices import RepairOrderStatus
from repairs.tests.factories import make_order

advisor = role(Role.SERVICE_ADVISOR)


def new_part():
    return make_part(f"KIT-{next(serial):05d}", name="刹车片")


def warehouse(dealer) -> Warehouse:
    return Warehouse.objects.get_or_create(dealer=dealer, code="WH01", defaults={"name": "配件总库"})[0]


def supplier(dealer) -> Supplier:
    return supplier_services.supplier_create(
        dealer=dealer, by=clerk(dealer), code=f"S{next(serial):04d}", name="华南配件", lead_time_days=10
    )


def purchase_order(dealer):
    return purchasing.purchase_order_create(warehouse=warehouse(dealer), supplier=supplier(dealer), by=clerk(dealer))


def part_line(dealer, *, in_stock: bool):
    """A part line (2 pieces) of a checked-in repair order of the dealer; its part is on the shelf or not."""
    part = new_part()
    warehouse(dealer)
    if in_stock:
        stock(dealer, part, "5", "200")
    advisor_user = staff_user(dealer, Role.SERVICE_ADVISOR)
    order = make_order(
        VehicleFactory(owner=CustomerFactory(dealer=dealer)), advisor_user, status=RepairOrderStatus.CHECKED_IN
    )
    return repair_services.repair_order_add_line(
        order=order, by=advisor_user, part=part, quantity=Decimal("2"), unit_price=Decimal("100")
    )


def reservation(dealer):
    line = part_line(dealer, in_stock=True)
    return stock_services.repair_order_line_reserve(line=line, by=staff_user(dealer, Role.SERVICE_ADVISOR))


def special_order(dealer):
    line = part_line(dealer, in_stock=False)
    return stock_services.special_order_create(line=line, by=staff_user(dealer, Role.SERVICE_ADVISOR))


RESOURCES = [
    # The catalogue is shared by the dealers of the group: every user reads the same parts.
    ApiResource(basename="part", make=lambda dealer: new_part(), scoped=False),
    ApiResource(basename="stock-item", make=lambda dealer: stock(dealer, new_part(), "2")),
    ApiResource(basename="stock-movement", make=lambda dealer: stock(dealer, new_part(), "2").movements.get()),
    # Send, receive and cancel are actions: parts/tests/test_purchasing.py.
    ApiResource(
        basename="purchase-order",
        make=purchase_order,
        writer=role(Role.PARTS_CLERK),
        create=lambda dealer: {"warehouse": warehouse(dealer).pk, "supplier": supplier(dealer).pk},
        dealer_field="warehouse",
        refused_writes_change=(PurchaseOrderLine,),
    ),
    ApiResource(
        basename="supplier",
        make=supplier,
        writer=role(Role.PARTS_CLERK),
        create=lambda dealer: {"dealer": dealer.pk, "code": f"S{next(serial):04d}", "name": "华南配件"},
        dealer_field="dealer",
        patch=lambda row: {"name": "华南汽配", "lead_time_days": 12},
    ),
    # Issue, release and receive are actions: parts/tests/test_counter_api.py.
    ApiResource(
        basename="stock-reservation",
        make=reservation,
        writer=advisor,
        create=lambda dealer: {"repair_order_line": part_line(dealer, in_stock=True).pk},
        dealer_field="repair_order_line",
        in_dealer=lambda row, dealer: row.item.warehouse.dealer_id == dealer.pk,
        refused_writes_change=(StockItem, StockMovement),
    ),
    ApiResource(
        basename="special-order",
        make=special_order,
        writer=advisor,
        create=lambda dealer: {"repair_order_line": part_line(dealer, in_stock=False).pk},
        dealer_field="repair_order_line",
        in_dealer=lambda row, dealer: row.warehouse.dealer_id == dealer.pk,
        refused_writes_change=(StockItem,),
    ),
]
