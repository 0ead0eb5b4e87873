"""Script payloads typed into activities and groups never reach a reader in a form that runs (IN-1).

Each text is typed where its author types it: staff add the activity in the admin
(title, place, topic, description, write-up) and publish it there; a member signs up
a colleague (the colleague's name); staff check the member in at the door, undo it
with a reason and check in again; staff award points by hand and correct them (both
reasons). The names staff give in the admin to a group, a platform, a campaign, a
point rule and a duty studio, and the people's and enterprise's names, come from the
factories, as in tests/petitions/test_xss.py.

Every place that shows them is then read as a browser, a calendar program or a mail
reader reads it: the activity list and page, "my activities", the platform and
campaign pages, the check-in page and its QR page, the group duty grid, my group, the
standings, the group page and a member's points (as a member and as staff), the manual
points form, the awards page, the admin's list and change pages of activities, groups
and points; the public calendar, an activity's "add to calendar", a member's own
calendar and the duty rota's calendar (each text carried literally in its property,
never a new line, property or event); and the cancellation e-mail.
"""

import re
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from icalendar import Calendar

from activities.models import Activity, Campaign, Platform
from groups.models import ActivityGroup, PointsEntry
from members.models import CalendarFeed, Member
from members.services import feeds
from tests.factories import (
    ActivityGroupFactory,
    ActivityTypeFactory,
    DutyRepresentativeFactory,
    DutyShiftFactory,
    DutyStudioFactory,
    EnterpriseFactory,
    GroupMembershipFactory,
    MemberFactory,
    PointRuleFactory,
    StaffFactory,
)
from tests.support.db import kept_for_the_module, on_commit_now
from tests.support.mail import assert_sent_through_the_outbox
from tests.support.pages import as_user
from tests.support.xss import (
    ADMIN_JSI18N,
    ADMIN_SVG,
    OUR_SCRIPT,
    PAYLOADS,
    fit,
    runnable,
)

# Every page with every payload, whatever the database: CI's embedded lane runs it.
pytestmark = pytest.mark.sweep(lane="embedded")

# The petitions corpus, plus what would break a calendar file: a line break that
# starts a new property and a new event (CRLF, a lone CR, a lone LF), and the
# characters iCalendar escapes.
ICAL_PAYLOADS = {
    "ical crlf": "座谈\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil@x\r\nSUMMARY:假活动",
    "ical lone cr": "座谈\rATTACH:https://evil.example/x.exe\rURL:javascript:alert(1)",
    "ical lone lf": "座谈\nBEGIN:VALARM\nACTION:DISPLAY\nEND:VALARM",
    "ical escapes": '座谈;LANGUAGE=en:x,y\\n\\;"<b>"',
}
CORPUS = {**PAYLOADS, **ICAL_PAYLOADS}
# segno's QR code on the check-in QR page is an inline SVG of paths: ours, not typed.
QR_SVG = re.compile(r'<svg viewBox="[0-9 ]+" class="segno"><path [^<]*/></svg>')


