"""The method's rules (工作法规则) as data: staff change them in the admin, the history says
who changed what and when, a change applies at once, and reports keep the values they
were computed with (chamber/method_rules.py)."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import formats, timezone, translation

from activities import services as activities
from chamber import method_rules, pagecache
from chamber.models import MethodRule
from petitions import review
from petitions.models import Petition, ReviewRun
from tests.factories import ActivityGroupFactory, GroupMembershipFactory
from tests.support.reports import departments, march  # noqa: F401 (fixtures)
from tests.support.review_cycle import replied


def rule(key: str) -> MethodRule:
    return MethodRule.objects.get(key=key)


def change_in_admin(client, key: str, value, reason: str = ""):
    return client.post(
        reverse("admin:chamber_methodrule_change", args=[rule(key).pk]),
        {"value": str(value), "reason": reason},
    )


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def test_every_rule_is_listed_in_the_admin_with_its_value_and_unit(staff_client):
    page = staff_client.get(reverse("admin:chamber_methodrule_changelist"))

    html = page.content.decode()
    assert page.status_code == 200
    assert "工作法规则" in html
    for label in ("评价期限", "超期上报", "季清零提醒", "参与排名的最少诉求数"):
        assert label in html
    for label in ("小组活动提醒日", "待企业补充期限", "回访期限"):
        assert label in html
    assert "个工作日内未评价的，按“未评价”办结" in html  # the help
    assert "每月几日" in html  # the unit of the group warning day
    assert list(MethodRule.objects.values_list("key", flat=True).order_by("pk")) == [
        d.key for d in method_rules.DEFINITIONS
    ]


def test_a_change_in_the_admin_records_who_changed_what_and_when(staff_client, staff):
    # A little after the seeded default's record (a session lives no longer).
    changed_at = (timezone.now() + timedelta(minutes=5)).replace(microsecond=0)
    with time_machine.travel(changed_at, tick=False):
        response = change_in_admin(
            staff_client, "rating_window", 7, "2027 年工作法修订"
        )

    assert response.status_code == 302
    assert rule("rating_window").value == 7
    latest = rule("rating_window").history.first()
    assert latest.history_user == staff
    assert latest.history_date == changed_at
    assert (latest.prev_record.value, latest.value) == (5, 7)
    assert latest.history_change_reason == "2027 年工作法修订"

    history = staff_client.get(
        reverse("admin:chamber_methodrule_history", args=[rule("rating_window").pk])
    )
    html = history.content.decode()
    assert str(staff) in html
    assert "2027 年工作法修订" in html
    assert "5 &nbsp;&rarr;&nbsp;&nbsp;7" in " ".join(html.split())
    with translation.override("zh-hans"):
        shown = formats.date_format(timezone.localtime(changed_at), "DATETIME_FORMAT")
    assert shown in html  # in Beijing time
    listing = staff_client.get(reverse("admin:chamber_methodrule_changelist"))
    assert str(staff) in listing.content.decode()


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("group_warning_day", 0, "请输入 1 至 28 之间的整数。"),
        ("group_warning_day", 29, "请输入 1 至 28 之间的整数。"),
        ("min_ranked", 0, "请输入 1 至 100 之间的整数。"),
    ],
)
def test_a_value_out_of_range_is_refused_with_a_chinese_message(
    staff_client, key, value, message
):
    before = rule(key).value

    response = change_in_admin(staff_client, key, value)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert rule(key).value == before
    assert rule(key).history.count() == 1  # only the seeded default


def test_staff_can_neither_add_nor_delete_a_rule(staff_client):
    add = staff_client.get(reverse("admin:chamber_methodrule_add"))
    delete = staff_client.get(
        reverse("admin:chamber_methodrule_delete", args=[rule("min_ranked").pk])
    )

    assert add.status_code == 403
    assert delete.status_code == 403


def test_a_shorter_rating_window_closes_unrated_answers_from_the_next_study(
    staff_client, staff
):
    study = date(2026, 3, 16)  # Monday
    answered = replied(staff, answered_on=date(2026, 3, 10))  # 4 working days before
    assert review.run_daily_study(on=date(2026, 3, 13)) is not None
    answered.refresh_from_db()
    assert answered.status == Petition.Status.REPLIED

    change_in_admin(staff_client, "rating_window", 3)
    run = review.run_daily_study(on=study)

    answered.refresh_from_db()
    assert answered.status == Petition.Status.CLOSED
    assert answered.rating == Petition.Rating.NONE
    assert run.report["closed_without_rating"] == [answered.pk]
    assert run.report["rules"]["rating_window"] == 3
    closing = answered.events.last()
    with translation.override("zh-hans"):
        assert closing.note == "3 个工作日内未评价。"


@pytest.mark.usefixtures("march")
def test_a_department_with_fewer_petitions_than_the_new_minimum_is_not_ranked(
    staff_client,
):
    change_in_admin(staff_client, "min_ranked", 4)

    run = review.run_monthly_summary(on=date(2026, 4, 1))

    ranks = {row["name"]: row["rank"] for row in run.report["departments"]}
    assert ranks == {"甲局": 1, "乙局": None, "丙局": None}  # 4, 3 and 1 petitions


@pytest.mark.usefixtures("march")
def test_a_monthly_report_stores_and_shows_the_rules_it_was_computed_with(
    staff_client,
):
    change_in_admin(staff_client, "min_ranked", 4)
    run = review.run_monthly_summary(on=date(2026, 4, 1))
    change_in_admin(staff_client, "min_ranked", 2)  # later: the report keeps its own

    run.refresh_from_db()
    assert run.report["rules"] == {
        **method_rules.defaults().as_dict(),
        "min_ranked": 4,
    }
    page = staff_client.get(reverse("petitions:report", args=[run.pk]))
    html = page.content.decode()
    assert "计算依据" in html
    assert "参与排名的最少诉求数" in html
    assert "4 件诉求" in html
    assert "2 件诉求" not in html
    assert "5 个工作日" in html  # the rating window
    assert "每月 20 日" in html  # the group warning day


def test_a_report_stored_before_the_rules_were_kept_shows_none(staff_client):
    run = ReviewRun.objects.create(
        kind=ReviewRun.Kind.MONTHLY,
        period_start=date(2025, 12, 1),
        period_end=date(2025, 12, 31),
        stats={},
        report={"first": "2025-12-01", "last": "2025-12-31"},
        finished_at=timezone.now(),
    )

    page = staff_client.get(reverse("petitions:report", args=[run.pk]))

    assert page.status_code == 200
    assert "计算依据" not in page.content.decode()


def test_the_group_warning_starts_on_the_day_the_rule_says(
    staff_client, staff, django_capture_on_commit_callbacks
):
    group = ActivityGroupFactory(year=2026, number=1)
    GroupMembershipFactory(group=group, is_leader=True)
    on_the_10th = date(2026, 6, 10)

    assert activities.run_activities_day(today=on_the_10th)["idle_groups"] == 0
    change_in_admin(staff_client, "group_warning_day", 10)
    with django_capture_on_commit_callbacks(execute=True):
        result = activities.run_activities_day(today=on_the_10th)

    assert result["idle_groups"] == 1
    assert staff.email in [address for m in mail.outbox for address in m.to]


def test_the_rules_in_force_are_read_in_one_query(db, django_assert_num_queries):
    MethodRule.objects.filter(key="escalate_after").update(value=12)
    MethodRule.objects.filter(key="quarter_warning").delete()  # the default then

    with django_assert_num_queries(1):
        rules = method_rules.current()

    assert rules.escalate_after == 12
    assert rules.quarter_warning == 14
    assert rules.as_dict() == {
        **method_rules.defaults().as_dict(),
        "escalate_after": 12,
    }
    with pytest.raises(AttributeError):
        rules.escalate_after = 1  # immutable


def test_a_saved_rule_makes_the_cached_public_pages_stale(db):
    before = pagecache.version()

    rule("min_ranked").save()

    assert pagecache.version() != before


def test_describe_gives_each_stored_value_with_its_unit():
    with translation.override("zh-hans"):
        rows = method_rules.describe({"min_ranked": 4, "quarter_warning": 14})
    with translation.override("en"):
        english = method_rules.describe({"rating_window": 1, "gone_rule": 9})

    assert rows == [("季清零提醒", "14 天"), ("参与排名的最少诉求数", "4 件诉求")]
    assert english == [("rating window", "1 working day"), ("gone_rule", "9")]
