from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _
from django_celery_beat import apps as beat_apps


class ChamberConfig(AppConfig):
    name = "chamber"
    verbose_name = _("Chamber and accounts")

    def ready(self) -> None:
        from chamber import admin_widgets, roles, security_log

        # Text posted by hand into an admin autocomplete field is a form error, not a 500.
        admin_widgets.guard_autocomplete()

        # Logins, failures, logouts and lockouts go to the "chamber.security" log.
        security_log.connect_receivers()

        from django.core import checks

        checks.register(roles.permission_hygiene, checks.Tags.database)
        # Permissions exist only after migrate; keep the secretariat group in step with them.
        post_migrate.connect(roles.sync_secretariat_group_after_migrate, sender=self)
        # The cached logged-in user (chamber.backends) is forgotten when its records change.
        from chamber.backends import forget_users
        from chamber.models import Official, User

        def forget_official(sender, instance, **kwargs):
            forget_users(instance.user_id)

        def forget_user(sender, instance, update_fields=None, **kwargs):
            # A login stamps last_login, which no page shows: the cached user and the
            # pages that show users (the directory, the standings) stay.
            if update_fields is not None and set(update_fields) <= {"last_login"}:
                return
            forget_users(instance.pk)

        for signal in (post_save, post_delete):
            signal.connect(forget_official, sender=Official, weak=False)
            signal.connect(forget_user, sender=User, weak=False)


class ScheduledTasksConfig(beat_apps.BeatConfig):
    """django-celery-beat under the heading the secretariat uses, 定时任务.

    Its models are for superusers only: the secretariat group holds none of their
    permissions (chamber.roles.SECRETARIAT_APPS), so ordinary staff do not see them.
    """

    default = False  # ChamberConfig stays the chamber app's configuration
    verbose_name = _("Scheduled tasks")
