"""Writes to the customer archive: create/update customers and vehicles, change a vehicle's owner."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.permissions import require
from core.services import save_versioned
from customers.archive import archive_status
from customers.choices import Consent
from customers.models import Customer, Vehicle, VehicleOwnership
from customers.validators import normalize_mobile, normalize_plate, normalize_vin
from organization.models import Dealer

# The fields a person may set, in the order forms and the API show them.
CUSTOMER_FIELDS = (
    "kind", "name", "contact_person", "mobile", "other_contacts", "email", "address", "birthday",
    "preferred_channel", "consent", "source", "tags", "notes",
)  # fmt: skip
VEHICLE_FIELDS = (
    "vin", "plate", "brand", "series", "model_name", "model_year", "fuel_type", "colour", "engine_no",
    "purchase_date", "mileage_km", "insurance_expiry", "warranty_expiry", "notes",
)  # fmt: skip


def _normalize_tags(value: str) -> str:
    seen: list[str] = []
    for tag in (t.strip() for t in (value or "").replace("，", ",").split(",")):
        if tag and tag not in seen:
            seen.append(tag)
    return ", ".join(seen)


def _apply_customer_fields(customer: Customer, fields: dict[str, Any]) -> None:
    unknown = set(fields).difference(CUSTOMER_FIELDS)
    if unknown:
        raise TypeError(f"unknown customer fields: {sorted(unknown)}")
    old_consent = customer.consent
    for name, value in fields.items():
        setattr(customer, name, value)
    customer.mobile = normalize_mobile(customer.mobile)
    customer.tags = _normalize_tags(customer.tags)
    if customer.consent != old_consent or (customer.consent != Consent.UNKNOWN and not customer.consent_at):
        customer.consent_at = timezone.now() if customer.consent != Consent.UNKNOWN else None


def _apply_vehicle_fields(vehicle: Vehicle, fields: dict[str, Any]) -> None:
    unknown = set(fields).difference(VEHICLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown vehicle fields: {sorted(unknown)}")
    old_mileage = vehicle.mileage_km
    for name, value in fields.items():
        setattr(vehicle, name, value)
    vehicle.vin = normalize_vin(vehicle.vin)
    vehicle.plate = normalize_plate(vehicle.plate)
    if vehicle.mileage_km is not None and vehicle.mileage_km != old_mileage:
        vehicle.mileage_recorded_at = timezone.now()


def _save_unique(save) -> None:
    """Run a save and turn a unique-constraint race (two desks at once) into a field error."""
    try:
        with transaction.atomic():
            save()
    except IntegrityError as exc:
        raise ValidationError(_("This record duplicates an existing one (VIN or plate already on file).")) from exc


def customer_refresh_archive_status(*, customer: Customer) -> Customer:
    """Recompute whether the archive is complete; stamp the first time it became complete."""
    status = archive_status(customer, customer.vehicles.all())
    changed = status.complete != customer.archive_complete
    customer.archive_complete = status.complete
    if status.complete and customer.archive_completed_at is None:
        # The status is saved without a version bump, so this instance may predate the first completion.
        stored_at = Customer.objects.filter(pk=customer.pk).values_list("archive_completed_at", flat=True).first()
        customer.archive_completed_at = stored_at or timezone.now()
        changed = True
    if changed:
        Customer.objects.filter(pk=customer.pk).update(
            archive_complete=customer.archive_complete, archive_completed_at=customer.archive_completed_at
        )
    return customer


@transaction.atomic
def customer_create(*, dealer: Dealer, by: User, **fields: Any) -> Customer:
    """Open a new customer archive at a dealer."""
    require(by, dealer=dealer, field="dealer")
    customer = Customer(dealer=dealer, created_by=by)
    customer._history_user = by
    _apply_customer_fields(customer, fields)
    customer.full_clean()
    _save_unique(customer.save)
    return customer_refresh_archive_status(customer=customer)


@transaction.atomic
def customer_update(*, customer: Customer, by: User, version: int | None, **fields: Any) -> Customer:
    """Change a customer's archive; refused if someone saved it since ``version`` was read."""
    require(by, dealer=customer.dealer, field="dealer")
    _apply_customer_fields(customer, fields)
    # Keep the stored first-complete stamp: it changes without a version bump, so this instance may hold an older one.
    customer.archive_completed_at = (
        Customer.objects.filter(pk=customer.pk).values_list("archive_completed_at", flat=True).first()
    )
    customer._history_user = by
    save_versioned(customer, expected_version=version)
    return customer_refresh_archive_status(customer=customer)


@transaction.atomic
def vehicle_create(*, owner: Customer, by: User, owner_since: date | None = None, **fields: Any) -> Vehicle:
    """Add a vehicle to an owner's archive (same dealer) and open its ownership record."""
    require(by, dealer=owner.dealer, field="dealer")
    vehicle = Vehicle(dealer=owner.dealer, owner=owner, created_by=by)
    vehicle._history_user = by
    _apply_vehicle_fields(vehicle, fields)
    vehicle.full_clean()
    _save_unique(vehicle.save)
    VehicleOwnership.objects.create(
        vehicle=vehicle,
        customer=owner,
        started_on=owner_since or vehicle.purchase_date or timezone.localdate(),
        recorded_by=by,
    )
    customer_refresh_archive_status(customer=owner)
    return vehicle


@transaction.atomic
def vehicle_update(*, vehicle: Vehicle, by: User, version: int | None, **fields: Any) -> Vehicle:
    """Change a vehicle's data; refused if someone saved it since ``version`` was read."""
    require(by, dealer=vehicle.dealer, field="dealer")
    _apply_vehicle_fields(vehicle, fields)
    vehicle._history_user = by
    _save_unique(lambda: save_versioned(vehicle, expected_version=version))
    customer_refresh_archive_status(customer=vehicle.owner)
    return vehicle


@transaction.atomic
def vehicle_change_owner(
    *, vehicle: Vehicle, new_owner: Customer, by: User, version: int | None, started_on: date, note: str = ""
) -> Vehicle:
    """Transfer a vehicle to another customer of the same dealer, keeping its history."""
    require(by, dealer=vehicle.dealer, field="dealer")
    if new_owner.dealer_id != vehicle.dealer_id:
        raise ValidationError({"new_owner": _("The new owner must be a customer of the same dealer.")})
    if new_owner.pk == vehicle.owner_id:
        raise ValidationError({"new_owner": _("This customer already owns the vehicle.")})
    current = VehicleOwnership.objects.select_for_update().filter(vehicle=vehicle, ended_on__isnull=True).first()
    if current and started_on < current.started_on:
        raise ValidationError(
            {
                "started_on": _("The new owner cannot start before the current owner (%(date)s).")
                % {"date": current.started_on}
            }
        )
    if started_on > timezone.localdate():
        raise ValidationError({"started_on": _("The transfer date cannot be in the future.")})
    previous_owner = vehicle.owner
    vehicle.owner = new_owner
    vehicle._history_user = by
    save_versioned(vehicle, expected_version=version)
    if current:
        current.ended_on = started_on
        current.save(update_fields=["ended_on"])
    VehicleOwnership.objects.create(
        vehicle=vehicle, customer=new_owner, started_on=started_on, note=note, recorded_by=by
    )
    customer_refresh_archive_status(customer=previous_owner)
    customer_refresh_archive_status(customer=new_owner)
    return vehicle
