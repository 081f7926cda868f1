"""The appointment state machine: one transition table, the guard of each move, and what the UI may offer.

Every status change goes through a service in ``appointments.services`` that looks its
action up here with ``check_transition`` (which raises ``TransitionError``, nothing changed)
and then stamps who and when on the appointment (the history keeps every step).

    booked ──confirm──> confirmed
    booked/confirmed ──reschedule──> (same status, new slot)
    booked/confirmed ──arrive──> arrived        (opens the repair order)
    booked/confirmed ──no_show──> no_show       (only once the slot has started)
    booked/confirmed ──cancel──> cancelled      (with a reason)
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from appointments.choices import PENDING
from appointments.choices import AppointmentStatus as S

CHANGE = "appointments.change_appointment"
# Arrival opens a repair order, which only the service desk may do.
RECEIVE = "repairs.advise_repairorder"


class TransitionError(ValidationError):
    """A status change that is not allowed now, with the reason."""


@dataclass(frozen=True)
class Transition:
    """One move: from which statuses to which (None: the status stays), and who may do it."""

    action: str
    label: str
    sources: frozenset[str]
    target: str | None
    permissions: tuple[str, ...] = (CHANGE,)


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        Transition("confirm", _("Confirm"), frozenset({S.BOOKED}), S.CONFIRMED),
        Transition("reschedule", _("Reschedule"), frozenset(PENDING), None),
        Transition("arrive", _("Customer arrived"), frozenset(PENDING), S.ARRIVED, (CHANGE, RECEIVE)),
        Transition("no_show", _("No-show"), frozenset(PENDING), S.NO_SHOW),
        Transition("cancel", _("Cancel"), frozenset(PENDING), S.CANCELLED),
    ]
}


def _guard(appointment, action: str) -> str | None:
    """Why the move is not possible now apart from the status (None: it is possible)."""
    if action == "no_show" and appointment.slot_start > timezone.now():
        return gettext("A no-show can only be recorded once the slot has started.")
    return None


def check_transition(appointment, action: str) -> Transition:
    """The transition of ``action`` if the appointment may take it now; otherwise TransitionError."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise TransitionError({"action": gettext("Unknown action “%(action)s”.") % {"action": action}})
    if appointment.status not in transition.sources:
        raise TransitionError(
            {
                "action": gettext("“%(action)s” is not possible while the appointment is “%(status)s”.")
                % {"action": transition.label, "status": appointment.get_status_display()}
            }
        )
    problem = _guard(appointment, action)
    if problem:
        raise TransitionError({"action": problem})
    return transition


def can(appointment, action: str, user=None) -> bool:
    """Whether the UI/API should offer ``action`` on this appointment (to ``user``, if given)."""
    transition = TRANSITIONS.get(action)
    if transition is None or appointment.status not in transition.sources or _guard(appointment, action):
        return False
    return user is None or user.has_perms(transition.permissions)


def available_actions(appointment, user) -> list[Transition]:
    """The moves this user may make on this appointment now."""
    return [t for t in TRANSITIONS.values() if can(appointment, t.action, user)]
