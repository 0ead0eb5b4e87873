"""Read queries of the duty log (坐班日志), for the pages here and for the petitions app."""

from datetime import date, datetime, timedelta

from django.db.models import Count, Q, QuerySet

from chamber.models import User
from members.models import DutyLogEntry, DutyShift, Member

# The service strips the appeal, so an entry has one exactly when it is not empty.
WITH_APPEAL = ~Q(appeal="")
_RELATED = (
    "shift",
    "shift__representative",
    "shift__representative__user",
    "enterprise",
    "recorded_by",
)


def appeals_in_log(*, since: datetime | None = None) -> QuerySet[DutyLogEntry]:
    """Entries with an appeal (诉求), newest visit first: what the petitions app takes in."""
    entries = DutyLogEntry.objects.filter(WITH_APPEAL).select_related(*_RELATED)
    if since is not None:
        entries = entries.filter(visited_at__gte=since)
    return entries.order_by("-visited_at", "-pk")


def log_entries(
    *, shift: DutyShift | None = None, has_appeal: bool = False
) -> QuerySet[DutyLogEntry]:
    """The whole log for staff, newest first, with what a list row shows; for paginating."""
    entries = (
        DutyLogEntry.objects.select_related(*_RELATED)
        .annotate(attachment_count=Count("attachments"))
        .order_by("-visited_at", "-pk")
    )
    if shift is not None:
        entries = entries.filter(shift=shift)
    if has_appeal:
        entries = entries.filter(WITH_APPEAL)
    return entries


def week_entries(
    *, shift: DutyShift, recorded_by: User | None = None
) -> list[DutyLogEntry]:
    """A week's entries, newest first; only those `recorded_by` made, when given."""
    entries = log_entries(shift=shift)
    if recorded_by is not None:
        entries = entries.filter(recorded_by=recorded_by)
    return list(entries)


def current_shift(*, on: date) -> DutyShift | None:
    """The duty shift whose week covers `on`, whoever holds it."""
    return (
        DutyShift.objects.filter(
            week_start__lte=on, week_start__gt=on - timedelta(days=7)
        )
        .select_related("representative__user")
        .first()
    )


def next_shift(*, member: Member, on: date) -> DutyShift | None:
    """The member's first duty week that starts after `on`."""
    return (
        DutyShift.objects.filter(representative=member, week_start__gt=on)
        .order_by("week_start")
        .first()
    )
