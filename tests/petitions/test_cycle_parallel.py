"""`manage.py run_cycle weekly --date D` twice, one after the other and at the same moment
(CF-2): the week is dispatched once, whoever starts it and however often.

One after the other runs through call_command on both lanes. At the same moment runs two
`manage.py` processes against the PostgreSQL test database; the test holds a SHARE lock
on the runs' table until both wait at the INSERT that claims the week, so they really do
meet at the unique ReviewRun row. A real worker (Redis) then sends what they enqueued to
an SMTP server on loopback.
"""

import subprocess
import sys
import time
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from chamber.celery import app as celery_app
from chamber.models import Heartbeat, OutgoingMessage
from chamber.tasks import record_heartbeat
from petitions.models import Escalation, ReviewRun
from publicity.models import DigestDelivery
from tests.factories import (
    DepartmentFactory,
    LeaderFactory,
    OfficialFactory,
    StaffFactory,
)
from tests.support.review_cycle import dispatched
from tests.support.smtp import sent_deliveries, smtp_server
from tests.support.worker import (
    ROOT,
    celery_worker,
    child_env,
    empty_broker,
    lock_held,
    wait_for,
)

MONDAY = date(2026, 3, 23)
D = "2026-03-25"  # a Wednesday: the week of 23 March


@pytest.fixture
def week(db):
    """Two departments with an official each, a leader, staff; two petitions overdue by
    more than ten working days on 23 March (escalated) and one due that week."""
    staff = StaffFactory()
    housing = DepartmentFactory(name="西市区住建局")
    market = DepartmentFactory(name="西市区市场监管局")
    return {
        "staff": staff,
        "overdue": [
            dispatched(staff, housing, due_on=date(2026, 3, 5)),
            dispatched(staff, market, due_on=date(2026, 3, 6)),
        ],
        "due": dispatched(staff, market, due_on=date(2026, 3, 26)),
        "officials": [
            OfficialFactory(department=housing),
            OfficialFactory(department=market),
        ],
        "leader": LeaderFactory(),
    }


def stored() -> dict:
    """The week's run (figures and report rows), its escalations and deliveries."""
    return {
        "runs": list(
            ReviewRun.objects.values_list(
                "pk", "kind", "period_start", "stats", "report"
            )
        ),
        "escalations": sorted(
            Escalation.objects.values_list("pk", "petition_id", "run_id", "reason")
        ),
        "deliveries": sorted(
            DigestDelivery.objects.values_list("pk", "official_id", "week_start")
        ),
    }


def head(line: str) -> str:
    """The printed line up to its figures (PostgreSQL's jsonb keeps its own key order)."""
    return line.split(": ", 1)[0]


# --- one after the other (both lanes) ---------------------------------------------------------


def test_run_cycle_weekly_twice_dispatches_the_week_once(
    week, django_capture_on_commit_callbacks, mailoutbox
):
    first, second = StringIO(), StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_cycle", "weekly", "--date", D, stdout=first)
    after_first = stored()
    sent = sorted((m.to, m.subject) for m in mailoutbox)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_cycle", "weekly", "--date", D, stdout=second)

    (run,) = ReviewRun.objects.all()
    assert (run.kind, run.period_start) == (ReviewRun.Kind.WEEKLY, MONDAY)
    assert head(second.getvalue()) == head(first.getvalue())
    assert f"(run {run.pk}, " in first.getvalue()
    assert stored() == after_first
    assert sorted((m.to, m.subject) for m in mailoutbox) == sent
    assert sorted(Escalation.objects.values_list("petition_id", flat=True)) == sorted(
        p.pk for p in week["overdue"]
    )
    for official in week["officials"]:
        digests = [
            m
            for m in mailoutbox
            if m.to == [official.user.email] and "当周" in m.subject
        ]
        assert len(digests) == 1
    to_leader = [m for m in mailoutbox if m.to == [week["leader"].user.email]]
    assert len(to_leader) == 2  # the step's report and the leaders' digest
    assert len([m for m in mailoutbox if m.to == [week["staff"].email]]) == 1


# --- at the same moment: two processes (PostgreSQL, Redis, a real worker) ------------------


def runs_table_locked():
    """Hold a SHARE lock on the runs' table from another connection until the block ends:
    reading goes on, the INSERT that claims a period waits."""

    def take() -> None:
        with connection.cursor() as cursor:
            cursor.execute('LOCK TABLE "petitions_reviewrun" IN SHARE MODE')

    return lock_held(take)


def claims_waiting() -> int:
    """Backends waiting for a lock to insert a ReviewRun."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock' "
            "AND query LIKE %s",
            ['INSERT INTO "petitions_reviewrun"%'],
        )
        return cursor.fetchone()[0]


def run_cycle_process() -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_cycle", "weekly", "--date", D],
        cwd=ROOT,
        env=child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def redis_broker():
    """Redis's queue starts and ends empty; the test sends to it once its data is in."""
    empty_broker()
    yield
    empty_broker()
    celery_app.conf.task_always_eager = True


def after_earlier_tasks() -> bool:
    """Send a heartbeat and wait for it: the solo worker ran everything queued before it."""
    name = f"after-{time.monotonic_ns()}"
    record_heartbeat.delay(name)
    return wait_for(lambda: Heartbeat.objects.filter(name=name).exists(), timeout=60)


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_two_run_cycle_processes_at_once_dispatch_the_week_once(
    week, redis_broker, monkeypatch
):
    celery_app.conf.task_always_eager = False

    with smtp_server() as (sink, port):
        monkeypatch.setenv("EMAIL_HOST", "127.0.0.1")
        monkeypatch.setenv("EMAIL_PORT", str(port))
        with celery_worker() as worker:
            with runs_table_locked():
                processes = [run_cycle_process(), run_cycle_process()]
                assert wait_for(lambda: claims_waiting() == 2, timeout=60), [
                    p.poll() for p in processes
                ]
            outputs = [p.communicate(timeout=60) for p in processes]
            assert [p.returncode for p in processes] == [0, 0], outputs
            assert wait_for(
                lambda: (
                    sent_deliveries(DigestDelivery.objects) == 3
                ),  # the two officials and the leader
                timeout=60,
            )
            assert after_earlier_tasks()
    assert worker.returncode == 0, worker.output

    (run,) = ReviewRun.objects.all()
    assert (run.kind, run.period_start) == (ReviewRun.Kind.WEEKLY, MONDAY)
    (first, _), (second, _) = outputs
    assert head(first) == head(second)
    assert head(first).startswith(f"weekly 2026-03-23..2026-03-29 (run {run.pk}, ")
    assert sorted(Escalation.objects.values_list("petition_id", flat=True)) == sorted(
        p.pk for p in week["overdue"]
    )
    assert sorted(run.report["escalated"]) == sorted(p.pk for p in week["overdue"])
    for official in week["officials"]:
        assert (
            len([m for m in sink.to(official.user.email) if "当周" in m.subject]) == 1
        )
    assert len(sink.to(week["leader"].user.email)) == 2  # the step's report, the digest
    assert len(sink.to(week["staff"].email)) == 1
    assert (
        list(DigestDelivery.objects.values_list("message__status", "message__attempts"))
        == [(OutgoingMessage.Status.SENT, 1)] * 3
    )

    # And once more by hand: the report rows stay as the first process stored them.
    before = stored()
    call_command("run_cycle", "weekly", "--date", D, stdout=StringIO())
    assert stored() == before
