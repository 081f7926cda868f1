"""Customer care's indicator rules: D4 timely follow-up, D5 timely archive and E4 rolling retention.

Each rule is a records function ``(dealer_ids, start, end, as_of=None) -> QuerySet`` (annotated with
``in_numerator`` and ``kpi_value``) and a grouped measure ``-> {dealer_id: Measure}`` over exactly those records
(core.indicators). The follow-up page, the measurements and the evaluation runs call these.

* D4 — the follow-ups (first and second) due in the period: their on-time window ends in the period and has ended
  by ``as_of`` (default now; a follow-up whose window is still running is not judged yet, neither as done nor as
  missed); on time = done (customer reached) inside the window (care.services sets the window).
* D5 — customers created in the period; on time = their archive was complete within 2 days.
* E4 — at t = the period end (or ``as_of`` if earlier): of the customers with a visit in [t−24 months, t−12
  months), those with a visit in [t−12 months, t); a cancelled order is no visit.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Exists, ExpressionWrapper, F, FloatField, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from care.services import FOLLOW_UP_KINDS
from core.dates import months_before
from core.indicators import (
    NO_VALUE,
    PERCENT,
    RATIO,
    Indicator,
    Measure,
    Minutes,
    flag,
    ids,
    judged_at,
    ratios,
)
from customers.models import Customer
from repairs.choices import RepairOrderStatus
from repairs.models import RepairOrder
from todo.choices import TaskStatus
from todo.models import Task

D4 = Indicator("D4", _("Timely follow-up"), PERCENT, RATIO)
D5 = Indicator("D5", _("Timely archive"), PERCENT, RATIO)
E4 = Indicator("E4", _("Retention (rolling)"), PERCENT, RATIO)

ARCHIVE_DAYS = 2
RETENTION_MONTHS = 12


def follow_up_records(dealer_ids, start, end, as_of=None) -> QuerySet[Task]:
    """D4: the follow-up tasks whose window ends in the period and has ended by ``as_of`` (default now)."""
    return Task.objects.filter(
        dealer_id__in=ids(dealer_ids),
        kind__in=FOLLOW_UP_KINDS,
        due_by__gte=start,
        due_by__lt=judged_at(end, as_of),
    ).annotate(
        in_numerator=flag(Q(status=TaskStatus.DONE, done_at__gte=F("due_at"), done_at__lte=F("due_by"))),
        kpi_value=NO_VALUE,
    )


def follow_up_timeliness(dealer_ids, start, end, as_of=None) -> dict[int, Measure]:
    """D4: follow-ups done inside their window / follow-ups due."""
    return ratios(follow_up_records(dealer_ids, start, end, as_of), "dealer_id", dealer_ids)


def archive_records(dealer_ids, start, end, as_of=None) -> QuerySet[Customer]:
    """D5: the customers created in the period, each with the days it took to complete the archive."""
    return Customer.objects.filter(dealer_id__in=ids(dealer_ids), created_at__gte=start, created_at__lt=end).annotate(
        in_numerator=flag(Q(archive_completed_at__lte=F("created_at") + timedelta(days=ARCHIVE_DAYS))),
        kpi_value=ExpressionWrapper(
            Minutes("archive_completed_at", "created_at") / (60.0 * 24), output_field=FloatField()
        ),
    )


def archive_timeliness(dealer_ids, start, end, as_of=None) -> dict[int, Measure]:
    """D5: new customers with a complete archive within 2 days / new customers."""
    return ratios(archive_records(dealer_ids, start, end, as_of), "dealer_id", dealer_ids)


def retention_records(dealer_ids, start, end, as_of=None) -> QuerySet[Customer]:
    """E4: the customers with a visit in the earlier year before t, ``in_numerator`` = came back in the last year."""
    t = judged_at(end, as_of)
    year_ago, two_years_ago = months_before(t, RETENTION_MONTHS), months_before(t, 2 * RETENTION_MONTHS)
    visits = RepairOrder.objects.filter(customer=OuterRef("pk")).exclude(status=RepairOrderStatus.CANCELLED)
    return (
        Customer.objects.filter(dealer_id__in=ids(dealer_ids))
        .filter(Exists(visits.filter(arrived_at__gte=two_years_ago, arrived_at__lt=year_ago)))
        .annotate(in_numerator=Exists(visits.filter(arrived_at__gte=year_ago, arrived_at__lt=t)), kpi_value=NO_VALUE)
    )


def retention(dealer_ids, start, end, as_of=None) -> dict[int, Measure]:
    """E4: rolling retention at the period end (or ``as_of``)."""
    return ratios(retention_records(dealer_ids, start, end, as_of), "dealer_id", dealer_ids)
