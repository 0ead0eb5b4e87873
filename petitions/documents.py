"""The monthly summary (月总结) and the quarterly clear-to-zero report (季清零) on paper
(issue 21): as PDF for the leaders' meeting and as Word, to edit before it.

One kind, "period-report", for both steps: the title is the step's name. Its context is
built from a stored ReviewRun (`period_report_context`), from the same stored figures the
report page shows (`run.report`): the rates with their counts come from petitions/rates.py
(their one definition), the departments' ranks as the page prints them, the method's
rules the report was computed with. Beside them, read at print time: the report of the
period before (the same step's stored run), the escalations of the period and the month's
topic (每月一题).

Every value handed to a template is plain text or a number: Django's templates and
docxtpl escape it, so a petition titled "<script>" or "{ MERGEFIELD x }" prints as typed.
"""

from datetime import date, timedelta

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext, pgettext_lazy

from chamber import documents, method_rules, workdays
from chamber.ranking import rank_label
from chamber.times import beijing_date, beijing_minute
from petitions import rates
from petitions.models import (
    Escalation,
    MonthlyTopic,
    Petition,
    ReviewRun,
    channel_label,
)
from petitions.templatetags.rates import points

KEY = "period-report"
# Escalated petitions printed, as many as the page lists of each list
# (petitions.views.REPORT_LIST_ROWS); the document says how many there are in all.
LIST_ROWS = 100
# The figures printed under the rates, besides each rate's own counts.
COUNTS = (
    (gettext_lazy("petitions received"), "intake"),
    (gettext_lazy("answers given"), "answered"),
    (gettext_lazy("no rating"), "no_rating"),
    (gettext_lazy("rated on a return visit"), "rated_by_staff"),
    (gettext_lazy("working days paused for the enterprise"), "paused_days"),
    (gettext_lazy("extensions asked"), "extensions_asked"),
    (gettext_lazy("extensions approved"), "extensions_approved"),
    (gettext_lazy("returned"), "bounces"),
)


# The Word template's words (bin/docx_templates.py writes tags only); the HTML template
# translates the same words itself.
LABELS = {
    "rates": gettext_lazy("The rates"),
    "rate": gettext_lazy("rate"),
    "value": gettext_lazy("value"),
    "numerator": gettext_lazy("numerator"),
    "denominator": gettext_lazy("denominator"),
    "figure": pgettext_lazy("a measured value", "figure"),
    "no_rates": gettext_lazy("This report holds no rates."),
    "compared": gettext_lazy("Compared with the period before"),
    "change": gettext_lazy("change (points)"),
    "no_previous": gettext_lazy("No report of the period before is stored."),
    "departments": gettext_lazy("Departments"),
    "rank": gettext_lazy("rank"),
    "department": gettext_lazy("department"),
    "petitions": gettext_lazy("petitions"),
    "gap": gettext_lazy("gap (points)"),
    "returned": gettext_lazy("returned"),
    "intake": gettext_lazy("Intake"),
    "channel": gettext_lazy("channel"),
    "category": gettext_lazy("category"),
    "escalated": gettext_lazy("Overdue and escalated petitions"),
    "number": gettext_lazy("number"),
    "enterprise": gettext_lazy("enterprise"),
    "title": pgettext_lazy("heading", "title"),
    "reason": gettext_lazy("reason"),
    "overdue": gettext_lazy("overdue (working days)"),
    "escalated_at": gettext_lazy("escalated at"),
    "no_escalations": gettext_lazy("No petition was escalated in the period."),
    "topic": gettext_lazy("Monthly topic"),
    "lead": gettext_lazy("lead department"),
    "co": gettext_lazy("co-operating departments"),
    "task": gettext_lazy("task"),
    "in_charge": gettext_lazy("in charge"),
    "due_on": gettext_lazy("due date"),
    "state": pgettext_lazy("of a task", "state"),
    "no_topic": gettext_lazy("No monthly topic in the period."),
    "rules": gettext_lazy("Rules used"),
    "rules_note": gettext_lazy(
        "The rules of the method this report was computed with, as they stood when "
        "it ran."
    ),
    "rule": gettext_lazy("rule"),
}


