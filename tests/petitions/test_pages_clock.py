"""The clock on a petition's pages (issue 20): 待企业补充, 延期, 回访 and the rating's two
questions, as the enterprise, the department and staff meet them.

The department (or staff) asks the enterprise for something and the member answers on
the petition's page, files attached; staff close a request the enterprise let pass,
never before its deadline; the department asks once for more time and staff approve or
refuse it, and every page shows the original and the approved date; staff record a
return visit, which counts as the enterprise's rating with their name; the dashboard
lists the answers still unrated after three working days, the extensions to decide and
the requests past their deadline. Pages are asked for in Chinese.

The week is that of Monday 9 March 2026 (no holiday), 10:00 in Beijing.
"""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import ngettext

from chamber.models import OutgoingMessage
from petitions import services
from petitions.models import (
    Extension,
    InfoRequest,
    Petition,
    ReturnVisit,
    Section,
)
from tests.factories import (
    CategoryFactory,
    OfficialFactory,
    PetitionFactory,
    StaffFactory,
)
from tests.support.pages import shows, text
from tests.support.words import heading, zh

BEIJING = ZoneInfo("Asia/Shanghai")
S = Petition.Status
REQUEST = "请补充项目环评批复文件"
PNG = (  # a whole 1×1 picture: uploads are walked to their IEND chunk
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x00\x00\x00\x00:~\x9bU"
    b"\x00\x00\x00\nIDATx\x9cc`\x00\x00\x00\x02\x00\x01H\xaf\xa4q\x00\x00\x00\x00IEND\xaeB`\x82"
)


def at(day: int, hour: int = 10) -> datetime:
    """A moment of March 2026 in Beijing."""
    return datetime(2026, 3, day, hour, tzinfo=BEIJING)


MONDAY = at(9)


def zh_plural(singular: str, plural: str, n: int) -> str:
    with translation.override("zh-hans"):
        return ngettext(singular, plural, n) % {"n": n}


def get(client, url: str, **kwargs):
    with translation.override("zh-hans"):
        return client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans", **kwargs)


def post(client, url: str, data=None, **kwargs):
    with translation.override("zh-hans"):
        return client.post(url, data or {}, HTTP_ACCEPT_LANGUAGE="zh-hans", **kwargs)


@pytest.fixture
def clock():
    """Monday 9 March 2026, 10:00 in Beijing; `clock.move_to(...)` moves on."""
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def secretary(db):
    return StaffFactory(full_name="李秘书")


# --- the petitions ------------------------------------------------------------------------


def dispatched(member, staff, official, title: str = "新厂区环评审批") -> Petition:
    """Alice's petition dispatched to the official's department: due in 10 working days."""
    petition = PetitionFactory(
        enterprise=member.enterprise, submitted_by=member.user, title=title
    )
    services.accept_petition(
        petition=petition,
        actor=staff,
        category=CategoryFactory(working_days=10),
        priority="normal",
        handling="department",
    )
    return services.dispatch_petition(
        petition=petition, department=official.department, actor=staff
    )


def signed(member, staff, official, title: str = "新厂区环评审批") -> Petition:
    petition = dispatched(member, staff, official, title)
    return services.sign_petition(petition=petition, actor=official.user)


def awaiting(member, staff, official, title: str = "新厂区环评审批") -> Petition:
    petition = signed(member, staff, official, title)
    services.ask_enterprise(petition=petition, actor=official.user, request=REQUEST)
    return Petition.objects.get(pk=petition.pk)


def answered(member, staff, official, title: str = "新厂区环评审批") -> Petition:
    petition = signed(member, staff, official, title)
    services.record_department_reply(
        petition=petition,
        actor=official.user,
        outcome="partly",
        reply="已受理审批。",
        follow_up_plan="下月完成现场核查。",
    )
    return services.answer_petition(petition=petition, actor=staff, answer="已受理。")


def department_clock(petition: Petition, action: str) -> str:
    return reverse("petitions:department_clock", args=[petition.pk, action])


def staff_clock(petition: Petition, action: str) -> str:
    return reverse("petitions:staff_clock", args=[petition.pk, action])


def pages(petition: Petition) -> dict[str, str]:
    return {
        "member": reverse("petitions:detail", args=[petition.pk]),
        "department": reverse("petitions:department_detail", args=[petition.pk]),
        "staff": reverse("petitions:staff_detail", args=[petition.pk]),
    }


