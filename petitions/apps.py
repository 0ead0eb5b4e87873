from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    name = "petitions"
    verbose_name = _("Enterprise petitions")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        # The kinds of paper, in chamber/documents.py's registry, and the files made by
        # a task, in chamber/downloads.py's.
        from petitions import (
            documents,  # noqa: F401  (the monthly and quarterly reports)
            downloads,  # noqa: F401  (the Excel export, batch prints, report PDF)
            paper,  # noqa: F401  (交办单, 督办通知单, 征求意见表)
            posters,  # noqa: F401  (the QR posters, A4 and A3)
        )

        # What the enterprise's members see of its petitions is kept: forgotten on a change.
        from petitions.models import Petition, enterprise_petitions_changed

        def forget_card(sender, instance, **kwargs):
            enterprise_petitions_changed(instance.enterprise_id)

        post_save.connect(forget_card, sender=Petition, weak=False)
