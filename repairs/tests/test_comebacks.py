"""Comebacks (返修) and the first-time fix rate B1: the rule, "not a comeback", the reception hint, page and API.

Orders are hand-built with exact times (October 2026, Asia/Shanghai) so the 30-day boundary is tested to the
minute; the services, pages and API are then driven as the desk uses them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from itertools import count
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accounts.choices import Role
from core.dates import month_bounds
from core.tests.factories import CustomerFactory, DealerFactory, UserFactory, VehicleFactory
from core.tests.helpers import assert_refused, login, sh, snapshot
from core.tests.helpers import refused as request_refused
from repairs import services
from repairs.choices import AdditionStatus, FaultCategory, JobType, LineKind, RepairOrderStatus
from repairs.comebacks import (
    comeback_candidates,
    comeback_exists,
    first_time_fix,
    first_time_fix_records,
    revisits_of,
)
from repairs.models import AdditionalItem, ComebackDismissal, RepairOrder, RepairOrderLine
from repairs.tests.factories import LabourOperationFactory

pytestmark = pytest.mark.django_db

START, END = month_bounds(2026, 10)
AS_OF = sh(2026, 12, 20)
BRAKES, ENGINE, NONE = FaultCategory.BRAKES, FaultCategory.ENGINE, FaultCategory.NONE
_numbers = count(1)


@pytest.fixture(autouse=True)
def english():
    translation.activate("en")
    yield
    translation.deactivate()


def car(dealer):
    return VehicleFactory(owner=CustomerFactory(dealer=dealer))


def ro(dealer, by, vehicle, *, arrived, delivered=None, fault=BRAKES, **fields) -> RepairOrder:
    """A repair order with exact times: delivered ones are delivered at ``delivered``."""
    fields.setdefault("status", RepairOrderStatus.DELIVERED if delivered else RepairOrderStatus.OPEN)
    return RepairOrder.objects.create(
        dealer=dealer, number=f"{dealer.code}-{next(_numbers):05d}", vehicle=vehicle, customer=vehicle.owner,
        advisor=by, customer_complaint="刹车异响", arrived_at=arrived, delivered_at=delivered, fault_category=fault,
        job_type=JobType.MAINTENANCE if fault == NONE else JobType.REPAIR, **fields,
    )  # fmt: skip


def repair(dealer, by, delivered, fault=BRAKES, vehicle=None) -> RepairOrder:
    """A delivered repair of ``fault``, arrived 4 hours before ``delivered``."""
    return ro(
        dealer, by, vehicle or car(dealer), arrived=delivered - timedelta(hours=4), delivered=delivered, fault=fault
    )


def back(original, arrived, fault=None, **fields) -> RepairOrder:
    """A later visit of the original's vehicle (same fault unless told)."""
    return ro(
        original.dealer, original.advisor, original.vehicle, arrived=arrived,
        fault=original.fault_category if fault is None else fault, **fields,
    )  # fmt: skip


def labour_line(order, category, *, addition=None) -> RepairOrderLine:
    operation = LabourOperationFactory(dealer=order.dealer, fault_category=category)
    return RepairOrderLine.objects.create(
        order=order, kind=LineKind.LABOUR, operation=operation, description=operation.name, quantity=Decimal("1"),
        unit_price=Decimal("180"), addition=addition,
    )  # fmt: skip


def b1(dealer, as_of=AS_OF):
    rows = list(first_time_fix_records([dealer.id], START, END, as_of).order_by("delivered_at", "pk"))
    return {row.number: row for row in rows}


def dismiss(original, revisit, by, reason="客户换了新轮胎，与上次维修无关"):
    return services.comeback_dismiss(original=original, revisit=revisit, reason=reason, by=by)


# --- the rule -------------------------------------------------------------------------------------------------


