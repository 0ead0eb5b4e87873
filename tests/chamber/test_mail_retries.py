"""A mail server that stays down: the digest's message is tried later and later, then
fails where people see it (CF-5).

The week's digests are written to the outbox (chamber/outbox.py); each try is the
outbox's sender, run at the time the message is due, against a port where nothing
listens. After the last try the digests show as failed on the staff dashboard with the
reason, the worker's log has the error, and nothing is swallowed. When the mail server
is back, staff send them again, and each official gets one digest.
"""

import logging
import socket
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from chamber import outbox
from chamber.models import OutgoingMessage
from chamber.tasks import MAIL_RETRY_WAITS, deliver_message
from publicity import digests
from publicity.models import DigestDelivery
from tests.factories import DepartmentFactory, OfficialFactory
from tests.support.review_cycle import dispatched
from tests.support.smtp import smtp_server

WEEK = date(2026, 3, 23)  # a Monday
FAILED_HEADING = "Weekly digests that could not be sent"
M = OutgoingMessage.Status


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
def planned(staff):
    """Two officials of a department with a petition waiting: two digests planned."""
    housing = DepartmentFactory(name="西市区住建局")
    dispatched(staff, housing, due_on=date(2026, 3, 26))
    officials = [
        OfficialFactory(department=housing, user__full_name="王建华"),
        OfficialFactory(department=housing, user__full_name="李明"),
    ]
    # Planned only: the senders the plan queues after commit never run in this test.
    pks = digests.plan_weekly_digests(week_start=WEEK)
    deliveries = list(
        DigestDelivery.objects.filter(pk__in=pks).select_related("official__user")
    )
    assert sorted(d.official_id for d in deliveries) == sorted(o.pk for o in officials)
    return deliveries


def test_a_mail_server_that_stays_down_gets_later_and_later_tries_then_staff_see_the_failure_and_send_again(
    planned,
    smtp,
    settings,
    caplog,
    client,
    staff,
    django_capture_on_commit_callbacks,
):
    waits = {d.pk: [] for d in planned}
    with caplog.at_level(logging.ERROR, logger="chamber.outbox"):
        for delivery in planned:
            message = delivery.message
            while message.status == M.QUEUED:
                tried_at = message.next_try_at
                outbox.deliver(message.pk, now=tried_at)  # the sender, when it is due
                message.refresh_from_db()
                if message.status == M.QUEUED:
                    waits[delivery.pk].append(message.next_try_at - tried_at)

    # Later and later, up to the last try; the same for every delivery: a minute,
    # doubling, up to 15 minutes.
    expected = [timedelta(seconds=s) for s in MAIL_RETRY_WAITS]
    assert MAIL_RETRY_WAITS == (60, 120, 240, 480, 900)
    assert list(waits.values()) == [expected, expected]
    for delivery in planned:
        delivery.message.refresh_from_db()
        message = delivery.message
        assert (message.status, message.attempts) == (M.FAILED, 1 + len(expected))
        assert message.claimed_at is not None and message.last_error
    logged = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert [r.getMessage().split(":")[0] for r in logged] == [
        f"Message {d.message_id} failed" for d in planned
    ]
    assert smtp.messages == []

    client.force_login(staff)
    html = client.get(reverse("staff_dashboard")).content.decode()
    with translation.override("zh-hans"):
        assert gettext(FAILED_HEADING) in html
    assert "王建华" in html and "李明" in html
    assert "无法连接邮件服务器" in html  # the reason, in words
    for delivery in planned:
        assert (
            f'action="{reverse("publicity:resend_digest", args=[delivery.pk])}"' in html
        )

    settings.EMAIL_PORT = smtp.port  # the mail server is back
    for delivery in planned:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("publicity:resend_digest", args=[delivery.pk])
            )
        assert response.status_code == 302
    for delivery in planned:  # a late duplicate of each sender sends nothing more
        assert deliver_message.apply((delivery.message_id,)).result is False

    assert smtp.recipients() == sorted(d.official.user.email for d in planned)
    for delivery in planned:
        delivery.message.refresh_from_db()
        assert delivery.message.status == M.SENT
    html = client.get(reverse("staff_dashboard")).content.decode()
    with translation.override("zh-hans"):
        assert gettext(FAILED_HEADING) not in html
