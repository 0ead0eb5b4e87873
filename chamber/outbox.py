"""The outbox: every message the portal sends is a row first (chamber.OutgoingMessage).

`queue` writes the message, rendered in the recipient's language, under a unique key
(the notice and its recipient), in the caller's transaction, and asks for a sender after
commit. `deliver` sends one message: it claims the row (a conditional update), sends,
and only then marks it sent; a transport error puts it back with the next try at the
shared retry waits (chamber.tasks.MAIL_RETRY_WAITS), and after the last try, or when
the server refuses it for good (5xx), marks it failed with the reason in words. Asking
for a sender is best effort: `sweep` (beat, every minute) asks again for every message
that is due and not claimed, and takes over claims gone stale (a dead worker). Two
senders never send one message: only one conditional update can claim it.

The one gap no protocol closes: a worker killed after the mail server accepted the
message and before the row is marked. Its claim goes stale and the message is sent
again, with the same Message-ID (so mail clients can fold the copy), and the row counts
the claim taken over (`reclaims`): the rare duplicate is detectable and counted.
"""

import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import (
    Case,
    F,
    OuterRef,
    PositiveSmallIntegerField,
    Q,
    Subquery,
    When,
)
from django.utils import timezone, translation
from django.utils.translation import gettext

from chamber.emails import make_message
from chamber.models import OutgoingMessage, User
from chamber.tasks import MAIL_RETRY_WAITS

logger = logging.getLogger(__name__)
M = OutgoingMessage.Status
# A message just queued is sent by its own task; the sweep leaves it this long first.
SWEEP_GRACE = timedelta(minutes=1)
# Messages asked for by one sweep; the next minute's sweep takes the rest.
SWEEP_BATCH = 500


def stale_claim() -> timedelta:
    """How long a claim holds before another sender may take it over (the setting
    outlives the task time limit, so only a dead worker's claim goes stale)."""
    return timedelta(seconds=settings.DELIVERY_STALE_CLAIM)


@dataclass(frozen=True)
class Notice:
    """One message to write: the e-mail template `name` (its kind) to `user`, rendered in
    their language with `context`, once per `key` (the notice and its recipient)."""

    key: str
    name: str
    user: Any
    context: dict = field(default_factory=dict)
    headers: dict = field(default_factory=dict)


def queue(
    key: str, name: str, user, context: dict, *, enqueue: bool = True
) -> OutgoingMessage | None:
    """Queue the e-mail `name` to `user` in their language, once per key; None when a
    message with this key exists already. Written in the caller's transaction."""
    written = queue_all([Notice(key, name, user, context)], enqueue=enqueue)
    return written[0] if written else None


def queue_all(
    notices: Iterable[Notice], *, enqueue: bool = True
) -> list[OutgoingMessage]:
    """Queue many notices in the caller's transaction: one query for the keys already
    queued, one INSERT for the new ones; returns the messages written. A notice whose
    key exists (sent before, or written at the same moment by another process) is skipped."""
    notices = {notice.key[:200]: notice for notice in notices}
    if not notices:
        return []
    known = set(
        OutgoingMessage.objects.filter(key__in=notices).values_list("key", flat=True)
    )
    rows = [_compose(key, n) for key, n in notices.items() if key not in known]
    if not rows:
        return []
    try:
        with transaction.atomic():
            written = OutgoingMessage.objects.bulk_create(rows)
    except IntegrityError:  # a key was written at the same moment by another process
        written = []
        for row in rows:
            try:
                with transaction.atomic():
                    row.save(force_insert=True)
            except IntegrityError:
                continue
            written.append(row)
    if enqueue:
        for message in written:
            if message.status == M.QUEUED:
                _ask_for_sender(message.pk)
    return written


def _compose(key: str, notice: Notice) -> OutgoingMessage:
    """The row of one notice, rendered in the recipient's language (cancelled, with the
    reason, when they have no address)."""
    user = notice.user
    row = OutgoingMessage(
        key=key,
        kind=notice.name,
        user=user,
        address=user.email,
        headers=notice.headers,
    )
    if not user.email:
        with translation.override(settings.LANGUAGE_CODE):
            row.status, row.last_error = M.CANCELLED, gettext("No e-mail address.")
        return row
    email = make_message(
        notice.name, [user.email], {"recipient": user, **notice.context}, user.language
    )
    row.subject = email.subject[:300]
    row.body_text = email.body
    row.body_html = next(
        (body for body, kind in email.alternatives if kind == "text/html"), ""
    )
    return row


