"""Publishing: the evaluated side (a dealer's service manager) sees a month's results once they are published; the
evaluating side (region managers, administrators) sees the drafts of its scope too (``sees_drafts``)."""

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.choices import Role
from core.tests.factories import UserFactory
from core.tests.helpers import login
from evaluation.models import DealerEvaluation, EvaluationRun, ImprovementAction, QualityAlert, sees_drafts
from evaluation.services import alerts, runs
from evaluation.tests.alert_helpers import HIGHER, make_run, plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(default_version, dealer_a, dealer_b, manager_a):
    """Dealers A and B (two regions of one OEM): September published, October a draft of the OEM, and a draft of
    B's region alone; A's October figure is below A2's floor (an alert of the draft)."""
    oem = dealer_a.region.oem
    figures = {dealer_a: {HIGHER: (90.0, 80.0)}, dealer_b: {HIGHER: (95.0, 90.0)}}
    september = make_run(default_version, oem, 2026, 9, figures, published=True)
    october = make_run(
        default_version, oem, 2026, 10, {dealer_a: {HIGHER: (50.0, 0.0)}, dealer_b: {HIGHER: (95.0, 90.0)}}
    )
    region_b = make_run(default_version, oem, 2026, 10, {dealer_b: {HIGHER: (95.0, 90.0)}})
    EvaluationRun.objects.filter(pk=region_b.pk).update(region=dealer_b.region)
    alerts.raise_alerts(october)
    return {"september": september, "october": october, "region_b": region_b}


def result(run, dealer) -> DealerEvaluation:
    return DealerEvaluation.objects.get(run=run, dealer=dealer)


@pytest.fixture
def oem_admin_ab(dealer_a, dealer_b):
    """An administrator of the OEM: works for both its dealers, evaluates and publishes."""
    return UserFactory(username="oem_admin_ab", roles=[Role.ADMINISTRATOR], dealers=[dealer_a, dealer_b])


def test_who_is_on_the_evaluating_side(manager_a, region_manager, oem_admin_ab, superuser, advisor_a):
    assert [sees_drafts(u) for u in (manager_a, advisor_a, region_manager, oem_admin_ab, superuser)] == [
        False, False, True, True, True]  # fmt: skip
    from django.contrib.auth.models import AnonymousUser

    assert not sees_drafts(AnonymousUser()) and not sees_drafts(None)


def test_the_service_manager_sees_published_runs_only(scene, manager_a, dealer_a, api_as):
    september, october = scene["september"], scene["october"]
    assert list(EvaluationRun.objects.for_user(manager_a)) == [september]
    assert list(DealerEvaluation.objects.for_user(manager_a)) == [result(september, dealer_a)]

    web = login(manager_a)
    listed = web.get(reverse("evaluation:run_list")).content.decode()
    assert september.get_absolute_url() in listed and october.get_absolute_url() not in listed
    assert "You see the published evaluations" in listed
    # A guessed id of the draft, its result, and of the other region's run: not there.
    assert web.get(october.get_absolute_url()).status_code == 404
    assert web.get(reverse("evaluation:result_detail", args=[result(october, dealer_a).pk])).status_code == 404
    assert web.get(scene["region_b"].get_absolute_url()).status_code == 404
    page = web.get(reverse("evaluation:result_detail", args=[result(september, dealer_a).pk])).content.decode()
    assert 'data-publication="published"' in page and 'id="publication" data-published="1"' in page

    api = api_as(manager_a)
    assert [r["id"] for r in api.get("/api/v1/evaluation-runs/").json()["results"]] == [september.pk]
    assert api.get(f"/api/v1/evaluation-runs/{october.pk}/").status_code == 404
    rows = api.get("/api/v1/evaluation-results/").json()["results"]
    assert [r["id"] for r in rows] == [result(september, dealer_a).pk]
    assert api.get(f"/api/v1/evaluation-results/{result(october, dealer_a).pk}/").status_code == 404
    assert api.get(f"/api/v1/evaluation-results/?run={october.pk}").json()["results"] == []


def test_a_draft_is_published_for_the_evaluated_side_by_an_administrator(scene, manager_a, oem_admin_ab, dealer_a):
    october = scene["october"]
    web = login(oem_admin_ab)
    page = web.get(october.get_absolute_url()).content.decode()
    assert 'data-publication="draft"' in page and 'id="publish-form"' in page
    assert "Draft, not published: only the evaluating side" in page
    assert web.post(october.get_absolute_url()).status_code == 302
    october.refresh_from_db()
    assert october.published and october.published_by == oem_admin_ab and october.published_at is not None

    assert list(EvaluationRun.objects.for_user(manager_a).order_by("period_start")) == [scene["september"], october]
    seen = login(manager_a).get(october.get_absolute_url()).content.decode()
    assert 'data-publication="published"' in seen and "Published on" in seen and str(oem_admin_ab) in seen
    assert 'id="publish-form"' not in seen
    listed = login(manager_a).get(reverse("evaluation:run_list")).content.decode()
    assert listed.count('data-publication="published"') == 2