def test_b1_counts_linked_and_detected_comebacks_within_30_local_days(dealer_a, advisor_a):
    day_4 = repair(dealer_a, advisor_a, sh(2026, 10, 2, 10))
    back(day_4, sh(2026, 10, 6, 9))  # unlinked, same fault, day 4: the case the desk missed
    day_0 = repair(dealer_a, advisor_a, sh(2026, 10, 3, 10))
    back(day_0, sh(2026, 10, 3, 18))  # back the same evening
    day_30 = repair(dealer_a, advisor_a, sh(2026, 10, 4, 10))
    back(day_30, sh(2026, 11, 3, 23, 59))  # day 30 counts, late in the day too (30 days 13 h after delivery)
    day_31 = repair(dealer_a, advisor_a, sh(2026, 10, 5, 10))
    back(day_31, sh(2026, 11, 5, 0, 0))  # day 31, although only 30 days 14 h after the delivery
    other_fault = repair(dealer_a, advisor_a, sh(2026, 10, 6, 10))
    back(other_fault, sh(2026, 10, 8, 9), fault=ENGINE)
    linked = repair(dealer_a, advisor_a, sh(2026, 10, 7, 10))
    back(linked, sh(2026, 10, 9, 9), fault=ENGINE, comeback_of=linked)  # the desk says so: counts
    linked_late = repair(dealer_a, advisor_a, sh(2026, 10, 8, 10))
    back(linked_late, sh(2026, 11, 9, 9), comeback_of=linked_late)  # linked, but day 32
    cancelled = repair(dealer_a, advisor_a, sh(2026, 10, 9, 10))
    back(cancelled, sh(2026, 10, 10, 9), status=RepairOrderStatus.CANCELLED)
    ro(dealer_a, advisor_a, car(dealer_a), arrived=sh(2026, 10, 10, 9), delivered=sh(2026, 10, 10, 12), fault=NONE)
    september = repair(dealer_a, advisor_a, sh(2026, 9, 30, 10))
    back(september, sh(2026, 10, 2, 9))  # the comeback is in October, the repair in September: not this period
    clean = repair(dealer_a, advisor_a, sh(2026, 10, 31, 23, 59))

    rows = b1(dealer_a)

    assert {number: row.in_numerator for number, row in rows.items()} == {
        day_4.number: False, day_0.number: False, day_30.number: False, day_31.number: True,
        other_fault.number: True, linked.number: False, linked_late.number: True, cancelled.number: True,
        clean.number: True,
    }  # fmt: skip
    assert (rows[day_4.number].comeback_days, rows[day_4.number].comeback_linked) == (4, False)
    assert (rows[day_0.number].comeback_days, rows[day_30.number].comeback_days) == (0, 30)
    assert (rows[linked.number].comeback_days, rows[linked.number].comeback_linked) == (2, True)
    assert rows[day_31.number].comeback_number is None and rows[day_31.number].comeback_days is None
    assert all(row.kpi_value is None for row in rows.values())


def test_a_line_of_the_original_fault_makes_a_revisit_of_another_category_a_comeback(dealer_a, advisor_a, clock):
    clock(sh(2026, 10, 20, 9))  # the lines are written now
    engine = repair(dealer_a, advisor_a, sh(2026, 10, 2, 10), fault=ENGINE)
    service_visit = back(engine, sh(2026, 10, 12, 9), fault=NONE)
    labour_line(service_visit, ENGINE)  # the engine was worked on again at the service visit
    declined = repair(dealer_a, advisor_a, sh(2026, 10, 3, 10), fault=ENGINE)
    visit = back(declined, sh(2026, 10, 13, 9), fault=NONE)
    offer = AdditionalItem.objects.create(
        order=visit, description="更换点火线圈", reason="缺缸", raised_by=advisor_a, raised_at=sh(2026, 10, 13, 10),
        status=AdditionStatus.DECLINED,
    )  # fmt: skip
    labour_line(visit, ENGINE, addition=offer)  # declined: no work done
    other_system = repair(dealer_a, advisor_a, sh(2026, 10, 4, 10), fault=ENGINE)
    labour_line(back(other_system, sh(2026, 10, 14, 9), fault=NONE), BRAKES)

    rows = b1(dealer_a)

    assert [rows[o.number].in_numerator for o in (engine, declined, other_system)] == [False, True, True]
    assert rows[engine.number].comeback_number == service_visit.number


