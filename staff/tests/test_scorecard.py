"""The staff scorecard: each advisor's and technician's own B1, B2, D1, D3, complaints, survey figures and hours,
recomputed here from the raw rows of a small hand-built month; ranks with the evaluation's minimum records; the
drill-down filtered to the person; scope; query counts; the Excel export; English and Chinese labels."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import override
from openpyxl import load_workbook

from accounts.choices import Role
from complaints.models import Complaint
from complaints.tests.factories import open_complaint
from core.tests.factories import UserFactory
from core.tests.helpers import login, sh
from evaluation.choices import SystemVersionStatus
from evaluation.models import SystemVersion
from repairs.choices import AdditionStatus, FaultCategory, FuelLevel, LineKind
from repairs.models import AdditionalItem, LabourClock, QcInspection, RepairOrder, RepairOrderLine
from staff import selectors
from staff.choices import Position
from staff.models import StaffProfile
from staff.tests.factories import job, order, person
from surveys.models import SurveyResponse
from surveys.tests.factories import csi

pytestmark = pytest.mark.django_db

NOW = sh(2026, 11, 15, 12)  # the last complete month is October; B1 judges September's deliveries
OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))
SCORECARD = reverse("staff:scorecard")


def set_min_sample(minimum: int) -> None:
    """The minimum records of the version the test dealers are evaluated with (the shipped default system)."""
    updated = SystemVersion.objects.filter(status=SystemVersionStatus.PUBLISHED, system__oem__isnull=True).update(
        min_sample=minimum
    )
    assert updated == 1  # migration 0002's default system


def checked_in(ro: RepairOrder, *, complete: bool = True) -> RepairOrder:
    """Reception's check-in: every item recorded, or the odometer missing."""
    RepairOrder.objects.filter(pk=ro.pk).update(
        checked_in_at=ro.arrived_at + timedelta(minutes=10), walkaround_done=True, fuel_level=FuelLevel.HALF,
        odometer_km=12000 if complete else None, belongings_signed_at=ro.arrived_at + timedelta(minutes=12),
    )  # fmt: skip
    ro.refresh_from_db()
    return ro


def inspect(ro: RepairOrder, inspector, at: datetime, *, passed: bool, sequence: int = 1) -> QcInspection:
    return QcInspection.objects.create(order=ro, sequence=sequence, inspector=inspector, inspected_at=at, passed=passed)


def answer(ro: RepairOrder, at: datetime, *, csi_score: str, nps: int) -> SurveyResponse:
    category = "promoter" if nps >= 9 else "passive" if nps >= 7 else "detractor"
    return SurveyResponse.objects.create(
        dealer=ro.dealer, questionnaire=csi(), repair_order=ro, customer=ro.customer, vehicle=ro.vehicle,
        channel="phone", submitted_at=at, csi_score=Decimal(csi_score), nps_score=nps, nps_category=category,
    )  # fmt: skip


def clocked(line: RepairOrderLine, start: datetime, hours: float | None) -> LabourClock:
    end = start + timedelta(hours=hours) if hours is not None else None
    return LabourClock.objects.create(line=line, technician=line.technician, started_at=start, ended_at=end)


