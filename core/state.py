"""State machines: one declared transition table, its guards, ``can()``, one domain error and an event row per move.

After django-oscar's ``Order.pipeline`` / ``set_status`` (which raises ``InvalidOrderStatus``) and Saleor's
``can_*`` checks. A domain declares its moves once::

    REPAIR_STATES = StateMachine(
        [Transition("dispatch", _("Dispatch to workshop"), {S.APPROVED}, S.DISPATCHED, DISPATCH,
                    stamp="dispatched_at", guards=(_dispatch_guard,)), ...],
        statuses=S, refused=_("“%(action)s” is not possible while the order is “%(status)s”."),
    )

Its services lock the record, call ``check`` (unknown action, wrong status, role, note, guards: ``TransitionError``
or ``PermissionDenied``, nothing changed), do their own work, then ``apply`` (status, time and user stamps, one
event row) and save. Pages and APIs ask ``can`` / ``available_actions`` what to offer instead of comparing statuses.

The event row: a domain with an event model of its own (``repairs.RepairOrderEvent``, ``complaints.ComplaintEvent``)
passes ``record_event``; every other machine writes a ``core.TransitionEvent`` (content type, object id, dealer,
action, from, to, by, at, note), so each move has the same who/when/from/to trail wherever it happens.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

#: A guard: what is missing before the move may happen (messages; none: it may).
Guard = Callable[[Any, str], Iterable[str]]

DENIED = _("Your role may not do “%(action)s”.")


class TransitionError(ValidationError):
    """A status change that is not allowed now (unknown, wrong status, missing note, a guard); nothing changed."""


@dataclass(frozen=True)
class Transition:
    """One move: from which statuses to which, who may make it, what must hold first, what it stamps.

    ``target`` None: the status stays (a move within a status, e.g. an appointment rescheduled). ``refused`` and
    ``denied`` replace the machine's messages for this move (``%(action)s`` and ``%(status)s`` are filled in).
    ``offered`` False: a move the system makes (a run's verdict, the first contact taking a complaint up), never
    offered to a user. ``offer_when_ready``: offered only while its guards pass (cheap guards, e.g. a clock).
    ``via_form``: done through its own form, not a bare button. ``event``: the action the event row names.
    """

    action: str
    label: str
    sources: frozenset[str]
    target: str | None
    permission: str | tuple[str, ...] = ()
    stamp: str | None = None
    stamp_by: str | None = None
    guards: tuple[Guard, ...] = ()
    note_required: bool = False
    note_label: str = ""
    refused: str = ""
    denied: str = ""
    offered: bool = True
    offer_when_ready: bool = False
    via_form: bool = False
    event: str = ""

    def __post_init__(self):
        object.__setattr__(self, "sources", frozenset(self.sources))
        object.__setattr__(self, "guards", tuple(self.guards))

    @property
    def permissions(self) -> tuple[str, ...]:
        """Every permission the move needs."""
        return (self.permission,) if isinstance(self.permission, str) else tuple(self.permission)


@dataclass(frozen=True)
class Move:
    """One transition made on a record: what its event row keeps."""

    record: models.Model
    transition: Transition
    from_status: str
    to_status: str
    by: Any
    at: datetime
    note: str = ""

    @property
    def action(self) -> str:
        return self.transition.event or self.transition.action


def _core_event(move: Move, machine: StateMachine) -> None:
    from django.contrib.contenttypes.models import ContentType

    from core.models import TransitionEvent

    TransitionEvent.objects.create(
        content_type=ContentType.objects.get_for_model(move.record),
        object_id=move.record.pk,
        dealer_id=machine.dealer_of(move.record),
        action=move.action,
        from_status=move.from_status,
        to_status=move.to_status,
        by=move.by,
        at=move.at,
        note=move.note[:500],
    )


class StateMachine:
    """A domain's transition table and the one way its records change status (see the module docstring).

    ``statuses``: the TextChoices of the status (its labels go into the messages); ``refused``: the message of a
    move from a wrong status (``%(action)s``, ``%(status)s``; or ``%(from)s``, ``%(to)s``); ``error_field``: the
    form field of the errors (None: errors of the whole form); ``record_event(move)``: writes the domain's own event
    row (default: a ``core.TransitionEvent``); ``dealer_of(record)``: the dealer id of a record (for that row);
    ``model`` (``"app_label.Model"``): the records' model, whose change history then names the moves by label.
    """

    def __init__(
        self,
        transitions: Iterable[Transition],
        *,
        statuses: type[models.TextChoices],
        refused: str,
        denied: str = DENIED,
        error_field: str | None = "action",
        status_field: str = "status",
        note_max_length: int | None = 500,
        record_event: Callable[[Move], Any] | None = None,
        dealer_of: Callable[[Any], int] = lambda record: record.dealer_id,
        model: str = "",
    ):
        self.transitions: dict[str, Transition] = {t.action: t for t in transitions}
        self.statuses, self.refused, self.denied = statuses, refused, denied
        self.error_field, self.status_field, self.note_max_length = error_field, status_field, note_max_length
        self.record_event, self.dealer_of = record_event, dealer_of
        for t in self.transitions.values():
            unknown = {*t.sources, *([t.target] if t.target else [])}.difference(statuses.values)
            if unknown:
                raise ValueError(f"{t.action}: unknown statuses {sorted(unknown)}")
        if model:  # the history shows a move's change reason ("check_in: …") by the move's label
            from core.history import register_reasons

            register_reasons(model, {t.action: t.label for t in self.transitions.values()})

    # --- the table ---------------------------------------------------------------------------------------------

    def __getitem__(self, action: str) -> Transition:
        return self.transitions[action]

    def __iter__(self):
        return iter(self.transitions.values())

    def __contains__(self, action: str) -> bool:
        return action in self.transitions

    def status_of(self, record) -> str:
        return getattr(record, self.status_field)

    def _error(self, message) -> TransitionError:
        return TransitionError({self.error_field: message} if self.error_field else message)

    def _refusal(self, transition: Transition, status: str) -> TransitionError:
        message = transition.refused or self.refused
        to_status = transition.target or status
        return self._error(
            message
            % {
                "action": transition.label,
                "status": self.statuses(status).label,
                "from": self.statuses(status).label,
                "to": self.statuses(to_status).label,
            }
        )

    def transition(self, action: str) -> Transition:
        """The move called ``action``; TransitionError if there is none."""
        transition = self.transitions.get(action)
        if transition is None:
            raise self._error(gettext("Unknown action “%(action)s”.") % {"action": action})
        return transition

    # --- checks ------------------------------------------------------------------------------------------------

    def problems(self, record, action: str, note: str = "") -> list[str]:
        """What the guards of ``action`` find missing on ``record`` now (the status is not looked at)."""
        return [str(problem) for guard in self.transition(action).guards for problem in guard(record, note)]

    def require_permission(self, user, action: str) -> Transition:
        """The move if ``user`` holds its permissions; PermissionDenied (the move's or the machine's message)."""
        transition = self.transition(action)
        if not user.has_perms(transition.permissions):
            raise PermissionDenied((transition.denied or self.denied) % {"action": transition.label})
        return transition

    def check(self, record, action: str, *, user=None, note: str | None = None) -> Transition:
        """The move if ``record`` may take it now; otherwise the reason, nothing changed.

        In this order: unknown action, wrong status (TransitionError), the user's permission when ``user`` is given
        (PermissionDenied), the note when ``note`` is given (required, not too long), the guards (TransitionError).
        """
        transition = self.transition(action)
        status = self.status_of(record)
        if status not in transition.sources:
            raise self._refusal(transition, status)
        if user is not None:
            self.require_permission(user, action)
        if note is not None:
            note = note.strip()
            if transition.note_required and not note:
                raise TransitionError({"note": gettext("%(what)s is required.") % {"what": transition.note_label}})
            if self.note_max_length and len(note) > self.note_max_length:
                raise TransitionError(
                    {"note": gettext("Keep the note within %(max)s characters.") % {"max": self.note_max_length}}
                )
        problems = self.problems(record, action, note or "")
        if problems:
            raise self._error(problems)
        return transition

    def can(self, record, action: str, user=None) -> bool:
        """Whether to offer ``action`` on ``record`` (to ``user``, if given): its status and the user's permissions;
        guards only for an ``offer_when_ready`` move (the others say what is missing when tried)."""
        transition = self.transitions.get(action)
        if transition is None or self.status_of(record) not in transition.sources:
            return False
        if user is not None and not (transition.offered and user.has_perms(transition.permissions)):
            return False
        return not (transition.offer_when_ready and self.problems(record, action))

    def available_actions(self, record, user=None) -> list[Transition]:
        """The moves to offer on ``record`` now, in the table's order."""
        return [t for t in self.transitions.values() if self.can(record, t.action, user)]

    def offered_from(self, status: str) -> list[Transition]:
        """The moves people may make from ``status`` (permissions and guards aside), in the table's order."""
        return [t for t in self.transitions.values() if t.offered and status in t.sources]

    def leading_to(self, record, target: str) -> Transition | None:
        """The move people make from the record's status to ``target`` (a form that picks the next status)."""
        return next((t for t in self.offered_from(self.status_of(record)) if t.target == target), None)

    # --- the move ----------------------------------------------------------------------------------------------

    def apply(self, record, action: str, *, by, at: datetime | None = None, note: str = "", target: str | None = None):
        """Make the move on a record the caller has locked and checked: the status, the time and user stamps, one
        event row. ``target`` overrides the table's for a move that ends in one of several statuses (a receipt:
        partly or fully received). The caller saves the record. Returns the ``Move``."""
        transition = self.transition(action)
        from_status = self.status_of(record)
        if from_status not in transition.sources:  # a caller that forgot to check: refuse, nothing changed
            self.check(record, action)
        at = at or timezone.now()
        to_status = target or transition.target or from_status
        if to_status not in self.statuses.values:
            raise ValueError(f"{action}: unknown status {to_status!r}")
        setattr(record, self.status_field, to_status)
        if transition.stamp:
            setattr(record, transition.stamp, at)
        if transition.stamp_by:
            setattr(record, transition.stamp_by, by)
        move = Move(record, transition, from_status, to_status, by, at, (note or "").strip())
        if self.record_event is None:
            _core_event(move, self)
        else:
            self.record_event(move)
        return move


def transition_events(record) -> models.QuerySet:
    """The ``core.TransitionEvent`` rows of a record, oldest first."""
    from django.contrib.contenttypes.models import ContentType

    from core.models import TransitionEvent

    return TransitionEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk
    ).order_by("at", "id")
