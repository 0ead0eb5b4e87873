"""The staff's petition pages, the leaders' reports and escalations, and the Excel exports.

Staff triage, dispatch, review and answer through the POST actions of a petition's page;
each says what it did, or why the rules refused it. The filtered list and the reports
export to Excel with every text cell formula-safe (chamber.exports.safe_cell). Leaders
read the monthly and quarterly reports and the escalations, not the daily runs; members
and officials are refused every staff page.
"""

import re
from datetime import datetime, time, timedelta
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from openpyxl import load_workbook

from chamber import workdays
from petitions import review, services
from petitions.models import (
    Escalation,
    Petition,
    PetitionEvent,
    ReviewRun,
    Section,
)
from tests.factories import (
    CategoryFactory,
    DepartmentFactory,
    EnterpriseFactory,
    PetitionFactory,
)
from tests.support.downloads import fetch
from tests.support.pages import shows, text
from tests.support.staff_pages import (
    accepted,
    act,
    category,
    dispatched,
    get,
    post,
    replied_by_department,
)
from tests.support.words import heading, zh

S = Petition.Status
FORMULA = '=HYPERLINK("http://x","y")'
# What a spreadsheet would run as a formula (chamber.exports.FORMULA_TRIGGERS).
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def label(choice) -> str:
    with translation.override("zh-hans"):
        return str(choice.label)


def main(page: str) -> str:
    """The page's own part, without the shell (its logout form has a fresh CSRF token)."""
    return page.split("<main", 1)[1].split("</main>", 1)[0]


def section(page: str, heading: str) -> str:
    """The <section> of the page headed `heading` (one list of the board)."""
    for found in re.findall(r"<section\b.*?</section>", page, flags=re.S):
        title = re.search(r"<h2\b[^>]*>(.*?)</h2>", found, flags=re.S)
        if title and re.sub(
            r"<[^>]+>.*", "", title.group(1), flags=re.S
        ).strip() == escape(heading):
            return found
    raise AssertionError(f"no section headed {heading!r}")


def workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"].startswith("attachment;")
    return load_workbook(BytesIO(response.content))


def text_cells(book) -> list:
    return [
        cell
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]


def assert_formula_safe(book) -> None:
    """No cell of the workbook is a formula, and no text cell starts like one."""
    for cell in text_cells(book):
        assert cell.data_type != "f", (cell.coordinate, cell.value)
        if isinstance(cell.value, str):
            assert not cell.value.startswith(TRIGGERS), (cell.coordinate, cell.value)


# --- the triage board ----------------------------------------------------------------------


def test_the_triage_board_sorts_petitions_into_its_four_lists(client, staff, official):
    PetitionFactory(title="待分办：申请办理施工许可")
    accepted(staff, handling="chamber", title="商会自办：政策咨询")
    replied_by_department(staff, official, title="待审核：厂区道路积水")
    late = dispatched(staff, official.department, title="逾期：消防验收咨询")
    Petition.objects.filter(pk=late.pk).update(
        due_on=timezone.localdate() - timedelta(days=2)
    )
    on_time = dispatched(staff, official.department, title="按时办理：人才公寓")
    services.reject_petition(
        petition=PetitionFactory(title="已驳回：民事纠纷"),
        actor=staff,
        reason="不属于受理范围",
    )
    client.force_login(staff)

    response = get(client, reverse("petitions:triage"))

    assert response.status_code == 200
    page = text(response)
    assert "待分办：申请办理施工许可" in section(page, heading(Section.TO_TRIAGE))
    assert "商会自办：政策咨询" in section(page, heading(Section.WITH_CHAMBER))
    assert "待审核：厂区道路积水" in section(page, heading(Section.AWAITING_REVIEW))
    assert "逾期：消防验收咨询" in section(page, heading(Section.OVERDUE))
    assert on_time.title not in page
    assert "已驳回：民事纠纷" not in page


def test_the_triage_board_is_read_again_from_the_cache_until_a_petition_moves(
    client, staff
):
    """Kept under the data's version: shown again, the board costs the version's query
    and no list; a petition's step shows on the next request."""
    petition = PetitionFactory(title="待分办：申请办理施工许可")
    client.force_login(staff)
    url = reverse("petitions:triage")
    first = text(get(client, url))

    with CaptureQueriesContext(connection) as again:
        kept = text(get(client, url))
    services.accept_petition(
        petition=petition,
        actor=staff,
        category=category(),
        priority="normal",
        handling="chamber",
    )
    moved = text(get(client, url))

    assert main(kept) == main(first)
    assert not any("petitions_petition" in q["sql"] for q in again.captured_queries)
    assert "待分办：申请办理施工许可" in section(first, heading(Section.TO_TRIAGE))
    assert "待分办：申请办理施工许可" not in section(moved, heading(Section.TO_TRIAGE))
    assert "待分办：申请办理施工许可" in section(moved, heading(Section.WITH_CHAMBER))


