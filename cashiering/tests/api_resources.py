"""The cash desk's API endpoints for the generic API tests (core/tests/test_api_resources.py)."""

from accounts.choices import Role
from cashiering.choices import InvoiceType, PaymentMethod
from cashiering.models import DeliveryException
from cashiering.tests.factories import CUSTOMER_TOTAL, cashier_of, order_at, pay
from core.tests.api_kit import ApiResource, role, serial
from repairs.models import RepairOrder


def invoice_of(dealer):
    from cashiering import services

    order = order_at(dealer)
    return services.invoice_issue(
        order=order, by=cashier_of(dealer), invoice_type=InvoiceType.E_ORDINARY, number=f"{next(serial):020d}",
        amount=CUSTOMER_TOTAL, buyer_name="张三",
    )  # fmt: skip


RESOURCES = [
    # The void actions, 400s with field errors and overpayment: cashiering/tests/test_api.py.
    ApiResource(
        basename="payment",
        make=lambda dealer: pay(order_at(dealer), "100.00"),
        reader=role(Role.CASHIER),
        writer=role(Role.CASHIER),
        create=lambda dealer: {"order": order_at(dealer).pk, "method": PaymentMethod.ALIPAY, "amount": "779.70"},
        dealer_field="order",
        refused_writes_change=(RepairOrder, DeliveryException),
    ),
    ApiResource(
        basename="invoice",
        make=invoice_of,
        reader=role(Role.CASHIER),
        writer=role(Role.CASHIER),
        create=lambda dealer: {
            "order": order_at(dealer).pk,
            "invoice_type": InvoiceType.E_ORDINARY,
            "number": f"{next(serial):020d}",
            "amount": "779.70",
            "buyer_name": "李四",
        },
        dealer_field="order",
    ),
]
