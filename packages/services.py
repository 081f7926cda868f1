"""Writes of the service packages: the manager maintains packages and their items; the desk applies one to an
estimate (every line through repairs.services.repair_order_add_line, in one transaction)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.permissions import require
from core.services import lock_version, save_next_version
from organization.models import Dealer
from packages.choices import PackagePricing
from packages.models import PackageApplication, ServicePackage, ServicePackageItem, split_series
from packages.pricing import package_price
from packages.selectors import next_service_for
from repairs import services as repair_services
from repairs.choices import LineKind
from repairs.models import RepairOrder

ADD_PACKAGE = "packages.add_servicepackage"
CHANGE_PACKAGE = "packages.change_servicepackage"
APPLY_PACKAGE = "packages.add_packageapplication"
EDITABLE_FIELDS = (
    "code", "name", "brand", "series", "job_type", "first_due_km", "every_km", "first_due_months", "every_months",
    "pricing", "fixed_price", "description", "is_active",
)  # fmt: skip
ITEM_FIELDS = ("kind", "operation", "hours", "part", "quantity", "description", "amount")


def _refusal() -> str:
    return _("Only the service manager maintains service packages.")


def _clean_package(package: ServicePackage) -> None:
    """The package's own rules (beyond the fields'): a brand the dealer services, an interval, a fixed price."""
    errors: dict[str, list[str]] = {}
    package.code, package.name = package.code.strip(), package.name.strip()
    package.series = ", ".join(split_series(package.series))
    if package.brand_id and not package.dealer.brands.filter(pk=package.brand_id).exists():
        errors["brand"] = [_("This dealer does not service %(brand)s.") % {"brand": package.brand}]
    if package.every_km and package.first_due_km is None:
        errors["first_due_km"] = [_("Give the first milestone of the interval.")]
    if package.every_months and package.first_due_months is None:
        errors["first_due_months"] = [_("Give the first milestone of the interval.")]
    if package.pricing == PackagePricing.FIXED and package.fixed_price is None:
        errors["fixed_price"] = [_("A fixed-price package needs its price.")]
    if package.pricing == PackagePricing.COMPUTED:
        package.fixed_price = None
    if errors:
        raise ValidationError(errors)
    package.full_clean(exclude=["dealer"], validate_unique=False)
    if ServicePackage.objects.filter(dealer_id=package.dealer_id, code=package.code).exclude(pk=package.pk).exists():
        raise ValidationError(
            {"code": [_("The dealer already has a package with code %(code)s.") % {"code": package.code}]}
        )


def _new_item(package: ServicePackage, *, position: int, **fields: Any) -> ServicePackageItem:
    """Check and build one item of the package (not saved)."""
    unknown = set(fields).difference(ITEM_FIELDS)
    if unknown:
        raise TypeError(f"unknown item fields: {sorted(unknown)}")
    kind = fields.get("kind")
    operation, part = fields.get("operation"), fields.get("part")
    quantity = fields.get("quantity") or Decimal("1")
    item = ServicePackageItem(package=package, kind=kind, position=position, quantity=quantity)
    if kind == LineKind.LABOUR:
        if operation is None or operation.dealer_id != package.dealer_id or not operation.is_active:
            raise ValidationError({"operation": _("Choose an active labour operation of this dealer.")})
        item.operation, item.hours, item.quantity = operation, fields.get("hours"), Decimal("1")
    elif kind == LineKind.PART:
        if part is None:
            raise ValidationError({"part": _("Choose a catalogue part.")})
        if part.brand and part.brand not in (package.brand.name, package.brand.code):
            raise ValidationError(
                {"part": _("%(part)s is a %(brand)s part.") % {"part": part.number, "brand": part.brand}}
            )
        item.part = part
    elif kind == LineKind.SUNDRY:
        description = (fields.get("description") or "").strip()
        if not description:
            raise ValidationError({"description": _("Say what the sundry is.")})
        if fields.get("amount") is None:
            raise ValidationError({"amount": _("Give the sundry's amount.")})
        item.description, item.amount = description, fields["amount"]
    else:
        raise ValidationError({"kind": _("Choose labour, part or sundry.")})
    item.full_clean(exclude=["package"])
    return item


def _save_items(package: ServicePackage, items: list[dict], by: User, *, start: int = 1) -> list[ServicePackageItem]:
    saved = []
    for offset, fields in enumerate(items):
        item = _new_item(package, position=start + offset, **fields)
        item._history_user = by
        item.save()
        saved.append(item)
    return saved


@transaction.atomic
def package_create(*, dealer: Dealer, by: User, items: list[dict] | None = None, **values: Any) -> ServicePackage:
    """Add a service package to a dealer, with its items (labour operations, parts, sundries)."""
    require(by, ADD_PACKAGE, dealer=dealer, message=_refusal())
    unknown = set(values).difference(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown package fields: {sorted(unknown)}")
    package = ServicePackage(dealer=dealer, **values)
    _clean_package(package)
    package._history_user = by
    try:
        with transaction.atomic():
            package.save()
    except IntegrityError as exc:  # a concurrent create of the same code
        raise ValidationError(
            {"code": [_("The dealer already has a package with code %(code)s.") % {"code": package.code}]}
        ) from exc
    _save_items(package, items or [], by)
    return package


@transaction.atomic
def package_update(
    *, package: ServicePackage, by: User, version: int | None, items: list[dict] | None = None, **values: Any
) -> ServicePackage:
    """Change a package (409 if someone saved it since ``version``); ``items`` given: they replace the items."""
    require(by, CHANGE_PACKAGE, dealer=package.dealer_id, message=_refusal())
    unknown = set(values).difference(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown package fields: {sorted(unknown)}")
    lock_version(package, expected_version=version)
    package = ServicePackage.objects.select_related("dealer", "brand").get(pk=package.pk)
    for name, value in values.items():
        setattr(package, name, value)
    _clean_package(package)
    if items is not None:
        package.items.all().delete()
        _save_items(package, items, by)
    return save_next_version(package, by=by, clean=False)


@transaction.atomic
def package_item_add(*, package: ServicePackage, by: User, version: int | None, **fields: Any) -> ServicePackageItem:
    """Add one item at the end of the package (the package's version goes up: an open form notices)."""
    require(by, CHANGE_PACKAGE, dealer=package.dealer_id, message=_refusal())
    lock_version(package, expected_version=version)
    package = ServicePackage.objects.select_related("dealer", "brand").get(pk=package.pk)
    last = package.items.aggregate(last=Max("position"))["last"] or 0
    item = _save_items(package, [fields], by, start=last + 1)[0]
    save_next_version(package, by=by, reason=f"+ {item}", clean=False)
    return item


@transaction.atomic
def package_item_remove(*, item: ServicePackageItem, by: User) -> ServicePackage:
    """Take an item out of its package."""
    package = ServicePackage.objects.select_for_update().get(pk=item.package_id)
    require(by, CHANGE_PACKAGE, dealer=package.dealer_id, message=_refusal())
    description = str(item)
    item._history_user = by
    item.delete()
    return save_next_version(package, by=by, reason=f"- {description}", clean=False)


@transaction.atomic
def package_apply(*, package: ServicePackage, order: RepairOrder, by: User) -> PackageApplication:
    """Add every line of the package to the order's estimate at once, priced from the order's rates.

    Labour goes in with its catalogue operation, parts with their catalogue part (the approval hook reserves
    them), sundries as sundries; a fixed-price package's lines are scaled to its price (packages.pricing).
    All or nothing: a refused line refuses the package, and the estimate stays as it was.
    """
    require(by, APPLY_PACKAGE, dealer=order.dealer_id, message=_("Your role may not add service packages."))
    order = RepairOrder.objects.select_for_update().select_related("dealer", "vehicle").get(pk=order.pk)
    package = ServicePackage.objects.select_related("dealer", "brand").get(pk=package.pk)
    if package.dealer_id != order.dealer_id or not package.is_active:
        raise ValidationError({"package": _("Choose an active package of this dealer.")})
    if order.status not in repair_services.EDITABLE_ESTIMATE:
        raise ValidationError(_("The estimate can only be changed before it is given to the customer."))
    if not package.fits(order.vehicle):
        raise ValidationError(
            {"package": _("%(package)s is not for this car (%(brand)s %(series)s).")
             % {"package": package.name, "brand": order.vehicle.brand, "series": order.vehicle.series}}
        )  # fmt: skip
    earlier = PackageApplication.objects.filter(order=order, package=package, lines__isnull=False)
    if earlier.exists():
        raise ValidationError({"package": _("%(package)s is already on this estimate.") % {"package": package.name}})
    price = package_price(package, labour_rate=order.labour_rate, tax_rate=order.tax_rate)
    if price.missing:
        raise ValidationError(
            {"package": _("No price at this dealer for part %(parts)s: the package cannot be priced.")
             % {"parts": ", ".join(price.missing)}}
        )  # fmt: skip
    if not price.lines:
        raise ValidationError({"package": _("The package has no items yet.")})
    lines = [
        repair_services.repair_order_add_line(order=order, by=by, **line.add_line_fields()) for line in price.lines
    ]
    application = PackageApplication.objects.create(
        order=order, package=package, applied_at=timezone.now(), by=by, net_amount=price.net,
        odometer_km=order.odometer_km if order.odometer_km is not None else order.vehicle.mileage_km,
    )  # fmt: skip
    application.lines.set(lines)
    return application


def next_service(*, order: RepairOrder, on) -> dict | None:
    """The ``"next_service"`` hook of repairs: the package proposed for the car's next service (or None)."""
    return next_service_for(order=order, on=on)
