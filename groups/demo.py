"""Demo data of the groups app: the point rules, the award kinds, and the groups of each year.

The ledger is not written here: every point of the demo comes from an activity held
(activities/demo.py checks members in through the activities service), so the group-duty
grid and the standings tell one story. activities/demo.py then confirms the year-end
awards of the finished years with `confirm_awards`.
"""

import random

from django.utils import timezone

from chamber.models import User
from groups import selectors, services
from groups.models import (
    ActivityGroup,
    Award,
    AwardKind,
    GroupMembership,
    PointRule,
)
from members.models import Member

# The seed's year: the method (12345+N) was set up and first carried out in 2022.
METHOD_YEAR = 2022

# As the method says: points for organising and for taking part (以百分为起点加分).
RULES = [
    # code, name, points, applies to, scale
    ("organise-large", "牵头组织大型活动", 20, PointRule.AppliesTo.ORGANISER, "large"),
    (
        "organise-medium",
        "牵头组织中型活动",
        10,
        PointRule.AppliesTo.ORGANISER,
        "medium",
    ),
    ("organise-small", "组织小组活动", 5, PointRule.AppliesTo.ORGANISER, "small"),
    ("attend", "参加活动", 2, PointRule.AppliesTo.PARTICIPANT, ""),
    ("manual", "工作人员手动加减分", 0, PointRule.AppliesTo.MANUAL, ""),
]
AWARD_KINDS = [
    ("最具活力组", AwardKind.For.GROUP, AwardKind.RankBy.AVERAGE, 1),
    ("优秀会员", AwardKind.For.MEMBER, AwardKind.RankBy.TOTAL, 5),
]
GROUPS = 6


def demo_years(today=None) -> list[int]:
    """The years the demo has groups for: the method's first year, last year and this one."""
    year = (today or timezone.localdate()).year
    return sorted({METHOD_YEAR, year - 1, year})


def seed(*, password: str) -> None:
    for order, (code, name, points, applies_to, scale) in enumerate(RULES, start=1):
        PointRule.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "points": points,
                "applies_to": applies_to,
                "scale": scale,
                "sort_order": order,
            },
        )
    for order, (name, awarded_to, rank_by, winners) in enumerate(AWARD_KINDS, start=1):
        AwardKind.objects.get_or_create(
            name=name,
            defaults={
                "awarded_to": awarded_to,
                "rank_by": rank_by,
                "winners": winners,
                "sort_order": order,
            },
        )
    for year in demo_years():
        _groups(year)


def _groups(year: int) -> None:
    """Six groups; the first six members lead them, the others are spread year by year."""
    if ActivityGroup.objects.filter(year=year).exists():
        return
    members = list(Member.objects.order_by("pk"))
    leaders, others = members[:GROUPS], members[GROUPS:]
    random.Random(year).shuffle(others)  # the same spread on every machine
    groups = [
        ActivityGroup.objects.create(year=year, number=n) for n in range(1, GROUPS + 1)
    ]
    GroupMembership.objects.bulk_create(
        GroupMembership(
            group=groups[i % GROUPS], member=m, year=year, is_leader=i < GROUPS
        )
        for i, m in enumerate(leaders + others)
    )


def confirm_awards(year: int) -> None:
    """Confirm and publish a finished year's awards to the best candidates, once."""
    staff = User.objects.filter(username="demo-staff").first()
    if staff is None or Award.objects.filter(year=year).exists():
        return
    for kind in AwardKind.objects.all():
        for rank, candidate in enumerate(
            selectors.award_candidates(kind=kind, year=year)[: kind.winners], start=1
        ):
            target = candidate["target"]
            services.confirm_award(
                kind=kind,
                year=year,
                actor=staff,
                group=target if kind.awarded_to == AwardKind.For.GROUP else None,
                member=target if kind.awarded_to == AwardKind.For.MEMBER else None,
                rank=rank,
                figures=candidate["figures"],
            )
    services.publish_awards(year=year, actor=staff)
