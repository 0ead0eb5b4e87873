from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroupsConfig(AppConfig):
    name = "groups"
    verbose_name = _("Activity groups and points")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from chamber.backends import users_changed
        from groups import paper  # noqa: F401  (registers the certificates' documents)
        from groups.models import (
            ActivityGroup,
            Award,
            AwardKind,
            GroupMembership,
            PointRule,
            PointsEntry,
        )
        from groups.selectors import points_changed
        from members.selectors import directory_changed

        # A member's page in the directory shows their published awards.
        for model in (Award, AwardKind):
            for signal in (post_save, post_delete):
                signal.connect(directory_changed, sender=model, weak=False)
        # The points pages (groups.selectors.POINTS_SCOPE) show these, and people's and
        # enterprises' names (chamber.backends.users_changed).
        for model in (
            PointsEntry,
            PointRule,
            ActivityGroup,
            GroupMembership,
            Award,
            AwardKind,
        ):
            for signal in (post_save, post_delete):
                signal.connect(points_changed, sender=model, weak=False)
        users_changed.connect(points_changed, weak=False)
