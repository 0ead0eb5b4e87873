"""The district leader's overview on a phone (issue 18, item 4), in Chromium.

From the demo district, the demo leader logs in, follows the home page's button to the
overview and finds its three charts drawn (ECharts, as SVG, from the page's JSON) above
their tables. `Journey.finish` then asserts what every journey must: no console error
(a refusal by the page's CSP is one), no request to another origin, no serious axe
violation, no error from the Nu HTML checker. The reader asks for reduced motion, and
the charts are drawn without animation.
"""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from tests.support.demo_snapshot import seed_demo
from tests.support.words import zh

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHARTS = ("chart-trend", "chart-categories", "chart-departments")


@pytest.fixture
def viewport() -> str:
    """A leader reads the overview on a phone."""
    return "phone"


@pytest.fixture
def demo(db):
    seed_demo()


def test_a_leader_reads_the_overview_and_its_charts_on_a_phone(
    journey, demo, live_server
):
    me = journey("leader")
    page = me.page
    page.emulate_media(reduced_motion="reduce")
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name=zh("Log in")).last.click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.get_by_label(zh("Username")).fill("demo-leader")
    page.get_by_label(zh("Password")).fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name=zh("Log in")).click()
    # A district leader lands on the overview itself.
    page.wait_for_url(live_server.url + reverse("petitions:leader_home"))

    expect(page.get_by_role("heading", level=1)).to_have_text(zh("Leader's overview"))
    for chart in CHARTS:
        drawn = page.locator(f"#{chart} svg")
        expect(drawn.first).to_be_visible()
        assert drawn.first.bounding_box()["height"] > 100, chart
    expect(page.locator("#chart-trend svg path").first).to_be_attached()
    animated = page.evaluate(
        """() => ["chart-trend", "chart-categories", "chart-departments"].map(
             (id) => echarts.getInstanceByDom(document.getElementById(id))
               .getOption().animation)"""
    )
    assert animated == [False, False, False]
    expect(page.locator("main table")).to_have_count(8)
    expect(page.locator("main")).to_contain_text(zh("The three rates by month"))
    # Nothing wider than the phone: the tables scroll inside their own boxes.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    me.check("leader overview")
    me.finish()
