"""A petition's way from triage to the rating (petitions/services/workflow.py).

Every move in ALLOWED, made through its service, writes exactly one event saying from
where to where, who and why; a forbidden move raises PetitionError and changes nothing.
Only the department a petition was dispatched to (or staff) acts for the department. The
database keeps the two promises even against raw updates: nothing ends without an answer
(SQLite and PostgreSQL CHECK constraints) and events are never changed (a trigger on
PostgreSQL). Due dates count Chinese working days (chamber.workdays).

Messages are checked in English (the msgids); the services translate at raise time.
"""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from chamber import workdays
from chamber.models import OutgoingMessage
from petitions import services
from petitions.models import Petition, PetitionEvent
from petitions.services import ALLOWED, PetitionError
from tests.factories import (
    CategoryFactory,
    DepartmentFactory,
    OfficialFactory,
)
from tests.support import petition_states
from tests.support.mail import senders
from tests.support.petition_states import (
    ACCEPT_NOTE,
    ANSWER,
    BY_CHAMBER,
    BY_DEPARTMENT,
    COMPLAINT,
    DISPATCH_NOTE,
    INFO_ANSWER,
    INFO_REQUEST,
    LATER,
    MERGE_REASON,
    NORMAL,
    NOW,
    OUTSIDERS,
    PARTLY,
    REJECT_REASON,
    REPLY,
    RESOLVED,
    STATE_STATUS,
    STATES,
    URGENT,
    S,
    accept,
    accepted,
    answer,
    answer_info,
    at,
    awaiting_review,
    basically,
    dispatch,
    dispatched,
    in_progress,
    merge,
    merged,
    reject,
    reload,
    replied,
    replied_by_chamber,
    satisfied,
    sign_as_staff,
    snapshot,
    submitted,
    unsatisfied,
)

# The fixtures of tests/support/petition_states.py, for this module's tests.
_english = petition_states._english
w = petition_states.w

BASIS = "该事项属于区市场监管局职责，非本局职责"


# --- bringing a petition to a state, only through the services -------------------------


def test_each_state_builder_gives_its_state(w):
    assert {name: build(w).status for name, build in STATES.items()} == STATE_STATUS


# --- the moves under test, made on LATER ---------------------------------------------


def sign(w, p):
    return services.sign_petition(petition=p, actor=w.official, now=LATER)


def give_back(w, p):
    return services.return_petition(
        petition=p, actor=w.official, basis=BASIS, now=LATER
    )


def reply(w, p):
    return services.record_department_reply(
        petition=p, actor=w.official, outcome=RESOLVED, reply=REPLY, now=LATER
    )


def ask_info(w, p):
    return services.ask_enterprise(
        petition=p, actor=w.official, request=INFO_REQUEST, now=LATER
    )


def merge_into_itself(w, p):
    return services.merge_petition(
        petition=p, into=p, actor=w.staff, reason=MERGE_REASON, now=LATER
    )


# --- every allowed move writes one event ---------------------------------------------

# (state, move, new status, who moves it, the event's note)
MOVES = [
    ("submitted", accept, S.ACCEPTED, "staff", ACCEPT_NOTE),
    # Triaged again: a chamber-handled petition goes to a department after all.
    ("accepted_for_chamber", accept, S.ACCEPTED, "staff", ACCEPT_NOTE),
    ("submitted", reject, S.REJECTED, "staff", REJECT_REASON),
    ("submitted", merge, S.MERGED, "staff", MERGE_REASON),
    ("accepted", dispatch, S.DISPATCHED, "staff", DISPATCH_NOTE),
    ("accepted_for_chamber", answer, S.REPLIED, "staff", ANSWER),
    ("accepted", reject, S.REJECTED, "staff", REJECT_REASON),
    ("accepted", merge, S.MERGED, "staff", MERGE_REASON),
    ("dispatched", sign, S.IN_PROGRESS, "official", ""),
    ("dispatched", give_back, S.SUBMITTED, "official", BASIS),
    ("awaiting_review", answer, S.REPLIED, "staff", ANSWER),
    ("in_progress", give_back, S.SUBMITTED, "official", BASIS),
    ("in_progress", ask_info, S.AWAITING_INFO, "official", INFO_REQUEST),
    ("awaiting_info", answer_info, S.IN_PROGRESS, "member", INFO_ANSWER),
    ("replied", satisfied, S.CLOSED, "member", ""),
    ("replied", basically, S.CLOSED, "member", "基本解决，感谢"),
    ("replied", unsatisfied, S.IN_PROGRESS, "member", COMPLAINT),
    ("replied_by_chamber", unsatisfied, S.ACCEPTED, "member", COMPLAINT),
]


