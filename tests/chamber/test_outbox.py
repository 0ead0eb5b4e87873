"""The outbox (chamber/outbox.py) against a real SMTP server on loopback (aiosmtpd).

Each notice is a row before it goes out; it is marked sent only after the server took it,
retried at the shared waits after a temporary refusal, failed with the reason after a
permanent one, sent again by staff, and never sent twice for one key.
"""

import socket
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from chamber import outbox
from chamber.models import OutgoingMessage, User
from chamber.tasks import MAIL_RETRY_WAITS
from tests.factories import UserFactory
from tests.support.smtp import Sink, smtp_server
from tests.support.worker import broker_at

M = OutgoingMessage.Status
CONTEXT = {"petition": None, "path": "/petitions/department/"}


class RefusingSink(Sink):
    """Also refuses, for good, the addresses in `unknown` (550 at RCPT)."""

    unknown: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.unknown:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def smtp(settings, monkeypatch):
    monkeypatch.setattr("tests.support.smtp.Sink", RefusingSink)
    with smtp_server() as (sink, port):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        yield sink


def notice(user, key: str = "petition-due:2026-03-23:1") -> bool:
    """Queue a notice and send it in this process; True when this call sent it."""
    message = outbox.queue(
        f"{key}:{user.pk}",
        "petition-due",
        user,
        {"petitions": [], "due_on": "2026-03-24", "path": "/petitions/department/"},
        enqueue=False,
    )
    return message is not None and outbox.deliver(message.pk)


def test_a_notice_is_a_row_marked_sent_once_the_server_took_it(smtp, db):
    user = UserFactory(email="li@example.com")

    assert notice(user) is True

    message = OutgoingMessage.objects.get()
    assert (message.status, message.attempts, message.address) == (
        M.SENT,
        1,
        "li@example.com",
    )
    assert message.sent_at is not None
    assert [m.to for m in smtp.messages] == [["li@example.com"]]
    assert smtp.messages[0].subject == message.subject


def test_the_same_notice_is_sent_once_however_often_it_is_asked_for(smtp, db):
    user = UserFactory(email="li@example.com")

    assert notice(user) is True
    assert notice(user) is False

    assert OutgoingMessage.objects.count() == 1
    assert len(smtp.messages) == 1


def test_a_busy_server_gets_the_message_at_the_next_try_with_two_attempts(smtp, db):
    user = UserFactory(email="li@example.com")
    smtp.refuse = 1

    assert notice(user) is False

    message = OutgoingMessage.objects.get()
    assert message.status == M.QUEUED
    assert "451" in message.last_error
    wait = message.next_try_at - timezone.now()
    assert timedelta(seconds=MAIL_RETRY_WAITS[0] - 5) < wait
    assert wait <= timedelta(seconds=MAIL_RETRY_WAITS[0])
    assert outbox.deliver(message.pk) is False  # not due yet
    assert outbox.deliver(message.pk, now=message.next_try_at) is True
    message.refresh_from_db()
    assert (message.status, message.attempts) == (M.SENT, 2)
    assert len(smtp.messages) == 1


def test_a_server_that_stays_down_fails_the_message_after_the_last_wait(settings, db):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens
    user = UserFactory(email="li@example.com")
    notice(user)
    message = OutgoingMessage.objects.get()

    for _wait in MAIL_RETRY_WAITS:
        message.refresh_from_db()
        assert message.status == M.QUEUED
        outbox.deliver(message.pk, now=message.next_try_at)

    message.refresh_from_db()
    assert (message.status, message.attempts) == (M.FAILED, len(MAIL_RETRY_WAITS) + 1)
    assert message.last_error


def test_an_address_refused_for_good_fails_at_once_and_staff_send_it_again(
    smtp, db, client, admin_user, django_capture_on_commit_callbacks
):
    smtp.unknown = {"wrong@example.com"}
    user = UserFactory(email="wrong@example.com")

    assert notice(user) is False

    message = OutgoingMessage.objects.get()
    assert (message.status, message.attempts) == (M.FAILED, 1)
    assert "550" in message.last_error
    client.force_login(admin_user)
    page = client.get(reverse("admin:chamber_outgoingmessage_changelist"))
    assert "550" in page.content.decode()

    user.email = message.address = "right@example.com"
    user.save()
    message.save()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:chamber_outgoingmessage_changelist"),
            {"action": "resend", "_selected_action": [message.pk]},
        )

    message.refresh_from_db()
    assert message.status == M.SENT
    assert [m.to for m in smtp.messages] == [["right@example.com"]]


