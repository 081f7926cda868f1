"""The inbox page, opening a notification, marking read, the header badge (one COUNT) and its htmx refresh."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.choices import Role
from core.tests.factories import UserFactory, staff_user
from core.tests.helpers import login, sh
from notifications.choices import Event
from notifications.models import Notification
from notifications.selectors import Badge
from notifications.services import Target, notify

pytestmark = pytest.mark.django_db

INBOX = reverse("notifications:inbox")


def tell(user, dealer, number="RO-1", target=None):
    [notification] = notify(
        Event.QC_PASSED, recipients=[user], dealer=dealer, params={"number": number, "plate": "粤A10001"},
        target=target or Target("dashboards:home"),
    )  # fmt: skip
    return notification


def test_the_inbox_lists_the_users_own_unread_first_then_newest(dealer_a, advisor_a, clock):
    clock(sh(2025, 6, 16, 9))
    old = tell(advisor_a, dealer_a, "RO-OLD")
    clock(sh(2025, 6, 16, 10))
    read = tell(advisor_a, dealer_a, "RO-READ")
    read.read_at = sh(2025, 6, 16, 10, 30)
    read.save()
    clock(sh(2025, 6, 16, 11))
    new = tell(advisor_a, dealer_a, "RO-NEW")
    tell(staff_user(dealer_a, Role.FOREMAN), dealer_a, "RO-THEIRS")
    response = login(advisor_a).get(INBOX)
    assert response.status_code == 200
    assert [n.pk for n in response.context["notifications"]] == [new.pk, old.pk, read.pk]
    html = response.content.decode()
    assert "RO-THEIRS" not in html
    assert "<strong>RO-NEW passed QC</strong>" in html and "RO-READ passed QC</a>" in html
    assert "Mark all as read" in html and "2 unread" in html
    assert reverse("notifications:open", args=[new.pk]) in html


def test_the_inbox_pages_twenty_at_a_time_and_filters_unread(dealer_a, advisor_a):
    for n in range(23):
        tell(advisor_a, dealer_a, f"RO-{n}")
    Notification.objects.filter(params__number="RO-0").update(read_at=sh(2025, 1, 1))
    web = login(advisor_a)
    assert len(web.get(INBOX).context["notifications"]) == 20
    second = web.get(INBOX, {"page": 2})
    assert len(second.context["notifications"]) == 3
    assert "page 2 of 2, 23 records" in second.content.decode()
    assert len(web.get(INBOX, {"unread": 1, "page": 2}).context["notifications"]) == 2


def test_the_inbox_in_chinese_by_default(dealer_a, advisor_a):
    tell(advisor_a, dealer_a)
    response = login(advisor_a, language=None).get(INBOX)
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in response.content.decode()


def test_opening_marks_read_and_goes_to_the_page(dealer_a, advisor_a):
    notification = tell(advisor_a, dealer_a, target=Target("todo:task_list"))
    response = login(advisor_a).get(reverse("notifications:open", args=[notification.pk]))
    assert (response.status_code, response["Location"]) == (302, reverse("todo:task_list"))
    assert Notification.objects.get(pk=notification.pk).read_at is not None


def test_a_page_that_no_longer_exists_opens_the_inbox(dealer_a, advisor_a):
    notification = tell(advisor_a, dealer_a)
    Notification.objects.filter(pk=notification.pk).update(target_url_name="gone:page")
    response = login(advisor_a).get(reverse("notifications:open", args=[notification.pk]))
    assert (response.status_code, response["Location"]) == (302, INBOX)


def test_another_persons_notification_is_404_and_stays_unread(dealer_a, advisor_a):
    theirs = tell(staff_user(dealer_a, Role.FOREMAN), dealer_a)
    web = login(advisor_a)
    assert web.get(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    assert web.post(reverse("notifications:read", args=[theirs.pk])).status_code == 404
    assert web.post(reverse("notifications:read", args=[theirs.pk + 1000])).status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_a_notification_of_a_dealer_one_left_is_gone(dealer_a, dealer_b, advisor_a):
    old_job = tell(advisor_a, dealer_b)
    web = login(advisor_a)
    assert web.get(reverse("notifications:open", args=[old_job.pk])).status_code == 404
    assert web.get(INBOX).context["page_obj"].paginator.count == 0


def test_mark_one_and_mark_all_read_post_then_redirect(dealer_a, advisor_a):
    first, second, third = (tell(advisor_a, dealer_a, f"RO-{n}") for n in range(3))
    web = login(advisor_a)
    response = web.post(reverse("notifications:read", args=[first.pk]), {"next": f"{INBOX}?page=1"})
    assert (response.status_code, response["Location"]) == (302, f"{INBOX}?page=1")
    assert list(Notification.objects.filter(read_at__isnull=True).order_by("pk")) == [second, third]
    response = web.post(reverse("notifications:read_all"), {"next": "https://evil.example/"}, follow=True)
    assert response.redirect_chain == [(INBOX, 302)]
    assert "All notifications are marked as read." in response.content.decode()
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    assert web.get(reverse("notifications:read_all")).status_code == 405


def test_the_badge_is_one_count_query(dealer_a, advisor_a, django_assert_num_queries):
    for n in range(3):
        tell(advisor_a, dealer_a, f"RO-{n}")
    tell(staff_user(dealer_a, Role.FOREMAN), dealer_a)
    advisor_a.get_all_permissions()  # the menu has loaded them on every page
    badge = Badge(advisor_a)
    with django_assert_num_queries(1) as captured:
        assert (badge.allowed, badge.count, badge.count) == (True, 3, 3)
    assert "COUNT(*)" in captured.captured_queries[0]["sql"]


def test_the_header_shows_the_bell_with_the_count_on_every_page(dealer_a, advisor_a):
    tell(advisor_a, dealer_a)
    tell(advisor_a, dealer_a)
    html = login(advisor_a).get(reverse("todo:task_list")).content.decode()
    assert f'href="{INBOX}"' in html and '<span class="count">2</span>' in html
    assert 'hx-trigger="every 60s"' in html
    nobody = UserFactory(dealers=[dealer_a])  # no role: no inbox, so no bell (a link that would 404)
    assert 'class="notification-bell' not in login(nobody).get(reverse("dashboards:home")).content.decode()
    assert login(nobody).get(INBOX).status_code == 404


def test_the_badge_refreshes_by_htmx(dealer_a, advisor_a):
    web = login(advisor_a)
    url = reverse("notifications:badge")
    assert '<span class="count">' not in web.get(url, headers={"HX-Request": "true"}).content.decode()
    tell(advisor_a, dealer_a)
    assert '<span class="count">1</span>' in web.get(url, headers={"HX-Request": "true"}).content.decode()
    assert web.get(url).status_code == 404  # only a fragment for htmx


def test_anonymous_visitors_log_in_first_and_the_bell_stops_polling():
    response = Client().get(INBOX)
    assert response.status_code == 302 and "login" in response["Location"]
    assert Client().get(reverse("notifications:badge"), headers={"HX-Request": "true"}).status_code == 286