def test_the_moves_below_cover_every_allowed_transition():
    covered = {(STATE_STATUS[state], to) for state, _move, to, _who, _note in MOVES}

    assert covered == {(old, new) for old, news in ALLOWED.items() for new in news}


@pytest.mark.parametrize(
    ("state", "move", "to", "who", "note"),
    MOVES,
    ids=[f"{state}-{move.__name__}-{to}" for state, move, to, _w, _n in MOVES],
)
def test_each_allowed_move_writes_exactly_one_event(w, state, move, to, who, note):
    petition = STATES[state](w)
    old = petition.status
    before = set(PetitionEvent.objects.values_list("pk", flat=True))

    move(w, petition)

    new_events = list(PetitionEvent.objects.exclude(pk__in=before))
    assert len(new_events) == 1
    event = new_events[0]
    assert (event.petition_id, event.kind, event.from_status, event.to_status) == (
        petition.pk,
        PetitionEvent.Kind.STATUS,
        old,
        to,
    )
    assert (event.actor, event.note, event.created_at) == (w.user(who), note, LATER)
    assert reload(petition).status == to


# --- what each move changes ----------------------------------------------------------


def test_accepting_records_the_triage(w):
    petition = submitted(w, category=None)

    services.accept_petition(
        petition=petition,
        actor=w.staff,
        category=w.category,
        priority=URGENT,
        handling=BY_DEPARTMENT,
        now=LATER,
    )

    petition = reload(petition)
    assert (
        petition.category,
        petition.priority,
        petition.handling,
        petition.accepted_at,
    ) == (
        w.category,
        URGENT,
        BY_DEPARTMENT,
        LATER,
    )
    assert petition.events.last().data == {
        "category": "要素保障",
        "priority": URGENT,
        "handling": BY_DEPARTMENT,
    }


def test_dispatching_gives_the_department_and_due_date_and_tells_it(
    w, django_capture_on_commit_callbacks
):
    petition = accepted(w)

    with django_capture_on_commit_callbacks() as callbacks:
        dispatch(w, petition)

    petition = reload(petition)
    # Ten working days after Tuesday 3 March 2026.
    assert (petition.department, petition.dispatched_at, petition.due_on) == (
        w.department,
        LATER,
        date(2026, 3, 17),
    )
    assert petition.events.last().data == {
        "department": "西市区发展和改革局",
        "department_id": w.department.pk,
        "due_on": "2026-03-17",
    }
    assert list(Petition.objects.for_department(w.department.pk)) == [petition]
    # The officials' notice and the enterprise's (issue 18), after commit.
    assert len(senders(callbacks)) == 2


@pytest.mark.parametrize("officials", [1, 4])
def test_the_dispatch_writes_its_notices_in_one_insert_however_many_officials(
    w, officials
):
    """Issue 17, speed: a change that tells many adds one INSERT (and one look-up of
    the keys) to its request, whatever the number of recipients."""
    for _ in range(officials - 1):
        OfficialFactory(department=w.department)
    petition = accepted(w)

    with CaptureQueriesContext(connection) as queries:
        dispatch(w, petition)

    inserts = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('INSERT INTO "chamber_outgoingmessage"')
    ]
    assert len(inserts) == 1
    assert (
        OutgoingMessage.objects.filter(kind="petition-dispatched").count() == officials
    )


def test_a_department_no_longer_active_gets_nothing(w):
    petition = accepted(w)
    gone = DepartmentFactory(name="原西市区经济局", is_active=False)
    before = snapshot()

    with pytest.raises(PetitionError, match="no longer active"):
        services.dispatch_petition(
            petition=petition, department=gone, actor=w.staff, now=LATER
        )

    assert snapshot() == before


def test_signing_records_who_signed(w):
    petition = dispatched(w)

    sign(w, petition)

    petition = reload(petition)
    assert (petition.status, petition.signed_at, petition.signed_by) == (
        S.IN_PROGRESS,
        LATER,
        w.official,
    )


