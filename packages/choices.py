"""Enumerations of the service packages (保养套餐)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PackagePricing(models.TextChoices):
    """How a package is priced: from the dealer's current rates, or at a fixed package price."""

    COMPUTED = "computed", _("Computed from the dealer's rates")
    FIXED = "fixed", _("Fixed package price")


class DueStatus(models.TextChoices):
    """Where a vehicle stands with a package's interval."""

    DUE = "due", pgettext_lazy("service interval", "Due now")
    LATER = "later", _("Due later")
    UNSCHEDULED = "unscheduled", _("No interval")
    PASSED = "passed", _("No longer due")
