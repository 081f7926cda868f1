"""Enumerations of service appointments (预约)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AppointmentChannel(models.TextChoices):
    """How the appointment was made."""

    PHONE = "phone", _("Phone")
    ONLINE = "online", _("Online")
    WECHAT = "wechat", _("WeChat")
    WALK_IN = "walk_in", _("Walk-in")


class AppointmentStatus(models.TextChoices):
    """Where an appointment is; see appointments/state.py for the moves."""

    BOOKED = "booked", _("Booked")
    CONFIRMED = "confirmed", _("Confirmed")
    ARRIVED = "arrived", _("Arrived")
    NO_SHOW = "no_show", _("No-show")
    CANCELLED = "cancelled", _("Cancelled")


# The badge colour of each status (classes in static/css/app.css).
STATUS_COLOURS = {
    AppointmentStatus.BOOKED: "grey",
    AppointmentStatus.CONFIRMED: "blue",
    AppointmentStatus.ARRIVED: "green",
    AppointmentStatus.NO_SHOW: "red",
    AppointmentStatus.CANCELLED: "dark",
}

# Appointments that hold a service bay (count against the dealer's capacity).
HOLDS_BAY = (AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED, AppointmentStatus.ARRIVED)
# Appointments still to come (can be confirmed, moved, cancelled, arrived).
PENDING = (AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED)


class SlotLength(models.IntegerChoices):
    """How long the appointment holds a service bay."""

    HALF_HOUR = 30, _("30 minutes")
    ONE_HOUR = 60, _("1 hour")
    NINETY_MINUTES = 90, _("1.5 hours")
    TWO_HOURS = 120, _("2 hours")
    THREE_HOURS = 180, _("3 hours")
    FOUR_HOURS = 240, _("4 hours")


# The calendar's grid: slots start on the hour or the half hour (local time).
SLOT_STEP_MINUTES = 30
# A customer received within this many minutes of the slot counts as on time (KPI A4).
ON_TIME_MINUTES = 15