@pytest.fixture
def month(dealer_a, dealer_b, clock):
    """Dealer A's October (and September for B1): two advisors, two technicians, a parts clerk; dealer B's advisor
    and technician with orders of their own."""
    clock(NOW)
    manager = UserFactory(username="sc_manager", roles=[Role.SERVICE_MANAGER], dealers=[dealer_a])
    adv1 = person(dealer_a, Position.SERVICE_ADVISOR, employee_number="A-SA1")
    adv2 = person(dealer_a, Position.SERVICE_ADVISOR, employee_number="A-SA2")
    t1 = person(dealer_a, Position.TECHNICIAN, employee_number="A-T1")
    t2 = person(dealer_a, Position.FOREMAN, employee_number="A-T2")
    person(dealer_a, Position.PARTS_CLERK, employee_number="A-PC")  # no scorecard
    a1, a2, u1, u2 = adv1.user, adv2.user, t1.user, t2.user

    # B1: September's deliveries (the comeback windows have closed by now).
    s1 = order(dealer_a, a1, arrived=sh(2026, 9, 5, 9), delivered=sh(2026, 9, 5, 17), fault=FaultCategory.BRAKES)
    job(s1, u1)
    job(s1, u1)  # two lines, one order
    order(dealer_a, a1, arrived=sh(2026, 9, 20, 9), vehicle=s1.vehicle, fault=FaultCategory.BRAKES)  # s1's comeback
    s2 = order(dealer_a, a1, arrived=sh(2026, 9, 10, 9), delivered=sh(2026, 9, 10, 17), fault=FaultCategory.ENGINE)
    job(s2, u1)
    job(s2, u2)
    s3 = order(dealer_a, a2, arrived=sh(2026, 9, 12, 9), delivered=sh(2026, 9, 12, 17), fault=FaultCategory.BRAKES)
    job(s3, u2)
    declined = AdditionalItem.objects.create(order=s3, raised_by=u1, raised_at=sh(2026, 9, 12, 11), description="雨刮",
                                             status=AdditionStatus.DECLINED)  # fmt: skip
    RepairOrderLine.objects.filter(pk=job(s3, u1).pk).update(addition=declined)  # no work done: not t1's order
    s4 = order(dealer_a, a2, arrived=sh(2026, 9, 15, 9), delivered=sh(2026, 9, 15, 17), fault=FaultCategory.NONE)
    job(s4, u1)  # "no fault": not a B1 order

    # October: B2 (delivered), D1 (arrived and checked in), D3 (first inspection), complaints, surveys, clocks.
    o1 = checked_in(order(dealer_a, a1, arrived=sh(2026, 10, 2, 9), promised=sh(2026, 10, 2, 17),
                          delivered=sh(2026, 10, 2, 16)))  # fmt: skip
    o2 = checked_in(order(dealer_a, a1, arrived=sh(2026, 10, 3, 9), promised=sh(2026, 10, 3, 12),
                          delivered=sh(2026, 10, 3, 15)), complete=False)  # fmt: skip
    o3 = order(dealer_a, a1, arrived=sh(2026, 10, 6, 9), promised=sh(2026, 10, 6, 17), delivered=sh(2026, 10, 6, 16))
    order(dealer_a, a1, arrived=sh(2026, 9, 30, 9), promised=sh(2026, 10, 1, 12), delivered=sh(2026, 10, 1, 10))
    o5 = checked_in(order(dealer_a, a2, arrived=sh(2026, 10, 7, 9), promised=sh(2026, 10, 7, 17),
                          delivered=sh(2026, 10, 7, 16)))  # fmt: skip
    order(dealer_a, a2, arrived=sh(2026, 10, 8, 9), promised=sh(2026, 10, 8, 17), delivered=sh(2026, 10, 8, 17))
    order(dealer_a, a2, arrived=sh(2026, 11, 2, 9), promised=sh(2026, 11, 2, 17), delivered=sh(2026, 11, 2, 18))
    line1, line2, line5 = job(o1, u1), job(o2, u1), job(o5, u2)
    job(o3, u2)
    inspect(o1, manager, sh(2026, 10, 2, 15), passed=True)
    inspect(o2, manager, sh(2026, 10, 3, 13), passed=False)
    inspect(o2, manager, sh(2026, 10, 3, 14), passed=True, sequence=2)  # not the first inspection
    inspect(o5, manager, sh(2026, 10, 7, 15), passed=True)
    inspect(s2, manager, sh(2026, 9, 10, 15), passed=False)  # September
    clocked(line1, sh(2026, 10, 2, 10), 1)
    clocked(line2, sh(2026, 10, 3, 10), 1.5)
    clocked(line5, sh(2026, 10, 7, 10), 2)
    clocked(job(o3, u2), sh(2026, 9, 30, 23), 3)  # started in September
    clocked(job(o5, u2), sh(2026, 10, 31, 20), None)  # still clocked on: no length yet

    open_complaint(dealer_a, manager, repair_order=o1, received_at=sh(2026, 10, 9, 10))  # against o1's advisor
    open_complaint(dealer_a, manager, repair_order=o1, staff=a2, received_at=sh(2026, 10, 12, 10))  # named: a2
    open_complaint(dealer_a, manager, received_at=sh(2026, 10, 13, 10))  # nobody's
    answer(o1, sh(2026, 10, 4, 10), csi_score="90", nps=10)
    answer(o2, sh(2026, 10, 5, 10), csi_score="70", nps=5)
    answer(o5, sh(2026, 10, 9, 10), csi_score="85", nps=8)

    # Dealer B: never shown to A's readers.
    adv_b = person(dealer_b, Position.SERVICE_ADVISOR, employee_number="B-SA1")
    tech_b = person(dealer_b, Position.TECHNICIAN, employee_number="B-T1")
    other = order(dealer_b, adv_b.user, arrived=sh(2026, 10, 2, 9), promised=sh(2026, 10, 2, 17),
                  delivered=sh(2026, 10, 2, 16))  # fmt: skip
    job(other, tech_b.user)
    return {"manager": manager, "adv1": adv1, "adv2": adv2, "t1": t1, "t2": t2, "adv_b": adv_b, "tech_b": tech_b}


