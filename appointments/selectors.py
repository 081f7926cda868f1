"""Reads of appointments, always scoped to the user's dealers: lists and the day calendar of a dealer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from appointments import slots
from appointments.choices import HOLDS_BAY, PENDING, AppointmentStatus
from appointments.models import Appointment
from core.dates import day_bounds, local_zone
from core.indicators import Rate
from customers.models import Customer, Vehicle
from customers.validators import normalize_mobile, normalize_plate, normalize_vin
from organization.models import Dealer


@dataclass
class SlotRow:
    """One step of a dealer's day: how many bays are taken and free, and (filled by the page) its bookings."""

    start: datetime
    end: datetime
    capacity: int
    used: int
    appointments: list = field(default_factory=list)

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.used)

    @property
    def full(self) -> bool:
        return self.used >= self.capacity

    @property
    def percent_used(self) -> int:
        used = Rate(self.used, self.capacity).percent
        return 100 if used is None else min(100, round(used))  # no capacity: full


@dataclass
class DayCalendar:
    """A dealer's slots of one day with their capacity; ``open`` is False on a closed weekday."""

    dealer: Dealer
    day: date
    open: bool
    slots: list[SlotRow]

    @property
    def free(self) -> int:
        return sum(row.free for row in self.slots)


def appointment_list(*, user: User, day: date | None = None) -> QuerySet[Appointment]:
    """The user's dealers' appointments by slot (of one local day if given); AppointmentFilterSet filters them."""
    qs = Appointment.objects.for_user(user).select_related("dealer", "customer", "vehicle", "advisor")
    if day is not None:
        first, last = day_bounds(day)
        qs = qs.filter(slot_start__gte=first, slot_start__lt=last)
    return qs.order_by("slot_start", "id")


def day_arrivals(*, user: User, dealer: Dealer, day: date, now: datetime | None = None) -> dict[str, int]:
    """The dealer's appointments of its local ``day`` by arrival (one query): ``booked`` (all but cancelled),
    ``arrived``, ``not_yet`` (still booked or confirmed; ``late`` of them: their slot has begun) and ``no_show``."""
    now = now or timezone.now()
    first, last = day_bounds(day, local_zone(dealer))
    pending = Q(status__in=PENDING)
    return (
        Appointment.objects.for_user(user)
        .filter(dealer=dealer, slot_start__gte=first, slot_start__lt=last)
        .order_by()
        .aggregate(
            booked=Count("id", filter=~Q(status=AppointmentStatus.CANCELLED)),
            arrived=Count("id", filter=Q(status=AppointmentStatus.ARRIVED)),
            not_yet=Count("id", filter=pending),
            late=Count("id", filter=pending & Q(slot_start__lte=now)),
            no_show=Count("id", filter=Q(status=AppointmentStatus.NO_SHOW)),
        )
    )


def day_calendar(*, user: User, dealer: Dealer, day: date) -> DayCalendar:
    """The dealer's slots of ``day`` with bays used and free, from ONE grouped query.

    Appointments are grouped by (start, end); each group is counted in every grid step it overlaps.
    """
    grid = slots.grid(dealer, day)
    if not grid:
        return DayCalendar(dealer=dealer, day=day, open=False, slots=[])
    first, last = day_bounds(day)
    groups = (
        Appointment.objects.for_user(user)
        .filter(dealer=dealer, status__in=HOLDS_BAY, slot_start__lt=last, slot_end__gt=first)
        .order_by()
        .values("slot_start", "slot_end")
        .annotate(n=Count("id"))
    )
    groups = [(g["slot_start"], g["slot_end"], g["n"]) for g in groups]
    rows = []
    for start in grid:
        end = start + slots.STEP
        used = sum(n for g_start, g_end, n in groups if g_start < end and g_end > start)
        rows.append(SlotRow(start=start, end=end, capacity=dealer.service_bays, used=used))
    return DayCalendar(dealer=dealer, day=day, open=True, slots=rows)


def place_in_rows(calendar: DayCalendar, appointments) -> list[Appointment]:
    """Put each appointment in the row its slot starts in; return those outside every row (off-hours)."""
    by_start = {row.start: row for row in calendar.slots}
    outside = []
    for appointment in appointments:
        row = by_start.get(slots.floor_to_step(appointment.slot_start))
        (row.appointments if row else outside).append(appointment)
    return outside


def vehicles_for_lookup(*, user: User, lookup: str, limit: int = 20) -> list[Vehicle]:
    """The vehicles of the customer found by an exact mobile, plate or VIN (at the dealers the user may change).

    A plate or VIN finds its owner, so the list is always one customer's vehicles (or a few
    customers' who share a mobile), the matching vehicle first.
    """
    scope = Vehicle.objects.for_user(user, write=True)
    mobile, plate, vin = normalize_mobile(lookup), normalize_plate(lookup), normalize_vin(lookup)
    if len(mobile) == 11 and mobile.isdigit():
        owners = Customer.objects.for_user(user, write=True).filter(mobile=mobile).values("pk")
        matched: list[int] = []
    else:
        if len(vin) == 17:
            hits = scope.filter(vin=vin)
        elif 7 <= len(plate) <= 8:
            hits = scope.filter(plate=plate)
        else:
            return []
        matched = list(hits.values_list("pk", flat=True)[:limit])
        owners = scope.filter(pk__in=matched).values("owner_id")
    vehicles = list(
        scope.filter(owner__in=owners).select_related("owner", "dealer").order_by("owner__name", "plate", "pk")[:limit]
    )
    return sorted(vehicles, key=lambda v: v.pk not in matched)


def advisors_of(*, user: User, write: bool = False) -> QuerySet[User]:
    """The active service advisors of the dealers the user reads (or changes): the advisor filter and choice."""
    dealers = Dealer.objects.for_user(user, write=write).values("pk")
    return (
        User.objects.filter(is_active=True, groups__name=Role.SERVICE_ADVISOR, dealer_memberships__dealer__in=dealers)
        .distinct()
        .order_by("display_name", "username")
    )


def week_of(day: date) -> list[date]:
    """Monday to Sunday of ``day``'s week (the day view's quick links)."""
    monday = day - timedelta(days=day.weekday())
    return [monday + timedelta(days=i) for i in range(7)]