def test_progress_is_a_public_event_that_keeps_the_status(w):
    petition = in_progress(w)

    event = services.record_progress(
        petition=petition, actor=w.official, note="已与供电公司对接", now=LATER
    )

    assert (event.kind, event.note, event.is_public, event.actor) == (
        PetitionEvent.Kind.PROGRESS,
        "已与供电公司对接",
        True,
        w.official,
    )
    assert reload(petition).status == S.IN_PROGRESS
    # received, accepted, dispatched, in progress, and this
    assert petition.events.count() == 5


def test_a_department_reply_waits_for_review_and_is_not_shown_to_the_enterprise(w):
    petition = in_progress(w)
    before = set(PetitionEvent.objects.values_list("pk", flat=True))

    services.record_department_reply(
        petition=petition,
        actor=w.official,
        outcome=PARTLY,
        reply=REPLY,
        follow_up_plan="  下月完成二期增容  ",
        now=LATER,
    )

    petition = reload(petition)
    assert petition.status == S.IN_PROGRESS
    assert petition.awaits_review
    assert (petition.outcome, petition.department_reply, petition.follow_up_plan) == (
        PARTLY,
        REPLY,
        "下月完成二期增容",
    )
    assert (petition.department_replied_at, petition.department_replied_by) == (
        LATER,
        w.official,
    )
    assert petition.answer == ""  # the enterprise reads nothing yet
    (event,) = PetitionEvent.objects.exclude(pk__in=before)
    assert (event.kind, event.note, event.is_public) == (
        PetitionEvent.Kind.DEPARTMENT_REPLY,
        REPLY,
        False,
    )
    assert event.data == {"outcome": PARTLY, "follow_up_plan": "下月完成二期增容"}


@pytest.mark.parametrize(
    ("outcome", "text", "plan", "message"),
    [
        (RESOLVED, "   ", "", "Write the reply."),
        ("", REPLY, "", "Choose the outcome."),
        (PARTLY, REPLY, "  ", "needs a follow-up plan"),
        (Petition.Outcome.EXPLAINED, REPLY, "", "needs a follow-up plan"),
    ],
)
def test_an_incomplete_department_reply_is_refused(w, outcome, text, plan, message):
    petition = in_progress(w)
    before = snapshot()

    with pytest.raises(PetitionError, match=message):
        services.record_department_reply(
            petition=petition,
            actor=w.official,
            outcome=outcome,
            reply=text,
            follow_up_plan=plan,
            now=LATER,
        )

    assert snapshot() == before


def test_answering_sends_the_reviewed_reply_to_the_enterprise(
    w, django_capture_on_commit_callbacks
):
    petition = awaiting_review(w)

    with django_capture_on_commit_callbacks() as callbacks:
        answer(w, petition)

    petition = reload(petition)
    assert (
        petition.status,
        petition.answer,
        petition.answered_at,
        petition.answer_round,
    ) == (
        S.REPLIED,
        ANSWER,
        LATER,
        1,
    )
    assert petition.outcome == RESOLVED  # the department's outcome stands
    event = petition.events.last()
    assert event.is_public
    assert event.data == {
        "outcome": RESOLVED,
        "department_id": w.department.pk,
        "due_on": "2026-03-16",
        "on_time": True,
        "original_due_on": "2026-03-16",
        "on_time_original": True,
        "paused": 0,
    }
    assert len(senders(callbacks)) == 1  # the e-mail with the rating link


def test_an_answer_after_the_due_date_is_recorded_as_late(w):
    petition = awaiting_review(w)  # due Monday 16 March 2026

    services.answer_petition(
        petition=petition, actor=w.staff, answer=ANSWER, now=at(2026, 3, 17)
    )

    assert reload(petition).events.last().data["on_time"] is False


def test_the_chamber_answers_a_petition_it_handles_itself(w):
    petition = accepted(w, handling=BY_CHAMBER)

    answer(w, petition)

    petition = reload(petition)
    assert (
        petition.status,
        petition.department,
        petition.outcome,
        petition.answer,
    ) == (
        S.REPLIED,
        None,
        RESOLVED,
        ANSWER,
    )
    # Measured against the limit counted from triage on Monday 2 March.
    assert petition.events.last().data["due_on"] == "2026-03-16"