# --- the figures, recomputed from the raw rows -----------------------------------------------------------------


def in_days(moment, first: date, last: date) -> bool:
    return moment is not None and sh(first.year, first.month, first.day) <= moment < sh(
        last.year, last.month, last.day
    ) + timedelta(days=1)


def worked_order_ids(user) -> set[int]:
    lines = RepairOrderLine.objects.filter(technician=user, kind=LineKind.LABOUR).select_related("addition")
    return {line.order_id for line in lines if not (line.addition and line.addition.status == AdditionStatus.DECLINED)}


def expected_b1(orders) -> tuple[int, int]:
    """(no comeback, judged) of September's delivered orders with a fault: a comeback is a later order of the same
    vehicle about the same fault, arrived within 30 days of the delivery."""
    hits = judged = 0
    for ro in orders:
        if ro.fault_category == FaultCategory.NONE or not in_days(ro.delivered_at, date(2026, 9, 1), date(2026, 9, 30)):
            continue
        judged += 1
        came_back = RepairOrder.objects.filter(
            vehicle=ro.vehicle, fault_category=ro.fault_category, arrived_at__gt=ro.delivered_at,
            arrived_at__lte=ro.delivered_at + timedelta(days=30),
        ).exists()  # fmt: skip
        hits += not came_back
    return hits, judged


def expected_advisor(user) -> dict:
    orders = list(RepairOrder.objects.filter(advisor=user))
    delivered = [ro for ro in orders if in_days(ro.delivered_at, *OCTOBER)]
    checked = [ro for ro in orders if in_days(ro.arrived_at, *OCTOBER) and ro.checked_in_at]
    complete = [ro for ro in checked if ro.walkaround_done and ro.fuel_level is not None and ro.odometer_km
                and ro.belongings_signed_at]  # fmt: skip
    complaints = [c for c in Complaint.objects.select_related("repair_order") if in_days(c.received_at, *OCTOBER)
                  and (c.staff_id or (c.repair_order.advisor_id if c.repair_order else None)) == user.pk]  # fmt: skip
    responses = [r for r in SurveyResponse.objects.filter(repair_order__advisor=user) if
                 in_days(r.submitted_at, *OCTOBER)]  # fmt: skip
    nps = sum((r.nps_score >= 9) - (r.nps_score <= 6) for r in responses)
    return {
        "B1": expected_b1(orders),
        "B2": (sum(ro.delivered_at <= ro.promised_at for ro in delivered), len(delivered)),
        "D1": (len(complete), len(checked)),
        "E3": (len(complaints), len(delivered)),
        "E1": (float(sum(r.csi_score for r in responses)) * 10 / len(responses), len(responses)),
        "E2": (100 * nps / len(responses), len(responses)),
    }


