"""The review cycle: 日研究、周调度、月总结、季清零 (daily study, weekly dispatch, monthly summary,
quarterly clear-to-zero), plus the warning two weeks before a quarter ends.

Each step is idempotent for its period (STYLE B7): it starts by creating its unique
ReviewRun row; if the row exists the step has run and returns it untouched, and two
runs at the same moment meet at the unique constraint. A step is one transaction, so a
worker killed in the middle leaves nothing behind and the next run does the whole step.
Queries are set-based (values_list, update, bulk_create): their number does not grow
with the number of petitions. E-mails are enqueued after commit, and each step stores
its figures (stats) and its lists (report) for the staff's pages, with the values of the
method's rules it ran with (report["rules"], chamber/method_rules.py: staff change them
in the admin, and a change applies from the next step on).

A tick lost with a killed worker (the filesystem broker of `make run` does not give a
task back) is caught up by the next tick: see `catch_up`.
"""

from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Exists, Min, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chamber import method_rules, workdays
from petitions import emails, selectors, today, topics
from petitions.models import Escalation, Petition, PetitionEvent, ReviewRun

S = Petition.Status


def _start(
    kind: str, period_start: date, period_end: date, caught_up_on: date | None
) -> tuple[ReviewRun, bool]:
    return ReviewRun.objects.get_or_create(
        kind=kind,
        period_start=period_start,
        defaults={"period_end": period_end, "caught_up_on": caught_up_on},
    )


def _finish(
    run: ReviewRun,
    *,
    rules: method_rules.Rules,
    stats: dict,
    report: dict | None = None,
) -> ReviewRun:
    run.stats = stats
    run.report = {**(report or {}), "rules": rules.as_dict()}
    run.finished_at = timezone.now()
    run.save(update_fields=["stats", "report", "finished_at"])
    return run


def _system_events(
    pks, kind: str, *, now: datetime, note: str = "", data=None, **extra
) -> None:
    PetitionEvent.objects.bulk_create(
        PetitionEvent(
            petition_id=pk,
            kind=kind,
            note=note,
            data=data or {},
            created_at=now,
            **extra,
        )
        for pk in pks
    )


