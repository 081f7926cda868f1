from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    """The top of the import layers: pages and commands that put several domains together."""

    name = "dashboards"
    verbose_name = _("Dashboards")
