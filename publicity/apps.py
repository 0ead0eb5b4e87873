from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicityConfig(AppConfig):
    name = "publicity"
    verbose_name = _("Publicity and digests")

    def ready(self) -> None:
        # Monday's weekly dispatch (petitions, above publicity, never imports it) hands the
        # week over by the task's name, "publicity.tasks.plan_weekly_digests": registered
        # here in every process, so a web process or the tests' eager mode runs it too.
        from publicity import tasks  # noqa: F401

        self._connect_cache_bumps()

    def _connect_cache_bumps(self) -> None:
        """Any change to what the public site shows makes its cached parts stale."""
        from django.apps import apps
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from chamber import pagecache

        shown = [
            "publicity.Article",
            "publicity.ArticleKind",
            "publicity.Showcase",
            "publicity.ShowcasePhoto",
            "activities.Activity",
            "activities.Campaign",
            "activities.Awareness",
            "members.Enterprise",
        ]
        for label in shown:
            model = apps.get_model(label)
            for signal in (post_save, post_delete):
                signal.connect(
                    pagecache.bump, sender=model, dispatch_uid=f"news-cache:{label}"
                )
        m2m_changed.connect(
            pagecache.bump,
            sender=apps.get_model("publicity.Article").awareness.through,
            dispatch_uid="news-cache:article-awareness",
        )
