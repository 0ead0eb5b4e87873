"""The outbox's fault matrix (issue 17, OG-1 to OG-3) with the real parts: a Celery
worker process (tests/support/worker.py) on this lane's broker and database, and an SMTP server
(aiosmtpd) in the test process that can answer 451, refuse an address with 550, or see
its client killed after it took a message.

(a) The broker is unreachable when staff dispatch a petition: the page answers as usual,
    the notice waits in the outbox, and once the broker is back the sweep has a worker
    send it: one message at the server.
(b) The worker is killed (SIGKILL) after the server said 250 and before the row is
    marked: once its claim is stale a new worker takes it over and sends it again. The
    design lets this one duplicate happen and makes it detectable and counted: both
    copies carry the same Message-ID, and the row says it was taken over once.
(c) 451, then 250: one message, two attempts.
(d) 550: failed, with the reason in Chinese on the staff's outbox page; once the user's
    address is fixed, staff press 重新发送 and it arrives once, at the new address.
(e) The one Redis of cache and broker stopped (the README's layout): the public pages,
    the login page and a member's pages answer 200, a petition can be submitted, and
    /healthz answers 503 naming the broker. (test_cache_outage.py covers the cache alone.)

(a) to (d) run on both lanes (PostgreSQL + Redis, SQLite + the filesystem broker); the
filesystem broker loses a killed worker's task, Redis gives it back after the visibility
timeout: either way the sweep is what recovers the message. (e) needs the redis-server
program for a Redis of its own, which it stops; the shared one is never touched.
"""

import asyncio
import email
import email.policy
import os
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from chamber import outbox
from chamber.celery import app as celery_app
from chamber.models import OutgoingMessage
from chamber.tasks import sweep_outbox
from petitions.models import Petition
from tests.factories import OfficialFactory, PetitionFactory, StaffFactory, UserFactory
from tests.support import outage
from tests.support.department_pages import category
from tests.support.smtp import AnyPortController
from tests.support.worker import broker_at, celery_worker, wait_for

M = OutgoingMessage.Status
CONTEXT = {"petitions": [], "due_on": "2026-03-24", "path": "/petitions/department/"}
# The worker of (b): a claim goes stale after 3 s; the task time limit stays below it, as
# chamber/settings.py requires (and the visibility timeout, 4 × the limit, above it).
TASK_TIME_LIMIT = 2
STALE_CLAIM = 3

own_redis = outage.own_redis
article = outage.article
member = outage.member


@dataclass
class Mail:
    """One message the server accepted: envelope recipients, Message-ID, subject."""

    to: list[str]
    message_id: str
    subject: str


class Server:
    """The SMTP server's handler. `replies` are the answers to the next messages' DATA
    (then 250); addresses in `unknown` are refused at RCPT with 550; `kill_on_quit`
    is a process that is SIGKILLed when it says QUIT after a message was accepted,
    before the server's 221 (the client has its 250, and is waiting)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.replies: list[str] = []
        self.unknown: set[str] = set()
        self.received: list[Mail] = []
        self.refused: list[str] = []
        self.kill_on_quit: int | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.unknown:
            with self._lock:
                self.refused.append(f"550 {address}")
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        with self._lock:
            if self.replies:
                reply = self.replies.pop(0)
                self.refused.append(reply)
                return reply
            headers = email.message_from_bytes(
                envelope.content, policy=email.policy.default
            )
            self.received.append(
                Mail(
                    to=list(envelope.rcpt_tos),
                    message_id=str(headers["Message-ID"]),
                    subject=str(headers["Subject"]).strip(),
                )
            )
            session.accepted = True
        return "250 OK"

    async def handle_QUIT(self, server, session, envelope):
        if self.kill_on_quit and getattr(session, "accepted", False):
            pid, self.kill_on_quit = self.kill_on_quit, None
            os.kill(pid, signal.SIGKILL)
            await asyncio.sleep(0.2)  # the 221 goes nowhere: its reader is dead
        return "221 Bye"

    def mails(self) -> list[Mail]:
        with self._lock:
            return list(self.received)


@pytest.fixture
def smtp(settings, monkeypatch) -> Iterator[Server]:
    """The SMTP server on a free port of 127.0.0.1, for this process and for workers
    (EMAIL_HOST and EMAIL_PORT in their environment, as in production)."""
    handler = Server()
    controller = AnyPortController(handler, hostname="127.0.0.1", port=0)
    controller.start()
    monkeypatch.setenv("EMAIL_HOST", "127.0.0.1")
    monkeypatch.setenv("EMAIL_PORT", str(controller.port))
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield handler
    finally:
        controller.stop()


def _row(pk: int) -> OutgoingMessage:
    return OutgoingMessage.objects.get(pk=pk)


def _until(worker, predicate) -> None:
    """Wait for `predicate`; if it never holds, fail with the worker's last lines."""
    if not wait_for(predicate):
        pytest.fail("never happened; the worker said:\n" + "".join(worker.lines[-60:]))


