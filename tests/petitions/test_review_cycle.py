"""The review cycle (petitions/review.py): 日研究、周调度、季清零 and the quarter's warning.

The steps are called with an explicit day; petitions are moved there by the services
with an explicit `now`, so every date below is a known day of the 2026 calendar
(March 2026 has no public holiday; 28 February 2026 is a make-up working day).
The monthly figures are tested in test_reports.py, the killed worker in
test_cycle_worker.py.
"""

import threading
from datetime import date, timedelta
from io import StringIO

import pytest
from celery.signals import task_prerun
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chamber import workdays
from petitions import review, services
from petitions.models import Escalation, Petition, PetitionEvent, ReviewRun
from tests.factories import (
    DepartmentFactory,
    LeaderFactory,
    OfficialFactory,
    StaffFactory,
)
from tests.support.mail import mails_to
from tests.support.review_cycle import (
    MONDAY,
    QUARTER_START,
    TUESDAY,
    WARNING_DAY,
    WEEK,
    S,
    assert_email_contains,
    at,
    at_department,
    closed,
    dispatched,
    received,
    received_batch,
    replied,
    statements,
)

K = PetitionEvent.Kind

SATURDAY = date(2026, 3, 7)


def events(petition: Petition, kind: str) -> list[PetitionEvent]:
    return list(PetitionEvent.objects.filter(petition=petition, kind=kind))


def runs(kind: str) -> list[ReviewRun]:
    return list(ReviewRun.objects.filter(kind=kind))


@pytest.fixture
def department(db):
    return DepartmentFactory(name="西市区住建局")


@pytest.fixture
def other_department(db):
    return DepartmentFactory(name="西市区市场监管局")


# --- 日研究: days off -----------------------------------------------------------------


def test_daily_study_does_nothing_on_a_day_off(staff, department):
    late = dispatched(staff, department, due_on=date(2026, 3, 5))
    untriaged = received(date(2026, 3, 4))

    assert review.run_daily_study(on=SATURDAY) is None
    assert review.run_step("daily", on=SATURDAY) == []
    qingming_monday = date(2026, 4, 6)  # 清明 (observed)
    assert review.run_step("daily", on=qingming_monday) == []

    assert ReviewRun.objects.count() == 0
    late.refresh_from_db()
    untriaged.refresh_from_db()
    assert late.supervised_on is None
    assert untriaged.triage_flagged_on is None
    assert not PetitionEvent.objects.exclude(kind=K.STATUS).exists()


def test_daily_study_runs_on_a_make_up_working_day(staff, department):
    make_up_saturday = date(2026, 2, 28)
    assert workdays.is_working_day(make_up_saturday)
    late = dispatched(staff, department, due_on=date(2026, 2, 27))

    run = review.run_daily_study(on=make_up_saturday)

    assert run.period_start == make_up_saturday
    late.refresh_from_db()
    assert late.supervised_on == make_up_saturday


# --- 日研究: intake and triage ----------------------------------------------------------


def test_daily_study_lists_the_intake_since_the_previous_working_day(db):
    received(date(2026, 3, 5), 16)  # Thursday: listed by Friday's study
    friday = received(date(2026, 3, 6), 0)
    saturday = received(SATURDAY, 11)
    sunday = received(date(2026, 3, 8), 23, minute=59)
    received(MONDAY, 7)  # this morning: Tuesday's study lists it

    run = review.run_daily_study(on=MONDAY)

    assert run.report["intake"] == [friday.pk, saturday.pk, sunday.pk]
    assert run.stats["intake"] == 3


def test_daily_study_flags_petitions_not_triaged_within_one_working_day(staff):
    thursday = received(date(2026, 3, 5), 16)
    friday = received(date(2026, 3, 6), 9)
    sunday = received(date(2026, 3, 8), 9)
    triaged = received(date(2026, 3, 4), 9)
    services.accept_petition(
        petition=triaged,
        actor=staff,
        category=triaged.category,
        priority=Petition.Priority.NORMAL,
        handling=Petition.Handling.CHAMBER,
        now=at(date(2026, 3, 6), 9),
    )

    run = review.run_daily_study(on=MONDAY)

    for petition in (thursday, friday, sunday, triaged):
        petition.refresh_from_db()
    assert thursday.triage_flagged_on == MONDAY
    (flag,) = events(thursday, K.TRIAGE_FLAG)
    assert flag.by_system
    assert not flag.is_public
    # Received on the previous working day or since: it still has today.
    assert friday.triage_flagged_on is None
    assert sunday.triage_flagged_on is None
    assert triaged.triage_flagged_on is None
    assert events(friday, K.TRIAGE_FLAG) == events(triaged, K.TRIAGE_FLAG) == []
    assert run.report["untriaged"] == [thursday.pk]


