"""Logging in with a code sent by SMS (手机号 + 验证码), beside the password; and setting a
new password after such a login (忘记密码).

- Only an active user's verified mobile logs in. A code may be asked for any number and
  the answer is the same: a real code goes only to such a mobile; for any other number
  the request is noted as a code nobody is told (`send_code(deliver=False)`), so the limits of
  chamber/sms_codes.py (one a minute, ten a day) and its messages ("wrong", "expired")
  answer alike for every number, and none tells which numbers have an account.
- The code is checked by `SmsCodeBackend`, called through
  `django.contrib.auth.authenticate`, so django-axes sees every attempt: a locked-out
  account is refused before its code is looked at (the right code does not help), and
  a wrong or expired code is a failed login. django-axes keys its lockout on the
  `username` credential (and the address), so `credentials()` names the account whose
  verified mobile it is: wrong codes and wrong passwords count toward one lockout.
  Another number is named "sms:<number>", which no username can be (Django's usernames
  have no colon).
- The login then goes on as a password login does: Django's `user_logged_in` and
  `user_login_failed` signals write the lines of "chamber.security", and
  `SecondFactorMiddleware` sends staff and officials to their second factor.
- A session that logged in by SMS may set a new password without the old one, for
  SET_PASSWORD_WINDOW (time for the second factor first); after that, the password
  change page asks for the old one as usual.
"""

from datetime import timedelta

from django.contrib.auth.backends import BaseBackend
from django.http import HttpRequest
from django.utils import timezone

from chamber import sms_codes
from chamber.backends import UserBackend
from chamber.models import SmsCode, User

# The attribute of the request on which the backend leaves why a code was refused.
REFUSAL = "sms_login_refusal"
# In the session: until when (a timestamp) a new password may be set without the old one.
SET_PASSWORD_UNTIL = "sms_login:set_password_until"
SET_PASSWORD_WINDOW = timedelta(minutes=15)


def user_with_mobile(number: str) -> User | None:
    """The active user whose verified mobile `number` is (one at most)."""
    return User.objects.filter(
        mobile=number, mobile_verified_at__isnull=False, is_active=True
    ).first()


def credentials(number: str, code: str) -> dict[str, str]:
    """What `authenticate` is given for a code login: django-axes locks the `username`."""
    user = user_with_mobile(number)
    name = user.get_username() if user is not None else f"sms:{number}"
    return {"username": name, "mobile": number, "sms_code": code}


def request_login_code(number: str, *, address: str | None = None) -> None:
    """Send a login code to `number` if it is an active user's verified mobile; for any
    other number only note the request (a code nobody is told: the same limits and
    answers). CodeRefused when a code went to the number less than a minute ago, or ten
    today, whichever the number."""
    user = user_with_mobile(number)
    sms_codes.send_code(
        number,
        SmsCode.Purpose.LOGIN,
        user=user,
        deliver=user is not None,
        address=address,
    )


class SmsCodeBackend(BaseBackend):
    """Logs in with a verified mobile and the login code just sent to it."""

    def authenticate(
        self,
        request: HttpRequest | None,
        mobile: str | None = None,
        sms_code: str | None = None,
        **kwargs,
    ) -> User | None:
        if mobile is None or sms_code is None:
            return None
        try:
            row = sms_codes.check_code(mobile, SmsCode.Purpose.LOGIN, sms_code)
        except sms_codes.CodeRefused as refusal:
            if request is not None:
                setattr(request, REFUSAL, str(refusal))
            return None
        # Still this user's verified mobile, and still an active user.
        return User.objects.filter(
            pk=row.user_id,
            mobile=row.number,
            mobile_verified_at__isnull=False,
            is_active=True,
        ).first()

    def get_user(self, user_id):
        # A session begun by SMS is read as every other one.
        return UserBackend().get_user(user_id)


def allow_setting_password(session) -> None:
    """After a login by SMS: a new password may be set without the old one, for a while."""
    session[SET_PASSWORD_UNTIL] = (timezone.now() + SET_PASSWORD_WINDOW).timestamp()


def may_set_password(session) -> bool:
    return session.get(SET_PASSWORD_UNTIL, 0) > timezone.now().timestamp()
