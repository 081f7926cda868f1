"""Workshop planning (车间计划): whom a job can go to and how full their day is, and the bays (工位) cars are on.

The dispatch list is the workshop's crew: the users of the dealer holding the technician or the foreman role (a
foreman who also works jobs), technicians first. The service still lets anyone with the work permission take a job
(a service manager who lends a hand, through the API), but the foreman's list does not offer the desk or the
managers. A technician's day is measured in hours: what is still to do on their dispatched, unfinished jobs (a
job's standard hours less what was already clocked on it), what they clocked today, and what is left of the
dealer's opening hours today (organization.calendar, core.business_hours).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import User
from core.business_hours import business_time_between
from core.dates import day_bounds, local_date
from core.permissions import require
from organization.calendar import business_calendar
from organization.models import Dealer
from repairs import hooks
from repairs.choices import AdditionStatus, LineKind, RepairOrderStatus, WorkStatus
from repairs.models import BayOccupancy, LabourClock, RepairOrder, RepairOrderLine, WorkshopBay
from repairs.selectors import with_promise_flags
from repairs.state import DISPATCH

# Whom the foreman's dispatch list offers, in this order.
CREW_ROLES = (Role.TECHNICIAN, Role.FOREMAN)
# The orders that hold a bay: from the approval to the QC bay; ready for delivery the car is parked, not on a bay.
OCCUPYING_STATUSES = [
    RepairOrderStatus.APPROVED,
    RepairOrderStatus.DISPATCHED,
    RepairOrderStatus.IN_REPAIR,
    RepairOrderStatus.QC,
]
# The jobs that still book a technician's time: dispatched to them, not done, on an order in the workshop.
BOOKING_STATUSES = [RepairOrderStatus.APPROVED, RepairOrderStatus.DISPATCHED, RepairOrderStatus.IN_REPAIR]
HOUR = Decimal("0.1")


def _hours(delta: timedelta) -> Decimal:
    """A duration in hours, exact (rounded only for display, by ``_shown``)."""
    return Decimal(delta.total_seconds()) / 3600


def _shown(hours: Decimal) -> Decimal:
    return hours.quantize(HOUR, rounding=ROUND_HALF_UP)


# --- the crew ---------------------------------------------------------------------------------------------------


def crew(*, dealer_id: int) -> QuerySet[User]:
    """The active users of the dealer holding the technician or the foreman role, technicians first (each with
    ``is_technician``): whom the foreman's dispatch list offers."""
    technician_role = User.groups.through.objects.filter(user_id=OuterRef("pk"), group__name=Role.TECHNICIAN)
    return (
        User.objects.filter(
            is_active=True,
            pk__in=User.objects.filter(dealer_memberships__dealer_id=dealer_id, groups__name__in=CREW_ROLES),
        )
        .annotate(
            is_technician=Exists(technician_role), shown_name=Coalesce(NullIf("display_name", Value("")), "username")
        )
        .order_by("-is_technician", "shown_name", "pk")
    )


@dataclass
class TechnicianDay:
    """One technician's day for the dispatch panel: open work, clocked time, time left and their qualifications."""

    technician: User
    open_jobs: int = 0
    open_hours: Decimal = Decimal("0.0")  # standard hours still to do on their unfinished jobs
    clocked_today: Decimal = Decimal("0.0")
    shift_left: Decimal = Decimal("0.0")  # working hours left today in the dealer's opening hours
    clocked_on: bool = False
    skills: list = field(default_factory=list)
    certificates: list = field(default_factory=list)
    uncertified: bool = False

    @property
    def booked(self) -> Decimal:
        """Booked hours today: what they clocked today and what is still to do on their jobs."""
        return self.clocked_today + self.open_hours

    @property
    def free(self) -> Decimal:
        """Hours of the shift not yet booked (negative: overbooked)."""
        return self.shift_left - self.open_hours

    @property
    def overbooked(self) -> bool:
        return self.open_hours > self.shift_left


def shift_left(dealer: Dealer, now: datetime) -> timedelta:
    """Working time left today in the dealer's opening hours (zero after closing and on a closed day)."""
    today = local_date(now)
    calendar = business_calendar(dealer, today, today)
    return business_time_between(calendar, now, day_bounds(today, calendar.zone)[1])


