"""Reads of the customer archive, always scoped to the user's dealers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.search import prefix_q
from customers.models import Customer, Vehicle, VehicleOwnership
from customers.validators import PROVINCES, normalize_mobile, normalize_plate, normalize_vin

_VIN_PART = re.compile(r"^[0-9A-HJ-NPR-Z]{6,17}$")
_DIGITS = re.compile(r"^[0-9]{3,11}$")
# A piece of a plate typed without its province (A3448L, 3448L, 3448): letters (no I, O) and digits, one a digit.
_PLATE_PART = re.compile(r"^(?=.*[0-9])[A-HJ-NP-Z0-9]{3,7}$")
# A document number: an RO number (GZ01-202610-0007) from its start, or its month and sequence (202610-0007).
_DOCUMENT_NUMBER = re.compile(r"^(?=.*[0-9])([A-Z][A-Z0-9]*|[0-9]{6})-[A-Z0-9-]*$")

# What each reading of a search entry looks for, as the search page says it ("plate containing 3448").
READING_LABELS = {
    "name": _("name starting with “%(value)s”"),
    "mobile": _("mobile starting with “%(value)s”"),
    "plate": _("plate starting with “%(value)s”"),
    "plate_part": _("plate containing “%(value)s”"),
    "vin": _("VIN starting with “%(value)s”"),
    "vin_tail": _("VIN ending “%(value)s”"),
    "ro_number": _("RO number “%(value)s”"),
}
VEHICLE_READINGS = ("plate", "plate_part", "vin", "vin_tail")
CUSTOMER_READINGS = ("name", "mobile")


@dataclass(frozen=True)
class Reading:
    """One thing a search entry may be: a name/mobile/plate/VIN prefix, a plate fragment, a VIN tail, an RO number."""

    kind: str
    value: str

    @property
    def label(self) -> str:
        return READING_LABELS[self.kind] % {"value": self.value}


@dataclass(frozen=True)
class SearchTerm:
    """A search box entry, classified by what it looks like."""

    kind: str  # "vin", "plate", "plate_part", "mobile", "digits", "number", "name" or "empty"
    value: str

    @property
    def vin_tail(self) -> str:
        """Six VIN characters may also be the VIN's last six (车架号后六位), as advisors often type."""
        if self.kind in ("vin", "mobile", "digits") and len(self.value) == 6 and _VIN_PART.match(self.value):
            return self.value
        return ""

    @property
    def plate_part(self) -> str:
        """A plate typed without its province (A3448L) or only its end or middle (3448L, 3448)."""
        if self.kind in ("plate_part", "vin", "mobile", "digits") and _PLATE_PART.match(self.value):
            # A plate holds at most five digits in a row (粤BD12345).
            return self.value if not re.search(r"[0-9]{6}", self.value) else ""
        return ""

    @property
    def readings(self) -> list[Reading]:
        """Everything this entry is searched as, in the order the search page names them (the one rule the
        customer, vehicle, repair-order and global searches follow)."""
        found = []
        if self.kind in ("name", "plate", "vin", "number"):
            found.append(Reading("ro_number" if self.kind == "number" else self.kind, self.value))
        if self.kind == "mobile":  # every mainland mobile starts with 1 (an entry like 3448 is no mobile)
            found.append(Reading("mobile", self.value))
        if self.vin_tail:
            found.append(Reading("vin_tail", self.vin_tail))
        if self.plate_part:
            found.append(Reading("plate_part", self.plate_part))
        return found


def classify_search(raw: str) -> SearchTerm:
    """Decide whether the user typed a VIN, a plate (or a piece of one), a mobile number, an RO number or a name."""
    text = (raw or "").strip()
    if not text:
        return SearchTerm("empty", "")
    number = re.sub(r"\s", "", text).upper()
    if _DOCUMENT_NUMBER.match(number):  # before the mobile: 202610-0007 is no phone number
        return SearchTerm("number", number)
    mobile = normalize_mobile(text)
    if _DIGITS.match(mobile):
        return SearchTerm("mobile" if mobile.startswith("1") else "digits", mobile)
    plate = normalize_plate(text)
    if 2 <= len(plate) <= 8 and plate[0] in PROVINCES and re.match(r"^.[A-Z][A-Z0-9]*[挂学警港澳领试超]?$", plate):
        return SearchTerm("plate", plate)
    vin = normalize_vin(text)
    if _VIN_PART.match(vin) and any(ch.isdigit() for ch in vin):
        return SearchTerm("vin", vin)
    if _PLATE_PART.match(plate):
        return SearchTerm("plate_part", plate)
    return SearchTerm("name", text)