def test_daily_study_flags_an_untriaged_petition_once(db):
    thursday = received(date(2026, 3, 5), 16)
    friday = received(date(2026, 3, 6), 9)
    review.run_daily_study(on=MONDAY)

    tuesday_run = review.run_daily_study(on=TUESDAY)

    thursday.refresh_from_db()
    friday.refresh_from_db()
    assert thursday.triage_flagged_on == MONDAY
    assert len(events(thursday, K.TRIAGE_FLAG)) == 1
    assert friday.triage_flagged_on == TUESDAY
    assert tuesday_run.report["untriaged"] == [friday.pk]


# --- 日研究: deadlines ------------------------------------------------------------------


def test_daily_study_reminds_of_petitions_due_the_next_working_day(staff, department):
    due_tomorrow = dispatched(staff, department, due_on=TUESDAY)
    signed = dispatched(staff, department, due_on=TUESDAY, sign=True)
    due_today = dispatched(staff, department, due_on=MONDAY)
    due_later = dispatched(staff, department, due_on=date(2026, 3, 11))
    already_answered = dispatched(staff, department, due_on=TUESDAY, sign=True)
    services.record_department_reply(
        petition=already_answered,
        actor=staff,
        outcome=Petition.Outcome.RESOLVED,
        reply="已办结。",
        now=at(MONDAY - timedelta(days=3), 14),
    )

    run = review.run_daily_study(on=MONDAY)

    assert sorted(run.report["due_next_working_day"]) == sorted(
        [due_tomorrow.pk, signed.pk]
    )
    assert run.report["next_working_day"] == "2026-03-10"
    (reminder,) = events(due_tomorrow, K.REMINDER)
    assert reminder.by_system
    assert reminder.data == {"due_on": "2026-03-10"}
    assert len(events(signed, K.REMINDER)) == 1
    for petition in (due_today, due_later, already_answered):
        assert events(petition, K.REMINDER) == []


def test_friday_study_reminds_of_what_is_due_on_monday(staff, department):
    due_monday = dispatched(staff, department, due_on=date(2026, 3, 16))

    run = review.run_daily_study(on=date(2026, 3, 13))

    assert run.report["due_next_working_day"] == [due_monday.pk]
    assert len(events(due_monday, K.REMINDER)) == 1


def test_daily_study_emails_the_departments_officials_once(
    staff, department, other_department, django_capture_on_commit_callbacks, mailoutbox
):
    liaison = OfficialFactory(department=department, is_liaison=True).user
    colleague = OfficialFactory(department=department).user
    elsewhere = OfficialFactory(department=other_department).user
    first = dispatched(staff, department, due_on=TUESDAY)
    second = dispatched(staff, department, due_on=TUESDAY)
    dispatched(staff, other_department, due_on=date(2026, 3, 12))

    with django_capture_on_commit_callbacks(execute=True):
        review.run_daily_study(on=MONDAY)
    with django_capture_on_commit_callbacks(execute=True):
        review.run_daily_study(on=MONDAY)

    for official in (liaison, colleague):
        (mail,) = mails_to(mailoutbox, official)
        assert_email_contains(mail, first.number, second.number, "2026-03-10")
    assert mails_to(mailoutbox, elsewhere) == []
    # Staff get the day's study itself.
    assert len(mails_to(mailoutbox, staff)) == 1


# --- 日研究: supervision ----------------------------------------------------------------


