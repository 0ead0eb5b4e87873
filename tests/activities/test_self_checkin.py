"""Members check themselves in by scanning the activity's QR code at the door."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from activities import services
from activities.models import Attendance
from groups.models import PointsEntry
from tests.factories import ActivityFactory, PointRuleFactory


@pytest.fixture
def activity(db):
    start = timezone.now() + timedelta(minutes=30)
    return ActivityFactory(starts_at=start, ends_at=start + timedelta(hours=2))


def _scan_url(activity) -> str:
    return reverse(
        "activities:self_checkin",
        args=[activity.pk, services.self_checkin_token(activity)],
    )


def test_staff_print_a_qr_code_that_opens_the_self_check_in_page(
    client, staff, activity, time_machine
):
    # The link is signed with the time: the page and the test sign in the same second.
    time_machine.move_to(timezone.now(), tick=False)
    client.force_login(staff)

    html = client.get(
        reverse("activities:checkin_qr", args=[activity.pk])
    ).content.decode()

    assert "<svg" in html
    assert _scan_url(activity) in html


def test_a_member_scans_and_checks_in_once_and_earns_the_points_once(
    client, alice, activity
):
    PointRuleFactory(code="attend", name="参加活动", points=2, applies_to="participant")
    client.force_login(alice.user)

    assert client.get(_scan_url(activity)).status_code == 200
    client.post(_scan_url(activity))
    response = client.post(_scan_url(activity), follow=True)

    assert response.status_code == 200
    assert Attendance.objects.filter(activity=activity, member=alice).count() == 1
    assert PointsEntry.objects.filter(member=alice, source_id=activity.pk).count() == 1


def test_a_forged_or_foreign_code_checks_nobody_in(client, alice, activity):
    other = ActivityFactory()
    client.force_login(alice.user)

    forged = reverse("activities:self_checkin", args=[activity.pk, "1:forged"])
    foreign = reverse(
        "activities:self_checkin",
        args=[activity.pk, services.self_checkin_token(other)],
    )
    for url in (forged, foreign):
        client.post(url)

    assert not Attendance.objects.exists()


def test_the_code_does_not_work_days_before_the_activity(alice, activity):
    with pytest.raises(services.ActivityError):
        services.self_check_in(
            activity=activity,
            member=alice,
            token=services.self_checkin_token(activity),
            now=activity.starts_at - timedelta(days=2),
        )
    assert not Attendance.objects.exists()


def test_members_must_log_in_and_officials_cannot_use_the_code(
    client, official, activity
):
    assert client.get(_scan_url(activity)).status_code == 302
    client.force_login(official.user)

    assert client.post(_scan_url(activity)).status_code == 403
    assert not Attendance.objects.exists()


def test_members_cannot_open_the_printable_code(client, alice, activity):
    client.force_login(alice.user)

    assert (
        client.get(reverse("activities:checkin_qr", args=[activity.pk])).status_code
        == 403
    )
