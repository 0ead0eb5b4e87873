"""Password storage and policy in the production settings (AU-5).

The production settings are read in one subprocess (as in test_settings.py: the test
session itself runs in development mode): the first hasher, a new user's stored hash and
every password of TABLE run through validate_password with the production
AUTH_PASSWORD_VALIDATORS. The refusals are then read on the password change page, in
Chinese.

The policy: at least 10 characters (counted as characters, so 10 Chinese characters are
enough), no common password, none too like the user's name or e-mail, any length up to
256 characters and beyond, spaces and Chinese included, and no composition rule: a
lowercase-only passphrase or an all-Chinese one is accepted.

Decided: NumericPasswordValidator stays. ASVS (v5.0 6.2.5, v4 2.1.9) forbids rules that
demand or limit kinds of characters (an upper-case letter, a digit, a symbol). Refusing
a password made only of digits demands no kind of character: a single letter or Chinese
character among the digits passes (TABLE). It refuses one family of guessable
passwords: ten or more digits here are a mobile number (11 digits), a date of birth or a
piece of an identity card number, all easy to learn about a member, which is the kind of
password the common-password check (ASVS v5.0 6.2.4) exists to refuse.
"""

import os
import re

import pytest
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from tests.factories import PASSWORD, UserFactory
from tests.support.settings import (
    PRODUCTION,
    SETTINGS_PREFIXES,
    SETTINGS_VARIABLES,
    settings_of,
)

TOO_SHORT = "password_too_short"
COMMON = "password_too_common"
NUMERIC = "password_entirely_numeric"
SIMILAR = "password_too_similar"

# The user every password is checked for (UserAttributeSimilarityValidator).
USERNAME, EMAIL = "zhangwei2026", "zhangwei2026@example.cn"

PHRASE = "营口港的海风 blows over Xishi 西市区, 2026 "


def of_length(n: int) -> str:
    """A passphrase of exactly n characters, with Chinese, Latin, digits and spaces."""
    text = (PHRASE * (n // len(PHRASE) + 1))[:n]
    assert len(text) == n
    return text


LONGEST = of_length(256)

# (what it is, the password, the refusals validate_password gives)
TABLE = [
    ("common: woaini1314", "woaini1314", {COMMON}),
    ("common: qwertyuiop", "qwertyuiop", {COMMON}),
    ("common: 1qaz2wsx3edc", "1qaz2wsx3edc", {COMMON}),
    ("common: password123", "password123", {COMMON}),
    ("9 characters", "kf7#pq2Lz", {TOO_SHORT}),
    ("10 characters", "kf7#pq2Lzw", set()),
    ("9 Chinese characters", "营口西市区工商联合", {TOO_SHORT}),
    ("10 Chinese characters", "营口西市区工商联合会", set()),
    ("64 characters", of_length(64), set()),
    ("100 characters with Chinese and spaces", of_length(100), set()),
    ("128 characters", of_length(128), set()),
    ("129 characters", of_length(129), set()),
    ("256 characters", LONGEST, set()),
    ("lowercase-only passphrase", "lanternharbourquietly", set()),
    ("spaces inside and around", "  quiet harbour at dusk  ", set()),
    ("all-digit: a mobile number", "13812345678", {NUMERIC}),
    ("all-digit: 20 digits", "31415926535897932384", {NUMERIC}),
    ("digits and one Chinese character", "13812345678号", set()),
    ("the username", USERNAME, {SIMILAR}),
]


@pytest.fixture(scope="module")
def production(tmp_path_factory) -> dict:
    """What the production settings say and do, from one subprocess."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in SETTINGS_VARIABLES and not name.startswith(SETTINGS_PREFIXES)
    }
    env.update(
        PRODUCTION,
        DJANGO_SETTINGS_MODULE="chamber.settings",
        VAR_DIR=str(tmp_path_factory.mktemp("production") / "var"),
        PYTHONUNBUFFERED="1",
    )
    passwords = [password for _what, password, _refusals in TABLE]
    return settings_of(
        env,
        "from django.conf import settings as s\n"
        "from django.contrib.auth import password_validation as pv\n"
        "from django.core.exceptions import ValidationError\n"
        "from chamber.models import User\n"
        f"user = User(username={USERNAME!r}, email={EMAIL!r})\n"
        f"longest = {LONGEST!r}\n"
        "user.set_password(longest)\n"
        "def refusals(password):\n"
        "    try:\n"
        "        pv.validate_password(password, user)\n"
        "    except ValidationError as e:\n"
        "        return sorted(error.code for error in e.error_list)\n"
        "    return []\n"
        f"out = {{'hashers': s.PASSWORD_HASHERS, 'debug': s.DEBUG,\n"
        "       'validators': s.AUTH_PASSWORD_VALIDATORS, 'stored': user.password,\n"
        "       'checks': user.check_password(longest),\n"
        "       'checks_one_short': user.check_password(longest[:-1]),\n"
        f"       'refusals': [refusals(p) for p in {passwords!r}]}}\n",
    )


def test_production_hashes_a_new_users_password_with_argon2_first(production):
    assert production["debug"] is False
    # Argon2id at OWASP's minimum (tests/chamber/test_password_hashing.py).
    assert production["hashers"][0] == "chamber.passwords.Argon2PasswordHasher"
    assert production["stored"].startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    # 256 characters are stored whole: the same text checks, one character less does not.
    assert production["checks"] is True
    assert production["checks_one_short"] is False


def test_production_asks_for_ten_characters():
    minimum = [
        v["OPTIONS"]["min_length"]
        for v in settings.AUTH_PASSWORD_VALIDATORS
        if v["NAME"].endswith("MinimumLengthValidator")
    ]
    assert minimum == [10]


@pytest.mark.parametrize(
    ("what", "password", "refusals"),
    TABLE,
    ids=[what for what, _p, _r in TABLE],
)
def test_production_validators_give_the_tables_outcome(
    production, what, password, refusals
):
    got = production["refusals"][[p for _w, p, _r in TABLE].index(password)]

    assert set(got) == refusals


def test_this_session_validates_passwords_as_production_does(production):
    """The password change page below speaks for production."""
    assert production["validators"] == settings.AUTH_PASSWORD_VALIDATORS


def zh_refusals(password: str, user) -> list[str]:
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        password_validation.validate_password(password, user)
    return refused.value.messages


HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize(
    ("what", "password", "refusals"),
    [row for row in TABLE if row[2]],
    ids=[what for what, _p, refusals in TABLE if refusals],
)
def test_the_password_change_page_gives_each_refusal_in_chinese_and_keeps_the_password(
    client, db, what, password, refusals
):
    user = UserFactory(username=USERNAME, email=EMAIL)
    client.force_login(user)

    with translation.override("zh-hans"):
        response = client.post(
            reverse("password_change"),
            {
                "old_password": PASSWORD,
                "new_password1": password,
                "new_password2": password,
            },
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )

    assert response.status_code == 200
    page = response.content.decode()
    messages = zh_refusals(password, user)
    assert len(messages) == len(refusals)
    for message in messages:
        assert HAN.search(message), f"not in Chinese: {message!r}"
        assert message in page
    assert "too short" not in page and "too common" not in page
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
