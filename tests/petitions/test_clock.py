"""The department's clock: it stops only for a reason (待企业补充) and moves once by 延期.

While the department waits for the enterprise's answer (awaiting its information) the
working-day clock stands still: both due dates move by the working days the request
stood open (after the day it was asked, up to the day it was answered or closed), so a
pause over the Spring Festival counts only the working days in it. One request is open
at a time; staff close one the enterprise left unanswered past the method's timeout.
Before its due date a department asks once for a later one; staff approve (the due date
moves, the original stays) or refuse with a reason. The answer says whether it came on
time against both dates. Each step tells whoever must act next (the outbox).

The calls give an explicit `now`; the dates are days of the 2026 calendar: the Spring
Festival holiday runs from Sunday 15 to Monday 23 February, and Saturdays 14 and 28
February are make-up working days.
"""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from chamber import workdays
from chamber.models import MethodRule, OutgoingMessage
from petitions import review, services
from petitions.models import (
    Extension,
    InfoRequest,
    Petition,
    PetitionEvent,
    Section,
)
from petitions.services import PetitionError
from tests.factories import OfficialFactory, PetitionFactory, StaffFactory
from tests.support import petition_states
from tests.support.petition_states import (
    ANSWER,
    INFO_ANSWER,
    INFO_REQUEST,
    LATER,
    NOW,
    OUTSIDERS,
    REPLY,
    STATES,
    World,
    at,
    in_progress,
    reload,
    snapshot,
)

w = petition_states.w
_english = petition_states._english

S = Petition.Status
K = PetitionEvent.Kind
RESOLVED = Petition.Outcome.RESOLVED
REASON = "需协调供电公司现场勘察，时限内无法完成。"
REFUSAL = "现有时限足够，请抓紧办理。"

# Dispatched on Monday 2 February with 10 working days: due Saturday 14 February (a
# make-up working day), the last working day before the Spring Festival.
DISPATCHED_ON = date(2026, 2, 2)
DUE = date(2026, 2, 14)
ASKED = at(2026, 2, 12)  # Thursday
ANSWERED = at(2026, 2, 25, 15)  # Wednesday
# Friday 13, Saturday 14 (make-up), Tuesday 24, Wednesday 25: nine holiday days between.
PAUSED = [date(2026, 2, 13), date(2026, 2, 14), date(2026, 2, 24), date(2026, 2, 25)]
MOVED_DUE = date(2026, 2, 27)  # 14 February + 4 working days: 24, 25, 26, 27


def signed_in_february(w: World) -> Petition:
    """Dispatched on Monday 2 February, signed for the same day: due 14 February."""
    petition = services.accept_petition(
        petition=PetitionFactory(
            enterprise=w.member.enterprise,
            submitted_by=w.member.user,
            created_at=at(2026, 2, 2, 8),
        ),
        actor=w.staff,
        category=w.category,
        priority=Petition.Priority.NORMAL,
        handling=Petition.Handling.DEPARTMENT,
        now=at(2026, 2, 2, 9),
    )
    services.dispatch_petition(
        petition=petition, department=w.department, actor=w.staff, now=at(2026, 2, 2)
    )
    petition = services.sign_petition(
        petition=petition, actor=w.official, now=at(2026, 2, 2, 11)
    )
    assert petition.due_on == DUE
    return petition


def ask(w: World, petition: Petition, now, actor=None) -> InfoRequest:
    return services.ask_enterprise(
        petition=petition, actor=actor or w.official, request=INFO_REQUEST, now=now
    )


def answer_request(w: World, petition: Petition, now) -> InfoRequest:
    return services.answer_info_request(
        petition=petition, actor=w.member.user, answer=INFO_ANSWER, now=now
    )


def close_request(w: World, petition: Petition, now, actor=None) -> InfoRequest:
    return services.close_info_request(
        petition=petition, actor=actor or w.staff, note="企业逾期未补充", now=now
    )


def reply_and_answer(w: World, petition: Petition, now) -> Petition:
    services.record_department_reply(
        petition=petition, actor=w.official, outcome=RESOLVED, reply=REPLY, now=now
    )
    return services.answer_petition(
        petition=petition, actor=w.staff, answer=ANSWER, now=now
    )