@pytest.mark.parametrize(
    "rating", [Petition.Rating.SATISFIED, Petition.Rating.BASICALLY]
)
def test_a_satisfied_rating_closes_the_petition(w, rating):
    petition = replied(w)

    services.rate_petition(
        solved="solved",
        petition=petition,
        rating=rating,
        comment=" 谢谢 ",
        actor=w.member.user,
        now=LATER,
    )

    petition = reload(petition)
    assert (petition.status, petition.rating, petition.rating_comment) == (
        S.CLOSED,
        rating,
        "谢谢",
    )
    assert (petition.rated_at, petition.closed_at) == (LATER, LATER)
    assert petition.has_ended


def test_an_unsatisfied_rating_reopens_it_to_the_same_department_with_a_new_due_date(
    w, django_capture_on_commit_callbacks
):
    petition = replied(w)  # dispatched Monday 2 March, due Monday 16 March
    assert petition.due_on == date(2026, 3, 16)

    with django_capture_on_commit_callbacks() as callbacks:
        services.rate_petition(
            solved="solved",
            petition=petition,
            rating=Petition.Rating.UNSATISFIED,
            comment=COMPLAINT,
            actor=w.member.user,
            now=at(2026, 3, 10),
        )

    petition = reload(petition)
    assert (petition.status, petition.department) == (S.IN_PROGRESS, w.department)
    # Ten working days from the rating on Tuesday 10 March.
    assert petition.due_on == date(2026, 3, 24)
    assert (petition.rating, petition.rating_comment) == (
        Petition.Rating.UNSATISFIED,
        COMPLAINT,
    )
    assert not petition.awaits_review  # the department must reply again
    assert petition.events.last().data == {
        "rating": Petition.Rating.UNSATISFIED,
        "solved": "solved",
        "department_id": w.department.pk,
        "due_on": "2026-03-24",
        "reopened": True,
    }
    assert list(Petition.objects.for_department(w.department.pk)) == [petition]
    # The department is told again, and the staff who handle petitions (issue 18).
    assert len(senders(callbacks)) == 2


def test_an_unsatisfied_rating_of_a_chamber_answer_goes_back_to_the_chamber(w):
    petition = replied_by_chamber(w)

    unsatisfied(w, petition)

    petition = reload(petition)
    assert (petition.status, petition.department, petition.due_on) == (
        S.ACCEPTED,
        None,
        None,
    )


def test_a_second_answer_can_be_rated_but_not_through_the_first_link(w):
    petition = replied(w)
    unsatisfied(w, petition)
    reply(w, petition)
    answer(w, petition)
    assert reload(petition).answer_round == 2
    before = snapshot()

    with pytest.raises(PetitionError, match="rated already"):
        services.rate_petition(
            solved="solved",
            petition=petition,
            rating=Petition.Rating.SATISFIED,
            actor=None,
            answer_round=1,
            now=LATER,
        )
    assert snapshot() == before

    services.rate_petition(
        solved="solved",
        petition=petition,
        rating=Petition.Rating.SATISFIED,
        actor=None,
        answer_round=2,
        now=LATER,
    )
    assert reload(petition).status == S.CLOSED


@pytest.mark.parametrize(
    ("rating", "comment", "message"),
    [
        ("", "", "Choose a rating."),
        (Petition.Rating.NONE, "", "Choose a rating."),
        (Petition.Rating.UNSATISFIED, "   ", "what is still unresolved"),
    ],
)
def test_a_rating_needs_a_choice_and_unsatisfied_needs_a_reason(
    w, rating, comment, message
):
    petition = replied(w)
    before = snapshot()

    with pytest.raises(PetitionError, match=message):
        services.rate_petition(
            solved="solved",
            petition=petition,
            rating=rating,
            comment=comment,
            actor=w.member.user,
            now=LATER,
        )

    assert snapshot() == before


def test_rejecting_answers_the_enterprise_with_the_reason(w):
    petition = submitted(w)

    reject(w, petition)

    petition = reload(petition)
    assert (
        petition.status,
        petition.answer,
        petition.answered_at,
        petition.closed_at,
    ) == (
        S.REJECTED,
        REJECT_REASON,
        LATER,
        LATER,
    )
    assert petition.answer_round == 1