def test_a_revisit_counts_from_its_arrival_up_to_as_of(dealer_a, advisor_a):
    original = repair(dealer_a, advisor_a, sh(2026, 10, 30, 10))
    revisit = back(original, sh(2026, 11, 20, 9))

    # At the month's end the window is open and no comeback has come yet: pending, not a first-time fix.
    assert b1(dealer_a, as_of=sh(2026, 11, 1, 0))[original.number].in_numerator is None
    assert b1(dealer_a, as_of=sh(2026, 11, 20, 9))[original.number].comeback_number == revisit.number
    assert b1(dealer_a, as_of=sh(2026, 11, 20, 9))[original.number].in_numerator is False  # a miss at once
    assert b1(dealer_a, as_of=AS_OF)[original.number].in_numerator is False


def test_an_order_is_a_first_time_fix_once_its_window_has_closed(dealer_a, advisor_a):
    """Delivered on 1 October (any hour): day 30 is 31 October, so the window is closed from 1 November 00:00."""
    original = repair(dealer_a, advisor_a, sh(2026, 10, 1, 23, 30))

    open_row = b1(dealer_a, as_of=sh(2026, 10, 31, 23, 59, 59))[original.number]
    closed_row = b1(dealer_a, as_of=sh(2026, 11, 1, 0, 0))[original.number]

    assert (open_row.in_numerator, open_row.window_closed) == (None, False)
    assert (closed_row.in_numerator, closed_row.window_closed) == (True, True)
    measure = first_time_fix([dealer_a.id], START, END, sh(2026, 10, 31, 23, 59, 59))[dealer_a.id]
    assert (measure.value, measure.n) == (None, 0)  # only pending orders: no data yet, never 100 %
    assert first_time_fix([dealer_a.id], START, END, sh(2026, 11, 1))[dealer_a.id].value == 100.0


def test_the_window_closes_on_the_dealers_local_day(advisor_a):
    new_york = DealerFactory(time_zone="America/New_York")
    advisor = UserFactory(roles=[Role.SERVICE_ADVISOR], dealers=[new_york])
    ny = ZoneInfo("America/New_York")
    original = repair(new_york, advisor, datetime(2026, 10, 1, 21, tzinfo=ny))  # 2 October 09:00 in Shanghai

    assert b1(new_york, as_of=datetime(2026, 10, 31, 23, 59, tzinfo=ny))[original.number].in_numerator is None
    assert b1(new_york, as_of=datetime(2026, 11, 1, 0, 0, tzinfo=ny))[original.number].in_numerator is True


def test_a_revisit_cancelled_after_as_of_was_a_comeback_then(dealer_a, advisor_a):
    original = repair(dealer_a, advisor_a, sh(2026, 10, 2, 10))
    revisit = back(original, sh(2026, 10, 10, 9))
    RepairOrder.objects.filter(pk=revisit.pk).update(
        status=RepairOrderStatus.CANCELLED, cancelled_at=sh(2026, 11, 12, 9)
    )

    assert b1(dealer_a, as_of=sh(2026, 11, 8))[original.number].in_numerator is False  # the run of October
    assert b1(dealer_a)[original.number].in_numerator is True  # cancelled since: no comeback


def test_the_scorecard_counts_the_comebacks_b1_counts(dealer_a, advisor_a):
    """comeback_exists is B1's rule: a detected same-fault revisit counts although the desk never linked it."""
    detected = repair(dealer_a, advisor_a, sh(2026, 10, 2, 10))
    back(detected, sh(2026, 10, 12, 9))
    other = repair(dealer_a, advisor_a, sh(2026, 10, 3, 10))
    back(other, sh(2026, 10, 12, 9), fault=ENGINE)

    came_back = dict(
        RepairOrder.objects.filter(pk__in=[detected.pk, other.pk])
        .annotate(came_back=comeback_exists(AS_OF))
        .values_list("pk", "came_back")
    )

    assert came_back == {detected.pk: True, other.pk: False}
    assert {o.number: o.in_numerator for o in b1(dealer_a).values()} == {detected.number: False, other.number: True}


