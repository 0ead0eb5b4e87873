"""What the first week of real use hit in activities (issue 16, items 4, 7, 10, 12 and 13).

Pages are requested in Chinese, as the users read them; the Chinese asserted is what a
user sees on the screen. Admin pages are posted as a browser would: the rendered form's
own values, plus the button pressed.
"""

from datetime import datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from activities import services
from activities.models import (
    Activity,
    ActivityPhoto,
    Attendance,
    Platform,
    Registration,
)
from groups.models import PointsEntry
from publicity.models import Article, ArticleKind
from tests.factories import (
    ActivityFactory,
    ActivityGroupFactory,
    EnterpriseFactory,
    MemberFactory,
    PointRuleFactory,
    SeriesFactory,
)
from tests.support.pages import text

BEIJING = ZoneInfo("Asia/Shanghai")


def page(client, url: str, **kwargs):
    with translation.override("zh-hans"):
        return client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans", **kwargs)


def post(client, url: str, data=None, **kwargs):
    with translation.override("zh-hans"):
        return client.post(url, data or {}, HTTP_ACCEPT_LANGUAGE="zh-hans", **kwargs)


def soon() -> datetime:
    return timezone.now().replace(second=0, microsecond=0) + timedelta(minutes=30)


@pytest.fixture
def attend(db):
    return PointRuleFactory(code="attend", name="参加活动", points=2)


# --- item 4: the check-in window ------------------------------------------------------


def test_staff_cannot_check_a_member_in_ten_days_early_and_the_page_says_why(
    client, staff, alice, attend
):
    activity = ActivityFactory(starts_at=timezone.now() + timedelta(days=10))
    url = reverse("activities:checkin", args=[activity.pk])
    client.force_login(staff)

    before = text(page(client, url, data={"q": alice.user.get_full_name()}))
    after = text(post(client, url, {"member": alice.pk}, follow=True))

    assert "签到尚未开始" in before
    assert ">签到</button>" not in before  # no check-in button to tap
    assert "签到尚未开始" in after
    assert not Attendance.objects.exists()
    assert not PointsEntry.objects.exists()


def test_check_in_opens_an_hour_before_the_start(staff, alice, attend):
    activity = ActivityFactory(starts_at=timezone.now() + timedelta(days=2))

    with (
        pytest.raises(services.ActivityError, match="签到尚未开始"),
        translation.override("zh-hans"),
    ):
        services.check_in(
            activity=activity,
            member=alice,
            actor=staff,
            now=activity.starts_at - timedelta(minutes=61),
        )
    attendance = services.check_in(
        activity=activity,
        member=alice,
        actor=staff,
        now=activity.starts_at - timedelta(minutes=59),
    )

    assert attendance.checked_in_at == activity.starts_at - timedelta(minutes=59)
    assert PointsEntry.objects.filter(member=alice).count() == 1


def test_check_in_stays_open_until_midnight_beijing_time_of_the_day_it_ends(
    staff, alice, bob, attend
):
    # 15:00 to 17:00 Beijing time on 1 March: 07:00 to 09:00 UTC.
    start = datetime(2030, 3, 1, 15, 0, tzinfo=BEIJING)
    activity = ActivityFactory(starts_at=start, ends_at=start + timedelta(hours=2))

    late = services.check_in(
        activity=activity,
        member=alice,
        actor=staff,
        now=datetime(2030, 3, 1, 23, 59, tzinfo=BEIJING),
    )
    with (
        pytest.raises(services.ActivityError, match="签到已结束"),
        translation.override("zh-hans"),
    ):
        services.check_in(
            activity=activity,
            member=bob,
            actor=staff,
            now=datetime(2030, 3, 2, 0, 0, tzinfo=BEIJING),
        )

    assert late.member == alice
    assert list(Attendance.objects.values_list("member", flat=True)) == [alice.pk]
    assert not PointsEntry.objects.filter(member=bob).exists()


def test_the_doors_qr_code_says_why_before_the_window_and_checks_nobody_in(
    client, alice, attend
):
    activity = ActivityFactory(starts_at=timezone.now() + timedelta(days=10))
    url = reverse(
        "activities:self_checkin",
        args=[activity.pk, services.self_checkin_token(activity)],
    )
    client.force_login(alice.user)

    shown = text(page(client, url))
    tapped = text(post(client, url, follow=True))

    assert "签到尚未开始" in shown
    assert "我要签到" not in shown  # no button to tap
    assert "签到尚未开始" in tapped
    assert not Attendance.objects.exists()
    assert not PointsEntry.objects.exists()


