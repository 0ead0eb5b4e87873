"""My profile: a member keeps their contact details and privacy choices, and nothing else."""

import re

import pytest
from django.urls import reverse
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertRedirects

from chamber.models import User
from members.forms import ProfileForm
from members.models import Enterprise, Member
from tests.factories import PASSWORD, EnterpriseFactory, UserFactory
from tests.support.words import zh_marked

PROFILE = reverse("members:profile")
# What the page sends back for a member who leaves everything as it is.
KEEP = {"mobile": "13800000001", "show_phone": "on"}


def _saved(client, data: dict):
    """POST the profile, expect the redirect, and return the page the member lands on."""
    response = client.post(PROFILE, {"current_password": PASSWORD, **data})
    errors = response.context["form"].errors if response.status_code == 200 else None
    assert response.status_code == 302, errors
    assert response.url == PROFILE
    return client.get(PROFILE)


def _member_row(member: Member) -> dict:
    return Member.objects.filter(pk=member.pk).values().get()


def _user_row(user: User) -> dict:
    return User.objects.filter(pk=user.pk).values().get()


def _enterprise_row(enterprise: Enterprise) -> dict:
    return Enterprise.objects.filter(pk=enterprise.pk).values().get()


@pytest.fixture
def alice_in(client, alice):
    alice.mobile = "13800000001"
    alice.show_phone = True
    alice.save()
    client.force_login(alice.user)
    return client


def test_member_sees_their_contact_details_and_privacy_choices(alice_in, alice):
    response = alice_in.get(PROFILE)

    assert response.status_code == 200
    assert list(response.context["form"].fields) == [
        "mobile",
        "email",
        "show_phone",
        "show_email",
        "notify_accepted",
        "notify_dispatched",
        "notify_progress",
        "notify_answered",
        "current_password",
    ]
    assertContains(response, 'value="13800000001"')
    assertContains(response, f'value="{alice.user.email}"')
    assertContains(response, escape(alice.user.get_full_name()))
    assertContains(response, escape(alice.enterprise.name))
    assertContains(response, escape(zh_marked("show my mobile phone to other members")))
    assertContains(response, escape(zh_marked("show my e-mail to other members")))


def test_member_saves_mobile_email_and_privacy_choices(alice_in, alice):
    response = alice_in.post(
        PROFILE,
        {
            "mobile": "13912345678",
            "email": "alice@example.cn",
            "show_email": "on",
            "current_password": PASSWORD,
        },
        follow=True,
    )

    assertRedirects(response, PROFILE)
    assertContains(response, escape(zh_marked("Your profile was saved.")))
    alice.refresh_from_db()
    alice.user.refresh_from_db()
    assert alice.mobile == "13912345678"
    assert alice.user.email == "alice@example.cn"
    assert alice.show_phone is False
    assert alice.show_email is True


def test_member_may_keep_their_own_email_address(alice_in, alice):
    own = alice.user.email

    response = _saved(alice_in, {**KEEP, "email": own.upper()})

    assertContains(response, escape(zh_marked("Your profile was saved.")))


def test_member_may_clear_mobile_and_email(alice_in, alice):
    response = _saved(alice_in, {"mobile": "", "email": ""})

    assertContains(response, escape(zh_marked("Your profile was saved.")))
    alice.refresh_from_db()
    alice.user.refresh_from_db()
    assert alice.mobile == ""
    assert alice.user.email == ""


@pytest.mark.parametrize(
    "typed",
    [
        "13812345678",
        " 13812345678 ",
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "0086 13812345678",
        "+86(138)1234-5678",
    ],
)
def test_mobile_typed_with_country_code_or_separators_is_stored_as_eleven_digits(
    alice_in, alice, typed
):
    response = _saved(alice_in, {"mobile": typed})

    assertContains(response, escape(zh_marked("Your profile was saved.")))
    alice.refresh_from_db()
    assert alice.mobile == "13812345678"


def test_short_mobile_gives_a_chinese_error_and_saves_nothing(alice_in, alice):
    before = _member_row(alice)
    email_before = alice.user.email

    response = alice_in.post(
        PROFILE, {"mobile": "12345", "email": "new@example.cn", "show_email": "on"}
    )

    assert response.status_code == 200
    assert "mobile" in response.context["form"].errors
    message = zh_marked(
        "Enter a mainland mobile number: 11 digits starting with 13 to 19, e.g. 13812345678."
    )
    assertContains(response, escape(message))
    assert _member_row(alice) == before
    alice.user.refresh_from_db()
    assert alice.user.email == email_before


