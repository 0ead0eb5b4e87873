"""A district leader's instruction (批示) on an escalated petition (issue 18, item 5).

Only a leader writes one; it is an event on the petition's timeline that staff and the
department read, while the enterprise reads only that district leaders are following
its petition (unless the leader showed it the text). It goes at once to the department's
officials through the outbox, in the same transaction; it is listed in the department's
weekly digest; the department's next reply must say how it was carried out, which
answers it; the escalations page shows 已批示 / 已落实.
"""

import re
from datetime import date, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import pgettext

from chamber.models import OutgoingMessage
from petitions import services
from petitions.models import Escalation, Petition, PetitionEvent, ReviewRun
from publicity import digests
from publicity.models import DigestDelivery
from tests.factories import (
    MemberFactory,
    OfficialFactory,
    PetitionFactory,
)
from tests.support.department_pages import action_url, detail_url, get, post, signed
from tests.support.pages import shows, text
from tests.support.smtp import rendered
from tests.support.words import zh

S = Petition.Status
INSTRUCTION = "请住建局本周内现场办公，限期解决供电问题。"
ANSWER = "已于周三现场办公，供电公司承诺月底前完成增容。"


def escalate(petition: Petition, *, on: date | None = None) -> Escalation:
    """Put the petition before the leaders, as the weekly dispatch does."""
    on = on or timezone.localdate()
    monday = on - timedelta(days=on.weekday())
    run, _created = ReviewRun.objects.get_or_create(
        kind=ReviewRun.Kind.WEEKLY,
        period_start=monday,
        defaults={"period_end": monday + timedelta(days=6)},
    )
    return Escalation.objects.create(
        petition=petition,
        run=run,
        reason=Escalation.Reason.OVERDUE,
        period_start=on,
        department=petition.department,
        overdue_working_days=11,
    )


def instruct_url(petition: Petition) -> str:
    return reverse("petitions:instruct", args=[petition.pk])


def leader_url(petition: Petition) -> str:
    return reverse("petitions:leader_detail", args=[petition.pk])


def instructed() -> str:
    with translation.override("zh-hans"):
        return pgettext("leader's instruction", "instructed")


def carried_out() -> str:
    with translation.override("zh-hans"):
        return pgettext("leader's instruction", "carried out")


@pytest.fixture
def case(staff, official):
    """A petition in progress at the official's department, escalated to the leaders."""
    petition = signed(staff, official, "厂区供电容量不足")
    escalate(petition)
    return petition


def write(petition, leader, *, for_enterprise: bool = False) -> PetitionEvent:
    return services.write_instruction(
        petition=petition,
        actor=leader.user,
        text=INSTRUCTION,
        for_enterprise=for_enterprise,
    )


# --- who may write one ----------------------------------------------------------------------


def test_a_leader_writes_an_instruction_and_reads_it_on_the_petitions_page(
    client, case, leader
):
    client.force_login(leader.user)
    page = get(client, leader_url(case))
    assert instruct_url(case) in text(page)  # the form, on the leader's page

    response = post(client, instruct_url(case), {"text": INSTRUCTION}, follow=True)

    assert response.redirect_chain[-1][0] == leader_url(case)
    event = case.events.get(kind=PetitionEvent.Kind.INSTRUCTION)
    assert (event.note, event.actor, event.is_public) == (
        INSTRUCTION,
        leader.user,
        False,
    )
    assert shows(
        response,
        zh("The instruction was sent to %(department)s.")
        % {"department": case.department.name},
    )
    assert INSTRUCTION in text(response)
    assert instructed() in text(response)


@pytest.mark.parametrize("who", ["official", "staff", "alice", "rep"])
def test_officials_staff_and_members_cannot_write_an_instruction(
    request, client, case, who
):
    persona = request.getfixturevalue(who)
    client.force_login(getattr(persona, "user", persona))

    response = post(client, instruct_url(case), {"text": INSTRUCTION})

    assert response.status_code == 403
    assert not PetitionEvent.objects.instructions().exists()
    assert not OutgoingMessage.objects.filter(kind="petition-instruction").exists()


def test_an_anonymous_visitor_is_sent_to_log_in(client, case):
    response = post(client, instruct_url(case), {"text": INSTRUCTION})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not PetitionEvent.objects.instructions().exists()


def test_staff_read_the_leaders_page_without_the_instruction_form(client, case, staff):
    client.force_login(staff)

    page = get(client, leader_url(case))

    assert page.status_code == 200
    assert instruct_url(case) not in text(page)


def test_a_leader_cannot_instruct_on_a_petition_that_was_not_escalated(
    client, staff, official, leader
):
    petition = signed(staff, official)
    client.force_login(leader.user)

    assert (
        post(client, instruct_url(petition), {"text": INSTRUCTION}).status_code == 404
    )
    assert not PetitionEvent.objects.instructions().exists()


