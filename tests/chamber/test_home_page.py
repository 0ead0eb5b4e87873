"""A member's home is theirs (issue 18, item 9): their open petitions with the next step,
their next activity, their points and rank, what the chamber published this week, all
before the description of the method; a representative's home leads with their duty week.

Alice (甲公司) and Bob (乙公司) are members of two enterprises; pages are read in Chinese.
"""

from datetime import UTC, timedelta

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import ngettext

from activities.models import Registration
from groups import services as points
from members.models import DutyShift
from petitions import services
from petitions.models import Petition
from petitions.next_step import next_step
from publicity import services as articles
from publicity.models import Article, ArticleKind
from tests.factories import (
    ActivityFactory,
    CategoryFactory,
    DutyLogEntryFactory,
    DutyShiftFactory,
    GroupMembershipFactory,
    MemberFactory,
    PetitionFactory,
)
from tests.support.words import zh

HOME = reverse("home")
NO_PETITION = (
    "Your enterprise has no petition in hand. Tell the chamber what holds your "
    "business back: every petition is answered."
)


def home(client) -> str:
    with translation.override("zh-hans"):
        response = client.get(HOME, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, section_id: str) -> str:
    """The markup of the home page's card headed by `section_id`."""
    start = html.index(f'aria-labelledby="{section_id}"')
    return html[start : html.index("</section>", start)]


def submitted(member, title: str) -> Petition:
    return services.submit_petition(
        enterprise=member.enterprise,
        title=title,
        description="希望尽快协调解决。",
        channel="online",
        submitted_by=member.user,
    )


def dispatched(member, title: str, staff, official) -> Petition:
    petition = submitted(member, title)
    services.accept_petition(
        petition=petition,
        actor=staff,
        category=CategoryFactory(),
        priority="normal",
        handling="department",
    )
    return services.dispatch_petition(
        petition=petition, department=official.department, actor=staff
    )


def answered(member, title: str, staff, official) -> Petition:
    petition = dispatched(member, title, staff, official)
    services.sign_petition(petition=petition, actor=official.user)
    services.record_department_reply(
        petition=petition, actor=official.user, outcome="resolved", reply="已协调。"
    )
    return services.answer_petition(petition=petition, actor=staff, answer="已解决。")


def month_day(day) -> str:
    return f"{day.month}月{day.day}日"


# --- petitions ------------------------------------------------------------------------


def test_a_member_sees_their_open_petitions_with_status_and_next_step(
    client, alice, bob, staff, official
):
    waiting = submitted(alice, "厂区门前道路积水")
    sent = dispatched(alice, "新厂房消防验收", staff, official)
    to_rate = answered(alice, "供电增容", staff, official)
    ended = answered(alice, "已办结的诉求", staff, official)
    services.rate_petition(
        solved="solved", petition=ended, rating="satisfied", actor=alice.user
    )
    submitted(bob, "乙公司的诉求")
    client.force_login(alice.user)

    card = section(home(client), "my-open-petitions")

    assert "乙公司的诉求" not in card  # another enterprise's petition is not theirs
    assert "已办结的诉求" not in card
    for petition in (waiting, sent, to_rate):
        assert f'href="{petition.get_absolute_url()}"' in card
    assert card.index("供电增容") < card.index("新厂房消防验收")  # the rating first
    assert zh("Waiting to be accepted") == "等待受理"
    assert zh("Waiting to be accepted") in card
    assert "已提交" in card and "已交办" in card and "已答复" in card  # the status
    due = month_day(sent.due_on)
    assert f"已交办{official.department.name}，{due}前答复" in card
    assert f'href="{to_rate.get_absolute_url()}#rate">请评价</a>' in card
    assert f'href="{reverse("petitions:mine")}"' in card
    assert f'href="{reverse("petitions:submit")}"' in card


def test_a_member_without_open_petitions_is_invited_to_submit_one(client, alice):
    client.force_login(alice.user)

    card = section(home(client), "my-open-petitions")

    assert escape(zh(NO_PETITION)) in card
    assert f'href="{reverse("petitions:submit")}">提交诉求</a>' in card


