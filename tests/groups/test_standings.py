"""Standings: everyone opens at 100, dense ranks, group totals and averages (DI-2; issue 6).

Standings are checked against a direct aggregate query over random sequences of
awards, manual points and corrections, and their query count does not grow with the
number of members.
"""

import random

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from chamber.models import User
from groups import selectors, services
from groups.models import ActivityGroup, GroupMembership, PointRule, PointsEntry
from members.models import Area, Enterprise, Member
from tests.factories import (
    ActivityGroupFactory,
    GroupMembershipFactory,
    MemberFactory,
    PointRuleFactory,
    StaffFactory,
    valid_credit_code,
)

YEAR = 2026


def in_group(group, n: int = 1, **kwargs) -> list[Member]:
    return [GroupMembershipFactory(group=group, **kwargs).member for _ in range(n)]


def give(member, points: int, year: int = YEAR) -> None:
    services.record_manual_points(
        member=member, points=points, reason="测试加减分", actor=_staff(), year=year
    )


def _staff():
    return User.objects.filter(is_staff=True).first() or StaffFactory()


def points_by_member(year: int) -> dict[int, tuple[int, int]]:
    return {m.pk: (m.points, m.rank) for m in selectors.member_standings(year=year)}


def direct_sums(year: int) -> dict[int, int]:
    return dict(
        PointsEntry.objects.filter(year=year)
        .values("member")
        .annotate(total=Sum("points"))
        .values_list("member", "total")
    )


@pytest.fixture
def group(db):
    return ActivityGroupFactory(year=YEAR, number=1)


# Members


def test_a_member_without_entries_has_100_and_shares_the_rank_of_others_at_100(group):
    quiet, other, ahead = in_group(group, 3)
    give(other, 5)
    give(other, -5)
    give(ahead, 1)

    standings = points_by_member(YEAR)

    assert standings[quiet.pk] == (100, 2)
    assert standings[other.pk] == (100, 2)
    assert standings[ahead.pk] == (101, 1)


def test_tied_members_share_a_rank_and_the_next_rank_is_skipped(group):
    a, b, c, d = in_group(group, 4)
    give(a, 20)
    give(b, 20)
    give(c, 10)
    give(d, -30)

    standings = selectors.member_standings(year=YEAR)

    assert [(m.pk, m.points, m.rank) for m in standings][2:] == [
        (c.pk, 110, 3),
        (d.pk, 70, 4),
    ]
    assert {(m.pk, m.points, m.rank) for m in standings[:2]} == {
        (a.pk, 120, 1),
        (b.pk, 120, 1),
    }


def test_members_outside_the_years_groups_are_not_in_the_standings(group):
    (inside,) = in_group(group)
    outside = MemberFactory()
    last_year = GroupMembershipFactory(
        group=ActivityGroupFactory(year=YEAR - 1, number=1)
    ).member
    give(outside, 50)

    standings = points_by_member(YEAR)

    assert set(standings) == {inside.pk}
    assert last_year.pk not in standings


