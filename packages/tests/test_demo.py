"""The demo's service menus: every demo dealer has its brands' packages, all priced, and a car gets one offered."""

from datetime import date

import pytest

from organization.models import Dealer
from packages.models import ServicePackage
from packages.pricing import package_price
from packages.selectors import offers_for_order
from repairs.models import RepairOrder

pytestmark = pytest.mark.django_db


def test_every_demo_dealer_has_a_priced_menu_for_each_of_its_brands(demo_dataset):
    for dealer in Dealer.objects.filter(code__in=["GZ01", "SZ01", "SH01"]).prefetch_related("brands"):
        for brand in dealer.brands.all():
            packages = ServicePackage.objects.filter(dealer=dealer, brand=brand)
            codes = set(packages.values_list("code", flat=True))
            assert {f"{brand.code}-0", f"{brand.code}-A", f"{brand.code}-B", f"{brand.code}-BF"} <= codes
            for package in packages:
                price = package_price(package)
                assert price.priced, (dealer.code, package.code, price.missing)
                assert price.total > price.net > 0
            first = packages.get(code=f"{brand.code}-0")
            assert first.pricing == "fixed" and package_price(first).discount > 0  # the introductory price


def test_a_demo_car_is_offered_its_brands_menu(demo_dataset):
    order = RepairOrder.objects.filter(dealer__code="GZ01", odometer_km__isnull=False).select_related("vehicle").first()
    offers = offers_for_order(order=order, today=date(2026, 10, 31))
    assert offers and all(o.package.fits(order.vehicle) for o in offers)
    assert offers[0].status in ("due", "later")
