"""The list-page kit (core.lists): the page's filters are the API's FilterSet, a refused value is the form's message
over an empty list (never a 500, never the unfiltered list), another dealer's id is a 404, the pages keep the
filters, and the page's queries do not grow with its rows. The customer list is the page under test."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.lists import apply_filterset, as_query, filter_values
from core.tests.factories import CustomerFactory
from customers.filtersets import CustomerFilterSet
from customers.models import Customer
from customers.selectors import customer_list

pytestmark = pytest.mark.django_db
LIST = reverse("customers:customer_list")


def page_as(user) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def customers(dealer, count: int, *, complete: bool) -> list[int]:
    made = [CustomerFactory(dealer=dealer) for _ in range(count)]
    Customer.objects.filter(pk__in=[c.pk for c in made]).update(archive_complete=complete)
    return [c.pk for c in made]


def listed(response) -> list[int]:
    return [c.pk for c in response.context["object_list"]]


def test_the_page_filters_with_the_apis_filterset(advisor_a, dealer_a, api_en):
    complete = customers(dealer_a, 2, complete=True)
    incomplete = customers(dealer_a, 1, complete=False)
    page = page_as(advisor_a).get(LIST, {"archive": "complete"})
    assert page.status_code == 200 and sorted(listed(page)) == sorted(complete)
    assert isinstance(page.context["filterset"], CustomerFilterSet)
    assert page.context["filters"]["archive"] == "complete" and page.context["filter_form"]["archive"].value() == (
        "complete"
    )
    api = api_en(advisor_a).get("/api/v1/customers/", {"archive": "incomplete"})
    assert [row["id"] for row in api.json()["results"]] == incomplete
    assert sorted(listed(page_as(advisor_a).get(LIST))) == sorted(complete + incomplete)


@pytest.mark.parametrize("query", [{"archive": "bogus"}, {"dealer": "abc"}, {"archive": "complete", "dealer": "x"}])
def test_a_refused_value_is_the_forms_message_over_an_empty_list(advisor_a, dealer_a, query):
    customers(dealer_a, 2, complete=True)
    page = page_as(advisor_a).get(LIST, query)
    assert page.status_code == 200 and listed(page) == []  # not a 500, not the unfiltered list
    errors = page.context["filter_form"].errors
    assert set(errors) == {name for name in query if query[name] in ("bogus", "abc", "x")}
    html = page.content.decode()
    assert 'id="filter-errors"' in html and "Select a valid choice" in html


def test_another_dealers_id_in_the_dealer_filter_is_refused(advisor_a, dealer_a, dealer_b, region_manager_ab):
    customers(dealer_b, 1, complete=True)
    for dealer in (dealer_b.pk, 999_999):  # another dealer's id is refused like an id that does not exist
        assert page_as(advisor_a).get(reverse("customers:customer_export"), {"dealer": dealer}).status_code == 404
        assert page_as(advisor_a).get(reverse("warranty:claim_list"), {"dealer": dealer}).status_code == 404
        page = page_as(advisor_a).get(LIST, {"dealer": dealer})  # this list always showed an empty page for it
        assert page.status_code == 200 and listed(page) == [] and list(page.context["filter_form"].errors) == ["dealer"]
    own = page_as(advisor_a).get(LIST, {"dealer": dealer_a.pk})
    assert own.status_code == 200 and [d.pk for d in own.context["dealers"]] == [dealer_a.pk]  # the picker: mine
    both = page_as(region_manager_ab).get(LIST, {"dealer": dealer_b.pk})
    assert len(listed(both)) == 1 and {d.pk for d in both.context["dealers"]} == {dealer_a.pk, dealer_b.pk}


def test_the_pages_keep_the_filters(advisor_a, dealer_a):
    customers(dealer_a, 30, complete=True)
    customers(dealer_a, 3, complete=False)
    page = page_as(advisor_a).get(LIST, {"archive": "complete", "page": 2})
    assert page.context["querystring"] == "archive=complete"
    assert len(listed(page)) == 5 and page.context["page_obj"].paginator.count == 30
    first = page_as(advisor_a).get(LIST, {"archive": "complete"}).content.decode()
    assert "?archive=complete&amp;page=2" in first


def test_the_page_queries_do_not_grow_with_its_rows(advisor_a, dealer_a):
    client = page_as(advisor_a)
    customers(dealer_a, 3, complete=True)
    query = {"archive": "complete", "dealer": dealer_a.pk}
    client.get(LIST, query)  # per-process caches (content types, sessions) before counting
    with CaptureQueriesContext(connection) as few:
        assert len(listed(client.get(LIST, query))) == 3
    customers(dealer_a, 40, complete=True)
    with CaptureQueriesContext(connection) as many:
        assert len(listed(client.get(LIST, query))) == 25
    assert len(many) == len(few)


def test_apply_filterset_filters_like_the_page_without_a_request(advisor_a, dealer_a, dealer_b):
    complete = customers(dealer_a, 1, complete=True)
    customers(dealer_a, 1, complete=False)
    base = customer_list(user=advisor_a)
    assert [c.pk for c in apply_filterset(CustomerFilterSet, {"archive": "complete"}, base, user=advisor_a)] == complete
    assert list(apply_filterset(CustomerFilterSet, {"dealer": dealer_b.pk}, base, user=advisor_a)) == []  # refused
    assert apply_filterset(CustomerFilterSet, {"archive": None}, base, user=advisor_a).count() == 2  # None: not given
    assert list(as_query({"status": ["a", "b"], "n": 3, "empty": None}).lists()) == [
        ("status", ["a", "b"]),
        ("n", ["3"]),
    ]


def test_filter_values_give_a_chosen_record_as_its_id_and_leave_refused_values_out(advisor_a, dealer_a):
    filterset = CustomerFilterSet(as_query({"dealer": dealer_a.pk, "archive": "bogus"}), request=_Request(advisor_a))
    assert not filterset.is_valid()
    assert filter_values(filterset)["dealer"] == dealer_a.pk and "archive" not in filter_values(filterset)


class _Request:
    def __init__(self, user):
        self.user = user
