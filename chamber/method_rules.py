"""The method's rules (工作法规则): the numbers the method may change each year, as data.

Each rule has a default here and, once staff change it in the admin, a stored value
(`chamber.models.MethodRule`, with its history: who changed what, when). `current()`
reads them all in one query, each time it is asked: a change applies from the moment it
is saved, in every process, with no cache to go stale. The review cycle stores the
values it used in each report (`ReviewRun.report["rules"]`), and `describe()` shows them.
"""

from dataclasses import asdict, dataclass, make_dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext


class Unit(models.TextChoices):
    WORKING_DAYS = "working_days", _("working days")
    DAYS = "days", _("days")
    PETITIONS = "petitions", _("petitions")
    DAY_OF_MONTH = "day_of_month", _("day of the month")


def with_unit(unit: str, value: int) -> str:
    """A rule's value with its unit: "5 working days", "day 20 of the month"."""
    if unit == Unit.WORKING_DAYS:
        text = ngettext("%(n)d working day", "%(n)d working days", value)
    elif unit == Unit.DAYS:
        text = ngettext("%(n)d day", "%(n)d days", value)
    elif unit == Unit.PETITIONS:
        text = ngettext("%(n)d petition", "%(n)d petitions", value)
    elif unit == Unit.DAY_OF_MONTH:
        text = ngettext("day %(n)d of the month", "day %(n)d of the month", value)
    else:
        return str(value)
    return text % {"n": value}


@dataclass(frozen=True)
class Definition:
    key: str
    default: int
    label: Promise
    help_text: Promise
    unit: Unit
    minimum: int = 1
    maximum: int = 60


DEFINITIONS = (
    Definition(
        "rating_window",
        5,
        _("rating window"),
        _(
            "An answer the enterprise has not rated within this many working days "
            'closes with "no rating".'
        ),
        Unit.WORKING_DAYS,
        maximum=30,
    ),
    Definition(
        "escalate_after",
        10,
        _("escalation after overdue"),
        _(
            "Petitions overdue by more than this many working days go to the district "
            "leaders at the weekly dispatch."
        ),
        Unit.WORKING_DAYS,
    ),
    Definition(
        "quarter_warning",
        14,
        _("quarter warning"),
        _(
            "The clear-to-zero warning starts this many days before the quarter's "
            "last day."
        ),
        Unit.DAYS,
    ),
    Definition(
        "min_ranked",
        3,
        _("minimum petitions to be ranked"),
        _(
            "A department with fewer petitions in the period is listed in the reports "
            "but not ranked."
        ),
        Unit.PETITIONS,
        maximum=100,
    ),
    Definition(
        "group_warning_day",
        20,
        _("group warning day"),
        _(
            "From this day of the month, the groups without an activity in the month "
            "are warned."
        ),
        Unit.DAY_OF_MONTH,
        maximum=28,
    ),
    Definition(
        "info_request_timeout",
        5,
        _("timeout of a request for more information"),
        _(
            "Staff may close a request to the enterprise for more information "
            "(待企业补充) not answered within this many working days; the clock "
            "restarts."
        ),
        Unit.WORKING_DAYS,
        maximum=30,
    ),
    Definition(
        "return_visit_after",
        3,
        _("return visit after"),
        _(
            "An answer still without a rating this many working days after it goes on "
            "the staff's return-visit (回访) worklist."
        ),
        Unit.WORKING_DAYS,
        maximum=30,
    ),
)
BY_KEY = {definition.key: definition for definition in DEFINITIONS}
CHOICES = [(definition.key, definition.label) for definition in DEFINITIONS]


def _as_dict(self) -> dict[str, int]:
    return asdict(self)


# One attribute per rule (rules.rating_window, …), immutable; as_dict() gives key → value.
Rules = make_dataclass(
    "Rules",
    [(definition.key, int) for definition in DEFINITIONS],
    frozen=True,
    namespace={"as_dict": _as_dict},
)


def defaults() -> "Rules":
    """The rules as the method sets them before staff change any (no query)."""
    return Rules(**{d.key: d.default for d in DEFINITIONS})


def current() -> "Rules":
    """The rules in force now: the stored value of each, else its default. One query."""
    from chamber.models import MethodRule

    stored = dict(MethodRule.objects.values_list("key", "value"))
    return Rules(**{d.key: stored.get(d.key, d.default) for d in DEFINITIONS})


def as_dict() -> dict[str, int]:
    """The rules in force now, key → value (as a report stores them). One query."""
    return current().as_dict()


def describe(values: dict) -> list[tuple[str, str]]:
    """(label, value with its unit) of stored rule values, in the rules' order; a key
    no longer defined is shown as it was stored."""
    rows = [
        (str(d.label), with_unit(d.unit, values[d.key]))
        for d in DEFINITIONS
        if d.key in values
    ]
    rows += [(key, str(value)) for key, value in values.items() if key not in BY_KEY]
    return rows
