"""Every role's journey in Chromium, on a phone and on a desktop screen (issue 10, part 7).

Each journey starts from the demo district (`seed_demo`), logs in as the demo account of
its role and does its work the way the person would: the menu, links, forms, buttons.
At each page it reaches, `Journey.check` saves the HTML the server sent and a screenshot
(under `.artifacts/journeys/<test>-<role>-<viewport>/`) and runs axe-core in the page;
`Journey.finish` asserts no serious or critical accessibility violation, no console
error (a CSP refusal is one), no request to another origin and no error from the Nu HTML
checker. Labels are the zh-hans translations of the source strings, so the tests follow
the catalogue instead of fixing its wording.
"""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.text import capfirst
from playwright.sync_api import expect

from activities import services as activity_services
from activities.models import Activity, Attendance, Registration
from chamber.models import Official
from members.models import DutyLogEntry, DutyShift, Enterprise, Member, Unavailability
from members.services.rota import monday
from petitions import services as petitions
from petitions import today as todays_work
from petitions.models import Category, Escalation, Petition, ReviewRun
from publicity.models import Article
from tests.support.browser import alert, field, log_in, menu
from tests.support.demo_snapshot import seed_demo
from tests.support.words import zh, zh_label

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ACTIVITY = (
    "企业纾困会诊日"  # activities/demo.py: in ten days, 30 places, nobody signed up
)
FULL_ACTIVITY = "家风教育讲座"  # in 14 days: 3 places taken, two on the waiting list
TODAY_ACTIVITY = "惠企政策解读会"  # starts 30 minutes after seeding: check-in is open


@pytest.fixture
def demo(db):
    seed_demo()


# --- the public ---------------------------------------------------------------------------