def test_a_dead_workers_claim_is_taken_over_once_and_counted(smtp, db):
    user = UserFactory(email="li@example.com")
    message = outbox.queue("petition-due:x:1", "petition-due", user, CONTEXT)
    long_ago = timezone.now() - timedelta(hours=1)
    OutgoingMessage.objects.filter(pk=message.pk).update(
        status=M.SENDING, claimed_at=long_ago, attempts=1
    )

    assert outbox.deliver(message.pk, now=long_ago + timedelta(minutes=1)) is False
    assert outbox.sweep() == [message.pk]  # the sweep asks for a sender: sent (eager)

    message.refresh_from_db()
    assert (message.status, message.attempts, message.reclaims) == (M.SENT, 2, 1)
    assert len(smtp.messages) == 1
    assert outbox.sweep() == []


def test_a_user_without_an_address_gets_a_cancelled_row_saying_why(db, mailoutbox):
    user = UserFactory(email="")

    assert notice(user) is False

    message = OutgoingMessage.objects.get()
    assert message.status == M.CANCELLED
    assert message.last_error
    assert mailoutbox == []


@pytest.mark.django_db(transaction=True)
def test_notices_claimed_before_the_outbox_are_never_sent_again(mailoutbox):
    executor = MigrationExecutor(connection)
    executor.migrate([("chamber", "0005_sent_notice")])
    old = executor.loader.project_state([("chamber", "0005_sent_notice")]).apps
    # The user as that schema had it (later migrations add fields to users).
    user = old.get_model("chamber", "User").objects.create(
        username="li", email="li@example.com"
    )
    old.get_model("chamber", "SentNotice").objects.create(
        key=f"petition-due:2026-03-23:1:{user.pk}"
    )

    call_command("migrate", verbosity=0)  # the apps whose migrations follow too

    user = User.objects.get(pk=user.pk)
    message = OutgoingMessage.objects.get()
    assert (message.kind, message.status) == ("petition-due", M.SENT)
    assert notice(user) is False
    assert mailoutbox == []


@pytest.fixture
def broker_down():
    """Tasks go to a broker on a closed port of 127.0.0.1, as a worker's would (eager
    mode off); the lane's broker and eager mode are put back afterwards."""
    from chamber.celery import app

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        with broker_at(f"redis://127.0.0.1:{port}/0"):
            yield
    finally:
        app.conf.task_always_eager = eager


def test_with_the_broker_down_a_dispatch_answers_as_usual_and_the_sweep_sends_it(
    client, staff, smtp, django_capture_on_commit_callbacks, broker_down
):
    from chamber.celery import app
    from petitions.models import Petition
    from tests.factories import OfficialFactory, PetitionFactory
    from tests.support.department_pages import category

    official = OfficialFactory(user__email="li@example.com")
    petition = PetitionFactory(title="厂区供电容量不足")
    client.force_login(staff)
    url = reverse("petitions:staff_action", args=[petition.pk, "accept"])
    client.post(
        url,
        {
            "category": category("approvals").pk,
            "priority": "normal",
            "handling": "department",
        },
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("petitions:staff_action", args=[petition.pk, "dispatch"]),
            {"department": official.department_id},
        )

    assert response.status_code == 302
    assert Petition.objects.get(pk=petition.pk).status == Petition.Status.DISPATCHED
    message = OutgoingMessage.objects.get(kind="petition-dispatched")
    assert message.status == M.QUEUED
    assert smtp.messages == []

    app.conf.task_always_eager = True  # the broker is back
    assert outbox.sweep(now=timezone.now() + timedelta(minutes=2)) == [message.pk]
    message.refresh_from_db()
    assert message.status == M.SENT
    assert [m.to for m in smtp.messages] == [["li@example.com"]]
