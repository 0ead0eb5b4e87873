"""demo-member signs up for a coming activity on a phone and finds it in "my activities"."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

from activities.models import Activity, Registration
from tests.support.demo_snapshot import seed_demo
from tests.support.words import zh

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "企业纾困会诊日"  # activities/demo.py: in ten days, 30 places, nobody signed up


def _open_from_menu(page, name: str) -> None:
    """On a phone the navbar is collapsed: the toggler first, then the link."""
    page.get_by_role("button", name=zh("Menu")).click()
    link = page.locator("#nav-main").get_by_role("link", name=name, exact=True)
    expect(link).to_be_visible()
    link.click()


def test_demo_member_signs_up_on_a_phone_and_sees_it_in_my_activities(
    watched_page, live_server
):
    seed_demo()
    activity = Activity.objects.get(title=TITLE)
    assert activity.status == Activity.Status.PUBLISHED
    assert not Registration.objects.filter(
        activity=activity, member__user__username="demo-member"
    ).exists()
    page = watched_page

    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name=zh("Log in")).last.click()
    page.get_by_label(zh("Username")).fill("demo-member")
    page.get_by_label(zh("Password")).fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name=zh("Log in")).click()
    page.wait_for_url(f"{live_server.url}/")

    _open_from_menu(page, zh("Activities"))
    page.wait_for_url(f"{live_server.url}/activities/")
    page.get_by_role("link", name=TITLE).click()
    page.wait_for_url(f"{live_server.url}{activity.get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)

    page.get_by_role("button", name=zh("Sign up"), exact=True).tap()

    page.wait_for_load_state()
    expect(page.get_by_role("alert").first).to_contain_text(zh("You are signed up."))
    assert page.url == f"{live_server.url}{activity.get_absolute_url()}"

    _open_from_menu(page, zh("Activities"))
    page.get_by_role("link", name=zh("My activities")).click()
    page.wait_for_url(f"{live_server.url}/activities/mine/")
    row = page.locator("li.list-group-item").filter(has_text=TITLE)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(zh("registered"))
    assert Registration.objects.get(
        activity=activity, member__user__username="demo-member"
    ).status == (Registration.Status.REGISTERED)
    assert page.console_errors == []
    assert page.foreign_requests == []
