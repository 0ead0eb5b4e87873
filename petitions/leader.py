"""The district leader's figures (领导看板), read on a phone.

This month so far and last month: petitions received, still open, overdue, and the three
rates (三率) with the count behind each, against the same days of the month before and of
the same month a year earlier (for last month: the month before and the same month a
year earlier); the 三率 of the last twelve months; intake by category; each department's
working days to reply; the departments below target or with too few petitions to rank;
escalations waiting; the groups' duties of the year and the activities held this month.

Every rate is defined once, in petitions/rates.py, and counted by
`selectors.period_report`: a whole month that has its stored monthly summary (月总结, a
`ReviewRun`) is read from it, so the leader reads the very figures of the report; any
other period (this month so far, the same days a month or a year earlier, a month the
summary never ran for, or stored before a rate was defined) is computed by the same
function. The number of queries does not grow with the number of petitions: a
fixed number of periods, each read in a fixed number of queries, and one aggregate for
what is open and overdue.
"""

import statistics
from collections import defaultdict
from datetime import date, datetime
from io import BytesIO

from django.core.cache import cache
from django.db.models import Count, Q
from django.db.models.fields.json import KT
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from openpyxl import Workbook

from activities.models import Activity
from activities.selectors import group_duty_grid
from chamber import method_rules, workdays
from chamber.exports import safe_cell
from chamber.models import Department
from petitions import rates
from petitions.models import (
    Escalation,
    Petition,
    PetitionEvent,
    RateTarget,
    ReviewRun,
    Section,
    section_q,
)
from petitions.review import month_bounds
from petitions.selectors import (  # one window, one definition
    _in_period,
    data_version,
    period_report,
)
from petitions.sheets import (
    PERCENT,
    figure_cells,
    format_rate_columns,
    rate_cells,
    rate_headings,
)

S = Petition.Status
# Months shown in the 三率 chart and table, this month (so far) included.
TREND_MONTHS = 12

# The counts of a comparison table, and whether more is worse (marked in colour). Not
# for what is still open: an earlier period's petitions have had longer to be answered.
# Its rates are those of petitions/rates.py, each with the counts behind it.
COUNTS = (
    ("intake", gettext_lazy("petitions received"), False),
    ("open", gettext_lazy("of these, still open"), False),
    ("overdue", gettext_lazy("of these, overdue"), True),
    ("no_rating", gettext_lazy("closed without rating"), True),
)


def _month_first(day: date, back: int = 0) -> date:
    """The first day of the month `back` months before the month holding `day`."""
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def _up_to_day(first: date, day: int) -> tuple[date, date]:
    """From `first` (a month's first day) to its day `day`, or its last day if shorter."""
    last = month_bounds(first)[1]
    return first, min(first.replace(day=min(day, last.day)), last)


def _periods(today: date) -> dict[str, tuple[date, date]]:
    """Every period the page reads, by key: the comparisons and the trend's months."""
    this_month = _month_first(today)
    periods = {
        "this_month": (this_month, today),
        "this_month_before": _up_to_day(_month_first(today, 1), today.day),
        "this_month_year_ago": _up_to_day(_month_first(today, 12), today.day),
        "last_month": month_bounds(_month_first(today, 1)),
        "last_month_before": month_bounds(_month_first(today, 2)),
        "last_month_year_ago": month_bounds(_month_first(today, 13)),
    }
    for back in range(TREND_MONTHS - 1, 0, -1):
        periods[f"trend_{back}"] = month_bounds(_month_first(today, back))
    periods["trend_0"] = periods["this_month"]
    return periods


