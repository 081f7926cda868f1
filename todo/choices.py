"""Enumerations of to-do tasks."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskKind(models.TextChoices):
    """Why a task exists; the domain that creates it decides the due time and the responsible role."""

    APPOINTMENT_REMINDER = "appointment_reminder", _("Appointment reminder (day before)")
    FOLLOWUP_FIRST = "followup_first", _("First follow-up call (day 3–7)")
    FOLLOWUP_SECOND = "followup_second", _("Second follow-up call")
    SURVEY_LOW_SCORE = "survey_low_score", _("Call back after a low survey score")
    COMPLAINT_CONTACT = "complaint_contact", _("Complaint: contact the customer")
    COMPLAINT_ESCALATION = "complaint_escalation", _("Complaint escalated: take over")
    CARE_REMINDER = "care_reminder", _("Customer care reminder")
    WINBACK_CALL = "winback_call", _("Win-back call to a lapsed customer")
    CERTIFICATE_EXPIRY = "certificate_expiry", _("Certificate about to expire")
    OTHER = "other", _("Other")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")
    UNREACHABLE = "unreachable", _("Closed: customer unreachable")
