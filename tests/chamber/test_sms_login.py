"""Logging in with 手机号 + 验证码 beside the password (issue 19, item 6), and a forgotten
password replaced after such a login.

The SMS go to the file backend (settings.SMS_DIR, a folder of the test's own), as in
`make run`: the code is read from the file, as a person reads it on their phone.
django-axes needs a request, so every login goes through the real pages.
"""

import logging
import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from chamber.models import OutgoingMessage
from chamber.security_log import Action
from tests.factories import PASSWORD, MemberFactory, StaffFactory, UserFactory
from tests.support.page_catalogue import _check_page

MOBILE = "13812345678"
LOGIN_SMS, RESET_SMS = reverse("login_sms"), reverse("password_reset_sms")
NEW_PASSWORD = "a-new-and-long-passphrase-42"
SECURITY = "chamber.security"


@pytest.fixture(autouse=True)
def sms_dir(settings, tmp_path):
    settings.SMS_DIR = tmp_path / "sms"


@pytest.fixture
def member(db):
    """Wang, a member whose mobile is verified."""
    return MemberFactory(
        user__username="wang",
        user__mobile=MOBILE,
        user__mobile_verified_at=timezone.now(),
    ).user


@pytest.fixture
def security_lines():
    """The lines written on "chamber.security" (whether or not pytest captures logs)."""
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    logger, handler = logging.getLogger(SECURITY), Keep(logging.INFO)
    logger.addHandler(handler)
    yield lines
    logger.removeHandler(handler)


def sms_texts() -> list[str]:
    """The SMS written, oldest first (a file's name starts with its time)."""
    folder = settings.SMS_DIR
    files = sorted(folder.glob("*.txt")) if folder.exists() else []
    return [path.read_text() for path in files]


def ask_for_code(client: Client, capture, number: str = MOBILE, page=LOGIN_SMS):
    """Type the number and tap 获取验证码; the outbox delivers the SMS after commit."""
    with capture(execute=True):
        return client.post(page, {"mobile": number})


def code_sent_to(number: str = MOBILE) -> str:
    """The code of the last SMS written to `number`."""
    texts = [t for t in sms_texts() if f"To: {number}" in t]
    assert texts, f"no SMS to {number}"
    return re.findall(r"验证码(\d{6})", texts[-1])[-1]


def enter(client: Client, code: str, page=LOGIN_SMS):
    return client.post(page, {"code": code})


def wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def logged_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def test_a_member_logs_in_with_the_code_from_the_sms_and_lands_on_their_home(
    client, member, django_capture_on_commit_callbacks
):
    asked = ask_for_code(client, django_capture_on_commit_callbacks)

    assert asked.status_code == 302 and asked["Location"] == LOGIN_SMS
    page = client.get(LOGIN_SMS).content.decode()
    assert f"请输入发送到{MOBILE}的验证码" in page
    (sms,) = sms_texts()
    assert "5分钟内有效" in sms
    response = enter(client, code_sent_to())

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert logged_in_user_id(client) == str(member.pk)
    assert client.get(reverse("home")).context["user"] == member


def test_the_login_by_sms_goes_where_next_says(
    client, member, django_capture_on_commit_callbacks
):
    page = f"{LOGIN_SMS}?next=%2Fpetitions%2F"
    asked = ask_for_code(client, django_capture_on_commit_callbacks, page=page)
    assert asked["Location"] == page

    response = enter(client, code_sent_to(), page=page)

    assert response["Location"] == "/petitions/"


def test_the_password_login_page_offers_the_sms_login_and_the_sms_reset(client, db):
    page = client.get(reverse("login")).content.decode()

    assert "短信验证码登录" in page and f'href="{LOGIN_SMS}"' in page
    assert "用短信验证码重设密码" in page and f'href="{RESET_SMS}"' in page


def test_a_wrong_code_says_so_in_chinese_and_does_not_log_in(
    client, member, django_capture_on_commit_callbacks
):
    ask_for_code(client, django_capture_on_commit_callbacks)

    response = enter(client, wrong(code_sent_to()))

    assert response.status_code == 400
    assert "验证码错误，请核对短信后重试。" in response.content.decode()
    assert logged_in_user_id(client) is None


