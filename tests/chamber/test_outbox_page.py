"""The staff's outbox page (发件箱): every message, filtered; 重新发送 and 取消, one or many.

A message is never deleted; a failed one shows the reason in words, and staff send it
again or cancel it from the list (ticked, or by the row's own button) or from its page.
"""

from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone, translation

from chamber.models import OutgoingMessage
from chamber.outbox_kinds import KINDS
from tests.factories import UserFactory

M = OutgoingMessage.Status
EMAILS = Path(settings.BASE_DIR) / "templates" / "emails"
REFUSED_ADDRESS = "邮件服务器拒收此地址（550 5.1.1 No such mailbox）。"
_keys = count(1)


def message(**fields) -> OutgoingMessage:
    """A message in the outbox; by default a dispatch notice waiting to be sent."""
    user = fields.pop("user", None) or UserFactory(
        full_name="王科长", email="wang@example.com"
    )
    values = {
        "key": f"test:{next(_keys)}",
        "kind": "petition-dispatched",
        "user": user,
        "address": user.email,
        "subject": "诉求 XS-1 交办贵部门",
        "body_text": "请于3个工作日内办理。",
        "status": M.QUEUED,
        **fields,
    }
    return OutgoingMessage.objects.create(**values)


def failed(**fields) -> OutgoingMessage:
    """A message the mail server refused for good."""
    return message(
        **{"status": M.FAILED, "attempts": 1, "last_error": REFUSED_ADDRESS, **fields}
    )


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def html(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


# --- the kinds in words ----------------------------------------------------------------------


def test_every_kind_of_e_mail_has_a_label_in_words_and_in_chinese():
    kinds = {p.name.removesuffix("-subject.txt") for p in EMAILS.glob("*-subject.txt")}

    assert kinds and kinds - set(KINDS) == set()
    with translation.override("en"):
        english = {kind: str(label) for kind, label in KINDS.items()}
    with translation.override("zh-hans"):
        chinese = {kind: str(label) for kind, label in KINDS.items()}
    assert [kind for kind in KINDS if chinese[kind] == english[kind]] == []


# --- who may open it -------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["alice", "rep", "official", "leader"])
def test_the_outbox_is_refused_to_everyone_but_staff(client, db, request, persona):
    shown = failed()
    client.force_login(request.getfixturevalue(persona).user)

    assert client.get(reverse("outbox")).status_code == 403
    assert client.get(reverse("outbox_detail", args=[shown.pk])).status_code == 403
    bulk = client.post(reverse("outbox_bulk", args=["resend"]), {"message": [shown.pk]})
    one = client.post(reverse("outbox_action", args=[shown.pk, "cancel"]))

    assert (bulk.status_code, one.status_code) == (403, 403)
    shown.refresh_from_db()
    assert shown.status == M.FAILED


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get(reverse("outbox"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse('outbox')}"


def test_the_actions_take_only_a_post_and_only_their_two_names(staff_client):
    shown = failed()

    assert staff_client.get(reverse("outbox_bulk", args=["resend"])).status_code == 405
    assert (
        staff_client.get(
            reverse("outbox_action", args=[shown.pk, "resend"])
        ).status_code
        == 405
    )
    assert (
        staff_client.post(
            reverse("outbox_action", args=[shown.pk, "delete"])
        ).status_code
        == 404
    )
    assert staff_client.post(reverse("outbox_bulk", args=["delete"])).status_code == 404
    assert OutgoingMessage.objects.filter(pk=shown.pk).exists()


# --- the list --------------------------------------------------------------------------------


def test_the_list_shows_each_message_in_words_newest_first(staff_client):
    older = message(
        kind="weekly-digest",
        subject="区住建局本周待办诉求",
        status=M.SENT,
        attempts=2,
        sent_at=timezone.now(),
        created_at=timezone.now() - timedelta(days=1),
    )
    newer = failed(subject="您的诉求 XS-2 已答复", kind="petition-answered")

    page = html(staff_client.get(reverse("outbox")))

    assert page.index(newer.subject) < page.index(older.subject)
    assert "诉求答复" in page and "部门周报" in page  # the kinds in words
    assert "王科长（wang@example.com）" in page
    assert "发送失败" in page and "已发送" in page
    assert "尝试1次" in page and "尝试2次" in page
    assert REFUSED_ADDRESS in page
    assert "共2条消息" in page


def test_the_created_time_is_beijing_time(staff_client):
    message(created_at=datetime(2026, 3, 2, 4, 44, tzinfo=UTC))

    assert "2026-03-02 12:44" in html(staff_client.get(reverse("outbox")))


def test_the_filters_find_by_status_kind_and_recipient(staff_client):
    li = UserFactory(full_name="李经理", username="li-jingli", email="li@qiye.cn")
    failed(user=li, subject="甲：失败的答复", kind="petition-answered")
    message(user=li, subject="乙：待发的提醒", kind="rota-reminder")
    failed(subject="丙：别人的失败", kind="petition-answered")

    def shown(**query) -> set[str]:
        page = html(staff_client.get(reverse("outbox"), query))
        return {s for s in ("甲", "乙", "丙") if f"{s}：" in page}

    assert shown() == {"甲", "乙", "丙"}
    assert shown(status="failed") == {"甲", "丙"}
    assert shown(kind="rota-reminder") == {"乙"}
    assert shown(q="李经理") == {"甲", "乙"}
    assert shown(q="li-jingli") == {"甲", "乙"}
    assert shown(q="QIYE.CN", status="failed") == {"甲"}
    assert shown(status="no-such-status") == {"甲", "乙", "丙"}  # a bad filter: all


def test_buttons_show_only_where_they_apply(staff_client):
    cases = {
        M.FAILED: (True, True),
        M.CANCELLED: (True, False),
        M.QUEUED: (False, True),
        M.SENDING: (False, False),
        M.SENT: (False, False),
    }
    for status, (resend, cancel) in cases.items():
        shown = message(status=status)
        page = html(staff_client.get(reverse("outbox_detail", args=[shown.pk])))
        resend_url = reverse("outbox_action", args=[shown.pk, "resend"])
        cancel_url = reverse("outbox_action", args=[shown.pk, "cancel"])
        assert (resend_url in page, cancel_url in page) == (resend, cancel), status

    listed = html(staff_client.get(reverse("outbox")))
    assert listed.count('name="message"') == 3  # failed, cancelled, queued
    assert listed.count('name="only"') == 4  # 2 + 1 + 1


def test_a_cancelled_message_without_an_address_cannot_be_sent_again(staff_client):
    nobody = UserFactory(email="")
    shown = message(user=nobody, status=M.CANCELLED, last_error="没有电子邮件地址。")

    page = html(staff_client.get(reverse("outbox_detail", args=[shown.pk])))

    assert reverse("outbox_action", args=[shown.pk, "resend"]) not in page
    assert "没有电子邮件地址。" in page


@pytest.mark.parametrize("rows", [3, 30])
def test_the_list_takes_the_same_queries_for_3_or_30_messages(
    staff_client, django_assert_max_num_queries, rows
):
    for n in range(rows):
        (failed if n % 2 else message)(user=UserFactory(full_name=f"收件人{n}"))
    staff_client.get(reverse("outbox"))  # the first request fills the session cache

    # The session, the count and the page of rows with their recipients.
    with django_assert_max_num_queries(3):
        response = staff_client.get(reverse("outbox"), {"page": 1})

    assert response.status_code == 200
    assert f"收件人{rows - 1}" in response.content.decode()  # the newest


# --- the detail page -------------------------------------------------------------------------


def test_the_detail_page_shows_the_text_the_error_and_the_history(staff_client):
    shown = failed(
        body_text="王科长：\n诉求 XS-1 已交办贵部门。",
        attempts=3,
        reclaims=1,
        created_at=datetime(2026, 3, 2, 1, 5, tzinfo=UTC),
    )

    page = html(staff_client.get(reverse("outbox_detail", args=[shown.pk])))

    assert "王科长：<br>诉求 XS-1 已交办贵部门。" in page
    assert REFUSED_ADDRESS in page
    assert "诉求交办通知" in page
    assert "2026-03-02 09:05" in page
    assert "收件人可能收到了两次" in page  # a claim was taken over
    assert shown.key in page


def test_a_message_that_does_not_exist_is_not_found(staff_client):
    assert staff_client.get(reverse("outbox_detail", args=[987654])).status_code == 404


# --- 重新发送 and 取消 -------------------------------------------------------------------------


def test_resending_two_failed_messages_queues_them_afresh_and_says_so(staff_client):
    first, second = failed(attempts=6), failed(attempts=2)
    untouched = failed()

    response = staff_client.post(
        reverse("outbox_bulk", args=["resend"]),
        {"message": [first.pk, second.pk], "back": "status=failed&page=1"},
        follow=True,
    )

    assert response.redirect_chain == [
        (reverse("outbox") + "?status=failed&page=1", 302)
    ]
    for shown in (first, second):
        shown.refresh_from_db()
        assert (shown.status, shown.attempts) == (M.QUEUED, 0)
        assert shown.next_try_at <= timezone.now()
    untouched.refresh_from_db()
    assert untouched.status == M.FAILED
    assert "2条消息将重新发送。" in html(response)


def test_a_rows_own_button_acts_on_that_message_only(staff_client):
    ticked, pressed = failed(), failed()

    response = staff_client.post(
        reverse("outbox_bulk", args=["cancel"]),
        {"message": [ticked.pk], "only": pressed.pk},
        follow=True,
    )

    ticked.refresh_from_db()
    pressed.refresh_from_db()
    assert (ticked.status, pressed.status) == (M.FAILED, M.CANCELLED)
    assert "已取消1条消息。" in html(response)


def test_cancelling_from_the_message_page_keeps_the_message(staff_client):
    waiting = message()

    response = staff_client.post(
        reverse("outbox_action", args=[waiting.pk, "cancel"]), follow=True
    )

    assert response.redirect_chain == [
        (reverse("outbox_detail", args=[waiting.pk]), 302)
    ]
    waiting.refresh_from_db()
    assert waiting.status == M.CANCELLED
    assert "已取消1条消息。" in html(response)


def test_resending_from_the_message_page_queues_it(staff_client):
    refused = failed()

    staff_client.post(reverse("outbox_action", args=[refused.pk, "resend"]))

    refused.refresh_from_db()
    assert (refused.status, refused.attempts) == (M.QUEUED, 0)


def test_a_sent_message_is_neither_sent_again_nor_cancelled(staff_client):
    sent = message(status=M.SENT, sent_at=timezone.now())

    resent = staff_client.post(
        reverse("outbox_bulk", args=["resend"]), {"message": [sent.pk]}, follow=True
    )
    cancelled = staff_client.post(
        reverse("outbox_action", args=[sent.pk, "cancel"]), follow=True
    )

    sent.refresh_from_db()
    assert sent.status == M.SENT
    assert (
        "所选消息都不能重新发送：只有发送失败或已取消、且有收件地址的消息才能重新发送。"
        in html(resent)
    )
    assert "所选消息都不能取消：只有待发送或发送失败的消息才能取消。" in html(cancelled)


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"message": ["987654"]},
        {"message": ["不是编号"]},
        {"message": [str(10**30)]},
    ],
    ids=["nothing", "unknown", "not a number", "huge"],
)
def test_nothing_chosen_is_said_and_changes_nothing(staff_client, data):
    refused = failed()

    response = staff_client.post(reverse("outbox_bulk", args=["resend"]), data)

    assert response.status_code == 302
    assert said(response) == ["请先勾选至少一条消息。"]
    refused.refresh_from_db()
    assert refused.status == M.FAILED