def supervised(on: date) -> set[int]:
    """The petitions the daily study of `on` marks for supervision (overdue)."""
    review.run_daily_study(on=on)
    return set(
        PetitionEvent.objects.filter(
            kind=K.SUPERVISION, created_at__date__gte=on
        ).values_list("petition_id", flat=True)
    )


# --- the Spring Festival ----------------------------------------------------------------


def test_the_2026_spring_festival_calendar_the_pause_relies_on(db):
    assert workdays.is_working_day(date(2026, 2, 14))  # Saturday, made a working day
    assert workdays.is_working_day(date(2026, 2, 28))  # Saturday, made a working day
    assert not any(workdays.is_working_day(date(2026, 2, day)) for day in range(15, 24))
    assert workdays.working_days(date(2026, 2, 13), date(2026, 2, 25)) == PAUSED
    assert workdays.add_working_days(DISPATCHED_ON, 10) == DUE
    assert workdays.add_working_days(DUE, len(PAUSED)) == MOVED_DUE


def test_a_pause_over_the_spring_festival_counts_only_its_working_days(w, time_machine):
    petition = signed_in_february(w)
    # The same petition left running: overdue after the festival, and supervised.
    control = signed_in_february(w)

    info = ask(w, petition, ASKED)

    petition = reload(petition)
    assert petition.status == S.AWAITING_INFO
    assert (petition.due_on, petition.original_due_on) == (DUE, DUE)
    assert (info.department, info.asked_by, info.asked_at) == (
        w.department,
        w.official,
        ASKED,
    )
    assert info.is_open
    event = petition.events.last()
    assert (event.kind, event.from_status, event.to_status, event.note) == (
        K.STATUS,
        S.IN_PROGRESS,
        S.AWAITING_INFO,
        INFO_REQUEST,
    )
    assert event.is_public  # the enterprise reads what it is asked for

    # Tuesday 24 February, the first working day after the festival: past the due date,
    # but the clock stands still: neither overdue nor supervised.
    tuesday = date(2026, 2, 24)
    time_machine.move_to(at(2026, 2, 24, 8), tick=False)
    assert petition.section(tuesday) == Section.AWAITING_INFO
    assert not petition.is_overdue(tuesday)
    assert list(Petition.objects.overdue(tuesday)) == [reload(control)]
    assert list(Petition.objects.in_section(Section.AWAITING_INFO, tuesday)) == [
        petition
    ]
    assert petition not in Petition.objects.waiting_at_department()
    assert supervised(tuesday) == {control.pk}

    answered = answer_request(w, petition, ANSWERED)

    petition = reload(petition)
    assert answered.pk == info.pk
    assert (answered.ending, answered.answer, answered.closed_by) == (
        InfoRequest.Ending.ANSWERED,
        INFO_ANSWER,
        w.member.user,
    )
    assert answered.closed_at == ANSWERED
    assert InfoRequest.objects.get(pk=info.pk).paused_working_days == len(PAUSED) == 4
    assert petition.paused_working_days == 4
    assert petition.status == S.IN_PROGRESS
    assert (petition.due_on, petition.original_due_on) == (MOVED_DUE, MOVED_DUE)
    event = petition.events.last()
    assert (event.from_status, event.to_status, event.actor, event.note) == (
        S.AWAITING_INFO,
        S.IN_PROGRESS,
        w.member.user,
        INFO_ANSWER,
    )
    assert event.data == {
        "info_request": info.pk,
        "ending": InfoRequest.Ending.ANSWERED,
        "paused": 4,
        "due_on": "2026-02-27",
        "department_id": w.department.pk,
    }

    # Back with the department, due Friday 27 February: not overdue on the 26th.
    thursday = date(2026, 2, 26)
    time_machine.move_to(at(2026, 2, 26, 8), tick=False)
    assert petition.section(thursday) == Section.DUE_THIS_WEEK
    assert supervised(thursday) == set()  # the control was supervised already
    assert petition.is_overdue(date(2026, 3, 2))

    # The answer is measured against the moved date.
    petition = reply_and_answer(w, petition, at(2026, 2, 27, 16))
    assert petition.events.last().data == {
        "outcome": RESOLVED,
        "department_id": w.department.pk,
        "due_on": "2026-02-27",
        "on_time": True,
        "original_due_on": "2026-02-27",
        "on_time_original": True,
        "paused": 4,
    }


