"""Times as people in Yingkou read them: Beijing time (Asia/Shanghai, the portal's TIME_ZONE).

The database keeps UTC. Templates convert by themselves (`|date`, `|time`); Python that
formats or exports a time (spreadsheets, `__str__` shown in the admin, e-mail subjects,
calendars) goes through `beijing()` first, never `f"{moment:%H:%M}"` on the stored
value: that prints 04:44 for a petition received at 12:44, and puts one received
before 08:00 on the previous day.
"""

from datetime import date, datetime

from django.utils import timezone


def beijing(moment: datetime) -> datetime:
    """`moment` (aware) on the clock in Yingkou, whatever time zone is active."""
    return timezone.localtime(moment, timezone.get_default_timezone())


def beijing_date(moment: datetime) -> date:
    """The day in Yingkou on which `moment` falls."""
    return beijing(moment).date()


def beijing_minute(moment: datetime | None) -> str:
    """`2026-03-02 12:44` in Beijing time; "" for no time."""
    return "" if moment is None else f"{beijing(moment):%Y-%m-%d %H:%M}"


def spreadsheet_cell(moment: datetime | None) -> datetime | None:
    """Beijing wall-clock time without tzinfo, for an Excel cell (openpyxl refuses an
    aware datetime, and Excel has no time zones)."""
    return None if moment is None else beijing(moment).replace(tzinfo=None)
