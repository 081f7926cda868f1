"""The demo's cash desk (the shared small demo: conftest's ``demo_dataset``): every settlement paid, realistic
methods, deposits and 发票, a demo day's cash report."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Count

from accounts.models import User
from cashiering import selectors
from cashiering.choices import Payer, PaymentKind, PaymentMethod
from cashiering.models import Invoice, Payment
from organization.models import Dealer
from repairs.models import Settlement

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(demo_dataset, django_db_blocker):
    with django_db_blocker.unblock():
        return list(Dealer.objects.order_by("code"))


def test_every_demo_settlement_is_paid_by_the_customer(demo):
    cashier = User.objects.get(username="cashier1")
    unpaid = []
    settlements = Settlement.objects.filter(customer_total__gt=0).select_related("order")
    orders = [s.order for s in settlements]
    for balance in selectors.balances(orders):
        if balance.customer.outstanding != 0:
            unpaid.append((balance.order.number, balance.customer.due, balance.customer.received))
    assert orders and unpaid == []
    assert cashier.dealer_memberships.get().dealer.code == "GZ01"


def test_demo_methods_deposits_voids_and_invoices_look_like_a_dealership(demo):
    payments = Payment.objects.filter(payer=Payer.CUSTOMER, voided_at__isnull=True)
    methods = Counter(payments.values_list("method", flat=True))
    total = sum(methods.values())
    assert (methods[PaymentMethod.WECHAT_PAY] + methods[PaymentMethod.ALIPAY]) / total > 0.5
    assert methods.most_common(1)[0][0] in (PaymentMethod.WECHAT_PAY, PaymentMethod.ALIPAY)
    deposits = payments.filter(kind=PaymentKind.DEPOSIT).count()
    assert 0.05 < deposits / Settlement.objects.filter(customer_total__gt=0).count() < 0.3
    assert not Payment.objects.filter(voided_at__isnull=False, void_reason="").exists()
    assert not Payment.objects.filter(voided_at__isnull=False, voided_by__isnull=True).exists()
    assert not Payment.objects.values("dealer", "receipt_number").annotate(n=Count("id")).filter(n__gt=1).exists()
    cash = payments.filter(method=PaymentMethod.CASH)
    assert cash.exists() and not cash.filter(tendered__lt=Decimal("0")).exists()
    assert all(p.tendered - p.amount == p.change_given for p in cash[:200])
    assert Invoice.objects.count() > 0.8 * Settlement.objects.filter(customer_total__gt=0).count()


def test_a_demo_day_has_a_cash_report(demo):
    from core.dates import local_date

    gz01 = Dealer.objects.get(code="GZ01")
    cashier = User.objects.get(username="cashier1")
    # The busiest day of the last demo week: several payments, by more than one method.
    taken = Payment.objects.filter(dealer=gz01, received_by=cashier).values_list("received_at", flat=True)
    days = Counter(local_date(moment) for moment in taken if local_date(moment) >= date(2026, 10, 24))
    day, count = days.most_common(1)[0]
    report = selectors.cash_report(user=cashier, day=day, dealer=gz01, cashier=cashier)
    rows = [p for p in Payment.objects.filter(dealer=gz01, received_by=cashier) if local_date(p.received_at) == day]
    kept = [p for p in rows if not p.voided]
    assert count >= 3 and len(report.methods) >= 2
    assert report.net == sum(p.signed_amount for p in kept)
    assert report.payment_count + report.deposit_count + report.refund_count == len(kept)
    assert report.void_count == len(rows) - len(kept)
    assert sum(m.net for m in report.methods) == report.net
