from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicityConfig(AppConfig):
    name = "publicity"
    verbose_name = _("Publicity and digests")

    def ready(self) -> None:
        from petitions.signals import week_dispatched
        from publicity import digests

        # Monday's weekly dispatch hands the week over to the digests (petitions sits above
        # publicity and never imports it).
        week_dispatched.connect(
            digests.on_week_dispatched, dispatch_uid="publicity.digests"
        )
