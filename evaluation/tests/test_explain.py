"""Why did the score change? The API (``/api/v1/evaluation-results/{id}/explain/``), the page with its waterfall and
table, and the result page's radar and trend charts, on the shared demo (read-only)."""

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from core.dates import Month
from core.tests.helpers import login
from evaluation.models import DealerEvaluation, QualityAlert
from evaluation.selectors import results as selectors

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(demo_dataset, django_user_model):
    return django_user_model.objects.get(username="admin")


def manager_of(code, django_user_model):
    return django_user_model.objects.get(dealer_memberships__dealer__code=code, username__startswith="manager")


def dealer_id(code):
    return DealerEvaluation.objects.filter(dealer__code=code).values_list("dealer_id", flat=True).first()


def october(admin, code="SH01"):
    return selectors.month_result(dealer_id(code), Month(2026, 10), admin)


def first_month(admin, code="SH01"):
    """The dealer's earliest result: nothing before it to compare with."""
    history = selectors.dealer_history(dealer_id(code), Month(2026, 10), admin, months=60)
    return next(r for _m, r in history if r is not None)


def explain_url(result):
    return f"/api/v1/evaluation-results/{result.pk}/explain/"


# --- the API ---------------------------------------------------------------------------------------------------


def test_api_splits_the_change_into_contributions(admin, api_en, django_assert_max_num_queries):
    result = october(admin)
    previous = selectors.previous_result(result, admin)
    with django_assert_max_num_queries(8):
        response = api_en(admin).get(explain_url(result))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"month", "previous_month", "previous_result", "previous_score", "score", "change",
                         "contributions", "detail"}  # fmt: skip
    assert (body["month"], body["previous_month"], body["previous_result"]) == ("2026-10", "2026-09", previous.pk)
    assert body["score"] == pytest.approx(result.score) and body["previous_score"] == pytest.approx(previous.score)
    assert body["change"] == pytest.approx(result.score - previous.score)
    assert body["detail"] is None
    contributions = body["contributions"]
    fields = {"indicator", "points", "performance_points", "weight_points", "previous_score", "score",
              "previous_weight", "weight"}  # fmt: skip
    assert contributions and set(contributions[0]) == fields
    assert abs(sum(c["points"] for c in contributions) - body["change"]) < 0.01
    sizes = [abs(c["points"]) for c in contributions]
    assert sizes == sorted(sizes, reverse=True)
    for c in contributions:
        assert c["performance_points"] + c["weight_points"] == pytest.approx(c["points"], abs=1e-9)
    b1 = next(c for c in contributions if c["indicator"] == "B1")
    assert b1["score"] == pytest.approx(result.indicators["B1"]["score"])
    assert b1["previous_score"] == pytest.approx(previous.indicators["B1"]["score"])
    scored = {code for month in (previous, result) for code, row in month.indicators.items()
              if row.get("score") is not None}  # fmt: skip
    assert {c["indicator"] for c in contributions} == scored


def test_api_without_a_previous_month_says_why(admin, api_en):
    result = first_month(admin)
    body = api_en(admin).get(explain_url(result)).json()
    month = Month.of(result.run.period_start)
    assert body["previous_result"] is None and body["previous_score"] is None and body["change"] is None
    assert body["contributions"] == [] and body["score"] == pytest.approx(result.score)
    assert body["detail"] == f"No result for {month.previous()}: there is nothing to compare with."


def test_api_scope_another_dealers_result_is_404(admin, api_en, api_client, django_user_model):
    manager = manager_of("SH01", django_user_model)
    client = api_en(manager)
    assert client.get(explain_url(october(admin, "SH01"))).status_code == 200
    assert client.get(explain_url(october(admin, "GZ01"))).status_code == 404
    assert client.get("/api/v1/evaluation-results/999999/explain/").status_code == 404
    assert api_client.get(explain_url(october(admin, "SH01"))).status_code == 401
    assert api_en(admin).post(explain_url(october(admin, "SH01"))).status_code == 405  # a read only


def test_api_schema_describes_explain(admin, client):
    client.force_login(admin)
    paths = json.loads(client.get("/api/schema/", {"format": "json"}).content)["paths"]
    operation = paths["/api/v1/evaluation-results/{id}/explain/"]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    components = json.loads(client.get("/api/schema/", {"format": "json"}).content)["components"]["schemas"]
    assert {"previous_score", "score", "change", "contributions"} <= set(components[schema]["properties"])
    assert "parameters" not in operation or not any(p["name"] == "run" for p in operation["parameters"])


