from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroupsConfig(AppConfig):
    name = "groups"
    verbose_name = _("Activity groups and points")

    def ready(self) -> None:
        from groups import paper  # noqa: F401  (registers the certificates' documents)
