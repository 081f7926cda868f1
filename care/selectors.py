"""Reads of customer care: the follow-up work list, archives to complete, lapsed customers and campaigns.

The indicators D4, D5 and E4 are care.kpis' rules.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from care.choices import FAILED_ATTEMPT
from care.kpis import ARCHIVE_DAYS
from care.models import CallRecord, LapseNote
from care.services import FOLLOW_UP_KINDS
from core.dates import days_bounds, months_before
from customers.models import Customer
from repairs.models import RepairOrder
from todo.choices import TaskStatus
from todo.models import Task

DEFAULT_LAPSE_MONTHS = 12


# --- the follow-up specialist's day -----------------------------------------------------------------------------


def follow_up_tasks(queryset: QuerySet[Task]) -> QuerySet[Task]:
    """Follow-up tasks with what the list shows: customer, vehicle, order, attempts and the last call."""
    last_call = CallRecord.objects.filter(task=OuterRef("pk")).order_by("-called_at")
    return (
        queryset.filter(kind__in=FOLLOW_UP_KINDS)
        .select_related("customer", "vehicle", "repair_order", "repair_order__advisor", "dealer")
        .annotate(
            attempts=Count("calls", filter=Q(calls__outcome__in=FAILED_ATTEMPT)),
            last_call_at=Subquery(last_call.values("called_at")[:1]),
        )
    )


def follow_up_bucket(queryset: QuerySet[Task], bucket: str, *, now: datetime | None = None) -> QuerySet[Task]:
    """``today`` (open, window started), ``overdue`` (open, window ended), ``upcoming`` or ``done``."""
    now = now or timezone.now()
    if bucket == "done":
        return queryset.exclude(status=TaskStatus.OPEN).order_by("-done_at", "-id")
    open_tasks = queryset.filter(status=TaskStatus.OPEN)
    if bucket == "overdue":
        return open_tasks.filter(due_by__lt=now).order_by("due_by", "id")
    if bucket == "upcoming":
        return open_tasks.filter(due_at__gt=now).order_by("due_at", "id")
    return open_tasks.filter(due_at__lte=now).filter(Q(due_by__gte=now) | Q(due_by__isnull=True)).order_by("due_by")


def archives_to_complete(queryset: QuerySet[Customer], *, now: datetime | None = None) -> QuerySet[Customer]:
    """New customers whose archive is not complete yet, oldest first, with their 2-day deadline (D5)."""
    now = now or timezone.now()
    return (
        queryset.filter(archive_complete=False, created_at__gte=now - timedelta(days=30))
        .annotate(archive_due=F("created_at") + timedelta(days=ARCHIVE_DAYS))
        .order_by("created_at", "id")
    )


# --- lapsed customers (流失客户) ------------------------------------------------------------------------------


def lapsed_customers(queryset: QuerySet[Customer], *, months: int = DEFAULT_LAPSE_MONTHS, now=None):
    """Customers whose last visit is more than ``months`` ago, with their value and the last lapse reason."""
    now = now or timezone.now()
    cutoff = months_before(now, months)
    visits = RepairOrder.objects.filter(customer=OuterRef("pk")).exclude(status="cancelled")
    spend = (
        visits.filter(settlement__isnull=False)
        .values("customer")
        .annotate(total=Sum("settlement__customer_total"))
        .values("total")
    )
    count = visits.values("customer").annotate(n=Count("id")).values("n")
    last_note = LapseNote.objects.filter(customer=OuterRef("pk")).order_by("-recorded_at", "-id")
    return (
        queryset.annotate(last_visit=Subquery(visits.order_by("-arrived_at").values("arrived_at")[:1]))
        .filter(last_visit__lt=cutoff)
        .annotate(
            visits=Coalesce(Subquery(count, output_field=IntegerField()), Value(0)),
            spend=Coalesce(
                Subquery(spend, output_field=DecimalField(max_digits=14, decimal_places=2)),
                Value(0, output_field=DecimalField(max_digits=14, decimal_places=2)),
            ),
            lapse_reason=Subquery(last_note.values("reason")[:1]),
            lapse_noted_at=Subquery(last_note.values("recorded_at")[:1]),
        )
        .order_by("-spend", "last_visit")
    )


# --- campaigns --------------------------------------------------------------------------------------------------


def _campaign_targets(campaign):
    from appointments.models import Appointment
    from care.models import CampaignTarget

    start, end = days_bounds(campaign.starts_on, campaign.ends_on)
    appointments = Appointment.objects.filter(
        dealer_id=campaign.dealer_id, customer=OuterRef("customer"), slot_start__gte=start, slot_start__lt=end
    ).exclude(status="cancelled")
    visits = RepairOrder.objects.filter(
        dealer_id=campaign.dealer_id, customer=OuterRef("customer"), arrived_at__gte=start, arrived_at__lt=end
    ).exclude(status="cancelled")
    return CampaignTarget.objects.filter(campaign=campaign), Exists(appointments), Exists(visits)


def campaign_targets(campaign) -> QuerySet:
    """The campaign's targets with ``booked`` (an appointment in the campaign's dates, not cancelled) and
    ``came`` (a visit — a repair order — in the campaign's dates)."""
    targets, booked, came = _campaign_targets(campaign)
    return targets.select_related("customer", "vehicle").annotate(booked=booked, came=came)


def campaign_outcome(campaign) -> dict:
    """Counts of the target list: listed, contacted, declined, unreachable, booked, came (one query)."""
    from care.choices import TargetStatus

    targets, booked, came = _campaign_targets(campaign)
    return targets.aggregate(
        listed=Count("id"),
        contacted=Count("id", filter=Q(status=TargetStatus.CONTACTED)),
        declined=Count("id", filter=Q(status=TargetStatus.DECLINED)),
        unreachable=Count("id", filter=Q(status=TargetStatus.UNREACHABLE)),
        booked=Count("id", filter=booked),
        came=Count("id", filter=came),
    )


def customers_by_last_visit(
    queryset: QuerySet[Customer], *, from_months: int, to_months: int, brand: str = "", consent_only=False, now=None
) -> QuerySet[Customer]:
    """Customers whose last visit lies between ``to_months`` and ``from_months`` months ago."""
    now = now or timezone.now()
    visits = RepairOrder.objects.filter(customer=OuterRef("pk")).exclude(status="cancelled")
    queryset = queryset.annotate(last_visit=Subquery(visits.order_by("-arrived_at").values("arrived_at")[:1])).filter(
        last_visit__lte=months_before(now, from_months), last_visit__gt=months_before(now, to_months)
    )
    if brand:
        queryset = queryset.filter(vehicles__brand__iexact=brand.strip()).distinct()
    if consent_only:
        queryset = queryset.filter(consent="given")
    return queryset