# --- the page --------------------------------------------------------------------------------------------------


def page(user, result, language="en"):
    return login(user, language=language).get(reverse("evaluation:result_explain", args=[result.pk]))


def test_page_shows_waterfall_table_and_the_sum(admin, django_assert_max_num_queries):
    result = october(admin)
    explanation = selectors.explain(result, selectors.previous_result(result, admin))
    client = login(admin)
    url = reverse("evaluation:result_explain", args=[result.pk])
    with django_assert_max_num_queries(16):
        response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Why did the score change?" in html and 'data-chart="chart-options-why"' in html
    total, change = f"{explanation.total:.2f}", f"{explanation.change:.2f}"
    assert f"Σ of the contributions = {total} = change {change}" in html
    # the rows in the explanation's order (largest first), each linking to that indicator's records of October
    order = [html.index(f'data-indicator="{c.indicator}"') for c in explanation.contributions]
    assert order == sorted(order)
    first = explanation.contributions[0]
    row = html[order[0] : order[1]]
    link = row.split('class="records"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    assert urlsplit(link).path == reverse("evaluation:drilldown", args=[first.indicator])
    assert parse_qs(urlsplit(link).query) == {"dealer": [str(result.dealer_id)], "from": ["2026-10-01"],
                                              "to": ["2026-10-31"]}  # fmt: skip
    assert f"{first.points:+.2f}" in row
    # the table behind the chart downloads as Excel
    download = client.get(url, {"download": "why"})
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")


def test_page_links_each_indicator_to_its_alert_or_action(admin, django_user_model):
    result = october(admin)
    alerts = {a.indicator_code: a for a in QualityAlert.objects.filter(run=result.run, dealer_id=result.dealer_id,
                                                                       kind="indicator")}  # fmt: skip
    assert alerts, "the weak demo dealer's October run raises alerts"
    manager = manager_of("SH01", django_user_model)
    html = page(manager, result).content.decode()
    for code, alert in alerts.items():
        start = html.index(f'data-indicator="{code}"')
        row = html[start : html.index("</tr>", start)]
        assert alert.get_absolute_url() in row
        action = alert.current_action
        if action is not None:
            assert action.get_absolute_url() in row
        elif alert.status == "open":
            assert reverse("evaluation:alert_plan", args=[alert.pk]) in row
    region = django_user_model.objects.filter(
        username__startswith="region_", region_memberships__region__dealers__code="SH01"
    ).get()
    html = page(region, result).content.decode()
    assert page(region, result).status_code == 200
    assert 'class="plan-link"' not in html  # the region reads: no plan link


def test_page_in_chinese(admin):
    result = october(admin)
    html = page(admin, result, language=None).content.decode()
    assert '<html lang="zh-hans">' in html and "B1 一次修复率" in html and "<th>指标</th>" in html
    assert "First-time fix rate" not in html


def test_page_without_previous_month(admin):
    result = first_month(admin)
    response = page(admin, result)
    html = response.content.decode()
    assert response.status_code == 200 and 'id="no-split"' in html
    assert f"No result for {Month.of(result.run.period_start).previous()}" in html
    assert 'id="contributions"' not in html
    assert reverse("evaluation:run_list") in html  # the admin may start a run


def test_page_scope(admin, django_user_model):
    manager = manager_of("SH01", django_user_model)
    assert page(manager, october(admin, "GZ01")).status_code == 404
    assert page(manager, october(admin, "SH01")).status_code == 200


# --- the result page's charts ----------------------------------------------------------------------------------


def test_result_page_has_radar_trend_and_the_link(admin, django_assert_max_num_queries):
    result = october(admin)
    client = login(admin)
    url = reverse("evaluation:result_detail", args=[result.pk])
    with django_assert_max_num_queries(18):
        html = client.get(url).content.decode()
    assert 'data-chart="chart-options-radar"' in html and 'data-chart="chart-options-score-trend"' in html
    assert reverse("evaluation:result_explain", args=[result.pk]) in html
    options = json.loads(html.split('id="chart-options-score-trend" type="application/json">')[1].split("</script>")[0])
    assert len(options["xAxis"]["data"]) == 12 and options["series"][0]["data"][-1]["value"] == round(result.score, 1)
    assert client.get(url, {"download": "radar"})["Content-Type"].startswith("application/vnd.openxmlformats")
