"""A new customer with another customer's mobile is not created silently: the page warns, lists the existing
customers of the user's dealers (only those) with a link to open them, and saves only once "save anyway" is ticked."""

from __future__ import annotations

import pytest

from core.tests.factories import CustomerFactory
from core.tests.helpers import archive_snapshot, login
from customers.models import Customer
from customers.tests.test_views import customer_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def existing(dealer_a, dealer_b):
    mine = CustomerFactory(dealer=dealer_a, name="陈旧客户", mobile="13700000009")
    foreign = CustomerFactory(dealer=dealer_b, name="外店客户", mobile="13700000009")
    return mine, foreign


def test_a_new_customer_with_a_known_mobile_is_held_and_the_existing_one_offered(web, dealer_a, existing):
    mine, foreign = existing
    before = archive_snapshot()
    response = web.post("/customers/new/", customer_data(dealer_a, mobile="+86 137-0000-0009"))

    assert response.status_code == 200
    assert archive_snapshot() == before  # nothing created
    html = response.content.decode()
    assert "Another customer already has this mobile" in html
    assert f'href="{mine.get_absolute_url()}">陈旧客户</a>' in html
    assert "外店客户" not in html and foreign.get_absolute_url() not in html  # another dealer's customer stays hidden
    assert 'type="checkbox" name="confirm_duplicate_mobile"' in html


def test_the_hidden_confirmation_of_the_first_form_does_not_count(web, dealer_a, existing):
    before = archive_snapshot()
    response = web.post("/customers/new/", customer_data(dealer_a, confirm_duplicate_mobile="False"))
    assert response.status_code == 200
    assert archive_snapshot() == before


def test_saving_anyway_needs_the_box_ticked(web, dealer_a, existing):
    response = web.post("/customers/new/", customer_data(dealer_a, confirm_duplicate_mobile="on"))
    assert response.status_code == 302
    assert Customer.objects.filter(dealer=dealer_a, mobile="13700000009").count() == 2


def test_a_mobile_known_only_at_another_dealer_saves_at_once(web, dealer_a, dealer_b):
    CustomerFactory(dealer=dealer_b, name="外店客户", mobile="13700000009")
    response = web.post("/customers/new/", customer_data(dealer_a))
    assert response.status_code == 302
    assert Customer.objects.get(dealer=dealer_a, mobile="13700000009").name == "王五"


def test_editing_a_customer_to_another_customers_mobile_warns_too(web, dealer_a, existing):
    other = CustomerFactory(dealer=dealer_a, name="李四", mobile="13600000001")
    response = web.post(f"/customers/{other.pk}/edit/", {**customer_data(dealer_a), "version": other.version})
    assert response.status_code == 200
    assert "Another customer already has this mobile" in response.content.decode()
    other.refresh_from_db()
    assert other.mobile == "13600000001"
    # keeping one's own mobile is no duplicate
    data = {**customer_data(dealer_a, mobile="13600000001", name="李四"), "version": other.version}
    assert web.post(f"/customers/{other.pk}/edit/", data).status_code == 302


def test_the_warning_reads_in_chinese_by_default(advisor_a, dealer_a, existing):
    response = login(advisor_a, language=None).post("/customers/new/", customer_data(dealer_a))
    assert response.status_code == 200
    assert 'id="mobile-duplicates"' in response.content.decode()
