"""Read queries of activities: the group duty grid, points earned per activity."""

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractMonth

from activities.models import Activity
from groups.models import ActivityGroup, PointsEntry, Scale


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