def test_the_public_reads_an_article(journey, demo, live_server):
    article = Article.objects.published().order_by("-published_at").first()
    visitor = journey("public")
    page = visitor.page

    page.goto(f"{live_server.url}/")
    visitor.check("home")
    menu(page, zh("News and policies"))
    page.wait_for_url(f"{live_server.url}/news/")
    visitor.check("news home")

    page.get_by_role("link", name=article.title).first.click()
    page.wait_for_url(f"{live_server.url}{article.get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_have_text(article.title)
    visitor.check("article")
    visitor.finish()


# --- a member -------------------------------------------------------------------------------


def test_a_member_submits_a_petition_signs_up_for_an_activity_and_checks_their_points(
    journey, demo, live_server
):
    member = Member.objects.get(user__username="demo-member")
    activity = Activity.objects.get(title=ACTIVITY)
    category = Category.objects.order_by("sort_order", "pk").first()
    title = "厂区门前道路破损，货车进出困难"
    me = journey("member")
    page = me.page
    log_in(me, live_server.url, "demo-member")

    menu(page, zh("My petitions"))
    page.wait_for_url(f"{live_server.url}/petitions/")
    me.check("my petitions")
    page.get_by_role("link", name=zh("New petition")).click()
    page.wait_for_url(f"{live_server.url}/petitions/new/")
    me.check("new petition")
    # the contact the department calls: the member's own name and mobile, editable
    expect(page.get_by_label(field("contact person"))).to_have_value(
        member.user.get_full_name()
    )
    expect(page.get_by_label(field("contact phone"))).to_have_value(member.mobile)
    page.get_by_label("标题").fill(title)  # the petition's heading, not 职务
    page.get_by_label(capfirst(zh("description"))).fill(
        "渤海大街东段路面塌陷已两个月，雨天积水，请协调修复。"
    )
    page.get_by_label(capfirst(zh("category"))).select_option(label=category.name)
    page.get_by_role("button", name=zh("Submit the petition")).click()
    page.wait_for_url(re.compile(rf"^{re.escape(live_server.url)}/petitions/\d+/$"))
    petition = Petition.objects.get(title=title)
    assert (petition.enterprise, petition.status) == (
        member.enterprise,
        Petition.Status.SUBMITTED,
    )
    assert (petition.contact_name, petition.contact_phone) == (
        member.user.get_full_name(),
        member.mobile,
    )
    expect(alert(page)).to_contain_text(petition.number)
    me.check("petition submitted")

    menu(page, zh("Activities"))
    page.wait_for_url(f"{live_server.url}/activities/")
    full = page.locator("li").filter(has_text=FULL_ACTIVITY)
    expect(full).to_contain_text(zh("Full · waiting list open"))
    me.check("activities")
    page.get_by_role("link", name=ACTIVITY).click()
    page.wait_for_url(f"{live_server.url}{activity.get_absolute_url()}")
    me.check("activity")
    page.get_by_role("button", name=zh("Sign up"), exact=True).click()
    page.wait_for_load_state()
    expect(page.get_by_text(zh("You are signed up."))).to_have_count(1)
    assert Registration.objects.filter(
        activity=activity, member=member, status=Registration.Status.REGISTERED
    ).exists()
    me.check("signed up")

    # Cancelling asks first, then stays on the activity.
    page.get_by_text(zh("Cancel my registration"), exact=True).click()
    expect(
        page.get_by_text(
            zh(
                "Cancel this registration? The place goes to the first on the "
                "waiting list."
            )
        )
    ).to_be_visible()
    # A finger leaves no hover behind; the mouse does, and axe would measure the
    # button halfway through Bootstrap's 0.15 s hover transition.
    page.mouse.move(0, 0)
    page.wait_for_timeout(300)
    me.check("cancel asked")
    page.get_by_role("button", name=zh("Yes, cancel the registration")).click()
    page.wait_for_url(f"{live_server.url}{activity.get_absolute_url()}")
    assert not Registration.objects.filter(
        activity=activity, member=member, status=Registration.Status.REGISTERED
    ).exists()
    me.check("cancelled")
    page.get_by_role("button", name=zh("Sign up"), exact=True).click()
    page.wait_for_load_state()
    expect(page.get_by_text(zh("You are signed up."))).to_have_count(1)

    menu(page, zh("Activities"))
    page.wait_for_url(f"{live_server.url}/activities/")
    page.get_by_role("link", name=zh("My activities")).first.click()
    page.wait_for_url(re.compile(r"/activities/mine/"))
    coming = page.locator("section", has=page.locator("#coming"))
    expect(coming.get_by_role("link", name=ACTIVITY)).to_have_count(1)
    me.check("my activities")

    menu(page, zh("My group and points"))
    page.wait_for_url(f"{live_server.url}/groups/")
    year = timezone.localdate().year
    total = 100 + sum(
        member.points_entries.filter(year=year).values_list("points", flat=True)
    )
    mine = page.get_by_role("heading", name=re.compile(rf"{year}.*{total}$"))
    expect(mine).to_be_visible()
    me.check("my group and points")
    page.locator(f"a[href='/groups/points/{member.pk}/{year}/']").first.click()
    page.wait_for_url(f"{live_server.url}/groups/points/{member.pk}/{year}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        member.user.get_full_name()
    )
    me.check("my points")
    me.finish()


# --- a representative -------------------------------------------------------------------------


def on_duty_this_week(rep: Member) -> DutyShift:
    week = monday(timezone.localdate())
    shift = DutyShift.objects.filter(week_start=week).first() or DutyShift(
        week_start=week, first_day=week, last_day=week + timedelta(days=4)
    )
    shift.representative = rep
    shift.save()
    return shift


def test_a_representative_declares_days_off_and_logs_a_visitor(
    journey, demo, live_server
):
    rep = Member.objects.get(user__username="demo-rep")
    on_duty_this_week(rep)
    later = timezone.localdate() + timedelta(days=60)
    me = journey("representative")
    page = me.page
    log_in(me, live_server.url, "demo-rep")

    menu(page, zh("My duty weeks"))
    page.wait_for_url(f"{live_server.url}/members/rota/mine/")
    me.check("my duty weeks")
    page.get_by_label(field("from")).fill(f"{later:%Y-%m-%d}")
    page.get_by_label(field("until")).fill(f"{later + timedelta(days=2):%Y-%m-%d}")
    page.locator("#id_reason").fill("外出参加省工商联培训")
    page.get_by_role("button", name=zh("Declare these days")).click()
    page.wait_for_load_state()
    expect(alert(page)).to_contain_text(
        zh("Saved. Staff will be told if it falls in one of your duty weeks.")
    )
    assert Unavailability.objects.filter(member=rep, starts_on=later).exists()
    me.check("days declared")

    # During the duty week, home leads with it and the way to record a visitor.
    page.goto(f"{live_server.url}/")
    expect(
        page.get_by_role("heading", name=zh("You are on duty this week"))
    ).to_be_visible()
    me.check("home in the duty week")
    page.get_by_role("link", name=zh("Record a visitor")).click()
    page.wait_for_url(re.compile(r"/members/rota/log/"))
    me.check("duty log")
    enterprise = Enterprise.objects.exclude(pk=rep.enterprise_id).order_by("pk").first()
    page.locator("#id_visitor_name").fill("王先生")
    page.locator("#id_enterprise").select_option(value=str(enterprise.pk))
    page.locator("#id_visitor_phone").fill("0417-2800001")
    page.locator("#id_subject").fill("咨询出口退税办理流程")
    page.locator("#id_notes").fill("已讲解流程，留下联系方式。")
    page.locator("#id_appeal").fill("希望税务部门缩短出口退税审核时间。")
    page.get_by_role("button", name=zh("Record the visit")).click()
    page.wait_for_load_state()
    expect(alert(page)).to_contain_text(zh("The visit was recorded."))
    entry = DutyLogEntry.objects.get(visitor_name="王先生")
    assert entry.recorded_by == rep.user
    assert entry.visitor_phone == "0417-2800001"  # as written, hyphen kept
    me.check("visit recorded")

    # The appeal becomes a petition the representative can follow.
    page.goto(f"{live_server.url}/members/rota/log/{entry.pk}/")
    me.check("visit")
    page.get_by_role("link", name=zh("Turn it into a petition")).click()
    page.wait_for_url(re.compile(rf"/petitions/from-duty-log/{entry.pk}/$"))
    page.get_by_label("标题").fill("出口退税审核时间长")  # a heading, not 职务
    me.check("petition from the visit")
    page.get_by_role("button", name=zh("Create the petition")).click()
    page.wait_for_url(re.compile(rf"/members/rota/log/{entry.pk}/$"))
    petition = Petition.objects.get(duty_log_entry=entry)
    page.get_by_role("link", name=petition.number).click()
    page.wait_for_url(re.compile(rf"/petitions/registered/{petition.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("出口退税审核时间长")
    expect(page.locator("main")).to_contain_text(zh_label(Petition.Status.SUBMITTED))
    me.check("the petition followed")
    me.finish()


# --- a district leader ----------------------------------------------------------------------


def _escalated_at(department) -> Petition:
    """A petition in progress at the department, put before the leaders (the demo's
    weekly dispatch escalates another department's)."""
    petition = (
        Petition.objects.filter(
            department=department,
            status=Petition.Status.IN_PROGRESS,
            department_replied_at__isnull=True,
        )
        .order_by("due_on", "pk")
        .first()
    )
    run = ReviewRun.objects.filter(kind=ReviewRun.Kind.WEEKLY).latest("period_start")
    Escalation.objects.get_or_create(
        petition=petition,
        reason=Escalation.Reason.OVERDUE,
        period_start=run.period_start,
        defaults={"run": run, "department": department},
    )
    return petition


def test_a_leader_reads_an_escalated_petition_and_instructs_on_it(
    journey, demo, live_server
):
    official = Official.objects.select_related("department").get(
        user__username="demo-official"
    )
    petition = _escalated_at(official.department)
    instruction = "请教育局本周内约见企业，限期拿出解决方案。"
    me = journey("leader")
    page = me.page
    log_in(me, live_server.url, "demo-leader", lands="/petitions/leader/")

    menu(page, zh("Escalations"))
    page.wait_for_url(f"{live_server.url}/petitions/escalations/")
    me.check("escalations")
    page.get_by_role("link", name=petition.title).first.click()
    page.wait_for_url(f"{live_server.url}/petitions/escalations/{petition.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(petition.title)
    main = page.locator("main")
    expect(main).to_contain_text(petition.description.splitlines()[0])
    expect(main).to_contain_text(petition.department.name)
    expect(main.locator("ol.timeline li").first).to_be_visible()
    me.check("escalated petition")
    page.get_by_label(field("Instruction")).fill(instruction)
    page.get_by_role("button", name=zh("Send the instruction")).click()
    page.wait_for_url(f"{live_server.url}/petitions/escalations/{petition.pk}/")
    expect(main).to_contain_text(instruction)
    me.check("instruction written")
    me.finish()

    # The department reads it on the petition's page, above its reply form.
    them = journey("official")
    log_in(them, live_server.url, "demo-official")
    menu(them.page, zh("Department petitions"))
    them.page.get_by_role("link", name=petition.title).first.click()
    them.page.wait_for_url(re.compile(rf"/petitions/department/{petition.pk}/$"))
    expect(them.page.locator("#instructions")).to_be_visible()
    expect(them.page.locator("main")).to_contain_text(instruction)
    them.check("instruction read")
    them.finish()


# --- an official --------------------------------------------------------------------------


def test_an_official_signs_for_a_petition_and_replies(journey, demo, live_server):
    official = Official.objects.select_related("department").get(
        user__username="demo-official"
    )
    staff = get_user_model().objects.get(username="demo-staff")
    petition = (
        Petition.objects.filter(status=Petition.Status.SUBMITTED)
        .exclude(contact_phone="")
        .first()
    )
    petitions.accept_petition(
        petition=petition,
        actor=staff,
        category=Category.objects.order_by("pk").first(),
        priority="normal",
        handling="department",
    )
    petitions.dispatch_petition(
        petition=petition, department=official.department, actor=staff
    )
    me = journey("official")
    page = me.page
    log_in(me, live_server.url, "demo-official")

    menu(page, zh("Department petitions"))
    page.wait_for_url(f"{live_server.url}/petitions/department/")
    me.check("department queue")
    page.get_by_role("link", name=petition.title).first.click()
    page.wait_for_url(re.compile(rf"/petitions/department/{petition.pk}/$"))
    call = page.locator(f"a[href='tel:{petition.contact_phone.replace(' ', '')}']")
    expect(call).to_be_visible()  # the department calls the enterprise's contact
    me.check("petition")
    page.get_by_role("button", name=zh("Sign for it (签收)")).click()
    page.wait_for_load_state()
    petition.refresh_from_db()
    assert petition.status == Petition.Status.IN_PROGRESS
    me.check("signed")

    page.get_by_label(zh_label(Petition.Outcome.RESOLVED)).check()
    page.locator("#act-reply ~ form textarea").first.fill(
        "经现场核查，已安排施工队于本周内完成修复。"
    )
    page.get_by_role("button", name=zh("Send the reply to the chamber")).click()
    page.wait_for_load_state()
    petition.refresh_from_db()
    assert petition.awaits_review
    me.check("replied")
    me.finish()


# --- staff --------------------------------------------------------------------------------


def test_staff_triage_and_dispatch_a_petition(journey, demo, live_server):
    petition = (
        Petition.objects.filter(status=Petition.Status.SUBMITTED)
        .order_by("created_at")
        .first()
    )
    category = Category.objects.order_by("sort_order", "pk").first()
    official = Official.objects.select_related("department").get(
        user__username="demo-official"
    )
    me = journey("staff")
    page = me.page
    log_in(me, live_server.url, "demo-staff", lands="/staff/")

    menu(page, zh("Petitions"))
    page.wait_for_url(f"{live_server.url}/petitions/staff/")
    me.check("triage board")
    page.get_by_role("link", name=re.compile(re.escape(petition.title))).first.click()
    page.wait_for_url(f"{live_server.url}/petitions/staff/{petition.pk}/")
    me.check("petition")

    triage = page.locator("form", has=page.get_by_role("button", name=zh("Accept")))
    triage.get_by_label(field("category")).select_option(label=category.name)
    triage.get_by_label(zh_label(Petition.Handling.DEPARTMENT)).check()
    triage.get_by_role("button", name=zh("Accept")).click()
    page.wait_for_load_state()
    petition.refresh_from_db()
    assert (petition.status, petition.category) == (Petition.Status.ACCEPTED, category)
    me.check("accepted")

    dispatch = page.locator("form", has=page.get_by_role("button", name=zh("Dispatch")))
    dispatch.get_by_label(field("department")).select_option(
        label=official.department.name
    )
    dispatch.get_by_role("button", name=zh("Dispatch")).click()
    page.wait_for_load_state()
    petition.refresh_from_db()
    assert (petition.status, petition.department) == (
        Petition.Status.DISPATCHED,
        official.department,
    )
    assert petition.due_on is not None
    expect(page.locator("main")).to_contain_text(official.department.name)
    me.check("dispatched")
    me.finish()


def test_staff_follow_a_figure_of_the_days_work_to_its_list_and_dispatch_one(
    journey, demo, live_server
):
    """The dashboard leads with 今日待办: 待分办 opens the list of exactly those
    petitions; one dispatched from there leaves the figure."""
    target = (
        todays_work.todo_petitions(
            Petition.objects.all(), "to_dispatch", on=timezone.localdate()
        )
        .filter(status=Petition.Status.SUBMITTED)
        .first()
    )
    assert target is not None, "the demo has petitions to triage"
    before = todays_work.todo_counts(on=timezone.localdate())["to_dispatch"]
    category = Category.objects.order_by("sort_order", "pk").first()
    official = Official.objects.select_related("department").get(
        user__username="demo-official"
    )
    me = journey("staff")
    page = me.page
    log_in(me, live_server.url, "demo-staff", lands="/staff/")

    figure = page.locator('main a[href="/petitions/staff/all/?todo=to_dispatch"]')
    expect(figure).to_contain_text(zh("To dispatch"))
    expect(figure.locator("span").first).to_have_text(str(before))
    figure.click()
    page.wait_for_url(f"{live_server.url}/petitions/staff/all/?todo=to_dispatch")
    expect(page.locator("main ul.list-group > li")).to_have_count(min(before, 25))
    me.check("to dispatch")
    page.get_by_role("link", name=target.title, exact=True).click()
    page.wait_for_url(f"{live_server.url}/petitions/staff/{target.pk}/")

    triage = page.locator("form", has=page.get_by_role("button", name=zh("Accept")))
    triage.get_by_label(field("category")).select_option(label=category.name)
    triage.get_by_label(zh_label(Petition.Handling.DEPARTMENT)).check()
    triage.get_by_role("button", name=zh("Accept")).click()
    page.wait_for_load_state()
    dispatch = page.locator("form", has=page.get_by_role("button", name=zh("Dispatch")))
    dispatch.get_by_label(field("department")).select_option(
        label=official.department.name
    )
    dispatch.get_by_role("button", name=zh("Dispatch")).click()
    page.wait_for_load_state()
    target.refresh_from_db()
    assert target.status == Petition.Status.DISPATCHED
    me.check("dispatched")

    menu(page, zh("Staff dashboard"))
    page.wait_for_url(f"{live_server.url}/staff/")
    if before > 1:
        expect(figure.locator("span").first).to_have_text(str(before - 1))
    else:  # nothing left: a figure of nothing is no link
        expect(figure).to_have_count(0)
    me.check("dashboard after")
    me.finish()


def test_staff_check_in_the_attendees_of_an_activity(journey, demo, live_server):
    early = Activity.objects.get(title=ACTIVITY)
    activity = Activity.objects.get(title=TODAY_ACTIVITY)
    member = Member.objects.select_related("user").get(user__username="demo-member")
    activity_services.sign_up(activity=early, member=member)
    activity_services.sign_up(activity=activity, member=member)
    me = journey("staff")
    page = me.page
    log_in(me, live_server.url, "demo-staff", lands="/staff/")

    # Ten days early, check-in is closed and says why; nothing can be recorded.
    page.goto(f"{live_server.url}/activities/{early.pk}/check-in/")
    expect(page.locator("main")).to_contain_text("签到尚未开始")
    expect(page.get_by_role("button", name=zh("Check in"))).to_have_count(0)
    me.check("check-in not open yet")

    menu(page, zh("Activities"))
    page.wait_for_url(f"{live_server.url}/activities/")
    page.get_by_role("link", name=TODAY_ACTIVITY).click()
    page.wait_for_url(f"{live_server.url}{activity.get_absolute_url()}")
    me.check("activity")
    page.get_by_role("link", name=zh("Check-in"), exact=True).click()
    page.wait_for_url(f"{live_server.url}/activities/{activity.pk}/check-in/")
    me.check("check-in")

    row = page.locator("li").filter(has_text=member.user.get_full_name())
    row.get_by_role("button", name=zh("Check in")).click()
    page.wait_for_load_state()
    expect(alert(page)).to_contain_text(
        zh("%(name)s is checked in.") % {"name": member.user.get_full_name()}
    )
    assert Attendance.objects.filter(
        activity=activity, member=member, undone_at__isnull=True
    ).exists()
    me.check("checked in")

    # Someone who came without signing up: found by name and checked in too.
    walk_in = (
        Member.objects.in_directory()
        .exclude(pk=member.pk)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    page.get_by_role("searchbox").fill(walk_in.user.get_full_name())
    page.get_by_role("button", name=zh("Search")).click()
    page.wait_for_load_state()
    me.check("search")
    page.locator("li").filter(has_text=walk_in.user.get_full_name()).get_by_role(
        "button", name=zh("Check in")
    ).first.click()
    page.wait_for_load_state()
    present = Attendance.objects.filter(activity=activity, undone_at__isnull=True)
    assert present.filter(member=walk_in).exists()
    assert not Attendance.objects.filter(activity=early).exists()
    me.check("walk-in checked in")
    me.finish()


def test_staff_publish_an_article(journey, demo, live_server):
    title = "区工商联召开民营企业家座谈会"
    me = journey("staff")
    page = me.page
    log_in(me, live_server.url, "demo-staff", lands="/staff/")

    menu(page, zh("Administration"))
    page.wait_for_url(f"{live_server.url}/admin/")
    me.check("admin")
    page.locator("a[href='/admin/publicity/article/add/']").first.click()
    page.wait_for_url(f"{live_server.url}/admin/publicity/article/add/")
    editor = page.locator(".ProseMirror[contenteditable=true]")
    expect(editor).to_be_visible()
    me.check("new article")
    page.locator("#id_kind").select_option(index=1)
    page.locator("#id_title").fill(title)
    editor.click()
    page.keyboard.type("座谈会上，二十位企业家就融资、用工和审批提出了意见。")
    page.locator("input[name=_save]").click()
    page.wait_for_url(f"{live_server.url}/admin/publicity/article/")
    me.check("article list")
    article = Article.objects.get(title=title)
    assert article.published_at is None or article.status != Article.Status.PUBLISHED

    page.locator(f"input[name=_selected_action][value='{article.pk}']").check()
    page.locator("select[name=action]").select_option("publish")
    page.locator("button[name=index]").click()
    page.wait_for_load_state()
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    me.check("published")

    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator(".article-body")).to_contain_text("二十位企业家")
    me.check("public article")
    me.finish()
