"""Tests of the service-desk services: open a repair order, the check-in, and the estimate lines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from accounts.choices import Role
from core.services import ConflictError
from core.tests.factories import CustomerFactory, DealerFactory, UserFactory, VehicleFactory
from core.tests.helpers import sh
from customers.models import Vehicle
from customers.services import vehicle_update
from repairs import services
from repairs.choices import JobType, LineKind, PartSource, Payer
from repairs.choices import RepairOrderStatus as S
from repairs.models import RepairOrder, RepairOrderLine
from repairs.tests.factories import (
    LabourOperationFactory,
    checkin_fields,
    make_order,
    refused,
    staff_for,
)

pytestmark = pytest.mark.django_db

D = Decimal
OTHER_DEALER = "You cannot change the data of this dealer."
LATER_STATUSES = [S.ESTIMATED, S.APPROVED, S.DISPATCHED, S.IN_REPAIR, S.QC, S.READY, S.DELIVERED, S.CLOSED]


@pytest.fixture(autouse=True)
def english():
    """Compare messages with the English source text (the UI language, zh-hans, is translated)."""
    with translation.override("en"):
        yield


@pytest.fixture
def clock(monkeypatch):
    """Set the time the services (and auto_now fields) see: ``clock(datetime)``."""

    def set_now(moment: datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return set_now


def open_order(vehicle, by, **overrides) -> RepairOrder:
    fields = {"customer_complaint": "保养，左后轮有异响", "job_type": JobType.MAINTENANCE, **overrides}
    return services.repair_order_open(vehicle=vehicle, by=by, **fields)


def stored(order: RepairOrder) -> RepairOrder:
    return RepairOrder.objects.get(pk=order.pk)


# --- repair_order_open ----------------------------------------------------------------------------


def test_open_records_reception(vehicle_a, advisor_a, customer_a, clock):
    now = sh(2026, 11, 15, 10, 0)
    clock(now)
    order = open_order(vehicle_a, advisor_a, arrived_at=now - timedelta(minutes=12))

    row = RepairOrder.objects.filter(pk=order.pk).values().get()
    assert {k: row[k] for k in ("dealer_id", "vehicle_id", "customer_id", "advisor_id", "status", "version")} == {
        "dealer_id": vehicle_a.dealer_id,
        "vehicle_id": vehicle_a.pk,
        "customer_id": customer_a.pk,
        "advisor_id": advisor_a.pk,
        "status": S.OPEN,
        "version": 1,
    }
    assert (row["number"], row["job_type"], row["customer_complaint"]) == (
        "A001-202611-0001",
        JobType.MAINTENANCE,
        "保养，左后轮有异响",
    )
    # A1 (reception wait) is arrival → opened.
    assert (row["arrived_at"], row["opened_at"]) == (now - timedelta(minutes=12), now)
    history = order.history.get()
    assert (history.history_type, history.history_user_id) == ("+", advisor_a.pk)


def test_arrival_defaults_to_now(vehicle_a, advisor_a, clock):
    now = sh(2026, 11, 15, 10, 0)
    clock(now)
    assert stored(open_order(vehicle_a, advisor_a)).arrived_at == now


def test_number_sequence_per_dealer_and_month(advisor_a, clock):
    guangzhou = DealerFactory(code="GZ01")
    shenzhen = DealerFactory(code="SZ02")
    advisor_gz = UserFactory(roles=[Role.SERVICE_ADVISOR], dealers=[guangzhou])
    advisor_sz = UserFactory(roles=[Role.SERVICE_ADVISOR], dealers=[shenzhen])

    def open_for(dealer, advisor) -> str:
        vehicle = VehicleFactory(owner=CustomerFactory(dealer=dealer))
        return open_order(vehicle, advisor).number

    clock(sh(2026, 11, 15, 10, 0))
    assert [open_for(guangzhou, advisor_gz) for _ in range(3)] == [
        "GZ01-202611-0001",
        "GZ01-202611-0002",
        "GZ01-202611-0003",
    ]
    assert open_for(shenzhen, advisor_sz) == "SZ02-202611-0001"
    # The month is the dealer's local month: 23:50 on the 30th in Shanghai is still November ...
    clock(sh(2026, 11, 30, 23, 50))
    assert open_for(guangzhou, advisor_gz) == "GZ01-202611-0004"
    # ... and ten past midnight is December (16:10 UTC on 30 November), with a new sequence.
    clock(datetime(2026, 11, 30, 16, 10, tzinfo=UTC))
    assert open_for(guangzhou, advisor_gz) == "GZ01-202612-0001"
    assert open_for(shenzhen, advisor_sz) == "SZ02-202612-0001"
    assert open_for(guangzhou, advisor_gz) == "GZ01-202612-0002"


def test_cancelled_orders_keep_their_number(vehicle_a, advisor_a, customer_a, clock):
    clock(sh(2026, 11, 15, 10, 0))
    first = make_order(vehicle_a, advisor_a, S.CANCELLED)
    second = open_order(vehicle_a, advisor_a)
    assert (first.number, second.number) == ("A001-202611-0001", "A001-202611-0002")


def test_the_vehicles_current_owner_becomes_the_customer(dealer_a, advisor_a):
    owner = CustomerFactory(dealer=dealer_a, name="李四")
    vehicle = VehicleFactory(owner=owner)
    assert stored(open_order(vehicle, advisor_a)).customer_id == owner.pk


@pytest.mark.parametrize("status", [S.OPEN, S.CHECKED_IN, S.APPROVED, S.IN_REPAIR, S.READY])
def test_open_refused_while_the_vehicle_has_an_open_order(status, vehicle_a, advisor_a):
    make_order(vehicle_a, advisor_a, status)
    error = refused(ValidationError, lambda: open_order(vehicle_a, advisor_a))
    assert error.messages == ["This vehicle already has an open repair order."]


@pytest.mark.parametrize("status", [S.DELIVERED, S.CLOSED, S.CANCELLED])
def test_open_allowed_once_the_last_order_is_finished(status, vehicle_a, advisor_a):
    make_order(vehicle_a, advisor_a, status)
    assert open_order(vehicle_a, advisor_a).status == S.OPEN
    assert RepairOrder.objects.filter(vehicle=vehicle_a).count() == 2


def test_open_refuses_an_arrival_in_the_future(vehicle_a, advisor_a, clock):
    now = sh(2026, 11, 15, 10, 0)
    clock(now)
    error = refused(ValidationError, lambda: open_order(vehicle_a, advisor_a, arrived_at=now + timedelta(minutes=1)))
    assert error.message_dict == {"arrived_at": ["The arrival time cannot be in the future."]}


def test_open_needs_the_customers_words(vehicle_a, advisor_a):
    error = refused(ValidationError, lambda: open_order(vehicle_a, advisor_a, customer_complaint=""))
    assert list(error.message_dict) == ["customer_complaint"]


def test_open_refused_to_a_user_of_another_dealer(vehicle_a, advisor_b):
    error = refused(PermissionDenied, lambda: open_order(vehicle_a, advisor_b))
    assert str(error) == "You cannot change the data of this dealer."


@pytest.mark.parametrize("role", [Role.TECHNICIAN, Role.FOREMAN, Role.QC_INSPECTOR, Role.PARTS_CLERK])
def test_open_refused_without_the_service_desk_permission(role, vehicle_a, dealer_a):
    user = UserFactory(roles=[role], dealers=[dealer_a])
    error = refused(PermissionDenied, lambda: open_order(vehicle_a, user))
    assert str(error) == "Only the service desk opens repair orders."


def test_open_refused_to_a_region_manager(vehicle_a, dealer_a):
    region_manager = UserFactory(roles=[Role.REGION_MANAGER], regions=[dealer_a.region])
    error = refused(PermissionDenied, lambda: open_order(vehicle_a, region_manager))
    assert str(error) == "You cannot change the data of this dealer."


def test_open_refused_at_a_closed_dealer(vehicle_a, advisor_a, dealer_a):
    type(dealer_a).objects.filter(pk=dealer_a.pk).update(is_active=False)
    error = refused(PermissionDenied, lambda: open_order(vehicle_a, advisor_a))
    assert str(error) == "You cannot change the data of this dealer."


# --- check-in -------------------------------------------------------------------------------------


@pytest.fixture
def vehicle_30k(customer_a):
    """A vehicle whose last recorded mileage is 30,000 km."""
    return VehicleFactory(owner=customer_a, mileage_km=30_000)


def update_checkin(order, by, **fields) -> RepairOrder:
    return services.repair_order_update_checkin(order=order, by=by, version=order.version, **fields)


def test_checkin_records_the_walkaround(vehicle_a, advisor_a):
    order = make_order(vehicle_a, advisor_a, S.OPEN)
    order = update_checkin(order, advisor_a, **checkin_fields(order), documents_received=["driving_licence"])
    row = RepairOrder.objects.filter(pk=order.pk).values().get()
    assert {k: row[k] for k in (*checkin_fields(order), "documents_received", "version")} == {
        **checkin_fields(order),
        "documents_received": ["driving_licence"],
        "version": 2,
    }
    assert (row["status"], order.history.order_by("-history_id").first().history_user_id) == (S.OPEN, advisor_a.pk)


def test_a_lower_odometer_needs_a_reason(vehicle_30k, advisor_a):
    order = make_order(vehicle_30k, advisor_a, S.OPEN)
    error = refused(ValidationError, lambda: update_checkin(order, advisor_a, odometer_km=29_000), order)
    below = {
        "odometer_km": [
            "The odometer (29000 km) is below the last recorded mileage (30000 km): check it, or give the reason."
        ]
    }
    assert error.message_dict == below
    error = refused(
        ValidationError,
        lambda: update_checkin(stored(order), advisor_a, odometer_km=29_000, odometer_override_reason="   "),
        order,
    )
    assert error.message_dict == below  # a blank reason is no reason


def check_in(order, by) -> RepairOrder:
    return services.repair_order_transition(order=order, action="check_in", by=by, version=order.version)


def test_a_lower_odometer_with_a_reason_keeps_the_vehicles_mileage(vehicle_30k, advisor_a):
    vehicle_before = Vehicle.objects.filter(pk=vehicle_30k.pk).values().get()
    order = make_order(vehicle_30k, advisor_a, S.OPEN)
    order = update_checkin(
        order, advisor_a, **checkin_fields(order, odometer_km=29_000, odometer_override_reason="更换了组合仪表")
    )
    order = check_in(order, advisor_a)
    assert (stored(order).odometer_km, stored(order).odometer_override_reason) == (29_000, "更换了组合仪表")
    assert Vehicle.objects.filter(pk=vehicle_30k.pk).values().get() == vehicle_before


def test_the_same_odometer_is_accepted_without_a_reason(vehicle_30k, advisor_a):
    order = update_checkin(make_order(vehicle_30k, advisor_a, S.OPEN), advisor_a, odometer_km=30_000)
    assert stored(order).odometer_km == 30_000


def test_a_higher_odometer_reaches_the_vehicle_at_check_in_not_before(vehicle_30k, advisor_a, clock):
    edited = sh(2026, 11, 15, 10, 0)
    clock(edited - timedelta(minutes=5))
    order = make_order(vehicle_30k, advisor_a, S.OPEN)
    vehicle_before = Vehicle.objects.filter(pk=vehicle_30k.pk).values().get()
    vehicle_history = vehicle_30k.history.count()

    clock(edited)
    order = update_checkin(order, advisor_a, **checkin_fields(order, odometer_km=31_250))
    # The reception form is still a draft: the vehicle is not touched yet.
    assert Vehicle.objects.filter(pk=vehicle_30k.pk).values().get() == vehicle_before

    checked_in = edited + timedelta(minutes=3)
    clock(checked_in)
    check_in(order, advisor_a)

    vehicle = Vehicle.objects.get(pk=vehicle_30k.pk)
    assert (vehicle.mileage_km, vehicle.mileage_recorded_at, vehicle.version) == (
        31_250,
        checked_in,
        vehicle_30k.version + 1,
    )
    assert vehicle.history.count() == vehicle_history + 1
    assert vehicle.history.order_by("-history_id").first().history_user_id == advisor_a.pk


def test_a_typo_corrected_before_check_in_never_reaches_the_vehicle(vehicle_30k, advisor_a):
    order = make_order(vehicle_30k, advisor_a, S.OPEN)
    vehicle_history = vehicle_30k.history.count()
    order = update_checkin(order, advisor_a, **checkin_fields(order, odometer_km=312_500))  # one digit too many
    order = update_checkin(order, advisor_a, odometer_km=31_250)
    check_in(order, advisor_a)
    vehicle = Vehicle.objects.get(pk=vehicle_30k.pk)
    assert (vehicle.mileage_km, vehicle.version) == (31_250, vehicle_30k.version + 1)
    assert list(vehicle.history.values_list("mileage_km", flat=True)[: vehicle.history.count() - vehicle_history]) == [
        31_250
    ]


def test_an_edit_after_check_in_still_updates_the_vehicle(vehicle_a, advisor_a):
    order = make_order(vehicle_a, advisor_a, S.CHECKED_IN)
    version = Vehicle.objects.get(pk=vehicle_a.pk).version
    assert Vehicle.objects.get(pk=vehicle_a.pk).mileage_km == 23_500  # recorded at check-in
    # The advisor reads the odometer again (the photo was blurred) while the order is checked in.
    update_checkin(stored(order), advisor_a, odometer_km=23_650)
    vehicle = Vehicle.objects.get(pk=vehicle_a.pk)
    assert (vehicle.mileage_km, vehicle.version) == (23_650, version + 1)
    # A lower reading after check-in needs the reason, and never lowers the vehicle's mileage.
    update_checkin(stored(order), advisor_a, odometer_km=23_600, odometer_override_reason="误读，照片核对")
    assert Vehicle.objects.get(pk=vehicle_a.pk).mileage_km == 23_650


def test_a_vehicle_form_opened_before_the_checkin_cannot_write_the_old_mileage_back(vehicle_30k, advisor_a):
    form_version = vehicle_30k.version
    order = make_order(vehicle_30k, advisor_a, S.OPEN)
    check_in(update_checkin(order, advisor_a, **checkin_fields(order, odometer_km=31_250)), advisor_a)
    with pytest.raises(ConflictError):
        vehicle_update(vehicle=vehicle_30k, by=advisor_a, version=form_version, mileage_km=30_000, colour="白")
    assert Vehicle.objects.get(pk=vehicle_30k.pk).mileage_km == 31_250


def test_first_odometer_of_a_vehicle_without_mileage(vehicle_a, advisor_a):
    assert vehicle_a.mileage_km is None
    order = make_order(vehicle_a, advisor_a, S.OPEN)
    check_in(update_checkin(order, advisor_a, **checkin_fields(order, odometer_km=8)), advisor_a)
    assert Vehicle.objects.get(pk=vehicle_a.pk).mileage_km == 8


@pytest.mark.parametrize("offset", [timedelta(0), timedelta(minutes=-5)])
def test_promised_time_must_be_after_arrival(offset, vehicle_a, advisor_a):
    order = make_order(vehicle_a, advisor_a, S.OPEN)
    error = refused(
        ValidationError, lambda: update_checkin(order, advisor_a, promised_at=order.arrived_at + offset), order
    )
    assert error.message_dict == {"promised_at": ["The promised time must be after the arrival."]}
    promised = order.arrived_at + timedelta(minutes=1)
    assert stored(update_checkin(stored(order), advisor_a, promised_at=promised)).promised_at == promised


def test_belongings_signature_is_stamped_and_cleared(vehicle_a, advisor_a, clock):
    signed = sh(2026, 11, 15, 10, 0)
    clock(signed - timedelta(hours=1))
    order = make_order(vehicle_a, advisor_a, S.OPEN)
    assert stored(order).belongings_signed_at is None

    clock(signed)
    order = update_checkin(order, advisor_a, belongings="雨伞", belongings_signed_by="张三")
    assert (stored(order).belongings_signed_by, stored(order).belongings_signed_at) == ("张三", signed)

    clock(signed + timedelta(minutes=5))
    order = update_checkin(order, advisor_a, key_tag="K-3", belongings_signed_by="张三")
    assert stored(order).belongings_signed_at == signed  # same signer: the time of the signature stays

    order = update_checkin(order, advisor_a, belongings_signed_by="李四")
    assert stored(order).belongings_signed_at == signed + timedelta(minutes=5)

    order = update_checkin(order, advisor_a, belongings_signed_by="")
    assert (stored(order).belongings_signed_by, stored(order).belongings_signed_at) == ("", None)


@pytest.mark.parametrize("status", [*LATER_STATUSES, S.CANCELLED])
def test_checkin_cannot_change_after_the_estimate(status, vehicle_a, advisor_a):
    order = make_order(vehicle_a, advisor_a, status)
    error = refused(ValidationError, lambda: update_checkin(order, advisor_a, key_tag="K-99"), order)
    assert error.messages == ["The check-in can no longer be changed once the estimate is given."]


def test_checkin_can_change_after_check_in(vehicle_a, advisor_a):
    order = make_order(vehicle_a, advisor_a, S.CHECKED_IN)
    order = update_checkin(order, advisor_a, damage_notes="左前门 划痕 5cm\n后保险杠 凹陷")
    assert stored(order).damage_notes == "左前门 划痕 5cm\n后保险杠 凹陷"


def test_checkin_refused_to_other_roles_and_dealers(vehicle_a, advisor_a, advisor_b, dealer_a):
    order = make_order(vehicle_a, advisor_a, S.OPEN)
    technician = staff_for(dealer_a).technician
    error = refused(PermissionDenied, lambda: update_checkin(order, technician, odometer_km=40_000), order)
    assert str(error) == "Only the service desk changes the check-in and the estimate."
    error = refused(PermissionDenied, lambda: update_checkin(order, advisor_b, odometer_km=40_000), order)
    assert str(error) == "You cannot change the data of this dealer."


def test_checkin_refuses_fields_that_are_not_check_in(vehicle_a, advisor_a):
    order = make_order(vehicle_a, advisor_a, S.OPEN)
    refused(TypeError, lambda: update_checkin(order, advisor_a, status=S.READY), order)


def test_checkin_refuses_an_unknown_fuel_level(vehicle_a, advisor_a):
    order = make_order(vehicle_a, advisor_a, S.OPEN)
    error = refused(ValidationError, lambda: update_checkin(order, advisor_a, fuel_level=3), order)
    assert list(error.message_dict) == ["fuel_level"]


# --- estimate lines -------------------------------------------------------------------------------


def add_line(order, by, **fields) -> RepairOrderLine:
    return services.repair_order_add_line(order=order, by=by, **fields)


def line_row(line: RepairOrderLine, *names: str) -> tuple:
    row = RepairOrderLine.objects.filter(pk=line.pk).values().get()
    return tuple(row[name] for name in names)


LINE_FIELDS = ("kind", "operation_id", "code", "description", "quantity", "unit_price", "payer", "part_source")


def test_labour_from_the_catalogue_is_standard_hours_at_the_labour_rate(vehicle_a, advisor_a, dealer_a):
    order = make_order(vehicle_a, advisor_a, S.CHECKED_IN)
    operation = LabourOperationFactory(dealer=dealer_a, code="BRK01", name="更换前刹车片", standard_hours=D("1.25"))
    RepairOrder.objects.filter(pk=order.pk).update(labour_rate=D("181.10"))

    line = add_line(order, advisor_a, kind=LineKind.LABOUR, operation=operation)

    assert line_row(line, *LINE_FIELDS) == (
        LineKind.LABOUR, operation.pk, "BRK01", "更换前刹车片", D("1.25"), D("181.10"), Payer.CUSTOMER, "",
    )  # fmt: skip
    assert line.amount == D("226.38")
    assert line_row(line, "position", "created_by_id") == (1, advisor_a.pk)
    assert line.history.get().history_user_id == advisor_a.pk


def test_a_catalogue_line_may_take_other_hours_text_and_payer(vehicle_a, advisor_a, dealer_a):
    order = make_order(vehicle_a, advisor_a, S.OPEN)
    operation = LabourOperationFactory(dealer=dealer_a, code="BRK01", standard_hours=D("1.25"))
    line = add_line(
        order, advisor_a, kind=LineKind.PART, operation=operation, quantity=D("2.5"), description="前后刹车片",
        payer=Payer.WARRANTY,
    )  # fmt: skip
    assert line_row(line, "kind", "code", "description", "quantity", "unit_price", "payer") == (
        LineKind.LABOUR, "BRK01", "前后刹车片", D("2.50"), D("180.00"), Payer.WARRANTY,
    )  # fmt: skip


def test_labour_without_catalogue_is_priced_at_the_labour_rate(vehicle_a, advisor_a):
    order = make_order(vehicle_a, advisor_a, S.OPEN)
    line = add_line(order, advisor_a, kind=LineKind.LABOUR, description="检查底盘异响", quantity=D("0.5"))
    assert line_row(line, "unit_price", "part_source") == (D("180.00"), "")
    assert line.amount == D("90.00")


@pytest.mark.parametrize("which", ["other_dealer", "inactive"])
def test_catalogue_operation_must_be_active_and_of_this_dealer(which, vehicle_a, advisor_a, dealer_a, dealer_b):
    order = make_order(vehicle_a, advisor_a, S.CHECKED_IN)
    operation = (
        LabourOperationFactory(dealer=dealer_b)
        if which == "other_dealer"
        else LabourOperationFactory(dealer=dealer_a, is_active=False)
    )
    error = refused(ValidationError, lambda: add_line(order, advisor_a, kind="labour", operation=operation), order)
    assert error.message_dict == {"operation": ["Choose an active labour operation of this dealer."]}


@pytest.mark.parametrize("kind", [LineKind.PART, LineKind.SUNDRY])
def test_parts_and_sundries_need_a_unit_price(kind, vehicle_a, advisor_a):
    order = make_order(vehicle_a, advisor_a, S.CHECKED_IN)
    error = refused(
        ValidationError, lambda: add_line(order, advisor_a, kind=kind, description="机油", quantity=D("4")), order
    )
    assert error.message_dict == {"unit_price": ["Give the unit price."]}


def test_a_part_line(vehicle_a, advisor_a):
    order = make_order(vehicle_a, advisor_a, S.CHECKED_IN)
    line = add_line(
        order, advisor_a, kind=LineKind.PART, code="06L115562", description="机油滤清器", quantity=D("1"),
        unit_price=D("68.50"), part_source=PartSource.NON_OEM,
    )  # fmt: skip
    assert line_row(line, *LINE_FIELDS) == (
        LineKind.PART, None, "06L115562", "机油滤清器", D("1.00"), D("68.50"), Payer.CUSTOMER, PartSource.NON_OEM,
    )  # fmt: skip
    assert line.quality_not_guaranteed


@pytest.mark.parametrize("kind", [LineKind.LABOUR, LineKind.SUNDRY])
def test_part_source_is_kept_for_parts_only(kind, vehicle_a, advisor_a):
    order = make_order(vehicle_a, advisor_a, S.CHECKED_IN)
    line = add_line(
        order, advisor_a, kind=kind, description="外加工", quantity=D("1"), unit_price=D("100"),
        part_source=PartSource.CUSTOMER,
    )  # fmt: skip
    assert line_row(line, "part_source") == ("",)
    assert not line.quality_not_guaranteed


@pytest.mark.parametrize(("field", "value"), [("quantity", D("0")), ("unit_price", D("-1")), ("payer", "oem")])
def test_line_values_are_validated(field, value, vehicle_a, advisor_a):
    order = make_order(vehicle_a, advisor_a, S.CHECKED_IN)
    fields = {"kind": LineKind.PART, "description": "机油", "quantity": D("4"), "unit_price": D("55"), field: value}
    error = refused(ValidationError, lambda: add_line(order, advisor_a, **fields), order)
    assert list(error.message_dict) == [field]


def test_lines_are_numbered_in_order(vehicle_a, advisor_a):
    order = make_order(vehicle_a, advisor_a, S.OPEN)
    lines = [add_line(order, advisor_a, kind="labour", description=f"项目{i}", quantity=D("1")) for i in range(3)]
    assert [line_row(line, "position")[0] for line in lines] == [1, 2, 3]
    assert list(order.lines.values_list("description", flat=True)) == ["项目0", "项目1", "项目2"]


@pytest.mark.parametrize("status", [*LATER_STATUSES, S.CANCELLED])
def test_lines_cannot_be_added_after_the_estimate_is_given(status, vehicle_a, advisor_a):
    order = make_order(vehicle_a, advisor_a, status)
    error = refused(
        ValidationError, lambda: add_line(order, advisor_a, kind="labour", description="增项", quantity=D("1")), order
    )
    assert error.messages == ["Lines can only be added before the estimate is given; later work is an addition."]


@pytest.mark.parametrize("status", LATER_STATUSES)
def test_lines_cannot_be_removed_after_the_estimate_is_given(status, vehicle_a, advisor_a):
    order = make_order(vehicle_a, advisor_a, status)
    line = order.lines.first()
    error = refused(ValidationError, lambda: services.repair_order_remove_line(line=line, by=advisor_a), order)
    assert error.messages == ["Lines can only be removed before the estimate is given."]


def test_a_revised_estimate_takes_lines_again(vehicle_a, advisor_a):
    order = make_order(vehicle_a, advisor_a, S.ESTIMATED)
    order = services.repair_order_transition(
        order=order, action="revise_estimate", by=advisor_a, version=order.version, note="客户要求加做四轮定位"
    )
    add_line(order, advisor_a, kind="labour", description="四轮定位", quantity=D("1"))
    assert order.lines.count() == 3


def test_remove_a_line_keeps_it_in_history(vehicle_a, advisor_a):
    order = make_order(vehicle_a, advisor_a, S.CHECKED_IN)
    line = add_line(order, advisor_a, kind="labour", description="清洗节气门", quantity=D("0.5"))
    line_id = line.pk

    services.repair_order_remove_line(line=line, by=advisor_a)

    assert not RepairOrderLine.objects.filter(pk=line_id).exists()
    removed = RepairOrderLine.history.filter(id=line_id).order_by("-history_id").first()
    assert (removed.history_type, removed.history_user_id, removed.description) == ("-", advisor_a.pk, "清洗节气门")


def test_lines_refused_to_other_roles_and_dealers(vehicle_a, advisor_a, advisor_b, dealer_a):
    order = make_order(vehicle_a, advisor_a, S.CHECKED_IN)
    line = add_line(order, advisor_a, kind="labour", description="清洗节气门", quantity=D("0.5"))
    staff = staff_for(dealer_a)
    desk_only = "Only the service desk changes the check-in and the estimate."
    for user, reason in ((staff.technician, desk_only), (staff.foreman, desk_only), (advisor_b, OTHER_DEALER)):
        added = refused(
            PermissionDenied,
            lambda user=user: add_line(order, user, kind="labour", description="增项", quantity=D("1")),
            order,
        )
        removed = refused(
            PermissionDenied, lambda user=user: services.repair_order_remove_line(line=line, by=user), order
        )
        assert (str(added), str(removed)) == (reason, reason)


def test_estimate_refuses_fields_that_are_not_estimate_terms(vehicle_a, advisor_a):
    order = make_order(vehicle_a, advisor_a, S.CHECKED_IN)
    refused(
        TypeError,
        lambda: services.repair_order_update_estimate(
            order=order, by=advisor_a, version=order.version, labour_rate=D("1")
        ),
        order,
    )


@pytest.mark.parametrize("status", LATER_STATUSES)
def test_estimate_terms_cannot_change_after_the_estimate_is_given(status, vehicle_a, advisor_a):
    order = make_order(vehicle_a, advisor_a, status)
    error = refused(
        ValidationError,
        lambda: services.repair_order_update_estimate(
            order=order, by=advisor_a, version=order.version, diagnosis="改诊断"
        ),
        order,
    )
    assert error.messages == ["The estimate can only be changed before it is given to the customer."]


def test_risk_margin_is_at_most_50_percent(vehicle_a, advisor_a):
    order = make_order(vehicle_a, advisor_a, S.CHECKED_IN)
    error = refused(
        ValidationError,
        lambda: services.repair_order_update_estimate(
            order=order, by=advisor_a, version=order.version, risk_margin_pct=D("50.01")
        ),
        order,
    )
    assert list(error.message_dict) == ["risk_margin_pct"]
