"""A tick lost with its worker is run by the next tick (CF-4, petitions.review.catch_up).

The filesystem broker of `make run` does not give back a task a killed worker had taken,
so a Monday's weekly dispatch lost that way would never run. Every tick therefore first
runs the recent periods of each step that have no run, as of their own day, once, and
never before the step's first run (a fresh install does not backfill). The ticks are the
beat's Celery tasks, called in-process, and at the end a real worker on the filesystem
broker is killed. Days are in March and April 2026 (no public holiday in March).
"""

import os
import signal
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from chamber import workdays
from chamber.celery import app as celery_app
from chamber.models import Heartbeat, OutgoingMessage
from chamber.tasks import record_heartbeat
from petitions import review, tasks
from petitions.models import Escalation, Petition, PetitionEvent, ReviewRun
from publicity.models import DigestDelivery
from tests.factories import (
    DepartmentFactory,
    LeaderFactory,
    OfficialFactory,
    PetitionFactory,
    StaffFactory,
)
from tests.support.review_cycle import at, dispatched
from tests.support.smtp import sent_deliveries, smtp_server
from tests.support.worker import celery_worker, empty_broker, wait_for

K = ReviewRun.Kind

PREVIOUS_MONDAY = date(2026, 3, 16)
MONDAY = date(2026, 3, 23)  # the weekly dispatch of this day is lost
TUESDAY = date(2026, 3, 24)  # the next tick: the daily study at 08:30


def tick(task, day: date, capture) -> None:
    """Beat starts `task` for `day`; what it enqueues after commit runs in-process."""
    with capture(execute=True):
        task(day.isoformat())


def state() -> dict:
    return {
        "runs": sorted(
            ReviewRun.objects.values_list("kind", "period_start", "stats", "report")
        ),
        "events": PetitionEvent.objects.count(),
        "escalations": sorted(
            Escalation.objects.values_list("petition_id", "reason", "period_start")
        ),
        "digests": sorted(
            DigestDelivery.objects.values_list("official_id", "week_start", "status")
        ),
    }


def ran(kind: str) -> list[date]:
    return sorted(
        ReviewRun.objects.filter(kind=kind).values_list("period_start", flat=True)
    )


@pytest.fixture
def lost_week(staff):
    """The portal dispatched the week of 16 March; the dispatch of 23 March was lost."""
    department = DepartmentFactory(name="西市区住建局")
    # Overdue by more than ten working days on 23 March, not yet on 16 March.
    overdue = dispatched(staff, department, due_on=date(2026, 3, 6))
    this_week = dispatched(staff, department, due_on=date(2026, 3, 26))
    official = OfficialFactory(department=department)
    leader = LeaderFactory()
    review.run_weekly_dispatch(on=PREVIOUS_MONDAY)
    assert not Escalation.objects.exists()
    return {
        "overdue": overdue,
        "this_week": this_week,
        "official": official,
        "leader": leader,
    }


def digests_to(mailoutbox, user) -> list:
    return [m for m in mailoutbox if m.to == [user.email] and "当周" in m.subject]


# --- the lost weekly dispatch ---------------------------------------------------------------


def test_a_weekly_dispatch_lost_on_monday_is_run_by_tuesdays_daily_study(
    lost_week, django_capture_on_commit_callbacks, mailoutbox
):
    tick(tasks.run_daily_study, TUESDAY, django_capture_on_commit_callbacks)

    week = ReviewRun.objects.get(kind=K.WEEKLY, period_start=MONDAY)
    assert week.caught_up_on == TUESDAY
    assert week.finished_at is not None
    assert week.report["escalated"] == [lost_week["overdue"].pk]
    (escalation,) = Escalation.objects.all()
    assert (escalation.petition, escalation.run) == (lost_week["overdue"], week)
    # As the Monday tick would have counted it: due Friday 6 March, day 11 on 23 March.
    assert escalation.overdue_working_days == 11
    (digest,) = digests_to(mailoutbox, lost_week["official"].user)
    assert "2026-03-23" in digest.subject
    assert lost_week["this_week"].number in digest.body
    # The leader hears of the escalation twice, as on a Monday: the step's report and
    # the leaders' digest, both of the week of 23 March.
    to_leader = [m for m in mailoutbox if m.to == [lost_week["leader"].user.email]]
    assert len(to_leader) == 2
    for message in to_leader:
        assert "2026-03-23" in message.subject
        assert lost_week["overdue"].number in message.body
    # And the tick's own step ran, after it.
    daily = ReviewRun.objects.get(kind=K.DAILY, period_start=TUESDAY)
    assert daily.caught_up_on is None
    assert daily.pk > week.pk


