"""The one rule "open without an improvement action for longer than the escalation period": the escalation job, the
alert list's *late* filter and the region view's count all follow it."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from core.lists import apply_filterset
from core.tests.factories import DealerFactory
from evaluation.api.alerts import QualityAlertFilterSet
from evaluation.models import QualityAlert, SystemVersion
from evaluation.selectors import alerts as alert_selectors
from evaluation.services import alerts
from evaluation.services import systems as system_services
from evaluation.tests.alert_helpers import HIGHER, LOWER, make_run, plan

pytestmark = pytest.mark.django_db

T0 = timezone.make_aware(datetime(2026, 10, 1, 2, 0))
DAY = timedelta(days=1)


@pytest.fixture
def raised(default_version, dealer_a, dealer_b):
    """Dealer A: two open alerts (A1, A2); dealer B: one (A1), all raised at T0 by the September run."""
    figures = {dealer_a: {HIGHER: (60.0, 0.0), LOWER: (45.0, 0.0)}, dealer_b: {LOWER: (40.0, 0.0)}}
    run = make_run(default_version, dealer_a.region.oem, 2026, 9, figures, finished_at=T0)
    alerts.raise_alerts(run)
    return {(a.dealer_id, a.indicator_code): a for a in QualityAlert.objects.all()}


def waiting(now, periods=1):
    return set(QualityAlert.objects.filter(alert_selectors.waiting_for_action(now=now, periods=periods))
               .values_list("pk", flat=True))  # fmt: skip


def test_an_alert_waits_from_the_versions_days_on_and_not_once_an_action_is_planned(raised, dealer_a, manager_a):
    everyone = {a.pk for a in raised.values()}
    assert waiting(T0 + 7 * DAY - timedelta(seconds=1)) == set()
    assert waiting(T0 + 7 * DAY) == everyone
    assert waiting(T0 + 14 * DAY - timedelta(seconds=1), periods=2) == set()
    assert waiting(T0 + 14 * DAY, periods=2) == everyone
    planned = raised[(dealer_a.pk, LOWER)]
    plan(planned, manager_a)
    assert waiting(T0 + 30 * DAY) == everyone - {planned.pk}


def test_the_days_are_each_versions_own(raised, default_version, dealer_a, superuser):
    SystemVersion.objects.filter(pk=default_version.pk).update(alert_escalation_days=3)
    other_version = system_services.system_version_copy(system_version=default_version, by=superuser)
    SystemVersion.objects.filter(pk=other_version.pk).update(alert_escalation_days=10)
    third = DealerFactory(code="A003", name="甲三店", region=dealer_a.region)
    alerts.raise_alerts(make_run(other_version, dealer_a.region.oem, 2026, 9, {third: {HIGHER: (60.0, 0.0)}},
                                 finished_at=T0))  # fmt: skip
    late = QualityAlert.objects.get(dealer=third)
    assert waiting(T0 + 3 * DAY) == {a.pk for a in raised.values()}
    assert late.pk not in waiting(T0 + 9.9 * DAY) and late.pk in waiting(T0 + 10 * DAY)


def test_the_escalation_job_and_the_late_filter_follow_the_rule(raised, dealer_a, manager_a, clock):
    plan(raised[(dealer_a.pk, LOWER)], manager_a)
    now = clock(T0 + 8 * DAY)
    expected = waiting(now)
    assert len(expected) == 2 and set(alerts.alerts_escalate(now=now).to_manager) == expected
    assert set(QualityAlert.objects.filter(escalation_level__gt=0).values_list("pk", flat=True)) == expected
    mine = alert_selectors.alert_list(user=manager_a)
    assert [a.pk for a in apply_filterset(QualityAlertFilterSet, {"action": "late"}, mine, user=manager_a)] == [
        raised[(dealer_a.pk, HIGHER)].pk]  # fmt: skip
    clock(T0 + 6 * DAY)
    assert list(apply_filterset(QualityAlertFilterSet, {"action": "late"}, mine, user=manager_a)) == []


def test_waiting_by_dealer_counts_and_dates_the_oldest_in_the_users_scope(raised, dealer_a, dealer_b,
                                                                          region_manager):  # fmt: skip
    QualityAlert.objects.filter(pk=raised[(dealer_a.pk, LOWER)].pk).update(open_since=T0 - 2 * DAY)
    now = T0 + 7 * DAY
    found = alert_selectors.waiting_by_dealer(user=region_manager, dealer_ids=[dealer_a.pk, dealer_b.pk], now=now)
    assert found == {dealer_a.pk: (2, T0 - 2 * DAY)}  # dealer B is not in the region manager's region
