"""The complaints' indicator rules: A2 first contact, D6 feedback, B5 resolution and E3 complaint rate.

Each rule is a records function ``(dealer_ids, start, end, as_of=None) -> QuerySet`` (the complaints behind the
figure, annotated with ``in_numerator`` and ``kpi_value``) and a measure ``-> {dealer_id: Measure}`` in grouped SQL
over exactly those records (core.indicators). The complaints dashboard, the measurements (evaluation.measures) and
the evaluation runs all call these.

A2 / D6 / B5 — complaints received in the period, against the deadlines stored on the complaint (2 working hours /
3 working days by default, complaints.ComplaintPolicy); B5 counts resolutions with the customer's agreement up to
``as_of`` (the evaluation date, default now). E3 — complaints received in the period / repair orders delivered in
the period (no deliveries: no data).
"""

from __future__ import annotations

from django.db.models import Count, F, Q, QuerySet, Value
from django.db.models.fields import BooleanField
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.choices import Status
from complaints.models import Complaint
from core.indicators import NO_VALUE, PERCENT, RATIO, Indicator, Measure, Minutes, flag, ids, ratio
from repairs.kpis import delivered

A2 = Indicator("A2", _("Complaint first contact ≤ 2 h"), PERCENT, RATIO)
D6 = Indicator("D6", _("Complaint feedback ≤ 3 days"), PERCENT, RATIO)
B5 = Indicator("B5", _("Complaint resolution"), PERCENT, RATIO)
E3 = Indicator("E3", _("Complaint rate"), PERCENT, RATIO)


def received(dealer_ids, start, end) -> QuerySet[Complaint]:
    """The complaints received in ``[start, end)``."""
    return Complaint.objects.filter(dealer_id__in=ids(dealer_ids), received_at__gte=start, received_at__lt=end)


CONTACTED_IN_TIME = Q(first_contact_at__isnull=False, first_contact_at__lte=F("first_contact_due_at"))
FEEDBACK_IN_TIME = Q(feedback_at__isnull=False, feedback_at__lte=F("feedback_due_at"))


def resolved_by(as_of=None) -> Q:
    """Resolved with the customer's agreement by ``as_of`` (default now): B5's numerator."""
    as_of = as_of or timezone.now()
    return Q(status=Status.RESOLVED, customer_agreed=True, resolved_at__isnull=False, resolved_at__lte=as_of)


def first_contact_records(dealer_ids, start, end, as_of=None) -> QuerySet[Complaint]:
    """A2: each complaint received, contacted by its first-contact deadline or not, with the minutes it took."""
    return received(dealer_ids, start, end).annotate(
        in_numerator=flag(CONTACTED_IN_TIME), kpi_value=Minutes("first_contact_at", "received_at")
    )


def first_contact(dealer_ids, start, end, as_of=None) -> dict[int, Measure]:
    """A2: complaints contacted by the first-contact deadline / complaints received."""
    return handling(dealer_ids, start, end, as_of)["A2"]


def feedback_records(dealer_ids, start, end, as_of=None) -> QuerySet[Complaint]:
    """D6: each complaint received, with a feedback by its feedback deadline or not, and the minutes it took."""
    return received(dealer_ids, start, end).annotate(
        in_numerator=flag(FEEDBACK_IN_TIME), kpi_value=Minutes("feedback_at", "received_at")
    )


def feedback(dealer_ids, start, end, as_of=None) -> dict[int, Measure]:
    """D6: complaints with a feedback to the customer by the feedback deadline / complaints received."""
    return handling(dealer_ids, start, end, as_of)["D6"]


def resolution_records(dealer_ids, start, end, as_of=None) -> QuerySet[Complaint]:
    """B5: each complaint received, resolved with the customer's agreement by ``as_of`` (default now) or not."""
    return received(dealer_ids, start, end).annotate(in_numerator=flag(resolved_by(as_of)), kpi_value=NO_VALUE)


def resolution(dealer_ids, start, end, as_of=None) -> dict[int, Measure]:
    """B5: complaints received in the period and resolved with the customer's agreement by ``as_of`` / received."""
    return handling(dealer_ids, start, end, as_of)["B5"]


def complaint_rate_records(dealer_ids, start, end, as_of=None) -> QuerySet[Complaint]:
    """E3: the complaints received (the numerator; the denominator is the orders delivered)."""
    return received(dealer_ids, start, end).annotate(
        in_numerator=Value(True, output_field=BooleanField()), kpi_value=NO_VALUE
    )


def complaint_rate(dealer_ids, start, end, as_of=None) -> dict[int, Measure]:
    """E3: complaints received / repair orders delivered, in percent (two grouped queries; no deliveries: no data)."""
    complaints = dict(received(dealer_ids, start, end).order_by().values_list("dealer_id").annotate(n=Count("pk")))
    orders = dict(delivered(dealer_ids, start, end).order_by().values_list("dealer_id").annotate(n=Count("pk")))
    return {d: ratio(d, complaints.get(d, 0), orders.get(d, 0)) for d in ids(dealer_ids)}


def handling(dealer_ids, start, end, as_of=None) -> dict[str, dict[int, Measure]]:
    """A2, D6 and B5 in one grouped query over the complaints received: {"A2": {dealer_id: Measure}, "D6": …,
    "B5": …}. The numerators are the ``in_numerator`` conditions of the records functions above."""
    rows = (
        received(dealer_ids, start, end)
        .order_by()
        .values("dealer_id")
        .annotate(
            n=Count("pk"),
            A2=Count("pk", filter=CONTACTED_IN_TIME),
            D6=Count("pk", filter=FEEDBACK_IN_TIME),
            B5=Count("pk", filter=resolved_by(as_of)),
        )
    )
    found = {row["dealer_id"]: row for row in rows}
    empty = {"n": 0, "A2": 0, "D6": 0, "B5": 0}
    return {
        code: {d: ratio(d, found.get(d, empty)[code], found.get(d, empty)["n"]) for d in ids(dealer_ids)}
        for code in ("A2", "D6", "B5")
    }
