"""The worker heartbeat: the task records it, and the staff dashboard reads it."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from chamber import selectors, services
from chamber.models import Heartbeat
from chamber.tasks import record_heartbeat

WORKING = "运行正常："
NOT_SEEN = "未收到心跳：提醒和周报邮件无法发出。"
NEVER_SEEN = "从未收到心跳"


@pytest.mark.django_db
def test_record_heartbeat_task_records_the_worker_heartbeat():
    before = timezone.now()

    record_heartbeat()

    heartbeat = Heartbeat.objects.get()
    assert heartbeat.name == "worker"
    assert before <= heartbeat.beat_at <= timezone.now()


@pytest.mark.django_db
def test_record_heartbeat_task_runs_through_the_queue_by_name():
    record_heartbeat.delay("beat")

    assert Heartbeat.objects.filter(name="beat").exists()


@pytest.mark.django_db
def test_record_heartbeat_twice_keeps_one_row_and_moves_the_time():
    record_heartbeat()
    first = Heartbeat.objects.get().beat_at

    with time_machine.travel(timezone.localtime() + timedelta(minutes=1)):
        record_heartbeat()

    assert Heartbeat.objects.count() == 1
    assert Heartbeat.objects.get().beat_at > first


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("age", "ok"),
    [
        (timedelta(0), True),
        (selectors.HEARTBEAT_STALE_AFTER, True),
        (selectors.HEARTBEAT_STALE_AFTER + timedelta(seconds=1), False),
        (timedelta(days=2), False),
    ],
)
def test_worker_status_is_ok_only_while_the_heartbeat_is_recent(age, ok):
    now = timezone.now()
    services.record_heartbeat(name="worker", now=now - age)

    status = selectors.worker_status(now=now)

    assert status == {"seen_at": now - age, "ok": ok}


@pytest.mark.django_db
def test_worker_status_ignores_other_heartbeats():
    services.record_heartbeat(name="beat")

    assert selectors.worker_status() == {"seen_at": None, "ok": False}


def test_staff_dashboard_shows_a_working_worker_after_a_recent_heartbeat(client, staff):
    record_heartbeat()
    client.force_login(staff)

    html = client.get(reverse("staff_dashboard")).content.decode()

    assert WORKING in html
    assert NOT_SEEN not in html
    assert NEVER_SEEN not in html


def test_staff_dashboard_warns_when_the_heartbeat_is_stale(client, staff):
    record_heartbeat()
    client.force_login(staff)

    with time_machine.travel(timezone.localtime() + timedelta(minutes=10)):
        html = client.get(reverse("staff_dashboard")).content.decode()

    assert NOT_SEEN in html
    assert "10" in html.split(NOT_SEEN)[0].rsplit("已有", 1)[1]
    assert WORKING not in html


def test_staff_dashboard_says_when_the_worker_was_never_seen(client, staff):
    client.force_login(staff)

    html = client.get(reverse("staff_dashboard")).content.decode()

    assert NEVER_SEEN in html
    assert WORKING not in html