def technician_days(*, dealer: Dealer, now: datetime | None = None) -> list[TechnicianDay]:
    """The dispatch panel: every technician of the dealer (``crew``) with their day; a fixed
    number of queries however many technicians and jobs."""
    now = now or timezone.now()
    crew_list = list(crew(dealer_id=dealer.pk))
    days = {user.pk: TechnicianDay(technician=user) for user in crew_list}
    if not crew_list:
        return []
    left = _shown(_hours(shift_left(dealer, now)))
    start, end = day_bounds(local_date(now))
    jobs = dict(
        RepairOrderLine.objects.filter(
            order__dealer=dealer, order__status__in=BOOKING_STATUSES, kind=LineKind.LABOUR, technician_id__in=days
        )
        .exclude(work_status=WorkStatus.DONE)
        .exclude(addition__status=AdditionStatus.DECLINED)
        .values_list("pk", "technician_id")
    )
    standard = dict(RepairOrderLine.objects.filter(pk__in=jobs).values_list("pk", "quantity"))
    clocks = LabourClock.objects.filter(technician_id__in=days).filter(
        Q(line_id__in=jobs) | (Q(started_at__lt=end) & (Q(ended_at__isnull=True) | Q(ended_at__gt=start)))
    )
    done_on_job: dict[int, timedelta] = {}
    for line_id, technician_id, started_at, ended_at in clocks.values_list(
        "line_id", "technician_id", "started_at", "ended_at"
    ):
        stop = ended_at or now
        if line_id in jobs:
            done_on_job[line_id] = done_on_job.get(line_id, timedelta()) + (stop - started_at)
        day = days[technician_id]
        today_part = min(stop, end) - max(started_at, start)
        if today_part > timedelta():
            day.clocked_today += _hours(today_part)
        day.clocked_on = day.clocked_on or ended_at is None
    for line_id, technician_id in jobs.items():
        day = days[technician_id]
        day.open_jobs += 1
        day.open_hours += max(standard[line_id] - _hours(done_on_job.get(line_id, timedelta())), Decimal("0"))
    profiles: dict[int, dict] = {}
    for result in hooks.run("technician_profiles", dealer_id=dealer.pk, day=local_date(now)):
        profiles.update(result)
    uncertified = set().union(*hooks.run("uncertified_technicians", dealer_id=dealer.pk))
    for user_id, day in days.items():
        day.shift_left = left
        day.open_hours, day.clocked_today = _shown(day.open_hours), _shown(day.clocked_today)
        day.skills = profiles.get(user_id, {}).get("skills", [])
        day.certificates = profiles.get(user_id, {}).get("certificates", [])
        day.uncertified = user_id in uncertified  # C4: warn before dispatching
    return [days[user.pk] for user in crew_list]


# --- bays ---------------------------------------------------------------------------------------------------------


def _on_bay() -> Prefetch:
    """The open occupancy of each bay whose order still holds it (a delivered car's forgotten row does not)."""
    occupied = (
        BayOccupancy.objects.filter(ended_at__isnull=True, order__status__in=OCCUPYING_STATUSES)
        .select_related("order__vehicle")
        .order_by()
    )
    return Prefetch("occupancies", queryset=occupied, to_attr="current")


def workshop_bays(*, user: User, dealer_id: int | None = None) -> list[WorkshopBay]:
    """The active bays of the user's dealers with what is on them (``bay.occupancy``: a BayOccupancy or None), in
    the dealer's order (two queries)."""
    bays = WorkshopBay.objects.for_user(user).filter(is_active=True).prefetch_related(_on_bay())
    if dealer_id:
        bays = bays.filter(dealer_id=dealer_id)
    bays = list(bays.select_related("dealer").order_by("dealer__code", "position", "code"))
    for bay in bays:
        bay.occupancy = bay.current[0] if bay.current else None
    return bays


def bays_by_order(bays: list[WorkshopBay]) -> dict[int, WorkshopBay]:
    """{order id: the bay it is on} of bays listed by ``workshop_bays``."""
    return {bay.occupancy.order_id: bay for bay in bays if bay.occupancy}


def bay_list(*, user: User) -> QuerySet[WorkshopBay]:
    """Every bay of the user's dealers (the foreman's form chooses among them; others are 404)."""
    return WorkshopBay.objects.for_user(user, write=True).select_related("dealer")