def test_a_long_triage_list_shows_the_oldest_first_its_count_and_the_way_to_all(
    client, staff
):
    """More than a section holds: none is hidden without saying so, the oldest lead."""
    from petitions.selectors import BOARD_ROWS

    start = timezone.now() - timedelta(days=40)
    petitions = [
        PetitionFactory(title=f"积压诉求{n:02d}", created_at=start + timedelta(hours=n))
        for n in range(BOARD_ROWS + 5)
    ]
    client.force_login(staff)

    page = text(get(client, reverse("petitions:triage")))

    waiting = section(page, heading(Section.TO_TRIAGE))
    assert petitions[0].title in waiting
    assert petitions[BOARD_ROWS - 1].title in waiting
    assert petitions[BOARD_ROWS].title not in waiting
    assert str(BOARD_ROWS + 5) in waiting
    all_of_them = get(client, reverse("petitions:staff_list") + "?status=submitted")
    assert all(p.title in text(all_of_them) for p in petitions[-25:])  # newest first
    assert all_of_them.context["page"].paginator.count == BOARD_ROWS + 5


# --- the actions ---------------------------------------------------------------------------


def test_staff_take_a_petition_from_triage_to_the_answer_through_the_page(
    client, staff, official
):
    petition = PetitionFactory(title="厂区供电容量不足")
    client.force_login(staff)

    page = act(
        client,
        petition,
        "accept",
        {
            "category": category("infrastructure").pk,
            "priority": "urgent",
            "handling": "department",
            "note": "归口区发改局",
        },
    )
    assert shows(page, zh("Triaged."))
    petition.refresh_from_db()
    assert (petition.status, petition.priority, petition.category.code) == (
        S.ACCEPTED,
        "urgent",
        "infrastructure",
    )

    page = act(client, petition, "dispatch", {"department": official.department.pk})
    assert shows(page, zh("Dispatched; the department was told."))
    petition.refresh_from_db()
    assert (petition.status, petition.department) == (S.DISPATCHED, official.department)
    urgent_limit = category("infrastructure").urgent_working_days
    assert petition.due_on == workdays.add_working_days(
        timezone.localdate(), urgent_limit
    )

    services.sign_petition(petition=petition, actor=official.user)
    services.record_department_reply(
        petition=petition, actor=official.user, outcome="resolved", reply="已现场查看。"
    )
    page = act(client, petition, "send_back", {"note": "请写明增容完成时间"})
    assert shows(page, zh("The reply was sent back to the department."))
    petition.refresh_from_db()
    assert not petition.awaits_review
    assert (
        petition.events.filter(kind=PetitionEvent.Kind.REVIEW).get().note
        == "请写明增容完成时间"
    )

    services.record_department_reply(
        petition=petition,
        actor=official.user,
        outcome="resolved",
        reply="本月20日前完成增容。",
    )
    page = act(client, petition, "answer", {"answer": "经协调，本月20日前完成增容。"})
    assert shows(page, zh("The answer was sent to the enterprise."))
    petition.refresh_from_db()
    assert petition.status == S.REPLIED
    assert petition.answer == "经协调，本月20日前完成增容。"
    assert petition.outcome == "resolved"


def test_a_petition_handled_by_the_chamber_is_answered_with_an_outcome(client, staff):
    petition = accepted(staff, handling="chamber")
    client.force_login(staff)

    page = act(
        client, petition, "answer", {"outcome": "explained", "answer": "已解释政策。"}
    )

    assert shows(page, zh("The answer was sent to the enterprise."))
    petition.refresh_from_db()
    assert (petition.status, petition.outcome) == (S.REPLIED, "explained")


