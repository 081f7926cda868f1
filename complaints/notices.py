"""Who is told of a complaint (notifications): its owner, when it is given to them and when one of its SLA clocks
has less than one working hour left (``remind_deadlines``, every 15 minutes: core.schedule)."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import reduce
from operator import or_

from django.db.models import F, Q
from django.utils import timezone

from accounts.models import User
from complaints.choices import UNRESOLVED, Category, Severity
from complaints.models import Complaint
from core.business_hours import add_business_time
from notifications.choices import Event
from notifications.services import Target, notify
from organization.models import Dealer

# Remind the owner when a clock has less than this much working time left (in the dealer's opening hours).
REMIND_BEFORE = timedelta(hours=1)
# The running clocks: (code of complaints.selectors.SLA_STEP_LABELS, deadline field, "still running").
CLOCKS = (
    ("a2", "first_contact_due_at", Q(first_contact_at__isnull=True)),
    ("d6", "feedback_due_at", Q(feedback_at__isnull=True)),
    ("resolution", "resolution_due_at", Q()),
)


def _target(complaint: Complaint) -> Target:
    return Target("complaints:complaint_detail", (complaint.pk,))


def complaint_assigned(complaint: Complaint, *, by: User | None) -> list:
    """The complaint's (new) owner must contact the customer (nothing when they took it themselves)."""
    return notify(
        Event.COMPLAINT_ASSIGNED,
        recipients=[complaint.owner],
        dealer=complaint.dealer,
        target=_target(complaint),
        params={
            "number": complaint.number,
            "category": Category(complaint.category).label,
            "severity": Severity(complaint.severity).label,
            "by": str(by or ""),
            "due": complaint.first_contact_due_at if complaint.first_contact_at is None else None,
        },
        key=f"complaint:{complaint.pk}:owner:{complaint.owner_id}:v{complaint.version}",
        actor=by,
    )


def _running(complaint: Complaint, code: str) -> bool:
    return {"a2": complaint.first_contact_at, "d6": complaint.feedback_at}.get(code) is None


def remind_deadlines(*, now: datetime | None = None) -> int:
    """Tell each owner of an unresolved complaint whose clock runs out within one working hour; once per clock and
    deadline (a deadline moved by a severity change or a reopen is reminded again). Returns the reminders sent."""
    from complaints.selectors import SLA_STEP_LABELS
    from complaints.services import calendar_for

    now = now or timezone.now()
    unresolved = Complaint.objects.filter(status__in=UNRESOLVED)
    sent = 0
    for dealer in Dealer.objects.filter(pk__in=unresolved.values("dealer_id")).order_by("pk"):
        horizon = add_business_time(calendar_for(dealer, now), now, REMIND_BEFORE)
        near = reduce(or_, (running & Q(**{f"{due}__gt": now, f"{due}__lte": horizon}) for _c, due, running in CLOCKS))
        for complaint in unresolved.filter(near, dealer=dealer).select_related("owner").order_by("pk"):
            for code, due_field, _running_q in CLOCKS:
                due = getattr(complaint, due_field)
                if not (now < due <= horizon and _running(complaint, code)):
                    continue
                sent += len(
                    notify(
                        Event.COMPLAINT_DEADLINE,
                        recipients=[complaint.owner],
                        dealer=dealer,
                        target=_target(complaint),
                        params={"number": complaint.number, "clock": SLA_STEP_LABELS[code], "due": due},
                        key=f"complaint:{complaint.pk}:{code}:{due:%Y%m%d%H%M}",
                        at=now,
                    )
                )
    return sent


def demo_notices(ctx) -> None:
    """Demo: each unresolved complaint given to someone other than its taker told to its owner when received, then
    the deadline reminders as the job sends them at the end of the demo."""
    from notifications.demo import stamp

    now, told = ctx.latest, 0
    for complaint in (
        Complaint.objects.filter(dealer__in=ctx.dealers, status__in=UNRESOLVED)
        .exclude(owner_id=F("received_by_id"))
        .select_related("dealer", "owner", "received_by")
        .order_by("pk")
    ):
        told += stamp(complaint_assigned(complaint, by=complaint.received_by), complaint.received_at, now=now)
    told += remind_deadlines(now=now)
    ctx.say(f"  notifications of complaints: {told}")