def as_each(client, alice, official, staff, petition: Petition) -> dict[str, str]:
    """The petition's page as the member, the department and staff see it."""
    found = {}
    for role, user in (
        ("member", alice.user),
        ("department", official.user),
        ("staff", staff),
    ):
        client.force_login(user)
        response = get(client, pages(petition)[role])
        assert response.status_code == 200, role
        found[role] = text(response)
    return found


# --- 待企业补充: the department asks, the enterprise answers -----------------------------


def test_the_department_asks_and_the_member_sees_the_request_first_with_its_form(
    client, alice, staff, official, clock
):
    petition = signed(alice, staff, official)
    client.force_login(official.user)

    response = post(client, department_clock(petition, "ask"), {"request": REQUEST})

    assert response.status_code == 302
    petition.refresh_from_db()
    assert petition.status == S.AWAITING_INFO
    assert OutgoingMessage.objects.filter(
        kind="petition-info-requested", user=alice.user
    ).exists()
    department = get(client, pages(petition)["department"])
    assert shows(department, zh("Waiting for the enterprise's information"))
    assert REQUEST in text(department)
    # Five working days from Monday: the next Monday.
    assert shows(
        department,
        zh(
            "The enterprise answers by %(deadline)s; after that, staff may close the "
            "request and the clock starts again."
        )
        % {"deadline": "2026-03-16"},
    )
    client.force_login(alice.user)
    page = text(get(client, pages(petition)["member"]))
    prominent = re.search(r'<section id="info".*?</section>', page, flags=re.S)
    assert prominent and REQUEST in prominent.group(0)
    assert escape(zh("The department needs something from you")) in page
    assert reverse("petitions:answer_request", args=[petition.pk]) in page
    assert page.index('id="info"') < page.index(escape(zh("Timeline")))
    home = text(get(client, reverse("home")))
    assert f"{pages(petition)['member']}#info" in home


def test_the_member_answers_on_the_page_with_a_file_and_the_clock_runs_again(
    client, alice, staff, official, clock, media
):
    petition = awaiting(alice, staff, official)
    due = petition.due_on
    clock.move_to(at(11, 15), tick=False)  # Wednesday: Tuesday and Wednesday waited
    client.force_login(alice.user)

    response = post(
        client,
        reverse("petitions:answer_request", args=[petition.pk]),
        {
            "answer": "环评批复文件已上传。",
            "files": SimpleUploadedFile("环评批复.png", PNG, content_type="image/png"),
        },
    )

    assert response.status_code == 302
    petition.refresh_from_db()
    assert petition.status == S.IN_PROGRESS
    assert petition.paused_working_days == 2
    assert petition.due_on == due + timedelta(days=2)
    assert petition.attachments.get().original_name == "环评批复.png"
    info = InfoRequest.objects.get(petition=petition)
    assert (info.ending, info.answer) == ("answered", "环评批复文件已上传。")
    assert OutgoingMessage.objects.filter(
        kind="petition-info-answered", user=official.user
    ).exists()
    waited = zh_plural(
        "awaiting the enterprise's information %(n)s working day",
        "awaiting the enterprise's information %(n)s working days",
        2,
    )
    for role, page in as_each(client, alice, official, staff, petition).items():
        assert escape(waited) in page, role
        assert "环评批复文件已上传。" in page, role


def test_an_empty_answer_is_refused_and_changes_nothing(
    client, alice, staff, official, clock
):
    petition = awaiting(alice, staff, official)
    client.force_login(alice.user)

    response = post(
        client,
        reverse("petitions:answer_request", args=[petition.pk]),
        {"answer": "   "},
    )

    assert response.status_code == 200
    assert response.context["info_answer_form"].errors
    petition.refresh_from_db()
    assert petition.status == S.AWAITING_INFO


