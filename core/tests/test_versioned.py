"""The optimistic-lock kit (core.services): save_versioned checks and bumps, save_next_version bumps a held row."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation

from core.services import ConflictError, save_next_version, save_versioned
from core.tests.factories import UserFactory
from customers.models import Customer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def stored(customer: Customer) -> Customer:
    return Customer.objects.get(pk=customer.pk)


def test_a_save_at_the_stored_version_bumps_it_and_records_who_and_why(customer_a):
    clerk = UserFactory()
    customer_a.address = "一号路1号"
    with transaction.atomic():
        save_versioned(customer_a, expected_version=1, by=clerk, reason="moved")
    row = stored(customer_a)
    assert (row.version, row.address) == (2, "一号路1号")
    latest = row.history.first()
    assert (latest.history_user, latest.history_change_reason, latest.version) == (clerk, "moved", 2)


def test_a_stale_version_is_a_conflict_and_saves_nothing(customer_a):
    customer_a.address = "二号路2号"
    with pytest.raises(ConflictError) as conflict, transaction.atomic():
        save_versioned(customer_a, expected_version=0)
    assert conflict.value.messages == [
        "Someone else saved this record after you opened it (your version 0, now 1). "
        "Reload the page to see their changes; nothing of yours was saved."
    ]
    assert (stored(customer_a).version, stored(customer_a).address) == (1, "广州市天河区体育西路1号")
    with pytest.raises(ValidationError) as missing, transaction.atomic():
        save_versioned(customer_a, expected_version=None)
    assert missing.value.message_dict == {"version": ["The record version is required to save changes."]}


def test_update_fields_save_only_those_fields_and_the_version(customer_a):
    Customer.objects.filter(pk=customer_a.pk).update(notes="写在别处")
    customer_a.address, customer_a.notes = "三号路3号", "这次不存"
    with transaction.atomic():
        save_versioned(customer_a, expected_version=1, update_fields=["address"], clean=False)
    row = stored(customer_a)
    assert (row.version, row.address, row.notes) == (2, "三号路3号", "写在别处")


def test_the_fields_are_cleaned_unless_the_service_checked_them(customer_a):
    customer_a.name = ""
    with pytest.raises(ValidationError) as invalid, transaction.atomic():
        save_versioned(customer_a, expected_version=1)
    assert list(invalid.value.message_dict) == ["name"]
    customer = stored(customer_a)
    assert customer.version == 1
    customer.name = ""
    save_next_version(customer, clean=False)  # e.g. a system change of fields the service set itself
    assert (stored(customer_a).version, stored(customer_a).name) == (2, "")


def test_the_next_version_of_a_held_row_is_saved_without_a_second_check(customer_a):
    customer_a.version = 5  # whatever the row said when the service locked it
    save_next_version(customer_a, by=None, reason="escalate", update_fields=["notes"], clean=False)
    row = stored(customer_a)
    assert row.version == 6
    assert (row.history.first().history_user, row.history.first().history_change_reason) == (None, "escalate")


def test_the_history_user_set_before_stays_when_by_is_not_given(customer_a):
    clerk = UserFactory()
    customer_a._history_user = clerk
    save_next_version(customer_a, clean=False)
    assert stored(customer_a).history.first().history_user == clerk
