"""Read queries of petitions: the lists each role sees, the department boards and the reports.

Lists return querysets for paginating, with what a row shows fetched in the same query.
Reports read a constant number of queries whatever the number of petitions.
"""

import math
import statistics
from collections import Counter, defaultdict
from datetime import date, timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from chamber import workdays
from chamber.models import Department
from chamber.ranking import competition_ranks
from petitions.models import (
    Escalation,
    Petition,
    PetitionEvent,
    ReviewRun,
    Section,
    section_q,
    waiting_at_department_q,
)

S = Petition.Status
# Departments with fewer petitions in a period are listed in the report but not ranked.
MIN_RANKED = 3
_ROW = ("enterprise", "category", "department")


def _in_period(field: str, first: date, last: date) -> Q:
    return Q(
        **{
            f"{field}__gte": workdays.start_of_day(first),
            f"{field}__lt": workdays.start_of_day(last + timedelta(days=1)),
        }
    )


def enterprise_petitions(*, enterprise_id: int) -> QuerySet[Petition]:
    """A member's list: their enterprise's petitions, newest first."""
    return Petition.objects.for_enterprise(enterprise_id).select_related(
        "category", "department"
    )


def department_petitions(*, department_id: int) -> QuerySet[Petition]:
    """Everything dispatched to a department, for its officials."""
    return Petition.objects.for_department(department_id).select_related(*_ROW)


# The sections of an official's queue, in the order the page shows them.
DEPARTMENT_SECTIONS = (
    Section.NEW,
    Section.OVERDUE,
    Section.DUE_THIS_WEEK,
    Section.IN_PROGRESS,
    Section.AWAITING_REVIEW,
)


def department_queue(*, department_id: int, on: date) -> dict[str, list[Petition]]:
    """An official's queue by `Section`: new (to sign for), overdue, due this week, in
    progress, replied and with the chamber for review. One query."""
    queue = {section: [] for section in DEPARTMENT_SECTIONS}
    for p in (
        department_petitions(department_id=department_id)
        .filter(status__in=Petition.WITH_DEPARTMENT)
        .order_by("due_on", "pk")
    ):
        queue[p.section(on)].append(p)
    return queue


def staff_petitions(
    *,
    status: str = "",
    channel: str = "",
    category_id: int | None = None,
    department_id: int | None = None,
    supervised: bool = False,
    query: str = "",
) -> QuerySet[Petition]:
    """The staff's filtered list of every petition."""
    petitions = Petition.objects.select_related(*_ROW)
    if status == "open":
        petitions = petitions.open()
    elif status in ("awaiting_review", "overdue"):
        condition, order = _board_sections(timezone.localdate())[status]
        petitions = petitions.filter(condition).order_by(*order)
    elif status:
        petitions = petitions.filter(status=status)
    if channel:
        petitions = petitions.filter(channel=channel)
    if category_id:
        petitions = petitions.filter(category_id=category_id)
    if department_id:
        petitions = petitions.filter(department_id=department_id)
    if supervised:
        petitions = petitions.open().filter(supervised_on__isnull=False)
    if query:
        petitions = petitions.filter(
            Q(number__icontains=query)
            | Q(title__icontains=query)
            | Q(enterprise__name__icontains=query)
        )
    return petitions


# Rows shown per section of the triage board; the rest is one click away (staff list).
BOARD_ROWS = 30


# The triage board's sections and their order (the most pressing first).
_BOARD_ORDER = {
    Section.TO_TRIAGE: ("awaiting_triage_since", "pk"),
    Section.AWAITING_REVIEW: ("department_replied_at", "pk"),
    Section.WITH_CHAMBER: ("accepted_at", "pk"),
    Section.OVERDUE: ("due_on", "pk"),
}


def _board_sections(on: date) -> dict[str, tuple[Q, tuple[str, ...]]]:
    """Each section of the triage board: its filter and its order."""
    return {
        section: (section_q(section, on), order)
        for section, order in _BOARD_ORDER.items()
    }


def triage_board(*, on: date) -> dict[str, dict]:
    """The staff's starting page: per section its first BOARD_ROWS petitions and its count.

    One count query and one query per section, whatever the number of petitions.
    """
    sections = _board_sections(on)
    counts = Petition.objects.open().aggregate(
        **{
            key: Count("pk", filter=condition)
            for key, (condition, _order) in sections.items()
        }
    )
    return {
        key: {
            "rows": list(
                Petition.objects.filter(condition)
                .select_related(*_ROW)
                .order_by(*order)[:BOARD_ROWS]
            ),
            "count": counts[key],
        }
        for key, (condition, order) in sections.items()
    }


def timeline(*, petition: Petition, audience: str) -> list[PetitionEvent]:
    """The events one audience may read: "enterprise", "department" or "staff"."""
    events = petition.events.select_related("actor")
    if audience == "enterprise":
        events = events.filter(is_public=True)
    elif audience == "department":
        events = events.exclude(
            Q(kind=PetitionEvent.Kind.NOTE, is_public=False)
            | Q(kind=PetitionEvent.Kind.TRIAGE_FLAG)
        )
    return list(events)