def test_daily_study_marks_overdue_petitions_for_supervision_once(staff, department):
    late = dispatched(staff, department, due_on=date(2026, 3, 6), sign=True)
    due_today = dispatched(staff, department, due_on=MONDAY)

    review.run_daily_study(on=MONDAY)
    review.run_daily_study(on=TUESDAY)

    late.refresh_from_db()
    due_today.refresh_from_db()
    assert late.supervised_on == MONDAY
    (supervision,) = events(late, K.SUPERVISION)
    assert supervision.by_system
    # Due on Monday: overdue from Tuesday, supervised from Tuesday.
    assert due_today.supervised_on == TUESDAY
    assert len(events(due_today, K.SUPERVISION)) == 1
    assert ReviewRun.objects.get(kind="daily", period_start=TUESDAY).report[
        "newly_supervised"
    ] == [due_today.pk]


def test_daily_study_leaves_a_late_petition_alone_once_the_department_replied(
    staff, department
):
    late = dispatched(staff, department, due_on=date(2026, 3, 6), sign=True)
    services.record_department_reply(
        petition=late,
        actor=staff,
        outcome=Petition.Outcome.PARTLY,
        reply="部分解决。",
        follow_up_plan="下月继续跟进。",
        now=at(SATURDAY, 10),
    )

    review.run_daily_study(on=MONDAY)

    late.refresh_from_db()
    assert late.supervised_on is None
    assert events(late, K.SUPERVISION) == []


# --- 日研究: replies left unrated -------------------------------------------------------


def test_daily_study_closes_replies_not_rated_within_five_working_days(staff):
    study = date(2026, 3, 16)  # Monday; 9–13 March are five whole working days
    old = replied(staff, answered_on=date(2026, 3, 6))
    recent = replied(staff, answered_on=date(2026, 3, 10))  # four working days ago

    run = review.run_daily_study(on=study)

    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.status == S.CLOSED
    assert old.rating == Petition.Rating.NONE
    assert old.closed_at is not None
    closing = old.events.filter(kind=K.STATUS).last()
    assert (closing.from_status, closing.to_status) == (S.REPLIED, S.CLOSED)
    assert closing.actor is None
    assert closing.is_public
    assert closing.data == {"rating": "none"}
    assert recent.status == S.REPLIED
    assert recent.rating == ""
    assert run.report["closed_without_rating"] == [old.pk]


def test_a_reply_closes_the_morning_after_its_fifth_working_day(staff):
    petition = replied(staff, answered_on=date(2026, 3, 9))

    review.run_daily_study(on=date(2026, 3, 16))
    petition.refresh_from_db()
    assert petition.status == S.REPLIED

    review.run_daily_study(on=date(2026, 3, 17))
    petition.refresh_from_db()
    assert petition.status == S.CLOSED


def test_a_rated_reply_is_not_closed_again(staff):
    petition = closed(staff, answered_on=date(2026, 3, 2))
    before = petition.events.count()

    review.run_daily_study(on=date(2026, 3, 16))

    petition.refresh_from_db()
    assert petition.rating == Petition.Rating.SATISFIED
    assert petition.events.count() == before


# --- 周调度 ---------------------------------------------------------------------------


def test_weekly_dispatch_stores_each_departments_board(
    staff, department, other_department
):
    dispatched(staff, department, due_on=date(2026, 3, 25), sign=True)  # this week
    dispatched(staff, department, due_on=date(2026, 3, 27), sign=True)  # this week too
    dispatched(staff, department, due_on=date(2026, 4, 3))  # new, later
    dispatched(staff, department, due_on=date(2026, 3, 20), sign=True)  # overdue
    awaiting_review = dispatched(staff, department, due_on=date(2026, 3, 24), sign=True)
    services.record_department_reply(
        petition=awaiting_review,
        actor=staff,
        outcome=Petition.Outcome.RESOLVED,
        reply="已办结。",
        now=at(date(2026, 3, 20), 10),
    )
    dispatched(staff, other_department, due_on=date(2026, 3, 19))  # overdue

    run = review.run_weekly_dispatch(on=WEEK)

    boards = {row["id"]: row for row in run.report["departments"]}
    assert boards[department.pk] == {
        "id": department.pk,
        "name": "西市区住建局",
        "open": 4,
        "new": 1,
        "due_this_week": 2,
        "overdue": 1,
    }
    assert boards[other_department.pk] == {
        "id": other_department.pk,
        "name": "西市区市场监管局",
        "open": 1,
        "new": 0,
        "due_this_week": 0,
        "overdue": 1,
    }
    assert (run.period_start, run.period_end) == (WEEK, date(2026, 3, 29))
    assert run.stats["open"] == 5
    assert run.stats["overdue"] == 2


