"""The economics pages and API: who sees them, what they show, bad input, exports, attendance and cost-rate entry."""

from __future__ import annotations

from decimal import Decimal as D
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.choices import Role
from core.tests.factories import UserFactory, staff_user
from core.tests.helpers import login
from economics.models import Attendance, CostRate
from economics.tests.factories import workshop

pytestmark = pytest.mark.django_db
PAGE = reverse("economics:economics")
SHEET = reverse("economics:attendance")
RATES = reverse("economics:cost_rates")
API = "/api/v1/technician-efficiency/"


def test_the_service_manager_reads_the_month(dealer_a):
    shop = workshop(dealer_a)
    page = login(shop.manager).get(PAGE, {"month": "2026-10"})
    assert page.status_code == 200
    html = page.content.decode()
    assert page.context["total"].sold_hours == D("5.50")
    assert "Workshop economics" in html and 'id="economics-summary"' in html
    assert "5.50 h sold / 5.95 h clocked" in html and "92.4 %" in html  # efficiency 5.50 / 5.95
    assert "王师傅" in html and "李师傅" in html
    assert [o.pk for o in page.context["page_obj"].object_list] == [shop.orders[1].pk, shop.orders[0].pk]
    assert page.context["charts"][0].categories == [f"{dealer_a.code} 李师傅", f"{dealer_a.code} 王师傅"]


def test_who_sees_the_page_and_its_menu_entry(dealer_a):
    shop = workshop(dealer_a)
    for user in (shop.advisor, shop.foreman, staff_user(dealer_a, Role.TECHNICIAN)):
        assert login(user).get(PAGE).status_code == 404
    manager_home = login(shop.manager).get(reverse("dashboards:home")).content.decode()
    assert f'href="{PAGE}"' in manager_home and f'href="{SHEET}"' in manager_home
    foreman_home = login(shop.foreman).get(reverse("dashboards:home")).content.decode()
    assert f'href="{PAGE}"' not in foreman_home and f'href="{SHEET}"' in foreman_home
    advisor_home = login(shop.advisor).get(reverse("dashboards:home")).content.decode()
    assert f'href="{PAGE}"' not in advisor_home and f'href="{SHEET}"' not in advisor_home


def test_a_region_manager_reads_their_dealers_only(dealer_a, dealer_b, region_manager):
    workshop(dealer_a)
    workshop(dealer_b)
    web = login(region_manager)
    page = web.get(PAGE, {"month": "2026-10"})
    assert page.status_code == 200
    assert [d.pk for d, _f in page.context["workshops"]] == [dealer_a.pk]
    assert web.get(PAGE, {"month": "2026-10", "dealer": dealer_b.pk}).status_code == 404
    assert web.get(SHEET, {"dealer": dealer_a.pk}).status_code == 404  # reads, records nothing
    before = Attendance.objects.count()
    assert web.post(SHEET, {"dealer": dealer_a.pk}).status_code == 404
    assert Attendance.objects.count() == before


def test_bad_periods_are_form_messages(dealer_a):
    web = login(workshop(dealer_a).manager)
    page = web.get(PAGE, {"month": "10/2026"})
    assert page.status_code == 400 and "Give the month as YYYY-MM" in page.content.decode()
    page = web.get(PAGE, {"start": "2026-10-31", "end": "2026-10-01"})
    assert page.status_code == 400 and "The end of the period is before its start." in page.content.decode()
    page = web.get(PAGE, {"start": "2026-10-01"})
    assert page.status_code == 400 and "Give both ends of the period." in page.content.decode()


def test_a_day_range_and_a_long_period_by_month(dealer_a):
    web = login(workshop(dealer_a).manager)
    days = web.get(PAGE, {"start": "2026-10-10", "end": "2026-10-10"})
    assert days.context["total"].sold_hours == D("4.00") and not days.context["by_month"]
    year = web.get(PAGE, {"start": "2026-01-01", "end": "2026-12-31"})
    assert year.context["by_month"] and [label for label, _f in year.context["trend"]] == ["2026-09", "2026-10"]


