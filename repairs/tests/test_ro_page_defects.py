"""Regressions of the order page found in the walk (issue 13): the addition decision shows its price and does not
decide for the advisor; the documents received at check-in are shown with their labels."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from core.tests.helpers import login
from repairs import services
from repairs.choices import LineKind
from repairs.choices import RepairOrderStatus as S
from repairs.tests.factories import advance_order, fill_estimate, make_order, order_snapshot, staff_for

pytestmark = pytest.mark.django_db


def raised_addition(vehicle, advisor):
    staff = staff_for(vehicle.dealer)
    order = make_order(vehicle, advisor, S.IN_REPAIR, staff=staff)
    addition = services.addition_raise(
        order=order, by=staff.technician, description="更换刹车油", reason="含水量超标",
        lines=[
            {"kind": LineKind.LABOUR, "description": "更换刹车油", "quantity": Decimal("0.50")},
            {"kind": LineKind.PART, "description": "DOT4 刹车油", "quantity": Decimal("1"),
             "unit_price": Decimal("88")},
        ],
    )  # fmt: skip
    return order, addition


def test_the_decision_panel_shows_the_items_lines_and_total_with_vat(vehicle_a, advisor_a):
    order, addition = raised_addition(vehicle_a, advisor_a)
    page = login(advisor_a).get(order.get_absolute_url()).content.decode()

    quote = page[page.index(f'id="addition-quote-{addition.pk}"') :]
    quote = quote[: quote.index("</table>")]
    # 0.5 h × 180.00 = 90.00 labour + 88.00 part = 178.00 net; VAT 13 % = 23.14; 201.14 with VAT.
    for expected in ("更换刹车油", "DOT4 刹车油", "90.00", "88.00", "23.14", "Total (with VAT)"):
        assert expected in quote, expected
    assert re.search(r'class="addition-total">201\.14<', quote)
    assert services.addition_totals(addition=addition, order=order).total == Decimal("201.14")


def test_no_decision_is_preselected_and_a_post_without_one_changes_nothing(vehicle_a, advisor_a):
    order, addition = raised_addition(vehicle_a, advisor_a)
    client = login(advisor_a)
    page = client.get(order.get_absolute_url()).content.decode()
    select = re.search(r'<select name="approved"[^>]*>(.*?)</select>', page, re.S)
    assert select and "required" in select.group(0)
    options = re.findall(r"<option([^>]*)>", select.group(1))
    assert options[0] == ' value="" selected' and all("selected" not in option for option in options[1:])

    before = order_snapshot(order)
    response = client.post(
        reverse("repairs:addition_decide", args=[order.pk]),
        {"addition": addition.pk, "version": addition.version, "approved": "", "decision_method": "phone",
         "decided_by_customer": "张三"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert order_snapshot(order) == before


def test_the_documents_received_are_shown_with_their_labels(vehicle_a, advisor_a):
    order = make_order(vehicle_a, advisor_a, S.CHECKED_IN)
    order = services.repair_order_update_checkin(
        order=order, by=advisor_a, version=order.version, documents_received=["driving_licence", "warranty_card"]
    )
    order = advance_order(fill_estimate(order, advisor_a), advisor_a, S.ESTIMATED)  # the check-in is read-only now

    english = login(advisor_a).get(order.get_absolute_url()).content.decode()
    chinese = login(advisor_a, language=None).get(order.get_absolute_url()).content.decode()
    assert re.search(r'id="documents-received">Vehicle licence \(行驶证\)、Warranty card<', english)
    assert re.search(r'id="documents-received">行驶证、[^<]+<', chinese)
    assert "driving_licence" not in english and "warranty_card" not in english
