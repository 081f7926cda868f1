"""Comparable, reproducible and like-for-like evaluation runs on hand-built records (issue 10, items 4–6 + notes).

Every record has an exact timestamp in early 2025 (``measure_factories``); "now" is frozen per run by patching
``django.utils.timezone.now`` while the run executes.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from core.dates import month_bounds
from core.tests.factories import DealerFactory
from core.tests.helpers import sh
from evaluation.models import DealerEvaluation, EvaluationRun, SystemVersion, enough_data
from evaluation.services import runs
from evaluation.services import systems as system_services
from evaluation.tests.measure_factories import COMPLETE_CHECKIN, MAINTENANCE, advisor, complaint, ro

pytestmark = pytest.mark.django_db


def english(client):
    """The client with the language switch set to English (pages follow the switch, not Accept-Language)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def execute(oem, year: int, month: int, now: datetime) -> EvaluationRun:
    """Queue a run of the OEM's dealers and execute it as if it were ``now``."""
    run = runs.run_create(oem=oem, year=year, month=month)
    with mock.patch("django.utils.timezone.now", return_value=now):
        runs.run_execute(run)
    run.refresh_from_db()
    assert run.status == EvaluationRun.Status.DONE, run.message
    return run


def visits(dealer, by, year: int, month: int, *, count: int = 5, late: int = 0, cycle_hours: float = 4.0):
    """``count`` maintenance visits delivered in the month, ``late`` of them after the promised time."""
    for i in range(count):
        arrived = sh(year, month, 3 + i, 9)
        ready = arrived + timedelta(hours=cycle_hours)
        delivered = ready + timedelta(minutes=30)
        promised = delivered - timedelta(minutes=10) if i < late else delivered + timedelta(hours=1)
        ro(dealer, by, arrived=arrived, job_type=MAINTENANCE, checked_in_at=arrived + timedelta(minutes=10),
           ready_at=ready, delivered_at=delivered, promised_at=promised, belongings_signed_at=arrived,
           **COMPLETE_CHECKIN)  # fmt: skip


def results(run) -> dict[str, DealerEvaluation]:
    return {r.dealer.code: r for r in DealerEvaluation.objects.filter(run=run).select_related("dealer")}


def settings_of(version: SystemVersion, **fields) -> SystemVersion:
    """Give the published version other run settings (the pages change a draft; this is the test's shortcut)."""
    SystemVersion.objects.filter(pk=version.pk).update(**fields)
    version.refresh_from_db()
    return version


@pytest.fixture
def three(dealer_a, dealer_b):
    """Three dealers of one OEM (A, B and C; C in A's region)."""
    dealer_c = DealerFactory(code="C001", name="丙店", region=dealer_a.region)
    return dealer_a, dealer_b, dealer_c


# --- 5. reproducible runs --------------------------------------------------------------------------------------


def test_a_month_is_evaluated_as_of_its_end_plus_the_grace_period_whatever_day_it_is_run(
    three, default_version, superuser, client
):
    a, b, _c = three
    for dealer in three:
        visits(dealer, advisor(dealer), 2025, 3)
    oem = a.region.oem
    # A's complaint of March is resolved with the customer on 6 April (inside the 7-day grace period), B's on 1 May
    # (after it): October-style late records that must count, or not, the same way on any day of re-running.
    complaint(a, advisor(a), received=sh(2025, 3, 20, 10), status="resolved", customer_agreed=True,
              resolved_at=sh(2025, 4, 6, 15))  # fmt: skip
    complaint(b, advisor(b), received=sh(2025, 3, 21, 10), status="resolved", customer_agreed=True,
              resolved_at=sh(2025, 5, 1, 15))  # fmt: skip

    early = execute(oem, 2025, 3, now=sh(2025, 4, 5, 12))
    assert (early.as_of, early.provisional) == (sh(2025, 4, 5, 12), True)
    assert [n["code"] for n in early.notes][:1] == ["provisional"]
    assert results(early)["A001"].indicators["B5"]["value"] == 0.0  # not resolved yet on 5 April

    june = execute(oem, 2025, 3, now=sh(2025, 6, 1, 9))
    later = execute(oem, 2025, 3, now=sh(2026, 1, 15, 9))
    for final in (june, later):
        assert (final.as_of, final.provisional) == (sh(2025, 4, 8), False)  # 1 April 00:00 + 7 days
        assert final.options["as_of"] == sh(2025, 4, 8).isoformat()
        assert "provisional" not in [n["code"] for n in final.notes]
    assert results(june)["A001"].indicators["B5"]["value"] == 100.0  # resolved within the grace period
    assert results(june)["B001"].indicators["B5"]["value"] == 0.0  # resolved after it: never counts
    assert june.inputs_hash == later.inputs_hash != early.inputs_hash
    for code, first in results(june).items():
        again = results(later)[code]
        assert (again.indicators, again.score, again.rank, again.dimension_scores) == (
            first.indicators, first.score, first.rank, first.dimension_scores,
        )  # fmt: skip

    client.force_login(superuser)
    page = client.get(early.get_absolute_url()).content.decode()
    assert 'id="provisional"' in page and "2025-04-08 00:00" in page  # until when it is provisional
    page = client.get(june.get_absolute_url()).content.decode()
    assert "2025-04-08 00:00" in page and 'id="provisional"' not in page
    api = client.get(f"/api/v1/evaluation-runs/{june.pk}/").json()
    assert (api["as_of"][:19], api["provisional"]) == ("2025-04-08T00:00:00", False)
    assert api["options"]["grace_days"] == 7