def deliver(message_id: int, *, now: datetime | None = None) -> bool:
    """Send one message if it is due and nobody holds it; True when this call sent it."""
    now = now or timezone.now()
    claimable = Q(status=M.QUEUED, next_try_at__lte=now) | Q(
        status=M.SENDING, claimed_at__lt=now - stale_claim()
    )
    claimed = (
        OutgoingMessage.objects.filter(claimable, pk=message_id).update(
            reclaims=Case(
                When(status=M.SENDING, then=F("reclaims") + 1),
                default=F("reclaims"),
                output_field=PositiveSmallIntegerField(),
            ),
            status=M.SENDING,
            claimed_at=now,
            attempts=F("attempts") + 1,
        )
        == 1
    )
    if not claimed:
        return False
    message = OutgoingMessage.objects.get(pk=message_id)
    try:
        _email(message).send()
    except (smtplib.SMTPException, OSError) as error:
        _put_back(message, error, now=now)
        return False
    OutgoingMessage.objects.filter(pk=message.pk, claimed_at=now).update(
        status=M.SENT, sent_at=timezone.now()
    )
    return True


def sweep(*, now: datetime | None = None) -> list[int]:
    """Ask for a sender for every message due and not claimed, and for those whose claim
    went stale. One query, whatever the number of messages."""
    now = now or timezone.now()
    due = list(
        OutgoingMessage.objects.filter(
            Q(status=M.QUEUED, next_try_at__lte=now - SWEEP_GRACE)
            | Q(status=M.SENDING, claimed_at__lt=now - stale_claim())
        )
        .order_by("next_try_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    from chamber.tasks import deliver_message, enqueue

    for pk in due:
        enqueue(deliver_message, pk)
    return due


@transaction.atomic
def resend(messages, *, now: datetime | None = None) -> int:
    """Staff send failed or cancelled messages again (重新发送): queued, tries afresh,
    to the recipient's address as it is now (staff fix a refused one on the user)."""
    now = now or timezone.now()
    pks = list(
        messages.filter(status__in=OutgoingMessage.RESENDABLE).values_list(
            "pk", flat=True
        )
    )
    OutgoingMessage.objects.filter(pk__in=pks, user__isnull=False).update(
        address=Subquery(
            User.objects.filter(pk=OuterRef("user_id")).values("email")[:1]
        )
    )
    pks = list(
        OutgoingMessage.objects.filter(pk__in=pks)
        .exclude(address="")
        .values_list("pk", flat=True)
    )
    OutgoingMessage.objects.filter(pk__in=pks).update(
        status=M.QUEUED, attempts=0, next_try_at=now, claimed_at=None
    )
    for pk in pks:
        _ask_for_sender(pk)
    return len(pks)


def cancel(messages) -> int:
    """Staff cancel messages not sent yet (取消); the row stays, with its history."""
    return messages.filter(status__in=OutgoingMessage.CANCELLABLE).update(
        status=M.CANCELLED
    )


def _email(message: OutgoingMessage) -> EmailMultiAlternatives:
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    email = EmailMultiAlternatives(
        message.subject,
        message.body_text,
        to=[message.address],
        # The same Message-ID on every try: a copy sent after a lost claim can be folded.
        headers={**message.headers, "Message-ID": f"<outbox.{message.pk}@{host}>"},
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    return email


def _put_back(message: OutgoingMessage, error: Exception, *, now: datetime) -> None:
    """After a transport error: the next try at the retry waits, or failed for good."""
    refused = isinstance(error, smtplib.SMTPRecipientsRefused) or (
        isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500
    )
    last = message.attempts > len(MAIL_RETRY_WAITS)
    with translation.override(settings.LANGUAGE_CODE):
        reason = _reason(error)
    if refused or last:
        OutgoingMessage.objects.filter(pk=message.pk, claimed_at=now).update(
            status=M.FAILED, last_error=reason
        )
        logger.error("Message %s failed: %s", message.pk, error)
        return
    wait = MAIL_RETRY_WAITS[message.attempts - 1]
    OutgoingMessage.objects.filter(pk=message.pk, claimed_at=now).update(
        status=M.QUEUED,
        last_error=reason,
        next_try_at=now + timedelta(seconds=wait),
        claimed_at=None,
    )
    logger.warning("Message %s: %s; next try in %s s", message.pk, error, wait)
    _ask_for_sender(message.pk, wait)


def _reason(error: Exception) -> str:
    """The error in words for staff."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(error.recipients.values()))
        return gettext("The mail server refused the address (%(code)s %(text)s).") % {
            "code": code,
            "text": _text(text),
        }
    if isinstance(error, smtplib.SMTPResponseException):
        return gettext("The mail server answered %(code)s %(text)s.") % {
            "code": error.smtp_code,
            "text": _text(error.smtp_error),
        }
    return gettext("The mail server could not be reached (%(error)s).") % {
        "error": error
    }


def _text(value) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def _ask_for_sender(message_id: int, countdown: int = 0) -> None:
    """Queue the sending task after commit; with the broker down the sweep asks again."""
    from chamber.tasks import deliver_message, enqueue_after_commit

    enqueue_after_commit(deliver_message, message_id, countdown=countdown)