@pytest.mark.parametrize(
    "typed",
    [
        "12345",
        "12812345678",  # 12 is no mainland mobile prefix
        "10012345678",
        "1381234567",  # 10 digits
        "138123456789",  # 12 digits
        "1381234567a",
        "０１３８１２３４５６７",
    ],
)
def test_invalid_mobile_is_refused_and_nothing_is_saved(alice_in, alice, typed):
    before = _member_row(alice)

    response = alice_in.post(PROFILE, {"mobile": typed})

    assert response.status_code == 200
    assert "mobile" in response.context["form"].errors
    assert _member_row(alice) == before


@pytest.mark.parametrize(
    "typed",
    [
        "１３８１２３４５６７８",  # full-width digits, as a Chinese IME may type them
        "13８1234５678",
        "138١٢٣٤٥٦٧٨",  # Arabic-Indic digits
    ],
)
def test_a_stored_mobile_is_always_eleven_ascii_digits(alice_in, alice, typed):
    response = alice_in.post(PROFILE, {"mobile": typed})

    assert response.status_code in (200, 302)
    alice.refresh_from_db()
    assert alice.mobile in (
        "13800000001",
        "13812345678",
    ), f"{typed!r} was stored as {alice.mobile!r}"


def test_email_used_by_another_account_is_refused_with_a_message(alice_in, alice, bob):
    before = _user_row(alice.user)
    member_before = _member_row(alice)

    response = alice_in.post(
        PROFILE, {"mobile": "13912345678", "email": bob.user.email.upper()}
    )

    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    message = zh_marked(
        "Another account uses this e-mail address; ask the secretariat if it is yours."
    )
    assertContains(response, escape(message))
    assert _user_row(alice.user) == before
    assert _member_row(alice) == member_before


def test_email_of_an_account_without_member_record_is_refused_too(alice_in, alice):
    UserFactory(email="official@example.gov.cn")

    response = alice_in.post(PROFILE, {**KEEP, "email": "Official@Example.gov.cn"})

    assert "email" in response.context["form"].errors
    alice.user.refresh_from_db()
    assert alice.user.email != "official@example.gov.cn"


def test_email_too_long_for_the_account_is_refused_without_server_error(
    alice_in, alice
):
    """Forms accept e-mails up to 320 characters; the user table holds 254."""
    alice_in.raise_request_exception = False
    before = _user_row(alice.user)
    too_long = "a" * 250 + "@example.cn"

    response = alice_in.post(PROFILE, {**KEEP, "email": too_long})

    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert _user_row(alice.user) == before


def test_profile_form_ignores_fields_a_member_must_not_set(alice_in, alice, bob):
    member_before = _member_row(alice)
    user_before = _user_row(alice.user)
    enterprise_before = _enterprise_row(alice.enterprise)
    bob_before = _member_row(bob)
    other = EnterpriseFactory(name="丙公司")

    response = alice_in.post(
        PROFILE,
        {
            "mobile": "13912345678",
            "email": user_before["email"],
            "show_phone": "on",
            # The member's e-mail choices, kept as they are (on by default).
            "notify_accepted": "on",
            "notify_dispatched": "on",
            "notify_progress": "on",
            "notify_answered": "on",
            "current_password": PASSWORD,
            "enterprise": other.pk,
            "enterprise_id": other.pk,
            "position": "董事长兼法人",
            "status": Enterprise.Status.LEFT,
            "area": "ftz",
            "credit_code": other.credit_code,
            "is_staff": "on",
            "is_superuser": "on",
            "is_active": "",
            "full_name": "冒名顶替",
            "username": "admin",
            "user": bob.user.pk,
            "user_id": bob.user.pk,
            "invited_at": "2020-01-01T00:00",
        },
    )

    assert response.status_code == 302
    member_after = _member_row(alice)
    assert member_after["mobile"] == "13912345678"
    assert member_after == {**member_before, "mobile": "13912345678"}
    assert _user_row(alice.user) == user_before
    assert _enterprise_row(alice.enterprise) == enterprise_before
    assert _member_row(bob) == bob_before
    assert not User.objects.get(pk=alice.user.pk).is_staff


