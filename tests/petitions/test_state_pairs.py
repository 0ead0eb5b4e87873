"""Every (from, to) pair of the petition state machine, tried through the services (IN-4).

The states are Petition.Status's choices; a petition is brought to each of them by the
state builders of test_workflow.py (through the services only). The moves are the
service functions of petitions/services/workflow.py that change the status, each asking
for one status. Every state × every move is tried: a pair in ALLOWED succeeds and writes
exactly one event; any other pair raises PetitionError naming both states, and changes
no column of any petition, writes no event and e-mails nobody.

A pair in ALLOWED is refused only by the rules listed in PRECONDITIONS (who handles a
petition, whether the department has replied, whether the enterprise's time to answer a
request is up) or when the service is not the way into that status from there
(`starts`: replied → accepted is the unsatisfied rating's move, not a triage; the
rating and the return visit move only a replied petition). A new status, move or service function fails these tests until it is
given a builder, a Move or a place in NOT_MOVES.
"""

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest

from petitions.models import Extension, Petition, PetitionEvent, ReturnVisit
from petitions.services import ALLOWED, PetitionError, workflow
from tests.support import petition_states
from tests.support.petition_states import (
    INFO_REQUEST,
    LATER,
    STATE_STATUS,
    STATES,
    World,
    accept,
    answer,
    answer_info,
    basically,
    close_info,
    dispatch,
    merge,
    reject,
    reload,
    satisfied,
    sign_as_staff,
    snapshot,
    unsatisfied,
)
from tests.support.petition_states import at as beijing

# test_workflow's fixtures: its World (staff, a department, an official, a member, a
# category, a petition to merge into) and English messages (the msgids).
w = petition_states.w
_english = petition_states._english

S = Petition.Status
BASIS = "该事项不属于本部门职责"


def give_back_as_staff(w: World, p: Petition) -> Petition:
    return workflow.return_petition(petition=p, actor=w.staff, basis=BASIS, now=LATER)


def cannot_become(status: str, to: str) -> str:
    return f"A petition that is {S(status).label} cannot become {S(to).label}."


RATED_ALREADY = "This answer has been rated already."
NO_OPEN_REQUEST = "There is no open request to answer."
NO_REQUEST_TO_CLOSE = "There is no open request to close."


def ask_as_staff(w: World, p: Petition) -> Petition:
    return workflow.ask_enterprise(
        petition=p, actor=w.staff, request=INFO_REQUEST, now=LATER
    )


def ask_refused(status: str, to: str) -> str:
    if status == S.AWAITING_INFO:
        return "A request to the enterprise is already open."
    if status == S.DISPATCHED:
        return "Sign for the petition before asking the enterprise."
    return cannot_become(status, to)


def visit(rating: str, solved: str, note: str = ""):
    """回访: staff telephoned the enterprise on LATER's morning; its answers count as
    its rating."""

    def visit_it(w: World, p: Petition) -> ReturnVisit:
        return workflow.record_return_visit(
            petition=p,
            actor=w.staff,
            way=ReturnVisit.Way.PHONE,
            spoke_with="张经理",
            visited_at=beijing(2026, 3, 3, 9),
            solved=solved,
            rating=rating,
            note=note,
            now=LATER,
        )

    visit_it.__name__ = f"visit_{rating}"
    return visit_it


@dataclass(frozen=True)
class Move:
    service: str  # the function's name in petitions/services/workflow.py
    call: Callable[[World, Petition], object]
    target: Callable[[Petition], str]  # the status the call asks for
    who: str = "staff"  # who makes it (World.user)
    # The statuses this service moves from; None: any the ALLOWED table permits.
    starts: frozenset[str] | None = None
    # What the user reads when the move is refused.
    refusal: Callable[[str, str], str] = cannot_become

    @property
    def name(self) -> str:
        return self.call.__name__


def to(status: str) -> Callable[[Petition], str]:
    return lambda _petition: status


