from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ChamberConfig(AppConfig):
    name = "chamber"
    verbose_name = _("Chamber and accounts")

    def ready(self) -> None:
        from chamber import roles

        # Permissions exist only after migrate; keep the secretariat group in step with them.
        post_migrate.connect(roles.sync_secretariat_group_after_migrate, sender=self)
