"""The weekly e-mail digests to officials and leaders (STYLE B7, B8).

Monday's weekly dispatch of petitions (petitions.review) runs the task
"publicity.tasks.plan_weekly_digests" by name after it commits; `plan_weekly_digests`
then writes one DigestDelivery per recipient and week (a unique row, so a second run plans
nothing new) and, in the same transaction, hands each one's e-mail to the outbox
(publicity/deliveries.py): the outbox sends it once, retries it, and after the last try
shows it failed on the staff dashboard, where staff send it again.
"""

from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst

from chamber import outbox, workdays
from chamber.models import Official, OutgoingMessage
from petitions import selectors
from petitions.models import (
    Escalation,
    Petition,
    PetitionEvent,
    Section,
    TopicTask,
    section_q,
)
from publicity import deliveries
from publicity.models import Article, DigestDelivery

POLICY_KIND = "policy"


# The leaders' digest lists the oldest open escalations; the page has them all.
LEADER_DIGEST_ROWS = 50


# What a department's digest lists, in its order: the sections of the official's queue
# that wait for the department (petitions.models.Section, one meaning everywhere).
DIGEST_SECTIONS = (Section.OVERDUE, Section.DUE_THIS_WEEK, Section.NEW)


def _listed(on: date) -> Q:
    """What a department's digest lists on day `on` (`department_sections`)."""
    listed = Q()
    for section in DIGEST_SECTIONS:
        listed |= section_q(section, on)
    return listed


def _listed_at(department_ref, on: date) -> Q:
    return Q(department_id=department_ref) & _listed(on)


def _open_instructions(department_ref):
    """District leaders' instructions (批示) not answered yet on petitions with a
    department (`department_ref`: its id, an OuterRef, or an `__in` list)."""
    lookup = "__in" if isinstance(department_ref, (list, set, tuple)) else ""
    return PetitionEvent.objects.open_instructions().filter(
        **{f"petition__department_id{lookup}": department_ref},
        petition__status__in=Petition.WITH_DEPARTMENT,
    )


def _topic_tasks(department_ref):
    """每月一题: the open tasks of topics a department leads, or of which it is in
    charge (`department_ref`: its id, an OuterRef, or an `__in` list); listed in its
    digest until done."""
    lookup = "__in" if isinstance(department_ref, (list, set, tuple)) else ""
    return TopicTask.objects.open().filter(
        Q(**{f"topic__lead_department_id{lookup}": department_ref})
        | Q(**{f"department_id{lookup}": department_ref})
    )


@transaction.atomic
def plan_weekly_digests(*, week_start: date, now: datetime | None = None) -> list[int]:
    """Write the week's deliveries (officials whose department has something to list,
    leaders when something is escalated) and hand the pending ones to the outbox.

    One transaction, constant queries whatever the number of officials; running it
    again plans nothing new and hands over only what is still pending. Returns the
    deliveries handed over now (with their e-mail, or with nothing to send).
    """
    now = now or timezone.now()
    officials = (
        Official.objects.filter(is_active=True, user__is_active=True)
        .exclude(user__email="")
        .filter(
            Q(department__isnull=False)
            & (
                Exists(
                    Petition.objects.filter(
                        _listed_at(
                            OuterRef("department_id"),
                            max(week_start, timezone.localdate(now)),
                        )
                    )
                )
                | Exists(_open_instructions(OuterRef("department_id")))
                | Exists(_topic_tasks(OuterRef("department_id")))
            )
        )
        .values_list("pk", flat=True)
    )
    rows = [
        DigestDelivery(
            official_id=pk, week_start=week_start, kind=DigestDelivery.Kind.DEPARTMENT
        )
        for pk in officials
    ]
    if Escalation.objects.exclude(
        petition__status__in=Petition.ENDED_STATUSES
    ).exists():
        leaders = (
            Official.objects.filter(
                is_leader=True, is_active=True, user__is_active=True
            )
            .exclude(user__email="")
            .values_list("pk", flat=True)
        )
        rows += [
            DigestDelivery(
                official_id=pk, week_start=week_start, kind=DigestDelivery.Kind.LEADER
            )
            for pk in leaders
        ]
    DigestDelivery.objects.bulk_create(rows, ignore_conflicts=True)
    pending = list(_pending().filter(week_start=week_start))
    _hand_over(pending, now=now)
    return [d.pk for d in pending]


