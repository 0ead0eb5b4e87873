"""Security events (ASVS 16.2, 16.3, 16.4): one escaped line each on "chamber.security".

Logins, failed logins, lockouts, logouts, permission refusals (403), probes of
objects that are not the user's (404), CSRF failures, password reset requests and,
once there is a second factor, its failures. Each line names the time with its
offset, the action, the user (or "anonymous"), the client's address, the method and
the path, then a few details.

Nothing secret is written. The receivers pick the fields they log (from the login
credentials only the username); a detail whose name sounds secret is masked; a part
of the path captured as a free string (every token of ours travels so: feeds, rating
and invitation links, password reset) is masked too; no query string, cookie or
session key is ever read. Every value a user could have typed is escaped and cut to
a length, so one event stays one line and a terminal shows no colours from it.
"""

import logging
import re
import unicodedata
from datetime import UTC, datetime
from enum import StrEnum

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from chamber.security import client_ip

logger = logging.getLogger("chamber.security")

ANONYMOUS = "anonymous"
MASK = "[hidden]"
MAX_LENGTH = 200
# A detail whose name contains one of these is written as MASK, whatever its value.
SECRET_WORDS = (
    "password",
    "passwd",
    "secret",
    "token",
    "otp",
    "code",
    "session",
    "cookie",
    "signature",
    "uid",
)


class Action(StrEnum):
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOCKED_OUT = "locked_out"
    LOGOUT = "logout"
    PERMISSION_DENIED = "permission_denied"
    NOT_FOUND = "not_found"
    CSRF_FAILURE = "csrf_failure"
    PASSWORD_RESET_REQUESTED = "password_reset_requested"
    OTP_FAILURE = "otp_failure"


_ROUTINE = {Action.LOGIN, Action.LOGOUT, Action.PASSWORD_RESET_REQUESTED}
_SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_QUOTED_ESCAPES = {**_SHORT_ESCAPES, "\\": "\\\\", '"': '\\"'}
# Control, format (bidi overrides, zero-width), line and paragraph separators,
# surrogates, private use and unassigned code points.
_UNSAFE_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}
# <token>, <str:token>: the parts of a route captured as free strings.
_STRING_PART = re.compile(r"<(?:str:)?(\w+)>")


def _escape_char(char: str, table: dict[str, str]) -> str:
    if char in table:
        return table[char]
    if unicodedata.category(char) not in _UNSAFE_CATEGORIES:
        return char
    point = ord(char)
    if point <= 0xFF:
        return f"\\x{point:02x}"
    if point <= 0xFFFF:
        return f"\\u{point:04x}"
    return f"\\U{point:08x}"


def escape_line(text: str) -> str:
    """Text with every control or invisible character written as an escape: one safe line."""
    if text.isprintable():
        return text
    return "".join(_escape_char(c, _SHORT_ESCAPES) for c in text)


def escape_value(value: object, limit: int = MAX_LENGTH) -> str:
    """A user-controlled value for a log line: cut to `limit`, escaped, quoted."""
    text = str(value)
    cut = len(text) > limit
    text = text[:limit]
    escaped = "".join(_escape_char(c, _QUOTED_ESCAPES) for c in text)
    return f'"{escaped}…"' if cut else f'"{escaped}"'


def _sounds_secret(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in SECRET_WORDS)


def _username(user) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.get_username()


def _path(request: HttpRequest) -> str:
    """The path, with the parts captured as free strings or named like secrets masked."""
    path = request.path
    match = getattr(request, "resolver_match", None)
    if match is None:
        return path
    free = set(_STRING_PART.findall(match.route or ""))
    for name, value in match.kwargs.items():
        text = str(value)
        if text and (name in free or _sounds_secret(name)):
            path = path.replace(text, MASK)
    return path


