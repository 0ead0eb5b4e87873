"""Security events are logged, one escaped line each, without secrets (DI-7).

Logins go through the real login page, as django-axes needs a request.
"""

import logging
import re
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import reverse

from chamber.security_log import (
    MAX_LENGTH,
    Action,
    EscapingFormatter,
    log_event,
)
from tests.factories import PASSWORD, PetitionFactory, UserFactory

SECURITY = "chamber.security"
TYPED_PASSWORD = "Typed-Secret-Passphrase-731"
NASTY_USERNAME = "ghost\nINFO chamber.security action=login user=admin\x1b[31m"
FIELD = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"…?|\S+)')


@pytest.fixture(autouse=True)
def _capture(caplog):
    caplog.set_level(logging.INFO)


@pytest.fixture
def user(db):
    return UserFactory(username="zhang", email="zhang@example.com")


def _login(client: Client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def _lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == SECURITY]


def _events(caplog, action: Action | None = None) -> list[dict[str, str]]:
    """The security lines as fields; quoted values keep their escapes, lose the quotes."""
    events = [
        {key: value.strip('"') for key, value in FIELD.findall(line)}
        for line in _lines(caplog)
    ]
    return [e for e in events if action is None or e["action"] == action]


def _console_formatter() -> logging.Formatter:
    """The formatter of the console handler that settings.LOGGING installed."""
    return next(
        h.formatter
        for h in logging.getLogger().handlers
        if isinstance(h.formatter, EscapingFormatter)
    )


def _everything_written(caplog) -> str:
    """Every record of every logger, as the message and as the console writes it."""
    formatter = _console_formatter()
    return "\n".join(
        part
        for record in caplog.records
        for part in (record.getMessage(), formatter.format(record))
    )


def test_a_login_is_logged_with_the_user_the_address_and_the_action(
    client, user, caplog
):
    _login(client, "zhang", PASSWORD)

    (event,) = _events(caplog, Action.LOGIN)
    assert event["user"] == "zhang"
    assert event["ip"] == "127.0.0.1"
    assert event["method"] == "POST"
    assert event["path"] == reverse("login")


def test_a_failed_login_is_anonymous_and_names_the_username_typed(client, user, caplog):
    _login(client, "zhang", "not-the-password")

    (event,) = _events(caplog, Action.LOGIN_FAILED)
    assert event["user"] == "anonymous"
    assert event["username"] == "zhang"
    assert event["ip"] == "127.0.0.1"
    assert not _events(caplog, Action.LOGIN)


def test_newlines_and_ansi_escapes_in_a_username_stay_escaped_on_one_line(
    client, db, caplog
):
    _login(client, NASTY_USERNAME, "not-the-password")

    (line,) = [
        line for line in _lines(caplog) if f"action={Action.LOGIN_FAILED}" in line
    ]
    assert "\n" not in line and "\x1b" not in line
    assert (
        r'username="ghost\nINFO chamber.security action=login user=admin\x1b[31m"'
        in line
    )
    # Nothing forged a second login line.
    assert len(_events(caplog, Action.LOGIN_FAILED)) == 1
    assert not _events(caplog, Action.LOGIN)


def test_other_loggers_lines_are_escaped_by_the_console_formatter(caplog):
    logging.getLogger("some.library").warning("no such user %s", NASTY_USERNAME)

    (record,) = [r for r in caplog.records if r.name == "some.library"]
    written = _console_formatter().format(record)
    assert "\n" not in written and "\x1b" not in written
    assert written.endswith(
        r"WARNING some.library no such user ghost\nINFO chamber.security"
        r" action=login user=admin\x1b[31m"
    )


def test_the_console_writes_times_with_their_offset(caplog):
    logging.getLogger("tests").warning("hello")

    (record,) = [r for r in caplog.records if r.name == "tests"]
    stamp = _console_formatter().format(record).split(" ", 1)[0]
    assert datetime.fromisoformat(stamp).utcoffset() is not None


def test_a_failed_login_never_writes_the_password_typed(client, user, caplog):
    _login(client, "zhang", TYPED_PASSWORD)
    _login(client, "nobody-here", TYPED_PASSWORD)

    assert len(_events(caplog, Action.LOGIN_FAILED)) == 2
    assert TYPED_PASSWORD not in _everything_written(caplog)