@transaction.atomic
def hand_over_digest(*, delivery_id: int, now: datetime | None = None) -> bool:
    """Hand one pending delivery's e-mail to the outbox; True when a message was
    written. A delivery handed over already, or with nothing to send, is left alone."""
    pending = list(_pending().filter(pk=delivery_id))
    return bool(_hand_over(pending, now=now or timezone.now()))


@transaction.atomic
def resend_digest(*, delivery: DigestDelivery, now: datetime | None = None) -> int:
    """Staff send a digest again (重新发送): its failed or cancelled message goes out once
    more through the outbox; one never handed over is handed over now. Returns how
    many messages were queued (none when it was sent already or is on its way)."""
    if delivery.message_id is not None:
        return outbox.resend(OutgoingMessage.objects.filter(pk=delivery.message_id))
    return int(hand_over_digest(delivery_id=delivery.pk, now=now))


def _pending() -> QuerySet[DigestDelivery]:
    """Deliveries not handed over yet, locked, with what their e-mail reads."""
    return (
        DigestDelivery.objects.filter(status=DigestDelivery.Status.PENDING)
        .select_related(
            "official__user", "official__department", "official__digest_preference"
        )
        .select_for_update(of=("self",))
        .order_by("pk")
    )


def _hand_over(pending: list[DigestDelivery], *, now: datetime) -> list[int]:
    return deliveries.hand_over(
        pending,
        build_messages(pending, now=now),
        key="weekly-digest:",
        recipient=lambda delivery: delivery.official.user,
    )


def build_messages(
    rows: list[DigestDelivery], *, now: datetime
) -> dict[int, deliveries.Built]:
    """The e-mail of each delivery (its template and context, by the delivery's id); None
    when nothing waits any more. The same queries for one delivery or for a thousand:
    each department's petitions, this month's rates, each week's policies and the
    escalations are read once."""
    on = timezone.localdate(now)
    department_ids = {
        d.official.department_id
        for d in rows
        if d.kind == DigestDelivery.Kind.DEPARTMENT
    }
    sections = _sections_by_department(department_ids, on=on)
    rates = _rates_by_department(department_ids, on=on)
    instructions = _instructions_by_department(department_ids)
    topic_tasks = _topic_tasks_by_department(department_ids, on=on)
    leaders = (
        _leaders_context()
        if any(d.kind == DigestDelivery.Kind.LEADER for d in rows)
        else None
    )
    policies: dict[date, list[Article]] = {}
    built: dict[int, deliveries.Built] = {}
    for delivery in rows:
        if delivery.kind == DigestDelivery.Kind.LEADER:
            built[delivery.pk] = (
                ("leader-digest", {"delivery": delivery, **leaders})
                if leaders
                else None
            )
            continue
        official = delivery.official
        waiting = sections.get(official.department_id)
        instructed = instructions.get(official.department_id, [])
        tasks = topic_tasks.get(official.department_id, [])
        if not instructed and not tasks and (not waiting or not any(waiting.values())):
            built[delivery.pk] = None
            continue
        include_articles = getattr(
            getattr(official, "digest_preference", None), "include_articles", True
        )
        if include_articles and delivery.week_start not in policies:
            policies[delivery.week_start] = _week_policies(delivery.week_start, now=now)
        built[delivery.pk] = (
            "weekly-digest",
            {
                "delivery": delivery,
                "department": official.department,
                "sections": waiting,
                # the department's rates this month so far, each with its counts
                "rates": rates.get(official.department_id),
                "rates_first": on.replace(day=1),
                "rates_last": on,
                "instructions": instructed,
                "topic_tasks": tasks,
                # the official's queue heads its sections with the same words
                "headings": {s: capfirst(s.label) for s in DIGEST_SECTIONS},
                "policies": policies[delivery.week_start] if include_articles else [],
                "include_articles": include_articles,
                "path": reverse("petitions:department_queue"),
                "settings_path": reverse("publicity:digest_settings"),
            },
        )
    return built


def build_message(delivery: DigestDelivery, *, now: datetime) -> deliveries.Built:
    """The e-mail of one delivery (its template and context); None when nothing waits
    any more."""
    return build_messages([delivery], now=now)[delivery.pk]