def test_a_move_the_rules_forbid_shows_why_and_changes_nothing(client, staff, official):
    petition = PetitionFactory()
    client.force_login(staff)

    page = act(client, petition, "dispatch", {"department": official.department.pk})

    assert shows(
        page,
        zh("A petition that is %(old)s cannot become %(new)s.")
        % {
            "old": label(S.SUBMITTED),
            "new": label(S.DISPATCHED),
        },
    )
    petition.refresh_from_db()
    assert (petition.status, petition.department) == (S.SUBMITTED, None)
    assert petition.events.count() == 1


def test_rejecting_gives_the_enterprise_the_reason(client, staff):
    petition = PetitionFactory()
    client.force_login(staff)

    page = act(
        client, petition, "reject", {"reason": "属于司法程序，建议通过法律途径解决。"}
    )

    assert shows(page, zh("Rejected; the enterprise was given the reason."))
    petition.refresh_from_db()
    assert petition.status == S.REJECTED
    assert petition.answer == "属于司法程序，建议通过法律途径解决。"


def test_merging_into_another_petition_by_its_number(client, staff):
    first = PetitionFactory(number="XS-2026-0007")
    petition = PetitionFactory()
    client.force_login(staff)

    page = act(
        client,
        petition,
        "merge",
        {"into": "xs-2026-0007 ", "reason": "同一事项，合并办理。"},
    )

    assert shows(page, zh("Merged; the enterprise was given the reason."))
    petition.refresh_from_db()
    assert (petition.status, petition.merged_into) == (S.MERGED, first)


def test_merging_into_a_number_that_does_not_exist_shows_the_error(client, staff):
    petition = PetitionFactory()
    client.force_login(staff)

    page = act(
        client, petition, "merge", {"into": "XS-2026-9999", "reason": "同一事项。"}
    )

    assert shows(
        page,
        zh("There is no petition numbered %(number)s.") % {"number": "XS-2026-9999"},
    )
    petition.refresh_from_db()
    assert (petition.status, petition.merged_into) == (S.SUBMITTED, None)


def test_a_note_is_kept_from_the_enterprise_unless_marked_public(client, staff, alice):
    petition = PetitionFactory(enterprise=alice.enterprise)
    client.force_login(staff)

    assert shows(
        act(client, petition, "note", {"note": "内部：企业负责人难沟通"}),
        zh("Note added."),
    )
    act(client, petition, "note", {"note": "已电话联系企业", "public": "on"})

    assert list(
        petition.events.filter(kind="note").values_list("note", "is_public")
    ) == [
        ("内部：企业负责人难沟通", False),
        ("已电话联系企业", True),
    ]
    client.force_login(alice.user)
    member_page = text(get(client, petition.get_absolute_url()))
    assert "已电话联系企业" in member_page
    assert "内部：企业负责人难沟通" not in member_page


def test_an_empty_form_shows_the_error_and_changes_nothing(client, staff):
    petition = PetitionFactory()
    client.force_login(staff)

    page = act(client, petition, "reject", {"reason": ""})

    assert shows(page, zh("This field is required."))
    petition.refresh_from_db()
    assert petition.status == S.SUBMITTED


def test_staff_actions_are_post_only_and_unknown_ones_are_404(client, staff):
    petition = PetitionFactory()
    client.force_login(staff)

    url = reverse("petitions:staff_action", args=[petition.pk, "reject"])
    assert get(client, url).status_code == 405
    assert (
        post(
            client,
            reverse("petitions:staff_action", args=[petition.pk, "delete"]),
            {"reason": "x"},
        ).status_code
        == 404
    )
    missing = reverse("petitions:staff_action", args=[petition.pk + 1000, "reject"])
    assert post(client, missing, {"reason": "x"}).status_code == 404
    petition.refresh_from_db()
    assert petition.status == S.SUBMITTED


def test_staff_entering_a_phone_petition_get_its_page(client, staff):
    enterprise = EnterpriseFactory(name="营口丙物流有限公司")
    client.force_login(staff)

    response = post(
        client,
        reverse("petitions:staff_new"),
        {
            "channel": "phone",
            "enterprise": enterprise.pk,
            "contact_name": "王经理",
            "contact_phone": "0417-1234567",
            "title": "仓储用地审批",
            "description": "询问审批进度。",
        },
    )

    petition = Petition.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("petitions:staff_detail", args=[petition.pk])
    assert (petition.channel, petition.enterprise, petition.submitted_by) == (
        "phone",
        enterprise,
        staff,
    )


# --- the filtered list and its Excel ----------------------------------------------------------


