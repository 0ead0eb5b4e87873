"""One meaning of "waiting at the department", "overdue" and the other sections.

A petition of every kind is put before the official's queue, the staff's board, the
weekly digest, the daily study and the weekly report; each puts it in the same section,
and its badge says what its section says.
"""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils.html import escape
from django.utils.text import capfirst

from petitions import review, services
from petitions.models import Category, Petition, Section
from publicity import digests
from tests.factories import CategoryFactory, PetitionFactory
from tests.support.words import heading

MONDAY = date(2026, 3, 23)
BEIJING = ZoneInfo("Asia/Shanghai")


def category() -> Category:
    return Category.objects.filter(code="approvals").first() or CategoryFactory(
        code="approvals", working_days=10, urgent_working_days=3
    )


def make(staff, official, title: str, *, sign=False, due=0, reply=False):
    """A petition at the official's department, due `due` days from Monday."""
    petition = PetitionFactory(title=title)
    services.accept_petition(
        petition=petition,
        actor=staff,
        category=category(),
        priority="normal",
        handling="department",
    )
    services.dispatch_petition(
        petition=petition, department=official.department, actor=staff
    )
    Petition.objects.filter(pk=petition.pk).update(due_on=MONDAY + timedelta(days=due))
    petition.refresh_from_db()
    if sign:
        services.sign_petition(petition=petition, actor=official.user)
    if reply:
        services.record_department_reply(
            petition=petition, actor=official.user, outcome="resolved", reply="已办结。"
        )
    petition.refresh_from_db()
    return petition


# title → the section it belongs in on Monday
EXPECTED = {
    "新交办·下月到期": Section.NEW,
    "新交办·本周三到期": Section.NEW,
    "未签收·上周五已到期": Section.OVERDUE,
    "已签收·本周四到期": Section.DUE_THIS_WEEK,
    "已签收·下月到期": Section.IN_PROGRESS,
    "已签收·昨日已到期": Section.OVERDUE,
    "已答复·待审核": Section.AWAITING_REVIEW,
    "未分办": Section.TO_TRIAGE,
    "商会直接答复的咨询": Section.WITH_CHAMBER,
    "已答复企业": Section.ANSWERED,
}


@pytest.fixture
def world(staff, official):
    with time_machine.travel(datetime(2026, 3, 23, 8, 0, tzinfo=BEIJING), tick=False):
        found = {
            "新交办·下月到期": make(staff, official, "新交办·下月到期", due=30),
            "新交办·本周三到期": make(staff, official, "新交办·本周三到期", due=2),
            "未签收·上周五已到期": make(staff, official, "未签收·上周五已到期", due=-3),
            "已签收·本周四到期": make(
                staff, official, "已签收·本周四到期", sign=True, due=3
            ),
            "已签收·下月到期": make(
                staff, official, "已签收·下月到期", sign=True, due=30
            ),
            "已签收·昨日已到期": make(
                staff, official, "已签收·昨日已到期", sign=True, due=-1
            ),
            "已答复·待审核": make(
                staff, official, "已答复·待审核", sign=True, due=-5, reply=True
            ),
            "未分办": PetitionFactory(title="未分办"),
        }
        chamber = PetitionFactory(title="商会直接答复的咨询")
        services.accept_petition(
            petition=chamber,
            actor=staff,
            category=category(),
            priority="normal",
            handling="chamber",
        )
        found["商会直接答复的咨询"] = chamber
        answered = PetitionFactory(title="已答复企业")
        services.accept_petition(
            petition=answered,
            actor=staff,
            category=category(),
            priority="normal",
            handling="chamber",
        )
        services.answer_petition(
            petition=answered, actor=staff, answer="已解决。", outcome="resolved"
        )
        found["已答复企业"] = answered
    for petition in found.values():
        petition.refresh_from_db()
    return found


def sections_of(page: str) -> dict[str, str]:
    """Each <section> of a page by its heading's text (without the count badge)."""
    found = {}
    for part in re.findall(r"<section\b.*?</section>", page, flags=re.S):
        title = re.search(r"<h2\b[^>]*>(.*?)</h2>", part, flags=re.S)
        if title:
            found[re.sub(r"<[^>]+>.*", "", title.group(1), flags=re.S).strip()] = part
    return found