def test_days_are_counted_in_the_dealer_time_zone(advisor_a):
    new_york = DealerFactory(time_zone="America/New_York")
    advisor = UserFactory(roles=[Role.SERVICE_ADVISOR], dealers=[new_york])
    ny = ZoneInfo("America/New_York")
    original = repair(new_york, advisor, datetime(2026, 10, 1, 9, tzinfo=ny))  # 21:00 on 1 October in Shanghai
    back(original, datetime(2026, 10, 31, 13, tzinfo=ny))  # day 30 in New York, 1 November 01:00 in Shanghai

    row = b1(new_york)[original.number]

    assert (row.in_numerator, row.comeback_days) == (False, 30)


def test_a_dismissed_revisit_no_longer_counts_until_the_dismissal_is_undone(dealer_a, advisor_a, clock):
    original = repair(dealer_a, advisor_a, sh(2026, 10, 2, 10), fault=FaultCategory.TYRES)
    revisit = back(original, sh(2026, 10, 20, 9))
    clock(sh(2026, 10, 21, 9))

    dismissal = dismiss(original, revisit, advisor_a)

    row = b1(dealer_a)[original.number]
    assert (row.in_numerator, row.comeback_number) == (True, None)
    assert row.not_a_comeback == f"{revisit.number}: 客户换了新轮胎，与上次维修无关"
    # A run judged before the mark was made still sees the comeback.
    assert b1(dealer_a, as_of=sh(2026, 10, 20, 12))[original.number].in_numerator is False

    clock(sh(2026, 10, 22, 9))
    services.comeback_dismissal_revoke(dismissal=dismissal, by=advisor_a)

    assert b1(dealer_a)[original.number].in_numerator is False
    # While it stood (and the window was still open) the order was pending: no comeback, window not closed.
    assert b1(dealer_a, as_of=sh(2026, 10, 21, 12))[original.number].in_numerator is None
    stored = ComebackDismissal.objects.get()
    assert (stored.revoked_by, stored.revoked_at) == (advisor_a, sh(2026, 10, 22, 9))
    assert [h.history_type for h in stored.history.order_by("history_id")] == ["+", "~"]
    assert {h.history_user_id for h in stored.history.all()} == {advisor_a.pk}


def test_the_denominator_is_the_delivered_orders_with_a_fault_and_other_dealers_stay_out(
    dealer_a, dealer_b, advisor_a, advisor_b
):
    mine = repair(dealer_a, advisor_a, sh(2026, 10, 2, 10))
    theirs = repair(dealer_b, advisor_b, sh(2026, 10, 2, 10))
    back(theirs, sh(2026, 10, 5, 9))
    ro(dealer_a, advisor_a, car(dealer_a), arrived=sh(2026, 10, 3, 9), delivered=sh(2026, 10, 3, 11), fault=NONE)
    ro(dealer_a, advisor_a, car(dealer_a), arrived=sh(2026, 10, 4, 9), fault=BRAKES)  # not delivered

    assert list(b1(dealer_a)) == [mine.number]
    assert list(b1(dealer_b)) == [theirs.number]
    both = first_time_fix_records([dealer_a.id, dealer_b.id], START, END, AS_OF)
    assert {(row.dealer_id, row.in_numerator) for row in both} == {(dealer_a.id, True), (dealer_b.id, False)}


# --- "not a comeback" -------------------------------------------------------------------------------------------


