"""今日待办: the secretariat's work of the day, counted once and listed the same way.

Each item is a filter on petitions (`todo_filters`). The staff dashboard counts every
item in one query (`todo_counts`), and the staff list (`petitions:staff_list?todo=…`)
filters by the same Q, so a figure always equals the rows of the list it links to.
The rules come from `petitions.models` (`section_q`, `waiting_at_department_q`) and
`chamber.workdays`; none is written a second time here.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_celery_beat.models import PeriodicTask

from chamber import method_rules, workdays
from petitions import selectors
from petitions.models import (
    Escalation,
    Extension,
    InfoRequest,
    Petition,
    PetitionEvent,
    ReviewRun,
    Section,
    TopicTask,
    section_q,
    waiting_at_department_q,
)

TO_DISPATCH = "to_dispatch"
TO_DISPATCH_LATE = "to_dispatch_late"
RETURNED = "returned"
AWAITING_REVIEW = "awaiting_review"
DUE_TODAY = "due_today"
DUE_NEXT_WORKING_DAY = "due_next_working_day"
OVERDUE = "overdue"
ESCALATED = "escalated"
INSTRUCTED = "instructed"
UNSATISFIED = "unsatisfied"
EXTENSION_ASKED = "extension_asked"
INFO_REQUEST_LATE = "info_request_late"
RETURN_VISIT = "return_visit"

LABELS = {
    TO_DISPATCH: _("To dispatch"),
    TO_DISPATCH_LATE: _("To dispatch, waiting more than one working day"),
    RETURNED: _("Returned by a department, to dispatch again"),
    AWAITING_REVIEW: _("Replied by the department, to review"),
    DUE_TODAY: _("Due today at departments"),
    DUE_NEXT_WORKING_DAY: _("Due at departments on the next working day"),
    OVERDUE: _("Overdue, to supervise"),
    ESCALATED: _("Escalated to the district leaders"),
    INSTRUCTED: _("With a leader's instruction not yet carried out"),
    UNSATISFIED: _("Rated unsatisfied, to follow up"),
    EXTENSION_ASKED: _("Extensions asked by departments, to decide"),
    INFO_REQUEST_LATE: _("Requests to enterprises past their deadline, to close"),
    RETURN_VISIT: _("Answers still without a rating, for a return visit (回访)"),
}
# Parts shown inside another item ("of which …"), in red: key → the item holding it.
PARTS = {TO_DISPATCH_LATE: TO_DISPATCH, INSTRUCTED: ESCALATED}
PART_TEXTS = {
    TO_DISPATCH_LATE: _("of which %(n)s waiting more than one working day"),
    INSTRUCTED: _("of which %(n)s with an instruction not yet carried out"),
}


def triage_late_before(on: date) -> datetime:
    """Waiting for triage since before this moment: a whole working day without triage
    on day `on`, as the daily study counts it (petitions.review.run_daily_study)."""
    return workdays.start_of_day(workdays.last_working_day_before(on))


def info_request_late_before(on: date, days: int) -> datetime:
    """A request to the enterprise asked before this moment is past its deadline on day
    `on`: its `days` working days (the rule info_request_timeout) ended before `on`, as
    `services.info_request_deadline` counts them (staff may then close it)."""
    return workdays.start_of_day(workdays.nth_working_day_before(on, days))


def return_visit_before(on: date, days: int) -> datetime:
    """An answer given before this moment was given `days` working days ago or more on
    day `on` (the rule return_visit_after): `on` counts when it is a working day."""
    return workdays.start_of_day(
        workdays.nth_working_day_before(on + timedelta(days=1), days)
    )


def instructions_waiting_q() -> Q | None:
    """The leaders' 批示 (issue 18, item 5): petitions with a district leader's
    instruction their department has not answered yet, by the one rule of
    `PetitionEvent.objects.open_instructions()`.

    None where petitions record no 批示: the item is then left out everywhere (the
    dashboard, the staff list's choices), never shown as a wrong 0.
    """
    open_instructions = getattr(PetitionEvent.objects, "open_instructions", None)
    if open_instructions is None:
        return None
    return Q(Exists(open_instructions().filter(petition=OuterRef("pk"))))


def todo_filters(on: date) -> dict[str, tuple[Q, tuple[str, ...]]]:
    """Each item of the day's work on day `on`: its filter on petitions and the order of
    its list (the most pressing first). Every filter holds open petitions only."""
    still_open = ~section_q(Section.ENDED, on)
    bounced = Q(bounce_count__gt=0)
    to_triage = section_q(Section.TO_TRIAGE, on)
    to_dispatch = (to_triage & ~bounced) | section_q(Section.WITH_CHAMBER, on)
    waiting = waiting_at_department_q()
    next_day = workdays.add_working_days(on, 1)
    # EXISTS, not IN: one index probe per open petition, however many escalations the
    # years have piled up (an IN hashes every one of them, on each count).
    escalated = still_open & Q(
        Exists(Escalation.objects.filter(petition=OuterRef("pk")))
    )
    rules = method_rules.current()
    extension_asked = Extension.objects.filter(
        petition=OuterRef("pk"), status=Extension.Status.ASKED
    )
    late_request = InfoRequest.objects.open().filter(
        petition=OuterRef("pk"),
        asked_at__lt=info_request_late_before(on, rules.info_request_timeout),
    )
    filters = {
        TO_DISPATCH: (to_dispatch, ("awaiting_triage_since", "pk")),
        TO_DISPATCH_LATE: (
            to_dispatch & Q(awaiting_triage_since__lt=triage_late_before(on)),
            ("awaiting_triage_since", "pk"),
        ),
        RETURNED: (to_triage & bounced, ("awaiting_triage_since", "pk")),
        AWAITING_REVIEW: (
            section_q(Section.AWAITING_REVIEW, on),
            ("department_replied_at", "pk"),
        ),
        DUE_TODAY: (waiting & Q(due_on=on), ("due_on", "pk")),
        # As the daily study reminds departments: after today, up to the next working day.
        DUE_NEXT_WORKING_DAY: (
            waiting & Q(due_on__gt=on, due_on__lte=next_day),
            ("due_on", "pk"),
        ),
        OVERDUE: (section_q(Section.OVERDUE, on), ("due_on", "pk")),
        # 延期 and 待企业补充: the department waits for the chamber's decision; the
        # enterprise let the time pass, so staff may close the request.
        EXTENSION_ASKED: (still_open & Q(Exists(extension_asked)), ("due_on", "pk")),
        INFO_REQUEST_LATE: (
            section_q(Section.AWAITING_INFO, on) & Q(Exists(late_request)),
            ("due_on", "pk"),
        ),
        ESCALATED: (escalated, ("created_at", "pk")),
        # Unsatisfied sends the petition back (to the department or the chamber) and
        # keeps the rating until the next answer clears it: rated unsatisfied and not
        # yet answered again.
        UNSATISFIED: (
            still_open & Q(rating=Petition.Rating.UNSATISFIED),
            ("rated_at", "pk"),
        ),
        # 回访: answers the enterprise has not rated this many working days after.
        RETURN_VISIT: (
            section_q(Section.ANSWERED, on)
            & Q(answered_at__lt=return_visit_before(on, rules.return_visit_after)),
            ("answered_at", "pk"),
        ),
    }
    instructed = instructions_waiting_q()
    if instructed is not None:
        filters[INSTRUCTED] = (escalated & instructed, ("created_at", "pk"))
    return filters


def todo_choices() -> list[tuple[str, str]]:
    """The items a staff list can be filtered by, in the dashboard's order."""
    return [(key, LABELS[key]) for key in todo_filters(timezone.localdate())]


def todo_counts(*, on: date) -> dict[str, int]:
    """How many petitions each item holds on day `on`. One query."""
    return Petition.objects.open().aggregate(
        **{
            key: Count("pk", filter=condition)
            for key, (condition, _order) in todo_filters(on).items()
        }
    )


def todo_petitions(
    petitions: QuerySet[Petition], todo: str, *, on: date
) -> QuerySet[Petition]:
    """`petitions` narrowed to one item of the day's work, in the item's order."""
    condition, order = todo_filters(on)[todo]
    return petitions.filter(condition).order_by(*order)


@dataclass(frozen=True)
class Figure:
    """One figure of the day's work, with its "of which" part shown in red."""

    key: str
    count: int
    part: "Figure | None" = None

    @property
    def label(self) -> str:
        return LABELS[self.key]

    @property
    def alarm(self) -> bool:
        """Shown in red: late by the rules (a part is always red)."""
        return self.key == OVERDUE or self.key in PARTS

    @property
    def part_text(self) -> str:
        """The words of a part inside its item: "of which 2 waiting more than …"."""
        return PART_TEXTS[self.key] % {"n": self.count}

    @property
    def url(self) -> str:
        return f"{reverse('petitions:staff_list')}?todo={self.key}"


def todo_figures(*, on: date) -> list["Figure | TaskFigure"]:
    """The dashboard's figures on day `on`: the petitions' items, each with its part,
    then the monthly topics' overdue tasks. Two queries."""
    counts = todo_counts(on=on)
    parts = {
        PARTS[key]: Figure(key, count) for key, count in counts.items() if key in PARTS
    }
    return [
        *(
            Figure(key, count, parts.get(key))
            for key, count in counts.items()
            if key not in PARTS
        ),
        TaskFigure(TopicTask.objects.overdue(on).count()),
    ]


@dataclass(frozen=True)
class TaskFigure:
    """每月一题: the topics' tasks past their due date, supervised as overdue petitions
    are (`TopicTask.objects.overdue`, the rule the daily study marks them by); the
    figure links to the list of exactly those tasks."""

    count: int
    key = "topic_tasks_overdue"
    part = None
    alarm = True

    @property
    def label(self) -> str:
        return _("Monthly topic tasks overdue, to supervise")

    @property
    def url(self) -> str:
        return f"{reverse('petitions:topics')}?overdue=1"


# --- the worklists of the clock (回访, 延期, 待企业补充) -------------------------------------

# Each list's form on the petition's staff page: its rows open the page at the form.
WORKLISTS = {
    RETURN_VISIT: "act-visit",
    EXTENSION_ASKED: "act-extension",
    INFO_REQUEST_LATE: "act-close",
}
# Rows shown per list on the dashboard; the staff list (?todo=…) holds them all.
WORKLIST_ROWS = 10


@dataclass(frozen=True)
class Worklist:
    """The first petitions of one item of the day's work, each row linking to the form
    that settles it."""

    key: str
    rows: list
    anchor: str

    @property
    def label(self) -> str:
        return LABELS[self.key]

    @property
    def url(self) -> str:
        return f"{reverse('petitions:staff_list')}?todo={self.key}"


def worklists(*, on: date) -> list[Worklist]:
    """The dashboard's worklists on day `on`: answers to visit (回访), extensions to
    decide, requests past their deadline; at most WORKLIST_ROWS each, the most pressing
    first. One query per list, one for the rules."""
    filters = todo_filters(on)
    return [
        Worklist(
            key,
            list(
                Petition.objects.filter(filters[key][0])
                .select_related("enterprise", "department")
                .order_by(*filters[key][1])[:WORKLIST_ROWS]
            ),
            anchor,
        )
        for key, anchor in WORKLISTS.items()
    ]


# --- the review cycle's clock -----------------------------------------------------------

# The beat task of each scheduled step (petitions/migrations/0003); the clear-to-zero
# warning has none of its own: the daily study runs it.
STEP_TASKS = {
    ReviewRun.Kind.DAILY: "petitions.tasks.run_daily_study",
    ReviewRun.Kind.WEEKLY: "petitions.tasks.run_weekly_dispatch",
    ReviewRun.Kind.MONTHLY: "petitions.tasks.run_monthly_summary",
    ReviewRun.Kind.QUARTERLY: "petitions.tasks.run_quarterly_clearance",
}
# The daily tick does nothing on days off: its next run is the next tick on a working
# day, found within this many ticks (the Spring Festival's week and its weekends).
MAX_TICKS = 31


@dataclass(frozen=True)
class Step:
    """One scheduled step of the review cycle: its last run and its next run."""

    kind: str
    last: ReviewRun | None
    next_at: datetime | None
    scheduled: bool

    @property
    def label(self) -> str:
        return ReviewRun.Kind(self.kind).label


def _next_run(kind: str, task: PeriodicTask | None, now: datetime) -> datetime | None:
    """When beat next starts the step by its crontab (staff may change it in the admin)."""
    if task is None or not task.enabled or task.crontab is None:
        return None
    cron = task.crontab.schedule  # in the schedule's own time zone
    at = now
    for _tick in range(MAX_TICKS):
        start, delta, _now = cron.remaining_delta(at)
        at = start + delta
        if kind != ReviewRun.Kind.DAILY or workdays.is_working_day(
            timezone.localdate(at)
        ):
            return at
    return None


def review_steps(*, now: datetime | None = None) -> list[Step]:
    """Each scheduled step of the review cycle: its last run (the cycle page's
    `selectors.last_runs`) and its next run by the beat schedule. Two queries."""
    now = now or timezone.now()
    last = {run.kind: run for run in selectors.last_runs()}
    tasks = {}
    for task in (
        PeriodicTask.objects.filter(task__in=STEP_TASKS.values())
        .select_related("crontab")
        .order_by("-enabled", "pk")
    ):
        tasks.setdefault(task.task, task)
    steps = []
    for kind, name in STEP_TASKS.items():
        task = tasks.get(name)
        steps.append(
            Step(
                kind=kind,
                last=last.get(kind),
                next_at=_next_run(kind, task, now),
                scheduled=task is not None and task.enabled,
            )
        )
    return steps
