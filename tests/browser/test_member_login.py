"""A member logs in on a phone through the real login page and lands on their home, in Chinese."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.support.demo_snapshot import seed_demo
from tests.support.words import zh_translated

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_demo_member_logs_in_on_a_phone_and_sees_their_home_in_chinese(
    watched_page, live_server
):
    seed_demo()
    page = watched_page

    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name=zh_translated("Log in")).last.click()
    page.get_by_label(zh_translated("Username")).fill("demo-member")
    page.get_by_label(zh_translated("Password")).fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name=zh_translated("Log in")).click()

    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    expect(page.get_by_role("heading", level=1)).to_contain_text("张晓明")
    expect(page.get_by_text("营口辽河装备制造有限公司")).to_be_visible()
    expect(page.get_by_text(zh_translated("Your enterprise"))).to_be_visible()
    expect(
        page.get_by_role("heading", name=zh_translated("On duty this week"))
    ).to_be_visible()
    # The phone layout folds the menu behind the toggler; a tap opens it.
    toggler = page.get_by_role("button", name=zh_translated("Menu"))
    expect(toggler).to_be_visible()
    toggler.click()
    expect(page.get_by_role("link", name=zh_translated("Home"))).to_be_visible()
    expect(
        page.get_by_role("link", name=zh_translated("Staff dashboard"))
    ).to_have_count(0)
    assert page.console_errors == []
    assert page.foreign_requests == []


def test_wrong_password_on_a_phone_says_so_in_chinese_without_console_errors(
    watched_page, live_server
):
    seed_demo()
    page = watched_page

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label(zh_translated("Username")).fill("demo-member")
    page.get_by_label(zh_translated("Password")).fill("not-the-password")
    page.get_by_role("button", name=zh_translated("Log in")).click()

    error = page.locator(".alert-danger")
    expect(error).to_be_visible()
    expect(error).to_contain_text("正确的用户名和密码")
    assert page.url.startswith(f"{live_server.url}/accounts/login/")
    assert page.console_errors == []
    assert page.foreign_requests == []
