"""Enumerations of customer care."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MessageChannel(models.TextChoices):
    """How a message reaches the customer; each value has a sender in ``care.messaging``."""

    RECORD = "record", _("Recorded for a call / letter (no automatic sending)")
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat")


class MessagePurpose(models.TextChoices):
    SURVEY_INVITATION = "survey_invitation", _("Survey invitation")
    REMINDER = "reminder", _("Care reminder")
    CAMPAIGN = "campaign", _("Campaign invitation")
    COMPLAINT_REPLY = "complaint_reply", _("Complaint reply")
    NOTICE = "notice", _("Notice")


class MessageStatus(models.TextChoices):
    RECORDED = "recorded", _("Recorded (to be delivered by staff)")
    SENT = "sent", _("Handed to the channel")
    BLOCKED = "blocked", _("Not sent: the customer does not want to be contacted")
    FAILED = "failed", pgettext_lazy("message", "Failed")


class CallDirection(models.TextChoices):
    OUTBOUND = "outbound", _("We called")
    INBOUND = "inbound", _("Customer called")


class CallPurpose(models.TextChoices):
    """Why the call happened (跟踪服务电话: follow-ups, care, campaigns, the customer's own calls)."""

    FOLLOW_UP = "follow_up", _("Follow-up after a visit")
    REMINDER = "reminder", _("Care reminder")
    CAMPAIGN = "campaign", _("Campaign invitation")
    WIN_BACK = "win_back", _("Win-back of a lapsed customer")
    CONSULTATION = "consultation", _("Customer enquiry")
    COMPLAINT = "complaint", _("Complaint")
    OTHER = "other", _("Other")


class CallOutcome(models.TextChoices):
    REACHED = "reached", _("Reached")
    NOT_REACHED = "not_reached", _("Not reached (no answer, busy, off)")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    REFUSED = "refused", _("Refused to talk")


# Outcomes that count as a made contact (the follow-up is done) and as a failed attempt.
CONTACT_MADE = (CallOutcome.REACHED, CallOutcome.REFUSED)
FAILED_ATTEMPT = (CallOutcome.NOT_REACHED, CallOutcome.WRONG_NUMBER)


class Satisfaction(models.IntegerChoices):
    VERY_DISSATISFIED = 1, _("1 – very dissatisfied")
    DISSATISFIED = 2, _("2 – dissatisfied")
    NEUTRAL = 3, _("3 – neutral")
    SATISFIED = 4, _("4 – satisfied")
    VERY_SATISFIED = 5, _("5 – very satisfied")


class LetterKind(models.TextChoices):
    """The three letters of the tracking-service letter register (跟踪服务信函登记表)."""

    NOTICE = "notice", _("Notice (通知)")
    INVITATION = "invitation", _("Invitation (邀请函)")
    REPLY = "reply", _("Reply letter (答复函)")


class LetterMedium(models.TextChoices):
    POST = "post", _("Post")
    EMAIL = "email", _("E-mail")
    WECHAT = "wechat", _("WeChat")
    SMS = "sms", _("SMS")
    HAND = "hand", _("Handed over")


class ReminderKind(models.TextChoices):
    MAINTENANCE = "maintenance", _("Maintenance due")
    INSURANCE = "insurance", _("Insurance renewal")
    WARRANTY = "warranty", _("Warranty expiry")
    INSPECTION = "inspection", _("Annual inspection (年检)")
    BIRTHDAY = "birthday", _("Birthday")


class ReminderStatus(models.TextChoices):
    OPEN = "open", _("To contact")
    CONTACTED = "contacted", _("Contacted")
    BOOKED = "booked", _("Booked a visit")
    DISMISSED = "dismissed", _("Dismissed")


class CampaignKind(models.TextChoices):
    FREE_CHECK = "free_check", _("Free check week")
    SEASONAL = "seasonal", _("Seasonal check (winter / summer)")
    SERVICE_MONTH = "service_month", _("Discount service month")
    RECALL = "recall", _("Recall / service action")
    WIN_BACK = "win_back", _("Win-back of lapsed customers")
    EVENT = "event", _("Customer event")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Running")
    CLOSED = "closed", _("Closed")


class TargetStatus(models.TextChoices):
    PENDING = "pending", _("Not contacted yet")
    CONTACTED = "contacted", _("Contacted")
    DECLINED = "declined", _("Declined")
    UNREACHABLE = "unreachable", _("Unreachable")


class LapseReason(models.TextChoices):
    """Why a customer stopped coming (流失原因), recorded after a call."""

    SOLD_VEHICLE = "sold_vehicle", _("Sold or scrapped the vehicle")
    MOVED = "moved", _("Moved away")
    PRICE = "price", _("Price too high")
    SERVICE_QUALITY = "service_quality", _("Unhappy with our service or repair quality")
    INDEPENDENT_SHOP = "independent_shop", _("Uses an independent workshop")
    OTHER_DEALER = "other_dealer", _("Goes to another dealer")
    LITTLE_USE = "little_use", _("Hardly drives")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown / not reached")