def test_weekly_dispatch_escalates_petitions_overdue_by_more_than_ten_working_days(
    staff, department
):
    # Overdue by k working days on Monday 23 March: due on the k-th working day before.
    eleven = dispatched(staff, department, due_on=date(2026, 3, 6), sign=True)
    ten = dispatched(staff, department, due_on=date(2026, 3, 9), sign=True)
    assert workdays.nth_working_day_before(WEEK, 11) == eleven.due_on
    assert workdays.nth_working_day_before(WEEK, 10) == ten.due_on

    run = review.run_weekly_dispatch(on=WEEK)

    (escalation,) = Escalation.objects.all()
    assert escalation.petition == eleven
    assert escalation.run == run
    assert escalation.reason == Escalation.Reason.OVERDUE
    assert escalation.department == department
    assert escalation.overdue_working_days == 11
    (event,) = events(eleven, K.ESCALATION)
    assert event.by_system
    assert events(ten, K.ESCALATION) == []
    assert run.report["escalated"] == [eleven.pk]
    assert run.stats["escalated"] == 1


def test_weekly_dispatch_never_escalates_the_same_overdue_petition_twice(
    staff, department
):
    eleven = dispatched(staff, department, due_on=date(2026, 3, 6), sign=True)
    ten = dispatched(staff, department, due_on=date(2026, 3, 9), sign=True)
    review.run_weekly_dispatch(on=WEEK)

    next_week = review.run_weekly_dispatch(on=WEEK + timedelta(days=7))
    review.run_weekly_dispatch(on=WEEK + timedelta(days=14))

    assert next_week.report["escalated"] == [ten.pk]
    assert Escalation.objects.filter(petition=eleven).count() == 1
    assert Escalation.objects.filter(petition=ten).count() == 1
    assert len(events(eleven, K.ESCALATION)) == 1
    assert len(events(ten, K.ESCALATION)) == 1


def test_weekly_dispatch_emails_the_leaders_about_escalations(
    staff, department, django_capture_on_commit_callbacks, mailoutbox
):
    leader = LeaderFactory().user
    eleven = dispatched(staff, department, due_on=date(2026, 3, 6), sign=True)

    with django_capture_on_commit_callbacks(execute=True):
        review.run_weekly_dispatch(on=WEEK)
    with django_capture_on_commit_callbacks(execute=True):
        review.run_weekly_dispatch(on=WEEK + timedelta(days=7))

    # The step's notice, once; the leaders' weekly digests (publicity) come on top of it.
    (mail,) = [m for m in mails_to(mailoutbox, leader) if "周调度" in m.subject]
    assert_email_contains(mail, eleven.number, department.name)
    assert len(mails_to(mailoutbox, staff)) == 1


def test_a_week_without_escalations_emails_no_leader(
    staff, department, django_capture_on_commit_callbacks, mailoutbox
):
    LeaderFactory()
    dispatched(staff, department, due_on=date(2026, 3, 9), sign=True)  # ten days only

    with django_capture_on_commit_callbacks(execute=True):
        review.run_weekly_dispatch(on=WEEK)

    assert mailoutbox == []


def test_weekly_dispatch_hands_the_week_to_the_digests_task_once_after_commit(
    department, django_capture_on_commit_callbacks
):
    """The hand-over is publicity's planning task, called by name (petitions never
    imports publicity), queued once per week and only after the week has committed."""
    planned_weeks = []

    def ran(sender=None, task=None, args=(), **kwargs):
        if task.name == "publicity.tasks.plan_weekly_digests":
            planned_weeks.append(tuple(args))

    task_prerun.connect(ran, weak=False, dispatch_uid="test-plan-weekly-digests")
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            run = review.run_weekly_dispatch(on=WEEK)
        assert planned_weeks == []  # not before the week's figures are committed
        for callback in callbacks:
            callback()
        with django_capture_on_commit_callbacks(execute=True):
            review.run_weekly_dispatch(on=WEEK)
            review.run_weekly_dispatch(on=WEEK + timedelta(days=2))  # the same week
    finally:
        task_prerun.disconnect(dispatch_uid="test-plan-weekly-digests")

    assert run.period_start == WEEK
    assert planned_weeks == [("2026-03-23",)]


