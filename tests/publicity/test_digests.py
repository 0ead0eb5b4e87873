"""The weekly digests, as officials, leaders and staff see them (publicity/digests.py).

Monday 23 March 2026 is the week under test (March 2026 has no public holiday). The
weekly dispatch hands the week to the digests after it commits; planning writes each
digest to the outbox, whose sender tasks (eager here) send them; both read the clock
themselves, so the clock is set to that Monday, 09:00. Idempotency and failures are
checked at a real SMTP server on loopback; the real worker is in test_digest_worker.py.
"""

import re
import socket
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
import time_machine
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from chamber import outbox, workdays
from chamber.models import Official, OutgoingMessage, User
from petitions import review, services
from petitions.models import Escalation, Petition, ReviewRun, Section
from publicity import digests, tasks
from publicity import services as articles
from publicity.models import Article, ArticleKind, DigestDelivery, DigestPreference
from tests.factories import (
    DepartmentFactory,
    EnterpriseFactory,
    LeaderFactory,
    MemberFactory,
    OfficialFactory,
    PetitionFactory,
)
from tests.support.mail import mails_to
from tests.support.review_cycle import at, dispatched
from tests.support.smtp import rendered, sent_deliveries, smtp_server
from tests.support.words import heading, zh

S = Petition.Status
WEEK = date(2026, 3, 23)  # a Monday
SUBJECT = "Petitions waiting for %(department)s, week of %(week)s"


def subject(department, *, language: str = "zh-hans") -> str:
    with translation.override(language):
        return gettext(SUBJECT) % {"department": department.name, "week": "2026-03-23"}


def link(petition: Petition) -> str:
    return django_settings.SITE_URL + reverse(
        "petitions:department_detail", args=[petition.pk]
    )


def assert_email_contains(message, *texts: str) -> None:
    """Each text is in the plain body and in the HTML part."""
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    for text in texts:
        assert text in message.body, text
        assert text in html, text


def assert_email_lacks(message, *texts: str) -> None:
    html = message.alternatives[0][0]
    for text in texts:
        assert text not in message.body, text
        assert text not in html, text