def test_the_service_refuses_anyone_but_a_leader(case, official, staff):
    for actor in (official.user, staff):
        with pytest.raises(services.PetitionError):
            services.write_instruction(petition=case, actor=actor, text=INSTRUCTION)
    assert not PetitionEvent.objects.instructions().exists()


def test_an_ended_petition_takes_no_instruction_and_shows_no_form(
    client, staff, official, leader
):
    petition = signed(staff, official)
    services.record_department_reply(
        petition=petition, actor=official.user, outcome="resolved", reply="已办结。"
    )
    services.answer_petition(petition=petition, actor=staff, answer="已办结。")
    services.rate_petition(
        solved="solved", petition=petition, rating="satisfied", actor=None
    )
    escalate(petition)
    client.force_login(leader.user)

    assert instruct_url(petition) not in text(get(client, leader_url(petition)))
    response = post(client, instruct_url(petition), {"text": INSTRUCTION})

    assert shows(
        response,
        zh("This petition has ended; an instruction can no longer be followed."),
    )
    assert not PetitionEvent.objects.instructions().exists()


# --- bad input ----------------------------------------------------------------------------


def test_an_empty_instruction_is_refused_in_chinese(client, case, leader):
    client.force_login(leader.user)

    response = post(client, instruct_url(case), {"text": "  ", "for_enterprise": "on"})

    assert response.status_code == 200
    assert shows(response, zh("Write the instruction."))
    assert not PetitionEvent.objects.instructions().exists()


def test_a_too_long_instruction_is_refused_and_nothing_typed_is_lost(
    client, case, leader
):
    client.force_login(leader.user)
    typed = "请" * 2001

    response = post(client, instruct_url(case), {"text": typed})

    assert response.status_code == 200
    page = text(response)
    assert re.search(r"确保.*2000", page)  # Django's own message, in Chinese
    assert typed in page  # back in the text box
    assert not PetitionEvent.objects.instructions().exists()
    assert not OutgoingMessage.objects.filter(kind="petition-instruction").exists()


# --- who reads it -------------------------------------------------------------------------


def test_staff_and_the_department_read_the_instruction_on_the_timeline(
    client, case, leader, staff, official
):
    write(case, leader)

    client.force_login(staff)
    staff_page = text(get(client, reverse("petitions:staff_detail", args=[case.pk])))
    client.force_login(official.user)
    department_page = text(get(client, detail_url(case)))

    for page in (staff_page, department_page):
        assert INSTRUCTION in page
        assert zh("district leader's instruction") in page
        assert leader.user.full_name in page


def test_the_enterprise_sees_that_leaders_follow_it_but_not_the_text(
    client, case, leader
):
    write(case, leader)
    member = MemberFactory(enterprise=case.enterprise)
    client.force_login(member.user)

    page = text(get(client, case.get_absolute_url()))

    assert escape(zh("District leaders are following this petition.")) in page
    assert INSTRUCTION not in page
    assert leader.user.full_name not in page


def test_an_instruction_shown_to_the_enterprise_is_on_its_timeline(
    client, case, leader
):
    write(case, leader, for_enterprise=True)
    member = MemberFactory(enterprise=case.enterprise)
    client.force_login(member.user)

    page = text(get(client, case.get_absolute_url()))

    assert INSTRUCTION in page
    assert zh("district leader") in page  # who wrote it, not their name
    assert leader.user.full_name not in page


# --- sent at once, in the same transaction --------------------------------------------------


def test_the_department_officials_get_one_message_each_in_the_same_transaction(
    case, leader, official
):
    department = case.department
    liaison = OfficialFactory(department=department, is_liaison=True)
    OfficialFactory(department=department, is_active=False)
    OfficialFactory()  # another department

    event = write(case, leader)

    messages = OutgoingMessage.objects.filter(kind="petition-instruction")
    assert sorted(m.user_id for m in messages) == sorted(
        [liaison.user_id, official.user_id]
    )
    message = messages.get(user=liaison.user)
    assert message.key == f"petition-instruction:{event.pk}:{liaison.user_id}"
    assert message.subject == zh(
        "A district leader's instruction on petition %(number)s"
    ) % {"number": case.number}
    assert INSTRUCTION in message.body_text
    assert INSTRUCTION in message.body_html
    assert reverse("petitions:department_detail", args=[case.pk]) in message.body_text


def test_an_instruction_rolled_back_leaves_no_message(case, leader):
    with pytest.raises(RuntimeError), transaction.atomic():
        write(case, leader)
        raise RuntimeError("the transaction fails after the instruction")

    assert not PetitionEvent.objects.instructions().exists()
    assert not OutgoingMessage.objects.filter(kind="petition-instruction").exists()


