"""Invitations: staff e-mail imported members a one-time link to choose a password."""

import re
from datetime import timedelta
from smtplib import SMTPException
from unittest import mock

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Permission
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext
from pytest_django.asserts import assertContains, assertRedirects, assertTemplateUsed

from chamber import outbox
from chamber.models import OutgoingMessage
from members.invitations import invitation_token_generator, send_invitations
from members.models import Member
from tests.factories import MemberFactory, UserFactory

MEMBERS = reverse("admin:members_member_changelist")
NEW_PASSWORD = "a-long-new-passphrase-77"
INVALID = "members/invitation_invalid.html"


def new_member(**kwargs) -> Member:
    """An imported member: a login with no usable password that has never been used."""
    member = MemberFactory(**kwargs)
    member.user.set_unusable_password()
    member.user.save()
    return member


def link_in(text: str) -> str:
    (url,) = set(re.findall(r"https?://[^\s\"<]+/members/invitation/[^\s\"<]+/", text))
    assert url.startswith(settings.SITE_URL)
    return url[len(settings.SITE_URL) :]


def invite(client, staff, members, django_capture_on_commit_callbacks):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            MEMBERS,
            {
                "action": "send_invitations",
                "_selected_action": [m.pk for m in members],
            },
            follow=True,
        )
    client.logout()
    return response


def accept(client, path: str, password: str = NEW_PASSWORD):
    """Open the link like a phone does, then choose the password."""
    opened = client.get(path, follow=True)
    assert opened.status_code == 200
    assertTemplateUsed(opened, "members/invitation_accept.html")
    form_url = opened.redirect_chain[-1][0]
    return client.post(form_url, {"new_password1": password, "new_password2": password})


@pytest.fixture
def zhang(db):
    return new_member(
        user__full_name="张晓明",
        user__username="13811112222",
        user__email="zhang@example.com",
        enterprise__name="营口辽河装备制造有限公司",
    )


