"""The economics figures, recomputed here from the raw rows in Python (not the selectors' SQL) on a small workshop."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal as D

import pytest

from core.dates import days_bounds, local_date
from economics import selectors
from economics.models import Attendance, CostRate
from economics.tests.factories import workshop
from repairs.choices import AdditionStatus, LineKind, Payer
from repairs.models import LabourClock, RepairOrderLine

OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))
pytestmark = pytest.mark.django_db


def _rate(dealer_id, technician_id, day):
    """The cost rate of a day, looked up row by row."""
    own = [r for r in CostRate.objects.filter(dealer_id=dealer_id, technician_id=technician_id, valid_from__lte=day)]
    if own:
        return max(own, key=lambda r: r.valid_from).hourly_cost
    general = [r for r in CostRate.objects.filter(dealer_id=dealer_id, technician__isnull=True,
                                                  position="technician", valid_from__lte=day)]  # fmt: skip
    return max(general, key=lambda r: r.valid_from).hourly_cost if general else None


def recomputed(dealer, first, last):
    """{technician id | "all": {figure: value}} from the rows, one by one."""
    start, end = days_bounds(first, last)
    out = defaultdict(lambda: defaultdict(D))
    for item in RepairOrderLine.objects.select_related("order", "addition").filter(order__dealer=dealer):
        order = item.order
        if not (order.delivered_at and start <= order.delivered_at < end):
            continue
        if item.addition and item.addition.status != AdditionStatus.APPROVED:
            continue
        amount = item.quantity * item.unit_price
        if item.payer == Payer.CUSTOMER:
            if item.kind == LineKind.LABOUR and item.addition is None and order.pricing_mode == "symptom":
                amount += amount * order.risk_margin_pct / 100
            amount -= amount * order.discount_pct / 100
        out["all"]["revenue"] += amount
        if item.kind == LineKind.LABOUR:
            for key in ("all", item.technician_id):
                out[key]["sold"] += item.quantity
                out[key]["labour_revenue"] += amount
        elif item.kind == LineKind.PART:
            out["all"]["parts_revenue"] += item.quantity * item.unit_price
    for c in LabourClock.objects.filter(line__order__dealer=dealer, ended_at__isnull=False):
        inside = (min(c.ended_at, end) - max(c.started_at, start)).total_seconds() / 3600
        if inside > 0:
            for key in ("all", c.technician_id):
                out[key]["clocked"] += D(str(inside))
    for a in Attendance.objects.filter(dealer=dealer, day__gte=first, day__lte=last):
        cost = a.hours * _rate(dealer.pk, a.technician_id, a.day)
        for key in ("all", a.technician_id):
            out[key]["attended"] += a.hours
            out[key]["labour_cost"] += cost
    return out


def q(value, places="0.01"):
    return D(str(value)).quantize(D(places))


def test_the_workshop_and_each_technician_as_recomputed_from_the_rows(dealer_a):
    shop = workshop(dealer_a)
    report = selectors.economics([dealer_a.pk], *OCTOBER)
    expected = recomputed(dealer_a, *OCTOBER)
    people = report.technicians
    cases = [
        ("all", report.workshops[dealer_a.pk]),
        (shop.tech1.pk, people[(dealer_a.pk, shop.tech1.pk)]),
        (shop.tech2.pk, people[(dealer_a.pk, shop.tech2.pk)]),
    ]
    for key, figures in cases:
        got = figures.rounded()
        want = expected[key]
        assert (got.sold_hours, got.clocked_hours, got.attended_hours) == (
            q(want["sold"]),
            q(want["clocked"]),
            q(want["attended"]),
        ), key
        assert (got.labour_revenue, got.labour_cost) == (q(want["labour_revenue"]), q(want["labour_cost"])), key
    total = report.workshops[dealer_a.pk].rounded()
    assert (total.revenue, total.parts_revenue, total.orders) == (
        q(expected["all"]["revenue"]),
        q(expected["all"]["parts_revenue"]),
        2,
    )


def test_the_figures_of_the_small_workshop(dealer_a):
    """The same, by hand: declined work sold nothing, the discount and the risk margin as the invoice has them, the
    clock across midnight counted from the 1st, the open clock not at all, the sick day as 0 h attended."""
    shop = workshop(dealer_a)
    report = selectors.economics([dealer_a.pk], *OCTOBER)
    tech1 = report.technicians[(dealer_a.pk, shop.tech1.pk)].rounded()
    assert (tech1.sold_hours, tech1.clocked_hours, tech1.attended_hours) == (D("3.50"), D("4.20"), D("16.50"))
    assert (tech1.labour_revenue, tech1.labour_cost, tech1.absence_days) == (D("648.00"), D("1070.00"), 1)
    assert tech1.efficiency.percent_decimal() == D("83.3")
    assert tech1.productivity.percent_decimal() == D("25.5")
    assert tech1.effective_labour_rate == D("185.14")
    total = report.total.rounded()
    assert (total.sold_hours, total.clocked_hours, total.attended_hours) == (D("5.50"), D("5.95"), D("24.50"))
    assert total.sold_by_payer == {Payer.CUSTOMER: D("4.00"), Payer.WARRANTY: D("1.50")}
    assert (total.labour_revenue, total.revenue, total.revenue_per_order) == (D("963.00"), D("1233.00"), D("616.50"))
    assert (total.parts_revenue, total.parts_cost, total.labour_cost, total.labour_margin) == (
        D("300.00"),
        D("0.00"),
        D("1470.00"),
        D("-507.00"),
    )
    assert total.effective_labour_rate == D("175.09")
    # By day: each figure on its day; the month is the days added up.
    assert report.days[date(2026, 10, 1)].rounded().clocked_hours == D("0.50")
    assert report.days[date(2026, 10, 20)].rounded().sold_hours == D("1.50")
    assert date(2026, 9, 30) not in report.days
    ((month, figures),) = report.months().items()
    assert (str(month), figures.rounded().sold_hours) == ("2026-10", D("5.50"))


def test_no_data_is_no_ratio_not_zero(dealer_a):
    report = selectors.economics([dealer_a.pk], *OCTOBER)
    assert report.total.efficiency.percent is None and report.total.productivity.percent is None
    assert report.total.effective_labour_rate is None and report.total.revenue_per_order is None


def test_hours_without_a_cost_rate_are_counted_apart(dealer_a):
    shop = workshop(dealer_a)
    CostRate.objects.filter(technician__isnull=True).delete()
    tech2 = selectors.economics([dealer_a.pk], *OCTOBER).technicians[(dealer_a.pk, shop.tech2.pk)].rounded()
    assert (tech2.labour_cost, tech2.uncosted_hours) == (D("0.00"), D("8.00"))


def test_per_repair_order(dealer_a):
    shop = workshop(dealer_a)
    rows = selectors.with_labour_cost(list(selectors.order_economics([dealer_a.pk], *OCTOBER)))
    second, first = rows
    assert first == shop.orders[0] and second == shop.orders[1]
    assert (first.sold_hours, first.clocked_hours, first.labour_revenue, first.revenue) == (
        D("4.00"),
        D("5.25"),
        D("675.00"),
        D("945.00"),
    )
    # tech1 2.5 h + 1.0 h at 60.00, tech2 1.75 h at the technicians' 50.00
    assert (first.labour_cost, first.labour_margin) == (D("297.50"), D("377.50"))
    assert (first.parts_revenue, first.parts_cost, first.parts_margin) == (D("300.00"), D("0.00"), D("300.00"))
    assert (second.sold_hours, second.clocked_hours, second.labour_cost) == (D("1.50"), D("1.20"), D("84.00"))
    assert second.efficiency.percent_decimal() == D("125.0")
    assert local_date(first.delivered_at) == date(2026, 10, 10)


def test_the_queries_do_not_grow_with_the_rows(dealer_a, dealer_b, django_assert_max_num_queries):
    workshop(dealer_a)
    workshop(dealer_b)
    with django_assert_max_num_queries(6):
        report = selectors.economics([dealer_a.pk, dealer_b.pk], *OCTOBER)
    assert len(report.technicians) == 4
    with django_assert_max_num_queries(4):
        rows = selectors.with_labour_cost(list(selectors.order_economics([dealer_a.pk, dealer_b.pk], *OCTOBER)))
    assert len(rows) == 4


def test_the_parts_rule_leaves_out_a_declined_additions_part(dealer_a):
    """parts.selectors.reports' margin per order counts the invoiced part lines only (88.00 declined: not sold)."""
    from parts.selectors.reports import parts_margin_by_order

    shop = workshop(dealer_a)
    row = parts_margin_by_order(user=shop.manager, start=days_bounds(*OCTOBER)[0], end=days_bounds(*OCTOBER)[1]).get()
    assert (row.pk, row.parts_revenue) == (shop.orders[0].pk, D("300"))
