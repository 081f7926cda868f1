"""The permission + scope guard every service calls first (core.permissions.require / allowed)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from accounts.choices import Role
from core.permissions import allowed, require
from core.tenancy import forget_dealer_ids
from core.tests.factories import DealerFactory, UserFactory

pytestmark = pytest.mark.django_db

ADVISE = "repairs.advise_repairorder"
DISPATCH = "repairs.dispatch_repairorder"
CONDUCT = "evaluation.conduct_audit"
SCOPE = "You cannot change the data of this dealer."


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def region_reader(dealer_a):
    """Reads every dealer of dealer_a's region (and may conduct audits there), changes none."""
    return UserFactory(roles=[Role.REGION_MANAGER], regions=[dealer_a.region])


def refusal(call) -> str:
    with pytest.raises(PermissionDenied) as excinfo:
        call()
    return str(excinfo.value)


def test_a_user_with_the_permission_at_their_own_dealer_passes(advisor_a, dealer_a):
    assert require(advisor_a, ADVISE, dealer=dealer_a, message="Only the service desk.") is None
    assert require(advisor_a, ADVISE, dealer=dealer_a.pk) is None
    assert allowed(advisor_a, ADVISE, dealer=dealer_a)


def test_a_missing_permission_is_refused_with_the_callers_message(advisor_a, dealer_a):
    assert not advisor_a.has_perm(DISPATCH)
    assert refusal(lambda: require(advisor_a, DISPATCH, dealer=dealer_a, message="Only the foreman.")) == (
        "Only the foreman."
    )
    assert refusal(lambda: require(advisor_a, DISPATCH)) == "You may not do this."
    assert not allowed(advisor_a, DISPATCH, dealer=dealer_a)


def test_a_dealer_outside_the_write_scope_is_refused_before_the_permission(advisor_a, dealer_b):
    assert refusal(lambda: require(advisor_a, ADVISE, dealer=dealer_b, message="Only the desk.")) == SCOPE
    assert refusal(lambda: require(advisor_a, DISPATCH, dealer=dealer_b.pk, message="Only the foreman.")) == SCOPE
    assert refusal(lambda: require(advisor_a, dealer=dealer_b, scope_message="Not yours.")) == "Not yours."
    assert not allowed(advisor_a, dealer=dealer_b)


def test_every_dealer_given_must_be_in_scope(advisor_a, dealer_a, dealer_b):
    assert require(advisor_a, ADVISE, dealers=[dealer_a, dealer_a.pk]) is None
    assert refusal(lambda: require(advisor_a, ADVISE, dealers=[dealer_a.pk, dealer_b.pk])) == SCOPE
    assert require(advisor_a, ADVISE, dealers=[]) is None


def test_a_region_manager_reads_but_is_refused_a_change(region_reader, dealer_a):
    assert region_reader.has_perm(CONDUCT)
    assert refusal(lambda: require(region_reader, CONDUCT, dealer=dealer_a)) == SCOPE
    assert not allowed(region_reader, CONDUCT, dealer=dealer_a)
    assert require(region_reader, CONDUCT, dealer=dealer_a, write=False) is None
    assert allowed(region_reader, CONDUCT, dealer=dealer_a, write=False)


def test_a_closed_dealer_is_read_only_for_its_own_staff(advisor_a, dealer_a):
    dealer_a.is_active = False
    dealer_a.save(update_fields=["is_active"])
    forget_dealer_ids(advisor_a)
    assert refusal(lambda: require(advisor_a, ADVISE, dealer=dealer_a)) == SCOPE
    assert allowed(advisor_a, ADVISE, dealer=dealer_a, write=False)


def test_a_record_without_a_dealer_is_in_no_one_s_scope_but_a_superuser_s(advisor_a):
    assert refusal(lambda: require(advisor_a, ADVISE, dealer=None)) == SCOPE
    superuser = UserFactory(is_superuser=True)
    assert require(superuser, DISPATCH, dealer=None) is None
    assert require(superuser, DISPATCH, dealer=DealerFactory()) is None


def test_several_permissions_are_all_needed_and_any_of_needs_one(advisor_a, dealer_a):
    assert refusal(lambda: require(advisor_a, (ADVISE, DISPATCH), message="Both.")) == "Both."
    assert require(advisor_a, any_of=(DISPATCH, ADVISE), dealer=dealer_a) is None
    assert refusal(lambda: require(advisor_a, any_of=(DISPATCH, CONDUCT), message="One of them.")) == "One of them."


def test_a_form_field_refusal_is_a_validation_error_on_that_field(advisor_a, dealer_b):
    with pytest.raises(ValidationError) as excinfo:
        require(advisor_a, dealer=dealer_b, field="dealer")
    assert excinfo.value.message_dict == {"dealer": [SCOPE]}


def test_an_inactive_or_anonymous_user_is_refused(advisor_a, dealer_a):
    from django.contrib.auth.models import AnonymousUser

    advisor_a.is_active = False
    forget_dealer_ids(advisor_a)
    assert refusal(lambda: require(advisor_a, dealer=dealer_a)) == SCOPE
    assert refusal(lambda: require(AnonymousUser(), ADVISE, message="Log in.")) == "Log in."
