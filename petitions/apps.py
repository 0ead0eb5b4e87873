from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    name = "petitions"
    verbose_name = _("Enterprise petitions")

    def ready(self) -> None:
        # The kinds of paper, in chamber/documents.py's registry.
        from petitions import (
            documents,  # noqa: F401  (the monthly and quarterly reports)
            paper,  # noqa: F401  (交办单, 督办通知单, 征求意见表)
            posters,  # noqa: F401  (the QR posters, A4 and A3)
        )