def period_reports(
    periods: dict[str, tuple[date, date]],
    *,
    today: date,
    min_ranked: int,
    version: str | None = None,
) -> dict[str, dict]:
    """The `period_report` of each period: the stored monthly summary for a whole month
    that has one with every rate, else computed by `period_report` (each distinct
    period once) and kept in the cache under the newest event's id (`computed`).

    One query for the stored summaries, then one for the events' version and, for the
    computed periods not in the cache, a fixed number per period.
    """
    whole_months = {
        (first, last)
        for first, last in periods.values()
        if (first, last) == month_bounds(first) and last < today
    }
    stored = {
        (run.period_start, run.period_end): run.report
        for run in ReviewRun.objects.filter(
            kind=ReviewRun.Kind.MONTHLY,
            period_start__in=[first for first, _last in whole_months],
            finished_at__isnull=False,
        ).only("period_start", "period_end", "report")
        if rates.is_complete(run.report.get("totals") or {})
    }
    found: dict[tuple[date, date], dict] = {
        span: stored[span]
        for span in set(periods.values())
        if span in whole_months and span in stored
    }
    missing = set(periods.values()) - set(found)
    if missing:
        found.update(
            computed(
                missing,
                lambda first, last: period_report(
                    first=first, last=last, min_ranked=min_ranked
                ),
                name=f"period-report:{min_ranked}",
                version=version,
            )
        )
    return {key: found[span] for key, span in periods.items()}


# How long a computed figure is kept at most: the version changes with every petition's
# step; this bounds what it does not see (a department renamed, say).
COMPUTED_SECONDS = 600


def computed(
    spans, compute, *, name: str, version: str | None = None
) -> dict[tuple[date, date], object]:
    """`compute(first, last)` of each span, from the cache where it was computed since
    the newest event (`selectors.data_version`): this month so far and the same days
    a month and a year before cost the leader's page about 0.4 s at two years' data,
    for figures that change only when a petition moves. One query and one cache
    round trip to read them (no query when the `version` is given), one more to keep
    those computed."""
    version = data_version() if version is None else version
    keys = {span: f"petitions:{name}:{span[0]}:{span[1]}:{version}" for span in spans}
    cached = cache.get_many(list(keys.values()))
    found, fresh = {}, {}
    for span, key in keys.items():
        if key in cached:
            found[span] = cached[key]
        else:
            found[span] = fresh[key] = compute(*span)
    if fresh:
        cache.set_many(fresh, COMPUTED_SECONDS)
    return found


def open_and_overdue(
    periods: dict[str, tuple[date, date]], *, today: date
) -> dict[str, dict[str, int]]:
    """Of the petitions received in each period, how many are still open and how many are
    overdue today (`Section.OVERDUE`); key "all": every petition. One query, over the
    open petitions only (overdue ones are open): the partial index `petition_open_new`
    serves it, however many petitions have ended."""
    ended = Q(status__in=Petition.ENDED_STATUSES)
    overdue = section_q(Section.OVERDUE, today)
    aggregates = {"all_open": Count("pk", filter=~ended)}
    aggregates["all_overdue"] = Count("pk", filter=overdue)
    for key, (first, last) in periods.items():
        received = _in_period("created_at", first, last)
        aggregates[f"{key}_open"] = Count("pk", filter=received & ~ended)
        aggregates[f"{key}_overdue"] = Count("pk", filter=received & overdue)
    counts = Petition.objects.open().aggregate(**aggregates)
    return {
        key: {"open": counts[f"{key}_open"], "overdue": counts[f"{key}_overdue"]}
        for key in ["all", *periods]
    }


def _figures(report: dict, held: dict[str, int]) -> dict:
    """A period's figures: the report's totals, what is still open of it, and each rate
    with the counts behind it."""
    totals = report["totals"]
    figures = {
        "intake": totals["intake"],
        "open": held["open"],
        "overdue": held["overdue"],
        "no_rating": totals["no_rating"],
    }
    for r in rates.RATES:
        for key in (r.key, r.part, r.whole):
            figures[key] = totals[key]
    return figures


def _change(now, then, *, points: bool) -> str:
    """The change from `then` to `now` as it reads: +3, −1.5 (a rate, in percentage
    points) or 0; empty when either side has no figure."""
    if now is None or then is None:
        return ""
    diff = round(now - then, 1) if points else now - then
    if not diff:
        return "0"
    text = f"{abs(diff):.1f}" if points else str(abs(diff))
    return ("+" if diff > 0 else "\N{MINUS SIGN}") + text


def _direction(now, then, worse_when_up: bool) -> str:
    if now is None or then is None or now == then:
        return ""
    return "worse" if (now > then) == worse_when_up else "better"


