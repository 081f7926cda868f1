"""The cash desk's pages: the queue, an order's page and its forms, the receipt, the cash report and its Excel."""

from decimal import Decimal
from io import BytesIO

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.choices import Role
from cashiering.choices import PaymentKind, PaymentMethod
from cashiering.models import DeliveryException, Invoice, Payment
from cashiering.tests.factories import cashier_of, order_at, pay
from core.navigation import nav_for
from core.tests.factories import staff_user
from core.tests.helpers import login, snapshot

D = Decimal


def test_the_cashier_sees_the_cash_desk_in_the_menu_and_as_home_the_advisor_does_not(dealer_a):
    cashier, advisor = cashier_of(dealer_a), staff_user(dealer_a, Role.SERVICE_ADVISOR)
    queue = reverse("cashiering:queue")
    assert queue in [item["url"] for item in nav_for(cashier)]
    assert queue in [item["url"] for item in nav_for(staff_user(dealer_a, Role.SERVICE_MANAGER))]
    assert queue not in [item["url"] for item in nav_for(advisor)]
    assert queue not in [item["url"] for item in nav_for(staff_user(dealer_a, Role.TECHNICIAN))]
    home = login(cashier).get(reverse("dashboards:home"))
    assert b'id="ready"' in home.content
    assert login(staff_user(dealer_a, Role.TECHNICIAN)).get(queue).status_code == 404


def test_the_queue_lists_ready_cars_with_what_is_open_and_todays_payments(dealer_a, dealer_b):
    ready = [order_at(dealer_a) for _ in range(3)]
    pay(ready[0], "779.70", PaymentMethod.WECHAT_PAY)
    pay(ready[1], "100.00", PaymentMethod.CASH, PaymentKind.DEPOSIT)
    order_at(dealer_b)
    client = login(cashier_of(dealer_a))
    client.get(reverse("cashiering:queue"))  # the session and the process's one-time caches
    with CaptureQueriesContext(connection) as three:
        page = client.get(reverse("cashiering:queue"))
    html = page.content.decode()
    assert page.status_code == 200
    for order in ready:
        assert f'id="ready-{order.pk}"' in html
    assert html.count('id="ready-') == 3  # not dealer B's
    assert html.count('class="badge ok">may leave') == 1
    assert html.count('id="payment-') == 2
    # More cars and payments, the same queries: no query per order or payment.
    more = [order_at(dealer_a) for _ in range(3)]
    pay(more[0], "10.00", PaymentMethod.ALIPAY)
    with CaptureQueriesContext(connection) as six:
        html = client.get(reverse("cashiering:queue")).content.decode()
    assert html.count('id="ready-') == 6
    assert len(six.captured_queries) == len(three.captured_queries)


def test_taking_a_cash_payment_on_the_order_page_gives_the_change(dealer_a):
    order = order_at(dealer_a)
    client = login(cashier_of(dealer_a))
    page = client.get(reverse("cashiering:order", args=[order.pk]))
    assert page.status_code == 200 and b"779.70" in page.content
    url = reverse("cashiering:payment_take", args=[order.pk])
    form = {"pay-kind": "payment", "pay-payer": "customer", "pay-method": "cash", "pay-amount": "779.70"}
    refused = client.post(url, {**form, "pay-tendered": "700"})
    assert refused.status_code == 400 and b"The customer gave less than the amount." in refused.content
    assert not Payment.objects.exists()
    done = client.post(url, {**form, "pay-tendered": "1000"}, follow=True)
    payment = Payment.objects.get()
    assert (payment.change_given, payment.received_by) == (D("220.30"), cashier_of(dealer_a))
    assert f"Receipt {payment.receipt_number}: 779.70 received, change 220.30.".encode() in done.content
    receipt = client.get(reverse("cashiering:receipt", args=[payment.pk]))
    assert payment.receipt_number.encode() in receipt.content and b"220.30" in receipt.content


