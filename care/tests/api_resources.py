"""The customer-care API endpoints for the generic API tests (core/tests/test_api_resources.py)."""

from datetime import timedelta

from django.utils import timezone

from accounts.choices import Role
from care import services
from care.models import CallRecord, Campaign, Letter, Reminder
from care.tests.conftest import visit
from core.tests.api_kit import ApiResource, role
from core.tests.factories import CustomerFactory, staff_user
from customers.models import Customer
from todo.choices import TaskKind
from todo.models import Task

specialist = role(Role.FOLLOWUP_SPECIALIST)


def follow_up(dealer) -> Task:
    """An open first follow-up call of a customer of the dealer whose window is running now (the default bucket)."""
    now = timezone.now()
    return Task.objects.create(
        dealer=dealer, kind=TaskKind.FOLLOWUP_FIRST, title="首次回访", due_at=now - timedelta(hours=1),
        due_by=now + timedelta(days=1), role=Role.FOLLOWUP_SPECIALIST, customer=CustomerFactory(dealer=dealer),
    )  # fmt: skip


def inbound_call(dealer) -> CallRecord:
    customer = CustomerFactory(dealer=dealer)
    return services.call_record(
        by=staff_user(dealer, Role.FOLLOWUP_SPECIALIST), dealer=dealer, customer=customer, outcome="reached",
        direction="inbound", purpose="consultation",
    )  # fmt: skip


LETTER = {"kind": "notice", "medium": "post", "subject": "保养通知", "body": "…"}


def letter_payload(dealer) -> dict:
    return {"customer": CustomerFactory(dealer=dealer).pk, **LETTER, "sent_on": str(timezone.localdate())}


def letter(dealer) -> Letter:
    return services.letter_register(
        dealer=dealer, customer=CustomerFactory(dealer=dealer), sent_on=timezone.localdate(),
        by=staff_user(dealer, Role.FOLLOWUP_SPECIALIST), **LETTER,
    )  # fmt: skip


def reminder(dealer) -> Reminder:
    today = timezone.localdate()
    return Reminder.objects.create(
        dealer=dealer, customer=CustomerFactory(dealer=dealer), kind="birthday", due_on=today, remind_on=today
    )


def campaign(dealer) -> Campaign:
    today = timezone.localdate()
    return Campaign.objects.create(
        dealer=dealer, name="免费检测", kind="free_check", starts_on=today, ends_on=today + timedelta(days=14),
        created_by=staff_user(dealer, Role.FOLLOWUP_SPECIALIST),
    )  # fmt: skip


def lapsed(dealer) -> Customer:
    """A customer whose only visit was 500 days ago."""
    customer = CustomerFactory(dealer=dealer)
    visit(dealer, staff_user(dealer, Role.SERVICE_ADVISOR), customer=customer, arrived_days_ago=500)
    return customer


RESOURCES = [
    # The follow-up calls (to-do tasks) of the call list; ``?bucket=`` and the call itself: care/tests.
    ApiResource(basename="follow-up", make=follow_up, read_permission="care.view_callrecord"),
    ApiResource(
        basename="call",
        make=inbound_call,
        writer=specialist,
        create=lambda dealer: {
            "customer": CustomerFactory(dealer=dealer).pk,
            "outcome": "reached",
            "direction": "inbound",
            "purpose": "consultation",
            "summary": "问价",
        },
        dealer_field="customer",
        refused_writes_change=(Task,),
    ),
    ApiResource(basename="letter", make=letter, writer=specialist, create=letter_payload, dealer_field="customer"),
    # Closing a reminder is an action: care/tests/test_pages_api.py.
    ApiResource(basename="reminder", make=reminder),
    ApiResource(
        basename="campaign",
        make=campaign,
        writer=specialist,
        create=lambda dealer: {
            "dealer": dealer.pk,
            "name": "回厂关怀",
            "kind": "win_back",
            "starts_on": str(timezone.localdate()),
            "ends_on": str(timezone.localdate() + timedelta(days=14)),
        },
        dealer_field="dealer",
    ),
    ApiResource(
        basename="lapsed-customer", make=lapsed, model=Customer, read_permission="care.view_lapsenote", detail=False
    ),
]
