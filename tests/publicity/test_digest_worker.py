"""A real worker sends the week's digests to a real SMTP server, once (PostgreSQL + Redis).

The weekly dispatch commits in the test process and plans the digests there, writing
them to the outbox; their sender tasks (chamber.tasks.deliver_message) go through Redis to
a worker subprocess, which sends to the aiosmtpd server of the test process. The worker
is given the server's port the way production is given its mail server: EMAIL_HOST and
EMAIL_PORT in its environment.
"""

import time
from datetime import date

import pytest

from chamber.models import Heartbeat
from chamber.tasks import deliver_message, record_heartbeat, sweep_outbox
from petitions import review
from publicity import tasks
from publicity.models import DigestDelivery
from tests.factories import DepartmentFactory, OfficialFactory, StaffFactory
from tests.support.review_cycle import dispatched
from tests.support.smtp import sent_deliveries, smtp_server
from tests.support.worker import celery_worker, tasks_to_the_broker, wait_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]

WEEK = date(2026, 3, 23)  # a Monday


def after_earlier_tasks() -> bool:
    """Send a heartbeat and wait for it: the solo worker ran everything queued before it."""
    name = f"after-{time.monotonic_ns()}"
    record_heartbeat.delay(name)
    return wait_for(lambda: Heartbeat.objects.filter(name=name).exists(), timeout=60)


def test_a_real_worker_sends_each_official_one_digest_and_nothing_more_when_asked_again(
    monkeypatch,
):
    staff = StaffFactory()
    housing = DepartmentFactory(name="西市区住建局")
    market = DepartmentFactory(name="西市区市场监管局")
    # Dispatched, not signed for yet: listed whatever day the worker's clock says.
    waiting = [
        dispatched(staff, housing, due_on=date(2026, 3, 19)),
        dispatched(staff, housing, due_on=date(2026, 3, 26)),
        dispatched(staff, market, due_on=date(2026, 3, 25)),
    ]
    officials = [
        OfficialFactory(department=housing),
        OfficialFactory(department=housing, user__language="en"),
        OfficialFactory(department=market),
    ]
    idle = OfficialFactory(department=DepartmentFactory(name="西市区教育局"))
    expected = sorted(o.user.email for o in officials)

    with smtp_server() as (sink, port):
        monkeypatch.setenv("EMAIL_HOST", "127.0.0.1")
        monkeypatch.setenv("EMAIL_PORT", str(port))
        with tasks_to_the_broker(), celery_worker() as worker:
            review.run_weekly_dispatch(on=WEEK)  # commits: the senders go to Redis

            assert wait_for(lambda: len(sink.recipients()) >= 3, timeout=60), (
                worker.poll(),
                sink.recipients(),
            )
            assert wait_for(
                lambda: sent_deliveries(DigestDelivery.objects) == 3, timeout=30
            )
            assert after_earlier_tasks()
            assert sink.recipients() == expected

            # Everything once more: the step, the plan, each delivery's hand-over
            # task, each message's sender, and beat's sweep of the outbox.
            review.run_weekly_dispatch(on=WEEK)
            tasks.plan_weekly_digests.delay(WEEK.isoformat())
            for delivery in DigestDelivery.objects.all():
                tasks.send_weekly_digest.delay(delivery.pk)
                deliver_message.delay(delivery.message_id)
                deliver_message.delay(delivery.message_id)
            sweep_outbox.delay()
            assert after_earlier_tasks()

    assert worker.returncode == 0, worker.output
    assert sink.recipients() == expected
    assert sink.to(idle.user.email) == []
    housing_mail = sink.to(officials[0].user.email)[0]
    assert housing_mail.subject == "西市区住建局待办诉求（2026-03-23 当周）"
    assert housing_mail.contains(waiting[0].number, waiting[1].number)
    assert waiting[2].number not in housing_mail.text
    english = sink.to(officials[1].user.email)[0]
    assert english.subject == "Petitions waiting for 西市区住建局, week of 2026-03-23"
    assert list(
        DigestDelivery.objects.order_by("official_id").values_list(
            "official_id", "message__status", "message__attempts"
        )
    ) == [(o.pk, "sent", 1) for o in officials]