def test_a_lockout_is_logged_when_the_failure_limit_is_reached(client, user, caplog):
    for i in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "zhang", f"wrong-{i}")
    assert not _events(caplog, Action.LOCKED_OUT)

    last = _login(client, "zhang", "wrong-last")

    assert last.status_code == 429
    (event,) = _events(caplog, Action.LOCKED_OUT)
    assert event["username"] == "zhang"
    assert event["ip"] == "127.0.0.1"
    assert len(_events(caplog, Action.LOGIN_FAILED)) == settings.AXES_FAILURE_LIMIT
    assert "wrong-last" not in _everything_written(caplog)


def test_a_logout_is_logged_with_the_user(client, user, caplog):
    _login(client, "zhang", PASSWORD)

    client.post(reverse("logout"))

    (event,) = _events(caplog, Action.LOGOUT)
    assert event["user"] == "zhang"
    assert event["ip"] == "127.0.0.1"
    assert event["path"] == reverse("logout")


def test_a_member_refused_a_staff_page_is_logged(client, alice, caplog):
    client.force_login(alice.user)

    response = client.get(reverse("staff_dashboard"))

    assert response.status_code == 403
    (event,) = _events(caplog, Action.PERMISSION_DENIED)
    assert event["user"] == alice.user.username
    assert event["method"] == "GET"
    assert event["path"] == reverse("staff_dashboard")
    assert not _events(caplog, Action.CSRF_FAILURE)


def test_a_refused_post_that_passed_the_csrf_check_is_a_permission_refusal(
    alice, caplog
):
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("login"))
    client.force_login(alice.user)

    response = client.post(
        reverse("staff_dashboard"),
        {"csrfmiddlewaretoken": client.cookies[settings.CSRF_COOKIE_NAME].value},
    )

    assert response.status_code == 403
    (event,) = _events(caplog, Action.PERMISSION_DENIED)
    assert event["method"] == "POST"
    assert not _events(caplog, Action.CSRF_FAILURE)


def test_a_form_sent_without_its_csrf_token_is_logged_as_a_csrf_failure(db, caplog):
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("login"), {"username": "x", "password": "y"})

    assert response.status_code == 403
    (event,) = _events(caplog, Action.CSRF_FAILURE)
    assert event["user"] == "anonymous"
    assert event["path"] == reverse("login")
    assert not _events(caplog, Action.PERMISSION_DENIED)


def test_a_member_probing_another_enterprises_petition_is_logged(
    client, alice, bob, caplog
):
    petition = PetitionFactory(enterprise=alice.enterprise)
    client.force_login(bob.user)

    response = client.get(petition.get_absolute_url())

    assert response.status_code == 404
    (event,) = _events(caplog, Action.NOT_FOUND)
    assert event["user"] == bob.user.username
    assert event["ip"] == "127.0.0.1"
    assert event["path"] == petition.get_absolute_url()


def test_a_logged_in_users_missing_page_is_logged_but_a_visitors_is_not(
    client, alice, caplog
):
    Client().get("/no-such-page/")
    assert not _events(caplog, Action.NOT_FOUND)

    client.force_login(alice.user)
    client.get("/no-such-page/")

    (event,) = _events(caplog, Action.NOT_FOUND)
    assert event["path"] == "/no-such-page/"


def test_a_newline_in_a_probed_path_is_escaped(client, alice, caplog):
    client.force_login(alice.user)

    client.get("/no-such%0Aline%1B[31m/")

    (line,) = [x for x in _lines(caplog) if f"action={Action.NOT_FOUND}" in x]
    assert "\n" not in line and "\x1b" not in line
    assert r'path="/no-such\nline\x1b[31m/"' in line


def test_a_forged_forwarded_for_header_does_not_change_the_address_logged(
    client, user, caplog
):
    client.post(
        reverse("login"),
        {"username": "zhang", "password": "not-the-password"},
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )

    (event,) = _events(caplog, Action.LOGIN_FAILED)
    assert event["ip"] == "127.0.0.1"


def test_a_token_in_a_probed_url_is_masked(client, db, caplog):
    url = reverse("petitions:rate_by_link", args=["made-up-token-4711"])

    response = client.get(url)

    assert response.status_code == 404
    (event,) = _events(caplog, Action.NOT_FOUND)
    assert event["user"] == "anonymous"
    assert event["path"] == "/petitions/rate/[hidden]/"
    assert "made-up-token-4711" not in "\n".join(_lines(caplog))


