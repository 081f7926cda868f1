"""Reads of complaints, scoped to the user's dealers; dashboards are grouped SQL (the KPIs: complaints.kpis)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _lazy

from accounts.models import User
from complaints import kpis
from complaints.choices import UNRESOLVED, Category, EscalationLevel, Severity
from complaints.models import Complaint, CrisisAlert
from complaints.services import calendar_for, overdue_q
from core.business_hours import business_time_between
from core.dates import Month
from core.indicators import combined
from organization.models import Dealer

LIST_RELATED = ("dealer", "customer", "vehicle", "owner", "received_by")


def complaint_list(*, user: User) -> QuerySet[Complaint]:
    """Complaints of the user's dealers, newest first (complaints.filtersets.ComplaintFilterSet filters them)."""
    return Complaint.objects.for_user(user).select_related(*LIST_RELATED).order_by("-received_at", "-id")


def dashboard(*, user: User, dealer_id: int | None = None, month: date | None = None, now=None) -> dict:
    """The service manager's day: open, overdue by deadline, escalated, crisis alerts, and the month's A2/D6/B5
    (complaints.kpis, as the measurements compute them: resolutions counted up to now)."""
    now = now or timezone.now()
    month = month or timezone.localdate(now)
    complaints = Complaint.objects.for_user(user)
    alerts = CrisisAlert.objects.for_user(user)
    if dealer_id:
        complaints = complaints.filter(dealer_id=dealer_id)
        alerts = alerts.filter(dealer_id=dealer_id)
    unresolved = Q(status__in=UNRESOLVED)
    counts = complaints.order_by().aggregate(
        open=Count("id", filter=unresolved),
        not_contacted=Count("id", filter=unresolved & Q(first_contact_at__isnull=True)),
        overdue=Count("id", filter=overdue_q(now)),
        overdue_first_contact=Count(
            "id", filter=unresolved & Q(first_contact_at__isnull=True, first_contact_due_at__lt=now)
        ),
        overdue_feedback=Count("id", filter=unresolved & Q(feedback_at__isnull=True, feedback_due_at__lt=now)),
        overdue_resolution=Count("id", filter=unresolved & Q(resolution_due_at__lt=now)),
        escalated_manager=Count("id", filter=unresolved & Q(escalation_level=EscalationLevel.SERVICE_MANAGER)),
        escalated_region=Count("id", filter=unresolved & Q(escalation_level=EscalationLevel.REGION)),
        critical_open=Count("id", filter=unresolved & Q(severity=Severity.CRITICAL)),
    )
    start, end = Month.of(month).bounds()
    dealers = Dealer.objects.for_user(user).filter(**({"pk": dealer_id} if dealer_id else {}))
    figures = kpis.handling(list(dealers.values_list("pk", flat=True)), start, end, as_of=now)
    kpi_rows = [(i, combined(figures[i.code].values(), i.kind)) for i in (kpis.A2, kpis.D6, kpis.B5)]
    by_category = list(
        complaints.order_by()
        .filter(received_at__gte=start, received_at__lt=end)
        .values("category")
        .annotate(count=Count("id"), unresolved=Count("id", filter=unresolved))
        .order_by("-count", "category")
    )
    labels = dict(Category.choices)
    for row in by_category:
        row["label"] = labels.get(row["category"], row["category"])
    by_owner = list(
        complaints.order_by()
        .filter(unresolved)
        .values("owner_id", "owner__username", "owner__display_name")
        .annotate(count=Count("id"), overdue=Count("id", filter=overdue_q(now)))
        .order_by("-overdue", "-count")[:20]
    )
    due_soon = list(
        complaints.filter(unresolved)
        .select_related(*LIST_RELATED)
        .annotate(next_due=_next_due())
        .order_by("next_due", "id")[:15]
    )
    region = list(
        complaints.filter(unresolved, escalation_level=EscalationLevel.REGION)
        .select_related(*LIST_RELATED)
        .order_by("region_escalated_at", "id")[:20]
    )
    open_alerts = list(
        alerts.filter(acknowledged_at__isnull=True)
        .select_related("dealer")
        .annotate(complaint_count=Count("complaints"))
        .order_by("-raised_at")[:20]
    )
    return {
        "counts": counts,
        "kpis": kpi_rows,
        "received": kpi_rows[0][1].n,
        "month": start.date() if hasattr(start, "date") else start,
        "by_category": by_category,
        "by_owner": by_owner,
        "due_soon": due_soon,
        "region_escalated": region,
        "open_alerts": open_alerts,
        "now": now,
    }


# The deadline still running next: first contact while not contacted, else feedback while not given (when it falls
# before the resolution deadline), else the resolution; as (condition, deadline field, step) and the last one.
_NEXT_DEADLINES = (
    (Q(first_contact_at__isnull=True), "first_contact_due_at", "a2"),
    (Q(feedback_at__isnull=True, feedback_due_at__lt=F("resolution_due_at")), "feedback_due_at", "d6"),
)
_LAST_DEADLINE = ("resolution_due_at", "resolution")
SLA_STEP_LABELS = {"a2": _lazy("First contact (A2)"), "d6": _lazy("Feedback (D6)"), "resolution": _lazy("Resolution")}


def _next_due():
    """The earliest deadline still running (first contact, else feedback, else resolution)."""
    return Case(*(When(condition, then=F(due)) for condition, due, _step in _NEXT_DEADLINES),
                default=F(_LAST_DEADLINE[0]))  # fmt: skip


