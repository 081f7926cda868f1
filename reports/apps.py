from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Monthly and yearly service-quality reports (PDF, Excel) made from published evaluation runs."""

    name = "reports"
    verbose_name = _("Quality reports")