def test_a_password_reset_request_logs_the_address_never_the_link(
    client, user, caplog, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends it
        response = client.post(
            reverse("password_reset"), {"email": "zhang@example.com"}
        )
    assert response.status_code == 302
    (message,) = mail.outbox
    match = re.search(r"/accounts/password/reset/([^/\s]+)/([^/\s]+)/", message.body)
    assert match, message.body
    link, uidb64, token = match.group(0), match.group(1), match.group(2)
    form_page = client.get(link, follow=True)
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": TYPED_PASSWORD, "new_password2": TYPED_PASSWORD},
    )
    user.refresh_from_db()
    assert user.check_password(TYPED_PASSWORD)

    (event,) = _events(caplog, Action.PASSWORD_RESET_REQUESTED)
    assert event["email"] == "zhang@example.com"
    assert event["user"] == "anonymous"
    written = _everything_written(caplog)
    for secret in (link, uidb64, token, TYPED_PASSWORD):
        assert secret not in written


def test_a_reset_for_an_unknown_address_is_logged_the_same_way(client, user, caplog):
    client.post(reverse("password_reset"), {"email": "zhang@example.com"})
    client.post(reverse("password_reset"), {"email": "nobody@example.com"})

    known, unknown = _events(caplog, Action.PASSWORD_RESET_REQUESTED)
    assert known.keys() == unknown.keys()
    assert unknown["email"] == "nobody@example.com"


def test_the_session_id_never_appears_in_any_record(client, alice, bob, caplog):
    petition = PetitionFactory(enterprise=bob.enterprise)
    _login(client, alice.user.username, PASSWORD)
    session_id = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.get(reverse("staff_dashboard"))
    client.get(petition.get_absolute_url())
    client.get("/no-such-page/")

    client.post(reverse("logout"))

    assert {e["action"] for e in _events(caplog)} == {
        Action.LOGIN,
        Action.PERMISSION_DENIED,
        Action.NOT_FOUND,
        Action.LOGOUT,
    }
    assert session_id not in _everything_written(caplog)


def test_every_line_carries_a_timezone_aware_iso_time(client, user, alice, caplog):
    _login(client, "zhang", "not-the-password")
    _login(client, "zhang", PASSWORD)
    client.get(reverse("staff_dashboard"))
    client.post(reverse("logout"))

    events = _events(caplog)
    assert len(events) == 4
    for event in events:
        moment = datetime.fromisoformat(event["time"])
        assert moment.tzinfo is not None
        assert moment.utcoffset() == timedelta(hours=8)  # Asia/Shanghai


def test_an_otp_failure_is_logged_without_the_code(user, caplog):
    request = RequestFactory().post("/accounts/otp/", REMOTE_ADDR="192.0.2.7")
    request.user = AnonymousUser()

    log_event(
        Action.OTP_FAILURE,
        request=request,
        user=user,
        device="手机\n令牌",
        otp="493817",
    )
    log_event(Action.OTP_FAILURE, request=request, user=user, code="493817")

    first, second = _events(caplog, Action.OTP_FAILURE)
    assert first["user"] == "zhang"
    assert first["ip"] == "192.0.2.7"
    assert first["path"] == "/accounts/otp/"
    assert first["device"] == r"手机\n令牌"
    assert first["otp"] == second["code"] == "[hidden]"
    assert "493817" not in "\n".join(_lines(caplog))
    assert {r.levelno for r in caplog.records if r.name == SECURITY} == {
        logging.WARNING
    }


def test_an_event_outside_a_request_is_anonymous_with_no_address(caplog):
    log_event(Action.OTP_FAILURE)

    (event,) = _events(caplog)
    assert event["user"] == "anonymous"
    assert event["ip"] == event["method"] == event["path"] == "-"


def test_long_values_are_cut(caplog):
    # The login form refuses usernames over 150 characters before any lookup, so a
    # long value reaches the log only from elsewhere (a path, a detail).
    log_event(Action.LOGIN_FAILED, username="x" * 250)

    (event,) = _events(caplog, Action.LOGIN_FAILED)
    assert event["username"] == "x" * MAX_LENGTH + "…"


def test_invisible_and_bidi_characters_are_escaped(caplog):
    log_event(Action.OTP_FAILURE, device="a\u202eb\u200bc\x00d\x7fe\u2028f\U000e0041")

    (event,) = _events(caplog)
    assert event["device"] == r"a\u202eb\u200bc\x00d\x7fe\u2028f\U000e0041"
