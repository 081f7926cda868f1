"""Reads of the service packages: the lists the desk sees, the packages that fit a car and which is due first."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Max, Prefetch, QuerySet

from accounts.models import User
from core.dates import local_date
from packages.choices import DueStatus
from packages.models import PackageApplication, ServicePackage, ServicePackageItem
from packages.pricing import PackagePrice, price_packages
from packages.schedule import Interval, is_due, next_date, next_km

ITEMS = Prefetch(
    "items",
    queryset=ServicePackageItem.objects.select_related("operation", "part__superseded_by").order_by("position", "id"),
)


def interval_of(package: ServicePackage) -> Interval:
    return Interval(package.first_due_km, package.every_km, package.first_due_months, package.every_months)


def package_list(*, user: User) -> QuerySet[ServicePackage]:
    """The packages of the user's dealers, with what their pages and the API show."""
    return (
        ServicePackage.objects.for_user(user)
        .select_related("dealer", "brand")
        .prefetch_related(ITEMS)
        .order_by("dealer__code", "brand__code", "first_due_km", "code")
    )


def prices_of(packages) -> dict[int, PackagePrice]:
    """{package id: its price at its dealer's current rates}; the part prices in one query per dealer."""
    by_dealer = defaultdict(list)
    for package in packages:
        by_dealer[package.dealer_id].append(package)
    prices: dict[int, PackagePrice] = {}
    for group in by_dealer.values():
        dealer = group[0].dealer
        prices.update(
            price_packages(group, dealer_id=dealer.pk, labour_rate=dealer.labour_rate, tax_rate=dealer.vat_rate)
        )
    return prices


@dataclass(frozen=True)
class PackageOffer:
    """A package that fits a car, priced at the order's rates, with when it is due for that car."""

    package: ServicePackage
    price: PackagePrice
    status: str
    due_km: int | None
    due_on: date | None
    last_km: int | None = None
    last_on: date | None = None
    applied_here: bool = False

    @property
    def status_label(self) -> str:
        return DueStatus(self.status).label

    odometer: int | None = None

    @property
    def km_left(self) -> int | None:
        """Kilometres to the milestone (negative: overdue by that much)."""
        return None if self.due_km is None or self.odometer is None else self.due_km - self.odometer


def last_services(vehicle_id: int) -> dict[int, tuple[int | None, date | None]]:
    """{package id: (odometer, local date) of its latest application on the vehicle}."""
    rows = (
        PackageApplication.objects.filter(order__vehicle_id=vehicle_id)
        .values("package_id")
        .annotate(km=Max("odometer_km"), at=Max("applied_at"))
    )
    return {row["package_id"]: (row["km"], local_date(row["at"]) if row["at"] else None) for row in rows}


def fitting_packages(vehicle, dealer_id: int) -> list[ServicePackage]:
    """The dealer's active packages for the vehicle's brand and series."""
    candidates = (
        ServicePackage.objects.filter(dealer_id=dealer_id, is_active=True)
        .select_related("dealer", "brand")
        .prefetch_related(ITEMS)
    )
    return [p for p in candidates if p.fits(vehicle)]


def _sort_key(offer: PackageOffer):
    rank = {DueStatus.DUE: 0, DueStatus.LATER: 1, DueStatus.UNSCHEDULED: 2, DueStatus.PASSED: 3}[offer.status]
    far = 10**9
    return (rank, offer.due_km if offer.due_km is not None else far, offer.due_on or date.max, offer.package.code)


def offers_for_order(*, order, today: date) -> list[PackageOffer]:
    """The packages that fit the order's car, the one due first on top (by the odometer, the months since purchase,
    and the package's last service on this car), each priced at the order's labour and VAT rates."""
    vehicle = order.vehicle
    packages = fitting_packages(vehicle, order.dealer_id)
    if not packages:
        return []
    prices = price_packages(packages, dealer_id=order.dealer_id, labour_rate=order.labour_rate, tax_rate=order.tax_rate)
    last = last_services(vehicle.pk)
    applied = set(PackageApplication.objects.filter(order=order).values_list("package_id", flat=True))
    odometer = order.odometer_km if order.odometer_km is not None else vehicle.mileage_km
    offers = []
    for package in packages:
        interval = interval_of(package)
        last_km, last_on = last.get(package.pk, (None, None))
        if package.pk in applied:
            # applied on this very visit: what is due is this milestone, not the next
            last_km, last_on = None, None
        due_km = next_km(interval, odometer=odometer, last_km=last_km)
        due_on = next_date(interval, purchased_on=vehicle.purchase_date, last_on=last_on, today=today)
        if not interval.scheduled:
            status = DueStatus.UNSCHEDULED
        elif due_km is None and due_on is None:
            status = DueStatus.PASSED
        elif is_due(km=due_km, on=due_on, odometer=odometer, today=today):
            status = DueStatus.DUE
        else:
            status = DueStatus.LATER
        offers.append(
            PackageOffer(
                package=package,
                price=prices[package.pk],
                status=status,
                due_km=due_km,
                due_on=due_on,
                last_km=last_km,
                last_on=last_on,
                applied_here=package.pk in applied,
                odometer=odometer,
            )
        )
    return sorted(offers, key=_sort_key)


def next_service_for(*, order, on: date) -> dict | None:
    """The package to propose for the car's next service after this visit (``"next_service"`` hook of repairs).

    The milestones after this visit: a package applied now counts as done at this odometer and date, the others
    from their last service here; a package due now but not done now is not proposed for later (its next
    milestone beyond this visit is). The earliest by kilometres, then months; packages due at the same milestone
    come along (``also``). None when no scheduled package fits the car.
    """
    vehicle = order.vehicle
    packages = [p for p in fitting_packages(vehicle, order.dealer_id) if interval_of(p).scheduled]
    if not packages:
        return None
    last = last_services(vehicle.pk)
    odometer = order.odometer_km if order.odometer_km is not None else vehicle.mileage_km
    candidates = []
    for package in packages:
        interval = interval_of(package)
        last_km, _last_on = last.get(package.pk, (None, None))
        # this visit is the last service of every package: the proposal is the first milestone beyond it
        due_km = next_km(interval, odometer=odometer, last_km=odometer if odometer is not None else last_km)
        due_on = next_date(interval, purchased_on=vehicle.purchase_date, last_on=on, today=on)
        if due_km is None and due_on is None:
            continue
        candidates.append(
            (
                due_km if due_km is not None else 10**9,
                due_on or date.max,
                package.every_km or 10**9,
                package.code,
                package,
                due_km,
                due_on,
            )
        )
    if not candidates:
        return None
    candidates.sort(key=lambda c: c[:4])
    first = candidates[0]
    also = [c[4] for c in candidates[1:] if c[5] is not None and c[5] == first[5]]
    return {"package": first[4], "due_km": first[5], "due_on": first[6], "also": also}