def expected_technician(user) -> dict:
    orders = RepairOrder.objects.filter(pk__in=worked_order_ids(user))
    first_inspections = [i for i in QcInspection.objects.filter(order__in=orders, sequence=1)
                         if in_days(i.inspected_at, *OCTOBER)]  # fmt: skip
    clocks = [c for c in LabourClock.objects.filter(technician=user) if in_days(c.started_at, *OCTOBER) and c.ended_at]
    return {
        "B1": expected_b1(orders),
        "D3": (sum(i.passed for i in first_inspections), len(first_inspections)),
        "hours": (sum((c.ended_at - c.started_at).total_seconds() for c in clocks) / 3600, len(clocks)),
    }


def rounded(figures: dict) -> dict:
    return {code: tuple(round(float(x), 9) for x in pair) for code, pair in figures.items()}


def figures(row: selectors.ScorecardRow) -> dict:
    """(numerator, n) of each ratio, (value, n) of the other figures."""
    out = {}
    for cell in row.cells:
        m = cell.measure
        out[cell.metric.code] = (m.numerator, m.denominator) if cell.metric.kind == "ratio" else (m.value, m.n)
    return rounded(out)


def test_every_figure_is_the_persons_own_recomputed_from_the_rows(month, dealer_a):
    card = selectors.scorecard(profiles=StaffProfile.objects.filter(dealer=dealer_a), first=OCTOBER[0], last=OCTOBER[1])

    advisors = {row.profile.pk: row for row in card.rows["advisor"]}
    technicians = {row.profile.pk: row for row in card.rows["technician"]}
    assert set(advisors) == {month["adv1"].pk, month["adv2"].pk}
    assert set(technicians) == {month["t1"].pk, month["t2"].pk}  # the foreman is measured as a technician
    for key in ("adv1", "adv2"):
        assert figures(advisors[month[key].pk]) == rounded(expected_advisor(month[key].user)), key
    for key in ("t1", "t2"):
        assert figures(technicians[month[key].pk]) == rounded(expected_technician(month[key].user)), key
    # The same, by hand: what a service manager reads.
    texts = {code: advisors[month["adv1"].pk].cell(code).text for code in ("B1", "B2", "D1", "E3", "E1", "E2")}
    assert texts == {"B1": "50.0 % (1/2)", "B2": "75.0 % (3/4)", "D1": "50.0 % (1/2)", "E3": "25.0 (1/4)",
                     "E1": "800.0 (n=2)", "E2": "+0.0 (n=2)"}  # fmt: skip
    texts = {code: advisors[month["adv2"].pk].cell(code).text for code in ("B1", "B2", "D1", "E3", "E1", "E2")}
    assert texts == {"B1": "100.0 % (1/1)", "B2": "100.0 % (2/2)", "D1": "100.0 % (1/1)", "E3": "50.0 (1/2)",
                     "E1": "850.0 (n=1)", "E2": "+0.0 (n=1)"}  # fmt: skip
    assert [technicians[month["t1"].pk].cell(code).text for code in ("B1", "D3", "hours")] == [
        "50.0 % (1/2)", "50.0 % (1/2)", "2.5 h (n=2)"]  # fmt: skip
    assert [technicians[month["t2"].pk].cell(code).text for code in ("B1", "D3", "hours")] == [
        "100.0 % (2/2)", "100.0 % (1/1)", "2.0 h (n=1)"]  # fmt: skip
    assert card.judged_days["B1"] == (date(2026, 9, 1), date(2026, 9, 30))
    assert card.judged_days["B2"] == OCTOBER