def test_pauses_add_up_and_a_second_request_may_follow_the_first(w):
    petition = in_progress(w)  # Monday 2 March, due Monday 16 March

    ask(w, petition, at(2026, 3, 3))
    answer_request(w, petition, at(2026, 3, 5))  # Wednesday 4, Thursday 5
    ask(w, petition, at(2026, 3, 6))
    answer_request(w, petition, at(2026, 3, 6, 17))  # the same day: no working day

    petition = reload(petition)
    assert list(
        petition.info_requests.order_by("pk").values_list(
            "paused_working_days", flat=True
        )
    ) == [2, 0]
    assert petition.paused_working_days == 2
    assert (petition.due_on, petition.original_due_on) == (
        date(2026, 3, 18),
        date(2026, 3, 18),
    )


# --- one request at a time; the department's reply waits --------------------------------


def test_only_one_request_is_open_at_a_time(w, django_capture_on_commit_callbacks):
    petition = in_progress(w)
    ask(w, petition, NOW)
    before = snapshot()

    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(PetitionError) as refused,
    ):
        ask(w, petition, LATER, actor=w.staff)

    assert str(refused.value) == "A request to the enterprise is already open."
    assert snapshot() == before
    assert InfoRequest.objects.count() == 1
    assert callbacks == []


def test_the_database_keeps_one_open_request_per_petition(w):
    petition = in_progress(w)
    info = ask(w, petition, NOW)

    with pytest.raises(IntegrityError), transaction.atomic():
        InfoRequest.objects.create(
            petition=petition, request="再补充一份", asked_by=w.official
        )
    assert list(InfoRequest.objects.open()) == [info]


def test_the_department_cannot_reply_while_it_waits_for_the_enterprise(w):
    petition = in_progress(w)
    ask(w, petition, NOW)
    before = snapshot()

    with pytest.raises(PetitionError) as refused:
        services.record_department_reply(
            petition=petition,
            actor=w.official,
            outcome=RESOLVED,
            reply=REPLY,
            now=LATER,
        )

    assert str(refused.value) == (
        "A petition that is awaiting the enterprise's information cannot become "
        "replied."
    )
    assert snapshot() == before


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ("dispatched", "Sign for the petition before asking the enterprise."),
        ("awaiting_review", "The department has replied already."),
        (
            "replied",
            "A petition that is replied cannot become awaiting the enterprise's "
            "information.",
        ),
    ],
)
def test_the_enterprise_is_asked_only_while_the_department_works_on_it(
    w, state, message
):
    petition = STATES[state](w)
    before = snapshot()

    with pytest.raises(PetitionError) as refused:
        ask(w, petition, LATER)

    assert str(refused.value) == message
    assert snapshot() == before


def test_a_request_must_say_what_is_needed(w):
    petition = in_progress(w)
    before = snapshot()

    with pytest.raises(PetitionError, match="Say what the enterprise should provide."):
        services.ask_enterprise(
            petition=petition, actor=w.official, request="  ", now=LATER
        )

    assert snapshot() == before


# --- staff close a request left unanswered ----------------------------------------------


def test_staff_close_a_request_only_after_the_enterprises_time(w):
    petition = signed_in_february(w)
    info = ask(w, petition, ASKED)
    # Five working days after Thursday 12 February: 13, 14, 24, 25, 26.
    assert services.info_request_deadline(info) == date(2026, 2, 26)
    before = snapshot()

    with pytest.raises(PetitionError) as refused:
        close_request(w, petition, at(2026, 2, 26, 17))

    assert str(refused.value) == "The enterprise has until 2026-02-26 to answer."
    assert snapshot() == before

    closed = close_request(w, petition, at(2026, 2, 27, 9))

    petition = reload(petition)
    paused = len([*PAUSED, date(2026, 2, 26), date(2026, 2, 27)])
    assert (closed.ending, closed.closed_by, closed.closed_at, closed.answer) == (
        InfoRequest.Ending.TIMED_OUT,
        w.staff,
        at(2026, 2, 27, 9),
        "企业逾期未补充",
    )
    assert closed.paused_working_days == petition.paused_working_days == paused == 6
    assert petition.status == S.IN_PROGRESS  # the clock restarts
    moved = workdays.add_working_days(DUE, 6)
    assert moved == date(2026, 3, 2)  # 24, 25, 26, 27, Saturday 28, Monday 2 March
    assert (petition.due_on, petition.original_due_on) == (moved, moved)
    event = petition.events.last()
    assert (event.from_status, event.to_status, event.actor) == (
        S.AWAITING_INFO,
        S.IN_PROGRESS,
        w.staff,
    )
    assert event.data["ending"] == InfoRequest.Ending.TIMED_OUT


