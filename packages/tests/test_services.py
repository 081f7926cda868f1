"""Applying a package to an estimate (one transaction through repair_order_add_line), maintaining packages, and
which package is due: the milestones of the interval, the last service, the proposal at delivery."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.choices import Role
from core.tests.factories import VehicleFactory, staff_user
from core.tests.helpers import assert_refused, snapshot
from packages import services
from packages.models import PackageApplication, ServicePackage, ServicePackageItem
from packages.schedule import Interval, next_date, next_km
from packages.selectors import next_service_for, offers_for_order
from packages.tests.factories import manager, oil_service, operation, part, vw
from parts.models import SpecialOrder, StockReservation
from parts.tests.catalogue_helpers import stock
from repairs import services as repair_services
from repairs.choices import RepairOrderStatus as S
from repairs.models import RepairOrderLine
from repairs.tests.factories import advance_order, make_order

D = Decimal
pytestmark = pytest.mark.django_db


def checked_in(vehicle, advisor, odometer=23_500):
    order = make_order(vehicle, advisor, S.CHECKED_IN)
    if odometer != 23_500:
        order = repair_services.repair_order_update_checkin(
            order=order, by=advisor, version=order.version, odometer_km=odometer
        )
    return order


def diagnosed(order, advisor):
    order.refresh_from_db()
    return repair_services.repair_order_update_estimate(
        order=order, by=advisor, version=order.version, diagnosis="按里程保养"
    )


def state(order):
    return lambda: (
        snapshot(RepairOrderLine, PackageApplication)
        | {"order": order.__class__.objects.filter(pk=order.pk).values().get()}
    )


# --- the interval -------------------------------------------------------------------------------------------------

A = Interval(first_km=10_000, every_km=20_000, first_months=12, every_months=24)
B = Interval(first_km=20_000, every_km=20_000, first_months=24, every_months=24)
FIRST = Interval(first_km=5_000, first_months=6)


@pytest.mark.parametrize(
    ("interval", "odometer", "last_km", "expected"),
    [
        (A, 9_500, None, 10_000),
        (B, 9_500, None, 20_000),
        (A, 24_000, None, 30_000),  # never done here: the next milestone the car has not passed by > 1,000 km
        (B, 21_000, None, 20_000),  # 1,000 km over is still this milestone (due, overdue)
        (B, 22_000, None, 40_000),
        (A, 29_500, 29_500, 50_000),  # done at 29,500 (early for 30k): next is 50k
        (A, 52_000, 31_000, 50_000),  # late for 30k last time, now over 50k: overdue
        (FIRST, 4_800, None, 5_000),
        (FIRST, 24_000, None, None),  # the first service is passed
        (FIRST, 5_200, 5_200, None),
        (Interval(first_months=24), 30_000, None, None),  # months only: no mileage milestone
    ],
)
def test_the_next_mileage_milestone(interval, odometer, last_km, expected):
    assert next_km(interval, odometer=odometer, last_km=last_km) == expected


def test_the_next_time_milestone_counts_from_the_purchase_date():
    bought = date(2024, 3, 15)
    assert next_date(A, purchased_on=bought, last_on=None, today=date(2025, 1, 1)) == date(2025, 3, 15)
    assert next_date(B, purchased_on=bought, last_on=None, today=date(2025, 1, 1)) == date(2026, 3, 15)
    assert next_date(A, purchased_on=bought, last_on=date(2025, 3, 1), today=date(2025, 3, 1)) == date(2027, 3, 15)
    assert next_date(A, purchased_on=None, last_on=date(2025, 3, 1), today=date(2025, 3, 1)) == date(2027, 3, 1)
    assert next_date(FIRST, purchased_on=bought, last_on=None, today=date(2026, 1, 1)) is None


# --- applying a package -------------------------------------------------------------------------------------------


def test_applying_adds_every_line_priced_from_the_orders_rates(vehicle_a, advisor_a, dealer_a):
    package = oil_service(dealer_a)
    order = checked_in(vehicle_a, advisor_a)
    application = services.package_apply(package=package, order=order, by=advisor_a)
    lines = list(order.lines.order_by("position"))
    assert [
        (line.kind, line.code, line.quantity, line.unit_price, line.operation_id is not None, line.part_id is not None)
        for line in lines
    ] == [
        ("labour", "M01", D("1.00"), D("180.00"), True, False),
        ("part", "G052195M4", D("4.00"), D("68.00"), False, True),
        ("part", "03C115561H", D("1.00"), D("58.00"), False, True),
        ("sundry", "", D("1.00"), D("20.00"), False, False),
    ]  # fmt: skip
    assert set(application.lines.all()) == set(lines)
    assert (application.package, application.by, application.odometer_km, application.net_amount) == (
        package, advisor_a, 23_500, D("530.00"),
    )  # fmt: skip
    assert repair_services.repair_order_totals(order=order).total == D("598.90")


def test_a_fixed_price_package_puts_the_fixed_price_on_the_estimate(vehicle_a, advisor_a, dealer_a):
    order = checked_in(vehicle_a, advisor_a)
    services.package_apply(package=oil_service(dealer_a, fixed="499.00"), order=order, by=advisor_a)
    totals = repair_services.repair_order_totals(order=order)
    assert (totals.customer.net, totals.customer.tax, totals.total) == (D("499.00"), D("64.87"), D("563.87"))


def test_approval_reserves_the_packages_parts_or_special_orders_them(vehicle_a, advisor_a, dealer_a):
    package = oil_service(dealer_a)
    stock(dealer_a, package.items.get(part__number="G052195M4").part, "10", "40")  # the oil is on the shelf
    order = checked_in(vehicle_a, advisor_a)
    services.package_apply(package=package, order=order, by=advisor_a)
    advance_order(diagnosed(order, advisor_a), advisor_a, S.APPROVED)
    oil, filter_ = (order.lines.get(code=c) for c in ("G052195M4", "03C115561H"))
    assert StockReservation.objects.filter(repair_order_line=oil).count() == 1
    assert SpecialOrder.objects.filter(repair_order_line=filter_).count() == 1


def test_a_package_is_refused_as_a_whole_when_a_part_has_no_price(vehicle_a, advisor_a, dealer_a):
    package = oil_service(dealer_a)
    package.items.get(part__number="03C115561H").part.prices.all().delete()
    order = checked_in(vehicle_a, advisor_a)
    error = assert_refused(
        ValidationError, lambda: services.package_apply(package=package, order=order, by=advisor_a), state=state(order)
    )
    assert "03C115561H" in error.message_dict["package"][0]


def test_the_same_package_twice_is_refused_until_its_lines_are_removed(vehicle_a, advisor_a, dealer_a):
    package = oil_service(dealer_a)
    order = checked_in(vehicle_a, advisor_a)
    services.package_apply(package=package, order=order, by=advisor_a)
    assert_refused(
        ValidationError, lambda: services.package_apply(package=package, order=order, by=advisor_a), state=state(order)
    )
    for line in order.lines.all():
        repair_services.repair_order_remove_line(line=line, by=advisor_a)
    services.package_apply(package=package, order=order, by=advisor_a)
    assert order.lines.count() == 4


def test_refusals_change_nothing(vehicle_a, advisor_a, dealer_a, dealer_b, customer_a):
    package = oil_service(dealer_a)
    order = checked_in(vehicle_a, advisor_a)
    technician = staff_user(dealer_a, Role.TECHNICIAN)
    assert_refused(
        PermissionDenied,
        lambda: services.package_apply(package=package, order=order, by=technician),
        state=state(order),
    )
    other = staff_user(dealer_b, Role.SERVICE_ADVISOR)
    assert_refused(
        PermissionDenied, lambda: services.package_apply(package=package, order=order, by=other), state=state(order)
    )
    theirs = oil_service(dealer_b, code="B-A")
    assert_refused(
        ValidationError, lambda: services.package_apply(package=theirs, order=order, by=advisor_a), state=state(order)
    )
    toyota = VehicleFactory(owner=customer_a, brand="丰田", series="凯美瑞")
    toyota_order = checked_in(toyota, advisor_a)
    assert_refused(
        ValidationError, lambda: services.package_apply(package=package, order=toyota_order, by=advisor_a),
        state=state(toyota_order), match="not for this car",
    )  # fmt: skip
    ServicePackage.objects.filter(pk=package.pk).update(is_active=False)
    assert_refused(
        ValidationError, lambda: services.package_apply(package=package, order=order, by=advisor_a), state=state(order)
    )


def test_an_estimate_already_given_takes_no_package(vehicle_a, advisor_a, dealer_a):
    package = oil_service(dealer_a)
    order = make_order(vehicle_a, advisor_a, S.ESTIMATED)
    assert_refused(
        ValidationError, lambda: services.package_apply(package=package, order=order, by=advisor_a),
        state=state(order),
    )  # fmt: skip


# --- maintaining packages ------------------------------------------------------------------------------------------


def test_only_the_service_manager_maintains_packages(dealer_a, advisor_a):
    vw(dealer_a)
    values = {"code": "VW-B", "name": "B类保养", "brand": vw(dealer_a), "first_due_km": 20_000, "every_km": 20_000}
    assert_refused(
        PermissionDenied, lambda: services.package_create(dealer=dealer_a, by=advisor_a, **values),
        state=lambda: snapshot(ServicePackage, ServicePackageItem),
    )  # fmt: skip
    package = services.package_create(dealer=dealer_a, by=manager(dealer_a), **values)
    assert (package.version, package.series, package.pricing) == (1, "", "computed")


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"every_km": 20_000}, "first_due_km"),
        ({"pricing": "fixed"}, "fixed_price"),
        ({"code": "VW-A"}, "code"),  # the dealer has it already
    ],
)
def test_a_package_that_makes_no_sense_is_refused(dealer_a, values, field):
    oil_service(dealer_a)
    base = {"code": "VW-X", "name": "保养", "brand": vw(dealer_a)}
    error = assert_refused(
        ValidationError, lambda: services.package_create(dealer=dealer_a, by=manager(dealer_a), **{**base, **values}),
        state=lambda: snapshot(ServicePackage, ServicePackageItem),
    )  # fmt: skip
    assert field in error.message_dict


def test_a_brand_the_dealer_does_not_service_is_refused(dealer_a):
    from core.tests.factories import BrandFactory

    toyota = BrandFactory(code="TOYOTA", name="丰田")
    with pytest.raises(ValidationError) as exc:
        services.package_create(dealer=dealer_a, by=manager(dealer_a), code="T-A", name="保养", brand=toyota)
    assert "brand" in exc.value.message_dict


def test_items_are_checked_added_and_removed_with_the_packages_version(dealer_a, dealer_b):
    package = oil_service(dealer_a)
    theirs = operation(dealer_b, code="X01")
    with pytest.raises(ValidationError) as exc:
        services.package_item_add(package=package, by=manager(dealer_a), version=1, kind="labour", operation=theirs)
    assert "operation" in exc.value.message_dict
    bmw = part("11428575211", "机油滤清器", "90.00", dealer_a, brand="宝马")
    with pytest.raises(ValidationError):
        services.package_item_add(package=package, by=manager(dealer_a), version=1, kind="part", part=bmw)
    item = services.package_item_add(
        package=package, by=manager(dealer_a), version=1, kind="labour", operation=operation(dealer_a, "B02", "0.50"),
        hours=D("0.40"),
    )  # fmt: skip
    package.refresh_from_db()
    assert (package.version, item.position, package.items.count()) == (2, 5, 5)
    services.package_item_remove(item=item, by=manager(dealer_a))
    package.refresh_from_db()
    assert (package.version, package.items.count()) == (3, 4)


# --- which package is due -------------------------------------------------------------------------------------------


def ab_menu(dealer):
    first = oil_service(dealer, code="VW-0", name="首次保养", first_due_km=5_000, every_km=None, first_due_months=6,
                        every_months=None)  # fmt: skip
    a = oil_service(dealer, code="VW-A")
    b = oil_service(dealer, code="VW-B", name="B类保养", first_due_km=20_000, every_km=20_000, first_due_months=24,
                    every_months=24)  # fmt: skip
    return first, a, b


def test_the_package_due_by_the_odometer_comes_first(vehicle_a, advisor_a, dealer_a, django_assert_max_num_queries):
    ab_menu(dealer_a)
    order = checked_in(vehicle_a, advisor_a, odometer=29_400)
    with django_assert_max_num_queries(6):
        offers = offers_for_order(order=order, today=date(2026, 11, 16))
    assert [(o.package.code, o.status, o.due_km) for o in offers] == [
        ("VW-A", "due", 30_000), ("VW-B", "later", 40_000), ("VW-0", "passed", None),
    ]  # fmt: skip
    assert offers[0].price.total == D("598.90")


def test_the_last_service_here_moves_the_milestone(vehicle_a, advisor_a, dealer_a, staff):
    _first, a, b = ab_menu(dealer_a)
    order = checked_in(vehicle_a, advisor_a, odometer=29_400)
    services.package_apply(package=a, order=order, by=advisor_a)
    order = advance_order(diagnosed(order, advisor_a), advisor_a, S.READY, staff=staff)
    proposal = next_service_for(order=order, on=date(2026, 11, 16))
    assert (proposal["package"], proposal["due_km"]) == (b, 40_000)
    # the delivery takes it: the settlement's next service is the B service's milestone
    settlement = advance_order(order, advisor_a, S.DELIVERED, staff=staff).settlement
    assert settlement.next_service_due_km == 40_000
    later = checked_in(vehicle_a, advisor_a, odometer=39_500)
    offers = offers_for_order(order=later, today=date(2027, 6, 1))
    assert [(o.package.code, o.status, o.due_km, o.last_km) for o in offers][:2] == [
        ("VW-B", "due", 40_000, None), ("VW-A", "later", 50_000, 29_400),
    ]  # fmt: skip


def test_no_package_keeps_the_interval_rule(vehicle_a, advisor_a, dealer_a, staff):
    order = make_order(vehicle_a, advisor_a, S.READY, staff=staff)
    assert next_service_for(order=order, on=date(2026, 11, 16)) is None
    proposal = repair_services.next_service_proposal(order, date(2026, 11, 16))
    assert (proposal["package"], proposal["due_on"], proposal["due_km"]) == (None, date(2027, 5, 16), 28_500)


@pytest.fixture
def staff(dealer_a):
    from repairs.tests.factories import staff_for

    return staff_for(dealer_a)
