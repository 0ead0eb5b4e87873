"""Year-end awards: candidates ranked from the ledger, confirmed or overridden, published (issue 6)."""

import pytest
from django.utils import timezone

from groups import selectors, services
from groups.models import Award, AwardKind
from groups.services import PointsError
from tests.factories import (
    ActivityGroupFactory,
    AwardKindFactory,
    GroupMembershipFactory,
    StaffFactory,
)

YEAR = 2025


def give(member, points: int, staff, year: int = YEAR) -> None:
    services.record_manual_points(
        member=member, points=points, reason="年度加分", actor=staff, year=year
    )


@pytest.fixture
def staff(db):
    return StaffFactory()


@pytest.fixture
def district(staff):
    """Group 1: four members, 430 in all (107.5 each); group 2: two members, 230 (115)."""
    big = ActivityGroupFactory(year=YEAR, number=1)
    small = ActivityGroupFactory(year=YEAR, number=2)
    big_members = [GroupMembershipFactory(group=big).member for _ in range(4)]
    small_members = [GroupMembershipFactory(group=small).member for _ in range(2)]
    give(big_members[0], 20, staff)
    give(small_members[0], 30, staff)
    give(big_members[1], 10, staff)
    return {
        "big": big,
        "small": small,
        "top_member": small_members[0],
        "second_member": big_members[0],
        "third_member": big_members[1],
    }


@pytest.fixture
def vibrant(db):
    return AwardKindFactory(
        name="最具活力组", awarded_to="group", rank_by="average", winners=1
    )


@pytest.fixture
def outstanding(db):
    return AwardKindFactory(
        name="优秀会员", awarded_to="member", rank_by="total", winners=2
    )


def test_group_candidates_are_ranked_by_average_with_their_figures(district, vibrant):
    candidates = selectors.award_candidates(kind=vibrant, year=YEAR)

    assert [c["target"] for c in candidates] == [district["small"], district["big"]]
    assert candidates[0]["figures"] == {"total": 230, "average": 115.0, "members": 2}
    assert candidates[1]["figures"] == {"total": 430, "average": 107.5, "members": 4}


def test_group_candidates_are_ranked_by_total_when_the_kind_says_so(district):
    kind = AwardKindFactory(name="贡献最大组", awarded_to="group", rank_by="total")

    candidates = selectors.award_candidates(kind=kind, year=YEAR)

    assert [c["target"] for c in candidates] == [district["big"], district["small"]]
    assert candidates[0]["figures"]["total"] == 430


def test_member_candidates_are_ranked_by_points_with_their_figures(
    district, outstanding
):
    candidates = selectors.award_candidates(kind=outstanding, year=YEAR)

    assert [c["target"] for c in candidates[:3]] == [
        district["top_member"],
        district["second_member"],
        district["third_member"],
    ]
    assert [c["figures"] for c in candidates[:4]] == [
        {"points": 130, "rank": 1},
        {"points": 120, "rank": 2},
        {"points": 110, "rank": 3},
        {"points": 100, "rank": 4},
    ]
    assert len(candidates) == 6


def test_staff_confirm_the_top_candidate(district, vibrant, staff):
    top = selectors.award_candidates(kind=vibrant, year=YEAR)[0]

    award = services.confirm_award(
        kind=vibrant,
        year=YEAR,
        actor=staff,
        group=top["target"],
        rank=1,
        figures=top["figures"],
    )

    assert (award.group, award.member, award.rank) == (district["small"], None, 1)
    assert award.figures == {"total": 230, "average": 115.0, "members": 2}
    assert (award.confirmed_by, award.override_reason) == (staff, "")
    assert award.published_at is None


def test_confirming_the_same_winner_again_changes_the_award_not_the_count(
    district, vibrant, staff
):
    services.confirm_award(
        kind=vibrant, year=YEAR, actor=staff, group=district["small"]
    )
    services.confirm_award(
        kind=vibrant, year=YEAR, actor=staff, group=district["small"], rank=1
    )

    assert Award.objects.get().rank == 1


def test_confirming_someone_not_proposed_needs_a_reason(district, vibrant, staff):
    with pytest.raises(PointsError):
        services.confirm_award(
            kind=vibrant, year=YEAR, actor=staff, group=district["big"]
        )
    with pytest.raises(PointsError):
        services.confirm_award(
            kind=vibrant,
            year=YEAR,
            actor=staff,
            group=district["big"],
            override_reason="   ",
        )

    assert not Award.objects.exists()


def test_confirming_someone_not_proposed_with_a_reason_keeps_the_reason(
    district, outstanding, staff
):
    fourth = GroupMembershipFactory(group=district["big"]).member

    award = services.confirm_award(
        kind=outstanding,
        year=YEAR,
        actor=staff,
        member=fourth,
        override_reason=" 抗洪救灾捐款捐物 ",
    )

    assert award.member == fourth
    assert award.override_reason == "抗洪救灾捐款捐物"


def test_within_the_number_of_winners_no_reason_is_needed(district, outstanding, staff):
    award = services.confirm_award(
        kind=outstanding, year=YEAR, actor=staff, member=district["second_member"]
    )

    assert award.override_reason == ""


def test_a_group_award_cannot_go_to_a_member_nor_a_member_award_to_a_group(
    district, vibrant, outstanding, staff
):
    with pytest.raises(PointsError):
        services.confirm_award(
            kind=vibrant, year=YEAR, actor=staff, member=district["top_member"]
        )
    with pytest.raises(PointsError):
        services.confirm_award(
            kind=outstanding, year=YEAR, actor=staff, group=district["small"]
        )
    with pytest.raises(PointsError):
        services.confirm_award(kind=vibrant, year=YEAR, actor=staff)
    with pytest.raises(PointsError):
        services.confirm_award(
            kind=vibrant,
            year=YEAR,
            actor=staff,
            group=district["small"],
            member=district["top_member"],
        )

    assert not Award.objects.exists()


def test_publishing_sets_the_time_for_that_years_awards_only(
    district, vibrant, outstanding, staff
):
    services.confirm_award(
        kind=vibrant, year=YEAR, actor=staff, group=district["small"]
    )
    services.confirm_award(
        kind=outstanding, year=YEAR, actor=staff, member=district["top_member"]
    )
    other_year = Award.objects.create(
        kind=outstanding,
        year=YEAR - 1,
        member=district["top_member"],
        confirmed_by=staff,
    )
    before = timezone.now()

    published = services.publish_awards(year=YEAR, actor=staff)

    assert published == 2
    for award in Award.objects.filter(year=YEAR):
        assert award.published_at >= before
    other_year.refresh_from_db()
    assert other_year.published_at is None
    assert services.publish_awards(year=YEAR, actor=staff) == 0  # twice: no change


def test_award_kinds_are_data(db):
    kind = AwardKindFactory(name="最佳新人", awarded_to="member", winners=3)

    assert kind.awarded_to == AwardKind.For.MEMBER
    assert str(kind) == "最佳新人"
