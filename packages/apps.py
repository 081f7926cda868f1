from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PackagesConfig(AppConfig):
    """Service packages and labour menus (保养套餐): labour operations, parts and sundries per brand/model and
    mileage interval, added to an estimate in one click."""

    name = "packages"
    verbose_name = _("Service packages")