def test_merging_names_the_petition_it_is_followed_in(w):
    petition = submitted(w)

    merge(w, petition)

    petition = reload(petition)
    assert (petition.status, petition.merged_into, petition.answer) == (
        S.MERGED,
        w.target,
        MERGE_REASON,
    )
    assert petition.events.last().data == {"merged_into": w.target.number}


def test_merging_into_a_merged_petition_points_to_where_it_went(w):
    gone = merged(w)  # merged into w.target
    petition = submitted(w)
    before = snapshot()

    with pytest.raises(PetitionError, match=f"merge into {w.target.number} instead"):
        services.merge_petition(
            petition=petition, into=gone, actor=w.staff, reason=MERGE_REASON, now=LATER
        )

    assert snapshot() == before


@pytest.mark.parametrize("move", [reject, merge], ids=["reject", "merge"])
def test_rejecting_or_merging_needs_a_reason(w, move):
    petition = submitted(w)
    before = snapshot()

    with pytest.raises(PetitionError, match="Give the enterprise the reason."):
        if move is reject:
            services.reject_petition(
                petition=petition, actor=w.staff, reason="  ", now=LATER
            )
        else:
            services.merge_petition(
                petition=petition, into=w.target, actor=w.staff, reason="", now=LATER
            )

    assert snapshot() == before


# --- forbidden moves change nothing --------------------------------------------------

CANNOT_BECOME = "cannot become"

# (state, move, what the user reads)
FORBIDDEN = [
    ("submitted", dispatch, CANNOT_BECOME),
    ("uncategorised", dispatch, CANNOT_BECOME),
    ("submitted", sign_as_staff, CANNOT_BECOME),
    ("submitted", answer, CANNOT_BECOME),
    ("uncategorised", answer, CANNOT_BECOME),
    ("submitted", satisfied, "rated already"),
    ("submitted", merge_into_itself, "cannot be merged into itself"),
    ("accepted", sign_as_staff, CANNOT_BECOME),
    (
        "accepted",
        answer,
        "Dispatch this petition, or triage it as handled by the chamber.",
    ),
    ("accepted_for_chamber", dispatch, "handled by the chamber"),
    ("accepted", merge_into_itself, "cannot be merged into itself"),
    ("dispatched", accept, CANNOT_BECOME),
    ("dispatched", dispatch, CANNOT_BECOME),
    ("dispatched", reply, "Sign for the petition before replying."),
    ("dispatched", answer, CANNOT_BECOME),
    ("dispatched", reject, CANNOT_BECOME),
    ("dispatched", merge, CANNOT_BECOME),
    ("dispatched", satisfied, "rated already"),
    ("in_progress", sign, CANNOT_BECOME),
    ("in_progress", answer, "The department has not replied yet."),
    ("in_progress", reject, CANNOT_BECOME),
    ("in_progress", satisfied, "rated already"),
    ("in_progress", unsatisfied, "rated already"),
    ("awaiting_review", reject, CANNOT_BECOME),
    ("replied", sign, CANNOT_BECOME),
    ("replied", accept, CANNOT_BECOME),
    ("replied", give_back, CANNOT_BECOME),
    ("replied", reply, CANNOT_BECOME),
    ("replied", answer, CANNOT_BECOME),
    ("replied", dispatch, CANNOT_BECOME),
    ("replied", reject, CANNOT_BECOME),
    ("closed", sign, CANNOT_BECOME),
    ("closed", give_back, CANNOT_BECOME),
    ("closed", dispatch, CANNOT_BECOME),
    ("closed", answer, CANNOT_BECOME),
    ("closed", satisfied, "rated already"),
    ("closed", unsatisfied, "rated already"),
    ("closed", reject, CANNOT_BECOME),
    ("closed", merge, CANNOT_BECOME),
    ("rejected", accept, CANNOT_BECOME),
    ("rejected", answer, CANNOT_BECOME),
    ("rejected", merge, CANNOT_BECOME),
    ("merged", accept, CANNOT_BECOME),
    ("merged", dispatch, CANNOT_BECOME),
    ("merged", reject, CANNOT_BECOME),
]