def escalations(*, open_only: bool = True) -> QuerySet[Escalation]:
    """Escalations to the leaders, newest first; by default only petitions still open.

    Each carries `has_instruction` and `has_open_instruction` (a district leader's 批示
    on its petition, and one not answered yet): 已批示 / 已落实, in the same query.
    """
    instructions = PetitionEvent.objects.filter(petition_id=OuterRef("petition_id"))
    found = Escalation.objects.select_related(
        "petition", "petition__enterprise", "department", "run"
    ).annotate(
        has_instruction=Exists(instructions.instructions()),
        has_open_instruction=Exists(instructions.open_instructions()),
    )
    if open_only:
        found = found.exclude(petition__status__in=Petition.ENDED_STATUSES)
    return found


def leader_petitions() -> QuerySet[Petition]:
    """The petitions a district leader may open (and instruct on): those escalated."""
    return Petition.objects.select_related(
        "enterprise", "category", "department", "department_replied_by"
    ).filter(pk__in=Escalation.objects.values("petition_id"))


def open_instructions(*, petition: Petition) -> list[PetitionEvent]:
    """The district leaders' instructions on a petition its department has not answered."""
    return list(
        PetitionEvent.objects.open_instructions()
        .filter(petition=petition)
        .select_related("actor")
    )


def instructions(*, petition: Petition) -> list[PetitionEvent]:
    """A petition's instructions (批示), oldest first: each with `is_open` (已批示, not
    yet 已落实) and `answer`, the department's reply that answered it, if any. Two
    queries, whatever the number of instructions."""
    found = list(
        PetitionEvent.objects.instructions()
        .filter(petition=petition)
        .annotate(
            is_open=Exists(
                PetitionEvent.objects.open_instructions().filter(pk=OuterRef("pk"))
            )
        )
        .select_related("actor")
    )
    answers = {}
    if any(not i.is_open for i in found):
        for reply in PetitionEvent.objects.filter(
            petition=petition, kind=PetitionEvent.Kind.DEPARTMENT_REPLY
        ).select_related("actor"):
            answers.update(dict.fromkeys(reply.data.get("instructions", []), reply))
    for instruction in found:
        instruction.answer = answers.get(instruction.pk)
    return found


def last_runs() -> list[ReviewRun]:
    """The latest run of each step, for the staff's cycle page."""
    runs = {}
    for run in ReviewRun.objects.order_by("-period_start", "-pk")[:60]:
        runs.setdefault(run.kind, run)
    return [runs[kind] for kind in ReviewRun.Kind.values if kind in runs]


def petitions_by_pk(pks) -> list[Petition]:
    """Petitions listed in a run's report, in the report's order."""
    found = Petition.objects.select_related(*_ROW).in_bulk(list(pks))
    return [found[pk] for pk in pks if pk in found]


