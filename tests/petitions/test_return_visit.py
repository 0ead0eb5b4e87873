"""回访: staff ask the enterprise by phone or in person what it made of an answer.

A return visit on a replied petition records who called whom, how and when, and the
enterprise's two answers (问题是否解决, 满意度) with a note; the answers count as the
enterprise's rating, moving the petition exactly as its own rating would (satisfied or
basically satisfied closes it, unsatisfied sends it back), marked as taken by the staff
member. What is not solved or not satisfying needs a note. The visit falls between the
answer and now; an answer already rated is not visited again.
"""

from datetime import timedelta

import pytest

from chamber.models import OutgoingMessage
from petitions import services
from petitions.models import Petition, PetitionEvent, ReturnVisit
from petitions.services import PetitionError
from tests.factories import LeaderFactory, OfficialFactory, StaffFactory
from tests.support import petition_states
from tests.support.petition_states import (
    ANSWER,
    COMPLAINT,
    REPLY,
    STATES,
    World,
    at,
    reload,
    replied,
    replied_by_chamber,
    snapshot,
)

w = petition_states.w
_english = petition_states._english

S = Petition.Status
SOLVED, PARTLY, UNSOLVED = Petition.Solved.values
SATISFIED, BASICALLY, UNSATISFIED = (
    Petition.Rating.SATISFIED,
    Petition.Rating.BASICALLY,
    Petition.Rating.UNSATISFIED,
)
# Answered on Monday 2 March at 10:00; called on Thursday 5 March, recorded an hour on.
CALLED = at(2026, 3, 5, 9, 30)
RECORDED = at(2026, 3, 5, 10, 30)
SPOKE_WITH = "张经理（企业负责人）"
NOTE = "企业表示增容已完成一半，剩余部分等待供电公司排期。"


def visit(
    w: World,
    petition: Petition,
    *,
    solved: str = SOLVED,
    rating: str = SATISFIED,
    note: str = "",
    way: str = ReturnVisit.Way.PHONE,
    spoke_with: str = SPOKE_WITH,
    visited_at=CALLED,
    now=RECORDED,
    actor=None,
) -> ReturnVisit:
    return services.record_return_visit(
        petition=petition,
        actor=actor or w.staff,
        way=way,
        spoke_with=spoke_with,
        visited_at=visited_at,
        solved=solved,
        rating=rating,
        note=note,
        now=now,
    )


def rate(w: World, petition: Petition, *, solved: str, rating: str, note: str = ""):
    return services.rate_petition(
        petition=petition,
        solved=solved,
        rating=rating,
        comment=note,
        actor=w.member.user,
        now=RECORDED,
    )


# What the rating leaves on a petition, whoever took it.
RATED_FIELDS = (
    "status",
    "solved",
    "rating",
    "rating_comment",
    "rated_at",
    "closed_at",
    "due_on",
    "original_due_on",
    "department_id",
    "department_replied_at",
    "supervised_on",
)


def as_rated(petition: Petition) -> tuple[dict, tuple]:
    """The petition's rated fields and its last event (kind, from, to, note, data
    without the visit's id)."""
    petition = reload(petition)
    event = petition.events.last()
    data = {k: v for k, v in event.data.items() if k != "return_visit"}
    return (
        {field: getattr(petition, field) for field in RATED_FIELDS},
        (event.kind, event.from_status, event.to_status, event.note, data),
    )


def told_since(told: set[int]) -> list[tuple[int, str]]:
    """Who was told what since `told` (the ids of the messages then), once each."""
    rows = list(OutgoingMessage.objects.exclude(pk__in=told))
    told.update(row.pk for row in rows)
    return sorted({(row.user_id, row.kind) for row in rows})


ANSWERS = [
    (SOLVED, SATISFIED, ""),
    (PARTLY, BASICALLY, ""),
    (PARTLY, BASICALLY, NOTE),
    (SOLVED, UNSATISFIED, COMPLAINT),
    (UNSOLVED, BASICALLY, COMPLAINT),
    (UNSOLVED, UNSATISFIED, COMPLAINT),
]


