"""The staff admin of enterprises, members, industries and titles: filters, search, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from members.models import Area, Enterprise
from tests.factories import (
    ChamberTitleFactory,
    EnterpriseFactory,
    IndustryFactory,
    MemberFactory,
    TitleTermFactory,
)

ENTERPRISES = reverse("admin:members_enterprise_changelist")
MEMBERS = reverse("admin:members_member_changelist")


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def district(db):
    """Two enterprises that differ in every filtered attribute, each with a member."""
    making = IndustryFactory(name="制造业")
    trade = IndustryFactory(name="商贸流通")
    east = EnterpriseFactory(
        name="营口东方机械有限公司",
        area=Area.XISHI,
        industry=making,
        status=Enterprise.Status.ACTIVE,
        size=Enterprise.Size.SMALL,
    )
    west = EnterpriseFactory(
        name="营口西岸贸易有限公司",
        area=Area.FTZ,
        industry=trade,
        status=Enterprise.Status.LEFT,
        size=Enterprise.Size.LARGE,
    )
    zhang = MemberFactory(
        enterprise=east, user__full_name="张东方", mobile="13811110001"
    )
    li = MemberFactory(enterprise=west, user__full_name="李西岸", mobile="13922220002")
    vice = ChamberTitleFactory(name="副会长")
    ChamberTitleFactory(name="常务理事")  # the admin hides a filter with one choice
    TitleTermFactory(member=zhang, title=vice)
    return {
        "east": east,
        "west": west,
        "zhang": zhang,
        "li": li,
        "making": making,
        "vice": vice,
    }


def _enterprise_filters(d):
    return [
        ({"area": "xishi"}, d["east"]),
        ({"industry__id__exact": d["making"].pk}, d["east"]),
        ({"status": "active"}, d["east"]),
        ({"size": "small"}, d["east"]),
        ({"q": "东方机械"}, d["east"]),
        ({"q": d["east"].credit_code}, d["east"]),
        ({"q": d["east"].credit_code.lower()}, d["east"]),
    ]


def test_enterprise_filters_and_search_find_only_the_matching_enterprise(
    staff_client, district
):
    for params, expected in _enterprise_filters(district):
        response = staff_client.get(ENTERPRISES, params)

        assert response.status_code == 200, params
        shown = list(response.context["cl"].result_list)
        assert shown == [expected], params


def _member_filters(d):
    return [
        ({"enterprise__area": "xishi"}, d["zhang"]),
        ({"enterprise__industry__id__exact": d["making"].pk}, d["zhang"]),
        ({"enterprise__status": "active"}, d["zhang"]),
        ({"titles__title__id__exact": d["vice"].pk}, d["zhang"]),
        ({"q": "张东方"}, d["zhang"]),
        ({"q": "13811110001"}, d["zhang"]),
        ({"q": "东方机械"}, d["zhang"]),
        ({"q": d["east"].credit_code}, d["zhang"]),
    ]


def test_member_filters_and_search_find_only_the_matching_member(
    staff_client, district
):
    for params, expected in _member_filters(district):
        response = staff_client.get(MEMBERS, params)

        assert response.status_code == 200, params
        assert list(response.context["cl"].result_list) == [expected], params


def test_member_list_shows_todays_titles_and_the_enterprise(staff_client, district):
    response = staff_client.get(MEMBERS)

    assertContains(response, "副会长")
    assertContains(response, "营口东方机械有限公司")
    assertContains(response, "西市区")


@pytest.mark.parametrize(
    ("account", "expected"),
    [("not_invited", "li"), ("invited", "zhang"), ("active", None)],
)
def test_account_filter_tells_who_still_needs_an_invitation(
    staff_client, district, account, expected
):
    district["zhang"].invited_at = timezone.now()
    district["zhang"].save()

    response = staff_client.get(MEMBERS, {"account": account})

    shown = list(response.context["cl"].result_list)
    assert shown == ([district[expected]] if expected else [])


@pytest.mark.parametrize(
    "url",
    [
        ENTERPRISES,
        MEMBERS,
        reverse("admin:members_industry_changelist"),
        reverse("admin:members_chambertitle_changelist"),
        reverse("admin:members_enterprise_add"),
        reverse("admin:members_member_add"),
        reverse("admin:members_enterprise_import"),
        reverse("admin:members_enterprise_export"),
        reverse("admin:members_member_import"),
        reverse("admin:members_member_export"),
    ],
)
def test_staff_pages_open(staff_client, district, url):
    assert staff_client.get(url).status_code == 200


def test_change_pages_open_with_their_inlines(staff_client, district):
    enterprise = staff_client.get(
        reverse("admin:members_enterprise_change", args=[district["east"].pk])
    )
    member = staff_client.get(
        reverse("admin:members_member_change", args=[district["zhang"].pk])
    )

    assert enterprise.status_code == member.status_code == 200
    assertContains(member, "副会长")  # the title term inline


def test_a_member_cannot_open_the_admin(client, alice):
    client.force_login(alice.user)

    response = client.get(MEMBERS)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_saving_an_enterprise_records_who_changed_it(staff_client, staff, district):
    east = district["east"]
    url = reverse("admin:members_enterprise_change", args=[east.pk])
    data = {
        "name": "营口东方机械集团有限公司",
        "credit_code": east.credit_code,
        "industry": east.industry_id,
        "area": east.area,
        "size": east.size,
        "status": east.status,
        "joined_on": "",
        "legal_representative": "",
        "address": "",
        "phone": "",
        "website": "",
        "introduction": "",
    }

    response = staff_client.post(url, data)

    assert response.status_code == 302
    east.refresh_from_db()
    assert east.name == "营口东方机械集团有限公司"
    assert east.updated_by == staff
    assert east.updated_at is not None


def test_record_fields_are_read_only(staff_client, district):
    member = staff_client.get(
        reverse("admin:members_member_change", args=[district["zhang"].pk])
    )
    enterprise = staff_client.get(
        reverse("admin:members_enterprise_change", args=[district["east"].pk])
    )

    assertNotContains(member, 'name="invited_at"')
    for field in ("updated_at", "updated_by", "created_at"):
        assertNotContains(enterprise, f'name="{field}"')


def _changelist_queries(client, url: str) -> int:
    client.get(url)  # warm the per-user cache, so both counts are of a steady page
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _add_members(n: int) -> None:
    title = ChamberTitleFactory(name="常务理事")
    for _ in range(n):
        member = MemberFactory(enterprise__industry=IndustryFactory())
        TitleTermFactory(member=member, title=title)


@pytest.mark.parametrize("url", [ENTERPRISES, MEMBERS])
def test_changelist_query_count_does_not_grow_with_rows(staff_client, url):
    _add_members(3)
    few = _changelist_queries(staff_client, url)
    _add_members(27)

    many = _changelist_queries(staff_client, url)

    assert many == few
