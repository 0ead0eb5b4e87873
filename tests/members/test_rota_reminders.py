"""Duty reminders: a week before the duty week and on the last working day before it, once.

The week under test is Monday 2 to Friday 6 March 2026, held by 刘建国. It is reminded
on Monday 23 February (still a Spring Festival holiday: the rota's daily step runs every
day) and on Saturday 28 February, a make-up working day, which is therefore the last
working day before the week (not Friday 27).
"""

import smtplib
import threading
from datetime import date, timedelta

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.utils import timezone

from chamber import outbox
from chamber.models import OutgoingMessage
from chamber.tasks import deliver_message
from chamber.workdays import last_working_day_before
from members import tasks
from members.models import DutyShift, ShiftReminder, SwapRequest
from members.services import rota
from tests.factories import (
    DutyRepresentativeFactory,
    DutyShiftFactory,
    DutyStudioFactory,
)
from tests.support.words import zh
from tests.support.worker import celery_worker, wait_for

WEEK = date(2026, 3, 2)
WEEK_BEFORE = date(2026, 2, 23)
LAST_WORKING_DAY = date(2026, 2, 28)


class FailingSMTPBackend(BaseEmailBackend):
    """An SMTP server that refuses every message."""

    def send_messages(self, messages):
        raise smtplib.SMTPException("450 mailbox unavailable")


FAILING_BACKEND = f"{__name__}.FailingSMTPBackend"


@pytest.fixture
def rep(db):
    return DutyRepresentativeFactory(user__full_name="刘建国")


@pytest.fixture
def shift(rep):
    return DutyShiftFactory(week_start=WEEK, representative=rep)


@pytest.fixture
def run_day(django_capture_on_commit_callbacks):
    """Run the rota's daily step for a day, with the e-mails it queues sent after commit."""

    def run(day: date) -> dict:
        with django_capture_on_commit_callbacks(execute=True):
            return rota.run_rota_day(today=day)

    return run


def reminders() -> list[tuple[str, int, bool]]:
    """(kind, member, sent) of every reminder planned; sent as the outbox says."""
    sent = set(
        OutgoingMessage.objects.filter(kind="rota-reminder", status="sent").values_list(
            "key", flat=True
        )
    )
    return sorted(
        (r.kind, r.member_id, f"rota-reminder:{r.pk}" in sent)
        for r in ShiftReminder.objects.all()
    )


def reminder_message() -> OutgoingMessage:
    return OutgoingMessage.objects.get(kind="rota-reminder")


def test_the_last_working_day_before_the_week_is_the_make_up_saturday(db):
    assert last_working_day_before(WEEK) == LAST_WORKING_DAY
    # After National Day the week of 5 October starts on Thursday 8.
    assert last_working_day_before(date(2026, 10, 8)) == date(2026, 9, 30)


def test_a_week_before_the_duty_week_the_representative_is_reminded(
    shift, rep, run_day, mailoutbox
):
    DutyStudioFactory()

    result = run_day(WEEK_BEFORE)

    assert result["reminders"] == 1
    assert reminders() == [(ShiftReminder.Kind.WEEK_BEFORE, rep.pk, True)]
    (message,) = mailoutbox
    assert message.to == [rep.user.email]
    assert message.subject == zh("Your duty week starts %(week)s") % {
        "week": "2026-03-02"
    }
    html, _mimetype = message.alternatives[0]
    for part in (message.body, html):
        assert "刘建国" in part
        assert "2026-03-02至03-06" in part
        assert "中共西市区委统战部一楼（西市区渤海大街西5号）" in part
        assert "/members/rota/mine/" in part


def test_on_the_last_working_day_before_the_week_the_representative_is_reminded_again(
    shift, rep, run_day, mailoutbox
):
    run_day(WEEK_BEFORE)

    run_day(LAST_WORKING_DAY)

    assert reminders() == [
        (ShiftReminder.Kind.LAST_WORKING_DAY, rep.pk, True),
        (ShiftReminder.Kind.WEEK_BEFORE, rep.pk, True),
    ]
    assert [m.to for m in mailoutbox] == [[rep.user.email]] * 2