def test_a_code_typed_after_five_minutes_has_expired(
    client, member, django_capture_on_commit_callbacks
):
    ask_for_code(client, django_capture_on_commit_callbacks)
    code = code_sent_to()

    with time_machine.travel(timezone.now() + timedelta(minutes=5, seconds=1)):
        response = enter(client, code)

    assert response.status_code == 400
    assert "验证码已失效，请重新获取。" in response.content.decode()
    assert logged_in_user_id(client) is None


def test_a_code_works_once(client, member, django_capture_on_commit_callbacks):
    ask_for_code(client, django_capture_on_commit_callbacks)
    code = code_sent_to()
    assert enter(client, code).status_code == 302

    again = Client()
    session = again.session  # the number typed in another browser, no new code
    session["sms_login:mobile"] = MOBILE
    session.save()
    response = enter(again, code)

    assert response.status_code == 400
    assert "验证码已失效，请重新获取。" in response.content.decode()
    assert logged_in_user_id(again) is None


def test_after_the_failure_limit_of_wrong_codes_the_account_is_locked_even_with_the_right_code(
    client, member, django_capture_on_commit_callbacks
):
    ask_for_code(client, django_capture_on_commit_callbacks)
    code = code_sent_to()

    statuses = [
        enter(client, wrong(code)).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    right = enter(client, code)

    assert statuses == [400] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    assert right.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in right.templates]
    assert "登录失败次数过多" in right.content.decode()
    assert logged_in_user_id(client) is None
    # The same account, the same lockout, by password too.
    by_password = client.post(
        reverse("login"), {"username": "wang", "password": PASSWORD}
    )
    assert by_password.status_code == 429


def test_wrong_passwords_and_wrong_codes_count_toward_one_lockout(
    client, member, django_capture_on_commit_callbacks
):
    for i in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(reverse("login"), {"username": "wang", "password": f"wrong-{i}"})
    ask_for_code(client, django_capture_on_commit_callbacks)

    response = enter(client, wrong(code_sent_to()))

    assert response.status_code == 429


def test_the_login_works_again_after_the_cool_off(
    client, member, django_capture_on_commit_callbacks
):
    ask_for_code(client, django_capture_on_commit_callbacks)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        enter(client, wrong(code_sent_to()))

    later = timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(minutes=1)
    with time_machine.travel(later):
        ask_for_code(client, django_capture_on_commit_callbacks)
        response = enter(client, code_sent_to())

    assert response.status_code == 302
    assert logged_in_user_id(client) == str(member.pk)


def _shown(response, number: str) -> str:
    """The page with the number and the form's CSRF token taken out."""
    page = response.content.decode().replace(number, "N")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def test_an_unknown_or_unverified_number_gets_the_same_page_and_no_sms(
    member, django_capture_on_commit_callbacks
):
    UserFactory(mobile="13900000001")  # not verified
    UserFactory(
        mobile="13900000002", mobile_verified_at=timezone.now(), is_active=False
    )
    pages = {}
    for number in (MOBILE, "13900000000", "13900000001", "13900000002"):
        client = Client()
        asked = ask_for_code(client, django_capture_on_commit_callbacks, number)
        assert asked.status_code == 302
        pages[number] = (
            _shown(client.get(LOGIN_SMS), number),
            _shown(enter(client, "123456"), number),
        )

    known = pages.pop(MOBILE)
    assert all(shown == known for shown in pages.values())
    assert "验证码错误" in known[1]
    assert [t for t in sms_texts() if "To: 139" in t] == []
    assert not OutgoingMessage.objects.filter(address__startswith="139").exists()


def test_a_second_code_within_a_minute_is_refused_with_the_message_for_any_number(
    member, django_capture_on_commit_callbacks
):
    for number in (MOBILE, "13900000000"):
        client = Client()
        ask_for_code(client, django_capture_on_commit_callbacks, number)

        again = ask_for_code(client, django_capture_on_commit_callbacks, number)

        assert again.status_code == 400
        assert "一分钟内已发送过验证码，请稍候。" in again.content.decode()
    assert len(sms_texts()) == 1
    with time_machine.travel(timezone.now() + timedelta(minutes=1, seconds=1)):
        later = ask_for_code(Client(), django_capture_on_commit_callbacks)
    assert later.status_code == 302
    assert len(sms_texts()) == 2


def test_a_mobile_that_is_not_a_number_is_refused_and_nothing_is_sent(client, db):
    response = client.post(LOGIN_SMS, {"mobile": "12345"})

    assert response.status_code == 400
    assert "请输入" in response.content.decode()
    assert sms_texts() == []


