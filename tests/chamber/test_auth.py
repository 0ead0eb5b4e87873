"""Logging in and out, the lockout, password change and reset (AU-1, AU-2, AU-5, AU-6, IN-5).

django-axes needs a request to authenticate, so logins go through the real login page.
"""

import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme

from chamber.models import OutgoingMessage, User
from tests.factories import PASSWORD, UserFactory

NEW_PASSWORD = "a-new-and-long-passphrase-42"


def _login(client: Client, username: str, password: str, **extra):
    return client.post(
        reverse("login"), {"username": username, "password": password}, **extra
    )


def _is_logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _replay(session_key: str) -> Client:
    """A second browser presenting an old session cookie."""
    other = Client()
    other.cookies[settings.SESSION_COOKIE_NAME] = session_key
    return other


def _invalid_login_message_in_chinese() -> str:
    with translation.override("zh-hans"):
        return str(AuthenticationForm.error_messages["invalid_login"]) % {
            "username": User._meta.get_field("username").verbose_name
        }


@pytest.fixture
def user(db):
    return UserFactory(username="zhang", email="zhang@example.com")


def test_login_redirects_home_and_gives_a_new_session_key(client, user):
    before = client.session.session_key

    response = _login(client, "zhang", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert _is_logged_in(client)
    assert "_auth_user_id" not in _replay(before).session


def test_login_page_is_in_chinese_by_default(client, db):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    assert '<html lang="zh-hans">' in response.content.decode()
    assert "登录" in response.content.decode()


def test_wrong_password_and_unknown_username_give_the_same_chinese_message(
    client, user
):
    wrong_password = _login(client, "zhang", "not-the-password")
    unknown_user = _login(client, "nobody-here", "not-the-password")

    message = _invalid_login_message_in_chinese()
    assert re.search(r"[\u4e00-\u9fff]", message), "Django's message is not Chinese"
    for response in (wrong_password, unknown_user):
        assert response.status_code == 200
        assert escape(message) in response.content.decode()
    assert (
        wrong_password.context["form"].non_field_errors()
        == unknown_user.context["form"].non_field_errors()
    )
    assert not _is_logged_in(client)


def test_inactive_user_cannot_log_in_and_gets_the_usual_message(client, db):
    UserFactory(username="gone", is_active=False)

    response = _login(client, "gone", PASSWORD)

    assert response.status_code == 200
    assert escape(_invalid_login_message_in_chinese()) in response.content.decode()
    assert not _is_logged_in(client)


def test_deactivating_a_user_ends_their_open_session(client, user):
    client.force_login(user)
    assert client.get(reverse("password_change")).status_code == 200

    User.objects.filter(pk=user.pk).update(is_active=False)

    response = client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def _fail_until_locked(client: Client, username: str) -> list[int]:
    return [
        _login(client, username, f"wrong-{i}").status_code
        for i in range(settings.AXES_FAILURE_LIMIT)
    ]


def test_lockout_starts_at_the_failure_limit(client, user):
    statuses = _fail_until_locked(client, "zhang")

    assert statuses[:-1] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    assert statuses[-1] == 429
    assert _login(client, "zhang", "wrong-again").status_code == 429


def test_lockout_page_says_so_in_chinese_with_the_cool_off_in_minutes(client, user):
    _fail_until_locked(client, "zhang")

    response = _login(client, "zhang", "wrong-again")

    assert response.status_code == 429
    page = response.content.decode()
    assert '<html lang="zh-hans">' in page
    assert "登录失败次数过多" in page
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert f"已锁定{minutes}分钟" in page


def test_lockout_holds_against_rotating_forwarded_for_headers_and_the_right_password(
    client, user
):
    _fail_until_locked(client, "zhang")

    for i in range(5):
        forged = _login(
            client,
            "zhang",
            f"wrong-{i}",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{i}",
            HTTP_X_REAL_IP=f"198.51.100.{i}",
        )
        assert forged.status_code == 429
    right = _login(client, "zhang", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.99")

    assert right.status_code == 429
    assert not _is_logged_in(client)


def test_lockout_of_one_user_does_not_lock_another_user_from_the_same_address(
    client, user
):
    UserFactory(username="li")
    _fail_until_locked(client, "zhang")

    other = _login(Client(), "li", PASSWORD)

    assert other.status_code == 302
    assert other["Location"] == reverse("home")


def test_login_works_again_after_the_cool_off(client, user):
    _fail_until_locked(client, "zhang")
    assert _login(client, "zhang", PASSWORD).status_code == 429

    later = timezone.localtime() + settings.AXES_COOLOFF_TIME + timedelta(minutes=1)
    with time_machine.travel(later):
        response = _login(client, "zhang", PASSWORD)

    assert response.status_code == 302
    assert _is_logged_in(client)


def test_logout_by_get_is_refused(client, user):
    client.force_login(user)

    response = client.get(reverse("logout"))

    assert response.status_code == 405
    assert _is_logged_in(client)


def test_logout_ends_the_session_on_the_server(client, user):
    _login(client, "zhang", PASSWORD)
    old_key = client.cookies[settings.SESSION_COOKIE_NAME].value

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    replayed = _replay(old_key).get(reverse("password_change"))
    assert replayed.status_code == 302
    assert replayed["Location"].startswith(reverse("login"))


def test_password_change_needs_a_login(client, db):
    response = client.get(reverse("password_change"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_password_change_works_and_ends_the_other_sessions(client, user):
    elsewhere = Client()
    elsewhere.force_login(user)
    client.force_login(user)

    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert client.get(reverse("password_change")).status_code == 200
    assert elsewhere.get(reverse("password_change")).status_code == 302


def test_password_change_refuses_a_wrong_old_password(client, user):
    client.force_login(user)

    response = client.post(
        reverse("password_change"),
        {
            "old_password": "not-it",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.fixture
def ask_reset(client, django_capture_on_commit_callbacks):
    """Ask for a reset link as a visitor would; the outbox's sender runs after commit."""

    def ask(email: str):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("password_reset"), {"email": email})

    return ask


def test_password_reset_answers_the_same_for_known_and_unknown_addresses(
    ask_reset, user
):
    known = ask_reset("zhang@example.com")
    unknown = ask_reset("nobody@example.com")

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["zhang@example.com"]


def test_the_reset_mail_goes_out_through_the_outbox_not_the_request(ask_reset, user):
    """No SMTP round trip in the request: a known address answers as fast as an unknown
    one (AU-6); the message is a row of the outbox, sent by its task (run eagerly here)."""
    from celery.signals import task_prerun

    ran = []

    def record(sender=None, **kwargs):
        ran.append(sender.name)

    task_prerun.connect(record, weak=False)
    try:
        ask_reset("nobody@example.com")
        assert ran == []
        ask_reset("zhang@example.com")
    finally:
        task_prerun.disconnect(record)

    assert ran == ["chamber.tasks.deliver_message"]
    (message,) = mail.outbox
    assert message.to == ["zhang@example.com"]
    assert message.alternatives[0][1] == "text/html"
    row = OutgoingMessage.objects.get()
    assert (row.kind, row.user, row.status) == ("password-reset", user, "sent")


def _reset_link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_password_reset_mail_is_in_chinese_with_text_and_html_parts(ask_reset, user):
    ask_reset("zhang@example.com")

    (message,) = mail.outbox
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    link = _reset_link(message)
    assert "重置" in message.subject
    for part in (message.body, html):
        assert "zhang" in part
        assert link in part
        assert re.search(r"[\u4e00-\u9fff]{4}", part)
        assert "Someone asked to reset" not in part
    assert '<html lang="zh-hans">' in html


def test_password_reset_link_works_once(client, ask_reset, user):
    ask_reset("zhang@example.com")
    link = _reset_link(mail.outbox[0])

    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"] is True
    saved = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert saved.status_code == 302
    assert saved["Location"] == reverse("password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)

    again = Client().get(link, follow=True)
    assert again.context["validlink"] is False
    assert "此链接已失效" in again.content.decode()


def test_password_reset_link_expires_after_the_timeout(client, ask_reset, user):
    ask_reset("zhang@example.com")
    link = _reset_link(mail.outbox[0])

    later = timezone.localtime() + timedelta(
        seconds=settings.PASSWORD_RESET_TIMEOUT + 60
    )
    with time_machine.travel(later):
        response = client.get(link, follow=True)

    assert response.context["validlink"] is False
    assert settings.PASSWORD_RESET_TIMEOUT <= 60 * 60


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example", "/\\evil.example"]
)
def test_login_never_redirects_to_another_host(client, user, target):
    response = client.post(
        f"{reverse('login')}?next={target}",
        {"username": "zhang", "password": PASSWORD, "next": target},
    )

    assert response.status_code == 302
    location = response["Location"]
    assert location == reverse("home")
    assert url_has_allowed_host_and_scheme(location, allowed_hosts={"testserver"})


def test_login_follows_a_next_on_our_own_site(client, user):
    response = client.post(
        reverse("login"),
        {"username": "zhang", "password": PASSWORD, "next": reverse("password_change")},
    )

    assert response["Location"] == reverse("password_change")


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example", "/\\evil.example"]
)
def test_logout_and_language_switch_never_redirect_to_another_host(
    client, user, target
):
    client.force_login(user)

    switched = client.post(reverse("set_language"), {"language": "en", "next": target})
    logged_out = client.post(reverse("logout"), {"next": target})

    for response in (switched, logged_out):
        assert response.status_code == 302
        assert "evil.example" not in response["Location"]


def test_password_reset_mail_for_an_english_reader_declares_english(ask_reset, user):
    user.language = "en"  # their language for e-mails, whatever the page was read in
    user.save(update_fields=["language"])

    ask_reset("zhang@example.com")

    (message,) = mail.outbox
    html, _mimetype = message.alternatives[0]
    assert message.subject == "Reset your password on the chamber portal"
    assert '<html lang="en">' in html


def test_an_overlong_username_is_refused_without_a_server_error(client, user):
    response = client.post(
        reverse("login"), {"username": "甲" * 5000, "password": "whatever"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["username"]
    assert "_auth_user_id" not in client.session
