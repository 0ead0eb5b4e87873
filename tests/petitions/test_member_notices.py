"""The member who brought a petition hears its progress (issue 18, item 3).

Accepted, sent to a department (its name and due date), a progress note the department
showed the enterprise, answered (with the rating link): each is one e-mail to the member
who submitted the petition (every active member of the enterprise when staff entered
it), written in the step's transaction, unless the member switched it off in their
profile. Nothing the chamber or a department wrote for themselves reaches the member;
the answer can be rated on the petition's page whatever the member chose.
"""

import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from chamber.models import OutgoingMessage
from members.models import Member
from petitions import services
from petitions.models import Petition
from tests.factories import (
    CategoryFactory,
    DepartmentFactory,
    MemberFactory,
    OfficialFactory,
    PetitionFactory,
)
from tests.support.words import zh

ACCEPT_NOTE = "内部备注：归口住建局"
DISPATCH_NOTE = "内部备注：请住建局优先办理"
BASIS = "该事项属于区市场监管局职责，非本局职责"
PROGRESS = "已与供电公司现场对接，下周完成增容。"
REPLY = "已协调供电公司，本周内完成增容。"
ANSWER = "经区住建局协调，供电增容已于本周完成。"
NOTICES = {
    "notify_accepted": "petition-accepted",
    "notify_dispatched": "petition-sent-to-department",
    "notify_progress": "petition-progress",
    "notify_answered": "petition-answered",
}


@pytest.fixture
def alice(db) -> Member:
    return MemberFactory(enterprise__name="营口甲机械制造有限公司")


@pytest.fixture
def official(db):
    return OfficialFactory(department=DepartmentFactory(name="西市区住房和城乡建设局"))


def accept(petition, staff):
    return services.accept_petition(
        petition=petition,
        actor=staff,
        category=CategoryFactory(working_days=10),
        priority="normal",
        handling="department",
        note=ACCEPT_NOTE,
    )


def dispatch(petition, staff, official):
    return services.dispatch_petition(
        petition=petition,
        department=official.department,
        actor=staff,
        note=DISPATCH_NOTE,
    )


def through_every_step(member: Member, staff, official) -> Petition:
    """Accepted, dispatched, signed, a progress note, replied, answered."""
    petition = PetitionFactory(enterprise=member.enterprise, submitted_by=member.user)
    dispatch(accept(petition, staff), staff, official)
    services.sign_petition(petition=petition, actor=official.user)
    services.record_progress(petition=petition, actor=official.user, note=PROGRESS)
    services.record_department_reply(
        petition=petition, actor=official.user, outcome="resolved", reply=REPLY
    )
    return services.answer_petition(petition=petition, actor=staff, answer=ANSWER)


def kinds_to(member: Member) -> list[str]:
    return list(
        OutgoingMessage.objects.filter(user=member.user)
        .order_by("pk")
        .values_list("kind", flat=True)
    )


def test_the_member_hears_each_step_once_in_their_language(
    alice, staff, official, mailoutbox, django_capture_on_commit_callbacks
):
    colleague = MemberFactory(enterprise=alice.enterprise)

    with django_capture_on_commit_callbacks(execute=True):
        petition = through_every_step(alice, staff, official)

    assert kinds_to(alice) == list(NOTICES.values())
    assert kinds_to(colleague) == []  # the member who submitted it, only
    sent = {m.subject: m for m in mailoutbox if m.to == [alice.user.email]}
    number = petition.number
    assert list(sent) == [
        zh("Your petition %(number)s has been accepted") % {"number": number},
        zh("Your petition %(number)s has been sent to %(department)s")
        % {"number": number, "department": "西市区住房和城乡建设局"},
        zh("Progress on your petition %(number)s") % {"number": number},
        zh("Your petition %(number)s has been answered") % {"number": number},
    ]
    dispatched, progress = list(sent.values())[1:3]
    assert f"{petition.due_on:%Y-%m-%d}" in dispatched.body
    assert PROGRESS in progress.body and escape(PROGRESS) in progress.alternatives[0][0]
    # The profile where the member chooses these e-mails is one tap away.
    assert reverse("members:profile") in progress.body
    # What the chamber and the department wrote for themselves stays with them.
    for message in sent.values():
        for internal in (ACCEPT_NOTE, DISPATCH_NOTE, REPLY):
            assert internal not in message.body
            assert escape(internal) not in message.alternatives[0][0]


