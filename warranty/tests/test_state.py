"""The claim state machine: every action from every status, and who may try it."""

from types import SimpleNamespace

import pytest
from django.utils import translation

from accounts.choices import Role
from core.state import TransitionError
from core.tests.factories import UserFactory
from warranty.choices import ClaimStatus as S
from warranty.state import CLAIM_STATES


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


# Written out by hand from the brief: action -> (from, to, permission).
EXPECTED = {
    "submit": (S.DRAFT, S.SUBMITTED, "warranty.change_warrantyclaim"),
    "approve": (S.SUBMITTED, S.APPROVED, "warranty.decide_warrantyclaim"),
    "reject": (S.SUBMITTED, S.REJECTED, "warranty.decide_warrantyclaim"),
    "mark_paid": (S.APPROVED, S.PAID, "warranty.decide_warrantyclaim"),
}


def test_the_table_is_exactly_the_expected_one():
    assert {t.action: (*t.sources, t.target, t.permission) for t in CLAIM_STATES} == EXPECTED
    assert all(len(t.sources) == 1 for t in CLAIM_STATES)


@pytest.mark.parametrize("status", S.values)
@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_each_action_is_legal_from_its_source_only(status, action):
    source, target, _permission = EXPECTED[action]
    claim = SimpleNamespace(status=status)
    if status == source:
        assert CLAIM_STATES.check(claim, action).target == target
    else:
        with pytest.raises(TransitionError) as error:
            CLAIM_STATES.check(claim, action)
        label = CLAIM_STATES[action].label
        assert error.value.message_dict == {
            "action": [f"“{label}” is not possible while the claim is “{S(status).label}”."]
        }


def test_an_unknown_action_is_refused():
    with pytest.raises(TransitionError) as error:
        CLAIM_STATES.check(SimpleNamespace(status=S.DRAFT), "pay_twice")
    assert error.value.message_dict == {"action": ["Unknown action “pay_twice”."]}


def test_paid_and_rejected_are_final():
    for status in (S.PAID, S.REJECTED):
        assert [t.action for t in CLAIM_STATES if status in t.sources] == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status", "expected"),
    [
        (Role.SERVICE_ADVISOR, S.DRAFT, ["submit"]),
        (Role.SERVICE_ADVISOR, S.SUBMITTED, []),
        (Role.SERVICE_MANAGER, S.DRAFT, ["submit"]),
        (Role.SERVICE_MANAGER, S.SUBMITTED, ["approve", "reject"]),
        (Role.SERVICE_MANAGER, S.APPROVED, ["mark_paid"]),
        (Role.ADMINISTRATOR, S.SUBMITTED, ["approve", "reject"]),
        (Role.TECHNICIAN, S.DRAFT, []),
        (Role.REGION_MANAGER, S.SUBMITTED, []),
        (Role.SERVICE_MANAGER, S.PAID, []),
    ],
)
def test_available_actions_by_role(role, status, expected):
    user = UserFactory(roles=[role])
    claim = SimpleNamespace(status=status)
    assert [t.action for t in CLAIM_STATES.available_actions(claim, user)] == expected
    assert CLAIM_STATES.can(claim, "nonsense", user) is False