def _labels(*, ran_at: str, shown: int, total: int, min_ranked: int) -> dict:
    labels = {key: str(label) for key, label in LABELS.items()}
    labels["computed"] = (
        _("Computed %(when)s (Beijing time)") % {"when": ran_at} if ran_at else ""
    )
    labels["cut"] = _("The first %(n)d of %(total)d are listed.") % {
        "n": shown,
        "total": total,
    }
    labels["ranked"] = ngettext(
        "Ranked by response rate, then satisfaction and resolution; departments with "
        "fewer than %(n)s petition in the period are listed but not ranked.",
        "Ranked by response rate, then satisfaction and resolution; departments with "
        "fewer than %(n)s petitions in the period are listed but not ranked.",
        min_ranked,
    ) % {"n": min_ranked}
    return labels


def period_label(kind: str, first: date, last: date) -> str:
    """How a period is named on paper and in file names: 2026-03, 2026-Q1."""
    if kind == ReviewRun.Kind.QUARTERLY:
        return f"{first.year}-Q{(first.month - 1) // 3 + 1}"
    if kind == ReviewRun.Kind.MONTHLY:
        return f"{first:%Y-%m}"
    return f"{first:%Y-%m-%d}"


def filename(run: ReviewRun, extension: str) -> str:
    """月总结_2026-03.pdf, 季清零_2026-Q1.docx (the step's name in the reader's language)."""
    label = period_label(run.kind, run.period_start, run.period_end)
    return f"{run.get_kind_display()}_{label}.{extension}"


def _rank(row: dict) -> str:
    if row.get("rank") is None:
        return "—"
    return rank_label(row["rank"], row.get("tied", False))


def _figure(source, key: str) -> dict:
    figure = rates.figure(source, key)
    return {
        "label": str(figure.rate.label),
        "percent": figure.percent,
        "counts": figure.counts,
        "text": str(figure),
        "value": figure.value,
    }


def _rates(totals: dict, before: dict | None) -> list[dict]:
    """Each rate of the definition: value, counts and what they count, and the change
    against the period before (in percentage points)."""
    found = []
    for r in rates.RATES:
        now = rates.figure(totals, r.key)
        row = {
            **_figure(totals, r.key),
            "part": "—" if now.part is None else now.part,
            "whole": "—" if now.whole is None else now.whole,
            "part_label": str(r.part_label),
            "whole_label": str(r.whole_label),
            "meaning": str(r.meaning),
            "headline": not r.beside,
            "before": "",
            "change": "",
        }
        if before is not None:
            then = rates.figure(before, r.key)
            row["before"] = str(then)
            if now.value is not None and then.value is not None:
                row["change"] = points(round(now.value - then.value, 1))
            else:
                row["change"] = "—"
        found.append(row)
    return found


def _previous(run: ReviewRun) -> ReviewRun | None:
    """The same step's stored run of the period before, if it was stored."""
    from petitions.review import period_of

    first, _last = period_of(run.kind, run.period_start)
    return ReviewRun.objects.filter(
        kind=run.kind, period_start=first, finished_at__isnull=False
    ).first()


def _escalations(run: ReviewRun) -> tuple[list[dict], int]:
    """The petitions escalated to the leaders by this run or in its period (overdue by
    the weekly dispatch, not cleared by the quarter's end): the first LIST_ROWS, and how
    many there are."""
    found = Escalation.objects.filter(
        Q(run=run)
        | Q(
            created_at__gte=workdays.start_of_day(run.period_start),
            created_at__lt=workdays.start_of_day(run.period_end + timedelta(days=1)),
        )
    )
    total = found.count()
    rows = [
        {
            "number": e.petition.number,
            "enterprise": e.petition.enterprise.name,
            "title": e.petition.title,
            "department": e.department.name if e.department else "",
            "reason": str(e.get_reason_display()),
            "overdue_days": e.overdue_working_days,
            "age_days": e.age_working_days,
            "on": f"{beijing_date(e.created_at):%Y-%m-%d}",
        }
        for e in found.select_related("petition__enterprise", "department").order_by(
            "created_at", "pk"
        )[:LIST_ROWS]
    ]
    return rows, total


