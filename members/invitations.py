"""Invitations: the e-mail that lets an imported member choose a password and log in.

An invitation link carries a token of `InvitationTokenGenerator`: Django's password
reset token with a salt of its own and a longer life (INVITATION_TIMEOUT_DAYS). Like
a reset token it hashes the password and the last login, so it works once: setting
the password, or logging in, spends it.
"""

import logging
from functools import partial
from smtplib import SMTPException

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode

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
    """E-mail an invitation to each of the members who has an address and has never logged in.

    Stamps Member.invited_at in one transaction; the e-mails go out after commit.
    Returns how many invitations were sent.
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
        previous = {member.pk: member.invited_at for member in chosen}
        Member.objects.filter(pk__in=previous).update(invited_at=timezone.now())
        mails = [(member.pk, _invitation_message(member)) for member in chosen]
        transaction.on_commit(partial(_send, mails, previous))
    logger.info("%s sent %d invitations", actor.get_username(), len(chosen))
    return len(chosen)


def _invitation_message(member: Member) -> EmailMultiAlternatives:
    user = member.user
    context = {
        "user": user,
        "member": member,
        "url": invitation_url(user),
        "days": settings.INVITATION_TIMEOUT_DAYS,
    }
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = render_to_string("emails/invitation-subject.txt", context)
        text = render_to_string("emails/invitation-body.txt", context)
        html = render_to_string("emails/invitation-body.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()), body=text, to=[user.email]
    )
    message.attach_alternative(html, "text/html")
    return message


def _send(mails: list, previous: dict) -> None:
    """Send each mail over one connection; a member whose mail fails gets the old invited_at back."""
    connection = get_connection()
    failed = []
    try:
        connection.open()
        for member_pk, message in mails:
            message.connection = connection
            try:
                message.send()
            except (SMTPException, OSError):
                logger.exception("Invitation to member %s not sent", member_pk)
                failed.append(member_pk)
    except (SMTPException, OSError):
        logger.exception("No connection to the mail server: no invitation sent")
        failed = [member_pk for member_pk, _message in mails]
    finally:
        connection.close()
    for member_pk in failed:
        Member.objects.filter(pk=member_pk).update(invited_at=previous[member_pk])