def test_staff_close_a_request_only_after_its_deadline(
    client, alice, staff, official, clock
):
    petition = awaiting(alice, staff, official)

    clock.move_to(at(16, 17), tick=False)  # the deadline itself: Monday 16 March
    client.force_login(staff)  # staff sessions end when idle for long
    page = get(client, pages(petition)["staff"])
    refused = post(client, staff_clock(petition, "close"), {"note": "电话未接通"})

    assert staff_clock(petition, "close") not in text(page)
    assert shows(
        page,
        zh(
            "The enterprise has until %(deadline)s to answer; you can close the "
            "request after that day."
        )
        % {"deadline": "2026-03-16"},
    )
    assert shows(
        refused,
        zh("The enterprise has until %(date)s to answer.") % {"date": "2026-03-16"},
    )
    petition.refresh_from_db()
    assert petition.status == S.AWAITING_INFO

    clock.move_to(at(17, 9), tick=False)  # Tuesday: past the deadline
    client.force_login(staff)
    dashboard = text(get(client, reverse("staff_dashboard")))
    assert f"{pages(petition)['staff']}#act-close" in dashboard
    page = get(client, pages(petition)["staff"])
    assert staff_clock(petition, "close") in text(page)
    closed = post(client, staff_clock(petition, "close"), {"note": "电话未接通"})

    assert closed.status_code == 302
    petition.refresh_from_db()
    assert petition.status == S.IN_PROGRESS
    assert petition.paused_working_days == 6  # Tuesday 10 to Tuesday 17 March
    assert InfoRequest.objects.get(petition=petition).ending == "timed_out"
    assert OutgoingMessage.objects.filter(
        kind="petition-info-answered", user=official.user
    ).exists()


def test_staff_may_ask_the_enterprise_too(client, alice, staff, official, clock):
    petition = signed(alice, staff, official)
    client.force_login(staff)

    post(client, staff_clock(petition, "ask"), {"request": REQUEST})

    petition.refresh_from_db()
    assert petition.status == S.AWAITING_INFO


# --- 延期 ------------------------------------------------------------------------------------


def test_an_extension_asked_by_the_department_and_approved_by_staff_shows_both_dates(
    client, alice, staff, official, clock
):
    petition = signed(alice, staff, official)
    due = petition.due_on  # Monday 23 March
    client.force_login(official.user)

    asked = post(
        client,
        department_clock(petition, "extension"),
        {"proposed_due": "2026-03-30", "reason": "需等待第三方检测报告"},
    )

    assert asked.status_code == 302
    extension = Extension.objects.get(petition=petition)
    assert extension.status == Extension.Status.ASKED
    department = get(client, pages(petition)["department"])
    assert shows(department, zh("Waiting for the chamber's decision."))
    assert department_clock(petition, "extension") not in text(department)  # once
    client.force_login(staff)
    dashboard = text(get(client, reverse("staff_dashboard")))
    assert f"{pages(petition)['staff']}#act-extension" in dashboard

    approved = post(client, staff_clock(petition, "extension"), {"decision": "approve"})

    assert approved.status_code == 302
    petition.refresh_from_db()
    assert (petition.original_due_on, f"{petition.due_on}") == (due, "2026-03-30")
    assert OutgoingMessage.objects.filter(
        kind="petition-extension-decided", user=official.user
    ).exists()
    both = zh("(extended; originally %(original)s)") % {"original": f"{due}"}
    for role, page in as_each(client, alice, official, staff, petition).items():
        assert "2026-03-30" in page, role
        assert escape(both) in page, role


def test_a_refusal_needs_a_reason_and_keeps_the_due_date(
    client, alice, staff, official, clock
):
    petition = signed(alice, staff, official)
    due = petition.due_on
    services.ask_extension(
        petition=petition,
        actor=official.user,
        reason="人手不足",
        proposed_due=due + timedelta(days=14),
    )
    client.force_login(staff)

    without = post(client, staff_clock(petition, "extension"), {"decision": "refuse"})
    assert without.status_code == 200
    assert shows(without, zh("Give the department the reason for the refusal."))
    assert Extension.objects.get(petition=petition).status == Extension.Status.ASKED

    refused = post(
        client,
        staff_clock(petition, "extension"),
        {"decision": "refuse", "note": "时限内可以办结"},
    )

    assert refused.status_code == 302
    petition.refresh_from_db()
    assert (petition.due_on, petition.original_due_on) == (due, due)
    assert Extension.objects.get(petition=petition).status == Extension.Status.REFUSED
    client.force_login(official.user)
    page = get(client, pages(petition)["department"])
    assert "时限内可以办结" in text(page)
    assert shows(page, zh("refused"))


