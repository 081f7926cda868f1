"""The warranty-claim state machine: one transition table, one guard, and what a user may do now.

    draft --submit--> submitted --approve--> approved --mark_paid--> paid
                                 \\-reject--> rejected

Only ``warranty.services`` changes a claim's status, always through ``check_transition``. A
rejected claim is final: its lines are free again for a new claim.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from warranty.choices import ClaimStatus as S

CHANGE = "warranty.change_warrantyclaim"
DECIDE = "warranty.decide_warrantyclaim"


class ClaimTransitionError(ValidationError):
    """A status change of a claim that is not allowed from its current status."""


@dataclass(frozen=True)
class ClaimTransition:
    """One move of a claim: from which status to which, and the permission it needs."""

    action: str
    label: str
    source: str
    target: str
    permission: str


TRANSITIONS: dict[str, ClaimTransition] = {
    t.action: t
    for t in [
        ClaimTransition("submit", _("Submit to the maker"), S.DRAFT, S.SUBMITTED, CHANGE),
        ClaimTransition("approve", pgettext_lazy("warranty claim", "Record approval"), S.SUBMITTED, S.APPROVED, DECIDE),
        ClaimTransition("reject", _("Record rejection"), S.SUBMITTED, S.REJECTED, DECIDE),
        ClaimTransition("mark_paid", _("Record payment"), S.APPROVED, S.PAID, DECIDE),
    ]
}


def check_transition(status: str, action: str) -> ClaimTransition:
    """The transition of ``action`` from ``status``, or ClaimTransitionError saying why not."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ClaimTransitionError({"action": _("Unknown action “%(action)s”.") % {"action": action}})
    if status != transition.source:
        raise ClaimTransitionError(
            {
                "action": _("“%(action)s” is not possible while the claim is “%(status)s”.")
                % {"action": transition.label, "status": S(status).label}
            }
        )
    return transition


def can(claim, action: str, user) -> bool:
    """May ``user`` try ``action`` on ``claim`` now (status and permission; the service checks the rest)?"""
    transition = TRANSITIONS.get(action)
    return transition is not None and claim.status == transition.source and user.has_perm(transition.permission)


def available_actions(claim, user) -> list[ClaimTransition]:
    """The moves this user may try on this claim now."""
    return [t for t in TRANSITIONS.values() if can(claim, t.action, user)]