@pytest.fixture
def run_week(django_capture_on_commit_callbacks):
    """The weekly dispatch on Monday 09:00, with what it queues run after commit."""

    def run(on: date = WEEK):
        with (
            time_machine.travel(at(on, 9), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            return review.run_weekly_dispatch(on=on)

    return run


@pytest.fixture
def board(staff):
    """Three departments: 住建局 and 市场监管局 with work waiting, 教育局 with nothing."""
    housing = DepartmentFactory(name="西市区住建局")
    market = DepartmentFactory(name="西市区市场监管局")
    education = DepartmentFactory(name="西市区教育局")
    replied = dispatched(staff, housing, due_on=date(2026, 3, 25), sign=True)
    services.record_department_reply(
        petition=replied,
        actor=staff,
        outcome=Petition.Outcome.RESOLVED,
        reply="已办结。",
        now=at(date(2026, 3, 20), 15),
    )
    return SimpleNamespace(
        housing=housing,
        market=market,
        education=education,
        # Due Thursday 19 March: on Monday 23, two working days late (Friday, Monday).
        overdue=dispatched(staff, housing, due_on=date(2026, 3, 19), sign=True),
        # Due Thursday 26 March: three working days left (Tuesday to Thursday).
        due_this_week=dispatched(staff, housing, due_on=date(2026, 3, 26), sign=True),
        new=dispatched(staff, housing, due_on=date(2026, 4, 3)),
        replied=replied,
        # Due Thursday 12 March: seven working days late on Monday 23 (not escalated).
        late=dispatched(staff, market, due_on=date(2026, 3, 12), sign=True),
        wang=OfficialFactory(department=housing, user__full_name="王建华"),
        li=OfficialFactory(
            department=housing, user__full_name="Li Ming", user__language="en"
        ),
        chen=OfficialFactory(department=market, user__full_name="陈立"),
        zhou=OfficialFactory(department=education, user__full_name="周敏"),
    )


# --- what officials and leaders get -------------------------------------------------------


def test_an_official_gets_one_chinese_digest_of_their_departments_waiting_petitions(
    board, run_week, mailoutbox
):
    run_week()

    (message,) = mails_to(mailoutbox, board.wang.user)
    assert message.subject == subject(board.housing)
    assert_email_contains(
        message,
        "王建华",
        heading(Section.OVERDUE),
        board.overdue.number,
        board.overdue.title,
        "超期 2 个工作日",
        link(board.overdue),
        heading(Section.DUE_THIS_WEEK),
        board.due_this_week.number,
        board.due_this_week.title,
        "期限 2026-03-26，还剩 3 个工作日",
        link(board.due_this_week),
        heading(Section.NEW),
        board.new.number,
        board.new.title,
        "期限 2026-04-03",
        link(board.new),
        board.overdue.enterprise.name,
    )
    # Replied already: nothing waits for the department there.
    assert_email_lacks(message, board.replied.number, link(board.replied))


def test_an_official_who_reads_english_gets_the_digest_in_english(
    board, run_week, mailoutbox
):
    run_week()

    (message,) = mails_to(mailoutbox, board.li.user)
    assert message.subject == subject(board.housing, language="en")
    assert_email_contains(
        message,
        "Hello Li Ming,",
        "Overdue",
        "2 working days overdue",
        "Due this week",
        "due 2026-03-26, 3 working days left",
        "New, to sign for",
        link(board.overdue),
        link(board.due_this_week),
        link(board.new),
    )
    assert_email_lacks(message, "超期", "本周到期")


def test_the_digest_never_lists_another_departments_petitions(
    board, run_week, mailoutbox
):
    run_week()

    (housing,) = mails_to(mailoutbox, board.wang.user)
    (market,) = mails_to(mailoutbox, board.chen.user)
    assert market.subject == subject(board.market)
    assert_email_contains(
        market, board.late.number, "超期 7 个工作日", link(board.late)
    )
    assert_email_lacks(
        market, board.overdue.number, board.due_this_week.number, board.new.number
    )
    assert_email_lacks(housing, board.late.number, link(board.late))


def test_officials_of_a_department_with_nothing_waiting_get_no_digest(
    board, run_week, mailoutbox
):
    run_week()

    assert mails_to(mailoutbox, board.zhou.user) == []
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [board.wang.user.email, board.li.user.email, board.chen.user.email]
    )


def test_leaders_get_a_digest_of_the_open_escalations(
    board, staff, run_week, mailoutbox
):
    leader = LeaderFactory(user__full_name="赵区长")
    # Due Friday 6 March: eleven working days late on Monday 23, so escalated.
    escalated = dispatched(staff, board.market, due_on=date(2026, 3, 6), sign=True)

    run_week()

    (message,) = [
        m for m in mails_to(mailoutbox, leader.user) if "已上报区领导" in m.subject
    ]
    assert "2026-03-23" in message.subject
    assert_email_contains(
        message,
        "赵区长",
        escalated.number,
        escalated.title,
        board.market.name,
        django_settings.SITE_URL + reverse("petitions:escalations"),
    )
    assert_email_lacks(message, board.late.number, board.overdue.number)
    (chen,) = mails_to(mailoutbox, board.chen.user)
    assert_email_contains(chen, escalated.number, "超期 11 个工作日")


def test_leaders_get_no_digest_in_a_week_without_escalations(
    staff, run_week, mailoutbox
):
    leader = LeaderFactory()
    housing = DepartmentFactory(name="西市区住建局")
    official = OfficialFactory(department=housing)
    dispatched(staff, housing, due_on=date(2026, 3, 19), sign=True)

    run_week()

    assert mails_to(mailoutbox, leader.user) == []
    assert len(mails_to(mailoutbox, official.user)) == 1
    assert not DigestDelivery.objects.filter(kind=DigestDelivery.Kind.LEADER).exists()


def test_a_department_whose_waiting_petitions_all_fall_due_later_gets_no_digest(
    staff, run_week, mailoutbox
):
    """Signed for and due after the week's end: nothing to list, so nothing is planned."""
    housing = DepartmentFactory(name="西市区住建局")
    official = OfficialFactory(department=housing)
    dispatched(staff, housing, due_on=date(2026, 4, 10), sign=True)

    run_week()

    assert mails_to(mailoutbox, official.user) == []
    assert not DigestDelivery.objects.filter(official=official).exists()


def test_a_digest_planned_before_the_outbox_whose_petitions_were_settled_says_nothing_to_send(
    staff, mailoutbox, django_capture_on_commit_callbacks
):
    """A delivery still pending at the upgrade is handed over by its task when it comes;
    with nothing left to list by then, no e-mail is written."""
    housing = DepartmentFactory(name="西市区住建局")
    official = OfficialFactory(department=housing)
    petition = dispatched(staff, housing, due_on=date(2026, 3, 19), sign=True)
    delivery = DigestDelivery.objects.create(
        official=official, week_start=WEEK, kind=DigestDelivery.Kind.DEPARTMENT
    )
    services.record_department_reply(
        petition=petition,
        actor=staff,
        outcome=Petition.Outcome.RESOLVED,
        reply="已办结。",
        now=at(WEEK, 9),
    )

    with (
        time_machine.travel(at(WEEK, 10), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        handed_over = tasks.send_weekly_digest.delay(delivery.pk).get()

    assert handed_over is False
    assert mailoutbox == []
    assert not OutgoingMessage.objects.filter(kind="weekly-digest").exists()
    delivery = official.digest_deliveries.get()
    assert (delivery.status, delivery.message) == (DigestDelivery.Status.NOTHING, None)
    assert delivery.state == zh("nothing to send any more")


def test_a_digest_planned_before_the_outbox_is_sent_once_by_its_task(
    board, mailoutbox, django_capture_on_commit_callbacks
):
    delivery = DigestDelivery.objects.create(
        official=board.wang, week_start=WEEK, kind=DigestDelivery.Kind.DEPARTMENT
    )

    with (
        time_machine.travel(at(WEEK, 9), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert tasks.send_weekly_digest.delay(delivery.pk).get() is True
        assert tasks.send_weekly_digest.delay(delivery.pk).get() is False
        digests.plan_weekly_digests(week_start=WEEK)

    (message,) = mails_to(mailoutbox, board.wang.user)
    assert message.subject == subject(board.housing)
    delivery.refresh_from_db()
    assert delivery.message.status == OutgoingMessage.Status.SENT
    assert delivery.state == zh("sent")


def test_the_leaders_digest_lists_the_oldest_escalations_and_counts_the_rest(
    staff, monkeypatch
):
    monkeypatch.setattr(digests, "LEADER_DIGEST_ROWS", 3)
    leader = LeaderFactory()
    market = DepartmentFactory(name="西市区市场监管局")
    run = ReviewRun.objects.create(
        kind=ReviewRun.Kind.DAILY, period_start=WEEK, period_end=WEEK
    )
    petitions = [PetitionFactory(department=market) for _ in range(5)]
    for n, petition in enumerate(petitions):
        Petition.objects.filter(pk=petition.pk).update(
            created_at=at(date(2026, 3, 2 + n), 9)
        )
        Escalation.objects.create(
            petition=petition,
            run=run,
            department=market,
            reason=Escalation.Reason.OVERDUE,
            period_start=WEEK,
        )
    delivery = DigestDelivery.objects.create(
        official=leader, week_start=WEEK, kind=DigestDelivery.Kind.LEADER
    )

    message = rendered(digests.build_message(delivery, now=at(WEEK, 9)), leader.user)

    assert "5 件诉求已上报区领导" in message.subject
    assert_email_contains(message, *(p.number for p in petitions[:3]))
    assert_email_lacks(message, *(p.number for p in petitions[3:]))
    assert_email_contains(message, "另有 2 件")


# --- once, at a real SMTP server ----------------------------------------------------------


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


def officials_emails(board) -> list[str]:
    return sorted(o.user.email for o in (board.wang, board.li, board.chen))


def test_a_weeks_digests_planned_twice_are_queued_once(board, run_week):
    run_week()

    with time_machine.travel(at(WEEK, 10), tick=False):
        assert digests.plan_weekly_digests(week_start=WEEK) == []

    messages = OutgoingMessage.objects.filter(kind="weekly-digest")
    assert sorted(messages.values_list("address", flat=True)) == officials_emails(board)
    assert DigestDelivery.objects.count() == 3
    for delivery in DigestDelivery.objects.select_related("message"):
        assert delivery.status == DigestDelivery.Status.IN_OUTBOX
        assert delivery.message.key == f"weekly-digest:{delivery.pk}"


def test_every_step_run_twice_still_sends_each_official_one_digest(
    board, smtp, run_week, django_capture_on_commit_callbacks
):
    run_week()
    run_week()
    with (
        time_machine.travel(at(WEEK, 10), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        digests.plan_weekly_digests(week_start=WEEK)
        tasks.plan_weekly_digests.delay(WEEK.isoformat())
        for delivery in DigestDelivery.objects.all():
            tasks.send_weekly_digest.delay(delivery.pk)
            tasks.send_weekly_digest.delay(delivery.pk)
        outbox.sweep(now=at(WEEK, 11))

    assert smtp.recipients() == officials_emails(board)
    (wang,) = smtp.to(board.wang.user.email)
    assert wang.subject == subject(board.housing)
    assert wang.contains(board.overdue.number, link(board.overdue), "超期 2 个工作日")
    assert DigestDelivery.objects.count() == 3
    assert sent_deliveries(DigestDelivery.objects) == 3


def test_a_digest_sender_delivered_twice_before_it_ran_sends_once(
    board, smtp, django_capture_on_commit_callbacks
):
    with time_machine.travel(at(WEEK, 9), tick=False):
        with django_capture_on_commit_callbacks() as after_dispatch:
            review.run_weekly_dispatch(on=WEEK)
        with django_capture_on_commit_callbacks() as sends:
            for callback in after_dispatch:
                callback()  # the week's notices and the digests' plan
        assert len(sends) == 3  # one sender task per official's message

        for callback in sends + sends:  # each task handed to a worker twice
            callback()

    assert smtp.recipients() == officials_emails(board)
    assert sent_deliveries(DigestDelivery.objects) == 3


# --- a failing mail server ------------------------------------------------------------------


def test_a_busy_mail_server_gets_the_digest_at_the_outboxs_next_try(
    board, smtp, run_week, django_capture_on_commit_callbacks
):
    smtp.refuse = 2

    run_week()

    assert smtp.refused == 2
    assert len(smtp.recipients()) == 1
    with (
        time_machine.travel(at(WEEK, 9, 5), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        outbox.sweep()  # beat's sweep, a minute after the first retry fell due

    assert smtp.recipients() == officials_emails(board)
    assert sorted(
        DigestDelivery.objects.values_list("message__attempts", flat=True)
    ) == [1, 2, 2]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _fail_for_good(server: str, smtp, settings) -> None:
    """The week's digests are planned and fail: refused for good (550), or the server
    down at every try the outbox makes (its sender tasks run here, one after another)."""
    if server == "refusing":
        smtp.refuse, smtp.refusal = 1000, "550 5.7.1 Message rejected"
    else:
        settings.EMAIL_PORT = closed_port()
    with time_machine.travel(at(WEEK, 9), tick=False):
        digests.plan_weekly_digests(week_start=WEEK)
    for message in OutgoingMessage.objects.filter(kind="weekly-digest"):
        while message.status == OutgoingMessage.Status.QUEUED:
            outbox.deliver(message.pk, now=message.next_try_at)
            message.refresh_from_db()


@pytest.mark.parametrize("server", ["refusing", "down"])
def test_a_digest_that_keeps_failing_shows_on_the_dashboard_and_staff_send_it_again(
    board,
    smtp,
    settings,
    client,
    staff,
    server,
    django_capture_on_commit_callbacks,
):
    _fail_for_good(server, smtp, settings)

    assert smtp.messages == []
    failed = DigestDelivery.objects.select_related("message").get(official=board.wang)
    assert failed.message.status == OutgoingMessage.Status.FAILED
    reason = failed.message.last_error
    assert ("550" if server == "refusing" else "无法连接邮件服务器") in reason
    client.force_login(staff)
    html = client.get(reverse("staff_dashboard")).content.decode()
    assert "王建华" in html and "Li Ming" in html and "陈立" in html
    assert reason.split("（")[0] in html  # the reason in words
    resend = reverse("publicity:resend_digest", args=[failed.pk])
    assert f'action="{resend}"' in html
    assert "重新发送" in html  # the button

    smtp.refuse = 0
    settings.EMAIL_PORT = smtp.port
    with (
        time_machine.travel(at(WEEK, 14), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(resend)
        again = client.post(resend)  # a second click sends nothing more

    assert (response.status_code, again.status_code) == (302, 302)
    assert smtp.recipients() == [board.wang.user.email]
    (message,) = smtp.messages
    assert message.contains(board.overdue.number, link(board.overdue))
    failed.message.refresh_from_db()
    assert failed.message.status == OutgoingMessage.Status.SENT
    html = client.get(reverse("staff_dashboard")).content.decode()
    assert "王建华" not in html and "Li Ming" in html


def test_only_staff_send_a_digest_again_and_only_by_post(
    board, client, staff, run_week, mailoutbox, django_capture_on_commit_callbacks
):
    run_week()
    delivery = DigestDelivery.objects.get(official=board.wang)
    resend = reverse("publicity:resend_digest", args=[delivery.pk])
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        client.force_login(board.wang.user)
        assert client.post(resend).status_code == 403
        client.force_login(MemberFactory().user)
        assert client.post(resend).status_code == 403
        client.force_login(staff)
        assert client.get(resend).status_code == 405

    assert mailoutbox == []
    delivery.refresh_from_db()
    assert delivery.message.status == OutgoingMessage.Status.SENT
    assert delivery.message.attempts == 1


# --- the officials' settings ------------------------------------------------------------------


@pytest.fixture
def policy(staff):
    """A policy published on the Friday before the week."""
    draft = Article.objects.create(
        kind=ArticleKind.objects.get(code="policy"), title="稳岗补贴申领指南"
    )
    return articles.publish_article(
        article=draft, actor=staff, now=at(date(2026, 3, 20), 10)
    )


def test_switching_off_the_policies_removes_them_from_the_next_digest_only(
    board, policy, client, run_week, mailoutbox
):
    client.force_login(board.wang.user)
    page = client.get(reverse("publicity:digest_settings"))
    assert page.status_code == 200
    assert zh("include the week's policies") in page.content.decode()

    # The box unticked: the browser sends the form's CSRF token and nothing else.
    response = client.post(
        reverse("publicity:digest_settings"),
        {"csrfmiddlewaretoken": str(page.context["csrf_token"])},
    )

    assert response.status_code == 302
    run_week()
    (wang,) = mails_to(mailoutbox, board.wang.user)
    assert_email_lacks(wang, "本周发布的惠企政策", policy.title)
    assert_email_contains(wang, board.overdue.number, link(board.overdue))
    (chen,) = mails_to(mailoutbox, board.chen.user)  # did not switch them off
    assert_email_contains(chen, "本周发布的惠企政策", policy.title)


def test_the_policies_come_back_when_switched_on_again(
    board, policy, client, run_week, mailoutbox
):
    DigestPreference.objects.create(official=board.wang, include_articles=False)
    client.force_login(board.wang.user)

    client.post(reverse("publicity:digest_settings"), {"include_articles": "on"})

    run_week()
    (wang,) = mails_to(mailoutbox, board.wang.user)
    assert_email_contains(wang, "本周发布的惠企政策", policy.title)


@pytest.mark.parametrize("who", ["member", "staff"])
def test_members_and_staff_have_no_digest_settings(client, staff, who):
    user = staff if who == "staff" else MemberFactory().user
    client.force_login(user)

    assert client.get(reverse("publicity:digest_settings")).status_code == 403
    assert (
        client.post(
            reverse("publicity:digest_settings"), {"include_articles": "on"}
        ).status_code
        == 403
    )
    assert not DigestPreference.objects.exists()


# --- constant queries ---------------------------------------------------------------------------


def _statements(queries) -> list[str]:
    """What each statement does (its text before WHERE; the table of an INSERT), one per
    bulk_create.

    SQLite takes at most 999 parameters in a statement, so Django splits a bulk_create
    of a few hundred rows into consecutive INSERTs into the same table; those count as
    the one set-based statement they are (PostgreSQL gets a single INSERT anyway).
    """
    statements: list[str] = []
    for query in queries:
        sql = re.sub(r'"s\d+_x\d+"', '"savepoint"', query["sql"])
        shape = sql.split(" (", 1)[0] if sql.startswith("INSERT") else sql
        shape = shape.split(" WHERE ", 1)[0]
        if shape.startswith("INSERT") and statements and statements[-1] == shape:
            continue
        statements.append(shape)
    return statements


def _add_officials(department, n: int, *, leaders: int = 0) -> None:
    """n officials of the department and some leaders, written in bulk (volume only)."""
    first = User.objects.count()
    users = User.objects.bulk_create(
        User(username=f"bulk{first + i}", email=f"bulk{first + i}@example.com")
        for i in range(n + leaders)
    )
    Official.objects.bulk_create(
        [Official(user=u, department=department) for u in users[:n]]
        + [Official(user=u, is_leader=True) for u in users[n:]]
    )


def _plan_queries(week_start: date) -> list[dict]:
    with CaptureQueriesContext(connection) as queries:
        planned = digests.plan_weekly_digests(week_start=week_start)
    assert len(planned) == Official.objects.count()
    return queries.captured_queries


@pytest.fixture
def escalated_department(staff):
    """A department with a petition escalated by the weekly dispatch (so leaders get one too)."""
    department = DepartmentFactory()
    dispatched(staff, department, due_on=date(2026, 3, 6), sign=True)
    review.run_weekly_dispatch(on=WEEK)  # its callbacks are not run: no digest planned
    assert Escalation.objects.exists()
    return department


def test_planning_the_digests_of_200_officials_takes_the_queries_of_10(
    escalated_department,
):
    _add_officials(escalated_department, 10, leaders=1)
    small = _plan_queries(WEEK)
    _add_officials(escalated_department, 190, leaders=19)

    large = _plan_queries(WEEK + timedelta(days=7))

    assert _statements(large) == _statements(small)


@pytest.mark.postgres
def test_planning_the_digests_of_200_officials_takes_the_queries_of_10_on_postgresql(
    escalated_department,
):
    _add_officials(escalated_department, 10, leaders=1)
    small = _plan_queries(WEEK)
    _add_officials(escalated_department, 190, leaders=19)

    large = _plan_queries(WEEK + timedelta(days=7))

    assert len(large) == len(small)


def _waiting(department, n: int) -> None:
    """n petitions waiting for the department: a third each overdue, due this week, new."""
    pks = [
        p.pk for p in PetitionFactory.create_batch(n, enterprise=EnterpriseFactory())
    ]
    for pks_, status, due_on in (
        (pks[0::3], S.IN_PROGRESS, date(2026, 3, 19)),
        (pks[1::3], S.IN_PROGRESS, date(2026, 3, 26)),
        (pks[2::3], S.DISPATCHED, date(2026, 4, 3)),
    ):
        Petition.objects.filter(pk__in=pks_).update(
            status=status,
            department=department,
            due_on=due_on,
            handling=Petition.Handling.DEPARTMENT,
            dispatched_at=at(date(2026, 3, 5)),
        )


def _message_queries(department, week_start: date, policy) -> list[dict]:
    delivery = DigestDelivery.objects.create(
        official=OfficialFactory(department=department),
        week_start=week_start,
        kind=DigestDelivery.Kind.DEPARTMENT,
    )
    delivery = DigestDelivery.objects.select_related(
        "official__user", "official__department"
    ).get(pk=delivery.pk)
    workdays.is_working_day(
        WEEK
    )  # the calendar's overrides are cached: read them first
    with CaptureQueriesContext(connection) as queries:
        built = digests.build_message(delivery, now=at(WEEK, 9))
    assert policy.title in rendered(built, delivery.official.user).body
    return queries.captured_queries


def test_the_digest_of_a_department_with_100_petitions_takes_the_queries_of_5(
    policy,
):
    few, many = DepartmentFactory(), DepartmentFactory()
    _waiting(few, 5)
    _waiting(many, 100)

    small = _message_queries(few, WEEK, policy)
    large = _message_queries(many, WEEK, policy)

    assert len(large) == len(small)
    assert Petition.objects.filter(department=many).count() == 100