def test_a_rank_needs_the_evaluations_minimum_records(month, dealer_a):
    with override("en"):  # the reasons are read in English
        profiles = StaffProfile.objects.filter(dealer=dealer_a)
        set_min_sample(3)
        card = selectors.scorecard(profiles=profiles, first=OCTOBER[0], last=OCTOBER[1])
        advisors = {row.profile.pk: row for row in card.rows["advisor"]}
        b2_1, b2_2 = advisors[month["adv1"].pk].cell("B2"), advisors[month["adv2"].pk].cell("B2")
        assert (b2_1.rank, b2_1.ranked, b2_1.rank_text) == (1, 1, "1/1")  # 4 records: ranked, alone
        assert (b2_2.rank, b2_2.reason) == (None, "n = 2: a rank needs at least 3 records.")
        assert card.minimums == {dealer_a.pk: 3}

        set_min_sample(1)
        card = selectors.scorecard(profiles=profiles, first=OCTOBER[0], last=OCTOBER[1])
        advisors = {row.profile.pk: row for row in card.rows["advisor"]}
        technicians = {row.profile.pk: row for row in card.rows["technician"]}
        # Higher is better, except complaints per 100 ROs; equal values share a rank.
        assert [advisors[month[k].pk].cell("B2").rank_text for k in ("adv1", "adv2")] == ["2/2", "1/2"]
        assert [advisors[month[k].pk].cell("E3").rank_text for k in ("adv1", "adv2")] == ["1/2", "2/2"]
        assert [advisors[month[k].pk].cell("E2").rank_text for k in ("adv1", "adv2")] == ["1/2", "1/2"]
        assert [technicians[month[k].pk].cell("D3").rank_text for k in ("t1", "t2")] == ["2/2", "1/2"]
        assert technicians[month["t1"].pk].cell("hours").rank is None  # hours are shown, not ranked

        with_nothing = person(dealer_a, Position.SERVICE_ADVISOR, employee_number="A-SA3")
        card = selectors.scorecard(profiles=profiles, first=OCTOBER[0], last=OCTOBER[1])
        advisors = {row.profile.pk: row for row in card.rows["advisor"]}
        nothing = advisors[with_nothing.pk].cell("B2")
        assert (nothing.text, nothing.rank, nothing.reason) == ("—", None, "No records in this period: no rank.")
        assert advisors[month["adv1"].pk].cell("B2").ranked == 2  # those without a rank are not counted


def test_people_employed_in_the_period_only(month, dealer_a):
    StaffProfile.objects.filter(pk=month["adv2"].pk).update(leave_date=date(2026, 9, 30))
    StaffProfile.objects.filter(pk=month["t2"].pk).update(hire_date=date(2026, 11, 1))
    card = selectors.scorecard(profiles=StaffProfile.objects.filter(dealer=dealer_a), first=OCTOBER[0], last=OCTOBER[1])
    assert [r.profile.pk for r in card.rows["advisor"]] == [month["adv1"].pk]
    assert [r.profile.pk for r in card.rows["technician"]] == [month["t1"].pk]


def count_queries(callable_) -> int:
    with CaptureQueriesContext(connection) as queries:
        callable_()
    return len(queries)


def test_queries_do_not_grow_with_the_people(month, dealer_a):
    def card():
        return selectors.scorecard(profiles=StaffProfile.objects.filter(dealer=dealer_a), first=OCTOBER[0],
                                   last=OCTOBER[1])  # fmt: skip

    StaffProfile.objects.filter(pk__in=[month["adv2"].pk, month["t2"].pk]).delete()  # 2 people
    two = count_queries(card)
    for number in range(4):  # 6 people, each with orders, jobs, an inspection, a clock, a survey
        advisor = person(dealer_a, Position.SERVICE_ADVISOR, employee_number=f"A-X{number}")
        tech = person(dealer_a, Position.TECHNICIAN, employee_number=f"A-Y{number}")
        ro = checked_in(order(dealer_a, advisor.user, arrived=sh(2026, 10, 20, 9), promised=sh(2026, 10, 20, 17),
                              delivered=sh(2026, 10, 20, 16)))  # fmt: skip
        clocked(job(ro, tech.user), sh(2026, 10, 20, 10), 1)
        inspect(ro, month["manager"], sh(2026, 10, 20, 15), passed=True)
        answer(ro, sh(2026, 10, 21, 9), csi_score="80", nps=9)
    assert len(card().rows["advisor"]) + len(card().rows["technician"]) == 10
    assert count_queries(card) == two
    manager = login(month["manager"])
    few = count_queries(lambda: manager.get(SCORECARD, {"month": "2026-10"}))
    person(dealer_a, Position.TECHNICIAN, employee_number="A-Z1")
    assert count_queries(lambda: manager.get(SCORECARD, {"month": "2026-10"})) == few