MOVES = [
    # Triage, or triage again; replied → accepted is the rating's move, not a triage.
    Move(
        "accept_petition",
        accept,
        to(S.ACCEPTED),
        starts=frozenset({S.SUBMITTED, S.ACCEPTED}),
    ),
    Move("dispatch_petition", dispatch, to(S.DISPATCHED)),
    # replied → in progress is the rating's move, not a signature.
    Move(
        "sign_petition",
        sign_as_staff,
        to(S.IN_PROGRESS),
        starts=frozenset({S.DISPATCHED}),
    ),
    Move("return_petition", give_back_as_staff, to(S.SUBMITTED)),
    Move("answer_petition", answer, to(S.REPLIED)),
    *(
        Move(
            "rate_petition",
            rating,
            to(S.CLOSED),
            who="member",
            starts=frozenset({S.REPLIED}),
            refusal=lambda _status, _to: RATED_ALREADY,
        )
        for rating in (satisfied, basically)
    ),
    # Unsatisfied: back to the department if it had one, else to the chamber.
    Move(
        "rate_petition",
        unsatisfied,
        lambda p: S.IN_PROGRESS if p.department_id else S.ACCEPTED,
        who="member",
        starts=frozenset({S.REPLIED}),
        refusal=lambda _status, _to: RATED_ALREADY,
    ),
    Move("reject_petition", reject, to(S.REJECTED)),
    Move("merge_petition", merge, to(S.MERGED)),
    # 待企业补充: the clock stops until the enterprise answers or staff close the request.
    Move("ask_enterprise", ask_as_staff, to(S.AWAITING_INFO), refusal=ask_refused),
    Move(
        "answer_info_request",
        answer_info,
        to(S.IN_PROGRESS),
        who="member",
        starts=frozenset({S.AWAITING_INFO}),
        refusal=lambda _status, _to: NO_OPEN_REQUEST,
    ),
    Move(
        "close_info_request",
        close_info,
        to(S.IN_PROGRESS),
        starts=frozenset({S.AWAITING_INFO}),
        refusal=lambda _status, _to: NO_REQUEST_TO_CLOSE,
    ),
    # 回访: the enterprise's answers taken by staff move it as its own rating does.
    *(
        Move(
            "record_return_visit",
            visit(rating, solved),
            to(S.CLOSED),
            starts=frozenset({S.REPLIED}),
            refusal=lambda _status, _to: RATED_ALREADY,
        )
        for rating, solved in (
            (Petition.Rating.SATISFIED, Petition.Solved.SOLVED),
            (Petition.Rating.BASICALLY, Petition.Solved.PARTLY),
        )
    ),
    Move(
        "record_return_visit",
        visit(Petition.Rating.UNSATISFIED, Petition.Solved.UNSOLVED, "增容仍未完成"),
        lambda p: S.IN_PROGRESS if p.department_id else S.ACCEPTED,
        starts=frozenset({S.REPLIED}),
        refusal=lambda _status, _to: RATED_ALREADY,
    ),
]


def decide_an_extension(w: World, p: Petition) -> Extension:
    """Staff approve an extension the department asked for (stored as asked, so that the
    decision is the one step tried): the due date moves, the status stays."""
    extension = Extension.objects.create(
        petition=p,
        department=w.department,
        reason="需协调供电公司现场勘察",
        due_before=p.due_on or date(2026, 3, 16),
        proposed_due=date(2026, 3, 31),
        asked_by=w.official,
        asked_at=LATER,
    )
    return workflow.decide_extension(
        extension=extension, actor=w.staff, approve=True, now=LATER
    )


# Service functions that take a petition (or its extension) but never change its status.
NOT_MOVES = {
    "record_progress": lambda w, p: workflow.record_progress(
        petition=p, actor=w.staff, note="已与供电公司对接", now=LATER
    ),
    "record_department_reply": lambda w, p: workflow.record_department_reply(
        petition=p,
        actor=w.staff,
        outcome=Petition.Outcome.RESOLVED,
        reply="已协调解决。",
        now=LATER,
    ),
    "send_back_reply": lambda w, p: workflow.send_back_reply(
        petition=p, actor=w.staff, note="答复未说明办理时限", now=LATER
    ),
    "add_note": lambda w, p: workflow.add_note(
        petition=p, actor=w.staff, note="已电话联系企业", now=LATER
    ),
    "ask_extension": lambda w, p: workflow.ask_extension(
        petition=p,
        actor=w.staff,
        reason="需协调供电公司现场勘察",
        proposed_due=date(2026, 3, 31),
        now=LATER,
    ),
    "decide_extension": decide_an_extension,
}

# (state builder, move) pairs that ALLOWED permits but another rule refuses.
PRECONDITIONS = {
    ("accepted", "answer"): (
        "Dispatch this petition, or triage it as handled by the chamber."
    ),
    ("accepted_for_chamber", "dispatch"): (
        "This petition is handled by the chamber; triage it again to dispatch it."
    ),
    ("in_progress", "answer"): "The department has not replied yet.",
    ("awaiting_review", "ask_as_staff"): "The department has replied already.",
    # Asked on NOW (Monday 2 March): 5 working days to answer (the method's rule).
    ("awaiting_info", "close_info"): "The enterprise has until 2026-03-09 to answer.",
}


def builders(status: str) -> list[str | None]:
    """The state builders leaving a petition in `status`; [None] when there is none."""
    return [name for name, built in STATE_STATUS.items() if built == status] or [None]


