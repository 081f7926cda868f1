"""The cockpit's score half on the shared demo (read-only): the demo's managers (manager1 = GZ01, manager2 = SZ01,
manager3 = SH01) see their dealer's last published month, why it changed and who is fixing it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.dates import Month
from core.tests.helpers import login, sh
from evaluation.choices import ActionStatus
from evaluation.models import ImprovementAction
from evaluation.selectors import results
from organization.models import Dealer

pytestmark = pytest.mark.django_db

HOME = reverse("dashboards:home")
NOW = sh(2026, 11, 16, 10, 0)  # the demo ends on 31 October 2026: November has no run yet


@pytest.fixture
def now(clock):
    return clock(NOW)


def manager(django_user_model, number):
    return django_user_model.objects.get(username=f"manager{number}")


@pytest.mark.parametrize(("number", "code"), [(1, "GZ01"), (2, "SZ01"), (3, "SH01")])
def test_each_demo_manager_sees_their_dealers_last_published_month(demo_dataset, now, django_user_model, number,
                                                                    code):  # fmt: skip
    user = manager(django_user_model, number)
    page = login(user).get(HOME)
    assert page.status_code == 200 and page.context["dealer"].code == code
    quality = page.context["quality"]
    dealer = page.context["dealer"]
    assert quality.month == Month(2026, 10) and quality.current is None
    expected = results.month_result(dealer.pk, Month(2026, 10), user)
    assert expected.run.published and quality.result == expected
    assert quality.previous == results.month_result(dealer.pk, Month(2026, 9), user)
    explanation = quality.explanation
    assert explanation.change == pytest.approx(expected.score - quality.previous.score)
    assert sum(quality.charts["why"].series[0].values) == pytest.approx(explanation.change, abs=0.01)
    assert [m["contribution"].indicator for m in quality.movers] == [c.indicator for c in
                                                                     explanation.contributions[:5]]  # fmt: skip
    assert [c["code"] for c in quality.costly] == [c for c, _p in results.points_lost(expected)[:3]]
    assert len(quality.rows) == len(expected.indicators)
    html = page.content.decode()
    assert f"{expected.score:.1f}" in html and "Published result of 2026-10" in html
    assert "No evaluation run of 2026-11 yet" in html
    # Another demo dealer's cockpit is not there for them.
    other = Dealer.objects.exclude(pk=dealer.pk).first()
    assert login(user).get(HOME, {"dealer": other.pk}).status_code == 404


def test_why_did_our_score_change_and_who_is_fixing_it_within_three_clicks(demo_dataset, now, django_user_model):
    """SH01 (the weak dealer): the home page names the biggest changes with their records and the actions with
    owner and due date; one click on the biggest negative contribution lists its records."""
    user = manager(django_user_model, 3)
    web = login(user)
    page = web.get(HOME)
    quality, alerts = page.context["quality"], page.context["alerts"]
    html = page.content.decode()
    negative = min(quality.explanation.contributions, key=lambda c: c.points)
    mover = next(m for m in quality.movers if m["contribution"] is negative)
    assert mover["url"] and mover["url"].replace("&", "&amp;") in html
    records = web.get(mover["url"])  # click 1: the records behind it
    assert records.status_code == 200 and records.context["dealer"].code == "SH01"
    assert records.context["spec"].code == negative.indicator
    active = ImprovementAction.objects.filter(dealer__code="SH01", status__in=ActionStatus.active())
    assert active.exists()
    for action in active.select_related("owner"):
        assert action.get_absolute_url() in html and str(action.owner) in html
    assert [a.pk for a in alerts["actions"]] == list(active.order_by("due_date", "id").values_list("pk", flat=True))
    assert quality.explain_url in html


def test_the_demo_cockpit_in_both_languages_and_bounded_queries(demo_dataset, now, django_user_model,
                                                                django_assert_max_num_queries):  # fmt: skip
    user = manager(django_user_model, 2)
    web = login(user)
    web.get(HOME)  # the process's one-time caches (content types…) are not the page's cost
    with django_assert_max_num_queries(40):
        english = web.get(HOME).content.decode()
    assert "Why did our score change?" in english and "Cars in the workshop by state" in english
    chinese = login(user, language=None).get(HOME).content.decode()
    assert "Why did our score change?" not in chinese and "指标" in chinese