@pytest.fixture
def clock(monkeypatch):
    from django.utils import timezone

    def set_now(moment: datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return set_now


@pytest.fixture
def pair(dealer_a, advisor_a, clock):
    clock(sh(2026, 10, 21, 9))
    original = repair(dealer_a, advisor_a, sh(2026, 10, 2, 10))
    return original, back(original, sh(2026, 10, 20, 9))


DESK_ONLY = "Only the service desk changes the check-in and the estimate."
OTHER_DEALER = "You cannot change the data of this dealer."


def refused(exception, call):
    """Run a call that must be refused with ``exception``: no dismissal and no order changed; return the error."""
    return assert_refused(exception, call, state=lambda: snapshot(ComebackDismissal, RepairOrder))


def test_the_advisor_or_service_manager_of_the_dealer_marks_not_a_comeback(pair, dealer_a, advisor_a):
    original, revisit = pair
    manager = UserFactory(roles=[Role.SERVICE_MANAGER], dealers=[dealer_a])

    dismissal = services.comeback_dismiss(original=original, revisit=revisit, reason="  另一侧刹车  ", by=manager)

    assert (dismissal.original, dismissal.revisit, dismissal.reason) == (original, revisit, "另一侧刹车")
    assert (dismissal.dismissed_by, dismissal.dismissed_at, dismissal.revoked_at) == (
        manager, sh(2026, 10, 21, 9), None
    )  # fmt: skip
    assert dismissal.history.get().history_user == manager
    [visit] = revisits_of(order=original)
    assert (visit.dismissed, visit.counts, visit.dismissal_reason) == (True, False, "另一侧刹车")


def test_not_a_comeback_refused_to_other_roles_dealers_and_region_managers(pair, dealer_a, dealer_b, advisor_b):
    original, revisit = pair
    region_manager = UserFactory(roles=[Role.REGION_MANAGER], regions=[dealer_a.region])
    workshop = [UserFactory(roles=[role], dealers=[dealer_a]) for role in (Role.TECHNICIAN, Role.FOREMAN)]

    refusals = [*((user, DESK_ONLY) for user in workshop), (region_manager, OTHER_DEALER), (advisor_b, OTHER_DEALER)]
    for user, reason in refusals:
        assert str(refused(PermissionDenied, lambda user=user: dismiss(original, revisit, user))) == reason


def test_not_a_comeback_needs_a_reason_and_a_detected_unlinked_revisit(pair, dealer_a, advisor_a):
    original, revisit = pair
    error = refused(ValidationError, lambda: dismiss(original, revisit, advisor_a, reason="   "))
    assert error.message_dict == {"reason": ["Say why this visit is not a comeback."]}
    error = refused(ValidationError, lambda: dismiss(original, revisit, advisor_a, reason="x" * 501))
    assert error.message_dict == {"reason": ["At most 500 characters."]}

    engine = back(original, sh(2026, 10, 20, 15), fault=ENGINE)
    error = refused(ValidationError, lambda: dismiss(original, engine, advisor_a))
    assert error.messages == [
        f"{engine.number} is not a comeback of {original.number} the system detected: nothing to mark."
    ]
    error = refused(ValidationError, lambda: dismiss(revisit, original, advisor_a))  # the wrong way round
    assert "is not a comeback of" in error.messages[0]

    RepairOrder.objects.filter(pk=revisit.pk).update(comeback_of=original)
    error = refused(ValidationError, lambda: dismiss(original, revisit, advisor_a))
    assert error.messages == [
        f"The desk linked {revisit.number} as a comeback of {original.number}. If that is wrong, remove the link on "
        f"{revisit.number} first."
    ]
    RepairOrder.objects.filter(pk=revisit.pk).update(comeback_of=None)

    dismiss(original, revisit, advisor_a)
    error = refused(ValidationError, lambda: dismiss(original, revisit, advisor_a))
    assert error.messages == [f"{revisit.number} is already marked as not a comeback of {original.number}."]


def test_undo_is_refused_twice_and_to_other_roles(pair, dealer_a, advisor_a, advisor_b, clock):
    original, revisit = pair
    dismissal = dismiss(original, revisit, advisor_a)
    technician = UserFactory(roles=[Role.TECHNICIAN], dealers=[dealer_a])
    for user, reason in ((technician, DESK_ONLY), (advisor_b, OTHER_DEALER)):
        error = refused(
            PermissionDenied, lambda user=user: services.comeback_dismissal_revoke(dismissal=dismissal, by=user)
        )
        assert str(error) == reason

    services.comeback_dismissal_revoke(dismissal=dismissal, by=advisor_a)

    error = refused(ValidationError, lambda: services.comeback_dismissal_revoke(dismissal=dismissal, by=advisor_a))
    assert error.messages == ["This “not a comeback” was already undone."]
    dismiss(original, revisit, advisor_a, reason="second thoughts")  # may be marked again after the undo
    assert ComebackDismissal.objects.filter(revoked_at__isnull=True).get().reason == "second thoughts"


def test_linking_a_dismissed_revisit_undoes_the_dismissal(pair, advisor_a):
    original, revisit = pair
    dismissal = dismiss(original, revisit, advisor_a)

    services.repair_order_link_comeback(order=revisit, earlier=original, by=advisor_a, version=revisit.version)

    dismissal.refresh_from_db()
    assert (dismissal.revoked_by, dismissal.revoked_at) == (advisor_a, sh(2026, 10, 21, 9))
    [visit] = revisits_of(order=original)
    assert (visit.linked, visit.dismissed, visit.counts) == (True, False, True)


# --- reception ----------------------------------------------------------------------------------------------


def test_reception_candidates_are_the_recent_deliveries_same_fault_first(dealer_a, advisor_a, customer_a, clock):
    clock(sh(2026, 12, 20, 10))
    vehicle = car(dealer_a)
    arrived = sh(2026, 12, 20, 9)
    too_old = repair(dealer_a, advisor_a, sh(2026, 11, 19, 23, 59), vehicle=vehicle)  # day 31
    oldest_in = repair(dealer_a, advisor_a, sh(2026, 11, 20, 0, 1), vehicle=vehicle)  # day 30
    service = repair(dealer_a, advisor_a, sh(2026, 12, 5, 10), fault=NONE, vehicle=vehicle)
    closed = repair(dealer_a, advisor_a, sh(2026, 12, 15, 10), vehicle=vehicle)
    RepairOrder.objects.filter(pk=closed.pk).update(status=RepairOrderStatus.CLOSED)
    repair(dealer_a, advisor_a, sh(2026, 12, 18, 10))  # another vehicle
    order = ro(dealer_a, advisor_a, vehicle, arrived=arrived, fault=BRAKES)

    candidates = list(comeback_candidates(order=order))

    assert [(c.number, c.days_after_delivery, c.same_fault, c.counts) for c in candidates] == [
        (closed.number, 5, True, True), (oldest_in.number, 30, True, True), (service.number, 15, False, False),
    ]  # fmt: skip
    assert too_old.pk
    # Before the fault is known, every recent delivery is only a recent visit.
    RepairOrder.objects.filter(pk=order.pk).update(fault_category=NONE)
    order.refresh_from_db()
    candidates = list(comeback_candidates(order=order))
    assert [(c.number, c.same_fault, c.counts) for c in candidates] == [
        (closed.number, False, False), (service.number, False, False), (oldest_in.number, False, False)
    ]  # "no fault" = "no fault" is two service visits, not a comeback  # fmt: skip
    assert closed.pk not in [c.pk for c in comeback_candidates(order=closed)]  # never its own candidate
    RepairOrder.objects.filter(pk=order.pk).update(status=RepairOrderStatus.CANCELLED)
    order.refresh_from_db()
    assert list(comeback_candidates(order=order)) == []


# --- the order page -------------------------------------------------------------------------------------------


@pytest.fixture
def reception(dealer_a, advisor_a, clock):
    """A car back at reception: delivered with brakes 4 days ago, and a service visit 10 days ago."""
    clock(sh(2026, 10, 21, 9, 30))
    vehicle = car(dealer_a)
    service = repair(dealer_a, advisor_a, sh(2026, 10, 11, 10), fault=NONE, vehicle=vehicle)
    brakes = repair(dealer_a, advisor_a, sh(2026, 10, 17, 10), vehicle=vehicle)
    order = ro(dealer_a, advisor_a, vehicle, arrived=sh(2026, 10, 21, 9), fault=BRAKES)
    return order, brakes, service


def page(client, order) -> str:
    response = client.get(order.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_the_desk_sees_the_possible_comeback_and_links_it_in_one_click(reception, advisor_a):
    order, brakes, service = reception
    desk = login(advisor_a)

    html = page(desk, order)

    hint = f"Possible comeback of RO {brakes.number} (4 days ago, same fault)"
    assert hint in html
    assert f"Recent visit: RO {service.number} (10 days ago, No fault (service only))" in html
    assert html.index(hint) < html.index("Recent visit")
    response = desk.post(
        reverse("repairs:repair_order_comeback", args=[order.pk]), {"earlier": brakes.pk, "version": order.version}
    )
    assert response.status_code == 302
    linked = RepairOrder.objects.get(pk=order.pk)
    assert (linked.comeback_of_id, linked.version) == (brakes.pk, order.version + 1)
    html = page(desk, linked)
    assert "Possible comeback" not in html and "Comeback of</span>" not in html
    assert f'Comeback of <a href="{brakes.get_absolute_url()}">{brakes.number}</a>' in html
    assert "yes: linked by the desk" in page(desk, brakes)  # and the original shows its comeback


def test_a_stale_link_click_changes_nothing(reception, advisor_a):
    order, brakes, _ = reception
    RepairOrder.objects.filter(pk=order.pk).update(version=order.version + 1)  # someone saved meanwhile

    response = login(advisor_a).post(
        reverse("repairs:repair_order_comeback", args=[order.pk]), {"earlier": brakes.pk, "version": order.version}
    )

    assert response.status_code == 400
    assert "Someone else saved this record" in response.content.decode()
    assert RepairOrder.objects.get(pk=order.pk).comeback_of_id is None


def test_not_a_comeback_from_the_page_then_undo(reception, advisor_a):
    order, brakes, _ = reception
    desk = login(advisor_a)
    url = reverse("repairs:repair_order_not_a_comeback", args=[order.pk])

    response = desk.post(url, {"original": brakes.pk, "revisit": order.pk, "reason": "   "})
    assert response.status_code == 400 and ComebackDismissal.objects.count() == 0
    response = desk.post(url, {"original": brakes.pk, "revisit": order.pk, "reason": "这次是右后轮刹车"})
    assert response.status_code == 302
    dismissal = ComebackDismissal.objects.get()
    assert (dismissal.original, dismissal.revisit, dismissal.dismissed_by) == (brakes, order, advisor_a)
    html = page(desk, order)
    assert f"RO {brakes.number} (4 days ago, same fault): marked not a comeback — 这次是右后轮刹车" in html
    assert "Possible comeback" not in html
    assert "no: not a comeback" in page(desk, brakes)

    response = desk.post(
        reverse("repairs:repair_order_not_a_comeback_undo", args=[brakes.pk]),
        {"dismissal": dismissal.pk, "next": brakes.get_absolute_url()},
    )
    assert response.status_code == 302 and response["Location"] == brakes.get_absolute_url()
    dismissal.refresh_from_db()
    assert dismissal.revoked_by == advisor_a
    assert "Possible comeback" in page(desk, order)
    assert "undone by advisor_a" in page(desk, order)


def test_a_pair_outside_the_page_or_the_dealer_is_not_found(reception, advisor_a, dealer_b, advisor_b):
    order, brakes, service = reception
    stranger = repair(dealer_b, advisor_b, sh(2026, 10, 18, 10))
    desk = login(advisor_a)
    url = reverse("repairs:repair_order_not_a_comeback", args=[service.pk])
    # The page's order must be one of the pair, and both must be the user's.
    assert desk.post(url, {"original": brakes.pk, "revisit": order.pk, "reason": "x"}).status_code == 404
    url = reverse("repairs:repair_order_not_a_comeback", args=[order.pk])
    assert desk.post(url, {"original": stranger.pk, "revisit": order.pk, "reason": "x"}).status_code == 404
    assert login(advisor_b).post(url, {"original": brakes.pk, "revisit": order.pk, "reason": "x"}).status_code == 404
    assert ComebackDismissal.objects.count() == 0


def test_region_managers_and_the_workshop_see_the_hint_without_buttons(reception, dealer_a):
    order, brakes, _ = reception
    region_manager = UserFactory(roles=[Role.REGION_MANAGER], regions=[dealer_a.region])
    technician = UserFactory(roles=[Role.TECHNICIAN], dealers=[dealer_a])
    url = reverse("repairs:repair_order_not_a_comeback", args=[order.pk])

    for user in (region_manager, technician):
        client = login(user)
        html = page(client, order)
        assert f"Possible comeback of RO {brakes.number} (4 days ago, same fault)" in html
        assert "Link as comeback" not in html and "Not a comeback" not in html
        response = client.post(url, {"original": brakes.pk, "revisit": order.pk, "reason": "x"})
        assert request_refused(response)
    assert ComebackDismissal.objects.count() == 0


def test_the_order_page_queries_do_not_grow_with_the_candidates(dealer_a, advisor_a, clock):
    clock(sh(2026, 10, 30, 9, 30))
    vehicle = car(dealer_a)
    order = ro(dealer_a, advisor_a, vehicle, arrived=sh(2026, 10, 30, 9), fault=BRAKES)
    desk = login(advisor_a)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            page(desk, order)
        return len(captured)

    first = repair(dealer_a, advisor_a, sh(2026, 10, 20, 10), vehicle=vehicle)
    dismiss(first, order, advisor_a)
    one = queries()
    for day in (21, 22, 23, 24, 25):
        earlier = repair(dealer_a, advisor_a, sh(2026, 10, day, 10), fault=[NONE, BRAKES][day % 2], vehicle=vehicle)
        back(earlier, sh(2026, 10, 28, 9))  # and each of them has a later visit too
    second = repair(dealer_a, advisor_a, sh(2026, 10, 26, 10), vehicle=vehicle)
    dismiss(second, order, advisor_a)
    html = page(desk, order)
    assert [html.count(text) for text in ("Possible comeback of RO", "Recent visit: RO", "marked not a comeback")] == [
        3, 2, 2
    ]  # fmt: skip

    assert queries() == one


# --- API --------------------------------------------------------------------------------------------------------

API = "/api/v1/repair-orders/"


def test_the_api_lists_candidates_and_revisits_and_marks_not_a_comeback(reception, api_en, advisor_a):
    order, brakes, service = reception
    api = api_en(advisor_a)

    response = api.get(f"{API}{order.pk}/comeback-candidates/")
    assert response.status_code == 200
    assert [(c["number"], c["days_ago"], c["same_fault"], c["counts"]) for c in response.json()] == [
        (brakes.number, 4, True, True), (service.number, 10, False, False),
    ]  # fmt: skip

    response = api.post(f"{API}{order.pk}/not-a-comeback/", {"earlier": brakes.pk, "reason": ""}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    response = api.post(f"{API}{order.pk}/not-a-comeback/", {"earlier": service.pk, "reason": "x"}, format="json")
    assert response.status_code == 400 and ComebackDismissal.objects.count() == 0
    response = api.post(f"{API}{order.pk}/not-a-comeback/", {"earlier": brakes.pk, "reason": "另一侧"}, format="json")
    assert response.status_code == 201
    dismissal = ComebackDismissal.objects.get()
    assert response.json()["reason"] == "另一侧" and response.json()["dismissed_by"] == str(advisor_a)

    [revisit] = api.get(f"{API}{brakes.pk}/revisits/").json()
    assert (revisit["number"], revisit["counts"], revisit["dismissal_id"]) == (order.number, False, dismissal.pk)

    response = api.post(f"{API}{brakes.pk}/not-a-comeback/{dismissal.pk}/undo/")
    assert response.status_code == 200 and response.json()["revoked_at"] is not None
    assert api.post(f"{API}{brakes.pk}/not-a-comeback/{dismissal.pk}/undo/").status_code == 400


def test_the_api_comeback_actions_are_404_for_another_dealer(reception, api_en, advisor_b, dealer_a):
    order, brakes, _ = reception
    api = api_en(advisor_b)
    assert api.get(f"{API}{order.pk}/comeback-candidates/").status_code == 404
    assert api.get(f"{API}{brakes.pk}/revisits/").status_code == 404
    response = api.post(f"{API}{order.pk}/not-a-comeback/", {"earlier": brakes.pk, "reason": "x"}, format="json")
    assert response.status_code == 404
    region = api_en(UserFactory(roles=[Role.REGION_MANAGER], regions=[dealer_a.region]))
    assert region.get(f"{API}{order.pk}/comeback-candidates/").status_code == 200  # reads
    response = region.post(f"{API}{order.pk}/not-a-comeback/", {"earlier": brakes.pk, "reason": "x"}, format="json")
    assert response.status_code == 404  # read-only: for writing, not one of their dealers
    assert ComebackDismissal.objects.count() == 0