def get(client: Client, url: str, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, url
    return response.content.decode()


def post(client: Client, url: str, data: dict) -> str:
    response = client.post(url, data, follow=True)
    assert response.status_code == 200, url
    page = response.content.decode()
    assert not re.search(r'class="[^"]*(invalid-feedback|errorlist)[^"]*"', page), (
        url,
        re.findall(r'<ul class="errorlist[^>]*>.*?</ul>', page),
    )
    return page


@dataclass
class World:
    payload: str
    activity: Activity
    member: Member
    staff: object
    superuser: object
    group: ActivityGroup
    platform: Platform
    campaign: Campaign
    texts: dict[str, str] = field(default_factory=dict)

    def assert_safe(self, page: str, *shown: str) -> None:
        """No text as typed when it has HTML in it, each shown text escaped, nothing runs.

        Texts are compared line by line: pages break lines with <br>.
        """
        for name, text in self.texts.items():
            for line in text.splitlines():
                if escape(line) != line:
                    assert line not in page, name
        for name in shown:
            for line in self.texts[name].splitlines():
                assert escape(line) in page, name
        found = runnable(page)
        allowed_svg = len(ADMIN_SVG.findall(page)) + len(QR_SVG.findall(page))
        assert found.count("<svg>") == allowed_svg
        assert found.count("<script> not of ours") == page.count(ADMIN_JSI18N)
        assert [f for f in found if f not in ("<svg>", "<script> not of ours")] == []
        for tag in re.findall(r"<script\b[^>]*>", page, flags=re.IGNORECASE):
            assert OUR_SCRIPT.match(tag) or tag == ADMIN_JSI18N, tag
        if "{{7*7}}" in self.payload and shown:
            assert "{{7*7}}" in page


@pytest.fixture(scope="module", params=list(CORPUS.values()), ids=list(CORPUS))
def payload(request) -> str:
    return request.param


@pytest.fixture(autouse=True, scope="module")
def _media(tmp_path_factory):
    """Uploads go to a folder of this module."""
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


@pytest.fixture(scope="module")
def payload_world(payload, django_db_setup, django_db_blocker) -> World:
    """One world per payload, read by every test of the module (each in a savepoint)."""
    with kept_for_the_module(django_db_blocker):
        del mail.outbox[:]
        world = _build_world(payload)
        assert_sent_through_the_outbox(mail.outbox)
        yield world


@pytest.fixture
def world(db, payload_world) -> World:
    return payload_world


def _admin_datetime(prefix: str, moment) -> dict:
    local = timezone.localtime(moment)
    return {
        f"{prefix}_0": local.strftime("%Y-%m-%d"),
        f"{prefix}_1": local.strftime("%H:%M:%S"),
    }


def _build_world(payload: str) -> World:
    texts = {
        "title": f"企业座谈{payload}",
        "place": f"西市区会议室{payload}",
        "topic": f"民营经济{payload}",
        "description": f"议程{payload}\n第二行{payload}",
        "writeup": f"纪要{payload}",
        "platform": fit(f"活动基地{payload}", 100),
        "campaign": fit(f"服务月{payload}", 100),
        "group": fit(f"第一组{payload}", 50),
        "rule": fit(f"参加活动{payload}", 100),
        "member name": fit(f"张{payload}", 50),
        "enterprise": f"营口{payload}有限公司",
        "colleague": fit(f"李{payload}", 50),
        "undo reason": f"误签到{payload}",
        "manual reason": f"协办活动{payload}",
        "correction reason": f"重复记分{payload}",
    }
    today = timezone.localdate()
    member = MemberFactory(
        enterprise=EnterpriseFactory(name=texts["enterprise"]),
        user__full_name=texts["member name"],
    )
    staff = StaffFactory(full_name="王秘书")
    superuser = StaffFactory(username="root", is_superuser=True, full_name="管理员")
    group = ActivityGroupFactory(name=texts["group"])
    GroupMembershipFactory(group=group, member=member, is_leader=True)
    PointRuleFactory(code="take-part", name=texts["rule"], points=2)
    platform = Platform.objects.create(
        kind=Platform.Kind.STATION, name=texts["platform"]
    )
    campaign = Campaign.objects.create(
        kind=Campaign.Kind.SERVICE_MONTH,
        name=texts["campaign"],
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=10),
    )
    kind = ActivityTypeFactory(name="主题活动")
    # Half an hour away: sign-up is still open and so is check-in (from an hour before).
    starts = timezone.now().replace(second=0, microsecond=0) + timedelta(minutes=30)
    root, wang, alice = as_user(superuser), as_user(staff), as_user(member.user)

    with on_commit_now():
        post(
            root,
            reverse("admin:activities_activity_add"),
            {
                "title": texts["title"],
                "type": kind.pk,
                "scale": "small",
                "is_public": "on",
                **_admin_datetime("starts_at", starts),
                **_admin_datetime("ends_at", starts + timedelta(hours=3)),
                "place": texts["place"],
                "platform": platform.pk,
                "capacity": "",
                "signup_opens_at_0": "",
                "signup_opens_at_1": "",
                "signup_closes_at_0": "",
                "signup_closes_at_1": "",
                "organising_group": group.pk,
                "campaign": campaign.pk,
                "topic": texts["topic"],
                "description": texts["description"],
                "writeup": texts["writeup"],
                **{
                    f"{prefix}-{name}": value
                    for prefix in ("photos", "registrations", "attendances")
                    for name, value in (
                        ("TOTAL_FORMS", "0"),
                        ("INITIAL_FORMS", "0"),
                        ("MIN_NUM_FORMS", "0"),
                        ("MAX_NUM_FORMS", "1000"),
                    )
                },
            },
        )
        activity = Activity.objects.get()
        post(
            root,
            reverse("admin:activities_activity_changelist"),
            {"action": "publish", "_selected_action": [activity.pk]},
        )
        activity.refresh_from_db()
        assert activity.status == Activity.Status.PUBLISHED
        for attendee in ("", texts["colleague"]):
            post(
                alice,
                reverse("activities:sign_up", args=[activity.pk]),
                {"attendee_name": attendee},
            )
        checkin = reverse("activities:checkin", args=[activity.pk])
        post(wang, checkin, {"member": member.pk})
        attendance = activity.attendances.get()
        post(
            wang,
            reverse("activities:undo_checkin", args=[attendance.pk]),
            {"reason": texts["undo reason"]},
        )
        post(wang, checkin, {"member": member.pk})
        post(
            wang,
            reverse("groups:manual_points"),
            {"member": member.pk, "points": 3, "reason": texts["manual reason"]},
        )
        manual = PointsEntry.objects.get(reason=texts["manual reason"])
        post(
            wang,
            reverse("groups:correct", args=[manual.pk]),
            {"reason": texts["correction reason"]},
        )

    activity.refresh_from_db()
    assert (activity.title, activity.place, activity.description) == (
        texts["title"],
        texts["place"],
        texts["description"],
    )
    # A colleague's name and an undo's reason may be tidied (line breaks, spaces) when
    # kept: the pages show what was kept.
    for name, kept in (
        (
            "colleague",
            activity.registrations.exclude(attendee_name="").get().attendee_name,
        ),
        (
            "undo reason",
            PointsEntry.objects.get(
                source=PointsEntry.Source.CORRECTION, rule__isnull=False
            ).reason,
        ),
    ):
        assert kept[:3] == texts[name][:3], (name, kept)
        texts[name] = kept
    assert set(PointsEntry.objects.values_list("reason", flat=True)) >= {
        texts["rule"],
        texts["undo reason"],
        texts["manual reason"],
        texts["correction reason"],
    }
    return World(
        payload, activity, member, staff, superuser, group, platform, campaign, texts
    )


