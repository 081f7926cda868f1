"""core.api.ScopedPrimaryKeyField: a related id among the records of my dealers, or "does not exist"."""

import pytest
from django.utils import translation
from rest_framework import serializers
from rest_framework.test import APIRequestFactory

from accounts.models import User
from core.api import ScopedPrimaryKeyField
from core.tests.factories import CustomerFactory, DealerFactory, UserFactory
from customers.models import Customer
from organization.models import Dealer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def colleagues(user):
    return User.objects.filter(dealer_memberships__dealer__in=Dealer.objects.for_user(user, write=True))


class LinkSerializer(serializers.Serializer):
    customer = ScopedPrimaryKeyField(Customer, required=False, select_related=("dealer",))
    audited = ScopedPrimaryKeyField(Dealer, write=False, required=False,
                                    error_messages={"does_not_exist": "Unknown dealer."})  # fmt: skip
    colleague = ScopedPrimaryKeyField(User, scope=colleagues, required=False)


@pytest.fixture
def desk(dealer_a, dealer_b):
    """Works at dealer A, reads dealer B through its region."""
    return UserFactory(dealers=[dealer_a], regions=[dealer_b.region])


def validated(user, **data):
    request = APIRequestFactory().post("/")
    request.user = user
    serializer = LinkSerializer(data=data, context={"request": request})
    return serializer.validated_data if serializer.is_valid() else serializer.errors


def test_a_record_of_a_dealer_i_change_is_accepted_with_what_the_service_reads(desk, customer_a):
    customer = validated(desk, customer=customer_a.pk)["customer"]
    assert customer == customer_a and "dealer" in customer._state.fields_cache


def test_a_record_of_a_dealer_i_only_read_does_not_exist_like_a_wrong_id(desk, dealer_b):
    customer_b = CustomerFactory(dealer=dealer_b)
    assert validated(desk, customer=customer_b.pk) == {
        "customer": [f'Invalid pk "{customer_b.pk}" - object does not exist.']
    }
    assert validated(desk, customer=999999) == {"customer": ['Invalid pk "999999" - object does not exist.']}


def test_the_read_scope_and_its_own_message(desk, dealer_a, dealer_b):
    assert validated(desk, audited=dealer_b.pk) == {"audited": dealer_b}
    outside = DealerFactory(code="C001", name="丙店")  # of a region of its own
    assert validated(desk, audited=outside.pk) == {"audited": ["Unknown dealer."]}


def test_a_scope_of_its_own(desk, advisor_a, advisor_b):
    assert validated(desk, colleague=advisor_a.pk) == {"colleague": advisor_a}
    assert validated(desk, colleague=advisor_b.pk) == {
        "colleague": [f'Invalid pk "{advisor_b.pk}" - object does not exist.']
    }


def test_without_a_request_nothing_exists(customer_a):
    serializer = LinkSerializer(data={"customer": customer_a.pk})
    assert not serializer.is_valid()
    assert serializer.errors == {"customer": [f'Invalid pk "{customer_a.pk}" - object does not exist.']}
