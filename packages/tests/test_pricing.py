"""Package prices: computed from the dealer's current rates; a fixed price scales the lines (repairs.money)."""

from decimal import Decimal

import pytest

from packages.pricing import PricedLine, package_price, scale_to
from packages.tests.factories import oil_service, part
from repairs.choices import LineKind

D = Decimal
pytestmark = pytest.mark.django_db


def test_a_computed_package_costs_its_lines_at_the_dealers_rates(dealer_a):
    package = oil_service(dealer_a)
    price = package_price(package)
    assert [(line.kind, line.quantity, line.unit_price, line.amount) for line in price.lines] == [
        ("labour", D("1.00"), D("180.00"), D("180.00")),
        ("part", D("4.00"), D("68.00"), D("272.00")),
        ("part", D("1.00"), D("58.00"), D("58.00")),
        ("sundry", D("1.00"), D("20.00"), D("20.00")),
    ]
    assert (price.list_net, price.net, price.discount, price.tax, price.total) == (
        D("530.00"), D("530.00"), D("0.00"), D("68.90"), D("598.90"),
    )  # fmt: skip


def test_a_computed_package_follows_todays_prices(dealer_a):
    package = oil_service(dealer_a)
    part("03C115561H", "机油滤清器", "62.00", dealer_a)
    dealer_a.labour_rate = D("200.00")
    dealer_a.save()
    package.refresh_from_db()
    assert package_price(package).net == D("200.00") + D("272.00") + D("62.00") + D("20.00")


def test_a_fixed_price_scales_the_lines_and_shows_the_discount(dealer_a):
    package = oil_service(dealer_a, fixed="499.00")
    price = package_price(package)
    assert price.net == D("499.00")
    assert price.list_net == D("530.00")
    assert price.discount == D("31.00")
    assert sum(line.amount for line in price.lines) == D("499.00")
    assert all(line.unit_price >= 0 for line in price.lines)
    # every line scaled by 499/530 (rounded down); the 0.02 left goes on the largest line of quantity 1 (labour)
    assert [line.unit_price for line in price.lines] == [D("169.49"), D("64.02"), D("54.60"), D("18.83")]
    assert price.tax == D("64.87") and price.total == D("563.87")


def test_a_superseded_part_is_priced_as_its_replacement(dealer_a):
    package = oil_service(dealer_a)
    old = package.items.get(part__number="03C115561H").part
    new = part("03C115561J", "机油滤清器（新）", "61.00", dealer_a)
    old.superseded_by = new
    old.save()
    line = next(line for line in package_price(package).lines if line.kind == "part" and line.quantity == 1)
    assert (line.code, line.unit_price, line.part) == ("03C115561J", D("61.00"), new)


def test_a_part_without_a_dealer_price_is_reported_not_guessed(dealer_a, dealer_b):
    package = oil_service(dealer_a)
    package.items.filter(part__number="03C115561H").first().part.prices.all().delete()
    price = package_price(package)
    assert price.missing == ["03C115561H"]
    assert not price.priced


@pytest.mark.parametrize("target", ["0.01", "1.00", "99.99", "333.33", "1000.00"])
def test_scaling_without_a_line_of_quantity_one_never_goes_negative(target):
    lines = [
        PricedLine(kind=LineKind.PART, description="x", code="", quantity=D(3), list_price=D(10), unit_price=D(10)),
        PricedLine(
            kind=LineKind.LABOUR, description="y", code="", quantity=D("1.5"), list_price=D("180"), unit_price=D("180")
        ),
    ]  # fmt: skip
    scaled = scale_to(lines, D(target))
    assert all(line.unit_price >= 0 for line in scaled)
    assert abs(sum(line.amount for line in scaled) - D(target)) <= D("0.02")
