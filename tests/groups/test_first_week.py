"""Shared ranks (并列) in the standings (issue 16, item 3): 4, 4, then 6, shown as 并列第4."""

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from chamber.ranking import competition_ranks, rank_label
from groups import selectors, services
from tests.factories import (
    ActivityGroupFactory,
    GroupMembershipFactory,
    MemberFactory,
    PointRuleFactory,
)

YEAR = timezone.localdate().year


@pytest.mark.parametrize(
    ("scores", "ranks"),
    [
        (
            [130, 120, 120, 120, 100],
            [(1, False), (2, True), (2, True), (2, True), (5, False)],
        ),
        (
            [9, 8, 7, 6, 6, 4],
            [(1, False), (2, False), (3, False), (4, True), (4, True), (6, False)],
        ),
        ([5, 5], [(1, True), (1, True)]),
        ([], []),
    ],
)
def test_equal_scores_share_a_rank_and_the_next_rank_is_skipped(scores, ranks):
    assert competition_ranks(scores) == ranks


def test_a_shared_rank_reads_bingli_di_in_chinese_and_a_lone_one_its_number():
    with translation.override("zh-hans"):
        assert rank_label(4, True) == "并列第4"
        assert rank_label(6, False) == "6"


def _give(member, points: int, source_id: int) -> None:
    rule = PointRuleFactory(code=f"r{points}", name="参加活动", points=points)
    services.award_points(
        member=member, rule=rule, source_id=source_id, source_label="活动", year=YEAR
    )


def test_the_standings_page_shows_tied_members_as_shared_and_skips_the_next_rank(
    client, db
):
    group = ActivityGroupFactory(year=YEAR, number=1)
    members = [MemberFactory() for _ in range(6)]
    for member in members:
        GroupMembershipFactory(group=group, member=member)
    # 130, 120, 110, 105, 105, 100: the fourth and fifth share the fourth place.
    for n, extra in enumerate([30, 20, 10, 5, 5]):
        _give(members[n], extra, source_id=n + 1)
    client.force_login(members[0].user)

    with translation.override("zh-hans"):
        response = client.get(
            reverse("groups:standings_year", args=[YEAR]),
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )

    rows = {m.pk: (m.rank, m.tied) for m in response.context["page"].object_list}
    assert [rows[m.pk] for m in members] == [
        (1, False),
        (2, False),
        (3, False),
        (4, True),
        (4, True),
        (6, False),
    ]
    body = response.content.decode()
    assert body.count("<td>并列第4</td>") == 2
    assert "<td>6</td>" in body
    assert "<td>5</td>" not in body


def test_groups_with_the_same_average_share_their_rank(db):
    tied_a = ActivityGroupFactory(year=YEAR, number=1)
    tied_b = ActivityGroupFactory(year=YEAR, number=2)
    ahead = ActivityGroupFactory(year=YEAR, number=3)
    behind = ActivityGroupFactory(year=YEAR, number=4)
    for group in (tied_a, tied_b, ahead, behind):
        GroupMembershipFactory(group=group)
    _give(ahead.memberships.get().member, 20, source_id=1)
    _give(tied_a.memberships.get().member, 10, source_id=2)
    _give(tied_b.memberships.get().member, 10, source_id=3)

    with translation.override("zh-hans"):
        standings = {
            g.pk: (g.rank, g.rank_label) for g in selectors.group_standings(year=YEAR)
        }

    assert standings == {
        ahead.pk: (1, "1"),
        tied_a.pk: (2, "并列第2"),
        tied_b.pk: (2, "并列第2"),
        behind.pk: (4, "4"),
    }