def test_the_next_step_follows_the_petition_through_its_life(official):
    today = timezone.localdate()
    department = official.department

    def step(**fields) -> str:
        with translation.override("zh-hans"):
            return next_step(Petition(department=department, **fields), on=today)

    D = Petition.Status.DISPATCHED
    name = department.name
    assert step(status="submitted") == "等待受理"
    assert step(status="accepted", handling="department") == "已受理，正在交办相关部门"
    assert step(status="accepted", handling="chamber") == "已受理，商会正在办理"
    due = today + timedelta(days=3)
    assert step(status=D, due_on=due) == f"已交办{name}，{month_day(due)}前答复"
    late = today - timedelta(days=1)
    assert step(status="in_progress", due_on=late) == (
        f"已交办{name}，应于{month_day(late)}前答复，商会正在督办"
    )
    replied_at = timezone.now()
    assert step(status=D, due_on=due, department_replied_at=replied_at) == (
        f"{name}已答复，商会审核后答复您"
    )
    assert step(status="replied") == "请评价"
    assert step(status="closed") == ""


# --- the other cards --------------------------------------------------------------------


def test_a_member_sees_their_next_activity_in_beijing_time(client, alice):
    # 02:30 UTC is 10:30 in Yingkou.
    starts = (
        (timezone.now() + timedelta(days=3))
        .astimezone(UTC)
        .replace(hour=2, minute=30, second=0, microsecond=0)
    )
    later = ActivityFactory(title="银企对接会", starts_at=starts + timedelta(days=1))
    mine = ActivityFactory(title="走进辽河装备", starts_at=starts, place="辽河装备厂区")
    for activity in (later, mine):
        Registration.objects.create(
            activity=activity, member=alice, status="registered"
        )
    client.force_login(alice.user)

    card = section(home(client), "my-next-activity")

    assert "走进辽河装备" in card and "银企对接会" not in card
    assert f"{timezone.localtime(starts):%Y-%m-%d} 10:30" in card
    assert "辽河装备厂区" in card
    assert f'href="{mine.get_absolute_url()}"' in card


def test_without_a_sign_up_the_next_activity_open_for_sign_up_is_shown(client, alice):
    ActivityFactory(title="已截止的活动", signup_closes_at=timezone.now())
    ActivityFactory(title="草稿活动", status="draft")
    open_one = ActivityFactory(
        title="政策宣讲会", starts_at=timezone.now() + timedelta(days=9)
    )
    client.force_login(alice.user)

    card = section(home(client), "my-next-activity")

    assert zh("Open for sign-up") in card
    assert "政策宣讲会" in card
    assert "已截止的活动" not in card and "草稿活动" not in card
    assert f'href="{open_one.get_absolute_url()}">报名</a>' in card


def test_a_member_sees_their_points_and_rank_and_their_groups(client, alice, staff):
    first = GroupMembershipFactory(member=alice).group
    GroupMembershipFactory(group=first)
    second = GroupMembershipFactory().group
    points.record_manual_points(member=alice, points=6, reason="组织活动", actor=staff)
    client.force_login(alice.user)

    card = section(home(client), "my-points-home")

    assert ">106<" in card
    with translation.override("zh-hans"):
        rank = ngettext(
            "Rank %(rank)s of %(n)s member", "Rank %(rank)s of %(n)s members", 3
        ) % {"rank": 1, "n": 3}
        group_rank = ngettext(
            "rank %(rank)s of %(n)s group", "rank %(rank)s of %(n)s groups", 2
        ) % {"rank": 1, "n": 2}
    assert rank == "在3名会员中排第1名"
    assert rank in card and group_rank in card
    assert f'href="{first.get_absolute_url()}">第{first.number}小组</a>' in card
    assert "人均103.0分" in card
    assert f'href="{second.get_absolute_url()}"' not in card


