"""Suppliers: create / edit (optimistic lock), performance (on time, measured lead time, 开箱合格率, open POs),
the pages and the API, tenancy and query counts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.choices import Role
from core.services import ConflictError
from core.tests.factories import UserFactory
from core.tests.helpers import raises_because
from parts.models import GoodsReceipt, PurchaseOrder, Supplier
from parts.selectors import suppliers as supplier_selectors
from parts.services import purchasing, suppliers

pytestmark = pytest.mark.django_db
D = Decimal
API = "/api/v1/suppliers/"


def sent(warehouse, supplier, user, lines):
    po = purchasing.purchase_order_create(warehouse=warehouse, supplier=supplier, by=user)
    for part, quantity in lines:
        purchasing.purchase_order_add_line(po=po, part=part, quantity=D(quantity), unit_cost=D("10"), by=user)
    po = PurchaseOrder.objects.get(pk=po.pk)
    return purchasing.purchase_order_send(po=po, by=user, version=po.version)


def receive(po, user, entries, days_after_sent):
    po = PurchaseOrder.objects.get(pk=po.pk)
    lines = {line.part_id: line for line in po.lines.all()}
    receipt = purchasing.purchase_order_receive(
        po=po, by=user, version=po.version,
        lines=[{"po_line": lines[part.pk], "received": D(r), "damaged": D(d)} for part, r, d in entries],
    )  # fmt: skip
    GoodsReceipt.objects.filter(pk=receipt.pk).update(received_at=po.sent_at + timedelta(days=days_after_sent))
    return receipt


@pytest.fixture
def history(warehouse_a, supplier_a, buyer, oil_filter, brake_pads):
    """Supplier A (lead time 10): PO1 delivered whole and good after 4 days; PO2 first delivery 12 days late and
    damaged/short, second delivery completes it; PO3 sent, nothing arrived; a draft PO4."""
    po1 = sent(warehouse_a, supplier_a, buyer, [(oil_filter, "5")])
    receive(po1, buyer, [(oil_filter, "5", "0")], 4)
    po2 = sent(warehouse_a, supplier_a, buyer, [(oil_filter, "4"), (brake_pads, "2")])
    receive(po2, buyer, [(oil_filter, "4", "1"), (brake_pads, "1", "0")], 12)
    receive(po2, buyer, [(oil_filter, "1", "0"), (brake_pads, "1", "0")], 13)
    po3 = sent(warehouse_a, supplier_a, buyer, [(brake_pads, "3")])
    purchasing.purchase_order_create(warehouse=warehouse_a, supplier=supplier_a, by=buyer)
    return po1, po2, po3


def test_performance_of_a_supplier(supplier_a, history):
    perf = supplier_selectors.supplier_performance([supplier_a.pk])[supplier_a.pk]
    # deliveries: day 4 (on time), day 12 and day 13 (late: expected after 10 days)
    assert (perf.deliveries, perf.deliveries_with_due_date, perf.on_time) == (3, 3, 1)
    assert perf.on_time_share == D("0.3333")
    # first delivery of PO1 after 4 days, of PO2 after 12: 8 days on average
    assert perf.measured_lead_time_days == D("8.0")
    # 5 receipt lines: PO1 good; PO2 first delivery damaged + short, short; second delivery both complete
    assert (perf.receipt_lines, perf.passed_lines, perf.pass_rate) == (5, 3, D("0.6000"))
    listed = supplier_selectors.supplier_list(user=history[0].created_by).get(pk=supplier_a.pk)
    assert listed.open_orders == 2  # PO3 sent, PO4 draft


def test_a_supplier_without_deliveries_has_no_rates(supplier_a):
    perf = supplier_selectors.supplier_performance([supplier_a.pk])[supplier_a.pk]
    assert (perf.on_time_share, perf.pass_rate, perf.measured_lead_time_days) == (None, None, None)


def test_create_and_edit(dealer_a, dealer_b, buyer, buyer_b, advisor_a, supplier_a):
    supplier = suppliers.supplier_create(dealer=dealer_a, by=buyer, code=" S02 ", name="博世", lead_time_days=3)
    assert (supplier.code, supplier.version, supplier.history.count()) == ("S02", 1, 1)
    before = list(Supplier.objects.values_list("id", "code", "name", "lead_time_days", "version"))
    with pytest.raises(ValidationError) as error:
        suppliers.supplier_create(dealer=dealer_a, by=buyer, code="S01", name="重复")
    assert set(error.value.message_dict) == {"code"}
    with raises_because(ValidationError, "Give the supplier a name."):
        suppliers.supplier_create(dealer=dealer_a, by=buyer, code="S03", name=" ")
    with raises_because(ValidationError, "The lead time is between 0 and 365 days."):
        suppliers.supplier_update(supplier=supplier, by=buyer, version=1, lead_time_days=400)
    with raises_because(ValidationError, "The dealer already has a supplier with code S01."):
        suppliers.supplier_update(supplier=supplier, by=buyer, version=1, code="S01")
    for user, reason in (
        (buyer_b, "You cannot change the data of this dealer."),
        (advisor_a, "Your role may not change suppliers."),
    ):
        with raises_because(PermissionDenied, reason):
            suppliers.supplier_create(dealer=dealer_a, by=user, code="S09", name="x")
        with raises_because(PermissionDenied, reason):
            suppliers.supplier_update(supplier=supplier, by=user, version=1, name="x")
    assert list(Supplier.objects.values_list("id", "code", "name", "lead_time_days", "version")) == before

    supplier = suppliers.supplier_update(supplier=supplier, by=buyer, version=1, lead_time_days=5, phone="020-1")
    assert (supplier.lead_time_days, supplier.phone, supplier.version) == (5, "020-1", 2)
    with pytest.raises(ConflictError):
        suppliers.supplier_update(supplier=supplier, by=buyer, version=1, lead_time_days=9)
    assert Supplier.objects.get(pk=supplier.pk).lead_time_days == 5
    # a supplier of another dealer may use the same code
    assert suppliers.supplier_create(dealer=dealer_b, by=buyer_b, code="S01", name="乙店供应商").code == "S01"


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_supplier_pages(dealer_a, buyer, buyer_b, advisor_a, supplier_a, history):
    client = logged_in(buyer)
    assert 'href="/parts/suppliers/"' in client.get("/parts/purchase-orders/").content.decode()
    page = client.get("/parts/suppliers/")
    assert page.status_code == 200 and [s.pk for s, _perf in page.context["rows"]] == [supplier_a.pk]
    detail = client.get(f"/parts/suppliers/{supplier_a.pk}/")
    assert detail.status_code == 200 and "edit_form" in detail.context
    assert next(po.pk for po in detail.context["open_orders"]) == history[2].pk
    assert detail.context["performance"].pass_rate == D("0.6000")
    # The shares (0–1) show in whole percent with their counts (core.indicators.Rate via the rates filter).
    assert '<dd id="on-time">33% (1/3)</dd>' in detail.content.decode()
    assert '<dd id="pass-rate">60% (3/5)</dd>' in detail.content.decode()
    assert '33% <span class="muted">(1/3)</span>' in page.content.decode()
    assert '60% <span class="muted">(3/5)</span>' in page.content.decode()

    assert client.get("/parts/suppliers/new/").status_code == 200
    response = client.post("/parts/suppliers/new/", {"dealer": dealer_a.pk, "code": "S02", "name": "博世",
                                                      "lead_time_days": "3"})  # fmt: skip
    created = Supplier.objects.get(code="S02")
    assert response.status_code == 302 and response.url == f"/parts/suppliers/{created.pk}/"
    assert client.post("/parts/suppliers/new/", {"dealer": dealer_a.pk, "code": "S02", "name": "x",
                                                 "lead_time_days": "3"}).status_code == 400  # fmt: skip
    edit = f"/parts/suppliers/{created.pk}/edit/"
    form = {"code": "S02", "name": "博世汽配", "lead_time_days": "4", "version": "1"}
    assert client.post(edit, form).status_code == 302
    assert client.post(edit, form).status_code == 400  # version 1 is old now
    assert Supplier.objects.get(pk=created.pk).name == "博世汽配"

    other = logged_in(buyer_b)
    assert other.get(f"/parts/suppliers/{created.pk}/").status_code == 404
    assert other.post(edit, {**form, "version": "2", "name": "hijack"}).status_code == 404
    assert other.post("/parts/suppliers/new/", {"dealer": dealer_a.pk, "code": "S07", "name": "x",
                                                "lead_time_days": "3"}).status_code == 400  # fmt: skip
    assert other.get("/parts/suppliers/").context["rows"] == []
    advisor = logged_in(advisor_a)  # no supplier permission
    assert advisor.get("/parts/suppliers/").status_code == 404
    assert Supplier.objects.get(pk=created.pk).name == "博世汽配" and not Supplier.objects.filter(code="S07").exists()


def test_region_manager_reads_but_does_not_write(dealer_a, supplier_a):
    from organization.models import Region

    region = Region.objects.get(pk=dealer_a.region_id)
    manager = UserFactory(username="rm", roles=[Role.REGION_MANAGER], regions=[region])
    client = logged_in(manager)
    assert client.get(f"/parts/suppliers/{supplier_a.pk}/").status_code == 200
    assert "edit_form" not in client.get(f"/parts/suppliers/{supplier_a.pk}/").context
    assert client.post(f"/parts/suppliers/{supplier_a.pk}/edit/", {"code": "X", "name": "x", "lead_time_days": 1,
                                                                   "version": 1}).status_code == 404  # fmt: skip
    assert Supplier.objects.get(pk=supplier_a.pk).code == "S01"


def test_suppliers_api(api_en, dealer_a, buyer, buyer_b, supplier_a, history):
    api = api_en(buyer)
    body = api.get(API).json()
    assert body["count"] == 1
    row = body["results"][0]
    assert (row["code"], row["open_orders"], row["performance"]["pass_rate"]) == ("S01", 2, "0.6000")
    assert row["performance"]["on_time_share"] == "0.3333"
    created = api.post(API, {"dealer": dealer_a.pk, "code": "S02", "name": "博世"}, format="json")
    assert created.status_code == 201, created.content
    supplier = created.json()
    assert (supplier["lead_time_days"], supplier["version"]) == (7, 1)
    duplicate = api.post(API, {"dealer": dealer_a.pk, "code": "S02", "name": "x"}, format="json")
    assert duplicate.status_code == 400 and "code" in duplicate.json()
    url = f"{API}{supplier['id']}/"
    changed = api.patch(url, {"lead_time_days": 3, "version": 1}, format="json")
    assert changed.status_code == 200 and changed.json()["version"] == 2
    assert api.patch(url, {"lead_time_days": 4, "version": 1}, format="json").status_code == 409
    assert api.patch(url, {"lead_time_days": -1, "version": 2}, format="json").status_code == 400
    assert api.put(url, {"lead_time_days": 4, "version": 2}, format="json").status_code == 405

    other = api_en(buyer_b)
    assert other.get(API).json()["count"] == 0
    assert other.get(url).status_code == 404
    assert other.patch(url, {"name": "x", "version": 2}, format="json").status_code == 404
    assert other.post(API, {"dealer": dealer_a.pk, "code": "S09", "name": "x"}, format="json").status_code == 400
    assert Supplier.objects.get(pk=supplier["id"]).lead_time_days == 3 and not Supplier.objects.filter(code="S09")


def add_suppliers(dealer, warehouse, user, part, count):
    start = Supplier.objects.count()
    for i in range(count):
        supplier = Supplier.objects.create(dealer=dealer, code=f"Q{start + i:03d}", name=f"供应商{i}")
        po = sent(warehouse, supplier, user, [(part, "2")])
        receive(po, user, [(part, "1", "0")], 2)


def count_queries(request) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = request()
    assert response.status_code == 200
    return len(queries)


def test_list_page_and_api_queries_do_not_grow(dealer_a, warehouse_a, buyer, oil_filter, api_as):
    client, api = logged_in(buyer), api_as(buyer)
    add_suppliers(dealer_a, warehouse_a, buyer, oil_filter, 1)
    page, listed = count_queries(lambda: client.get("/parts/suppliers/")), count_queries(lambda: api.get(API))
    add_suppliers(dealer_a, warehouse_a, buyer, oil_filter, 6)
    assert count_queries(lambda: client.get("/parts/suppliers/")) == page
    assert count_queries(lambda: api.get(API)) == listed
