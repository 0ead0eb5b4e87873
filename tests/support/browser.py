"""What the browser journeys do on a page: log in, open the menu, find a field or an alert."""

import re

from django.conf import settings
from django.utils.text import capfirst
from playwright.sync_api import expect

from tests.support.words import zh


def field(msgid: str) -> re.Pattern:
    """A form field's label as crispy renders it: the Chinese, then "*" when required."""
    return re.compile(rf"^\s*{re.escape(capfirst(zh(msgid)))}\s*\*?\s*$")


def log_in(journey, origin: str, username: str, lands: str = "/") -> None:
    """Log in through the home page's link; staff land on their dashboard and district
    leaders on their overview (`lands`)."""
    page = journey.page
    page.goto(f"{origin}/")
    journey.check("home before login")
    page.get_by_role("link", name=zh("Log in")).last.click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    journey.check("login")
    page.get_by_label(zh("Username")).fill(username)
    page.get_by_label(zh("Password")).fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name=zh("Log in")).click()
    page.wait_for_url(f"{origin}{lands}")
    journey.check("home" if lands == "/" else "landing")


def menu(page, name: str) -> None:
    """The main menu's link: on a phone the navbar is folded behind the toggler."""
    toggler = page.get_by_role("button", name=zh("Menu"))
    if toggler.is_visible():
        toggler.click()
        # Bootstrap's collapse slides open ("collapsing"), then shows: a tap while it
        # slides may miss the link (seen on a loaded machine).
        expect(page.locator("#nav-main")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    link = page.locator("#nav-main").get_by_role("link", name=name, exact=True)
    expect(link).to_be_visible()
    link.click()


def alert(page):
    return page.get_by_role("alert").first