def comparison(columns: list[tuple[str, tuple[date, date], dict]]) -> dict:
    """A period against two others: a row per figure, a cell per period; the later
    cells carry the change of the first period against them."""
    first = columns[0][2]
    rows = []
    for key, label, worse_when_more in COUNTS:
        cells = [{"value": first[key]}]
        for _name, _span, figures in columns[1:]:
            direction = _direction(first[key], figures[key], True)
            cells.append(
                {
                    "value": figures[key],
                    "change": _change(first[key], figures[key], points=False),
                    "direction": direction if worse_when_more else "",
                }
            )
        rows.append({"key": key, "label": label, "rate": False, "cells": cells})
    for r in rates.RATES:
        cells = []
        for index, (_name, _span, figures) in enumerate(columns):
            figure = rates.figure(figures, r.key)
            cell = {
                "value": figure.value,
                "part": figure.part,
                "whole": figure.whole,
                "figure": figure,
            }
            if index:
                cell["change"] = _change(first[r.key], figure.value, points=True)
                cell["direction"] = _direction(first[r.key], figure.value, False)
            cells.append(cell)
        rows.append(
            {
                "key": r.key,
                "label": r.label,
                "rate": True,
                "beside": bool(r.beside),
                "cells": cells,
            }
        )
    return {
        "columns": [
            {"label": name, "first": span[0], "last": span[1]}
            for name, span, _f in columns
        ],
        "rows": rows,
    }


def departments_to_watch(report: dict, targets: dict[str, int]) -> list[dict]:
    """The departments of a report below a target (`RateTarget`, data in the admin) or
    with too few petitions to be ranked (the method's rule `min_ranked`), in the report's
    order, with the headline rates (the 三率 and the return visit rate) and their counts."""
    watched = []
    for row in report.get("departments", []):
        below = [
            key
            for key, target in targets.items()
            if row.get(key) is not None and row[key] < target
        ]
        unranked = row.get("rank") is None
        if not (below or unranked):
            continue
        watched.append(
            {
                "name": row["name"],
                "petitions": row["petitions"],
                "unranked": unranked,
                "rates": [
                    {
                        "key": r.key,
                        "value": row.get(r.key),
                        "part": row.get(r.part),
                        "whole": row.get(r.whole),
                        "figure": rates.figure(row, r.key),
                        "below": r.key in below,
                    }
                    for r in rates.HEADLINE
                ],
            }
        )
    return watched


def department_reply_days(*, first: date, last: date) -> list[dict]:
    """Per department, working days from receipt to the answer (as `period_report` counts
    them) of the answers given from `first` to `last`: median, slowest and how many;
    the slowest median first. Petitions the chamber answered itself are left out. Two
    queries."""
    # One row per day of receipt, day of answer and department, with how many answers:
    # the days (Beijing time, TruncDate) and the grouping are the database's work.
    spans = list(
        PetitionEvent.objects.filter(
            _in_period("created_at", first, last),
            kind=PetitionEvent.Kind.STATUS,
            to_status=S.REPLIED,
            data__has_key="department_id",
        )
        .exclude(data__department_id=None)
        .annotate(
            received_on=TruncDate("petition__created_at"),
            answered_on=TruncDate("created_at"),
            department=KT("data__department_id"),
        )
        .values("received_on", "answered_on", "department")
        .annotate(answers=Count("pk"))
        .order_by()
    )
    earliest = min((row["received_on"] for row in spans), default=first)
    counter = workdays.WorkingDayCounter(earliest, last)
    days = defaultdict(list)
    for row in spans:
        took = counter.between(row["received_on"], row["answered_on"])
        days[int(row["department"])] += [took] * row["answers"]
    names = dict(Department.objects.filter(pk__in=days).values_list("pk", "name"))
    rows = [
        {
            "name": names.get(pk, ""),
            "median": _number(statistics.median(took)),
            "slowest": max(took),
            "answered": len(took),
        }
        for pk, took in days.items()
    ]
    return sorted(rows, key=lambda r: (-r["median"], r["name"]))


def _number(value: float) -> float | int:
    """4.0 as 4, 4.5 as it is: a median of working days reads as people count them."""
    return int(value) if value == int(value) else round(value, 1)


def escalation_counts() -> dict[str, int]:
    """Escalations of petitions not yet ended, by reason, as the escalations page counts
    them. One query."""
    return dict(
        Escalation.objects.exclude(petition__status__in=Petition.ENDED_STATUSES)
        .values_list("reason")
        .annotate(n=Count("pk"))
        .order_by()
    )


