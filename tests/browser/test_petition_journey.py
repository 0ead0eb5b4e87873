"""A member brings a petition on a phone, follows it to the answer and rates it satisfied.

The member's steps go through Chromium; the chamber's and the department's steps in
between (triage, dispatch, signing, the reply, the answer) are made through the services.
Labels are looked up in their zh-hans translation, the English msgid while a string is
not translated yet, so the test follows the catalogue instead of fixing its wording.
"""

import re

import pytest
from django.utils.text import capfirst
from playwright.sync_api import expect

from petitions import services
from petitions.models import Petition
from tests.factories import (
    PASSWORD,
    CategoryFactory,
    MemberFactory,
    OfficialFactory,
    StaffFactory,
)
from tests.support.words import zh, zh_label

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "厂区供电容量不足"
DESCRIPTION = "新生产线投产后用电需求增加，申请协调供电公司增容。"
ANSWER = "经区发改局协调，供电公司已于本周完成增容。"


def _open_from_menu(page, name: str) -> None:
    """On a phone the navbar is collapsed: the toggler first, then the link."""
    page.get_by_role("button", name=zh("Menu")).click()
    link = page.locator("#nav-main").get_by_role("link", name=name, exact=True)
    expect(link).to_be_visible()
    link.click()


def _answered_by_the_chamber(petition: Petition, category, staff, official) -> None:
    """The steps between: triage, dispatch, signing, the department's reply, the answer."""
    services.accept_petition(
        petition=petition,
        actor=staff,
        category=category,
        priority="normal",
        handling="department",
    )
    services.dispatch_petition(
        petition=petition, department=official.department, actor=staff
    )
    services.sign_petition(petition=petition, actor=official.user)
    services.record_department_reply(
        petition=petition,
        actor=official.user,
        outcome="resolved",
        reply="已协调供电公司增容。",
    )
    services.answer_petition(petition=petition, actor=staff, answer=ANSWER)


def test_a_member_submits_a_petition_on_a_phone_and_rates_the_answer(
    watched_page, live_server
):
    # Transactional tests empty the tables, the seeded categories too: make the one we use.
    category = CategoryFactory(code="infrastructure", name="基础设施")
    member = MemberFactory(
        user__username="zhang-jingli", enterprise__name="营口辽河装备制造有限公司"
    )
    staff, official = StaffFactory(), OfficialFactory()
    page = watched_page

    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name=zh("Log in")).last.click()
    page.get_by_label(zh("Username")).fill("zhang-jingli")
    page.get_by_label(zh("Password")).fill(PASSWORD)
    page.get_by_role("button", name=zh("Log in")).click()
    page.wait_for_url(f"{live_server.url}/")

    _open_from_menu(page, zh("My petitions"))
    page.wait_for_url(f"{live_server.url}/petitions/")
    expect(page.get_by_role("heading", level=1)).to_have_text(zh("My petitions"))
    page.get_by_role("link", name=zh("New petition")).click()
    page.wait_for_url(f"{live_server.url}/petitions/new/")
    page.get_by_label("标题").fill(TITLE)  # the petition's heading, not 职务
    page.get_by_label(capfirst(zh("description"))).fill(DESCRIPTION)
    page.get_by_label(capfirst(zh("category"))).select_option(label=category.name)
    # No mobile on file: the member types the number the department should call.
    page.get_by_label(re.compile(re.escape(capfirst(zh("contact phone"))))).fill(
        "0417-2800001"
    )
    page.get_by_role("button", name=zh("Submit the petition")).tap()

    page.wait_for_url(re.compile(rf"^{re.escape(live_server.url)}/petitions/\d+/$"))
    petition = Petition.objects.get()
    assert (petition.enterprise, petition.title, petition.category) == (
        member.enterprise,
        TITLE,
        category,
    )
    assert page.url == f"{live_server.url}{petition.get_absolute_url()}"
    expect(page.get_by_role("alert").first).to_contain_text(petition.number)
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator("dl").first).to_contain_text(petition.number)
    expect(page.locator("dl").first).to_contain_text(
        zh_label(Petition.Status.SUBMITTED)
    )

    _open_from_menu(page, zh("My petitions"))
    row = page.locator("li.list-group-item").filter(has_text=TITLE)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(petition.number)

    _answered_by_the_chamber(petition, category, staff, official)

    row.get_by_role("link", name=TITLE).click()
    page.wait_for_url(f"{live_server.url}{petition.get_absolute_url()}")
    answer = page.get_by_role(
        "region", name=re.compile(rf"^{re.escape(zh('Answer'))}\s")
    )
    expect(answer).to_contain_text(ANSWER)
    expect(page.locator("dl").first).to_contain_text(zh_label(Petition.Status.REPLIED))
    page.get_by_role("radio", name=zh_label(Petition.Solved.SOLVED), exact=True).check()
    page.get_by_role(
        "radio", name=zh_label(Petition.Rating.SATISFIED), exact=True
    ).check()
    page.get_by_role("button", name=zh("Send my rating")).tap()

    page.wait_for_load_state()
    expect(page.get_by_role("alert").first).to_contain_text(
        zh("Thank you, your rating was recorded.")
    )
    assert page.url == f"{live_server.url}{petition.get_absolute_url()}"
    expect(page.locator("dl").first).to_contain_text(zh_label(Petition.Status.CLOSED))
    expect(page.get_by_role("button", name=zh("Send my rating"))).to_have_count(0)
    petition.refresh_from_db()
    assert (petition.status, petition.solved, petition.rating) == (
        Petition.Status.CLOSED,
        Petition.Solved.SOLVED,
        Petition.Rating.SATISFIED,
    )
    assert page.console_errors == []
    assert page.foreign_requests == []