# --- 季清零 ---------------------------------------------------------------------------


def test_quarterly_clearance_escalates_every_petition_of_the_quarter_not_closed(
    staff, department
):
    untriaged = received(date(2026, 1, 5), 10)
    at_department = dispatched(staff, department, due_on=date(2026, 3, 16), sign=True)
    not_rated = replied(staff, answered_on=date(2026, 3, 30))
    closed(staff, answered_on=date(2026, 2, 10))
    rejected = received(date(2026, 2, 11))
    services.reject_petition(
        petition=rejected,
        actor=staff,
        reason="不属于受理范围。",
        now=at(date(2026, 2, 12)),
    )
    received(date(2025, 12, 31), 23)  # the quarter before
    received(QUARTER_START, 0)  # this quarter

    run = review.run_quarterly_clearance(on=QUARTER_START)

    assert (run.period_start, run.period_end) == (date(2026, 1, 1), date(2026, 3, 31))
    assert run.report["uncleared"] == [untriaged.pk, at_department.pk, not_rated.pk]
    assert run.stats["uncleared"] == 3
    escalations = {e.petition_id: e for e in Escalation.objects.filter(run=run)}
    assert set(escalations) == {untriaged.pk, at_department.pk, not_rated.pk}
    for escalation in escalations.values():
        assert escalation.reason == Escalation.Reason.CLEARANCE
        assert escalation.period_start == date(2026, 1, 1)
    assert escalations[at_department.pk].department == department
    assert escalations[untriaged.pk].department is None
    # Received on 2 March (the dispatch helper's start): 3–31 March and 1 April.
    assert timezone.localdate(at_department.created_at) == date(2026, 3, 2)
    assert escalations[at_department.pk].age_working_days == 22
    assert escalations[not_rated.pk].age_working_days == 2  # 31 March, 1 April
    assert escalations[untriaged.pk].age_working_days == len(
        workdays.working_days(date(2026, 1, 6), QUARTER_START)
    )
    assert len(events(untriaged, K.ESCALATION)) == 1
    assert PetitionEvent.objects.filter(kind=K.ESCALATION).count() == 3


def test_quarterly_clearance_runs_for_the_quarter_before_whatever_day_of_the_quarter(
    db,
):
    first = review.run_quarterly_clearance(on=QUARTER_START)

    assert review.run_quarterly_clearance(on=date(2026, 5, 20)) == first
    january = review.run_quarterly_clearance(on=date(2026, 1, 1))
    assert (january.period_start, january.period_end) == (
        date(2025, 10, 1),
        date(2025, 12, 31),
    )


def test_quarterly_clearance_emails_staff_and_leaders(
    staff, department, django_capture_on_commit_callbacks, mailoutbox
):
    leader = LeaderFactory().user
    at_department = dispatched(staff, department, due_on=date(2026, 3, 16), sign=True)

    with django_capture_on_commit_callbacks(execute=True):
        review.run_quarterly_clearance(on=QUARTER_START)

    # The escalations, and the quarter's figures (test_period_reports.py).
    escalated, figures = mails_to(mailoutbox, leader)
    assert_email_contains(escalated, at_department.number, department.name)
    assert "季清零" in figures.subject
    assert len(mails_to(mailoutbox, staff)) == 2


# --- the clear-to-zero warning ----------------------------------------------------------


def test_the_daily_study_warns_two_weeks_before_the_quarter_ends(staff, department):
    untriaged = received(date(2026, 1, 5), 10)
    at_department = dispatched(staff, department, due_on=date(2026, 3, 16))
    closed(staff, answered_on=date(2026, 2, 10))

    assert review.run_step("daily", on=date(2026, 3, 17)) == [
        ReviewRun.objects.get(kind="daily", period_start=date(2026, 3, 17))
    ]
    assert runs(ReviewRun.Kind.QUARTER_WARNING) == []

    daily, warning = review.run_step("daily", on=WARNING_DAY)

    assert daily.kind == ReviewRun.Kind.DAILY
    assert warning.kind == ReviewRun.Kind.QUARTER_WARNING
    assert (warning.period_start, warning.period_end) == (
        date(2026, 1, 1),
        date(2026, 3, 31),
    )
    assert warning.report["uncleared"] == [untriaged.pk, at_department.pk]
    assert warning.stats == {"uncleared": 2, "days_left": 14}


