"""Care reminders (客户关怀): what is coming up for each customer and vehicle, found from the archive.

``generate_reminders`` is idempotent (a reminder is unique per customer, vehicle, kind and due date) and is run
by the ``care_reminders`` command (daily) or from the reminder page.  Rules, each reminder shown from
``remind_on`` (the lead time before the event):

* **maintenance** — the next service of the latest settlement: due on its date, or earlier when the vehicle is
  expected to reach its due mileage first.  Mileage is estimated from the vehicle's own average daily distance:
  between its first and last odometer reading at this dealer when they are at least 30 days apart, else from
  the current mileage over the days since purchase.  Lead time 14 days.
* **insurance** — the vehicle's insurance expiry, 30 days ahead (renewal is sold at the desk).
* **warranty** — the vehicle's warranty expiry, 30 days ahead (invite for a check before it ends).
* **inspection** (年检) — private passenger cars in mainland China: inspection-free label at years 2 and 4, an
  inspection at year 6, then yearly until year 15 and every six months after; counted from the purchase
  (registration) date; 30 days ahead.
* **birthday** — the customer's birthday, 7 days ahead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Max, Min, OuterRef, Subquery
from django.utils.translation import gettext as _

from care.choices import ReminderKind
from care.models import Reminder
from core.dates import add_months
from customers.models import Customer, Vehicle
from repairs.models import RepairOrder, Settlement

LEAD_DAYS = {
    ReminderKind.MAINTENANCE: 14,
    ReminderKind.INSURANCE: 30,
    ReminderKind.WARRANTY: 30,
    ReminderKind.INSPECTION: 30,
    ReminderKind.BIRTHDAY: 7,
}
MIN_SPAN_DAYS = 30


@dataclass(frozen=True)
class Due:
    customer_id: int
    vehicle_id: int | None
    kind: str
    due_on: date
    basis: str


def inspection_dates(registered: date, until: date) -> list[date]:
    """The 年检 due dates of a private car up to ``until``: years 2, 4, 6, then yearly to 15, then half-yearly."""
    dates = [add_months(registered, 12 * y) for y in (2, 4, 6, *range(7, 16))]
    month = 15 * 12 + 6
    while dates[-1] <= until:
        dates.append(add_months(registered, month))
        month += 6
    return [d for d in dates if d <= until]


def daily_km(*, first_km, last_km, first_at, last_at, mileage_km, purchase_date, today: date) -> float | None:
    """The vehicle's average distance per day (None when nothing is known)."""
    if first_km is not None and last_km is not None and first_at and last_at:
        span = (last_at - first_at).days
        if span >= MIN_SPAN_DAYS and last_km >= first_km:
            return (last_km - first_km) / span
    if mileage_km and purchase_date and (today - purchase_date).days >= MIN_SPAN_DAYS:
        return mileage_km / (today - purchase_date).days
    return None


def due_events(*, dealer_id: int, today: date, horizon_days: int = 30) -> list[Due]:
    """Every reminder-worthy event of the dealer whose contact date falls within ``horizon_days`` from today."""
    until = today + timedelta(days=horizon_days)
    events: list[Due] = []

    def keep(customer_id, vehicle_id, kind, due_on, basis):
        remind_on = due_on - timedelta(days=LEAD_DAYS[kind])
        if remind_on <= until and due_on >= today:
            events.append(Due(customer_id, vehicle_id, kind, due_on, basis))

    latest = Settlement.objects.filter(order__vehicle=OuterRef("pk")).order_by("-settled_at")
    readings = (
        RepairOrder.objects.filter(vehicle=OuterRef("pk"), odometer_km__isnull=False)
        .values("vehicle")
        .annotate(
            first_km=Min("odometer_km"),
            last_km=Max("odometer_km"),
            first_at=Min("arrived_at"),
            last_at=Max("arrived_at"),
        )
    )
    vehicles = (
        Vehicle.objects.filter(dealer_id=dealer_id)
        .annotate(
            due_date=Subquery(latest.values("next_service_due_date")[:1]),
            due_km=Subquery(latest.values("next_service_due_km")[:1]),
            first_km=Subquery(readings.values("first_km")),
            last_km=Subquery(readings.values("last_km")),
            first_at=Subquery(readings.values("first_at")),
            last_at=Subquery(readings.values("last_at")),
        )
        .values(
            "id", "owner_id", "mileage_km", "purchase_date", "insurance_expiry", "warranty_expiry",
            "due_date", "due_km", "first_km", "last_km", "first_at", "last_at",
        )
    )  # fmt: skip
    for v in vehicles:
        if v["due_date"] or v["due_km"]:
            due_on, basis = v["due_date"], _("next service date of the last visit")
            per_day = daily_km(
                first_km=v["first_km"], last_km=v["last_km"], first_at=v["first_at"], last_at=v["last_at"],
                mileage_km=v["mileage_km"], purchase_date=v["purchase_date"], today=today,
            )  # fmt: skip
            if v["due_km"] and per_day and v["mileage_km"] is not None:
                by_km = today + timedelta(days=max(0, round((v["due_km"] - v["mileage_km"]) / per_day)))
                if due_on is None or by_km < due_on:
                    due_on = by_km
                    basis = _("%(km)s km expected at %(per_day).0f km a day") % {"km": v["due_km"], "per_day": per_day}
            if due_on:
                keep(v["owner_id"], v["id"], ReminderKind.MAINTENANCE, due_on, basis)
        if v["insurance_expiry"]:
            keep(v["owner_id"], v["id"], ReminderKind.INSURANCE, v["insurance_expiry"], _("insurance expires"))
        if v["warranty_expiry"]:
            keep(v["owner_id"], v["id"], ReminderKind.WARRANTY, v["warranty_expiry"], _("warranty ends"))
        if v["purchase_date"]:
            for due_on in inspection_dates(v["purchase_date"], until + timedelta(days=LEAD_DAYS["inspection"])):
                keep(v["owner_id"], v["id"], ReminderKind.INSPECTION, due_on, _("annual inspection due"))
    for customer_id, birthday in Customer.objects.filter(dealer_id=dealer_id, birthday__isnull=False).values_list(
        "id", "birthday"
    ):
        for year in (today.year, today.year + 1):
            try:
                day = birthday.replace(year=year)
            except ValueError:
                day = birthday.replace(year=year, day=28)
            keep(customer_id, None, ReminderKind.BIRTHDAY, day, _("birthday"))
    return events


@transaction.atomic
def generate_reminders(*, dealer, today: date, horizon_days: int = 30) -> int:
    """Create the reminders that are due to be shown; existing ones are kept as they are. Returns how many are new."""
    rows = [
        Reminder(
            dealer=dealer,
            customer_id=e.customer_id,
            vehicle_id=e.vehicle_id,
            kind=e.kind,
            due_on=e.due_on,
            remind_on=max(today, e.due_on - timedelta(days=LEAD_DAYS[e.kind])),
            basis=e.basis[:200],
        )
        for e in due_events(dealer_id=dealer.pk, today=today, horizon_days=horizon_days)
    ]
    before = Reminder.objects.filter(dealer=dealer).count()
    Reminder.objects.bulk_create(rows, ignore_conflicts=True)
    return Reminder.objects.filter(dealer=dealer).count() - before
