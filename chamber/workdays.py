"""Chinese working days: public holidays and make-up working days (调休), with staff overrides.

The `holidays` package knows the official schedule (State Council notices) including the
make-up working days; staff add overrides in the admin for what it does not know yet
(a new year's schedule is published late in the year before). One helper answers
"is this a working day" and "add N working days" for the rota and petition deadlines.
"""

from datetime import date, timedelta
from functools import lru_cache

import holidays
from django.core.cache import cache

OVERRIDES_CACHE_KEY = "workdays:overrides"
# Overrides change a few times a year; other processes pick up a change within this time.
OVERRIDES_CACHE_SECONDS = 300


@lru_cache(maxsize=32)
def _official(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """(public holidays, make-up working days) of one year from the holidays package."""
    china = holidays.China(years=year)
    makeup = frozenset(
        d for d in getattr(china, "weekend_workdays", ()) if d.year == year
    )
    return frozenset(china.keys()), makeup


# Counting the working days of a quarter asks about each day; within this many seconds
# the process answers from its own copy instead of asking the shared cache each time.
LOCAL_SECONDS = 5
_local: dict = {"until": 0.0, "overrides": None}


def _overrides() -> dict[date, bool]:
    """Staff overrides, day → is a working day; cached, invalidated when staff save one."""
    import time

    now = time.monotonic()
    if _local["overrides"] is not None and now < _local["until"]:
        return _local["overrides"]
    found = cache.get(OVERRIDES_CACHE_KEY)
    if found is None:
        from chamber.models import WorkdayOverride

        found = dict(WorkdayOverride.objects.values_list("day", "is_working_day"))
        cache.set(OVERRIDES_CACHE_KEY, found, OVERRIDES_CACHE_SECONDS)
    _local.update(until=now + LOCAL_SECONDS, overrides=found)
    return found


def forget_overrides() -> None:
    _local.update(until=0.0, overrides=None)
    cache.delete(OVERRIDES_CACHE_KEY)


def is_working_day(day: date) -> bool:
    """A weekday that is not a public holiday, or a weekend day made a working day."""
    override = _overrides().get(day)
    if override is not None:
        return override
    public_holidays, makeup_days = _official(day.year)
    if day in makeup_days:
        return True
    return day.weekday() < 5 and day not in public_holidays


def add_working_days(start: date, n: int) -> date:
    """The n-th working day after `start` (n ≥ 0; `start` itself is not counted; n = 0 → start)."""
    if n < 0:
        raise ValueError("n must not be negative")
    day = start
    while n > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            n -= 1
    return day


def working_days(first: date, last: date) -> list[date]:
    """The working days from `first` to `last`, both included."""
    days = (first + timedelta(days=i) for i in range((last - first).days + 1))
    return [d for d in days if is_working_day(d)]


def week_span(day: date) -> tuple[date, date] | None:
    """The first and last working day of the week (Monday to Sunday) holding `day`.

    None for a week without one (the Spring Festival). Every duty week span the portal
    shows (pages, e-mails, calendar feeds) comes from here, through `DutyShift.span`.
    """
    monday = day - timedelta(days=day.weekday())
    days = working_days(monday, monday + timedelta(days=6))
    return (days[0], days[-1]) if days else None


def last_working_day_before(day: date) -> date:
    """The last working day strictly before `day`."""
    day -= timedelta(days=1)
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def year_has_official_schedule(year: int) -> bool:
    """Whether the package knows the year's make-up days (the State Council's notice is out).

    Staff see the years without one, so they can enter the schedule as overrides rather
    than let the portal guess.
    """
    _public, makeup = _official(year)
    if makeup:
        return True
    return any(d.year == year and working for d, working in _overrides().items())


def start_of_day(day: date):
    """Midnight at the start of `day` in the site's time zone (Asia/Shanghai), aware."""
    from datetime import datetime, time

    from django.utils import timezone

    return timezone.make_aware(datetime.combine(day, time.min))


def nth_working_day_before(day: date, n: int) -> date:
    """The n-th working day strictly before `day` (n ≥ 1): n = 1 is the last one before it."""
    for _i in range(n):
        day = last_working_day_before(day)
    return day


class WorkingDayCounter:
    """Counts working days between many pairs of dates from one pass over the calendar.

    Reports measure thousands of petitions (days from receipt to reply, days overdue);
    the calendar between `first` and `last` is read once, each count is a bisection.
    """

    def __init__(self, first: date, last: date) -> None:
        from bisect import bisect_right

        self._first, self._last = first, last
        self._days = working_days(first, last) if first <= last else []
        self._bisect = bisect_right

    def between(self, after: date, upto: date) -> int:
        """Working days d with after < d ≤ upto (0 when upto ≤ after)."""
        if upto <= after:
            return 0
        if after < self._first - timedelta(days=1) or upto > self._last:
            return len(working_days(after + timedelta(days=1), upto))
        return self._bisect(self._days, upto) - self._bisect(self._days, after)