def test_after_the_due_date_the_department_cannot_ask_for_an_extension(
    client, alice, staff, official, clock
):
    petition = signed(alice, staff, official)
    clock.move_to(at(24), tick=False)  # the day after the due date
    client.force_login(official.user)

    page = get(client, pages(petition)["department"])
    response = post(
        client,
        department_clock(petition, "extension"),
        {"proposed_due": "2026-04-10", "reason": "需等待检测报告"},
    )

    assert department_clock(petition, "extension") not in text(page)
    assert response.status_code == 200
    assert shows(
        response,
        zh("The due date has passed: an extension must be asked before it."),
    )
    assert not Extension.objects.exists()


# --- 回访 and the rating's two questions -------------------------------------------------------


def test_a_return_visit_on_the_staff_page_counts_as_the_rating_with_the_staffs_name(
    client, alice, secretary, official, clock
):
    petition = answered(alice, secretary, official)
    clock.move_to(at(12, 15), tick=False)
    client.force_login(secretary)
    assert staff_clock(petition, "visit") in text(get(client, pages(petition)["staff"]))

    response = post(
        client,
        staff_clock(petition, "visit"),
        {
            "way": "phone",
            "spoke_with": "王经理",
            "visited_at": "2026-03-12T14:30",
            "solved": "partly",
            "rating": "basically",
            "comment": "现场核查尚未完成",
        },
    )

    assert response.status_code == 302
    petition.refresh_from_db()
    assert (petition.status, petition.solved, petition.rating) == (
        S.CLOSED,
        "partly",
        "basically",
    )
    assert petition.rating_taken_by == secretary
    visit = ReturnVisit.objects.get(petition=petition)
    assert (visit.staff, visit.spoke_with, visit.way) == (secretary, "王经理", "phone")
    taken = zh(
        "Taken by the chamber's staff on a return visit (回访), by %(name)s."
    ) % {"name": "李秘书"}
    with translation.override("zh-hans"):
        partly = str(Petition.Solved.PARTLY.label)
        basically = str(Petition.Rating.BASICALLY.label)
    for role, page in as_each(client, alice, official, secretary, petition).items():
        assert escape(taken) in page, role
        assert partly in page and basically in page, role
    assert "王经理" in text(get(client, pages(petition)["staff"]))


def test_a_return_visit_of_an_unsolved_problem_needs_a_note_and_keeps_what_was_typed(
    client, alice, staff, official, clock
):
    petition = answered(alice, staff, official)
    client.force_login(staff)

    response = post(
        client,
        staff_clock(petition, "visit"),
        {
            "way": "in_person",
            "spoke_with": "赵厂长",
            "visited_at": "2026-03-09T09:55",
            "solved": "unsolved",
            "rating": "satisfied",
            "comment": "",
        },
    )

    assert response.status_code == 200
    assert shows(
        response, zh("Tell us what is still unresolved, so it can be followed up.")
    )
    assert 'value="赵厂长"' in text(response)
    petition.refresh_from_db()
    assert petition.status == S.REPLIED
    assert not ReturnVisit.objects.exists()


def test_the_rating_form_refuses_unsolved_without_a_comment_in_chinese_and_keeps_it(
    client, alice, staff, official, clock
):
    petition = answered(alice, staff, official)
    client.force_login(alice.user)
    page = text(get(client, pages(petition)["member"]))
    assert escape(zh("Was your problem solved?")) in page

    response = post(
        client,
        reverse("petitions:rate", args=[petition.pk]),
        {"solved": "unsolved", "rating": "basically", "comment": " "},
    )

    assert response.status_code == 200
    assert shows(
        response, zh("Tell us what is still unresolved, so it can be followed up.")
    )
    page = text(response)
    assert re.search(r'<input[^>]*value="unsolved"[^>]*checked', page)
    assert re.search(r'<input[^>]*value="basically"[^>]*checked', page)
    petition.refresh_from_db()
    assert (petition.status, petition.rating, petition.solved) == (S.REPLIED, "", "")


