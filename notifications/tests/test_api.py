"""The notifications API beyond the generic checks: read one, read all, unread filter, the text in the request's
language, and the list's query count."""

import pytest
from django.urls import reverse

from accounts.choices import Role
from core.tests.factories import staff_user
from notifications.choices import Event
from notifications.models import Notification
from notifications.services import Target, notify

pytestmark = pytest.mark.django_db


def tell(user, dealer, number="RO-1"):
    [notification] = notify(Event.QC_PASSED, recipients=[user], dealer=dealer, target=Target("todo:task_list"),
                            params={"number": number, "plate": "粤A10001"})  # fmt: skip
    return notification


def test_the_list_is_the_users_own_with_the_text_and_the_page(api_en, dealer_a, advisor_a):
    mine = tell(advisor_a, dealer_a)
    tell(staff_user(dealer_a, Role.FOREMAN), dealer_a)
    body = api_en(advisor_a).get(reverse("notification-list")).json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row == {
        "id": mine.pk, "event": "qc_passed", "event_label": "QC passed", "dealer": dealer_a.pk,
        "dealer_name": dealer_a.name, "title": "RO-1 passed QC",
        "body": "粤A10001 is ready for delivery: tell the customer.", "url": "/tasks/",
        "created_at": row["created_at"], "read_at": None, "unread": True,
    }  # fmt: skip


def test_read_one_and_read_all(api_en, dealer_a, advisor_a):
    first, second = tell(advisor_a, dealer_a, "RO-1"), tell(advisor_a, dealer_a, "RO-2")
    theirs = tell(staff_user(dealer_a, Role.FOREMAN), dealer_a)
    api = api_en(advisor_a)
    response = api.post(reverse("notification-read", args=[first.pk]))
    assert response.status_code == 200 and response.json()["unread"] is False
    assert [r["id"] for r in api.get(reverse("notification-list"), {"unread": "true"}).json()["results"]] == [second.pk]
    assert api.post(reverse("notification-read", args=[theirs.pk])).status_code == 404
    assert api.post(reverse("notification-read-all")).json() == {"marked": 1}
    assert api.post(reverse("notification-read-all")).json() == {"marked": 0}
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_the_list_is_two_queries_however_many(api_en, dealer_a, advisor_a, django_assert_max_num_queries):
    for n in range(30):
        tell(advisor_a, dealer_a, f"RO-{n}")
    api = api_en(advisor_a)
    api.get(reverse("notification-list"))
    with django_assert_max_num_queries(6):  # token, user's permissions, count, page (with the dealer)
        assert api.get(reverse("notification-list")).json()["count"] == 30