def test_the_caught_up_week_is_run_once_however_often_the_ticks_come(
    lost_week, django_capture_on_commit_callbacks, mailoutbox
):
    tick(tasks.run_daily_study, TUESDAY, django_capture_on_commit_callbacks)
    after = state()
    sent = sorted((m.to, m.subject) for m in mailoutbox)

    tick(tasks.run_daily_study, TUESDAY, django_capture_on_commit_callbacks)
    tick(tasks.run_weekly_dispatch, MONDAY, django_capture_on_commit_callbacks)

    assert state() == after
    assert sorted((m.to, m.subject) for m in mailoutbox) == sent

    tick(tasks.run_daily_study, date(2026, 3, 25), django_capture_on_commit_callbacks)

    assert ran(K.WEEKLY) == [PREVIOUS_MONDAY, MONDAY]
    assert Escalation.objects.count() == 1
    assert len(digests_to(mailoutbox, lost_week["official"].user)) == 1
    assert (
        DigestDelivery.objects.filter(
            official=lost_week["official"], week_start=MONDAY
        ).count()
        == 1
    )


def test_the_monday_tick_coming_late_finds_its_week_caught_up(
    lost_week, django_capture_on_commit_callbacks
):
    tick(tasks.run_daily_study, TUESDAY, django_capture_on_commit_callbacks)
    week = ReviewRun.objects.get(kind=K.WEEKLY, period_start=MONDAY)

    assert review.run_step("weekly", on=MONDAY) == [week]


# --- the other steps ------------------------------------------------------------------------


def test_a_lost_daily_study_runs_first_as_on_its_own_day(staff):
    department = DepartmentFactory()
    late = dispatched(staff, department, due_on=date(2026, 3, 6))
    weekend = PetitionFactory(created_at=at(date(2026, 3, 7), 11))
    review.run_daily_study(on=date(2026, 3, 6))  # Friday's study ran; Monday's was lost

    runs = review.run_step("daily", on=date(2026, 3, 10))

    tuesday, monday = runs
    assert (monday.period_start, monday.caught_up_on) == (
        date(2026, 3, 9),
        date(2026, 3, 10),
    )
    assert (tuesday.period_start, tuesday.caught_up_on) == (date(2026, 3, 10), None)
    assert monday.pk < tuesday.pk
    assert monday.report["intake"] == [weekend.pk]
    assert monday.report["newly_supervised"] == [late.pk]
    assert tuesday.report["newly_supervised"] == []
    late.refresh_from_db()
    assert late.supervised_on == date(2026, 3, 9)
    assert late.events.filter(kind=PetitionEvent.Kind.SUPERVISION).count() == 1


def test_the_monthly_summaries_of_the_last_three_months_are_caught_up_not_older(db):
    review.run_monthly_summary(on=date(2025, 12, 1))  # November's: the portal's first

    runs = review.run_step("monthly", on=date(2026, 4, 2))

    # March is the tick's own month (listed once); January and February were lost too.
    # December is four months back: past the look-back, left to `run_cycle` by hand.
    assert sorted(r.period_start for r in runs) == [
        date(2026, 1, 1),
        date(2026, 2, 1),
        date(2026, 3, 1),
    ]
    assert ran(K.MONTHLY) == [
        date(2025, 11, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
        date(2026, 3, 1),
    ]
    assert all(r.caught_up_on == date(2026, 4, 2) for r in runs)


def test_a_clear_to_zero_lost_on_the_quarters_first_day_runs_the_next_day(
    staff, django_capture_on_commit_callbacks, mailoutbox
):
    leader = LeaderFactory()
    uncleared = PetitionFactory(created_at=at(date(2026, 2, 2), 10))
    review.run_quarterly_clearance(on=date(2026, 1, 1))  # Q4 2025's, the first

    tick(tasks.run_daily_study, date(2026, 4, 2), django_capture_on_commit_callbacks)

    quarter = ReviewRun.objects.get(kind=K.QUARTERLY, period_start=date(2026, 1, 1))
    assert quarter.caught_up_on == date(2026, 4, 2)
    assert quarter.report["uncleared"] == [uncleared.pk]
    assert uncleared.escalations.get().run == quarter
    # The escalations, and the quarter's figures.
    assert len([m for m in mailoutbox if m.to == [leader.user.email]]) == 2


def test_only_the_last_lost_week_is_caught_up(staff):
    review.run_weekly_dispatch(on=date(2026, 3, 2))

    review.run_step("daily", on=date(2026, 3, 17))

    # Two Mondays lost: the digests of 9 March would be stale; only 16 March runs.
    assert ran(K.WEEKLY) == [date(2026, 3, 2), date(2026, 3, 16)]


# --- no backfill ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("task", "day", "kind", "period_start"),
    [
        (tasks.run_daily_study, date(2026, 4, 2), K.DAILY, date(2026, 4, 2)),
        (tasks.run_weekly_dispatch, date(2026, 4, 6), K.WEEKLY, date(2026, 4, 6)),
        (tasks.run_monthly_summary, date(2026, 5, 1), K.MONTHLY, date(2026, 4, 1)),
        (
            tasks.run_quarterly_clearance,
            date(2026, 4, 1),
            K.QUARTERLY,
            date(2026, 1, 1),
        ),
    ],
)
def test_a_fresh_install_runs_only_the_tick_of_the_day(
    db, task, day, kind, period_start
):
    PetitionFactory(created_at=at(date(2025, 11, 3), 10))  # old data, imported

    task(day.isoformat())

    assert list(
        ReviewRun.objects.values_list("kind", "period_start", "caught_up_on")
    ) == [(kind, period_start, None)]