def test_an_instruction_on_a_petition_at_no_department_is_recorded_but_sent_to_nobody(
    client, leader
):
    petition = PetitionFactory()
    escalate(petition)
    client.force_login(leader.user)

    response = post(client, instruct_url(petition), {"text": INSTRUCTION}, follow=True)

    assert petition.events.instructions().count() == 1
    assert not OutgoingMessage.objects.filter(kind="petition-instruction").exists()
    assert shows(
        response,
        zh("The instruction was recorded; the chamber's staff will follow it up."),
    )


# --- the weekly digest --------------------------------------------------------------------


def _digest(official, week_start: date):
    delivery = DigestDelivery.objects.create(
        official=official, week_start=week_start, kind=DigestDelivery.Kind.DEPARTMENT
    )
    built = digests.build_message(delivery, now=timezone.now())
    return rendered(built, official.user)


def test_the_departments_weekly_digest_lists_its_open_instructions(
    case, leader, official
):
    write(case, leader)
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())

    mail = _digest(official, monday)

    html = mail.alternatives[0][0]
    for body in (mail.body, html):
        assert zh("District leaders' instructions") in body
        assert INSTRUCTION in body
        assert case.number in body
        assert leader.user.full_name in body


def test_a_department_with_only_an_open_instruction_still_gets_its_digest(
    staff, official, leader
):
    """Its reply is with the chamber, so nothing else waits for it this week."""
    petition = signed(staff, official)
    services.record_department_reply(
        petition=petition, actor=official.user, outcome="resolved", reply="已办结。"
    )
    escalate(petition)
    write(petition, leader)
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())

    digests.plan_weekly_digests(week_start=monday)

    message = OutgoingMessage.objects.get(kind="weekly-digest", user=official.user)
    assert INSTRUCTION in message.body_text
    assert INSTRUCTION in message.body_html


def test_an_answered_instruction_leaves_the_digest(case, leader, official, staff):
    write(case, leader)
    services.record_department_reply(
        petition=case,
        actor=official.user,
        outcome="resolved",
        reply="已办结。",
        instruction_answer=ANSWER,
    )
    other = signed(staff, official, "道路积水", due_in_days=1)
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())

    mail = _digest(official, monday)

    assert other.number in mail.body
    assert INSTRUCTION not in mail.body
    assert zh("District leaders' instructions") not in mail.body


# --- the department's reply answers it --------------------------------------------------------


def test_the_reply_must_say_how_an_open_instruction_was_carried_out(
    client, case, leader, official
):
    write(case, leader)
    client.force_login(official.user)
    page = text(get(client, detail_url(case)))
    assert INSTRUCTION in page
    assert 'name="instruction_answer"' in page

    response = post(
        client,
        action_url(case, "reply"),
        {"outcome": "resolved", "reply": "供电增容已完成。"},
    )

    assert response.status_code == 200
    assert shows(
        response, zh("Say how the district leader's instruction was carried out.")
    )
    assert "供电增容已完成。" in text(response)  # nothing typed is lost
    case.refresh_from_db()
    assert case.department_replied_at is None
    assert PetitionEvent.objects.open_instructions().filter(petition=case).exists()


def test_a_reply_that_says_how_answers_the_instruction(
    client, case, leader, official, staff
):
    write(case, leader)
    client.force_login(official.user)

    response = post(
        client,
        action_url(case, "reply"),
        {
            "outcome": "resolved",
            "reply": "供电增容已完成。",
            "instruction_answer": ANSWER,
        },
        follow=True,
    )

    assert shows(response, zh("Reply sent to the chamber for review."))
    reply = case.events.get(kind=PetitionEvent.Kind.DEPARTMENT_REPLY)
    instruction = case.events.instructions().get()
    assert reply.data["instruction_answer"] == ANSWER
    assert reply.data["instructions"] == [instruction.pk]
    assert not PetitionEvent.objects.open_instructions().exists()
    # The leader reads it carried out, with how; so do staff on the timeline.
    client.force_login(leader.user)
    page = text(get(client, leader_url(case)))
    assert carried_out() in page
    assert ANSWER in page
    client.force_login(staff)
    assert ANSWER in text(
        get(client, reverse("petitions:staff_detail", args=[case.pk]))
    )
    # Sent back by staff, the next reply needs no answer again: it was answered.
    services.send_back_reply(petition=case, actor=staff, note="请补充办理时限。")
    client.force_login(official.user)
    assert 'name="instruction_answer"' not in text(get(client, detail_url(case)))
    post(
        client,
        action_url(case, "reply"),
        {"outcome": "resolved", "reply": "月底前完成。"},
    )
    case.refresh_from_db()
    assert case.department_reply == "月底前完成。"