def test_the_timeout_is_the_methods_rule_in_force(w):
    rule = MethodRule.objects.get(key="info_request_timeout")
    rule.value = 3
    rule.save()
    petition = signed_in_february(w)
    info = ask(w, petition, ASKED)

    assert services.info_request_deadline(info) == date(2026, 2, 24)
    close_request(w, petition, at(2026, 2, 25))

    assert reload(petition).status == S.IN_PROGRESS


@pytest.mark.parametrize("who", ["official", "member"])
def test_only_staff_close_a_request(w, who):
    petition = in_progress(w)
    ask(w, petition, NOW)
    before = snapshot()

    with pytest.raises(
        PetitionError, match="Only the chamber's staff close a request."
    ):
        close_request(w, petition, at(2026, 3, 20), actor=w.user(who))

    assert snapshot() == before


def test_an_answer_needs_words_and_an_open_request(w):
    petition = in_progress(w)

    with pytest.raises(PetitionError, match="There is no open request to answer."):
        answer_request(w, petition, LATER)
    ask(w, petition, NOW)
    with pytest.raises(PetitionError, match="Write your answer."):
        services.answer_info_request(
            petition=petition, actor=w.member.user, answer=" ", now=LATER
        )

    assert reload(petition).status == S.AWAITING_INFO


# --- 延期 ---------------------------------------------------------------------------------


def ask_extension(
    w: World, petition: Petition, now, proposed=date(2026, 3, 27), actor=None
) -> Extension:
    return services.ask_extension(
        petition=petition,
        actor=actor or w.official,
        reason=REASON,
        proposed_due=proposed,
        now=now,
    )


def decide(
    w: World, extension: Extension, approve: bool, note="", now=None, actor=None
) -> Extension:
    return services.decide_extension(
        extension=extension,
        actor=actor or w.staff,
        approve=approve,
        note=note,
        now=now or at(2026, 3, 16, 15),
    )


@pytest.mark.parametrize(
    "asked",
    [at(2026, 3, 13), at(2026, 3, 16, 23, 30)],
    ids=["before-the-due-date", "on-the-due-date"],
)
def test_an_extension_asked_by_the_due_date_is_recorded_for_staff_to_decide(w, asked):
    petition = in_progress(w)  # due Monday 16 March

    extension = ask_extension(w, petition, asked)

    extension = Extension.objects.get(pk=extension.pk)
    assert (
        extension.petition,
        extension.department,
        extension.reason,
        extension.due_before,
        extension.proposed_due,
        extension.asked_by,
        extension.asked_at,
        extension.status,
    ) == (
        petition,
        w.department,
        REASON,
        date(2026, 3, 16),
        date(2026, 3, 27),
        w.official,
        asked,
        Extension.Status.ASKED,
    )
    petition = reload(petition)
    assert (petition.status, petition.due_on) == (S.IN_PROGRESS, date(2026, 3, 16))
    event = petition.events.last()
    assert (event.kind, event.actor, event.note, event.is_public) == (
        K.EXTENSION,
        w.official,
        REASON,
        False,
    )
    assert event.data == {
        "extension": extension.pk,
        "department_id": w.department.pk,
        "due_on": "2026-03-16",
        "proposed_due": "2026-03-27",
    }


def test_approved_the_due_date_moves_and_the_original_stays(w):
    petition = in_progress(w)
    extension = ask_extension(w, petition, at(2026, 3, 13))

    decide(w, extension, approve=True, note="同意")

    petition = reload(petition)
    assert (petition.due_on, petition.original_due_on) == (
        date(2026, 3, 27),
        date(2026, 3, 16),
    )
    extension = Extension.objects.get(pk=extension.pk)
    assert (extension.status, extension.decided_by, extension.decided_at) == (
        Extension.Status.APPROVED,
        w.staff,
        at(2026, 3, 16, 15),
    )
    event = petition.events.last()
    assert (event.kind, event.actor, event.note) == (
        K.EXTENSION_DECISION,
        w.staff,
        "同意",
    )
    assert event.data == {
        "extension": extension.pk,
        "approved": True,
        "department_id": w.department.pk,
        "due_before": "2026-03-16",
        "due_on": "2026-03-27",
    }
    # Past the original date, within the approved one: not overdue.
    assert not petition.is_overdue(date(2026, 3, 20))


