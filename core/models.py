"""Building blocks shared by every domain's models."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.tenancy import DealerScopedQuerySet


class TimeStampedModel(models.Model):
    """Adds created/updated timestamps and the user who created the record."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        abstract = True


class VersionedModel(models.Model):
    """Adds an optimistic-lock version: a save based on an old version is refused."""

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True


class ScheduledJob(models.Model):
    """When a recurring job (``core.schedule.JOBS``) was last put on the task queue."""

    name = models.CharField(_("job"), max_length=50, unique=True)
    last_enqueued_at = models.DateTimeField(_("last enqueued at"), null=True, blank=True)

    class Meta:
        verbose_name = _("scheduled job")
        verbose_name_plural = _("scheduled jobs")

    def __str__(self):
        return self.name


class WorkerHeartbeat(models.Model):
    """A background worker (``manage.py db_worker``) that is running: it stamps ``last_seen_at`` every few seconds.

    django-tasks-db records a worker only on the tasks it claims, so an idle worker would look the same as none;
    pages ask ``core.workers`` whether one has been seen recently before promising that a queued job will run.
    """

    worker_id = models.CharField(_("worker id"), max_length=64, unique=True)
    hostname = models.CharField(_("host"), max_length=255, blank=True)
    pid = models.PositiveIntegerField(_("process id"), null=True, blank=True)
    backend = models.CharField(_("task backend"), max_length=32, default="default")
    queues = models.JSONField(_("queues"), default=list)  # queue names, ["*"] for every queue
    excluded_queues = models.JSONField(_("excluded queues"), default=list)
    started_at = models.DateTimeField(_("started at"))
    last_seen_at = models.DateTimeField(_("last seen at"), db_index=True)

    class Meta:
        verbose_name = _("background worker")
        verbose_name_plural = _("background workers")

    def __str__(self):
        return f"{self.hostname}:{self.pid} ({self.worker_id[:8]})"

    def serves(self, queue_name: str) -> bool:
        """Whether this worker takes tasks from ``queue_name``."""
        if queue_name in self.excluded_queues:
            return False
        return "*" in self.queues or queue_name in self.queues


class TransitionEvent(models.Model):
    """One state-machine move (``core.state``) of a record whose domain keeps no event model of its own: who moved it
    from where to where, when, and why (appointments, warranty claims, purchase orders, stock-takes, improvement
    actions)."""

    tenant_lookup = "dealer"

    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, related_name="+", verbose_name=_("record type")
    )
    object_id = models.PositiveBigIntegerField(_("record id"))
    record = GenericForeignKey("content_type", "object_id")
    dealer = models.ForeignKey(
        "organization.Dealer", on_delete=models.PROTECT, related_name="+", verbose_name=_("dealer")
    )
    action = models.CharField(_("action"), max_length=30)
    from_status = models.CharField(_("from"), max_length=30)
    to_status = models.CharField(_("to"), max_length=30)
    at = models.DateTimeField(_("at"))
    # None: the system made the move (an evaluation run's check of an improvement action).
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("by"),
    )  # fmt: skip
    note = models.CharField(_("note"), max_length=500, blank=True)

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"], name="transition_event_record")]

    def __str__(self) -> str:
        return f"{self.content_type.model} {self.object_id} {self.action}"