def test_without_an_open_instruction_the_reply_has_no_such_field(
    client, staff, official
):
    petition = signed(staff, official)
    client.force_login(official.user)
    assert 'name="instruction_answer"' not in text(get(client, detail_url(petition)))

    post(
        client,
        action_url(petition, "reply"),
        {"outcome": "resolved", "reply": "已办结。"},
    )

    petition.refresh_from_db()
    assert petition.department_reply == "已办结。"


def test_the_service_refuses_a_reply_that_ignores_an_open_instruction(
    case, leader, official
):
    write(case, leader)

    with pytest.raises(services.PetitionError):
        services.record_department_reply(
            petition=case, actor=official.user, outcome="resolved", reply="已办结。"
        )

    case.refresh_from_db()
    assert case.department_replied_at is None


def test_an_instruction_written_after_the_reply_waits_for_the_next_one(
    case, leader, official, staff
):
    services.record_department_reply(
        petition=case, actor=official.user, outcome="resolved", reply="已办结。"
    )
    write(case, leader)

    assert PetitionEvent.objects.open_instructions().count() == 1
    assert Petition.objects.with_open_instruction().get() == case
    services.send_back_reply(petition=case, actor=staff, note="请落实区领导批示。")
    with pytest.raises(services.PetitionError):
        services.record_department_reply(
            petition=case, actor=official.user, outcome="resolved", reply="已办结。"
        )
    services.record_department_reply(
        petition=case,
        actor=official.user,
        outcome="resolved",
        reply="已办结。",
        instruction_answer=ANSWER,
    )
    assert not Petition.objects.with_open_instruction().exists()


# --- the escalations page ---------------------------------------------------------------------


def _item(page: str, title: str) -> str:
    """The escalations page's list item of one petition."""
    items = re.findall(r"<li class=\"list-group-item\">.*?</li>", page, re.S)
    return next(item for item in items if title in item)


def test_the_escalations_page_shows_instructed_and_carried_out(
    client, staff, official, leader
):
    quiet = signed(staff, official, "道路积水")
    waiting = signed(staff, official, "供电不足")
    done = signed(staff, official, "审批超时")
    for petition in (quiet, waiting, done):
        escalate(petition)
    write(waiting, leader)
    write(done, leader)
    services.record_department_reply(
        petition=done,
        actor=official.user,
        outcome="resolved",
        reply="已办结。",
        instruction_answer=ANSWER,
    )
    client.force_login(leader.user)

    page = text(get(client, reverse("petitions:escalations")))

    assert instructed() not in _item(page, "道路积水")
    assert carried_out() not in _item(page, "道路积水")
    assert instructed() in _item(page, "供电不足")
    assert carried_out() in _item(page, "审批超时")
    assert instructed() not in _item(page, "审批超时")


def _escalations(n: int, staff, official, leader) -> None:
    for i in range(n):
        petition = signed(staff, official, f"诉求{i}")
        escalate(petition)
        if i % 2:
            write(petition, leader)


def _queries(client) -> int:
    url = reverse("petitions:escalations")
    client.get(url)  # warm-up: the session and the per-user caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_escalations_page_takes_the_queries_of_3_for_30(
    client, staff, official, leader
):
    client.force_login(leader.user)
    _escalations(3, staff, official, leader)
    small = _queries(client)
    _escalations(27, staff, official, leader)

    large = _queries(client)

    assert Escalation.objects.count() == 30
    assert large == small


# --- what a leader types is shown as typed --------------------------------------------------

PAYLOAD = '请落实<script>alert(1)</script>"><img src=x onerror=alert(1)>{{7*7}}'


def test_an_instruction_is_escaped_wherever_it_is_shown(
    client, case, leader, official, staff
):
    services.write_instruction(
        petition=case, actor=leader.user, text=PAYLOAD, for_enterprise=True
    )
    member = MemberFactory(enterprise=case.enterprise)
    pages = {
        leader.user: leader_url(case),
        official.user: detail_url(case),
        staff: reverse("petitions:staff_detail", args=[case.pk]),
        member.user: case.get_absolute_url(),
    }
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    notice = OutgoingMessage.objects.get(kind="petition-instruction")
    digest = _digest(official, monday)

    shown = [notice.body_html, digest.alternatives[0][0]]
    for user, url in pages.items():
        client.force_login(user)
        shown.append(text(get(client, url)))
    for html in shown:
        assert PAYLOAD not in html
        assert "<script>alert" not in html
        assert escape(PAYLOAD) in html
    # Plain text carries it as typed.
    assert PAYLOAD in notice.body_text
    assert PAYLOAD in digest.body
