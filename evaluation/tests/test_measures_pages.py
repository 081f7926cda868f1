"""The measurements page, the drill-down page and the measurements API: scope, permission, bad input, queries."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from accounts.choices import Role
from core.tests.factories import DealerFactory, UserFactory
from core.tests.helpers import sh
from evaluation.selectors.measures import MEASURES
from evaluation.tests.measure_factories import advisor, complaint, ro

pytestmark = pytest.mark.django_db

MARCH = {"month": "2025-03"}
MARCH_DAYS = {"from": "2025-03-01", "to": "2025-03-31"}
LIST = reverse("evaluation:measurements")
API = "/api/v1/measurements/"


def drilldown(code):
    return reverse("evaluation:drilldown", args=[code])


def _visits(dealer, *, on_time: int, late: int):
    by = advisor(dealer)
    for day in range(1, on_time + late + 1):
        delivered = sh(2025, 3, day, 15)
        promised = sh(2025, 3, day, 16) if day <= on_time else sh(2025, 3, day, 14)
        ro(dealer, by, arrived=sh(2025, 3, day, 9), delivered_at=delivered, promised_at=promised)
    return by


@pytest.fixture
def scene(dealer_a, dealer_b):
    """Dealer A: 3 of 4 delivered on time in March, one complaint; dealer B: 1 of 2."""
    by = _visits(dealer_a, on_time=3, late=1)
    complaint(dealer_a, by, received=sh(2025, 3, 10, 10))
    _visits(dealer_b, on_time=1, late=1)
    return dealer_a, dealer_b


@pytest.fixture
def manager_a(dealer_a):
    return UserFactory(roles=[Role.SERVICE_MANAGER], dealers=[dealer_a])


# --- the measurements page ------------------------------------------------------------------------------------------


def test_the_page_shows_every_indicator_of_the_users_dealers_only(client, scene, manager_a):
    dealer_a, _dealer_b = scene
    client.force_login(manager_a)

    response = client.get(LIST, MARCH)

    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row["dealer"].pk for row in rows] == [dealer_a.pk]
    figures = {spec.code: m for spec, m, _shown in rows[0]["figures"]}
    assert set(figures) == set(MEASURES)
    assert (figures["B2"].numerator, figures["B2"].n, figures["B2"].value) == (3, 4, 75.0)
    assert figures["E3"].value == 25.0 and figures["A1"].n == 4
    assert f"{drilldown('B2')}?dealer={dealer_a.pk}&amp;from=2025-03-01&amp;to=2025-03-31" in response.content.decode()


def test_the_page_opens_without_a_query_on_the_default_month(client, scene, manager_a):
    client.force_login(manager_a)
    assert client.get(LIST).status_code == 200  # the link of the evaluation index page


def test_a_region_manager_sees_the_dealers_of_the_region(client, scene, region_manager_b):
    _dealer_a, dealer_b = scene
    client.force_login(region_manager_b)
    rows = client.get(LIST, MARCH).context["rows"]
    assert [row["dealer"].pk for row in rows] == [dealer_b.pk]
    figures = {spec.code: m for spec, m, _shown in rows[0]["figures"]}
    assert figures["B2"].value == 50.0


def test_the_page_is_404_without_the_permission(client, scene, advisor_a):
    client.force_login(advisor_a)
    assert client.get(LIST, MARCH).status_code == 404
    assert client.get(drilldown("B2"), {"dealer": scene[0].pk, **MARCH_DAYS}).status_code == 404


def test_a_bad_month_is_a_400_with_the_form_error(client, manager_a):
    client.force_login(manager_a)
    response = client.get(LIST, {"month": "2025-13"})
    assert response.status_code == 400 and "month" in response.context["form"].errors


def test_the_page_queries_do_not_grow_with_the_dealers(client, dealer_a):
    others = [DealerFactory() for _ in range(4)]
    for dealer in [dealer_a, *others]:
        _visits(dealer, on_time=1, late=1)
    one = UserFactory(roles=[Role.SERVICE_MANAGER], dealers=[dealer_a])
    five = UserFactory(roles=[Role.SERVICE_MANAGER], dealers=[dealer_a, *others])
    counts = []
    for user in (one, five):
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(LIST, MARCH)
        assert response.status_code == 200
        counts.append(len(queries))
    assert len(response.context["rows"]) == 5
    assert counts[0] == counts[1] <= len(MEASURES) + 15


def test_the_excel_export_has_one_row_per_dealer_and_indicator(client, scene, manager_a):
    client.force_login(manager_a)
    response = client.get(LIST, {**MARCH, "format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + len(MEASURES)
    b2 = next(row for row in rows if row[2] == "B2")
    assert (b2[0], b2[5], b2[6], b2[8]) == (scene[0].code, 75.0, 3, 4)


# --- the drill-down ---------------------------------------------------------------------------------------------------


def test_the_drill_down_lists_the_records_with_their_flag(client, scene, manager_a):
    dealer_a, _ = scene
    client.force_login(manager_a)

    response = client.get(drilldown("B2"), {"dealer": dealer_a.pk, **MARCH_DAYS})

    assert response.status_code == 200
    assert response.context["figure"].numerator == 3
    assert [row["in_numerator"] for row in response.context["rows"]] == [True, True, True, False]
    assert response.content.decode().count('data-counts="1"') == 3


def test_the_drill_down_of_another_dealer_is_404(client, scene, manager_a):
    _, dealer_b = scene
    client.force_login(manager_a)
    assert client.get(drilldown("B2"), {"dealer": dealer_b.pk, **MARCH_DAYS}).status_code == 404
    assert client.get(drilldown("B2"), {"dealer": 999_999, **MARCH_DAYS}).status_code == 404
    assert client.get(drilldown("ZZ"), {"dealer": scene[0].pk, **MARCH_DAYS}).status_code == 404


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2025-03-31", "to": "2025-03-01"},
        {"from": "2024-01-01", "to": "2025-03-01"},
        {"from": "2025-03-01"},
        {"from": "not a date", "to": "2025-03-01"},
    ],
)
def test_a_bad_period_is_a_400(client, scene, manager_a, params):
    client.force_login(manager_a)
    response = client.get(drilldown("B2"), {"dealer": scene[0].pk, **params})
    assert response.status_code == 400 and response.context["form"].errors


def test_the_drill_down_needs_the_permission_on_its_records(client, scene, dealer_a):
    """A user who may read the measurements but not the complaints does not open the complaints' drill-down."""
    from django.contrib.auth.models import Permission

    user = UserFactory(dealers=[dealer_a])
    user.user_permissions.add(
        Permission.objects.get(codename="view_indicatorsystem"), Permission.objects.get(codename="view_repairorder")
    )
    client.force_login(user)
    assert client.get(drilldown("B2"), {"dealer": dealer_a.pk, **MARCH_DAYS}).status_code == 200
    assert client.get(drilldown("A2"), {"dealer": dealer_a.pk, **MARCH_DAYS}).status_code == 404