@pytest.fixture
def listed(db, staff, official):
    """Petitions differing in one way each, for the list's filters."""
    other = DepartmentFactory(name="西市区市场监督管理局")
    next_day = workdays.add_working_days(timezone.localdate(), 1)
    overdue = dispatched(staff, official.department, title="督办：逾期未复")
    Petition.objects.filter(pk=overdue.pk).update(
        due_on=timezone.localdate() - timedelta(days=5)
    )
    review.run_daily_study(on=next_day)
    closed = PetitionFactory(title="已驳回：民事纠纷")
    services.reject_petition(petition=closed, actor=staff, reason="不属于受理范围")
    return {
        "new": PetitionFactory(title="新诉求：融资贷款", channel="online"),
        "phone": PetitionFactory(title="电话：用工招聘", channel="phone"),
        "category": PetitionFactory(
            title="类别：知识产权", category=CategoryFactory(name="知识产权")
        ),
        "here": dispatched(staff, official.department, title="本局：施工许可"),
        "there": dispatched(staff, other, title="他局：食品经营许可"),
        "supervised": overdue,
        "closed": closed,
        "named": PetitionFactory(
            title="企业名：厂房租赁",
            enterprise=EnterpriseFactory(name="营口辽河装备制造有限公司"),
        ),
    }


def listed_titles(client, listed, **params) -> set[str]:
    response = get(client, reverse("petitions:staff_list"), data=params)
    assert response.status_code == 200
    return {key for key, p in listed.items() if escape(p.title) in text(response)}


def test_the_staff_list_filters_by_each_criterion(client, staff, official, listed):
    client.force_login(staff)
    there = listed["there"].department

    assert listed_titles(client, listed) == set(listed)
    assert listed_titles(client, listed, status="open") == set(listed) - {"closed"}
    assert listed_titles(client, listed, status="rejected") == {"closed"}
    assert listed_titles(client, listed, status="dispatched") == {
        "here",
        "there",
        "supervised",
    }
    assert listed_titles(client, listed, channel="phone") == {"phone"}
    assert listed_titles(client, listed, category=listed["category"].category_id) == {
        "category"
    }
    assert listed_titles(client, listed, department=there.pk) == {"there"}
    assert listed_titles(client, listed, department=official.department.pk) == {
        "here",
        "supervised",
    }
    assert listed_titles(client, listed, supervised="on") == {"supervised"}
    assert listed_titles(client, listed, q="辽河装备") == {"named"}
    assert listed_titles(client, listed, q="融资") == {"new"}
    assert listed_titles(client, listed, q=listed["phone"].number) == {"phone"}
    assert listed_titles(client, listed, channel="phone", status="rejected") == set()


