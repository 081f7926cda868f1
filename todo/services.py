"""Writes of to-do tasks: create, complete, cancel."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.permissions import require
from todo.choices import TaskKind, TaskStatus
from todo.models import Task


@transaction.atomic
def task_create(*, dealer, kind: str, title: str, due_at, role: str, by: User | None = None, **links) -> Task:
    """Put a dated task on the to-do list of a role (or of ``assignee``) at a dealer."""
    task = Task(dealer=dealer, kind=kind, title=title, due_at=due_at, role=role, **links)
    task._history_user = by
    task.full_clean()
    task.save()
    return task


@transaction.atomic
def task_finish(*, task: Task, by: User, status: str = TaskStatus.DONE, outcome: str = "") -> Task:
    """Mark an open task done (or cancelled) with its outcome; a closed task stays closed."""
    require(by, dealer=task.dealer_id)
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.status != TaskStatus.OPEN:
        raise ValidationError(_("This task is already closed."))
    if status not in (TaskStatus.DONE, TaskStatus.CANCELLED):
        raise ValidationError({"status": _("A task ends as done or cancelled.")})
    if status == TaskStatus.DONE and task.kind in (TaskKind.FOLLOWUP_FIRST, TaskKind.FOLLOWUP_SECOND):
        raise ValidationError({"status": _("A follow-up is done by recording the call (customer care).")})
    if status == TaskStatus.CANCELLED and not outcome.strip():
        raise ValidationError({"outcome": _("Say why the task is cancelled.")})
    task.status, task.outcome, task.done_at, task.done_by = status, outcome.strip(), timezone.now(), by
    task._history_user = by
    task.save()
    return task
