"""The rates (三率 and 回访率): their one definition, read by every report, digest, page
and export.

A rate is a share of two counts of a period's report (`selectors.period_report`, stored
in `ReviewRun.report`): its numerator and its denominator sit in the report's totals
and in each department's row under the keys named here, and every page, e-mail and
workbook shows them beside the percentage (a page in small type under it, with their
names on hover; an e-mail as "80.0%（12/15）"; a workbook in their own columns).

The counts are taken from the petitions' status events of the period (Beijing days):

- **响应率 response_rate** = answers given on time against the approved due date
  (an approved extension moves it; `on_time` of the answer's event) / answers given in
  the period. Beside it, **response_rate_original**: on time against the original due
  date (`on_time_original`; no extension counted; a pause for the enterprise moves both
  dates).
- **解决率（企业评价） resolution_rate** = ratings in the period whose enterprise said
  the problem was solved (`solved` = "solved" on the rating's event) / ratings in the
  period that answer that question. Older ratings, from before the enterprise was asked,
  are in neither count. Beside it, **部门自报解决率 declared_resolution_rate** = answers
  the department declared resolved (outcome "resolved") / answers given; and per
  department the gap between the two (`resolution_gap`: declared minus the
  enterprise's, in percentage points).
- **满意率 satisfaction_rate** = ratings satisfied or basically satisfied / ratings
  with the enterprise's word ("no rating" is not "unsatisfied": it is not counted here).
- **回访率 visit_rate** = ratings with the enterprise's word, given by itself or taken by
  staff on a return visit (回访, `return_visit` on the event; also counted apart as
  `rated_by_staff`) / answers whose rating window ended in the period (rated, or closed
  with "no rating" by the daily study). The unrated are counted (`no_rating`), never
  dropped from a denominator.

A rate with a denominator of 0 has no value (None, shown "—"). Departments are ranked
by response, then satisfaction, then resolution (the enterprise's): `RANKED_BY`.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Rate:
    key: str  # in the report's totals and departments' rows
    label: Promise
    part: str  # the numerator's key
    whole: str  # the denominator's key
    part_label: Promise
    whole_label: Promise
    meaning: Promise  # one line, as the pages explain it
    beside: str = ""  # the headline rate this one is shown beside


RATES = (
    Rate(
        "response_rate",
        _("response rate"),
        "answered_on_time",
        "answered",
        _("answered by the due date"),
        _("answers given"),
        _(
            "Response rate: answers given by the due date (as extended), of all "
            "answers given in the period."
        ),
    ),
    Rate(
        "response_rate_original",
        _("response rate against the original due date"),
        "answered_on_time_original",
        "answered",
        _("answered by the original due date"),
        _("answers given"),
        _("Against the original due date: the same, with no extension counted."),
        beside="response_rate",
    ),
    Rate(
        "resolution_rate",
        _("resolution rate (the enterprise's word)"),
        "solved",
        "rated_with_solved",
        _("solved, in the enterprise's word"),
        _("ratings saying whether it was solved"),
        _(
            "Resolution rate: the enterprise says its problem was solved, of the "
            "ratings in the period that answer that question."
        ),
    ),
    Rate(
        "declared_resolution_rate",
        _("resolution rate declared by the departments"),
        "resolved",
        "answered",
        _("declared resolved by the department"),
        _("answers given"),
        _(
            "Declared: answers the department declared resolved, of all answers "
            "given; beside the enterprise's word, and the gap between the two."
        ),
        beside="resolution_rate",
    ),
    Rate(
        "satisfaction_rate",
        _("satisfaction rate"),
        "satisfied_or_basically",
        "rated",
        _("satisfied or basically satisfied"),
        _("ratings"),
        _(
            "Satisfaction rate: satisfied or basically satisfied, of the ratings given "
            "(no rating is counted apart, not as unsatisfied)."
        ),
    ),
    Rate(
        "visit_rate",
        _("return visit rate"),
        "rated",
        "rating_ended",
        _("ratings"),
        _("answers whose rating time ended"),
        _(
            "Return visit rate: answers rated by the enterprise or on a staff's return "
            "visit, of the answers whose rating time ended in the period (rated or "
            "closed with no rating)."
        ),
    ),
)
BY_KEY = {rate.key: rate for rate in RATES}
# The 三率 and 回访率; the others are shown beside one of them.
HEADLINE = tuple(rate for rate in RATES if not rate.beside)
# Departments are ranked by these, in this order.
RANKED_BY = ("response_rate", "satisfaction_rate", "resolution_rate")
# Declared minus the enterprise's resolution rate, in percentage points.
GAP = "resolution_gap"
GAP_LABEL = _("gap between the declared and the enterprise's resolution (points)")


def rate(part: int, whole: int) -> float | None:
    """part of whole in percent, one decimal (75.0); None when whole is 0."""
    return round(100 * part / whole, 1) if whole else None


def add_rates(counts: dict) -> dict:
    """Set every rate (and the resolution gap) on `counts`, a report's totals or a
    department's row holding each rate's numerator and denominator; returns it."""
    for r in RATES:
        counts[r.key] = rate(counts.get(r.part) or 0, counts.get(r.whole) or 0)
    declared, said = counts["declared_resolution_rate"], counts["resolution_rate"]
    counts[GAP] = (
        None if declared is None or said is None else round(declared - said, 1)
    )
    return counts


def is_complete(totals: Mapping) -> bool:
    """Whether a stored report's totals hold every rate of this definition with its
    counts (a report stored before a rate was defined does not)."""
    return all(key in totals for r in RATES for key in (r.key, r.part, r.whole))


@dataclass(frozen=True)
class Figure:
    """A rate as shown: its value and the two counts behind it (None when the report
    does not hold them). Printed, it reads "80.0%（12/15）"."""

    rate: Rate
    value: float | None
    part: int | None
    whole: int | None

    @property
    def percent(self) -> str:
        return "—" if self.value is None else f"{self.value}%"

    @property
    def counts(self) -> str:
        """The counts as "12/15", or empty when the report does not hold them."""
        if self.part is None or self.whole is None:
            return ""
        return f"{self.part}/{self.whole}"

    @property
    def title(self) -> str:
        """What the two counts are, for the hover text."""
        if not self.counts:
            return str(self.rate.label)
        return gettext("%(part_label)s: %(part)d; %(whole_label)s: %(whole)d") % {
            "part_label": self.rate.part_label,
            "part": self.part,
            "whole_label": self.rate.whole_label,
            "whole": self.whole,
        }

    def __str__(self) -> str:
        if not self.counts:
            return self.percent
        return (
            f"{self.percent}{pgettext('punctuation', ' (')}{self.counts}"
            f"{pgettext('punctuation', ')')}"
        )


def figure(source: Mapping | None, key: str) -> Figure:
    """The rate `key` of a report's totals or a department's row."""
    r = BY_KEY[key]
    source = source or {}
    return Figure(r, source.get(key), source.get(r.part), source.get(r.whole))


def as_fraction(value: float | None) -> float | None:
    """A rate stored in percent (75.0) as the fraction a workbook shows as 75.0%."""
    return None if value is None else value / 100