def test_the_doors_qr_code_works_on_the_day_and_shows_the_button(client, alice, attend):
    activity = ActivityFactory(starts_at=soon())
    url = reverse(
        "activities:self_checkin",
        args=[activity.pk, services.self_checkin_token(activity)],
    )
    client.force_login(alice.user)

    shown = text(page(client, url))
    post(client, url)

    assert "签到尚未开始" not in shown and "我要签到" in shown
    assert Attendance.objects.filter(activity=activity, member=alice).exists()


def test_a_colleague_cannot_be_marked_present_before_the_window(client, staff, alice):
    from activities.models import Campaign

    today = timezone.localdate()
    month = Campaign.objects.create(
        kind=Campaign.Kind.SERVICE_MONTH,
        name="民营经济体服务月",
        starts_on=today,
        ends_on=today + timedelta(days=30),
    )
    clinic = ActivityFactory(
        campaign=month, starts_at=timezone.now() + timedelta(days=5)
    )
    registration = services.sign_up(
        activity=clinic, member=alice, attendee_name="李会计"
    )
    client.force_login(staff)

    response = post(
        client,
        reverse("activities:colleague_present", args=[registration.pk]),
        follow=True,
    )

    registration.refresh_from_db()
    assert registration.attended_at is None
    assert "签到尚未开始" in text(response)


# --- item 7: 发布 / 撤回 / 定时发布 on the admin change pages ---------------------------