# --- (a) the broker unreachable at commit --------------------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_dispatch_with_the_broker_down_answers_as_usual_and_is_sent_once_it_is_back(
    client, smtp, real_broker
):
    official = OfficialFactory(user__email="li@example.com")
    petition = PetitionFactory(title="厂区供电容量不足")
    client.force_login(StaffFactory())
    closed = outage.free_port()

    with broker_at(f"redis://127.0.0.1:{closed}/0"):
        client.post(
            reverse("petitions:staff_action", args=[petition.pk, "accept"]),
            {
                "category": category("approvals").pk,
                "priority": "normal",
                "handling": "department",
            },
        )
        response = client.post(
            reverse("petitions:staff_action", args=[petition.pk, "dispatch"]),
            {"department": official.department_id},
        )

    assert response.status_code == 302
    assert response["Location"] == reverse("petitions:staff_detail", args=[petition.pk])
    assert Petition.objects.get(pk=petition.pk).status == Petition.Status.DISPATCHED
    message = OutgoingMessage.objects.get()
    assert celery_app.control.purge() == 0  # no task reached the lane's broker
    assert (message.kind, message.status, message.address) == (
        "petition-dispatched",
        M.QUEUED,
        "li@example.com",
    )

    # The broker is back; the next sweep (a minute on) asks a worker to send it.
    with celery_worker() as worker:
        assert outbox.sweep(now=timezone.now() + 2 * outbox.SWEEP_GRACE) == [message.pk]
        _until(worker, lambda: _row(message.pk).status == M.SENT)
        time.sleep(0.5)  # anything sent twice would arrive meanwhile

    message.refresh_from_db()
    assert (message.attempts, message.reclaims) == (1, 0)
    assert [m.to for m in smtp.mails()] == [["li@example.com"]]
    assert smtp.mails()[0].subject == message.subject


# --- (b) killed after the server took the message, before the row is marked -------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_b_a_worker_killed_between_send_and_mark_leaves_one_duplicate_counted(
    smtp, real_broker, monkeypatch, settings
):
    monkeypatch.setenv("CELERY_TASK_TIME_LIMIT", str(TASK_TIME_LIMIT))
    monkeypatch.setenv("DELIVERY_STALE_CLAIM", str(STALE_CLAIM))
    settings.DELIVERY_STALE_CLAIM = STALE_CLAIM  # this process's sweep and deliver too
    user = UserFactory(email="li@example.com")

    with celery_worker() as first:
        smtp.kill_on_quit = first.pid
        message = outbox.queue("petition-due:b:1", "petition-due", user, CONTEXT)
        assert first.wait(timeout=20) == -signal.SIGKILL

    message.refresh_from_db()
    assert len(smtp.mails()) == 1  # the server has it, the row does not say so
    assert (message.status, message.attempts, message.reclaims) == (M.SENDING, 1, 0)
    # Until the claim is stale nobody takes it over: the dead worker might be alive.
    before_stale = message.claimed_at + timedelta(seconds=STALE_CLAIM - 1)
    assert outbox.sweep(now=before_stale) == []
    assert outbox.deliver(message.pk, now=before_stale) is False
    stale_at = message.claimed_at + timedelta(seconds=STALE_CLAIM, milliseconds=100)
    time.sleep(max(0.0, (stale_at - timezone.now()).total_seconds()))

    with celery_worker() as second:
        sweep_outbox.delay()  # what beat asks every minute
        _until(second, lambda: _row(message.pk).status == M.SENT)
        time.sleep(0.5)

    message.refresh_from_db()
    assert (message.status, message.attempts, message.reclaims) == (M.SENT, 2, 1)
    first_copy, second_copy = smtp.mails()
    assert first_copy.to == second_copy.to == ["li@example.com"]
    assert first_copy.message_id == second_copy.message_id
    assert f"<outbox.{message.pk}@" in first_copy.message_id


