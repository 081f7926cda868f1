"""Results as grouped SQL: response rate, CSI, NPS, dimension means, advisors, KPI inputs C1 C2 E1 E2."""

from datetime import timedelta

import pytest
from django.utils import timezone

from surveys import selectors, services
from surveys.tests.factories import GOOD_CSI, delivered_order, followup, invite

pytestmark = pytest.mark.django_db


def answer(order, **overrides):
    return services.survey_record_response(
        invitation_or_order=invite(order).invitation, answers={**GOOD_CSI, **overrides}, channel="link"
    )


@pytest.fixture
def period_data(dealer_a, dealer_b, advisor_a, advisor_b):
    """Dealer A: 4 delivered visits, 3 answered (NPS 10, 9, 3); dealer B: 1 visit answered by phone (NPS 7)."""
    a = [delivered_order(dealer_a, advisor_a) for _ in range(4)]
    r1 = answer(a[0], NPS=10, SA1=5)  # attitude 75,100,75 ; competence 75×4
    r2 = answer(a[1], NPS=9)
    r3 = answer(a[2], NPS=3, SA2=1)  # competence 0,75,75,75
    invite(a[3])  # sent, not answered
    b_order = delivered_order(dealer_b, advisor_b)
    rb = services.survey_record_response(
        invitation_or_order=b_order, answers={**GOOD_CSI, "NPS": 7}, channel="phone", by=followup(dealer_b)
    )
    return {"a": (r1, r2, r3), "b": rb}


def test_dealer_results(period_data, dealer_a, dealer_b):
    today = timezone.localdate()
    results = selectors.dealer_results([dealer_a.pk, dealer_b.pk], today - timedelta(days=30), today)
    a = results[dealer_a.pk]
    assert (a["delivered"], a["invited"], a["answered"], a["response_rate"]) == (4, 4, 3, 75.0)
    assert (a["responses"], a["promoters"], a["passives"], a["detractors"], a["nps_n"]) == (3, 2, 0, 1, 3)
    assert a["nps"] == pytest.approx(33.3)  # (2 − 1) / 3
    csis = [float(r.csi_score) for r in period_data["a"]]
    assert a["csi"] == round(sum(csis) / 3, 1)
    assert a["csi_1000"] == round(sum(csis) / 3 * 10)
    # attitude: 9 items: 75×8 + 100 → 77.8 ; competence: 12 items: 75×11 + 0 → 68.75
    assert a["dimensions"]["attitude"] == {"mean": 77.8, "n": 9}
    assert a["dimensions"]["competence"] == {"mean": 68.8, "n": 12}
    assert a["low"] == 1 and a["phone"] == 0
    b = results[dealer_b.pk]
    assert (b["delivered"], b["invited"], b["answered"], b["phone"], b["nps"]) == (1, 0, 1, 1, 0.0)
    assert selectors.dealer_results([dealer_b.pk], today - timedelta(days=30), today).keys() == {dealer_b.pk}
    # Outside the period: nothing.
    assert selectors.dealer_results([dealer_a.pk], today - timedelta(days=90), today - timedelta(days=60)) == {}
    total = selectors.totals(results)
    assert (total["delivered"], total["answered"], total["response_rate"]) == (5, 4, 80.0)
    assert total["nps"] == 25.0  # 2 promoters, 1 detractor of 4


def test_the_results_carry_the_kpi_figures(period_data, dealer_a):
    today = timezone.localdate()
    kpis = selectors.dealer_results([dealer_a.pk], today, today)[dealer_a.pk]["kpis"]
    assert (round(kpis["C1"].value, 1), kpis["C1"].n) == (77.8, 9)
    assert (round(kpis["C2"].value, 1), kpis["C2"].n) == (68.8, 12)
    assert kpis["E1"].n == 3 and kpis["E1"].value == pytest.approx(
        sum(float(r.csi_score) for r in period_data["a"]) / 3 * 10
    )
    assert (kpis["E2"].value, kpis["E2"].numerator, kpis["E2"].n) == (pytest.approx(100 / 3), 1, 3)


def test_advisor_scores(period_data, dealer_a, dealer_b, advisor_a, advisor_b):
    now = timezone.now()
    scores = selectors.advisor_scores([dealer_a.pk, dealer_b.pk], now - timedelta(days=1), now + timedelta(minutes=1))
    csis = [float(r.csi_score) for r in period_data["a"]]
    assert scores == {
        advisor_a.pk: {"responses": 3, "score": round(sum(csis) / 3, 2)},
        advisor_b.pk: {"responses": 1, "score": float(period_data["b"].csi_score)},
    }
    assert selectors.advisor_scores([dealer_b.pk], timezone.localdate(), timezone.localdate()) == {
        advisor_b.pk: {"responses": 1, "score": float(period_data["b"].csi_score)}
    }
    assert selectors.advisor_scores([dealer_a.pk], now - timedelta(days=9), now - timedelta(days=8)) == {}
