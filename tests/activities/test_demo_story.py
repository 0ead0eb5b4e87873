"""The demo tells the method's own story (issue 16): the seed article's examples where it puts
them, and a group-duty grid that agrees with the standings.

The whole demo (seed_demo) is seeded once for the class, at today's date, and rolled back
after it.
"""

import io
from collections import defaultdict
from datetime import date

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from activities import selectors, services
from activities.models import Activity, Attendance, Platform, Registration
from groups.models import ActivityGroup, Award, PointsEntry
from members.models import Member

METHOD_YEAR = 2022


def _seed() -> None:
    call_command("seed_demo", force=True, stdout=io.StringIO())


def _local(activity: Activity) -> date:
    return timezone.localtime(activity.starts_at).date()


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        _seed()
        yield
        transaction.set_rollback(True)


class TestTheDemoStory:
    def test_the_womens_day_activity_of_2022_is_at_the_party_and_masses_base(
        self, demo, db
    ):
        activity = Activity.objects.get(title__contains="弘家风、促文明")

        assert "三八妇女节" in activity.title
        assert _local(activity) == date(2022, 3, 8)
        assert activity.platform.kind == Platform.Kind.BASE
        assert activity.status == Activity.Status.PUBLISHED
        assert activity.writeup

    def test_the_first_groups_new_year_visits_are_on_26_january_2022(self, demo, db):
        activity = Activity.objects.get(title__contains="新春送温暖")

        assert _local(activity) == date(2022, 1, 26)
        assert (activity.organising_group.year, activity.organising_group.number) == (
            METHOD_YEAR,
            1,
        )
        assert activity.attendances.exists()

    def test_the_fifth_group_brought_epidemic_supplies_with_jindi_in_march_2022(
        self, demo, db
    ):
        activity = Activity.objects.get(title__contains="金地房地产")

        assert (_local(activity).year, _local(activity).month) == (2022, 3)
        assert (activity.organising_group.year, activity.organising_group.number) == (
            METHOD_YEAR,
            5,
        )
        assert "10车" in activity.description
        assert any("金地房地产" in o.enterprise.name for o in activity.organisers.all())

    def test_the_fifth_and_sixth_reception_halls_have_their_topics_co_hosts_and_write_ups(
        self, demo, db
    ):
        sessions = {
            a.session_number: a
            for a in Activity.objects.filter(series__name="企业家会客厅")
        }
        fifth, sixth = sessions[5], sessions[6]

        assert fifth.topic == "打造营口时光走廊，建设西市教育文旅"
        assert sixth.topic == "激发科技内动力，践行生命教育新主张"
        assert {d.short_name for d in fifth.co_hosts.all()} >= {"发改局"}
        assert {d.short_name for d in sixth.co_hosts.all()} == {"教育局"}
        assert "第五期" in fifth.writeup and "第六期" in sixth.writeup
        # The petitions demo raises its reception-hall petitions at these two.
        held = Activity.objects.filter(
            series__isnull=False, ends_at__lt=timezone.now()
        ).order_by("-starts_at")[:2]
        assert list(held) == [sixth, fifth]

    def test_every_platform_has_member_enterprises_and_activities(self, demo, db):
        platforms = list(Platform.objects.all())

        assert {p.kind for p in platforms} == set(Platform.Kind.values)
        for platform in platforms:
            assert platform.enterprises.exists(), platform.name
            assert platform.activities.filter(
                status=Activity.Status.PUBLISHED
            ).exists(), platform.name
            assert platform.contacts and platform.founding_status, platform.name

    def test_every_point_comes_from_an_activity_held_or_a_reasoned_manual_entry(
        self, demo, db
    ):
        sources = set(PointsEntry.objects.values_list("source", flat=True))
        from_activities = PointsEntry.objects.filter(source=PointsEntry.Source.ACTIVITY)
        activities = Activity.objects.in_bulk(
            set(from_activities.values_list("source_id", flat=True))
        )

        assert sources <= {PointsEntry.Source.ACTIVITY, PointsEntry.Source.MANUAL}
        for entry in from_activities:
            activity = activities[entry.source_id]
            assert activity.status == Activity.Status.PUBLISHED
            assert entry.year == _local(activity).year
            assert services.check_in_window(activity)[0] <= timezone.now()
            assert Attendance.objects.filter(
                activity=activity, undone_at__isnull=True
            ).exists()

    def test_the_duty_grid_counts_exactly_the_group_activities_that_earned_points(
        self, demo, db
    ):
        now = timezone.now()
        today = timezone.localdate()
        for year in selectors.group_years():
            earned = defaultdict(set)
            for activity in Activity.objects.filter(
                organising_group__year=year,
                starts_at__lte=now,
                pk__in=PointsEntry.objects.filter(
                    source=PointsEntry.Source.ACTIVITY
                ).values("source_id"),
            ):
                earned[activity.organising_group_id].add(_local(activity).month)
            for row in selectors.group_duty_grid(year=year):
                shown = {
                    month
                    for month, n in enumerate(row["months"], start=1)
                    if n and (year, month) < (today.year, today.month)
                }
                past = {
                    m
                    for m in earned[row["group"].pk]
                    if (year, m) < (today.year, today.month)
                }
                assert shown == past, (year, row["group"].number)

    def test_in_a_finished_year_some_groups_met_every_duty_and_some_did_not(
        self, demo, db
    ):
        for year in (METHOD_YEAR, timezone.localdate().year - 1):
            rows = selectors.group_duty_grid(year=year)
            every_month = [all(r["months"]) for r in rows]
            led = [r["led_large_or_medium"] for r in rows]

            assert len(rows) == 6
            assert any(every_month) and not all(every_month), year
            assert any(led) and not all(led), year

    def test_the_finished_years_awards_went_to_the_top_of_their_standings(
        self, demo, db
    ):
        from groups import selectors as standings

        last_year = timezone.localdate().year - 1
        for year in (METHOD_YEAR, last_year):
            best = standings.member_standings(year=year)[0]
            assert Award.objects.filter(
                year=year, member=best, published_at__isnull=False
            ).exists(), year
        assert ActivityGroup.objects.filter(year=timezone.localdate().year).count() == 6

    def test_demo_member_has_coming_attended_and_missed_activities(self, demo, db):
        member = Member.objects.get(user__username="demo-member")

        mine = selectors.my_activities(member=member, now=timezone.now())

        assert mine["coming"] and mine["attended"] and mine["missed"]

    def test_staff_can_try_the_check_in_at_once(self, demo, db):
        today = Activity.objects.get(title="惠企政策解读会")

        assert services.check_in_closed_reason(activity=today) is None
        assert today.registrations.filter(
            status=Registration.Status.REGISTERED
        ).exists()

    def test_a_full_coming_activity_has_a_waiting_list(self, demo, db):
        full = Activity.objects.get(title="家风教育讲座")

        statuses = list(full.registrations.values_list("status", flat=True))

        assert statuses.count(Registration.Status.REGISTERED) == full.capacity
        assert Registration.Status.WAITING in statuses

    def test_seeding_again_adds_nothing(self, demo, db):
        models = (Activity, Attendance, Registration, PointsEntry, Award, Platform)
        before = {m.__name__: m.objects.count() for m in models}

        _seed()

        assert {m.__name__: m.objects.count() for m in models} == before
