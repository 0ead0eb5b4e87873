"""The activities' daily step: tomorrow's reminders and the 20th-of-the-month group warnings.

run_activities_day only decides who is told; each e-mail is a separate task, run after
commit (django_capture_on_commit_callbacks(execute=True)) and claimed once (CF-2, CF-7).
"""

from datetime import date, datetime, time, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext

from activities import services
from activities.models import Registration
from chamber.models import OutgoingMessage
from chamber.tasks import deliver_message
from tests.factories import (
    ActivityFactory,
    ActivityGroupFactory,
    GroupMembershipFactory,
    MemberFactory,
)


def at(day: date, hour: int = 14, minute: int = 30) -> datetime:
    return datetime.combine(
        day, time(hour, minute), tzinfo=timezone.get_current_timezone()
    )


def recipients() -> list[str]:
    return sorted(address for m in mail.outbox for address in m.to)


def run_day(today: date, capture) -> dict:
    with capture(execute=True):
        return services.run_activities_day(today=today)


TODAY = date(2026, 6, 9)  # a Tuesday before the 20th: no group warning


def activity_tomorrow(**kwargs):
    starts = at(TODAY + timedelta(days=1))
    return ActivityFactory(
        starts_at=starts, ends_at=starts + timedelta(hours=2), **kwargs
    )


def sign_up(activity, member) -> Registration:
    return services.sign_up(
        activity=activity, member=member, now=activity.starts_at - timedelta(days=3)
    )


# Reminders -----------------------------------------------------------------------


def test_the_day_before_each_registered_member_is_reminded_once(
    django_capture_on_commit_callbacks, alice, bob
):
    activity = activity_tomorrow(title="企业纾困会诊日", capacity=2)
    carol = MemberFactory(enterprise__name="丙公司")  # waiting
    dave = MemberFactory(enterprise__name="丁公司")  # cancelled
    sign_up(activity, alice)
    cancelled = sign_up(activity, dave)
    services.cancel_registration(
        registration=cancelled,
        member=dave,
        now=activity.starts_at - timedelta(days=2),
    )
    sign_up(activity, bob)
    assert sign_up(activity, carol).status == Registration.Status.WAITING
    mail.outbox.clear()  # nobody moved up: dave's place went to bob by sign-up

    result = run_day(TODAY, django_capture_on_commit_callbacks)

    assert result == {"reminders": 2, "idle_groups": 0}
    assert recipients() == sorted([alice.user.email, bob.user.email])
    with translation.override("zh-hans"):
        subject = gettext("Tomorrow: %(title)s") % {"title": "企业纾困会诊日"}
    assert all(m.subject == subject for m in mail.outbox)
    assert "企业纾困会诊日" in mail.outbox[0].body

    run_day(TODAY, django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 2  # running the day again sends nothing new


def test_no_reminder_for_draft_or_cancelled_activities_or_other_days(
    django_capture_on_commit_callbacks, alice
):
    for title in ("下周的活动", "后天的活动"):
        starts = at(TODAY + timedelta(days=7 if title == "下周的活动" else 2))
        sign_up(
            ActivityFactory(
                title=title, starts_at=starts, ends_at=starts + timedelta(hours=1)
            ),
            alice,
        )
    draft = activity_tomorrow(title="草稿活动")
    cancelled = activity_tomorrow(title="取消的活动")
    for activity in (draft, cancelled):
        Registration.objects.create(
            activity=activity, member=alice, status=Registration.Status.REGISTERED
        )
    draft.status = "draft"
    draft.save()
    cancelled.status = "cancelled"
    cancelled.save()

    result = run_day(TODAY, django_capture_on_commit_callbacks)

    assert result["reminders"] == 0
    assert mail.outbox == []


def test_a_day_run_twice_and_a_redelivered_sender_send_nothing_twice(
    alice, django_capture_on_commit_callbacks
):
    sign_up(activity_tomorrow(), alice)

    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            services.run_activities_day(today=TODAY)
    (message,) = OutgoingMessage.objects.filter(kind="activity-reminder")
    deliver_message.delay(message.pk)  # acks_late: a redelivery

    assert recipients() == [alice.user.email]


def test_the_query_count_does_not_grow_with_registrations(
    db, django_capture_on_commit_callbacks
):
    def run_with(n: int) -> tuple[int, dict]:
        activity = activity_tomorrow()
        for _ in range(n):
            sign_up(activity, MemberFactory())
        with (
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks(execute=False) as sends,
        ):
            result = services.run_activities_day(today=TODAY)
        assert len(sends) == result["reminders"]
        return len(queries), result

    small, small_result = run_with(5)
    large, large_result = run_with(45)

    # the second day's run reminds only the new activity's registrations
    assert small_result["reminders"] == 5 and large_result["reminders"] == 45
    assert large == small


# Group warnings ------------------------------------------------------------------


@pytest.fixture
def groups(db, staff):
    """Group 1 held an activity in June; groups 2 and 3 held nothing (a draft, May)."""
    year = 2026
    made = {}
    for number in (1, 2, 3):
        group = ActivityGroupFactory(year=year, number=number)
        leader = GroupMembershipFactory(group=group, is_leader=True).member
        GroupMembershipFactory(group=group, is_leader=False)
        made[number] = (group, leader)
    busy, idle_draft, idle_may = (made[n][0] for n in (1, 2, 3))
    ActivityFactory(
        organising_group=busy,
        starts_at=at(date(year, 6, 3)),
        ends_at=at(date(year, 6, 3), 17),
    )
    ActivityFactory(
        organising_group=idle_draft,
        status="draft",
        starts_at=at(date(year, 6, 5)),
        ends_at=at(date(year, 6, 5), 17),
    )
    ActivityFactory(
        organising_group=idle_may,
        starts_at=at(date(year, 5, 28)),
        ends_at=at(date(year, 5, 28), 17),
    )
    return made


def warned_labels() -> list[str]:
    return sorted(m.subject for m in mail.outbox)


def subject_for(number: int) -> str:
    with translation.override("zh-hans"):
        label = gettext("Group %(n)d") % {"n": number}
        return gettext("%(group)s has no activity this month") % {"group": label}


def test_before_the_20th_no_group_is_warned(django_capture_on_commit_callbacks, groups):
    result = run_day(date(2026, 6, 19), django_capture_on_commit_callbacks)

    assert result["idle_groups"] == 0
    assert mail.outbox == []


def test_from_the_20th_idle_groups_warn_their_leaders_and_staff_once(
    django_capture_on_commit_callbacks, groups, staff
):
    result = run_day(date(2026, 6, 20), django_capture_on_commit_callbacks)

    assert result["idle_groups"] == 2
    leaders = {n: groups[n][1].user.email for n in (1, 2, 3)}
    assert recipients() == sorted([leaders[2], leaders[3], staff.email, staff.email])
    assert warned_labels() == sorted([subject_for(2)] * 2 + [subject_for(3)] * 2)
    assert leaders[1] not in recipients()

    run_day(date(2026, 6, 21), django_capture_on_commit_callbacks)
    run_day(date(2026, 6, 21), django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 4  # the next days send nothing new for June


def test_a_group_that_holds_an_activity_later_in_the_month_is_no_longer_warned(
    django_capture_on_commit_callbacks, groups
):
    group, _leader = groups[2]
    ActivityFactory(
        organising_group=group,
        starts_at=at(date(2026, 6, 25)),
        ends_at=at(date(2026, 6, 25), 17),
    )

    result = run_day(date(2026, 6, 22), django_capture_on_commit_callbacks)

    assert result["idle_groups"] == 1
    assert set(warned_labels()) == {subject_for(3)}
