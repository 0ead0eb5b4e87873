"""Helpers of the digest and outbox tests: a real SMTP server on loopback and petitions
on known days.

The SMTP server is aiosmtpd in a thread of the test process. It listens on a free port of
127.0.0.1 and keeps what it accepted; it can refuse the next messages with a temporary
error (451), as a mail server does when it is busy, or with another answer (`refusal`).
"""

import email
import email.policy
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from aiosmtpd.controller import Controller
from django.core.mail import EmailMultiAlternatives

from chamber.emails import make_message
from chamber.models import OutgoingMessage


@dataclass
class Received:
    """One message as the SMTP server got it: envelope recipients, subject, both bodies."""

    to: list[str]
    subject: str
    text: str
    html: str

    def contains(self, *texts: str) -> bool:
        return all(t in self.text and t in self.html for t in texts)


class Sink:
    """The SMTP server's handler: refuses the next `refuse` messages, then accepts."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.refuse = 0
        self.refusal = "451 4.3.0 Mailbox busy, try again later"
        self.refused = 0
        self.messages: list[Received] = []
        self.port = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        with self._lock:
            if self.refuse:
                self.refuse -= 1
                self.refused += 1
                return self.refusal
            self.messages.append(_parse(envelope))
        return "250 OK"

    def to(self, address: str) -> list[Received]:
        with self._lock:
            return [m for m in self.messages if address in m.to]

    def recipients(self) -> list[str]:
        with self._lock:
            return sorted(a for m in self.messages for a in m.to)


def _parse(envelope) -> Received:
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    return Received(
        to=list(envelope.rcpt_tos),
        subject=str(message["Subject"]).strip(),  # Django folds it after "Subject:"
        text=text.get_content() if text else "",
        html=html.get_content() if html else "",
    )


class AnyPortController(Controller):
    """aiosmtpd's Controller on port 0: the system picks a free port, read back here."""

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@contextmanager
def smtp_server() -> Iterator[tuple[Sink, int]]:
    """A running SMTP server on 127.0.0.1: its handler and its port."""
    sink = Sink()
    controller = AnyPortController(sink, hostname="127.0.0.1", port=0)
    controller.start()
    sink.port = controller.port
    try:
        yield sink, controller.port
    finally:
        controller.stop()


def rendered(built, user) -> EmailMultiAlternatives | None:
    """The e-mail a delivery's built message (its template and context) makes for
    `user`, as the outbox renders it; None for nothing to send."""
    if built is None:
        return None
    name, context = built
    return make_message(
        name, [user.email], {"recipient": user, **context}, user.language
    )


def sent_deliveries(queryset) -> int:
    """How many of the deliveries' messages the outbox has sent."""
    return queryset.filter(message__status=OutgoingMessage.Status.SENT).count()