@pytest.mark.parametrize("code", list(MEASURES))
def test_every_drill_down_page_renders(client, scene, code):
    admin = UserFactory(is_superuser=True)
    client.force_login(admin)
    response = client.get(drilldown(code), {"dealer": scene[0].pk, **MARCH_DAYS})
    assert response.status_code == 200
    export = client.get(drilldown(code), {"dealer": scene[0].pk, **MARCH_DAYS, "format": "xlsx"})
    assert export.status_code == 200


def test_the_drill_down_queries_do_not_grow_with_the_records(client, dealer_a, manager_a):
    _visits(dealer_a, on_time=1, late=1)
    client.force_login(manager_a)
    with CaptureQueriesContext(connection) as few:
        client.get(drilldown("B2"), {"dealer": dealer_a.pk, **MARCH_DAYS})
    _visits(dealer_a, on_time=5, late=5)
    with CaptureQueriesContext(connection) as many:
        response = client.get(drilldown("B2"), {"dealer": dealer_a.pk, **MARCH_DAYS})
    assert len(response.context["rows"]) == 12
    assert len(many) == len(few)


# --- the API ----------------------------------------------------------------------------------------------------------


def test_the_api_gives_every_figure_of_the_users_dealers(api_en, scene, manager_a):
    dealer_a, _ = scene
    response = api_en(manager_a).get(API, MARCH_DAYS)
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["dealer"] == dealer_a.pk and row["period_from"] == "2025-03-01"
    figures = {f["code"]: f for f in row["indicators"]}
    assert set(figures) == set(MEASURES)
    assert figures["B2"] == {"code": "B2", "unit": "%", "lag_months": 0, "value": 75.0, "numerator": 3.0,
                             "denominator": 4.0, "n": 4}  # fmt: skip
    assert figures["B3"] == {"code": "B3", "unit": "h", "lag_months": 0, "value": None, "numerator": 0.0,
                             "denominator": 0.0, "n": 0}  # fmt: skip
    assert figures["B1"]["lag_months"] == 1


