"""晾晒 (issue 18, item 7): the public page of the departments' 三率 over the last twelve
months, off until a leader publishes it.

The figures are the monthly report's own for those months (March 2026 of
test_reports.py, read in April 2026): counts beside each rate, a department with too few
petitions listed but not ranked, and no enterprise name or petition title.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from petitions import selectors
from publicity import transparency
from publicity.models import TransparencySwitch
from tests.factories import LeaderFactory, MemberFactory, OfficialFactory
from tests.support import reports

# The fixtures of March 2026, by their own names.
departments = reports.departments
march = reports.march

PAGE = reverse("publicity:transparency")
SWITCH = reverse("publicity:transparency_switch")
APRIL = datetime(2026, 4, 15, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def in_april():
    with time_machine.travel(APRIL, tick=False):
        yield


@pytest.fixture
def leader(db):
    return LeaderFactory().user


def publish(client, leader) -> None:
    client.force_login(leader)
    assert client.post(SWITCH, {"public": "on"}).status_code == 302
    client.logout()


def test_the_page_is_off_by_default_and_not_found_for_everyone_but_the_leadership(
    client, in_april, staff, leader
):
    assert not transparency.is_public()
    for user in (None, MemberFactory().user, OfficialFactory().user):
        if user:
            client.force_login(user)
        assert client.get(PAGE).status_code == 404
        client.logout()

    for user in (leader, staff):
        client.force_login(user)
        page = client.get(PAGE)
        assert page.status_code == 200
        assert "预览：区领导发布之前，公众看不到此页面。" in page.content.decode()
        client.logout()


def test_only_a_leader_switches_it_and_each_turn_is_recorded(
    client, in_april, staff, leader
):
    for user in (staff, OfficialFactory().user, MemberFactory().user):
        client.force_login(user)
        assert client.post(SWITCH, {"public": "on"}).status_code == 403
    client.logout()
    assert client.post(SWITCH, {"public": "on"}).status_code == 302  # to log in
    assert not TransparencySwitch.objects.exists()

    publish(client, leader)
    assert client.get(PAGE).status_code == 200

    client.force_login(leader)
    client.post(SWITCH, {})
    page = client.get(PAGE).content.decode()
    assert f"{leader.get_full_name()}于" in page and "停止公开" in page
    client.logout()
    assert client.get(PAGE).status_code == 404  # the cached public page went too
    assert list(
        TransparencySwitch.objects.order_by("pk").values_list("is_public", "actor")
    ) == [(True, leader.pk), (False, leader.pk)]


def test_the_public_sees_each_departments_rates_with_their_counts_and_no_names(
    client, in_april, leader, march
):
    publish(client, leader)

    html = client.get(PAGE).content.decode()

    report = selectors.period_report(first=date(2025, 4, 1), last=date(2026, 3, 31))
    rows = {row["name"]: row for row in report["departments"]}
    a = rows["甲局"]
    # the monthly report's own counts
    assert a["answered"] == 4 and a["answered_on_time"] == 3
    assert f"{a['response_rate']}%" in html
    assert f"{a['answered_on_time']}/{a['answered']}" in html
    assert f"{a['satisfied_or_basically']}/{a['rated']}" in html
    # the enterprises' word on resolution beside the departments', and the visits
    assert (a["resolution_rate"], a["declared_resolution_rate"]) == (33.3, 50.0)
    assert f"{a['solved']}/{a['rated_with_solved']}" in html
    assert "解决率（企业评价）" in html and "部门自报解决率" in html
    assert f"{a['rated']}/{a['rating_ended']}" in html and "回访率" in html
    # 丙局 had one petition: listed, not ranked.
    assert rows["丙局"]["rank"] is None
    assert "丙局" in html
    for petition in march.values():
        assert petition.title not in html
        assert petition.enterprise.name not in html
        assert petition.number not in html


def test_the_twelve_months_are_the_full_months_before_this_one(db):
    assert transparency.period(date(2026, 4, 15)) == (
        date(2025, 4, 1),
        date(2026, 3, 31),
    )
    assert transparency.period(date(2026, 1, 1)) == (
        date(2025, 1, 1),
        date(2025, 12, 31),
    )
