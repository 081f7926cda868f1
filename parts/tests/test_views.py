"""Parts pages: catalogue search with supersession, part, stock, ledger, receipt/adjust forms, import, tenancy."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from parts.models import PartPrice, StockMovement
from parts.tests.catalogue_helpers import HEADER_ZH, clerk, csv_upload, make_part, stock

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def parts(dealer_a):
    new = make_part("06A115561C", name="机油滤清器新")
    old = make_part("06A115561B", name="机油滤清器旧", superseded_by=new)
    other = make_part("90915-YZZD4", name="丰田机滤", brand="丰田")
    PartPrice.objects.create(dealer=dealer_a, part=new, cost_price=Decimal("30"), retail_price=Decimal("45.00"))
    return {"new": new, "old": old, "other": other}


def test_catalogue_search_shows_the_replacement_prominently(dealer_a, parts):
    page = client_for(clerk(dealer_a)).get(reverse("parts:catalogue"), {"q": "06a-115-561-b"})
    assert page.status_code == 200
    rows = list(page.context["object_list"])
    assert rows == [parts["new"], parts["old"]]  # the replacement first, the old number under it
    html = page.content.decode()
    assert "superseded by" in html and "<strong>06A115561C</strong>" in html
    assert "45.00" in html
    page = client_for(clerk(dealer_a)).get(reverse("parts:catalogue"), {"q": "丰田机"})
    assert list(page.context["object_list"]) == [parts["other"]]


def test_nav_has_parts(dealer_a):
    page = client_for(clerk(dealer_a)).get(reverse("dashboards:home"))
    assert reverse("parts:catalogue") in page.content.decode()


def test_part_detail_shows_prices_and_stock_of_own_dealers_only(dealer_a, dealer_b, parts):
    stock(dealer_a, parts["new"], "4")
    stock(dealer_b, parts["new"], "9")
    PartPrice.objects.create(dealer=dealer_b, part=parts["new"], cost_price=Decimal("1"), retail_price=Decimal("77.70"))
    page = client_for(clerk(dealer_a)).get(reverse("parts:part_detail", args=[parts["new"].pk]))
    assert page.status_code == 200
    assert [i.warehouse.dealer for i in page.context["stock"]] == [dealer_a]
    assert [p.dealer for p in page.context["prices"]] == [dealer_a]
    assert "77.70" not in page.content.decode()
    old = client_for(clerk(dealer_a)).get(reverse("parts:part_detail", args=[parts["old"].pk]))
    assert old.context["current"] == parts["new"]


def test_stock_pages_and_tenancy(dealer_a, dealer_b, parts):
    item_a = stock(dealer_a, parts["new"], "4")
    item_b = stock(dealer_b, parts["new"], "9")
    client = client_for(clerk(dealer_a))
    page = client.get(reverse("parts:stock_list", args=[item_a.warehouse_id]))
    assert list(page.context["object_list"]) == [item_a]
    item_a.reorder_point = Decimal("5")
    item_a.save()
    assert len(client.get(reverse("parts:stock_list", args=[item_a.warehouse_id]), {"below_reorder_point": "1"})
               .context["object_list"]) == 1  # fmt: skip
    page = client.get(reverse("parts:stock_item", args=[item_a.pk]))
    assert [m.quantity for m in page.context["movements"]] == [Decimal("4.000")]
    for url in (
        reverse("parts:stock_list", args=[item_b.warehouse_id]),
        reverse("parts:stock_item", args=[item_b.pk]),
    ):
        assert client.get(url).status_code == 404
    response = client.post(reverse("parts:stock_receive", args=[item_b.pk]), {"quantity": "1", "unit_cost": "1"})
    assert response.status_code == 404
    assert StockMovement.objects.filter(item=item_b).count() == 1


def test_ledger_newest_first_and_paginated(dealer_a, parts):
    item = stock(dealer_a, parts["new"], "1")
    for _ in range(26):
        stock(dealer_a, parts["new"], "1")
    page = client_for(clerk(dealer_a)).get(reverse("parts:stock_item", args=[item.pk]))
    movements = list(page.context["movements"])
    assert len(movements) == 25 and movements[0].on_hand_after == Decimal("27")
    second = client_for(clerk(dealer_a)).get(reverse("parts:stock_item", args=[item.pk]), {"page": 2})
    assert [m.on_hand_after for m in second.context["movements"]] == [Decimal("2"), Decimal("1")]


def test_receive_and_adjust_forms(dealer_a, parts):
    item = stock(dealer_a, parts["new"], "2", "30")
    client = client_for(clerk(dealer_a))
    response = client.post(reverse("parts:stock_receive", args=[item.pk]), {"quantity": "2", "unit_cost": "40"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.on_hand, item.average_cost) == (Decimal("4"), Decimal("35"))
    response = client.post(reverse("parts:stock_adjust", args=[item.pk]), {"quantity": "-1", "kind": "adjustment"})
    assert response.status_code == 400
    assert "Say why the stock is adjusted." in response.content.decode()
    response = client.post(
        reverse("parts:stock_adjust", args=[item.pk]), {"quantity": "-9", "kind": "adjustment", "reason": "盘亏"}
    )
    assert response.status_code == 400 and "on hand" in response.content.decode()
    response = client.post(
        reverse("parts:stock_adjust", args=[item.pk]), {"quantity": "-1", "kind": "stocktake", "reason": "盘亏"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.on_hand == Decimal("3") == sum(item.movements.values_list("quantity", flat=True))


def test_advisor_sees_stock_but_cannot_post_movements(dealer_a, advisor_a, parts):
    item = stock(dealer_a, parts["new"], "2")
    client = client_for(advisor_a)
    page = client.get(reverse("parts:stock_item", args=[item.pk]))
    assert page.status_code == 200 and "receive_form" not in page.context
    response = client.post(reverse("parts:stock_receive", args=[item.pk]), {"quantity": "1", "unit_cost": "1"})
    assert response.status_code == 400 and "may not change the stock" in response.content.decode()
    assert item.movements.count() == 1


def test_import_page_reports_lines_and_imports_nothing(dealer_a):
    client = client_for(clerk(dealer_a))
    assert client.get(reverse("parts:catalogue_import")).status_code == 200
    rows = [HEADER_ZH, ["A1", "甲", "", "", "", "", "", "", ""], ["", "乙", "", "", "", "", "", "", ""]]
    response = client.post(reverse("parts:catalogue_import"), {"file": csv_upload(rows), "dealer": dealer_a.pk})
    assert response.status_code == 400
    assert [(e.line, e.message) for e in response.context["report"].errors] == [(3, "The part number is missing.")]
    response = client.post(reverse("parts:catalogue_import"), {"file": csv_upload(rows[:2]), "dealer": dealer_a.pk})
    assert response.status_code == 302


def test_advisor_cannot_import(dealer_a, advisor_a):
    assert client_for(advisor_a).get(reverse("parts:catalogue_import")).status_code == 404


def test_export_links_xlsx_and_csv(dealer_a, dealer_b, parts):
    client = client_for(clerk(dealer_a))
    xlsx = client.get(reverse("parts:catalogue_export", args=["xlsx"]), {"dealer": dealer_a.pk})
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxml")
    csv_response = client.get(reverse("parts:catalogue_export", args=["csv"]), {"dealer": dealer_a.pk})
    text = csv_response.content.decode("utf-8")
    assert text.startswith("\ufeff配件号,名称") and "06A115561C,机油滤清器新" in text and "45.00" in text
    assert client.get(reverse("parts:catalogue_export", args=["csv"]), {"dealer": dealer_b.pk}).status_code == 404
    assert client.get(reverse("parts:catalogue_export", args=["pdf"])).status_code == 404
