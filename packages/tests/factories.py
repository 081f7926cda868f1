"""Helpers of the service package tests: a dealer's VW menu (first service, A/B) priced from real catalogue rows."""

from __future__ import annotations

from decimal import Decimal

from accounts.choices import Role
from core.tests.factories import BrandFactory, staff_user
from organization.models import Dealer
from packages import services
from packages.models import ServicePackage
from parts.models import Part, PartPrice
from repairs.models import LabourOperation

D = Decimal


def manager(dealer: Dealer):
    return staff_user(dealer, Role.SERVICE_MANAGER)


def vw(dealer: Dealer):
    """The VW brand, serviced by the dealer."""
    brand = BrandFactory(code="VW", name="大众")
    dealer.brands.add(brand)
    return brand


def operation(dealer: Dealer, code: str = "M01", hours: str = "1.00", name: str = "常规保养（机油、机滤）"):
    return LabourOperation.objects.get_or_create(
        dealer=dealer, code=code, defaults={"name": name, "job_type": "maintenance", "standard_hours": D(hours)}
    )[0]


def part(number: str, name: str, price: str | None, dealer: Dealer, brand: str = "大众") -> Part:
    found = Part.objects.filter(number=number, brand=brand).first() or Part.objects.create(
        number=number, name=name, brand=brand
    )
    if price is not None:
        PartPrice.objects.update_or_create(
            dealer=dealer, part=found, defaults={"cost_price": D(price) * D("0.7"), "retail_price": D(price)}
        )
    return found


def oil_service(dealer: Dealer, *, code: str = "VW-A", fixed: str | None = None, **fields) -> ServicePackage:
    """A VW package at the dealer: 1.00 h labour, oil ×4 at 68.00, oil filter ×1 at 58.00, sundry 20.00.

    At a 180.00 labour rate: 180.00 + 272.00 + 58.00 + 20.00 = 530.00 net (599.90 with 13 % VAT).
    """
    values = {
        "code": code, "name": "A类保养", "brand": vw(dealer), "first_due_km": 10_000, "every_km": 20_000,
        "first_due_months": 12, "every_months": 24, **fields,
    }  # fmt: skip
    if fixed is not None:
        values.update(pricing="fixed", fixed_price=D(fixed))
    return services.package_create(
        dealer=dealer,
        by=manager(dealer),
        items=[
            {"kind": "labour", "operation": operation(dealer)},
            {"kind": "part", "part": part("G052195M4", "机油 5W-30 1L", "68.00", dealer), "quantity": D("4")},
            {"kind": "part", "part": part("03C115561H", "机油滤清器", "58.00", dealer), "quantity": D("1")},
            {"kind": "sundry", "description": "环保处理费", "amount": D("20.00")},
        ],
        **values,
    )
