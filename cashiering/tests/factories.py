"""Helpers of the cash desk's tests: orders at a status through the real services, payments through the desk."""

from __future__ import annotations

from decimal import Decimal

from accounts.choices import Role
from cashiering import services
from cashiering.choices import PaymentKind, PaymentMethod
from cashiering.models import Payment
from core.tests.factories import CustomerFactory, VehicleFactory, staff_user
from organization.models import Dealer
from repairs.choices import RepairOrderStatus as S
from repairs.models import RepairOrder
from repairs.tests.factories import make_order, staff_for

D = Decimal
CUSTOMER_TOTAL = D("779.70")  # make_order's estimate: (1.50 h × 180.00 + 420.00) × 1.13


def order_at(dealer: Dealer, status: str = S.READY) -> RepairOrder:
    """A repair order of a new car of the dealer taken through the services to ``status`` (779.70 for the
    customer from approval on)."""
    vehicle = VehicleFactory(owner=CustomerFactory(dealer=dealer), dealer=dealer)
    advisor = staff_user(dealer, Role.SERVICE_ADVISOR)
    return make_order(vehicle, advisor, status, staff=staff_for(dealer))


def cashier_of(dealer: Dealer):
    return staff_user(dealer, Role.CASHIER)


def pay(order: RepairOrder, amount, method=PaymentMethod.WECHAT_PAY, kind=PaymentKind.PAYMENT, by=None, **fields
        ) -> Payment:  # fmt: skip
    return services.payment_take(
        order=order, by=by or cashier_of(order.dealer), amount=D(amount), method=method, kind=kind, **fields
    )
