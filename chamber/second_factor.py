"""The second factor of staff and officials (django-otp): an authenticator app's
six-digit code (TOTP), or one of ten backup codes, after the password.

- `SecondFactorMiddleware` keeps a staff member or an official who has not given a code
  in this session away from every page but the code pages, logging out and the language
  switch: to the code page if they have an authenticator, to its set-up page if not.
- A code is checked against the user's own devices, each locked while it is checked;
  django-otp refuses a TOTP code used before (it remembers the last time step) and makes
  the user wait after wrong codes (1, 2, 4, … seconds), and a backup code works once.
- Setting up a new authenticator when one exists, and new backup codes, ask for the
  current password: a stolen session alone cannot replace the second factor.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from chamber.roles import roles_of

# Pages a user who still owes a code may open.
OPEN_WITHOUT_CODE = {
    "second_factor",
    "second_factor_setup",
    "logout",
    "set_language",
    "healthz",
    "favicon",
}
AUTHENTICATOR = "authenticator"
BACKUP = "backup"


def needs_second_factor(user) -> bool:
    """Staff (and superusers) and government officials and leaders."""
    if not user.is_authenticated:
        return False
    return user.is_staff or user.is_superuser or roles_of(user).official is not None


def has_authenticator(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


class SecondFactorMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not settings.SECOND_FACTOR_REQUIRED:
            return None
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        if match is not None and match.url_name in OPEN_WITHOUT_CODE:
            return None
        if not needs_second_factor(user):
            return None
        target = "second_factor" if has_authenticator(user) else "second_factor_setup"
        return redirect(
            f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}"
        )


def verify(request, token: str):
    """Check a code against the user's devices; on success the session counts as
    verified (with a new session key). Returns the device, or None."""
    import django_otp

    token = "".join(token.split())
    if not token:
        return None
    device = django_otp.match_token(request.user, token)
    if device is not None:
        request.session.cycle_key()
        otp_login(request, device)
    return device


def waiting_seconds(user) -> int:
    """How long wrong codes in a row make the user wait before the next try (0: none)."""
    waits = []
    for device in [
        *TOTPDevice.objects.filter(user=user, confirmed=True),
        *StaticDevice.objects.filter(user=user, confirmed=True),
    ]:
        allowed, data = device.verify_is_allowed()
        if not allowed and data and data.get("locked_until"):
            from django.utils import timezone

            waits.append(
                max(1, int((data["locked_until"] - timezone.now()).total_seconds()))
            )
    return min(waits) if waits else 0


def new_authenticator(user) -> TOTPDevice:
    """The authenticator being set up: one unconfirmed device, kept until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name=AUTHENTICATOR, confirmed=False
        )
    return device


@transaction.atomic
def confirm_authenticator(request, device: TOTPDevice, token: str) -> list[str] | None:
    """The first code from the app confirms it: it replaces any older authenticator, new
    backup codes are made, and the session counts as verified. Returns the backup
    codes (to show once), or None if the code is not right."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if not device.verify_token("".join(token.split())):
        return None
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = new_backup_codes(device.user)
    request.session.cycle_key()
    otp_login(request, device)
    return codes


@transaction.atomic
def new_backup_codes(user) -> list[str]:
    """Ten fresh one-time backup codes; the old ones stop working."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.BACKUP_CODES)]
    StaticToken.objects.bulk_create(
        [StaticToken(device=device, token=code) for code in codes]
    )
    return codes


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
