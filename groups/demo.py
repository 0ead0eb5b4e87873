"""Demo data of the groups app: this year's groups, the point rules, a ledger, last year's awards."""

import random
from datetime import datetime, time

from django.utils import timezone

from chamber.models import User
from groups import services
from groups.models import (
    ActivityGroup,
    AwardKind,
    GroupMembership,
    PointRule,
    PointsEntry,
)
from members.models import Member

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
    ("group-monthly", "小组按月开展活动", 1, PointRule.AppliesTo.GROUP, ""),
    ("manual", "工作人员手动加减分", 0, PointRule.AppliesTo.MANUAL, ""),
]
AWARD_KINDS = [
    ("最具活力组", AwardKind.For.GROUP, AwardKind.RankBy.AVERAGE, 1),
    ("优秀会员", AwardKind.For.MEMBER, AwardKind.RankBy.TOTAL, 5),
]
GROUPS = 6


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
    year = timezone.localdate().year
    for y in (year - 1, year):
        _groups_and_ledger(y)
    _last_years_awards(year - 1)


def _groups_and_ledger(year: int) -> None:
    if ActivityGroup.objects.filter(year=year).exists():
        return
    members = list(Member.objects.select_related("enterprise").order_by("pk"))
    groups = [
        ActivityGroup.objects.create(year=year, number=n) for n in range(1, GROUPS + 1)
    ]
    GroupMembership.objects.bulk_create(
        GroupMembership(
            group=groups[i % GROUPS], member=m, year=year, is_leader=i < GROUPS
        )
        for i, m in enumerate(members)
    )
    rng = random.Random(year)  # the same believable spread on every machine
    rules = {r.code: r for r in PointRule.objects.all()}
    today = timezone.localdate()
    last_month = 12 if year < today.year else today.month
    zone = timezone.get_current_timezone()
    for activity in range(1, 25):
        month = 1 + (activity - 1) * last_month // 24
        when = datetime(year, month, min(28, 3 + activity), 16, 0, tzinfo=zone)
        if when.date() > today:
            when = datetime.combine(today, time(9, 0), tzinfo=zone)
        organiser = rng.choice(members)
        scale = rng.choice(["small", "small", "small", "medium", "large"])
        label = f"{year}年第{activity}次小组活动"
        source_id = year * 1000 + activity
        services.award_points(
            member=organiser,
            rule=rules[f"organise-{scale}"],
            source_id=source_id,
            source_label=label,
            year=year,
            at=when,
        )
        for member in rng.sample(members, rng.randint(4, 12)):
            services.award_points(
                member=member,
                rule=rules["attend"],
                source_id=source_id,
                source_label=label,
                year=year,
                at=when,
            )
    staff = User.objects.filter(username="demo-staff").first()
    if (
        staff
        and not PointsEntry.objects.filter(
            year=year, source=PointsEntry.Source.MANUAL
        ).exists()
    ):
        services.record_manual_points(
            member=members[0],
            points=5,
            reason="协调10车防疫物资支援区政府",
            actor=staff,
            year=year,
            at=when,
        )


def _last_years_awards(year: int) -> None:
    from groups import selectors
    from groups.models import Award

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
