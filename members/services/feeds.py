"""Private calendar feeds: a secret link per user and kind; only the token's hash is kept."""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from chamber.models import User
from members.models import CalendarFeed

TOKEN_BYTES = 24  # 192 bits


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def renew_feed(*, user: User, kind: str) -> str:
    """A new secret link for the user's feed; the old one stops working. Returns the token once."""
    revoke_feed(user=user, kind=kind)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    CalendarFeed.objects.create(user=user, kind=kind, token_hash=_hash(token))
    return token


def revoke_feed(*, user: User, kind: str) -> int:
    """Stop the user's live feed of that kind; returns how many links were revoked (0 or 1)."""
    return CalendarFeed.objects.filter(
        user=user, kind=kind, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())


def feed_for_token(token: str) -> CalendarFeed | None:
    """The live feed the token opens, or None (unknown, revoked, or its user disabled)."""
    if not token or len(token) > 100:
        return None
    return (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=_hash(token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
