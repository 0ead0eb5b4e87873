"""The members' monthly news, as members and staff see it (publicity/newsletter.py).

April 2026 is the month under test: beat plans it on Wednesday 1 April at 09:00, so the
clock is set there. It tells the policies published in March and the public activities
of April. Planning writes each e-mail to the outbox, whose sender tasks (eager here)
send it; sending is checked at a real SMTP server on loopback (tests/publicity).
"""

import re
from datetime import date, timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core import signing
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, pgettext
from django_celery_beat.models import PeriodicTask

from chamber import outbox
from chamber.celery import app as celery_app
from chamber.models import OutgoingMessage, User
from members.models import Enterprise, Member
from publicity import newsletter, tasks
from publicity import services as articles
from publicity.models import Article, ArticleKind, NewsletterDelivery, NewsSubscription
from tests.factories import (
    ActivityFactory,
    EnterpriseFactory,
    MemberFactory,
    OfficialFactory,
    SeriesFactory,
)
from tests.support.review_cycle import at
from tests.support.smtp import sent_deliveries, smtp_server

MONTH = date(2026, 4, 1)
MARCH = date(2026, 3, 1)
XSS = "<script>alert(1)</script>"
SETTINGS_URL = "/news/monthly/"
BAD = "INVALID-VARIABLE(%s)"


def t(
    msgid: str, language: str = "zh-hans", *, context: str = "", **values: str
) -> str:
    """What a page in `language` shows for our English source text (zh-hans by default)."""
    with translation.override(language):
        text = pgettext(context, msgid) if context else gettext(msgid)
    return text % values if values else text


STOPS = "The monthly news e-mail to %(email)s will stop. Nothing else changes: your account and the chamber's other e-mails stay as they are."
STOPPED = "Done: no more monthly news will be sent to %(email)s."
NOT_SUBSCRIBED = (
    "%(email)s is not subscribed to the monthly news, so nothing was changed."
)
BAD_LINK = "This unsubscribe link does not work"


def publish(staff, title: str, on, *, kind: str = "policy", hour: int = 10, **fields):
    draft = Article.objects.create(
        kind=ArticleKind.objects.get(code=kind), title=title, **fields
    )
    return articles.publish_article(article=draft, actor=staff, now=at(on, hour))


def member(name: str, *, subscribed: bool = True, enterprise=None, **user) -> Member:
    """A member called `name`, subscribed in March unless told otherwise."""
    found = MemberFactory(
        user__full_name=name,
        enterprise=enterprise or EnterpriseFactory(),
        **{f"user__{k}": v for k, v in user.items()},
    )
    if subscribed:
        newsletter.subscribe(user=found.user, now=at(MARCH))
    return found


@pytest.fixture(autouse=True)
def _show_invalid_variables(settings):
    """A mistyped variable shows in the page or e-mail as INVALID-VARIABLE, not as nothing."""
    options = settings.TEMPLATES[0]["OPTIONS"]
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "OPTIONS": {**options, "string_if_invalid": BAD}}
    ]


@pytest.fixture
def policy(staff):
    return publish(
        staff, "稳岗补贴申领指南", date(2026, 3, 20), summary="符合条件的企业可申领。"
    )


@pytest.fixture
def activity(db):
    return ActivityFactory(
        title="走进营口港", starts_at=at(date(2026, 4, 15), 14), place="营口港"
    )