def test_refused_with_a_reason_the_due_date_stays(w):
    petition = in_progress(w)
    extension = ask_extension(w, petition, at(2026, 3, 13))

    decide(w, extension, approve=False, note=REFUSAL)

    petition = reload(petition)
    assert (petition.due_on, petition.original_due_on) == (
        date(2026, 3, 16),
        date(2026, 3, 16),
    )
    extension = Extension.objects.get(pk=extension.pk)
    assert (extension.status, extension.decision_note) == (
        Extension.Status.REFUSED,
        REFUSAL,
    )
    event = petition.events.last()
    assert (event.kind, event.note, event.data) == (
        K.EXTENSION_DECISION,
        REFUSAL,
        {
            "extension": extension.pk,
            "approved": False,
            "department_id": w.department.pk,
        },
    )


def test_an_extension_asked_after_the_due_date_is_refused(w):
    petition = in_progress(w)  # due Monday 16 March
    before = snapshot()

    with pytest.raises(PetitionError) as refused:
        ask_extension(w, petition, at(2026, 3, 17, 0, 5))

    assert str(refused.value) == (
        "The due date has passed: an extension must be asked before it."
    )
    assert snapshot() == before
    assert not Extension.objects.exists()


@pytest.mark.parametrize("decision", ["undecided", "approved", "refused"])
def test_a_department_asks_once(w, decision):
    petition = in_progress(w)
    extension = ask_extension(w, petition, at(2026, 3, 10))
    if decision != "undecided":
        decide(w, extension, approve=decision == "approved", note=REFUSAL)
    before = snapshot()

    with pytest.raises(PetitionError) as refused:
        ask_extension(w, petition, at(2026, 3, 12), proposed=date(2026, 4, 30))

    assert str(refused.value) == (
        "The department has asked for an extension of this petition already."
    )
    assert snapshot() == before
    assert Extension.objects.count() == 1


@pytest.mark.parametrize("proposed", [date(2026, 3, 16), date(2026, 3, 13), None])
def test_the_proposed_date_must_be_after_the_due_date(w, proposed):
    petition = in_progress(w)
    before = snapshot()

    with pytest.raises(PetitionError) as refused:
        ask_extension(w, petition, at(2026, 3, 10), proposed=proposed)

    assert str(refused.value) == (
        "Propose a date after the current due date (2026-03-16)."
    )
    assert snapshot() == before


def test_an_extension_needs_a_reason(w):
    petition = in_progress(w)

    with pytest.raises(PetitionError, match="Say why more time is needed."):
        services.ask_extension(
            petition=petition,
            actor=w.official,
            reason=" ",
            proposed_due=date(2026, 3, 27),
            now=LATER,
        )

    assert not Extension.objects.exists()


@pytest.mark.parametrize("state", ["awaiting_review", "awaiting_info", "replied"])
def test_only_a_petition_waiting_at_the_department_is_extended(w, state):
    petition = STATES[state](w)
    before = snapshot()

    with pytest.raises(PetitionError) as refused:
        ask_extension(w, petition, LATER)

    assert str(refused.value) == (
        "Only a petition waiting for the department's reply can be extended."
    )
    assert snapshot() == before


@pytest.mark.parametrize("note", ["", "  "])
def test_a_refusal_needs_a_reason(w, note):
    petition = in_progress(w)
    extension = ask_extension(w, petition, LATER)
    before = snapshot()

    with pytest.raises(PetitionError) as refused:
        decide(w, extension, approve=False, note=note)

    assert str(refused.value) == "Give the department the reason for the refusal."
    assert snapshot() == before
    assert Extension.objects.get().status == Extension.Status.ASKED


@pytest.mark.parametrize("first", [True, False], ids=["approved", "refused"])
@pytest.mark.parametrize("second", [True, False], ids=["approve", "refuse"])
def test_an_extension_is_decided_once(w, first, second):
    petition = in_progress(w)
    extension = ask_extension(w, petition, LATER)
    decide(w, extension, approve=first, note=REFUSAL)
    before = snapshot()

    with pytest.raises(PetitionError) as refused:
        decide(w, extension, approve=second, note=REFUSAL, now=at(2026, 3, 17))

    assert str(refused.value) == "This extension has been decided already."
    assert snapshot() == before


