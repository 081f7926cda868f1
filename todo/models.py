"""To-do tasks: dated work for a person or a role of a dealer (reminders, follow-up calls, escalations)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.choices import Role
from core.tenancy import DealerScopedQuerySet
from todo.choices import TaskKind, TaskStatus


class Task(models.Model):
    """A dated piece of work; shown on the to-do list of its assignee, or of everyone with its role."""

    dealer = models.ForeignKey(
        "organization.Dealer", on_delete=models.PROTECT, related_name="tasks", verbose_name=_("dealer")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=TaskKind.choices)
    title = models.CharField(_("title"), max_length=200)
    due_at = models.DateTimeField(_("due at"))
    due_by = models.DateTimeField(
        _("latest on time"),
        null=True,
        blank=True,
        help_text=_("The end of the window in which the work counts as on time (e.g. day 7 of a follow-up)."),
    )
    role = models.CharField(_("responsible role"), max_length=30, choices=Role.choices)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("assignee"),
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("customer"),
    )
    vehicle = models.ForeignKey(
        "customers.Vehicle",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("vehicle"),
    )
    repair_order = models.ForeignKey(
        "repairs.RepairOrder",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("repair order"),
    )
    status = models.CharField(_("status"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    outcome = models.TextField(_("outcome"), blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["dealer", "status", "role", "due_at"], name="task_dealer_status_role_due"),
            models.Index(fields=["assignee", "status", "due_at"], name="task_assignee_status_due"),
            models.Index(fields=["repair_order", "kind"], name="task_ro_kind"),
        ]

    def __str__(self) -> str:
        return self.title
