"""Standings and histories of the points ledger: aggregate queries, constant in number."""

from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from chamber.ranking import competition_ranks, rank_label
from groups.models import (
    OPENING_POINTS,
    ActivityGroup,
    AwardKind,
    GroupMembership,
    PointRule,
    PointsEntry,
)
from members.models import Member

# The standings, a group's page and a member's "my group" are kept in the cache under
# this scope's version (chamber/pagecache.py; groups.views): whatever they show changes
# (points, groups, memberships, rules, names, awards, attendance), call this.
POINTS_SCOPE = "points"


def points_changed(*args, **kwargs) -> None:
    """A new version of the points pages (usable as a signal receiver)."""
    from chamber import pagecache

    pagecache.bump_scope(POINTS_SCOPE)


def _year_sum(year: int):
    entries = (
        PointsEntry.objects.filter(member=OuterRef("pk"), year=year)
        .values("member")
        .annotate(total=Sum("points"))
        .values("total")
    )
    return Coalesce(Subquery(entries, output_field=IntegerField()), Value(0))


def _rank(rows: list, score) -> None:
    """Give each row, sorted best first, its `rank`, `tied` and `rank_label` (并列第4)."""
    for row, (rank, tied) in zip(
        rows, competition_ranks([score(row) for row in rows]), strict=True
    ):
        row.rank, row.tied, row.rank_label = rank, tied, rank_label(rank, tied)


def member_standings(*, year: int, group: ActivityGroup | None = None) -> list[Member]:
    """Members of the year's groups with `points` (100 + the year's entries) and `rank`.

    One query whatever the number of members; ties share a rank and the next skips
    (4, 4, 6), each shared one labelled 并列第4.
    """
    members = Member.objects.filter(group_memberships__year=year)
    if group is not None:
        members = members.filter(group_memberships__group=group)
    group_number = GroupMembership.objects.filter(
        member=OuterRef("pk"), year=year
    ).values("group__number")[:1]
    group_id = GroupMembership.objects.filter(member=OuterRef("pk"), year=year).values(
        "group_id"
    )[:1]
    standings = list(
        members.select_related("user", "enterprise")
        .annotate(
            earned=_year_sum(year),
            points=F("earned") + OPENING_POINTS,
            group_number=Subquery(group_number),
            group_id=Subquery(group_id),
        )
        .order_by("-points", "user__full_name", "pk")
    )
    _rank(standings, lambda m: m.points)
    return standings


def group_standings(*, year: int) -> list[ActivityGroup]:
    """The year's groups with member count, `total` points, `average` per member and `rank`.

    Groups differ in size, so both the total and the average are shown; the rank follows
    the average. Two queries whatever the number of groups and members.
    """
    groups = list(
        ActivityGroup.objects.filter(year=year).annotate(
            size=Count("memberships", distinct=True),
            earned=Coalesce(
                Sum(
                    "memberships__member__points_entries__points",
                    filter=Q(memberships__member__points_entries__year=year),
                ),
                Value(0),
            ),
        )
    )
    for group in groups:
        group.total = group.earned + OPENING_POINTS * group.size
        group.average = round(group.total / group.size, 1) if group.size else 0
    groups.sort(key=lambda g: (-g.average, g.number))
    _rank(groups, lambda g: g.average)
    return groups


def member_history(*, member: Member, year: int) -> tuple[int, list[PointsEntry]]:
    """A member's balance for the year and every entry with its reason, oldest first."""
    entries = list(
        PointsEntry.objects.filter(member=member, year=year).select_related(
            "rule", "recorded_by", "reverses"
        )
    )
    return OPENING_POINTS + sum(e.points for e in entries), entries


def published_rules(*, year: int) -> list[PointRule]:
    """The rules in force that year, shown next to every standing."""
    return list(
        PointRule.objects.active_in(year).exclude(applies_to=PointRule.AppliesTo.MANUAL)
    )


def award_candidates(*, kind: AwardKind, year: int) -> list[dict]:
    """Candidates for an award, best first, with the figures that ranked them."""
    if kind.awarded_to == AwardKind.For.GROUP:
        groups = group_standings(year=year)
        if kind.rank_by == AwardKind.RankBy.TOTAL:
            groups.sort(key=lambda g: (-g.total, g.number))
        return [
            {
                "target": g,
                "figures": {"total": g.total, "average": g.average, "members": g.size},
            }
            for g in groups
        ]
    return [
        {"target": m, "figures": {"points": m.points, "rank": m.rank}}
        for m in member_standings(year=year)
    ]
