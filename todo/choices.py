"""Enumerations of to-do tasks."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskKind(models.TextChoices):
    """Why a task exists; the domain that creates it decides the due time and the responsible role."""

    APPOINTMENT_REMINDER = "appointment_reminder", _("Appointment reminder (day before)")
    FOLLOWUP_FIRST = "followup_first", _("First follow-up call (day 3–7)")
    FOLLOWUP_SECOND = "followup_second", _("Second follow-up call")
    OTHER = "other", _("Other")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")
