"""The member directory: who is in the chamber, their titles today, contacts only where allowed."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertNotContains

from members.models import Area, Enterprise
from members.selectors import directory_changed
from tests.factories import (
    ChamberTitleFactory,
    EnterpriseFactory,
    IndustryFactory,
    MemberFactory,
    TitleTermFactory,
)
from tests.support.words import zh_marked

DIRECTORY = reverse("members:directory")


def _detail(member) -> str:
    return reverse("members:detail", args=[member.pk])


def _listed(response) -> list[int]:
    """The members a user sees on the page, as the pks of their links, in order."""
    assert response.status_code == 200
    return [
        int(pk)
        for pk in re.findall(r'href="/members/(\d+)/"', response.content.decode())
    ]


def _badges(response) -> list[str]:
    return re.findall(r'class="badge[^"]*">([^<]+)</span>', response.content.decode())


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
def alice_in(client, alice):
    client.force_login(alice.user)
    return client


@pytest.fixture
def today():
    return timezone.localdate()


# Who may open it


@pytest.mark.parametrize("persona", ["alice", "rep", "staff"])
def test_members_and_staff_can_open_the_directory(client, request, persona, bob):
    person = request.getfixturevalue(persona)
    client.force_login(getattr(person, "user", person))

    response = client.get(DIRECTORY)

    assert bob.pk in _listed(response)
    assertContains(response, escape(zh_marked("Member directory")))
    assert client.get(_detail(bob)).status_code == 200


@pytest.mark.parametrize("persona", ["official", "leader"])
def test_officials_and_leaders_may_not_open_the_directory(
    client, request, persona, bob
):
    client.force_login(request.getfixturevalue(persona).user)

    assert client.get(DIRECTORY).status_code == 403
    assert client.get(_detail(bob)).status_code == 403


def test_anonymous_user_is_sent_to_the_login_page(client, bob):
    for url in (DIRECTORY, _detail(bob)):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


# Who is listed


def test_directory_lists_members_of_active_and_suspended_enterprises_only(
    alice_in, alice
):
    suspended = MemberFactory(enterprise__status=Enterprise.Status.SUSPENDED)
    left = MemberFactory(enterprise__status=Enterprise.Status.LEFT)
    inactive = MemberFactory(user__is_active=False)

    listed = _listed(alice_in.get(DIRECTORY))

    assert alice.pk in listed
    assert suspended.pk in listed
    assert left.pk not in listed
    assert inactive.pk not in listed
    assertNotContains(alice_in.get(DIRECTORY), escape(left.enterprise.name))


def test_member_of_an_enterprise_that_left_or_inactive_user_is_not_found(alice_in):
    left = MemberFactory(enterprise__status=Enterprise.Status.LEFT)
    inactive = MemberFactory(user__is_active=False)
    suspended = MemberFactory(enterprise__status=Enterprise.Status.SUSPENDED)

    assert alice_in.get(_detail(left)).status_code == 404
    assert alice_in.get(_detail(inactive)).status_code == 404
    assert alice_in.get(reverse("members:detail", args=[999_999])).status_code == 404
    assert alice_in.get(_detail(suspended)).status_code == 200


def test_list_and_detail_show_titles_held_today_only(alice_in, today):
    member = MemberFactory()
    TitleTermFactory(member=member, title=ChamberTitleFactory(name="副会长"))
    TitleTermFactory(
        member=member,
        title=ChamberTitleFactory(name="理事"),
        starts_on=today - timedelta(days=400),
        ends_on=today - timedelta(days=1),
    )
    TitleTermFactory(
        member=member,
        title=ChamberTitleFactory(name="常务理事"),
        starts_on=today + timedelta(days=1),
        ends_on=today + timedelta(days=400),
    )
    TitleTermFactory(
        member=member,
        title=ChamberTitleFactory(name="主席"),
        starts_on=today,
        ends_on=today,
    )

    assert sorted(_badges(alice_in.get(DIRECTORY))) == ["主席", "副会长"]
    assert sorted(_badges(alice_in.get(_detail(member)))) == ["主席", "副会长"]


def test_detail_shows_enterprise_position_area_and_industry(alice_in):
    member = MemberFactory(
        user__full_name="王大力",
        position="财务总监",
        enterprise__name="营口金港物流有限公司",
        enterprise__area=Area.FTZ,
        enterprise__industry=IndustryFactory(name="现代物流"),
    )

    response = alice_in.get(_detail(member))

    assert response.status_code == 200
    for text in ["王大力", "财务总监", "营口金港物流有限公司", "现代物流"]:
        assertContains(response, text)
    with translation.override("zh-hans"):
        assertContains(response, escape(str(Area.FTZ.label)))


# Privacy


@pytest.mark.parametrize("show_phone", [True, False])
@pytest.mark.parametrize("show_email", [True, False])
def test_phone_and_email_appear_only_when_the_owner_allowed(
    alice_in, show_phone, show_email
):
    member = MemberFactory(
        mobile="13912340001",
        user__email="wang@example.cn",
        show_phone=show_phone,
        show_email=show_email,
    )

    for url in (DIRECTORY, _detail(member)):
        html = alice_in.get(url).content.decode()
        assert ("13912340001" in html) is show_phone, url
        assert ("wang@example.cn" in html) is show_email, url


def test_staff_see_the_same_privacy_as_members(client, staff):
    MemberFactory(mobile="13912340002", user__email="hidden@example.cn")
    client.force_login(staff)

    html = client.get(DIRECTORY).content.decode()

    assert "13912340002" not in html
    assert "hidden@example.cn" not in html


# Search and filters


@pytest.fixture
def wang(db):
    return MemberFactory(
        user__full_name="王大力",
        enterprise__name="营口金港物流有限公司",
        enterprise__area=Area.FTZ,
        position="财务总监",
    )


@pytest.mark.parametrize("query", ["大力", "金港物流", "财务总", "王大力"])
def test_search_finds_members_by_name_enterprise_or_position(
    alice_in, alice, wang, query
):
    listed = _listed(alice_in.get(DIRECTORY, {"q": query}))

    assert listed == [wang.pk]


def test_search_with_no_match_says_so(alice_in, wang):
    response = alice_in.get(DIRECTORY, {"q": "不存在的人"})

    assert _listed(response) == []
    assertContains(response, escape(zh_marked("No member matches this search.")))


def test_filter_by_area_lists_only_that_area(alice_in, alice, wang):
    coastal = MemberFactory(enterprise__area=Area.COASTAL)

    assert _listed(alice_in.get(DIRECTORY, {"area": Area.FTZ})) == [wang.pk]
    assert _listed(alice_in.get(DIRECTORY, {"area": Area.COASTAL})) == [coastal.pk]
    assert alice.pk in _listed(alice_in.get(DIRECTORY, {"area": Area.XISHI}))


def test_filter_by_title_lists_only_current_holders(alice_in, wang, today):
    title = ChamberTitleFactory(name="副会长")
    TitleTermFactory(member=wang, title=title)
    former = MemberFactory()
    TitleTermFactory(
        member=former,
        title=title,
        starts_on=today - timedelta(days=400),
        ends_on=today - timedelta(days=1),
    )
    # Two current terms of the same title must not list the member twice.
    TitleTermFactory(member=wang, title=title, starts_on=today, ends_on=today)

    assert _listed(alice_in.get(DIRECTORY, {"title": title.pk})) == [wang.pk]


def test_search_and_filters_combine(alice_in, wang):
    MemberFactory(user__full_name="王小明", enterprise__area=Area.XISHI)

    listed = _listed(alice_in.get(DIRECTORY, {"q": "王", "area": Area.FTZ}))

    assert listed == [wang.pk]


def test_next_page_link_keeps_the_search_and_filters(client, staff):
    enterprise = EnterpriseFactory(area=Area.COASTAL, name="营口沿海测试企业")
    members = MemberFactory.create_batch(25, enterprise=enterprise)
    MemberFactory.create_batch(3, enterprise__area=Area.XISHI)
    client.force_login(staff)

    first = client.get(DIRECTORY, {"q": "沿海", "area": Area.COASTAL})

    assert len(_listed(first)) == 20
    html = first.content.decode()
    links = re.findall(r'href="(\?[^"]*page=2)"', html)
    assert len(links) == 1
    next_url = unescape(links[0])
    assert "q=%E6%B2%BF%E6%B5%B7" in next_url
    assert "area=coastal" in next_url
    second = client.get(DIRECTORY + next_url)
    assert len(_listed(second)) == 5
    assert set(_listed(first)) | set(_listed(second)) == {m.pk for m in members}
    assertContains(second, escape(zh_marked("Previous")))


@pytest.mark.parametrize(
    "params",
    [
        {"page": "abc"},
        {"page": "0"},
        {"page": "-1"},
        {"page": "99999"},
        {"page": "1" * 400},
        {"area": "nonsense"},
        {"title": "999999"},
        {"title": "abc"},
        {"title": "1" * 400},
        {"q": "x" * 1000},
        {"q": "王\x00"},
        {"q": "%_\\'\"<script>"},
        {"q": "😀\u200b"},
        {"q": ["王", "李"], "area": ["xishi", "ftz"]},
    ],
)
def test_malformed_directory_parameters_still_show_the_directory(
    alice_in, alice, params
):
    alice_in.raise_request_exception = False

    response = alice_in.get(DIRECTORY, params)

    assert response.status_code == 200
    assert "<script>" not in response.content.decode().split("</form>")[0]


def test_directory_query_count_does_not_grow_with_the_members(alice_in):
    title = ChamberTitleFactory(name="副会长")

    def add_members(n: int) -> None:
        for member in MemberFactory.create_batch(
            n, enterprise__industry=IndustryFactory(), mobile="13912340003"
        ):
            TitleTermFactory(member=member, title=title)

    def measure() -> int:
        """Queries of the page built afresh (the members changed), and of it again."""
        directory_changed()
        with CaptureQueriesContext(connection) as queries:
            response = alice_in.get(DIRECTORY)
        assert response.status_code == 200
        with CaptureQueriesContext(connection) as again:
            alice_in.get(DIRECTORY)
        assert len(again) == 0  # kept in the cache until the directory changes
        return len(queries)

    add_members(2)  # with Alice, 3 members
    alice_in.get(DIRECTORY)  # warm up the session and caches
    few = measure()
    add_members(27)  # 30 members, a full first page
    many = measure()

    assert few == many


def test_detail_query_count_does_not_grow_with_the_titles(alice_in, today):
    member = MemberFactory(enterprise__industry=IndustryFactory())
    TitleTermFactory(member=member, title=ChamberTitleFactory(name="副会长"))
    alice_in.get(_detail(member))
    directory_changed()
    with CaptureQueriesContext(connection) as few:
        alice_in.get(_detail(member))
    for name in ["主席", "理事", "常务理事"]:
        TitleTermFactory(member=member, title=ChamberTitleFactory(name=name))
    with CaptureQueriesContext(connection) as many:
        response = alice_in.get(_detail(member))  # the new terms made it anew

    assert len(_badges(response)) == 4
    assert len(few) == len(many)


# Navigation


def test_member_sees_links_to_directory_enterprise_and_profile(alice_in, alice):
    nav = _navbar(alice_in.get(reverse("home")))

    assert _has_link(nav, DIRECTORY, zh_marked("Member directory"))
    assert _has_link(
        nav,
        reverse("members:enterprise", args=[alice.enterprise_id]),
        zh_marked("My enterprise"),
    )
    assert _has_link(nav, reverse("members:profile"), zh_marked("My profile"))
    assert reverse("departments") not in nav


@pytest.mark.parametrize("persona", ["official", "leader", "staff"])
def test_users_without_member_record_see_no_member_links(client, request, persona):
    person = request.getfixturevalue(persona)
    client.force_login(getattr(person, "user", person))

    nav = _navbar(client.get(reverse("home")))

    assert f'href="{DIRECTORY}"' not in nav
    assert reverse("members:profile") not in nav
    assert "/members/enterprise/" not in nav
    assert escape(zh_marked("My profile")) not in nav


def test_a_stray_parameter_of_one_reader_never_reaches_anothers_page_links(
    alice_in, client, bob
):
    MemberFactory.create_batch(25)  # more than a page: the page links show
    alice_in.get(DIRECTORY, {"q": "", "utm_source": "evil"})  # kept for q="" now
    client.force_login(bob.user)

    second = client.get(DIRECTORY, {"q": ""}).content.decode()

    assert "page=2" in second
    assert "utm_source" not in second
