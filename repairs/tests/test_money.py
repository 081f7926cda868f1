"""Tests of the money of a repair order: repairs.money (pure) and the discount / approval services that use it."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.choices import Role
from core.tests.factories import UserFactory
from repairs import services
from repairs.choices import LineKind, Payer, PricingMode
from repairs.choices import RepairOrderStatus as S
from repairs.models import RepairOrder
from repairs.money import CENT, OrderTotals, PayerTotal, line_amount, money, order_totals
from repairs.tests.factories import fill_estimate, make_order, order_snapshot, staff_for

D = Decimal
VAT = D("0.13")
HYPOTHESIS = settings(max_examples=150, deadline=None)


def line(kind: str, quantity, unit_price, payer: str = Payer.CUSTOMER) -> SimpleNamespace:
    return SimpleNamespace(kind=kind, quantity=D(str(quantity)), unit_price=D(str(unit_price)), payer=payer)


def labour(hours, rate, payer: str = Payer.CUSTOMER) -> SimpleNamespace:
    return line(LineKind.LABOUR, hours, rate, payer)


def part(quantity, price, payer: str = Payer.CUSTOMER) -> SimpleNamespace:
    return line(LineKind.PART, quantity, price, payer)


def sundry(amount, payer: str = Payer.CUSTOMER) -> SimpleNamespace:
    return line(LineKind.SUNDRY, 1, amount, payer)


# --- rounding -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quantity", "unit_price", "amount"),
    [
        ("1.25", "181.10", "226.38"),  # 226.375: half up, not to even
        ("0.5", "0.01", "0.01"),  # 0.005
        ("0.5", "0.03", "0.02"),  # 0.015
        ("1", "2.675", "2.68"),  # exact in Decimal, 2.67 in binary floats
        ("3", "33.333", "100.00"),  # 99.999
        ("1.5", "180.00", "270.00"),
        ("0.01", "0.00", "0.00"),
    ],
)
def test_line_amount_rounds_half_up_to_the_fen(quantity, unit_price, amount):
    result = line_amount(D(quantity), D(unit_price))
    assert result == D(amount)
    assert result.as_tuple().exponent == -2


def test_money_rounds_half_up():
    assert [money(D(v)) for v in ("0.004", "0.005", "1.115", "2.5", "-0.005")] == [
        D("0.00"),
        D("0.01"),
        D("1.12"),
        D("2.50"),
        D("-0.01"),
    ]


# --- totals ---------------------------------------------------------------------------------------


def test_customer_only_invoice():
    totals = order_totals([labour("1.25", "181.10"), part(2, "88.88"), sundry("50")], tax_rate=VAT)
    assert totals.by_payer == {
        Payer.CUSTOMER: PayerTotal(
            labour=D("226.38"),
            parts=D("177.76"),
            sundry=D("50.00"),
            risk_margin=D("0.00"),
            discount=D("0.00"),
            net=D("454.14"),
            tax=D("59.04"),  # 59.0382
            total=D("513.18"),
        )
    }
    assert totals.total == D("513.18")
    assert totals.customer is totals.by_payer[Payer.CUSTOMER]


def test_line_amounts_are_rounded_before_they_are_added():
    # 3 × 0.005 is 0.015 → 0.02 if summed first; the invoice prints 0.01 three times.
    totals = order_totals([part("0.5", "0.01")] * 3, tax_rate=D("0"))
    assert totals.customer.parts == D("0.03")


def test_discount_applies_to_the_customer_only():
    totals = order_totals(
        [labour(1, 100), part(1, 200), labour(1, 100, Payer.WARRANTY), part(1, 50, Payer.INSURANCE)],
        tax_rate=VAT,
        discount_pct=D("10"),
    )
    customer, warranty, insurance = (totals.by_payer[p] for p in (Payer.CUSTOMER, Payer.WARRANTY, Payer.INSURANCE))
    assert (customer.discount, customer.net, customer.tax, customer.total) == (
        D("30.00"),
        D("270.00"),
        D("35.10"),
        D("305.10"),
    )
    assert (warranty.discount, warranty.net, warranty.tax, warranty.total) == (
        D("0.00"),
        D("100.00"),
        D("13.00"),
        D("113.00"),
    )
    assert (insurance.discount, insurance.net, insurance.total) == (D("0.00"), D("50.00"), D("56.50"))
    assert totals.total == D("474.60")


def test_discount_rounds_half_up():
    totals = order_totals([sundry("33.35")], tax_rate=VAT, discount_pct=D("5"))
    # 1.6675 → 1.67; 31.68 × 0.13 = 4.1184 → 4.12
    assert (totals.customer.discount, totals.customer.net, totals.customer.tax, totals.customer.total) == (
        D("1.67"),
        D("31.68"),
        D("4.12"),
        D("35.80"),
    )


def test_risk_margin_applies_to_customer_labour_only():
    totals = order_totals(
        [labour(1, 200), part(1, 100), sundry(40), labour(1, 100, Payer.WARRANTY)],
        tax_rate=VAT,
        risk_margin_pct=D("15"),
    )
    assert totals.customer == PayerTotal(
        labour=D("200.00"),
        parts=D("100.00"),
        sundry=D("40.00"),
        risk_margin=D("30.00"),
        discount=D("0.00"),
        net=D("370.00"),
        tax=D("48.10"),
        total=D("418.10"),
    )
    assert totals.by_payer[Payer.WARRANTY].risk_margin == D("0.00")
    assert totals.by_payer[Payer.WARRANTY].total == D("113.00")


def test_discount_is_taken_on_the_labour_with_its_risk_margin():
    totals = order_totals([labour(1, 200), part(1, 100)], tax_rate=VAT, discount_pct=D("10"), risk_margin_pct=D("15"))
    # (300 + 30) × 10 % = 33.00
    assert (totals.customer.risk_margin, totals.customer.discount, totals.customer.net, totals.customer.total) == (
        D("30.00"),
        D("33.00"),
        D("297.00"),
        D("335.61"),
    )


def test_vat_is_rounded_per_payer():
    totals = order_totals(
        [sundry("0.05"), sundry("0.05", Payer.WARRANTY), sundry("0.05", Payer.INSURANCE)], tax_rate=VAT
    )
    # 0.0065 → 0.01 for each payer (0.15 × 13 % on the sum would be 0.02).
    assert [t.tax for t in totals.by_payer.values()] == [D("0.01")] * 3
    assert totals.total == D("0.18")


def test_split_by_payer():
    totals = order_totals(
        [
            labour("1.5", 180),
            part(1, 420),
            labour(2, 180, Payer.WARRANTY),
            part(1, "1250.5", Payer.WARRANTY),
            labour(3, 180, Payer.INSURANCE),
            sundry(800, Payer.INSURANCE),
            labour("0.5", 180, Payer.INTERNAL),
        ],
        tax_rate=VAT,
        discount_pct=D("5"),
    )
    assert totals.by_payer == {
        Payer.CUSTOMER: PayerTotal(
            labour=D("270.00"), parts=D("420.00"), discount=D("34.50"), net=D("655.50"), tax=D("85.22"),
            total=D("740.72"),
        ),
        Payer.WARRANTY: PayerTotal(
            labour=D("360.00"), parts=D("1250.50"), net=D("1610.50"), tax=D("209.37"), total=D("1819.87"),
        ),
        Payer.INSURANCE: PayerTotal(
            labour=D("540.00"), sundry=D("800.00"), net=D("1340.00"), tax=D("174.20"), total=D("1514.20"),
        ),
        Payer.INTERNAL: PayerTotal(labour=D("90.00"), net=D("90.00"), tax=D("11.70"), total=D("101.70")),
    }  # fmt: skip
    assert totals.total == D("4176.49")
    with translation.override("en"):
        assert [label for label, _total in totals.rows] == ["Customer", "Warranty", "Insurance", "Internal / goodwill"]


def test_rows_follow_the_payer_order_not_the_line_order():
    totals = order_totals([sundry(1, Payer.INTERNAL), sundry(1, Payer.CUSTOMER)], tax_rate=VAT)
    with translation.override("en"):
        assert [label for label, _total in totals.rows] == ["Customer", "Internal / goodwill"]


def test_empty_order():
    totals = order_totals([], tax_rate=VAT, discount_pct=D("10"), risk_margin_pct=D("10"))
    assert totals == OrderTotals(by_payer={})
    assert totals.total == D("0.00")
    assert totals.customer == PayerTotal()
    assert totals.rows == []


def test_a_full_discount_leaves_nothing_to_pay():
    totals = order_totals([labour("1.25", "181.10"), part(1, "0.01")], tax_rate=VAT, discount_pct=D("100"))
    assert (totals.customer.discount, totals.customer.net, totals.customer.tax, totals.total) == (
        D("226.39"),
        D("0.00"),
        D("0.00"),
        D("0.00"),
    )


# --- properties -----------------------------------------------------------------------------------

lines_strategy = st.lists(
    st.builds(
        SimpleNamespace,
        kind=st.sampled_from(LineKind.values),
        quantity=st.decimals(min_value=D("0.01"), max_value=D("9999.99"), places=2),
        unit_price=st.decimals(min_value=D("0"), max_value=D("99999.99"), places=2),
        payer=st.sampled_from(Payer.values),
    ),
    max_size=12,
)
tax_rates = st.decimals(min_value=D("0"), max_value=D("0.2"), places=4)
percentages = st.decimals(min_value=D("0"), max_value=D("100"), places=2)
margins = st.decimals(min_value=D("0"), max_value=D("50"), places=2)


def amounts(payer_total: PayerTotal) -> list[Decimal]:
    return [getattr(payer_total, name) for name in PayerTotal.__dataclass_fields__]


@HYPOTHESIS
@given(lines_strategy, tax_rates, percentages, margins)
def test_totals_add_up_and_are_in_fen(lines, tax_rate, discount_pct, risk_margin_pct):
    totals = order_totals(lines, tax_rate=tax_rate, discount_pct=discount_pct, risk_margin_pct=risk_margin_pct)

    assert set(totals.by_payer) == {line.payer for line in lines}
    assert totals.total == sum((t.total for t in totals.by_payer.values()), D("0"))
    assert totals.total >= 0
    for payer, payer_total in totals.by_payer.items():
        for amount in amounts(payer_total):
            assert amount == amount.quantize(CENT)
            assert amount.as_tuple().exponent == -2
            assert amount >= 0
        gross = payer_total.labour + payer_total.parts + payer_total.sundry
        assert payer_total.net == gross + payer_total.risk_margin - payer_total.discount
        assert payer_total.total == payer_total.net + payer_total.tax
        if payer != Payer.CUSTOMER:
            assert (payer_total.risk_margin, payer_total.discount) == (D("0"), D("0"))
        assert gross == sum((line_amount(x.quantity, x.unit_price) for x in lines if x.payer == payer), D("0"))


@HYPOTHESIS
@given(lines_strategy, tax_rates)
def test_without_discount_and_margin_net_is_the_sum_of_the_lines(lines, tax_rate):
    totals = order_totals(lines, tax_rate=tax_rate)
    net = sum((t.net for t in totals.by_payer.values()), D("0.00"))
    assert net == sum((line_amount(x.quantity, x.unit_price) for x in lines), D("0.00"))


@HYPOTHESIS
@given(lines_strategy, tax_rates, percentages, margins)
def test_other_payers_do_not_depend_on_the_customer_terms(lines, tax_rate, discount_pct, risk_margin_pct):
    plain = order_totals(lines, tax_rate=tax_rate)
    with_terms = order_totals(lines, tax_rate=tax_rate, discount_pct=discount_pct, risk_margin_pct=risk_margin_pct)
    for payer in set(plain.by_payer) - {Payer.CUSTOMER}:
        assert with_terms.by_payer[payer] == plain.by_payer[payer]


# --- the services: discount limits and the approved total -----------------------------------------


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def checked_in(vehicle_a, advisor_a):
    """A checked-in order with its estimate: 1.50 h × 180.00 labour and a 420.00 part."""
    return fill_estimate(make_order(vehicle_a, advisor_a, S.CHECKED_IN), advisor_a)


def set_discount(order: RepairOrder, by, pct: str) -> RepairOrder:
    return services.repair_order_update_estimate(order=order, by=by, version=order.version, discount_pct=D(pct))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "allowed", "refused_pct", "message"),
    [
        (Role.SERVICE_ADVISOR, "5", "5.01", "Your role may give at most 5% discount."),
        (Role.SERVICE_MANAGER, "20", "20.01", "Your role may give at most 20% discount."),
        (Role.ADMINISTRATOR, "100", None, None),
    ],
)
def test_discount_limit_per_role(role, allowed, refused_pct, message, checked_in, dealer_a, english):
    user = UserFactory(username=f"{role}_discount", roles=[role], dealers=[dealer_a])
    if refused_pct:
        before = order_snapshot(checked_in)
        with pytest.raises(ValidationError) as excinfo:
            set_discount(RepairOrder.objects.get(pk=checked_in.pk), user, refused_pct)
        assert excinfo.value.message_dict == {"discount_pct": [message]}
        assert order_snapshot(checked_in) == before

    order = set_discount(checked_in, user, allowed)

    stored = RepairOrder.objects.get(pk=order.pk)
    assert (stored.discount_pct, stored.discount_approved_by_id) == (D(allowed), user.pk)


@pytest.mark.django_db
def test_roles_outside_the_service_desk_give_no_discount(checked_in, dealer_a, english):
    technician = staff_for(dealer_a).technician
    before = order_snapshot(checked_in)
    with pytest.raises(PermissionDenied, match="Only the service desk changes the check-in and the estimate"):
        set_discount(checked_in, technician, "1")
    assert order_snapshot(checked_in) == before


@pytest.mark.django_db
def test_discount_approval_follows_the_discount(checked_in, advisor_a, dealer_a, english):
    manager = staff_for(dealer_a).service_manager
    order = set_discount(checked_in, manager, "15")
    # Another change of the estimate keeps the manager's approval of the discount.
    order = services.repair_order_update_estimate(
        order=order, by=advisor_a, version=order.version, diagnosis="前刹车片磨损，刹车盘正常"
    )
    stored = RepairOrder.objects.get(pk=order.pk)
    assert (stored.discount_pct, stored.discount_approved_by_id, stored.diagnosed_by_id) == (
        D("15.00"),
        manager.pk,
        advisor_a.pk,
    )
    # The advisor cannot change a discount above their own limit, even downwards.
    before = order_snapshot(order)
    with pytest.raises(ValidationError) as excinfo:
        set_discount(order, advisor_a, "10")
    assert excinfo.value.message_dict == {"discount_pct": ["Your role may give at most 5% discount."]}
    assert order_snapshot(order) == before
    # Back to no discount: nobody approves a discount that is not there.
    order = set_discount(RepairOrder.objects.get(pk=order.pk), advisor_a, "0")
    stored = RepairOrder.objects.get(pk=order.pk)
    assert (stored.discount_pct, stored.discount_approved_by_id) == (D("0.00"), None)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("mode", "margin", "discount", "expected"),
    [
        # 270.00 labour + 420.00 part = 690.00; × 1.13 = 779.70
        (PricingMode.ITEM, "0", "0", "779.70"),
        # 10 % off: 621.00 + 80.73 VAT
        (PricingMode.ITEM, "0", "10", "701.73"),
        # the margin is ignored outside symptom pricing
        (PricingMode.SYSTEM, "10", "10", "701.73"),
        # 690.00 + 27.00 margin − 71.70 discount = 645.30; VAT 83.889 → 83.89
        (PricingMode.SYMPTOM, "10", "10", "729.19"),
    ],
)
def test_approved_total_is_the_estimate_total_at_approval(mode, margin, discount, expected, checked_in, advisor_a):
    manager = staff_for(checked_in.dealer).service_manager
    order = services.repair_order_update_estimate(
        order=checked_in, by=manager, version=checked_in.version, pricing_mode=mode, risk_margin_pct=D(margin),
        discount_pct=D(discount),
    )  # fmt: skip
    order = services.repair_order_transition(order=order, action="give_estimate", by=advisor_a, version=order.version)
    at_approval = services.repair_order_totals(order=order).total

    order = services.repair_order_record_approval(
        order=order, by=advisor_a, version=order.version, approval_method="wechat", approved_by_customer="张三"
    )

    stored = RepairOrder.objects.get(pk=order.pk)
    assert stored.approved_total == at_approval == D(expected)
    assert stored.approval_recorded_by_id == advisor_a.pk


@pytest.mark.django_db
def test_approved_total_stays_as_approved_to_delivery(vehicle_a, advisor_a):
    order = make_order(vehicle_a, advisor_a, S.DELIVERED)
    stored = RepairOrder.objects.get(pk=order.pk)
    assert stored.approved_total == services.repair_order_totals(order=stored).total == D("779.70")
    # Recorded with the approval, then unchanged through approve, dispatch, start (the first clock-on),
    # QC request, QC pass (the inspection) and delivery (the settlement).
    totals_in_history = list(RepairOrder.history.filter(id=order.pk).order_by("history_id").values_list(
        "approved_total", flat=True
    ))  # fmt: skip
    assert totals_in_history[-7:] == [D("779.70")] * 7
    assert set(totals_in_history[:-7]) == {None}
    # The settlement froze the same amounts.
    settlement = stored.settlement
    assert (settlement.customer_total, settlement.grand_total) == (D("779.70"), D("779.70"))


@pytest.mark.django_db
def test_the_dealers_rates_are_copied_to_each_new_order(vehicle_a, advisor_a, dealer_a):
    type(dealer_a).objects.filter(pk=dealer_a.pk).update(labour_rate=D("215.00"), vat_rate=D("0.0600"))
    vehicle_a.refresh_from_db()
    order = fill_estimate(make_order(vehicle_a, advisor_a, S.CHECKED_IN), advisor_a)
    stored = RepairOrder.objects.get(pk=order.pk)
    assert (stored.labour_rate, stored.tax_rate) == (D("215.00"), D("0.0600"))
    # 1.50 h × 215.00 + 420.00 = 742.50; 6 % VAT 44.55
    assert services.repair_order_totals(order=stored).total == D("787.05")
    # A later change of the dealer's rates leaves the order as quoted.
    type(dealer_a).objects.filter(pk=dealer_a.pk).update(labour_rate=D("300.00"), vat_rate=D("0.1300"))
    assert services.repair_order_totals(order=RepairOrder.objects.get(pk=order.pk)).total == D("787.05")


def test_the_risk_margin_covers_the_estimates_labour_not_approved_additions():
    estimate = SimpleNamespace(kind=LineKind.LABOUR, quantity=Decimal("2"), unit_price=Decimal("100"), payer="customer",
                               addition_id=None)  # fmt: skip
    addition = SimpleNamespace(kind=LineKind.LABOUR, quantity=Decimal("1"), unit_price=Decimal("100"), payer="customer",
                               addition_id=7)  # fmt: skip
    totals = order_totals([estimate, addition], tax_rate=Decimal("0"), risk_margin_pct=Decimal("10"))
    assert totals.customer.risk_margin == Decimal("20.00")  # 10 % of the estimate's 200, nothing on the addition
    assert totals.total == Decimal("320.00")
