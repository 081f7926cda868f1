"""Care pages and API: the follow-up specialist's day end to end, tenant isolation, query counts, exports."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.choices import Role
from care import services
from care.choices import CallOutcome
from care.models import CallRecord, Campaign, Letter, Reminder
from care.tests.conftest import visit
from core.tests.factories import CustomerFactory, UserFactory, VehicleFactory, make_vin
from core.tests.helpers import login
from repairs.choices import RepairOrderStatus as S
from repairs.tests.factories import make_order
from todo.choices import TaskKind, TaskStatus
from todo.models import Task


def open_follow_ups(dealer, advisor, n: int) -> list[Task]:
    """``n`` delivered orders whose first follow-up window has started."""
    tasks = []
    for i in range(n):
        customer = CustomerFactory(dealer=dealer)
        order = make_order(
            VehicleFactory(owner=customer, vin=make_vin(900 + i + 100 * dealer.pk)), advisor, S.DELIVERED
        )
        task = Task.objects.get(repair_order=order, kind=TaskKind.FOLLOWUP_FIRST)
        Task.objects.filter(pk=task.pk).update(due_at=timezone.now() - timedelta(hours=1))
        tasks.append(task)
    return tasks


def test_the_specialist_works_the_list_and_records_a_call(dealer_a, advisor_a, specialist_a):
    task = open_follow_ups(dealer_a, advisor_a, 1)[0]
    client = login(specialist_a)
    page = client.get(reverse("care:followups"))
    assert page.status_code == 200
    assert reverse("care:followup_call", args=[task.pk]) in page.content.decode()
    assert "Customer care" in client.get(reverse("dashboards:home")).content.decode()  # reachable from the menu

    refused = client.post(reverse("care:followup_call", args=[task.pk]), {"outcome": "reached"})
    assert refused.status_code == 400  # the satisfaction question is missing
    assert CallRecord.objects.count() == 0
    done = client.post(
        reverse("care:followup_call", args=[task.pk]),
        {"outcome": "reached", "satisfaction": "4", "problem_solved": "yes", "summary": "满意"},
    )
    assert done.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    assert Task.objects.filter(kind=TaskKind.FOLLOWUP_SECOND, repair_order=task.repair_order).exists()
    done_list = client.get(reverse("care:followups") + "?bucket=done").content.decode()
    assert task.repair_order.number in done_list


def test_list_pages_have_a_bounded_number_of_queries(dealer_a, advisor_a, specialist_a, django_assert_max_num_queries):
    tasks = open_follow_ups(dealer_a, advisor_a, 4)
    for task in tasks:
        services.call_record(by=specialist_a, task=task, outcome=CallOutcome.NOT_REACHED)
        Reminder.objects.create(dealer=dealer_a, customer=task.customer, vehicle=task.vehicle, kind="insurance",
                                due_on=timezone.localdate(), remind_on=timezone.localdate())  # fmt: skip
    client = login(specialist_a)
    for name in ("care:followups", "care:calls", "care:reminders", "care:lapsed", "care:letters", "care:campaigns"):
        with django_assert_max_num_queries(22):
            assert client.get(reverse(name)).status_code == 200, name


def test_another_dealers_records_are_404_in_pages_and_api(
    api_en, dealer_a, dealer_b, advisor_a, specialist_a, specialist_b
):
    task = open_follow_ups(dealer_a, advisor_a, 1)[0]
    call = services.call_record(by=specialist_a, task=task, outcome=CallOutcome.NOT_REACHED)
    reminder = Reminder.objects.create(dealer=dealer_a, customer=task.customer, kind="birthday",
                                       due_on=timezone.localdate(), remind_on=timezone.localdate())  # fmt: skip
    campaign = Campaign.objects.create(dealer=dealer_a, name="c", kind="free_check", starts_on=timezone.localdate(),
                                       ends_on=timezone.localdate(), created_by=specialist_a)  # fmt: skip
    client = login(specialist_b)
    for url in (
        reverse("care:followup_call", args=[task.pk]),
        reverse("care:reminder_detail", args=[reminder.pk]),
        reverse("care:campaign_detail", args=[campaign.pk]),
        reverse("care:customer_call", args=[task.customer_id]),
        reverse("care:letter_create", args=[task.customer_id]),
        reverse("care:followups") + f"?dealer={dealer_a.pk}",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("care:followup_call", args=[task.pk]), {"outcome": "refused"}).status_code == 404
    for name in ("care:followups", "care:calls", "care:reminders"):
        assert task.customer.name not in client.get(reverse(name)).content.decode()
    export = client.get(reverse("care:call_export"))
    assert task.customer.name not in str([c.value for row in load_workbook(BytesIO(export.content)).active
                                          for c in row])  # fmt: skip

    api = api_en(specialist_b)
    for url in (f"/api/v1/calls/{call.pk}/", f"/api/v1/follow-ups/{task.pk}/", f"/api/v1/reminders/{reminder.pk}/",
                f"/api/v1/campaigns/{campaign.pk}/", f"/api/v1/campaigns/{campaign.pk}/targets/"):  # fmt: skip
        assert api.get(url).status_code == 404, url
    for url in ("/api/v1/calls/", "/api/v1/follow-ups/?bucket=done", "/api/v1/reminders/", "/api/v1/lapsed-customers/"):
        assert api.get(url).json()["count"] == 0, url
    posted = api.post("/api/v1/calls/", {"task": task.pk, "outcome": "refused"}, format="json")
    assert posted.status_code == 400 and "task" in posted.json()
    assert CallRecord.objects.count() == 1


def test_api_records_calls_and_letters_with_field_errors(api_en, dealer_a, advisor_a, specialist_a, customer_a):
    task = open_follow_ups(dealer_a, advisor_a, 1)[0]
    api = api_en(specialist_a)
    bad = api.post("/api/v1/calls/", {"task": task.pk, "outcome": "reached"}, format="json")
    assert bad.status_code == 400 and "satisfaction" in bad.json()
    ok = api.post("/api/v1/calls/", {"task": task.pk, "outcome": "reached", "satisfaction": 5}, format="json")
    assert ok.status_code == 201, ok.json()
    assert ok.json()["repair_order"] == task.repair_order_id
    inbound = api.post("/api/v1/calls/", {"customer": customer_a.pk, "outcome": "reached", "direction": "inbound",
                                          "purpose": "consultation", "summary": "问价"}, format="json")  # fmt: skip
    assert inbound.status_code == 201, inbound.json()
    letter = api.post("/api/v1/letters/", {"customer": customer_a.pk, "kind": "notice", "medium": "post",
                                           "subject": "保养通知", "body": "…", "sent_on": str(timezone.localdate())},
                      format="json")  # fmt: skip
    assert letter.status_code == 201, letter.json()
    assert Letter.objects.get().number.startswith("A001-L")
    assert api.get("/api/v1/follow-ups/?bucket=done").json()["count"] == 1


def test_region_manager_reads_but_cannot_record(api_en, dealer_a, advisor_a, specialist_a):
    manager = UserFactory(username="region", roles=[Role.REGION_MANAGER], regions=[dealer_a.region])
    task = open_follow_ups(dealer_a, advisor_a, 1)[0]
    api = api_en(manager)
    assert api.get("/api/v1/follow-ups/").status_code == 200
    assert api.get("/api/v1/follow-ups/").json()["count"] == 1
    assert api.post("/api/v1/calls/", {"task": task.pk, "outcome": "refused"}, format="json").status_code == 403
    assert CallRecord.objects.count() == 0


def test_lapsed_page_and_campaign_flow(dealer_a, advisor_a, specialist_a):
    lapsed = CustomerFactory(dealer=dealer_a, name="老客户")
    visit(dealer_a, advisor_a, customer=lapsed, arrived_days_ago=500)
    client = login(specialist_a)
    assert "老客户" in client.get(reverse("care:lapsed")).content.decode()
    created = client.post(reverse("care:campaign_create"), {
        "dealer": dealer_a.pk, "name": "回厂关怀", "kind": "win_back", "description": "免费检测",
        "starts_on": str(timezone.localdate()), "ends_on": str(timezone.localdate() + timedelta(days=14)),
    })  # fmt: skip
    assert created.status_code == 302
    campaign = Campaign.objects.get()
    assert client.post(reverse("care:lapsed_to_campaign"), {"campaign": campaign.pk}).status_code == 302
    assert client.post(reverse("care:lapsed_to_campaign"), {"campaign": "abc"}).status_code == 404
    assert list(campaign.targets.values_list("customer_id", flat=True)) == [lapsed.pk]
    url = reverse("care:campaign_detail", args=[campaign.pk])
    assert client.post(url, {"action": "launch", "version": campaign.version}).status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == "active"
    for tampered in ({"action": "close", "version": "x"}, {"action": "call", "target": "x", "outcome": "reached"}):
        assert client.post(url, tampered).status_code == 404
    target = campaign.targets.get()
    client.post(url, {"action": "call", "target": target.pk, "outcome": "reached", "summary": "下周来"})
    target.refresh_from_db()
    assert target.status == "contacted"
    reason = client.post(reverse("care:customer_call", args=[lapsed.pk]), {
        "direction": "outbound", "purpose": "win_back", "outcome": "reached", "reason": "price", "note": "嫌贵",
    })  # fmt: skip
    assert reason.status_code == 302
    assert lapsed.lapse_notes.get().reason == "price"


def test_every_care_page_renders_for_the_specialist(dealer_a, advisor_a, specialist_a):
    task = open_follow_ups(dealer_a, advisor_a, 1)[0]
    services.call_record(by=specialist_a, task=task, outcome=CallOutcome.NOT_REACHED)
    reminder = Reminder.objects.create(dealer=dealer_a, customer=task.customer, vehicle=task.vehicle, kind="insurance",
                                       due_on=timezone.localdate(), remind_on=timezone.localdate())  # fmt: skip
    campaign = Campaign.objects.create(dealer=dealer_a, name="c", kind="free_check", starts_on=timezone.localdate(),
                                       ends_on=timezone.localdate(), created_by=specialist_a)  # fmt: skip
    client = login(specialist_a)
    for url in (
        reverse("care:followup_call", args=[task.pk]),
        reverse("care:reminder_detail", args=[reminder.pk]),
        reverse("care:campaign_detail", args=[campaign.pk]),
        reverse("care:customer_call", args=[task.customer_id]),
        reverse("care:letter_create", args=[task.customer_id]),
        reverse("care:campaign_create"),
        reverse("care:reminder_export"),
        reverse("care:letter_export"),
        reverse("customers:customer_detail", args=[task.customer_id]),
        reverse("todo:task_list"),
    ):
        assert client.get(url).status_code == 200, url
    page = client.get(reverse("care:reminder_detail", args=[reminder.pk]))
    assert b'name="action" value="call"' in page.content
    sent = client.post(reverse("care:reminder_detail", args=[reminder.pk]),
                       {"action": "message", "channel": "record", "body": "您的保险即将到期"})  # fmt: skip
    assert sent.status_code == 302
    assert task.customer.messages.get(purpose="reminder").status == "recorded"
    dismiss = {"action": "close", "status": "dismissed", "outcome": "", "version": reminder.version}
    closed = client.post(reverse("care:reminder_detail", args=[reminder.pk]), dismiss)
    assert closed.status_code == 400  # a dismissal needs its reason
    assert Reminder.objects.get(pk=reminder.pk).status == "open"
