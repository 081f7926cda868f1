"""Evaluation runs on the demo dealers: real, explainable differences, snapshots that never change."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import User
from core.tests.helpers import raises_because
from evaluation.models import DealerEvaluation, EvaluationRun
from evaluation.services import runs
from organization.models import Dealer, Oem

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_dataset):
    """The shared demo (3 dealers, 3 months to 31 October 2026, seed 5): its OEM."""
    return Oem.objects.get(code="DEMO")


def test_a_month_of_the_demo_dealers_is_evaluated_and_kept(demo, django_capture_on_commit_callbacks):
    admin = User.objects.get(username="admin")
    with django_capture_on_commit_callbacks(execute=True):
        run = runs.run_start(oem=demo, year=2026, month=10, by=admin)  # the test queue runs it at once
    run.refresh_from_db()
    assert (run.status, run.progress, run.dealer_count, len(run.inputs_hash)) == ("done", 100, 3, 64)
    assert sum(run.weights["global"].values()) == pytest.approx(1.0)
    results = {r.dealer.code: r for r in DealerEvaluation.objects.filter(run=run).select_related("dealer")}
    good, middle, weak = results["GZ01"], results["SZ01"], results["SH01"]
    assert good.score > middle.score > weak.score
    assert (good.rank, middle.rank, weak.rank) == (1, 2, 3)
    assert good.topsis_rank == 1 and weak.topsis_rank == 3
    assert good.stars >= weak.stars and good.grade and weak.grade
    assert good.indicators["D4"]["n"] > 0 and good.indicators["D4"]["score"] is not None
    assert good.indicators["E2"]["membership"] is not None  # from the NPS answers
    assert abs(sum(good.fuzzy_vector) - 1) < 1e-9

    with django_capture_on_commit_callbacks(execute=True):
        again = runs.run_start(oem=demo, year=2026, month=10, by=admin)
    again.refresh_from_db()
    assert again.pk != run.pk and again.inputs_hash == run.inputs_hash  # same inputs, same hash, a new snapshot
    # The demo published its October run: one published result per scope and month, the new runs stay drafts.
    assert EvaluationRun.objects.filter(period_start=run.period_start, region__isnull=True, published=True).count() == 1
    for draft in (run, again):
        with raises_because(
            ValidationError, "A run of this scope and month is already published; published results never change."
        ):
            runs.run_publish(run=draft, by=admin)
        assert not EvaluationRun.objects.get(pk=draft.pk).published
    region = Dealer.objects.get(code="GZ01").region  # a region's month is its own scope
    with django_capture_on_commit_callbacks(execute=True):
        regional = runs.run_start(oem=demo, region=region, year=2026, month=10, by=admin)
    published = runs.run_publish(run=regional, by=admin)
    assert (published.published, published.published_by) == (True, admin)


def test_runs_are_refused_for_the_future_foreign_scopes_and_without_permission(demo):
    before = set(EvaluationRun.objects.values_list("pk", flat=True))  # the demo's own runs
    manager = User.objects.get(username="manager1")
    with raises_because(PermissionDenied, "You may evaluate only scopes whose dealers you can all see."):
        runs.run_create(oem=demo, year=2026, month=10, by=manager)
    with raises_because(ValidationError, "A month is evaluated once it has started."):
        runs.run_create(oem=demo, year=2099, month=1, by=User.objects.get(username="admin"))
    region = Dealer.objects.get(code="GZ01").region
    regional = User.objects.get(username=f"region_{region.code.lower()}")
    run = runs.run_create(oem=demo, region=region, year=2026, month=10, by=regional)
    assert run.status == "queued"
    assert set(EvaluationRun.objects.values_list("pk", flat=True)) == before | {run.pk}


def test_pages_and_api_show_each_user_what_they_may_see(demo, client, django_capture_on_commit_callbacks):
    from rest_framework.test import APIClient

    admin = User.objects.get(username="admin")
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post("/evaluation/runs/", {"oem": demo.pk, "month": "2026-10"})
    assert started.status_code == 302
    run = EvaluationRun.objects.latest("id")
    page = client.get(run.get_absolute_url()).content.decode()
    assert "GZ01" in page and "SH01" in page
    result = DealerEvaluation.objects.get(run=run, dealer__code="SH01")
    assert "D4" in client.get(f"/evaluation/results/{result.pk}/").content.decode()
    assert client.post("/evaluation/runs/", {"oem": demo.pk, "month": "2026-13"}).status_code == 400

    manager = User.objects.get(username="manager1")  # GZ01's service manager
    client.force_login(manager)
    # The new run is a draft: the evaluated side does not see it (published runs only).
    assert client.get(run.get_absolute_url()).status_code == 404
    assert client.get(f"/evaluation/results/{result.pk}/").status_code == 404
    official = EvaluationRun.objects.get(period_start=run.period_start, region__isnull=True, published=True)
    own = client.get(official.get_absolute_url()).content.decode()
    assert "GZ01" in own and "SH01" not in own
    theirs = DealerEvaluation.objects.get(run=official, dealer__code="SH01")
    assert client.get(f"/evaluation/results/{theirs.pk}/").status_code == 404
    api = APIClient()
    api.force_authenticate(manager)
    rows = api.get(f"/api/v1/evaluation-results/?run={official.pk}").json()["results"]
    assert [r["dealer_code"] for r in rows] == ["GZ01"]
    assert api.get(f"/api/v1/evaluation-results/?run={run.pk}").json()["results"] == []
    assert api.post("/api/v1/evaluation-runs/", {"oem": demo.pk, "year": 2026, "month": 10}).status_code == 403
    assert api.post(f"/api/v1/evaluation-runs/{run.pk}/publish/").status_code == 403


def test_the_demo_dealers_differ_in_approvals_before_work_and_estimate_accuracy(demo):
    from core.dates import month_bounds
    from evaluation.selectors.measures import MEASURES

    start, _ = month_bounds(2026, 8)
    _, end = month_bounds(2026, 10)
    dealers = {d.code: d.pk for d in Dealer.objects.all()}
    for code in ("D2", "B4"):
        figures = MEASURES[code].measure(list(dealers.values()), start, end)
        good, weak = figures[dealers["GZ01"]], figures[dealers["SH01"]]
        assert good.n > 0 and weak.n > 0, code
        assert good.value > weak.value, (code, good, weak)


def test_a_used_audit_template_is_read_only_in_the_admin(demo, client):
    from evaluation.models import AuditTemplate

    client.force_login(User.objects.get(username="admin"))
    template = AuditTemplate.objects.filter(audits__isnull=False).first()
    page = client.get(f"/admin/evaluation/audittemplate/{template.pk}/change/")
    assert page.status_code == 200
    assert b'name="name"' not in page.content  # shown, not editable
    assert client.get("/admin/evaluation/audittemplate/add/").status_code == 200


def test_the_starter_follows_a_queued_run_and_another_region_does_not_see_it(demo):
    region = Dealer.objects.get(code="GZ01").region
    regional = User.objects.get(username=f"region_{region.code.lower()}")
    run = runs.run_create(oem=demo, region=region, year=2026, month=10, by=regional)
    assert EvaluationRun.objects.for_user(regional).filter(pk=run.pk).exists()  # queued, no result yet
    other = User.objects.exclude(pk=regional.pk).filter(username__startswith="region_").get()
    assert not EvaluationRun.objects.for_user(other).filter(pk=run.pk).exists()
    # A queued run is no published result: the service manager does not see it (the evaluated side).
    assert not EvaluationRun.objects.for_user(User.objects.get(username="manager1")).filter(pk=run.pk).exists()
