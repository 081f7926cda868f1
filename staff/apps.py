from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "staff"
    verbose_name = _("Staff and training")

    def ready(self) -> None:
        from staff import hooks  # noqa: F401 - registers the hook check
