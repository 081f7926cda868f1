"""Task lists show due dates with their year (a task due next January is not "01-15")."""

from __future__ import annotations

import pytest

from core.tests.helpers import login, sh
from todo.services import task_create

pytestmark = pytest.mark.django_db


def test_the_task_list_shows_the_year_of_each_due_date(dealer_a, advisor_a):
    task_create(dealer=dealer_a, kind="other", title="年后回访", due_at=sh(2027, 1, 15, 10, 30), role="service_advisor")
    html = login(advisor_a).get("/tasks/").content.decode()
    assert "2027-01-15 10:30" in html