def test_standings_of_one_group_show_its_members_only(group):
    mine = in_group(group, 2)
    in_group(ActivityGroupFactory(year=YEAR, number=2), 2)

    standings = selectors.member_standings(year=YEAR, group=group)

    assert {m.pk for m in standings} == {m.pk for m in mine}
    assert {m.group_number for m in standings} == {1}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_standings_equal_100_plus_the_years_entries_over_random_sequences(db, seed):
    rng = random.Random(seed)
    groups = [ActivityGroupFactory(year=YEAR, number=n) for n in (1, 2, 3)]
    members = [GroupMembershipFactory(group=groups[i % 3]).member for i in range(30)]
    rules = [PointRuleFactory(points=p, code=f"r{p}") for p in (2, 5, 10, 20, -5)]
    staff = StaffFactory()
    expected = {m.pk: 100 for m in members}
    for _step in range(200):
        member = rng.choice(members)
        roll = rng.random()
        if roll < 0.6:
            rule = rng.choice(rules)
            entry, created = services.award_points(
                member=member,
                rule=rule,
                source_id=rng.randint(1, 8),  # repeats are frequent, on purpose
                source_label="小组活动",
                year=YEAR,
                actor=None,
            )
            if created:
                expected[member.pk] += rule.points
        elif roll < 0.8:
            points = rng.choice([-10, -3, 1, 4, 15])
            services.record_manual_points(
                member=member, points=points, reason="手动", actor=staff, year=YEAR
            )
            expected[member.pk] += points
        else:
            open_entries = PointsEntry.objects.filter(
                year=YEAR, reverses__isnull=True, reversed_by__isnull=True
            )
            entry = rng.choice(list(open_entries) or [None])
            if entry is not None:
                services.correct_entry(entry=entry, reason="更正", actor=staff)
                expected[entry.member_id] -= entry.points

    standings = points_by_member(YEAR)
    sums = direct_sums(YEAR)

    assert {pk: points for pk, (points, _rank) in standings.items()} == expected
    for member in members:
        assert standings[member.pk][0] == 100 + sums.get(member.pk, 0)
        balance, entries = selectors.member_history(member=member, year=YEAR)
        assert balance == standings[member.pk][0]
        assert len(entries) == PointsEntry.objects.filter(member=member).count()
    # Competition ranks: one more than the number of members ahead (4, 4, then 6).
    for points, rank in standings.values():
        assert rank == 1 + sum(1 for other, _ in standings.values() if other > points)
    for g in selectors.group_standings(year=YEAR):
        ids = GroupMembership.objects.filter(group=g).values_list("member", flat=True)
        assert g.total == sum(expected[pk] for pk in ids)


# Year rollover


def test_last_years_entries_do_not_count_this_year_and_last_years_standings_stay(db):
    last = ActivityGroupFactory(year=YEAR - 1, number=1)
    this = ActivityGroupFactory(year=YEAR, number=1)
    a, b = in_group(last, 2)
    for member in (a, b):
        GroupMembershipFactory(group=this, member=member)
    give(a, 30, year=YEAR - 1)
    give(b, -10, year=YEAR - 1)
    before = points_by_member(YEAR - 1)
    groups_before = [
        (g.pk, g.total, g.average, g.rank)
        for g in selectors.group_standings(year=YEAR - 1)
    ]

    assert points_by_member(YEAR) == {a.pk: (100, 1), b.pk: (100, 1)}

    give(b, 50)
    give(a, -1)

    assert points_by_member(YEAR) == {b.pk: (150, 1), a.pk: (99, 2)}
    assert points_by_member(YEAR - 1) == before == {a.pk: (130, 1), b.pk: (90, 2)}
    assert (
        [
            (g.pk, g.total, g.average, g.rank)
            for g in selectors.group_standings(year=YEAR - 1)
        ]
        == groups_before
        == [(last.pk, 220, 110.0, 1)]
    )
    assert selectors.member_history(member=a, year=YEAR - 1)[0] == 130
    assert selectors.member_history(member=a, year=YEAR)[0] == 99


# Groups


def test_group_standings_show_total_and_average_ranked_by_average_with_ties(db):
    big = ActivityGroupFactory(year=YEAR, number=1)
    small = ActivityGroupFactory(year=YEAR, number=2)
    twin = ActivityGroupFactory(year=YEAR, number=3)
    empty = ActivityGroupFactory(year=YEAR, number=4)
    big_members = in_group(big, 4)
    (small_member,) = in_group(small, 1)
    twin_members = in_group(twin, 2)
    give(big_members[0], 20)  # 420 / 4 = 105
    give(small_member, 5)  # 105 / 1 = 105
    give(twin_members[0], 30)  # 230 / 2 = 115
    give(twin_members[1], -10, year=YEAR - 1)  # another year: does not count

    standings = selectors.group_standings(year=YEAR)

    rows = {g.pk: (g.size, g.total, g.average, g.rank) for g in standings}
    assert rows == {
        twin.pk: (2, 230, 115.0, 1),
        big.pk: (4, 420, 105.0, 2),
        small.pk: (1, 105, 105.0, 2),
        empty.pk: (0, 0, 0, 4),
    }
    assert [g.pk for g in standings][:1] == [twin.pk]
    for g in standings:
        if g.size:
            assert g.total == 100 * g.size + sum(
                direct_sums(YEAR).get(m, 0)
                for m in GroupMembership.objects.filter(group=g).values_list(
                    "member", flat=True
                )
            )


