from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Users and roles")

    def ready(self) -> None:
        from accounts.roles import sync_role_groups_after_migrate

        # Role groups are infrastructure (not business logic): keep them in step
        # with the code after every migrate, for every database.
        post_migrate.connect(sync_role_groups_after_migrate, dispatch_uid="accounts.sync_roles")
