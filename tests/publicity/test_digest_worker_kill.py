"""A worker killed (SIGKILL) while it sends the week's digests loses none of them (CF-3).

PostgreSQL, Redis, a real prefork worker (one pool process) and a real SMTP server in the
test process that takes half a second over each message, so the worker is caught in the
middle of one. The worker runs with a short visibility timeout (10 s), a task time limit
below it and a claim that goes stale after 9 s, all given through its environment like
production's settings (chamber/settings.py); acks_late, reject_on_worker_lost and a
prefetch of one are the settings' own.

(a) The pool process is killed: the worker requeues its task at once, the next pool
process finds the delivery still claimed by the dead one and looks again when the claim
is stale. (b) The whole worker is killed: Redis gives its unacknowledged task to a new
worker once the visibility timeout has passed, which takes the stale claim over.

Either way, within two visibility timeouts every official's digest is sent, the SMTP
server holds one message per official, and only the message being sent at the kill may
come twice (the server had it; the worker died before it could record it).
"""

import asyncio
import os
import signal
import time
from collections import Counter
from datetime import date

import pytest

from chamber.celery import app as celery_app
from publicity import digests
from publicity.models import DigestDelivery
from tests.factories import DepartmentFactory, OfficialFactory, StaffFactory
from tests.publicity import Sink, _AnyPortController, dispatched
from tests.worker import celery_worker, wait_for

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
OFFICIALS = (
    6  # the killed task is requeued behind the rest: back before its claim is stale
)
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


def redeliver_unacknowledged() -> None:
    """Give back tasks a worker took and never acknowledged (before and after the test)."""
    with celery_app.connection_for_write(
        transport_options={"visibility_timeout": 0}
    ) as conn:
        conn.default_channel.qos.restore_visible(num=1000)


@pytest.fixture
def sink(monkeypatch):
    """The SMTP server, and a worker environment that sends to it with the test's timings."""
    handler = SlowSink()
    controller = _AnyPortController(handler, hostname="127.0.0.1", port=0)
    controller.start()
    for name, value in {
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": controller.port,
        "CELERY_VISIBILITY_TIMEOUT": VISIBILITY_TIMEOUT,
        "CELERY_TASK_TIME_LIMIT": TASK_TIME_LIMIT,
        "DELIVERY_STALE_CLAIM": STALE_CLAIM,
    }.items():
        monkeypatch.setenv(name, str(value))
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def real_broker():
    """Tasks go to Redis, whose queue starts and ends empty (nothing left for other tests)."""
    celery_app.conf.task_always_eager = False
    redeliver_unacknowledged()
    celery_app.control.purge()
    yield
    redeliver_unacknowledged()
    celery_app.control.purge()
    celery_app.conf.task_always_eager = True


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


def all_sent() -> bool:
    return not DigestDelivery.objects.exclude(
        status=DigestDelivery.Status.SENT
    ).exists()


def assert_nothing_lost(sink: SlowSink, officials, *, in_flight: str) -> None:
    received = sink.received()
    assert sorted(received) == sorted(o.user.email for o in officials)
    assert {a: n for a, n in received.items() if n > 1} in ({}, {in_flight: 2})
    rows = DigestDelivery.objects.select_related("official__user")
    assert sorted(o.user.email for o in officials) == sorted(
        d.official.user.email for d in rows
    )
    assert not rows.exclude(status=DigestDelivery.Status.SENT).exists()
    # Claimed twice: by the process that was killed, then by the one that took over.
    assert {d.official.user.email: d.attempts for d in rows} == {
        o.user.email: 2 if o.user.email == in_flight else 1 for o in officials
    }


def test_a_pool_process_killed_halfway_through_the_digests_loses_none_of_them(
    officials, sink, real_broker
):
    with celery_worker(*PREFORK) as worker:
        digests.plan_weekly_digests(week_start=WEEK)  # commits: six tasks to Redis
        in_flight = caught_sending(sink, worker)
        (child,) = pool_processes(worker)

        os.kill(child, signal.SIGKILL)
        killed_at = time.monotonic()

        assert wait_for(all_sent, timeout=2 * VISIBILITY_TIMEOUT), list(
            DigestDelivery.objects.values_list("status", "claimed_at", "attempts")
        )
        took = time.monotonic() - killed_at
        assert worker.poll() is None  # the worker itself lived on, with a new process
        assert pool_processes(worker) != [child]
    assert took <= 2 * VISIBILITY_TIMEOUT
    assert "exited with 'signal 9 (SIGKILL)'" in worker.output
    assert_nothing_lost(sink, officials, in_flight=in_flight)


def test_a_whole_worker_killed_halfway_through_the_digests_hands_the_rest_to_the_next(
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
    assert not all_sent()

    with celery_worker(*PREFORK) as second:
        assert wait_for(
            all_sent, timeout=2 * VISIBILITY_TIMEOUT - (time.monotonic() - killed_at)
        ), list(DigestDelivery.objects.values_list("status", "claimed_at", "attempts"))
        took = time.monotonic() - killed_at
    assert took <= 2 * VISIBILITY_TIMEOUT
    assert second.returncode == 0, second.output
    assert_nothing_lost(sink, officials, in_flight=in_flight)