@pytest.fixture
def plan_month(django_capture_on_commit_callbacks):
    """Beat's task on 1 April, 09:00, with the sends it queues run after commit."""

    def run(month: date = MONTH, *, hour: int = 9):
        with (
            time_machine.travel(at(month, hour), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            return tasks.plan_monthly_news.delay(month.isoformat()).get()

    return run


@pytest.fixture
def smtp(settings):
    """A real SMTP server on 127.0.0.1 that the portal sends to."""
    with smtp_server() as (sink, port):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        yield sink


def unsubscribe_path(message) -> str:
    """The path of the unsubscribe link the e-mail gives, in its text and its HTML."""
    site = re.escape(django_settings.SITE_URL)
    (url,) = set(re.findall(rf"{site}/news/monthly/unsubscribe/[^/\s]+/", message.body))
    assert f'href="{url}"' in message.alternatives[0][0]
    return url[len(django_settings.SITE_URL) :]


def subscription(user) -> NewsSubscription:
    return NewsSubscription.objects.get(user=user)


# --- the member's page ------------------------------------------------------------------------


def test_a_member_subscribes_and_unsubscribes_on_their_page(client, alice):
    client.force_login(alice.user)

    page = client.get(SETTINGS_URL)
    assert page.status_code == 200
    assert 'value="subscribe"' in page.content.decode()
    assert not NewsSubscription.objects.exists()

    response = client.post(SETTINGS_URL, {"action": "subscribe"})
    assert response.status_code == 302
    assert subscription(alice.user).is_active
    page = client.get(SETTINGS_URL).content.decode()
    assert 'value="unsubscribe"' in page and 'value="subscribe"' not in page
    assert "INVALID-VARIABLE" not in page
    assert alice.user.email in page

    client.post(SETTINGS_URL, {"action": "unsubscribe"})
    stopped = subscription(alice.user)
    assert not stopped.is_active
    assert stopped.unsubscribed_at is not None
    assert 'value="subscribe"' in client.get(SETTINGS_URL).content.decode()

    client.post(SETTINGS_URL, {"action": "subscribe"})
    again = subscription(alice.user)
    assert again.is_active and again.unsubscribed_at is None
    assert again.subscribed_at > stopped.subscribed_at


def test_the_subscription_page_is_for_members_only(client, staff):
    assert client.get(SETTINGS_URL).status_code == 302  # to the login page
    gone = MemberFactory(enterprise__status=Enterprise.Status.LEFT)
    for user in (staff, OfficialFactory().user, gone.user):
        client.force_login(user)
        assert client.get(SETTINGS_URL).status_code == 403
        assert client.post(SETTINGS_URL, {"action": "subscribe"}).status_code == 403
    assert not NewsSubscription.objects.exists()


def test_a_member_without_an_address_is_told_no_email_can_reach_them(client, db):
    lost = MemberFactory(user__email="")
    client.force_login(lost.user)

    page = client.get(SETTINGS_URL).content.decode()

    assert (
        t(
            "Your account has no e-mail address, so no e-mail can reach you. Please ask the secretariat of the chamber to add one."
        )
        in page
    )


# --- the link in the e-mail -------------------------------------------------------------------


@pytest.fixture
def alice_news(alice, policy, plan_month, mailoutbox):
    """Alice subscribed and got April's e-mail."""
    newsletter.subscribe(user=alice.user, now=at(MARCH))
    plan_month()
    (message,) = mailoutbox
    return message


def test_the_signed_link_unsubscribes_once(
    staff, alice, alice_news, plan_month, mailoutbox
):
    path = unsubscribe_path(alice_news)
    anonymous = Client()
    masked = newsletter.masked_email(alice.user.email)

    page = anonymous.get(path)  # a link checker opening the link changes nothing
    assert page.status_code == 200
    html = page.content.decode()
    assert t(STOPS, email=masked) in html and "<form" in html
    assert alice.user.email not in html  # masked: m***@example.com only
    assert "INVALID-VARIABLE" not in html
    assert subscription(alice.user).is_active

    done = anonymous.post(path)
    assert done.status_code == 200
    assert t(STOPPED, email=masked) in done.content.decode()
    stopped = subscription(alice.user)
    assert not stopped.is_active and stopped.unsubscribed_at is not None

    again = anonymous.post(path)
    assert again.status_code == 200
    assert t(NOT_SUBSCRIBED, email=masked) in again.content.decode()
    assert t(STOPS, email=masked) not in again.content.decode()
    assert "INVALID-VARIABLE" not in done.content.decode() + again.content.decode()
    assert subscription(alice.user).unsubscribed_at == stopped.unsubscribed_at

    mailoutbox.clear()
    publish(staff, "四月新政", date(2026, 4, 10))
    plan_month(date(2026, 5, 1))
    assert mailoutbox == []


def tampered(token: str, other_user) -> list[str]:
    """The token altered in the ways a link gets broken or forged."""
    value, stamp, signature = token.split(":")
    other_value = newsletter.unsubscribe_token(other_user).split(":")[0]
    flipped = "A" if signature[-1] != "A" else "B"
    return [
        f"{value}:{stamp}:{signature[:-1]}{flipped}",  # one character of the signature
        f"{other_value}:{stamp}:{signature}",  # someone else's number, this signature
        token[:-5],  # copied incompletely
        signing.dumps(other_user.pk),  # signed by the site, but not for this purpose
        "nothing",
    ]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_tampered_link_is_refused_in_the_readers_language_and_changes_nothing(
    alice, bob, alice_news, language
):
    newsletter.subscribe(user=bob.user)
    token = unsubscribe_path(alice_news).rstrip("/").rsplit("/", 1)[1]
    anonymous = Client(HTTP_ACCEPT_LANGUAGE=language)

    for bad in tampered(token, bob.user):
        path = reverse("publicity:news_unsubscribe", args=[bad])
        for response in (anonymous.get(path), anonymous.post(path)):
            assert response.status_code == 400
            html = response.content.decode()
            assert f'<html lang="{language}">' in html
            assert t(BAD_LINK, language) in html
            assert "INVALID-VARIABLE" not in html

    assert subscription(alice.user).is_active
    assert subscription(bob.user).is_active


def test_a_mail_programs_one_click_post_unsubscribes_without_a_session(
    alice, alice_news
):
    path = unsubscribe_path(alice_news)
    mail_program = Client(enforce_csrf_checks=True)

    response = mail_program.post(
        path,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert not subscription(alice.user).is_active


def test_the_email_gives_its_unsubscribe_link_on_an_https_site(
    alice, policy, plan_month, mailoutbox, settings
):
    settings.SITE_URL = "https://portal.example.cn"
    newsletter.subscribe(user=alice.user)

    plan_month()

    (message,) = mailoutbox
    assert unsubscribe_path(message).startswith("/news/monthly/unsubscribe/")
    assert "https://portal.example.cn/news/monthly/unsubscribe/" in message.body


@pytest.mark.parametrize("site", ["https://portal.example.cn", "http://portal.test"])
def test_the_email_names_its_unsubscribe_link_in_its_headers_one_click_on_https(
    alice, policy, plan_month, mailoutbox, settings, site
):
    settings.SITE_URL = site
    newsletter.subscribe(user=alice.user)

    plan_month()

    (message,) = mailoutbox
    headers = message.message()
    url = re.fullmatch(r"<(.+)>", headers["List-Unsubscribe"]).group(1)
    assert url == site + unsubscribe_path(message)
    one_click = headers["List-Unsubscribe-Post"]
    if site.startswith("https://"):
        assert one_click == "List-Unsubscribe=One-Click"
    else:
        assert one_click is None


# --- what the e-mail says -----------------------------------------------------------------------


def test_the_email_lists_last_months_policies_and_this_months_public_activities(
    staff, alice, plan_month, mailoutbox
):
    newsletter.subscribe(user=alice.user)
    first = publish(staff, "三月第一天的政策", MARCH, hour=0)
    last = publish(staff, "三月最后一天的政策", date(2026, 3, 31), hour=23)
    february = publish(staff, "二月的政策", date(2026, 2, 28), hour=23)
    april = publish(staff, "四月一日零点的政策", MONTH, hour=0)
    news = publish(staff, "三月的新闻", date(2026, 3, 5), kind="news")
    withdrawn = publish(staff, "撤回的政策", date(2026, 3, 6))
    articles.withdraw_article(article=withdrawn, actor=staff)
    public = ActivityFactory(
        title="四月的公开活动", starts_at=at(date(2026, 4, 30), 14)
    )
    ActivityFactory(
        title="企业家会客厅",
        series=SeriesFactory(name="企业家会客厅"),
        session_number=3,
        starts_at=at(date(2026, 4, 8), 14),
    )
    private = ActivityFactory(
        title="会员内部活动", is_public=False, starts_at=at(date(2026, 4, 9))
    )
    draft = ActivityFactory(
        title="草稿活动", status="draft", starts_at=at(date(2026, 4, 9))
    )
    may = ActivityFactory(title="五月的活动", starts_at=at(date(2026, 5, 1), 9))
    early = ActivityFactory(title="四月一日清晨的活动", starts_at=at(MONTH, 8))

    plan_month()

    (message,) = mailoutbox
    html = message.alternatives[0][0]
    for text in (first.title, last.title, public.title, "企业家会客厅（第3期）"):
        assert text in message.body and text in html, text
    for text in (
        february.title,
        april.title,
        news.title,
        withdrawn.title,
        private.title,
        draft.title,
        may.title,
        early.title,
    ):
        assert text not in message.body and text not in html, text
    site = django_settings.SITE_URL
    assert f"{site}{reverse('publicity:article', args=[first.pk])}" in html
    assert f"{site}{public.get_absolute_url()}" in message.body
    assert "INVALID-VARIABLE" not in message.subject + message.body + html
    assert "2026-04" in message.subject


def test_policy_and_activity_titles_are_escaped_in_the_html_part(
    staff, alice, plan_month, mailoutbox
):
    newsletter.subscribe(user=alice.user)
    publish(staff, XSS, date(2026, 3, 20), summary=f"摘要{XSS}")
    ActivityFactory(title=f"活动{XSS}", place=XSS, starts_at=at(date(2026, 4, 15)))

    plan_month()

    (message,) = mailoutbox
    html = message.alternatives[0][0]
    assert "<script>" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 4
    assert XSS in message.body  # plain text is not HTML: shown as written


def test_each_member_reads_it_in_their_language(alice, policy, plan_month, mailoutbox):
    li = member("Li Ming", language="en")
    newsletter.subscribe(user=alice.user)

    plan_month()

    by_address = {m.to[0]: m for m in mailoutbox}
    assert '<html lang="en">' in by_address[li.user.email].alternatives[0][0]
    assert "Hello Li Ming," in by_address[li.user.email].body
    assert '<html lang="zh-hans">' in by_address[alice.user.email].alternatives[0][0]


def test_a_month_with_nothing_new_sends_nothing(staff, alice, plan_month, mailoutbox):
    newsletter.subscribe(user=alice.user)
    publish(staff, "二月的政策", date(2026, 2, 10))
    publish(staff, "三月的新闻", date(2026, 3, 10), kind="news")
    ActivityFactory(title="五月的活动", starts_at=at(date(2026, 5, 6)))
    ActivityFactory(
        title="会员内部活动", is_public=False, starts_at=at(date(2026, 4, 9))
    )

    assert plan_month() == []

    assert mailoutbox == []
    assert not NewsletterDelivery.objects.exists()


# --- once, to members only, at a real SMTP server -------------------------------------------------


@pytest.fixture
def readers(alice, bob):
    """Who asked, and who gets April's e-mail: Alice and Bob only."""
    newsletter.subscribe(user=alice.user, now=at(MARCH))
    newsletter.subscribe(user=bob.user, now=at(MARCH))
    member("没订阅的会员", subscribed=False)
    newsletter.unsubscribe(user=member("退订的会员").user, now=at(date(2026, 3, 15)))
    member(
        "已退会企业的会员", enterprise=EnterpriseFactory(status=Enterprise.Status.LEFT)
    )
    member("停用的账号", is_active=False)
    member("没有邮箱的会员", email="")
    official = OfficialFactory(user__full_name="订阅的官员")  # not a member
    newsletter.subscribe(user=official.user)
    return sorted([alice.user.email, bob.user.email])


def test_planning_twice_sends_each_subscribed_member_one_email(
    readers, policy, activity, smtp, plan_month, django_capture_on_commit_callbacks
):
    plan_month()
    plan_month(hour=10)
    with (
        time_machine.travel(at(MONTH, 11), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert newsletter.plan_monthly_news(month=MONTH) == []
        for delivery in NewsletterDelivery.objects.all():
            tasks.send_monthly_news.delay(delivery.pk)
            tasks.send_monthly_news.delay(delivery.pk)
        outbox.sweep(now=at(MONTH, 12))

    assert smtp.recipients() == readers
    for received in smtp.messages:
        assert received.contains(
            policy.title, activity.title, "/news/monthly/unsubscribe/"
        )
    assert NewsletterDelivery.objects.count() == 2
    assert sent_deliveries(NewsletterDelivery.objects) == 2
    assert OutgoingMessage.objects.filter(kind="monthly-news").count() == 2


def test_a_sender_task_delivered_twice_before_it_ran_sends_once(
    readers, policy, smtp, django_capture_on_commit_callbacks
):
    with time_machine.travel(at(MONTH, 9), tick=False):
        with django_capture_on_commit_callbacks() as sends:
            newsletter.plan_monthly_news(month=MONTH)
        assert len(sends) == 2

        for callback in sends + sends:
            callback()

    assert smtp.recipients() == readers


def test_a_member_who_unsubscribes_after_planning_gets_nothing_even_from_staff(
    alice, bob, policy, smtp, client, staff, django_capture_on_commit_callbacks
):
    newsletter.subscribe(user=alice.user)
    newsletter.subscribe(user=bob.user)
    with time_machine.travel(at(MONTH, 9), tick=False):
        with django_capture_on_commit_callbacks() as sends:
            newsletter.plan_monthly_news(month=MONTH)
        newsletter.unsubscribe(user=bob.user)
        for callback in sends:
            callback()

    assert smtp.recipients() == [alice.user.email]
    skipped = NewsletterDelivery.objects.get(user=bob.user)
    assert skipped.message.status == OutgoingMessage.Status.CANCELLED

    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:publicity_newsletterdelivery_changelist"),
            {"action": "send_news_again", "_selected_action": [skipped.pk]},
        )
    assert smtp.recipients() == [alice.user.email]


def test_a_busy_mail_server_gets_the_news_at_the_outboxs_next_try(
    readers, policy, smtp, plan_month, django_capture_on_commit_callbacks
):
    smtp.refuse = 1

    plan_month()

    assert (smtp.refused, len(smtp.recipients())) == (1, 1)
    with (
        time_machine.travel(at(MONTH, 9, 5), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        outbox.sweep()  # beat's sweep, a minute after the first retry fell due

    assert smtp.recipients() == readers


def test_news_refused_for_good_show_as_failed_and_staff_send_them_again(
    readers,
    policy,
    smtp,
    plan_month,
    client,
    staff,
    django_capture_on_commit_callbacks,
    alice,
):
    smtp.refuse, smtp.refusal = 2, "550 5.1.1 Mailbox unavailable"

    plan_month()

    failed = NewsletterDelivery.objects.get(user=alice.user)
    assert failed.message.status == OutgoingMessage.Status.FAILED
    assert "550" in failed.message.last_error
    client.force_login(staff)
    changelist = reverse("admin:publicity_newsletterdelivery_changelist")
    page = client.get(changelist).content.decode()
    assert t("failed", context="message") in page and "550" in page

    with (
        time_machine.travel(at(MONTH, 14), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        client.post(
            changelist,
            {"action": "send_news_again", "_selected_action": [failed.pk]},
        )

    assert smtp.recipients() == [alice.user.email]
    failed.message.refresh_from_db()
    assert failed.message.status == OutgoingMessage.Status.SENT


# --- the schedule and the admin -----------------------------------------------------------------


def test_beat_plans_the_news_at_nine_on_the_first_of_each_month(db):
    task = PeriodicTask.objects.get(task="publicity.tasks.plan_monthly_news")
    cron = task.crontab
    assert (cron.minute, cron.hour, cron.day_of_month, cron.month_of_year) == (
        "0",
        "9",
        "1",
        "*",
    )
    assert cron.day_of_week == "*"
    assert str(cron.timezone) == "Asia/Shanghai"
    assert task.enabled and task.task in celery_app.tasks


def test_beat_without_a_month_plans_the_current_one(alice, policy, mailoutbox):
    newsletter.subscribe(user=alice.user)
    with time_machine.travel(at(MONTH, 9), tick=False):
        planned = tasks.plan_monthly_news.delay().get()

    assert NewsletterDelivery.objects.get(pk__in=planned).month == MONTH


def test_staff_see_the_subscriptions_in_the_admin(client, staff, alice):
    newsletter.subscribe(user=alice.user)
    client.force_login(staff)

    page = client.get(reverse("admin:publicity_newssubscription_changelist"))

    assert page.status_code == 200
    assert alice.user.get_full_name() in page.content.decode()


# --- constant queries ---------------------------------------------------------------------------


def _statements(queries) -> list[str]:
    """What each statement does (text before WHERE); SQLite's split bulk INSERT counts once."""
    statements: list[str] = []
    for query in queries:
        sql = re.sub(r'"s\d+_x\d+"', '"savepoint"', query["sql"])
        shape = sql.split(" (", 1)[0] if sql.startswith("INSERT") else sql
        shape = shape.split(" WHERE ", 1)[0]
        if shape.startswith("INSERT") and statements and statements[-1] == shape:
            continue
        statements.append(shape)
    return statements


def _add_subscribers(n: int) -> None:
    """n subscribed members of one enterprise, written in bulk (volume only)."""
    enterprise = EnterpriseFactory()
    first = User.objects.count()
    users = User.objects.bulk_create(
        User(username=f"news{first + i}", email=f"news{first + i}@example.com")
        for i in range(n)
    )
    Member.objects.bulk_create(Member(user=u, enterprise=enterprise) for u in users)
    NewsSubscription.objects.bulk_create(NewsSubscription(user=u) for u in users)


def _plan_queries(month: date) -> list[dict]:
    with (
        time_machine.travel(at(month, 9), tick=False),
        CaptureQueriesContext(connection) as queries,
    ):
        planned = newsletter.plan_monthly_news(month=month)
    assert len(planned) == newsletter.subscribers().count()
    written = OutgoingMessage.objects.filter(
        kind="monthly-news", pk__in=NewsletterDelivery.objects.values("message")
    )
    assert written.filter(created_at=at(month, 9)).count() == len(planned)
    return queries.captured_queries


@pytest.fixture
def busy_months(staff):
    """March and April both have policies, and April and May both have activities."""
    for day in (date(2026, 3, 3), date(2026, 4, 3)):
        for i in range(12):
            publish(staff, f"政策{day:%m}-{i}", day)
    series = SeriesFactory(name="企业家会客厅")
    for month in (4, 5):
        for i in range(12):
            ActivityFactory(
                starts_at=at(date(2026, month, 10 + i)),
                series=series if i % 2 else None,
                session_number=month * 100 + i if i % 2 else None,
            )


def test_planning_the_emails_of_100_subscribers_takes_the_queries_of_10(
    busy_months,
):
    _add_subscribers(10)
    small = _plan_queries(MONTH)
    _add_subscribers(90)

    large = _plan_queries(date(2026, 5, 1))

    assert _statements(large) == _statements(small)


@pytest.mark.postgres
def test_planning_for_100_subscribers_takes_the_queries_of_10_on_postgresql(
    busy_months,
):
    _add_subscribers(10)
    small = _plan_queries(MONTH)
    _add_subscribers(90)

    large = _plan_queries(date(2026, 5, 1))

    assert len(large) == len(small)


def test_building_an_email_does_not_grow_with_the_months_contents(staff, mailoutbox):
    reader = member("王会员")
    delivery = NewsletterDelivery.objects.create(user=reader.user, month=MONTH)

    def queries() -> int:
        loaded = NewsletterDelivery.objects.select_related(
            "user__news_subscription", "user__member__enterprise"
        ).get(pk=delivery.pk)
        with CaptureQueriesContext(connection) as captured:
            assert newsletter.build_message(loaded, now=at(MONTH, 9)) is not None
        return len(captured.captured_queries)

    publish(staff, "一条政策", date(2026, 3, 3))
    ActivityFactory(starts_at=at(date(2026, 4, 10)))
    few = queries()
    series = SeriesFactory(name="企业家会客厅")
    for i in range(25):
        publish(staff, f"政策{i}", date(2026, 3, 4))
        ActivityFactory(
            starts_at=at(date(2026, 4, 11)) + timedelta(hours=i % 8),
            series=series,
            session_number=i + 1,
        )

    assert queries() == few


def test_a_delivery_of_a_member_gone_since_planning_sends_nothing(staff, mailoutbox):
    reader = member("王会员")
    publish(staff, "一条政策", date(2026, 3, 3))
    delivery = NewsletterDelivery.objects.create(user=reader.user, month=MONTH)
    Enterprise.objects.filter(pk=reader.enterprise_id).update(
        status=Enterprise.Status.LEFT
    )

    assert newsletter.hand_over_news(delivery_id=delivery.pk) is False
    assert mailoutbox == []
    delivery.refresh_from_db()
    assert (delivery.status, delivery.message) == (
        NewsletterDelivery.Status.NOTHING,
        None,
    )