def test_the_enterprise_rates_both_questions_and_reads_its_answers_back(
    client, alice, staff, official, clock
):
    petition = answered(alice, staff, official)
    client.force_login(alice.user)

    post(
        client,
        reverse("petitions:rate", args=[petition.pk]),
        {"solved": "solved", "rating": "satisfied", "comment": ""},
    )

    petition.refresh_from_db()
    assert (petition.status, petition.solved, petition.rating_taken_by) == (
        S.CLOSED,
        "solved",
        None,
    )
    page = text(get(client, pages(petition)["member"]))
    with translation.override("zh-hans"):
        assert str(Petition.Solved.SOLVED.label) in page
    assert escape(zh("problem solved")) in page


# --- the worklists -------------------------------------------------------------------------


def visit_link(petition: Petition) -> str:
    return f"{reverse('petitions:staff_detail', args=[petition.pk])}#act-visit"


def test_an_unrated_answer_joins_the_return_visit_worklist_after_three_working_days(
    client, alice, staff, official, clock
):
    petition = answered(alice, staff, official)  # Monday 9 March

    clock.move_to(at(11, 17), tick=False)  # Wednesday: two working days
    client.force_login(staff)  # staff sessions end when idle for long
    before = text(get(client, reverse("staff_dashboard")))
    clock.move_to(at(12, 8), tick=False)  # Thursday: three
    client.force_login(staff)
    after = text(get(client, reverse("staff_dashboard")))
    listed = get(client, f"{reverse('petitions:staff_list')}?todo=return_visit")

    assert visit_link(petition) not in before
    assert visit_link(petition) in after
    assert [p.pk for p in listed.context["page"]] == [petition.pk]


def test_the_dashboard_costs_the_same_queries_with_its_worklists_long_or_short(
    client, staff, official, clock
):
    def seed(n: int) -> None:
        """n answers unrated for a week, n extensions asked, n requests past due."""
        for _ in range(n):
            petition = PetitionFactory()
            Petition.objects.filter(pk=petition.pk).update(
                status=S.REPLIED,
                department=official.department,
                dispatched_at=at(2),
                due_on=at(16).date(),
                answer="已答复。",
                answered_at=at(2),
                answer_round=1,
            )
        for _ in range(n):
            petition = PetitionFactory()
            Petition.objects.filter(pk=petition.pk).update(
                status=S.IN_PROGRESS,
                department=official.department,
                dispatched_at=at(2),
                due_on=at(16).date(),
            )
            Extension.objects.create(
                petition=petition,
                department=official.department,
                reason="需等待检测报告",
                due_before=at(16).date(),
                proposed_due=at(23).date(),
                asked_by=official.user,
            )
        for _ in range(n):
            petition = PetitionFactory()
            Petition.objects.filter(pk=petition.pk).update(
                status=S.AWAITING_INFO,
                department=official.department,
                dispatched_at=at(2),
                due_on=at(16).date(),
            )
            InfoRequest.objects.create(
                petition=petition,
                department=official.department,
                request=REQUEST,
                asked_by=official.user,
                asked_at=at(2) - timedelta(days=7),
            )

    def queries() -> int:
        """Queries of the dashboard made afresh: a petition received (a new event) makes
        the kept figures and worklists stale, as any step does."""
        PetitionFactory()
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("staff_dashboard")).status_code == 200
        return len(ctx.captured_queries)

    client.force_login(staff)
    seed(2)
    client.get(reverse("staff_dashboard"))  # warm-up: session and caches
    few = queries()
    seed(30)
    many = queries()

    page = text(client.get(reverse("staff_dashboard")))
    assert page.count("#act-visit") == 10  # the first ten; the list holds the rest
    assert page.count("#act-extension") == 10
    assert page.count("#act-close") == 10
    assert few == many, (few, many)


# --- who sees what ---------------------------------------------------------------------------


def test_another_enterprises_member_and_another_department_get_404(
    client, alice, bob, staff, official, clock
):
    petition = awaiting(alice, staff, official)
    stranger = OfficialFactory()

    client.force_login(bob.user)
    assert get(client, pages(petition)["member"]).status_code == 404
    answer = post(
        client,
        reverse("petitions:answer_request", args=[petition.pk]),
        {"answer": "不是我们的诉求"},
    )
    client.force_login(stranger.user)
    extension = post(
        client,
        department_clock(petition, "extension"),
        {"proposed_due": "2026-04-10", "reason": "冒充"},
    )

    assert answer.status_code == 404
    assert extension.status_code == 404
    petition.refresh_from_db()
    assert petition.status == S.AWAITING_INFO
    assert not Extension.objects.exists()


