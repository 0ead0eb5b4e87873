"""What every page of a logged-in person pays before it does its own work (issue 22).

The user, their member and official records and whether they hold a duty title today
come from one cache read (chamber/backends.py), and the navigation is built in Python
(chamber/navigation.py). These tests hold what a person would notice: the right menu
for their roles, in their language, with the page they are on marked; and that a change
to their account shows at their next request, however it was made.
"""

import re
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from chamber.backends import UserBackend
from chamber.models import User
from members.models import TitleTerm
from tests.factories import ChamberTitleFactory


def _menu(html: str) -> list[str]:
    """The main menu's labels, in order."""
    menu = html.split('<ul class="navbar-nav me-auto">', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<a class="nav-link[^"]*" href="[^"]*"[^>]*>([^<]+)</a>', menu)


def _active(html: str) -> list[str]:
    return re.findall(
        r'class="nav-link active" href="[^"]*" aria-current="page">([^<]+)<', html
    )


def test_a_logged_in_request_reads_no_user_row_once_the_user_is_cached(alice):
    backend = UserBackend()
    backend.get_user(alice.user.pk)  # the first request of the minute reads the rows

    with CaptureQueriesContext(connection) as queries:
        user = backend.get_user(alice.user.pk)
        enterprise_name = user.member.enterprise.name

    assert len(queries) == 0
    assert enterprise_name == alice.enterprise.name


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        (
            "alice",
            ["首页", "我的诉求", "会员名录", "我的企业", "我的小组和积分", "坐班安排"],
        ),
        ("rep", ["我的坐班", "坐班日志"]),
        ("official", ["本部门诉求", "我的部门"]),
        ("leader", ["上报事项", "诉求报告", "每月一题", "政府部门"]),
        ("staff", ["工作台", "诉求", "管理后台"]),
    ],
)
def test_the_menu_shows_each_role_its_pages(client, request, persona, expected):
    person = request.getfixturevalue(persona)
    client.force_login(getattr(person, "user", person))

    menu = _menu(client.get(reverse("home")).content.decode())

    assert set(expected) <= set(menu), menu
    assert menu[0] == "首页"
    if persona != "staff":
        assert "管理后台" not in menu


def test_only_the_page_one_is_on_is_marked(client, alice):
    client.force_login(alice.user)

    assert _active(client.get(reverse("members:directory")).content.decode()) == [
        "会员名录"
    ]
    # The news site's home is not the portal's home: one mark, not two.
    assert _active(client.get(reverse("publicity:home")).content.decode()) == [
        "新闻与政策"
    ]


def test_the_menu_follows_the_language(client, alice):
    client.force_login(alice.user)
    client.cookies["django_language"] = "en"

    html = client.get(reverse("home")).content.decode()

    assert "My petitions" in _menu(html)
    assert 'aria-current="true">English<' in html


def test_a_bulk_update_of_the_user_shows_at_the_next_request(client, alice):
    client.force_login(alice.user)
    client.get(reverse("home"))  # cached now

    User.objects.filter(pk=alice.user.pk).update(full_name="新名字")

    assert "新名字" in client.get(reverse("home")).content.decode()


def test_a_new_duty_title_shows_its_menu_at_the_next_request(client, alice):
    client.force_login(alice.user)
    assert "我的坐班" not in _menu(client.get(reverse("home")).content.decode())
    year = timezone.localdate().year

    TitleTerm.objects.create(
        member=alice,
        title=ChamberTitleFactory(),
        starts_on=date(year - 1, 1, 1),
        ends_on=date(year + 1, 12, 31),
    )

    assert "我的坐班" in _menu(client.get(reverse("home")).content.decode())


def test_the_logout_and_language_forms_carry_this_sessions_token(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice.user)
    html = client.get(reverse("home")).content.decode()
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)

    response = client.post(reverse("logout"), {"csrfmiddlewaretoken": tokens[0]})

    assert response.status_code == 302
    assert len(tokens) >= 2
    assert "_auth_user_id" not in client.session
