"""Parts from the catalogue on the repair order: typed or picked on the estimate and the additional item, reserved or
special-ordered at approval, seen by the counter, F1, the technician and the foreman; free-text lines flagged."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.choices import Role
from core.dates import Month
from core.tests.factories import CustomerFactory, VehicleFactory, staff_user
from core.tests.helpers import login
from parts import kpis
from parts.models import SpecialOrder, StockReservation
from parts.selectors import reports
from parts.tests import picker_fixtures
from repairs import services
from repairs.models import RepairOrder, RepairOrderLine
from repairs.tests.factories import advance_order, make_order, staff_for

pytestmark = pytest.mark.django_db
D = Decimal
catalogue = picker_fixtures.catalogue  # the shared fixture


@pytest.fixture
def order(vehicle_a, advisor_a, catalogue):
    """A checked-in order of a 2020 大众 朗逸, no lines yet."""
    vehicle_a.model_year = 2020
    vehicle_a.save()
    return make_order(vehicle_a, advisor_a, status="checked_in")


def add_line(client, order, data, expect=302):
    fields = {"kind": "part", "payer": "customer", "part_source": "oem", **data}
    response = client.post(reverse("repairs:repair_order_line_add", args=[order.pk]), fields)
    assert response.status_code == expect, response.content.decode()[-3000:]
    return response


def approve_from_the_web(client, order, advisor):
    """Diagnosis, the estimate given and the customer's approval by phone, through the order page's forms."""
    order.refresh_from_db()
    services.repair_order_update_estimate(order=order, by=advisor, version=order.version, diagnosis="保养")
    order.refresh_from_db()
    for url, data in (
        ("repairs:repair_order_transition", {"action": "give_estimate", "note": ""}),
        ("repairs:repair_order_approval", {"approval_method": "phone", "approved_by_customer": "张三"}),
    ):
        response = client.post(reverse(url, args=[order.pk]), {"version": order.version, **data})
        assert response.status_code == 302, response.content.decode()[-2000:]
        order.refresh_from_db()
    assert order.status == "approved"
    return order


def advance(order, advisor, status):
    """The order with its lines, diagnosed, driven to ``status`` through the services."""
    order = RepairOrder.objects.get(pk=order.pk)
    order = services.repair_order_update_estimate(order=order, by=advisor, version=order.version, diagnosis="保养")
    return advance_order(order, advisor, status)


def test_a_typed_catalogue_number_needs_no_name_and_no_price(web, order, catalogue):
    add_line(web, order, {"code": "03c164831a"})
    line = order.lines.get()
    assert (line.part, line.code, line.description, line.quantity, line.unit_price) == (
        catalogue["filter"], "03C 164 831 A", "机油滤清器", D("1.00"), D("85.00"),
    )  # fmt: skip


def test_an_old_number_typed_is_the_part_that_replaces_it(web, order, catalogue):
    add_line(web, order, {"code": "03C 164 831", "quantity": "2"})
    line = order.lines.get()
    assert (line.part, line.code, line.quantity) == (catalogue["filter"], "03C 164 831 A", D("2.00"))


def test_a_picked_part_is_a_part_line_whatever_the_kind_says(web, order, catalogue):
    add_line(web, order, {"kind": "labour", "part": catalogue["oil"].pk, "unit_price": "380"})
    line = order.lines.get()
    assert (line.kind, line.part, line.description, line.quantity, line.unit_price) == (
        "part", catalogue["oil"], "美孚1号 5W-30 全合成机油 4L", D("1.00"), D("380.00"),
    )  # a price typed beside the pick is the desk's price  # fmt: skip


def test_refused_part_lines_say_why_and_add_nothing(web, order, catalogue, dealer_a, advisor_a):
    page = add_line(web, order, {"code": "XYZ-1"}, expect=400).content.decode()
    assert "XYZ-1 is not a catalogue part number: pick the part, or describe it and give its price." in page
    page = add_line(web, order, {"part": catalogue["old"].pk}, expect=400).content.decode()
    assert "Pick an active part of the catalogue." in page  # superseded: the picker offers its replacement
    honda = make_order(
        VehicleFactory(owner=CustomerFactory(dealer=dealer_a), brand="本田", series="雅阁"), advisor_a, "checked_in"
    )
    page = add_line(web, honda, {"code": "03C164831A"}, expect=400).content.decode()
    assert "Several catalogue parts have the number 03C164831A" in page  # 大众 and 丰田, neither the car's brand
    assert not RepairOrderLine.objects.exists()


def test_free_text_part_lines_stay_possible_flagged_and_reported(web, order, catalogue, dealer_b, advisor_b):
    add_line(web, order, {"code": "XYZ-1", "description": "客户自带雨刮", "quantity": "1", "unit_price": "50"})
    add_line(web, order, {"code": "03C164831A"})
    free, _catalogued = order.lines.order_by("pk")
    assert (free.part, free.code) == (None, "XYZ-1")
    page = web.get(order.get_absolute_url()).content.decode()
    assert page.count("not from the catalogue") == 1

    other = make_order(VehicleFactory(owner=CustomerFactory(dealer=dealer_b)), advisor_b, "checked_in")
    add_line(login(advisor_b), other, {"description": "B店自购件", "quantity": "1", "unit_price": "10"})
    month = Month.current()
    found = reports.free_text_part_lines(user=order.advisor, start=month.start, end=month.bounds()[1])
    assert (found.total, [line.pk for line in found.lines]) == (1, [free.pk])  # the own dealer's only
    assert (found.months[0]["lines"], found.months[0]["orders"], found.months[0]["amount"]) == (1, 1, D("50"))
    manager = login(staff_user(order.dealer, Role.SERVICE_MANAGER))
    report = manager.get(reverse("parts:reports")).content.decode()
    assert "Part lines not from the catalogue" in report and order.get_absolute_url() in report
    assert other.number not in report and "客户自带雨刮" in report


def test_approval_from_the_web_reserves_or_special_orders_the_counter_sees_it_and_f1_counts_it(
    web, order, catalogue, advisor_a, dealer_a
):
    add_line(web, order, {"code": "03C164831A", "quantity": "2"})  # 5 on the shelf
    add_line(web, order, {"part": catalogue["passat"].pk})  # not in the main warehouse
    add_line(web, order, {"code": "XYZ-1", "description": "客户自带雨刮", "quantity": "1", "unit_price": "50"})
    add_line(web, order, {"kind": "labour", "description": "保养", "quantity": "1"})
    filter_line, passat_line, free_line = order.lines.filter(kind="part").order_by("pk")
    approve_from_the_web(web, order, advisor_a)

    reservation = StockReservation.objects.get(repair_order_line=filter_line)
    assert (reservation.status, reservation.quantity, reservation.item.reserved) == ("active", D("2"), D("2"))
    special = SpecialOrder.objects.get(repair_order_line=passat_line)
    assert (special.status, special.part, special.warehouse.code) == ("ordered", catalogue["passat"], "WH01")
    assert not free_line.reservations.exists() and not free_line.special_orders.exists()

    clerk = login(staff_user(dealer_a, Role.PARTS_CLERK))
    counter = clerk.get(reverse("parts:counter")).content.decode()
    assert counter.count(order.number) >= 2  # the reservation to issue and the special order to receive
    start, end = Month.current().bounds()
    assert set(kpis.fill_records([dealer_a.pk], start, end)) == {filter_line, passat_line}  # not the free text
    response = clerk.post(reverse("parts:counter_issue", args=[reservation.pk]), {"version": reservation.version})
    assert response.status_code == 302
    f1 = kpis.fill_rate([dealer_a.pk], start, end)[dealer_a.pk]
    assert (f1.numerator, f1.n) == (1, 2)  # issued the day asked; the special order is a miss


def test_the_additional_item_takes_a_picked_or_typed_catalogue_part(order, catalogue, advisor_a, dealer_a):
    add_line(login(advisor_a), order, {"kind": "labour", "description": "保养", "quantity": "1"})
    order = advance(order, advisor_a, "in_repair")
    technician = login(staff_for(dealer_a).technician)
    url = reverse("repairs:addition_raise", args=[order.pk])
    item = {"description": "更换机滤", "reason": "渗油"}
    page = technician.post(url, {**item, "part_number": "XYZ-1"}).content.decode()
    assert "XYZ-1 is not a catalogue part number" in page and not order.additions.exists()
    assert technician.post(url, {**item, "part_number": "03c 164 831 a"}).status_code == 302
    assert technician.post(url, {**item, "part": catalogue["oil"].pk, "part_quantity": "2"}).status_code == 302
    filter_line, oil_line = RepairOrderLine.objects.filter(addition__order=order).order_by("pk")
    assert (filter_line.part, filter_line.quantity, filter_line.unit_price) == (catalogue["filter"], 1, D("85.00"))
    assert (oil_line.part, oil_line.quantity, oil_line.unit_price) == (catalogue["oil"], 2, D("398.00"))

    addition = filter_line.addition
    services.addition_decide(
        addition=addition, by=advisor_a, version=addition.version, approved=True, decision_method="phone",
        decided_by_customer="张三",
    )  # fmt: skip
    assert StockReservation.objects.filter(repair_order_line=filter_line, status="active").exists()
    assert not oil_line.reservations.exists()  # its item is not decided yet


def test_technician_and_foreman_see_parts_ready_or_waiting(order, catalogue, advisor_a, dealer_a):
    web = login(advisor_a)
    add_line(web, order, {"kind": "labour", "description": "保养", "quantity": "1"})
    add_line(web, order, {"code": "03C164831A"})
    ready = advance(order, advisor_a, "dispatched")
    waiting = make_order(VehicleFactory(owner=CustomerFactory(dealer=dealer_a)), advisor_a, "checked_in")
    add_line(web, waiting, {"kind": "labour", "description": "保养", "quantity": "1"})
    add_line(web, waiting, {"part": catalogue["passat"].pk})
    waiting = advance(waiting, advisor_a, "dispatched")
    assert (ready.parts_readiness, waiting.parts_readiness) == ("ready", "waiting")

    staff = staff_for(dealer_a)
    board, jobs = login(staff.foreman), login(staff.technician)

    def pages() -> tuple[str, str, int, int]:
        with CaptureQueriesContext(connection) as board_queries:
            page = board.get(reverse("repairs:workshop_board")).content.decode()
        with CaptureQueriesContext(connection) as jobs_queries:
            my_jobs = jobs.get(reverse("repairs:my_jobs")).content.decode()
        return page, my_jobs, len(board_queries), len(jobs_queries)

    page, my_jobs, board_count, jobs_count = pages()
    for text in (page, my_jobs):
        assert text.count("parts ready") == 1 and text.count("waiting for parts") == 1
    # More orders with parts: the same number of queries (prefetched, no query per order).
    for _ in range(3):
        more = make_order(VehicleFactory(owner=CustomerFactory(dealer=dealer_a)), advisor_a, "checked_in")
        add_line(web, more, {"kind": "labour", "description": "保养", "quantity": "1"})
        add_line(web, more, {"code": "03C164831A"})
        advance(more, advisor_a, "dispatched")
    page, my_jobs, board_more, jobs_more = pages()
    assert page.count("parts ready") == 4 and my_jobs.count("parts ready") == 4
    assert (board_more, jobs_more) == (board_count, jobs_count)


def test_the_api_takes_a_part_id_or_a_number_the_same_way(order, catalogue, advisor_a, api_en):
    api = api_en(advisor_a)
    url = f"/api/v1/repair-orders/{order.pk}/lines/"
    by_id = api.post(url, {"kind": "part", "part": catalogue["filter"].pk, "quantity": "1"}, format="json")
    assert by_id.status_code == 201, by_id.content
    assert (by_id.json()["part"], by_id.json()["unit_price"], by_id.json()["code"]) == (
        catalogue["filter"].pk, "85.00", "03C 164 831 A",
    )  # fmt: skip
    by_number = api.post(url, {"kind": "part", "code": "03c164831", "quantity": "1"}, format="json")
    assert by_number.status_code == 201 and by_number.json()["part"] == catalogue["filter"].pk
    refused = api.post(url, {"kind": "part", "code": "XYZ-1", "quantity": "1"}, format="json")
    assert refused.status_code == 400 and "XYZ-1 is not a catalogue part number" in str(refused.json())
    inactive = api.post(url, {"kind": "part", "part": catalogue["old"].pk, "quantity": "1"}, format="json")
    assert inactive.status_code == 400 and "part" in inactive.json()
    assert order.lines.count() == 2