@pytest.mark.parametrize(
    ("week", "expected"),
    [
        (WEEK, {WEEK_BEFORE: "week_before", LAST_WORKING_DAY: "last_day"}),
        # National Day: the week of 5 Oct starts on Thursday 8 Oct.
        (
            date(2026, 10, 5),
            {date(2026, 9, 28): "week_before", date(2026, 9, 30): "last_day"},
        ),
        # An ordinary week: the Friday before.
        (
            date(2026, 3, 16),
            {date(2026, 3, 9): "week_before", date(2026, 3, 13): "last_day"},
        ),
    ],
)
def test_reminders_go_out_on_exactly_two_days_before_the_week(
    rep, run_day, mailoutbox, week, expected
):
    DutyShiftFactory(week_start=week, representative=rep)
    sent = {}

    for offset in range(21, -1, -1):
        day = week - timedelta(days=offset)
        before = len(mailoutbox)
        run_day(day)
        if len(mailoutbox) > before:
            sent[day] = ShiftReminder.objects.latest("pk").kind

    assert sent == expected


def test_running_the_day_twice_sends_each_reminder_once(
    shift, rep, run_day, mailoutbox
):
    for day in (WEEK_BEFORE, WEEK_BEFORE, LAST_WORKING_DAY, LAST_WORKING_DAY):
        run_day(day)

    assert len(mailoutbox) == 2
    assert ShiftReminder.objects.count() == 2
    assert run_day(WEEK_BEFORE)["reminders"] == 0


def test_a_redelivered_sending_task_sends_nothing_twice(
    shift, rep, run_day, mailoutbox
):
    run_day(WEEK_BEFORE)
    message = reminder_message()

    deliver_message.delay(message.pk)
    deliver_message.delay(message.pk)

    assert len(mailoutbox) == 1
    assert outbox.deliver(message.pk) is False


def test_a_week_without_a_representative_gets_no_reminder(db, run_day, mailoutbox):
    DutyShiftFactory(week_start=WEEK, representative=None)

    run_day(WEEK_BEFORE)
    run_day(LAST_WORKING_DAY)

    assert mailoutbox == []
    assert not ShiftReminder.objects.exists()


def test_after_a_swap_the_new_representative_is_reminded_and_the_old_one_is_not(
    shift, rep, run_day, mailoutbox
):
    taker = DutyRepresentativeFactory(user__full_name="王芳")
    run_day(WEEK_BEFORE)
    swap = rota.ask_swap(shift=shift, member=rep, today=date(2026, 2, 24))
    rota.accept_swap(swap=swap, member=taker, today=date(2026, 2, 24))
    mailoutbox.clear()

    run_day(LAST_WORKING_DAY)

    assert [m.to for m in mailoutbox] == [[taker.user.email]]
    assert (ShiftReminder.Kind.LAST_WORKING_DAY, rep.pk, True) not in reminders()


def test_a_reminder_queued_before_a_swap_is_cancelled_and_the_taker_gets_their_own(
    shift, rep, mailoutbox, django_capture_on_commit_callbacks
):
    taker = DutyRepresentativeFactory(user__full_name="王芳")
    with django_capture_on_commit_callbacks() as queued:
        rota.run_rota_day(today=WEEK_BEFORE)  # queued; its sender not yet run
    swap = rota.ask_swap(shift=shift, member=rep, today=WEEK_BEFORE)
    rota.accept_swap(swap=swap, member=taker, today=WEEK_BEFORE)

    for callback in queued:
        callback()
    assert mailoutbox == []
    assert reminder_message().status == "cancelled"

    with django_capture_on_commit_callbacks(execute=True):
        rota.run_rota_day(today=WEEK_BEFORE)

    assert [m.to for m in mailoutbox] == [[taker.user.email]]
    assert SwapRequest.objects.get().status == SwapRequest.Status.ACCEPTED


