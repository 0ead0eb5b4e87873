"""Read queries of activities: the group duty grid, points earned, my activities, platforms."""

from datetime import datetime

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import ExtractMonth

from activities.models import (
    Activity,
    Attendance,
    Platform,
    Registration,
    platform_kinds,
)
from groups.models import ActivityGroup, PointsEntry, Scale
from members.models import Member

# The list of activities is kept in the cache under this scope's version
# (chamber/pagecache.py; activities.views.activity_list): whatever it shows changes
# (an activity, its type, platform or series, a registration), call this.
ACTIVITIES_SCOPE = "activities"


def activities_changed(*args, **kwargs) -> None:
    """A new version of the activity list (usable as a signal receiver)."""
    from chamber import pagecache

    pagecache.bump_scope(ACTIVITIES_SCOPE)


def group_duty_grid(*, year: int) -> list[dict]:
    """For each group of the year: activities held per month, and whether it led a large or medium one.

    Two queries whatever the number of groups and activities.
    """
    groups = list(ActivityGroup.objects.filter(year=year).order_by("number"))
    counts = (
        Activity.objects.filter(
            organising_group__year=year,
            starts_at__year=year,
            status=Activity.Status.PUBLISHED,
        )
        .annotate(month=ExtractMonth("starts_at"))
        .values("organising_group", "month")
        .annotate(
            n=Count("pk"),
            big=Count("pk", filter=Q(scale__in=[Scale.LARGE, Scale.MEDIUM])),
        )
    )
    by_group: dict[int, dict[int, int]] = {}
    led_big: set[int] = set()
    for row in counts:
        by_group.setdefault(row["organising_group"], {})[row["month"]] = row["n"]
        if row["big"]:
            led_big.add(row["organising_group"])
    return [
        {
            "group": group,
            "months": [by_group.get(group.pk, {}).get(m, 0) for m in range(1, 13)],
            "led_large_or_medium": group.pk in led_big,
        }
        for group in groups
    ]


def group_years() -> list[int]:
    """The years that have groups, the latest first: the duty grid's and standings' years."""
    return list(
        ActivityGroup.objects.order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )


def points_by_activity(*, member, activity_ids: list[int]) -> dict[int, int]:
    """The net points a member earned from each activity (awards less reversals); one query."""
    rows = (
        PointsEntry.objects.filter(
            member=member, source_id__in=activity_ids, rule__isnull=False
        )
        .filter(source__in=[PointsEntry.Source.ACTIVITY, PointsEntry.Source.CORRECTION])
        .values("source_id")
        .annotate(total=Sum("points"))
    )
    return {row["source_id"]: row["total"] for row in rows}


def my_activities(*, member: Member, now: datetime) -> dict[str, list]:
    """A member's activities, each in one list: `coming`, `attended` (with `points`), `missed`.

    Coming: signed up or waiting, not ended, not yet attended (colleagues signed up
    included). Attended: checked in (not undone). Missed: a place held at an activity
    that took place, without a check-in. Three queries whatever the number.
    """
    attended = list(
        Attendance.objects.filter(member=member, undone_at__isnull=True)
        .select_related("activity__series", "activity__type", "activity__campaign")
        .order_by("-activity__starts_at", "-pk")
    )
    earned = points_by_activity(
        member=member, activity_ids=[a.activity_id for a in attended]
    )
    for attendance in attended:
        attendance.points = earned.get(attendance.activity_id, 0)
    present = {a.activity_id for a in attended}
    registrations = (
        Registration.objects.filter(member=member)
        .exclude(status=Registration.Status.CANCELLED)
        .exclude(activity__status=Activity.Status.DRAFT)
        .select_related("activity__series", "activity__type")
    )
    coming, missed = [], []
    for registration in registrations.order_by("activity__starts_at", "pk"):
        activity = registration.activity
        own = not registration.attendee_name
        if own and activity.pk in present:
            continue
        if activity.ends_at >= now:
            coming.append(registration)
        elif (
            own
            and registration.status == Registration.Status.REGISTERED
            and activity.status == Activity.Status.PUBLISHED
        ):
            missed.append(registration)
    missed.reverse()  # the latest first, as the attended
    return {"coming": coming, "attended": attended, "missed": missed}


def platforms_in_method_order() -> QuerySet[Platform]:
    """Every platform, kind by kind in the method's order (kept by staff: the base,
    stations, small chambers, the out-of-region chamber), then by the staff's order."""
    kinds = [code for code, _name in platform_kinds()]
    return Platform.objects.annotate(
        kind_order=Case(
            *(When(kind=kind, then=Value(n)) for n, kind in enumerate(kinds)),
            default=Value(len(kinds)),
            output_field=IntegerField(),
        )
    ).order_by("kind_order", "sort_order", "name")