def test_the_grace_period_is_a_setting_of_the_version(three, default_version):
    a, _b, _c = three
    visits(a, advisor(a), 2025, 3)
    settings_of(default_version, grace_days=0)
    run = execute(a.region.oem, 2025, 3, now=sh(2025, 4, 1, 0, 30))
    assert (run.as_of, run.provisional) == (sh(2025, 4, 1), False)


def test_the_schedule_evaluates_the_latest_month_once_its_grace_period_is_over(three, default_version):
    oem = three[0].region.oem
    with mock.patch("django.utils.timezone.now", return_value=sh(2025, 4, 3, 2)):
        assert runs.due_month(default_version, sh(2025, 4, 3, 2)).isoformat() == "2025-02-01"  # March not yet
    assert runs.due_month(default_version, sh(2025, 4, 8, 2)).isoformat() == "2025-03-01"
    with mock.patch("django.utils.timezone.now", return_value=sh(2025, 4, 8, 2)):
        assert runs.monthly_evaluations.call() == 1
        assert runs.monthly_evaluations.call() == 0  # once
    run = EvaluationRun.objects.get(oem=oem)
    assert (str(run.period_start), run.provisional, run.status) == ("2025-03-01", False, "done")


# --- 4. comparable months: entropy window, minimum dealers, minimum records, ranks ------------------------------


def _entropy(column: list[float]) -> float:
    """Textbook entropy of one column of scores (p = x / Σx, e = −Σ p ln p / ln m)."""
    total = sum(column)
    shares = [x / total for x in column if x > 0]
    return -sum(p * math.log(p) for p in shares) / math.log(len(column))


def test_entropy_weights_stand_on_the_dealer_months_of_the_trailing_window(three, default_version):
    a, b, c = three
    # March: the dealers differ in on-time delivery (B2) only; January and February: in cycle time (B3) only.
    for dealer, late in ((a, 0), (b, 2), (c, 0)):
        visits(dealer, advisor(dealer), 2025, 3, late=late)
    for month in (1, 2):
        for dealer, hours in ((a, 4.0), (b, 12.0), (c, 8.0)):
            visits(dealer, advisor(dealer), 2025, month, cycle_hours=hours)
    oem = a.region.oem

    settings_of(default_version, entropy_min_dealers=2, entropy_window_months=1)
    alone = execute(oem, 2025, 3, now=sh(2025, 6, 1))
    assert alone.weights["entropy"]["B2"] == pytest.approx(1.0)
    assert alone.weights["entropy"]["B3"] == 0.0
    assert (alone.options["entropy_rows"], alone.options.get("entropy_months")) == (3, None)

    settings_of(default_version, entropy_window_months=3)
    window = execute(oem, 2025, 3, now=sh(2025, 6, 1))
    assert window.options["entropy_months"] == ["2025-01", "2025-03"]
    assert window.options["entropy_rows"] == 9  # 3 dealers × 3 months

    # B2 scores (target 95, floor 75): March 100 / 0 (3 of 5 on time = 60 %) / 100, January and February all 100.
    # B3 scores (target 4, floor 12 hours; the cycle runs from check-in, 10 minutes after arrival, to ready): March
    # all 3 h 50 min (100); January and February 3 h 50 (100) / 11 h 50 (2.08) / 7 h 50 (52.08).
    def cycle_score(hours: float) -> float:
        return min(100.0, 100.0 * (12 - (hours - 1 / 6)) / 8)

    b3 = [100.0] * 3 + [cycle_score(4), cycle_score(12), cycle_score(8)] * 2
    b2 = [100.0, 0.0, 100.0] + [100.0] * 6
    d2, d3 = 1 - _entropy(b2), 1 - _entropy(b3)
    assert window.weights["entropy"]["B2"] == pytest.approx(d2 / (d2 + d3))
    assert window.weights["entropy"]["B3"] == pytest.approx(d3 / (d2 + d3))
    notes = {n["code"]: n for n in window.notes}
    assert notes["entropy_window"] == {"code": "entropy_window", "rows": 9, "first": "2025-01", "last": "2025-03"}
    assert "B3" not in notes["entropy_constant"]["indicators"] and "A1" in notes["entropy_constant"]["indicators"]


