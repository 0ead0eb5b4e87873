"""Check-in at an activity earns points once, and undoing it reverses them (issue 7, DI-2).

The activity is a medium-sized themed activity organised by two members and by a group
of three; Alice takes part. Points go through the groups ledger; a member's balance is
100 plus the year's entries (groups.selectors.member_history).
"""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone, translation

from activities import services
from activities.models import Activity, Attendance
from activities.services import ActivityError
from groups.models import OPENING_POINTS, PointsEntry
from groups.selectors import member_history
from tests.factories import (
    ActivityFactory,
    ActivityGroupFactory,
    ActivityTypeFactory,
    GroupMembershipFactory,
    MemberFactory,
    PointRuleFactory,
    StaffFactory,
)
from tests.support.words import zh


def soon():
    """A start half an hour away: check-in is open (from an hour before the start)."""
    return timezone.now().replace(second=0, microsecond=0) + timedelta(minutes=30)


def year_of(activity: Activity) -> int:
    return timezone.localtime(activity.starts_at).year


def earned(member) -> list[tuple[str, int, int]]:
    """(rule code, points, attempt) of each of a member's entries, oldest first."""
    return list(
        PointsEntry.objects.filter(member=member)
        .order_by("pk")
        .values_list("rule__code", "points", "attempt")
    )


def balance(member, activity) -> int:
    return member_history(member=member, year=year_of(activity))[0]


@pytest.fixture
def rules(db):
    return {
        "attend": PointRuleFactory(code="attend", name="参加活动", points=2),
        "organise-medium": PointRuleFactory(
            code="organise-medium",
            name="组织中型活动",
            points=10,
            applies_to="organiser",
            scale="medium",
        ),
        "organise-large": PointRuleFactory(
            code="organise-large",
            name="组织大型活动",
            points=20,
            applies_to="organiser",
            scale="large",
        ),
        "group-monthly": PointRuleFactory(
            code="group-monthly", name="小组月度活动", points=1, applies_to="group"
        ),
        # Limited to another type of activity: never applies here.
        "visit-bonus": PointRuleFactory(
            code="visit-bonus",
            name="走访企业",
            points=5,
            applies_to="participant",
            activity_type_code="visit",
        ),
    }


@pytest.fixture
def organisers(db):
    return MemberFactory.create_batch(2)


@pytest.fixture
def group(db):
    return ActivityGroupFactory()


@pytest.fixture
def group_members(group):
    return [GroupMembershipFactory(group=group).member for _ in range(3)]


@pytest.fixture
def activity(rules, organisers, group, group_members):
    ActivityTypeFactory(code="visit", name="走访")
    activity = ActivityFactory(
        type=ActivityTypeFactory(code="theme", name="主题活动"),
        scale="medium",
        organising_group=group,
        starts_at=soon(),
    )
    activity.organisers.set(organisers)
    return activity


@pytest.fixture
def staff(db):
    return StaffFactory()


def check_in(activity, member, staff) -> Attendance:
    return services.check_in(activity=activity, member=member, actor=staff)


# --- checking in ------------------------------------------------------------------------


def test_check_in_records_one_attendance_and_awards_the_participant_once(
    activity, alice, staff
):
    attendance = check_in(activity, alice, staff)

    assert list(Attendance.objects.values_list("pk", flat=True)) == [attendance.pk]
    assert (attendance.activity, attendance.member) == (activity, alice)
    assert (attendance.checked_in_by, attendance.undone_at) == (staff, None)
    (entry,) = PointsEntry.objects.filter(member=alice)
    assert (entry.rule.code, entry.points, entry.attempt) == ("attend", 2, 0)
    assert (entry.source, entry.source_id, entry.year) == (
        PointsEntry.Source.ACTIVITY,
        activity.pk,
        year_of(activity),
    )
    assert entry.recorded_by == staff
    assert balance(alice, activity) == OPENING_POINTS + 2


def test_a_rule_for_another_activity_type_awards_nothing(activity, rules, alice, staff):
    check_in(activity, alice, staff)

    assert not PointsEntry.objects.filter(rule=rules["visit-bonus"]).exists()


def test_a_double_check_in_writes_no_second_attendance_or_entry(activity, alice, staff):
    first = check_in(activity, alice, staff)
    entries = PointsEntry.objects.count()

    again = check_in(activity, alice, StaffFactory())

    assert again.pk == first.pk
    assert Attendance.objects.count() == 1
    assert PointsEntry.objects.count() == entries
    assert earned(alice) == [("attend", 2, 0)]
    assert balance(alice, activity) == OPENING_POINTS + 2


def test_organisers_and_the_organising_group_earn_their_points_once(
    activity, organisers, group_members, alice, bob, staff
):
    check_in(activity, alice, staff)
    check_in(activity, bob, staff)
    check_in(activity, alice, staff)

    for organiser in organisers:
        assert earned(organiser) == [("organise-medium", 10, 0)]  # not the large rule
        assert balance(organiser, activity) == OPENING_POINTS + 10
    for member in group_members:
        assert earned(member) == [("group-monthly", 1, 0)]
    assert earned(alice) == earned(bob) == [("attend", 2, 0)]
    assert PointsEntry.objects.count() == 2 + 2 + 3