def department_boards(*, on: date) -> list[dict]:
    """Per department (weekly dispatch): waiting at it, and of those new, due this week
    and overdue, by `Section`."""
    counted = (Section.NEW, Section.DUE_THIS_WEEK, Section.OVERDUE)
    departments = Department.objects.filter(is_active=True).annotate(
        open=Count("petitions", filter=waiting_at_department_q("petitions__")),
        **{
            section: Count("petitions", filter=section_q(section, on, "petitions__"))
            for section in counted
        },
    )
    return [
        {
            "id": d.pk,
            "name": d.name,
            "open": d.open,
            **{section: getattr(d, section) for section in counted},
        }
        for d in departments.order_by("sort_order", "name")
    ]


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _percentile(values: list[int], share: float) -> int | None:
    """Nearest-rank percentile (the value at or below which `share` of the values lie)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


def period_report(*, first: date, last: date) -> dict:
    """The figures of a month or a quarter (三率 and the rest), JSON-ready for ReviewRun.report.

    - intake: petitions received in the period, by channel and by category;
    - response rate: of the answers given in the period, the share given by the due date;
    - resolution rate: of those answers, the share that resolved the matter;
    - satisfaction rate: of the ratings given in the period, the share satisfied or
      basically satisfied ("no rating" is counted apart, not as unsatisfied);
    - days to reply: working days from receipt to the answer, median and 90th percentile;
    - bounce-backs: petitions returned by a department as not its duty;
    - per department, the same; departments with fewer than MIN_RANKED petitions in the
      period are listed but not ranked.
    """
    intake = Petition.objects.filter(_in_period("created_at", first, last))
    by_channel = dict(intake.values_list("channel").annotate(n=Count("pk")).order_by())
    by_category = list(
        intake.values("category__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "category__name")
    )
    events = PetitionEvent.objects.filter(
        _in_period("created_at", first, last), kind=PetitionEvent.Kind.STATUS
    )
    answers = list(
        events.filter(to_status=S.REPLIED).values_list(
            "petition_id", "petition__created_at", "created_at", "data"
        )
    )
    ratings = list(
        events.filter(from_status=S.REPLIED).values_list("petition_id", "data")
    )
    bounces = list(
        events.filter(
            to_status=S.SUBMITTED, from_status__in=Petition.WITH_DEPARTMENT
        ).values_list("petition_id", "data")
    )
    dispatches = list(
        events.filter(to_status=S.DISPATCHED).values_list("petition_id", "data")
    )
    departments = list(
        Department.objects.order_by("sort_order", "name").values_list("pk", "name")
    )

    earliest = min(
        (timezone.localtime(c).date() for _p, c, _a, _d in answers), default=first
    )
    counter = workdays.WorkingDayCounter(earliest, last)
    per_dep = defaultdict(lambda: {"petitions": set(), **dict.fromkeys(_DEP_COUNTS, 0)})
    days, totals = [], Counter()
    for pk, created, answered, data in answers:
        took = counter.between(
            timezone.localtime(created).date(), timezone.localtime(answered).date()
        )
        days.append(took)
        totals["answered"] += 1
        totals["on_time"] += bool(data.get("on_time"))
        totals[data.get("outcome") or "explained"] += 1
        dep = per_dep[data.get("department_id")]
        dep["petitions"].add(pk)
        dep["answered"] += 1
        dep["on_time"] += bool(data.get("on_time"))
        dep["resolved"] += data.get("outcome") == Petition.Outcome.RESOLVED
    for _pk, data in ratings:
        rating = data.get("rating", "")
        totals[rating] += 1
        if rating != Petition.Rating.NONE:
            dep = per_dep[data.get("department_id")]
            dep["rated"] += 1
            dep["satisfied"] += rating in (
                Petition.Rating.SATISFIED,
                Petition.Rating.BASICALLY,
            )
    for pk, data in bounces:
        totals["bounces"] += 1
        per_dep[data.get("returned_by_id")]["bounces"] += 1
        per_dep[data.get("returned_by_id")]["petitions"].add(pk)
    for pk, data in dispatches:
        per_dep[data.get("department_id")]["dispatched"] += 1
        per_dep[data.get("department_id")]["petitions"].add(pk)

    rated = totals["satisfied"] + totals["basically"] + totals["unsatisfied"]
    summary = {
        "intake": sum(by_channel.values()),
        "answered": totals["answered"],
        "answered_on_time": totals["on_time"],
        "resolved": totals["resolved"],
        "partly": totals["partly"],
        "explained": totals["explained"],
        "rated": rated,
        "satisfied": totals["satisfied"],
        "basically": totals["basically"],
        "unsatisfied": totals["unsatisfied"],
        "no_rating": totals["none"],
        "bounces": totals["bounces"],
        "response_rate": _rate(totals["on_time"], totals["answered"]),
        "resolution_rate": _rate(totals["resolved"], totals["answered"]),
        "satisfaction_rate": _rate(totals["satisfied"] + totals["basically"], rated),
        "median_days": statistics.median(days) if days else None,
        "p90_days": _percentile(days, 0.9),
    }
    return {
        "first": first.isoformat(),
        "last": last.isoformat(),
        "totals": summary,
        "by_channel": [
            {"code": code, "count": by_channel.get(code, 0)}
            for code in Petition.Channel.values
        ],
        "by_category": [
            {"name": r["category__name"] or "", "count": r["n"]} for r in by_category
        ],
        "departments": _department_table(departments, per_dep),
    }


_DEP_COUNTS = (
    "dispatched",
    "answered",
    "on_time",
    "resolved",
    "rated",
    "satisfied",
    "bounces",
)


def _department_table(departments, per_dep) -> list[dict]:
    rows = []
    for pk, name in departments:
        dep = per_dep.get(pk)
        if dep is None:
            continue
        row = {"id": pk, "name": name, "petitions": len(dep["petitions"])}
        row.update({key: dep[key] for key in _DEP_COUNTS})
        row["response_rate"] = _rate(dep["on_time"], dep["answered"])
        row["resolution_rate"] = _rate(dep["resolved"], dep["answered"])
        row["satisfaction_rate"] = _rate(dep["satisfied"], dep["rated"])
        rows.append(row)

    def score(row):
        return tuple(
            -1 if row[k] is None else row[k]
            for k in ("response_rate", "satisfaction_rate", "resolution_rate")
        )

    ranked = sorted(
        (r for r in rows if r["petitions"] >= MIN_RANKED), key=score, reverse=True
    )
    for row, (rank, tied) in zip(
        ranked, competition_ranks([score(r) for r in ranked]), strict=True
    ):
        row["rank"], row["tied"] = rank, tied
    unranked = sorted(
        (r for r in rows if r["petitions"] < MIN_RANKED), key=lambda r: r["name"]
    )
    for row in unranked:
        row["rank"], row["tied"] = None, False
    return ranked + unranked
