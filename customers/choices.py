"""Enumerations of the customer archive."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerKind(models.TextChoices):
    PERSON = "person", _("Person")
    COMPANY = "company", _("Company")


class ContactChannel(models.TextChoices):
    PHONE = "phone", _("Phone call")
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat")
    EMAIL = "email", _("E-mail")


class Consent(models.TextChoices):
    UNKNOWN = "unknown", _("Not asked yet")
    GIVEN = "given", _("Agrees to be contacted")
    REFUSED = "refused", _("Does not want to be contacted")


class CustomerSource(models.TextChoices):
    WALK_IN = "walk_in", _("Walk-in")
    SALES = "sales", _("Bought the car here")
    REFERRAL = "referral", _("Referral")
    ONLINE = "online", _("Online")
    CAMPAIGN = "campaign", _("Campaign")
    FLEET = "fleet", _("Fleet contract")
    OTHER = "other", _("Other")


class FuelType(models.TextChoices):
    PETROL = "petrol", _("Petrol")
    DIESEL = "diesel", _("Diesel")
    HYBRID = "hybrid", _("Hybrid")
    PHEV = "phev", _("Plug-in hybrid")
    EV = "ev", _("Battery electric")