# --- the page ---------------------------------------------------------------------------------------------------


def test_the_manager_sees_the_dealer_ranked_with_links_and_charts(month, dealer_a):
    set_min_sample(1)
    page = login(month["manager"]).get(SCORECARD)  # last month (October) and the manager's dealer by default
    assert page.status_code == 200
    html = page.content.decode()
    for key in ("adv1", "adv2", "t1", "t2"):
        assert f'data-profile="{month[key].pk}"' in html
    for key in ("adv_b", "tech_b"):
        assert f'data-profile="{month[key].pk}"' not in html
    sections = {s["role"]: s for s in page.context["sections"]}
    # Ranked by the first figure (B1) by default: adv2 (100 %) before adv1 (50 %).
    assert [r.profile.pk for r in sections["advisor"]["rows"]] == [month["adv2"].pk, month["adv1"].pk]
    cell = sections["advisor"]["rows"][1].cell("B2")
    assert cell.url == (f"{reverse('evaluation:drilldown', args=['B2'])}?dealer={dealer_a.pk}&from=2026-10-01"
                        f"&to=2026-10-31&advisor={month['adv1'].user_id}")  # fmt: skip
    assert f'href="{cell.url.replace("&", "&amp;")}">75.0 % (3/4)</a>' in html
    d3 = sections["technician"]["rows"][0].cell("D3")
    assert d3.url.endswith(f"technician={sections['technician']['rows'][0].profile.user_id}")
    chart = sections["advisor"]["chart"]
    assert chart.kind == "bar" and chart.categories == [f"1. {month['adv2'].user}", f"2. {month['adv1'].user}"]
    assert chart.series[0].values == [100.0, 50.0] and chart.counts == [1, 2]
    assert chart.series[0].links == [r.cell("B1").url for r in sections["advisor"]["rows"]]
    assert 'id="chart-advisor-ranking"' in html and 'id="chart-technician-ranking"' in html
    assert "B1 judges the repair orders delivered 2026-09-01 – 2026-09-30" in html

    ranked = login(month["manager"]).get(SCORECARD, {"month": "2026-10", "advisors_by": "E3"})
    rows = next(s for s in ranked.context["sections"] if s["role"] == "advisor")["rows"]
    assert [r.profile.pk for r in rows] == [month["adv1"].pk, month["adv2"].pk]  # fewer complaints first
    download = login(month["manager"]).get(SCORECARD, {"month": "2026-10", "download": "advisor-ranking"})
    table = list(load_workbook(BytesIO(download.content)).active.iter_rows(values_only=True))
    assert table[1:] == [(f"1. {month['adv2'].user}", 100.0, 1), (f"2. {month['adv1'].user}", 50.0, 2)]


def test_the_drilldown_lists_exactly_the_records_of_the_persons_figure(month, dealer_a):
    set_min_sample(1)
    manager = login(month["manager"])
    card = selectors.scorecard(profiles=StaffProfile.objects.filter(dealer=dealer_a), first=OCTOBER[0], last=OCTOBER[1])
    from staff.views import link_records

    link_records(card, month["manager"])
    for role in ("advisor", "technician"):
        for row in card.rows[role]:
            for cell in row.cells:
                if cell.metric.code == "hours":
                    assert cell.url is None
                    continue
                page = manager.get(cell.url)
                assert page.status_code == 200, cell.url
                counted = [r["in_numerator"] for r in page.context["rows"]]
                if cell.metric.kind == "ratio" and cell.metric.code != "E3":
                    assert (counted.count(True), len([c for c in counted if c is not None])) == (
                        cell.measure.numerator, cell.measure.n), (role, cell.metric.code)  # fmt: skip
                elif cell.metric.code == "E3":
                    assert len(counted) == cell.measure.numerator  # the complaints against the advisor
                else:
                    assert len(counted) == cell.measure.n
                assert page.context["person"] == row.profile.user


