"""The warranty-claim state machine (``core.state``): its transition table and what a user may do now.

    draft --submit--> submitted --approve--> approved --mark_paid--> paid
                                 \\-reject--> rejected

Only ``warranty.services`` changes a claim's status, always through ``CLAIM_STATES`` (check, then apply:
the stamps and a ``core.TransitionEvent``). A rejected claim is final: its lines are free again for a new claim.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.state import StateMachine, Transition
from warranty.choices import ClaimStatus as S

CHANGE = "warranty.change_warrantyclaim"
DECIDE = "warranty.decide_warrantyclaim"

CLAIM_STATES = StateMachine(
    [
        Transition(
            "submit",
            _("Submit to the maker"),
            {S.DRAFT},
            S.SUBMITTED,
            CHANGE,
            stamp="submitted_at",
            stamp_by="submitted_by",
        ),
        Transition(
            "approve",
            pgettext_lazy("warranty claim", "Record approval"),
            {S.SUBMITTED},
            S.APPROVED,
            DECIDE,
            stamp="decided_at",
            stamp_by="decided_by",
        ),
        Transition(
            "reject",
            _("Record rejection"),
            {S.SUBMITTED},
            S.REJECTED,
            DECIDE,
            stamp="decided_at",
            stamp_by="decided_by",
        ),
        Transition("mark_paid", _("Record payment"), {S.APPROVED}, S.PAID, DECIDE, stamp="paid_at", stamp_by="paid_by"),
    ],
    statuses=S,
    refused=_("“%(action)s” is not possible while the claim is “%(status)s”."),
)
