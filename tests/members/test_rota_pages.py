"""The rota's pages: the home page's duty weeks, the members' rota, my duty weeks, the staff page.

Every test happens on Wednesday 4 March 2026, 10:00 in Yingkou: the week of 2 March is
this week, 刘建国 is on duty, 王芳 next week and 赵敏 the week after.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import ngettext
from pytest_django.asserts import assertContains, assertNotContains

from members.models import DutyShift, ShiftChange, SwapRequest, Unavailability
from members.selectors import rota_changed
from members.services import rota
from tests.factories import (
    DutyRepresentativeFactory,
    DutyShiftFactory,
    DutyStudioFactory,
    MemberFactory,
    StaffFactory,
    UnavailabilityFactory,
)
from tests.support.words import zh

YINGKOU = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 4, 10, 0, tzinfo=YINGKOU)
TODAY = NOW.date()
THIS_WEEK = date(2026, 3, 2)
ROTA = reverse("members:rota")
MY_SHIFTS = reverse("members:my_shifts")
STAFF_ROTA = reverse("members:staff_rota")
GENERATE = reverse("members:generate_rota")
STUDIO_ADDRESS = "中共西市区委统战部一楼（西市区渤海大街西5号）"


def week_label(shift: DutyShift) -> str:
    """How the rota lists a week: "2026-03-09 to 03-13", in Chinese."""
    return zh("%(first)s to %(last)s") % {
        "first": f"{shift.first_day:%Y-%m-%d}",
        "last": f"{shift.last_day:%m-%d}",
    }


@pytest.fixture(autouse=True)
def on_wednesday():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def liu(db):
    return DutyRepresentativeFactory(
        user__full_name="刘建国", enterprise__name="营口辽河装备制造有限公司"
    )


@pytest.fixture
def wang(db):
    return DutyRepresentativeFactory(
        user__full_name="王芳", enterprise__name="营口渤海电子信息技术有限公司"
    )


@pytest.fixture
def zhao(db):
    return DutyRepresentativeFactory(
        user__full_name="赵敏", enterprise__name="营口港湾冷链物流有限公司"
    )


@pytest.fixture
def weeks(liu, wang, zhao):
    """Last week (served by 赵敏), this week and the next three."""
    DutyStudioFactory()
    holders = [
        (THIS_WEEK - timedelta(days=7), zhao),
        (THIS_WEEK, liu),
        (THIS_WEEK + timedelta(days=7), wang),
        (THIS_WEEK + timedelta(days=14), zhao),
        (THIS_WEEK + timedelta(days=21), liu),
    ]
    return [DutyShiftFactory(week_start=w, representative=r) for w, r in holders]


@pytest.fixture
def member(db):
    return MemberFactory(user__full_name="张晓明")


# --- the home page ----------------------------------------------------------------------


def test_anyone_sees_who_is_on_duty_this_week_and_where_on_the_home_page(client, weeks):
    response = client.get("/")

    assert response.status_code == 200
    assertContains(response, zh("This week"))
    assertContains(response, "刘建国")
    assertContains(response, "副会长")
    assertContains(response, "营口辽河装备制造有限公司")
    assertContains(response, STUDIO_ADDRESS)
    assertContains(response, "工作日 9:00–17:00")


def test_the_home_page_shows_the_next_two_weeks_but_not_the_past_or_later_ones(
    client, weeks
):
    response = client.get("/")

    shown = [s.week_start for s in response.context["shifts"]]
    assert shown == [THIS_WEEK, date(2026, 3, 9), date(2026, 3, 16)]
    assertContains(response, "王芳")
    assertContains(response, "赵敏")  # the week of 16 March
    assertContains(response, week_label(response.context["shifts"][1]))


def test_the_home_page_says_when_no_rota_is_published(client, db):
    response = client.get("/")

    assertContains(
        response,
        zh(
            "The duty rota for this week has not been published yet. The representatives' "
            "studio is at the district United Front Work Department."
        ),
    )


def test_the_home_page_says_when_nobody_is_assigned_this_week(client, db):
    DutyShiftFactory(week_start=THIS_WEEK, representative=None)

    response = client.get("/")

    assertContains(response, zh("Nobody assigned yet"))


def test_a_member_sees_the_duty_weeks_on_their_home_page_too(client, weeks, member):
    client.force_login(member.user)

    response = client.get("/")

    assertContains(response, "刘建国")
    assertContains(response, STUDIO_ADDRESS)


# --- the members' rota page -------------------------------------------------------------


def test_members_see_every_week_of_the_rota(client, weeks, member):
    client.force_login(member.user)

    response = client.get(ROTA)

    assert response.status_code == 200
    for shift in weeks:
        assertContains(response, week_label(shift))
    for name in ("刘建国", "王芳", "赵敏", "营口渤海电子信息技术有限公司"):
        assertContains(response, name)
    assertContains(response, STUDIO_ADDRESS)
    assertNotContains(response, reverse("members:edit_shift", args=[weeks[0].pk]))
    assertNotContains(response, MY_SHIFTS)  # not a representative


def test_a_representative_finds_their_own_weeks_from_the_rota_page(client, weeks, liu):
    client.force_login(liu.user)

    response = client.get(ROTA)

    assertContains(response, MY_SHIFTS)
    assertContains(response, zh("My duty weeks"))


def test_the_rota_page_shows_a_week_with_nobody_assigned(client, member):
    DutyShiftFactory(week_start=THIS_WEEK + timedelta(days=7), representative=None)
    client.force_login(member.user)

    assertContains(client.get(ROTA), zh("Nobody assigned"))


def test_anonymous_visitors_are_sent_to_log_in_for_the_rota_pages(client, weeks):
    for url in (ROTA, MY_SHIFTS, STAFF_ROTA):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def queries_of(client, url: str, *, made_afresh: bool = False) -> int:
    """Queries of a request to `url`; with `made_afresh`, of the page made anew (the
    rota kept in the cache is forgotten first, as a change does)."""
    client.get(url)  # warm the session, the roles and the working-day cache
    if made_afresh:
        rota_changed()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def add_weeks(first: int, last: int) -> None:
    """Shifts for the 1st..nth week of 2026, each held by its own representative."""
    for i in range(first, last):
        DutyShiftFactory(week_start=date(2026, 1, 5) + timedelta(days=7 * i))


@pytest.mark.parametrize(("url", "who"), [(ROTA, "member"), (STAFF_ROTA, "staff")])
def test_the_rota_pages_query_count_does_not_grow_with_the_weeks(
    client, member, url, who
):
    client.force_login(member.user if who == "member" else StaffFactory())
    add_weeks(0, 4)
    four = queries_of(client, url, made_afresh=True)

    add_weeks(4, 26)
    twenty_six = queries_of(client, url, made_afresh=True)

    html = client.get(url).content.decode()
    names = DutyShift.objects.values_list("representative__user__full_name", flat=True)
    assert len(names) == 26
    assert all(name in html for name in names)
    assert four == twenty_six


def test_the_home_page_query_count_does_not_grow_with_the_representatives(client, db):
    DutyShiftFactory(week_start=THIS_WEEK)
    one = queries_of(client, "/")
    DutyShiftFactory(week_start=THIS_WEEK + timedelta(days=7))
    DutyShiftFactory(week_start=THIS_WEEK + timedelta(days=14))
    from django.core.cache import cache

    from chamber import workdays

    cache.clear()
    workdays.forget_overrides()
    three = queries_of(client, "/")

    assert one == three


# --- my duty weeks ------------------------------------------------------------------------


def test_my_page_lists_my_coming_weeks_with_a_swap_button_and_my_past_weeks(
    client, weeks, zhao
):
    client.force_login(zhao.user)

    response = client.get(MY_SHIFTS)

    last_week, _this, _next, coming, _later = weeks
    assert response.context["upcoming"] == [coming]
    assert response.context["past"] == [last_week]
    assertContains(response, week_label(coming))
    assertContains(response, reverse("members:ask_swap", args=[coming.pk]))
    assertContains(response, zh("Ask someone to swap"))
    assertNotContains(response, reverse("members:ask_swap", args=[last_week.pk]))
    assertContains(response, zh("Recent weeks"))
    assertContains(response, week_label(last_week))  # Monday 23 Feb was a holiday
    assert week_label(last_week) == zh("%(first)s to %(last)s") % {
        "first": "2026-02-24",
        "last": "02-28",
    }
    assertNotContains(response, week_label(weeks[2]))  # 王芳's week


def test_my_page_shows_this_started_week_among_the_recent_ones_without_a_swap_button(
    client, weeks, liu
):
    client.force_login(liu.user)

    response = client.get(MY_SHIFTS)

    this_week = weeks[1]
    assert this_week in response.context["past"]
    assertNotContains(response, reverse("members:ask_swap", args=[this_week.pk]))


def test_my_page_shows_requests_i_could_take_and_not_those_i_could_not(
    client, weeks, liu, wang, zhao
):
    _last, _this, next_week, zhaos_week, lius_later = weeks
    takeable = rota.ask_swap(shift=next_week, member=wang, reason="出差", today=TODAY)
    rota.ask_swap(shift=lius_later, member=liu, today=TODAY)
    UnavailabilityFactory(
        member=zhao, starts_on=lius_later.first_day, ends_on=lius_later.last_day
    )
    client.force_login(zhao.user)

    response = client.get(MY_SHIFTS)

    assert response.context["takeable"] == [takeable]
    assertContains(response, zh("Weeks you could take"))
    assertContains(response, reverse("members:accept_swap", args=[takeable.pk]))
    assertContains(response, "出差")
    assertContains(response, zh("I will take this week"))
    # 赵敏 declared the week of 23 March unavailable: 刘建国's request is not offered.
    assert not any(s.shift == lius_later for s in response.context["takeable"])


def test_my_own_request_shows_as_a_badge_not_as_a_week_to_take(client, weeks, zhao):
    coming = weeks[3]
    swap = rota.ask_swap(shift=coming, member=zhao, today=TODAY)
    client.force_login(zhao.user)

    response = client.get(MY_SHIFTS)

    assertContains(response, zh("Swap requested: waiting for a taker"))
    assertContains(response, reverse("members:withdraw_swap", args=[swap.pk]))
    assert response.context["takeable"] == []
    assertNotContains(response, reverse("members:accept_swap", args=[swap.pk]))


def test_my_page_lists_my_declared_days(client, weeks, liu):
    UnavailabilityFactory(
        member=liu,
        starts_on=date(2026, 3, 20),
        ends_on=date(2026, 3, 21),
        reason="出差",
    )
    client.force_login(liu.user)

    response = client.get(MY_SHIFTS)

    assertContains(response, "2026-03-20 – 2026-03-21 · 出差")
    assertContains(response, zh("Declare these days"))


def test_my_page_query_count_does_not_grow_with_open_requests(client, liu):
    def open_requests(first: int, last: int) -> None:
        for i in range(first, last):
            asker = DutyRepresentativeFactory()
            shift = DutyShiftFactory(
                week_start=THIS_WEEK + timedelta(days=7 * (i + 1)), representative=asker
            )
            rota.ask_swap(shift=shift, member=asker, today=TODAY)

    client.force_login(liu.user)
    open_requests(0, 1)
    one = queries_of(client, MY_SHIFTS)

    open_requests(1, 5)
    five = queries_of(client, MY_SHIFTS)

    assert len(client.get(MY_SHIFTS).context["takeable"]) == 5
    assert one == five


# --- the staff page ------------------------------------------------------------------------


def test_the_staff_page_shows_gaps_conflicts_open_swaps_and_the_fairness_table(
    client, weeks, liu, wang, zhao
):
    staff = StaffFactory()
    DutyRepresentativeFactory(user__full_name="钱强")  # no week yet
    gap = DutyShiftFactory(
        week_start=THIS_WEEK + timedelta(days=28), representative=None
    )
    next_week, zhaos_week = weeks[2], weeks[3]
    UnavailabilityFactory(member=zhao, starts_on=zhaos_week.first_day)
    rota.ask_swap(shift=next_week, member=wang, reason="家中有事", today=TODAY)
    client.force_login(staff)

    response = client.get(STAFF_ROTA)

    assert response.status_code == 200
    assert response.context["gaps"] == [gap]
    with translation.override("zh-hans"):
        gaps = ngettext(
            "%(n)s coming week has nobody on duty.",
            "%(n)s coming weeks have nobody on duty.",
            1,
        ) % {"n": 1}
    assertContains(response, gaps)
    assert response.context["conflicts"] == [zhaos_week]
    assertContains(
        response, zh("Representatives who declared they cannot serve their week:")
    )
    assertContains(response, reverse("members:edit_shift", args=[zhaos_week.pk]))
    assertContains(response, zh("Open swap requests:"))
    assertContains(response, "家中有事")
    table = {row["member"].user.full_name: row for row in response.context["fairness"]}
    assert {n: (r["served"], r["planned"], r["total"]) for n, r in table.items()} == {
        "刘建国": (1, 1, 2),
        "王芳": (0, 1, 1),
        "赵敏": (1, 1, 2),
        "钱强": (0, 0, 0),
    }
    assertContains(response, "钱强")
    for shift in weeks:
        assertContains(response, reverse("members:edit_shift", args=[shift.pk]))


def test_staff_generate_the_rota_from_their_page(client, liu, wang, zhao):
    staff = StaffFactory()
    client.force_login(staff)

    response = client.post(
        GENERATE, {"first": "2026-07-01", "last": "2026-12-31"}, follow=True
    )

    assert response.redirect_chain == [(STAFF_ROTA, 302)]
    assert DutyShift.objects.count() == 27
    assert set(ShiftChange.objects.values_list("actor", flat=True)) == {staff.pk}
    message = zh(
        "%(assigned)d weeks assigned, %(kept)d kept as they were, %(gaps)d with nobody free."
    ) % {"assigned": 27, "kept": 0, "gaps": 0}
    assertContains(response, message)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"first": "2026-07-01", "last": "2026-06-01"},
            "The last day cannot be before the first day.",
        ),
        (
            {"first": "2026-01-01", "last": "2027-06-30"},
            "Generate at most a year at a time.",
        ),
        ({"first": "", "last": "2026-06-01"}, "这个字段是必填项。"),
    ],
)
def test_a_wrong_period_is_refused_in_chinese(client, liu, data, message):
    client.force_login(StaffFactory())

    response = client.post(GENERATE, data, follow=True)

    assertContains(response, zh(message))
    assert not DutyShift.objects.exists()


# --- who may do what --------------------------------------------------------------------------


@pytest.fixture(params=["member", "representative"])
def not_staff(request, member, liu):
    return {"member": member, "representative": liu}[request.param]


def test_members_and_representatives_get_403_on_the_staff_page_and_generation(
    client, weeks, not_staff
):
    client.force_login(not_staff.user)

    assert client.get(STAFF_ROTA).status_code == 403
    response = client.post(GENERATE, {"first": "2026-07-01", "last": "2026-12-31"})
    assert response.status_code == 403
    assert DutyShift.objects.count() == len(weeks)


def test_members_and_representatives_cannot_edit_a_week(client, weeks, not_staff, wang):
    shift = weeks[3]
    url = reverse("members:edit_shift", args=[shift.pk])
    client.force_login(not_staff.user)

    assert client.get(url).status_code == 403
    assert client.post(url, {"representative": wang.pk}).status_code == 403
    shift.refresh_from_db()
    assert shift.representative != wang
    assert not ShiftChange.objects.exists()


def test_a_plain_member_gets_403_on_my_weeks_and_the_representatives_actions(
    client, weeks, member
):
    client.force_login(member.user)

    assert client.get(MY_SHIFTS).status_code == 403
    response = client.post(
        reverse("members:add_unavailability"),
        {"starts_on": "2026-03-10", "ends_on": "2026-03-10"},
    )
    assert response.status_code == 403
    assert (
        client.post(reverse("members:ask_swap", args=[weeks[2].pk])).status_code == 403
    )
    assert not Unavailability.objects.exists()


def test_a_representative_cannot_remove_another_representatives_days(
    client, weeks, liu, wang
):
    theirs = UnavailabilityFactory(member=wang, starts_on=date(2026, 3, 20))
    client.force_login(liu.user)

    response = client.post(reverse("members:delete_unavailability", args=[theirs.pk]))

    assert response.status_code == 404
    assert Unavailability.objects.filter(pk=theirs.pk).exists()


def test_an_official_or_anonymous_visitor_cannot_reach_the_rota_actions(client, weeks):
    response = client.post(GENERATE, {"first": "2026-07-01", "last": "2026-12-31"})

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert DutyShift.objects.count() == len(weeks)


@pytest.mark.parametrize(
    "url",
    [
        GENERATE,
        reverse("members:add_unavailability"),
        reverse("members:renew_feed", args=["my_shifts"]),
    ],
)
def test_post_only_endpoints_answer_get_with_405(client, weeks, url):
    client.force_login(StaffFactory())

    assert client.get(url).status_code == 405
    assert not SwapRequest.objects.exists()
