"""The activity pages as members, visitors and staff see them (issue 7, AC-2, CF-7).

Activities come from ActivityFactory: published, public, starting in a week. Pages are
requested through the test client; messages are read in Chinese (zh-hans).
"""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from activities import services
from activities.models import Attendance, Registration
from groups.models import PointsEntry
from tests.factories import (
    ActivityFactory,
    ActivityGroupFactory,
    ActivityTypeFactory,
    PointRuleFactory,
)
from tests.support.pages import text
from tests.support.words import zh

REGISTERED = Registration.Status.REGISTERED
WAITING = Registration.Status.WAITING


def page(client, url: str, **kwargs):
    with translation.override("zh-hans"):
        return client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans", **kwargs)


def post(client, url: str, data=None, **kwargs):
    with translation.override("zh-hans"):
        return client.post(url, data or {}, HTTP_ACCEPT_LANGUAGE="zh-hans", **kwargs)


@pytest.fixture
def shown(db):
    """A coming, a past, a draft, a cancelled and a members-only activity."""
    now = timezone.now()
    return {
        "coming": ActivityFactory(title="企业纾困会诊日"),
        "later": ActivityFactory(
            title="家风教育讲座", starts_at=now + timedelta(days=20)
        ),
        "past": ActivityFactory(
            title="三八妇女节活动", starts_at=now - timedelta(days=30)
        ),
        "draft": ActivityFactory(title="草稿活动", status="draft"),
        "cancelled": ActivityFactory(title="已取消的走访", status="cancelled"),
        "members_only": ActivityFactory(title="会员内部座谈", is_public=False),
    }


def test_public_list_shows_published_public_activities_coming_first(client, shown):
    body = text(page(client, reverse("activities:list")))

    assert body.index("企业纾困会诊日") < body.index("家风教育讲座")
    assert body.index("家风教育讲座") < body.index("三八妇女节活动")
    for hidden in ("草稿活动", "已取消的走访", "会员内部座谈"):
        assert hidden not in body


def test_members_also_see_activities_not_on_the_public_site(client, shown, alice):
    client.force_login(alice.user)

    body = text(page(client, reverse("activities:list")))

    assert "会员内部座谈" in body
    assert "草稿活动" not in body and "已取消的走访" not in body
    assert page(client, shown["members_only"].get_absolute_url()).status_code == 200


@pytest.mark.parametrize("which", ["draft", "cancelled", "members_only"])
def test_detail_is_404_for_drafts_cancelled_and_for_visitors_members_only(
    client, shown, which
):
    assert page(client, shown[which].get_absolute_url()).status_code == 404


def test_a_member_signs_up_through_the_page(client, alice):
    activity = ActivityFactory(capacity=10)
    client.force_login(alice.user)

    response = post(
        client, reverse("activities:sign_up", args=[activity.pk]), follow=True
    )

    assert response.redirect_chain[-1][0] == activity.get_absolute_url()
    assert zh("You are signed up.") in text(response)
    assert (
        Registration.objects.get(activity=activity, member=alice).status == REGISTERED
    )


def test_a_full_activity_puts_the_member_on_the_waiting_list(client, alice, bob):
    activity = ActivityFactory(capacity=1)
    services.sign_up(activity=activity, member=bob)
    client.force_login(alice.user)

    response = post(
        client, reverse("activities:sign_up", args=[activity.pk]), follow=True
    )

    assert zh(
        "The places are taken: you are on the waiting list and will be told if a place frees up."
    ) in text(response)
    assert Registration.objects.get(activity=activity, member=alice).status == WAITING


def test_a_member_cannot_cancel_another_members_registration(client, alice, bob):
    activity = ActivityFactory(capacity=5)
    bobs = services.sign_up(activity=activity, member=bob)
    client.force_login(alice.user)

    response = post(client, reverse("activities:cancel", args=[bobs.pk]))

    assert response.status_code == 404
    bobs.refresh_from_db()
    assert bobs.status == REGISTERED and bobs.cancelled_at is None


