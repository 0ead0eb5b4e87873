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
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone, translation
from django.utils.translation import gettext

from chamber.channels import (
    ChannelError,
    Sms,
    WechatCard,
    choices,
    rules,
    short_forms,
    sms_backend,
    wechat_backend,
)
from chamber.emails import make_message, make_subject
from chamber.models import OutgoingMessage, ShortLink, User
from chamber.tasks import MAIL_RETRY_WAITS

logger = logging.getLogger(__name__)
M = OutgoingMessage.Status
C = OutgoingMessage.Channel
# A notice's key, leaving room for the channel ("|wechat") within the column's 200.
KEY_LENGTH = 190
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
    """Queue many notices in the caller's transaction, each by the channels that reach
    its recipient (chamber/channels/choices.py): one query for the choices, one for the
    keys already queued, one INSERT for the short links and one for the messages;
    returns the messages written. A message whose key exists (sent before, or written
    at the same moment by another process) is skipped."""
    notices = {notice.key[:KEY_LENGTH]: notice for notice in notices}
    if not notices:
        return []
    picked = choices.chosen((n.user.pk, n.name) for n in notices.values())
    wanted = {
        channel_key(key, channel): (key, channel)
        for key, n in notices.items()
        for channel in choices.channels(n.user, n.name, picked[(n.user.pk, n.name)])
    }
    known = set(
        OutgoingMessage.objects.filter(key__in=wanted).values_list("key", flat=True)
    )
    todo: dict[str, list[str]] = {}
    for full_key, (key, channel) in wanted.items():
        if full_key not in known:
            todo.setdefault(key, []).append(channel)
    if not todo:
        return []
    urgent = rules.urgent_kinds() if any(C.SMS in c for c in todo.values()) else set()
    rows, links = [], []
    for key, channels in todo.items():
        composed = _compose(key, notices[key], channels, urgent)
        rows += composed.rows
        links += [composed.link] if composed.link else []
    return _write(rows, links, enqueue=enqueue)


def queue_code(key: str, number: str, code: str, *, user=None) -> OutgoingMessage:
    """Queue the SMS carrying a code (chamber/sms_codes.py) to `number`, which need not
    be verified yet (that is what the code is for); sent at any hour."""
    filled = short_forms.fill("sms-code", {"code": code})
    with translation.override(user.language if user else settings.LANGUAGE_CODE):
        subject = gettext("Verification code")
    row = OutgoingMessage(
        key=key,
        notice=key,
        channel=C.SMS,
        kind="sms-code",
        user=user,
        address=number,
        subject=subject,
        body_text=filled.text,
        params={"values": filled.values, "url": ""},
    )
    return _write([row], [], enqueue=True)[0]


def channel_key(key: str, channel: str) -> str:
    """The message's key: the notice's for e-mail, with the channel for the others."""
    return key if channel == C.EMAIL else f"{key}|{channel}"


def _write(rows, links, *, enqueue: bool) -> list[OutgoingMessage]:
    try:
        with transaction.atomic():
            ShortLink.objects.bulk_create(links)
            written = OutgoingMessage.objects.bulk_create(rows)
    except IntegrityError:  # a key was written at the same moment by another process
        ShortLink.objects.bulk_create(links, ignore_conflicts=True)
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
            # A message held for the morning is left to the sweep (a task held for
            # hours would outlive the broker's visibility timeout).
            if message.status == M.QUEUED and message.next_try_at <= timezone.now():
                _ask_for_sender(message.pk)
    return written


@dataclass
class _Composed:
    rows: list[OutgoingMessage]
    link: ShortLink | None = None


