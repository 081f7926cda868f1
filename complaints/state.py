"""The complaint state machine (``core.state``): its transition table and the complaint's event row.

    open --first contact--> in_progress --resolve--> resolved --reopen--> in_progress
    open --resolve--> resolved                 (a contact is logged first: a guard of the service)
    open/in_progress: reassign (the status stays); any status: a contact is logged (the status stays)

``complaints.services`` checks each move with ``COMPLAINT_STATES`` and applies it (status, resolution stamps and a
ComplaintEvent); the complaint page asks ``COMPLAINT_STATES.can`` which forms to show.
"""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext_lazy as _

from complaints.choices import UNRESOLVED, EventAction
from complaints.choices import Status as S
from complaints.models import Complaint, ComplaintEvent
from core.state import Move, StateMachine, Transition

RESOLVE = "complaints.resolve_complaint"
LOG_CONTACT = "complaints.add_complaintcontact"


def complaint_event(complaint: Complaint, action: str, *, by, at: datetime, from_status: str = "", note="") -> None:
    """One row of the complaint's timeline (a move, or a change that keeps the status: intake, update, escalation)."""
    ComplaintEvent.objects.create(
        complaint=complaint,
        action=action,
        from_status=from_status,
        to_status=complaint.status,
        escalation_level=complaint.escalation_level,
        at=at,
        by=by,
        note=str(note)[:500],
    )


def _record_event(move: Move) -> None:
    complaint_event(move.record, move.action, by=move.by, at=move.at, from_status=move.from_status, note=move.note)


COMPLAINT_STATES = StateMachine(
    [
        Transition("contact", EventAction.CONTACT.label, S.values, None, LOG_CONTACT),
        # The first contact takes a received complaint up (the contact's event records it).
        Transition("take_up", EventAction.CONTACT.label, {S.OPEN}, S.IN_PROGRESS, offered=False, event="contact"),
        Transition(
            "reassign",
            EventAction.REASSIGN.label,
            UNRESOLVED,
            None,
            RESOLVE,
            refused=_("A resolved complaint is not reassigned; reopen it first."),
        ),
        Transition(
            "resolve",
            EventAction.RESOLVE.label,
            UNRESOLVED,
            S.RESOLVED,
            RESOLVE,
            stamp="resolved_at",
            stamp_by="resolved_by",
            refused=_("This complaint is already resolved."),
        ),
        Transition(
            "reopen",
            EventAction.REOPEN.label,
            {S.RESOLVED},
            S.IN_PROGRESS,
            RESOLVE,
            refused=_("Only a resolved complaint can be reopened."),
        ),
    ],
    statuses=S,
    refused=_("“%(action)s” is not possible while the complaint is “%(status)s”."),
    error_field=None,
    record_event=_record_event,
)