def test_the_excel_export_and_the_chart_download(dealer_a):
    web = login(workshop(dealer_a).manager)
    export = web.get(PAGE, {"month": "2026-10", "export": "xlsx"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(export.content))
    assert book.sheetnames == ["Workshops", "Technicians", "Day", "Repair orders"]
    workshops = list(book["Workshops"].values)
    assert workshops[1][:5] == (dealer_a.code, dealer_a.name, 5.5, 5.95, 24.5)
    assert len(list(book["Repair orders"].values)) == 3
    chart = web.get(PAGE, {"month": "2026-10", "download": "efficiency"})
    assert chart["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_page_queries_do_not_grow_with_dealers(
    dealer_a, dealer_b, region_manager_ab, django_assert_max_num_queries
):
    workshop(dealer_a)
    workshop(dealer_b)
    web = login(region_manager_ab)
    web.get(PAGE, {"month": "2026-10"})  # the session's one-time caches
    with django_assert_max_num_queries(24):
        page = web.get(PAGE, {"month": "2026-10"})
    assert len(page.context["technicians"]) == 4


def _row(n: int, technician, **values) -> dict:
    fields = {"technician": technician.pk, "clock_in": "", "clock_out": "", "break_minutes": "", "hours": "",
              "absence": "", "note": "", **values}  # fmt: skip
    return {f"row-{n}-{name}": value for name, value in fields.items()}


def _sheet(dealer, day, *rows) -> dict:
    data = {"dealer": dealer.pk, "day": day, "row-TOTAL_FORMS": len(rows), "row-INITIAL_FORMS": len(rows)}
    for row in rows:
        data.update(row)
    return data


def test_the_foreman_records_a_day(dealer_a):
    shop = workshop(dealer_a)
    web = login(shop.foreman)
    sheet = web.get(SHEET, {"dealer": dealer_a.pk, "day": "2026-10-12"})
    assert sheet.status_code == 200 and {shop.tech1, shop.tech2} <= {p for p, _f, _r in sheet.context["rows"]}
    response = web.post(SHEET, _sheet(dealer_a, "2026-10-12",
                                      _row(0, shop.tech1, clock_in="08:25", clock_out="17:55", break_minutes="60"),
                                      _row(1, shop.tech2, absence="annual_leave")))  # fmt: skip
    assert response.status_code == 302
    days = {a.technician_id: a for a in Attendance.objects.filter(day="2026-10-12")}
    assert (days[shop.tech1.pk].hours, days[shop.tech2.pk].hours, days[shop.tech2.pk].absence) == (
        D("8.50"),
        D("0.00"),
        "annual_leave",
    )
    # An emptied line clears the day.
    web.post(SHEET, _sheet(dealer_a, "2026-10-12", _row(0, shop.tech1), _row(1, shop.tech2, absence="annual_leave")))
    assert set(Attendance.objects.filter(day="2026-10-12").values_list("technician_id", flat=True)) == {shop.tech2.pk}


def test_a_refused_line_saves_nothing(dealer_a, dealer_b):
    shop = workshop(dealer_a)
    stranger = UserFactory(roles=[Role.TECHNICIAN], dealers=[dealer_b])
    web = login(shop.foreman)
    before = list(Attendance.objects.values_list("pk", "hours"))
    response = web.post(SHEET, _sheet(dealer_a, "2026-10-13",
                                      _row(0, shop.tech1, clock_in="08:30", clock_out="17:30"),
                                      _row(1, shop.tech2, clock_in="17:00", clock_out="08:00")))  # fmt: skip
    assert response.status_code == 400
    assert "The clock-out is before the clock-in." in response.content.decode()
    response = web.post(SHEET, _sheet(dealer_a, "2026-10-13", _row(0, stranger, hours="8")))
    assert response.status_code == 400 and "Choose a technician of this dealer." in response.content.decode()
    response = web.post(SHEET, _sheet(dealer_a, "2026-10-13", _row(0, shop.tech1, absence="sick_leave", hours="8")))
    assert response.status_code == 400 and "A day away has no clock times and no hours." in response.content.decode()
    assert list(Attendance.objects.values_list("pk", "hours")) == before
    assert web.get(SHEET, {"dealer": dealer_b.pk}).status_code == 404


def test_cost_rates_by_the_service_manager(dealer_a):
    shop = workshop(dealer_a)
    web = login(shop.manager)
    assert web.get(RATES, {"dealer": dealer_a.pk}).status_code == 200
    response = web.post(RATES, {"dealer": dealer_a.pk, "technician": shop.tech2.pk, "hourly_cost": "58.50",
                                "valid_from": "2026-10-01"})  # fmt: skip
    assert response.status_code == 302
    assert CostRate.objects.get(technician=shop.tech2).hourly_cost == D("58.50")
    response = web.post(RATES, {"dealer": dealer_a.pk, "technician": shop.tech2.pk, "hourly_cost": "60",
                                "valid_from": "2026-10-01"})  # fmt: skip
    assert response.status_code == 400 and "There is already a rate from this day" in response.content.decode()
    assert login(shop.foreman).get(RATES).status_code == 404


def test_the_api_gives_the_pages_figures(dealer_a, dealer_b, api_en):
    shop = workshop(dealer_a)
    api = api_en(shop.manager)
    body = api.get(API, {"month": "2026-10", "dealer": dealer_a.pk}).json()
    tech1 = next(row for row in body if row["technician"] == shop.tech1.pk)
    assert (tech1["hours_sold"], tech1["hours_clocked"], tech1["hours_attended"]) == ("3.50", "4.20", "16.50")
    assert tech1["efficiency"] == {"value": 83.3, "numerator": "3.50", "denominator": "4.20"}
    assert (tech1["effective_labour_rate"], tech1["labour_gross_margin"], tech1["days_away"]) == (
        "185.14",
        "-422.00",
        1,
    )
    assert api.get(API, {"month": "2026-10", "dealer": dealer_b.pk}).status_code == 404
    bad = api.get(API, {"month": "2026-13"})
    assert bad.status_code == 400 and set(bad.json()) == {"month"}
    assert api.get(API, {"month": "2026-11"}).json() == []


def _xlsx(rows) -> BytesIO:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["username", "day", "clock_in", "clock_out", "break_minutes", "hours", "absence", "note"])
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "attendance.xlsx"
    return buffer


