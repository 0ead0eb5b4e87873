"""今日待办: the secretariat's work of the day, counted once and listed the same way.

Each item is a filter on petitions (`todo_filters`). The staff dashboard counts every
item in one query (`todo_counts`), and the staff list (`petitions:staff_list?todo=…`)
filters by the same Q, so a figure always equals the rows of the list it links to.
The rules come from `petitions.models` (`section_q`, `waiting_at_department_q`) and
`chamber.workdays`; none is written a second time here.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_celery_beat.models import PeriodicTask

from chamber import workdays
from petitions import selectors
from petitions.models import (
    Escalation,
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
    escalated = still_open & Q(pk__in=Escalation.objects.values("petition_id"))
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
        ESCALATED: (escalated, ("created_at", "pk")),
        # Unsatisfied sends the petition back (to the department or the chamber) and
        # keeps the rating until the next answer clears it: rated unsatisfied and not
        # yet answered again. The portal records no return visit (回访) of its own.
        UNSATISFIED: (
            still_open & Q(rating=Petition.Rating.UNSATISFIED),
            ("rated_at", "pk"),
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
