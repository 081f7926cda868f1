from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RepairsConfig(AppConfig):
    name = "repairs"
    verbose_name = _("Service desk and workshop")

    def ready(self) -> None:
        from repairs import hooks  # noqa: F401 - registers the hook check