def test_attendance_imported_from_the_time_clock(dealer_a):
    shop = workshop(dealer_a)
    web = login(shop.foreman)
    url = reverse("economics:attendance_import")
    file = _xlsx([[shop.tech1.username, "2026-10-14", "08:30", "17:45", 60, None, None, None],
                  [shop.tech2.username, "2026-10-14", None, None, None, None, "Sick leave", "发烧"]])  # fmt: skip
    response = web.post(url, {"dealer": dealer_a.pk, "day": "2026-10-14", "file": file}, follow=True)
    assert "2 attendance rows imported." in response.content.decode()
    days = {a.technician_id: a for a in Attendance.objects.filter(day="2026-10-14")}
    assert (days[shop.tech1.pk].hours, days[shop.tech2.pk].absence) == (D("8.25"), "sick_leave")
    # One bad row: nothing saved, each refused row named.
    file = _xlsx([[shop.tech1.username, "2026-10-15", "08:30", "17:45", 60, None, None, None],
                  ["nobody", "2026-10-15", "08:30", "17:45", 60, None, None, None],
                  [shop.tech2.username, "15.10.2026", "08:30", "17:45", 60, None, None, None]])  # fmt: skip
    response = web.post(url, {"dealer": dealer_a.pk, "file": file}, follow=True)
    html = response.content.decode()
    assert "Row 3: give the username of a technician of this dealer and the day." in html
    assert "Row 4: day cannot be read." in html
    assert not Attendance.objects.filter(day="2026-10-15").exists()
    assert login(shop.advisor).post(url, {"dealer": dealer_a.pk, "file": _xlsx([])}).status_code == 404