def test_profile_form_declares_its_fields_explicitly():
    assert ProfileForm._meta.fields == [
        "mobile",
        "email",
        "show_phone",
        "show_email",
        "notify_accepted",
        "notify_dispatched",
        "notify_progress",
        "notify_answered",
    ]
    assert ProfileForm._meta.exclude is None


@pytest.mark.parametrize("persona", ["official", "leader", "staff"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_users_without_member_record_are_forbidden(client, request, persona, method):
    person = request.getfixturevalue(persona)
    user = getattr(person, "user", person)
    client.force_login(user)

    response = getattr(client, method)(PROFILE, KEEP)

    assert response.status_code == 403
    assert not Member.objects.filter(user=user).exists()


def test_anonymous_user_is_sent_to_the_login_page(client, db):
    response = client.get(PROFILE)

    assertRedirects(
        response, f"{reverse('login')}?next={PROFILE}", fetch_redirect_response=False
    )


def test_anonymous_post_changes_nothing(client, alice):
    before = _member_row(alice)

    response = client.post(PROFILE, {"mobile": "13912345678"})

    assert response.status_code == 302
    assert _member_row(alice) == before


def test_empty_post_shows_the_form_and_saves_nothing(alice_in, alice):
    before = _member_row(alice)

    response = alice_in.post(PROFILE, {})

    assert response.status_code == 200
    assert _member_row(alice) == before


@pytest.mark.parametrize(
    "data",
    [
        {"mobile": "1" * 10_000},
        {"mobile": "138\x0012345678"},
        {"mobile": "138\u200b1234\u200b5678"},
        {"mobile": "😀" * 11},
        {**KEEP, "email": "x" * 10_000 + "@example.cn"},
        {**KEEP, "email": "张三@例子.中国"},
        {**KEEP, "email": "not-an-email"},
        {**KEEP, "email": "a@b.cn\x00"},
        {**KEEP, "show_phone": "😀" * 1000},
        {"mobile": ["13812345678", "13912345678"]},
    ],
    ids=[
        "huge-mobile",
        "nul",
        "zero-width",
        "emoji",
        "huge-email",
        "unicode-email",
        "bad-email",
        "nul-email",
        "emoji-flag",
        "duplicate-keys",
    ],
)
def test_malformed_profile_input_never_causes_a_server_error(alice_in, alice, data):
    alice_in.raise_request_exception = False

    response = alice_in.post(PROFILE, data)

    assert response.status_code < 500
    alice.refresh_from_db()
    assert re.fullmatch(r"(1[3-9][0-9]{9})?", alice.mobile)
    assert len(User.objects.get(pk=alice.user.pk).email) <= 254


# --- a new mobile or e-mail needs the current password (AU-4) -------------------------


@pytest.mark.parametrize(
    "change",
    [{"mobile": "13912345678"}, {"email": "thief@example.net"}],
    ids=["mobile", "email"],
)
@pytest.mark.parametrize("password", ["", "wrong-password"], ids=["none", "wrong"])
def test_changing_mobile_or_email_without_the_current_password_is_refused(
    alice_in, alice, mailoutbox, change, password
):
    member_before = _member_row(alice)
    user_before = _user_row(alice.user)

    response = alice_in.post(
        PROFILE,
        {**KEEP, "email": alice.user.email, **change, "current_password": password},
    )

    assert response.status_code == 200
    expected = (
        "Type your current password to change your mobile phone or e-mail."
        if not password
        else "The password is not right; nothing was changed."
    )
    assertContains(response, escape(zh_marked(expected)))
    assert _member_row(alice) == member_before
    assert _user_row(alice.user) == user_before
    assert mailoutbox == []


def test_privacy_choices_change_without_the_password(alice_in, alice):
    response = alice_in.post(
        PROFILE, {**KEEP, "email": alice.user.email, "show_email": "on"}
    )

    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.show_email is True


def test_guessing_the_password_on_the_profile_page_locks_the_account_like_the_login(
    alice_in, alice, settings
):
    from django.test import Client

    for _ in range(settings.AXES_FAILURE_LIMIT):
        alice_in.post(
            PROFILE,
            {**KEEP, "email": "thief@example.net", "current_password": "guess"},
        )

    login = Client().post(
        reverse("login"), {"username": alice.user.username, "password": PASSWORD}
    )
    assert login.status_code != 302  # locked out: even the right password fails now
    alice.user.refresh_from_db()
    assert alice.user.email != "thief@example.net"
