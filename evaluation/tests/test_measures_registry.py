"""The registry: every indicator of the default system, its unit, a fixed number of queries whatever the dealers,
G from the audits, and the drill-down rows agreeing with the figure."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.dates import month_bounds
from core.tests.factories import DealerFactory
from core.tests.helpers import sh
from evaluation.defaults import AUDIT_TEMPLATE_CODE, INDICATORS
from evaluation.models import Audit, AuditTemplate
from evaluation.selectors.measures import MEASURES, RATIO, Measure, measure_all
from evaluation.tests.measure_factories import END, START, advisor, complaint, ro

pytestmark = pytest.mark.django_db


def test_every_indicator_of_the_default_system_is_measured_in_its_unit():
    shipped = {row[1]: row[7] for row in INDICATORS}
    assert set(MEASURES) == set(shipped)
    assert {code: spec.unit for code, spec in MEASURES.items()} == shipped


def test_month_bounds_are_shanghai_calendar_months():
    start, end = month_bounds(2025, 12)
    assert (start.isoformat(), end.isoformat()) == ("2025-12-01T00:00:00+08:00", "2026-01-01T00:00:00+08:00")


def _busy_dealer():
    dealer = DealerFactory()
    by = advisor(dealer)
    order = ro(dealer, by, arrived=sh(2025, 3, 3, 9), delivered_at=sh(2025, 3, 3, 15), promised_at=sh(2025, 3, 3, 16),
               fault_category="brakes", checked_in_at=sh(2025, 3, 3, 9, 10), ready_at=sh(2025, 3, 3, 14))  # fmt: skip
    complaint(dealer, by, received=sh(2025, 3, 4, 10), repair_order=order)
    return dealer


@pytest.fixture
def five_dealers():
    return [_busy_dealer() for _ in range(5)]


@pytest.mark.parametrize("code", list(MEASURES))
def test_each_indicator_takes_as_many_queries_for_five_dealers_as_for_one(code, five_dealers):
    spec = MEASURES[code]
    with CaptureQueriesContext(connection) as one:
        spec.measure([five_dealers[0].id], START, END)
    with CaptureQueriesContext(connection) as five:
        result = spec.measure([d.id for d in five_dealers], START, END)
    assert len(five) == len(one) <= 2
    assert set(result) == {d.id for d in five_dealers}


def test_measure_all_is_one_query_per_indicator_whatever_the_dealers(five_dealers, django_assert_max_num_queries):
    with django_assert_max_num_queries(len(MEASURES) + 1):
        one = measure_all([five_dealers[0].id], START, END)
    with django_assert_max_num_queries(len(MEASURES) + 1):
        figures = measure_all([d.id for d in five_dealers], START, END)
    assert set(one) == set(figures) == set(MEASURES)
    first = five_dealers[0].id
    assert figures["B2"][first] == Measure(first, 100.0, 1, 1, 1)
    assert figures["E3"][first] == Measure(first, 100.0, 1, 1, 1)
    assert figures["B3"][first].value == pytest.approx(29 / 6)  # maintenance (the default job type), 9:10 → 14:00
    assert measure_all([first], START, END, codes={"A1", "B1"}).keys() == {"A1", "B1"}


@pytest.mark.parametrize("code", [code for code, spec in MEASURES.items() if spec.kind == RATIO])
@pytest.mark.parametrize("as_of", [None, sh(2025, 3, 4, 11)], ids=["now", "mid-month"])
def test_the_drill_down_rows_are_the_figure(code, as_of, five_dealers):
    """For every rate, the records judged are the n rows and the flagged ones the numerator (F2: by value); a
    pending record (None: not settled at as_of) is listed and in neither."""
    dealer = five_dealers[0]
    figure = MEASURES[code].measure([dealer.id], START, END, as_of)[dealer.id]
    rows = list(MEASURES[code].records(dealer.id, START, END, as_of))
    flags = [row["in_numerator"] if isinstance(row, dict) else row.in_numerator for row in rows]
    judged = [flag for flag in flags if flag is not None]
    if code == "E3":  # the complaints are listed; n is the delivered orders
        assert len(rows) == figure.numerator
    else:
        assert len(judged) == figure.n
    if code not in ("E3", "F2"):
        assert sum(judged) == figure.numerator


def test_a_pending_record_is_listed_but_in_neither_count(dealer_a, advisor_a):
    """The complaint of 4 March 10:00 (first contact due 12:00, not contacted): pending at 11:00, missed at 13:00."""
    complaint(dealer_a, advisor_a, received=sh(2025, 3, 4, 10), first_contact_due_at=sh(2025, 3, 4, 12))

    for as_of, flag, n in ((sh(2025, 3, 4, 11), None, 0), (sh(2025, 3, 4, 13), False, 1)):
        [row] = MEASURES["A2"].records(dealer_a.id, START, END, as_of)
        assert row.in_numerator is flag
        assert MEASURES["A2"].measure([dealer_a.id], START, END, as_of)[dealer_a.id].n == n


def test_g_is_the_audit_score_official_audits_first(dealer_a, dealer_b, advisor_a):
    template = AuditTemplate.objects.get(code=AUDIT_TEMPLATE_CODE)

    def audit(day, kind, score, status="submitted"):
        submitted = sh(day.year, day.month, day.day, 17) if status == "submitted" else None
        return Audit.objects.create(dealer=dealer_a, template=template, kind=kind, auditor=advisor_a, audit_date=day,
                                    status=status, score=None if score is None else Decimal(score),
                                    submitted_at=submitted)  # fmt: skip

    official = audit(date(2025, 3, 10), "official", "90.00")
    audit(date(2025, 3, 20), "self", "80.00")  # later, but a self-audit
    audit(date(2025, 3, 25), "official", "50.00", status="draft")  # not submitted
    audit(date(2025, 4, 1), "official", "10.00")  # April

    result = MEASURES["G"].measure([dealer_a.id, dealer_b.id], START, END)

    assert result == {
        dealer_a.id: Measure(dealer_a.id, 90.0, None, 1, 1),
        dealer_b.id: Measure(dealer_b.id, None, None, 0, 0),
    }
    records = list(MEASURES["G"].records(dealer_a.id, START, END))
    assert [(r.pk, r.in_numerator) for r in records if r.in_numerator] == [(official.pk, True)]
    assert len(records) == 2


def test_an_audit_submitted_after_as_of_does_not_count(dealer_a, advisor_a):
    """The month's audits as of the run's moment (8 April): one dated in March but submitted on 9 April is not there
    yet, even though a later run would see it; the earlier one counts."""
    template = AuditTemplate.objects.get(code=AUDIT_TEMPLATE_CODE)

    def audit(day, submitted, score):
        return Audit.objects.create(dealer=dealer_a, template=template, kind="official", auditor=advisor_a,
                                    audit_date=day, status="confirmed", score=Decimal(score),
                                    submitted_at=submitted)  # fmt: skip

    early = audit(date(2025, 3, 5), sh(2025, 3, 6, 9), "70.00")
    late = audit(date(2025, 3, 28), sh(2025, 4, 9, 9), "95.00")
    run_moment = sh(2025, 4, 8)

    assert MEASURES["G"].measure([dealer_a.id], START, END, run_moment)[dealer_a.id] == Measure(
        dealer_a.id, 70.0, None, 1, 1
    )
    assert [r.pk for r in MEASURES["G"].records(dealer_a.id, START, END, run_moment)] == [early.pk]
    assert MEASURES["G"].measure([dealer_a.id], START, END, sh(2025, 4, 9, 9))[dealer_a.id].value == 95.0
    assert [r.pk for r in MEASURES["G"].records(dealer_a.id, START, END) if r.in_numerator] == [late.pk]


def test_an_indicator_of_a_period_without_records_is_no_data_never_zero(dealer_a):
    start, end = START - timedelta(days=3650), START - timedelta(days=3620)
    figures = measure_all([dealer_a.id], start, end)
    assert all(per[dealer_a.id].value is None and per[dealer_a.id].n == 0 for per in figures.values())
