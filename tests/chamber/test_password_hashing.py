"""Passwords are hashed with Argon2id at OWASP's minimum (19 MiB, 2 passes, 1 lane), not
Django's heavier defaults, and a hash made with other parameters is upgraded when its
owner next logs in (issue 22, item 3; the CPU per check is measured in bench/, not here)."""

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher as DjangoDefault
from django.contrib.auth.hashers import get_hasher, identify_hasher
from django.urls import reverse

from tests.factories import UserFactory

PASSWORD = "Liaohe-2026-pw"
REAL_HASHERS = [
    "chamber.passwords.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]


@pytest.fixture
def real_hashers(settings):
    settings.PASSWORD_HASHERS = REAL_HASHERS  # the suite's own fast hasher set aside


def parameters(encoded: str) -> dict[str, str]:
    _algorithm, variety, _version, params, *_rest = encoded.split("$")
    return {"variety": variety, **dict(p.split("=") for p in params.split(","))}


def test_new_passwords_are_argon2id_at_owasps_minimum(real_hashers, db):
    user = UserFactory()
    user.set_password(PASSWORD)
    user.save()

    found = parameters(user.password)
    assert found["variety"] == "argon2id"
    assert int(found["m"]) >= 19 * 1024 and int(found["t"]) >= 2
    assert found["p"] == "1"
    assert get_hasher("default").algorithm == "argon2"


def test_a_hash_with_djangos_defaults_is_upgraded_at_the_next_login(
    real_hashers, client, db
):
    user = UserFactory(username="li-kezhang")
    old = DjangoDefault()
    user.password = old.encode(PASSWORD, old.salt())
    user.save()
    assert parameters(user.password)["m"] == "102400"

    response = client.post(
        reverse("login"), {"username": "li-kezhang", "password": PASSWORD}
    )

    assert response.status_code == 302  # logged in with the old hash
    user.refresh_from_db()
    assert parameters(user.password)["m"] == str(19 * 1024)
    assert identify_hasher(user.password).verify(PASSWORD, user.password)