@pytest.mark.parametrize("builder", [replied, replied_by_chamber])
@pytest.mark.parametrize(("solved", "rating", "note"), ANSWERS)
def test_a_visit_moves_the_petition_exactly_as_the_enterprises_rating_would(
    w, builder, solved, rating, note
):
    StaffFactory(handles_petitions=True)  # told of an unsatisfied rating
    by_enterprise, by_visit = builder(w), builder(w)
    told = set(OutgoingMessage.objects.values_list("pk", flat=True))

    rate(w, by_enterprise, solved=solved, rating=rating, note=note)
    rated = told_since(told)
    visit(w, by_visit, solved=solved, rating=rating, note=note)
    visited = told_since(told)

    assert as_rated(by_visit) == as_rated(by_enterprise)
    assert visited == rated  # the same people hear the same news
    if rating == UNSATISFIED:
        assert {kind for _user, kind in visited} >= {"petition-unsatisfied"}
    reopened = S.IN_PROGRESS if builder is replied else S.ACCEPTED
    assert reload(by_visit).status == (S.CLOSED if rating != UNSATISFIED else reopened)


def test_the_visit_is_recorded_with_who_called_whom_how_and_when(w):
    petition = replied(w)

    recorded = visit(
        w,
        petition,
        solved=PARTLY,
        rating=BASICALLY,
        note=NOTE,
        way=ReturnVisit.Way.IN_PERSON,
    )

    recorded = ReturnVisit.objects.get(pk=recorded.pk)
    assert (
        recorded.petition,
        recorded.answer_round,
        recorded.staff,
        recorded.way,
        recorded.spoke_with,
        recorded.visited_at,
        recorded.solved,
        recorded.rating,
        recorded.note,
        recorded.created_at,
    ) == (
        petition,
        1,
        w.staff,
        ReturnVisit.Way.IN_PERSON,
        SPOKE_WITH,
        CALLED,
        PARTLY,
        BASICALLY,
        NOTE,
        RECORDED,
    )
    petition = reload(petition)
    assert (
        petition.status,
        petition.solved,
        petition.rating,
        petition.rating_comment,
        petition.rating_taken_by,
        petition.rated_at,
    ) == (S.CLOSED, PARTLY, BASICALLY, NOTE, w.staff, RECORDED)
    event = petition.events.last()
    assert (event.kind, event.from_status, event.to_status, event.actor) == (
        PetitionEvent.Kind.STATUS,
        S.REPLIED,
        S.CLOSED,
        w.staff,
    )
    assert event.data == {
        "rating": BASICALLY,
        "solved": PARTLY,
        "department_id": w.department.pk,
        "return_visit": recorded.pk,
    }


def test_the_enterprises_own_rating_is_not_marked_as_taken_by_staff(w):
    petition = replied(w)
    visit(w, petition, solved=UNSOLVED, rating=UNSATISFIED, note=COMPLAINT)
    assert reload(petition).rating_taken_by == w.staff
    # Reopened to the department; replied and answered again on Friday 6 March.
    services.record_department_reply(
        petition=petition,
        actor=w.official,
        outcome=Petition.Outcome.RESOLVED,
        reply=REPLY,
        now=at(2026, 3, 6),
    )
    services.answer_petition(
        petition=petition, actor=w.staff, answer=ANSWER, now=at(2026, 3, 6, 11)
    )

    services.rate_petition(
        petition=petition,
        solved=SOLVED,
        rating=SATISFIED,
        actor=w.member.user,
        now=at(2026, 3, 9),
    )

    petition = reload(petition)
    assert (petition.status, petition.rating_taken_by) == (S.CLOSED, None)
    assert "return_visit" not in petition.events.last().data
    assert list(petition.return_visits.values_list("answer_round", flat=True)) == [1]