def test_the_clocks_actions_are_post_only_and_unknown_actions_404(
    client, alice, staff, official, clock
):
    petition = signed(alice, staff, official)
    client.force_login(staff)

    assert get(client, staff_clock(petition, "visit")).status_code == 405
    assert post(client, staff_clock(petition, "whatever")).status_code == 404
    client.force_login(official.user)
    assert post(client, department_clock(petition, "whatever")).status_code == 404


def test_petitions_waiting_for_the_enterprise_stay_on_the_queue_and_the_board(
    client, alice, staff, official, clock
):
    petition = awaiting(alice, staff, official, title="待补充：用地红线图")
    client.force_login(official.user)
    queue = text(get(client, reverse("petitions:department_queue")))
    client.force_login(staff)
    board = text(get(client, reverse("petitions:triage")))
    listed = get(client, f"{reverse('petitions:staff_list')}?status=awaiting_info")

    waiting = escape(heading(Section.AWAITING_INFO))
    for page in (queue, board):
        assert waiting in page
        assert page.index(waiting) < page.index(petition.title)
    assert [p.pk for p in listed.context["page"]] == [petition.pk]


# --- the pages in both languages --------------------------------------------------------------


@pytest.fixture
def invalid_variables_shown(settings):
    options = settings.TEMPLATES[0]["OPTIONS"]
    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "OPTIONS": {**options, "string_if_invalid": "INVALID-VARIABLE(%s)"},
        }
    ]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_pages_of_every_clock_state_render_in_both_languages(
    alice, staff, official, clock, invalid_variables_shown, language, settings
):
    waiting = signed(alice, staff, official, title="待补充")
    services.ask_extension(
        petition=waiting,
        actor=official.user,
        reason="需等待检测报告",
        proposed_due=waiting.due_on + timedelta(days=7),
    )
    services.ask_enterprise(petition=waiting, actor=official.user, request=REQUEST)
    decided = signed(alice, staff, official, title="已延期")
    extension = services.ask_extension(
        petition=decided,
        actor=official.user,
        reason="需等待检测报告",
        proposed_due=decided.due_on + timedelta(days=7),
    )
    services.decide_extension(extension=extension, actor=staff, approve=True)
    visited = answered(alice, staff, official, title="已回访")
    services.record_return_visit(
        petition=visited,
        actor=staff,
        way="in_person",
        spoke_with="王经理",
        visited_at=MONDAY,
        solved="unsolved",
        rating="unsatisfied",
        note="仍未解决",
    )
    wrong = []
    for petition in (waiting, decided, visited):
        for role, user in (
            ("member", alice.user),
            ("department", official.user),
            ("staff", staff),
        ):
            client = Client()
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
            client.force_login(user)
            response = client.get(pages(petition)[role])
            html = text(response)
            if response.status_code != 200 or "INVALID-VARIABLE" in html:
                wrong.append(f"{petition.title} as {role}: {response.status_code}")
            elif f'<html lang="{language}"' not in html:
                wrong.append(f"{petition.title} as {role}: not in {language}")

    assert wrong == []


# --- the notices ------------------------------------------------------------------------------


def test_each_notice_of_the_clock_goes_in_its_readers_language(
    alice, staff, official, clock, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        petition = awaiting(alice, staff, official)
        services.answer_info_request(
            petition=petition, actor=alice.user, answer="已上传。"
        )
        extension = services.ask_extension(
            petition=petition,
            actor=official.user,
            reason="需等待检测报告",
            proposed_due=petition.due_on + timedelta(days=7),
        )
        services.decide_extension(
            extension=extension, actor=staff, approve=False, note="时限内可以办结"
        )

    subjects = {m.subject for m in mailoutbox}
    number = petition.number
    assert {
        zh("Your petition %(number)s: the department needs something from you")
        % {"number": number},
        zh("Petition %(number)s: the enterprise has answered your request")
        % {"number": number},
        zh("Petition %(number)s: %(department)s asks for an extension")
        % {"number": number, "department": official.department.name},
        zh("Petition %(number)s: extension refused") % {"number": number},
    } <= subjects
    refusal = next(m for m in mailoutbox if "时限内可以办结" in m.body)
    assert escape("时限内可以办结") in refusal.alternatives[0][0]
