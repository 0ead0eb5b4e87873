from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members and duty rota")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from chamber.backends import forget_users, users_changed
        from members.models import (
            ChamberTitle,
            DutyShift,
            DutyStudio,
            Enterprise,
            Industry,
            Member,
            TitleTerm,
        )
        from members.selectors import directory_changed, rota_changed

        # The cached logged-in user carries their member record and enterprise.
        def forget_member(sender, instance, **kwargs):
            forget_users(instance.user_id)

        def forget_enterprise(sender, instance, **kwargs):
            forget_users(*instance.members.values_list("user_id", flat=True))

        for signal in (post_save, post_delete):
            signal.connect(forget_member, sender=Member, weak=False)
        post_save.connect(forget_enterprise, sender=Enterprise, weak=False)

        # The directory and members' pages (kept in the cache) show these; a user's name,
        # e-mail or activity comes through chamber.backends.users_changed, bulk updates too.
        for model in (Member, Enterprise, Industry, ChamberTitle, TitleTerm):
            for signal in (post_save, post_delete):
                signal.connect(directory_changed, sender=model, weak=False)
        users_changed.connect(directory_changed, weak=False)
        # The rota page (kept likewise): its shifts, the studio, who sits and their titles.
        for model in (
            DutyShift,
            DutyStudio,
            Member,
            Enterprise,
            ChamberTitle,
            TitleTerm,
        ):
            for signal in (post_save, post_delete):
                signal.connect(rota_changed, sender=model, weak=False)
        users_changed.connect(rota_changed, weak=False)
