"""The groups pages as members and staff meet them: my group, standings with the rules,
histories, manual points and corrections, awards on the winners' pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groups import services
from groups.models import Award, PointsEntry
from groups.selectors import points_changed
from tests.factories import (
    ActivityGroupFactory,
    AwardKindFactory,
    GroupMembershipFactory,
    MemberFactory,
    PointRuleFactory,
)
from tests.support.words import zh

YEAR = timezone.localdate().year


@pytest.fixture
def group(alice):
    group = ActivityGroupFactory(year=YEAR, number=1)
    GroupMembershipFactory(group=group, member=alice, is_leader=True)
    return group


@pytest.fixture
def rule(db):
    return PointRuleFactory(code="attend", name="参加活动", points=2)


def test_a_member_sees_their_group_leaders_and_every_entry_with_its_reason(
    client, alice, bob, group, rule
):
    GroupMembershipFactory(group=group, member=bob)
    services.award_points(
        member=alice, rule=rule, source_id=7, source_label="三八妇女节活动", year=YEAR
    )
    client.force_login(alice.user)

    html = client.get(reverse("groups:mine")).content.decode()

    assert zh("Group %(n)d") % {"n": 1} in html
    assert bob.user.full_name in html
    assert zh("group leader") in html
    assert "三八妇女节活动" in html and "+2" in html
    assert "102" in html  # 100 + 2


def test_the_rules_are_shown_wherever_standings_are(client, alice, group, rule, staff):
    client.force_login(alice.user)
    pages = [
        reverse("groups:standings"),
        reverse("groups:mine"),
        reverse("groups:detail", args=[group.pk]),
        reverse("groups:member_points", args=[alice.pk, YEAR]),
    ]

    for url in pages:
        html = client.get(url).content.decode()
        assert "参加活动" in html, url
        assert zh("Every member opens the year at 100 points.") in html, url


def test_standings_rank_tied_members_together_and_skip_the_next_rank(
    client, alice, bob, group, rule
):
    carol = MemberFactory()
    GroupMembershipFactory(group=group, member=bob)
    GroupMembershipFactory(group=group, member=carol)
    for member in (alice, bob):
        services.award_points(
            member=member, rule=rule, source_id=1, source_label="x", year=YEAR
        )
    client.force_login(alice.user)

    response = client.get(reverse("groups:standings"))

    ranks = {m.pk: (m.rank, m.points) for m in response.context["page"].object_list}
    assert ranks[alice.pk] == (1, 102)
    assert ranks[bob.pk] == (1, 102)
    assert ranks[carol.pk] == (3, 100)


@pytest.mark.parametrize("n", [10, 50])
def test_the_standings_page_uses_the_same_queries_whatever_the_size(
    client, staff, rule, n
):
    group = ActivityGroupFactory(year=YEAR, number=9)
    for i in range(n):
        member = GroupMembershipFactory(group=group).member
        services.award_points(
            member=member, rule=rule, source_id=i, source_label="x", year=YEAR
        )
    client.force_login(staff)
    client.get(reverse("groups:standings"))  # warm the session and the user
    points_changed()  # the page is made afresh, as after a check-in

    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("groups:standings")).status_code == 200
    with CaptureQueriesContext(connection) as again:
        client.get(reverse("groups:standings"))

    assert len(queries) <= 12
    assert len(again) == 0  # kept until the points change


def test_a_member_cannot_post_a_manual_award(client, alice, bob):
    client.force_login(alice.user)

    response = client.post(
        reverse("groups:manual_points"),
        {"member": bob.pk, "points": 50, "reason": "我自己加"},
    )

    assert response.status_code == 403
    assert not PointsEntry.objects.exists()


def test_a_member_cannot_correct_an_entry(client, alice, rule, group):
    entry, _ = services.award_points(
        member=alice, rule=rule, source_id=1, source_label="x", year=YEAR
    )
    client.force_login(alice.user)

    response = client.post(
        reverse("groups:correct", args=[entry.pk]), {"reason": "不要了"}
    )

    assert response.status_code == 403
    assert PointsEntry.objects.count() == 1


def test_staff_award_points_by_hand_with_a_reason_everyone_sees(
    client, staff, alice, group
):
    client.force_login(staff)

    response = client.post(
        reverse("groups:manual_points"),
        {"member": alice.pk, "points": 5, "reason": "协调物资支援防疫"},
        follow=True,
    )

    entry = PointsEntry.objects.get()
    assert (entry.points, entry.reason, entry.recorded_by) == (
        5,
        "协调物资支援防疫",
        staff,
    )
    assert "协调物资支援防疫" in response.content.decode()


def test_a_manual_award_without_a_reason_is_refused_and_writes_nothing(
    client, staff, alice
):
    client.force_login(staff)

    response = client.post(
        reverse("groups:manual_points"), {"member": alice.pk, "points": 5, "reason": ""}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert not PointsEntry.objects.exists()


def test_staff_correct_an_entry_with_a_reversing_entry(
    client, staff, alice, rule, group
):
    entry, _ = services.award_points(
        member=alice, rule=rule, source_id=1, source_label="x", year=YEAR
    )
    client.force_login(staff)

    client.post(reverse("groups:correct", args=[entry.pk]), {"reason": "记错了人"})

    reversal = PointsEntry.objects.get(reverses=entry)
    assert (reversal.points, reversal.reason) == (-2, "记错了人")
    entry.refresh_from_db()
    assert entry.points == 2  # the original stays as it was
    html = client.get(
        reverse("groups:member_points", args=[alice.pk, YEAR])
    ).content.decode()
    assert zh("cancels an earlier entry") in html


def test_officials_cannot_open_the_standings(client, official):
    client.force_login(official.user)

    assert client.get(reverse("groups:standings")).status_code == 403


def test_confirmed_and_published_awards_appear_publicly_and_on_the_winners_pages(
    client, staff, alice, group, rule
):
    kind = AwardKindFactory(name="最具活力组", awarded_to="group")
    member_kind = AwardKindFactory(
        name="优秀会员", awarded_to="member", rank_by="total"
    )
    services.award_points(
        member=alice, rule=rule, source_id=1, source_label="x", year=YEAR
    )
    services.confirm_award(kind=kind, year=YEAR, actor=staff, group=group, rank=1)
    services.confirm_award(
        kind=member_kind, year=YEAR, actor=staff, member=alice, rank=1
    )

    before = client.get(reverse("groups:awards_year", args=[YEAR])).content.decode()
    assert alice.user.full_name not in before  # confirmed, not yet published

    services.publish_awards(year=YEAR, actor=staff)

    public = client.get(reverse("groups:awards_year", args=[YEAR])).content.decode()
    assert (
        "最具活力组" in public
        and "优秀会员" in public
        and alice.user.full_name in public
    )
    client.force_login(alice.user)
    group_page = client.get(reverse("groups:detail", args=[group.pk])).content.decode()
    assert f"{YEAR} 最具活力组" in group_page
    for url in (
        reverse("groups:member_points", args=[alice.pk, YEAR]),
        reverse("members:detail", args=[alice.pk]),
    ):
        assert f"{YEAR} 优秀会员" in client.get(url).content.decode(), url


def test_staff_confirm_someone_not_proposed_only_with_a_reason(
    client, staff, alice, bob, group, rule
):
    GroupMembershipFactory(group=group, member=bob)
    kind = AwardKindFactory(
        name="优秀会员", awarded_to="member", rank_by="total", winners=1
    )
    services.award_points(
        member=alice, rule=rule, source_id=1, source_label="x", year=YEAR
    )
    client.force_login(staff)
    url = reverse("groups:confirm_award", args=[YEAR, kind.pk])

    client.post(url, {"target": bob.pk, "rank": 2})
    assert not Award.objects.exists()

    client.post(
        url, {"target": bob.pk, "rank": 2, "override_reason": "组织防疫物资捐赠"}
    )
    award = Award.objects.get()
    assert (award.member, award.override_reason) == (bob, "组织防疫物资捐赠")


def test_a_year_outside_any_sensible_range_is_not_found(client, staff):
    client.force_login(staff)

    assert client.get(reverse("groups:standings_year", args=[1])).status_code == 404


def test_points_awarded_show_on_my_group_and_the_standings_at_the_next_visit(
    client, alice, rule, group
):
    client.force_login(alice.user)
    pages = [reverse("groups:mine"), reverse("groups:standings")]
    assert all("102" not in client.get(page).content.decode() for page in pages)

    services.award_points(
        member=alice, rule=rule, source_id=1, source_label="座谈会", year=YEAR
    )

    mine, standings = (client.get(page).content.decode() for page in pages)
    assert "座谈会" in mine
    assert "102" in mine  # 100 + 2
    assert "102" in standings