def test_the_classifier_and_the_queryset_filters_agree_on_every_petition(world):
    for title, petition in world.items():
        assert petition.section(MONDAY) == EXPECTED[title], title
    for section in Section:
        listed = set(
            Petition.objects.in_section(section, MONDAY).values_list("title", flat=True)
        )
        assert listed == {t for t, s in EXPECTED.items() if s == section}, section


def test_the_officials_queue_lists_each_petition_in_its_section_with_that_badge(
    client, world, official
):
    client.force_login(official.user)
    with time_machine.travel(datetime(2026, 3, 23, 9, 0, tzinfo=BEIJING)):
        page = client.get(reverse("petitions:department_queue")).content.decode()

    sections = sections_of(page)
    for title, section in EXPECTED.items():
        homes = [h for h, part in sections.items() if escape(title) in part]
        if section in (Section.TO_TRIAGE, Section.WITH_CHAMBER, Section.ANSWERED):
            assert homes == [], title
            continue
        assert homes == [heading(section)], title
        row = re.search(
            rf"{re.escape(escape(title))}</a>\s*<span[^>]*>(.*?)</span>\s*</div>",
            sections[heading(section)],
            flags=re.S,
        )
        badge = re.search(r'<span class="badge[^"]*">([^<]*)</span>', row.group(1))
        assert capfirst(badge.group(1)) == heading(section), title


def test_the_staff_board_puts_the_unsigned_overdue_petition_with_the_overdue(
    client, world, staff
):
    client.force_login(staff)
    with time_machine.travel(datetime(2026, 3, 23, 9, 0, tzinfo=BEIJING)):
        page = client.get(reverse("petitions:triage")).content.decode()

    sections = sections_of(page)
    for title, section in EXPECTED.items():
        homes = [h for h, part in sections.items() if escape(title) in part]
        if section in (
            Section.TO_TRIAGE,
            Section.WITH_CHAMBER,
            Section.AWAITING_REVIEW,
            Section.OVERDUE,
        ):
            assert homes == [heading(section)], title
        else:
            assert homes == [], title


def test_the_weekly_digest_lists_each_petition_under_the_queues_heading(
    world, official, mailoutbox, django_capture_on_commit_callbacks
):
    with (
        time_machine.travel(datetime(2026, 3, 23, 9, 0, tzinfo=BEIJING), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        review.run_weekly_dispatch(on=MONDAY)

    (message,) = [m for m in mailoutbox if m.to == [official.user.email]]
    body = message.body
    listed = {
        Section.OVERDUE: body.index(heading(Section.OVERDUE)),
        Section.DUE_THIS_WEEK: body.index(heading(Section.DUE_THIS_WEEK)),
        Section.NEW: body.index(heading(Section.NEW)),
    }
    order = sorted(listed.values()) + [len(body)]
    for title, section in EXPECTED.items():
        if section not in listed:
            assert title not in body, title
            continue
        start = listed[section]
        end = next(i for i in order if i > start)
        assert title in body[start:end], title
    sections = digests.department_sections(
        department_id=official.department_id, on=MONDAY
    )
    assert {s: {p.title for p in rows} for s, rows in sections.items()} == {
        s: {t for t, e in EXPECTED.items() if e == s} for s in digests.DIGEST_SECTIONS
    }


def test_the_weekly_report_and_the_daily_study_count_the_same_sections(world, official):
    with time_machine.travel(datetime(2026, 3, 23, 9, 0, tzinfo=BEIJING), tick=False):
        weekly = review.run_weekly_dispatch(on=MONDAY)
        daily = review.run_daily_study(on=MONDAY)

    (row,) = [
        r for r in weekly.report["departments"] if r["id"] == official.department_id
    ]
    count = {s: list(EXPECTED.values()).count(s) for s in Section}
    assert row["new"] == count[Section.NEW]
    assert row["due_this_week"] == count[Section.DUE_THIS_WEEK]
    assert row["overdue"] == count[Section.OVERDUE]
    assert row["open"] == sum(
        count[s]
        for s in (
            Section.NEW,
            Section.DUE_THIS_WEEK,
            Section.IN_PROGRESS,
            Section.OVERDUE,
        )
    )
    supervised = set(
        Petition.objects.filter(pk__in=daily.report["newly_supervised"]).values_list(
            "title", flat=True
        )
    )
    assert supervised == {t for t, s in EXPECTED.items() if s == Section.OVERDUE}
