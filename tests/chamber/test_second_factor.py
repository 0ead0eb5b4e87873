"""AU-3 and AC-4: staff and officials confirm their logins with a second factor.

An authenticator app's six-digit code (TOTP) or a one-time backup code, after the
password. The requirement is on wherever DEBUG is off; these tests switch it on.
"""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD, OfficialFactory
from tests.support.words import zh

NOW = timezone.now().replace(microsecond=0)


@pytest.fixture(autouse=True)
def _required(settings):
    settings.SECOND_FACTOR_REQUIRED = True


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def code_of(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def logged_in(user) -> Client:
    client = Client()
    response = client.post(
        reverse("login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


def enrol(client) -> tuple[TOTPDevice, list[str]]:
    """Set up the authenticator through the pages, as a user does."""
    client.get(reverse("second_factor_setup"))
    device = TOTPDevice.objects.get(confirmed=False)
    response = client.post(reverse("second_factor_setup"), {"code": code_of(device)})
    assert response.status_code == 200
    device.refresh_from_db()
    codes = list(
        StaticToken.objects.filter(device__user=device.user).values_list(
            "token", flat=True
        )
    )
    return device, codes


# --- who must give a code ------------------------------------------------------------


@pytest.mark.parametrize("url", ["staff_dashboard", "admin:index", "petitions:triage"])
def test_staff_without_an_authenticator_are_sent_to_set_one_up(clock, staff, url):
    client = logged_in(staff)

    response = client.get(reverse(url))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("second_factor_setup"))


def test_an_official_is_asked_too_but_a_member_is_not(clock, alice):
    official = OfficialFactory()

    asked = logged_in(official.user).get(reverse("petitions:department_queue"))
    member = logged_in(alice.user).get(reverse("members:profile"))

    assert asked.status_code == 302
    assert asked["Location"].startswith(reverse("second_factor_setup"))
    assert member.status_code == 200


def test_the_admin_is_for_staff_with_a_verified_code_only(clock, staff, alice):
    member = logged_in(alice.user).get(reverse("admin:index"))
    assert member.status_code == 302
    assert member["Location"].startswith(reverse("admin:login"))

    client = logged_in(staff)
    assert client.get(reverse("admin:index")).status_code == 302
    device, _codes = enrol(client)

    assert client.get(reverse("admin:index")).status_code == 200


def test_logging_out_needs_no_code(clock, staff):
    client = logged_in(staff)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


# --- setting up and logging in ---------------------------------------------------------


def test_setting_up_shows_a_qr_code_and_the_key_then_gives_ten_backup_codes(
    clock, staff
):
    client = logged_in(staff)

    page = client.get(reverse("second_factor_setup"))
    html = page.content.decode()
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in html
    assert zh("Set up your authenticator app") in html

    done = client.post(reverse("second_factor_setup"), {"code": code_of(device)})

    device.refresh_from_db()
    assert device.confirmed
    codes = StaticToken.objects.filter(device__user=staff)
    assert codes.count() == 10
    for token in codes.values_list("token", flat=True):
        assert token in done.content.decode()
    assert client.get(reverse("staff_dashboard")).status_code == 200


def test_a_wrong_first_code_sets_nothing_up(clock, staff):
    client = logged_in(staff)
    client.get(reverse("second_factor_setup"))

    response = client.post(reverse("second_factor_setup"), {"code": "000000"})

    assert response.status_code == 400
    assert not TOTPDevice.objects.filter(user=staff, confirmed=True).exists()
    assert client.get(reverse("staff_dashboard")).status_code == 302


def test_the_next_login_asks_for_the_code_and_a_right_code_lets_staff_in(clock, staff):
    device, _codes = enrol(logged_in(staff))
    clock.shift(timedelta(seconds=31))
    client = logged_in(staff)

    asked = client.get(reverse("staff_dashboard"))
    assert asked["Location"].startswith(reverse("second_factor"))
    before = client.session.session_key
    response = client.post(
        reverse("second_factor"),
        {"code": code_of(device), "next": reverse("staff_dashboard")},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("staff_dashboard")
    assert client.session.session_key != before  # a new session key once verified
    assert client.get(reverse("staff_dashboard")).status_code == 200


def test_a_code_used_once_is_refused_in_another_login(clock, staff):
    device, _codes = enrol(logged_in(staff))
    clock.shift(timedelta(seconds=31))
    code = code_of(device)
    first = logged_in(staff)
    assert first.post(reverse("second_factor"), {"code": code}).status_code == 302

    second = logged_in(staff)
    response = second.post(reverse("second_factor"), {"code": code})

    assert response.status_code == 400
    assert zh("The code is not right, or it was used already.") in (
        response.content.decode()
    )
    assert second.get(reverse("staff_dashboard")).status_code == 302


def test_wrong_codes_make_the_next_try_wait_even_with_the_right_code(clock, staff):
    device, _codes = enrol(logged_in(staff))
    clock.shift(timedelta(seconds=31))
    client = logged_in(staff)
    for _ in range(10):
        client.post(reverse("second_factor"), {"code": "123456"})

    refused = client.post(reverse("second_factor"), {"code": code_of(device)})

    assert refused.status_code == 400
    assert "秒后再试" in refused.content.decode()
    assert client.get(reverse("staff_dashboard")).status_code == 302
    # Once the wait is over, the right code works.
    clock.shift(timedelta(seconds=31))
    allowed = client.post(reverse("second_factor"), {"code": code_of(device)})
    assert allowed.status_code == 302


def test_a_backup_code_works_once(clock, staff):
    _device, codes = enrol(logged_in(staff))

    first = logged_in(staff)
    assert first.post(reverse("second_factor"), {"code": codes[0]}).status_code == 302
    again = logged_in(staff)
    refused = again.post(reverse("second_factor"), {"code": codes[0]})

    assert refused.status_code == 400
    assert StaticToken.objects.filter(device__user=staff).count() == 9


# --- replacing the second factor asks for the password (AU-4) -------------------------


def test_a_new_authenticator_needs_the_current_password(clock, staff):
    client = logged_in(staff)
    old, _codes = enrol(client)
    clock.shift(timedelta(seconds=31))
    client.get(reverse("second_factor_setup"))
    new = TOTPDevice.objects.get(user=staff, confirmed=False)

    without = client.post(reverse("second_factor_setup"), {"code": code_of(new)})
    wrong = client.post(
        reverse("second_factor_setup"),
        {"code": code_of(new), "current_password": "not-my-password"},
    )

    assert without.status_code == wrong.status_code == 400
    assert TOTPDevice.objects.get(user=staff, confirmed=True).pk == old.pk

    done = client.post(
        reverse("second_factor_setup"),
        {"code": code_of(new), "current_password": PASSWORD},
    )
    assert done.status_code == 200
    assert TOTPDevice.objects.get(user=staff, confirmed=True).pk == new.pk


def test_new_backup_codes_need_the_password_and_replace_the_old_ones(clock, staff):
    client = logged_in(staff)
    _device, old = enrol(client)

    refused = client.post(
        reverse("second_factor_backup"), {"current_password": "wrong"}
    )
    assert refused.status_code == 400
    assert sorted(
        StaticToken.objects.filter(device__user=staff).values_list("token", flat=True)
    ) == sorted(old)

    made = client.post(reverse("second_factor_backup"), {"current_password": PASSWORD})
    new = list(
        StaticToken.objects.filter(device__user=staff).values_list("token", flat=True)
    )
    assert made.status_code == 200
    assert len(new) == 10
    assert not set(new) & set(old)


def test_without_a_verified_session_the_setup_page_of_an_enrolled_user_asks_the_code(
    clock, staff
):
    enrol(logged_in(staff))
    client = logged_in(staff)

    response = client.get(reverse("second_factor_setup"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("second_factor"))


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example", "/\\evil.example"]
)
def test_after_the_code_the_user_never_leaves_the_site(clock, staff, target):
    device, _codes = enrol(logged_in(staff))
    clock.shift(timedelta(seconds=31))
    client = logged_in(staff)

    response = client.post(
        reverse("second_factor"), {"code": code_of(device), "next": target}
    )

    assert response.status_code == 302
    assert response["Location"] == "/"