def _topics(run: ReviewRun) -> list[dict]:
    """每月一题 of the period's months (one for a month, up to three for a quarter)."""
    found = (
        MonthlyTopic.objects.filter(
            month__gte=run.period_start.replace(day=1), month__lte=run.period_end
        )
        .select_related("lead_department")
        .prefetch_related("departments", "tasks__department")
        .order_by("month")
    )
    return [
        {
            "month": f"{topic.month:%Y-%m}",
            "title": topic.title,
            "status": str(topic.get_status_display()),
            "lead": topic.lead_department.name,
            "departments": "、".join(d.name for d in topic.departments.all()),
            "problems": topic.problem_lines(),
            "tasks": [
                {
                    "text": task.text,
                    "who": task.department.name if task.department else task.owner,
                    "due_on": f"{task.due_on:%Y-%m-%d}",
                    "done": (
                        pgettext("topic task", "done")
                        if task.done_at
                        else pgettext("topic task", "not done")
                    ),
                }
                for task in topic.tasks.all()
            ],
            "result": topic.result,
        }
        for topic in found
    ]


def context_of(
    *,
    title: str,
    kind: str,
    first: date,
    last: date,
    report: dict,
    ran_at: str = "",
    previous: dict | None = None,
    escalations: list[dict] = (),
    escalations_total: int = 0,
    topics: list[dict] = (),
    channel_name=channel_label,
) -> dict:
    """The document's context from a stored report (`ReviewRun.report`) and what is read
    beside it; plain values only (the sample needs no database: it names the channels
    itself, `channel_name`, where a run reads their names, which are data)."""
    totals = report.get("totals") or {}
    before = (previous or {}).get("report", {}).get("totals") if previous else None
    min_ranked = (report.get("rules") or {}).get("min_ranked", 3)
    return {
        "labels": _labels(
            ran_at=ran_at,
            shown=len(escalations),
            total=escalations_total,
            min_ranked=min_ranked,
        ),
        "title": title,
        "period": period_label(kind, first, last),
        "first": f"{first:%Y-%m-%d}",
        "last": f"{last:%Y-%m-%d}",
        "ran_at": ran_at,
        "has_rates": bool(totals),
        "rates": _rates(totals, before),
        "rate_labels": [str(r.label) for r in rates.RATES],
        "counts": [
            {"label": str(label), "value": _or_dash(totals.get(key))}
            for label, key in COUNTS
        ],
        "previous": (
            {
                "period": period_label(kind, previous["first"], previous["last"]),
                "has_rates": before is not None,
            }
            if previous
            else None
        ),
        "min_ranked": min_ranked,
        "departments": [
            {
                "rank": _rank(row),
                "name": row["name"],
                "petitions": row.get("petitions", 0),
                "rates": [_figure(row, r.key) for r in rates.RATES],
                "gap": points(row.get(rates.GAP)),
                "bounces": row.get("bounces", 0),
            }
            for row in report.get("departments", [])
        ],
        "by_channel": [
            {"name": str(channel_name(row["code"])), "count": row["count"]}
            for row in report.get("by_channel", [])
        ],
        "by_category": [
            {"name": row["name"] or _("not categorised"), "count": row["count"]}
            for row in report.get("by_category", [])
        ],
        "escalations": list(escalations),
        "escalations_total": escalations_total,
        "escalations_cut": escalations_total > len(escalations),
        "topics": list(topics),
        "rules": [
            {"label": label, "value": value}
            for label, value in method_rules.describe(report.get("rules") or {})
        ],
    }


def _or_dash(value):
    return "—" if value is None else value


def period_report_context(run: ReviewRun) -> dict:
    """The context of a monthly or quarterly run's document: four queries besides the
    run (the run before, the escalations and their count, the topics)."""
    previous = _previous(run)
    escalations, total = _escalations(run)
    return context_of(
        title=str(run.get_kind_display()),
        kind=run.kind,
        first=run.period_start,
        last=run.period_end,
        report=run.report,
        ran_at=beijing_minute(run.finished_at) if run.finished_at else "",
        previous=(
            {
                "first": previous.period_start,
                "last": previous.period_end,
                "report": previous.report,
            }
            if previous
            else None
        ),
        escalations=escalations,
        escalations_total=total,
        topics=_topics(run),
    )


# --- the sample: a month with every part filled, rare characters included -------------------


def _sample_counts(**given) -> dict:
    counts = (
        dict.fromkeys({key for r in rates.RATES for key in (r.part, r.whole)}, 0)
        | dict.fromkeys(key for _label, key in COUNTS)
        | given
    )
    return rates.add_rates({k: (0 if v is None else v) for k, v in counts.items()})