# --- the members' pages ---------------------------------------------------------------------


def test_the_activity_list_and_page(world):
    alice = as_user(world.member.user)
    listed = get(alice, reverse("activities:list"))
    public = get(Client(), reverse("activities:list"))
    page = get(alice, world.activity.get_absolute_url())

    world.assert_safe(listed, "title")
    world.assert_safe(public, "title")
    world.assert_safe(
        page, "title", "place", "topic", "description", "platform", "colleague"
    )


def test_my_activities(world):
    page = get(as_user(world.member.user), reverse("activities:mine"))

    world.assert_safe(page, "title", "colleague")


def test_the_platform_and_campaign_pages(world):
    alice = as_user(world.member.user)
    platforms = get(alice, reverse("activities:platforms"))
    platform = get(alice, world.platform.get_absolute_url())
    campaign = get(alice, world.campaign.get_absolute_url())

    world.assert_safe(platforms, "platform")
    world.assert_safe(platform, "platform", "title")
    world.assert_safe(campaign, "campaign", "title")


def test_my_group_the_standings_and_the_group_page(world):
    alice = as_user(world.member.user)
    mine = get(alice, reverse("groups:mine"))
    standings = get(alice, reverse("groups:standings"))
    group = get(alice, world.group.get_absolute_url())

    world.assert_safe(mine, "group", "member name", "rule", "manual reason")
    world.assert_safe(standings, "member name", "rule")
    world.assert_safe(group, "group", "member name", "rule")