def test_the_answer_is_on_time_against_the_approved_date_and_late_against_the_original(
    w,
):
    petition = in_progress(w)  # due 16 March
    extension = ask_extension(w, petition, at(2026, 3, 13))
    decide(w, extension, approve=True)  # due 27 March

    petition = reply_and_answer(w, petition, at(2026, 3, 20))

    assert petition.events.last().data == {
        "outcome": RESOLVED,
        "department_id": w.department.pk,
        "due_on": "2026-03-27",
        "on_time": True,
        "original_due_on": "2026-03-16",
        "on_time_original": False,
        "paused": 0,
    }


def test_a_pause_moves_both_the_approved_and_the_original_date(w):
    petition = in_progress(w)  # due 16 March
    extension = ask_extension(w, petition, at(2026, 3, 4))
    decide(w, extension, approve=True, now=at(2026, 3, 4, 15))  # due 27 March

    ask(w, petition, at(2026, 3, 5))
    answer_request(w, petition, at(2026, 3, 9))  # Friday 6, Monday 9

    petition = reload(petition)
    assert (petition.due_on, petition.original_due_on) == (
        date(2026, 3, 31),
        date(2026, 3, 18),
    )


# --- who may ask and decide -------------------------------------------------------------

ASKING = {
    "for information": lambda w, p, actor: ask(w, p, LATER, actor=actor),
    "for an extension": lambda w, p, actor: ask_extension(w, p, LATER, actor=actor),
}


@pytest.mark.parametrize("act", ASKING)
@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_only_the_department_asks(w, act, outsider):
    petition = in_progress(w)
    actor = OUTSIDERS[outsider](w)
    before = snapshot()

    with pytest.raises(PetitionError, match="Only the department it was dispatched to"):
        ASKING[act](w, petition, actor)

    assert snapshot() == before
    assert not InfoRequest.objects.exists() and not Extension.objects.exists()


NOT_DECIDING = {**OUTSIDERS, "official of the department": lambda w: w.official}


@pytest.mark.parametrize("who", NOT_DECIDING)
def test_only_staff_decide_an_extension(w, who):
    petition = in_progress(w)
    extension = ask_extension(w, petition, LATER)
    before = snapshot()

    with pytest.raises(PetitionError, match="Only the chamber's staff decide"):
        decide(w, extension, approve=True, actor=NOT_DECIDING[who](w))

    assert snapshot() == before
    assert Extension.objects.get().status == Extension.Status.ASKED


# --- who is told ------------------------------------------------------------------------


def test_each_step_tells_whoever_acts_next(w):
    handler = StaffFactory(handles_petitions=True)
    colleague = OfficialFactory(department=w.department).user
    petition = in_progress(w)
    told = set(OutgoingMessage.objects.values_list("pk", flat=True))

    def new_kinds():
        rows = OutgoingMessage.objects.exclude(pk__in=told).order_by("pk")
        found = sorted({(row.user_id, row.kind) for row in rows})
        told.update(row.pk for row in rows)
        return found

    ask(w, petition, NOW)
    assert new_kinds() == [(w.member.user.pk, "petition-info-requested")]

    answer_request(w, petition, LATER)
    assert new_kinds() == sorted(
        (user.pk, "petition-info-answered") for user in (w.official, colleague)
    )

    extension = ask_extension(w, petition, LATER)
    assert new_kinds() == [(handler.pk, "petition-extension-asked")]

    decide(w, extension, approve=True)
    assert new_kinds() == sorted(
        (user.pk, "petition-extension-decided") for user in (w.official, colleague)
    )


def test_an_extension_asked_before_a_pause_is_approved_during_it(w):
    petition = in_progress(w)  # due 16 March
    extension = ask_extension(w, petition, at(2026, 3, 4))
    ask(w, petition, at(2026, 3, 5))

    decide(w, extension, approve=True, now=at(2026, 3, 6))
    answer_request(w, petition, at(2026, 3, 9))  # Friday 6, Monday 9

    petition = reload(petition)
    assert (petition.status, petition.due_on, petition.original_due_on) == (
        S.IN_PROGRESS,
        date(2026, 3, 31),
        date(2026, 3, 18),
    )