def test_a_member_sees_what_the_chamber_published_this_week(client, alice, staff):
    now = timezone.now()
    policy = ArticleKind.objects.get(code="policy")

    def published(title: str, days_ago: int) -> Article:
        article = Article.objects.create(kind=policy, title=title)
        return articles.publish_article(
            article=article, actor=staff, now=now - timedelta(days=days_ago)
        )

    news = [published(f"本周政策{n}", n) for n in range(6)]
    published("上周的政策", 8)
    Article.objects.create(kind=policy, title="未发布的草稿")
    client.force_login(alice.user)

    card = section(home(client), "published-this-week")

    for article in news[:5]:  # the newest five
        assert f'href="{article.get_absolute_url()}"' in card
    assert "本周政策5" not in card
    assert "上周的政策" not in card and "未发布的草稿" not in card


def test_a_members_own_cards_come_before_the_method(client, alice):
    client.force_login(alice.user)

    html = home(client)

    method = html.index('id="method"')
    for card in ("my-open-petitions", "my-next-activity", "my-points-home"):
        assert html.index(f'id="{card}"') < method
    assert html.index('id="published-this-week"') < method


def test_visitors_and_staff_have_no_member_cards(client, staff):
    for user in (None, staff):
        if user:
            client.force_login(user)
        html = home(client)
        assert 'id="my-open-petitions"' not in html
        assert 'id="my-points-home"' not in html


# --- the representative -----------------------------------------------------------------


def this_monday():
    today = timezone.localdate()
    return today - timedelta(days=today.weekday())


def str_span(shift: DutyShift) -> str:
    with translation.override("zh-hans"):
        return str(shift.span)


def test_a_representative_on_duty_sees_the_weeks_visitors_and_their_next_week(
    client, rep, staff
):
    shift = DutyShiftFactory(week_start=this_monday(), representative=rep)
    later = DutyShiftFactory(
        week_start=this_monday() + timedelta(days=28), representative=rep
    )
    for name in ("王先生", "李女士", "赵经理", "孙会计"):
        DutyLogEntryFactory(shift=shift, visitor_name=name)
    DutyLogEntryFactory(shift=shift, visitor_name="秘书处登记的来访", recorded_by=staff)
    client.force_login(rep.user)

    html = home(client)
    card = section(html, "duty-now")

    assert html.index('id="duty-now"') < html.index('id="my-open-petitions"')
    assert "本周已登记来访4人" in card
    # the latest three, newest first
    assert card.index("孙会计") < card.index("赵经理") < card.index("李女士")
    assert "王先生" not in card
    assert "秘书处登记的来访" not in card
    assert f'href="{reverse("members:duty_log")}#record">登记来访</a>' in card
    assert zh("Your next duty week: %(span)s", span=str_span(later)) in card


def test_a_representative_off_duty_sees_their_next_duty_week(client, rep):
    later = DutyShiftFactory(
        week_start=this_monday() + timedelta(days=14), representative=rep
    )
    client.force_login(rep.user)

    html = home(client)

    assert 'id="duty-now"' not in html
    card = section(html, "duty-next")
    assert str_span(later) in card
    assert html.index('id="duty-next"') < html.index('id="my-open-petitions"')


# --- speed ------------------------------------------------------------------------------


def _cold_queries(client) -> int:
    """Queries of one home page with every cache empty (standings, published, session)."""
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        home(client)
    return len(queries)


def test_the_home_page_reads_as_many_queries_for_20_petitions_as_for_2(
    client, rep, staff, django_assert_num_queries
):
    group = GroupMembershipFactory(member=rep).group
    shift = DutyShiftFactory(week_start=this_monday(), representative=rep)
    DutyShiftFactory(week_start=this_monday() + timedelta(days=7), representative=rep)
    kind = ArticleKind.objects.get(code="policy")

    def more(n: int) -> None:
        for _ in range(n):
            PetitionFactory(enterprise=rep.enterprise)
            Registration.objects.create(
                activity=ActivityFactory(), member=rep, status="registered"
            )
            GroupMembershipFactory(group=group)
            DutyLogEntryFactory(shift=shift)
            articles.publish_article(
                article=Article.objects.create(kind=kind, title="政策"), actor=staff
            )
        PetitionFactory(enterprise=MemberFactory().enterprise)

    more(2)
    client.force_login(rep.user)
    home(client)  # the session and the user's roles are cached after the first request
    few = _cold_queries(client)

    more(18)
    with django_assert_num_queries(few):
        cache.clear()
        home(client)