class _FormValues(HTMLParser):
    """What a browser would submit from the page's main form (no file, no button)."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id, self.inside, self.values = form_id, False, []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == self.form_id:
            self.inside = True
        if not self.inside or "name" not in a and tag != "option":
            return
        kind = a.get("type", "text")
        if tag == "input" and kind not in ("submit", "file", "button", "image"):
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.values.append((a["name"], a.get("value") or "on"))
            else:
                self.values.append((a["name"], a.get("value") or ""))
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self.values.append((self._select, a.get("value", "")))
        elif tag == "textarea":
            self._textarea = a["name"]
            self.values.append((self._textarea, ""))

    def handle_data(self, data):
        if self._textarea:
            name, before = self.values[-1]
            self.values[-1] = (name, before + data)

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self.inside = False


def press(client, url: str, form_id: str, button: str, **changes):
    """Open an admin change page and press one of its buttons, as a browser would."""
    reader = _FormValues(form_id)
    reader.feed(text(page(client, url)))
    data: dict[str, list[str]] = {}
    for name, value in reader.values:
        data.setdefault(name, []).append(value.strip("\n") if value else value)
    data.update({name: [value] for name, value in changes.items()})
    data[button] = ["x"]
    return post(client, url, data, follow=True)


@pytest.fixture
def admin_client(client, staff):
    client.force_login(staff)
    return client


def test_a_draft_activity_is_published_from_its_change_page_with_its_session_number(
    admin_client,
):
    hall = SeriesFactory(name="企业家会客厅", last_number=4)
    activity = ActivityFactory(status="draft", series=hall, title="企业家会客厅")
    url = reverse("admin:activities_activity_change", args=[activity.pk])

    shown = text(page(admin_client, url))
    response = press(admin_client, url, "activity_form", "_publish")

    assert 'name="_publish" value="发布"' in shown
    assert 'name="_withdraw"' not in shown
    activity.refresh_from_db()
    assert activity.status == Activity.Status.PUBLISHED
    assert activity.session_number == 5
    assert response.redirect_chain[-1][0] == url
    assert 'name="_withdraw" value="撤回"' in text(response)


def test_withdrawing_an_activity_nobody_signed_up_for_takes_it_back_to_draft(
    admin_client,
):
    activity = ActivityFactory()
    url = reverse("admin:activities_activity_change", args=[activity.pk])

    press(admin_client, url, "activity_form", "_withdraw")

    activity.refresh_from_db()
    assert activity.status == Activity.Status.DRAFT


def test_an_activity_members_signed_up_for_is_not_withdrawn_and_the_page_says_why(
    admin_client, alice
):
    activity = ActivityFactory()
    services.sign_up(activity=activity, member=alice)
    url = reverse("admin:activities_activity_change", args=[activity.pk])

    response = press(admin_client, url, "activity_form", "_withdraw")

    activity.refresh_from_db()
    assert activity.status == Activity.Status.PUBLISHED
    assert "已有会员报名：请改为取消活动" in text(response)


def test_the_list_action_and_the_button_refuse_alike(admin_client, alice):
    """One service behind both: the bulk 撤回 refuses the same activity the same way."""
    activity = ActivityFactory()
    services.sign_up(activity=activity, member=alice)

    response = post(
        admin_client,
        reverse("admin:activities_activity_changelist"),
        {"action": "withdraw", "_selected_action": [activity.pk]},
        follow=True,
    )

    activity.refresh_from_db()
    assert activity.status == Activity.Status.PUBLISHED
    assert "已有会员报名：请改为取消活动" in text(response)


@pytest.fixture
def draft(db, staff):
    kind, _ = ArticleKind.objects.get_or_create(
        code="policy", defaults={"name": "惠企政策"}
    )
    return Article.objects.create(
        kind=kind, title="惠企政策：稳岗补贴", created_by=staff
    )


def _article_url(article) -> str:
    return reverse("admin:publicity_article_change", args=[article.pk])


def test_an_article_is_published_now_from_its_change_page(admin_client, draft):
    url = _article_url(draft)

    shown = text(page(admin_client, url))
    response = press(admin_client, url, "article_form", "_publish_now")

    assert 'value="发布"' in shown and 'value="定时发布"' in shown
    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED
    assert abs(draft.published_at - timezone.now()) < timedelta(minutes=1)
    assert 'name="_withdraw" value="撤回"' in text(response)


def test_an_article_is_scheduled_for_the_time_typed_on_its_change_page(
    admin_client, draft
):
    when = (timezone.localtime() + timedelta(days=2)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )

    press(
        admin_client,
        _article_url(draft),
        "article_form",
        "_schedule",
        published_at=when.strftime("%Y-%m-%dT%H:%M"),
    )

    draft.refresh_from_db()
    assert draft.status == Article.Status.SCHEDULED
    assert draft.published_at == when


def test_scheduling_without_a_future_time_is_refused_with_the_reason(
    admin_client, draft
):
    response = press(admin_client, _article_url(draft), "article_form", "_schedule")

    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT
    assert "请先填写一个将来的发布时间" in text(response)


def test_a_published_article_is_withdrawn_from_its_change_page(
    admin_client, draft, staff
):
    from publicity import services as publicity

    publicity.publish_article(article=draft, actor=staff)

    press(admin_client, _article_url(draft), "article_form", "_withdraw")

    draft.refresh_from_db()
    assert draft.status == Article.Status.WITHDRAWN


# --- item 10: the activities a member sees ----------------------------------------------


def test_a_full_activity_shows_full_and_waiting_list_open_in_the_list(
    client, alice, bob
):
    full = ActivityFactory(title="家风教育讲座", capacity=1)
    open_ = ActivityFactory(title="企业纾困会诊日", capacity=5)
    services.sign_up(activity=full, member=bob)
    services.sign_up(activity=open_, member=bob)

    body = text(page(client, reverse("activities:list")))

    rows = {
        title: body.split(title, 1)[1].split("</li>", 1)[0]
        for title in ("家风教育讲座", "企业纾困会诊日")
    }
    assert "已满 · 可候补" in rows["家风教育讲座"]
    assert "已满" not in rows["企业纾困会诊日"]


def test_signing_up_says_you_are_signed_up_once(client, alice):
    activity = ActivityFactory(capacity=10)
    client.force_login(alice.user)

    response = post(
        client, reverse("activities:sign_up", args=[activity.pk]), follow=True
    )

    assert text(response).count("您已报名") == 1


def test_cancelling_asks_first_and_then_stays_on_the_activity(client, alice):
    activity = ActivityFactory(capacity=10)
    registration = services.sign_up(activity=activity, member=alice)
    client.force_login(alice.user)

    shown = text(page(client, activity.get_absolute_url()))
    question = shown.split("<details", 1)[1].split("</details>", 1)[0]
    response = post(
        client, reverse("activities:cancel", args=[registration.pk]), follow=True
    )

    assert "确定取消报名吗？" in question
    assert reverse("activities:cancel", args=[registration.pk]) in question
    assert response.redirect_chain[-1][0] == activity.get_absolute_url()
    assert "您的报名已取消。" in text(response)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED


def test_my_activities_lists_coming_attended_and_missed_each_once(
    client, alice, staff, attend
):
    now = timezone.now()
    coming = ActivityFactory(title="企业纾困会诊日")
    attended = ActivityFactory(title="西市文旅走访", starts_at=now - timedelta(days=3))
    missed = ActivityFactory(title="三八妇女节活动", starts_at=now - timedelta(days=9))
    for activity in (coming, attended, missed):
        Registration.objects.create(
            activity=activity,
            member=alice,
            status=Registration.Status.REGISTERED,
            created_at=activity.starts_at - timedelta(days=5),
        )
    services.check_in(
        activity=attended, member=alice, actor=staff, now=attended.starts_at
    )
    client.force_login(alice.user)

    body = text(page(client, reverse("activities:mine")))

    sections = {
        name: body.split(f'id="{name}"', 1)[1].split("</section>", 1)[0]
        for name in ("coming", "attended", "missed")
    }
    assert "即将举行" in body and "已参加" in body and "报名未参加" in body
    for title, section in (
        ("企业纾困会诊日", "coming"),
        ("西市文旅走访", "attended"),
        ("三八妇女节活动", "missed"),
    ):
        assert body.count(title) == 1, title
        assert title in sections[section], title
    assert "+2" in sections["attended"]


# --- item 12: platforms -------------------------------------------------------------------


def test_platforms_list_each_kind_once_in_the_methods_order(client, db):
    # Added in another order, with sort orders that would split the kinds.
    for order, (kind, name) in enumerate(
        [
            ("outside_chamber", "北京营口商会（筹）"),
            ("station", "民营企业家活动站"),
            ("small_chamber", "装备制造业小商会"),
            ("base", "统战系统党群活动基地"),
            ("station", "网络新媒体人士活动站"),
        ]
    ):
        Platform.objects.create(kind=kind, name=name, sort_order=order)

    body = text(page(client, reverse("activities:platforms")))

    headings = [
        "统战系统党群活动基地",
        "民营企业家活动站",
        "网络新媒体人士活动站",
        "装备制造业小商会",
        "北京营口商会（筹）",
    ]
    positions = [body.index(name) for name in headings]
    assert positions == sorted(positions)
    with translation.override("zh-hans"):
        kinds = [str(label) for label in Platform.Kind.labels]
    for label in kinds:
        assert body.count(f">{label}</h2>") == 1, label


def test_a_platform_page_shows_contacts_founding_status_members_and_activities(
    client, db
):
    platform = Platform.objects.create(
        kind=Platform.Kind.OUTSIDE_CHAMBER,
        name="北京营口商会（筹）",
        founding_status=Platform.Founding.PREPARING,
        contacts="联系人：王秘书 0417-2811008",
    )
    platform.enterprises.add(EnterpriseFactory(name="营口金地房地产开发有限公司"))
    ActivityFactory(title="北京营口商会筹备座谈会", platform=platform)

    body = text(page(client, platform.get_absolute_url()))

    for shown in (
        "联系人：王秘书 0417-2811008",
        "筹备中",
        "营口金地房地产开发有限公司",
        "北京营口商会筹备座谈会",
    ):
        assert shown in body, shown


def test_an_empty_platform_page_says_what_each_section_is_for(client, db):
    platform = Platform.objects.create(kind=Platform.Kind.STATION, name="新活动站")

    body = text(page(client, platform.get_absolute_url()))

    assert "暂无" not in body
    for purpose in (
        "这里显示参加平台活动的联系人",
        "加入本平台的会员企业会列在这里",
        "本平台举办的活动会列在这里",
    ):
        assert purpose in body, purpose


# --- item 13: pages every link reaches ----------------------------------------------------


def test_the_group_duty_grid_links_to_every_year_that_has_groups(client, staff):
    ActivityGroupFactory(year=2022, number=1)
    ActivityGroupFactory(year=timezone.localdate().year, number=1)
    client.force_login(staff)

    body = text(page(client, reverse("activities:duties_now")))

    assert f'href="{reverse("activities:duties", args=[2022])}"' in body


def test_a_write_up_photo_is_linked_from_its_activity_page(client, db):
    activity = ActivityFactory()
    photo = ActivityPhoto.objects.create(
        activity=activity, image="activities/photo.png", content_type="image/png"
    )

    body = text(page(client, activity.get_absolute_url()))

    assert f'<a href="{photo.get_absolute_url()}"' in body


def test_a_members_points_have_no_address_without_the_year(client, alice):
    """The page of a member's points always has its year: every link gives one."""
    client.force_login(MemberFactory().user)

    with pytest.raises(NoReverseMatch):
        reverse("groups:member_points_now", args=[alice.pk])
    assert client.get(f"/groups/points/{alice.pk}/").status_code == 404
    year = timezone.localdate().year
    assert (
        client.get(reverse("groups:member_points", args=[alice.pk, year])).status_code
        == 200
    )