def _next_step():
    """Which deadline ``_next_due`` is: "a2", "d6" or "resolution"."""
    return Case(*(When(condition, then=Value(step)) for condition, _due, step in _NEXT_DEADLINES),
                default=Value(_LAST_DEADLINE[1]), output_field=CharField())  # fmt: skip


@dataclass(frozen=True)
class SlaClock:
    """An unresolved complaint's next deadline and the working time left to it (negative: overdue by that much)."""

    complaint: Complaint
    step: str
    due_at: datetime
    working_time: timedelta  # left to the deadline, or (``overdue``) since it passed
    overdue: bool

    @property
    def minutes_left(self) -> int:
        """Whole working minutes left; past the deadline, minus the working minutes since (part of one counts)."""
        seconds = self.working_time.total_seconds()
        return -math.ceil(seconds / 60) if self.overdue else math.floor(seconds / 60)

    @property
    def label(self) -> str:
        return str(SLA_STEP_LABELS[self.step])


def sla_clocks(*, user: User, dealer: Dealer, now: datetime | None = None, limit: int = 10) -> dict:
    """The dealer's unresolved complaints with their SLA clock running: ``clocks``, the ``limit`` most urgent by
    their next deadline (``_next_due``) with the working minutes left in the dealer's business hours (negative:
    overdue); ``open`` and ``overdue`` (``overdue_q``) counted over all of them. Four queries."""
    now = now or timezone.now()
    complaints = Complaint.objects.for_user(user).filter(dealer=dealer, status__in=UNRESOLVED)
    counts = complaints.order_by().aggregate(open=Count("id"), overdue=Count("id", filter=overdue_q(now)))
    rows = list(
        complaints.select_related(*LIST_RELATED)
        .annotate(next_due=_next_due(), next_step=_next_step())
        .order_by("next_due", "id")[:limit]
    )
    clocks = []
    if rows:
        calendar = calendar_for(dealer, min(now, rows[0].next_due))
        for complaint in rows:
            due, overdue = complaint.next_due, complaint.next_due < now
            span = business_time_between(calendar, due, now) if overdue else business_time_between(calendar, now, due)
            clocks.append(SlaClock(complaint, complaint.next_step, due, span, overdue))
    return {**counts, "clocks": clocks}


@dataclass(frozen=True)
class SlaLine:
    """One deadline of a complaint as the detail page shows it."""

    code: str
    label: str
    due_at: datetime
    done_at: datetime | None
    on_time: bool | None
    overdue: bool
    remaining: timedelta | None  # working time left (None when done or overdue)
    late_by: timedelta | None  # working time past the deadline


def sla_lines(complaint: Complaint, *, now: datetime | None = None) -> list[SlaLine]:
    """The three SLA deadlines with working time remaining (or past), in the dealer's business hours."""
    now = now or timezone.now()
    calendar = calendar_for(complaint.dealer, min(complaint.received_at, complaint.sla_started_at))
    rows = [
        ("a2", str(SLA_STEP_LABELS["a2"]), complaint.first_contact_due_at, complaint.first_contact_at),
        ("d6", str(SLA_STEP_LABELS["d6"]), complaint.feedback_due_at, complaint.feedback_at),
        ("resolution", str(SLA_STEP_LABELS["resolution"]), complaint.resolution_due_at, complaint.resolved_at),
    ]
    lines = []
    for code, label, due, done in rows:
        if done is not None:
            late = business_time_between(calendar, due, done) if done > due else None
            lines.append(SlaLine(code, label, due, done, done <= due, False, None, late))
        elif now <= due:
            lines.append(SlaLine(code, label, due, None, None, False, business_time_between(calendar, now, due), None))
        else:
            lines.append(SlaLine(code, label, due, None, False, True, None, business_time_between(calendar, due, now)))
    return lines


def complaint_counts_by_staff(dealer_ids: Iterable[int], start: datetime, end: datetime) -> dict[int, int]:
    """Complaints received in [start, end) at these dealers per staff member they are attributed to.

    A complaint counts against the staff member named on it, else against the service advisor of its
    repair order (complaints.kpis.responsible); complaints with neither are not attributed.
    """
    rows = (
        Complaint.objects.filter(dealer_id__in=list(dealer_ids), received_at__gte=start, received_at__lt=end)
        .annotate(attributed=kpis.responsible())
        .filter(attributed__isnull=False)
        .order_by()
        .values("attributed")
        .annotate(count=Count("id"))
    )
    return {row["attributed"]: row["count"] for row in rows}


def crisis_alert_list(*, user: User) -> QuerySet[CrisisAlert]:
    """Crisis alerts of the user's dealers, newest first (complaints.filtersets.CrisisAlertFilterSet filters them)."""
    qs = CrisisAlert.objects.for_user(user).select_related("dealer", "acknowledged_by")
    return qs.annotate(complaint_count=Count("complaints")).order_by("-raised_at", "-id")


def home_summary(*, user: User, now: datetime | None = None) -> dict:
    """What a manager's home page shows of complaints: open alerts and overdue/escalated counts (two queries)."""
    now = now or timezone.now()
    counts = (
        Complaint.objects.for_user(user)
        .order_by()
        .aggregate(
            overdue=Count("id", filter=overdue_q(now)),
            escalated=Count("id", filter=Q(status__in=UNRESOLVED, escalation_level__gt=EscalationLevel.NONE)),
        )
    )
    alerts = list(
        CrisisAlert.objects.for_user(user)
        .filter(acknowledged_at__isnull=True)
        .select_related("dealer")
        .order_by("-raised_at")[:5]
    )
    return {"counts": counts, "alerts": alerts}