@pytest.mark.parametrize(
    "name", ["sign_up", "cancel", "undo_checkin", "renew_my_calendar"]
)
def test_get_on_a_post_only_view_is_405(client, alice, name):
    activity = ActivityFactory()
    registration = services.sign_up(activity=activity, member=alice)
    args = {"sign_up": [activity.pk], "cancel": [registration.pk]}.get(name, [])
    if name == "undo_checkin":
        args = [1]
    client.force_login(alice.user)

    assert client.get(reverse(f"activities:{name}", args=args)).status_code == 405


def test_an_anonymous_sign_up_goes_to_the_login_page(client, db):
    activity = ActivityFactory()
    url = reverse("activities:sign_up", args=[activity.pk])

    response = client.post(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert not Registration.objects.exists()


def test_my_activities_lists_registered_waiting_and_attended_with_net_points(
    client, alice, bob, staff
):
    PointRuleFactory(code="attend", name="参加活动", points=2)
    registered = ActivityFactory(title="企业家会客厅预告", capacity=5)
    waiting = ActivityFactory(title="家风教育讲座", capacity=1)
    held = ActivityFactory(
        title="西市文旅走访", starts_at=timezone.now() - timedelta(days=3)
    )
    undone = ActivityFactory(
        title="撤销签到的活动", starts_at=timezone.now() - timedelta(days=5)
    )
    services.sign_up(activity=registered, member=alice)
    services.sign_up(activity=waiting, member=bob)
    services.sign_up(activity=waiting, member=alice)
    services.check_in(activity=held, member=alice, actor=staff, now=held.starts_at)
    attendance = services.check_in(
        activity=undone, member=alice, actor=staff, now=undone.starts_at
    )
    services.undo_check_in(attendance=attendance, actor=staff, reason="签错了")
    client.force_login(alice.user)

    body = text(page(client, reverse("activities:mine")))

    assert "企业家会客厅预告" in body and "家风教育讲座" in body
    assert zh("registered") in body and zh("on the waiting list") in body
    attended = body.split(zh("Attended"), 1)[1]
    assert "西市文旅走访" in attended
    assert "撤销签到的活动" not in attended  # undone: not attended
    with translation.override("zh-hans"):
        plus_two = gettext("+%(points)s points") % {"points": 2}
    assert plus_two in attended
    # The ledger nets the undone one to zero, so it earns nothing on the page.
    assert (
        sum(
            PointsEntry.objects.filter(member=alice, source_id=undone.pk).values_list(
                "points", flat=True
            )
        )
        == 0
    )


def present_badge() -> str:
    return f'<span class="badge text-bg-success">{zh("present")}</span>'


def test_staff_check_in_search_check_in_and_undo(client, staff, alice, bob):
    PointRuleFactory(code="attend", name="参加活动", points=2)
    alice.user.full_name = "王丽华"
    alice.user.save()
    activity = ActivityFactory(starts_at=timezone.now() + timedelta(minutes=30))
    url = reverse("activities:checkin", args=[activity.pk])
    client.force_login(staff)

    found = text(page(client, url, data={"q": "丽华"}))
    assert "王丽华" in found and bob.user.get_full_name() not in found

    response = post(client, url, {"member": alice.pk}, follow=True)
    body = text(response)
    with translation.override("zh-hans"):
        checked = gettext("%(name)s is checked in.") % {"name": "王丽华"}
    assert checked in body
    assert present_badge() in text(page(client, url, data={"q": "丽华"}))
    attendance = Attendance.objects.get(activity=activity, member=alice)

    response = post(
        client, reverse("activities:undo_checkin", args=[attendance.pk]), follow=True
    )

    assert zh("The check-in was undone; its points were reversed.") in text(response)
    attendance.refresh_from_db()
    assert attendance.undone_at is not None
    entries = PointsEntry.objects.filter(member=alice, source_id=activity.pk)
    assert sorted(entries.values_list("points", flat=True)) == [-2, 2]
    assert entries.get(points=-2).reverses_id == entries.get(points=2).pk
    searched = text(page(client, url, data={"q": "丽华"}))
    assert present_badge() not in searched
    assert zh("Check in") in searched


@pytest.mark.parametrize("who", ["alice", "official"])
@pytest.mark.parametrize("name", ["checkin", "duties_now", "attendance_export"])
def test_members_and_officials_get_403_on_staff_pages(client, request, who, name):
    person = request.getfixturevalue(who)
    activity = ActivityFactory()
    args = [] if name == "duties_now" else [activity.pk]
    client.force_login(person.user)

    assert client.get(reverse(f"activities:{name}", args=args)).status_code == 403
    if name == "checkin":
        response = client.post(reverse(f"activities:{name}", args=args), {"member": 1})
        assert response.status_code == 403
        assert not Attendance.objects.exists()


def _at(year: int, month: int, day: int = 10) -> datetime:
    return datetime(year, month, day, 10, 0, tzinfo=timezone.get_current_timezone())


def _grid(groups: int, per_group_activities: int, year: int) -> list:
    made = [ActivityGroupFactory(year=year, number=n + 1) for n in range(groups)]
    kind = ActivityTypeFactory(code="visit", name="走访")
    for i, group in enumerate(made):
        for k in range(per_group_activities):
            starts = _at(year, 1 + (k % 12), 1 + (k // 12))
            ActivityFactory(
                organising_group=group,
                type=kind,
                scale="medium" if i % 2 == 0 else "small",
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
            )
    return made


def test_duty_grid_shows_counts_per_month_and_large_or_medium_led(client, staff):
    year = timezone.localdate().year
    led, quiet, idle = (ActivityGroupFactory(year=year, number=n) for n in (1, 2, 3))
    for day in (3, 17):
        ActivityFactory(
            organising_group=led,
            scale="large",
            starts_at=_at(year, 3, day),
            ends_at=_at(year, 3, day) + timedelta(hours=2),
        )
    ActivityFactory(
        organising_group=quiet,
        scale="small",
        starts_at=_at(year, 5),
        ends_at=_at(year, 5) + timedelta(hours=2),
    )
    ActivityFactory(  # a draft counts for nothing
        organising_group=idle,
        scale="large",
        status="draft",
        starts_at=_at(year, 5),
        ends_at=_at(year, 5) + timedelta(hours=2),
    )
    client.force_login(staff)

    body = text(page(client, reverse("activities:duties", args=[year])))
    with translation.override("zh-hans"):
        rows = {
            g.number: body.split(f">{gettext('Group %(n)d') % {'n': g.number}}<", 1)[
                1
            ].split("</tr>", 1)[0]
            for g in (led, quiet, idle)
        }

    def cells(row: str) -> list[str]:
        return [c.split(">", 1)[1] for c in row.split("<td")[1:]]

    def value(cell: str) -> str:
        return cell.split("</td>", 1)[0]

    led_cells, quiet_cells, idle_cells = (
        [value(c) for c in cells(rows[n])] for n in (1, 2, 3)
    )
    assert led_cells[2] == "2" and led_cells[12] == "✓"
    assert quiet_cells[4] == "1" and quiet_cells[12] == zh("not yet")
    assert "1" not in idle_cells[:12] and "2" not in idle_cells[:12]
    assert idle_cells[12] == zh("not yet")


def test_duty_grid_query_count_does_not_grow_with_groups_and_activities(client, staff):
    year = timezone.localdate().year
    client.force_login(staff)
    url = reverse("activities:duties", args=[year])

    _grid(3, 5, year)
    client.get(url)  # warm the session and the site caches
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200

    _grid(12, 60, year)  # groups 1-3 exist already (get_or_create), 9 more
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)

    assert len(response.context["rows"]) == 12
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]


@pytest.mark.parametrize("typed", ["\x00", "丽\x00华", "x" * 500, "\u202e丽华"])
def test_the_check_in_search_takes_any_typed_text_without_a_server_error(
    client, staff, alice, typed
):
    alice.user.full_name = "王丽华"
    alice.user.save()
    activity = ActivityFactory()
    client.force_login(staff)

    response = client.get(
        reverse("activities:checkin", args=[activity.pk]), {"q": typed}
    )

    assert response.status_code == 200
    if "丽" in typed:
        assert "王丽华" in text(response)
