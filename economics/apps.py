from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EconomicsConfig(AppConfig):
    """Technician efficiency and service economics (车间效率与经营): hours sold, clocked and attended, efficiency,
    productivity, effective labour rate, margins and revenue per repair order."""

    name = "economics"
    verbose_name = _("Workshop economics")
