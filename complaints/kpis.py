"""The complaints' indicator rules: A2 first contact, D6 feedback, B5 resolution and E3 complaint rate.

Each rule is a records function ``(dealer_ids, start, end, as_of=None) -> QuerySet`` (the complaints behind the
figure, annotated with ``in_numerator`` and ``kpi_value``) and a measure ``-> {dealer_id: Measure}`` in grouped SQL
over exactly those records (core.indicators). The complaints dashboard, the measurements
(evaluation.selectors.measures) and the evaluation runs all call these.

All are judged at ``as_of`` (the evaluation moment, default now), on the complaints received in the period (up to
``as_of`` if that is earlier):

* A2 / D6 — against the deadlines stored on the complaint (2 working hours / 3 working days by default,
  complaints.ComplaintPolicy): a hit when the first contact / feedback was given by the deadline and by ``as_of``,
  a miss once the deadline has passed before ``as_of`` without it, pending until then (left out of n: a complaint
  received an hour ago is not yet a missed first contact). A contact stamped after ``as_of`` is not done by then.
  The stamps are the contacts' own times (``contacted_at``), which the desk may enter a little late; the run's
  grace period is there for that.
* B5 — resolved with the customer's agreement by ``as_of`` (no deadline: not resolved by then is a miss). A
  complaint reopened after ``as_of`` loses its earlier resolution on the complaint itself (the reopen event keeps
  only its time and root cause), so a re-run after a reopen counts it unresolved.
* E3 — complaints received in the period / repair orders delivered in the period (no deliveries: no data).
"""

from __future__ import annotations

from django.db.models import Case, Count, F, Q, QuerySet, Value, When
from django.db.models.fields import BooleanField, FloatField
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from complaints.choices import Status
from complaints.models import Complaint
from core.indicators import (
    NO_VALUE,
    PERCENT,
    RATIO,
    Indicator,
    Measure,
    Minutes,
    by_deadline,
    evaluated_at,
    flag,
    ids,
    ratio,
    stamped_in,
)
from repairs.kpis import delivered

A2 = Indicator("A2", _("Complaint first contact ≤ 2 h"), PERCENT, RATIO)
D6 = Indicator("D6", _("Complaint feedback ≤ 3 days"), PERCENT, RATIO)
B5 = Indicator("B5", _("Complaint resolution"), PERCENT, RATIO)
E3 = Indicator("E3", _("Complaint rate"), PERCENT, RATIO)


def received(dealer_ids, start, end, as_of=None) -> QuerySet[Complaint]:
    """The complaints received in ``[start, end)`` and by ``as_of``."""
    return Complaint.objects.filter(stamped_in("received_at", start, end, as_of), dealer_id__in=ids(dealer_ids))


def contacted_in_time(as_of=None):
    """A2's ``in_numerator`` at ``as_of`` (default now): first contact by the deadline / missed / pending (None)."""
    return by_deadline("first_contact_at", "first_contact_due_at", evaluated_at(as_of))


def feedback_in_time(as_of=None):
    """D6's ``in_numerator`` at ``as_of`` (default now): feedback by the deadline / missed / pending (None)."""
    return by_deadline("feedback_at", "feedback_due_at", evaluated_at(as_of))


def resolved_by(as_of=None) -> Q:
    """Resolved with the customer's agreement by ``as_of`` (default now): B5's numerator."""
    as_of = evaluated_at(as_of)
    return Q(status=Status.RESOLVED, customer_agreed=True, resolved_at__isnull=False, resolved_at__lte=as_of)


def _minutes_by(done_at: str, as_of) -> Case:
    """Minutes from receipt to ``done_at``, if that was stamped by ``as_of`` (else None: not done then)."""
    return Case(
        When(**{f"{done_at}__lte": evaluated_at(as_of)}, then=Minutes(done_at, "received_at")),
        default=None,
        output_field=FloatField(),
    )


def first_contact_records(dealer_ids, start, end, as_of=None) -> QuerySet[Complaint]:
    """A2: each complaint received, contacted by its first-contact deadline (True), not (False) or pending (None:
    the deadline has not passed by ``as_of``), with the minutes it took."""
    return received(dealer_ids, start, end, as_of).annotate(
        in_numerator=contacted_in_time(as_of), kpi_value=_minutes_by("first_contact_at", as_of)
    )


def first_contact(dealer_ids, start, end, as_of=None) -> dict[int, Measure]:
    """A2: complaints contacted by the first-contact deadline / complaints received."""
    return handling(dealer_ids, start, end, as_of)["A2"]


def feedback_records(dealer_ids, start, end, as_of=None) -> QuerySet[Complaint]:
    """D6: each complaint received, with a feedback by its feedback deadline (True), not (False) or pending (None:
    the deadline has not passed by ``as_of``), and the minutes it took."""
    return received(dealer_ids, start, end, as_of).annotate(
        in_numerator=feedback_in_time(as_of), kpi_value=_minutes_by("feedback_at", as_of)
    )


