"""The claim services: what each does, and that every refusal leaves everything as it was."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from core.dates import add_months
from core.history import history_entries
from core.services import ConflictError
from core.state import TransitionError, transition_events
from core.tests.helpers import assert_refused
from customers.models import Vehicle
from repairs import services as ro
from repairs.choices import LineKind, Payer
from repairs.choices import RepairOrderStatus as S
from repairs.models import RepairOrder
from warranty import services
from warranty.choices import ClaimStatus, Coverage
from warranty.models import WarrantyClaim
from warranty.tests.factories import (
    CLAIM_FIELDS,
    ODOMETER,
    claim_at,
    claims_snapshot,
    draft_claim,
    manager,
    vehicle_in_warranty,
    warranty_line_ids,
    warranty_order,
)

pytestmark = pytest.mark.django_db
OTHER_DEALER = "You cannot change the data of this dealer."
PAYMENT_BY_MANAGERS = "Only a service manager or administrator records the maker's payment."


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def refused(call, error=ValidationError, **kwargs):
    """Run a refused call and check it changed nothing; return the error."""
    return assert_refused(error, lambda: call(**kwargs), state=claims_snapshot)


# --- create -------------------------------------------------------------------------------------------------


def test_a_draft_claim_takes_the_warranty_lines_amounts_odometer_and_repair_date(order_a, advisor_a, dealer_a):
    claim = draft_claim(order_a, advisor_a, coverage=Coverage.BASIC)
    today = timezone.localtime(timezone.now())
    assert claim.number == f"WC-{dealer_a.code}-{today:%Y%m}-0001"
    assert claim.status == ClaimStatus.DRAFT and claim.version == 1
    assert (claim.dealer, claim.repair_order, claim.vehicle) == (dealer_a, order_a, order_a.vehicle)
    assert sorted(claim.lines.values_list("pk", flat=True)) == warranty_line_ids(order_a)
    assert (claim.labour_amount, claim.parts_amount, claim.sundry_amount, claim.total_amount) == (
        Decimal("360.00"), Decimal("850.00"), Decimal("0.00"), Decimal("1210.00"),
    )  # fmt: skip
    assert claim.mileage_at_repair == ODOMETER
    assert claim.repair_date == timezone.localdate(order_a.arrived_at)
    assert claim.in_warranty is True and claim.warranty_check.startswith("In warranty")
    assert claim.created_by == advisor_a
    assert claim.history.get().history_user == advisor_a


def test_claim_numbers_count_up_per_dealer(dealer_a, advisor_a):
    first = draft_claim(warranty_order(vehicle_in_warranty(dealer_a), advisor_a), advisor_a)
    second = draft_claim(warranty_order(vehicle_in_warranty(dealer_a), advisor_a), advisor_a)
    assert first.number.endswith("-0001") and second.number.endswith("-0002")


@pytest.mark.parametrize("status", [S.APPROVED, S.DISPATCHED, S.IN_REPAIR, S.DELIVERED])
def test_a_claim_is_made_from_the_workshop_on(status, dealer_a, advisor_a):
    order = warranty_order(vehicle_in_warranty(dealer_a), advisor_a, status)
    assert draft_claim(order, advisor_a).status == ClaimStatus.DRAFT


@pytest.mark.parametrize("status", [S.CHECKED_IN, S.ESTIMATED, S.CANCELLED])
def test_no_claim_before_the_customer_approved_or_on_a_cancelled_order(status, dealer_a, advisor_a):
    order = warranty_order(vehicle_in_warranty(dealer_a), advisor_a, status)
    error = refused(draft_claim, order=order, by=advisor_a)
    assert "once the customer has approved the work" in error.messages[0]


def test_only_warranty_lines_of_that_order_and_at_least_one(dealer_a, advisor_a):
    order = warranty_order(vehicle_in_warranty(dealer_a), advisor_a, customer_line=True)
    other = warranty_order(vehicle_in_warranty(dealer_a), advisor_a)
    customer_line = order.lines.get(payer=Payer.CUSTOMER).pk
    create = services.claim_create_from_order
    error = refused(create, order=order, line_ids=[customer_line], by=advisor_a, **CLAIM_FIELDS)
    assert error.message_dict == {"lines": ["“雨刮片” is not paid by warranty."]}
    error = refused(create, order=order, line_ids=warranty_line_ids(other), by=advisor_a, **CLAIM_FIELDS)
    assert error.message_dict["lines"] == [f"Choose only lines of repair order {order.number}."]
    error = refused(create, order=order, line_ids=[], by=advisor_a, **CLAIM_FIELDS)
    assert error.message_dict == {"lines": ["Choose at least one warranty line of the order."]}


def test_a_line_is_in_one_live_claim_only_and_free_again_after_a_rejection(order_a, advisor_a):
    labour, part = warranty_line_ids(order_a)
    first = services.claim_create_from_order(order=order_a, line_ids=[labour], by=advisor_a, **CLAIM_FIELDS)
    error = refused(draft_claim, order=order_a, by=advisor_a)
    assert error.message_dict == {"lines": ["“更换点火线圈” is already in another claim."]}
    second = services.claim_create_from_order(order=order_a, line_ids=[part], by=advisor_a, **CLAIM_FIELDS)
    assert second.total_amount == Decimal("850.00")
    first = services.claim_submit(claim=first, by=advisor_a, version=first.version)
    services.claim_decide(
        claim=first, by=manager(order_a.dealer), version=first.version, approved=False, rejection_reason="材料不全"
    )
    again = services.claim_create_from_order(order=order_a, line_ids=[labour], by=advisor_a, **CLAIM_FIELDS)
    assert list(again.lines.values_list("pk", flat=True)) == [labour]
    assert list(services.claimable_lines(order=order_a)) == []


def test_creating_needs_the_role_and_a_dealer_of_ones_own(order_a, technician_a, advisor_b, region_manager):
    for user, reason in ((technician_a, "Your role may not create warranty claims."), (advisor_b, OTHER_DEALER),
                         (region_manager, OTHER_DEALER)):  # fmt: skip
        assert str(refused(draft_claim, PermissionDenied, order=order_a, by=user)) == reason


def test_required_claim_fields_are_checked(order_a, advisor_a):
    fields = {**CLAIM_FIELDS, "failure_code": "  "}
    error = refused(
        services.claim_create_from_order, order=order_a, line_ids=warranty_line_ids(order_a), by=advisor_a, **fields
    )
    assert "failure_code" in error.message_dict


# --- submit -------------------------------------------------------------------------------------------------


def test_submitting_checks_the_warranty_and_stamps_who_and_when(order_a, advisor_a):
    claim = draft_claim(order_a, advisor_a)
    claim = services.claim_submit(claim=claim, by=advisor_a, version=claim.version)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED and claim.version == 2
    assert claim.submitted_by == advisor_a and timezone.now() - claim.submitted_at < timedelta(minutes=1)
    assert claim.in_warranty is True and claim.total_amount == Decimal("1210.00")
    latest = claim.history.first()
    assert (latest.history_user, latest.history_change_reason) == (advisor_a, "submit")


def test_submitting_on_the_last_day_of_cover_passes(dealer_a, advisor_a):
    vehicle = vehicle_in_warranty(dealer_a)
    claim = draft_claim(warranty_order(vehicle, advisor_a), advisor_a)
    purchase = add_months(claim.repair_date, -36)
    if add_months(purchase, 36) != claim.repair_date:  # pragma: no cover - e.g. on 29 February
        pytest.skip("no date exactly 36 months before today")
    Vehicle.objects.filter(pk=vehicle.pk).update(purchase_date=purchase)
    claim = services.claim_submit(claim=claim, by=advisor_a, version=claim.version)
    assert claim.in_warranty is True


def test_out_of_warranty_by_date_is_refused_with_the_reason(dealer_a, advisor_a):
    vehicle = vehicle_in_warranty(dealer_a)
    claim = draft_claim(warranty_order(vehicle, advisor_a), advisor_a)
    Vehicle.objects.filter(pk=vehicle.pk).update(purchase_date=add_months(claim.repair_date, -36) - timedelta(days=1))
    error = refused(services.claim_submit, claim=claim, by=advisor_a, version=claim.version)
    assert "Out of warranty (Basic warranty (整车)): cover ended on" in error.message_dict["coverage"][0]
    assert "Submit it as goodwill with a note" in error.message_dict["coverage"][0]


def test_out_of_warranty_by_mileage_is_refused(dealer_a, advisor_a):
    claim = draft_claim(warranty_order(vehicle_in_warranty(dealer_a), advisor_a, odometer_km=100_001), advisor_a)
    error = refused(services.claim_submit, claim=claim, by=advisor_a, version=claim.version)
    assert "cover ends at 100,000 km; the car had 100,001 km" in error.message_dict["coverage"][0]


def test_a_missing_purchase_date_is_refused_unless_goodwill_with_a_note(dealer_a, advisor_a):
    vehicle = vehicle_in_warranty(dealer_a, purchase_date=None)
    order = warranty_order(vehicle, advisor_a)
    claim = draft_claim(order, advisor_a)
    assert claim.in_warranty is False
    error = refused(services.claim_submit, claim=claim, by=advisor_a, version=claim.version)
    assert "Cannot prove the warranty: the vehicle has no purchase date" in error.message_dict["coverage"][0]
    claim = services.claim_update(claim=claim, by=advisor_a, version=claim.version, coverage=Coverage.GOODWILL)
    error = refused(services.claim_submit, claim=claim, by=advisor_a, version=claim.version)
    assert error.message_dict == {
        "goodwill_note": ["A goodwill claim needs a note for the maker: why they should pay."]
    }
    claim = services.claim_update(
        claim=claim, by=advisor_a, version=claim.version, goodwill_note="老客户，厂家同意善意维修"
    )
    claim = services.claim_submit(claim=claim, by=advisor_a, version=claim.version)
    assert claim.status == ClaimStatus.SUBMITTED and claim.in_warranty is False
    assert claim.warranty_check.startswith("Goodwill is outside the warranty terms")


def test_a_claim_is_submitted_once_the_repair_has_passed_qc(dealer_a, advisor_a):
    order = warranty_order(vehicle_in_warranty(dealer_a), advisor_a, S.IN_REPAIR)
    claim = draft_claim(order, advisor_a)
    error = refused(services.claim_submit, claim=claim, by=advisor_a, version=claim.version)
    assert "once the repair has passed QC" in error.messages[0]


def test_submitting_an_old_version_or_twice_or_without_the_role_is_refused(order_a, advisor_a, technician_a):
    claim = draft_claim(order_a, advisor_a)
    refused(services.claim_submit, ConflictError, claim=claim, by=advisor_a, version=claim.version + 1)
    error = refused(services.claim_submit, PermissionDenied, claim=claim, by=technician_a, version=claim.version)
    assert str(error) == "Your role may not submit warranty claims."
    submitted = services.claim_submit(claim=claim, by=advisor_a, version=claim.version)
    error = refused(services.claim_submit, TransitionError, claim=submitted, by=advisor_a, version=2)
    assert error.message_dict == {"action": ["“Submit to the maker” is not possible while the claim is “Submitted”."]}


def test_the_amounts_are_taken_again_at_submission(dealer_a, advisor_a):
    order = warranty_order(vehicle_in_warranty(dealer_a), advisor_a, S.APPROVED)
    claim = draft_claim(order, advisor_a)
    # The labour takes longer than estimated: the hours are corrected before QC (by the database here).
    order.lines.filter(kind=LineKind.LABOUR).update(quantity=Decimal("3.00"))
    order = RepairOrder.objects.get(pk=order.pk)
    claim.refresh_from_db()
    for job in order.lines.filter(kind=LineKind.LABOUR):
        ro.repair_order_assign(line=job, technician=manager(dealer_a), by=manager(dealer_a))
    ro.repair_order_transition(order=order, action="dispatch", by=manager(dealer_a), version=order.version)
    for job in order.lines.filter(kind=LineKind.LABOUR):
        ro.labour_clock_on(line=job, by=manager(dealer_a))
        ro.labour_clock_off(line=job, by=manager(dealer_a), finished=True)
    order = RepairOrder.objects.get(pk=order.pk)
    order = ro.repair_order_transition(order=order, action="request_qc", by=manager(dealer_a), version=order.version)
    results = {code: True for code, _label in ro.qc_checklist(order)}
    ro.repair_order_qc_record(order=order, by=manager(dealer_a), version=order.version, results=results)
    claim = services.claim_submit(claim=claim, by=advisor_a, version=claim.version)
    assert (claim.labour_amount, claim.total_amount) == (Decimal("540.00"), Decimal("1390.00"))


# --- update and discard -------------------------------------------------------------------------------------


def test_a_draft_is_changed_and_the_check_taken_again(order_a, advisor_a):
    claim = draft_claim(order_a, advisor_a)
    claim = services.claim_update(
        claim=claim, by=advisor_a, version=claim.version, failure_code=" P0301 ", coverage=Coverage.POWERTRAIN
    )
    claim.refresh_from_db()
    assert (claim.failure_code, claim.coverage, claim.version) == ("P0301", Coverage.POWERTRAIN, 2)
    assert claim.warranty_check.startswith("In warranty (Powertrain")
    with pytest.raises(TypeError):
        services.claim_update(claim=claim, by=advisor_a, version=claim.version, status="paid")


def test_only_a_draft_is_changed_or_discarded(order_a, advisor_a, manager_a):
    claim = claim_at(ClaimStatus.SUBMITTED, order_a, advisor_a)
    error = refused(services.claim_update, claim=claim, by=advisor_a, version=claim.version, failure_code="X")
    assert error.messages == ["Only a draft claim can be changed; this one is “Submitted”."]
    error = refused(services.claim_delete, claim=claim, by=manager_a, version=claim.version)
    assert error.messages == ["Only a draft claim can be discarded."]


def test_discarding_a_draft_frees_its_lines_and_needs_the_delete_permission(order_a, advisor_a, manager_a):
    claim = draft_claim(order_a, advisor_a)
    error = refused(services.claim_delete, PermissionDenied, claim=claim, by=advisor_a, version=claim.version)
    assert str(error) == "Your role may not discard warranty claims."
    services.claim_delete(claim=claim, by=manager_a, version=claim.version)
    assert not WarrantyClaim.objects.exists()
    assert WarrantyClaim.history.filter(history_type="-").get().history_user == manager_a
    assert draft_claim(order_a, advisor_a).lines.count() == 2


# --- decide and pay -----------------------------------------------------------------------------------------


def test_the_manager_records_an_approval_up_to_the_claimed_total(order_a, advisor_a, manager_a):
    claim = claim_at(ClaimStatus.SUBMITTED, order_a, advisor_a)
    decide = services.claim_decide
    for amount in (Decimal("1210.01"), Decimal("0")):
        error = refused(decide, claim=claim, by=manager_a, version=claim.version, approved=True, approved_amount=amount)
        assert error.message_dict["approved_amount"] == [
            "The approved amount must be above 0 and at most the claimed 1210.00."
        ]
    error = refused(decide, claim=claim, by=manager_a, version=claim.version, approved=True)
    assert error.message_dict == {"approved_amount": ["Give the amount the maker approved."]}
    error = refused(
        decide, PermissionDenied, claim=claim, by=advisor_a, version=claim.version, approved=True,
        approved_amount=Decimal("1"),
    )  # fmt: skip
    assert str(error) == "Only a service manager or administrator records the maker's decision."
    claim = decide(claim=claim, by=manager_a, version=claim.version, approved=True, approved_amount=Decimal("1210"))
    assert (claim.status, claim.approved_amount, claim.decided_by) == (
        ClaimStatus.APPROVED,
        Decimal("1210.00"),
        manager_a,
    )
    assert claim.decided_at is not None and claim.rejection_reason == ""


def test_a_rejection_needs_the_makers_reason_and_is_final(order_a, advisor_a, manager_a):
    claim = claim_at(ClaimStatus.SUBMITTED, order_a, advisor_a)
    error = refused(services.claim_decide, claim=claim, by=manager_a, version=claim.version, approved=False)
    assert error.message_dict == {"rejection_reason": ["Give the maker's reason for the rejection."]}
    claim = services.claim_decide(
        claim=claim, by=manager_a, version=claim.version, approved=False, rejection_reason=" 超出保修范围 "
    )
    assert (claim.status, claim.rejection_reason, claim.approved_amount) == (ClaimStatus.REJECTED, "超出保修范围", None)
    error = refused(services.claim_mark_paid, TransitionError, claim=claim, by=manager_a, version=claim.version)
    assert error.message_dict == {"action": ["“Record payment” is not possible while the claim is “Rejected”."]}
    error = refused(
        services.claim_decide, TransitionError, claim=claim, by=manager_a, version=claim.version, approved=True,
        approved_amount=Decimal("1"),
    )  # fmt: skip
    assert error.message_dict == {"action": ["“Record approval” is not possible while the claim is “Rejected”."]}


def test_deciding_a_draft_is_refused(order_a, advisor_a, manager_a):
    claim = draft_claim(order_a, advisor_a)
    error = refused(
        services.claim_decide, TransitionError, claim=claim, by=manager_a, version=claim.version, approved=True,
        approved_amount=Decimal("1"),
    )  # fmt: skip
    assert error.message_dict == {"action": ["“Record approval” is not possible while the claim is “Draft”."]}


def test_payment_defaults_to_the_approved_amount(order_a, advisor_a, manager_a):
    claim = claim_at(ClaimStatus.APPROVED, order_a, advisor_a)
    claim = services.claim_mark_paid(claim=claim, by=manager_a, version=claim.version)
    assert (claim.status, claim.paid_amount, claim.paid_by) == (ClaimStatus.PAID, Decimal("1000.00"), manager_a)
    assert timezone.now() - claim.paid_at < timedelta(minutes=1)
    error = refused(services.claim_mark_paid, TransitionError, claim=claim, by=manager_a, version=claim.version)
    assert error.message_dict == {"action": ["“Record payment” is not possible while the claim is “Paid”."]}


def test_every_move_of_a_claim_leaves_an_event_row(order_a, advisor_a, manager_a):
    claim = claim_at(ClaimStatus.APPROVED, order_a, advisor_a)
    claim = services.claim_mark_paid(claim=claim, by=manager_a, version=claim.version)
    assert list(transition_events(claim).values_list("action", "from_status", "to_status", "by", "dealer")) == [
        ("submit", ClaimStatus.DRAFT, ClaimStatus.SUBMITTED, advisor_a.pk, claim.dealer_id),
        ("approve", ClaimStatus.SUBMITTED, ClaimStatus.APPROVED, claim.decided_by_id, claim.dealer_id),
        ("mark_paid", ClaimStatus.APPROVED, ClaimStatus.PAID, manager_a.pk, claim.dealer_id),
    ]


def test_a_payment_above_the_approval_in_the_future_or_before_the_decision_is_refused(order_a, advisor_a, manager_a):
    claim = claim_at(ClaimStatus.APPROVED, order_a, advisor_a)
    pay = services.claim_mark_paid
    error = refused(pay, claim=claim, by=manager_a, version=claim.version, paid_amount=Decimal("1000.01"))
    assert error.message_dict == {"paid_amount": ["The paid amount must be above 0 and at most the approved 1000.00."]}
    for when in (timezone.now() + timedelta(hours=1), claim.decided_at - timedelta(days=1)):
        error = refused(pay, claim=claim, by=manager_a, version=claim.version, paid_at=when)
        assert list(error.message_dict) == ["paid_at"]
    assert str(refused(pay, PermissionDenied, claim=claim, by=advisor_a, version=claim.version)) == PAYMENT_BY_MANAGERS
    claim = pay(claim=claim, by=manager_a, version=claim.version, paid_amount=Decimal("950"))
    assert claim.paid_amount == Decimal("950.00")


def test_another_dealers_manager_cannot_decide(order_a, advisor_a, dealer_b):
    claim = claim_at(ClaimStatus.SUBMITTED, order_a, advisor_a)
    error = refused(
        services.claim_decide, PermissionDenied, claim=claim, by=manager(dealer_b), version=claim.version,
        approved=False, rejection_reason="x",
    )  # fmt: skip
    assert str(error) == OTHER_DEALER


def test_the_history_shows_each_step_with_who_and_what_changed(order_a, advisor_a, manager_a):
    claim = claim_at(ClaimStatus.APPROVED, order_a, advisor_a)
    decision, submission, creation = history_entries(claim)
    assert (decision.who, decision.reason) == (manager(order_a.dealer), "approve")
    assert ("status", "Submitted", "Approved") in decision.changes
    assert ("approved amount", None, Decimal("1000.00")) in decision.changes
    assert (submission.who, submission.reason) == (advisor_a, "submit")
    assert ("status", "Draft", "Submitted") in submission.changes
    assert creation.action == "created"


def test_a_warranty_line_of_an_addition_is_claimed_once_the_customer_approved_it(dealer_a, advisor_a):
    order = warranty_order(vehicle_in_warranty(dealer_a), advisor_a, S.APPROVED)
    addition = ro.addition_raise(
        order=order, by=advisor_a, description="火花塞", reason="电极烧蚀",
        lines=[{"kind": LineKind.PART, "description": "火花塞", "quantity": Decimal("4"),
                "unit_price": Decimal("60.00"), "payer": Payer.WARRANTY}],
    )  # fmt: skip
    spark_plugs = addition.lines.get().pk
    assert spark_plugs not in services.claimable_lines(order=order).values_list("pk", flat=True)
    error = refused(services.claim_create_from_order, order=order, line_ids=[spark_plugs], by=advisor_a, **CLAIM_FIELDS)
    assert error.message_dict == {"lines": ["“火花塞” belongs to an addition the customer has not approved."]}
    ro.addition_decide(
        addition=addition, by=advisor_a, version=addition.version, approved=True, decision_method="phone",
        decided_by_customer="张三",
    )  # fmt: skip
    claim = services.claim_create_from_order(
        order=order, line_ids=[*warranty_line_ids(order)], by=advisor_a, **CLAIM_FIELDS
    )
    assert (claim.parts_amount, claim.total_amount) == (Decimal("1090.00"), Decimal("1450.00"))