def test_drilldown_person_filter_refusals(month, dealer_a):
    manager = login(month["manager"])
    url = reverse("evaluation:drilldown", args=["B2"])
    period = {"dealer": dealer_a.pk, "from": "2026-10-01", "to": "2026-10-31"}
    assert manager.get(url, {**period, "advisor": month["adv_b"].user_id}).status_code == 404  # dealer B's
    assert manager.get(url, {**period, "advisor": 987654}).status_code == 404
    response = manager.get(url, {**period, "technician": month["t1"].user_id})
    assert (
        response.status_code == 400 and "B2 cannot be narrowed to one person in this role." in response.content.decode()
    )
    response = manager.get(url, {**period, "advisor": "x"})
    assert response.status_code == 400
    both = {**period, "advisor": month["adv1"].user_id, "technician": month["t1"].user_id}
    assert manager.get(reverse("evaluation:drilldown", args=["B1"]), both).status_code == 400
    page = manager.get(url, {**period, "advisor": month["adv1"].user_id}).content.decode()
    assert 'id="person-filter"' in page and f'name="advisor" value="{month["adv1"].user_id}"' in page


def test_scope_other_dealers_and_guessed_ids(month, dealer_b, region_manager):
    manager = login(month["manager"])
    assert manager.get(SCORECARD, {"dealer": dealer_b.pk}).status_code == 404
    assert manager.get(reverse("staff:scorecard_export"), {"dealer": dealer_b.pk}).status_code == 404
    assert manager.get(month["adv_b"].get_absolute_url()).status_code == 404
    page = login(region_manager).get(SCORECARD, {"month": "2026-10"}).content.decode()  # dealer A's region only
    assert f'data-profile="{month["adv1"].pk}"' in page and f'data-profile="{month["adv_b"].pk}"' not in page
    assert login(region_manager).get(SCORECARD, {"dealer": dealer_b.pk}).status_code == 404


def test_a_technician_sees_only_their_own_row_with_its_rank(month):
    set_min_sample(1)
    page = login(month["t1"].user).get(SCORECARD, {"month": "2026-10"})
    html = page.content.decode()
    assert page.status_code == 200
    assert f'data-profile="{month["t1"].pk}"' in html
    for key in ("adv1", "adv2", "t2"):
        assert f'data-profile="{month[key].pk}"' not in html
    row = next(s for s in page.context["sections"] if s["role"] == "technician")["rows"][0]
    assert row.cell("D3").rank_text == "2/2"  # ranked among colleagues they do not see
    assert "chart-technician-ranking" not in html and "advisors_by" not in html  # no chart of the others
    assert row.cell("D3").url is None  # no drill-down for a technician
    workbook = load_workbook(BytesIO(login(month["t1"].user).get(reverse("staff:scorecard_export"),
                                                                 {"month": "2026-10"}).content))  # fmt: skip
    assert [r[1] for r in workbook["Technicians"].iter_rows(values_only=True)][1:] == ["A-T1"]
    assert list(workbook["Service advisors"].iter_rows(values_only=True))[1:] == []


def test_an_advisor_without_the_drilldown_gets_the_repair_order_list(month, dealer_a):
    page = login(month["adv1"].user).get(SCORECARD, {"month": "2026-10"})
    row = next(s for s in page.context["sections"] if s["role"] == "advisor")["rows"][0]
    b2 = row.cell("B2")
    assert b2.url.startswith(reverse("repairs:repair_order_list"))
    listed = login(month["adv1"].user).get(b2.url)
    assert listed.status_code == 200
    numbers = {ro.number for ro in listed.context["object_list"]}
    assert numbers == set(
        RepairOrder.objects.filter(
            advisor=month["adv1"].user, delivered_at__gte=sh(2026, 10, 1), delivered_at__lt=sh(2026, 11, 1)
        ).values_list("number", flat=True)
    )
    assert len(numbers) == b2.measure.n
    assert row.cell("D1").url is None and row.cell("E1").url is None


