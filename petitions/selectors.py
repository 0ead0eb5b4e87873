"""Read queries of petitions: the lists each role sees, the department boards and the reports.

Lists return querysets for paginating, with what a row shows fetched in the same query.
Reports read a constant number of queries whatever the number of petitions.
"""

import math
import statistics
from collections import Counter, defaultdict
from datetime import date, timedelta

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from chamber import method_rules, workdays
from chamber.models import Department
from chamber.ranking import competition_ranks
from members.models import Enterprise
from petitions import rates
from petitions.models import (
    Escalation,
    Extension,
    Petition,
    PetitionEvent,
    ReviewRun,
    Section,
    section_q,
    waiting_at_department_q,
)

S = Petition.Status
_ROW = ("enterprise", "category", "department")
# The long texts a list row never shows (up to 5,000 characters each): left in the
# table for the pages and the exports that need them.
LIST_DEFERRED = (
    "description",
    "department_reply",
    "follow_up_plan",
    "answer",
    "rating_comment",
)


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
    Section.AWAITING_INFO,  # 待企业补充: the clock stands still, still the department's
)


def department_queue(*, department_id: int, on: date) -> dict[str, list[Petition]]:
    """An official's queue by `Section`: new (to sign for), overdue, due this week, in
    progress, replied and with the chamber for review, waiting for the enterprise's
    information. One query."""
    queue = {section: [] for section in DEPARTMENT_SECTIONS}
    for p in (
        department_petitions(department_id=department_id)
        .filter(status__in=(*Petition.WITH_DEPARTMENT, Petition.Status.AWAITING_INFO))
        .defer(*LIST_DEFERRED)
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
        # Each part on its own column, so PostgreSQL can OR three index scans: the
        # trigram indexes on UPPER(number) and UPPER(title) (migration 0014) and the
        # enterprise's, for the few enterprises whose name matches, read first (one
        # query on the small table): an OR across the join, or with a subquery, would
        # read every petition.
        enterprises = list(
            Enterprise.objects.filter(name__icontains=query).values_list(
                "pk", flat=True
            )
        )
        petitions = petitions.filter(
            Q(number__icontains=query)
            | Q(title__icontains=query)
            | Q(enterprise_id__in=enterprises)
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
    Section.AWAITING_INFO: ("due_on", "pk"),  # 待企业补充: the nearest due date first
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
                # Those to triage keep their description: the check for repeats reads it.
                .defer(
                    *(
                        f
                        for f in LIST_DEFERRED
                        if key != Section.TO_TRIAGE or f != "description"
                    )
                )
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
    found = (
        Escalation.objects.select_related(
            "petition", "petition__enterprise", "department"
        ).defer(*(f"petition__{field}" for field in LIST_DEFERRED))
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
    # Without the reports: a quarter's lists every uncleared petition (kilobytes each).
    for run in ReviewRun.objects.defer("report").order_by("-period_start", "-pk")[:60]:
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


# The newest event and the newest review run (each its primary key's index, read
# backwards): what the pages of staff, officials and leaders are computed from changes
# only with a new one of these.
_VERSION_SQL = (
    "SELECT (SELECT MAX(id) FROM petitions_petitionevent),"
    " (SELECT MAX(id) FROM petitions_reviewrun)"
)
# How long a page part kept under a version is used at most: the version follows every
# petition's step and every review run; this bounds what it does not see (an
# enterprise admitted, a department renamed, a category added).
CACHE_SECONDS = 60


def data_version() -> str:
    """A key part for figures and page parts computed from petitions: every change to a
    petition writes an event (append-only) and every review step a run, so what was
    computed under this version is still right while it is the version. One query."""
    with connection.cursor() as cursor:
        cursor.execute(_VERSION_SQL)
        event, run = cursor.fetchone()
    return f"{event or 0}.{run or 0}"


def _percentile(values: list[int], share: float) -> int | None:
    """Nearest-rank percentile (the value at or below which `share` of the values lie)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


def period_report(*, first: date, last: date, min_ranked: int | None = None) -> dict:
    """The figures of a month or a quarter (三率 and the rest), JSON-ready for ReviewRun.report.

    - intake: petitions received in the period, by channel and by category;
    - the rates, each with its numerator and denominator (petitions/rates.py, their one
      definition): response (on time against the approved and the original due date),
      resolution in the enterprise's word and as the departments declared it,
      satisfaction, and the return visit rate, with the ratings taken by staff and the
      answers closed with "no rating" counted apart;
    - days to reply: working days from receipt to the answer, median and 90th percentile;
    - working days the clock stood still for the enterprise (待企业补充) in the answers;
    - extensions (延期) asked in the period, approved and refused;
    - bounce-backs: petitions returned by a department as not its duty;
    - repeats (重复诉求) by category: petitions merged into another, and additions an
      enterprise made to an existing petition instead of filing it again;
    - per department, the same; departments with fewer than `min_ranked` petitions in
      the period (the method's rule, read when not given) are listed but not ranked.

    Five queries whatever the number of petitions (and the rule's, when not given).
    """
    if min_ranked is None:
        min_ranked = method_rules.current().min_ranked
    intake = Petition.objects.filter(_in_period("created_at", first, last))
    by_channel = dict(intake.values_list("channel").annotate(n=Count("pk")).order_by())
    by_category = list(
        intake.values("category__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "category__name")
    )
    events = _report_events(first, last)
    extensions = list(
        Extension.objects.filter(_in_period("asked_at", first, last))
        .values_list("department_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    departments = list(
        Department.objects.order_by("sort_order", "name").values_list("pk", "name")
    )

    answered_on = [
        timezone.localtime(e["petition__created_at"]).date()
        for e in events
        if e["to_status"] == S.REPLIED
    ]
    counter = workdays.WorkingDayCounter(min(answered_on, default=first), last)
    per_dep = defaultdict(lambda: {"petitions": set(), **dict.fromkeys(_COUNTS, 0)})
    totals = dict.fromkeys(_COUNTS, 0)
    days, repeats = [], defaultdict(Counter)
    for event in events:
        data, pk = event["data"] or {}, event["petition_id"]
        if event["kind"] == PetitionEvent.Kind.ADDITION:
            repeats[event["petition__category__name"] or ""]["additions"] += 1
        elif event["to_status"] == S.MERGED:
            repeats[event["petition__category__name"] or ""]["merged"] += 1
        elif event["to_status"] == S.REPLIED:
            days.append(
                counter.between(
                    timezone.localtime(event["petition__created_at"]).date(),
                    timezone.localtime(event["created_at"]).date(),
                )
            )
            dep = per_dep[data.get("department_id")]
            dep["petitions"].add(pk)
            _count_answer(data, (totals, dep))
        elif event["from_status"] == S.REPLIED and "rating" in data:
            # A "no rating" closing has no department in its data: the petition's.
            department_id = data.get("department_id", event["petition__department_id"])
            _count_rating(data, (totals, per_dep[department_id]))
        elif event["to_status"] == S.SUBMITTED:
            totals["bounces"] += 1
            per_dep[data.get("returned_by_id")]["bounces"] += 1
            per_dep[data.get("returned_by_id")]["petitions"].add(pk)
        elif event["to_status"] == S.DISPATCHED:
            per_dep[data.get("department_id")]["dispatched"] += 1
            per_dep[data.get("department_id")]["petitions"].add(pk)
    for department_id, status, n in extensions:
        for counts in (totals, per_dep[department_id]):
            counts["extensions_asked"] += n
            if status != Extension.Status.ASKED:  # decided: approved or refused
                counts[f"extensions_{status}"] += n

    summary = {
        "intake": sum(by_channel.values()),
        **{key: totals[key] for key in _COUNTS if key != "dispatched"},
        "merged": sum(c["merged"] for c in repeats.values()),
        "additions": sum(c["additions"] for c in repeats.values()),
        "median_days": statistics.median(days) if days else None,
        "p90_days": _percentile(days, 0.9),
    }
    summary["repeats"] = summary["merged"] + summary["additions"]
    rates.add_rates(summary)
    return {
        "first": first.isoformat(),
        "last": last.isoformat(),
        "totals": summary,
        "by_channel": [
            {"code": code, "count": by_channel.get(code, 0)}
            # The built-in channels, then those staff added that brought petitions
            # (their names are read where the report is shown: channel_label).
            for code in [
                *Petition.Channel.values,
                *sorted(set(by_channel) - set(Petition.Channel.values)),
            ]
        ],
        "by_category": [
            {"name": r["category__name"] or "", "count": r["n"]} for r in by_category
        ],
        "repeats": sorted(
            (
                {
                    "name": name,
                    "merged": c["merged"],
                    "additions": c["additions"],
                    "count": c["merged"] + c["additions"],
                }
                for name, c in repeats.items()
            ),
            key=lambda r: (-r["count"], r["name"]),
        ),
        "departments": _department_table(departments, per_dep, min_ranked),
    }


def _report_events(first: date, last: date) -> list[dict]:
    """The events of the period a report counts, in one query: answers, ratings (and
    "no rating"), bounce-backs, dispatches, merges and the enterprises' additions."""
    counted = Q(kind=PetitionEvent.Kind.STATUS) & (
        Q(to_status__in=(S.REPLIED, S.DISPATCHED, S.MERGED))
        | Q(from_status=S.REPLIED)
        | Q(to_status=S.SUBMITTED, from_status__in=Petition.WITH_DEPARTMENT)
    )
    return list(
        PetitionEvent.objects.filter(
            _in_period("created_at", first, last),
            counted | Q(kind=PetitionEvent.Kind.ADDITION),
        )
        .values(
            "kind",
            "from_status",
            "to_status",
            "created_at",
            "data",
            "petition_id",
            "petition__created_at",
            "petition__department_id",
            "petition__category__name",
        )
        .order_by()
    )


def _count_answer(data: dict, into: tuple[dict, ...]) -> None:
    """An answer (its status event's data) in the totals and its department's row."""
    outcome = data.get("outcome")
    if outcome not in Petition.Outcome.values:  # older answers of the chamber's own
        outcome = Petition.Outcome.EXPLAINED
    for counts in into:
        counts["answered"] += 1
        counts["answered_on_time"] += bool(data.get("on_time"))
        # Answers from before extensions existed: their only due date is the original.
        counts["answered_on_time_original"] += bool(
            data.get("on_time_original", data.get("on_time"))
        )
        counts[outcome] += 1
        counts["paused_days"] += data.get("paused") or 0


def _count_rating(data: dict, into: tuple[dict, ...]) -> None:
    """A rating, or a closing with "no rating", in the totals and its department's row."""
    rating, solved = data.get("rating"), data.get("solved")
    for counts in into:
        counts["rating_ended"] += 1
        if rating == Petition.Rating.NONE:
            counts["no_rating"] += 1
            continue
        counts["rated"] += 1
        counts["rated_by_staff"] += "return_visit" in data
        if rating in _RATINGS:
            counts[rating] += 1
        counts["satisfied_or_basically"] += rating in (
            Petition.Rating.SATISFIED,
            Petition.Rating.BASICALLY,
        )
        if solved in _SOLVED:  # older ratings did not ask
            counts["rated_with_solved"] += 1
            counts[_SOLVED[solved]] += 1


_RATINGS = (
    Petition.Rating.SATISFIED,
    Petition.Rating.BASICALLY,
    Petition.Rating.UNSATISFIED,
)
# The enterprise's word on its problem, by the report's key ("partly" is an outcome's).
_SOLVED = {
    Petition.Solved.SOLVED: "solved",
    Petition.Solved.PARTLY: "partly_solved",
    Petition.Solved.UNSOLVED: "unsolved",
}
# The counts of the totals and of each department's row; the rates are shares of them.
_COUNTS = (
    "dispatched",
    "answered",
    "answered_on_time",
    "answered_on_time_original",
    *Petition.Outcome.values,  # resolved, partly, explained: the departments' word
    "paused_days",
    "rating_ended",
    "rated",
    "rated_by_staff",
    "no_rating",
    *_RATINGS,
    "satisfied_or_basically",
    "rated_with_solved",
    *_SOLVED.values(),
    "extensions_asked",
    "extensions_approved",
    "extensions_refused",
    "bounces",
)


def _department_table(departments, per_dep, min_ranked: int) -> list[dict]:
    rows = []
    for pk, name in departments:
        dep = per_dep.get(pk)
        if dep is None:
            continue
        row = {"id": pk, "name": name, "petitions": len(dep["petitions"])}
        row.update({key: dep[key] for key in _COUNTS})
        rows.append(rates.add_rates(row))

    def score(row):
        return tuple(-1 if row[k] is None else row[k] for k in rates.RANKED_BY)

    ranked = sorted(
        (r for r in rows if r["petitions"] >= min_ranked), key=score, reverse=True
    )
    for row, (rank, tied) in zip(
        ranked, competition_ranks([score(r) for r in ranked]), strict=True
    ):
        row["rank"], row["tied"] = rank, tied
    unranked = sorted(
        (r for r in rows if r["petitions"] < min_ranked), key=lambda r: r["name"]
    )
    for row in unranked:
        row["rank"], row["tied"] = None, False
    return ranked + unranked
