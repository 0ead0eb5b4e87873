"""Passwords: validators whose refusals the portal translates itself, and the hasher's
parameters."""

from django.contrib.auth import hashers, password_validation
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


class Argon2PasswordHasher(hashers.Argon2PasswordHasher):
    """Argon2id at OWASP's recommended minimum (m = 19 MiB, t = 2, p = 1) instead of
    Django's defaults (m = 100 MiB, t = 2, p = 8), which cost about 260 ms of CPU per
    login on the server's cores and queued 20 staff logging in at once for over a
    second. Same algorithm name: a hash made with other parameters is checked as it is
    and upgraded to these at the next login (Django's `must_update`).

    OWASP Password Storage Cheat Sheet: "Use Argon2id with a minimum configuration of
    19 MiB of memory, an iteration count of 2, and 1 degree of parallelism."
    """

    memory_cost = 19 * 1024  # KiB
    time_cost = 2
    parallelism = 1