# --- (c) 451, then 250 -------------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_c_a_server_answering_451_then_250_gets_one_message_in_two_attempts(
    smtp, real_broker
):
    smtp.replies = ["451 4.7.1 Greylisted, try again later"]
    user = UserFactory(email="li@example.com")

    with celery_worker() as worker:
        message = outbox.queue("petition-due:c:1", "petition-due", user, CONTEXT)
        _until(worker, lambda: "451" in _row(message.pk).last_error)
        message.refresh_from_db()
        assert (message.status, message.attempts) == (M.QUEUED, 1)
        assert message.next_try_at > timezone.now()
        assert smtp.mails() == []

        # The minute's wait is over: the sweep finds it due and a worker sends it.
        OutgoingMessage.objects.filter(pk=message.pk).update(
            next_try_at=timezone.now() - 2 * outbox.SWEEP_GRACE
        )
        sweep_outbox.delay()
        _until(worker, lambda: _row(message.pk).status == M.SENT)
        time.sleep(0.5)

    message.refresh_from_db()
    assert (message.status, message.attempts, message.reclaims) == (M.SENT, 2, 0)
    assert smtp.refused == ["451 4.7.1 Greylisted, try again later"]
    assert [m.to for m in smtp.mails()] == [["li@example.com"]]


# --- (d) 550 -----------------------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_d_an_address_refused_with_550_fails_with_the_reason_in_chinese_for_staff(
    smtp, real_broker, admin_user
):
    smtp.unknown = {"wrong@example.com"}
    user = UserFactory(email="wrong@example.com")

    with celery_worker() as worker:
        message = outbox.queue("petition-due:d:1", "petition-due", user, CONTEXT)
        _until(worker, lambda: _row(message.pk).status == M.FAILED)

    message.refresh_from_db()
    assert message.attempts == 1
    assert message.last_error == ("邮件服务器拒收此地址（550 5.1.1 No such mailbox）。")
    assert smtp.mails() == []
    staff = Client()
    staff.force_login(admin_user)
    page = staff.get(reverse("admin:chamber_outgoingmessage_change", args=[message.pk]))
    assert page.status_code == 200
    assert (
        "邮件服务器拒收此地址（550 5.1.1 No such mailbox）。" in page.content.decode()
    )


def test_d_once_the_address_is_fixed_staff_send_it_again_and_it_arrives_once(
    smtp, db, client, django_capture_on_commit_callbacks
):
    smtp.unknown = {"wrong@example.com"}
    user = UserFactory(email="wrong@example.com")
    message = outbox.queue(
        "petition-due:d:2", "petition-due", user, CONTEXT, enqueue=False
    )
    assert outbox.deliver(message.pk) is False
    assert _row(message.pk).status == M.FAILED

    client.force_login(StaffFactory())
    page = client.get(reverse("outbox_detail", args=[message.pk])).content.decode()
    assert "邮件服务器拒收此地址（550 5.1.1 No such mailbox）。" in page
    assert "重新发送" in page

    user.email = "right@example.com"  # the member (or staff) corrects the address
    user.save()
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("outbox_action", args=[message.pk, "resend"]))
    assert answer.status_code == 302

    message.refresh_from_db()
    assert [m.to for m in smtp.mails()] == [["right@example.com"]]
    assert (message.status, message.address) == (M.SENT, "right@example.com")


# --- (e) the one Redis of cache and broker stopped ---------------------------------------


def test_e_with_the_redis_of_cache_and_broker_stopped_pages_answer_and_healthz_names_the_broker(
    client, settings, own_redis, article, member
):
    # One redis-server, as the README's production example: the cache in db 1, the
    # broker in db 0; /healthz asks that Redis (not the embedded broker's folder).
    _use_one_redis(settings, own_redis)
    pages = {
        "/": None,
        "/news/": article.title,
        article.get_absolute_url(): article.title,
        "/accounts/login/": 'name="password"',
    }
    celery_app.conf.task_always_eager = False
    try:
        with broker_at(own_redis.url.rsplit("/", 1)[0] + "/0"):
            member_client = Client()
            outage.log_in(member_client, member)  # before the outage
            for url in pages:
                assert client.get(url).status_code == 200, url  # now in the cache
            assert client.get(reverse("healthz")).status_code == 200

            own_redis.stop()
            for url, shows in pages.items():
                response = client.get(url)
                assert response.status_code == 200, url
                if shows:
                    assert shows in response.content.decode(), url
            mine = member_client.get("/petitions/")
            assert mine.status_code == 200
            assert mine.wsgi_request.user == member.user
            submitted = outage.submit_petition(member_client, "道路积水")
            assert submitted.status_code == 302
            assert (
                Petition.objects.get(title="道路积水").enterprise == member.enterprise
            )
            assert "道路积水" in member_client.get("/petitions/").content.decode()
            health = client.get(reverse("healthz"))
    finally:
        celery_app.conf.task_always_eager = True

    assert health.status_code == 503
    assert health.json()["status"] == "unavailable"
    assert health.json()["broker"] == "unavailable"
    assert health.json()["database"] == "ok"


def _use_one_redis(settings, own_redis) -> None:
    outage.use_redis(settings, own_redis.url)
    settings.CELERY_FS_DIR = None