def sample_report() -> dict:
    """A stored monthly report as `selectors.period_report` makes it (plus its rules)."""
    a = _sample_counts(
        answered=12,
        answered_on_time=10,
        answered_on_time_original=9,
        solved=7,
        rated_with_solved=9,
        resolved=10,
        satisfied_or_basically=8,
        rated=9,
        rating_ended=11,
        no_rating=2,
        rated_by_staff=3,
        bounces=1,
    )
    b = _sample_counts(
        answered=4,
        answered_on_time=4,
        answered_on_time_original=4,
        solved=3,
        rated_with_solved=3,
        resolved=4,
        satisfied_or_basically=3,
        rated=3,
        rating_ended=4,
        no_rating=1,
    )
    c = _sample_counts(answered=1, answered_on_time=1, answered_on_time_original=1)
    totals = _sample_counts(
        **{
            key: a.get(key, 0) + b.get(key, 0) + c.get(key, 0)
            for key in {k for r in rates.RATES for k in (r.part, r.whole)}
            | {"no_rating", "rated_by_staff", "bounces"}
        },
        intake=19,
        paused_days=3,
        extensions_asked=2,
        extensions_approved=1,
    )
    return {
        "totals": totals,
        "by_channel": [
            {"code": Petition.Channel.ONLINE, "count": 14},
            {"code": Petition.Channel.DUTY_STUDIO, "count": 5},
        ],
        "by_category": [{"name": "融资信贷", "count": 11}, {"name": "", "count": 8}],
        "departments": [
            {
                **a,
                "id": 1,
                "name": "鲅鱼圈区营商环境局",
                "petitions": 12,
                "rank": 1,
                "tied": False,
            },
            {
                **b,
                "id": 2,
                "name": "㙟子街道办事处",
                "petitions": 4,
                "rank": 2,
                "tied": False,
            },
            {
                **c,
                "id": 3,
                "name": "区市场监管局",
                "petitions": 1,
                "rank": None,
                "tied": False,
            },
        ],
        "rules": {"min_ranked": 3, "escalate_after": 10},
    }


def sample() -> dict:
    """The kind's sample: March 2026 of a district, February before it, one topic."""
    before = sample_report()
    before["totals"] = _sample_counts(
        answered=10,
        answered_on_time=7,
        answered_on_time_original=7,
        solved=5,
        rated_with_solved=8,
        resolved=8,
        satisfied_or_basically=7,
        rated=8,
        rating_ended=9,
        intake=15,
    )
    return context_of(
        title=_("monthly summary"),
        kind=ReviewRun.Kind.MONTHLY,
        first=date(2026, 3, 1),
        last=date(2026, 3, 31),
        report=sample_report(),
        ran_at="2026-04-01 07:00",
        previous={
            "first": date(2026, 2, 1),
            "last": date(2026, 2, 28),
            "report": before,
        },
        escalations=[
            {
                "number": "SQ-2026-000123",
                "enterprise": "营口鲅鱼圈㙟记海产有限公司",
                "title": "厂区道路<script>alert(1)</script>{ MERGEFIELD x }",
                "department": "鲅鱼圈区营商环境局",
                "reason": str(Escalation.Reason.OVERDUE.label),
                "overdue_days": 11,
                "age_days": 21,
                "on": "2026-03-23",
            }
        ],
        escalations_total=1,
        channel_name=lambda code: Petition.Channel(code).label,
        topics=[
            {
                "month": "2026-03",
                "title": "中小企业融资难",
                "status": str(MonthlyTopic.Status.OPEN.label),
                "lead": "鲅鱼圈区营商环境局",
                "departments": "㙟子街道办事处、区市场监管局",
                "problems": ["贷款审批周期长", "抵押物不足"],
                "tasks": [
                    {
                        "text": "召开银企对接会",
                        "who": "鲅鱼圈区营商环境局",
                        "due_on": "2026-04-15",
                        "done": pgettext("topic task", "not done"),
                    }
                ],
                "result": "",
            }
        ],
    )


documents.register(
    documents.Kind(
        KEY,
        gettext_lazy("monthly or quarterly report"),
        sample,
        html=True,
        docx=True,
    )
)
