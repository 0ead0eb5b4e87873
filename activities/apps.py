from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("Activities")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from activities import paper  # noqa: F401  (registers its documents)
        from activities.models import (
            NEXT_ACTIVITY_FRAGMENT,
            Activity,
            ActivityType,
            Attendance,
            Platform,
            Registration,
            Series,
        )
        from activities.selectors import activities_changed
        from chamber import pagecache
        from groups.selectors import points_changed

        # A member's home card of their next activity follows their registrations.
        def forget_card(sender, instance, **kwargs):
            pagecache.forget_personal(NEXT_ACTIVITY_FRAGMENT, instance.member_id)

        for signal in (post_save, post_delete):
            signal.connect(forget_card, sender=Registration, weak=False)
            # A member's "my group" lists the attendance certificates they may print.
            signal.connect(points_changed, sender=Attendance, weak=False)
            # The list of activities (kept likewise).
            for model in (Activity, ActivityType, Platform, Series, Registration):
                signal.connect(activities_changed, sender=model, weak=False)
