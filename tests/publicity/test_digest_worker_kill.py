"""A worker killed (SIGKILL) while it sends the week's digests loses none of them (CF-3).

PostgreSQL, Redis, a real prefork worker (one pool process) and a real SMTP server in the
test process that takes half a second over each message, so the worker is caught in the
middle of one. Planning has committed the week's digests to the outbox (chamber.outbox)
and queued one sender task each (chamber.tasks.deliver_message). The worker runs with a
short visibility timeout (10 s), a task time limit below it and a claim that goes stale
after 9 s, all given through its environment like production's settings
(chamber/settings.py); acks_late, reject_on_worker_lost and a prefetch of one are the
settings' own. Beat's sweep of the outbox (every minute in production) runs here every
second once the worker is killed, with the same stale claim.

(a) The pool process is killed: the worker goes on with the rest; the message being sent
stays claimed by the dead process until the claim is stale, and the sweep hands it to a
sender again. (b) The whole worker is killed and its tasks are lost with it (as the
filesystem broker loses them): a new worker and the sweep send the rest.

Either way, every official's digest is sent, the SMTP server holds one message per
official, and only the message being sent at the kill may come twice (the server may
have had it before the worker died): its row counts the claim taken over (`reclaims`),
so such a copy is detectable.
"""

import asyncio
import os
import signal
import time
from collections import Counter
from datetime import date, timedelta

import pytest

from chamber import outbox
from chamber.models import OutgoingMessage
from publicity import digests
from publicity.models import DigestDelivery
from tests.factories import DepartmentFactory, OfficialFactory, StaffFactory
from tests.support.review_cycle import dispatched
from tests.support.smtp import AnyPortController, Sink
from tests.support.worker import celery_worker, empty_broker, wait_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]

WEEK = date(2026, 3, 23)  # a Monday
VISIBILITY_TIMEOUT = 10  # seconds; production's is 20 minutes
TASK_TIME_LIMIT = 5  # below the visibility timeout, as in production
STALE_CLAIM = 9  # above the time limit: no live task can hold a claim that long
SMTP_DELAY = 0.5  # seconds the SMTP server takes over each message
OFFICIALS = 6
PREFORK = (
    "--pool=prefork",
    "--concurrency=1",
)  # the later --pool wins over the helper's


class SlowSink(Sink):
    """The test's SMTP server: slow to accept, and it shows who is being sent to now."""

    def __init__(self) -> None:
        super().__init__()
        self.in_flight: list[list[str]] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        recipients = list(envelope.rcpt_tos)
        with self._lock:
            self.in_flight.append(recipients)
        try:
            await asyncio.sleep(SMTP_DELAY)
            return await super().handle_DATA(server, session, envelope)
        finally:
            with self._lock:
                self.in_flight.remove(recipients)

    def sending_to(self) -> list[str]:
        with self._lock:
            return [a for recipients in self.in_flight for a in recipients]

    def received(self) -> Counter:
        with self._lock:
            return Counter(a for m in self.messages for a in m.to)


@pytest.fixture
def sink(monkeypatch, settings):
    """The SMTP server, and a worker environment that sends to it with the test's timings."""
    handler = SlowSink()
    controller = AnyPortController(handler, hostname="127.0.0.1", port=0)
    controller.start()
    for name, value in {
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": controller.port,
        "CELERY_VISIBILITY_TIMEOUT": VISIBILITY_TIMEOUT,
        "CELERY_TASK_TIME_LIMIT": TASK_TIME_LIMIT,
        "DELIVERY_STALE_CLAIM": STALE_CLAIM,
    }.items():
        monkeypatch.setenv(name, str(value))
    # The test process runs beat's sweep: the same stale claim, and no grace for the
    # message just queued (the worker was killed, nothing else will send it).
    settings.DELIVERY_STALE_CLAIM = STALE_CLAIM
    monkeypatch.setattr(outbox, "SWEEP_GRACE", timedelta(0))
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def officials():
    """Six officials of a department with a petition waiting: six digests. Made
    before the tasks go to Redis (`real_broker`): the dispatch's own mail is sent here."""
    staff = StaffFactory()
    housing = DepartmentFactory(name="西市区住建局")
    dispatched(staff, housing, due_on=date(2026, 3, 26))
    return OfficialFactory.create_batch(OFFICIALS, department=housing)