def test_below_the_minimum_number_of_dealers_the_run_uses_ahp_and_says_so(three, default_version, superuser, client):
    a, b, c = three
    for dealer, late in ((a, 0), (b, 2), (c, 0)):
        visits(dealer, advisor(dealer), 2025, 3, late=late)
    run = execute(a.region.oem, 2025, 3, now=sh(2025, 6, 1))  # default: 5 dealers
    assert run.weights["entropy"] is None
    assert run.weights["global"] == pytest.approx(run.weights["ahp"])
    assert {"code": "entropy_too_few_dealers", "dealers": 3, "minimum": 5} in run.notes
    assert (run.options["entropy_used"], run.options["entropy_min_dealers"]) == (False, 5)
    client.force_login(superuser)
    with translation.override("en"):
        page = english(client).get(run.get_absolute_url()).content.decode()
    assert "Entropy weights need at least 5 dealers with data; this scope has 3" in page


def test_figures_on_too_few_records_are_flagged_and_a_dealer_without_enough_data_is_not_ranked(
    three, default_version, superuser, client
):
    a, b, c = three
    visits(a, advisor(a), 2025, 3)
    visits(b, advisor(b), 2025, 3, late=2)
    visits(c, advisor(c), 2025, 3, count=2)  # two visits: below the minimum of 5 records
    settings_of(default_version, rank_min_weight=5)  # the few indicators these visits feed carry ~10 % of the weight
    run = execute(a.region.oem, 2025, 3, now=sh(2025, 6, 1))
    found = results(run)
    thin = found["C001"].indicators["B2"]
    assert (thin["n"], thin["enough"], thin["score"] is not None) == (2, False, True)  # scored, but thin
    assert found["A001"].indicators["B2"]["enough"] is True
    for result in found.values():
        for code, figures in result.indicators.items():
            assert figures["enough"] == run.has_enough_data(code, figures["n"])  # the alerts read the same rule
    assert found["C001"].score is not None and found["C001"].rank is None and found["C001"].topsis_rank is None
    note = found["C001"].rank_note
    assert (note["code"], note["enough"], note["share"], note["required"]) == ("rank_thin_data", 0, 0.0, 0.05)
    assert (found["A001"].rank, found["B001"].rank) == (1, 2)
    assert {n["code"] for n in run.notes} >= {"entropy_thin"}

    client.force_login(superuser)
    with translation.override("en"):
        page = english(client).get(run.get_absolute_url()).content.decode()
        rows = (
            english(client)
            .get(f"/api/v1/evaluation-results/?run={run.pk}", HTTP_ACCEPT_LANGUAGE="en")
            .json()["results"]
        )
    assert "No rank: only 0 of" in page and "(0 % of the weight; a rank needs 5 %)" in page
    unranked = next(r for r in rows if r["dealer_code"] == "C001")
    assert unranked["rank"] is None and unranked["rank_reason"].startswith("No rank: only 0 of")
    assert unranked["rank_note"]["code"] == "rank_thin_data"
    ranked = [r["dealer_code"] for r in rows if r["rank"]]
    assert sorted(ranked) == ["A001", "B001"]