def test_a_step_that_never_ran_is_not_backfilled_by_the_others(staff):
    dispatched(staff, DepartmentFactory(), due_on=date(2026, 3, 6))
    review.run_daily_study(on=date(2026, 3, 20))

    review.run_step("daily", on=TUESDAY)

    assert ran(K.DAILY) == [date(2026, 3, 20), MONDAY, TUESDAY]
    for kind in (K.WEEKLY, K.MONTHLY, K.QUARTERLY):
        assert ran(kind) == []


# --- set-based ------------------------------------------------------------------------------


@pytest.mark.parametrize("older_runs", [0, 150])
def test_a_tick_looks_for_lost_periods_in_two_queries(
    db, django_assert_num_queries, older_runs
):
    """However many runs are stored, and nothing lost: two queries, no run made."""
    stored = [
        (K.DAILY, MONDAY),
        (K.DAILY, date(2026, 3, 20)),
        (K.WEEKLY, MONDAY),
        (K.MONTHLY, date(2026, 2, 1)),
        (K.MONTHLY, date(2026, 1, 1)),
        (K.MONTHLY, date(2025, 12, 1)),
        (K.QUARTERLY, date(2025, 10, 1)),
    ]
    stored += [
        (K.DAILY, date(2025, 3, 1) + timedelta(days=n)) for n in range(older_runs)
    ]
    ReviewRun.objects.bulk_create(
        ReviewRun(
            kind=kind, period_start=day, period_end=day, finished_at=timezone.now()
        )
        for kind, day in stored
    )
    workdays.is_working_day(
        TUESDAY
    )  # the calendar overrides are cached: read them first

    with django_assert_num_queries(2):
        assert review.catch_up(on=TUESDAY) == []


# --- what staff see -------------------------------------------------------------------------


