"""Reads of the customer archive, always scoped to the user's dealers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Count, QuerySet

from accounts.models import User
from core.search import prefix_q
from customers.models import Customer, Vehicle, VehicleOwnership
from customers.validators import PROVINCES, normalize_mobile, normalize_plate, normalize_vin

_VIN_PART = re.compile(r"^[0-9A-HJ-NPR-Z]{6,17}$")
_DIGITS = re.compile(r"^[0-9]{3,11}$")


@dataclass(frozen=True)
class SearchTerm:
    """A search box entry, classified by what it looks like."""

    kind: str  # "vin", "plate", "mobile", "name" or "empty"
    value: str


def classify_search(raw: str) -> SearchTerm:
    """Decide whether the user typed a VIN, a plate, a mobile number or a name."""
    text = (raw or "").strip()
    if not text:
        return SearchTerm("empty", "")
    mobile = normalize_mobile(text)
    if _DIGITS.match(mobile):
        return SearchTerm("mobile", mobile)
    plate = normalize_plate(text)
    if plate[0] in PROVINCES and 2 <= len(plate) <= 8 and re.match(r"^.[A-Z][A-Z0-9]*[挂学警港澳领试超]?$", plate):
        return SearchTerm("plate", plate)
    vin = normalize_vin(text)
    if _VIN_PART.match(vin) and any(ch.isdigit() for ch in vin):
        return SearchTerm("vin", vin)
    return SearchTerm("name", text)


def customer_list(*, user: User, filters: dict | None = None) -> QuerySet[Customer]:
    """The user's dealers' customers, filtered by search text, dealer and archive status."""
    filters = filters or {}
    qs = Customer.objects.for_user(user).select_related("dealer").annotate(vehicle_count=Count("vehicles"))
    term = classify_search(filters.get("q", ""))
    if term.kind == "mobile":
        qs = qs.filter(prefix_q("mobile", term.value))
    elif term.kind == "name":
        qs = qs.filter(prefix_q("name", term.value))
    elif term.kind in ("plate", "vin"):
        field = "plate" if term.kind == "plate" else "vin"
        owners = Vehicle.objects.for_user(user).filter(prefix_q(field, term.value)).values("owner_id")
        qs = qs.filter(pk__in=owners)
    if filters.get("dealer"):
        qs = qs.filter(dealer_id=filters["dealer"])
    if filters.get("archive") in ("complete", "incomplete"):
        qs = qs.filter(archive_complete=filters["archive"] == "complete")
    return qs.order_by("-created_at", "-id")


def vehicle_list(*, user: User, filters: dict | None = None) -> QuerySet[Vehicle]:
    """The user's dealers' vehicles, filtered by search text (plate, VIN, owner) and dealer."""
    filters = filters or {}
    qs = Vehicle.objects.for_user(user).select_related("dealer", "owner")
    term = classify_search(filters.get("q", ""))
    if term.kind == "plate":
        qs = qs.filter(prefix_q("plate", term.value))
    elif term.kind == "vin":
        qs = qs.filter(prefix_q("vin", term.value))
    elif term.kind == "mobile":
        qs = qs.filter(owner__in=Customer.objects.for_user(user).filter(prefix_q("mobile", term.value)))
    elif term.kind == "name":
        qs = qs.filter(owner__in=Customer.objects.for_user(user).filter(prefix_q("name", term.value)))
    if filters.get("dealer"):
        qs = qs.filter(dealer_id=filters["dealer"])
    return qs.order_by("-created_at", "-id")


def vehicle_ownerships(*, user: User, vehicle: Vehicle) -> QuerySet[VehicleOwnership]:
    """A vehicle's owners, newest first."""
    return (
        VehicleOwnership.objects.for_user(user)
        .filter(vehicle=vehicle)
        .select_related("customer", "recorded_by")
        .order_by("-started_on", "-id")
    )


def find_duplicate_vehicle(*, dealer_id: int, vin: str = "", plate: str = "", exclude_pk: int | None = None):
    """The existing vehicle of this dealer with the same VIN and/or plate, if any: {field: vehicle}."""
    found = {}
    for field, value in (("vin", normalize_vin(vin)), ("plate", normalize_plate(plate))):
        if not value:
            continue
        qs = Vehicle.objects.filter(dealer_id=dealer_id, **{field: value})
        if exclude_pk:
            qs = qs.exclude(pk=exclude_pk)
        vehicle = qs.first()
        if vehicle:
            found[field] = vehicle
    return found
