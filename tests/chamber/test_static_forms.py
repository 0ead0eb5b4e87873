"""Forms rendered once for the values they show (chamber/templatetags/static_forms.py):
each person still sees only their own values, and a submission its own errors."""

from django.urls import reverse

from tests.factories import PASSWORD


def test_each_member_sees_their_own_contacts_on_their_profile(client, alice, bob):
    alice.user.email, bob.user.email = "alice@example.com", "bob@example.com"
    alice.user.save()
    bob.user.save()
    alice.mobile, bob.mobile = "13900000001", "13900000002"
    alice.save()
    bob.save()

    pages = {}
    for member in (alice, bob, alice):
        client.force_login(member.user)
        pages[member.pk] = client.get(reverse("members:profile")).content.decode()

    assert "alice@example.com" in pages[alice.pk]
    assert "13900000001" in pages[alice.pk]
    assert "bob@example.com" not in pages[alice.pk]
    assert "bob@example.com" in pages[bob.pk]
    assert "13900000002" in pages[bob.pk]
    assert "alice@example.com" not in pages[bob.pk]


def test_a_changed_contact_shows_on_the_profile_at_once(client, alice):
    client.force_login(alice.user)
    client.get(reverse("members:profile"))

    alice.user.email = "new@example.com"
    alice.user.save()

    assert "new@example.com" in client.get(reverse("members:profile")).content.decode()


def test_a_failed_login_shows_what_was_typed_and_why(client, alice):
    client.get(reverse("login"))  # the empty form, kept

    response = client.post(
        reverse("login"), {"username": "alice-typo", "password": PASSWORD + "x"}
    )
    html = response.content.decode()

    assert 'value="alice-typo"' in html
    assert "alert" in html
    assert 'value="alice-typo"' not in client.get(reverse("login")).content.decode()
