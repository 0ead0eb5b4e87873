"""The small links and buttons people tap on a phone are at least 44 × 44 CSS pixels.

Chromium on a 390 × 844 phone screen (tests/browser/conftest.py) opens each page and
measures the element's bounding box: the staff petitions list's Excel link, 撤销 at
check-in, 加入日历 on an activity, the group numbers of the standings, and the news
site's RSS links. They share one rule of static/css/chamber.css (`.tap-target`).
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from activities.models import Attendance
from publicity.models import ArticleKind
from tests.factories import (
    ActivityFactory,
    GroupMembershipFactory,
    MemberFactory,
    StaffFactory,
)
from tests.support.words import zh

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MIN_SIZE = 44


def log_in(page, live_server, user) -> None:
    """The user's session cookie in the browser (the login form has its own tests)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": cookie.value,
                "url": live_server.url,
            }
        ]
    )


def size_of(locator) -> tuple[float, float]:
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    assert box is not None, "not shown"
    return box["width"], box["height"]


def assert_tappable(locator, what: str) -> None:
    width, height = size_of(locator)
    assert width >= MIN_SIZE and height >= MIN_SIZE, f"{what}: {width}×{height}"


def test_the_excel_link_of_the_staff_petitions_list_is_big_enough(page, live_server):
    log_in(page, live_server, StaffFactory())

    page.goto(live_server.url + reverse("petitions:staff_list"))

    assert_tappable(page.get_by_role("link", name=zh("Excel"), exact=True), "Excel")


def test_undo_at_check_in_is_big_enough(page, live_server):
    staff = StaffFactory()
    activity = ActivityFactory(
        starts_at=timezone.now() - timedelta(minutes=30),
        ends_at=timezone.now() + timedelta(hours=1),
    )
    Attendance.objects.create(
        activity=activity, member=MemberFactory(), checked_in_by=staff
    )
    log_in(page, live_server, staff)

    page.goto(live_server.url + reverse("activities:checkin", args=[activity.pk]))

    assert_tappable(page.get_by_role("button", name=zh("Undo"), exact=True), "撤销")


def test_add_to_calendar_on_an_activity_is_big_enough(page, live_server):
    activity = ActivityFactory()
    log_in(page, live_server, MemberFactory().user)

    page.goto(live_server.url + reverse("activities:detail", args=[activity.pk]))

    assert_tappable(
        page.get_by_role("link", name=zh("Add to calendar"), exact=True), "加入日历"
    )


def test_the_group_numbers_of_the_standings_are_big_enough(page, live_server):
    membership = GroupMembershipFactory()
    log_in(page, live_server, membership.member.user)

    page.goto(live_server.url + reverse("groups:standings"))

    link = page.locator(
        f'#member-standings ~ * a[href="{reverse("groups:detail", args=[membership.group_id])}"]'
    ).first
    assert_tappable(link, "group number")


def test_the_rss_links_of_the_news_site_are_big_enough(page, live_server):
    kind, _created = ArticleKind.objects.get_or_create(
        code="policy", defaults={"name": "惠企政策"}
    )

    page.goto(live_server.url + reverse("publicity:home"))
    assert_tappable(page.get_by_role("link", name="RSS", exact=True), "RSS (home)")
    assert_tappable(page.get_by_role("link", name="Atom", exact=True), "Atom (home)")

    page.goto(live_server.url + reverse("publicity:kind", args=[kind.code]))
    assert_tappable(page.get_by_role("link", name="RSS", exact=True), "RSS (kind)")