def test_the_staff_list_exports_its_filtered_rows_to_excel_formula_safe(client, staff):
    enterprise = EnterpriseFactory(name="@营口测试有限公司")
    hostile = PetitionFactory(title=FORMULA, enterprise=enterprise, channel="phone")
    PetitionFactory(title="网上：融资贷款", channel="online")
    client.force_login(staff)

    book = workbook(
        fetch(
            client,
            reverse("petitions:staff_list"),
            {"channel": "phone", "format": "xlsx"},
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
    )

    rows = list(book.active.iter_rows(min_row=2))
    assert [row[0].value for row in rows] == [hostile.number]
    title, name = rows[0][2], rows[0][1]
    assert title.data_type == "s"
    assert title.value == "'" + FORMULA
    assert name.value == "'@营口测试有限公司"
    assert_formula_safe(book)


# --- reports, escalations and the leaders ---------------------------------------------------------


def _previous_quarter_moment() -> datetime:
    first, _last = review.quarter_bounds(
        review.quarter_bounds(timezone.localdate())[0] - timedelta(days=1)
    )
    return timezone.make_aware(datetime.combine(first + timedelta(days=20), time(10)))


@pytest.fixture
def quarterly(db, staff):
    """Last quarter's clear-to-zero report, naming an uncleared petition with hostile text."""
    then = _previous_quarter_moment()
    hostile_department = DepartmentFactory(name="+西市区第九局")
    petition = services.submit_petition(
        enterprise=EnterpriseFactory(name="-营口测试有限公司"),
        title=FORMULA,
        description="见标题。",
        channel="online",
        submitted_by=None,
        category=CategoryFactory(name="=1+2"),
        now=then,
    )
    services.accept_petition(
        petition=petition,
        actor=staff,
        category=petition.category,
        priority="normal",
        handling="department",
        now=then,
    )
    services.dispatch_petition(
        petition=petition, department=hostile_department, actor=staff, now=then
    )
    run = review.run_quarterly_clearance(on=timezone.localdate())
    assert run.report["uncleared"] == [petition.pk]
    return run


def test_the_report_page_shows_the_quarter_and_its_uncleared_petitions(
    client, staff, quarterly
):
    client.force_login(staff)

    response = get(client, reverse("petitions:report", args=[quarterly.pk]))

    assert response.status_code == 200
    page = text(response)
    assert escape(FORMULA) in page
    assert FORMULA not in page
    assert "+西市区第九局" in page
    assert reverse("petitions:report_export", args=[quarterly.pk]) in page


def test_the_report_exports_to_excel_formula_safe(client, staff, leader, quarterly):
    for user in (staff, leader.user):
        client.force_login(user)

        book = workbook(
            get(client, reverse("petitions:report_export", args=[quarterly.pk]))
        )

        values = [cell.value for cell in text_cells(book)]
        assert "'" + FORMULA in values
        assert "'=1+2" in values
        assert "'+西市区第九局" in values
        assert "'-营口测试有限公司" in values
        assert_formula_safe(book)


def _daily_run() -> ReviewRun:
    return review.run_daily_study(on=workdays.add_working_days(timezone.localdate(), 1))


def _monthly_run() -> ReviewRun:
    return review.run_monthly_summary(on=timezone.localdate())


def test_leaders_read_the_reports_and_the_escalations_but_not_a_daily_run(
    client, leader, quarterly
):
    monthly, daily = _monthly_run(), _daily_run()
    client.force_login(leader.user)

    reports = get(client, reverse("petitions:reports"))
    assert reports.status_code == 200
    assert reverse("petitions:report", args=[monthly.pk]) in text(reports)
    assert reverse("petitions:report", args=[quarterly.pk]) in text(reports)
    assert reverse("petitions:report", args=[daily.pk]) not in text(reports)
    assert (
        get(client, reverse("petitions:report", args=[monthly.pk])).status_code == 200
    )
    assert (
        get(client, reverse("petitions:report", args=[quarterly.pk])).status_code == 200
    )
    assert (
        get(client, reverse("petitions:report_export", args=[monthly.pk])).status_code
        == 200
    )
    assert get(client, reverse("petitions:report", args=[daily.pk])).status_code == 404
    assert (
        get(client, reverse("petitions:report_export", args=[daily.pk])).status_code
        == 404
    )
    escalations = get(client, reverse("petitions:escalations"))
    assert escalations.status_code == 200
    assert escape(FORMULA) in text(escalations)
    assert shows(escalations, label(Escalation.Reason.CLEARANCE))
    # A leader reads the escalations but does not act on petitions.
    assert get(client, reverse("petitions:triage")).status_code == 403


def test_staff_read_a_daily_run_but_cannot_export_it(client, staff):
    daily = _daily_run()
    client.force_login(staff)

    assert get(client, reverse("petitions:report", args=[daily.pk])).status_code == 200
    assert (
        get(client, reverse("petitions:report_export", args=[daily.pk])).status_code
        == 404
    )


def test_settled_escalations_are_shown_only_on_request(client, staff, quarterly):
    petition = Petition.objects.get(pk=quarterly.report["uncleared"][0])
    services.sign_petition(petition=petition, actor=staff)
    services.record_department_reply(
        petition=petition, actor=staff, outcome="resolved", reply="已办。"
    )
    services.answer_petition(petition=petition, actor=staff, answer="已办结。")
    services.rate_petition(
        solved="solved", petition=petition, rating="satisfied", actor=None
    )
    client.force_login(staff)

    assert escape(FORMULA) not in text(get(client, reverse("petitions:escalations")))
    assert escape(FORMULA) in text(
        get(client, reverse("petitions:escalations"), data={"all": "1"})
    )


# --- who may enter -------------------------------------------------------------------------------


def _staff_pages(petition: Petition) -> list[str]:
    return [
        reverse("petitions:triage"),
        reverse("petitions:staff_list"),
        reverse("petitions:staff_list") + "?format=xlsx",
        reverse("petitions:staff_new"),
        reverse("petitions:batch"),
        reverse("petitions:batch_template"),
        reverse("petitions:cycle"),
        reverse("petitions:staff_detail", args=[petition.pk]),
    ]


def test_members_and_officials_are_refused_every_staff_page(client, alice, official):
    petition = PetitionFactory(enterprise=alice.enterprise)
    run = _monthly_run()

    for user in (alice.user, official.user):
        client.force_login(user)
        for url in _staff_pages(petition):
            assert get(client, url).status_code == 403, url
        for action in ("reject", "note"):
            url = reverse("petitions:staff_action", args=[petition.pk, action])
            assert post(client, url, {"reason": "x", "note": "x"}).status_code == 403
    client.force_login(alice.user)
    for url in (
        reverse("petitions:reports"),
        reverse("petitions:report", args=[run.pk]),
        reverse("petitions:report_export", args=[run.pk]),
        reverse("petitions:escalations"),
    ):
        assert get(client, url).status_code == 403, url
    petition.refresh_from_db()
    assert petition.status == S.SUBMITTED
    assert petition.events.count() == 1


def test_visitors_are_sent_to_log_in_from_the_staff_pages(client, db):
    petition = PetitionFactory()
    for url in [*_staff_pages(petition), reverse("petitions:escalations")]:
        response = get(client, url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


# --- query counts ------------------------------------------------------------------------------


def _queries(client, url: str) -> int:
    """Queries of a request. The lists are kept in the cache under the data's version
    (selectors.data_version): a new petition's event before it makes the request build
    them."""
    PetitionFactory(title="新版本")
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _board_data(n: int, department) -> list[int]:
    """n petitions spread over the board's four lists and the closed ones (set-based)."""
    enterprise, cat = EnterpriseFactory(), category()
    created = PetitionFactory.create_batch(n, enterprise=enterprise, category=cat)
    pks = [p.pk for p in created]
    now, today = timezone.now(), timezone.localdate()
    quarter = len(pks) // 5
    to_triage, with_chamber, review_, overdue, ended = (
        pks[:quarter],
        pks[quarter : 2 * quarter],
        pks[2 * quarter : 3 * quarter],
        pks[3 * quarter : 4 * quarter],
        pks[4 * quarter :],
    )
    assert all((to_triage, with_chamber, review_, overdue, ended))
    Petition.objects.filter(pk__in=with_chamber).update(
        status=S.ACCEPTED, handling="chamber", accepted_at=now
    )
    Petition.objects.filter(pk__in=review_ + overdue).update(
        status=S.IN_PROGRESS,
        handling="department",
        department=department,
        accepted_at=now,
        dispatched_at=now,
        due_on=today - timedelta(days=3),
        supervised_on=today,
    )
    Petition.objects.filter(pk__in=review_).update(
        due_on=today + timedelta(days=5),
        department_replied_at=now,
        department_reply="已办理。",
        outcome="resolved",
    )
    Petition.objects.filter(pk__in=ended).update(
        status=S.CLOSED,
        answer="已答复。",
        answered_at=now,
        closed_at=now,
        rating="satisfied",
        department=department,
        dispatched_at=now,
        due_on=today,
    )
    return pks


@pytest.mark.parametrize("url_name", ["triage", "staff_list"])
def test_staff_pages_cost_the_same_queries_for_10_and_300_petitions(
    client, staff, official, url_name
):
    url = reverse(f"petitions:{url_name}")
    client.force_login(staff)
    _board_data(10, official.department)
    client.get(url)  # warm-up: the session and per-user caches

    few = _queries(client, url)
    _board_data(290, official.department)
    many = _queries(client, url)

    assert Petition.objects.count() == 302  # and one before each count (_queries)
    assert few == many, (few, many)


def test_the_escalations_page_costs_the_same_queries_for_10_and_300(
    client, leader, official
):
    """10 petitions escalated by last quarter's clear-to-zero, then 290 more by the one before."""
    last_quarter = _previous_quarter_moment()
    quarter_before = last_quarter - timedelta(days=92)
    url = reverse("petitions:escalations")
    client.force_login(leader.user)
    few_pks = _board_data(10, official.department)
    Petition.objects.filter(pk__in=few_pks).update(created_at=last_quarter)
    review.run_quarterly_clearance(on=timezone.localdate())
    client.get(url)  # warm-up: the session and per-user caches

    few = _queries(client, url)
    many_pks = _board_data(290, official.department)
    Petition.objects.filter(pk__in=many_pks).update(created_at=quarter_before)
    review.run_quarterly_clearance(on=last_quarter.date())
    many = _queries(client, url)

    assert Escalation.objects.count() > 200
    assert few == many, (few, many)