def _leaders_context() -> dict | None:
    """What every leader's digest lists: the oldest open escalations, and how many there
    are; None when there are none."""
    open_escalations = Escalation.objects.exclude(
        petition__status__in=Petition.ENDED_STATUSES
    )
    escalations = list(
        open_escalations.select_related(
            "petition", "petition__enterprise", "department"
        ).order_by("petition__created_at", "pk")[:LEADER_DIGEST_ROWS]
    )
    if not escalations:
        return None
    total = (
        len(escalations)
        if len(escalations) < LEADER_DIGEST_ROWS
        else open_escalations.count()
    )
    return {
        "escalations": escalations,
        "total": total,
        "more": total - len(escalations),
        "path": reverse("petitions:escalations"),
    }


def _week_policies(week_start: date, *, now: datetime) -> list[Article]:
    """The policies a digest of the week names: published in the week before it."""
    return list(
        Article.objects.published(now=now)
        .filter(
            kind__code=POLICY_KIND,
            published_at__gte=workdays.start_of_day(week_start - timedelta(days=7)),
        )
        .order_by("-published_at")[:10]
    )


def department_sections(*, department_id: int, on: date) -> dict[str, list]:
    """A department's petitions waiting for it, by `Section`: overdue, due this week,
    new (to sign for), as the official's queue shows them on day `on`.

    Each petition carries `working_days` (left, or overdue) and `reply_path` (straight to
    its page, where the reply form is). One query, whatever the number of petitions.
    """
    return _sections_by_department({department_id}, on=on)[department_id]


def _rates_by_department(department_ids: set[int], *, on: date) -> dict[int, dict]:
    """Each department's row of this month's report up to day `on`
    (`selectors.period_report`: the rates of petitions/rates.py with their counts); a
    department with nothing answered, rated or dispatched this month has none. A fixed
    number of queries (none without departments)."""
    if not department_ids:
        return {}
    report = selectors.period_report(first=on.replace(day=1), last=on)
    return {
        row["id"]: row for row in report["departments"] if row["id"] in department_ids
    }


def _instructions_by_department(department_ids: set[int]) -> dict[int, list]:
    """The open instructions (批示) on each department's petitions, oldest first, each
    with `reply_path`; one query (none without departments)."""
    by_department: dict[int, list] = {}
    if not department_ids:
        return by_department
    for instruction in (
        _open_instructions(sorted(department_ids))
        .select_related("actor", "petition", "petition__enterprise")
        .order_by("created_at", "pk")
    ):
        instruction.reply_path = reverse(
            "petitions:department_detail", args=[instruction.petition_id]
        )
        by_department.setdefault(instruction.petition.department_id, []).append(
            instruction
        )
    return by_department


def _topic_tasks_by_department(
    department_ids: set[int], *, on: date
) -> dict[int, list]:
    """The open topic tasks each department's digest lists (`_topic_tasks`), the
    soonest due first, each with its topic, `path` and `overdue` on day `on` (the rule
    of `TopicTask.is_overdue`); one query (none without departments)."""
    by_department: dict[int, list] = {}
    if not department_ids:
        return by_department
    for task in (
        _topic_tasks(sorted(department_ids))
        .select_related("topic", "department")
        .order_by("due_on", "pk")
    ):
        task.path = reverse("petitions:topic", args=[task.topic_id])
        task.overdue = task.is_overdue(on)
        for department in {task.topic.lead_department_id, task.department_id}:
            if department in department_ids:
                by_department.setdefault(department, []).append(task)
    return by_department


def _sections_by_department(
    department_ids: set[int], *, on: date
) -> dict[int, dict[str, list]]:
    """`department_sections` of several departments, by department: one query."""
    by_department = {
        pk: {section: [] for section in DIGEST_SECTIONS} for pk in department_ids
    }
    if not department_ids:
        return by_department
    rows = list(
        Petition.objects.filter(Q(department_id__in=department_ids) & _listed(on))
        .select_related("enterprise")
        .order_by("due_on", "pk")
    )
    if not rows:
        return by_department
    counter = workdays.WorkingDayCounter(
        min(min(p.due_on for p in rows), on), max(max(p.due_on for p in rows), on)
    )
    for p in rows:
        p.reply_path = reverse("petitions:department_detail", args=[p.pk])
        if p.due_on < on:
            p.working_days = counter.between(p.due_on, on)
        else:
            p.working_days = counter.between(on, p.due_on)
        by_department[p.department_id][p.section(on)].append(p)
    return by_department