@pytest.mark.parametrize(
    ("state", "move", "message"),
    FORBIDDEN,
    ids=[f"{state}-{move.__name__}" for state, move, _m in FORBIDDEN],
)
def test_a_forbidden_move_raises_and_changes_nothing(
    w, django_capture_on_commit_callbacks, state, move, message
):
    petition = STATES[state](w)
    before = snapshot()

    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(PetitionError, match=message),
    ):
        move(w, petition)

    assert snapshot() == before
    assert senders(callbacks) == []  # nobody is e-mailed


def test_the_refusal_names_both_states(w):
    petition = dispatched(w)

    with pytest.raises(PetitionError) as refused:
        reject(w, petition)

    assert str(refused.value) == "A petition that is dispatched cannot become rejected."


# --- only the department it was dispatched to ---------------------------------------


def progress(w, p, actor):
    return services.record_progress(petition=p, actor=actor, note="正在办理", now=LATER)


def department_reply(w, p, actor):
    return services.record_department_reply(
        petition=p, actor=actor, outcome=RESOLVED, reply=REPLY, now=LATER
    )


# name → (state it needs, the call, the status afterwards)
DEPARTMENT_ACTS = {
    "sign": (
        "dispatched",
        lambda w, p, actor: services.sign_petition(petition=p, actor=actor, now=LATER),
        S.IN_PROGRESS,
    ),
    "return": (
        "dispatched",
        lambda w, p, actor: services.return_petition(
            petition=p, actor=actor, basis=BASIS, now=LATER
        ),
        S.SUBMITTED,
    ),
    "progress": ("in_progress", progress, S.IN_PROGRESS),
    "reply": ("in_progress", department_reply, S.IN_PROGRESS),
}


@pytest.mark.parametrize("act", DEPARTMENT_ACTS)
@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_only_the_department_acts_for_the_department(w, act, outsider):
    state, call, _after = DEPARTMENT_ACTS[act]
    petition = STATES[state](w)
    actor = OUTSIDERS[outsider](w)
    before = snapshot()

    with pytest.raises(PetitionError, match="Only the department it was dispatched to"):
        call(w, petition, actor)

    assert snapshot() == before


@pytest.mark.parametrize("act", DEPARTMENT_ACTS)
@pytest.mark.parametrize("who", ["official", "staff"])
def test_the_department_and_staff_may_act(w, act, who):
    state, call, after = DEPARTMENT_ACTS[act]
    petition = STATES[state](w)
    events = petition.events.count()

    call(w, petition, w.user(who))

    assert reload(petition).status == after
    assert petition.events.count() == events + 1
    assert petition.events.last().actor == w.user(who)


def test_an_official_of_the_new_department_acts_after_a_second_dispatch(w):
    petition = dispatched(w)
    services.return_petition(
        petition=petition, actor=w.official, basis=BASIS, now=LATER
    )
    accept(w, petition)
    other = DepartmentFactory(name="西市区市场监督管理局")
    services.dispatch_petition(
        petition=petition, department=other, actor=w.staff, now=LATER
    )

    with pytest.raises(PetitionError):
        sign(w, petition)
    services.sign_petition(
        petition=petition, actor=OfficialFactory(department=other).user, now=LATER
    )

    assert reload(petition).status == S.IN_PROGRESS


# --- returned as not our duty --------------------------------------------------------


@pytest.mark.parametrize("state", ["dispatched", "in_progress"])
def test_a_returned_petition_goes_back_to_triage_without_the_department(w, state):
    petition = STATES[state](w)
    assert list(Petition.objects.for_department(w.department.pk)) == [petition]

    services.return_petition(
        petition=petition, actor=w.official, basis=f"  {BASIS}  ", now=LATER
    )

    petition = reload(petition)
    assert petition.status == S.SUBMITTED
    assert (petition.department, petition.due_on, petition.handling) == (None, None, "")
    assert (petition.signed_at, petition.signed_by) == (None, None)
    assert petition.bounce_count == 1
    assert not Petition.objects.for_department(w.department.pk).exists()
    event = petition.events.last()
    assert (event.to_status, event.note, event.is_public) == (S.SUBMITTED, BASIS, False)
    assert event.data == {
        "returned_by": "西市区发展和改革局",
        "returned_by_id": w.department.pk,
        "bounce": True,
    }


