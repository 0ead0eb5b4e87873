"""A member changes their mobile number on a phone, from the home page, in Chinese."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from members.models import Member
from tests.support.demo_snapshot import seed_demo
from tests.support.words import zh_translated

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_MOBILE = "13900000000"  # members/demo.py gives demo-member this number


def _log_in_and_open_my_profile(page, live_server) -> None:
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name=zh_translated("Log in")).last.click()
    page.get_by_label(zh_translated("Username")).fill("demo-member")
    page.get_by_label(zh_translated("Password")).fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name=zh_translated("Log in")).click()
    page.wait_for_url(f"{live_server.url}/")
    page.get_by_role("link", name=zh_translated("My profile")).click()
    page.wait_for_url(f"{live_server.url}/members/me/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        zh_translated("My profile")
    )


def _mobile() -> str:
    return Member.objects.get(user__username="demo-member").mobile


def test_demo_member_changes_their_mobile_on_a_phone(watched_page, live_server):
    seed_demo()
    page = watched_page
    _log_in_and_open_my_profile(page, live_server)
    field = page.get_by_role("textbox", name=zh_translated("mobile phone"), exact=True)
    expect(field).to_have_value(DEMO_MOBILE)

    field.fill("139 0417 8888")
    page.get_by_label(zh_translated("your current password")).fill(
        settings.DEMO_PASSWORD
    )
    page.get_by_role("button", name=zh_translated("Save")).click()

    page.wait_for_load_state()
    expect(page.get_by_role("alert")).to_contain_text(
        zh_translated("Your profile was saved.")
    )
    expect(
        page.get_by_role("textbox", name=zh_translated("mobile phone"), exact=True)
    ).to_have_value("13904178888")
    assert page.url == f"{live_server.url}/members/me/"
    assert _mobile() == "13904178888"
    assert page.console_errors == []
    assert page.foreign_requests == []


def test_invalid_mobile_shows_the_error_beside_the_field_and_keeps_the_old_number(
    watched_page, live_server
):
    seed_demo()
    page = watched_page
    _log_in_and_open_my_profile(page, live_server)

    page.get_by_role("textbox", name=zh_translated("mobile phone"), exact=True).fill(
        "12345"
    )
    page.get_by_role("button", name=zh_translated("Save")).click()

    page.wait_for_load_state()
    message = zh_translated(
        "Enter a mainland mobile number: 11 digits starting with 13 to 19, e.g. 13812345678."
    )
    field = page.get_by_role("textbox", name=zh_translated("mobile phone"), exact=True)
    expect(field).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator("#div_id_mobile")).to_contain_text(message)
    expect(page.get_by_text(zh_translated("Your profile was saved."))).to_have_count(0)
    assert _mobile() == DEMO_MOBILE
    assert page.console_errors == []
    assert page.foreign_requests == []
