"""重复诉求 in a browser: while a member types a petition like an open one of their
enterprise, the page shows it (static/js/petition-repeats.js), and one tap adds what
was typed to it; another enterprise's petition on the same matter is never shown."""

import re

import pytest
from django.utils.text import capfirst
from playwright.sync_api import expect

from petitions import services
from petitions.models import Petition, PetitionEvent
from tests.factories import PASSWORD, MemberFactory
from tests.support.words import zh

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROAD = (
    "厂区门前道路破损严重",
    "港城路厂区门前的道路坑洼破损，雨天积水，货车进出困难，希望协调维修。",
)
AGAIN = "港城路厂区门前道路破损，下雨积水，大货车进出很困难，请帮助协调修路。"


def test_the_similar_petition_shows_while_typing_and_takes_the_text(
    watched_page, live_server
):
    member = MemberFactory(user__username="zhang-jingli", enterprise__name="甲公司")
    other = MemberFactory(enterprise__name="乙公司")
    mine, theirs = (
        services.submit_petition(
            enterprise=m.enterprise,
            title=ROAD[0],
            description=ROAD[1],
            channel="online",
            submitted_by=m.user,
        )
        for m in (member, other)
    )
    page = watched_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label(zh("Username")).fill("zhang-jingli")
    page.get_by_label(zh("Password")).fill(PASSWORD)
    page.get_by_role("button", name=zh("Log in")).click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/petitions/new/")
    page.get_by_label("标题").fill("厂门口道路坑洼需要维修")
    page.get_by_label(capfirst(zh("description"))).fill(AGAIN)

    found = page.locator("#similar-list li")
    expect(found).to_have_count(1)
    expect(found).to_contain_text(mine.number)
    expect(page.locator("#similar-live")).not_to_contain_text(theirs.number)
    found.get_by_role("button", name=zh("Add to this petition")).click()

    page.wait_for_url(
        re.compile(rf"^{re.escape(live_server.url)}/petitions/{mine.pk}/$")
    )
    expect(page.locator(".timeline")).to_contain_text(AGAIN)
    assert Petition.objects.count() == 2
    event = PetitionEvent.objects.get(kind=PetitionEvent.Kind.ADDITION)
    assert (event.petition_id, event.actor_id) == (mine.pk, member.user_id)
    assert page.console_errors == []
    assert page.foreign_requests == []
