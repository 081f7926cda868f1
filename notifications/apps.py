from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """The notifications inbox (通知): events of the desk, the workshop, complaints and actions for the people who
    must act; the header badge and the pluggable messaging channels."""

    name = "notifications"
    verbose_name = _("Notifications")