def test_a_second_answer_is_visited_as_its_own_round(w):
    petition = replied(w)
    rate(w, petition, solved=UNSOLVED, rating=UNSATISFIED, note=COMPLAINT)
    services.record_department_reply(
        petition=petition,
        actor=w.official,
        outcome=Petition.Outcome.RESOLVED,
        reply=REPLY,
        now=at(2026, 3, 6),
    )
    services.answer_petition(
        petition=petition, actor=w.staff, answer=ANSWER, now=at(2026, 3, 6, 11)
    )

    recorded = visit(w, petition, visited_at=at(2026, 3, 9), now=at(2026, 3, 9, 10))

    assert recorded.answer_round == 2
    assert reload(petition).status == S.CLOSED


@pytest.mark.parametrize(
    ("solved", "rating"),
    [(UNSOLVED, SATISFIED), (SOLVED, UNSATISFIED), (UNSOLVED, UNSATISFIED)],
)
@pytest.mark.parametrize("note", ["", "  \n "])
def test_what_is_not_solved_or_not_satisfying_needs_a_note(w, solved, rating, note):
    petition = replied(w)
    before = snapshot()

    with pytest.raises(PetitionError) as refused:
        visit(w, petition, solved=solved, rating=rating, note=note)

    assert str(refused.value) == (
        "Tell us what is still unresolved, so it can be followed up."
    )
    assert snapshot() == before
    assert not ReturnVisit.objects.exists()


@pytest.mark.parametrize(
    "visited_at",
    [RECORDED + timedelta(minutes=1), at(2026, 3, 2, 9, 59)],
    ids=["in-the-future", "before-the-answer"],
)
def test_the_visit_falls_between_the_answer_and_now(w, visited_at):
    petition = replied(w)  # answered Monday 2 March at 10:00
    before = snapshot()

    with pytest.raises(PetitionError) as refused:
        visit(w, petition, visited_at=visited_at)

    assert str(refused.value) == (
        "The return visit must fall between the answer and now."
    )
    assert snapshot() == before
    assert not ReturnVisit.objects.exists()


@pytest.mark.parametrize("rated_by", ["enterprise", "visit"])
def test_an_answer_rated_already_is_not_visited(w, rated_by):
    petition = replied(w)
    if rated_by == "enterprise":
        rate(w, petition, solved=SOLVED, rating=SATISFIED)
    else:
        visit(w, petition)
    visits = ReturnVisit.objects.count()
    before = snapshot()

    with pytest.raises(PetitionError) as refused:
        visit(w, petition, now=RECORDED + timedelta(hours=1))

    assert str(refused.value) == "This answer has been rated already."
    assert snapshot() == before
    assert ReturnVisit.objects.count() == visits


@pytest.mark.parametrize("state", ["in_progress", "awaiting_review", "rejected"])
def test_a_petition_not_answered_is_not_visited(w, state):
    petition = STATES[state](w)
    before = snapshot()

    with pytest.raises(PetitionError, match="This answer has been rated already."):
        visit(w, petition)

    assert snapshot() == before


NOT_STAFF = {
    "official of the department": lambda w: w.official,
    "official of another department": lambda w: OfficialFactory().user,
    "district leader": lambda w: LeaderFactory().user,
    "the petitioning member": lambda w: w.member.user,
}


@pytest.mark.parametrize("who", NOT_STAFF)
def test_only_staff_record_a_visit(w, who):
    petition = replied(w)
    before = snapshot()

    with pytest.raises(PetitionError) as refused:
        visit(w, petition, actor=NOT_STAFF[who](w))

    assert str(refused.value) == "Only the chamber's staff record return visits."
    assert snapshot() == before
    assert not ReturnVisit.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"way": "wechat"}, "Say how the enterprise was reached."),
        ({"spoke_with": "  "}, "Say whom you spoke with."),
        ({"solved": ""}, "Say whether the problem was solved."),
        ({"rating": Petition.Rating.NONE}, "Choose a rating."),
    ],
    ids=["way", "spoke_with", "solved", "rating"],
)
def test_a_visit_says_how_whom_and_both_answers(w, change, message):
    petition = replied(w)
    before = snapshot()

    with pytest.raises(PetitionError) as refused:
        visit(w, petition, **change)

    assert str(refused.value) == message
    assert snapshot() == before