@pytest.mark.parametrize(
    "back",
    [
        "next=https://evil.example/",
        "status=failed&\r\nSet-Cookie:x=1",
        "//evil.example",
    ],
)
def test_the_way_back_keeps_only_the_lists_own_filters(staff_client, back):
    response = staff_client.post(
        reverse("outbox_bulk", args=["resend"]),
        {"message": [failed().pk], "back": back},
    )

    location = response["Location"]
    assert location.startswith(reverse("outbox"))
    assert (
        "evil" not in location and "\n" not in location and "Set-Cookie" not in location
    )


# --- the dashboard ---------------------------------------------------------------------------


def test_the_dashboard_counts_failed_and_late_messages_and_links_to_them(staff_client):
    now = timezone.now()
    failed(), failed()
    message(next_try_at=now - timedelta(minutes=20))  # late
    message(next_try_at=now - timedelta(minutes=5))  # due, not late yet
    message(next_try_at=now + timedelta(minutes=30))  # waiting for its next try

    page = html(staff_client.get(reverse("staff_dashboard")))

    assert f'href="{reverse("outbox")}?status=failed"' in page
    assert "发送失败的消息</dt>" in page
    assert 'text-danger fw-semibold">2</dd>' in page  # failed
    assert (
        '等待超过15分钟</dt><dd class="col-4 text-end text-danger fw-semibold">1<'
        in page
    )


def test_the_dashboard_shows_a_quiet_outbox_without_alarm(staff_client):
    message(status=M.SENT, sent_at=timezone.now())

    page = html(staff_client.get(reverse("staff_dashboard")))

    assert f'href="{reverse("outbox")}"' in page
    assert "?status=failed" not in page
    assert 'border-danger" aria-labelledby="outbox-status"' not in page


@pytest.mark.parametrize("kind", sorted(OutgoingMessage.SECRET_KINDS))
def test_a_message_carrying_a_password_link_shows_how_it_went_but_not_its_body(
    staff_client, kind
):
    secret = failed(kind=kind, body_text="https://portal/accounts/reset/MQ/abc-123/")

    page = html(staff_client.get(reverse("outbox_detail", args=[secret.pk])))

    assert "abc-123" not in page
    assert "不在此显示正文" in page
    assert REFUSED_ADDRESS in page
    assert "重新发送" in page
