"""To-do tasks: whose list they are on, finishing them, and other dealers' tasks."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from core.tests.factories import UserFactory
from todo.choices import TaskStatus
from todo.models import Task
from todo.selectors import task_list_for
from todo.services import task_create

pytestmark = pytest.mark.django_db


def make(dealer, role=Role.SERVICE_ADVISOR, **extra):
    return task_create(dealer=dealer, kind="other", title="回访", due_at=timezone.now(), role=role, **extra)


def test_a_task_is_on_the_list_of_its_assignee_or_of_everyone_with_its_role(dealer_a, dealer_b, advisor_a):
    care = UserFactory(roles=[Role.FOLLOWUP_SPECIALIST], dealers=[dealer_a])
    for_role = make(dealer_a)
    for_care = make(dealer_a, role=Role.FOLLOWUP_SPECIALIST)
    assigned = make(dealer_a, role=Role.FOLLOWUP_SPECIALIST, assignee=advisor_a)
    make(dealer_b)  # another dealer's
    assert set(task_list_for(user=advisor_a)) == {for_role, assigned}
    assert set(task_list_for(user=care)) == {for_care}


def test_finishing_a_task_records_who_and_when_and_cancelling_needs_a_reason(dealer_a, advisor_a):
    task = make(dealer_a)
    client = Client()
    client.force_login(advisor_a)
    response = client.post(reverse("todo:task_finish", args=[task.pk]), {"status": "cancelled", "next": "/desk/"})
    assert response["Location"] == "/desk/"
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN  # no reason given: nothing changed
    client.post(reverse("todo:task_finish", args=[task.pk]), {"status": "done", "outcome": "已联系"})
    task.refresh_from_db()
    assert (task.status, task.outcome, task.done_by) == (TaskStatus.DONE, "已联系", advisor_a)
    assert task.done_at is not None
    assert client.get(reverse("todo:task_list")).status_code == 200


def test_another_dealers_task_cannot_be_finished(dealer_b, advisor_a):
    task = make(dealer_b)
    client = Client()
    client.force_login(advisor_a)
    assert client.post(reverse("todo:task_finish", args=[task.pk]), {"status": "done"}).status_code == 404
    assert Task.objects.get(pk=task.pk).status == TaskStatus.OPEN