def test_a_large_activity_gives_its_organisers_the_large_rule_only(
    rules, organisers, alice, staff
):
    activity = ActivityFactory(scale="large", starts_at=soon())
    activity.organisers.set(organisers)

    check_in(activity, alice, staff)

    for organiser in organisers:
        assert earned(organiser) == [("organise-large", 20, 0)]


@pytest.mark.parametrize("status", [Activity.Status.DRAFT, Activity.Status.CANCELLED])
def test_checking_in_at_an_unpublished_activity_is_refused(
    activity, alice, staff, status
):
    Activity.objects.filter(pk=activity.pk).update(status=status)

    with translation.override("zh-hans"), pytest.raises(ActivityError) as refused:
        check_in(activity, alice, staff)

    assert str(refused.value) == zh("Only a published activity takes attendance.")
    assert not Attendance.objects.exists()
    assert not PointsEntry.objects.exists()


# --- undoing ----------------------------------------------------------------------------


def test_undoing_a_check_in_marks_it_undone_and_reverses_the_points(
    activity, organisers, alice, staff
):
    attendance = check_in(activity, alice, staff)
    (original,) = PointsEntry.objects.filter(member=alice)
    checker = StaffFactory()

    undone = services.undo_check_in(
        attendance=attendance, actor=checker, reason="误签到"
    )

    assert undone.pk == attendance.pk
    attendance.refresh_from_db()
    assert attendance.undone_at is not None
    assert attendance.undone_by == checker
    reversal = PointsEntry.objects.get(member=alice, reverses__isnull=False)
    assert reversal.reverses == original
    assert (reversal.points, reversal.reason, reversal.source) == (
        -2,
        "误签到",
        PointsEntry.Source.CORRECTION,
    )
    assert (reversal.year, reversal.recorded_by) == (year_of(activity), checker)
    total, entries = member_history(member=alice, year=year_of(activity))
    assert total == OPENING_POINTS
    assert [e.points for e in entries] == [2, -2]
    # The activity was held all the same: the organisers keep their points.
    for organiser in organisers:
        assert balance(organiser, activity) == OPENING_POINTS + 10


def test_undoing_without_a_reason_gives_a_default_one(activity, alice, staff):
    attendance = check_in(activity, alice, staff)

    services.undo_check_in(attendance=attendance, actor=staff, reason="")

    reversal = PointsEntry.objects.get(member=alice, reverses__isnull=False)
    assert reversal.reason
    assert reversal.points == -2


def test_undoing_twice_writes_one_reversal(activity, alice, staff):
    attendance = check_in(activity, alice, staff)
    services.undo_check_in(attendance=attendance, actor=staff, reason="误签到")
    attendance.refresh_from_db()
    first_undone_at = attendance.undone_at

    services.undo_check_in(attendance=attendance, actor=StaffFactory(), reason="再次")

    assert PointsEntry.objects.filter(member=alice, reverses__isnull=False).count() == 1
    attendance.refresh_from_db()
    assert (attendance.undone_at, attendance.undone_by) == (first_undone_at, staff)
    assert balance(alice, activity) == OPENING_POINTS


def test_checking_in_again_after_an_undo_awards_again_once(activity, alice, staff):
    first = check_in(activity, alice, staff)
    services.undo_check_in(attendance=first, actor=staff, reason="误签到")

    second = check_in(activity, alice, staff)
    again = check_in(activity, alice, staff)

    assert second.pk != first.pk
    assert again.pk == second.pk
    assert Attendance.objects.filter(member=alice, undone_at__isnull=True).count() == 1
    assert earned(alice) == [("attend", 2, 0), ("attend", -2, 0), ("attend", 2, 1)]
    assert balance(alice, activity) == OPENING_POINTS + 2


def test_undoing_the_second_check_in_reverses_the_second_award(activity, alice, staff):
    first = check_in(activity, alice, staff)
    services.undo_check_in(attendance=first, actor=staff, reason="误签到")
    second = check_in(activity, alice, staff)

    services.undo_check_in(attendance=second, actor=staff, reason="再次误签到")
    services.undo_check_in(attendance=second, actor=staff, reason="再次误签到")

    award = PointsEntry.objects.get(member=alice, attempt=1, reverses__isnull=True)
    assert PointsEntry.objects.get(reverses=award).points == -2
    assert PointsEntry.objects.filter(member=alice, reverses__isnull=False).count() == 2
    assert balance(alice, activity) == OPENING_POINTS


# --- concurrency (PostgreSQL) -----------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_check_ins_of_the_same_member_at_once_write_one_attendance_and_entry():
    PointRuleFactory(code="attend", name="参加活动", points=2)
    activity = ActivityFactory(starts_at=soon())
    member, staff = MemberFactory(), StaffFactory()
    racers = 3
    barrier = threading.Barrier(racers)
    pks: list[int] = []
    failures: list[BaseException] = []

    def tap() -> None:
        try:
            barrier.wait(timeout=10)
            pks.append(
                services.check_in(activity=activity, member=member, actor=staff).pk
            )
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
        finally:
            connection.close()  # each thread had its own connection

    threads = [threading.Thread(target=tap) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert failures == []
    assert set(pks) == {Attendance.objects.get().pk}
    assert earned(member) == [("attend", 2, 0)]