def test_a_code_without_asking_for_one_first_says_so(client, member):
    response = enter(client, "123456")

    assert response.status_code == 400
    assert "请先获取手机验证码。" in response.content.decode()


def test_staff_logging_in_by_sms_go_through_the_second_factor_as_after_a_password(
    settings, db, django_capture_on_commit_callbacks
):
    settings.SECOND_FACTOR_REQUIRED = True
    staff = StaffFactory(mobile=MOBILE, mobile_verified_at=timezone.now())
    by_password = Client()
    landed = by_password.post(
        reverse("login"), {"username": staff.username, "password": PASSWORD}
    )
    by_sms = Client()
    ask_for_code(by_sms, django_capture_on_commit_callbacks)

    response = enter(by_sms, code_sent_to())

    assert response["Location"] == landed["Location"] == reverse("staff_dashboard")
    second_step = by_sms.get(response["Location"])
    assert second_step.status_code == 302
    assert second_step["Location"] == by_password.get(landed["Location"])["Location"]
    assert second_step["Location"].startswith(reverse("second_factor_setup"))


def test_a_forgotten_password_is_replaced_after_an_sms_login_and_works_for_the_password_login(
    client, member, django_capture_on_commit_callbacks
):
    ask_for_code(client, django_capture_on_commit_callbacks, page=RESET_SMS)
    logged_in = enter(client, code_sent_to(), page=RESET_SMS)
    assert logged_in["Location"] == reverse("password_reset_sms_set")
    form = client.get(logged_in["Location"])
    assert 'name="new_password1"' in form.content.decode()
    assert 'name="old_password"' not in form.content.decode()

    weak = client.post(
        logged_in["Location"],
        {"new_password1": "12345678", "new_password2": "12345678"},
    )
    saved = client.post(
        logged_in["Location"],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert weak.status_code == 400
    assert "这个密码太常见了" in weak.content.decode()
    assert saved.status_code == 302
    assert logged_in_user_id(client) == str(member.pk)  # still logged in
    client.post(reverse("logout"))
    old = Client().post(reverse("login"), {"username": "wang", "password": PASSWORD})
    new = Client().post(
        reverse("login"), {"username": "wang", "password": NEW_PASSWORD}
    )
    assert (old.status_code, new.status_code) == (200, 302)
    # Used once: the next visit asks for the current password.
    assert client.get(reverse("password_reset_sms_set")).status_code == 302


def test_a_password_without_the_old_one_only_in_the_minutes_after_the_sms_login(
    client, member, django_capture_on_commit_callbacks
):
    ask_for_code(client, django_capture_on_commit_callbacks)
    enter(client, code_sent_to())
    assert client.get(reverse("password_reset_sms_set")).status_code == 200

    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        later = client.get(reverse("password_reset_sms_set"))

    assert later.status_code == 302 and later["Location"] == reverse("password_change")
    by_password = Client()
    by_password.post(reverse("login"), {"username": "wang", "password": PASSWORD})
    refused = by_password.get(reverse("password_reset_sms_set"))
    assert refused["Location"] == reverse("password_change")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_new_password_page_renders_in_both_languages(
    member, language, django_capture_on_commit_callbacks
):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    ask_for_code(client, django_capture_on_commit_callbacks, page=RESET_SMS)
    enter(client, code_sent_to(), page=RESET_SMS)

    response = client.get(reverse("password_reset_sms_set"))

    assert "registration/sms_password.html" in [t.name for t in response.templates]
    _check_page(response.content.decode(), language)


def test_sms_logins_their_failures_and_reset_requests_are_security_events(
    client, member, django_capture_on_commit_callbacks, security_lines
):
    ask_for_code(client, django_capture_on_commit_callbacks, page=RESET_SMS)
    code = code_sent_to()
    enter(client, wrong(code), page=RESET_SMS)
    enter(client, code, page=RESET_SMS)

    actions = [re.search(r"action=(\S+)", line).group(1) for line in security_lines]
    assert actions == [
        Action.PASSWORD_RESET_REQUESTED,
        Action.LOGIN_FAILED,
        Action.LOGIN,
    ]
    requested, failed, login = security_lines
    assert f'mobile="{MOBILE}"' in requested
    assert 'username="wang"' in failed and "user=anonymous" in failed
    assert 'user="wang"' in login and f'path="{RESET_SMS}"' in login
    assert code not in " ".join(security_lines)
