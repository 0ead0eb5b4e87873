"""Activities as iCalendar: the public calendar, a member's own, one activity's 'add to calendar'."""

from django.conf import settings
from icalendar import Calendar, Event

from activities.models import Activity
from chamber.times import beijing


def activities_calendar(*, activities: list[Activity], name: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Xishi District FIC//Activities//ZH")
    cal.add("version", "2.0")
    # A name on one line: icalendar writes an X- property as given, and a line break in
    # an activity's title would end the line (a 500, or a property of its own).
    cal.add("x-wr-calname", " ".join(name.split()))
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    for activity in activities:
        event = Event()
        event.add("uid", f"activity-{activity.pk}@chamber-portal")
        event.add("summary", str(activity))
        # Beijing time with its VTIMEZONE (add_missing_timezones below).
        event.add("dtstart", beijing(activity.starts_at))
        event.add("dtend", beijing(activity.ends_at))
        event.add("dtstamp", activity.created_at)
        if activity.place:
            event.add("location", activity.place)
        event.add("url", f"{settings.SITE_URL}{activity.get_absolute_url()}")
        if activity.status == Activity.Status.CANCELLED:
            event.add("status", "CANCELLED")
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()