def test_the_review_cycle_page_shows_staff_which_run_was_caught_up(
    client, staff, lost_week, django_capture_on_commit_callbacks
):
    tick(tasks.run_daily_study, TUESDAY, django_capture_on_commit_callbacks)
    client.force_login(staff)

    with translation.override("zh-hans"):
        response = client.get(
            reverse("petitions:cycle"), HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
        flag = gettext("caught up on %(day)s") % {"day": "2026-03-24"}

    assert response.status_code == 200
    assert flag == "已于 2026-03-24 补跑"
    # On the weekly dispatch's card and on its row of all runs; not on the daily study's.
    assert response.content.decode().count(flag) == 2


def test_run_cycle_says_which_period_it_caught_up(lost_week):
    out = StringIO()

    call_command("run_cycle", "daily", "--date", TUESDAY.isoformat(), stdout=out)

    # The day's study and the quarter's warning (it is a week before the quarter ends),
    # then the lost week.
    daily, warning, weekly = out.getvalue().splitlines()
    assert daily.startswith("daily 2026-03-24..2026-03-24 ")
    assert warning.startswith("quarter_warning 2026-01-01..2026-03-31 ")
    assert "caught up" not in daily + warning
    assert weekly.startswith("weekly 2026-03-23..2026-03-29 ")
    assert "caught up on 2026-03-24" in weekly
    assert "escalated=1" in weekly
    assert Petition.objects.get(pk=lost_week["overdue"].pk).escalations.count() == 1


# --- a real worker killed on the filesystem broker (the embedded lane) ----------------------


def queued() -> list[str]:
    """The messages waiting in the filesystem broker's folder."""
    folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
    return [p.name for p in folder.iterdir() if p.name.endswith(".msg")]


@contextmanager
def database_write_locked() -> Iterator[None]:
    """Hold SQLite's write lock from another connection: a step's transaction (BEGIN
    IMMEDIATE) waits for it, within the 20 s busy timeout, until the block ends."""
    holder = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        yield
        holder.execute("ROLLBACK")
    finally:
        holder.close()


def after_earlier_tasks() -> bool:
    """Send a heartbeat and wait for it: the solo worker ran everything queued before it."""
    name = f"after-{time.monotonic_ns()}"
    record_heartbeat.delay(name)
    return wait_for(lambda: Heartbeat.objects.filter(name=name).exists(), timeout=60)


@pytest.fixture
def filesystem_broker():
    """The filesystem broker's folder starts and ends empty; a test sends tasks to it
    (instead of running them in-process) once its data is in place."""
    empty_broker()
    yield
    empty_broker()
    celery_app.conf.task_always_eager = True


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    not settings.CELERY_BROKER_URL.startswith("filesystem://"),
    reason="the embedded lane's filesystem broker (Redis gives a killed worker's task "
    "back: test_cycle_worker.py)",
)
def test_a_weekly_dispatch_killed_with_its_worker_is_sent_once_after_the_next_tick(
    filesystem_broker, monkeypatch
):
    staff = StaffFactory()
    housing = DepartmentFactory(name="西市区住建局")
    market = DepartmentFactory(name="西市区市场监管局")
    overdue = dispatched(staff, housing, due_on=date(2026, 3, 6))
    this_week = dispatched(staff, market, due_on=date(2026, 3, 26))
    officials = [
        OfficialFactory(department=housing),
        OfficialFactory(department=market),
    ]
    leader = LeaderFactory()
    # The portal dispatched the week before.
    ReviewRun.objects.create(
        kind=K.WEEKLY,
        period_start=PREVIOUS_MONDAY,
        period_end=PREVIOUS_MONDAY + timedelta(days=6),
        finished_at=timezone.now(),
    )

    celery_app.conf.task_always_eager = False

    with smtp_server() as (sink, port):
        monkeypatch.setenv("EMAIL_HOST", "127.0.0.1")
        monkeypatch.setenv("EMAIL_PORT", str(port))
        with celery_worker() as worker, database_write_locked():
            tasks.run_weekly_dispatch.delay(MONDAY.isoformat())
            assert wait_for(lambda: not queued(), timeout=30), "the worker took nothing"
            time.sleep(1)  # into the step, waiting for the database
            assert worker.poll() is None
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)
        assert not ReviewRun.objects.filter(kind=K.WEEKLY, period_start=MONDAY).exists()

        with celery_worker() as worker:
            assert after_earlier_tasks()
            # The filesystem broker did not give the task back.
            assert not ReviewRun.objects.filter(kind=K.WEEKLY).exclude(
                period_start=PREVIOUS_MONDAY
            )

            tasks.run_daily_study.delay(TUESDAY.isoformat())  # the next tick

            assert wait_for(
                lambda: (
                    sent_deliveries(DigestDelivery.objects.filter(week_start=MONDAY))
                    == 3
                ),  # the two officials and the leader
                timeout=60,
            ), list(DigestDelivery.objects.values_list("official_id", "status"))
            assert after_earlier_tasks()
            sent = sorted((m.to, m.subject) for m in sink.messages)

            # Every tick again, and Monday's task delivered after all: nothing more.
            tasks.run_daily_study.delay(TUESDAY.isoformat())
            tasks.run_weekly_dispatch.delay(MONDAY.isoformat())
            assert after_earlier_tasks()
    assert worker.returncode == 0, worker.output

    week = ReviewRun.objects.get(kind=K.WEEKLY, period_start=MONDAY)
    assert week.caught_up_on == TUESDAY
    assert week.report["escalated"] == [overdue.pk]
    assert Escalation.objects.filter(run__kind=K.WEEKLY).get().petition == overdue
    assert sorted((m.to, m.subject) for m in sink.messages) == sent
    for official, petition in zip(officials, [overdue, this_week], strict=True):
        (digest,) = [m for m in sink.to(official.user.email) if "当周" in m.subject]
        assert "2026-03-23" in digest.subject
        assert petition.number in digest.text
    about_the_week = [
        m for m in sink.to(leader.user.email) if "2026-03-23" in m.subject
    ]
    assert len(about_the_week) == 2  # the step's report and the leaders' digest
    assert len([m for m in sink.to(staff.email) if "2026-03-23" in m.subject]) == 1
    assert (
        list(
            DigestDelivery.objects.filter(week_start=MONDAY).values_list(
                "message__status", "message__attempts"
            )
        )
        == [(OutgoingMessage.Status.SENT, 1)] * 3
    )
