"""The appointment state machine (``core.state``): its transition table and the guard of the no-show.

Every status change goes through a service in ``appointments.services`` that checks its
action with ``APPOINTMENT_STATES.check`` (TransitionError or PermissionDenied, nothing changed)
and applies it (status, who and when, a ``core.TransitionEvent``); the history keeps every step.

    booked ──confirm──> confirmed
    booked/confirmed ──reschedule──> (same status, new slot)
    booked/confirmed ──arrive──> arrived        (opens the repair order)
    booked/confirmed ──no_show──> no_show       (only once the slot has started)
    booked/confirmed ──cancel──> cancelled      (with a reason)
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from appointments.choices import PENDING
from appointments.choices import AppointmentStatus as S
from core.state import StateMachine, Transition

CHANGE = "appointments.change_appointment"
# Arrival opens a repair order, which only the service desk may do.
RECEIVE = "repairs.advise_repairorder"


def _slot_started(appointment, note: str) -> list[str]:
    if appointment.slot_start > timezone.now():
        return [gettext("A no-show can only be recorded once the slot has started.")]
    return []


APPOINTMENT_STATES = StateMachine(
    [
        Transition(
            "confirm", _("Confirm"), {S.BOOKED}, S.CONFIRMED, CHANGE, stamp="confirmed_at", stamp_by="confirmed_by"
        ),
        Transition("reschedule", _("Reschedule"), PENDING, None, CHANGE),
        Transition(
            "arrive",
            _("Customer arrived"),
            PENDING,
            S.ARRIVED,
            (CHANGE, RECEIVE),
            stamp="arrived_at",
            stamp_by="arrival_recorded_by",
        ),
        Transition(
            "no_show",
            _("No-show"),
            PENDING,
            S.NO_SHOW,
            CHANGE,
            stamp="no_show_at",
            stamp_by="no_show_by",
            guards=(_slot_started,),
            offer_when_ready=True,
        ),
        Transition("cancel", _("Cancel"), PENDING, S.CANCELLED, CHANGE, stamp="cancelled_at", stamp_by="cancelled_by"),
    ],
    statuses=S,
    refused=_("“%(action)s” is not possible while the appointment is “%(status)s”."),
)
