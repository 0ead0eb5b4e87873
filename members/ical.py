"""Duty weeks as an iCalendar file that calendar programs subscribe to."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from icalendar import Calendar, Event

from members.models import DutyShift, DutyStudio

ZONE = ZoneInfo(settings.TIME_ZONE)
# The studio's day; the events span the week's first to last working day.
OPENS, CLOSES = time(9, 0), time(17, 0)


def shifts_calendar(
    *, shifts: list[DutyShift], name: str, studio: DutyStudio | None
) -> bytes:
    """A VCALENDAR with one event per shift; UIDs are stable, so an update replaces the event."""
    cal = Calendar()
    cal.add("prodid", "-//Xishi District FIC//Duty rota//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    for shift in shifts:
        event = Event()
        event.add("uid", f"duty-shift-{shift.pk}@chamber-portal")
        rep = shift.representative
        who = rep.user.get_full_name() if rep else "—"
        event.add("summary", f"坐班：{who}")
        span = shift.span
        event.add("dtstart", datetime.combine(span.first, OPENS, tzinfo=ZONE))
        event.add("dtend", datetime.combine(span.last, CLOSES, tzinfo=ZONE))
        event.add("dtstamp", shift.updated_at)
        event.add("last-modified", shift.updated_at)
        # A swap or an edit moves the sequence on, so calendars take the new version.
        event.add(
            "sequence",
            int(shift.updated_at.timestamp()) - int(shift.created_at.timestamp()),
        )
        if studio:
            event.add("location", f"{studio.name}，{studio.address}")
        if rep:
            event.add("description", f"{who} · {rep.enterprise.name}")
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()
