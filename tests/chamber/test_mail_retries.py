"""A mail server that stays down: the digest's task retries later and later, then gives up
where people see it (CF-5).

The task runs through Celery's apply(), the way a worker runs it, against a port where
nothing listens; Celery's own retry (`Task.retry`) is watched to read when each retry was
asked for. After the last retry the rows show as failed on the staff dashboard, the worker's
log has the error, and the error reaches Celery (the task fails): nothing is swallowed.
When the mail server is back, staff send them again, and each official gets one digest.
"""

import logging
import socket
from datetime import date

import pytest
from celery.app.task import Task
from celery.exceptions import Retry
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from chamber.celery import app as celery_app
from publicity import digests, tasks
from publicity.models import DigestDelivery
from tests.factories import DepartmentFactory, OfficialFactory
from tests.publicity import dispatched, smtp_server

WEEK = date(2026, 3, 23)  # a Monday
FAILED_HEADING = "Weekly digests that could not be sent"
S = DigestDelivery.Status


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    """A real SMTP server on 127.0.0.1; the portal is first pointed at a closed port."""
    with smtp_server() as (sink, port):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = closed_port()
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        yield sink


@pytest.fixture
def as_a_worker():
    """apply() goes on after an error, as a worker does: each retry runs at once (its
    countdown is only read), and the last error ends the task instead of being raised."""
    celery_app.conf.task_eager_propagates = False
    yield
    celery_app.conf.task_eager_propagates = True


@pytest.fixture
def retries_asked(monkeypatch) -> list[float]:
    """The countdown of every retry a task asks Celery for (the Retry's `when`)."""
    asked: list[float] = []
    retry = Task.retry

    def watched(self, *args, **kwargs):
        try:
            outcome = retry(self, *args, **kwargs)
        except Retry as exc:
            asked.append(exc.when)
            raise
        if isinstance(outcome, Retry):
            asked.append(outcome.when)
        return outcome

    monkeypatch.setattr(Task, "retry", watched)
    return asked


@pytest.fixture
def planned(staff):
    """Two officials of a department with a petition waiting: two digests planned."""
    housing = DepartmentFactory(name="西市区住建局")
    dispatched(staff, housing, due_on=date(2026, 3, 26))
    officials = [
        OfficialFactory(department=housing, user__full_name="王建华"),
        OfficialFactory(department=housing, user__full_name="李明"),
    ]
    # Planned only: the tasks the plan queues after commit never run in this test.
    pks = digests.plan_weekly_digests(week_start=WEEK)
    deliveries = [DigestDelivery.objects.get(pk=pk) for pk in pks]
    assert sorted(d.official_id for d in deliveries) == sorted(o.pk for o in officials)
    return deliveries


def test_a_mail_server_that_stays_down_gets_later_and_later_retries_then_staff_see_the_failure_and_send_again(
    planned,
    smtp,
    settings,
    retries_asked,
    as_a_worker,
    caplog,
    client,
    staff,
    django_capture_on_commit_callbacks,
):
    task = tasks.send_weekly_digest

    with caplog.at_level(logging.ERROR, logger="publicity.tasks"):
        results = [task.apply((d.pk,)) for d in planned]
    countdowns = retries_asked[: task.max_retries]

    # Later and later, up to the last retry Celery allows; the same for every delivery.
    assert len(countdowns) == task.max_retries
    assert all(a < b for a, b in zip(countdowns, countdowns[1:], strict=False)), (
        countdowns
    )
    assert countdowns[0] == task.retry_backoff
    assert countdowns[-1] == task.retry_backoff_max
    assert countdowns == [
        60,
        120,
        240,
        480,
        900,
    ]  # a minute, doubling, up to 15 minutes
    assert retries_asked == countdowns * 2
    # The last error reaches Celery: the task fails with it, nothing is swallowed.
    for result in results:
        assert result.state == "FAILURE"
        with pytest.raises(ConnectionRefusedError):
            result.get()

    for delivery in planned:
        delivery.refresh_from_db()
        assert delivery.status == S.FAILED
        assert delivery.attempts == 1 + task.max_retries
        assert delivery.claimed_at is None
        assert delivery.last_error.startswith("ConnectionRefusedError")
    logged = [
        r
        for r in caplog.records
        if r.name == "publicity.tasks" and r.levelno == logging.ERROR
    ]
    assert [r.getMessage() for r in logged] == [
        f"publicity.DigestDelivery {d.pk} failed after {1 + task.max_retries} attempts, "
        f"staff can send it again: {d.last_error}"
        for d in planned
    ]
    assert smtp.messages == []

    client.force_login(staff)
    html = client.get(reverse("staff_dashboard")).content.decode()
    with translation.override("zh-hans"):
        assert gettext(FAILED_HEADING) in html
    assert "王建华" in html and "李明" in html
    for delivery in planned:
        assert (
            f'action="{reverse("publicity:resend_digest", args=[delivery.pk])}"' in html
        )

    settings.EMAIL_PORT = smtp.port  # the mail server is back
    retries_asked.clear()
    for delivery in planned:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("publicity:resend_digest", args=[delivery.pk])
            )
        assert response.status_code == 302
    for delivery in planned:  # a late duplicate of each task sends nothing more
        assert task.apply((delivery.pk,)).result is False

    assert retries_asked == []
    assert smtp.recipients() == sorted(d.official.user.email for d in planned)
    for delivery in planned:
        delivery.refresh_from_db()
        assert (delivery.status, delivery.last_error) == (S.SENT, "")
    html = client.get(reverse("staff_dashboard")).content.decode()
    with translation.override("zh-hans"):
        assert gettext(FAILED_HEADING) not in html


def test_every_mail_task_of_the_portal_retries_on_the_same_rising_waits():
    from smtplib import SMTPException

    from chamber.celery import app

    app.loader.import_default_modules()
    ours = {
        name: task
        for name, task in app.tasks.items()
        if name.split(".")[0]
        in {"chamber", "members", "activities", "groups", "petitions", "publicity"}
    }
    mail = {
        name
        for name in ours
        if name.rsplit(".", 1)[1].startswith(("send_", "notify_", "remind_"))
        and name != "publicity.tasks.send_lost_deliveries"
    }
    assert len(mail) >= 12
    for name in mail:
        task = ours[name]
        assert SMTPException in task.autoretry_for, name
        assert (
            task.acks_late,
            task.retry_backoff,
            task.retry_backoff_max,
            task.retry_jitter,
            task.max_retries,
        ) == (True, 60, 900, False, 5), name