def test_a_members_entries_count_for_the_group_of_that_year_only(db):
    member = MemberFactory()
    old = ActivityGroupFactory(year=YEAR - 1, number=1)
    new = ActivityGroupFactory(year=YEAR, number=2)
    GroupMembershipFactory(group=old, member=member)
    GroupMembershipFactory(group=new, member=member)
    give(member, 7, year=YEAR - 1)
    give(member, 3)

    (this_year,) = selectors.group_standings(year=YEAR)
    (last_year,) = selectors.group_standings(year=YEAR - 1)

    assert (this_year.pk, this_year.total) == (new.pk, 103)
    assert (last_year.pk, last_year.total) == (old.pk, 107)


# Query counts


def _district(n: int) -> list[ActivityGroup]:
    """n members in five groups of the year, written with a handful of bulk inserts."""
    start = Member.objects.count() + 10_000
    password = make_password(None)
    users = User.objects.bulk_create(
        User(username=f"bulk{start + i}", full_name=f"会员{i}", password=password)
        for i in range(n)
    )
    enterprises = Enterprise.objects.bulk_create(
        Enterprise(
            name=f"营口批量企业{start + i}",
            credit_code=valid_credit_code(start + i),
            area=Area.XISHI,
        )
        for i in range(n)
    )
    members = Member.objects.bulk_create(
        Member(user=u, enterprise=e) for u, e in zip(users, enterprises, strict=True)
    )
    groups = ActivityGroup.objects.bulk_create(
        ActivityGroup(year=YEAR, number=k) for k in range(1, 6)
    )
    GroupMembership.objects.bulk_create(
        GroupMembership(group=groups[i % 5], member=m, year=YEAR, is_leader=i < 5)
        for i, m in enumerate(members)
    )
    rule = PointRuleFactory(points=3)
    for i, member in enumerate(members[:10]):
        services.award_points(
            member=member, rule=rule, source_id=i % 3, source_label="活动", year=YEAR
        )
    return groups


# One query each, whatever the number of members.
MEMBER_STANDINGS_QUERIES = 1
GROUP_STANDINGS_QUERIES = 1


@pytest.mark.parametrize("n", [10, 500])
def test_standings_query_count_does_not_grow_with_members(db, n):
    _district(n)

    with CaptureQueriesContext(connection) as members_queries:
        standings = selectors.member_standings(year=YEAR)
        for member in standings:  # what the page shows of each member
            str(member), member.enterprise.name, member.points, member.rank
    with CaptureQueriesContext(connection) as groups_queries:
        groups = selectors.group_standings(year=YEAR)

    assert len(standings) == n
    assert sum(g.size for g in groups) == n
    assert sum(m.points for m in standings) == 100 * n + 30
    assert len(members_queries) == MEMBER_STANDINGS_QUERIES
    assert len(groups_queries) == GROUP_STANDINGS_QUERIES


# Published rules


def test_published_rules_leave_out_the_manual_rule_and_rules_not_in_force(db):
    always = PointRuleFactory(code="attend")
    this_year_only = PointRuleFactory(code="new", active_from=YEAR, active_until=YEAR)
    from_this_year = PointRuleFactory(code="from", active_from=YEAR)
    PointRuleFactory(code="manual", applies_to=PointRule.AppliesTo.MANUAL)
    PointRuleFactory(code="ended", active_until=YEAR - 1)
    PointRuleFactory(code="future", active_from=YEAR + 1)

    codes = {r.code for r in selectors.published_rules(year=YEAR)}

    assert codes == {always.code, this_year_only.code, from_this_year.code}
    assert {r.code for r in selectors.published_rules(year=YEAR - 1)} == {
        "attend",
        "ended",
    }
