"""Script payloads typed into a petition never reach a reader in a form that runs (IN-1).

Each text is typed where its author types it: the member's submit page (title and
description), the staff's entry page for a phone call (contact name and phone), the
department's return, progress and reply actions (basis, progress note,
reply, follow-up plan), the staff actions (triage and dispatch notes, public note,
answer, reject reason) and the member's rating (comment). Names have no member form:
the enterprise's name and the people's full names and positions come from the factories.
Last quarter's petition, which the clearance escalates, is written through the services,
since a form cannot date it back.

Every place that shows them is then read as a browser, a spreadsheet or a mail reader
reads it: the member's list and page, the rating link's page, the department's queue
and page, the triage board, the staff list (its search and its Excel export), the staff
page, the reports and escalations, the staff dashboard, the member directory, the admin
petition list and change page and its user and member lists, the petition e-mails (HTML
and text) and the department and leader digests. The raw payload is absent, the escaped
text is there, template syntax is shown as typed, `<script` is only ours, and nothing
runs (tests.support.xss.runnable). Plain text (mail bodies, subjects, Excel
cells) carries the text as typed, never HTML-escaped.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from io import BytesIO

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from openpyxl import load_workbook

from chamber.models import Official, User
from members.models import Member
from petitions import review, services
from petitions.models import Petition
from publicity import digests
from publicity.models import DigestDelivery
from tests.factories import (
    CategoryFactory,
    DepartmentFactory,
    EnterpriseFactory,
    LeaderFactory,
    MemberFactory,
    OfficialFactory,
    StaffFactory,
)
from tests.support.db import kept_for_the_module, on_commit_now
from tests.support.downloads import fetch
from tests.support.mail import assert_sent_through_the_outbox
from tests.support.pages import as_user
from tests.support.smtp import rendered
from tests.support.xss import (
    ADMIN_JSI18N,
    ADMIN_SVG,
    OUR_SCRIPT,
    PAYLOADS,
    fit,
    runnable,
)

# Every page with every payload, whatever the database: CI's embedded lane runs it.
pytestmark = pytest.mark.sweep(lane="embedded")

S = Petition.Status


def get(client: Client, url: str, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, url
    return response.content.decode()


def post(client: Client, url: str, data: dict) -> None:
    response = client.post(url, data, follow=True)
    assert response.status_code == 200, url
    errors = re.findall(
        r'class="[^"]*invalid-feedback[^"]*"', response.content.decode()
    )
    assert not errors, url


@dataclass
class World:
    payload: str
    petition: Petition  # answered, rated unsatisfied, back with the department
    rejected: Petition  # returned by the department, then rejected
    waiting: Petition  # entered by staff from a phone call, on the triage board
    old: Petition  # last quarter's, escalated by the clearance
    member: Member
    official: Official
    staff: User
    leader: Official
    texts: dict[str, str] = field(default_factory=dict)
    mails: list = field(default_factory=list)

    def assert_safe(self, page: str, *shown: str) -> None:
        """No text as typed when it has HTML in it, each shown text escaped, nothing runs.

        Texts are compared line by line: pages break lines with <br>.
        """
        for name, text in self.texts.items():
            for line in text.splitlines():
                if escape(line) != line:
                    assert line not in page, name
        for name in shown:
            for line in self.texts[name].splitlines():
                assert escape(line) in page, name
        # The admin's own icons (base.html, color_theme_toggle.html) are inline SVG and
        # its change page loads the catalogue from /admin/jsi18n/: Django's, not typed.
        found = runnable(page)
        assert found.count("<svg>") == len(ADMIN_SVG.findall(page))
        assert found.count("<script> not of ours") == page.count(ADMIN_JSI18N)
        assert [f for f in found if f not in ("<svg>", "<script> not of ours")] == []
        for tag in re.findall(r"<script\b[^>]*>", page, flags=re.IGNORECASE):
            assert OUR_SCRIPT.match(tag) or tag == ADMIN_JSI18N, tag
        if "{{7*7}}" in self.payload and shown:
            assert "{{7*7}}" in page


def _previous_quarter_moment() -> datetime:
    first, _last = review.quarter_bounds(
        review.quarter_bounds(timezone.localdate())[0] - timedelta(days=1)
    )
    return timezone.make_aware(datetime.combine(first + timedelta(days=20), time(10)))


@pytest.fixture(scope="module", params=list(PAYLOADS.values()), ids=list(PAYLOADS))
def payload(request) -> str:
    return request.param


@pytest.fixture(autouse=True, scope="module")
def _media(tmp_path_factory):
    """Uploads go to a folder of this module."""
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


@pytest.fixture(scope="module")
def payload_world(payload, django_db_setup, django_db_blocker) -> World:
    """One world per payload, read by every test of the module (each in a savepoint)."""
    with kept_for_the_module(django_db_blocker):
        del mail.outbox[:]
        world = _build_world(payload)
        assert_sent_through_the_outbox(mail.outbox)
        yield world


@pytest.fixture
def world(db, payload_world) -> World:
    return payload_world


def _build_world(payload: str) -> World:
    texts = {
        "enterprise": f"营口{payload}有限公司",
        "member name": fit(f"张{payload}", 50),
        "member position": fit(f"总经理{payload}", 50),
        "official name": fit(f"李{payload}", 50),
        "official position": fit(f"科长{payload}", 50),
        "staff name": fit(f"王{payload}", 50),
        "department": fit(f"西市区{payload}局", 100),
        "category": fit(f"类别{payload}", 30),
        "title": f"厂区供电{payload}",
        "description": f"申请增容{payload}\n第二行{payload}",
        "triage note": f"归口{payload}",
        "dispatch note": f"请尽快{payload}",
        "progress": f"已现场查看{payload}",
        "reply": f"已协调{payload}",
        "plan": f"下月完成{payload}",
        "public note": f"已电话联系{payload}",
        "answer": f"经协调{payload}",
        "comment": f"仍未完成{payload}",
        "second title": f"办证进度{payload}",
        "basis": f"不属本局职责{payload}",
        "reason": f"属于司法程序{payload}",
        "waiting title": f"待分办{payload}",
        "contact": fit(f"赵{payload}", 50),
        "phone": fit(payload, 30),
        "old title": f"上季度诉求{payload}",
    }
    category = CategoryFactory(name=texts["category"])
    enterprise = EnterpriseFactory(name=texts["enterprise"])
    member = MemberFactory(
        enterprise=enterprise,
        user__full_name=texts["member name"],
        position=texts["member position"],
    )
    official = OfficialFactory(
        department=DepartmentFactory(name=texts["department"]),
        user__full_name=texts["official name"],
        position=texts["official position"],
    )
    staff = StaffFactory(full_name=texts["staff name"])
    leader = LeaderFactory()
    alice, li, wang = as_user(member.user), as_user(official.user), as_user(staff)

    def submit(title: str) -> Petition:
        post(
            alice,
            reverse("petitions:submit"),
            {
                "title": title,
                "description": texts["description"],
                "contact_name": "王会计",
                "contact_phone": "0417-2800001",
                # the same description again: filed, not shown the similar ones first
                "anyway": "1",
            },
        )
        return Petition.objects.get(title=title)

    def staff_act(petition: Petition, action: str, data: dict) -> None:
        post(wang, reverse("petitions:staff_action", args=[petition.pk, action]), data)

    def department_act(petition: Petition, action: str, data: dict) -> None:
        post(
            li,
            reverse("petitions:department_action", args=[petition.pk, action]),
            data,
        )

    def triage_and_dispatch(petition: Petition) -> None:
        staff_act(
            petition,
            "accept",
            {
                "category": category.pk,
                "priority": "normal",
                "handling": "department",
                "note": texts["triage note"],
            },
        )
        staff_act(
            petition,
            "dispatch",
            {"department": official.department.pk, "note": texts["dispatch note"]},
        )

    with on_commit_now():
        petition = submit(texts["title"])
        triage_and_dispatch(petition)
        department_act(petition, "sign", {})
        department_act(petition, "progress", {"note": texts["progress"]})
        department_act(
            petition,
            "reply",
            {
                "outcome": "partly",
                "reply": texts["reply"],
                "follow_up_plan": texts["plan"],
            },
        )
        staff_act(petition, "note", {"note": texts["public note"], "public": "on"})
        staff_act(petition, "answer", {"answer": texts["answer"]})
        post(
            alice,
            reverse("petitions:rate", args=[petition.pk]),
            {"solved": "solved", "rating": "unsatisfied", "comment": texts["comment"]},
        )

        rejected = submit(texts["second title"])
        triage_and_dispatch(rejected)
        department_act(rejected, "return", {"basis": texts["basis"]})
        staff_act(rejected, "reject", {"reason": texts["reason"]})

        post(
            wang,
            reverse("petitions:staff_new"),
            {
                "channel": Petition.Channel.PHONE,
                "enterprise": enterprise.pk,
                "contact_name": texts["contact"],
                "contact_phone": "0417-2800001",
                "title": texts["waiting title"],
                "description": texts["description"],
            },
        )
        # The phone form checks a number; a stored one that is not (carried over from
        # a duty-log entry or an older import) must still be escaped wherever it shows.
        Petition.objects.filter(title=texts["waiting title"]).update(
            contact_phone=texts["phone"]
        )
        waiting = Petition.objects.get(title=texts["waiting title"])

    then = _previous_quarter_moment()
    old = services.submit_petition(
        enterprise=enterprise,
        title=texts["old title"],
        description=texts["description"],
        channel="online",
        submitted_by=member.user,
        category=category,
        now=then,
    )
    services.accept_petition(
        petition=old,
        actor=staff,
        category=category,
        priority="normal",
        handling="department",
        now=then,
    )
    services.dispatch_petition(
        petition=old, department=official.department, actor=staff, now=then
    )
    run = review.run_quarterly_clearance(on=timezone.localdate())
    assert run.report["uncleared"] == [old.pk]

    petition.refresh_from_db()
    rejected.refresh_from_db()
    assert (petition.status, petition.rating_comment) == (
        S.IN_PROGRESS,
        texts["comment"],
    )
    assert (rejected.status, rejected.answer) == (S.REJECTED, texts["reason"])
    assert petition.title == texts["title"] and petition.answer == texts["answer"]
    return World(
        payload,
        petition,
        rejected,
        waiting,
        old,
        member,
        official,
        staff,
        leader,
        texts,
        list(mail.outbox),
    )


# --- the member's pages ---------------------------------------------------------------------


def test_the_members_list(world):
    page = get(as_user(world.member.user), reverse("petitions:mine"))

    world.assert_safe(page, "title", "second title", "waiting title", "old title")


def test_the_members_petition_page(world):
    page = get(as_user(world.member.user), world.petition.get_absolute_url())

    world.assert_safe(
        page,
        "member name",
        "department",
        "category",
        "title",
        "description",
        "progress",
        "plan",
        "public note",
        "answer",
        "comment",
    )
    # The department's reply is for the chamber; the enterprise reads the answer.
    assert escape(world.texts["reply"]) not in page


def test_the_members_page_of_the_rejected_petition(world):
    page = get(as_user(world.member.user), world.rejected.get_absolute_url())

    world.assert_safe(page, "second title", "description", "reason")


# --- the department's pages -------------------------------------------------------------------


def test_the_department_queue(world):
    page = get(as_user(world.official.user), reverse("petitions:department_queue"))

    world.assert_safe(page, "title", "enterprise")


def test_the_department_petition_page(world):
    page = get(
        as_user(world.official.user),
        reverse("petitions:department_detail", args=[world.petition.pk]),
    )

    world.assert_safe(
        page,
        "title",
        "description",
        "enterprise",
        "dispatch note",
        "progress",
        "reply",
        "answer",
        "comment",
    )


# --- the staff's pages ----------------------------------------------------------------------


def test_the_triage_board(world):
    page = get(as_user(world.staff), reverse("petitions:triage"))

    world.assert_safe(page, "waiting title", "enterprise")


def test_the_staff_list_and_its_search(world):
    client = as_user(world.staff)
    page = get(client, reverse("petitions:staff_list"))
    searched = get(client, reverse("petitions:staff_list"), q=world.payload[:100])

    world.assert_safe(
        page, "title", "second title", "waiting title", "old title", "enterprise"
    )
    world.assert_safe(searched)


def test_the_staff_list_export_has_the_texts_as_plain_text(world):
    response = fetch(
        as_user(world.staff), reverse("petitions:staff_list"), {"format": "xlsx"}
    )

    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    values = [
        cell.value
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    ]
    for name in ("title", "second title", "waiting title", "old title", "enterprise"):
        assert world.texts[name] in values, name
    assert not [v for v in values if "&lt;" in v or "&quot;" in v or "&#x27;" in v]


def test_the_staff_petition_page(world):
    page = get(
        as_user(world.staff),
        reverse("petitions:staff_detail", args=[world.petition.pk]),
    )

    world.assert_safe(
        page,
        "title",
        "description",
        "enterprise",
        "triage note",
        "dispatch note",
        "progress",
        "reply",
        "plan",
        "public note",
        "answer",
        "comment",
        "official name",
    )


def test_the_staff_page_of_the_rejected_petition(world):
    page = get(
        as_user(world.staff),
        reverse("petitions:staff_detail", args=[world.rejected.pk]),
    )

    world.assert_safe(page, "second title", "basis", "reason")


def test_the_reports_and_the_escalations(world):
    client = as_user(world.staff)
    run = review.run_quarterly_clearance(on=timezone.localdate())
    reports = get(client, reverse("petitions:reports"))
    report = get(client, reverse("petitions:report", args=[run.pk]))
    escalations = get(client, reverse("petitions:escalations"))
    leaders = get(as_user(world.leader.user), reverse("petitions:escalations"))

    world.assert_safe(reports)
    world.assert_safe(report, "old title", "enterprise")
    world.assert_safe(escalations, "old title", "enterprise")
    world.assert_safe(leaders, "old title")


def test_the_staff_dashboard(world):
    world.assert_safe(get(as_user(world.staff), reverse("staff_dashboard")))


def test_the_staff_page_of_a_phone_petition(world):
    page = get(
        as_user(world.staff),
        reverse("petitions:staff_detail", args=[world.waiting.pk]),
    )

    world.assert_safe(page, "waiting title", "description", "contact", "phone")
    assert f'href="tel:{escape(world.texts["phone"].replace(" ", ""))}"' in page


def test_the_rating_link_page_of_a_new_answer(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    """The department replies again and staff answer again: the e-mail's link opens the
    answer to rate, without logging in."""
    before = len(mailoutbox)
    with django_capture_on_commit_callbacks(execute=True):
        post(
            as_user(world.official.user),
            reverse("petitions:department_action", args=[world.petition.pk, "reply"]),
            {"outcome": "resolved", "reply": world.texts["reply"]},
        )
        post(
            as_user(world.staff),
            reverse("petitions:staff_action", args=[world.petition.pk, "answer"]),
            {"answer": world.texts["answer"]},
        )
    (message,) = [m for m in mailoutbox[before:] if m.to == [world.member.user.email]]
    found = re.search(r"https?://\S+?(/petitions/rate/\S+?/)(?=\s|$)", message.body)
    assert found, message.body

    page = get(Client(), found.group(1))

    world.assert_safe(page, "enterprise", "title", "answer")
    _assert_mail_safe(world, message, "member name", "title", "answer")


# --- the people's names ---------------------------------------------------------------------


def test_the_directory_shows_names_and_positions_escaped(world):
    reader = as_user(MemberFactory().user)
    listed = get(reader, reverse("members:directory"))
    found = get(reader, reverse("members:directory"), q="营口")
    detail = get(reader, reverse("members:detail", args=[world.member.pk]))

    for page in (listed, found):
        world.assert_safe(page, "member name", "enterprise")
    world.assert_safe(detail, "member name", "member position", "enterprise")


# --- the admin ------------------------------------------------------------------------------


def test_the_admin_list_and_change_page(world):
    superuser = as_user(
        StaffFactory(username="root", is_superuser=True, full_name="管理员")
    )
    listed = get(superuser, reverse("admin:petitions_petition_changelist"))
    searched = get(
        superuser, reverse("admin:petitions_petition_changelist"), q="厂区供电"
    )
    change = get(
        superuser,
        reverse("admin:petitions_petition_change", args=[world.petition.pk]),
    )

    world.assert_safe(listed, "title", "second title", "waiting title", "old title")
    world.assert_safe(searched, "title")
    world.assert_safe(
        change,
        "title",
        "description",
        "reply",
        "plan",
        "answer",
        "comment",
        "progress",
        "public note",
        "triage note",
    )


def test_the_admin_people_lists_and_member_page(world):
    superuser = as_user(StaffFactory(username="root", is_superuser=True))
    users = get(superuser, reverse("admin:chamber_user_changelist"))
    members = get(superuser, reverse("admin:members_member_changelist"))
    member = get(
        superuser, reverse("admin:members_member_change", args=[world.member.pk])
    )

    world.assert_safe(users, "member name", "official name", "staff name")
    world.assert_safe(members, "member name", "enterprise")
    world.assert_safe(member, "member position")


# --- the e-mails ----------------------------------------------------------------------------


def _assert_mail_safe(world: World, message, *shown: str) -> None:
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    world.assert_safe(html, *shown)
    for name in shown:
        assert world.texts[name] in message.body, name  # plain text: as typed
    # Plain text and the subject are shown as text: never with HTML escapes in them.
    for part in (message.body, message.subject):
        assert not re.search(r"&(?:lt|gt|quot|amp|#x?[0-9a-f]+);", part), part


def test_the_dispatched_email_to_the_department(world):
    sent = [m for m in world.mails if m.to == [world.official.user.email]]

    titled = [m for m in sent if world.texts["title"] in m.body]
    assert titled, [m.subject for m in sent]
    for message in sent:
        _assert_mail_safe(world, message, "official name")
    _assert_mail_safe(world, titled[0], "official name", "title")


def test_the_answered_email_to_the_member(world):
    sent = [m for m in world.mails if m.to == [world.member.user.email]]

    answered = [m for m in sent if world.texts["answer"] in m.body]
    assert answered, [m.subject for m in sent]
    for message in sent:
        _assert_mail_safe(world, message, "member name")
    _assert_mail_safe(world, answered[0], "member name", "title", "answer")


def test_every_email_the_workflow_sent(world):
    assert world.mails
    for message in world.mails:
        _assert_mail_safe(world, message)


def test_the_department_and_leader_digests(world):
    now = timezone.now()
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    department = rendered(
        digests.build_message(
            DigestDelivery.objects.create(
                official=world.official,
                week_start=monday,
                kind=DigestDelivery.Kind.DEPARTMENT,
            ),
            now=now,
        ),
        world.official.user,
    )
    leader = rendered(
        digests.build_message(
            DigestDelivery.objects.create(
                official=world.leader,
                week_start=monday,
                kind=DigestDelivery.Kind.LEADER,
            ),
            now=now,
        ),
        world.leader.user,
    )

    assert department is not None and leader is not None
    _assert_mail_safe(world, department, "official name", "old title", "enterprise")
    _assert_mail_safe(world, leader, "old title", "department")