CASES = [
    (status, variant, move)
    for status in S.values
    for variant in builders(status)
    for move in MOVES
]


def expected(status: str, variant: str, move: Move, target: str) -> str | None:
    """None when the move must succeed, else the refusal the user reads."""
    if target not in ALLOWED[status] or (
        move.starts is not None and status not in move.starts
    ):
        return move.refusal(status, target)
    return PRECONDITIONS.get((variant, move.name))


def test_the_allowed_table_has_a_row_for_every_status_and_names_only_statuses():
    assert set(ALLOWED) == set(S.values)
    assert set().union(*ALLOWED.values()) <= set(S.values)


def calls(function, names: set[str]) -> bool:
    source = inspect.getsource(function)
    return any(re.search(rf"(?<![\w.]){name}\(", source) for name in names)


def test_every_service_taking_a_petition_is_a_move_here_or_never_changes_the_status():
    functions = {
        name: function
        for name, function in inspect.getmembers(workflow, inspect.isfunction)
        if function.__module__ == workflow.__name__
    }
    taking_a_petition = {
        name
        for name, function in functions.items()
        if not name.startswith("_")
        and {"petition", "extension"} & set(inspect.signature(function).parameters)
    }
    # _move and the helpers that call it, however indirectly (_rate, _end_request…).
    moving = {"_move"}
    while grown := {
        name
        for name, function in functions.items()
        if name.startswith("_") and name not in moving and calls(function, moving)
    }:
        moving |= grown
    changing_the_status = {
        name for name in taking_a_petition if calls(functions[name], moving)
    }

    assert {move.service for move in MOVES} == changing_the_status
    assert set(NOT_MOVES) == taking_a_petition - changing_the_status


def test_the_cases_try_every_from_to_pair_and_the_allowed_ones_succeed(w):
    tried, succeeding = set(), set()
    for status in S.values:
        for variant in builders(status):
            assert variant is not None, f"no state builder leaves a petition {status}"
            petition = STATES[variant](w)
            for move in MOVES:
                target = move.target(petition)
                tried.add((status, target))
                if expected(status, variant, move, target) is None:
                    succeeding.add((status, target))

    assert tried == {(old, new) for old in S.values for new in S.values}
    assert succeeding == {(old, new) for old, news in ALLOWED.items() for new in news}


@pytest.mark.parametrize(
    ("status", "variant", "move"),
    CASES,
    ids=[f"{variant or status}-{move.name}" for status, variant, move in CASES],
)
def test_a_move_succeeds_with_one_event_only_where_allowed_else_changes_nothing(
    w, django_capture_on_commit_callbacks, status, variant, move
):
    assert variant is not None, f"no state builder leaves a petition {status}"
    petition = STATES[variant](w)
    assert petition.status == status
    target = move.target(petition)
    refusal = expected(status, variant, move, target)
    before = snapshot()
    events_before = set(PetitionEvent.objects.values_list("pk", flat=True))

    if refusal is None:
        move.call(w, petition)

        new_events = list(PetitionEvent.objects.exclude(pk__in=events_before))
        assert [
            (e.petition_id, e.kind, e.from_status, e.to_status, e.actor, e.created_at)
            for e in new_events
        ] == [
            (
                petition.pk,
                PetitionEvent.Kind.STATUS,
                status,
                target,
                w.user(move.who),
                LATER,
            )
        ]
        assert reload(petition).status == target
    else:
        with (
            django_capture_on_commit_callbacks() as callbacks,
            pytest.raises(PetitionError) as refused,
        ):
            move.call(w, petition)

        assert str(refused.value) == refusal
        assert snapshot() == before
        assert callbacks == []  # nobody is e-mailed


NOT_MOVE_CASES = [
    (status, variant, name)
    for status in S.values
    for variant in builders(status)
    for name in NOT_MOVES
]


@pytest.mark.parametrize(
    ("status", "variant", "name"),
    NOT_MOVE_CASES,
    ids=[f"{variant or status}-{name}" for status, variant, name in NOT_MOVE_CASES],
)
def test_a_step_that_is_not_a_move_never_changes_the_status(w, status, variant, name):
    assert variant is not None, f"no state builder leaves a petition {status}"
    petition = STATES[variant](w)
    before = snapshot()
    events_before = set(PetitionEvent.objects.values_list("pk", flat=True))

    try:
        NOT_MOVES[name](w, petition)
    except PetitionError:
        assert snapshot() == before
    else:
        assert reload(petition).status == status
        new_events = PetitionEvent.objects.exclude(pk__in=events_before)
        assert [
            (e.petition_id, e.kind != PetitionEvent.Kind.STATUS) for e in new_events
        ] == [(petition.pk, True)]
