"""The staff who handle petitions are told what needs them (issue 18, item 2).

A department's reply to review, a return with its basis, a petition registered from the
duty log, an unsatisfied rating and a district leader's 批示 each reach the staff ticked
in the admin as handling petitions (every active staff user with an e-mail while nobody
is ticked): one message per event, written in the step's own transaction, to each of
them but the one who did it. A handler who chose the daily digest gets none of those,
and instead, on each working-day morning, one message listing the events since the
start of the working day before, read back from the petitions' timelines.
"""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import ngettext
from django_celery_beat.models import PeriodicTask

from chamber.models import OutgoingMessage, User
from petitions import emails, services, tasks
from petitions.models import Petition, PetitionEvent
from tests.factories import (
    CategoryFactory,
    DepartmentFactory,
    DutyLogEntryFactory,
    LeaderFactory,
    MemberFactory,
    OfficialFactory,
    PetitionFactory,
    StaffFactory,
)
from tests.support.roles import user_change_form
from tests.support.words import zh

BEIJING = ZoneInfo("Asia/Shanghai")
# An ordinary March of 2026 (no holidays): Thursday 5 to Monday 9.
THURSDAY, FRIDAY, SATURDAY, SUNDAY, MONDAY, TUESDAY = (
    date(2026, 3, d) for d in (5, 6, 7, 8, 9, 10)
)
REPLY = "已协调供电公司，本周内完成增容。"
BASIS = "该事项属于区市场监管局职责，非本局职责"
COMPLAINT = "增容仍未完成，请继续跟进。"
INSTRUCTION = "请住建局本周内现场办公，限期解决供电问题。"


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=BEIJING)


@dataclass
class World:
    handler: User  # handles petitions, each event at once
    reader: User  # handles petitions, one digest a day
    bystander: User  # staff, not ticked: triages and answers here, told nothing
    official: User
    member: User
    leader: User

    def petition(self, title: str = "厂区供电容量不足") -> Petition:
        member = self.member.member
        return PetitionFactory(
            title=title, enterprise=member.enterprise, submitted_by=self.member
        )

    def signed(self, title: str = "厂区供电容量不足", *, on=THURSDAY) -> Petition:
        petition = services.accept_petition(
            petition=self.petition(title),
            actor=self.bystander,
            category=CategoryFactory(),
            priority="normal",
            handling="department",
            now=at(on, 8),
        )
        department = self.official.official.department
        petition = services.dispatch_petition(
            petition=petition,
            department=department,
            actor=self.bystander,
            now=at(on, 8),
        )
        return services.sign_petition(
            petition=petition, actor=self.official, now=at(on, 9)
        )

    def reply(self, petition: Petition, *, on=FRIDAY) -> Petition:
        return services.record_department_reply(
            petition=petition,
            actor=self.official,
            outcome="resolved",
            reply=REPLY,
            now=at(on),
        )

    def answered(self, *, on=THURSDAY) -> Petition:
        petition = self.reply(self.signed(on=on), on=on)
        return services.answer_petition(
            petition=petition, actor=self.bystander, answer="已办结。", now=at(on, 11)
        )

    def unsatisfied(self, petition: Petition, *, on=FRIDAY) -> Petition:
        return services.rate_petition(
            solved="solved",
            petition=petition,
            rating=Petition.Rating.UNSATISFIED,
            comment=COMPLAINT,
            actor=self.member,
            now=at(on, 12),
        )

    def instruct(self, petition: Petition, *, on=FRIDAY) -> PetitionEvent:
        return services.write_instruction(
            petition=petition, actor=self.leader, text=INSTRUCTION, now=at(on, 15)
        )


@pytest.fixture
def w(db) -> World:
    department = DepartmentFactory(name="西市区住房和城乡建设局")
    return World(
        handler=StaffFactory(full_name="王秘书", handles_petitions=True),
        reader=StaffFactory(
            full_name="周秘书", handles_petitions=True, petition_digest=True
        ),
        bystander=StaffFactory(full_name="孙干事"),
        official=OfficialFactory(department=department).user,
        member=MemberFactory(enterprise__name="营口甲机械制造有限公司").user,
        leader=LeaderFactory(user__full_name="赵副区长").user,
    )


def addresses(kind: str) -> list[str]:
    return sorted(
        OutgoingMessage.objects.filter(kind=kind).values_list("address", flat=True)
    )


def mail_to(mailoutbox, user: User) -> list:
    return [m for m in mailoutbox if m.to == [user.email]]


def staff_page(petition: Petition) -> str:
    return reverse("petitions:staff_detail", args=[petition.pk])