def test_a_members_points_as_a_member_and_as_staff(world):
    url = reverse(
        "groups:member_points", args=[world.member.pk, timezone.localdate().year]
    )
    as_member = get(as_user(MemberFactory().user), url)
    as_staff = get(as_user(world.staff), url)

    for page in (as_member, as_staff):
        world.assert_safe(
            page,
            "member name",
            "rule",
            "undo reason",
            "manual reason",
            "correction reason",
            "title",
        )


# --- the staff's pages ----------------------------------------------------------------------


def test_the_check_in_page_and_its_search(world):
    wang = as_user(world.staff)
    url = reverse("activities:checkin", args=[world.activity.pk])
    page = get(wang, url)
    searched = get(wang, url, q=world.payload[:50])

    world.assert_safe(page, "title", "member name", "enterprise", "colleague")
    world.assert_safe(searched, "title")


def test_the_check_in_qr_page(world):
    page = get(
        as_user(world.staff),
        reverse("activities:checkin_qr", args=[world.activity.pk]),
    )

    world.assert_safe(page, "title")


def test_the_group_duty_grid_the_manual_points_form_and_the_awards(world):
    wang = as_user(world.staff)
    year = timezone.localdate().year
    duties = get(wang, reverse("activities:duties_now"))
    manual = get(wang, reverse("groups:manual_points"))
    awards = get(wang, reverse("groups:manage_awards", args=[year]))

    world.assert_safe(duties)  # groups by number
    world.assert_safe(manual, "member name", "enterprise")
    world.assert_safe(awards)


# --- the admin ------------------------------------------------------------------------------


def test_the_admin_activity_list_and_change_page(world):
    root = as_user(world.superuser)
    listed = get(root, reverse("admin:activities_activity_changelist"))
    searched = get(root, reverse("admin:activities_activity_changelist"), q="企业座谈")
    change = get(
        root, reverse("admin:activities_activity_change", args=[world.activity.pk])
    )

    world.assert_safe(listed, "title")
    world.assert_safe(searched, "title")
    world.assert_safe(
        change, "title", "place", "topic", "description", "writeup", "member name"
    )


def test_the_admin_group_and_points_pages(world):
    root = as_user(world.superuser)
    groups = get(root, reverse("admin:groups_activitygroup_changelist"))
    group = get(
        root, reverse("admin:groups_activitygroup_change", args=[world.group.pk])
    )
    entries = get(root, reverse("admin:groups_pointsentry_changelist"))
    entry = PointsEntry.objects.get(reason=world.texts["manual reason"])
    change = get(root, reverse("admin:groups_pointsentry_change", args=[entry.pk]))

    world.assert_safe(groups, "group")
    world.assert_safe(group, "group")
    world.assert_safe(entries, "rule", "undo reason", "manual reason", "title")
    world.assert_safe(change, "manual reason")


# --- the calendars --------------------------------------------------------------------------


