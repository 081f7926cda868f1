"""Enumerations of warranty claims (三包索赔)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ClaimStatus(models.TextChoices):
    """Where a warranty claim is; see warranty/state.py for the moves."""

    DRAFT = "draft", pgettext_lazy("warranty claim", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("warranty claim", "Submitted")
    APPROVED = "approved", pgettext_lazy("warranty claim", "Approved")
    REJECTED = "rejected", pgettext_lazy("warranty claim", "Rejected")
    PAID = "paid", pgettext_lazy("warranty claim", "Paid")


CLAIM_STATUS_COLOURS = {
    ClaimStatus.DRAFT: "grey",
    ClaimStatus.SUBMITTED: "blue",
    ClaimStatus.APPROVED: "teal",
    ClaimStatus.REJECTED: "red",
    ClaimStatus.PAID: "green",
}

# A rejected claim frees its repair-order lines for a new claim; every other status holds them.
LIVE_STATUSES = (ClaimStatus.DRAFT, ClaimStatus.SUBMITTED, ClaimStatus.APPROVED, ClaimStatus.PAID)


class Coverage(models.TextChoices):
    """Which warranty the failure is claimed under."""

    BASIC = "basic", _("Basic warranty (整车)")
    POWERTRAIN = "powertrain", _("Powertrain (engine, transmission)")
    EV_BATTERY = "ev_battery", _("EV traction battery")
    GOODWILL = "goodwill", _("Goodwill (outside the warranty terms)")