def test_a_return_and_a_second_triage_are_not_news_but_the_new_dispatch_is(
    alice, staff, official
):
    petition = PetitionFactory(enterprise=alice.enterprise, submitted_by=alice.user)
    dispatch(accept(petition, staff), staff, official)
    services.return_petition(petition=petition, actor=official.user, basis=BASIS)
    other = OfficialFactory(department=DepartmentFactory(name="西市区市场监督管理局"))

    dispatch(accept(petition, staff), staff, other)

    assert kinds_to(alice) == [
        "petition-accepted",
        "petition-sent-to-department",
        "petition-sent-to-department",
    ]
    last = OutgoingMessage.objects.filter(user=alice.user).latest("pk")
    assert "西市区市场监督管理局" in last.subject
    assert BASIS not in last.body_text


def test_a_petition_entered_by_staff_goes_to_the_enterprises_active_members(
    alice, staff
):
    colleague = MemberFactory(enterprise=alice.enterprise)
    gone = MemberFactory(enterprise=alice.enterprise, user__is_active=False)
    MemberFactory()  # another enterprise

    accept(PetitionFactory(enterprise=alice.enterprise, submitted_by=staff), staff)

    assert sorted(
        OutgoingMessage.objects.filter(kind="petition-accepted").values_list(
            "user_id", flat=True
        )
    ) == sorted([alice.user_id, colleague.user_id])
    assert kinds_to(gone) == []


@pytest.mark.parametrize("choice", list(NOTICES))
def test_a_member_who_switched_a_notice_off_gets_the_others_only(
    alice, staff, official, choice
):
    setattr(alice, choice, False)
    alice.save()

    through_every_step(alice, staff, official)

    assert kinds_to(alice) == [k for c, k in NOTICES.items() if c != choice]


def test_without_the_answer_e_mail_the_answer_is_rated_on_the_portal(
    client, alice, staff, official
):
    alice.notify_answered = False
    alice.save()
    petition = through_every_step(alice, staff, official)
    client.force_login(alice.user)

    page = client.get(petition.get_absolute_url()).content.decode()

    assert "petition-answered" not in kinds_to(alice)
    assert ANSWER in page
    assert reverse("petitions:rate", args=[petition.pk]) in page


# --- the profile ----------------------------------------------------------------------------

PROFILE = reverse("members:profile")
LABELS = [
    "tell me when the chamber accepts my petition",
    "tell me when my petition is sent to a department, with its due date",
    "tell me the progress a department reports on my petition",
    "tell me the answer to my petition, with the link to rate it",
]


def ticked(page: str) -> list[str]:
    """The notice choices ticked on the profile page."""
    return [
        tag.group(1)
        for tag in re.finditer(r'<input[^>]*name="(notify_\w+)"[^>]*>', page)
        if " checked" in tag.group(0)
    ]


def test_the_profile_shows_the_choices_ticked_in_chinese(client, alice):
    client.force_login(alice.user)

    with translation.override("zh-hans"):
        page = client.get(PROFILE, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert escape(zh("Messages about my petitions")) in page
    for label, name in zip(LABELS, NOTICES, strict=True):
        assert escape(zh(label)) in page
        assert f'name="{name}"' in page
    assert ticked(page) == list(NOTICES)


def test_the_member_switches_notices_off_and_on_again_in_the_profile(client, alice):
    client.force_login(alice.user)
    keep = {"mobile": alice.mobile, "email": alice.user.email}

    response = client.post(
        PROFILE,
        {**keep, "notify_accepted": "on", "notify_answered": "on"},
    )

    assert response.status_code == 302
    alice.refresh_from_db()
    assert [getattr(alice, name) for name in NOTICES] == [True, False, False, True]
    page = client.get(PROFILE).content.decode()
    assert ticked(page) == ["notify_accepted", "notify_answered"]

    client.post(PROFILE, {**keep, **dict.fromkeys(NOTICES, "on")})
    alice.refresh_from_db()
    assert all(getattr(alice, name) for name in NOTICES)
