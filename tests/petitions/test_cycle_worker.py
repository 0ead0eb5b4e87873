"""A worker killed (SIGKILL) in the middle of the daily study leaves nothing behind,
and the step then runs once, on PostgreSQL and Redis (the CI lane with both servers).

The test holds a row lock on an overdue petition, so the worker's daily study stops at
the UPDATE that marks it for supervision, with its ReviewRun and first events written
but not committed. The worker is killed there; the broker still holds the task, which
was never acknowledged (acks_late), and hands it to the next worker.
"""

import os
import signal
import time
from datetime import date, datetime
from datetime import time as clock

import pytest
from django.db import connection
from django.utils import timezone

from chamber import workdays
from chamber.models import Heartbeat
from chamber.tasks import record_heartbeat
from petitions import services
from petitions.models import Petition, PetitionEvent, ReviewRun
from petitions.tasks import run_daily_study
from tests.factories import DepartmentFactory, PetitionFactory, StaffFactory
from tests.support.worker import (
    celery_worker,
    lock_held,
    redeliver_unacknowledged,
    wait_for,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]

MONDAY = date(2026, 3, 9)
K = PetitionEvent.Kind


def at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, clock(hour)))


def dispatched(staff, department, *, due_on: date) -> Petition:
    """Dispatched ten working days (CategoryFactory's limit) before `due_on`."""
    start = workdays.nth_working_day_before(due_on, 10)
    petition = PetitionFactory(created_at=at(start, 8))
    services.accept_petition(
        petition=petition,
        actor=staff,
        category=petition.category,
        priority=Petition.Priority.NORMAL,
        handling=Petition.Handling.DEPARTMENT,
        now=at(start, 9),
    )
    petition = services.dispatch_petition(
        petition=petition, department=department, actor=staff, now=at(start, 10)
    )
    assert petition.due_on == due_on
    return petition


def row_locked(petition: Petition):
    """Hold SELECT … FOR UPDATE on the petition from another connection until the block ends."""
    return lock_held(lambda: Petition.objects.select_for_update().get(pk=petition.pk))


def backend_waiting_to_update_petitions() -> int | None:
    """The PostgreSQL backend (pid) stuck on a row lock while updating petitions, if any."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock' "
            "AND query LIKE %s",
            ['UPDATE "petitions_petition"%'],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def backend_alive(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone() is not None


def wait_for_blocked_backend(worker, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pid = backend_waiting_to_update_petitions()
        if pid is not None:
            return pid
        assert worker.poll() is None, "the worker died before reaching the locked row"
        time.sleep(0.1)
    raise AssertionError("the daily study never reached the locked petition")


def after_earlier_tasks() -> bool:
    """Send a heartbeat and wait for it: the solo worker ran everything queued before it."""
    name = f"after-{time.monotonic_ns()}"
    record_heartbeat.delay(name)
    return wait_for(lambda: Heartbeat.objects.filter(name=name).exists(), timeout=60)


def test_a_worker_killed_mid_step_leaves_nothing_and_the_step_then_runs_once(
    real_broker,
):
    staff = StaffFactory()
    department = DepartmentFactory()
    late = [
        dispatched(staff, department, due_on=date(2026, 3, 5)),
        dispatched(staff, department, due_on=date(2026, 3, 6)),
    ]
    due_tomorrow = dispatched(staff, department, due_on=date(2026, 3, 10))
    untriaged = PetitionFactory(created_at=at(date(2026, 3, 4), 10))

    with row_locked(late[0]), celery_worker() as worker:
        run_daily_study.delay(MONDAY.isoformat())
        blocked = wait_for_blocked_backend(worker)

        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    # With the lock gone, the dead worker's backend finds no client and rolls back.
    assert wait_for(lambda: not backend_alive(blocked), timeout=30)

    assert not ReviewRun.objects.exists()
    assert not PetitionEvent.objects.filter(
        kind__in=[K.SUPERVISION, K.TRIAGE_FLAG, K.REMINDER]
    ).exists()
    assert not Petition.objects.filter(supervised_on__isnull=False).exists()
    assert not Petition.objects.filter(triage_flagged_on__isnull=False).exists()

    redeliver_unacknowledged()
    with celery_worker() as worker:
        assert wait_for(
            lambda: ReviewRun.objects.filter(finished_at__isnull=False).exists(),
            timeout=60,
        ), "the task was not run again"
        run_daily_study.delay(MONDAY.isoformat())  # and once more, by hand
        assert after_earlier_tasks()
    assert worker.returncode == 0, worker.output

    (run,) = ReviewRun.objects.all()
    assert (run.kind, run.period_start) == (ReviewRun.Kind.DAILY, MONDAY)
    assert sorted(run.report["newly_supervised"]) == sorted(p.pk for p in late)
    for petition in late:
        assert petition.events.filter(kind=K.SUPERVISION).count() == 1
        petition.refresh_from_db()
        assert petition.supervised_on == MONDAY
    assert due_tomorrow.events.filter(kind=K.REMINDER).count() == 1
    assert untriaged.events.filter(kind=K.TRIAGE_FLAG).count() == 1
