"""Enumerations of complaints (投诉): channels, categories, severities, statuses, contacts and crisis alerts."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Channel(models.TextChoices):
    """How the complaint reached the dealer."""

    PHONE = "phone", _("Phone")
    WALK_IN = "walk_in", _("Walk-in")
    ONLINE = "online", _("Online")
    FOLLOW_UP_CALL = "follow_up_call", _("Follow-up call")
    OEM_HOTLINE = "oem_hotline", _("OEM hotline")
    SOCIAL_MEDIA = "social_media", _("Social media")


class Category(models.TextChoices):
    """What the customer complains about."""

    SERVICE_ATTITUDE = "service_attitude", _("Service attitude")
    REPAIR_QUALITY = "repair_quality", _("Repair quality")
    PRICE = "price", _("Price / transparency")
    WAITING_TIME = "waiting_time", _("Waiting time")
    PARTS = "parts", _("Parts")
    FACILITY = "facility", _("Facility")
    OTHER = "other", pgettext_lazy("complaint category", "Other")


class Severity(models.TextChoices):
    """How serious the complaint is; it sets the resolution target. Critical raises a crisis alert."""

    LOW = "low", pgettext_lazy("severity", "Low")
    MEDIUM = "medium", pgettext_lazy("severity", "Medium")
    HIGH = "high", pgettext_lazy("severity", "High")
    CRITICAL = "critical", pgettext_lazy("severity", "Critical")


SEVERITY_COLOURS = {Severity.LOW: "grey", Severity.MEDIUM: "blue", Severity.HIGH: "orange", Severity.CRITICAL: "red"}


class Status(models.TextChoices):
    """Where a complaint is: received, being handled (the customer was contacted), resolved."""

    OPEN = "open", pgettext_lazy("complaint", "Received")
    IN_PROGRESS = "in_progress", pgettext_lazy("complaint", "In progress")
    RESOLVED = "resolved", pgettext_lazy("complaint", "Resolved")


STATUS_COLOURS = {Status.OPEN: "orange", Status.IN_PROGRESS: "blue", Status.RESOLVED: "green"}
UNRESOLVED = (Status.OPEN, Status.IN_PROGRESS)


class EscalationLevel(models.IntegerChoices):
    """Who the complaint is escalated to when a deadline passes."""

    NONE = 0, _("Not escalated")
    SERVICE_MANAGER = 1, _("Service manager")
    REGION = 2, _("Region")


ESCALATION_COLOURS = {0: "grey", 1: "orange", 2: "red"}


class ContactChannel(models.TextChoices):
    """How a contact with the customer was made (the call and letter registers)."""

    PHONE = "phone", _("Phone call")
    IN_PERSON = "in_person", _("In person")
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat")
    EMAIL = "email", _("E-mail")
    LETTER = "letter", _("Letter (答复函)")


class AgreementMethod(models.TextChoices):
    """How the customer said they accept the resolution."""

    PHONE = "phone", _("By phone (recorded)")
    SIGNATURE = "signature", _("Signed in person")
    WECHAT = "wechat", _("WeChat / SMS message")
    LETTER = "letter", _("Written reply")


class EventAction(models.TextChoices):
    """What happened to a complaint (one event row per change, the timeline and the KPI evidence)."""

    OPEN = "open", pgettext_lazy("complaint", "Received")
    CONTACT = "contact", _("Contact logged")
    UPDATE = "update", _("Details changed")
    REASSIGN = "reassign", _("Reassigned")
    ESCALATE = "escalate", _("Escalated")
    RESOLVE = "resolve", _("Resolved")
    REOPEN = "reopen", _("Reopened")


class CrisisReason(models.TextChoices):
    """Why a crisis alert (危机预警) was raised."""

    CRITICAL = "critical", _("Critical complaint")
    CLUSTER = "cluster", _("Several complaints on the same issue")


class CrisisLevel(models.TextChoices):
    WARNING = "warning", _("Warning")
    SEVERE = "severe", _("Severe")


CRISIS_COLOURS = {CrisisLevel.WARNING: "orange", CrisisLevel.SEVERE: "red"}
