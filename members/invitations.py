"""Invitations: the e-mail that lets an imported member choose a password and log in.

An invitation link carries a token of `InvitationTokenGenerator`: Django's password
reset token with a salt of its own and a longer life (INVITATION_TIMEOUT_DAYS). Like
a reset token it hashes the password and the last login, so it works once: setting
the password, or logging in, spends it.
"""

import logging

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode

from chamber import outbox
from chamber.models import User
from members.models import Member

logger = logging.getLogger(__name__)

# Why a member gets no invitation (see skip_reason).
DISABLED = "disabled"
ALREADY_ACTIVE = "active"
NO_EMAIL = "no_email"


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """A one-time token for the invitation link, valid for INVITATION_TIMEOUT_DAYS."""

    key_salt = "members.invitations.InvitationTokenGenerator"

    def check_token(self, user, token) -> bool:
        # Django's check, with our timeout instead of PASSWORD_RESET_TIMEOUT.
        if not (user and token):
            return False
        try:
            ts_b36, _hash = token.split("-")
            timestamp = base36_to_int(ts_b36)
        except ValueError:
            return False
        if not any(
            constant_time_compare(
                self._make_token_with_timestamp(user, timestamp, secret), token
            )
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return False
        age = self._num_seconds(self._now()) - timestamp
        return age <= settings.INVITATION_TIMEOUT_DAYS * 24 * 60 * 60


invitation_token_generator = InvitationTokenGenerator()


def skip_reason(member: Member) -> str | None:
    """Why this member gets no invitation, or None if they get one."""
    user = member.user
    if not user.is_active:
        return DISABLED
    if user.last_login is not None:
        return ALREADY_ACTIVE
    if not user.email:
        return NO_EMAIL
    return None


def invitation_url(user: User) -> str:
    """The absolute address of the user's invitation page, with a fresh token."""
    path = reverse(
        "members:accept_invitation",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": invitation_token_generator.make_token(user),
        },
    )
    return settings.SITE_URL + path


def send_invitations(*, members, actor: User) -> int:
    """Invite each of the members who has an address and has never logged in.

    Stamps Member.invited_at and writes each invitation to the outbox in one transaction
    (chamber/outbox.py sends it, retries it, and shows staff the ones that failed).
    Returns how many invitations were queued.
    """
    pks = [member.pk for member in members]
    with transaction.atomic():
        chosen = [
            member
            for member in Member.objects.filter(pk__in=pks)
            .select_related("user", "enterprise")
            .select_for_update(of=("self",))
            .order_by("pk")
            if skip_reason(member) is None
        ]
        now = timezone.now()
        Member.objects.filter(pk__in=[m.pk for m in chosen]).update(invited_at=now)
        outbox.queue_all(
            outbox.Notice(
                f"invitation:{member.user_id}:{now.isoformat()}",
                "invitation",
                member.user,
                {
                    "user": member.user,
                    "member": member,
                    "url": invitation_url(member.user),
                    "days": settings.INVITATION_TIMEOUT_DAYS,
                },
            )
            for member in chosen
        )
    logger.info("%s sent %d invitations", actor.get_username(), len(chosen))
    return len(chosen)