def feedback(dealer_ids, start, end, as_of=None) -> dict[int, Measure]:
    """D6: complaints with a feedback to the customer by the feedback deadline / complaints received."""
    return handling(dealer_ids, start, end, as_of)["D6"]


def resolution_records(dealer_ids, start, end, as_of=None) -> QuerySet[Complaint]:
    """B5: each complaint received, resolved with the customer's agreement by ``as_of`` (default now) or not."""
    return received(dealer_ids, start, end, as_of).annotate(in_numerator=flag(resolved_by(as_of)), kpi_value=NO_VALUE)


def resolution(dealer_ids, start, end, as_of=None) -> dict[int, Measure]:
    """B5: complaints received in the period and resolved with the customer's agreement by ``as_of`` / received."""
    return handling(dealer_ids, start, end, as_of)["B5"]


def complaint_rate_records(dealer_ids, start, end, as_of=None) -> QuerySet[Complaint]:
    """E3: the complaints received (the numerator; the denominator is the orders delivered)."""
    return received(dealer_ids, start, end, as_of).annotate(
        in_numerator=Value(True, output_field=BooleanField()), kpi_value=NO_VALUE
    )


def complaint_rate(dealer_ids, start, end, as_of=None) -> dict[int, Measure]:
    """E3: complaints received / repair orders delivered, in percent (two grouped queries; no deliveries: no data)."""
    complaints = dict(
        received(dealer_ids, start, end, as_of).order_by().values_list("dealer_id").annotate(n=Count("pk"))
    )
    orders = dict(delivered(dealer_ids, start, end, as_of).order_by().values_list("dealer_id").annotate(n=Count("pk")))
    return {d: ratio(d, complaints.get(d, 0), orders.get(d, 0)) for d in ids(dealer_ids)}


def responsible() -> Coalesce:
    """The staff member a complaint counts against: the one named on it, else the service advisor of its repair
    order (None: neither)."""
    return Coalesce("staff_id", "repair_order__advisor_id")


def attributed_to(records: QuerySet[Complaint], user_id: int) -> QuerySet[Complaint]:
    """The complaints of ``records`` that count against ``user_id`` (``responsible``)."""
    return records.alias(responsible_id=responsible()).filter(responsible_id=user_id)


def complaint_rate_by_advisor(dealer_ids, start, end, as_of=None) -> dict[tuple[int, int], Measure]:
    """E3 per service advisor: {(dealer_id, user id): Measure} — the complaints received that count against them
    (``responsible``) / the repair orders delivered in the period with them as advisor (two grouped queries). A
    person with complaints but no delivery has ``numerator`` = the complaints and no value (no data)."""
    complaints = {
        (row["dealer_id"], row["person"]): row["n"]
        for row in received(dealer_ids, start, end, as_of)
        .annotate(person=responsible())
        .filter(person__isnull=False)
        .order_by()
        .values("dealer_id", "person")
        .annotate(n=Count("pk"))
    }
    orders = {
        (row["dealer_id"], row["person"]): row["n"]
        for row in delivered(dealer_ids, start, end, as_of)
        .order_by()
        .values("dealer_id", person=F("advisor_id"))
        .annotate(n=Count("pk"))
    }
    return {key: ratio(key[0], complaints.get(key, 0), orders.get(key, 0)) for key in complaints.keys() | orders}


def handling(dealer_ids, start, end, as_of=None) -> dict[str, dict[int, Measure]]:
    """A2, D6 and B5 in one grouped query over the complaints received: {"A2": {dealer_id: Measure}, "D6": …,
    "B5": …}. Each counts the ``in_numerator`` of its records function above: the hits of the complaints judged
    (a pending one is in neither count)."""
    codes = ("A2", "D6", "B5")
    rows = (
        received(dealer_ids, start, end, as_of)
        .annotate(A2_flag=contacted_in_time(as_of), D6_flag=feedback_in_time(as_of), B5_flag=flag(resolved_by(as_of)))
        .order_by()
        .values("dealer_id")
        .annotate(
            **{f"{code}_n": Count("pk", filter=Q(**{f"{code}_flag__isnull": False})) for code in codes},
            **{code: Count("pk", filter=Q(**{f"{code}_flag": True})) for code in codes},
        )
    )
    found = {row["dealer_id"]: row for row in rows}
    empty = {key: 0 for code in codes for key in (code, f"{code}_n")}
    return {
        code: {d: ratio(d, found.get(d, empty)[code], found.get(d, empty)[f"{code}_n"]) for d in ids(dealer_ids)}
        for code in codes
    }
