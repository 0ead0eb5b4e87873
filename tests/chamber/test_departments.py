"""Government departments: an official sees their own department; leaders and staff see all."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertNotContains

from tests.factories import DepartmentFactory, OfficialFactory
from tests.support.words import zh_marked

DEPARTMENTS = reverse("departments")


def _entry(response, name: str) -> str:
    """The list entry of one official, as the page shows it."""
    html = response.content.decode()
    found = re.findall(rf"<li[^>]*>\s*{re.escape(name)}.*?</li>", html, flags=re.S)
    assert len(found) == 1, f"{name} is listed {len(found)} times"
    return found[0]


def _navbar(response) -> str:
    html = response.content.decode()
    start = html.index('<nav class="navbar')
    return html[start : html.index("</nav>", start)]


def _has_link(html: str, url: str, text: str) -> bool:
    pattern = (
        rf'<a [^>]*href="{re.escape(url)}"[^>]*>\s*{re.escape(escape(text))}\s*</a>'
    )
    return re.search(pattern, html) is not None


@pytest.fixture
def education(db):
    return DepartmentFactory(
        name="西市区教育局", phone="0417-2812345", address="西市区学府路1号"
    )


@pytest.fixture
def health(db):
    department = DepartmentFactory(name="西市区卫生健康局", phone="0417-2899999")
    OfficialFactory(department=department, user__full_name="赵卫健")
    return department


@pytest.fixture
def teacher(education):
    """An official of the education bureau (not its liaison)."""
    return OfficialFactory(
        department=education, user__full_name="孙老师", position="科员"
    )


@pytest.fixture
def liaison(education):
    return OfficialFactory(
        department=education,
        user__full_name="李联络",
        position="办公室主任",
        is_liaison=True,
    )


def test_official_sees_their_own_department_with_its_officials(
    client, teacher, liaison, education, health
):
    client.force_login(teacher.user)

    response = client.get(DEPARTMENTS)

    assert response.status_code == 200
    assertContains(response, "西市区教育局")
    assertContains(response, "0417-2812345")
    assertContains(response, "西市区学府路1号")
    assertContains(response, escape(zh_marked("office phone")))
    assertContains(response, escape(zh_marked("officials")))
    assert escape(zh_marked("liaison")) in _entry(response, "李联络")
    assert escape(zh_marked("liaison")) not in _entry(response, "孙老师")
    assertNotContains(response, "西市区卫生健康局")
    assertNotContains(response, "赵卫健")


def test_liaison_is_listed_first(client, teacher, liaison):
    client.force_login(teacher.user)

    html = client.get(DEPARTMENTS).content.decode()
    main = html[html.index("<main") :]

    assert main.index("李联络") < main.index("孙老师")


def test_inactive_officials_are_not_listed(client, teacher, education):
    OfficialFactory(department=education, user__full_name="钱离职", is_active=False)
    client.force_login(teacher.user)

    response = client.get(DEPARTMENTS)

    assertContains(response, "孙老师")
    assertNotContains(response, "钱离职")


@pytest.mark.parametrize("persona", ["leader", "staff"])
def test_leaders_and_staff_see_every_active_department(
    client, request, persona, teacher, health
):
    closed = DepartmentFactory(name="西市区已撤销办公室", is_active=False)
    OfficialFactory(department=closed, user__full_name="周撤销")
    person = request.getfixturevalue(persona)
    client.force_login(getattr(person, "user", person))

    response = client.get(DEPARTMENTS)

    assert response.status_code == 200
    assertContains(response, escape(zh_marked("Government departments")))
    for text in ["西市区教育局", "孙老师", "西市区卫生健康局", "赵卫健"]:
        assertContains(response, text)
    assertNotContains(response, "西市区已撤销办公室")
    assertNotContains(response, "周撤销")


def test_moving_an_official_shows_the_new_department_on_the_next_request(
    client, teacher, education, health
):
    client.force_login(teacher.user)
    assertContains(client.get(DEPARTMENTS), "西市区教育局")

    teacher.department = health
    teacher.save()
    response = client.get(DEPARTMENTS)

    assertContains(response, "西市区卫生健康局")
    assertContains(response, "赵卫健")
    assertNotContains(response, "西市区教育局")


def test_official_made_inactive_is_refused_on_the_next_request(client, teacher):
    client.force_login(teacher.user)
    assert client.get(DEPARTMENTS).status_code == 200

    teacher.is_active = False
    teacher.save()

    assert client.get(DEPARTMENTS).status_code == 403


@pytest.mark.parametrize("persona", ["alice", "rep"])
def test_members_may_not_open_the_departments_page(client, request, persona, teacher):
    client.force_login(request.getfixturevalue(persona).user)

    response = client.get(DEPARTMENTS)

    assert response.status_code == 403
    assertNotContains(response, "西市区教育局", status_code=403)


def test_anonymous_user_is_sent_to_the_login_page(client, db):
    response = client.get(DEPARTMENTS)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_departments_query_count_does_not_grow_with_the_departments(client, leader):
    def add_departments(n: int) -> None:
        for department in DepartmentFactory.create_batch(n, phone="0417-2812345"):
            OfficialFactory(department=department, is_liaison=True)
            OfficialFactory(department=department)

    def measure() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(DEPARTMENTS)
        assert response.status_code == 200
        return len(queries)

    client.force_login(leader.user)
    add_departments(2)
    client.get(DEPARTMENTS)  # warm up the session
    few = measure()
    add_departments(8)
    many = measure()

    assert few == many


# Navigation


def test_official_sees_a_link_to_their_department(client, teacher):
    client.force_login(teacher.user)

    nav = _navbar(client.get(reverse("home")))

    assert _has_link(nav, DEPARTMENTS, zh_marked("My department"))
    assert not _has_link(nav, DEPARTMENTS, zh_marked("Government departments"))
    assert reverse("members:directory") + '"' not in nav


def test_leader_sees_a_link_to_all_government_departments(client, leader):
    client.force_login(leader.user)

    nav = _navbar(client.get(reverse("home")))

    assert _has_link(nav, DEPARTMENTS, zh_marked("Government departments"))
    assert not _has_link(nav, DEPARTMENTS, zh_marked("My department"))


def test_member_sees_no_department_link(client, alice):
    client.force_login(alice.user)

    nav = _navbar(client.get(reverse("home")))

    assert DEPARTMENTS not in nav