def log_event(
    action: Action,
    *,
    request: HttpRequest | None = None,
    user=None,
    **details: object,
) -> None:
    """Write one line for a security event; `user` defaults to the request's user.

    `details` are a few safe facts (a username typed, a device name, a reason);
    one whose name sounds secret (password, token, otp, code, session…) is masked.
    A second-factor step calls log_event(Action.OTP_FAILURE, request=…, user=…).
    """
    if user is None and request is not None:
        user = getattr(request, "user", None)
    name = _username(user)
    ip = client_ip(request) if request is not None else None
    fields = [
        f"time={timezone.localtime().isoformat(timespec='milliseconds')}",
        f"action={escape_line(str(action))}",
        f"user={escape_value(name) if name is not None else ANONYMOUS}",
        f"ip={escape_value(ip) if ip else '-'}",
        f"method={escape_value(request.method) if request is not None and request.method else '-'}",
        f"path={escape_value(_path(request)) if request is not None else '-'}",
    ]
    for key, value in details.items():
        shown = MASK if _sounds_secret(key) else value
        fields.append(f"{escape_line(key)}={escape_value(shown)}")
    level = logging.INFO if action in _ROUTINE else logging.WARNING
    logger.log(level, "%s", " ".join(fields))


def on_logged_in(sender, request: HttpRequest | None, user, **kwargs) -> None:
    log_event(Action.LOGIN, request=request, user=user)


def on_login_failed(
    sender, credentials: dict, request: HttpRequest | None = None, **kwargs
) -> None:
    # Only the username of the credentials: never the password, even though
    # Django has already replaced it with stars.
    log_event(
        Action.LOGIN_FAILED,
        request=request,
        username=credentials.get("username", ""),
    )


def on_logged_out(sender, request: HttpRequest | None, user, **kwargs) -> None:
    log_event(Action.LOGOUT, request=request, user=user)


def on_locked_out(
    sender, request: HttpRequest | None, username: str | None, **kwargs
) -> None:
    log_event(Action.LOCKED_OUT, request=request, username=username or "")


def connect_receivers() -> None:
    """Log Django's login signals and django-axes' lockouts (called from ChamberConfig.ready)."""
    from axes.signals import user_locked_out
    from django.contrib.auth.signals import (
        user_logged_in,
        user_logged_out,
        user_login_failed,
    )

    for signal, receiver in (
        (user_logged_in, on_logged_in),
        (user_login_failed, on_login_failed),
        (user_logged_out, on_logged_out),
        (user_locked_out, on_locked_out),
    ):
        signal.connect(
            receiver, dispatch_uid=f"chamber.security_log.{receiver.__name__}"
        )


class SecurityLogMiddleware:
    """Logs refusals (403), probes (404) and password reset requests.

    Place it after CsrfViewMiddleware: a 403 that comes back without this
    middleware's process_view having run was refused before any view, which in our
    stack only the CSRF check does. 404s are logged for logged-in users and for
    object URLs (a route with parameters), not for anonymous scans of made-up paths.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        status = response.status_code
        if status == 403:
            reached_view = getattr(request, "_security_log_view", False)
            action = Action.PERMISSION_DENIED if reached_view else Action.CSRF_FAILURE
            log_event(action, request=request)
        elif status == 404 and self._is_probe(request):
            log_event(Action.NOT_FOUND, request=request)
        elif status == 302 and request.method == "POST" and self._is_reset(request):
            # The address asked for, never the link: the token is made later, for the e-mail.
            email = request.POST.get("email", "")
            log_event(Action.PASSWORD_RESET_REQUESTED, request=request, email=email)
        return response

    def process_view(self, request: HttpRequest, view, args, kwargs) -> None:
        request._security_log_view = True
        return None

    @staticmethod
    def _is_probe(request: HttpRequest) -> bool:
        match = getattr(request, "resolver_match", None)
        if match is not None and (match.kwargs or match.args):
            return True
        user = getattr(request, "user", None)
        return bool(user is not None and user.is_authenticated)

    @staticmethod
    def _is_reset(request: HttpRequest) -> bool:
        match = getattr(request, "resolver_match", None)
        return match is not None and match.view_name == "password_reset"


class EscapingFormatter(logging.Formatter):
    """Every logger's message on one line, control characters and ANSI escapes escaped.

    Other libraries log what users typed as it came (django-axes puts the username
    in its lines), so the console's formatter escapes the message part. Tracebacks
    still follow on their own lines. Times are ISO 8601 with the offset, unless a
    datefmt is given.
    """

    def formatMessage(self, record: logging.LogRecord) -> str:
        original = record.message
        record.message = escape_line(original)
        try:
            return super().formatMessage(record)
        finally:
            record.message = original

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        if datefmt:
            return super().formatTime(record, datefmt)
        moment = datetime.fromtimestamp(record.created, tz=UTC).astimezone()
        return moment.isoformat(timespec="milliseconds")