def escalations_waiting(counts: dict[str, int] | None = None) -> dict:
    """Escalations of petitions not yet ended, by reason (`escalation_counts`, read
    when not given), each reason with its label."""
    if counts is None:
        counts = escalation_counts()
    return {
        "total": sum(counts.values()),
        "reasons": [
            (label, counts.get(code, 0)) for code, label in Escalation.Reason.choices
        ],
    }


def group_duties(*, today: date) -> dict:
    """The year's groups at a glance (the duty grid of `activities.selectors`): this
    month's activities, the months gone by without one, a large or medium one led."""
    rows = []
    for row in group_duty_grid(year=today.year):
        months = row["months"]
        rows.append(
            {
                "label": row["group"].label,
                "name": row["group"].name,
                "this_month": months[today.month - 1],
                "missed": [m for m in range(1, today.month) if not months[m - 1]],
                "led_large_or_medium": row["led_large_or_medium"],
            }
        )
    return {
        "year": today.year,
        "rows": rows,
        "active_this_month": sum(1 for r in rows if r["this_month"]),
    }


def activities_held(*, first: date, now: datetime) -> list[Activity]:
    """Published activities that started from `first` until `now`, with their
    attendance (check-ins not undone). One query."""
    return list(
        Activity.objects.published()
        .filter(starts_at__gte=workdays.start_of_day(first), starts_at__lte=now)
        .select_related("series", "organising_group")
        .annotate(
            attended=Count("attendances", filter=Q(attendances__undone_at__isnull=True))
        )
        .order_by("starts_at", "pk")
    )


def overview(*, today: date, now: datetime) -> dict:
    """Everything the leader's page shows, for day `today`; a fixed number of queries."""
    periods = _periods(today)
    min_ranked = method_rules.current().min_ranked  # one read for every period
    version = data_version()  # one read for every figure kept in the cache
    reports = period_reports(
        periods, today=today, min_ranked=min_ranked, version=version
    )
    # What is open, overdue and escalated today: kept under the data's version too
    # (41 filtered counts cost more to build than to run).
    held, escalated = computed(
        {(today, today)},
        lambda _first, _last: (
            open_and_overdue(periods, today=today),
            escalation_counts(),
        ),
        name="held",
        version=version,
    )[(today, today)]
    figures = {key: _figures(reports[key], held[key]) for key in periods}

    def column(name, key):
        return (name, periods[key], figures[key])

    trend = [
        {
            "first": periods[f"trend_{back}"][0],
            "last": periods[f"trend_{back}"][1],
            **figures[f"trend_{back}"],
        }
        for back in range(TREND_MONTHS - 1, -1, -1)
    ]
    categories = _categories(reports["this_month"], reports["last_month"])
    targets = RateTarget.objects.as_dict()
    year_first = periods[f"trend_{TREND_MONTHS - 1}"][0]
    return {
        "today": today,
        "now": held["all"],
        "this_month": comparison(
            [
                column(_("This month so far"), "this_month"),
                column(_("Same days last month"), "this_month_before"),
                column(_("Same days a year ago"), "this_month_year_ago"),
            ]
        ),
        "last_month": comparison(
            [
                column(_("Last month"), "last_month"),
                column(_("The month before"), "last_month_before"),
                column(_("Same month a year ago"), "last_month_year_ago"),
            ]
        ),
        "trend": trend,
        "categories": categories,
        "reply_days": {
            "first": year_first,
            "last": today,
            "rows": computed(
                {(year_first, today)},
                lambda first, last: department_reply_days(first=first, last=last),
                name="reply-days",
                version=version,
            )[(year_first, today)],
        },
        "watch": [
            {
                "label": _("This month so far"),
                "rows": departments_to_watch(reports["this_month"], targets),
            },
            {
                "label": _("Last month"),
                "rows": departments_to_watch(reports["last_month"], targets),
            },
        ],
        "targets": targets,
        "min_ranked": min_ranked,
        "escalations": escalations_waiting(escalated),
        "groups": group_duties(today=today),
        "activities": activities_held(first=periods["this_month"][0], now=now),
    }


