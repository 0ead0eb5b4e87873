"""No petition ends without a reply, through the staff pages and in the quarter's list (DI-5).

Staff merge, answer and reject through the POST actions of a petition's page. Each form
sent without its text (empty, or only spaces and line breaks), or a merge without the
petition it goes into, shows the Chinese form error on the page it returns to, never a
server error, and leaves the petition, its events and everyone's inbox as they were.
The same forms filled in do end or answer the petition, so the refusals are the forms'.

The quarterly clear-to-zero lists, on its report page, exactly the petitions received in
the quarter that have not ended, as a query written here finds them.
"""

import re
from datetime import date, datetime, time

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from petitions import review
from petitions.models import Escalation, Petition, PetitionEvent
from tests.factories import DepartmentFactory, OfficialFactory, PetitionFactory
from tests.support import petition_states
from tests.support.pages import text
from tests.support.petition_states import STATES
from tests.support.staff_pages import accepted, act, get, replied_by_department
from tests.support.words import zh

# test_workflow's World: staff, a department and its official, a member, a category and
# a petition to merge into; its state builders take it.
w = petition_states.w

S = Petition.Status
REQUIRED = "This field is required."
REASON = "与贵企业此前提交的诉求为同一事项，合并办理。"
ANSWER = "经协调，供电增容已于本周完成。"
BLANKS = {"empty": "", "spaces and line breaks": "  \r\n\t \u3000 "}
HAN = re.compile(r"[\u4e00-\u9fff]")


def as_stored(petition: Petition) -> tuple[dict, list[tuple]]:
    """The petition's row and its events, as the database holds them."""
    return (
        Petition.objects.filter(pk=petition.pk).values().get(),
        list(
            PetitionEvent.objects.filter(petition=petition)
            .order_by("pk")
            .values_list("pk", "kind", "from_status", "to_status", "note")
        ),
    )


# --- the petitions each action would end or answer ---------------------------------------


def submitted(staff) -> Petition:
    return PetitionFactory()


def awaiting_review(staff) -> Petition:
    """The department replied; staff would send the answer on."""
    department = DepartmentFactory(name="西市区发展和改革局")
    return replied_by_department(staff, OfficialFactory(department=department))


def handled_by_the_chamber(staff) -> Petition:
    return accepted(staff, handling=Petition.Handling.CHAMBER)


TARGET = object()  # stands for the number of the petition to merge into
UNKNOWN = "XS-2026-9999"

# (what is missing, the petition, the action, the form sent, the error shown)
FORMS_WITHOUT_TEXT = [
    *(
        (f"reject, reason {blank}", submitted, "reject", {"reason": value}, REQUIRED)
        for blank, value in BLANKS.items()
    ),
    *(
        (
            f"merge, reason {blank}",
            submitted,
            "merge",
            {"into": TARGET, "reason": value},
            REQUIRED,
        )
        for blank, value in BLANKS.items()
    ),
    *(
        (
            f"merge, target {blank}",
            submitted,
            "merge",
            {"into": value, "reason": REASON},
            REQUIRED,
        )
        for blank, value in BLANKS.items()
    ),
    (
        "merge, target no petition's number",
        submitted,
        "merge",
        {"into": UNKNOWN, "reason": REASON},
        "There is no petition numbered %(number)s.",
    ),
    ("merge, nothing", submitted, "merge", {}, REQUIRED),
    *(
        (
            f"answer to a department's reply, {blank}",
            awaiting_review,
            "answer",
            {"answer": value},
            REQUIRED,
        )
        for blank, value in BLANKS.items()
    ),
    *(
        (
            f"the chamber's own answer, {blank}",
            handled_by_the_chamber,
            "answer",
            {"answer": value, "outcome": Petition.Outcome.RESOLVED},
            REQUIRED,
        )
        for blank, value in BLANKS.items()
    ),
]


def sent(form: dict, target: Petition) -> dict:
    return {
        name: target.number if value is TARGET else value
        for name, value in form.items()
    }