def month_bounds(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return first, last


def quarter_bounds(day: date) -> tuple[date, date]:
    first = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    last = (first + timedelta(days=95)).replace(day=1) - timedelta(days=1)
    return first, last


def period_of(kind: str, on: date) -> tuple[date, date]:
    """The period (first and last day) the step `kind` run on day `on` is for."""
    K = ReviewRun.Kind
    if kind == K.DAILY:
        return on, on
    if kind == K.WEEKLY:
        week_start = on - timedelta(days=on.weekday())
        return week_start, week_start + timedelta(days=6)
    if kind == K.MONTHLY:  # the month before
        return month_bounds(on.replace(day=1) - timedelta(days=1))
    if kind == K.QUARTERLY:  # the quarter before
        return quarter_bounds(quarter_bounds(on)[0] - timedelta(days=1))
    return quarter_bounds(on)  # the warning, for the quarter holding `on`


# --- 日研究 ---------------------------------------------------------------------------


@transaction.atomic
def run_daily_study(*, on: date, caught_up_on: date | None = None) -> ReviewRun | None:
    """日研究 for working day `on`: the intake, untriaged flags, tomorrow's deadlines,
    supervision of overdue petitions and closing replies left unrated. Once per day."""
    if not workdays.is_working_day(on):
        return None
    run, created = _start(ReviewRun.Kind.DAILY, on, on, caught_up_on)
    if not created:
        return run
    now = timezone.now()
    rules = method_rules.current()
    previous = workdays.last_working_day_before(on)
    open_at_department = Petition.objects.waiting_at_department()

    intake = list(
        Petition.objects.filter(
            created_at__gte=workdays.start_of_day(previous),
            created_at__lt=workdays.start_of_day(on),
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    # In (or back from a department) a whole working day without triage: the rule the
    # staff dashboard's 待分办 shows in red (petitions/today.py).
    untriaged = list(
        Petition.objects.filter(
            status=S.SUBMITTED,
            triage_flagged_on__isnull=True,
            awaiting_triage_since__lt=today.triage_late_before(on),
        ).values_list("pk", flat=True)
    )
    Petition.objects.filter(pk__in=untriaged).update(triage_flagged_on=on)
    _system_events(untriaged, PetitionEvent.Kind.TRIAGE_FLAG, now=now)

    next_day = workdays.add_working_days(on, 1)
    due_next = list(
        open_at_department.filter(due_on__gt=on, due_on__lte=next_day).values_list(
            "pk", "department_id"
        )
    )
    _system_events(
        [pk for pk, _dep in due_next],
        PetitionEvent.Kind.REMINDER,
        now=now,
        data={"due_on": next_day.isoformat()},
    )

    overdue = list(
        Petition.objects.overdue(on)
        .filter(supervised_on__isnull=True)
        .values_list("pk", flat=True)
    )
    Petition.objects.filter(pk__in=overdue).update(supervised_on=on)
    _system_events(overdue, PetitionEvent.Kind.SUPERVISION, now=now)

    unrated = _close_unrated(on=on, now=now, days=rules.rating_window)
    # 每月一题: a topic's task past its due date is supervised as an overdue petition is.
    tasks = topics.supervise_overdue_tasks(on=on, now=now)
    run = _finish(
        run,
        rules=rules,
        stats={
            "intake": len(intake),
            "untriaged": len(untriaged),
            "due_next_working_day": len(due_next),
            "newly_supervised": len(overdue),
            "closed_without_rating": len(unrated),
            "topic_tasks_supervised": len(tasks),
        },
        report={
            "intake": intake,
            "untriaged": untriaged,
            "due_next_working_day": [pk for pk, _dep in due_next],
            "newly_supervised": overdue,
            "closed_without_rating": unrated,
            "topic_tasks_supervised": tasks,
            "next_working_day": next_day.isoformat(),
        },
    )
    emails.review_step(run)
    emails.due_next_working_day(run)
    emails.overdue(run)
    return run


def _close_unrated(*, on: date, now: datetime, days: int) -> list[int]:
    """Close replies not rated within `days` working days (the rating window), recording
    "no rating"."""
    cutoff = workdays.nth_working_day_before(on, days)
    # Locked until the step commits: a rating arriving meanwhile waits, then finds the
    # petition closed, so no "closed without rating" event is written for a rated one.
    unrated = list(
        Petition.objects.select_for_update()
        .filter(status=S.REPLIED, answered_at__lt=workdays.start_of_day(cutoff))
        .values_list("pk", flat=True)
    )
    Petition.objects.filter(pk__in=unrated, status=S.REPLIED).update(
        status=S.CLOSED, rating=Petition.Rating.NONE, rated_at=now, closed_at=now
    )
    _system_events(
        unrated,
        PetitionEvent.Kind.STATUS,
        now=now,
        note=_("No rating within %(days)d working days.") % {"days": days},
        data={"rating": Petition.Rating.NONE},
        from_status=S.REPLIED,
        to_status=S.CLOSED,
        is_public=True,
    )
    return unrated


# --- 周调度 ---------------------------------------------------------------------------


@transaction.atomic
def run_weekly_dispatch(*, on: date, caught_up_on: date | None = None) -> ReviewRun:
    """周调度 for the week holding `on`: each department's board, escalation of petitions
    overdue by more than `escalate_after` working days (10 by default), and the
    hand-over to the weekly digests."""
    week_start, week_end = period_of(ReviewRun.Kind.WEEKLY, on)
    run, created = _start(ReviewRun.Kind.WEEKLY, week_start, week_end, caught_up_on)
    if not created:
        return run
    now = timezone.now()
    rules = method_rules.current()
    boards = selectors.department_boards(on=on)
    # Due before the 10th working day before `on` (escalate_after, 10 by default): overdue
    # by 11 or more working days, counted as Escalation.overdue_working_days counts them
    # (due Friday, Monday is day 1).
    cutoff = workdays.nth_working_day_before(on, rules.escalate_after)
    already = Escalation.objects.filter(
        petition=OuterRef("pk"),
        reason=Escalation.Reason.OVERDUE,
        period_start=OuterRef("due_on"),
    )
    rows = list(
        Petition.objects.overdue(cutoff)
        .filter(~Exists(already))
        .values_list("pk", "due_on", "department_id", "created_at")
    )
    escalated = _escalate(
        rows,
        run=run,
        reason=Escalation.Reason.OVERDUE,
        on=on,
        now=now,
        period=lambda due_on: due_on,
    )
    run = _finish(
        run,
        rules=rules,
        stats={
            "open": sum(b["open"] for b in boards),
            "due_this_week": sum(b["due_this_week"] for b in boards),
            "overdue": sum(b["overdue"] for b in boards),
            "escalated": len(escalated),
        },
        report={"departments": boards, "escalated": escalated},
    )
    if escalated:
        emails.review_step(run)
    # The weekly digests start from here, once the week's figures are committed: a task
    # of publicity's called by name (petitions sits above publicity, never imports it),
    # run in this process, so a broker that is down cannot lose the week's planning.
    from celery import signature

    plan_digests = signature(
        "publicity.tasks.plan_weekly_digests", args=(run.period_start.isoformat(),)
    )
    transaction.on_commit(plan_digests.apply)
    return run


def _escalate(
    rows, *, run: ReviewRun, reason: str, on: date, now: datetime, period
) -> list[int]:
    """Escalate (pk, due_on, department_id, created_at) rows to the leaders; one event each."""
    if not rows:
        return []
    earliest = min(timezone.localtime(created).date() for *_r, created in rows)
    counter = workdays.WorkingDayCounter(earliest, on)
    Escalation.objects.bulk_create(
        Escalation(
            petition_id=pk,
            run=run,
            reason=reason,
            period_start=period(due_on),
            department_id=department_id,
            age_working_days=counter.between(timezone.localtime(created).date(), on),
            overdue_working_days=counter.between(due_on, on) if due_on else 0,
            created_at=now,
        )
        for pk, due_on, department_id, created in rows
    )
    pks = [row[0] for row in rows]
    _system_events(pks, PetitionEvent.Kind.ESCALATION, now=now, data={"reason": reason})
    return pks


# --- 月总结 ---------------------------------------------------------------------------


@transaction.atomic
def run_monthly_summary(*, on: date, caught_up_on: date | None = None) -> ReviewRun:
    """月总结: the stored report of the month before the one holding `on`, with the
    candidates for the next month's topic (每月一题, petitions/topics.py)."""
    first, last = period_of(ReviewRun.Kind.MONTHLY, on)
    run, created = _start(ReviewRun.Kind.MONTHLY, first, last, caught_up_on)
    if not created:
        return run
    rules = method_rules.current()
    report = {
        **selectors.period_report(first=first, last=last, min_ranked=rules.min_ranked),
        "candidates": topics.candidates(first=first, last=last),
    }
    run = _finish(run, rules=rules, stats=report["totals"], report=report)
    emails.period_report(run)
    return run


# --- 季清零 ---------------------------------------------------------------------------


def _uncleared(first: date, last: date):
    return (
        Petition.objects.open()
        .filter(
            created_at__gte=workdays.start_of_day(first),
            created_at__lt=workdays.start_of_day(last + timedelta(days=1)),
        )
        .order_by("created_at", "pk")
    )


@transaction.atomic
def run_quarterly_clearance(*, on: date, caught_up_on: date | None = None) -> ReviewRun:
    """季清零 for the quarter before the one holding `on`: every petition of it not yet
    closed goes to the leaders with its department and age; the clearance report is
    stored, with the quarter's monthly topics and their tasks done and late."""
    first, last = period_of(ReviewRun.Kind.QUARTERLY, on)
    run, created = _start(ReviewRun.Kind.QUARTERLY, first, last, caught_up_on)
    if not created:
        return run
    now = timezone.now()
    rows = list(
        _uncleared(first, last).values_list(
            "pk", "due_on", "department_id", "created_at"
        )
    )
    escalated = _escalate(
        rows,
        run=run,
        reason=Escalation.Reason.CLEARANCE,
        on=on,
        now=now,
        period=lambda _due: first,
    )
    rules = method_rules.current()
    summary = selectors.period_report(
        first=first, last=last, min_ranked=rules.min_ranked
    )
    stats = {**summary["totals"], "uncleared": len(escalated)}
    report = {
        **summary,
        "uncleared": escalated,
        "topics": topics.quarter_topics(first=first, last=last, on=on),
    }
    run = _finish(run, rules=rules, stats=stats, report=report)
    emails.review_step(run)
    emails.period_report(run)
    return run


@transaction.atomic
def run_quarter_warning(
    *, on: date, caught_up_on: date | None = None
) -> ReviewRun | None:
    """`quarter_warning` days (two weeks by default) before the quarter ends: tell staff
    what still has to be cleared. Once a quarter."""
    first, last = period_of(ReviewRun.Kind.QUARTER_WARNING, on)
    rules = method_rules.current()
    if on < last - timedelta(days=rules.quarter_warning - 1):
        return None
    run, created = _start(ReviewRun.Kind.QUARTER_WARNING, first, last, caught_up_on)
    if not created:
        return run
    uncleared = list(_uncleared(first, last).values_list("pk", flat=True))
    run = _finish(
        run,
        rules=rules,
        stats={"uncleared": len(uncleared), "days_left": (last - on).days + 1},
        report={"uncleared": uncleared},
    )
    emails.review_step(run)
    return run


STEPS = {
    "daily": run_daily_study,
    "weekly": run_weekly_dispatch,
    "monthly": run_monthly_summary,
    "quarterly": run_quarterly_clearance,
    "quarter-warning": run_quarter_warning,
}


# --- catch-up ----------------------------------------------------------------------------

# How many periods of each step a tick looks back for one without a run. A lost tick is
# caught up by the next day's daily study, so one period is enough for the steps that
# e-mail (a week-old digest or clearance is noise once the next one is out); the daily
# study looks two working days back (two lost mornings in a row), and the monthly summary,
# a stored report without e-mail, three months. The quarter's warning needs none: every
# working day of the quarter's last two weeks gives it.
CATCH_UP_PERIODS = {
    ReviewRun.Kind.DAILY: 2,
    ReviewRun.Kind.WEEKLY: 1,
    ReviewRun.Kind.MONTHLY: 3,
    ReviewRun.Kind.QUARTERLY: 1,
}
# The order beat runs them in on one morning (07:00, 07:30, 08:00, 08:30).
_MORNING_ORDER = [
    ReviewRun.Kind.MONTHLY,
    ReviewRun.Kind.QUARTERLY,
    ReviewRun.Kind.WEEKLY,
    ReviewRun.Kind.DAILY,
]


def _beat_days(kind: str, before: date) -> list[date]:
    """The last CATCH_UP_PERIODS[kind] days before `before` on which beat runs `kind`
    (working days; Mondays; the 1st of a month; a quarter's first day), newest first."""
    count = CATCH_UP_PERIODS[kind]
    if kind == ReviewRun.Kind.DAILY:
        days = [workdays.last_working_day_before(before)]
        while len(days) < count:
            days.append(workdays.last_working_day_before(days[-1]))
        return days
    yesterday = before - timedelta(days=1)
    if kind == ReviewRun.Kind.WEEKLY:
        monday = yesterday - timedelta(days=yesterday.weekday())
        return [monday - timedelta(weeks=n) for n in range(count)]
    months = 1 if kind == ReviewRun.Kind.MONTHLY else 3
    first = (
        yesterday.replace(day=1)
        if kind == ReviewRun.Kind.MONTHLY
        else quarter_bounds(yesterday)[0]
    )
    days = [first]
    while len(days) < count:
        month = days[-1].month - months
        days.append(
            days[-1].replace(
                year=days[-1].year + (month - 1) // 12, month=(month - 1) % 12 + 1
            )
        )
    return days


def catch_up(*, on: date) -> list[ReviewRun]:
    """Run the steps a lost tick left without a run, before the tick of day `on` runs its own.

    For each step, the periods of its last CATCH_UP_PERIODS beat days before `on` that have
    no ReviewRun are run now, oldest first, each as the step would have run on its own day
    and in its own transaction, claimed by the unique ReviewRun row as always (so two
    ticks catching up at once, or a tick and `run_cycle`, still run it once). A period is
    caught up only when the step has run for an earlier period: a fresh install, or a
    step never run yet, does not backfill. Two queries, whatever the number of runs; the
    runs it makes carry `caught_up_on`, shown on the staff's review-cycle page.
    """
    first_runs = dict(
        ReviewRun.objects.filter(kind__in=CATCH_UP_PERIODS)
        .values_list("kind")
        .annotate(first=Min("period_start"))
    )
    if not first_runs:
        return []
    due = [
        (day, kind, period_of(kind, day)[0])
        for kind in first_runs
        for day in _beat_days(kind, on)
    ]
    due = [(day, kind, start) for day, kind, start in due if start > first_runs[kind]]
    if not due:
        return []
    wanted = Q()
    for _day, kind, start in due:
        wanted |= Q(kind=kind, period_start=start)
    have = set(ReviewRun.objects.filter(wanted).values_list("kind", "period_start"))
    missing = sorted(
        ((day, kind) for day, kind, start in due if (kind, start) not in have),
        key=lambda item: (item[0], _MORNING_ORDER.index(item[1])),
    )
    runs = [STEPS[kind](on=day, caught_up_on=on) for day, kind in missing]
    return [run for run in runs if run is not None]


def run_step(kind: str, *, on: date) -> list[ReviewRun]:
    """Run one step for `on` (the beat tasks and `manage.py run_cycle` both come here):
    the step's own run first in the list, then the quarter's warning, then what was
    caught up.

    Every tick first catches up the periods an earlier tick lost (`catch_up`). The daily
    study also looks whether the quarter's clear-to-zero warning is due, so the warning
    never waits for a schedule of its own.
    """
    caught_up = catch_up(on=on)
    runs = [STEPS[kind](on=on)]
    if kind == "daily" and workdays.is_working_day(on):
        runs.append(run_quarter_warning(on=on))
    runs = [run for run in runs if run is not None]
    # On the 2nd, the month before is both the monthly tick's own period and the one
    # the 1st's lost tick left: listed once.
    return runs + [run for run in caught_up if run not in runs]