def test_bad_input_is_a_clear_error(month):
    manager = login(month["manager"])
    response = manager.get(SCORECARD, {"month": "2026-13"})
    assert response.status_code == 400 and "Give the month as YYYY-MM, e.g. 2026-10." in response.content.decode()
    response = manager.get(SCORECARD, {"advisors_by": "D3"})
    assert response.status_code == 400 and "The ranking can be by one of the listed figures only." in (
        response.content.decode())  # fmt: skip
    assert manager.get(reverse("staff:scorecard_export"), {"month": "x"}).status_code == 400
    response = manager.get(SCORECARD, {"dealer": "abc"})  # not an id: the filter's message, no one shown
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()


def test_export_has_every_figure_as_numbers(month, dealer_a):
    set_min_sample(1)
    response = login(month["manager"]).get(reverse("staff:scorecard_export"), {"month": "2026-10"})
    assert response["Content-Disposition"] == 'attachment; filename="scorecard-2026-10.xlsx"'
    book = load_workbook(BytesIO(response.content))
    advisors = list(book["Service advisors"].iter_rows())
    header = [c.value for c in advisors[0]]
    assert header[:4] == ["Dealer", "Employee number", "Name", "Position"]
    assert header[4:8] == ["B1 First-time fix rate", "B1 numerator", "B1 n", "B1 Rank"]
    assert "E3 Complaints per 100 ROs" in header and "E1 CSI" in header and "E2 NPS" in header
    adv1 = next(row for row in advisors[1:] if row[1].value == "A-SA1")
    b2 = header.index("B2 On-time delivery")
    assert [c.value for c in adv1[b2 : b2 + 4]] == [0.75, 3, 4, 2]
    assert adv1[b2].number_format == "0.0%"
    e1 = header.index("E1 CSI")
    assert [c.value for c in adv1[e1 : e1 + 3]] == [800.0, 2, 2]  # adv2's 850 is first
    technicians = list(book["Technicians"].iter_rows(values_only=True))
    assert technicians[0][-2:] == ("Hours clocked", "Clocked jobs")
    t1 = next(row for row in technicians[1:] if row[1] == "A-T1")
    assert t1[-2:] == (2.5, 2)


def test_labels_in_chinese_by_default_and_in_english(month):
    chinese = login(month["manager"], language=None).get(SCORECARD, {"month": "2026-10"}).content.decode()
    # The labels of the catalogue and the page (the new ones' translations are compiled with the next catalogue).
    for label in ("个人绩效卡", "服务顾问", "维修技师", "一次修复率", "按时交车率", "质检一次合格率", "排名",
                  "月份", "导出Excel"):  # fmt: skip
        assert label in chinese, label
    assert "First-time fix rate" not in chinese and "Export to Excel" not in chinese
    english = login(month["manager"]).get(SCORECARD, {"month": "2026-10"}).content.decode()
    for label in ("Scorecard", "Service advisors", "Technicians", "First-time fix rate", "On-time delivery",
                  "QC first-pass", "Complaints per 100 ROs", "Hours clocked", "Rank"):  # fmt: skip
        assert label in english, label


def test_the_profile_page_shows_the_persons_month_so_far(month, clock):
    clock(sh(2026, 10, 20, 12))
    page = login(month["adv1"].user).get(month["adv1"].get_absolute_url())
    sections = page.context["scorecard"]
    assert [s["role"] for s in sections] == ["advisor"]
    assert [r.profile.pk for r in sections[0]["rows"]] == [month["adv1"].pk]
    assert sections[0]["rows"][0].cell("B2").text == "75.0 % (3/4)"
