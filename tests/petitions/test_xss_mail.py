"""Script payloads in petitions never run in the review cycle's e-mails (IN-1).

The petition-due reminder to a department (petitions.tasks.remind_department) and the
review step's notice to staff and leaders (petitions.tasks.notify_run) list petitions
by title, with their enterprise's and department's names, and greet the reader by
name. Each step is run as the beat runs it (review.run_step, the tasks eager after
commit), on a known day of 2026 (tests/petitions/test_review_cycle.py); the petitions
come from the factories and the services with an explicit `now`, since a form cannot
date them back (tests/petitions/test_xss.py types the same corpus through the forms).

A mail reader reads each e-mail: the HTML part shows every text escaped and holds
nothing that runs (tests.support.xss.runnable); the text part and the subject
carry the texts as typed, never HTML-escaped, and the subject stays on one line.
"""

import re
from dataclasses import dataclass, field
from datetime import date

import pytest
from django.utils.html import escape

from petitions import review
from tests.factories import (
    DepartmentFactory,
    EnterpriseFactory,
    LeaderFactory,
    OfficialFactory,
    StaffFactory,
)
from tests.support.mail import mails_to
from tests.support.review_cycle import (
    MONDAY,
    QUARTER_START,
    TUESDAY,
    WARNING_DAY,
    WEEK,
    dispatched,
    received,
)
from tests.support.xss import PAYLOADS, fit, runnable

FRIDAY, THURSDAY = date(2026, 3, 6), date(2026, 3, 5)
HTML_ESCAPES = re.compile(r"&(?:lt|gt|quot|amp|#x?[0-9a-f]+);")


@dataclass
class World:
    payload: str
    official: object
    staff: object
    leader: object
    department: object
    enterprise: object
    texts: dict[str, str] = field(default_factory=dict)

    def petition(self, name: str, make, *args, **kwargs):
        return make(*args, title=self.texts[name], enterprise=self.enterprise, **kwargs)

    def assert_safe(self, message, *shown: str) -> None:
        html, mimetype = message.alternatives[0]
        assert mimetype == "text/html"
        for name, text in self.texts.items():
            if escape(text) != text:
                assert text not in html, name
        for name in shown:
            assert escape(self.texts[name]) in html, name
            assert self.texts[name] in message.body, name  # plain text: as typed
        assert runnable(html) == []
        assert "<script" not in html.lower()
        for part in (message.body, message.subject):
            assert not HTML_ESCAPES.search(part), part
        assert "\n" not in message.subject and "\r" not in message.subject
        if "{{7*7}}" in self.payload and shown:
            assert "{{7*7}}" in html and "{{7*7}}" in message.body


@pytest.fixture(params=list(PAYLOADS.values()), ids=list(PAYLOADS))
def payload(request) -> str:
    return request.param


@pytest.fixture
def world(db, payload) -> World:
    texts = {
        "official name": fit(f"李{payload}", 50),
        "staff name": fit(f"王{payload}", 50),
        "leader name": fit(f"赵{payload}", 50),
        "department": fit(f"西市区{payload}局", 100),
        "enterprise": f"营口{payload}有限公司",
        "due": f"明天到期{payload}",
        "intake": f"新收诉求{payload}",
        "untriaged": f"未分办{payload}",
        "overdue": f"已超期{payload}",
        "escalated": f"超期十日{payload}",
    }
    department = DepartmentFactory(name=texts["department"])
    return World(
        payload,
        OfficialFactory(
            department=department,
            is_liaison=True,
            user__full_name=texts["official name"],
        ).user,
        StaffFactory(full_name=texts["staff name"]),
        LeaderFactory(user__full_name=texts["leader name"]).user,
        department,
        EnterpriseFactory(name=texts["enterprise"]),
        texts,
    )


def run(step: str, day: date, capture) -> None:
    with capture(execute=True):
        assert review.run_step(step, on=day)


def test_the_due_reminder_to_the_department(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    due = world.petition(
        "due", dispatched, world.staff, world.department, due_on=TUESDAY
    )

    run("daily", MONDAY, django_capture_on_commit_callbacks)

    (reminder,) = mails_to(mailoutbox, world.official)
    assert due.number in reminder.body
    world.assert_safe(reminder, "official name", "due")


def test_the_daily_study_notice_to_staff(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    world.petition("intake", received, FRIDAY, 10)
    world.petition("untriaged", received, THURSDAY, 10)
    world.petition("overdue", dispatched, world.staff, world.department, due_on=FRIDAY)

    run("daily", MONDAY, django_capture_on_commit_callbacks)

    (notice,) = mails_to(mailoutbox, world.staff)
    world.assert_safe(
        notice,
        "staff name",
        "intake",
        "enterprise",
        "untriaged",
        "overdue",
        "department",
    )


def test_the_quarter_warning_notice(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    world.petition(
        "overdue", dispatched, world.staff, world.department, due_on=date(2026, 3, 16)
    )

    run("daily", WARNING_DAY, django_capture_on_commit_callbacks)

    # The day's study (the petition is overdue there) and the warning (still to clear).
    notices = mails_to(mailoutbox, world.staff)
    assert len({m.subject for m in notices}) == len(notices) == 2
    for notice in notices:
        world.assert_safe(notice, "staff name", "overdue", "department")


@pytest.mark.parametrize(
    ("step", "day"), [("weekly", WEEK), ("quarterly", QUARTER_START)]
)
def test_the_escalation_notice_to_staff_and_leaders(
    world, mailoutbox, django_capture_on_commit_callbacks, step, day
):
    world.petition(
        "escalated", dispatched, world.staff, world.department, due_on=FRIDAY, sign=True
    )

    run(step, day, django_capture_on_commit_callbacks)

    # The quarter's clear-to-zero also sends its figures (the departments by name).
    figures = [m for m in mailoutbox if "的数据" in m.subject]
    (to_staff,) = [m for m in mails_to(mailoutbox, world.staff) if m not in figures]
    to_leader = [
        m for m in mails_to(mailoutbox, world.leader) if m.subject == to_staff.subject
    ]
    assert len(to_leader) == 1
    world.assert_safe(to_staff, "staff name", "escalated", "department")
    world.assert_safe(to_leader[0], "leader name", "escalated", "department")
    for message in figures:
        world.assert_safe(message)
