"""The drill-down names who answers for each repair order (its service advisor, the technicians of its worked lines)
and links every RO number to the RO's page, without a query per row; on the shared demo (read-only)."""

import json
import re
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from core.dates import Month, local_date
from core.tests.helpers import login
from evaluation.selectors.measures import MEASURES
from evaluation.views.results import indicator_trend_chart_for
from repairs.kpis import worked_lines
from repairs.models import QcInspection, RepairOrder

pytestmark = pytest.mark.django_db

OCTOBER = {"from": "2026-10-01", "to": "2026-10-31"}


@pytest.fixture
def admin(demo_dataset, django_user_model):
    return django_user_model.objects.get(username="admin")


def sh01():
    return RepairOrder.objects.filter(dealer__code="SH01").values_list("dealer_id", flat=True).first()


def drilldown(client, code, **query):
    return client.get(reverse("evaluation:drilldown", args=[code]), {"dealer": sh01(), **OCTOBER, **query})


def rows_of(html):
    body = html.split('<table id="drilldown">')[1].split("</tbody>")[0].split("<tbody>")[1]
    return [row for row in body.split("<tr")[1:]]


def test_b1_names_the_advisor_and_the_technicians_of_each_order(admin):
    client = login(admin)
    with CaptureQueriesContext(connection) as queries:
        response = drilldown(client, "B1")
    html = response.content.decode()
    rows = rows_of(html)
    assert len(rows) >= 5, "the demo's weak dealer delivered repair orders in September"
    assert len(queries) < 25  # whatever the number of rows (up to a page): no query per row
    assert "<th>Service advisor</th>" in html and "<th>Technicians</th>" in html
    numbers = [re.search(r'<a href="([^"]+)">([A-Z0-9-]+)</a>', row).groups() for row in rows]
    orders = {o.number: o for o in RepairOrder.objects.filter(number__in=[n for _u, n in numbers]).select_related(
        "advisor")}  # fmt: skip
    for (url, number), row in zip(numbers, rows, strict=True):
        order = orders[number]
        assert url == order.get_absolute_url()
        cells = re.findall(r"<td>(.*?)</td>", row)
        assert cells[2] == (str(order.advisor) if order.advisor_id else "—")
        technicians = list(dict.fromkeys(str(line.technician) for line in
                                         worked_lines().filter(order=order).select_related("technician")
                                         .order_by("position", "id")))  # fmt: skip
        assert cells[3] == (", ".join(technicians) or "—")
    assert any(cell != "—" for row in rows for cell in re.findall(r"<td>(.*?)</td>", row)[3:4])


def test_rows_of_an_order_link_their_ro_number(admin):
    client = login(admin)
    for code in ("D3", "F1", "E1"):
        html = drilldown(client, code).content.decode()
        rows = rows_of(html)
        assert rows, code
        with translation.override("en"):
            position = [str(c.label) for c in MEASURES[code].columns].index("RO number")
        cells = [re.findall(r"<td>(.*?)</td>", row)[position] for row in rows]
        linked = [re.fullmatch(r'<a href="([^"]+)">([^<]+)</a>', cell) for cell in cells]
        assert all(linked), (code, cells[:3])
        orders = dict(RepairOrder.objects.filter(number__in=[m.group(2) for m in linked]).values_list("number", "pk"))
        for match in linked:
            assert match.group(1) == reverse("repairs:repair_order_detail", args=[orders[match.group(2)]])
        assert "<th>Service advisor</th>" in html


def test_the_query_count_does_not_grow_with_the_rows(admin):
    client = login(admin)
    drilldown(client, "D3")  # warm the permission caches of the session
    inspected = (
        QcInspection.objects.filter(
            order__dealer_id=sh01(), inspected_at__gte=Month(2026, 10).start, inspected_at__lt=Month(2026, 10).end
        )
        .order_by("inspected_at")
        .first()
    )
    day = f"{local_date(inspected.inspected_at):%Y-%m-%d}"  # fmt: skip
    counts = {}
    for days in ({"from": day, "to": day}, OCTOBER):
        with CaptureQueriesContext(connection) as queries:
            html = drilldown(client, "D3", **days).content.decode()
        assert 'class="muted">No records' not in html
        counts[len(rows_of(html))] = len(queries)
    assert len(counts) == 2, counts  # a day's rows, and more rows for the month
    assert len(set(counts.values())) == 1, counts  # the same queries however many rows


def test_the_excel_names_the_advisor(admin):
    client = login(admin)
    response = drilldown(client, "B2", format="xlsx")
    sheet = load_workbook(BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:3] == ["RO number", "Vehicle", "Service advisor"]
    assert all(isinstance(row[2], str) and row[2] for row in rows[1:])


def test_the_drilldown_shows_the_indicators_trend_with_its_control_limits(admin):
    client = login(admin)
    html = drilldown(client, "B2").content.decode()
    assert 'data-chart="chart-options-trend"' in html
    options = json.loads(html.split('id="chart-options-trend" type="application/json">')[1].split("</script>")[0])
    assert [s["name"] for s in options["series"]][1:] == ["Upper control limit", "Centre line", "Lower control limit"]
    assert options["xAxis"]["data"][-1].startswith("2026-10\nn=")
    october = options["series"][0]["data"][-1]
    assert october["url"].startswith(reverse("evaluation:drilldown", args=["B2"]))
    sheet = load_workbook(BytesIO(drilldown(client, "B2", download="trend").content)).active
    assert [c.value for c in next(sheet.iter_rows())] == ["Month", "On-time delivery", "Upper control limit",
                                                         "Centre line", "Lower control limit", "n"]  # fmt: skip
    average = drilldown(client, "A1").content.decode()
    assert "A1 Reception wait, the last 12 months · an average, not a share of records — no control limits" in average
    assert drilldown(client, "A1", download="trend").status_code == 200


def test_no_trend_for_those_who_may_not_read_results(admin, django_user_model):
    nobody = django_user_model.objects.create_user("nobody-trend", password="x")
    assert indicator_trend_chart_for("B2", sh01(), Month(2026, 10), nobody) is None
    assert indicator_trend_chart_for("B2", sh01(), Month(2026, 10), admin) is not None
    assert indicator_trend_chart_for("B2", sh01(), Month(2020, 10), admin) is None  # nothing stored