def test_the_one_minimum_records_rule():
    assert enough_data("B2", 5, 5) and not enough_data("B2", 4, 5)
    assert enough_data("C4", 2, 5) and enough_data("G", 1, 5)  # populations, not samples
    assert not enough_data("G", 0, 5) and not enough_data("B2", None, 0)  # no data is never enough
    assert enough_data("B2", 1, 0)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"entropy_window_months": 0}, "entropy_window_months"),
        ({"entropy_window_months": 37}, "entropy_window_months"),
        ({"entropy_min_dealers": 1}, "entropy_min_dealers"),
        ({"grace_days": 61}, "grace_days"),
        ({"rank_min_weight": 101}, "rank_min_weight"),
    ],
)
def test_run_settings_out_of_range_are_refused_and_nothing_changes(default_version, superuser, fields, field):
    draft = system_services.system_version_copy(system_version=default_version, by=superuser)
    with pytest.raises(ValidationError) as error:
        system_services.system_version_update_settings(
            system_version=draft, by=superuser, version=draft.version, **fields
        )
    assert field in error.value.message_dict
    draft.refresh_from_db()
    assert (draft.entropy_window_months, draft.entropy_min_dealers, draft.grace_days, draft.min_sample) == (
        12, 5, 7, 5,
    )  # fmt: skip


def test_the_settings_page_shows_the_run_settings_and_refuses_bad_ones(default_version, superuser, client):
    draft = system_services.system_version_copy(system_version=default_version, by=superuser)
    client.force_login(superuser)
    page = client.get(draft.get_absolute_url()).content.decode()
    for name in ("grace_days", "entropy_window_months", "entropy_min_dealers", "min_sample", "rank_min_weight"):
        assert f'name="{name}"' in page
    data = {name: getattr(draft, name) for name in system_services.SETTINGS_FIELDS}
    data.update(version=draft.version, entropy_window_months=48, min_sample=-1)
    response = client.post(reverse("evaluation:version_settings", args=[draft.pk]), data)
    assert response.status_code == 400
    assert response.context["settings_form"].errors.keys() >= {"entropy_window_months", "min_sample"}
    data.update(entropy_window_months=6, min_sample=10)
    assert client.post(reverse("evaluation:version_settings", args=[draft.pk]), data).status_code == 302
    draft.refresh_from_db()
    assert (draft.entropy_window_months, draft.min_sample) == (6, 10)
    published = client.get(default_version.get_absolute_url()).content.decode()
    assert 'id="entropy-options"' in published and 'id="data-options"' in published


# --- 6. like for like ----------------------------------------------------------------------------------------


def _answers(questionnaire) -> dict:
    from surveys.choices import QuestionKind

    values = {QuestionKind.LIKERT5: 4, QuestionKind.LIKERT10: 8, QuestionKind.NPS: 9}
    answers = {}
    for question in questionnaire.questions.all():
        if question.kind in values:
            answers[question.code] = values[question.kind]
        elif question.kind == QuestionKind.SINGLE and question.required:
            answers[question.code] = question.options[0]["value"] if question.options else ""
    return answers