@pytest.mark.parametrize("basis", ["", "   \n "])
def test_returning_needs_a_basis(w, basis):
    petition = dispatched(w)
    before = snapshot()

    with pytest.raises(PetitionError, match="not your department's duty"):
        services.return_petition(
            petition=petition, actor=w.official, basis=basis, now=LATER
        )

    assert snapshot() == before
    assert list(Petition.objects.for_department(w.department.pk)) == [petition]


def test_each_return_adds_to_the_bounce_count_and_only_the_last_department_sees_it(w):
    petition = dispatched(w)
    second = DepartmentFactory(name="西市区市场监督管理局")
    third = DepartmentFactory(name="西市区住房和城乡建设局")
    services.return_petition(
        petition=petition, actor=w.official, basis=BASIS, now=LATER
    )
    accept(w, petition)
    services.dispatch_petition(
        petition=petition, department=second, actor=w.staff, now=LATER
    )
    services.return_petition(
        petition=petition,
        actor=OfficialFactory(department=second).user,
        basis="属于住建局职责",
        now=LATER,
    )
    accept(w, petition)

    services.dispatch_petition(
        petition=petition, department=third, actor=w.staff, now=LATER
    )

    assert reload(petition).bounce_count == 2
    assert not Petition.objects.for_department(w.department.pk).exists()
    assert not Petition.objects.for_department(second.pk).exists()
    assert list(Petition.objects.for_department(third.pk)) == [petition]


# --- the database's promises ---------------------------------------------------------


@pytest.mark.parametrize("status", [S.CLOSED, S.REJECTED, S.MERGED])
def test_nothing_ends_without_an_answer_even_by_a_raw_update(w, status):
    petition = dispatched(w)
    extra = {"merged_into": w.target} if status == S.MERGED else {}

    with pytest.raises(IntegrityError), transaction.atomic():
        Petition.objects.filter(pk=petition.pk).update(status=status, **extra)

    assert reload(petition).status == S.DISPATCHED


@pytest.mark.parametrize(
    "answer_fields",
    [{"answer": ANSWER}, {"answered_at": LATER}],
    ids=["answer-without-time", "time-without-answer"],
)
def test_half_an_answer_does_not_let_a_petition_end(w, answer_fields):
    petition = submitted(w)

    with pytest.raises(IntegrityError), transaction.atomic():
        Petition.objects.filter(pk=petition.pk).update(status=S.CLOSED, **answer_fields)

    assert reload(petition).status == S.SUBMITTED


def test_an_answered_petition_may_be_closed_by_a_raw_update(w):
    petition = submitted(w)

    Petition.objects.filter(pk=petition.pk).update(
        status=S.CLOSED, answer=ANSWER, answered_at=LATER
    )

    assert reload(petition).status == S.CLOSED


def test_a_merged_petition_must_name_its_target_even_by_a_raw_update(w):
    petition = submitted(w)

    with pytest.raises(IntegrityError), transaction.atomic():
        Petition.objects.filter(pk=petition.pk).update(
            status=S.MERGED, answer=MERGE_REASON, answered_at=LATER
        )

    assert reload(petition).status == S.SUBMITTED


def events_as_stored() -> list[tuple]:
    return list(
        PetitionEvent.objects.order_by("pk").values_list(
            "pk",
            "petition",
            "kind",
            "from_status",
            "to_status",
            "actor",
            "note",
            "data",
        )
    )


def test_an_event_cannot_be_changed_or_deleted(w):
    petition = dispatched(w)
    event = petition.events.last()
    before = events_as_stored()

    event.note = "改过的说明"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()
    with pytest.raises(ValidationError):
        PetitionEvent.objects.filter(pk=event.pk).update(note="改过的说明")
    with pytest.raises(ValidationError):
        PetitionEvent.objects.filter(petition=petition).delete()
    with pytest.raises(ValidationError):
        PetitionEvent.objects.all().delete()

    assert events_as_stored() == before


