"""Enumerations of satisfaction surveys: question kinds, dimensions, CSI factors, channels, statuses."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class QuestionKind(models.TextChoices):
    """How a question is answered; the scored kinds map to 0–100 (see surveys.scoring)."""

    LIKERT5 = "likert5", _("Rating 1–5")
    LIKERT10 = "likert10", _("Rating 1–10")
    NPS = "nps", _("Recommendation 0–10 (NPS)")
    SINGLE = "single", _("Single choice")
    MULTI = "multi", _("Multiple choice")
    TEXT = "text", _("Free text")


class Dimension(models.TextChoices):
    """What a question measures; C1 averages the ``attitude`` items, C2 the ``competence`` items."""

    ATTITUDE = "attitude", _("Staff attitude")
    COMPETENCE = "competence", _("Professional competence")
    RESPONSIVENESS = "responsiveness", _("Responsiveness")
    RELIABILITY = "reliability", _("Reliability")
    FACILITY = "facility", _("Facility and environment")
    PRICE = "price", _("Price and transparency")
    CONVENIENCE = "convenience", _("Convenience")
    EMPATHY = "empathy", _("Empathy and care")
    OVERALL = "overall", _("Overall satisfaction")
    LOYALTY = "loyalty", _("Loyalty and recommendation")
    OTHER = "other", _("Other")


class CsiFactor(models.TextChoices):
    """A factor of the CSI: the J.D. Power style after-sales factors and the SERVQUAL dimensions."""

    SERVICE_INITIATION = "service_initiation", _("Service initiation")
    SERVICE_ADVISOR = "service_advisor", _("Service advisor")
    SERVICE_FACILITY = "service_facility", _("Service facility")
    VEHICLE_PICKUP = "vehicle_pickup", _("Vehicle pick-up")
    SERVICE_QUALITY = "service_quality", _("Service quality")
    TANGIBLES = "tangibles", _("Tangibles")
    RELIABILITY = "reliability", _("Reliability")
    RESPONSIVENESS = "responsiveness", _("Responsiveness")
    ASSURANCE = "assurance", _("Assurance")
    EMPATHY = "empathy", _("Empathy")


class ResponseChannel(models.TextChoices):
    LINK = "link", _("Survey link")
    PHONE = "phone", _("Phone call")


class InvitationStatus(models.TextChoices):
    """Stored status; an invitation still ``sent`` after its expiry shows as expired."""

    SENT = "sent", _("Sent")
    ANSWERED = "answered", _("Answered")
    REPLACED = "replaced", _("Replaced by a new link")
    CLOSED = "closed", _("Closed (answered by phone)")


EXPIRED = "expired"
INVITATION_STATUS_LABELS = {**dict(InvitationStatus.choices), EXPIRED: _("Expired")}
INVITATION_STATUS_COLOURS = {
    "sent": "blue",
    "answered": "green",
    "replaced": "grey",
    "closed": "grey",
    EXPIRED: "orange",
}


class NpsCategory(models.TextChoices):
    PROMOTER = "promoter", _("Promoter (9–10)")
    PASSIVE = "passive", _("Passive (7–8)")
    DETRACTOR = "detractor", _("Detractor (0–6)")


NPS_COLOURS = {"promoter": "green", "passive": "grey", "detractor": "red"}