def test_an_advisor_reads_the_cash_page_but_cannot_take_money(dealer_a):
    order = order_at(dealer_a)
    client = login(staff_user(dealer_a, Role.SERVICE_ADVISOR))
    page = client.get(reverse("cashiering:order", args=[order.pk]))
    assert page.status_code == 200 and b'id="take-payment"' not in page.content
    before = snapshot(Payment)
    form = {"pay-kind": "payment", "pay-payer": "customer", "pay-method": "cash", "pay-amount": "1"}
    response = client.post(reverse("cashiering:payment_take", args=[order.pk]), form)
    assert response.status_code == 404 and snapshot(Payment) == before
    # The RO page shows the payments box with what is open.
    ro_page = client.get(order.get_absolute_url())
    assert b'id="ro-payments"' in ro_page.content and b"<strong>779.70</strong>" in ro_page.content


def test_another_dealers_order_is_a_404_on_every_cash_page(dealer_a, dealer_b):
    order = order_at(dealer_b)
    payment = pay(order, "10")
    client = login(cashier_of(dealer_a))
    for url in (reverse("cashiering:order", args=[order.pk]), reverse("cashiering:receipt", args=[payment.pk])):
        assert client.get(url).status_code == 404
    before = snapshot(Payment, Invoice, DeliveryException)
    assert client.post(reverse("cashiering:payment_void", args=[payment.pk]), {"reason": "x"}).status_code == 404
    assert client.post(reverse("cashiering:delivery_exception", args=[order.pk]), {"reason": "x"}).status_code == 404
    assert snapshot(Payment, Invoice, DeliveryException) == before


def test_invoice_void_and_exception_forms(dealer_a):
    order = order_at(dealer_a)
    cashier, manager = login(cashier_of(dealer_a)), login(staff_user(dealer_a, Role.SERVICE_MANAGER))
    url = reverse("cashiering:invoice_issue", args=[order.pk])
    invoice = {"invoice-invoice_type": "vat_special", "invoice-payer": "customer",
               "invoice-number": "26442000000012345678", "invoice-amount": "779.70",
               "invoice-buyer_name": "广州某物流有限公司"}  # fmt: skip
    refused = cashier.post(url, invoice)
    assert (
        refused.status_code == 400 and b"A special VAT invoice needs the buyer&#x27;s taxpayer id." in refused.content
    )
    cashier.post(url, {**invoice, "invoice-buyer_tax_id": "91440101MA5CXXXX1X"})
    assert Invoice.objects.get().buyer_tax_id == "91440101MA5CXXXX1X"
    payment = pay(order, "500")
    cashier.post(reverse("cashiering:payment_void", args=[payment.pk]), {"reason": "刷错"})
    assert Payment.objects.get().void_reason == "刷错"
    assert b'id="delivery-exception"' not in cashier.get(reverse("cashiering:order", args=[order.pk])).content
    manager.post(reverse("cashiering:delivery_exception", args=[order.pk]), {"reason": "月结客户"})
    assert DeliveryException.objects.get().amount_open == D("779.70")


def test_the_cash_report_and_its_excel(dealer_a):
    cashier = cashier_of(dealer_a)
    pay(order_at(dealer_a), "779.70", PaymentMethod.ALIPAY)
    pay(order_at(dealer_a), "200.00", PaymentMethod.CASH, PaymentKind.DEPOSIT)
    client = login(cashier)
    query = {"day": timezone.localdate().isoformat(), "cashier": cashier.pk, "dealer": dealer_a.pk}
    page = client.get(reverse("cashiering:report"), query)
    html = page.content.decode()
    assert page.status_code == 200, html
    assert 'id="net-total"><strong>979.70</strong>' in html and 'id="deposits">1 · 200.00' in html
    assert f'value="{timezone.localdate().isoformat()}"' in html  # an ISO date in the date input
    workbook = load_workbook(BytesIO(client.get(reverse("cashiering:report_export"), query).content))
    summary = list(workbook.worksheets[0].values)
    assert summary[1:3] == [("Cash", 200, 0, 200, 1), ("Alipay", 779.7, 0, 779.7, 1)]
    assert len(list(workbook.worksheets[1].values)) == 3  # header + two payments
    assert client.get(reverse("cashiering:report"), {"day": "2026-13-01"}).status_code == 400
    assert login(staff_user(dealer_a, Role.TECHNICIAN)).get(reverse("cashiering:report")).status_code == 404


def test_the_pages_read_in_chinese_by_default(dealer_a):
    order = order_at(dealer_a)
    page = login(cashier_of(dealer_a), language=None).get(reverse("cashiering:order", args=[order.pk]))
    html = page.content.decode()
    assert 'lang="zh-hans"' in html and '<option value="cash">现金</option>' in html