def test_a_petition_is_never_deleted_by_the_model_or_a_queryset(w):
    petition = dispatched(w)

    with pytest.raises(ValidationError):
        petition.delete()
    with pytest.raises(ValidationError):
        Petition.objects.filter(pk=petition.pk).delete()
    with pytest.raises(ValidationError):
        Petition.objects.all().delete()

    assert Petition.objects.filter(pk=petition.pk).exists()
    assert petition.events.exists()


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE petitions_petitionevent SET note = 'x'",
        "UPDATE petitions_petitionevent SET to_status = 'closed' WHERE kind = 'status'",
        "DELETE FROM petitions_petitionevent",
    ],
)
def test_raw_sql_cannot_change_events_on_postgresql(w, sql):
    dispatched(w)
    before = events_as_stored()

    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)

    assert events_as_stored() == before


# --- due dates in Chinese working days -----------------------------------------------

# Tuesday 29 September 2026, two days before the National Day holiday. The State
# Council's 2026 schedule (as chamber.workdays reads it from the holidays package):
# 1-7 October off, Thursday 8 October back at work, Saturday 10 October a make-up
# working day (and Sunday 20 September before it).
BEFORE_NATIONAL_DAY = date(2026, 9, 29)


def test_the_2026_national_day_calendar_the_due_dates_rely_on(db):
    assert workdays.is_working_day(date(2026, 9, 30))
    assert workdays.working_days(date(2026, 10, 1), date(2026, 10, 7)) == []
    assert workdays.is_working_day(date(2026, 10, 8))
    assert workdays.is_working_day(date(2026, 10, 10))  # a Saturday
    assert not workdays.is_working_day(date(2026, 10, 11))


@pytest.mark.parametrize(
    ("priority", "limit", "due"),
    [
        # 30 Sep; 8, 9, 10 (Sat), 12, 13, 14, 15, 16, 19 Oct.
        (NORMAL, 10, date(2026, 10, 19)),
        # 30 Sep; 8, 9 Oct.
        (URGENT, 3, date(2026, 10, 9)),
    ],
)
@pytest.mark.parametrize("hour", [9, 23], ids=["morning", "late-evening"])
def test_due_date_skips_the_national_day_holiday_and_counts_make_up_days(
    w, priority, limit, due, hour
):
    petition = accepted(w, priority=priority)
    assert w.category.limit(priority) == limit

    services.dispatch_petition(
        petition=petition,
        department=w.department,
        actor=w.staff,
        now=at(2026, 9, 29, hour, 30),
    )

    petition = reload(petition)
    assert petition.due_on == due
    assert due == workdays.add_working_days(BEFORE_NATIONAL_DAY, limit)
    assert petition.events.last().data["due_on"] == due.isoformat()


def test_an_urgent_petition_uses_the_categorys_urgent_limit(w):
    category = CategoryFactory(name="融资", working_days=15, urgent_working_days=5)
    petition = submitted(w)
    services.accept_petition(
        petition=petition,
        actor=w.staff,
        category=category,
        priority=URGENT,
        handling=BY_DEPARTMENT,
        now=NOW,
    )

    services.dispatch_petition(
        petition=petition, department=w.department, actor=w.staff, now=at(2026, 9, 29)
    )

    # 30 Sep; 8, 9, 10 (Sat), 12 Oct.
    assert reload(petition).due_on == date(2026, 10, 12)


# --- CF-1: the messages are written with the change, and go out once it is committed -----


@pytest.mark.parametrize(
    ("build", "step", "kind"),
    [
        (accepted, dispatch, "petition-dispatched"),
        (awaiting_review, answer, "petition-answered"),
    ],
    ids=["dispatch", "answer"],
)
def test_a_rolled_back_step_leaves_no_message_and_a_committed_one_queues_its_own(
    w, django_capture_on_commit_callbacks, build, step, kind
):
    from django.db import transaction

    from chamber.models import OutgoingMessage

    petition = build(w)
    before = snapshot()

    with (
        django_capture_on_commit_callbacks() as rolled_back,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        step(w, reload(petition))
        raise RuntimeError("the request failed after the step")
    assert snapshot() == before
    assert senders(rolled_back) == []
    assert not OutgoingMessage.objects.filter(kind=kind).exists()

    written = OutgoingMessage.objects.count()
    with django_capture_on_commit_callbacks() as committed:
        step(w, reload(petition))
    queued = OutgoingMessage.objects.filter(kind=kind)
    assert queued.exists()
    assert set(queued.values_list("status", flat=True)) == {"queued"}
    # after commit, one sender is asked for each message of the step (of every kind)
    assert len(senders(committed)) == OutgoingMessage.objects.count() - written