def _categories(this_month: dict, last_month: dict) -> list[dict]:
    """Intake by category in both months, as the reports count it; the most first."""
    rows: dict[str, dict] = {}
    for key, report in (("this_month", this_month), ("last_month", last_month)):
        for row in report.get("by_category", []):
            name = row["name"] or _("not categorised")
            rows.setdefault(name, {"name": name, "this_month": 0, "last_month": 0})
            rows[name][key] += row["count"]
    return sorted(
        rows.values(), key=lambda r: (-r["this_month"], -r["last_month"], r["name"])
    )


def chart_data(figures: dict) -> dict:
    """What static/js/leader-charts.js draws, with its labels (json_script)."""
    reply = figures["reply_days"]["rows"]
    return {
        "trend": {
            "months": [f"{row['first']:%Y-%m}" for row in figures["trend"]],
            "series": [
                {
                    "name": str(r.label),
                    "data": [row[r.key] for row in figures["trend"]],
                }
                for r in rates.HEADLINE
            ],
        },
        "categories": {
            "names": [row["name"] for row in figures["categories"]],
            "series": [
                {
                    "name": _("This month so far"),
                    "data": [row["this_month"] for row in figures["categories"]],
                },
                {
                    "name": _("Last month"),
                    "data": [row["last_month"] for row in figures["categories"]],
                },
            ],
        },
        "departments": {
            "names": [row["name"] for row in reply],
            "series": [
                {
                    "name": _("median working days to reply"),
                    "data": [row["median"] for row in reply],
                }
            ],
        },
        "percent": "%",
    }


# --- the Excel export: the page's tables --------------------------------------------------


def _percent_columns(sheet, columns) -> None:
    for row in sheet.iter_rows(min_row=2):
        for index in columns:
            if index < len(row):
                row[index].number_format = PERCENT


def _comparison_sheet(book: Workbook, title: str, table: dict) -> None:
    sheet = book.create_sheet(title[:31])
    head = [pgettext("a measured value", "figure")]
    for column in table["columns"]:
        span = f"{column['first']:%Y-%m-%d}–{column['last']:%Y-%m-%d}"
        head += [f"{column['label']} {span}", _("numerator"), _("denominator")]
    sheet.append(head)
    for row in table["rows"]:
        line = [str(row["label"])]
        for cell in row["cells"]:
            if row["rate"]:
                line += [rates.as_fraction(cell["value"]), cell["part"], cell["whole"]]
            else:
                line += [cell["value"], None, None]
        sheet.append(line)
    _percent_columns(sheet, [1, 4, 7])


def workbook(figures: dict) -> bytes:
    """The page's tables as a workbook, one sheet each, every cell formula-safe."""
    book = Workbook()
    book.remove(book.active)
    _comparison_sheet(book, _("This month so far"), figures["this_month"])
    _comparison_sheet(book, _("Last month"), figures["last_month"])
    trend = book.create_sheet(_("three rates by month")[:31])
    trend.append([_("month"), _("petitions received"), *rate_headings()])
    for row in figures["trend"]:
        trend.append([f"{row['first']:%Y-%m}", row["intake"], *rate_cells(row)])
    format_rate_columns(trend, 3)
    categories = book.create_sheet(_("intake by category")[:31])
    categories.append([_("category"), _("This month so far"), _("Last month")])
    for row in figures["categories"]:
        categories.append(
            [safe_cell(row["name"]), row["this_month"], row["last_month"]]
        )
    days = book.create_sheet(_("working days to reply")[:31])
    days.append([_("department"), _("median"), _("slowest"), _("answers given")])
    for row in figures["reply_days"]["rows"]:
        days.append(
            [safe_cell(row["name"]), row["median"], row["slowest"], row["answered"]]
        )
    watch = book.create_sheet(_("departments to watch")[:31])
    watch.append(
        [
            _("period"),
            _("department"),
            _("petitions"),
            _("not ranked"),
            *rate_headings(rates.HEADLINE),
        ]
    )
    for period in figures["watch"]:
        for row in period["rows"]:
            watch.append(
                [
                    str(period["label"]),
                    safe_cell(row["name"]),
                    row["petitions"],
                    _("yes") if row["unranked"] else "",
                    *figure_cells(rate["figure"] for rate in row["rates"]),
                ]
            )
    format_rate_columns(watch, 5, rates.HEADLINE)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
