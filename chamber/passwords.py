"""Password validators whose refusals the portal translates itself."""

from django.contrib.auth import password_validation
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, with a refusal the zh_Hans catalogue translates.

    Django 5.2.19 words the refusal with "%d", a msgid its own zh_Hans catalogue does not
    have yet (it still translates the older "%(min_length)d" one), so the password pages
    showed it in English. This is the older wording, translated in locale/.
    """

    def get_error_message(self) -> str:
        return ngettext(
            "This password is too short. It must contain at least %(min_length)d character.",
            "This password is too short. It must contain at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}
