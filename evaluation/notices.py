"""Who is told of an improvement action (notifications): its owner, when it is given to them and when its due date
is two days away or less (``remind_due``, every 15 minutes: core.schedule)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import F
from django.utils import timezone

from accounts.models import User
from core.dates import local_date, local_zone
from core.permissions import allowed
from evaluation.choices import ActionStatus, AlertKind
from evaluation.models import ImprovementAction
from notifications.choices import Event
from notifications.services import Target, notify

# Remind the owner from this many days before the due date (the due date itself counts).
REMIND_DAYS_BEFORE = 2
# Actions whose measures are still being carried out (one handed to the check waits for the run, not its owner).
UNDER_WAY = (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)
VIEW_ACTION = "evaluation.view_improvementaction"


def _target(action: ImprovementAction, owner: User) -> Target:
    """The action's page for an owner who may open it, else their to-do list (the action's to-do is theirs)."""
    if allowed(owner, VIEW_ACTION, dealer=action.dealer_id, write=False):
        return Target("evaluation:action_detail", (action.pk,))
    return Target("todo:task_list")


def _subject(action: ImprovementAction):
    alert = action.alert
    return alert.indicator_code or AlertKind(alert.kind).label


def action_assigned(action: ImprovementAction, *, by: User | None) -> list:
    """The action's (new) owner carries out its measures (nothing when they planned it for themselves)."""
    owner = action.owner
    return notify(
        Event.ACTION_ASSIGNED,
        recipients=[owner],
        dealer=action.dealer,
        target=_target(action, owner),
        params={"subject": _subject(action), "by": str(by or ""), "due": action.due_date},
        key=f"action:{action.pk}:owner:{owner.pk}:v{action.version}",
        actor=by,
    )


def remind_due(*, now: datetime | None = None) -> int:
    """Tell each owner of an action under way that is due within two days (today included); once per action and
    due date (a moved due date is reminded again). Returns the reminders sent."""
    now = now or timezone.now()
    today = local_date(now)
    sent = 0
    actions = (
        ImprovementAction.objects.filter(
            status__in=UNDER_WAY,
            due_date__gte=today - timedelta(days=1),
            due_date__lte=today + timedelta(days=REMIND_DAYS_BEFORE + 1),
        )
        .select_related("owner", "dealer", "alert")
        .order_by("due_date", "pk")
    )
    for action in actions:
        local_today = local_date(now, local_zone(action.dealer))  # the dealer's day (a zone may differ)
        if not local_today <= action.due_date <= local_today + timedelta(days=REMIND_DAYS_BEFORE):
            continue
        sent += len(
            notify(
                Event.ACTION_DUE,
                recipients=[action.owner],
                dealer=action.dealer,
                target=_target(action, action.owner),
                params={"subject": _subject(action), "due": action.due_date},
                key=f"action:{action.pk}:due:{action.due_date:%Y%m%d}",
                at=now,
            )
        )
    return sent


def demo_notices(ctx) -> None:
    """Demo: each action under way planned for someone else told to its owner when planned, then the due-date
    reminders as the job sends them at the end of the demo."""
    from notifications.demo import stamp

    now, told = ctx.latest, 0
    for action in (
        ImprovementAction.objects.filter(dealer__in=ctx.dealers, status__in=UNDER_WAY)
        .exclude(owner_id=F("created_by_id"))
        .select_related("dealer", "owner", "created_by", "alert")
        .order_by("pk")
    ):
        told += stamp(action_assigned(action, by=action.created_by), action.created_at, now=now)
    told += remind_due(now=now)
    ctx.say(f"  notifications of improvement actions: {told}")
