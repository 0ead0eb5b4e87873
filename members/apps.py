from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members and duty rota")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from chamber.backends import forget_users
        from members.models import Enterprise, Member

        # The cached logged-in user carries their member record and enterprise.
        def forget_member(sender, instance, **kwargs):
            forget_users(instance.user_id)

        def forget_enterprise(sender, instance, **kwargs):
            forget_users(*instance.members.values_list("user_id", flat=True))

        for signal in (post_save, post_delete):
            signal.connect(forget_member, sender=Member, weak=False)
        post_save.connect(forget_enterprise, sender=Enterprise, weak=False)
