"""晾晒: the public page of the departments' 三率 over the last twelve months.

Off until a leader switches it on (every turn is a TransparencySwitch record); while
off, the page is not found for the public and leaders and staff see it as a preview.
The figures are the monthly report's own (petitions.selectors.period_report) for the
twelve full months before this one: each rate of petitions/rates.py with the counts
behind it, departments with too few petitions listed but not ranked, and no enterprise
name or petition title at all.
"""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from chamber import method_rules, pagecache
from chamber.models import User
from petitions import rates, selectors
from publicity.models import TransparencySwitch

MONTHS = 12


def is_public() -> bool:
    """Whether the page is public now (the latest switch; off when never switched)."""
    latest = TransparencySwitch.objects.only("is_public").first()
    return bool(latest and latest.is_public)


def last_switch() -> TransparencySwitch | None:
    return TransparencySwitch.objects.select_related("actor").first()


@transaction.atomic
def switch(*, actor: User, public: bool) -> TransparencySwitch:
    """A leader turns the page on or off; the cached public pages follow at once."""
    record = TransparencySwitch.objects.create(is_public=public, actor=actor)
    pagecache.bump()
    return record


def period(today: date | None = None) -> tuple[date, date]:
    """The twelve full months before the one holding `today`."""
    today = today or timezone.localdate()
    last = today.replace(day=1) - timedelta(days=1)
    first = last.replace(day=1)
    for _ in range(MONTHS - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    return first, last


def figures(today: date | None = None) -> dict:
    """The departments' rows of the twelve months (name, counts, rates, place) and the
    period; nothing that names an enterprise or a petition."""
    first, last = period(today)
    min_ranked = method_rules.current().min_ranked
    report = selectors.period_report(first=first, last=last, min_ranked=min_ranked)
    keep = {"name", "petitions", "rank", "tied", rates.GAP}
    keep.update(key for r in rates.RATES for key in (r.key, r.part, r.whole))
    rows = [
        {key: row.get(key) for key in keep} for row in report.get("departments", [])
    ]
    return {
        "first": first,
        "last": last,
        "departments": rows,
        "min_ranked": min_ranked,
    }