def test_survey_figures_from_another_questionnaire_family_are_marked_not_comparable(
    three, default_version, superuser, manager_a, client
):
    from surveys import services as survey_services
    from surveys.models import DealerSurveySettings
    from surveys.tests.factories import csi, followup, servqual

    a, b, c = three
    DealerSurveySettings.objects.create(dealer=b, questionnaire=servqual())
    csi()
    for dealer in three:
        by = advisor(dealer)
        visits(dealer, by, 2025, 3)
        caller = followup(dealer)
        for order in dealer.repair_orders.all():
            survey_services.survey_record_response(
                invitation_or_order=order, channel="phone", by=caller, submitted_at=sh(2025, 3, 25, 10),
                answers=_answers(survey_services.questionnaire_for_dealer(dealer)),
            )  # fmt: skip
    assert runs.survey_families([a.pk, b.pk, c.pk], *month_bounds(2025, 3)) == {
        a.pk: ["CSI"], b.pk: ["SERVQUAL"], c.pk: ["CSI"],
    }  # fmt: skip
    run = execute(a.region.oem, 2025, 3, now=sh(2025, 6, 1))
    found = results(run)
    for code in ("C1", "C2", "E1"):
        mixed = found["B001"].indicators[code]
        assert mixed["value"] is not None and mixed["score"] is None  # shown, not scored
        assert (mixed["comparable"], mixed["families"]) == (False, ["SERVQUAL"])
        assert found["A001"].indicators[code]["comparable"] is True
        assert found["A001"].indicators[code]["score"] is not None
    assert found["B001"].indicators["E2"]["score"] is not None  # NPS is one question in every family
    note = next(n for n in run.notes if n["code"] == "survey_family_mismatch")
    assert note == {"code": "survey_family_mismatch", "reference": "CSI", "indicators": ["C1", "C2", "E1"],
                    "dealers": [{"id": b.pk, "dealer": "B001", "families": ["SERVQUAL"]}]}  # fmt: skip
    assert run.options["survey_family"] == "CSI"

    client.force_login(superuser)
    with translation.override("en"):
        page = english(client).get(run.get_absolute_url()).content.decode()
        api = english(client).get(f"/api/v1/evaluation-runs/{run.pk}/").json()
        detail = english(client).get(f"/evaluation/results/{found['B001'].pk}/").content.decode()
    assert 'id="not-like-for-like"' in page and "B001 (SERVQUAL)" in page
    said = next(n for n in api["notes"] if n["code"] == "survey_family_mismatch")
    assert said["reference"] == "CSI" and "B001 (SERVQUAL)" in said["text"] and "E1 " in said["text"]
    assert "not comparable" in detail

    # A dealer's own manager sees the run once published, but not the other dealers' names: they are counted instead.
    runs.run_publish(run=run, by=superuser)
    client.force_login(manager_a)
    with translation.override("en"):
        own = english(client).get(run.get_absolute_url()).content.decode()
        own_api = english(client).get(f"/api/v1/evaluation-runs/{run.pk}/").json()
    assert "B001" not in own and "but 1 other dealer used another one" in own
    hidden = next(n for n in own_api["notes"] if n["code"] == "survey_family_mismatch")
    assert (hidden["dealers"], hidden["others"]) == ([], 1) and "B001" not in hidden["text"]


# --- 10. structured notes in the reader's language -------------------------------------------------------------


def test_engine_notes_are_stored_structured_and_said_in_the_readers_language(three, default_version, superuser, client):
    a, b, c = three
    for dealer, late in ((a, 0), (b, 2), (c, 0)):
        visits(dealer, advisor(dealer), 2025, 3, late=late)
    settings_of(default_version, entropy_min_dealers=2, entropy_window_months=1)
    run = execute(a.region.oem, 2025, 3, now=sh(2025, 6, 1))
    constant = next(n for n in run.notes if n["code"] == "entropy_constant")
    assert "A1" in constant["indicators"] and all(isinstance(code, str) for code in constant["indicators"])
    client.force_login(superuser)
    with translation.override("en"):
        english = client.get(f"/api/v1/evaluation-runs/{run.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    with translation.override("zh-hans"):
        chinese = client.get(f"/api/v1/evaluation-runs/{run.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    said_en = next(n for n in english["notes"] if n["code"] == "entropy_constant")
    said_zh = next(n for n in chinese["notes"] if n["code"] == "entropy_constant")
    assert said_en["indicators"] == constant["indicators"]
    assert "A1 Reception wait" in said_en["text"] and "did not vary between the dealers" in said_en["text"]
    assert "A1 接待等待时长" in said_zh["text"]


def test_notes_of_runs_made_before_they_were_structured_are_converted(default_version):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("evaluation.migrations.0009_comparable_reproducible_runs")
    oem = DealerFactory().region.oem
    run = EvaluationRun.objects.create(
        oem=oem, period_start=sh(2025, 3, 1).date(), period_end=sh(2025, 3, 31).date(), system_version=default_version,
        status="done", notes=["constant column(s) 0, 2 carry no information and get weight 0",
                              "TOPSIS needs at least two dealers with a score", "something else"],
    )  # fmt: skip
    migration.structured_notes(apps, None)
    run.refresh_from_db()
    assert run.notes[1:] == [{"code": "topsis_too_few", "dealers": 1}, {"code": "text", "text": "something else"}]
    # columns are the version's indicators in order (A1, A2, A3, …)
    assert run.notes[0] == {"code": "entropy_constant", "indicators": ["A1", "A3"]}
