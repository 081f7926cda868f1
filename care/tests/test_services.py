"""Customer care services: follow-up windows and attempts, calls, letters, reminders, campaigns, messaging."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from care import kpis, selectors, services
from care.choices import (
    CallOutcome,
    CallPurpose,
    CampaignStatus,
    MessageChannel,
    MessagePurpose,
    MessageStatus,
    ReminderKind,
    ReminderStatus,
    TargetStatus,
)
from care.messaging import LoggingSender, send_message
from care.models import CallRecord, Campaign, OutboundMessage, Reminder
from care.reminders import daily_km, generate_reminders, inspection_dates
from care.tests.conftest import visit
from core.dates import month_bounds
from core.services import ConflictError
from core.tests.factories import CustomerFactory, VehicleFactory, make_vin
from core.tests.helpers import raises_because
from customers.choices import Consent
from repairs.choices import RepairOrderStatus as S
from repairs.models import RepairOrder, Settlement
from todo.choices import TaskKind, TaskStatus
from todo.models import Task
from todo.services import task_finish


def local(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def first_task(order) -> Task:
    return Task.objects.get(repair_order=order, kind=TaskKind.FOLLOWUP_FIRST)


# --- follow-ups -------------------------------------------------------------------------------------------------


def test_delivery_puts_the_first_call_in_its_day_3_to_7_window(delivered):
    task = first_task(delivered)
    day = timezone.localdate(delivered.delivered_at)
    assert (timezone.localtime(task.due_at), timezone.localtime(task.due_by)) == (
        local(day + timedelta(days=3), 0),
        local(day + timedelta(days=8), 0) - timedelta(microseconds=1),  # the very end of day 7
    )
    assert not Task.objects.filter(repair_order=delivered, kind=TaskKind.FOLLOWUP_SECOND).exists()


def test_a_follow_up_done_in_the_last_split_second_of_day_7_is_on_time(dealer_a):
    delivered_at = local(date(2026, 10, 1), 15)
    due_at, due_by = services.follow_up_window(TaskKind.FOLLOWUP_FIRST, delivered_at)
    last_split_second = local(date(2026, 10, 8), 23) + timedelta(minutes=59, seconds=59, microseconds=500_000)
    for done in (last_split_second, local(date(2026, 10, 9), 0)):  # on time; the next midnight is day 8: late
        Task.objects.create(dealer=dealer_a, kind=TaskKind.FOLLOWUP_FIRST, title="t", role="followup_specialist",
                            due_at=due_at, due_by=due_by, status=TaskStatus.DONE, done_at=done)  # fmt: skip
    rate = kpis.follow_up_timeliness([dealer_a.pk], *month_bounds(2026, 10), as_of=local(date(2026, 11, 1)))
    assert (rate[dealer_a.pk].numerator, rate[dealer_a.pk].n) == (1, 2)


def test_a_reached_first_call_closes_the_task_and_schedules_the_second_within_7_days(delivered, specialist_a):
    task = first_task(delivered)
    call = services.call_record(
        by=specialist_a, task=task, outcome=CallOutcome.REACHED, satisfaction=5, problem_solved=True,
        summary="刹车已不响", customer_request="下次保养提醒",
    )  # fmt: skip
    task.refresh_from_db()
    assert (task.status, task.done_at, task.done_by_id, task.outcome) == (
        TaskStatus.DONE, call.called_at, specialist_a.pk, "刹车已不响",
    )  # fmt: skip
    assert (call.dealer_id, call.customer_id, call.vehicle_id, call.repair_order_id, call.purpose) == (
        delivered.dealer_id, delivered.customer_id, delivered.vehicle_id, delivered.pk, CallPurpose.FOLLOW_UP,
    )  # fmt: skip
    second = Task.objects.get(repair_order=delivered, kind=TaskKind.FOLLOWUP_SECOND)
    day = timezone.localdate(call.called_at)
    assert timezone.localtime(second.due_at) == local(day + timedelta(days=1), 0)
    assert timezone.localdate(second.due_by) == day + timedelta(days=7)
    assert second.status == TaskStatus.OPEN
    # The second call closes its task without scheduling a third.
    services.call_record(by=specialist_a, task=second, outcome=CallOutcome.REFUSED)
    second.refresh_from_db()
    assert second.status == TaskStatus.DONE
    assert Task.objects.filter(repair_order=delivered).count() == 2


def test_three_failed_attempts_close_the_follow_up_as_unreachable(delivered, specialist_a):
    task = first_task(delivered)
    for outcome in (CallOutcome.NOT_REACHED, CallOutcome.WRONG_NUMBER):
        services.call_record(by=specialist_a, task=task, outcome=outcome)
        task.refresh_from_db()
        assert task.status == TaskStatus.OPEN
    assert services.failed_attempts(task) == 2
    services.call_record(by=specialist_a, task=task, outcome=CallOutcome.NOT_REACHED)
    task.refresh_from_db()
    assert task.status == TaskStatus.UNREACHABLE
    assert not Task.objects.filter(repair_order=delivered, kind=TaskKind.FOLLOWUP_SECOND).exists()
    with raises_because(ValidationError, "This task is already closed."):
        services.call_record(by=specialist_a, task=task, outcome=CallOutcome.REACHED, satisfaction=4)
    assert CallRecord.objects.filter(task=task).count() == 3


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        # a reached follow-up asks the satisfaction question
        ({"outcome": CallOutcome.REACHED}, "Ask the customer how satisfied they are with the visit."),
        ({"outcome": CallOutcome.NOT_REACHED, "satisfaction": 4}, "Only a reached customer gives answers."),
        ({"outcome": "maybe"}, "Choose the outcome of the call."),
        (
            {"outcome": CallOutcome.REACHED, "satisfaction": 4, "called_at": timezone.now() + timedelta(hours=2)},
            "A call cannot be recorded in the future.",
        ),
    ],
)
def test_bad_calls_are_refused_and_change_nothing(delivered, specialist_a, kwargs, reason):
    task = first_task(delivered)
    with raises_because(ValidationError, reason):
        services.call_record(by=specialist_a, task=task, **kwargs)
    task.refresh_from_db()
    assert (task.status, CallRecord.objects.count(), Task.objects.count()) == (TaskStatus.OPEN, 0, 1)


def test_another_dealers_specialist_cannot_record_the_call(delivered, specialist_b):
    with raises_because(PermissionDenied, "You cannot change the data of this dealer."):
        services.call_record(by=specialist_b, task=first_task(delivered), outcome=CallOutcome.NOT_REACHED)
    assert CallRecord.objects.count() == 0


def test_a_follow_up_is_not_ticked_off_on_the_to_do_list_without_a_call(delivered, specialist_a):
    task = first_task(delivered)
    with raises_because(ValidationError, "A follow-up is done by recording the call (customer care)."):
        task_finish(task=task, by=specialist_a, outcome="ok")
    task_finish(task=task, by=specialist_a, status=TaskStatus.CANCELLED, outcome="车辆已出售")


def test_inbound_call_needs_a_customer_of_the_dealer(dealer_a, dealer_b, specialist_a, customer_a):
    other = CustomerFactory(dealer=dealer_b)
    with raises_because(ValidationError, "This record belongs to another dealer."):
        services.call_record(by=specialist_a, dealer=dealer_a, customer=other, outcome="reached",
                             purpose=CallPurpose.CONSULTATION, direction="inbound")  # fmt: skip
    call = services.call_record(
        by=specialist_a, dealer=dealer_a, customer=customer_a, outcome="reached",
        purpose=CallPurpose.CONSULTATION, direction="inbound", summary="问保养价格",
    )  # fmt: skip
    assert (call.task_id, call.direction) == (None, "inbound")


# --- KPI inputs D4, D5, E4 ----------------------------------------------------------------------------------------


def _task(dealer, *, kind=TaskKind.FOLLOWUP_FIRST, start: date, status=TaskStatus.OPEN, done: datetime | None = None):
    return Task.objects.create(
        dealer=dealer, kind=kind, title="t", role="followup_specialist", due_at=local(start, 0),
        due_by=timezone.make_aware(datetime.combine(start + timedelta(days=4), time(23, 59, 59))),
        status=status, done_at=done,
    )  # fmt: skip


def test_d4_counts_follow_ups_done_inside_their_window(dealer_a, dealer_b):
    start = date(2026, 10, 1)
    _task(dealer_a, start=start, status=TaskStatus.DONE, done=local(start))  # first day: on time
    _task(dealer_a, start=start, status=TaskStatus.DONE, done=local(start + timedelta(days=4), 23))  # last day
    _task(dealer_a, start=start, status=TaskStatus.DONE, done=local(start + timedelta(days=5)))  # late
    _task(dealer_a, start=start, status=TaskStatus.DONE, done=local(start - timedelta(days=1)))  # too early
    _task(dealer_a, start=start, status=TaskStatus.UNREACHABLE, done=local(start))  # not reached
    _task(dealer_a, kind=TaskKind.FOLLOWUP_SECOND, start=start, status=TaskStatus.OPEN)  # never done
    _task(dealer_a, start=date(2026, 11, 20), status=TaskStatus.DONE, done=local(date(2026, 11, 20)))  # not due yet
    Task.objects.create(dealer=dealer_a, kind="other", title="x", role="followup_specialist", due_at=local(start),
                        due_by=local(start + timedelta(days=1)))  # fmt: skip
    rates = kpis.follow_up_timeliness([dealer_a.pk, dealer_b.pk], local(start, 0), local(date(2026, 11, 1), 0))
    assert (rates[dealer_a.pk].numerator, rates[dealer_a.pk].n) == (2, 6)
    assert rates[dealer_a.pk].value == pytest.approx(100 * 2 / 6)
    assert (rates[dealer_b.pk].n, rates[dealer_b.pk].value) == (0, None)  # no data, not 0 %


def test_d5_counts_archives_complete_within_two_days(dealer_a):
    now = timezone.now()
    quick, late, never = (CustomerFactory(dealer=dealer_a) for _ in range(3))
    for customer, completed in ((quick, now + timedelta(days=1, hours=23)), (late, now + timedelta(days=2, hours=1))):
        type(customer).objects.filter(pk=customer.pk).update(
            created_at=now, archive_complete=True, archive_completed_at=completed
        )
    type(never).objects.filter(pk=never.pk).update(created_at=now, archive_complete=False, archive_completed_at=None)
    period = (now - timedelta(hours=1), now + timedelta(hours=1))
    rate = kpis.archive_timeliness([dealer_a.pk], *period, as_of=now + timedelta(days=3))[dealer_a.pk]
    assert (rate.numerator, rate.n) == (1, 3)
    # Now the completions are still to come and the two days not over: all three are pending, not misses.
    assert kpis.archive_timeliness([dealer_a.pk], *period)[dealer_a.pk].n == 0


def test_e4_retention_follows_the_rolling_24_and_12_months(dealer_a, advisor_a):
    kept, lost, new = (CustomerFactory(dealer=dealer_a) for _ in range(3))
    visit(dealer_a, advisor_a, customer=kept, arrived_days_ago=500)
    visit(dealer_a, advisor_a, customer=kept, arrived_days_ago=100)
    visit(dealer_a, advisor_a, customer=lost, arrived_days_ago=400)
    visit(dealer_a, advisor_a, customer=new, arrived_days_ago=10)  # not in the base year: not counted
    cancelled = visit(dealer_a, advisor_a, customer=lost, arrived_days_ago=20, status=S.CANCELLED)
    assert cancelled.status == S.CANCELLED  # a cancelled visit is not a visit
    now = timezone.now()
    rate = kpis.retention([dealer_a.pk], now - timedelta(days=1), now)[dealer_a.pk]
    assert (rate.numerator, rate.n) == (1, 2)


def test_lapsed_customers_have_their_last_visit_value_and_reason(dealer_a, advisor_a, specialist_a):
    old = CustomerFactory(dealer=dealer_a)
    first = visit(dealer_a, advisor_a, customer=old, arrived_days_ago=700)
    visit(dealer_a, advisor_a, customer=old, arrived_days_ago=400)
    Settlement.objects.create(
        order=first, invoice_number="X1", settled_at=first.arrived_at, settled_by=advisor_a, payment_method="cash",
        customer_total=Decimal("880.00"), grand_total=Decimal("880.00"), totals={},
    )  # fmt: skip
    recent = CustomerFactory(dealer=dealer_a)
    visit(dealer_a, advisor_a, customer=recent, arrived_days_ago=30)
    CustomerFactory(dealer=dealer_a)  # never came: not "lapsed", just a prospect
    services.lapse_note_record(customer=old, reason="moved", note="搬到外地", by=specialist_a)
    rows = list(selectors.lapsed_customers(type(old).objects.filter(dealer=dealer_a)))
    assert [(c.pk, c.visits, c.spend, c.lapse_reason) for c in rows] == [(old.pk, 2, Decimal("880.00"), "moved")]
    assert list(selectors.lapsed_customers(type(old).objects.filter(dealer=dealer_a), months=18)) == []


# --- letters ------------------------------------------------------------------------------------------------------


def test_letters_are_numbered_per_dealer_and_year(dealer_a, dealer_b, specialist_a, specialist_b, customer_a):
    today = timezone.localdate()
    numbers = [
        services.letter_register(
            dealer=dealer_a,
            customer=customer_a,
            kind="notice",
            medium="post",
            subject="保养通知",
            body="…",
            sent_on=today,
            by=specialist_a,
        ).number
        for _ in range(2)
    ]
    assert numbers == [f"A001-L{today.year}-0001", f"A001-L{today.year}-0002"]
    with raises_because(PermissionDenied, "You cannot change the data of this dealer."):
        services.letter_register(dealer=dealer_a, customer=customer_a, kind="reply", medium="post", subject="s",
                                 body="b", sent_on=today, by=specialist_b)  # fmt: skip
    with raises_because(ValidationError, "A letter is registered once it is sent."):
        services.letter_register(dealer=dealer_a, customer=customer_a, kind="reply", medium="post", subject="s",
                                 body="b", sent_on=today + timedelta(days=1), by=specialist_a)  # fmt: skip


# --- reminders ----------------------------------------------------------------------------------------------------


def test_inspection_schedule_of_a_private_car():
    registered = date(2010, 3, 15)
    dates = inspection_dates(registered, date(2026, 12, 31))
    assert dates[:4] == [date(2012, 3, 15), date(2014, 3, 15), date(2016, 3, 15), date(2017, 3, 15)]
    assert date(2025, 3, 15) in dates and date(2025, 9, 15) in dates and date(2026, 9, 15) in dates
    assert date(2024, 9, 15) not in dates  # yearly until year 15


def test_daily_km_prefers_the_vehicles_own_readings():
    now = timezone.now()
    assert daily_km(first_km=10_000, last_km=13_000, first_at=now - timedelta(days=100), last_at=now,
                    mileage_km=13_000, purchase_date=None, today=now.date()) == 30  # fmt: skip
    # readings too close together: fall back to the mileage over the car's age
    bought = now.date() - timedelta(days=400)
    assert daily_km(first_km=10_000, last_km=10_100, first_at=now - timedelta(days=3), last_at=now,
                    mileage_km=20_000, purchase_date=bought, today=now.date()) == 50  # fmt: skip
    assert daily_km(first_km=None, last_km=None, first_at=None, last_at=None, mileage_km=None, purchase_date=None,
                    today=now.date()) is None  # fmt: skip


def test_reminders_are_generated_once_with_the_mileage_estimate(dealer_a, advisor_a):
    today = timezone.localdate()
    customer = CustomerFactory(dealer=dealer_a, birthday=today.replace(year=1990) + timedelta(days=5))
    vehicle = VehicleFactory(
        owner=customer, vin=make_vin(77), mileage_km=29_000, purchase_date=today - timedelta(days=580),
        insurance_expiry=today + timedelta(days=20), warranty_expiry=today + timedelta(days=400),
    )  # fmt: skip
    order = visit(dealer_a, advisor_a, customer=customer, vehicle=vehicle, arrived_days_ago=100)
    RepairOrder.objects.filter(pk=order.pk).update(odometer_km=26_000)
    Settlement.objects.create(
        order=order, invoice_number="S1", settled_at=order.arrived_at, settled_by=advisor_a, payment_method="cash",
        customer_total=0, grand_total=0, totals={}, next_service_due_date=today + timedelta(days=80),
        next_service_due_km=30_000,
    )  # fmt: skip
    created = generate_reminders(dealer=dealer_a, today=today)
    kinds = dict(Reminder.objects.filter(customer=customer).values_list("kind", "due_on"))
    # one reading only: 29,000 km over 580 days = 50 km a day, so 30,000 km in 20 days (before the date)
    assert kinds[ReminderKind.MAINTENANCE] == today + timedelta(days=20)
    assert kinds[ReminderKind.INSURANCE] == today + timedelta(days=20)
    assert kinds[ReminderKind.BIRTHDAY] == customer.birthday.replace(year=today.year)
    assert ReminderKind.WARRANTY not in kinds  # 400 days away: not yet
    assert created == len(kinds)
    assert generate_reminders(dealer=dealer_a, today=today) == 0  # idempotent
    assert vehicle.pk == Reminder.objects.get(customer=customer, kind=ReminderKind.INSURANCE).vehicle_id


def test_a_reminder_call_and_close(dealer_a, specialist_a, customer_a, vehicle_a):
    from appointments.models import Appointment

    reminder = Reminder.objects.create(dealer=dealer_a, customer=customer_a, vehicle=vehicle_a, kind="insurance",
                                       due_on=timezone.localdate(), remind_on=timezone.localdate())  # fmt: skip
    services.call_record(by=specialist_a, reminder=reminder, outcome=CallOutcome.REACHED, summary="续保报价已发")
    reminder.refresh_from_db()
    assert (reminder.status, reminder.version) == (ReminderStatus.CONTACTED, 2)
    with raises_because(ValidationError, "Choose the appointment the customer booked."):  # booked needs the appointment
        services.reminder_close(reminder=reminder, by=specialist_a, status="booked", version=reminder.version)
    with raises_because(ConflictError, "your version 1, now 2"):  # a stale version is refused
        services.reminder_close(reminder=reminder, by=specialist_a, status="dismissed", outcome="x", version=1)
    services.reminder_close(reminder=reminder, by=specialist_a, status="dismissed", outcome="已在别处续保",
                            version=reminder.version)  # fmt: skip
    assert Reminder.objects.get(pk=reminder.pk).status == ReminderStatus.DISMISSED
    with raises_because(
        ValidationError, "This reminder is closed: record the call on the customer's page."
    ):  # a closed reminder is not reopened by a call
        services.call_record(by=specialist_a, reminder=reminder, outcome=CallOutcome.REACHED)
    assert Reminder.objects.get(pk=reminder.pk).outcome == "已在别处续保"
    assert not Appointment.objects.exists()


# --- campaigns and messaging -------------------------------------------------------------------------------------


def test_a_campaign_from_list_to_invitation_call_and_visit(
    dealer_a, advisor_a, specialist_a, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    lapsed = CustomerFactory(dealer=dealer_a, consent=Consent.GIVEN)
    refused = CustomerFactory(dealer=dealer_a, consent=Consent.REFUSED)
    recent = CustomerFactory(dealer=dealer_a)
    for customer, days in ((lapsed, 250), (refused, 300), (recent, 20)):
        visit(dealer_a, advisor_a, customer=customer, arrived_days_ago=days)
    campaign = Campaign.objects.create(dealer=dealer_a, name="冬季免费检测周", kind="seasonal", starts_on=today,
                                       ends_on=today + timedelta(days=7), created_by=specialist_a)  # fmt: skip
    with raises_because(
        ValidationError, "Add customers to the target list before launching."
    ):  # nobody on the list yet
        services.campaign_set_status(campaign=campaign, status=CampaignStatus.ACTIVE, by=specialist_a, version=1)
    customers = selectors.customers_by_last_visit(type(lapsed).objects.filter(dealer=dealer_a), from_months=6,
                                                  to_months=12)  # fmt: skip
    assert services.campaign_add_targets(campaign=campaign, customers=customers, by=specialist_a) == 2
    assert services.campaign_add_targets(campaign=campaign, customers=customers, by=specialist_a) == 0
    campaign = services.campaign_set_status(campaign=campaign, status=CampaignStatus.ACTIVE, by=specialist_a,
                                            version=1)  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        assert services.campaign_invite(campaign=campaign, by=specialist_a, channel="sms", body="欢迎参加冬季检测") == 2
    assert services.campaign_invite(campaign=campaign, by=specialist_a, channel="sms", body="欢迎参加冬季检测") == 0
    statuses = dict(campaign.dealer.messages.values_list("customer_id", "status"))
    assert statuses == {lapsed.pk: MessageStatus.SENT, refused.pk: MessageStatus.BLOCKED}
    target = campaign.targets.get(customer=lapsed)
    services.call_record(by=specialist_a, target=target, outcome=CallOutcome.REACHED, summary="周六来")
    visit(dealer_a, advisor_a, customer=lapsed, arrived_days_ago=0)
    outcome = selectors.campaign_outcome(campaign)
    assert outcome == {"listed": 2, "contacted": 1, "declined": 0, "unreachable": 0, "booked": 0, "came": 1}
    assert campaign.targets.get(customer=lapsed).status == TargetStatus.CONTACTED


def test_a_campaign_counts_a_visit_until_the_end_of_its_last_day(dealer_a, advisor_a, specialist_a):
    campaign = Campaign.objects.create(dealer=dealer_a, name="春季检测周", kind="seasonal", starts_on=date(2026, 3, 2),
                                       ends_on=date(2026, 3, 8), created_by=specialist_a)  # fmt: skip
    moments = {
        "first_moment": local(date(2026, 3, 2), 0),
        "last_split_second": local(date(2026, 3, 8), 23) + timedelta(minutes=59, seconds=59, microseconds=500_000),
        "next_midnight": local(date(2026, 3, 9), 0),
    }
    customers = {}
    for name, arrived in moments.items():
        order = visit(dealer_a, advisor_a, arrived_days_ago=0)
        RepairOrder.objects.filter(pk=order.pk).update(arrived_at=arrived)
        campaign.targets.create(customer=order.customer, vehicle=order.vehicle, status=TargetStatus.PENDING)
        customers[order.customer_id] = name
    came = {customers[t.customer_id]: t.came for t in selectors.campaign_targets(campaign)}
    assert came == {"first_moment": True, "last_split_second": True, "next_midnight": False}


def test_send_message_logs_every_channel_and_survives_a_gateway_error(
    customer_a, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = send_message(dealer=customer_a.dealer, customer=customer_a, purpose=MessagePurpose.NOTICE, body="hi")
    assert (message.channel, message.status, message.recipient) == (
        MessageChannel.RECORD, MessageStatus.RECORDED, customer_a.mobile,
    )  # fmt: skip
    settings.CARE_MESSAGE_SENDERS = {"sms": "care.tests.test_services.BrokenGateway"}
    with django_capture_on_commit_callbacks(execute=True):
        failed = send_message(dealer=customer_a.dealer, customer=customer_a, purpose="notice", body="hi", channel="sms")
    assert (failed.status, failed.detail) == (MessageStatus.FAILED, "gateway down")
    failed.refresh_from_db()
    assert (failed.status, failed.detail) == (MessageStatus.FAILED, "gateway down")
    immediate = send_message(
        dealer=customer_a.dealer, customer=customer_a, purpose="notice", body="hi", channel="sms", defer=False
    )
    assert OutboundMessage.objects.get(pk=immediate.pk).status == MessageStatus.FAILED
    with pytest.raises(ValueError, match="unknown channel"):
        send_message(dealer=customer_a.dealer, customer=customer_a, purpose="notice", body="hi", channel="fax")


SENT_BY_GATEWAY: list[int] = []


class BrokenGateway:
    def send(self, message):
        raise ConnectionError("gateway down")


class RecordingGateway(LoggingSender):
    def send(self, message):
        SENT_BY_GATEWAY.append(message.pk)
        return super().send(message)


def test_a_message_is_sent_only_when_its_transaction_commits(
    dealer_a, customer_a, settings, django_capture_on_commit_callbacks
):
    SENT_BY_GATEWAY.clear()
    settings.CARE_MESSAGE_SENDERS = {"sms": "care.tests.test_services.RecordingGateway"}
    refused = CustomerFactory(dealer=dealer_a, consent=Consent.REFUSED)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            send_message(dealer=dealer_a, customer=customer_a, purpose="notice", body="rolled back", channel="sms")
            raise RuntimeError("the change around the message failed")
        blocked = send_message(dealer=dealer_a, customer=refused, purpose="notice", body="no", channel="sms")
        kept = send_message(dealer=dealer_a, customer=customer_a, purpose="notice", body="kept", channel="sms")
        assert OutboundMessage.objects.get(pk=kept.pk).status == MessageStatus.RECORDED  # saved, not yet sent
        assert SENT_BY_GATEWAY == []
    assert len(callbacks) == 1  # only the committed, allowed message goes to the gateway
    assert [kept.pk] == SENT_BY_GATEWAY
    assert OutboundMessage.objects.get(pk=kept.pk).status == MessageStatus.SENT
    assert OutboundMessage.objects.get(pk=blocked.pk).status == MessageStatus.BLOCKED
    assert list(OutboundMessage.objects.values_list("body", flat=True).order_by("id")) == ["no", "kept"]
    immediate = send_message(
        dealer=dealer_a, customer=customer_a, purpose="notice", body="now", channel="sms", defer=False
    )
    assert immediate.status == MessageStatus.SENT and len(SENT_BY_GATEWAY) == 2  # sent before it returns
    SENT_BY_GATEWAY.clear()


def test_the_daily_reminder_command_and_task(dealer_a, customer_a):
    from io import StringIO

    from django.core.management import CommandError, call_command

    from care.tasks import find_care_reminders

    type(customer_a).objects.filter(pk=customer_a.pk).update(birthday=timezone.localdate() + timedelta(days=3))
    out = StringIO()
    call_command("care_reminders", stdout=out)
    assert "A001: 1 new reminders" in out.getvalue()
    assert find_care_reminders.call() == 0  # nothing new the second time
    for bad in (["--today", "2026-13-01"], ["--horizon", "0"], ["--dealer", "NOPE"]):
        with pytest.raises(CommandError) as error:
            call_command("care_reminders", *bad, stdout=StringIO())
        assert error.value.returncode == 2


def test_a_complaint_raised_on_a_follow_up_call_becomes_a_linked_complaint(delivered, specialist_a):
    from complaints.models import Complaint

    task = first_task(delivered)
    with pytest.raises(ValidationError) as error:  # no category: nothing is recorded
        services.call_record(by=specialist_a, task=task, outcome=CallOutcome.REACHED, satisfaction=1,
                             complaint_text="刹车还是响", complaint={"category": "", "severity": "high"})  # fmt: skip
    assert "complaint_category" in error.value.message_dict
    assert (CallRecord.objects.count(), Complaint.objects.count()) == (0, 0)
    raised = {"category": "repair_quality", "severity": "high"}
    call = services.call_record(by=specialist_a, task=task, outcome=CallOutcome.REACHED, satisfaction=1,
                                complaint_text="刹车还是响", complaint=raised)  # fmt: skip
    complaint = call.complaint
    assert (complaint.channel, complaint.category, complaint.repair_order_id, complaint.customer_id) == (
        "follow_up_call", "repair_quality", delivered.pk, delivered.customer_id,
    )  # fmt: skip
    assert complaint.received_at == call.called_at
    assert list(complaint.calls.all()) == [call]