def test_the_quarter_warning_is_given_once(staff):
    received(date(2026, 1, 5), 10)
    _daily, warning = review.run_step("daily", on=WARNING_DAY)
    received(date(2026, 3, 18), 10)

    later = review.run_step("daily", on=date(2026, 3, 19))
    review.run_step("daily", on=date(2026, 3, 31))

    assert later[1] == warning
    assert runs(ReviewRun.Kind.QUARTER_WARNING) == [warning]
    warning.refresh_from_db()
    assert warning.stats["uncleared"] == 1


def test_no_quarter_warning_on_a_day_off_within_the_last_two_weeks(db):
    saturday = date(2026, 3, 21)

    assert review.run_step("daily", on=saturday) == []
    assert runs(ReviewRun.Kind.QUARTER_WARNING) == []


# --- every step: once per period ------------------------------------------------------


@pytest.fixture
def busy_quarter(staff, department):
    """Something for every step to do, on the days the steps below run."""
    received(date(2026, 3, 5), 16)  # untriaged by Monday 9 March
    # Overdue: supervised on Monday 9 March, escalated on Monday 23 March.
    dispatched(staff, department, due_on=date(2026, 3, 6), sign=True)
    dispatched(staff, department, due_on=TUESDAY)  # reminded on Monday 9 March
    replied(staff, answered_on=date(2026, 2, 26))  # closed unrated on Monday 9 March
    closed(staff, answered_on=date(2026, 3, 3))
    OfficialFactory(department=department)
    LeaderFactory()


STEP_DAYS = [
    ("daily", MONDAY),
    ("weekly", WEEK),
    ("monthly", QUARTER_START),
    ("quarterly", QUARTER_START),
    ("quarter-warning", WARNING_DAY),
]


def _state() -> dict:
    return {
        "runs": sorted(ReviewRun.objects.values_list("pk", "kind", "stats", "report")),
        "events": PetitionEvent.objects.count(),
        "escalations": Escalation.objects.count(),
        "petitions": sorted(
            Petition.objects.values_list(
                "pk", "status", "triage_flagged_on", "supervised_on", "rating"
            )
        ),
    }


@pytest.mark.parametrize(("step", "day"), STEP_DAYS)
def test_every_step_run_twice_returns_the_same_run_and_changes_nothing(
    busy_quarter, step, day
):
    first = review.STEPS[step](on=day)
    after_first = _state()

    again = review.STEPS[step](on=day)

    assert again == first
    assert _state() == after_first
    assert first.finished_at is not None
    assert any(first.stats.values())  # the first run had something to do


