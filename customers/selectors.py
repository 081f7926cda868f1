"""Reads of the customer archive, always scoped to the user's dealers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

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

    @property
    def vin_tail(self) -> str:
        """Six VIN characters may also be the VIN's last six (车架号后六位), as advisors often type."""
        if self.kind in ("vin", "mobile") and len(self.value) == 6 and _VIN_PART.match(self.value):
            return self.value
        return ""


def classify_search(raw: str) -> SearchTerm:
    """Decide whether the user typed a VIN, a plate, a mobile number or a name."""
    text = (raw or "").strip()
    if not text:
        return SearchTerm("empty", "")
    mobile = normalize_mobile(text)
    if _DIGITS.match(mobile):
        return SearchTerm("mobile", mobile)
    plate = normalize_plate(text)
    if 2 <= len(plate) <= 8 and plate[0] in PROVINCES and re.match(r"^.[A-Z][A-Z0-9]*[挂学警港澳领试超]?$", plate):
        return SearchTerm("plate", plate)
    vin = normalize_vin(text)
    if _VIN_PART.match(vin) and any(ch.isdigit() for ch in vin):
        return SearchTerm("vin", vin)
    return SearchTerm("name", text)


def _union(parts: list[QuerySet]) -> QuerySet:
    """One id subquery from several index-served ones (UNION, not OR: each part keeps its index)."""
    return parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]


def _matching_vehicle_ids(term: SearchTerm, user: User) -> QuerySet:
    """Ids of the user's vehicles matching a search term: plate/VIN prefix, VIN tail, or the owner's mobile/name."""
    vehicles = Vehicle.objects.for_user(user).order_by()
    customers = Customer.objects.for_user(user).order_by()
    parts = []
    if term.kind == "plate":
        parts.append(vehicles.filter(prefix_q("plate", term.value)).values("pk"))
    elif term.kind == "vin":
        parts.append(vehicles.filter(prefix_q("vin", term.value)).values("pk"))
    else:
        field = "mobile" if term.kind == "mobile" else "name"
        owners = customers.filter(prefix_q(field, term.value)).values("pk")
        parts.append(vehicles.filter(owner__in=owners).values("pk"))
    if term.vin_tail:
        parts.append(vehicles.filter(vin_tail=term.vin_tail).values("pk"))
    return _union(parts)


def customer_list(*, user: User) -> QuerySet[Customer]:
    """The user's dealers' customers, newest first, with their number of vehicles (customers.filtersets'
    CustomerFilterSet filters them: search text, dealer, archive status …)."""
    # A correlated subquery (not JOIN + GROUP BY) so only the rows of the page are counted.
    vehicle_count = (
        Vehicle.objects.filter(owner=OuterRef("pk")).order_by().values("owner").annotate(n=Count("*")).values("n")
    )
    return (
        Customer.objects.for_user(user)
        .select_related("dealer")
        .annotate(vehicle_count=Coalesce(Subquery(vehicle_count), 0))
        .order_by("-created_at", "-id")
    )


def customer_search(customers: QuerySet[Customer], text: str, *, user: User) -> QuerySet[Customer]:
    """The customers a search box entry finds: a name or mobile prefix, or the owners of the vehicles it finds."""
    term = classify_search(text)
    if term.kind == "name":
        return customers.filter(prefix_q("name", term.value))
    if term.kind == "mobile":
        parts = [Customer.objects.for_user(user).order_by().filter(prefix_q("mobile", term.value)).values("pk")]
        if term.vin_tail:
            parts.append(Vehicle.objects.for_user(user).order_by().filter(vin_tail=term.vin_tail).values("owner_id"))
        return customers.filter(pk__in=_union(parts))
    if term.kind != "empty":
        owners = Vehicle.objects.filter(pk__in=_matching_vehicle_ids(term, user)).order_by().values("owner_id")
        return customers.filter(pk__in=owners)
    return customers


def vehicle_list(*, user: User) -> QuerySet[Vehicle]:
    """The user's dealers' vehicles, newest first (customers.filtersets.VehicleFilterSet filters them)."""
    return Vehicle.objects.for_user(user).select_related("dealer", "owner").order_by("-created_at", "-id")


def vehicle_search(vehicles: QuerySet[Vehicle], text: str, *, user: User) -> QuerySet[Vehicle]:
    """The vehicles a search box entry finds: plate, VIN or VIN tail, or the owner's mobile or name."""
    term = classify_search(text)
    return vehicles if term.kind == "empty" else vehicles.filter(pk__in=_matching_vehicle_ids(term, user))


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