@pytest.mark.parametrize(
    ("missing", "build", "action", "form", "error"),
    FORMS_WITHOUT_TEXT,
    ids=[row[0] for row in FORMS_WITHOUT_TEXT],
)
def test_a_staff_form_without_its_text_shows_the_chinese_error_and_ends_nothing(
    client,
    staff,
    django_capture_on_commit_callbacks,
    missing,
    build,
    action,
    form,
    error,
):
    petition = build(staff)
    target = PetitionFactory()
    client.force_login(staff)
    before = as_stored(petition), as_stored(target)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        page = act(client, petition, action, sent(form, target))

    assert page.status_code == 200
    assert page.redirect_chain == [
        (reverse("petitions:staff_detail", args=[petition.pk]), 302)
    ]
    message = zh(error) % {"number": UNKNOWN} if "%(" in error else zh(error)
    assert HAN.search(message), f"not in Chinese: {message!r}"
    assert escape(message) in text(page)
    assert (as_stored(petition), as_stored(target)) == before
    assert callbacks == []  # nobody is e-mailed


@pytest.mark.parametrize(
    ("build", "action", "form", "ended_as", "answer"),
    [
        (submitted, "reject", {"reason": REASON}, S.REJECTED, REASON),
        (submitted, "merge", {"into": TARGET, "reason": REASON}, S.MERGED, REASON),
        (awaiting_review, "answer", {"answer": ANSWER}, S.REPLIED, ANSWER),
        (
            handled_by_the_chamber,
            "answer",
            {"answer": ANSWER, "outcome": Petition.Outcome.RESOLVED},
            S.REPLIED,
            ANSWER,
        ),
    ],
    ids=["reject", "merge", "answer-department-reply", "answer-chamber"],
)
def test_the_same_form_filled_in_ends_or_answers_the_petition(
    client, staff, build, action, form, ended_as, answer
):
    petition = build(staff)
    target = PetitionFactory()
    client.force_login(staff)

    page = act(client, petition, action, sent(form, target))

    assert page.status_code == 200
    petition.refresh_from_db()
    assert (petition.status, petition.answer) == (ended_as, answer)
    assert petition.events.last().to_status == ended_as


# --- the quarter's clear-to-zero list -----------------------------------------------------

# 季清零 of Q1 2026 runs on the first day of Q2.
QUARTER_START = date(2026, 4, 1)


def shanghai(day: date, hour: int = 0, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def not_ended_in_q1() -> list[int]:
    """Petitions received from 1 January to 31 March 2026 (Shanghai) that have not ended.

    Rejected and merged petitions have ended with an answer (the reason) as closed ones
    have, so they are cleared too.
    """
    return list(
        Petition.objects.filter(
            created_at__gte=shanghai(date(2026, 1, 1)),
            created_at__lt=shanghai(date(2026, 4, 1)),
        )
        .exclude(status__in=[S.CLOSED, S.REJECTED, S.MERGED])
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )


def section_numbers(page: str, heading: str) -> set[str]:
    """The petition numbers listed under the report page's heading."""
    start = page.index(f">{escape(heading)} <span")
    end = page.find("<h2", start)
    return set(re.findall(r"XS-T-\d{5}", page[start : end if end > 0 else None]))


def test_the_quarters_clearance_lists_every_petition_of_the_quarter_not_ended(
    client, leader, w
):
    # One petition in every state, received on Monday 2 March (test_workflow's builders).
    in_every_state = {name: build(w) for name, build in STATES.items()}
    assert {p.status for p in in_every_state.values()} == set(S.values)
    edges = {
        "last minute of Q4": PetitionFactory(
            created_at=shanghai(date(2025, 12, 31), 23, 59)
        ),
        "first minute of Q1": PetitionFactory(created_at=shanghai(date(2026, 1, 1))),
        "last minute of Q1": PetitionFactory(
            created_at=shanghai(date(2026, 3, 31), 23, 59)
        ),
        "first minute of Q2": PetitionFactory(created_at=shanghai(QUARTER_START)),
    }
    expected = not_ended_in_q1()
    assert set(expected) == {
        edges["first minute of Q1"].pk,
        edges["last minute of Q1"].pk,
        w.target.pk,  # received on 2 March; merged into, still open
        *(p.pk for p in in_every_state.values() if not p.has_ended),
    }

    run = review.run_quarterly_clearance(on=QUARTER_START)

    assert run.report["uncleared"] == expected
    assert run.stats["uncleared"] == len(expected)
    assert sorted(
        Escalation.objects.filter(run=run).values_list("petition", flat=True)
    ) == sorted(expected)
    client.force_login(leader.user)
    page = text(get(client, reverse("petitions:report", args=[run.pk])))
    numbers = dict(Petition.objects.values_list("pk", "number"))
    assert section_numbers(page, zh("Not cleared")) == {numbers[pk] for pk in expected}