def from_duty_log(actor: User | None, *, on=FRIDAY) -> Petition:
    """A visitor's appeal registered as a petition by `actor` (the representative on
    duty when None)."""
    entry = DutyLogEntryFactory(
        enterprise=MemberFactory().enterprise,
        visitor_name="李厂长",
        appeal="厂区门前道路破损，大货车无法通行。",
    )
    return services.petition_from_duty_log(
        entry=entry,
        actor=actor or entry.shift.representative.user,
        title="厂区门前道路破损",
        description="希望协调修复厂区门前道路。",
        now=at(on),
    )


# --- each event, at once, to the handlers who want it so ------------------------------------


def _replied(w):
    petition = w.signed()
    w.reply(petition)
    return (
        petition,
        "petition-replied",
        "Petition %(number)s: a department's reply to review",
        REPLY,
    )


def _returned(w):
    petition = w.signed()
    services.return_petition(
        petition=petition, actor=w.official, basis=BASIS, now=at(FRIDAY)
    )
    return (
        petition,
        "petition-returned",
        "Petition %(number)s returned by %(department)s",
        BASIS,
    )


def _unsatisfied(w):
    petition = w.answered()
    w.unsatisfied(petition)
    return (
        petition,
        "petition-unsatisfied",
        "Petition %(number)s: the answer was rated unsatisfied",
        COMPLAINT,
    )


def _instructed(w):
    petition = w.signed()
    w.instruct(petition)
    return (
        petition,
        "petition-instruction-to-staff",
        "A district leader's instruction on petition %(number)s",
        INSTRUCTION,
    )


def _registered(w):
    petition = from_duty_log(None)
    return (
        petition,
        "petition-from-duty-log",
        "Petition %(number)s registered from the duty log",
        "李厂长",
    )


