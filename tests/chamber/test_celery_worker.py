"""A real worker process takes tasks from the broker of this lane and writes to the test database.

CI runs this file twice: on Redis + PostgreSQL, and on the filesystem broker + SQLite.
"""

import subprocess
import sys

import pytest
from django.conf import settings

from chamber.models import Heartbeat
from chamber.tasks import record_heartbeat
from tests.support.worker import ROOT, celery_worker, child_env, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_worker_runs_a_task_sent_from_the_test_process(real_broker):
    with celery_worker() as worker:
        record_heartbeat.delay("from-test")

        assert wait_for(
            lambda: Heartbeat.objects.filter(name="from-test").exists(), timeout=60
        ), "the task never ran; the worker said:\n" + "".join(worker.lines[-40:])


def test_task_enqueued_by_another_process_reaches_the_running_worker(real_broker):
    producer = (
        "import django; django.setup()\n"
        "from chamber.tasks import record_heartbeat\n"
        "record_heartbeat.delay('from-other-process')\n"
    )
    with celery_worker() as worker:
        subprocess.run(
            [sys.executable, "-c", producer],
            cwd=ROOT,
            env=child_env(),
            check=True,
            timeout=60,
        )

        assert wait_for(
            lambda: Heartbeat.objects.filter(name="from-other-process").exists(),
            timeout=60,
        ), "the task never ran; the worker said:\n" + "".join(worker.lines[-40:])


def test_beat_with_the_database_scheduler_drives_the_worker(real_broker):
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    every_second = IntervalSchedule.objects.create(
        every=1, period=IntervalSchedule.SECONDS
    )
    PeriodicTask.objects.create(
        name="test heartbeat",
        task="chamber.tasks.record_heartbeat",
        interval=every_second,
        kwargs='{"name": "from-beat"}',
    )

    with celery_worker("--beat", f"--schedule={settings.VAR_DIR / 'beat-schedule'}"):
        assert wait_for(
            lambda: Heartbeat.objects.filter(name="from-beat").exists(), timeout=30
        )


def test_lane_uses_the_broker_it_was_given():
    """Guards the CI lanes: the worker tests above ran against this broker."""
    scheme = settings.CELERY_BROKER_URL.split(":", 1)[0]
    assert scheme in {"redis", "filesystem"}
    if scheme == "filesystem":
        assert (
            settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]
            == (settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_out"])
        )
