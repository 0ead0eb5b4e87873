"""Calendars of activities and the attendance export (issue 7, AC-6, IN-2).

The public calendar and each activity's "add to calendar" parse as iCalendar; a member's
private calendar opens only with its live token; the attendance list reaches Excel with
formula-like names as text.
"""

import hashlib
import re
from datetime import datetime, timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from openpyxl import load_workbook

from activities import services
from members.models import CalendarFeed
from members.services import feeds
from tests.factories import ActivityFactory, MemberFactory

UID = "activity-{}@chamber-portal"


def events(response) -> list:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content).walk("VEVENT")


def uids(response) -> set[str]:
    return {str(event["UID"]) for event in events(response)}


@pytest.fixture
def calendar(db):
    now = timezone.now().replace(second=0, microsecond=0)
    return {
        "coming": ActivityFactory(title="企业纾困会诊日"),
        "past": ActivityFactory(
            title="三八妇女节活动", starts_at=now - timedelta(days=40)
        ),
        "draft": ActivityFactory(title="草稿活动", status="draft"),
        "members_only": ActivityFactory(title="会员内部座谈", is_public=False),
    }


def test_the_public_calendar_has_one_event_per_public_published_activity(
    client, calendar
):
    url = reverse("activities:calendar")
    parsed = events(client.get(url))

    expected = {UID.format(calendar[k].pk) for k in ("coming", "past")}
    assert [str(e["UID"]) for e in parsed].count(UID.format(calendar["coming"].pk)) == 1
    assert {str(e["UID"]) for e in parsed} == expected
    assert uids(client.get(url)) == expected  # stable from one fetch to the next
    coming = next(e for e in parsed if "企业纾困会诊日" in str(e["SUMMARY"]))
    start = coming["DTSTART"]
    assert start.params["TZID"] == "Asia/Shanghai"
    assert start.dt == calendar["coming"].starts_at
    assert start.dt.utcoffset() == timedelta(hours=8)


def test_add_to_calendar_of_one_activity(client, calendar):
    coming = calendar["coming"]

    parsed = events(
        client.get(reverse("activities:activity_calendar", args=[coming.pk]))
    )

    assert [str(e["UID"]) for e in parsed] == [UID.format(coming.pk)]
    assert parsed[0]["DTSTART"].dt == coming.starts_at
    assert str(parsed[0]["LOCATION"]) == coming.place
    for hidden in ("draft", "members_only"):
        url = reverse("activities:activity_calendar", args=[calendar[hidden].pk])
        assert client.get(url).status_code == 404


# The private calendar ------------------------------------------------------------


def new_link(client, member) -> str:
    """Create the link from "my activities" as the member does; the path of the feed."""
    client.force_login(member.user)
    response = client.post(reverse("activities:renew_my_calendar"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("activities:mine")
    found = re.search(
        r"<code>https?://[^/<]+(/activities/calendar/[^<]+\.ics)</code>",
        response.content.decode(),
    )
    assert found, "the new link is shown on my activities"
    client.logout()
    return found.group(1)


def token_of(path: str) -> str:
    return path.rsplit("/", 1)[1].removesuffix(".ics")


def test_a_members_private_calendar_shows_their_registered_activities_only(
    client, alice, bob
):
    mine = ActivityFactory(title="企业纾困会诊日")
    also_mine = ActivityFactory(title="家风教育讲座", capacity=3)
    bobs = ActivityFactory(title="乙公司的活动")
    given_up = ActivityFactory(title="我取消了的活动")
    services.sign_up(activity=mine, member=alice)
    services.sign_up(activity=also_mine, member=alice)
    services.sign_up(activity=bobs, member=bob)
    full = ActivityFactory(title="已满的活动", capacity=1)
    services.sign_up(activity=full, member=bob)
    services.sign_up(activity=full, member=alice)  # waiting: not in her calendar
    # Bob cancelling his own place must not drop the activity from Alice's calendar.
    services.cancel_registration(
        registration=services.sign_up(activity=also_mine, member=bob), member=bob
    )
    services.cancel_registration(
        registration=services.sign_up(activity=given_up, member=alice), member=alice
    )

    path = new_link(client, alice)

    assert uids(client.get(path)) == {UID.format(mine.pk), UID.format(also_mine.pk)}


def test_the_token_is_long_random_and_only_its_hash_is_stored(client, alice):
    token = token_of(new_link(client, alice))

    assert len(token) >= 22
    assert re.fullmatch(r"[A-Za-z0-9_-]+", token)
    feed = CalendarFeed.objects.get(user=alice.user, kind="my_activities")
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = list(CalendarFeed.objects.values_list("token_hash", flat=True))
    assert token not in stored and all(token not in h for h in stored)


def test_another_members_token_opens_only_their_own_calendar(client, alice, bob):
    alices = ActivityFactory(title="甲公司报名的活动")
    services.sign_up(activity=alices, member=alice)
    bob_path = new_link(client, bob)

    assert UID.format(alices.pk) not in uids(client.get(bob_path))
    bob.user.is_active = False
    bob.user.save()
    assert client.get(bob_path).status_code == 404


def test_revoked_renewed_guessed_and_rota_tokens_are_404(client, alice, rep):
    services.sign_up(activity=ActivityFactory(), member=alice)
    renewed_away = new_link(client, alice)
    live = new_link(client, alice)  # renewing: the first link stops working
    assert client.get(live).status_code == 200
    shifts = feeds.renew_feed(user=rep.user, kind=CalendarFeed.Kind.MY_SHIFTS)

    client.force_login(alice.user)
    client.post(reverse("activities:revoke_my_calendar"))
    client.logout()

    for path in (
        renewed_away,
        live,  # revoked
        reverse("activities:my_calendar", args=["A" * 32]),  # guessed
        reverse("activities:my_calendar", args=[shifts]),  # a rota feed's token
    ):
        assert client.get(path).status_code == 404, path


# The attendance export -----------------------------------------------------------


def test_the_attendance_export_is_formula_safe_and_leaves_out_undone_check_ins(
    client, staff
):
    activity = ActivityFactory(starts_at=timezone.now() - timedelta(hours=1))
    names = ["=1+1", "@SUM(A1)", "＋86"]
    present = [MemberFactory(user__full_name=name) for name in names]
    for member in present:
        services.check_in(activity=activity, member=member, actor=staff)
    mistaken = MemberFactory(user__full_name="签错的人")
    undone = services.check_in(activity=activity, member=mistaken, actor=staff)
    services.undo_check_in(attendance=undone, actor=staff, reason="签错了")
    client.force_login(staff)

    response = client.get(reverse("activities:attendance_export", args=[activity.pk]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == 3  # one per member present; the undone check-in is left out
    assert [row[0].value for row in rows] == [f"'{name}" for name in names]
    for row in rows:
        assert row[0].data_type == "s"
        assert row[3].is_date and isinstance(row[3].value, datetime)
        for cell in row:
            assert cell.data_type != "f"
    assert "签错的人" not in {row[0].value for row in rows}


def test_members_cannot_download_the_attendance_list(client, alice):
    activity = ActivityFactory()
    client.force_login(alice.user)

    url = reverse("activities:attendance_export", args=[activity.pk])
    assert client.get(url).status_code == 403
