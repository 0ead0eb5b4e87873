"""每月一题: one topic a month, from one case to a class of cases (issue 18, item 8).

The monthly summary proposes candidates (`candidates`): the month's categories and
repeated matters with the most petitions, the most unresolved and the most returned
by departments. Staff or a leader pick one as the month's topic (`save_topic`): a lead
department, co-operating departments, two or three concrete problems, tasks with
someone in charge and a due date, and the petitions it covers. The lead department's
officials mark its tasks done (`mark_task_done`); the daily study supervises a task
past its due date as it supervises an overdue petition (`supervise_overdue_tasks`, by
the one rule `TopicTask.objects.overdue`); staff conclude the topic with its result
(`close_topic`); the quarterly clear-to-zero lists the quarter's topics with their
tasks done and late (`quarter_topics`). Every change writes an immutable TopicEvent.

Publicity drafts the topic's article (publicity/views_topics.py) and tells petitions
its id (`record_article`): petitions never imports publicity.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from chamber import workdays
from chamber.models import Department, User
from chamber.roles import UserRoles
from petitions.models import (
    Category,
    MonthlyTopic,
    Petition,
    ReviewRun,
    TopicEvent,
    TopicTask,
    month_start,
)

K = TopicEvent.Kind
# How many candidates each measure (petitions, unresolved, returned) proposes.
CANDIDATES_PER_MEASURE = 3
MEASURES = ("count", "unresolved", "bounced")


class TopicError(Exception):
    """The rules forbid this; the message is safe to show to the user."""


# --- candidates (月总结) ------------------------------------------------------------------


@dataclass
class _Carrier:
    """The petition that carries a matter: itself, or the one it was merged into."""

    category_id: int | None
    department_id: int | None
    unresolved: bool
    bounced: bool
    number: str
    title: str


_CARRIER_FIELDS = (
    "pk",
    "category_id",
    "department_id",
    "outcome",
    "rating",
    "bounce_count",
    "number",
    "title",
)


def _carrier(row) -> _Carrier:
    _pk, category, department, outcome, rating, bounces, number, title = row
    return _Carrier(
        category_id=category,
        department_id=department,
        # Not resolved: no answer yet, answered partly or with an explanation, rejected,
        # or rated unsatisfied and sent back.
        unresolved=outcome != Petition.Outcome.RESOLVED
        or rating == Petition.Rating.UNSATISFIED,
        bounced=bounces > 0,
        number=number,
        title=title,
    )


def candidates(*, first: date, last: date) -> list[dict]:
    """The topics the month's petitions propose, JSON-ready for the monthly report.

    The petitions received from `first` to `last` are grouped by category and by
    repeated matter (a petition others were merged into: 同一事项); a merged petition
    counts with the one that carries it, and is unresolved or returned as that one is.
    Per group: `count` petitions, `unresolved` (not answered as resolved, or rated
    unsatisfied), `bounced` (returned by a department at least once); each measure
    proposes its first CANDIDATES_PER_MEASURE groups (`tops`). Each candidate names its
    petitions and the department most of them went to. Three queries.
    """
    rows = list(
        Petition.objects.filter(
            created_at__gte=workdays.start_of_day(first),
            created_at__lt=workdays.start_of_day(last + timedelta(days=1)),
        )
        .order_by("pk")
        .values_list(*_CARRIER_FIELDS, "merged_into_id")
    )
    carriers = {row[0]: _carrier(row[:-1]) for row in rows}
    outside = {row[-1] for row in rows if row[-1]} - set(carriers)
    if outside:
        for row in Petition.objects.filter(pk__in=outside).values_list(
            *_CARRIER_FIELDS
        ):
            carriers[row[0]] = _carrier(row)
    groups: dict[tuple[str, int], dict] = {}

    def add(key: tuple[str, int], pk: int, carrier: _Carrier) -> None:
        group = groups.setdefault(
            key, {"petitions": [], "unresolved": 0, "bounced": 0, "deps": Counter()}
        )
        group["petitions"].append(pk)
        group["unresolved"] += carrier.unresolved
        group["bounced"] += carrier.bounced
        if carrier.department_id:
            group["deps"][carrier.department_id] += 1

    repeated = {row[-1] for row in rows if row[-1]}
    for row in rows:
        pk, own_category, merged_into = row[0], row[1], row[-1]
        carrier_pk = merged_into or pk
        carrier = carriers[carrier_pk]
        category = carrier.category_id or own_category
        if category:
            add(("category", category), pk, carrier)
        if carrier_pk in repeated:
            add(("matter", carrier_pk), pk, carrier)
    if not groups:
        return []
    names = dict(Category.objects.values_list("pk", "name"))
    found = []
    for (kind, pk), group in groups.items():
        if kind == "category":
            name = names.get(pk, "")
        else:
            name = f"{carriers[pk].number} {carriers[pk].title}"
        deps = group["deps"].most_common()
        found.append(
            {
                "kind": kind,
                "id": pk,
                "name": name,
                "count": len(group["petitions"]),
                "unresolved": group["unresolved"],
                "bounced": group["bounced"],
                "petitions": group["petitions"],
                "department_id": min(d for d, n in deps if n == deps[0][1])
                if deps
                else None,
                "tops": [],
            }
        )
    for measure in MEASURES:
        ranked = sorted(
            (c for c in found if c[measure]),
            key=lambda c: (-c[measure], -c["count"], c["kind"], c["name"]),
        )
        for candidate in ranked[:CANDIDATES_PER_MEASURE]:
            candidate["tops"].append(measure)
    chosen = [c for c in found if c["tops"]]
    chosen.sort(
        key=lambda c: (
            -c["count"],
            -c["unresolved"],
            -c["bounced"],
            c["kind"],
            c["name"],
        )
    )
    return chosen


def candidate_of(run: ReviewRun, index: int) -> dict | None:
    """The `index`-th candidate of a monthly summary, or None."""
    found = (run.report or {}).get("candidates") or []
    if run.kind != ReviewRun.Kind.MONTHLY or not 0 <= index < len(found):
        return None
    return found[index]


def topic_month_of(run: ReviewRun) -> date:
    """A monthly summary's topic is the next month's: the month the summary ran in."""
    return month_start(run.period_end + timedelta(days=1))


# --- who may do what ------------------------------------------------------------------------


def may_manage(roles: UserRoles) -> bool:
    """Pick, change and conclude topics: staff and district leaders."""
    return roles.is_staff or roles.is_leader


def department_of(roles: UserRoles) -> int | None:
    official = roles.official
    return official.department_id if official is not None else None


def may_see(roles: UserRoles, topic: MonthlyTopic, co_operating: set[int]) -> bool:
    """Staff and leaders see every topic; an official the topics their department
    leads or co-operates in (`co_operating`: the topic's co-operating departments)."""
    if may_manage(roles):
        return True
    department = department_of(roles)
    return department is not None and (
        department == topic.lead_department_id or department in co_operating
    )


def may_mark_done(roles: UserRoles, task: TopicTask) -> bool:
    """Staff and leaders; an official of the lead department, or of the department in
    charge of the task."""
    if may_manage(roles):
        return True
    department = department_of(roles)
    return department is not None and department in (
        task.topic.lead_department_id,
        task.department_id,
    )


# --- reading --------------------------------------------------------------------------------


def visible_topics(roles: UserRoles) -> QuerySet[MonthlyTopic]:
    """The topics a user may see (`may_see`)."""
    topics = MonthlyTopic.objects.all()
    if may_manage(roles):
        return topics
    department = department_of(roles)
    if department is None:
        return topics.none()
    co_operating = MonthlyTopic.departments.through.objects.filter(
        department_id=department
    ).values("monthlytopic_id")
    return topics.filter(Q(lead_department_id=department) | Q(pk__in=co_operating))


def year_topics(*, topics: QuerySet[MonthlyTopic], year: int, on: date) -> list:
    """A year's topics, by month, each with its departments and its figures: `n_tasks`,
    `n_done`, `n_overdue` (by `TopicTask.objects.overdue`) and `n_petitions`. Two
    queries, whatever the number of topics."""
    overdue = Q(tasks__in=TopicTask.objects.overdue(on))
    return list(
        topics.filter(month__year=year)
        .select_related("lead_department")
        .prefetch_related(
            Prefetch("departments", queryset=Department.objects.order_by("sort_order"))
        )
        .annotate(
            n_tasks=Count("tasks", distinct=True),
            n_done=Count(
                "tasks", filter=Q(tasks__done_at__isnull=False), distinct=True
            ),
            n_overdue=Count("tasks", filter=overdue, distinct=True),
            n_petitions=Count("petitions", distinct=True),
        )
        .order_by("month")
    )


def overdue_tasks(
    *, on: date, topics: QuerySet[MonthlyTopic] | None = None
) -> list[TopicTask]:
    """The tasks (of `topics`, or of every topic) past their due date on day `on`, the
    oldest due first: the staff dashboard's figure. One query."""
    tasks = TopicTask.objects.overdue(on)
    if topics is not None:
        tasks = tasks.filter(topic__in=topics)
    return list(
        tasks.select_related("topic", "topic__lead_department", "department").order_by(
            "due_on", "pk"
        )
    )


def topic_page(topic: MonthlyTopic) -> dict:
    """What a topic's page shows: its tasks, departments, petitions and record."""
    return {
        "tasks": list(topic.tasks.select_related("department", "done_by")),
        "departments": list(topic.departments.order_by("sort_order", "name")),
        "petitions": list(
            topic.petitions.select_related(
                "enterprise", "category", "department"
            ).order_by("created_at", "pk")
        ),
        "events": list(topic.events.select_related("actor", "task")),
    }


def petition_topics(*, petition_id: int) -> list[MonthlyTopic]:
    """The topics that cover a petition (shown on its pages)."""
    return list(
        MonthlyTopic.objects.filter(petitions__id=petition_id)
        .prefetch_related("departments")
        .order_by("-month")
    )


def quarter_topics(*, first: date, last: date, on: date) -> list[dict]:
    """The topics of the months from `first` to `last`, JSON-ready for the quarterly
    report: each with its tasks, done, late (done after the due date, or not done past
    it on day `on`) and still open. Two queries."""
    topics = (
        MonthlyTopic.objects.filter(month__gte=month_start(first), month__lte=last)
        .select_related("lead_department")
        .prefetch_related("tasks")
        .order_by("month")
    )
    found = []
    for topic in topics:
        tasks = list(topic.tasks.all())
        found.append(
            {
                "id": topic.pk,
                "month": topic.month.isoformat(),
                "title": topic.title,
                "lead": topic.lead_department.name,
                "status": topic.status,
                "tasks": len(tasks),
                "done": sum(t.is_done for t in tasks),
                "late": sum(t.is_late(on) for t in tasks),
                "open": sum(not t.is_done for t in tasks),
            }
        )
    return found


# --- changes --------------------------------------------------------------------------------


def _task_state(task: TopicTask) -> dict:
    return {
        "text": task.text,
        "department_id": task.department_id,
        "owner": task.owner,
        "due_on": task.due_on.isoformat(),
    }


def _topic_state(topic: MonthlyTopic, departments, petitions) -> dict:
    return {
        "month": topic.month.isoformat(),
        "title": topic.title,
        "lead_department_id": topic.lead_department_id,
        "problems": topic.problems,
        "departments": sorted(d.pk for d in departments),
        "petitions": sorted(p.number for p in petitions),
    }


@transaction.atomic
def save_topic(
    *,
    actor: User,
    month: date,
    title: str,
    lead_department: Department,
    departments,
    problems: str,
    petitions,
    tasks: list[dict],
    topic: MonthlyTopic | None = None,
    now: datetime | None = None,
) -> MonthlyTopic:
    """Pick the month's topic (`topic` None) or change it. `tasks` are dicts of text,
    department, owner and due_on, with `task` for an existing task to change; a done
    task is not changed. One event for the topic (picked, or changed with what it was
    before), one for each task added or changed."""
    now = now or timezone.now()
    title, problems = title.strip(), problems.strip()
    if not title:
        raise TopicError(_("Give the topic a title."))
    if not problems:
        raise TopicError(_("Name the concrete problems."))
    departments = [d for d in departments if d.pk != lead_department.pk]
    petitions = list(petitions)
    if topic is None and not tasks:
        raise TopicError(_("Give the topic at least one task."))
    if topic is not None:
        topic = MonthlyTopic.objects.select_for_update().get(pk=topic.pk)
        if not topic.is_open:
            raise TopicError(_("This topic is concluded; it cannot be changed."))
        before = _topic_state(
            topic, topic.departments.all(), topic.petitions.only("number")
        )
    else:
        topic = MonthlyTopic(created_by=actor, created_at=now)
        before = None
    month = month_start(month)
    taken = MonthlyTopic.objects.filter(month=month).exclude(pk=topic.pk).first()
    if taken is not None:
        raise TopicError(
            _("%(month)s has its topic already: %(title)s.")
            % {"month": f"{month:%Y-%m}", "title": taken.title}
        )
    topic.month, topic.title, topic.problems = month, title, problems
    topic.lead_department = lead_department
    try:
        with transaction.atomic():
            topic.save()
    except IntegrityError as exc:  # picked at the same moment by someone else
        raise TopicError(
            _("%(month)s has its topic already.") % {"month": f"{month:%Y-%m}"}
        ) from exc
    topic.departments.set(departments)
    topic.petitions.set(petitions)
    after = _topic_state(topic, departments, petitions)
    events = []
    if before is None:
        events.append(TopicEvent(topic=topic, kind=K.CREATED, actor=actor, data=after))
    elif before != after:
        changed = sorted(key for key in after if after[key] != before[key])
        events.append(
            TopicEvent(
                topic=topic,
                kind=K.CHANGED,
                actor=actor,
                data={"changed": changed, "before": before, "after": after},
            )
        )
    events += _save_tasks(topic, tasks, actor=actor)
    for event in events:
        event.created_at = now
    TopicEvent.objects.bulk_create(events)
    return topic


def _save_tasks(topic: MonthlyTopic, tasks: list[dict], *, actor: User) -> list:
    existing = {t.pk: t for t in topic.tasks.select_for_update()}
    order = max((t.sort_order for t in existing.values()), default=-1) + 1
    events = []
    for row in tasks:
        text = (row.get("text") or "").strip()
        owner = (row.get("owner") or "").strip()
        department = row.get("department")
        if not text:
            continue
        if department is None and not owner:
            raise TopicError(
                _("Task “%(task)s”: name the department or the person in charge.")
                % {"task": text}
            )
        task = existing.get(getattr(row.get("task"), "pk", None))
        if task is not None and task.is_done:
            continue
        if task is None:
            task = TopicTask(topic=topic, sort_order=order)
            order += 1
            before = None
        else:
            before = _task_state(task)
        task.text, task.owner, task.department = text, owner, department
        task.due_on = row["due_on"]
        if before is not None and before == _task_state(task):
            continue
        if before is not None and task.due_on != date.fromisoformat(before["due_on"]):
            task.supervised_on = None  # a new due date: supervised again once past it
        task.save()
        events.append(
            TopicEvent(
                topic=topic,
                task=task,
                kind=K.TASK_ADDED if before is None else K.TASK_CHANGED,
                actor=actor,
                data=_task_state(task)
                if before is None
                else {"before": before, "after": _task_state(task)},
            )
        )
    return events


@transaction.atomic
def mark_task_done(
    *, task: TopicTask, actor: User, note: str = "", now: datetime | None = None
) -> TopicTask:
    """The task is done (or stopped: the note says why); once."""
    now = now or timezone.now()
    task = TopicTask.objects.select_for_update().select_related("topic").get(pk=task.pk)
    if task.is_done:
        raise TopicError(_("This task was marked done already."))
    if not task.topic.is_open:
        raise TopicError(_("This topic is concluded; it cannot be changed."))
    task.done_at, task.done_by, task.done_note = now, actor, note.strip()
    task.save(update_fields=["done_at", "done_by", "done_note"])
    TopicEvent.objects.create(
        topic=task.topic,
        task=task,
        kind=K.TASK_DONE,
        actor=actor,
        note=task.done_note,
        data={
            "due_on": task.due_on.isoformat(),
            "late": task.is_late(timezone.localdate(now)),
        },
        created_at=now,
    )
    return task


@transaction.atomic
def close_topic(
    *, topic: MonthlyTopic, actor: User, result: str, now: datetime | None = None
) -> MonthlyTopic:
    """Conclude the topic with its result, once every task is done (事事有着落)."""
    now = now or timezone.now()
    result = result.strip()
    if not result:
        raise TopicError(_("Write what the topic achieved."))
    topic = MonthlyTopic.objects.select_for_update().get(pk=topic.pk)
    if not topic.is_open:
        raise TopicError(_("This topic is concluded already."))
    if topic.tasks.filter(done_at__isnull=True).exists():
        raise TopicError(
            _(
                "Some tasks are not done yet: mark each one done first (its note says "
                "what was done, or why it stopped)."
            )
        )
    topic.status, topic.result, topic.closed_at = (
        MonthlyTopic.Status.CLOSED,
        result,
        now,
    )
    topic.save(update_fields=["status", "result", "closed_at"])
    TopicEvent.objects.create(
        topic=topic, kind=K.CLOSED, actor=actor, note=result, created_at=now
    )
    return topic


@transaction.atomic
def record_article(
    *, topic: MonthlyTopic, article_id: int, actor: User, now: datetime | None = None
) -> MonthlyTopic:
    """Publicity drafted the topic's article: the topic keeps its id."""
    topic = MonthlyTopic.objects.select_for_update().get(pk=topic.pk)
    topic.article_id = article_id
    topic.save(update_fields=["article_id"])
    TopicEvent.objects.create(
        topic=topic,
        kind=K.ARTICLE,
        actor=actor,
        data={"article_id": article_id},
        created_at=now or timezone.now(),
    )
    return topic


def supervise_overdue_tasks(*, on: date, now: datetime) -> list[int]:
    """日研究: mark for supervision (督办) the tasks past their due date on day `on`, as
    overdue petitions are; once each. Set-based, in the daily study's transaction."""
    overdue = list(
        TopicTask.objects.overdue(on)
        .filter(supervised_on__isnull=True)
        .order_by("pk")
        .values_list("pk", "topic_id", "due_on")
    )
    TopicTask.objects.filter(pk__in=[pk for pk, *_r in overdue]).update(
        supervised_on=on
    )
    TopicEvent.objects.bulk_create(
        TopicEvent(
            topic_id=topic_id,
            task_id=pk,
            kind=K.SUPERVISION,
            data={"due_on": due_on.isoformat()},
            created_at=now,
        )
        for pk, topic_id, due_on in overdue
    )
    return [pk for pk, *_r in overdue]