def test_the_region_manager_sees_the_drafts_of_their_region_only(scene, region_manager, dealer_a, dealer_b, api_as):
    september, october, region_b = scene["september"], scene["october"], scene["region_b"]
    assert set(EvaluationRun.objects.for_user(region_manager)) == {september, october}
    assert set(DealerEvaluation.objects.for_user(region_manager)) == {result(september, dealer_a),
                                                                      result(october, dealer_a)}  # fmt: skip
    web = login(region_manager)
    page = web.get(october.get_absolute_url()).content.decode()
    assert 'data-publication="draft"' in page
    assert "only the evaluating side (region managers and administrators) sees it" in page
    assert 'id="publish-form"' not in page  # region managers run evaluations, administrators publish
    assert dealer_a.code in page and dealer_b.code not in page
    assert web.get(region_b.get_absolute_url()).status_code == 404
    assert "Drafts (runs not yet published)" in web.get(reverse("evaluation:run_list")).content.decode()
    api = api_as(region_manager)
    assert {r["id"] for r in api.get("/api/v1/evaluation-runs/").json()["results"]} == {september.pk, october.pk}
    assert api.post(f"/api/v1/evaluation-runs/{october.pk}/publish/").status_code == 403
    assert not EvaluationRun.objects.get(pk=october.pk).published


def test_the_administrator_sees_every_run_of_their_oem(scene, oem_admin_ab, other_oem_dealer, default_version, api_as):
    foreign = make_run(
        default_version, other_oem_dealer.region.oem, 2026, 10, {other_oem_dealer: {HIGHER: (90.0, 80.0)}}
    )
    assert set(EvaluationRun.objects.for_user(oem_admin_ab)) == {
        scene["september"],
        scene["october"],
        scene["region_b"],
    }
    assert DealerEvaluation.objects.for_user(oem_admin_ab).count() == 5
    assert login(oem_admin_ab).get(foreign.get_absolute_url()).status_code == 404
    api = api_as(oem_admin_ab)
    assert api.get(f"/api/v1/evaluation-runs/{scene['region_b'].pk}/").json()["published"] is False
    published = api.post(f"/api/v1/evaluation-runs/{scene['region_b'].pk}/publish/")
    assert published.status_code == 200 and published.json()["published_by"] == oem_admin_ab.pk


def test_a_month_with_a_published_run_offers_no_second_publication(scene, oem_admin_ab, default_version, dealer_a):
    again = make_run(default_version, dealer_a.region.oem, 2026, 9, {dealer_a: {HIGHER: (90.0, 80.0)}})
    assert not runs.run_can_publish(run=again, user=oem_admin_ab)
    assert runs.run_can_publish(run=scene["october"], user=oem_admin_ab)
    page = login(oem_admin_ab).get(again.get_absolute_url()).content.decode()
    assert 'id="publish-form"' not in page and 'id="published-run"' in page
    assert scene["september"].get_absolute_url() in page


def test_an_alert_of_a_draft_run_does_not_link_the_service_manager_to_it(scene, manager_a, oem_admin_ab, dealer_a):
    october = scene["october"]
    alert = QualityAlert.objects.get(run=october, dealer=dealer_a)
    action = plan(alert, manager_a)
    page = login(manager_a).get(alert.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert october.get_absolute_url() not in html and f'data-draft-run="{october.pk}"' in html
    assert "not yet published" in html
    # The evaluating side follows the link.
    assert october.get_absolute_url() in login(oem_admin_ab).get(alert.get_absolute_url()).content.decode()
    # Checked by a draft run: the action pages name its month without a link.
    ImprovementAction.objects.filter(pk=action.pk).update(checked_run=october, checked_at=october.finished_at)
    for url in (action.get_absolute_url(), reverse("evaluation:action_list")):
        html = login(manager_a).get(url).content.decode()
        assert october.get_absolute_url() not in html and f'data-draft-run="{october.pk}"' in html
    runs.run_publish(run=october, by=oem_admin_ab)
    assert october.get_absolute_url() in login(manager_a).get(alert.get_absolute_url()).content.decode()


def test_the_badges_in_chinese(scene, oem_admin_ab):
    web = login(oem_admin_ab, language=None)
    assert settings.LANGUAGE_CODE == "zh-hans"
    draft = web.get(scene["october"].get_absolute_url()).content.decode()
    published = web.get(scene["september"].get_absolute_url()).content.decode()
    assert '<span class="badge grey" data-publication="draft">草稿</span>' in draft
    assert '<span class="badge green" data-publication="published">已发布</span>' in published
    english = login(oem_admin_ab).get(scene["october"].get_absolute_url()).content.decode()
    assert '<span class="badge grey" data-publication="draft">Draft</span>' in english


def test_the_run_list_reads_publication_without_a_query_per_run(scene, oem_admin_ab, default_version, dealer_a,
                                                               django_assert_max_num_queries):  # fmt: skip
    web = login(oem_admin_ab)
    web.get(reverse("evaluation:run_list"))
    for month in range(1, 9):
        run = make_run(default_version, dealer_a.region.oem, 2026, month, {dealer_a: {HIGHER: (90.0, 80.0)}})
        runs.run_publish(run=run, by=oem_admin_ab)
    with django_assert_max_num_queries(11):  # 10 + the header bell's unread COUNT (every page)
        page = web.get(reverse("evaluation:run_list")).content.decode()
    assert page.count('data-publication="published"') == 9 and page.count('data-publication="draft"') == 2
