"""报名成功: a member who signs up and gets a place is told (issue 19): the activity's
title, its start in Beijing time, its place and the link, once, in their language
(Chinese by default). A member put on the waiting list is not: they hear
"activity-promoted" when a place frees up.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings

from activities import services
from activities.models import Campaign, Registration
from chamber.models import OutgoingMessage
from tests.factories import ActivityFactory, MemberFactory
from tests.support.mail import mails_to

# 01:30 UTC is 09:30 in Beijing.
STARTS = datetime(2030, 6, 10, 1, 30, tzinfo=UTC)


def assert_email_contains(message, *texts: str) -> None:
    """Each text is in the plain body and in the HTML part."""
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    for text in texts:
        assert text in message.body, text
        assert text in html, text


def sign_up(activity, member, **kwargs) -> Registration:
    return services.sign_up(
        activity=activity, member=member, now=STARTS - timedelta(days=3), **kwargs
    )


@pytest.fixture
def activity(db):
    return ActivityFactory(
        title="企业纾困会诊日",
        starts_at=STARTS,
        ends_at=STARTS + timedelta(hours=2),
        place="西市区工商联三楼会议室",
        capacity=1,
    )


def test_a_member_who_gets_a_place_is_told_once_in_chinese_with_the_link(
    activity, alice, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        registration = sign_up(activity, alice)
    with django_capture_on_commit_callbacks(execute=True):
        again = sign_up(activity, alice)  # a double tap: the same registration

    assert again.pk == registration.pk
    (mail,) = mails_to(mailoutbox, alice)
    assert mail.subject == "报名成功：企业纾困会诊日"
    assert_email_contains(
        mail,
        "您已成功报名企业纾困会诊日",
        "开始时间：2030-06-10 09:30（北京时间）",
        "地点：西市区工商联三楼会议室",
        settings.SITE_URL + activity.get_absolute_url(),
    )


def test_the_notice_is_written_with_the_registration(activity, alice):
    registration = sign_up(activity, alice)

    (message,) = OutgoingMessage.objects.filter(kind="activity-registered")
    assert message.key == f"activity-registered:{registration.pk}"
    assert message.user == alice.user


def test_a_refused_sign_up_writes_no_notice(alice, db):
    closed = ActivityFactory(starts_at=STARTS, status="draft")

    with pytest.raises(services.ActivityError):
        sign_up(closed, alice)

    assert not OutgoingMessage.objects.filter(kind="activity-registered").exists()


def test_a_member_put_on_the_waiting_list_is_not_told_until_promoted(
    activity, alice, bob, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        mine = sign_up(activity, alice)
    with django_capture_on_commit_callbacks(execute=True):
        waiting = sign_up(activity, bob)

    assert waiting.status == Registration.Status.WAITING
    assert mails_to(mailoutbox, bob) == []
    assert not OutgoingMessage.objects.filter(user=bob.user).exists()

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_registration(
            registration=mine, member=alice, now=STARTS - timedelta(days=2)
        )

    (mail,) = mails_to(mailoutbox, bob)
    assert mail.subject == "候补成功：您已报名企业纾困会诊日"
    assert [m.kind for m in OutgoingMessage.objects.filter(user=bob.user)] == [
        "activity-promoted"
    ]


def test_a_colleague_signed_up_by_a_member_is_named_in_the_notice(
    db, django_capture_on_commit_callbacks, mailoutbox
):
    member = MemberFactory(enterprise__name="丙公司")
    month = Campaign.objects.create(
        kind=Campaign.Kind.SERVICE_MONTH,
        name="民营经济体服务月",
        starts_on=STARTS.date() - timedelta(days=10),
        ends_on=STARTS.date() + timedelta(days=20),
    )
    clinic = ActivityFactory(
        title="业务义诊", campaign=month, starts_at=STARTS, capacity=2
    )

    with django_capture_on_commit_callbacks(execute=True):
        sign_up(clinic, member, attendee_name="财务 李会计")

    (mail,) = mails_to(mailoutbox, member)
    assert_email_contains(mail, "您已为财务 李会计成功报名业务义诊")