def _compose(key: str, notice: Notice, channels: list[str], urgent: set) -> _Composed:
    """The rows of one notice, one per channel, rendered in the recipient's language
    (SMS and WeChat in Chinese: the provider's templates); an e-mail row without an
    address is cancelled, with the reason."""
    user = notice.user
    composed = _Composed([])
    context = {"recipient": user, **notice.context}
    email = (
        make_message(notice.name, [user.email], context, user.language)
        if C.EMAIL in channels and user.email
        else None
    )
    base = {"notice": key, "kind": notice.name, "user": user, "headers": {}}
    if C.EMAIL in channels:
        row = OutgoingMessage(
            key=key,
            channel=C.EMAIL,
            address=user.email,
            **{**base, "headers": notice.headers},
        )
        if email is None:
            with translation.override(settings.LANGUAGE_CODE):
                row.status, row.last_error = M.CANCELLED, gettext("No e-mail address.")
        else:
            row.subject = email.subject[:300]
            row.body_text = email.body
            row.body_html = next(
                (body for body, kind in email.alternatives if kind == "text/html"), ""
            )
        composed.rows.append(row)
    others = [c for c in channels if c != C.EMAIL]
    if not others:
        return composed
    filled = short_forms.fill(notice.name, context)
    # The subject names the notice on every channel (the WeChat card's title too).
    subject = (
        email.subject if email else make_subject(notice.name, context, user.language)
    )[:300]
    if C.SMS in others:
        now = timezone.now()
        hold = None if notice.name in urgent else rules.quiet_until(now)
        composed.rows.append(
            OutgoingMessage(
                key=channel_key(key, C.SMS),
                channel=C.SMS,
                address=user.mobile,
                subject=subject,
                body_text=filled.text,
                params={"values": filled.values, "url": filled.url},
                next_try_at=hold or now,
                **base,
            )
        )
        composed.link = filled.short_link
    if C.WECHAT in others:
        via = "wecom" if user.wecom_userid else "mp"
        composed.rows.append(
            OutgoingMessage(
                key=channel_key(key, C.WECHAT),
                channel=C.WECHAT,
                address=user.wecom_userid or user.wechat_openid,
                subject=subject,
                body_text=short_forms.card_text(notice.name, filled),
                params={
                    "via": via,
                    "values": filled.values[: -1 if filled.short_link else None],
                    "url": filled.url or settings.SITE_URL,
                },
                **base,
            )
        )
    return composed


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
    message = OutgoingMessage.objects.select_related("user").get(pk=message_id)
    try:
        reference = SENDERS[message.channel](message, now)
    except _Hold as hold:
        OutgoingMessage.objects.filter(pk=message.pk, claimed_at=now).update(
            status=M.QUEUED,
            next_try_at=hold.until,
            claimed_at=None,
            attempts=F("attempts") - 1,
        )
        return False  # the sweep sends it once the quiet hours end
    except ChannelError as error:
        _put_back(message, error, now=now)
        return False
    OutgoingMessage.objects.filter(pk=message.pk, claimed_at=now).update(
        status=M.SENT, sent_at=timezone.now(), provider_ref=(reference or "")[:100]
    )
    return True


class _Hold(Exception):
    """Not now: the quiet hours hold this SMS until `until`."""

    def __init__(self, until: datetime):
        self.until = until


def _send_email(message: OutgoingMessage, now: datetime) -> str:
    try:
        _email(message).send()
    except (smtplib.SMTPException, OSError) as error:
        # A refused address or a 5xx answer is for good; anything else may pass later.
        final = isinstance(error, smtplib.SMTPRecipientsRefused) or (
            isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500
        )
        with translation.override(settings.LANGUAGE_CODE):
            raise ChannelError(_reason(error), retry=not final) from error
    return ""


def _send_sms(message: OutgoingMessage, now: datetime) -> str:
    if message.kind not in rules.urgent_kinds() and (hold := rules.quiet_until(now)):
        raise _Hold(hold)
    with translation.override(settings.LANGUAGE_CODE):
        if rules.over_cap(message.address, now):
            raise ChannelError(
                gettext(
                    "This number has had %(cap)s SMS today; the notice goes by e-mail."
                )
                % {"cap": settings.SMS_DAILY_CAP},
                retry=False,
                fallback=True,
            )
    return sms_backend().send(
        Sms(
            number=message.address,
            kind=message.kind,
            template_id=settings.SMS_TEMPLATE_IDS.get(message.kind, ""),
            params=message.params.get("values", []),
            text=message.body_text,
            session=f"outbox.{message.pk}",
        )
    )


