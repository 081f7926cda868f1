"""The cash desk's API beyond the generic checks: 400s with field errors, overpayment, voids, scope."""

from decimal import Decimal

from accounts.choices import Role
from cashiering.models import Payment
from cashiering.tests.factories import cashier_of, order_at, pay
from core.tests.factories import staff_user
from core.tests.helpers import snapshot

URL = "/api/v1/payments/"


def test_a_payment_by_api_gets_a_receipt_and_the_change(dealer_a, api_en):
    order = order_at(dealer_a)
    api = api_en(cashier_of(dealer_a))
    response = api.post(
        URL, {"order": order.pk, "method": "cash", "amount": "779.70", "tendered": "800"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["amount"], body["tendered"], body["change_given"], body["received_by"]) == (
        "779.70", "800.00", "20.30", str(cashier_of(dealer_a)))  # fmt: skip
    assert body["receipt_number"].startswith(f"RC-{dealer_a.code}-")


def test_bad_input_is_a_400_with_field_errors_and_changes_nothing(dealer_a, api_en):
    order = order_at(dealer_a)
    api = api_en(cashier_of(dealer_a))
    before = snapshot(Payment)
    cases = [
        ({"order": order.pk, "method": "alipay", "amount": "900.00"},
         {"amount": ["Only 779.70 is open for the Customer: 900.00 would overpay."]}),
        ({"order": order.pk, "method": "bitcoin", "amount": "1"}, {"method": ['"bitcoin" is not a valid choice.']}),
        ({"order": order.pk, "method": "cash", "amount": "-1"},
         {"amount": ["Ensure this value is greater than or equal to 0.01."]}),
        ({"order": order.pk, "method": "card", "amount": "10", "tendered": "20"},
         {"tendered": ["Only cash taken is tendered (and given change)."]}),
        ({"order": 999999, "method": "card", "amount": "10"},
         {"order": ['Invalid pk "999999" - object does not exist.']}),
    ]  # fmt: skip
    for payload, errors in cases:
        response = api.post(URL, payload, format="json")
        assert (response.status_code, response.json()) == (400, errors)
    assert snapshot(Payment) == before


def test_void_by_api_needs_the_reason_and_the_permission(dealer_a, dealer_b, api_en):
    payment = pay(order_at(dealer_a), "100.00")
    url = f"{URL}{payment.pk}/void/"
    assert api_en(cashier_of(dealer_a)).post(url, {}, format="json").json() == {"reason": ["This field is required."]}
    assert (
        api_en(staff_user(dealer_a, Role.SERVICE_ADVISOR)).post(url, {"reason": "x"}, format="json").status_code == 403
    )
    assert api_en(cashier_of(dealer_b)).post(url, {"reason": "x"}, format="json").status_code == 404
    assert not Payment.objects.get(pk=payment.pk).voided
    response = api_en(cashier_of(dealer_a)).post(url, {"reason": "重复"}, format="json")
    assert (response.status_code, response.json()["void_reason"]) == (200, "重复")
    assert api_en(cashier_of(dealer_a)).post(url, {"reason": "again"}, format="json").json() == {
        "non_field_errors": ["This payment is already voided."]
    }
    assert Payment.objects.get(pk=payment.pk).amount == Decimal("100.00")