def test_the_api_filters_by_dealer_and_code_and_hides_other_dealers(api_en, scene, manager_a, region_manager_b):
    dealer_a, dealer_b = scene
    client = api_en(manager_a)
    response = client.get(API, {**MARCH_DAYS, "dealer": dealer_a.pk, "code": "b2,E3"})
    assert [f["code"] for f in response.json()["results"][0]["indicators"]] == ["B2", "E3"]
    assert client.get(API, {**MARCH_DAYS, "dealer": dealer_b.pk}).status_code == 404
    regional = api_en(region_manager_b).get(API, {**MARCH_DAYS, "code": "B2"}).json()["results"]
    assert [(r["dealer"], r["indicators"][0]["value"]) for r in regional] == [(dealer_b.pk, 50.0)]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2025-03-31", "to": "2025-03-01"}, "to"),
        ({"from": "2025-03-01"}, "from"),
        ({"from": "x", "to": "2025-03-01"}, "from"),
        ({"code": "A1,Q9"}, "code"),
        ({"dealer": "abc"}, "dealer"),
    ],
)
def test_the_api_refuses_bad_input_with_field_errors(api_en, manager_a, params, field):
    response = api_en(manager_a).get(API, params)
    assert response.status_code == 400 and field in response.json()


def test_the_api_needs_login_and_the_permission(api_client, api_en, advisor_a):
    assert api_client.get(API).status_code == 401
    assert api_en(advisor_a).get(API).status_code == 403


def test_the_api_queries_do_not_grow_with_the_dealers(api_en, dealer_a):
    others = [DealerFactory() for _ in range(4)]
    for dealer in [dealer_a, *others]:
        _visits(dealer, on_time=1, late=0)
    counts = []
    for dealers in ([dealer_a], [dealer_a, *others]):
        client = api_en(UserFactory(roles=[Role.SERVICE_MANAGER], dealers=dealers))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(API, MARCH_DAYS)
        assert len(response.json()["results"]) == len(dealers)
        counts.append(len(queries))
    assert counts[0] == counts[1] <= len(MEASURES) + 10


def test_b1_pages_say_which_deliveries_they_judge_and_list_pending_orders(client, dealer_a, manager_a, monkeypatch):
    """B1 of April is the repairs delivered in March (lag); seen on 20 April, the repair of 31 March is pending."""
    from django.utils import timezone

    by = advisor(dealer_a)
    for day in (1, 31):
        ro(dealer_a, by, arrived=sh(2025, 3, day, 9), delivered_at=sh(2025, 3, day, 15), fault_category="brakes")
    monkeypatch.setattr(timezone, "now", lambda: sh(2025, 4, 20, 12))
    client.force_login(manager_a)

    page = client.get(drilldown("B1"), {"dealer": dealer_a.pk, "from": "2025-04-01", "to": "2025-04-30"})
    listing = client.get(LIST, {"month": "2025-04"}).content.decode()

    html = page.content.decode()
    lag = html.split('id="lag"')[1].split("</p>")[0]
    assert "2025-03-01" in lag and "2025-03-31" in lag
    assert [row["in_numerator"] for row in page.context["rows"]] == [True, None]
    assert html.count('data-counts="pending"') == 1 and page.context["figure"].n == 1
    assert 'data-lag="B1"' in listing and "2025-03-31" in listing.split('data-lag="B1"')[1].split("</p>")[0]