def _send_wechat(message: OutgoingMessage, now: datetime) -> str:
    via = message.params.get("via", "mp")
    return wechat_backend().send(
        WechatCard(
            via=via,
            to=message.address,
            kind=message.kind,
            title=message.subject,
            description=message.body_text,
            url=message.params.get("url", settings.SITE_URL),
            template_id=settings.WECHAT_MP_TEMPLATE_IDS.get(message.kind, "")
            if via == "mp"
            else "",
            params=message.params.get("values", []),
        )
    )


SENDERS = {C.EMAIL: _send_email, C.SMS: _send_sms, C.WECHAT: _send_wechat}


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


# Where each channel finds a person's address (a WeChat message to an official goes to
# their WeCom account, to a member to the OpenID bound to the 服务号).
ADDRESS_OF = {
    C.EMAIL: F("email"),
    C.SMS: F("mobile"),
    C.WECHAT: Coalesce(NullIf("wecom_userid", Value("")), "wechat_openid"),
}


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
    for channel, address in ADDRESS_OF.items():
        OutgoingMessage.objects.filter(
            pk__in=pks, user__isnull=False, channel=channel
        ).update(
            address=Subquery(
                User.objects.filter(pk=OuterRef("user_id")).values(a=address)[:1]
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


def _put_back(message: OutgoingMessage, error: ChannelError, *, now: datetime) -> None:
    """After a channel's error: the next try at the retry waits, or failed for good;
    an address the provider refused is marked unusable for the person, and the notice
    goes by e-mail instead (as it does over the daily SMS cap)."""
    last = message.attempts > len(MAIL_RETRY_WAITS)
    if not error.retry or last:
        OutgoingMessage.objects.filter(pk=message.pk, claimed_at=now).update(
            status=M.FAILED, last_error=error.reason[:2000]
        )
        logger.error("Message %s failed: %s", message.pk, error.reason)
        if error.refused and message.user_id:
            field = "sms_refused" if message.channel == C.SMS else "wechat_refused"
            User.objects.filter(pk=message.user_id).update(
                **{field: error.reason[:300]}
            )
        if (error.refused or error.fallback) and message.channel != C.EMAIL:
            fall_back_to_email(message)
        return
    wait = MAIL_RETRY_WAITS[message.attempts - 1]
    OutgoingMessage.objects.filter(pk=message.pk, claimed_at=now).update(
        status=M.QUEUED,
        last_error=error.reason[:2000],
        next_try_at=now + timedelta(seconds=wait),
        claimed_at=None,
    )
    logger.warning("Message %s: %s; next try in %s s", message.pk, error.reason, wait)
    _ask_for_sender(message.pk, wait)


def fall_back_to_email(message: OutgoingMessage) -> OutgoingMessage | None:
    """Send the notice of an SMS or WeChat message that cannot go by e-mail instead:
    its title, its short text and the whole link; nothing when the notice went by
    e-mail already (its key is taken)."""
    user = message.user
    row = OutgoingMessage(
        key=message.notice or message.key,
        notice=message.notice or message.key,
        channel=C.EMAIL,
        kind=message.kind,
        user=user,
        address=user.email if user else "",
        subject=message.subject,
        body_text="\n\n".join(
            part for part in (message.body_text, message.params.get("url", "")) if part
        ),
    )
    if not row.address:
        with translation.override(settings.LANGUAGE_CODE):
            row.status, row.last_error = M.CANCELLED, gettext("No e-mail address.")
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        return None
    if row.status == M.QUEUED:
        _ask_for_sender(row.pk)
    return row


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
