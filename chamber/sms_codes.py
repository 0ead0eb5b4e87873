"""Codes sent by SMS (验证码): to verify a mobile, to log in, to let an enterprise that is
not a member submit a petition.

Six digits, valid five minutes, used once; at most one code a minute and ten a day to
one number; five wrong tries void a code. Only a hash of the code is stored. The SMS
goes through the outbox like every message (an urgent kind: codes are sent at night).
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chamber import outbox
from chamber.models import SmsCode, User
from chamber.phone import normalise_phone

VALID = timedelta(minutes=5)
EVERY = timedelta(minutes=1)
DAILY = 10
WRONG_TRIES = 5
# Codes asked for from one address in an hour, whatever the numbers: each SMS costs.
PER_ADDRESS = 10


class CodeRefused(Exception):
    """No code now (too soon, too many today), or a wrong or expired one: the message
    is for the person, in their language."""


def _hash(number: str, code: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), f"{number}:{code}".encode(), hashlib.sha256
    ).hexdigest()


@transaction.atomic
def send_code(
    number: str,
    purpose: str,
    *,
    user: User | None = None,
    deliver: bool = True,
    address: str | None = None,
) -> SmsCode:
    """Make a code for `number` and queue its SMS; CodeRefused when one was sent less
    than a minute ago or ten today, or `address` (the asker's) asked for ten this hour.
    With `deliver` off the code is only noted (a login asked for a number without an
    account: the same limits and answers, no SMS)."""
    if address and _one_too_many(address):
        raise CodeRefused(
            _("Too many codes were asked for; please try again in an hour.")
        )
    number = normalise_phone(number)
    now = timezone.now()
    recent = list(
        SmsCode.objects.select_for_update()
        .filter(number=number, created_at__gte=now - timedelta(days=1))
        .values_list("created_at", flat=True)
    )
    if any(moment > now - EVERY for moment in recent):
        raise CodeRefused(_("A code was sent less than a minute ago; please wait."))
    if len(recent) >= DAILY:
        raise CodeRefused(
            _("Ten codes were sent to this number today; please try again tomorrow.")
        )
    code = f"{secrets.randbelow(10**6):06d}"
    row = SmsCode.objects.create(
        number=number, purpose=purpose, user=user, code_hash=_hash(number, code)
    )
    if deliver:
        outbox.queue_code(f"sms-code:{row.pk}", number, code, user=user)
    return row


def _one_too_many(address: str) -> bool:
    """Count one more code asked for from `address`; True past PER_ADDRESS this hour.
    Without the cache (Redis down) nobody is refused: the per-number limits hold."""
    key = f"sms-codes:address:{address}"
    cache.add(key, 0, timeout=3600)
    try:
        return cache.incr(key) > PER_ADDRESS
    except ValueError:  # the key is gone, or the cache is not answering
        return False


def check_code(number: str, purpose: str, code: str) -> SmsCode:
    """The code just sent to `number` for `purpose`, used now; CodeRefused when wrong,
    expired, used or tried too often (a wrong try is counted all the same)."""
    row, refusal = _use(normalise_phone(number), purpose, code.strip())
    if refusal:
        raise CodeRefused(refusal)
    return row


@transaction.atomic
def _use(number: str, purpose: str, code: str):
    latest = (
        SmsCode.objects.select_for_update()
        .filter(number=number, purpose=purpose, used_at__isnull=True)
        .order_by("-created_at")
        .first()
    )
    now = timezone.now()
    if (
        latest is None
        or latest.created_at < now - VALID
        or latest.wrong_tries >= WRONG_TRIES
    ):
        return None, _("The code has expired; please ask for a new one.")
    if not hmac.compare_digest(latest.code_hash, _hash(number, code)):
        SmsCode.objects.filter(pk=latest.pk).update(wrong_tries=latest.wrong_tries + 1)
        return None, _("The code is wrong; please check the SMS and try again.")
    latest.used_at = now
    latest.save(update_fields=["used_at"])
    return latest, None
