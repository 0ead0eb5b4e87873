"""Honest numbers on a phone (issue 20): the department asks the enterprise for a
document and its clock stops; the member answers on the phone and the clock starts
again; the department replies; staff send the answer and record a return visit (回访)
of 部分解决 / 基本满意; the monthly report counts the enterprise's answer.

Every role works in Chromium on a phone, from the demo district, through its own pages;
`Journey.check` runs axe-core and keeps each page for the HTML checker.
"""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from chamber.models import Official
from members.models import Member
from petitions import review, selectors
from petitions import services as petitions
from petitions.models import Category, Petition, ReviewRun
from tests.support.browser import alert, field, log_in, menu
from tests.support.demo_snapshot import seed_demo
from tests.support.words import zh, zh_label

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REQUEST = "请上传近三个月的用电量清单和新生产线设备功率表，以便核定增容容量。"
SUPPLIED = "用电量清单和设备功率表已整理好，新生产线总功率约1600千瓦。"
REPLY = (
    "已协调供电公司按1600千瓦核定增容方案，一期800千瓦本月送电，二期随线路改造完成。"
)
PLAN = "二期增容随10千伏线路改造实施，预计下季度完成，我局每月跟进一次。"
ANSWER = "一期增容本月送电；二期随线路改造于下季度完成，区发改局每月跟进。"


@pytest.fixture
def demo(db):
    seed_demo()


@pytest.mark.parametrize("viewport", ["phone"])
def test_a_request_for_documents_an_answer_on_the_phone_and_a_return_visit_are_counted(
    journey, demo, live_server
):
    official = Official.objects.select_related("department").get(
        user__username="demo-official"
    )
    staff = get_user_model().objects.get(username="demo-staff")
    member = Member.objects.select_related("enterprise").get(
        user__username="demo-member"
    )
    # A new petition of the member's enterprise, signed for by the official's department.
    petition = petitions.submit_petition(
        enterprise=member.enterprise,
        submitted_by=member.user,
        channel=Petition.Channel.ONLINE,
        title="新生产线用电增容",
        description="新生产线下月投产，现有变压器容量不足，申请协调增容。",
    )
    petitions.accept_petition(
        petition=petition,
        actor=staff,
        category=Category.objects.order_by("sort_order", "pk").first(),
        priority="normal",
        handling="department",
    )
    petitions.dispatch_petition(
        petition=petition, department=official.department, actor=staff
    )
    petitions.sign_petition(petition=petition, actor=official.user)

    # The official asks the enterprise for its documents: the clock stops.
    me = journey("official")
    page = me.page
    log_in(me, live_server.url, "demo-official")
    page.goto(f"{live_server.url}/petitions/department/{petition.pk}/")
    me.check("petition")
    page.locator("#act-ask summary").click()
    page.get_by_label(field("what the enterprise should provide")).fill(REQUEST)
    page.get_by_role("button", name=zh("Ask the enterprise")).click()
    page.wait_for_load_state()
    petition.refresh_from_db()
    assert petition.status == Petition.Status.AWAITING_INFO
    expect(page.locator("#info")).to_contain_text(REQUEST)
    me.check("asked")
    me.finish()

    # The member reads the request on the phone and answers it.
    them = journey("member")
    page = them.page
    log_in(them, live_server.url, "demo-member")
    menu(page, zh("My petitions"))
    page.wait_for_url(f"{live_server.url}/petitions/")
    row = page.locator("li.list-group-item").filter(has_text=petition.title)
    expect(row).to_contain_text(zh_label(Petition.Status.AWAITING_INFO))
    them.check("my petitions")
    row.get_by_role("link", name=petition.title).click()
    page.wait_for_url(f"{live_server.url}{petition.get_absolute_url()}")
    expect(page.locator("#info")).to_contain_text(REQUEST)
    them.check("the request")
    page.get_by_label(field("your answer")).fill(SUPPLIED)
    page.get_by_role("button", name=zh("Send my answer")).tap()
    page.wait_for_load_state()
    expect(alert(page)).to_be_visible()
    petition.refresh_from_db()
    assert petition.status == Petition.Status.IN_PROGRESS
    assert petition.info_requests.get().answer == SUPPLIED
    expect(page.locator("#info")).to_have_count(0)
    them.check("answered")

    # The official reads the answer and replies: partly resolved, with a plan.
    me = journey("official-reply")
    page = me.page
    log_in(me, live_server.url, "demo-official")
    page.goto(f"{live_server.url}/petitions/department/{petition.pk}/")
    expect(page.get_by_text(SUPPLIED).first).to_be_visible()
    me.check("the enterprise's answer")
    page.get_by_label(zh_label(Petition.Outcome.PARTLY)).check()
    page.get_by_role("textbox", name=field("reply")).fill(REPLY)
    page.get_by_label(field("follow-up plan")).fill(PLAN)
    page.get_by_role("button", name=zh("Send the reply to the chamber")).click()
    page.wait_for_load_state()
    petition.refresh_from_db()
    assert petition.awaits_review
    me.check("replied")
    me.finish()

    # Staff send the answer, then call the enterprise and record what it said.
    first = timezone.localdate().replace(day=1)
    before = selectors.period_report(first=first, last=timezone.localdate())["totals"]
    us = journey("staff")
    page = us.page
    log_in(us, live_server.url, "demo-staff", lands="/staff/")
    page.goto(f"{live_server.url}/petitions/staff/{petition.pk}/")
    us.check("to review")
    page.get_by_label(field("answer to the enterprise")).fill(ANSWER)
    page.get_by_role("button", name=zh("Send the answer")).click()
    page.wait_for_load_state()
    petition.refresh_from_db()
    assert petition.status == Petition.Status.REPLIED
    us.check("answered")

    visit = page.locator("#act-visit ~ form, #act-visit form").first
    visit.get_by_label(zh_label(Petition.Solved.PARTLY), exact=True).check()
    visit.get_by_label(zh_label(Petition.Rating.BASICALLY), exact=True).check()
    visit.get_by_label(field("spoke with")).fill("张经理")
    visit.get_by_label(field("note")).fill("一期已送电，二期盼尽快完成。")
    page.get_by_role("button", name=zh("Record the return visit")).click()
    page.wait_for_load_state()
    expect(alert(page)).to_be_visible()
    petition.refresh_from_db()
    assert (petition.status, petition.solved, petition.rating) == (
        Petition.Status.CLOSED,
        Petition.Solved.PARTLY,
        Petition.Rating.BASICALLY,
    )
    assert petition.rating_taken_by == staff
    expect(page.locator("main")).to_contain_text(staff.get_full_name())
    us.check("return visit recorded")

    # The month's report counts the enterprise's answer, taken on the return visit.
    next_month = (first + timedelta(days=32)).replace(day=1)
    review.run_step(ReviewRun.Kind.MONTHLY, on=next_month)
    run = ReviewRun.objects.get(kind=ReviewRun.Kind.MONTHLY, period_start=first)
    totals = run.report["totals"]
    assert totals["partly_solved"] == before["partly_solved"] + 1
    assert totals["rated_by_staff"] == before["rated_by_staff"] + 1
    assert totals["basically"] == before["basically"] + 1
    page.goto(f"{live_server.url}{run.get_absolute_url()}")
    us.check("monthly report")
    report = page.locator("main")
    resolution = re.escape(f"{totals['solved']}/{totals['rated_with_solved']}")
    expect(report).to_contain_text(re.compile(resolution))
    us.finish()
    them.finish()