@transaction.atomic
def bay_place(*, bay: WorkshopBay, order: RepairOrder, by: User) -> BayOccupancy:
    """Put a repair order on a bay (the foreman): one order per bay at a time; an order on another bay moves."""
    bay = WorkshopBay.objects.select_for_update().get(pk=bay.pk)
    require(by, DISPATCH, dealer=bay.dealer_id, message=_("Only the foreman puts cars on bays."))
    order = RepairOrder.objects.select_related("vehicle").get(pk=order.pk)
    if order.dealer_id != bay.dealer_id:
        raise ValidationError({"order": _("Choose a repair order of this dealer.")})
    if not bay.is_active:
        raise ValidationError({"bay": _("Bay %(bay)s is out of service.") % {"bay": bay}})
    if order.status not in OCCUPYING_STATUSES:
        raise ValidationError(
            {"order": _("Only cars in the workshop go on a bay (this one is “%(status)s”).")
             % {"status": order.get_status_display()}}
        )  # fmt: skip
    now = timezone.now()
    current = bay.occupancies.filter(ended_at__isnull=True).select_related("order__vehicle").first()
    if current and current.order_id == order.pk:
        return current
    if current and current.order.status in OCCUPYING_STATUSES:
        raise ValidationError(
            {"bay": _("Bay %(bay)s is taken by %(plate)s (%(number)s): free it first.")
             % {"bay": bay, "plate": current.order.vehicle.plate or current.order.vehicle.vin,
                "number": current.order.number}}
        )  # fmt: skip
    # A car that left the workshop without its bay being freed, and this car's place on another bay, end now.
    BayOccupancy.objects.filter(ended_at__isnull=True).filter(Q(bay=bay) | Q(order=order)).update(
        ended_at=now, released_by=by
    )
    try:
        with transaction.atomic():
            return BayOccupancy.objects.create(bay=bay, order=order, started_at=now, placed_by=by)
    except IntegrityError as exc:  # another foreman took the bay (or moved the car) at the same moment
        raise ValidationError({"bay": _("The bay was taken a moment ago: look at the board again.")}) from exc


@transaction.atomic
def bay_release(*, bay: WorkshopBay, by: User) -> None:
    """Free a bay: the car on it left (the foreman)."""
    bay = WorkshopBay.objects.select_for_update().get(pk=bay.pk)
    require(by, DISPATCH, dealer=bay.dealer_id, message=_("Only the foreman puts cars on bays."))
    if not bay.occupancies.filter(ended_at__isnull=True).update(ended_at=timezone.now(), released_by=by):
        raise ValidationError({"bay": _("Bay %(bay)s is free already.") % {"bay": bay}})


# --- the QC queue ---------------------------------------------------------------------------------------------------


def qc_queue(*, user: User, dealer_id: int | None = None, now: datetime | None = None) -> list[RepairOrder]:
    """The orders waiting for QC at the user's dealers (those they may change), the longest waiting first, with
    their promise flags, the technicians of their jobs (``jobs``) and ``inspections_done`` (a re-inspection after
    rework counts the earlier ones): two queries."""
    jobs = RepairOrderLine.objects.filter(kind=LineKind.LABOUR, technician__isnull=False).select_related("technician")
    orders = (
        RepairOrder.objects.for_user(user, write=True)
        .filter(status=RepairOrderStatus.QC)
        .select_related("vehicle", "advisor", "dealer")
        .prefetch_related(Prefetch("lines", queryset=jobs.order_by("position", "id"), to_attr="jobs"))
        .annotate(inspections_done=Count("inspections"))
        .order_by("qc_requested_at", "id")
    )
    if dealer_id:
        orders = orders.filter(dealer_id=dealer_id)
    return list(with_promise_flags(orders, now or timezone.now()))


# --- keeping the bays (the service manager) ----------------------------------------------------------------------

ADD_BAY = "repairs.add_workshopbay"
CHANGE_BAY = "repairs.change_workshopbay"


@transaction.atomic
def bay_save(
    *, by: User, dealer: Dealer, bay: WorkshopBay | None = None, code: str, name: str, kind: str, position: int,
    is_active: bool,
) -> WorkshopBay:  # fmt: skip
    """Add a bay to a dealer's workshop or change one (the service manager): codes are unique per dealer, and a
    bay with a car on it stays in service until the car is off it."""
    require(
        by, ADD_BAY if bay is None else CHANGE_BAY, dealer=dealer, message=_("Only the service manager keeps the bays.")
    )
    code = code.strip().upper()
    taken = WorkshopBay.objects.filter(dealer=dealer, code=code)
    if bay is not None:
        bay = WorkshopBay.objects.select_for_update().get(pk=bay.pk)
        taken = taken.exclude(pk=bay.pk)
    if taken.exists():
        raise ValidationError({"code": _("This dealer already has a bay %(code)s.") % {"code": code}})
    if (
        bay is not None
        and not is_active
        and bay.occupancies.filter(ended_at__isnull=True, order__status__in=OCCUPYING_STATUSES).exists()
    ):
        raise ValidationError({"is_active": _("A car is on this bay: free it before taking the bay out of service.")})
    bay = bay or WorkshopBay(dealer=dealer)
    bay.code, bay.name, bay.kind, bay.position, bay.is_active = code, name.strip(), kind, position, is_active
    bay.full_clean(exclude=["dealer"])
    bay._history_user = by
    bay.save()
    return bay
