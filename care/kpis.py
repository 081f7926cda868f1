"""Customer care's indicator rules: D4 timely follow-up, D5 timely archive and E4 rolling retention.

Each rule is a records function ``(dealer_ids, start, end, as_of=None) -> QuerySet`` (annotated with
``in_numerator`` and ``kpi_value``) and a grouped measure ``-> {dealer_id: Measure}`` over exactly those records
(core.indicators). The follow-up page, the measurements and the evaluation runs call these.

All are judged at ``as_of`` (default now; core.indicators): what is not settled then is pending, neither a hit
nor a miss, and left out of n.

* D4 — the follow-ups (first and second) due in the period: their on-time window ends in the period (care.services
  sets the window). A hit once done (customer reached) inside the window, by ``as_of``; a miss once the window has
  ended before ``as_of`` without that, or at once when the task was closed otherwise by ``as_of`` (done before the
  window opened, unreachable); pending while the window runs and the task is open.
* D5 — customers created in the period (by ``as_of``): a hit once their archive is complete, by ``as_of`` and
  within 2 days of the creation (``archive_completed_at``, the first time it was complete, is kept); a miss once the
  2 days have passed before ``as_of`` without that; pending before.
* E4 — at t = the period end (or ``as_of`` if earlier): of the customers with a visit in [t−24 months, t−12
  months), those with a visit in [t−12 months, t); an order cancelled by ``as_of`` is no visit.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import (
    Case,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    When,
)
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
    by_deadline,
    evaluated_at,
    ids,
    judged_at,
    ratios,
    stamped_in,
)
from customers.models import Customer
from repairs.kpis import not_cancelled_by
from repairs.models import RepairOrder
from todo.choices import TaskStatus
from todo.models import Task

D4 = Indicator("D4", _("Timely follow-up"), PERCENT, RATIO)
D5 = Indicator("D5", _("Timely archive"), PERCENT, RATIO)
E4 = Indicator("E4", _("Retention (rolling)"), PERCENT, RATIO)

ARCHIVE_DAYS = 2
RETENTION_MONTHS = 12


def follow_up_records(dealer_ids, start, end, as_of=None) -> QuerySet[Task]:
    """D4: the follow-up tasks whose window ends in the period, each a hit, a miss or pending (None) at ``as_of``
    (default now)."""
    as_of = evaluated_at(as_of)
    on_time = by_deadline(
        "done_at",
        "due_by",
        as_of,
        also=Q(status=TaskStatus.DONE, done_at__gte=F("due_at")),
        closed=Q(done_at__lte=as_of),  # finished by as_of outside the window (too early, unreachable): a miss
    )
    return Task.objects.filter(
        dealer_id__in=ids(dealer_ids), kind__in=FOLLOW_UP_KINDS, due_by__gte=start, due_by__lt=end
    ).annotate(in_numerator=on_time, kpi_value=NO_VALUE)


def follow_up_timeliness(dealer_ids, start, end, as_of=None) -> dict[int, Measure]:
    """D4: follow-ups done inside their window / follow-ups due."""
    return ratios(follow_up_records(dealer_ids, start, end, as_of), "dealer_id", dealer_ids)


def archive_records(dealer_ids, start, end, as_of=None) -> QuerySet[Customer]:
    """D5: the customers created in the period, each a hit, a miss or pending (None) at ``as_of`` (default now),
    with the days it took to complete the archive (by ``as_of``)."""
    as_of = evaluated_at(as_of)
    due = ExpressionWrapper(F("created_at") + timedelta(days=ARCHIVE_DAYS), output_field=DateTimeField())
    days = ExpressionWrapper(Minutes("archive_completed_at", "created_at") / (60.0 * 24), output_field=FloatField())
    return Customer.objects.filter(stamped_in("created_at", start, end, as_of), dealer_id__in=ids(dealer_ids)).annotate(
        in_numerator=by_deadline("archive_completed_at", due, as_of),
        kpi_value=Case(When(archive_completed_at__lte=as_of, then=days), default=None, output_field=FloatField()),
    )


def archive_timeliness(dealer_ids, start, end, as_of=None) -> dict[int, Measure]:
    """D5: new customers with a complete archive within 2 days / new customers."""
    return ratios(archive_records(dealer_ids, start, end, as_of), "dealer_id", dealer_ids)


def retention_records(dealer_ids, start, end, as_of=None) -> QuerySet[Customer]:
    """E4: the customers with a visit in the earlier year before t, ``in_numerator`` = came back in the last year."""
    t = judged_at(end, as_of)
    year_ago, two_years_ago = months_before(t, RETENTION_MONTHS), months_before(t, 2 * RETENTION_MONTHS)
    visits = RepairOrder.objects.filter(customer=OuterRef("pk")).filter(not_cancelled_by(evaluated_at(as_of)))
    return (
        Customer.objects.filter(dealer_id__in=ids(dealer_ids))
        .filter(Exists(visits.filter(arrived_at__gte=two_years_ago, arrived_at__lt=year_ago)))
        .annotate(in_numerator=Exists(visits.filter(arrived_at__gte=year_ago, arrived_at__lt=t)), kpi_value=NO_VALUE)
    )


def retention(dealer_ids, start, end, as_of=None) -> dict[int, Measure]:
    """E4: rolling retention at the period end (or ``as_of``)."""
    return ratios(retention_records(dealer_ids, start, end, as_of), "dealer_id", dealer_ids)