def _union(parts: list[QuerySet]) -> QuerySet:
    """One id subquery from several index-served ones (UNION, not OR: each part keeps its index)."""
    return parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]


def _vehicle_reading_q(reading: Reading):
    """The vehicles a plate/VIN reading matches (a plate fragment is a scan of the short plate column, within the
    user's dealers; the rest are prefix or equality lookups served by an index)."""
    if reading.kind == "plate_part":
        return Q(plate__contains=reading.value)
    if reading.kind == "vin_tail":
        return Q(vin_tail=reading.value)
    return prefix_q(reading.kind, reading.value)


def _matching_vehicle_ids(term: SearchTerm, user: User) -> QuerySet | None:
    """Ids of the user's vehicles matching a search term: plate/VIN prefix, plate fragment, VIN tail, or the
    owner's mobile/name (None: the term cannot find a vehicle, e.g. an RO number)."""
    vehicles = Vehicle.objects.for_user(user).order_by()
    customers = Customer.objects.for_user(user).order_by()
    parts = []
    for reading in term.readings:
        if reading.kind in VEHICLE_READINGS:
            parts.append(vehicles.filter(_vehicle_reading_q(reading)).values("pk"))
        elif reading.kind in CUSTOMER_READINGS:
            owners = customers.filter(prefix_q(reading.kind, reading.value)).values("pk")
            parts.append(vehicles.filter(owner__in=owners).values("pk"))
    return _union(parts) if parts else None


def matching_vehicle_q(term: SearchTerm, *, user: User, field: str = "vehicle") -> Q | None:
    """``field`` is one of the user's vehicles this term finds (for searches of records with a vehicle, e.g.
    repair orders); None when the term cannot name a vehicle."""
    ids = _matching_vehicle_ids(term, user)
    return None if ids is None else Q(**{f"{field}__in": ids})


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
    if term.kind == "empty":
        return customers
    if term.kind == "name":
        return customers.filter(prefix_q("name", term.value))
    scoped = Customer.objects.for_user(user).order_by()
    vehicles = Vehicle.objects.for_user(user).order_by()
    parts = []
    for reading in term.readings:
        if reading.kind in CUSTOMER_READINGS:
            parts.append(scoped.filter(prefix_q(reading.kind, reading.value)).values("pk"))
        elif reading.kind in VEHICLE_READINGS:
            parts.append(vehicles.filter(_vehicle_reading_q(reading)).values("owner_id"))
    return customers.filter(pk__in=_union(parts)) if parts else customers.none()


def vehicle_list(*, user: User) -> QuerySet[Vehicle]:
    """The user's dealers' vehicles, newest first (customers.filtersets.VehicleFilterSet filters them)."""
    return Vehicle.objects.for_user(user).select_related("dealer", "owner").order_by("-created_at", "-id")


def vehicle_search(vehicles: QuerySet[Vehicle], text: str, *, user: User) -> QuerySet[Vehicle]:
    """The vehicles a search box entry finds: plate, VIN or VIN tail, or the owner's mobile or name."""
    term = classify_search(text)
    if term.kind == "empty":
        return vehicles
    ids = _matching_vehicle_ids(term, user)
    return vehicles.none() if ids is None else vehicles.filter(pk__in=ids)


def vehicle_ownerships(*, user: User, vehicle: Vehicle) -> QuerySet[VehicleOwnership]:
    """A vehicle's owners, newest first."""
    return (
        VehicleOwnership.objects.for_user(user)
        .filter(vehicle=vehicle)
        .select_related("customer", "recorded_by")
        .order_by("-started_on", "-id")
    )


def customers_with_mobile(*, user: User, mobile: str, exclude_pk: int | None = None) -> list[Customer]:
    """The user's customers (their dealers only) who already have this mobile: the archive a desk should open
    instead of creating a second one (at most ten, newest first)."""
    mobile = normalize_mobile(mobile)
    if not mobile:
        return []
    found = Customer.objects.for_user(user).filter(mobile=mobile).select_related("dealer")
    if exclude_pk:
        found = found.exclude(pk=exclude_pk)
    return list(found.order_by("-created_at", "-id")[:10])


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