def test_action_mails_each_eligible_member_once_in_chinese(
    client, staff, zhang, mailoutbox, django_capture_on_commit_callbacks
):
    other = new_member(user__email="other@example.com")

    response = invite(client, staff, [zhang, other], django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert sorted(m.to[0] for m in mailoutbox) == [
        "other@example.com",
        "zhang@example.com",
    ]
    message = next(m for m in mailoutbox if m.to == ["zhang@example.com"])
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    with translation.override("zh-hans"):
        subject = gettext("Your account on the chamber portal is ready")
    assert subject != "Your account on the chamber portal is ready"
    assert message.subject == subject
    for part in (message.body, html):
        assert "张晓明" in part
        assert "营口辽河装备制造有限公司" in part
        assert "13811112222" in part  # the username
        assert "7 天内有效" in part
        assert "INVALID" not in part
    assert link_in(message.body) == link_in(html)
    assertContains(response, "已发送 2 封邀请邮件")
    zhang.refresh_from_db()
    assert zhang.invited_at is not None


def test_action_reports_the_members_it_skipped(
    client, staff, zhang, mailoutbox, django_capture_on_commit_callbacks
):
    no_email = new_member(user__email="")
    active = MemberFactory(user__last_login=timezone.now())
    disabled = new_member(user__is_active=False)

    response = invite(
        client,
        staff,
        [zhang, no_email, active, disabled],
        django_capture_on_commit_callbacks,
    )

    assert [m.to for m in mailoutbox] == [["zhang@example.com"]]
    assertContains(response, "已发送 1 封邀请邮件")
    assertContains(response, "1 人没有电子邮箱，1 人已在使用账号，1 人的账号已停用")
    for member in (no_email, active, disabled):
        member.refresh_from_db()
        assert member.invited_at is None


def test_staff_who_may_only_view_members_cannot_send_invitations(
    client, zhang, mailoutbox, django_capture_on_commit_callbacks
):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_member"))

    invite(client, viewer, [zhang], django_capture_on_commit_callbacks)

    assert mailoutbox == []
    zhang.refresh_from_db()
    assert zhang.invited_at is None


def test_link_sets_the_password_logs_in_and_goes_home(
    client, staff, zhang, mailoutbox, django_capture_on_commit_callbacks
):
    invite(client, staff, [zhang], django_capture_on_commit_callbacks)
    path = link_in(mailoutbox[0].body)

    response = accept(client, path)

    assertRedirects(response, reverse("home"), fetch_redirect_response=False)
    assert client.session[SESSION_KEY] == str(zhang.user.pk)
    zhang.user.refresh_from_db()
    assert zhang.user.check_password(NEW_PASSWORD)
    home = client.get(reverse("home"))
    assertContains(home, "密码已设置，您已登录")


def test_accept_page_is_a_chinese_page_with_the_username(
    client, staff, zhang, mailoutbox, django_capture_on_commit_callbacks
):
    invite(client, staff, [zhang], django_capture_on_commit_callbacks)

    page = client.get(link_in(mailoutbox[0].body), follow=True)

    html = page.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "欢迎使用工商联服务平台" in html
    assert "13811112222" in html
    assert 'name="new_password1"' in html
    assert 'autocomplete="new-password"' in html
    assert "/members/invitation/" in page.redirect_chain[-1][0]
    assert "set-password" in page.redirect_chain[-1][0]  # the token left the address


def test_weak_password_is_refused_and_the_link_still_works(
    client, staff, zhang, mailoutbox, django_capture_on_commit_callbacks
):
    invite(client, staff, [zhang], django_capture_on_commit_callbacks)
    path = link_in(mailoutbox[0].body)

    response = accept(client, path, password="123")

    assert response.status_code == 200
    assert response.context["form"].errors
    assert SESSION_KEY not in client.session
    assertRedirects(accept(client, path), reverse("home"))


def test_link_works_only_once(
    client, staff, zhang, mailoutbox, django_capture_on_commit_callbacks
):
    invite(client, staff, [zhang], django_capture_on_commit_callbacks)
    path = link_in(mailoutbox[0].body)
    accept(client, path)
    client.logout()

    response = client.get(path, follow=True)

    assert response.status_code == 200
    assertTemplateUsed(response, INVALID)
    assertContains(response, "请联系工商联秘书处重新发送邀请")


def test_link_expires_after_the_invitation_timeout(
    client, staff, zhang, mailoutbox, django_capture_on_commit_callbacks
):
    invite(client, staff, [zhang], django_capture_on_commit_callbacks)
    path = link_in(mailoutbox[0].body)
    days = timedelta(days=settings.INVITATION_TIMEOUT_DAYS)

    with time_machine.travel(timezone.localtime() + days - timedelta(minutes=5)):
        almost = client.get(path, follow=True)
    with time_machine.travel(timezone.localtime() + days + timedelta(minutes=5)):
        late = client.get(path, follow=True)

    assertTemplateUsed(almost, "members/invitation_accept.html")
    assertTemplateUsed(late, INVALID)


def test_token_of_one_user_does_not_open_another_users_link(client, zhang):
    other = new_member(user__email="other@example.com")
    token = invitation_token_generator.make_token(zhang.user)
    uid = urlsafe_base64_encode(force_bytes(other.user.pk))

    response = client.get(
        reverse("members:accept_invitation", args=[uid, token]), follow=True
    )

    assertTemplateUsed(response, INVALID)


def test_set_password_page_without_a_checked_link_is_refused(client, zhang):
    uid = urlsafe_base64_encode(force_bytes(zhang.user.pk))

    response = client.get(
        reverse("members:accept_invitation", args=[uid, "set-password"])
    )
    posted = client.post(
        reverse("members:accept_invitation", args=[uid, "set-password"]),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assertTemplateUsed(response, INVALID)
    assertTemplateUsed(posted, INVALID)
    zhang.user.refresh_from_db()
    assert not zhang.user.has_usable_password()


@pytest.mark.parametrize(
    ("uid", "token"),
    [("xx", "abc-def"), ("MQ", "not-a-token"), ("%%%", "1-2"), ("MTIzNDU2Nzg5", "z-z")],
)
def test_nonsense_links_show_the_invalid_page(client, db, uid, token):
    response = client.get(
        reverse("members:accept_invitation", kwargs={"uidb64": uid, "token": token})
    )

    assert response.status_code == 200
    assertTemplateUsed(response, INVALID)


def test_password_reset_token_does_not_open_an_invitation(client, zhang):
    from django.contrib.auth.tokens import default_token_generator

    uid = urlsafe_base64_encode(force_bytes(zhang.user.pk))
    token = default_token_generator.make_token(zhang.user)

    response = client.get(reverse("members:accept_invitation", args=[uid, token]))

    assertTemplateUsed(response, INVALID)


def test_disabled_account_cannot_use_its_link(client, zhang):
    path = reverse(
        "members:accept_invitation",
        args=[
            urlsafe_base64_encode(force_bytes(zhang.user.pk)),
            invitation_token_generator.make_token(zhang.user),
        ],
    )
    zhang.user.is_active = False
    zhang.user.save()

    assertTemplateUsed(client.get(path), INVALID)


def test_member_who_prefers_english_gets_the_mail_in_english(
    client, staff, mailoutbox, django_capture_on_commit_callbacks
):
    member = new_member(user__email="en@example.com", user__language="en")

    invite(client, staff, [member], django_capture_on_commit_callbacks)

    (message,) = mailoutbox
    assert message.subject == "Your account on the chamber portal is ready"
    html = message.alternatives[0][0]
    assert '<html lang="en">' in html
    for part in (message.body, html):
        assert "It works once, for 7 days" in part


def test_service_sends_after_commit_and_stamps_only_eligible_members(
    db, staff, zhang, mailoutbox, django_capture_on_commit_callbacks
):
    skipped = new_member(user__email="")

    with django_capture_on_commit_callbacks() as callbacks:
        sent = send_invitations(members=[zhang, skipped], actor=staff)
        assert mailoutbox == []  # nothing leaves before the commit

    for callback in callbacks:
        callback()
    assert sent == 1
    assert len(mailoutbox) == 1
    zhang.refresh_from_db()
    skipped.refresh_from_db()
    assert zhang.invited_at is not None
    assert skipped.invited_at is None


def test_a_mail_that_fails_waits_in_the_outbox_and_goes_out_on_the_next_try(
    db, staff, zhang, mailoutbox, django_capture_on_commit_callbacks
):
    with (
        mock.patch(
            "django.core.mail.backends.locmem.EmailBackend.send_messages",
            side_effect=SMTPException("mail server refused"),
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        send_invitations(members=[zhang], actor=staff)

    message = OutgoingMessage.objects.get(kind="invitation")
    assert (message.status, message.attempts) == ("queued", 1)
    assert "mail server refused" in message.last_error
    assert mailoutbox == []

    assert outbox.deliver(message.pk, now=message.next_try_at) is True

    (sent,) = mailoutbox
    assert sent.to == [zhang.user.email]
    assert "/members/invitation/" in sent.body
    message.refresh_from_db()
    assert message.status == "sent"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_invitation_pages_render_in_both_languages(rf, db, language):
    user = UserFactory(full_name="王五", username="13700001111")
    request = rf.get("/")
    request.user = user
    from django.contrib.auth.forms import SetPasswordForm

    with translation.override(language):
        accept_html = render_to_string(
            "members/invitation_accept.html",
            {"form": SetPasswordForm(user), "invitee": user},
            request=request,
        )
        invalid_html = render_to_string(INVALID, {}, request=request)

    for html in (accept_html, invalid_html):
        assert f'<html lang="{language}">' in html
        for marker in ("{%", "{{", "INVALID"):
            assert marker not in html
    assert "13700001111" in accept_html