def test_a_failing_mail_server_leaves_the_reminder_queued_and_the_next_try_sends_it(
    shift, rep, settings, mailoutbox, run_day
):
    settings.EMAIL_BACKEND = FAILING_BACKEND
    run_day(WEEK_BEFORE)

    message = reminder_message()
    assert (message.status, message.attempts) == ("queued", 1)
    assert "450 mailbox unavailable" in message.last_error
    assert reminders() == [(ShiftReminder.Kind.WEEK_BEFORE, rep.pk, False)]

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox.deliver(message.pk, now=message.next_try_at) is True
    assert outbox.deliver(message.pk, now=message.next_try_at) is False
    assert reminders() == [(ShiftReminder.Kind.WEEK_BEFORE, rep.pk, True)]
    assert [m.to for m in mailoutbox] == [[rep.user.email]]


def test_the_daily_task_runs_the_rota_day_for_the_given_date(
    shift, rep, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = tasks.run_rota_day.delay(WEEK_BEFORE.isoformat()).get()

    assert result == {"lapsed": 0, "reminders": 1}
    assert len(mailoutbox) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_rota_days_running_at_once_remind_once_and_lapse_once(mailoutbox):
    rep = DutyRepresentativeFactory()
    DutyShiftFactory(week_start=WEEK, representative=rep)
    asker = DutyRepresentativeFactory()
    started = DutyShiftFactory(week_start=date(2026, 2, 9), representative=asker)
    SwapRequest.objects.create(shift=started, requested_by=asker)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(rota.run_rota_day(today=WEEK_BEFORE))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(r["lapsed"] for r in results) == [0, 1]
    assert SwapRequest.objects.get().status == SwapRequest.Status.LAPSED
    assert reminder_message().status == "sent"
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [rep.user.email, asker.user.email]
    )


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_days_reminders(settings):
    from chamber.celery import app as celery_app

    rep = DutyRepresentativeFactory()
    DutyShiftFactory(week_start=WEEK, representative=rep)
    mail_dir = settings.VAR_DIR / "mail"
    before = set(mail_dir.glob("*")) if mail_dir.exists() else set()
    celery_app.conf.task_always_eager = False
    try:
        with celery_worker():
            tasks.run_rota_day.delay(WEEK_BEFORE.isoformat())
            assert wait_for(
                lambda: OutgoingMessage.objects.filter(
                    kind="rota-reminder", status="sent"
                ).exists(),
                timeout=30,
            ), "the reminder was never sent"
    finally:
        celery_app.conf.task_always_eager = True

    new = set(mail_dir.glob("*")) - before
    assert any(rep.user.email in path.read_text(errors="replace") for path in new)
    assert ShiftReminder.objects.get().member == rep
    assert DutyShift.objects.get().representative == rep


@pytest.mark.django_db(transaction=True)
def test_reminders_sent_before_the_outbox_are_not_sent_again_after_the_upgrade(
    mailoutbox,
):
    """members 0006: a reminder marked sent becomes a sent row of the outbox under the
    key the rota now uses, so the same day's step sends nothing twice."""
    from django.core.management import call_command
    from django.db.migrations.executor import MigrationExecutor

    rep = DutyRepresentativeFactory()
    shift = DutyShiftFactory(week_start=WEEK, representative=rep)
    before = [("members", "0005_calendar_feed_for_activities")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    old.get_model("members", "ShiftReminder").objects.create(
        shift_id=shift.pk,
        member_id=rep.pk,
        kind=ShiftReminder.Kind.WEEK_BEFORE,
        sent_at=timezone.now(),
    )

    call_command("migrate", verbosity=0)
    day = rota.run_rota_day(today=WEEK_BEFORE)

    assert day["reminders"] == 0
    assert reminders() == [(ShiftReminder.Kind.WEEK_BEFORE, rep.pk, True)]
    assert mailoutbox == []
