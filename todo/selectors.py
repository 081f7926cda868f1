"""Reads of to-do lists."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import User
from todo.choices import TaskStatus
from todo.models import Task


def task_list_for(*, user: User, status: str = TaskStatus.OPEN) -> QuerySet[Task]:
    """The tasks of the user's dealers assigned to the user, or unassigned for one of the user's roles."""
    mine = Q(assignee=user) | Q(assignee__isnull=True, role__in=sorted(user.role_codes))
    return (
        Task.objects.for_user(user, write=True)
        .filter(mine, status=status)
        .select_related("customer", "vehicle", "repair_order", "assignee")
        .order_by("due_at", "id")
    )