def pool_processes(worker) -> list[int]:
    with open(f"/proc/{worker.pid}/task/{worker.pid}/children") as children:
        return [int(pid) for pid in children.read().split()]


def caught_sending(sink: SlowSink, worker) -> str:
    """Wait until some digests are in and another is halfway through: its address."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        sending = sink.sending_to()
        if sum(sink.received().values()) >= 3 and sending:
            return sending[0]
        assert worker.poll() is None, worker
        time.sleep(0.02)
    raise AssertionError(f"the worker never got halfway: {sink.received()}")


def digests_sent() -> list[str]:
    """The states of the digests' messages, each once."""
    return sorted(set(DigestDelivery.objects.values_list("message__status", flat=True)))


def all_sent() -> bool:
    """Beat's sweep, then: is every digest's message sent?"""
    outbox.sweep()
    return digests_sent() == [OutgoingMessage.Status.SENT]


def assert_nothing_lost(sink: SlowSink, officials, *, in_flight: str) -> None:
    received = sink.received()
    assert sorted(received) == sorted(o.user.email for o in officials)
    twice = {a: n for a, n in received.items() if n > 1}
    assert twice in ({}, {in_flight: 2})
    rows = DigestDelivery.objects.select_related("official__user", "message")
    assert sorted(o.user.email for o in officials) == sorted(
        d.official.user.email for d in rows
    )
    assert {d.message.status for d in rows} == {OutgoingMessage.Status.SENT}
    # Claimed twice: by the process that was killed, then by the one that took over
    # its stale claim, which the message counts (a copy at the server is detectable).
    assert {
        d.official.user.email: (d.message.attempts, d.message.reclaims) for d in rows
    } == {
        o.user.email: (2, 1) if o.user.email == in_flight else (1, 0) for o in officials
    }


def test_a_pool_process_killed_halfway_through_the_digests_loses_none_of_them(
    officials, sink, real_broker
):
    with celery_worker(*PREFORK) as worker:
        digests.plan_weekly_digests(week_start=WEEK)  # commits: six senders to Redis
        in_flight = caught_sending(sink, worker)
        (child,) = pool_processes(worker)

        os.kill(child, signal.SIGKILL)
        killed_at = time.monotonic()

        assert wait_for(all_sent, timeout=2 * VISIBILITY_TIMEOUT, interval=1), (
            digests_sent()
        )
        took = time.monotonic() - killed_at
        assert worker.poll() is None  # the worker itself lived on, with a new process
        assert pool_processes(worker) != [child]
    assert took <= 2 * VISIBILITY_TIMEOUT
    assert "exited with 'signal 9 (SIGKILL)'" in worker.output
    assert_nothing_lost(sink, officials, in_flight=in_flight)


def test_a_whole_worker_killed_with_its_tasks_hands_the_rest_to_the_next_and_the_sweep(
    officials, sink, real_broker
):
    with celery_worker(*PREFORK) as first:
        digests.plan_weekly_digests(week_start=WEEK)
        in_flight = caught_sending(sink, first)
        (child,) = pool_processes(first)

        os.kill(first.pid, signal.SIGKILL)
        os.kill(child, signal.SIGKILL)
        killed_at = time.monotonic()
        first.wait(timeout=10)
    # The tasks are lost with the worker, as the filesystem broker loses them.
    empty_broker()
    assert digests_sent() != [OutgoingMessage.Status.SENT]

    with celery_worker(*PREFORK) as second:
        assert wait_for(all_sent, timeout=2 * VISIBILITY_TIMEOUT, interval=1), (
            digests_sent()
        )
        took = time.monotonic() - killed_at
    assert took <= 2 * VISIBILITY_TIMEOUT
    assert second.returncode == 0, second.output
    assert_nothing_lost(sink, officials, in_flight=in_flight)