@pytest.mark.parametrize(
    "event",
    [_replied, _returned, _unsatisfied, _instructed, _registered],
    ids=["replied", "returned", "unsatisfied", "instruction", "duty-log"],
)
def test_each_event_reaches_each_handler_once_and_nobody_else_among_the_staff(
    w, event, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        petition, kind, subject, shown = event(w)

    assert addresses(kind) == [w.handler.email]
    expected = zh(subject) % {
        "number": petition.number,
        "department": "西市区住房和城乡建设局",
    }
    (message,) = [m for m in mail_to(mailoutbox, w.handler) if m.subject == expected]
    if kind != "petition-from-duty-log":
        assert shown in message.body
    assert staff_page(petition) in message.body
    # The digest reader waits for tomorrow's digest; staff not ticked hear nothing.
    assert mail_to(mailoutbox, w.reader) == []
    assert mail_to(mailoutbox, w.bystander) == []


def test_the_message_names_who_did_it_in_the_readers_language(
    w, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        petition, *_rest = _returned(w)

    (message,) = mail_to(mailoutbox, w.handler)
    assert (
        zh(
            '%(department)s has returned petition %(number)s "%(title)s" of '
            "%(enterprise)s as not its duty, on this basis:"
        )
        % {
            "department": "西市区住房和城乡建设局",
            "number": petition.number,
            "title": petition.title,
            "enterprise": "营口甲机械制造有限公司",
        }
        in message.body
    )
    html = message.alternatives[0][0]
    assert escape(BASIS) in html


def test_while_nobody_is_ticked_every_active_staff_user_with_an_email_is_told(db):
    department = DepartmentFactory()
    official = OfficialFactory(department=department).user
    staff = StaffFactory()
    StaffFactory(email="")  # no address
    StaffFactory(is_active=False)
    petition = PetitionFactory()
    services.accept_petition(
        petition=petition,
        actor=staff,
        category=CategoryFactory(),
        priority="normal",
        handling="department",
    )
    services.dispatch_petition(petition=petition, department=department, actor=staff)
    services.sign_petition(petition=petition, actor=official)

    services.return_petition(petition=petition, actor=official, basis=BASIS)

    assert addresses("petition-returned") == [staff.email]


def test_the_handler_who_did_it_is_not_told(w):
    other = StaffFactory(handles_petitions=True)

    from_duty_log(w.handler)  # staff may register a duty-log appeal themselves

    assert addresses("petition-from-duty-log") == [other.email]


def test_a_notice_is_written_once_per_event_and_handler(w):
    petition = w.reply(w.signed())
    event = petition.events.get(kind=PetitionEvent.Kind.DEPARTMENT_REPLY)

    emails.department_replied(event.pk)  # the step again, or a retried task

    assert addresses("petition-replied") == [w.handler.email]
    # A second reply (after staff sent the first back) is another event, told again.
    services.send_back_reply(petition=petition, actor=w.bystander, note="请补充时限。")
    w.reply(petition, on=MONDAY)
    assert addresses("petition-replied") == [w.handler.email] * 2


def _reply_queries(w) -> int:
    petition = w.signed()
    with CaptureQueriesContext(connection) as captured:
        w.reply(petition)
    return len(captured)


def test_telling_more_handlers_costs_no_more_queries(w):
    few = _reply_queries(w)
    for _ in range(4):
        StaffFactory(handles_petitions=True)

    many = _reply_queries(w)

    assert OutgoingMessage.objects.filter(kind="petition-replied").count() == 1 + 5
    assert many == few


# --- the daily digest -----------------------------------------------------------------------


def week_of_events(w) -> dict[str, Petition]:
    """Thursday's reply (before the window), Friday's reply, Saturday's unsatisfied
    rating, Sunday's instruction, and Monday's return (after it)."""
    rated = w.answered(on=THURSDAY)
    replied = w.reply(w.signed("道路积水"), on=FRIDAY)
    w.unsatisfied(rated, on=SATURDAY)
    w.instruct(replied, on=SUNDAY)
    returned = w.signed("审批超时")
    services.return_petition(
        petition=returned, actor=w.official, basis=BASIS, now=at(MONDAY, 8)
    )
    return {"rated": rated, "replied": replied, "returned": returned}


def digest_subject(first: date, last: date, n: int) -> str:
    with translation.override("zh-hans"):
        return ngettext(
            "Petitions from %(first)s to %(last)s: %(counter)s event",
            "Petitions from %(first)s to %(last)s: %(counter)s events",
            n,
        ) % {"first": f"{first:%Y-%m-%d}", "last": f"{last:%Y-%m-%d}", "counter": n}


def test_mondays_digest_lists_fridays_and_the_weekends_events_to_whoever_chose_it(
    w, mailoutbox, django_capture_on_commit_callbacks
):
    petitions = week_of_events(w)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        tasks.send_staff_digests(MONDAY.isoformat())

    (message,) = mailoutbox
    assert message.to == [w.reader.email]
    assert message.subject == digest_subject(FRIDAY, SUNDAY, 3)
    body = message.body
    lines = [
        f"03-06 10:00 {petitions['replied'].number} 道路积水",
        f"西市区住房和城乡建设局 {zh('replied; review the reply')}",
        f"03-07 12:00 {petitions['rated'].number} 厂区供电容量不足",
        f"营口甲机械制造有限公司 {zh('rated the answer unsatisfied')}",
        f"03-08 15:00 {petitions['replied'].number} 道路积水",
        f"赵副区长 {zh('wrote an instruction')}",
    ]
    positions = [body.index(line) for line in lines]
    assert positions == sorted(positions)
    assert COMPLAINT in body and INSTRUCTION in body
    assert staff_page(petitions["rated"]) in body
    # Thursday's reply was in Friday's digest; Monday's return will be in Tuesday's.
    assert petitions["returned"].number not in body
    assert body.count(petitions["rated"].number) == 1


def test_the_digest_goes_once_a_day(w, mailoutbox, django_capture_on_commit_callbacks):
    week_of_events(w)

    with django_capture_on_commit_callbacks(execute=True):
        first = emails.staff_digest(MONDAY)
        again = emails.staff_digest(MONDAY)

    assert len(first) == 1 and again == []
    assert addresses("petition-staff-digest") == [w.reader.email]
    # Tuesday's holds Monday's return.
    (tuesday,) = emails.staff_digest(TUESDAY)
    assert "审批超时" in tuesday.body_text


def test_no_digest_on_a_day_off_or_with_nothing_to_read(w):
    w.reply(w.signed(), on=FRIDAY)

    assert emails.staff_digest(SATURDAY) == []  # a day off
    assert emails.staff_digest(FRIDAY) == []  # nothing on Thursday but the triage
    assert not OutgoingMessage.objects.filter(kind="petition-staff-digest").exists()


def test_the_digest_leaves_out_the_readers_own_doings(w):
    from_duty_log(w.reader, on=FRIDAY)

    assert emails.staff_digest(MONDAY) == []
    # At once, the others heard of it.
    assert addresses("petition-from-duty-log") == [w.handler.email]


def test_beat_runs_the_digest_every_morning(db):
    task = PeriodicTask.objects.get(task="petitions.tasks.send_staff_digests")

    assert task.enabled
    assert (task.crontab.hour, task.crontab.day_of_week) == ("8", "*")
    assert str(task.crontab.timezone) == "Asia/Shanghai"


# --- the admin ------------------------------------------------------------------------------


def test_staff_choose_the_handlers_and_their_digest_in_the_admin(client, w):
    client.force_login(w.bystander)
    url = reverse("admin:chamber_user_change", args=[w.bystander.pk])

    with translation.override("zh-hans"):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        response = client.post(
            url,
            user_change_form(w.bystander, handles_petitions="on", petition_digest="on"),
        )

    assert escape(zh("handles petitions")) in page.content.decode()
    assert response.status_code == 302
    w.bystander.refresh_from_db()
    assert (w.bystander.handles_petitions, w.bystander.petition_digest) == (
        True,
        True,
    )
    # Now a digest reader, not told at once.
    w.reply(w.signed())
    assert addresses("petition-replied") == [w.handler.email]
