"""Roles (= Django groups) of the people who use the system."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """A job role; each is a Django group holding that role's model permissions."""

    SERVICE_ADVISOR = "service_advisor", _("Service advisor")
    TECHNICIAN = "technician", _("Technician")
    FOREMAN = "foreman", _("Workshop foreman")
    QC_INSPECTOR = "qc_inspector", _("QC inspector")
    PARTS_CLERK = "parts_clerk", _("Parts clerk")
    CASHIER = "cashier", _("Cashier")
    FOLLOWUP_SPECIALIST = "followup_specialist", _("Follow-up specialist")
    SERVICE_MANAGER = "service_manager", _("Service manager")
    REGION_MANAGER = "region_manager", _("Group / OEM region manager")
    ADMINISTRATOR = "administrator", _("Administrator")