@pytest.mark.parametrize(("step", "day"), STEP_DAYS)
def test_every_step_run_twice_sends_its_emails_once(
    busy_quarter, step, day, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        review.STEPS[step](on=day)
    sent = [(m.to, m.subject) for m in mailoutbox]

    with django_capture_on_commit_callbacks(execute=True):
        review.STEPS[step](on=day)

    assert [(m.to, m.subject) for m in mailoutbox] == sent
    assert sent


# --- every step: constant queries -------------------------------------------------------


def _answered(pks: list[int], day: date) -> None:
    Petition.objects.filter(pk__in=pks).update(
        status=S.REPLIED, answer="已答复。", answered_at=at(day, 10), answer_round=1
    )


def _daily_data(n: int) -> dict:
    departments = DepartmentFactory.create_batch(3)
    share = n // 5
    received_batch(share, date(2026, 3, 6))  # the intake
    received_batch(share, date(2026, 3, 4))  # not triaged in time
    at_department(received_batch(share, date(2026, 2, 24)), departments, due_on=TUESDAY)
    at_department(
        received_batch(share, date(2026, 2, 20)), departments, due_on=date(2026, 3, 5)
    )
    _answered(received_batch(share, date(2026, 2, 20)), date(2026, 2, 26))
    return dict.fromkeys(
        [
            "intake",
            "untriaged",
            "due_next_working_day",
            "newly_supervised",
            "closed_without_rating",
        ],
        share,
    )


def _weekly_data(n: int) -> dict:
    departments = DepartmentFactory.create_batch(3)
    share = n // 2
    at_department(
        received_batch(share, date(2026, 2, 10)), departments, due_on=date(2026, 3, 5)
    )
    at_department(
        received_batch(share, date(2026, 3, 10)), departments, due_on=date(2026, 3, 25)
    )
    return {"escalated": share, "overdue": share, "due_this_week": share}


def _monthly_data(n: int) -> dict:
    departments = DepartmentFactory.create_batch(3)
    share = n // 2
    received_batch(share, date(2026, 3, 3), channel=Petition.Channel.PHONE)
    answered = received_batch(share, date(2026, 3, 2))
    PetitionEvent.objects.bulk_create(
        PetitionEvent(
            petition_id=pk,
            kind=K.STATUS,
            from_status=S.IN_PROGRESS,
            to_status=S.REPLIED,
            data={
                "outcome": "resolved",
                "department_id": departments[i % 3].pk,
                "on_time": True,
            },
            created_at=at(date(2026, 3, 12)),
        )
        for i, pk in enumerate(answered)
    )
    return {"intake": 2 * share, "answered": share}


def _quarterly_data(n: int) -> dict:
    departments = DepartmentFactory.create_batch(3)
    share = n // 2
    received_batch(share, date(2026, 2, 2))
    at_department(
        received_batch(share, date(2026, 3, 2)), departments, due_on=date(2026, 3, 16)
    )
    return {"uncleared": 2 * share}


QUERY_STEPS = [
    ("daily", MONDAY, _daily_data),
    ("weekly", WEEK, _weekly_data),
    ("monthly", QUARTER_START, _monthly_data),
    ("quarterly", QUARTER_START, _quarterly_data),
    ("quarter-warning", WARNING_DAY, _quarterly_data),
]


def _queries(step: str, day: date, build, n: int) -> int:
    """Statements of one run of `step` over n petitions; the data is rolled back after."""
    with transaction.atomic():
        expected = build(n)
        workdays.is_working_day(
            day
        )  # the staff's calendar overrides are cached: read them first
        with CaptureQueriesContext(connection) as queries:
            (run, *_rest) = review.run_step(step, on=day)
        for figure, value in expected.items():
            assert run.stats[figure] == value, figure
        transaction.set_rollback(True)
    return len(statements(queries.captured_queries))


@pytest.mark.parametrize(("step", "day", "build"), QUERY_STEPS)
def test_every_step_makes_as_many_queries_for_300_petitions_as_for_10(
    db, step, day, build
):
    assert _queries(step, day, build, 10) == _queries(step, day, build, 300)


# --- two at once (PostgreSQL) ---------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_daily_studies_at_once_make_one_run_and_supervise_once():
    staff = StaffFactory()
    department = DepartmentFactory()
    late = [dispatched(staff, department, due_on=date(2026, 3, 5)) for _ in range(3)]
    barrier = threading.Barrier(2)
    run_pks: list[int] = []
    failures: list[BaseException] = []

    def study() -> None:
        try:
            barrier.wait(timeout=10)
            run_pks.append(review.run_daily_study(on=MONDAY).pk)
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
        finally:
            connection.close()  # each thread had its own connection

    threads = [threading.Thread(target=study) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert failures == []
    (run,) = ReviewRun.objects.filter(kind=ReviewRun.Kind.DAILY)
    assert run_pks == [run.pk, run.pk]
    assert run.stats["newly_supervised"] == 3
    for petition in late:
        assert len(events(petition, K.SUPERVISION)) == 1
    assert PetitionEvent.objects.filter(kind=K.SUPERVISION).count() == 3


# --- by hand: manage.py run_cycle -------------------------------------------------------


def test_run_cycle_runs_the_daily_study_and_prints_one_line(staff, department):
    late = dispatched(staff, department, due_on=date(2026, 3, 6))
    received(date(2026, 3, 6), 10)
    out = StringIO()

    call_command("run_cycle", "daily", "--date", "2026-03-09", stdout=out)

    run = ReviewRun.objects.get(kind=ReviewRun.Kind.DAILY, period_start=MONDAY)
    late.refresh_from_db()
    assert late.supervised_on == MONDAY
    (line,) = out.getvalue().splitlines()
    assert line.startswith(f"daily 2026-03-09..2026-03-09 (run {run.pk}, ")
    assert "intake=1" in line
    assert "newly_supervised=1" in line


def summary(out: StringIO) -> tuple[str, set[str]]:
    """The printed line as (step, period and run; the figures).

    The figures are compared as a set: PostgreSQL's jsonb keeps the stored figures in
    an order of its own, so a run read back prints them in another order.
    """
    (line,) = out.getvalue().splitlines()
    head, figures = line.split(": ", 1)
    return head, set(figures.split(", "))


def test_run_cycle_again_reports_the_same_run(staff, department):
    dispatched(staff, department, due_on=date(2026, 3, 6))
    first, second = StringIO(), StringIO()

    call_command("run_cycle", "daily", "--date", "2026-03-09", stdout=first)
    call_command("run_cycle", "daily", "--date", "2026-03-09", stdout=second)

    assert summary(first) == summary(second)
    assert PetitionEvent.objects.filter(kind=K.SUPERVISION).count() == 1


def test_run_cycle_on_a_day_off_says_there_is_nothing_to_do(db):
    out = StringIO()

    call_command("run_cycle", "daily", "--date", "2026-03-07", stdout=out)

    (line,) = out.getvalue().splitlines()
    assert "2026-03-07" in line
    assert "not a working day" in line
    assert not ReviewRun.objects.exists()


@pytest.mark.parametrize("bad", ["2026-02-30", "09/03/2026", "tomorrow"])
def test_run_cycle_refuses_a_bad_date(db, bad):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("run_cycle", "daily", "--date", bad, stdout=StringIO())

    assert not ReviewRun.objects.exists()


def test_run_cycle_runs_the_weekly_dispatch_for_the_week_of_the_date(staff, department):
    out = StringIO()

    call_command("run_cycle", "weekly", "--date", "2026-03-25", stdout=out)

    (line,) = out.getvalue().splitlines()
    assert line.startswith("weekly 2026-03-23..2026-03-29 ")
    assert ReviewRun.objects.get().kind == ReviewRun.Kind.WEEKLY


def test_a_returned_petition_gets_a_whole_working_day_at_triage_again(
    staff, department
):
    """Returned on Friday, it is not flagged on Monday, only on Tuesday."""
    petition = dispatched(staff, department, due_on=date(2026, 3, 20))
    services.return_petition(
        petition=petition,
        actor=staff,
        basis="不属于本局职责。",
        now=at(date(2026, 3, 6), 15),
    )

    monday = review.run_daily_study(on=MONDAY)
    tuesday = review.run_daily_study(on=TUESDAY)

    petition.refresh_from_db()
    assert petition.pk not in monday.report["untriaged"]
    assert tuesday.report["untriaged"] == [petition.pk]
    assert petition.triage_flagged_on == TUESDAY


def test_a_redispatched_petition_is_supervised_again_when_late_again(
    staff, department, other_department
):
    petition = dispatched(staff, department, due_on=date(2026, 3, 6), sign=True)
    review.run_daily_study(on=MONDAY)
    petition.refresh_from_db()
    assert petition.supervised_on == MONDAY
    services.return_petition(
        petition=petition, actor=staff, basis="应由市场监管局办理。", now=at(TUESDAY, 9)
    )
    petition.refresh_from_db()
    assert petition.supervised_on is None  # no longer shown as supervised at triage
    services.accept_petition(
        petition=petition,
        actor=staff,
        category=petition.category,
        priority=Petition.Priority.NORMAL,
        handling=Petition.Handling.DEPARTMENT,
        now=at(TUESDAY, 10),
    )
    petition = services.dispatch_petition(
        petition=petition, department=other_department, actor=staff, now=at(TUESDAY, 11)
    )
    late = workdays.add_working_days(petition.due_on, 1)

    review.run_daily_study(on=late)

    petition.refresh_from_db()
    assert petition.supervised_on == late
    assert len(events(petition, K.SUPERVISION)) == 2
