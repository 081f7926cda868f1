"""The cash desk's rules: amounts due per payer, payments, deposits, change, refunds, voids, 发票 and the delivery
guard (REPAIRS_HOOKS["delivering"])."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.choices import Role
from cashiering import selectors, services
from cashiering.choices import InvoiceType, PaymentKind, PaymentMethod
from cashiering.models import DeliveryException, Invoice, Payment
from cashiering.tests.factories import CUSTOMER_TOTAL, cashier_of, order_at, pay
from core.tests.factories import staff_user
from core.tests.helpers import assert_refused, snapshot
from repairs import services as ro
from repairs.choices import LineKind, Payer
from repairs.choices import PaymentMethod as SettlementMethod
from repairs.choices import RepairOrderStatus as S
from repairs.models import RepairOrder, Settlement

D = Decimal
TABLES = (Payment, Invoice, DeliveryException, Settlement, RepairOrder)


def unchanged():
    return snapshot(*TABLES)


def deliver(order, method=SettlementMethod.NONE, by=None):
    order = RepairOrder.objects.get(pk=order.pk)
    return ro.repair_order_deliver(
        order=order, by=by or order.advisor, version=order.version, payment_method=method, work_explained=True
    )


def test_the_amount_due_per_payer_is_the_orders_invoice_then_the_settlements(dealer_a):
    order = order_at(dealer_a)
    balance = selectors.order_balance(order)
    assert [(b.payer, b.due, b.received, b.outstanding) for b in balance.rows] == [
        (Payer.CUSTOMER, CUSTOMER_TOTAL, D("0.00"), CUSTOMER_TOTAL)
    ]
    assert not balance.frozen and not balance.may_leave
    pay(order, "779.70")
    settlement = deliver(order)
    balance = selectors.order_balance(RepairOrder.objects.get(pk=order.pk))
    assert balance.frozen and balance.customer.due == settlement.customer_total == CUSTOMER_TOTAL
    assert (balance.customer.received, balance.customer.outstanding) == (CUSTOMER_TOTAL, D("0.00"))


def test_a_deposit_before_the_estimate_then_the_rest_settle_the_customer_part(dealer_a):
    order = order_at(dealer_a, S.CHECKED_IN)
    # No estimate approved yet: a deposit is not held to the amount due (800 > the 779.70 being estimated).
    deposit = pay(order, "800.00", PaymentMethod.CASH, PaymentKind.DEPOSIT, tendered=D("1000"))
    assert (deposit.tendered, deposit.change_given) == (D("1000.00"), D("200.00"))
    assert deposit.receipt_number.startswith(f"RC-{dealer_a.code}-") and deposit.receipt_number.endswith("-00001")
    order = order_at(dealer_a)  # another car, approved and ready: 779.70 due
    pay(order, "300.00", PaymentMethod.CASH, PaymentKind.DEPOSIT)
    rest = pay(order, "479.70", PaymentMethod.ALIPAY, reference="2026112022001")
    assert rest.receipt_number.endswith("-00003")
    balance = selectors.order_balance(order).customer
    assert (balance.received, balance.deposits, balance.outstanding) == (CUSTOMER_TOTAL, D("300.00"), D("0.00"))


@pytest.mark.parametrize(
    ("amount", "fields", "errors"),
    [
        ("779.71", {}, {"amount": ["Only 779.70 is open for the Customer: 779.71 would overpay."]}),
        ("0", {}, {"amount": ["The amount must be more than zero."]}),
        ("-5", {}, {"amount": ["The amount must be more than zero."]}),
        ("10.005", {}, {"amount": ["At most two decimal places (fen)."]}),
        ("100", {"method": "bitcoin"}, {"method": ["Choose how the money was paid."]}),
        ("100", {"method": PaymentMethod.CASH, "tendered": D("50")},
         {"tendered": ["The customer gave less than the amount."]}),
        ("100", {"method": PaymentMethod.CARD, "tendered": D("200")},
         {"tendered": ["Only cash taken is tendered (and given change)."]}),
        ("100", {"payer": Payer.INSURANCE}, {"amount": ["Nothing is open for the Insurance on this order."]}),
        ("100", {"kind": PaymentKind.DEPOSIT, "payer": Payer.WARRANTY},
         {"payer": ["Only the customer pays a deposit."]}),
        ("100", {"kind": PaymentKind.REFUND},
         {"amount": ["Only 0.00 was received from the Customer: a refund cannot be more."]}),
    ],
)  # fmt: skip
def test_bad_payments_are_refused_with_the_field_and_change_nothing(dealer_a, amount, fields, errors):
    order = order_at(dealer_a)
    data = {"method": PaymentMethod.WECHAT_PAY, **fields}
    error = assert_refused(
        ValidationError,
        lambda: services.payment_take(order=order, by=cashier_of(dealer_a), amount=amount, **data),
        state=unchanged,
    )
    assert error.message_dict == errors


def test_a_second_payment_cannot_overpay_what_the_first_left_open(dealer_a):
    order = order_at(dealer_a)
    pay(order, "700.00")
    with pytest.raises(ValidationError) as excinfo:
        pay(order, "100.00", PaymentMethod.ALIPAY)
    assert excinfo.value.message_dict == {"amount": ["Only 79.70 is open for the Customer: 100.00 would overpay."]}
    pay(order, "79.70", PaymentMethod.ALIPAY)
    assert selectors.order_balance(order).customer.outstanding == D("0.00")


def test_only_the_cash_desk_of_the_dealer_takes_payments(dealer_a, dealer_b):
    order = order_at(dealer_a)
    for user in (
        staff_user(dealer_a, Role.SERVICE_ADVISOR),
        staff_user(dealer_a, Role.TECHNICIAN),
        cashier_of(dealer_b),
    ):
        assert_refused(PermissionDenied, lambda u=user: pay(order, "10", by=u), state=unchanged)
    assert pay(order, "10", by=staff_user(dealer_a, Role.SERVICE_MANAGER)).received_by.username.startswith(
        "service_manager"
    )


def test_a_void_keeps_the_payment_and_opens_its_amount_again(dealer_a):
    order = order_at(dealer_a)
    payment = pay(order, "779.70")
    assert_refused(ValidationError, lambda: services.payment_void(payment=payment, by=cashier_of(dealer_a), reason=" "),
                   state=unchanged)  # fmt: skip
    voided = services.payment_void(payment=payment, by=cashier_of(dealer_a), reason="扫错订单")
    assert (voided.voided_by, voided.void_reason) == (cashier_of(dealer_a), "扫错订单")
    assert Payment.objects.filter(pk=payment.pk).exists()
    assert selectors.order_balance(order).customer.outstanding == CUSTOMER_TOTAL
    assert_refused(ValidationError, lambda: services.payment_void(payment=voided, by=cashier_of(dealer_a), reason="x"),
                   state=unchanged)  # fmt: skip


def test_a_refund_pays_back_at_most_what_was_received_and_blocks_voiding_its_payment(dealer_a):
    order = order_at(dealer_a)
    payment = pay(order, "779.70", PaymentMethod.CARD)
    refund = pay(order, "100.00", PaymentMethod.CARD, PaymentKind.REFUND)
    assert selectors.order_balance(order).customer.outstanding == D("100.00")
    void_paid = lambda: services.payment_void(payment=payment, by=cashier_of(dealer_a), reason="错")  # noqa: E731
    assert_refused(ValidationError, void_paid, state=unchanged)
    services.payment_void(payment=refund, by=cashier_of(dealer_a), reason="退错")
    services.payment_void(payment=payment, by=cashier_of(dealer_a), reason="重刷")
    assert selectors.order_balance(order).customer.received == D("0.00")


# --- the delivery guard ---------------------------------------------------------------------------------------------


def test_delivery_with_a_desk_method_records_the_rest_as_a_payment_of_the_deliverer(dealer_a):
    order = order_at(dealer_a)
    pay(order, "200.00", PaymentMethod.CASH, PaymentKind.DEPOSIT)
    settlement = deliver(order, SettlementMethod.WECHAT_PAY)
    rest = Payment.objects.get(order=order, kind=PaymentKind.PAYMENT)
    assert (rest.amount, rest.method, rest.received_by, rest.note) == (
        D("579.70"), PaymentMethod.WECHAT_PAY, order.advisor, "paid at delivery",
    )  # fmt: skip
    assert settlement.payment_method == SettlementMethod.WECHAT_PAY
    assert RepairOrder.objects.get(pk=order.pk).status == S.DELIVERED


def test_nothing_left_to_pay_delivers_and_the_settlement_names_how_the_customer_paid(dealer_a):
    order = order_at(dealer_a)
    pay(order, "100.00", PaymentMethod.CASH, PaymentKind.DEPOSIT)
    pay(order, "679.70", PaymentMethod.ALIPAY)
    settlement = deliver(order, SettlementMethod.NONE)
    assert settlement.payment_method == SettlementMethod.ALIPAY
    assert Payment.objects.filter(order=order).count() == 2


def test_an_unpaid_car_does_not_leave_without_an_exception(dealer_a):
    order = order_at(dealer_a)
    error = assert_refused(ValidationError, lambda: deliver(order), state=unchanged)
    assert error.message_dict == {"payment_method": ["The customer pays 779.70: choose how."]}
    pay(order, "500.00")
    error = assert_refused(ValidationError, lambda: deliver(order), state=unchanged)
    assert error.message_dict == {"payment_method": ["The customer still owes 279.70: choose how they pay it."]}


def test_the_service_manager_lets_a_car_go_unpaid_with_the_amount_open(dealer_a):
    order = order_at(dealer_a)
    pay(order, "500.00")
    assert_refused(PermissionDenied, lambda: services.delivery_exception_authorise(
        order=order, by=cashier_of(dealer_a), reason="老客户月结"), state=unchanged)  # fmt: skip
    manager = staff_user(dealer_a, Role.SERVICE_MANAGER)
    exception = services.delivery_exception_authorise(order=order, by=manager, reason="车队客户月结")
    assert (exception.amount_open, exception.authorised_by) == (D("279.70"), manager)
    deliver(order)
    assert RepairOrder.objects.get(pk=order.pk).status == S.DELIVERED
    assert [b.order for b in selectors.delivered_with_amount_open(user=manager)] == [order]
    # The customer comes back and pays: the order leaves the list of amounts open.
    pay(order, "279.70", PaymentMethod.TRANSFER, reference="BK20261120")
    assert selectors.delivered_with_amount_open(user=manager) == []


def test_an_exception_covers_only_the_amount_it_was_given_for(dealer_a):
    order = order_at(dealer_a, S.IN_REPAIR)
    manager = staff_user(dealer_a, Role.SERVICE_MANAGER)
    services.delivery_exception_authorise(order=order, by=manager, reason="客户出差")
    ro.addition_raise(order=order, by=order.advisor, description="雨刮片", reason="老化", lines=[
        {"kind": LineKind.PART, "description": "雨刮片", "quantity": D("1"), "unit_price": D("100.00")}])  # fmt: skip
    addition = order.additions.get()
    ro.addition_contact(addition=addition, by=order.advisor)
    addition.refresh_from_db()
    ro.addition_decide(addition=addition, by=order.advisor, version=addition.version, approved=True,
                       decision_method="phone", decided_by_customer="张三")  # fmt: skip
    from repairs.tests.factories import advance_order, staff_for

    order = advance_order(RepairOrder.objects.get(pk=order.pk), order.advisor, S.READY, staff=staff_for(dealer_a))
    error = assert_refused(ValidationError, lambda: deliver(order), state=unchanged)
    assert error.message_dict == {"payment_method": [
        "The customer owes 892.70 but the delivery exception covers 779.70: choose how they pay, or ask the service "
        "manager again."]}  # fmt: skip


def test_an_overpaid_customer_is_refunded_before_the_car_leaves(dealer_a):
    order = order_at(dealer_a, S.CHECKED_IN)
    pay(order, "1000.00", PaymentMethod.CASH, PaymentKind.DEPOSIT)
    from repairs.tests.factories import advance_order, fill_estimate, staff_for

    order = advance_order(fill_estimate(order, order.advisor), order.advisor, S.READY, staff=staff_for(dealer_a))
    error = assert_refused(ValidationError, lambda: deliver(order, SettlementMethod.CASH), state=unchanged)
    assert error.message_dict == {
        "payment_method": ["The customer paid 220.30 more than they owe: refund it at the cash desk first."]
    }
    pay(order, "220.30", PaymentMethod.CASH, PaymentKind.REFUND)
    assert deliver(order).payment_method == SettlementMethod.CASH


def test_a_warranty_only_visit_leaves_with_nothing_to_pay(dealer_a):
    order = order_at(dealer_a, S.CHECKED_IN)
    ro.repair_order_add_line(order=order, by=order.advisor, kind=LineKind.LABOUR, description="更换水泵",
                             quantity=D("2"), payer=Payer.WARRANTY)  # fmt: skip
    from repairs.tests.factories import advance_order, staff_for

    order = ro.repair_order_update_estimate(order=order, by=order.advisor, version=order.version, diagnosis="保修")
    order = advance_order(order, order.advisor, S.READY, staff=staff_for(dealer_a))
    assert deliver(order).payment_method == SettlementMethod.NONE
    assert not Payment.objects.filter(order=order).exists()


# --- 发票 -----------------------------------------------------------------------------------------------------------


def issue(order, **fields):
    data = {"invoice_type": InvoiceType.E_ORDINARY, "number": "26442000000012345678", "amount": CUSTOMER_TOTAL,
            "buyer_name": "张三", **fields}  # fmt: skip
    return services.invoice_issue(order=order, by=cashier_of(order.dealer), **data)


def test_an_invoice_is_recorded_for_what_the_payer_owes(dealer_a):
    order = order_at(dealer_a)
    invoice = issue(order)
    assert (invoice.number, invoice.issued_by, invoice.amount) == ("26442000000012345678", cashier_of(dealer_a),
                                                                   CUSTOMER_TOTAL)  # fmt: skip
    assert selectors.order_balance(order).customer.uninvoiced == D("0.00")


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"number": "1234"},
         {"number": ["An invoice number has 8 digits (with the invoice code) or 20 (fully digital)."]}),
        ({"number": "12345678"}, {"code": ["An 8-digit invoice number goes with its invoice code."]}),
        ({"number": "12345678", "code": "123"}, {"code": ["An invoice code has 10 or 12 digits."]}),
        ({"invoice_type": InvoiceType.VAT_SPECIAL, "buyer_name": "广州某某物流有限公司"},
         {"buyer_tax_id": ["A special VAT invoice needs the buyer's taxpayer id."]}),
        ({"buyer_tax_id": "91440101-XX"}, {"buyer_tax_id": ["A taxpayer id has 15, 18 or 20 letters and digits."]}),
        ({"buyer_name": ""}, {"buyer_name": ["Name the buyer as printed on the invoice."]}),
        ({"amount": D("779.71")}, {"amount": ["Only 779.70 of the Customer's part is not invoiced yet."]}),
        ({"invoice_type": "receipt"}, {"invoice_type": ["Choose the invoice type."]}),
    ],
)  # fmt: skip
def test_bad_invoices_are_refused_with_the_field(dealer_a, fields, errors):
    order = order_at(dealer_a)
    error = assert_refused(ValidationError, lambda: issue(order, **fields), state=unchanged)
    assert error.message_dict == errors


def test_a_special_invoice_with_the_tax_id_and_no_number_twice(dealer_a):
    order = order_at(dealer_a)
    special = {"invoice_type": InvoiceType.VAT_SPECIAL, "number": "00012345", "code": "4400231130"}
    invoice = issue(
        order, **special, buyer_name="广州某某物流有限公司", buyer_tax_id="91440101ma5cxxxx1x", amount=D("500")
    )
    assert invoice.buyer_tax_id == "91440101MA5CXXXX1X"
    again = lambda: issue(order, **special, buyer_name="x", buyer_tax_id="91440101MA5CXXXX1X", amount=D("1"))  # noqa: E731
    error = assert_refused(ValidationError, again, state=unchanged)
    assert error.message_dict == {"number": [f"This invoice is already recorded (repair order {order.number})."]}
    services.invoice_void(invoice=invoice, by=cashier_of(dealer_a), reason="抬头错误")
    assert selectors.order_balance(order).customer.invoiced == D("0.00")


# --- the day's cash report ----------------------------------------------------------------------------------------


def test_the_cash_report_totals_a_cashiers_day_by_method(dealer_a, django_assert_max_num_queries):
    from django.utils import timezone

    cashier = cashier_of(dealer_a)
    first, second = order_at(dealer_a), order_at(dealer_a)
    pay(first, "300.00", PaymentMethod.CASH, PaymentKind.DEPOSIT, tendered=D("400"))
    pay(first, "479.70", PaymentMethod.WECHAT_PAY)
    wrong = pay(second, "779.70", PaymentMethod.ALIPAY)
    services.payment_void(payment=wrong, by=cashier, reason="重复扫码")
    pay(second, "779.70", PaymentMethod.CARD)
    pay(second, "20.00", PaymentMethod.CASH, PaymentKind.REFUND)
    pay(second, "5.00", PaymentMethod.CASH, by=staff_user(dealer_a, Role.SERVICE_MANAGER))  # another cashier
    with django_assert_max_num_queries(3):
        report = selectors.cash_report(user=cashier, day=timezone.localdate(), dealer=dealer_a, cashier=cashier)
    assert [(m.method, m.received, m.refunded, m.net, m.count) for m in report.methods] == [
        (PaymentMethod.CASH, D("300.00"), D("20.00"), D("280.00"), 2),
        (PaymentMethod.CARD, D("779.70"), D("0.00"), D("779.70"), 1),
        (PaymentMethod.WECHAT_PAY, D("479.70"), D("0.00"), D("479.70"), 1),
    ]
    assert (report.deposit_count, report.deposits_total, report.payment_count, report.payments_total) == (
        1, D("300.00"), 2, D("1259.40"))  # fmt: skip
    assert (report.refund_count, report.refunds_total, report.void_count, report.voids_total) == (
        1, D("20.00"), 1, D("779.70"))  # fmt: skip
    assert (report.cash_in_drawer, report.net) == (D("280.00"), D("1539.40"))
    everyone = selectors.cash_report(user=cashier, day=timezone.localdate(), dealer=dealer_a)
    assert everyone.net == D("1544.40")