def as_ical_text(text: str) -> str:
    """What a calendar program reads back: iCalendar TEXT breaks lines with \\n only."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _calendar(client: Client, url: str) -> tuple[bytes, list]:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("text/calendar")
    return response.content, Calendar.from_ical(response.content).walk("VEVENT")


def _assert_structure(raw: bytes, events: int) -> None:
    """The payload made no line, property, alarm or event of its own."""
    unfolded = raw.replace(b"\r\n ", b"").replace(b"\r\n\t", b"")
    assert not re.search(rb"\r(?!\n)|(?<!\r)\n", unfolded)  # every line ends in CRLF
    lines = unfolded.decode().split("\r\n")
    assert lines[-1] == ""
    for line in lines[:-1]:
        assert re.match(r"^[A-Z][A-Z0-9-]*[;:]", line), line
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == events
    for forged in ("UID:evil@x", "SUMMARY:假活动", "BEGIN:VALARM"):
        assert forged not in lines
    assert not [line for line in lines if line.startswith(("ATTACH", "URL:javascript"))]


def test_the_public_calendar_and_add_to_calendar_carry_the_texts_literally(world):
    for url in (
        reverse("activities:calendar"),
        reverse("activities:activity_calendar", args=[world.activity.pk]),
    ):
        raw, events = _calendar(Client(), url)

        _assert_structure(raw, 1)
        (event,) = events
        assert str(event["SUMMARY"]) == as_ical_text(world.texts["title"])
        assert str(event["LOCATION"]) == as_ical_text(world.texts["place"])
        assert str(event["UID"]) == f"activity-{world.activity.pk}@chamber-portal"
    name = " ".join(world.texts["title"].split())
    assert f"X-WR-CALNAME:{name}\r\n".encode() in raw.replace(b"\r\n ", b"")


def test_a_members_own_calendar_carries_the_texts_literally(world):
    token = feeds.renew_feed(
        user=world.member.user, kind=CalendarFeed.Kind.MY_ACTIVITIES
    )

    raw, events = _calendar(Client(), reverse("activities:my_calendar", args=[token]))

    _assert_structure(raw, 1)
    assert str(events[0]["SUMMARY"]) == as_ical_text(world.texts["title"])
    assert str(events[0]["LOCATION"]) == as_ical_text(world.texts["place"])


def test_the_duty_rota_calendar_carries_the_names_literally(db, payload):
    name, enterprise = fit(f"刘{payload}", 50), f"营口{payload}公司"
    studio = DutyStudioFactory(name=fit(f"坐班室{payload}", 100), address=payload)
    rep = DutyRepresentativeFactory(
        user__full_name=name, enterprise=EnterpriseFactory(name=enterprise)
    )
    today = timezone.localdate()
    DutyShiftFactory(
        week_start=today - timedelta(days=today.weekday()) + timedelta(days=7),
        representative=rep,
    )
    token = feeds.renew_feed(user=StaffFactory(), kind=CalendarFeed.Kind.WHOLE_ROTA)

    raw, events = _calendar(Client(), reverse("members:feed", args=[token]))

    _assert_structure(raw, 1)
    (event,) = events
    assert str(event["SUMMARY"]) == as_ical_text(f"坐班：{name}")
    assert str(event["DESCRIPTION"]) == as_ical_text(f"{name} · {enterprise}")
    assert str(event["LOCATION"]) == as_ical_text(f"{studio.name}，{studio.address}")


# --- the e-mail -----------------------------------------------------------------------------


def test_the_cancellation_email_in_html_and_text(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    mailoutbox.clear()  # the world's sign-ups were confirmed by e-mail
    with django_capture_on_commit_callbacks(execute=True):
        post(
            as_user(world.superuser),
            reverse("admin:activities_activity_changelist"),
            {"action": "cancel", "_selected_action": [world.activity.pk]},
        )

    (message,) = [m for m in mailoutbox if m.to == [world.member.user.email]]
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    world.assert_safe(html, "title")
    assert world.texts["title"] in message.body  # plain text: as typed
    for part in (message.body, message.subject):
        assert not re.search(r"&(?:lt|gt|quot|amp|#x?[0-9a-f]+);", part), part
    assert "\n" not in message.subject and "\r" not in message.subject
