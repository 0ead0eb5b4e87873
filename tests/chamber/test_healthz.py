"""/healthz says ok only when the database and the broker work, and gives nothing away (HD-5)."""

import os
import socket
import stat
from datetime import UTC, datetime, timedelta

import django
import pytest
import time_machine
from django.db import OperationalError
from django.urls import reverse

from chamber import health
from chamber.celery import app as celery_app
from chamber.models import Heartbeat, OutgoingMessage
from tests.factories import UserFactory

NOW = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)


def _assert_leaks_nothing(response, settings) -> None:
    body = response.content.decode()
    for secret in (
        "Django",
        "django",
        django.get_version(),
        "5.2",
        "Python",
        settings.SECRET_KEY,
        str(settings.BASE_DIR),
        "/",
        "Traceback",
        "Error",
    ):
        assert secret not in body, secret


@pytest.fixture
def broker_folder(settings, tmp_path):
    """Point the filesystem broker at a folder under tmp_path (the test creates it or not)."""
    queue = tmp_path / "broker" / "queue"
    settings.CELERY_FS_DIR = tmp_path / "broker"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(queue),
        "data_folder_out": str(queue),
        "data_folder_processed": str(tmp_path / "broker" / "processed"),
    }
    return queue


def test_healthz_is_ok_when_database_and_broker_work(client, db, settings):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "broker": "ok",
        "oldest_due_message_seconds": None,
        "last_heartbeat_seconds": None,
    }
    assert "no-cache" in response["Cache-Control"]
    _assert_leaks_nothing(response, settings)


def test_healthz_is_ok_with_a_writable_filesystem_broker_folder(
    client, db, settings, broker_folder
):
    broker_folder.mkdir(parents=True)

    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json()["broker"] == "ok"


def test_healthz_is_unavailable_when_the_broker_folder_is_missing(
    client, db, settings, broker_folder
):
    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "ok",
        "broker": "unavailable",
        "oldest_due_message_seconds": None,
        "last_heartbeat_seconds": None,
    }
    _assert_leaks_nothing(response, settings)


def test_healthz_is_unavailable_when_the_broker_folder_is_a_file(
    client, db, settings, broker_folder
):
    broker_folder.parent.mkdir(parents=True)
    broker_folder.write_text("not a folder")

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["broker"] == "unavailable"


def test_healthz_is_unavailable_when_the_broker_folder_is_read_only(
    client, db, settings, broker_folder, monkeypatch
):
    broker_folder.mkdir(parents=True)
    broker_folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    if os.geteuid() == 0:
        # root may write anywhere; ask the mode bits as an unprivileged worker would.
        def access_by_mode(path, mode):
            bits = os.stat(path).st_mode
            return not (mode & os.W_OK) or bool(bits & stat.S_IWUSR)

        monkeypatch.setattr(health.os, "access", access_by_mode)

    try:
        response = client.get(reverse("healthz"))
    finally:
        broker_folder.chmod(stat.S_IRWXU)

    assert response.status_code == 503
    assert response.json()["broker"] == "unavailable"


class _BrokenConnection:
    def cursor(self):
        raise OperationalError("could not connect to server: Connection refused")


def test_healthz_is_unavailable_when_the_database_fails(
    client, db, settings, monkeypatch
):
    monkeypatch.setattr(health, "connection", _BrokenConnection())

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["database"] == "unavailable"
    assert response.json()["oldest_due_message_seconds"] is None
    assert response.json()["last_heartbeat_seconds"] is None
    assert "Connection refused" not in response.content.decode()
    _assert_leaks_nothing(response, settings)


def test_healthz_answers_only_get(client, db):
    assert client.post(reverse("healthz")).status_code == 405


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.redis
def test_healthz_is_unavailable_when_redis_does_not_answer(
    client, db, settings, monkeypatch
):
    port = _closed_port()
    closed = f"redis://127.0.0.1:{port}/0"
    # Celery reads CELERY_BROKER_URL from the environment before its own conf.
    monkeypatch.setenv("CELERY_BROKER_URL", closed)
    monkeypatch.setitem(celery_app.conf, "broker_url", closed)
    assert celery_app.conf.broker_write_url == closed

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["broker"] == "unavailable"
    assert str(port) not in response.content.decode()
    _assert_leaks_nothing(response, settings)


@pytest.mark.redis
def test_healthz_pings_redis_itself_on_the_redis_lane(client, db, settings):
    assert settings.CELERY_FS_DIR is None

    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json()["broker"] == "ok"


# --- how long the work waits (a stuck worker shows here, though the broker answers) ---


def _message(key: str, **fields) -> OutgoingMessage:
    user = UserFactory(email=f"{key}@example.com")
    return OutgoingMessage.objects.create(
        key=key, kind="petition-due", user=user, address=user.email, **fields
    )


def test_healthz_gives_the_age_of_the_oldest_due_message_in_whole_seconds(client, db):
    _message("due-long", next_try_at=NOW - timedelta(minutes=20, seconds=5.7))
    _message("due-now", next_try_at=NOW - timedelta(seconds=3))
    _message("retry-later", next_try_at=NOW + timedelta(minutes=5))
    _message("failed", status="failed", next_try_at=NOW - timedelta(days=2))
    _message("sent", status="sent", next_try_at=NOW - timedelta(days=3))

    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json()["oldest_due_message_seconds"] == 20 * 60 + 5


def test_healthz_says_null_when_no_message_is_due(client, db):
    _message("retry-later", next_try_at=NOW + timedelta(minutes=5))
    _message("sent", status="sent", next_try_at=NOW - timedelta(days=3))

    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("healthz"))

    assert response.json()["oldest_due_message_seconds"] is None


def test_healthz_gives_the_age_of_the_newest_heartbeat(client, db):
    Heartbeat.objects.create(name="worker", beat_at=NOW - timedelta(seconds=95))
    Heartbeat.objects.create(name="beat", beat_at=NOW - timedelta(seconds=40))

    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json()["last_heartbeat_seconds"] == 40


def test_a_heartbeat_from_a_clock_a_little_ahead_is_zero_seconds_old(client, db):
    Heartbeat.objects.create(name="worker", beat_at=NOW + timedelta(seconds=2))

    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("healthz"))

    assert response.json()["last_heartbeat_seconds"] == 0


def test_a_stuck_worker_shows_while_the_broker_still_answers(client, db, settings):
    """The broker takes tasks, but nothing sends: the ages grow, the status stays ok
    (monitoring alerts on the ages)."""
    Heartbeat.objects.create(name="worker", beat_at=NOW - timedelta(hours=2))
    _message("stuck", next_try_at=NOW - timedelta(hours=1))

    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "broker": "ok",
        "oldest_due_message_seconds": 3600,
        "last_heartbeat_seconds": 7200,
    }
    _assert_leaks_nothing(response, settings)
